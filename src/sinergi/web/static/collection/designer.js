// The data set designer: "tick all / none" for the reporting regions without a round
// trip, and the live check of a validation rule while it is typed (the "Check" button
// does the same without script).
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(
    document.querySelectorAll("#reporting-regions input[type='checkbox']"));
  var counter = document.getElementById("picked");
  function count() {
    if (!counter || !counter.dataset.template) { return; }
    var ticked = boxes.filter(function (b) { return b.checked; }).length;
    counter.textContent = counter.dataset.template.replace("__n__", ticked).replace("__m__", boxes.length);
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-pick]"), function (button) {
    button.addEventListener("click", function (ev) {
      ev.preventDefault();
      var all = button.dataset.pick === "all";
      boxes.forEach(function (b) { b.checked = all; });
      count();
    });
  });
  boxes.forEach(function (b) { b.addEventListener("change", count); });
  count();

  var form = document.getElementById("rule-form");
  var target = document.getElementById("rule-check");
  if (!form || !target || !window.fetch) { return; }
  var timer = null;
  var sent = 0;
  function run() {
    var mine = ++sent;
    var data = new FormData(form);
    data.delete("do");
    fetch(form.dataset.checkUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || mine !== sent || !answer.ready) { return; }
        target.innerHTML = answer.html;
      })
      .catch(function () { /* the Check button still works */ });
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 400);
  }
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
