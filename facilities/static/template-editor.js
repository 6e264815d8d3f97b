// The inspection template editor, progressively enhanced: "More items" adds one empty item
// in place (without a round trip), "Remove this item" takes an unsaved item off the page,
// and each item shows only the fields its answer type uses. Without this script the form
// works as it is: every field shows and "More items" posts for three more empty items.
(function () {
  "use strict";
  var form = document.getElementById("tpl-form");
  var blank = document.getElementById("tpl-blank");
  var list = document.getElementById("tpl-items");
  var rows = document.getElementById("tpl-rows");
  if (!form || !blank || !list || !rows) return;
  form.classList.add("js-kinds");

  function wire(item) {
    var kind = item.querySelector(".tpl-kind");
    if (kind) {
      kind.addEventListener("change", function () { item.dataset.kind = kind.value; });
      item.dataset.kind = kind.value;
    }
    var remove = item.querySelector(".tpl-remove");
    if (remove) {
      remove.hidden = false;
      remove.addEventListener("click", function () {
        item.remove(); // its number stays taken: follow-ups keep pointing at the right item
      });
    }
  }

  Array.prototype.forEach.call(list.querySelectorAll(".tpl-item"), wire);

  var add = document.getElementById("tpl-add");
  if (add) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(rows.value, 10) || 0;
      var html = blank.innerHTML.split("__i__").join(String(index)).split("__n__").join(String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var item = holder.firstElementChild;
      list.appendChild(item);
      rows.value = String(index + 1);
      wire(item);
      var label = item.querySelector(".tpl-label");
      if (label) label.focus();
    });
  }
})();
