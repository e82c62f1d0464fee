// Charts drawn with the vendored Chart.js from data the page embeds with json_script.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "id";
  var fmt = new Intl.NumberFormat(lang === "en" ? "en-GB" : "id-ID", { maximumFractionDigits: 3 });
  var levelColours = { rpjmn: "#b42318", rkp: "#d92d20", prov_rpjmd: "#9c4a00", prov_rkpd: "#c4640a",
    rpjmd: "#5b3a9c", rkpd: "#7a5af8", aspiration: "#6b7280" };
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }

  var canvas = document.getElementById("indicator-chart");
  var d = canvas && data(canvas.dataset.chart);
  if (d) {
    var datasets = [{
      label: d.name, data: d.series, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8",
      spanGaps: true, tension: 0.15, pointRadius: 4, order: 1,
    }];
    if (d.ci.some(function (c) { return c; })) {
      // The 95% confidence interval of each survey estimate, as a thin floating bar.
      datasets.push({ type: "bar", label: d.text.ci, data: d.ci, backgroundColor: "rgba(31,95,168,.25)",
        borderColor: "rgba(31,95,168,.6)", borderWidth: 1, barPercentage: 0.12, order: 2 });
    }
    d.targets.forEach(function (t) {
      var colour = levelColours[t.level] || "#b42318";
      datasets.push({ label: t.label, data: d.labels.map(function () { return t.value; }),
        borderColor: colour, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false });
    });
    if (d.projection) {
      var p = d.projection;
      var idx = function (y) { return d.labels.indexOf(String(y)); };
      var line = d.labels.map(function () { return null; });
      line[idx(p.from_year)] = p.from_value; line[idx(p.year)] = p.value;
      datasets.push({ label: d.text.projection, data: line, borderColor: "#1f5fa8", borderDash: [2, 3],
        pointRadius: 3, spanGaps: true, fill: false });
      if (p.low !== null) {
        var hi = d.labels.map(function () { return null; }), lo = hi.slice();
        hi[idx(p.from_year)] = p.from_value; lo[idx(p.from_year)] = p.from_value;
        hi[idx(p.year)] = p.high; lo[idx(p.year)] = p.low;
        datasets.push({ label: Math.round(p.level * 100) + "% " + d.text.interval, data: hi, borderWidth: 0, pointRadius: 0,
          spanGaps: true, backgroundColor: "rgba(31,95,168,.12)", fill: "+1" });
        datasets.push({ label: "interval (low)", data: lo, borderWidth: 0, pointRadius: 0, spanGaps: true });
      }
    }
    new Chart(canvas, {
      type: "line", data: { labels: d.labels, datasets: datasets },
      options: { maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { filter: function (item) { return item.text.indexOf("(low)") < 0; } } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + (c.parsed.y === null ? "–" : fmt.format(c.parsed.y)); } } } },
        scales: { y: { title: { display: true, text: d.unit } } } },
    });
  }

  var rank = document.getElementById("ranking-chart");
  var r = rank && data(rank.dataset.chart);
  if (r) {
    rank.parentNode.style.height = Math.max(240, 28 * r.labels.length + 60) + "px";
    var bars = [{ label: r.name + " (" + r.unit + ")", data: r.values, backgroundColor: "#1f5fa8", order: 2 }];
    if (r.ci.some(function (c) { return c; })) {
      bars.push({ label: r.ci_label, data: r.ci, backgroundColor: "rgba(180,35,24,.55)", grouped: false,
        barPercentage: 0.25, order: 1 });
    }
    new Chart(rank, {
      type: "bar",
      data: { labels: r.labels, datasets: bars },
      options: { indexAxis: "y", maintainAspectRatio: false, animation: false,
        plugins: { legend: { display: bars.length > 1 }, tooltip: { callbacks: { label: function (c) {
          if (c.datasetIndex === 1) { var ci = r.ci[c.dataIndex]; return r.ci_label + ": " + fmt.format(ci[0]) + " – " + fmt.format(ci[1]); }
          var se = r.errors[c.dataIndex]; return fmt.format(c.parsed.x) + (se !== null ? " (SE " + fmt.format(se) + ")" : ""); } } } } },
    });
  }
})();
