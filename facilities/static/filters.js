// List filters on a phone: the search box stays, the other filters fold behind one button
// that says how many are set, so the list's first rows are on the first screen. Without
// JavaScript, or on a wider screen, every filter shows as before.
(function () {
  "use strict";
  var script = document.currentScript;
  var forms = document.querySelectorAll("form.filters");
  if (!forms.length) return;
  var more = script.dataset.more, moreSet = script.dataset.moreSet;

  function isSet(label) {
    var select = label.querySelector("select");
    if (select) return select.name !== "sort" && select.value !== "";
    var input = label.querySelector("input");
    if (!input) return false;
    return input.type === "checkbox" ? input.checked : input.value !== "";
  }

  forms.forEach(function (form) {
    var folding = Array.prototype.filter.call(form.children, function (el) {
      return el.tagName === "LABEL" && !el.querySelector("input[type=search]");
    });
    if (folding.length < 2) return;
    var set = folding.filter(isSet).length;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "filters-toggle";
    toggle.textContent = set ? moreSet.replace("{n}", String(set)) : more;
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", function () {
      var open = form.classList.toggle("unfolded");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    form.classList.add("folding");
    var submit = form.querySelector("button[type=submit]");
    form.insertBefore(toggle, submit);
  });
})();
