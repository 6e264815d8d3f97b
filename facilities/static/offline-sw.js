// The offline queue's service worker (static/offline.js registers it). It is served under
// the prefix of the pages it keeps (/q/offline-sw.js: scope /q/; /safety/inspections/
// offline-sw.js: scope /safety/inspections/) and keeps those pages and the static files,
// so a reload while offline still shows them; everything else goes to the network untouched.
"use strict";
var CACHE = "facilities-offline-1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

// The page names what to keep (itself and its static files) once the worker is active.
self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(urls); }).then(function () {
      if (event.source) event.source.postMessage({ kept: urls.length });
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var page = request.mode === "navigate" && url.href.indexOf(self.registration.scope) === 0;
  var file = url.pathname.indexOf("/static/") === 0;
  if (!page && !file) return;
  // Network first (always the current page when online), the kept copy when offline.
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (kept) { return kept || Response.error(); });
    })
  );
});
