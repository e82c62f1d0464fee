// Monev charts, drawn with the vendored Chart.js from data embedded with json_script.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "id";
  var fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 1 });
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function pctAxis() {
    return { min: 0, max: 100, ticks: { callback: function (v) { return fmt.format(v) + "%"; } } };
  }
  var tooltip = { callbacks: { label: function (c) {
    var v = c.parsed.x !== undefined && c.chart.options.indexAxis === "y" ? c.parsed.x : c.parsed.y;
    return c.dataset.label + ": " + (v === null ? "–" : fmt.format(v));
  } } };

  var agency = document.getElementById("monev-agency-chart");
  var a = agency && data(agency.dataset.chart);
  if (a && a.labels.length) {
    agency.parentNode.style.height = Math.max(260, 64 * a.labels.length + 80) + "px";
    new Chart(agency, {
      type: "bar",
      data: { labels: a.labels, datasets: [
        { label: a.text.financial_plan, data: a.financial_plan, backgroundColor: "#c9d6e8" },
        { label: a.text.financial, data: a.financial, backgroundColor: "#1f5fa8" },
        { label: a.text.physical, data: a.physical, backgroundColor: "#0b6e4f" },
      ] },
      options: { indexAxis: "y", maintainAspectRatio: false, animation: false,
        plugins: { tooltip: tooltip }, scales: { x: pctAxis() } },
    });
  }

  var activity = document.getElementById("monev-activity-chart");
  var d = activity && data(activity.dataset.chart);
  if (d) {
    new Chart(activity, {
      type: "line",
      data: { labels: d.labels, datasets: [
        { label: d.text.planned_physical, data: d.planned_physical, borderColor: "#0b6e4f", borderDash: [6, 4], pointRadius: 3, spanGaps: true },
        { label: d.text.physical, data: d.physical, borderColor: "#0b6e4f", backgroundColor: "#0b6e4f", pointRadius: 5 },
        { label: d.text.planned_financial, data: d.planned_financial, borderColor: "#1f5fa8", borderDash: [6, 4], pointRadius: 3, spanGaps: true },
        { label: d.text.financial, data: d.financial, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8", pointRadius: 5 },
      ] },
      options: { maintainAspectRatio: false, animation: false, plugins: { tooltip: tooltip }, scales: { y: pctAxis() } },
    });
    var out = document.getElementById("monev-output-chart");
    if (out && d.outputs.length) {
      var colours = ["#9c4a00", "#5b3a9c", "#b42318", "#16794c"];
      var sets = [];
      d.outputs.forEach(function (o, i) {
        // The values are what the quarter table shows: cumulative to date for additive
        // outputs (beside the cumulative targets), the quarter's level for the others.
        var values = o.values;
        var colour = colours[i % colours.length];
        sets.push({ type: "bar", label: o.name, data: values, backgroundColor: colour });
        sets.push({ type: "line", label: o.name + " (" + d.text.target + ")", data: o.targets, borderColor: colour,
          borderDash: [4, 3], pointRadius: 2, fill: false });
      });
      new Chart(out, { data: { labels: d.labels, datasets: sets },
        options: { maintainAspectRatio: false, animation: false, plugins: { tooltip: tooltip },
          scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return fmt.format(v); } } } } } });
    }
  }
})();
