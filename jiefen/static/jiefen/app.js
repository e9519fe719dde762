// Adds a row to a Django formset from its <template> (used for the parties of the intake form).
document.addEventListener("click", function (e) {
  var button = e.target.closest("[data-add-form]");
  if (!button) return;
  var prefix = button.dataset.addForm;
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.getElementById(button.dataset.template);
  var html = template.innerHTML.replace(/__prefix__/g, total.value);
  document.getElementById(prefix).insertAdjacentHTML("beforeend", html);
  total.value = parseInt(total.value, 10) + 1;
});

// 三事分流: the reason for not following the routing proposal is asked for only when the
// chosen unit is not the proposed one (select[data-proposed] names its reason box).
function showOverrideReason(select) {
  var box = document.getElementById(select.dataset.reason);
  if (!box) return;
  var field = box.closest(".field") || box;
  var differs = select.value !== String(select.dataset.proposed);
  field.hidden = !differs && !field.classList.contains("has-error");
}
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-proposed]")) showOverrideReason(e.target);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-proposed]").forEach(showOverrideReason);
});

// 打印: a button[data-print] prints the page (no inline onclick, so a strict CSP can forbid them).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});

// The language selector (and any select[data-autosubmit]) submits its form when changed:
// no inline onchange, so the Content-Security-Policy can forbid inline script.
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
