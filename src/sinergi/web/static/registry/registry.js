// Registry pages: a spinner while an import posts, and the decile chart drawn with the
// vendored Chart.js from data the page embeds with json_script (no inline script: the
// Content Security Policy allows only our own files).
(function () {
  "use strict";
  document.querySelectorAll("form[data-busy-form]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var busy = f.querySelector(".busy");
      if (busy) { busy.hidden = false; }
      f.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-busy-form] .busy").forEach(function (b) { b.hidden = true; });
    document.querySelectorAll("form[data-busy-form] button[type=submit]").forEach(function (b) { b.disabled = false; });
  });

  if (typeof Chart === "undefined") { return; }
  var canvas = document.getElementById("decile-chart");
  var el = canvas && document.getElementById(canvas.dataset.chart);
  if (!el) { return; }
  var d = JSON.parse(el.textContent);
  var nf = new Intl.NumberFormat(d.locale, { maximumFractionDigits: 0 });
  var texts = [d.households_text, d.persons_text];
  new Chart(canvas, {
    type: "bar",
    data: { labels: d.labels, datasets: [
      { label: d.text.households, data: d.households, backgroundColor: "#1f5fa8" },
      { label: d.text.persons, data: d.persons, backgroundColor: "#7a5af8" },
    ] },
    options: { locale: d.locale, maintainAspectRatio: false, animation: false,
      plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + texts[c.datasetIndex][c.dataIndex]; } } } },
      scales: { x: { title: { display: true, text: d.text.decile } },
        y: { beginAtZero: true, ticks: { callback: function (v) { return nf.format(v); } } } } },
  });
})();
