// Draws every <canvas data-chart="ID"> from the JSON in <script id="ID">; the same numbers are
// always in a table beside the chart, so pages read fine without this script.
(function () {
  "use strict";

  function draw(canvas) {
    if (typeof Chart === "undefined" || canvas.dataset.drawn) { return; }
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) { return; }
    var config = JSON.parse(source.textContent);
    var height = config.height || 260;
    delete config.height;
    canvas.closest("figure").classList.add("chart-ready");
    canvas.parentElement.style.height = height + "px";
    config.options = config.options || {};
    config.options.responsive = true;
    config.options.maintainAspectRatio = false;
    config.options.animation = false;
    canvas.dataset.drawn = "yes";
    new Chart(canvas, config);
  }

  function drawAll(root) {
    root.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof Chart !== "undefined") {
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      Chart.defaults.color = "#334155";
    }
    drawAll(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
