// Keeps the server-rendered countdowns ticking; the page reads fine without it.
// Counts from the seconds the server computed (data-countdown-left), so a
// visitor's wrong clock cannot show a wrong time; the end timestamp is the
// fallback. Nodes are looked up on every tick and each remembers when it was
// first seen, so sections swapped in by live.js keep ticking too.
(function () {
  "use strict";
  if (!document.querySelector("[data-countdown-end]")) return;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function text(left) {
    if (left <= 0) return "ended";
    var days = Math.floor(left / 86400);
    return days + (days === 1 ? " day " : " days ") +
      pad(Math.floor(left % 86400 / 3600)) + ":" +
      pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60) + " left";
  }
  function tick() {
    var nodes = document.querySelectorAll("[data-countdown-end]");
    var now = Date.now();
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var seen = parseInt(node.getAttribute("data-countdown-seen"), 10);
      if (isNaN(seen)) {
        seen = now;
        node.setAttribute("data-countdown-seen", String(now));
      }
      var elapsed = Math.floor((now - seen) / 1000);
      var left = parseInt(node.getAttribute("data-countdown-left"), 10);
      if (isNaN(left)) {
        left = parseInt(node.getAttribute("data-countdown-end"), 10) - Math.floor(seen / 1000);
      }
      if (!isNaN(left)) node.textContent = text(left - elapsed);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
