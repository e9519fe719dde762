// Offline drafts (a village without signal): a form marked data-offline keeps what was typed
// in the phone's IndexedDB when the phone is offline, and sends it when the connection comes
// back. Each draft carries its own idempotency key, so the server never makes a second case
// or report of one draft however often it is sent. The service worker (/sw.js) keeps these
// pages and the static files for when the phone opens them offline.
(function () {
  var DB = "jiefen-offline", STORE = "drafts";
  var box = document.getElementById("offline-status");
  var user = document.body.dataset.user || "";
  var sending = false;

  if ("serviceWorker" in navigator && user) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  }
  // Logging out: the pages kept for offline use belong to this user only.
  document.addEventListener("submit", function (e) {
    if (e.target.matches("form[data-logout]") && window.caches) caches.delete("jiefen-pages");
  });
  if (!box || !window.indexedDB) return;

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function freshKeys() {
    document.querySelectorAll("form[data-offline] input[name=idempotency_key]").forEach(
      function (input) { input.value = newKey(); });
  }
  function show(kind, extra) {
    box.textContent = box.dataset[kind] + (extra ? " " + extra : "");
    box.className = "msg " + (kind === "failed" ? "msg-error" : kind === "sent" ? "msg-success" : "msg-warning");
    box.hidden = false;
    box.dataset.state = kind;
  }
  function open(then) {
    var req = indexedDB.open(DB, 1);
    req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
    req.onsuccess = function () { then(req.result); };
  }
  function store(mode, then) {
    open(function (db) {
      var tx = db.transaction(STORE, mode);
      then(tx.objectStore(STORE), tx);
    });
  }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function saveDraft(form, submitter) {
    var data = new FormData(form, submitter);
    var entries = [];
    data.forEach(function (value, name) {
      // An empty file input sends an empty File: nothing to keep.
      if (value instanceof File && !value.size) return;
      entries.push([name, value]);
    });
    var draft = {
      key: data.get("idempotency_key") || newKey(),
      user: user,
      action: form.getAttribute("action") || location.pathname,
      page: location.pathname,
      entries: entries,
      saved: new Date().toISOString()
    };
    store("readwrite", function (s, tx) {
      s.put(draft);
      tx.oncomplete = function () {
        form.reset();
        freshKeys();
        show("saved");
      };
    });
  }

  function restore(draft) {
    if (draft.page !== location.pathname) return;
    draft.entries.forEach(function (pair) {
      if (typeof pair[1] !== "string") return;
      var field = document.querySelector("form[data-offline] [name='" + pair[0] + "']");
      if (field && field.type !== "hidden" && field.type !== "file") field.value = pair[1];
    });
  }

  function sendOne(draft) {
    var body = new FormData();
    draft.entries.forEach(function (pair) {
      if (pair[0] === "csrfmiddlewaretoken" && csrfToken()) body.append(pair[0], csrfToken());
      else body.append(pair[0], pair[1]);
    });
    return fetch(draft.action, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        // Success redirects (post/redirect/get); a page shown again holds the form's errors.
        if (response.redirected) return { sent: true, url: response.url };
        if (response.status >= 500 || response.status === 403) return { retry: true };
        return { sent: false };
      });
  }

  function sendDrafts() {
    if (sending || !navigator.onLine) return;
    sending = true;
    store("readonly", function (s) {
      var req = s.getAll();
      req.onsuccess = function () {
        var drafts = req.result.filter(function (d) { return d.user === user; });
        var chain = Promise.resolve();
        drafts.forEach(function (draft) {
          chain = chain.then(function () { return sendOne(draft); }).then(function (result) {
            if (result.retry) return;
            store("readwrite", function (w) { w.delete(draft.key); });
            if (result.sent) show("sent");
            else { restore(draft); show("failed"); }
          });
        });
        chain.catch(function () { show("saved"); }).then(function () { sending = false; });
      };
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("form[data-offline]") || navigator.onLine) return;
    e.preventDefault();
    saveDraft(form, e.submitter);
  });
  window.addEventListener("online", sendDrafts);
  freshKeys();
  // Drafts left from an earlier visit: say so, and send them if the phone is online.
  store("readonly", function (s) {
    var req = s.count();
    req.onsuccess = function () {
      if (!req.result) return;
      if (navigator.onLine) sendDrafts(); else show("saved");
    };
  });
})();
