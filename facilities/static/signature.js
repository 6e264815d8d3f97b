// One signature pad for every form that takes a drawn signature (work-order checklists and
// inspections). window.facilitiesSignaturePad(canvas, clearButton) draws with a finger, pen
// or mouse and returns {drawn(), png()}. Load it before a script that uses it (both `defer`).
(function () {
  "use strict";

  function signaturePad(canvas, clearButton) {
    var ctx = canvas.getContext("2d"), drawing = false, drawn = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
    });
    ["pointerup", "pointercancel"].forEach(function (t) {
      canvas.addEventListener(t, function () { drawing = false; });
    });
    if (clearButton) clearButton.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false;
    });
    return {
      drawn: function () { return drawn; },
      png: function () { return canvas.toDataURL("image/png"); }
    };
  }
  window.facilitiesSignaturePad = signaturePad;

  // Work-order checklists: a drawn pad fills the form's hidden field on submit; an empty pad
  // says so instead of posting (the typed name stays the way without JavaScript).
  var forms = document.querySelectorAll("form.cl-signature");
  if (!forms.length) return;
  document.getElementById("checklist").classList.add("cl-js");
  forms.forEach(function (form) {
    var canvas = form.querySelector("canvas.cl-pad");
    var field = form.querySelector("input[name=signature_png]");
    var pad = signaturePad(canvas, form.querySelector(".cl-pad-clear"));
    form.addEventListener("submit", function (e) {
      field.value = pad.drawn() ? pad.png() : "";
      if (!pad.drawn()) { e.preventDefault(); form.querySelector(".cl-pad-empty").hidden = false; canvas.focus(); }
    });
  });
})();
