// Performance-indicator form: show only the fields of the chosen level (outcome: programme
// and agency; output: activity and the outcome it serves). Without script every field shows
// and the server ignores the other level's fields.
(function () {
  "use strict";
  var level = document.getElementById("id_level");
  if (!level) { return; }
  function sync() {
    document.querySelectorAll("[data-for-level]").forEach(function (box) {
      box.hidden = box.getAttribute("data-for-level") !== level.value;
    });
  }
  level.addEventListener("change", sync);
  sync();
})();
