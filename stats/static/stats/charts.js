// Tooltips for the statistics pages: any element with data-tip shows it on hover or focus.
// Chart bars are links, so a click drills down without any script.
(function () {
  var tip = document.getElementById("chart-tip");
  if (!tip) return;
  function show(e) {
    var el = e.target.closest && e.target.closest("[data-tip]");
    if (!el) return;
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    var x = e.clientX || r.left, y = e.clientY || r.bottom;
    tip.style.left = Math.min(x + 12, window.innerWidth - tip.offsetWidth - 8) + "px";
    tip.style.top = (y + 14) + "px";
  }
  function hide(e) {
    var el = e.target.closest && e.target.closest("[data-tip]");
    if (el) tip.hidden = true;
  }
  document.addEventListener("mouseover", show);
  document.addEventListener("mousemove", show);
  document.addEventListener("mouseout", hide);
  document.addEventListener("focusin", show);
  document.addEventListener("focusout", hide);
})();
