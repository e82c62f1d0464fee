// Small page behaviours, no inline scripts (the Content Security Policy forbids them).
(function () {
  "use strict";
  // Selects that submit their form or navigate on change.
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll("select.autonav").forEach(function (el) {
    el.addEventListener("change", function () { window.location.href = el.value; });
  });
  // A progress bar while a form posts or a page loads after a click.
  var bar = document.getElementById("page-progress");
  function busy() { if (bar) { bar.hidden = false; } }
  document.querySelectorAll("form").forEach(function (f) { f.addEventListener("submit", busy); });
  window.addEventListener("pageshow", function () { if (bar) { bar.hidden = true; } });
})();
