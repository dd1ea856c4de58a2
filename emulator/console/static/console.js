/* Cogito console: the only script. Counts token expiry down, once a second. */
(function () {
  "use strict";
  function format(seconds) {
    var units = [[Math.floor(seconds / 86400), "d"], [Math.floor(seconds % 86400 / 3600), "h"],
                 [Math.floor(seconds % 3600 / 60), "min"], [seconds % 60, "s"]];
    var parts = units.filter(function (u) { return u[0] > 0; }).map(function (u) { return u[0] + " " + u[1]; });
    return parts.length ? parts.join(" ") : "0 s";
  }
  function start() {
    var nodes = document.querySelectorAll(".countdown[data-remaining]");
    if (!nodes.length) { return; }
    var began = Date.now();
    function tick() {
      var elapsed = Math.floor((Date.now() - began) / 1000);
      nodes.forEach(function (node) {
        var left = parseInt(node.getAttribute("data-remaining"), 10) - elapsed;
        if (left > 0) {
          node.textContent = format(left);
        } else {
          node.textContent = "0 s: expired";
          node.classList.add("expired");
        }
      });
    }
    tick();
    window.setInterval(tick, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
