// Charts drawn with the vendored Chart.js from data the page embeds with json_script.
// The server ships the page's locale, the indicator's decimals, the axis minimum and
// every value already formatted by the one formatting rule (the *_text fields), so a
// tooltip reads exactly as the table beside it.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var levelColours = { rpjmn: "#b42318", rkp: "#d92d20", prov_rpjmd: "#9c4a00", prov_rkpd: "#c4640a",
    rpjmd: "#5b3a9c", rkpd: "#7a5af8", aspiration: "#6b7280" };
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function tickFormat(locale, decimals) {
    // Axis ticks in the page's separators, never more decimals than the table shows.
    var nf = new Intl.NumberFormat(locale, { maximumFractionDigits: decimals });
    return function (value) { return nf.format(value); };
  }
  var HIDDEN = "__hidden__";  // datasets drawn but not listed in the legend

  var canvas = document.getElementById("indicator-chart");
  var d = canvas && data(canvas.dataset.chart);
  if (d && d.has_data) {
    var texts = {};  // dataset index -> per-point formatted values
    var datasets = [{
      label: d.name, data: d.series, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8",
      spanGaps: true, tension: 0.15, pointRadius: 4, order: 1,
    }];
    texts[0] = d.series_text;
    if (d.ci.some(function (c) { return c; })) {
      // The 95% confidence interval of each survey estimate, as a thin floating bar.
      texts[datasets.length] = d.ci_text;
      datasets.push({ type: "bar", label: d.text.ci, data: d.ci, backgroundColor: "rgba(31,95,168,.25)",
        borderColor: "rgba(31,95,168,.6)", borderWidth: 1, barPercentage: 0.12, maxBarThickness: 8, order: 2 });
    }
    d.targets.forEach(function (t) {
      var colour = levelColours[t.level] || "#b42318";
      texts[datasets.length] = d.labels.map(function () { return t.value_text; });
      datasets.push({ label: t.label, data: d.labels.map(function () { return t.value; }),
        borderColor: colour, borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, fill: false });
    });
    if (d.projection) {
      var p = d.projection;
      var idx = function (y) { return d.labels.indexOf(String(y)); };
      var empty = function () { return d.labels.map(function () { return null; }); };
      var line = empty(), lineText = empty();
      line[idx(p.from_year)] = p.from_value; line[idx(p.year)] = p.value;
      lineText[idx(p.from_year)] = d.series_text[idx(p.from_year)]; lineText[idx(p.year)] = p.value_text;
      texts[datasets.length] = lineText;
      datasets.push({ label: d.text.projection, data: line, borderColor: "#1f5fa8", borderDash: [2, 3],
        pointRadius: 3, spanGaps: true, fill: false });
      if (p.low !== null) {
        var hi = empty(), lo = empty(), hiText = empty(), loText = empty();
        hi[idx(p.from_year)] = p.from_value; lo[idx(p.from_year)] = p.from_value;
        hi[idx(p.year)] = p.high; lo[idx(p.year)] = p.low;
        hiText[idx(p.year)] = p.low_text + "–" + p.high_text;
        texts[datasets.length] = hiText;
        datasets.push({ label: d.text.interval, data: hi, borderWidth: 0, pointRadius: 0,
          spanGaps: true, backgroundColor: "rgba(31,95,168,.12)", fill: "+1" });
        texts[datasets.length] = loText;
        datasets.push({ label: HIDDEN, data: lo, borderWidth: 0, pointRadius: 0, spanGaps: true });
      }
    }
    var y = { grace: "5%", title: { display: true, text: d.unit }, ticks: { callback: tickFormat(d.locale, d.decimals) } };
    if (d.y_min !== null) { y.min = d.y_min; } else { y.beginAtZero = true; }
    new Chart(canvas, {
      type: "line", data: { labels: d.labels, datasets: datasets },
      options: { locale: d.locale, maintainAspectRatio: false, animation: false,
        plugins: { legend: { labels: { filter: function (item) { return item.text !== HIDDEN; } } },
          tooltip: {
            filter: function (c) { return c.dataset.label !== HIDDEN && (texts[c.datasetIndex] || [])[c.dataIndex] != null; },
            callbacks: { label: function (c) { return c.dataset.label + ": " + texts[c.datasetIndex][c.dataIndex]; } } } },
        scales: { y: y } },
    });
  }

  var rank = document.getElementById("ranking-chart");
  var r = rank && data(rank.dataset.chart);
  if (r && r.labels.length) {
    rank.parentNode.style.height = Math.max(240, 28 * r.labels.length + 60) + "px";
    var bars = [{ label: r.name + " (" + r.unit + ")", data: r.values, backgroundColor: "#1f5fa8", order: 2 }];
    if (r.ci.some(function (c) { return c; })) {
      bars.push({ label: r.ci_label, data: r.ci, backgroundColor: "rgba(180,35,24,.55)", grouped: false,
        barPercentage: 0.25, order: 1 });
    }
    new Chart(rank, {
      type: "bar",
      data: { labels: r.labels, datasets: bars },
      options: { locale: r.locale, indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: r.x_min !== null ? { min: r.x_min, ticks: { callback: tickFormat(r.locale, r.decimals) } }
          : { beginAtZero: true, ticks: { callback: tickFormat(r.locale, r.decimals) } } },
        plugins: { legend: { display: bars.length > 1 }, tooltip: { callbacks: { label: function (c) {
          if (c.datasetIndex === 1) { return r.ci_label + ": " + r.ci_text[c.dataIndex]; }
          var se = r.errors_text[c.dataIndex]; return r.values_text[c.dataIndex] + (se !== null ? " (SE " + se + ")" : ""); } } } } },
    });
  }
})();
