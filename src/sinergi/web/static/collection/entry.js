// Fast keyboard entry: Enter moves to the next cell, Ctrl+S saves the draft, the
// progress bar counts filled cells, and leaving with unsaved changes asks first.
(function () {
  "use strict";
  var form = document.getElementById("entry-form");
  if (!form) { return; }
  var cells = Array.prototype.slice.call(form.querySelectorAll("input.cell"));
  var bar = document.getElementById("fill");
  var text = document.getElementById("fill-text");
  var dirty = false;

  function update() {
    if (!cells.length) { return; }
    var filled = cells.filter(function (c) { return c.value.trim() !== ""; }).length;
    if (bar) { bar.value = filled; bar.max = cells.length; }
    if (text && text.dataset.template) {
      text.textContent = text.dataset.template.replace("__n__", filled).replace("__m__", cells.length);
    }
  }
  cells.forEach(function (cell, i) {
    cell.addEventListener("input", function () {
      cell.classList.toggle("changed", cell.value !== cell.dataset.original);
      dirty = cells.some(function (c) { return c.value !== c.dataset.original; });
      update();
    });
    cell.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        var next = cells[i + (ev.shiftKey ? -1 : 1)];
        if (next) { next.focus(); next.select(); } else { document.getElementById("save-draft").focus(); }
      }
    });
    cell.addEventListener("focus", function () { cell.select(); });
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "S")) {
      ev.preventDefault();
      var save = document.getElementById("save-draft");
      if (save) { save.click(); }
    }
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (ev) {
    if (dirty) { ev.preventDefault(); ev.returnValue = ""; }
  });
  // Start where work is left: the first empty or flagged cell.
  var first = form.querySelector(".cell-bad input.cell") ||
    cells.filter(function (c) { return c.value.trim() === ""; })[0];
  if (first) { first.focus(); }
  update();
})();
