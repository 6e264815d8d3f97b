/* Conducting an inspection: each answer is saved the moment it is given (JSON API, with
   the answer's version: a change made meanwhile on another device answers 409 and the
   page shows it), photos upload as files, the signature is drawn on a canvas. Without
   JavaScript the same forms post to the page and reload it. Every send carries a new
   client_key (UUID), so a replayed request is answered once. */
(function () {
  "use strict";
  var list = document.getElementById("inspection");
  if (!list || !window.fetch) return;
  var inspection = list.getAttribute("data-inspection");
  var versionId = list.getAttribute("data-version-id");
  var csrfInput = document.querySelector("input[name=_csrf_token]");
  var csrf = csrfInput ? csrfInput.value : "";
  var api = "/api/v1/safety/inspections/" + inspection + "/items/";

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0;
      return (c === "x" ? r : (r & 3 | 8)).toString(16);
    });
  }
  function say(form, text, bad) {
    var state = form.querySelector(".insp-state");
    state.textContent = text;
    state.classList.toggle("error", !!bad);
  }
  function pressed(form, value) {
    form.querySelectorAll(".insp-choices button").forEach(function (b) {
      b.setAttribute("aria-pressed", b.value === value ? "true" : "false");
    });
  }
  function current(form) {
    var on = form.querySelector(".insp-choices button[aria-pressed=true]");
    if (on) return on.value;
    var input = form.querySelector("[name=value]");
    return input && input.value.trim() ? input.value.trim() : null;
  }
  function answered(form, body) {
    form.querySelector("input[name=version]").value = body.version;
    pressed(form, body.value_text);
    say(form, body.fails ? form.dataset.savedFails : form.dataset.saved, body.fails);
    if (form.dataset.parent === "1") window.location.reload(); // show or hide follow-ups
  }
  function refused(form, response) {
    return response.json().then(function (body) {
      if (response.status === 409 && body.current) {
        form.querySelector("input[name=version]").value = body.current.version;
        pressed(form, body.current.value_text);
      }
      say(form, body.message || form.dataset.failed, true);
    }, function () { say(form, form.dataset.failed, true); });
  }
  function send(form, value, extra) {
    var note = form.querySelector("textarea[name=note]");
    var body = {
      value: value,
      template_version_id: Number(versionId),
      version: Number(form.querySelector("input[name=version]").value || 0),
      client_key: uuid()
    };
    if (note) body.note = note.value;
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    say(form, form.dataset.saving);
    return fetch(api + form.dataset.item, {
      method: "PUT",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "x-csrftoken": csrf},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.ok) return response.json().then(function (b) { answered(form, b); });
      return refused(form, response);
    }, function () { say(form, form.dataset.offline, true); });
  }
  function upload(form, file) {
    var data = new FormData();
    data.append("photo", file);
    data.append("client_key", uuid());
    say(form, form.dataset.saving);
    return fetch(api + form.dataset.item + "/photo", {
      method: "POST", credentials: "same-origin", headers: {"x-csrftoken": csrf}, body: data
    }).then(function (response) {
      if (response.ok) return response.json().then(function (b) {
        form.querySelector("input[name=version]").value = b.version;
        say(form, form.dataset.saved);
      });
      return refused(form, response);
    }, function () { say(form, form.dataset.offline, true); });
  }

  document.querySelectorAll("form.insp-answer").forEach(function (form) {
    var words = list.dataset;
    ["saved", "savedFails", "saving", "failed", "offline", "empty"].forEach(function (k) {
      form.dataset[k] = words[k];
    });
    form.querySelectorAll(".insp-choices button").forEach(function (button) {
      button.addEventListener("click", function (e) {
        e.preventDefault();
        pressed(form, button.value);
        send(form, button.value);
      });
    });
    var pad = form.querySelector("canvas.insp-pad"), drawn = false;
    if (pad) {
      var ctx = pad.getContext("2d"), drawing = false;
      ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
      var point = function (e) {
        var r = pad.getBoundingClientRect();
        return [(e.clientX - r.left) * pad.width / r.width, (e.clientY - r.top) * pad.height / r.height];
      };
      pad.addEventListener("pointerdown", function (e) {
        drawing = true; pad.setPointerCapture(e.pointerId);
        var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
      });
      pad.addEventListener("pointermove", function (e) {
        if (!drawing) return;
        var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke(); drawn = true;
      });
      ["pointerup", "pointercancel"].forEach(function (t) {
        pad.addEventListener(t, function () { drawing = false; });
      });
      form.querySelector(".insp-pad-clear").addEventListener("click", function () {
        ctx.clearRect(0, 0, pad.width, pad.height); drawn = false;
      });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var file = form.querySelector("input[type=file]");
      if (file && file.files && file.files.length) {
        upload(form, file.files[0]).then(function () { file.value = ""; });
        return;
      }
      if (pad) {
        if (!drawn) { say(form, form.dataset.empty, true); return; }
        send(form, current(form), {signature_png: pad.toDataURL("image/png")});
        return;
      }
      send(form, current(form));
    });
  });
  var submit = document.getElementById("insp-submit");
  if (submit) submit.addEventListener("submit", function () {
    submit.querySelector("input[name=client_key]").value = uuid();
  });
})();
