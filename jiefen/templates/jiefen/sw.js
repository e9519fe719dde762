// The service worker of Jiefen (served at /sw.js, scope /): the pages that can be filled
// offline and the static files they need are kept from their last visit, so a grid worker
// can open them without signal. Always the network first; the kept copy only when it fails.
var CACHE = "jiefen-pages";
var PAGES = {{ pages|safe }};
var STATIC = "{{ static_url }}";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) { e.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var isPage = request.mode === "navigate" && PAGES.indexOf(url.pathname) >= 0;
  if (!isPage && url.pathname.indexOf(STATIC) !== 0) return;
  var cacheKey = isPage ? url.pathname : request;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(cacheKey, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(cacheKey).then(function (hit) { return hit || Response.error(); });
    })
  );
});
