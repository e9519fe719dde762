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
// chosen unit is not the proposed one ([data-proposed], a select or a picker, names its
// reason box).
function showOverrideReason(chooser) {
  var box = document.getElementById(chooser.dataset.reason);
  if (!box) return;
  var field = box.closest(".field") || box;
  var chosen = chooser.matches("select") ? chooser : chooser.querySelector(".picker-chosen input");
  var differs = (chosen ? chosen.value : "") !== String(chooser.dataset.proposed);
  field.hidden = !differs && !field.classList.contains("has-error");
}
document.addEventListener("change", function (e) {
  if (e.target.matches("[data-proposed]")) showOverrideReason(e.target);
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-proposed]").forEach(showOverrideReason);
});

// 打印: a button[data-print] prints the page (no inline onclick, so a strict CSP can forbid them).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});

// Searchable pickers (jiefen/pickers.py): a click on a result chooses it — the only one of a
// single picker, one more of a multiple one; × removes a choice. The picker then sends
// "change", so code listening for a select's change (the 三事分流 reason) hears it too.
function pickerChoose(picker, value, label) {
  var chosen = picker.querySelector(".picker-chosen");
  var name = picker.dataset.picker;
  if (!picker.hasAttribute("data-multiple")) chosen.innerHTML = "";
  if (chosen.querySelector('input[value="' + value + '"]')) return;
  var li = document.createElement("li");
  var input = document.createElement("input");
  input.type = "hidden"; input.name = name; input.value = value;
  var span = document.createElement("span");
  span.textContent = label;
  var remove = document.createElement("button");
  remove.type = "button"; remove.className = "picker-remove"; remove.textContent = "×";
  remove.setAttribute("aria-label", picker.dataset.removeLabel || "×");
  li.append(input, span, " ", remove);
  chosen.append(li);
}
document.addEventListener("click", function (e) {
  var picker = e.target.closest(".picker");
  if (!picker) return;
  var option = e.target.closest(".picker-option");
  var remove = e.target.closest(".picker-remove");
  if (option) {
    pickerChoose(picker, option.dataset.value, option.textContent.trim());
    if (!picker.hasAttribute("data-multiple")) {
      picker.querySelector(".picker-results").innerHTML = "";
      picker.querySelector(".picker-q").value = "";
    } else {
      var group = option.closest(".picker-group");
      option.remove();
      if (group && !group.querySelector(".picker-option")) group.remove();
    }
  } else if (remove) {
    remove.closest("li").remove();
  } else {
    return;
  }
  picker.dispatchEvent(new Event("change", { bubbles: true }));
});

// The phone menu: the button opens and closes it; Escape closes it.
document.addEventListener("click", function (e) {
  var button = e.target.closest("[data-menu]");
  if (!button) return;
  var bar = button.closest(".topbar");
  var open = bar.classList.toggle("menu-open");
  button.setAttribute("aria-expanded", open ? "true" : "false");
});
document.addEventListener("keydown", function (e) {
  var bar = document.querySelector(".topbar.menu-open");
  if (e.key !== "Escape" || !bar) return;
  bar.classList.remove("menu-open");
  bar.querySelector("[data-menu]").setAttribute("aria-expanded", "false");
});

// details[data-open-wide]: open on a wide screen, closed on a phone until tapped (the
// case-list filters, the intake's further details). One with an error inside stays open.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.matchMedia("(min-width: 701px)").matches) return;
  document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
});

// The collapsed case-list filters show how many are set, also after htmx has re-filtered.
document.addEventListener("htmx:afterRequest", function (e) {
  var form = e.target;
  var badge = document.getElementById("filter-count");
  if (!badge || !form.matches || !form.matches("#filters form")) return;
  var n = 0;
  new FormData(form).forEach(function (value, name) { if (name !== "page" && value) n += 1; });
  badge.textContent = n;
  badge.hidden = n === 0;
});

// Pickers by keyboard: ↓ from the search box to the results, ↑/↓ between them (Enter or
// Space chooses, as on any button), Escape closes the results.
document.addEventListener("keydown", function (e) {
  var picker = e.target.closest && e.target.closest(".picker");
  if (!picker) return;
  var options = Array.prototype.slice.call(picker.querySelectorAll(".picker-results .picker-option"));
  var at = options.indexOf(e.target);
  if (e.key === "ArrowDown" && options.length) {
    options[Math.min(at + 1, options.length - 1)].focus();
  } else if (e.key === "ArrowUp" && at >= 0) {
    (at === 0 ? picker.querySelector(".picker-q") : options[at - 1]).focus();
  } else if (e.key === "Escape") {
    picker.querySelector(".picker-results").innerHTML = "";
    picker.querySelector(".picker-q").focus();
  } else {
    return;
  }
  e.preventDefault();
});

// The language selector (and any select[data-autosubmit]) submits its form when changed:
// no inline onchange, so the Content-Security-Policy can forbid inline script.
document.addEventListener("change", function (e) {
  if (e.target.matches("select[data-autosubmit]")) e.target.form.submit();
});
