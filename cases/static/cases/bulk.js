// Batch work in the queue and the case list: the header checkbox selects every case on the
// page, the bar counts the selection. Delegated from the document, so a table that htmx swaps
// in (the list's filters) works without setting anything up again.
(function () {
  if (window.jiefenBulk) return; // the bar may be swapped in more than once
  window.jiefenBulk = true;

  function picks() {
    return document.querySelectorAll("input[data-bulk-pick]");
  }

  function refresh() {
    var all = picks();
    var n = 0;
    all.forEach(function (box) { if (box.checked) n += 1; });
    document.querySelectorAll("[data-bulk-count]").forEach(function (el) { el.textContent = n; });
    document.querySelectorAll("input[data-bulk-all]").forEach(function (head) {
      head.checked = all.length > 0 && n === all.length;
      head.indeterminate = n > 0 && n < all.length;
    });
  }

  document.addEventListener("change", function (e) {
    if (e.target.matches("input[data-bulk-all]")) {
      picks().forEach(function (box) { box.checked = e.target.checked; });
      refresh();
    } else if (e.target.matches("input[data-bulk-pick]")) {
      refresh();
    }
  });
  // 批量分流 "each case to the unit its rule proposes" follows every proposal: neither a unit
  // nor a reason to give, so both boxes go away (unless they carry an error).
  function reasonBox() {
    var mode = document.querySelector('input[name="batch-mode"]:checked');
    if (!mode) return;
    var proposed = mode.value === "proposed";
    ["id_batch-override_reason", "id_batch-unit"].forEach(function (id) {
      var box = document.getElementById(id);
      if (!box) return;
      var field = box.closest(".field") || box;
      field.hidden = proposed && !field.classList.contains("has-error");
    });
  }
  document.addEventListener("change", function (e) {
    if (e.target.name === "batch-mode") reasonBox();
  });

  document.addEventListener("htmx:afterSettle", function () { refresh(); reasonBox(); });
  document.addEventListener("DOMContentLoaded", function () { refresh(); reasonBox(); });
  // The page's own script may run after DOMContentLoaded (a bar swapped in by htmx).
  if (document.readyState !== "loading") { refresh(); reasonBox(); }
})();
