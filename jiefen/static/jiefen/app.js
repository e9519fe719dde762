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
