// Completeness charts: this period's regions by timeliness, and every period stacked.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var el = document.getElementById("completeness-data");
  if (!el) { return; }
  var d = JSON.parse(el.textContent);
  var order = ["on_time", "late", "in_progress", "missing"];
  var colours = { on_time: "#16794c", late: "#e0a500", in_progress: "#1f5fa8", missing: "#b42318" };
  var one = document.getElementById("period-chart");
  if (one) {
    new Chart(one, {
      type: "doughnut",
      data: { labels: order.map(function (k) { return d.names[k]; }),
        datasets: [{ data: order.map(function (k) { return d.current[k] || 0; }),
          backgroundColor: order.map(function (k) { return colours[k]; }) }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } },
    });
  }
  var trend = document.getElementById("trend-chart");
  if (trend) {
    new Chart(trend, {
      type: "bar",
      data: { labels: d.labels, datasets: order.map(function (k) {
        return { label: d.names[k], data: d.series[k], backgroundColor: colours[k] }; }) },
      options: { maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } } },
    });
  }
})();
