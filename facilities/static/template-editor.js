// The inspection template editor, progressively enhanced: "More items" adds one empty item
// in place (without a round trip), "Remove this item" takes an unsaved item off the page,
// and each item shows only the fields its answer type uses; a multiple-choice item's
// failing answers are offered as the options typed above them, kept in step while typing.
// Without this script the form works as it is: every field shows, "More items" posts for
// three more empty items, and new options can be ticked as failing after saving.
(function () {
  "use strict";
  var form = document.getElementById("tpl-form");
  var blank = document.getElementById("tpl-blank");
  var list = document.getElementById("tpl-items");
  var rows = document.getElementById("tpl-rows");
  if (!form || !blank || !list || !rows) return;
  form.classList.add("js-kinds");

  // The failing-answer checkboxes of a multiple-choice item follow its options (one per
  // line); ticks stay on the options that are still there.
  function syncFails(item) {
    var options = item.querySelector("textarea[name$='-options']");
    var box = item.querySelector(".tpl-fail-options");
    if (!options || !box) return;
    var name = box.getAttribute("data-name");
    var ticked = {};
    Array.prototype.forEach.call(box.querySelectorAll("input[type=checkbox]"), function (input) {
      if (input.checked) ticked[input.value] = true;
    });
    var seen = {};
    var hint = box.querySelector(".hint");
    Array.prototype.forEach.call(box.querySelectorAll("label.check"), function (label) { label.remove(); });
    options.value.split("\n").forEach(function (line) {
      var text = line.trim().replace(/\s+/g, " ");
      if (!text || seen[text]) return;
      seen[text] = true;
      var label = document.createElement("label");
      label.className = "check";
      var input = document.createElement("input");
      input.type = "checkbox";
      input.name = name;
      input.value = text;
      input.checked = !!ticked[text];
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + text));
      box.insertBefore(label, hint);
    });
  }

  function wire(item) {
    var options = item.querySelector("textarea[name$='-options']");
    if (options) options.addEventListener("input", function () { syncFails(item); });
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
