// The offline queue (docs/architecture.md, "The offline queue").
// A <form data-offline-queue> with a hidden <input name="client_key"> is sent with fetch.
// Offline, or when the request fails on the network, the submission (files as Blobs) is
// kept in IndexedDB and sent again when the connection returns, oldest first; the server
// treats a repeated client_key as the same submission, so each arrives exactly once.
// A banner (role="status") says how many wait and when they were sent. Without
// JavaScript (or IndexedDB) the form posts as usual. The script's data-worker attribute
// names a small service worker that keeps the page and its static files for a reload
// while offline. Pages that save as they go (the inspection page) queue their own requests
// through window.facilitiesOffline.queue(entry): entry.key (a stable key: a later entry
// with the same key replaces a waiting one), entry.action, entry.method, and entry.json (a
// JSON body carrying its client_key) or entry.fields (a multipart body); entry.csrf sends
// the page's CSRF token as the x-csrftoken header. After each flush the window gets a
// "facilities-offline-sent" event ({sent, left}).
// Nothing entered is lost: a server error (5xx, 429) or an ended sign-in (401, or a
// redirect to /login) keeps the entry waiting; any other refusal (a 4xx) keeps it aside as
// "refused", not sent again, listed under the banner with the server's reason and what was
// entered, until the person discards it.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.FormData || window.facilitiesOffline) return;
  var api = {};
  window.facilitiesOffline = api;
  var DB = "facilities-offline", STORE = "submissions";
  var script = document.currentScript;
  var sending = false, signedOut = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function keep(entry) { return store("readwrite", function (s) { return s.put(entry); }); }
  function forget(key) { return store("readwrite", function (s) { return s.delete(key); }); }
  function all() { return store("readonly", function (s) { return s.getAll(); }); }
  function waiting() {
    return all().then(function (entries) { return entries.filter(function (e) { return !e.refused; }); });
  }

  // FormData cannot be stored; its fields can (File and Blob values included).
  function fields(form) {
    var out = [];
    new FormData(form).forEach(function (value, name) {
      if (value instanceof File) {
        if (value.size) out.push({ name: name, blob: value, filename: value.name });
      } else {
        out.push({ name: name, value: value });
      }
    });
    return out;
  }

  // What the person sees of each field (its label, the chosen option's words, a file's
  // name), kept with the entry so a refusal can show it back in their words.
  function labelOf(el) {
    var label = el.labels && el.labels[0];
    return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : el.name;
  }
  function shown(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || ["hidden", "submit", "button", "reset"].indexOf(el.type) >= 0) return;
      var text;
      if (el.type === "file") text = Array.prototype.map.call(el.files || [], function (f) { return f.name; }).join(", ");
      else if (el.tagName === "SELECT") text = el.selectedIndex >= 0 ? el.options[el.selectedIndex].text : "";
      else if (el.type === "checkbox" || el.type === "radio") text = el.checked ? "✓" : "";
      else text = el.value;
      if (text) out.push([labelOf(el), text]);
    });
    return out;
  }

  // The form's CSRF token is the page's current one (a sign-in since it was kept renews it).
  function body(entry) {
    var data = new FormData(), token = csrf();
    entry.fields.forEach(function (f) {
      if (f.blob) data.append(f.name, f.blob, f.filename || "file");
      else if (f.name === "_csrf_token" && token) data.append(f.name, token);
      else data.append(f.name, f.value);
    });
    return data;
  }

  // ---- the banner ------------------------------------------------------------------
  var banner = null, texts = {};
  function say(text) {
    if (!banner) {
      banner = document.createElement("p");
      banner.className = "offline-banner";
      banner.setAttribute("role", "status");
      banner.setAttribute("aria-live", "polite");
      var main = document.querySelector("main") || document.body;
      main.insertBefore(banner, main.firstChild);
    }
    banner.hidden = !text;
    banner.textContent = text || "";
  }
  function count(template, n) { return (template || "").replace("{n}", String(n)); }
  function showWaiting() {
    return all().then(function (entries) {
      var left = entries.filter(function (e) { return !e.refused; });
      if (left.length) say(count(signedOut ? texts.signin : texts.waiting, left.length));
      else if (banner) say("");
      showRefused(entries.filter(function (e) { return e.refused; }));
      return left;
    });
  }

  // What the server refused, each with its reason, what was entered, and "Discard".
  var refusedList = null;
  function showRefused(entries) {
    if (!refusedList) {
      if (!entries.length) return;
      refusedList = document.createElement("ul");
      refusedList.className = "offline-refused";
      var main = document.querySelector("main") || document.body;
      main.insertBefore(refusedList, banner ? banner.nextSibling : main.firstChild);
    }
    refusedList.textContent = "";
    refusedList.hidden = !entries.length;
    entries.forEach(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("role", "alert");
      var reason = document.createElement("p");
      reason.textContent = (texts.refused || "{message}").replace("{message}", entry.refused.message);
      item.appendChild(reason);
      var details = document.createElement("details");
      var summary = document.createElement("summary");
      summary.textContent = texts.entered || "";
      details.appendChild(summary);
      var values = document.createElement("dl");
      entered(entry).forEach(function (pair) {
        var dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = pair[0]; dd.textContent = pair[1];
        values.appendChild(dt); values.appendChild(dd);
      });
      details.appendChild(values);
      item.appendChild(details);
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link";
      discard.textContent = texts.discard || "";
      discard.addEventListener("click", function () { forget(entry.key).then(showWaiting); });
      item.appendChild(discard);
      refusedList.appendChild(item);
    });
  }

  // The values a person typed or chose, in their words when the page kept them (entry.shown),
  // else by field name (files by name), without the form's own keys.
  var HIDDEN = ["client_key", "_csrf_token", "back", "version"];
  function entered(entry) {
    if (entry.shown) return entry.shown;
    if (entry.json) {
      return Object.keys(entry.json).filter(function (k) { return HIDDEN.indexOf(k) < 0 && entry.json[k] != null && entry.json[k] !== ""; })
        .map(function (k) { return [k, String(entry.json[k])]; });
    }
    return (entry.fields || []).filter(function (f) { return HIDDEN.indexOf(f.name) < 0 && (f.blob || f.value); })
      .map(function (f) { return [f.name, f.blob ? (f.filename || "file") : f.value]; });
  }

  // The server's reason: the JSON error's message, or the error page's first paragraph.
  function reason(response) {
    return response.text().then(function (text) {
      try { return JSON.parse(text).message || String(response.status); } catch (e) { /* HTML */ }
      var page = new DOMParser().parseFromString(text, "text/html");
      var found = [".error-page > p", ".flash-error li, .field .error", "main h1"].map(function (css) {
        return page.querySelector(css);
      }).filter(Boolean)[0];
      return (found && found.textContent.trim()) || String(response.status);
    }, function () { return String(response.status); });
  }
  function signInEnded(response) {
    return response.status === 401 || (response.redirected && new URL(response.url).pathname === "/login");
  }

  // ---- sending -----------------------------------------------------------------------
  function csrf() {
    var input = document.querySelector("input[name=_csrf_token]");
    return input ? input.value : "";
  }

  function post(entry) {
    var headers = {};
    if (entry.csrf) headers["x-csrftoken"] = csrf();
    if (entry.json) headers["Content-Type"] = "application/json";
    return fetch(entry.action, {
      method: entry.method || "POST",
      headers: headers,
      body: entry.json ? JSON.stringify(entry.json) : body(entry),
      credentials: "same-origin",
      redirect: "follow",
    });
  }

  // Send every waiting submission once, oldest first; keep it when the network fails, the
  // server had trouble (5xx, 429) or the sign-in ended; set it aside when the server
  // refused it (4xx); forget it once the server took it.
  function flush() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    signedOut = false;
    var sent = 0;
    return waiting().then(function (entries) {
      entries.sort(function (a, b) { return a.at - b.at; });
      return entries.reduce(function (chain, entry) {
        return chain.then(function () {
          if (signedOut) return;
          return post(entry).then(function (response) {
            if (response.status >= 500 || response.status === 429) return;
            if (signInEnded(response)) { signedOut = true; return; }
            if (response.status >= 400) {
              return reason(response).then(function (message) {
                entry.refused = { status: response.status, message: message, at: Date.now() };
                return keep(entry);
              });
            }
            sent += 1;
            return forget(entry.key);
          }, function () { /* still offline: keep it */ });
        });
      }, Promise.resolve());
    }).then(function () {
      return showWaiting();
    }).then(function (left) {
      if (!left.length && sent) say(count(texts.sent, sent));
      sending = false;
      window.dispatchEvent(new CustomEvent("facilities-offline-sent", {
        detail: { sent: sent, left: left.length },
      }));
    }).finally(function () { sending = false; });
  }

  function show(response) {
    return response.text().then(function (html) {
      history.replaceState(null, "", response.url);
      document.open();
      document.write(html);
      document.close();
    });
  }

  // A form whose time field means "now" when empty (data-offline-stamp names it) gets the
  // time it was filled in, in data-offline-zone, when it is kept: sent later, it must not
  // become the time it arrived.
  function stamp(form, entry) {
    var name = form.dataset.offlineStamp;
    if (!name || !window.Intl) return;
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {
      timeZone: form.dataset.offlineZone || undefined, year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    var now = parts.year + "-" + parts.month + "-" + parts.day + "T" + parts.hour + ":" + parts.minute;
    var field = entry.fields.filter(function (f) { return f.name === name; })[0];
    if (!field) entry.fields.push({ name: name, value: now });
    else if (!field.value) field.value = now;
  }

  function submit(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-offline-queue]")) return;
    event.preventDefault();
    var keyInput = form.querySelector('input[name="client_key"]');
    if (keyInput && !keyInput.value) keyInput.value = uuid();
    var entry = {
      key: keyInput ? keyInput.value : uuid(),
      action: form.action,
      fields: fields(form),
      shown: shown(form),
      at: Date.now(),
    };
    var queue = function () {
      stamp(form, entry);
      return keep(entry).then(function () {
        form.reset();
        if (keyInput) keyInput.value = uuid();
        say(form.dataset.offlineQueued);
        window.setTimeout(showWaiting, 2500);
      });
    };
    if (!navigator.onLine) { queue(); return; }
    post(entry).then(function (response) {
      if (response.status >= 500 || response.status === 429) return queue();
      return show(response);
    }, queue);
  }

  api.queue = function (entry) {
    entry.at = Date.now();
    return keep(entry).then(showWaiting);
  };
  api.waiting = waiting;
  api.flush = flush;

  function start() {
    var form = document.querySelector("form[data-offline-queue]");
    var words = document.querySelector("[data-offline-waiting]");
    if (words) {
      var d = words.dataset;
      texts = {
        waiting: d.offlineWaiting, sent: d.offlineSent, signin: d.offlineSignin,
        refused: d.offlineRefused, entered: d.offlineEntered, discard: d.offlineDiscard,
      };
    }
    if (form) {
      var keyInput = form.querySelector('input[name="client_key"]');
      if (keyInput && !keyInput.value) keyInput.value = uuid();
    }
    document.addEventListener("submit", submit);
    window.addEventListener("online", flush);
    showWaiting().then(flush);
    var worker = script && script.getAttribute("data-worker");
    if (worker && navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.kept) document.documentElement.dataset.offlineReady = "1";
      });
      navigator.serviceWorker.register(worker).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        var keep = [location.href];
        document.querySelectorAll("link[rel=stylesheet][href], script[src], link[rel=icon][href]").forEach(function (el) {
          var url = new URL(el.href || el.src, location.href);
          if (url.origin === location.origin) keep.push(url.href);
        });
        registration.active.postMessage({ keep: keep });
      }).catch(function () { /* the queue works without it, only a reload offline does not */ });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
