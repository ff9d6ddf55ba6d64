// The desk's only script (no inline script: the CSP forbids it). Live countdowns to acknowledgement
// deadlines, refreshed each second and after htmx swaps in new rows.
(function () {
  "use strict";
  // Units in the page's language: 6天23小时 at a Chinese desk, 6 d 23 h at an English one.
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var unit = zh ? { d: "天", h: "小时", m: "分", s: "秒" } : { d: " d ", h: " h ", m: " min ", s: " s" };
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = Math.round((Date.parse(el.getAttribute("data-deadline")) - now) / 1000);
      if (left <= 0) { el.textContent = "0" + unit.s; el.classList.add("flag"); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600);
      var m = Math.floor(left % 3600 / 60), s = left % 60;
      var text = d > 0 ? d + unit.d + h + unit.h : (h > 0 ? h + unit.h : "") + (h > 0 || m > 0 ? m + unit.m : "") + s + unit.s;
      el.textContent = text.trim();
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSwap", tick);
})();
