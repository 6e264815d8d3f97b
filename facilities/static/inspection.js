/* Conducting an inspection: each answer is saved the moment it is given (JSON API, with
   the answer's version: a change made meanwhile on another device answers 409 and the
   page shows it), photos upload as files, the signature is drawn on a canvas. Without
   JavaScript the same forms post to the page and reload it. Every send carries a new
   client_key (UUID), so a replayed request is answered once.
   Without signal (static/offline.js loaded before this script): an answer, photo or
   signature is kept in the offline queue with its client_key (a later answer to the same
   item replaces a waiting one), the item says it waits, and the queue sends it when the
   connection returns; the page then reloads to show what the server holds. */
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
  var offline = window.facilitiesOffline && window.facilitiesOffline.queue ? window.facilitiesOffline : null;
  function queued(form) {
    form.classList.add("insp-waiting");
    say(form, list.dataset.queued);
  }
  function keep(form, entry) {
    if (!offline) { say(form, form.dataset.offline, true); return Promise.resolve(); }
    entry.key = "inspection:" + inspection + ":" + form.dataset.item + (entry.fields ? ":photo" : "");
    entry.inspection = inspection;
    entry.item = form.dataset.item;
    entry.csrf = true;
    // What the person gave, in their words, shown back should the server refuse it later.
    var heading = form.closest(".insp-item").querySelector("h3");
    var on = form.querySelector(".insp-choices button[aria-pressed=true]");
    var file = form.querySelector("input[type=file]");
    var given = entry.json
      ? (on ? on.textContent.trim() : String(entry.json.value == null ? "" : entry.json.value))
      : (file && file.files && file.files.length ? file.files[0].name : "");
    entry.shown = [[heading ? heading.textContent.trim() : form.dataset.item, given]];
    return offline.queue(entry).then(function () { queued(form); });
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
    var later = function () {
      return keep(form, {action: api + form.dataset.item, method: "PUT", json: body});
    };
    if (offline && !navigator.onLine) return later();
    say(form, form.dataset.saving);
    return fetch(api + form.dataset.item, {
      method: "PUT",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "x-csrftoken": csrf},
      body: JSON.stringify(body)
    }).then(function (response) {
      if (response.status >= 500) return later();
      if (response.ok) return response.json().then(function (b) { answered(form, b); });
      return refused(form, response);
    }, later);
  }
  function upload(form, file) {
    var data = new FormData();
    var key = uuid();
    data.append("photo", file);
    data.append("client_key", key);
    var later = function () {
      return keep(form, {action: api + form.dataset.item + "/photo", method: "POST", fields: [
        {name: "photo", blob: file, filename: file.name || "photo.jpg"},
        {name: "client_key", value: key}
      ]});
    };
    if (offline && !navigator.onLine) return later();
    say(form, form.dataset.saving);
    return fetch(api + form.dataset.item + "/photo", {
      method: "POST", credentials: "same-origin", headers: {"x-csrftoken": csrf}, body: data
    }).then(function (response) {
      if (response.ok) return response.json().then(function (b) {
        form.querySelector("input[name=version]").value = b.version;
        say(form, form.dataset.saved);
      });
      if (response.status >= 500) return later();
      return refused(form, response);
    }, later);
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
    var canvas = form.querySelector("canvas.insp-pad");
    var pad = canvas && window.facilitiesSignaturePad(canvas, form.querySelector(".insp-pad-clear"));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var file = form.querySelector("input[type=file]");
      if (file && file.files && file.files.length) {
        upload(form, file.files[0]).then(function () { file.value = ""; });
        return;
      }
      if (pad) {
        if (!pad.drawn()) { say(form, form.dataset.empty, true); return; }
        send(form, current(form), {signature_png: pad.png()});
        return;
      }
      send(form, current(form));
    });
  });
  if (offline) {
    // What still waits on this device, item by item (also after a reload offline).
    offline.waiting().then(function (all) {
      all.forEach(function (entry) {
        if (entry.inspection !== inspection) return;
        var form = document.querySelector('form.insp-answer[data-item="' + entry.item + '"]');
        if (!form) return;
        if (entry.json && entry.json.value != null) pressed(form, entry.json.value);
        queued(form);
      });
    });
    window.addEventListener("facilities-offline-sent", function (event) {
      if (event.detail.sent && !event.detail.left) window.location.reload();
    });
  }
  var submit = document.getElementById("insp-submit");
  if (submit) submit.addEventListener("submit", function () {
    submit.querySelector("input[name=client_key]").value = uuid();
  });
})();
