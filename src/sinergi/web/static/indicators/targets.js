// Targets grid: Enter moves to the cell below (Shift+Enter above) instead of submitting,
// arrow up/down move by row; Tab keeps its native left-to-right order.
(function () {
  "use strict";
  var grid = document.querySelector("[data-grid]");
  if (!grid) { return; }
  function cell(row, col) {
    return grid.querySelector('input[data-row="' + row + '"][data-col="' + col + '"]');
  }
  grid.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[data-row]")) { return; }
    var row = Number(input.dataset.row), col = Number(input.dataset.col), next = null;
    if (event.key === "Enter") {
      event.preventDefault();
      next = cell(row + (event.shiftKey ? -1 : 1), col);
      if (!next && !event.shiftKey) { next = cell(0, col + 1); }
    } else if (event.key === "ArrowDown") {
      next = cell(row + 1, col);
    } else if (event.key === "ArrowUp") {
      next = cell(row - 1, col);
    }
    if (next) {
      if (event.key !== "Enter") { event.preventDefault(); }
      next.focus();
      next.select();
    }
  });
  var form = grid.closest("form");
  if (form) {
    form.addEventListener("input", function (event) {
      var td = event.target.closest && event.target.closest("td");
      if (td) { td.classList.add("cell-changed"); }
    });
  }
})();
