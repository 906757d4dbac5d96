// Keeps the server-rendered countdowns ticking; the page reads fine without it.
// Counts from the seconds the server computed (data-countdown-left), so a
// visitor's wrong clock cannot show a wrong time; the end timestamp is the
// fallback.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-countdown-end]");
  if (!nodes.length) return;
  var loaded = Date.now();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function text(left) {
    if (left <= 0) return "ended";
    var days = Math.floor(left / 86400);
    return days + (days === 1 ? " day " : " days ") +
      pad(Math.floor(left % 86400 / 3600)) + ":" +
      pad(Math.floor(left % 3600 / 60)) + ":" + pad(left % 60) + " left";
  }
  function tick() {
    var elapsed = Math.floor((Date.now() - loaded) / 1000);
    for (var i = 0; i < nodes.length; i++) {
      var left = parseInt(nodes[i].getAttribute("data-countdown-left"), 10);
      if (isNaN(left)) {
        left = parseInt(nodes[i].getAttribute("data-countdown-end"), 10) - Math.floor(loaded / 1000);
      }
      if (!isNaN(left)) nodes[i].textContent = text(left - elapsed);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
