/*
 * Charts drawn from data in the page, with the vendored Chart.js (static/vendor/chartjs).
 *
 * Markup: <canvas data-chart="ID"></canvas> next to the JSON that Django's json_script
 * filter writes as <script type="application/json" id="ID">. The JSON is a spec:
 *   {"type": "line"|"bar", "labels": [...],
 *    "datasets": [{"label": "...", "data": [...], "type": "line"|"bar" (optional), "axis": "y"|"y2"}],
 *    "axes": {"y": "left axis title", "y2": "right axis title"}}
 * (built in Python by core.charts.ChartSpec). Every canvas on the page is drawn once
 * the page has loaded; AllianceCharts.drawAll(element) draws those inside an element added later.
 * No inline scripts: pages include templates/includes/chart_assets.html and chart.html.
 */
(function () {
  "use strict";

  var COLOURS = ["#b91c1c", "#d97706", "#2563eb", "#15803d", "#7c3aed", "#0e7490"];

  function dataset(item, index, chartType) {
    var colour = COLOURS[index % COLOURS.length];
    var isLine = (item.type || chartType) === "line";
    return {
      label: item.label,
      data: item.data,
      type: item.type || undefined,
      yAxisID: item.axis || "y",
      borderColor: colour,
      backgroundColor: isLine ? colour : colour + "b3",
      borderWidth: 2,
      pointRadius: isLine ? 2 : 0,
      tension: 0.25,
      order: isLine ? 0 : 1
    };
  }

  function countsOnly(spec, axis) {
    return spec.datasets.every(function (item) {
      return (item.axis || "y") !== axis || item.data.every(function (value) {
        return value === null || Number.isInteger(value);
      });
    });
  }

  function scales(spec) {
    var axes = spec.axes || {};
    var result = { x: { grid: { display: false } } };
    var ids = ["y"];
    spec.datasets.forEach(function (item) {
      if (item.axis && ids.indexOf(item.axis) < 0) {
        ids.push(item.axis);
      }
    });
    ids.forEach(function (id, index) {
      result[id] = {
        beginAtZero: true,
        position: index === 0 ? "left" : "right",
        grid: { drawOnChartArea: index === 0 },
        title: { display: Boolean(axes[id]), text: axes[id] || "" },
        // An axis of counts is marked in whole numbers: no "2.5 items" between 2 and 3.
        ticks: countsOnly(spec, id) ? { precision: 0 } : {}
      };
    });
    return result;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || !window.Chart || canvas.getAttribute("data-chart-drawn")) {
      return null;
    }
    var spec = JSON.parse(source.textContent);
    var type = spec.type || "line";
    var chart = new window.Chart(canvas, {
      type: type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (item, index) { return dataset(item, index, type); })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: scales(spec)
      }
    });
    canvas.setAttribute("data-chart-drawn", "true");
    return chart;
  }

  function drawAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("canvas[data-chart]"), draw);
  }

  window.AllianceCharts = { draw: draw, drawAll: drawAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  } else {
    drawAll(document);
  }
})();
