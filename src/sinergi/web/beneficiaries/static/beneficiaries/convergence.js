// Convergence charts drawn with the vendored Chart.js from data the page embeds with
// json_script (no inline script: the Content Security Policy allows only our own files).
// Values arrive in percent with their texts already formatted by the page's one rule.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function ticks(locale) {
    var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    return function (v) { return nf.format(v) + "%"; };
  }
  function bars(canvas, d, datasets, texts) {
    canvas.parentNode.style.height = Math.max(240, 30 * d.labels.length * datasets.length + 80) + "px";
    new Chart(canvas, {
      type: "bar",
      data: { labels: d.labels, datasets: datasets },
      options: { locale: d.locale, indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: { beginAtZero: true, suggestedMax: 100, ticks: { callback: ticks(d.locale) } } },
        plugins: { legend: { display: datasets.length > 1 },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + texts[c.datasetIndex][c.dataIndex]; } } } } },
    });
  }
  var cov = document.getElementById("coverage-chart");
  var d = cov && data(cov.dataset.chart);
  if (d && d.labels.length) {
    bars(cov, d, [{ label: d.text.coverage, data: d.coverage, backgroundColor: "#1f5fa8" }], [d.coverage_text]);
  }
  var err = document.getElementById("errors-chart");
  if (err && d && d.labels.length) {
    bars(err, d, [
      { label: d.text.exclusion, data: d.exclusion, backgroundColor: "#b42318" },
      { label: d.text.inclusion, data: d.inclusion, backgroundColor: "#c4640a" },
    ], [d.exclusion_text, d.inclusion_text]);
  }
  var rank = document.getElementById("ranking-chart");
  var r = rank && data(rank.dataset.chart);
  if (r && r.labels.length) {
    bars(rank, r, [{ label: r.text.exclusion, data: r.values, backgroundColor: "#b42318" }], [r.values_text]);
  }
})();
