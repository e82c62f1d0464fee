/* Nomenclature picker of the activity form: urusan > bidang > programme > kegiatan as
   dependent selects that narrow the sub-kegiatan select. Without this script the
   sub-kegiatan select alone still works. Children come from
   /perencanaan/nomenklatur/anak/?induk=<code>. */
(function () {
  "use strict";
  var box = document.querySelector(".nomenclature-picker");
  if (!box) { return; }
  var target = document.getElementById(box.getAttribute("data-for"));
  if (!target || target.disabled) { return; }
  var url = box.getAttribute("data-picker-url");
  var labels = (box.getAttribute("data-labels") || "").split("|");
  var allLabel = box.getAttribute("data-all") || "–";
  var chain = (box.getAttribute("data-chain") || "").split(" ").filter(Boolean);
  var original = Array.prototype.slice.call(target.options).map(function (o) {
    return { value: o.value, text: o.text };
  });
  var selects = [];

  function children(code) {
    var query = code ? "?induk=" + encodeURIComponent(code) : "";
    return fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { children: [] }; })
      .then(function (data) { return data.children || []; });
  }

  function fill(select, entries) {
    select.innerHTML = "";
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = allLabel;
    select.appendChild(blank);
    entries.forEach(function (e) {
      var o = document.createElement("option");
      o.value = e.code;
      o.textContent = e.code + " " + e.name;
      select.appendChild(o);
    });
    select.disabled = entries.length === 0;
  }

  function narrowTarget() {
    var prefix = "";
    selects.forEach(function (s) { if (s.value) { prefix = s.value + "."; } });
    var keep = target.value;
    target.innerHTML = "";
    original.forEach(function (o) {
      if (o.value === "" || !prefix || o.value.indexOf(prefix) === 0) {
        var opt = document.createElement("option");
        opt.value = o.value;
        opt.textContent = o.text;
        if (o.value === keep) { opt.selected = true; }
        target.appendChild(opt);
      }
    });
    var real = Array.prototype.filter.call(target.options, function (o) { return o.value; });
    if (real.length === 1 && !target.value) { real[0].selected = true; }
  }

  function changed(index) {
    var select = selects[index];
    for (var i = index + 1; i < selects.length; i++) { fill(selects[i], []); }
    narrowTarget();
    if (select.value && index + 1 < selects.length) {
      return children(select.value).then(function (entries) { fill(selects[index + 1], entries); });
    }
    return Promise.resolve();
  }

  labels.forEach(function (label, index) {
    var wrap = document.createElement("div");
    wrap.className = "picker-level";
    var id = target.id + "_level" + index;
    var lab = document.createElement("label");
    lab.setAttribute("for", id);
    lab.textContent = label;
    var select = document.createElement("select");
    select.id = id;
    select.disabled = true;
    select.addEventListener("change", function () { changed(index); });
    wrap.appendChild(lab);
    wrap.appendChild(select);
    box.appendChild(wrap);
    selects.push(select);
  });
  box.hidden = false;

  children("").then(function (entries) {
    fill(selects[0], entries);
    var step = Promise.resolve();
    chain.slice(0, selects.length).forEach(function (code, index) {
      step = step.then(function () {
        selects[index].value = code;
        return changed(index);
      });
    });
  });
})();
