// Beneficiary-list pages: reload a running match's page until it is done, keyboard keys on
// the review page (S: same person, B: not the same person, N: next pair), a spinner while a
// form posts. No inline script: the Content Security Policy allows only our own files.
(function () {
  "use strict";
  var running = document.querySelector("[data-run-running]");
  if (running) {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
  document.querySelectorAll("form[data-busy-form]").forEach(function (f) {
    f.addEventListener("submit", function () {
      var busy = f.querySelector(".busy");
      if (busy) { busy.hidden = false; }
    });
  });
  var review = document.querySelector("[data-review]");
  if (!review) { return; }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) { return; }
    var key = (e.key || "").toLowerCase();
    var target = null;
    if (key === "s") { target = review.querySelector("button[data-key=same]"); }
    else if (key === "b") { target = review.querySelector("button[data-key=different]"); }
    else if (key === "n") { target = document.querySelector("a[data-key=next]"); }
    if (target) { e.preventDefault(); target.click(); }
  });
})();
