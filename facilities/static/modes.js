// Progressive: a select with data-mode-switch shows only the blocks whose data-modes list
// its value (on a phone, see app.css). Without JavaScript every block stays visible.
(function () {
  "use strict";
  function apply(select) {
    var form = select.form || document;
    var blocks = form.querySelectorAll("[data-modes]");
    for (var i = 0; i < blocks.length; i++) {
      var modes = blocks[i].getAttribute("data-modes").split(/\s+/);
      blocks[i].classList.toggle("mode-off", modes.indexOf(select.value) === -1);
    }
  }
  var selects = document.querySelectorAll("select[data-mode-switch]");
  for (var i = 0; i < selects.length; i++) {
    apply(selects[i]);
    selects[i].addEventListener("change", function (event) { apply(event.target); });
  }
})();
