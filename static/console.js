// The console's one script, an improvement only (every page works without it): the routing
// suggestion on the call screen follows the notes as the operator types.
(function () {
  "use strict";
  var note = document.getElementById("note");
  var box = document.getElementById("suggestion");
  if (!note || !box) { return; }
  var timer = null;
  var last = "";
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  var kinds = { consultation: "Tư vấn", dispute: "Tranh chấp", violation_report: "Phản ánh vi phạm" };
  function show(c) {
    while (box.childNodes.length > 1) { box.removeChild(box.lastChild); }
    var dl = el("dl", undefined, "facts");
    function row(k, v, cls) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v, cls)); }
    row("Loại", kinds[c.kind] || c.kind);
    row("Lĩnh vực", c.category);
    row("Cơ quan", c.agency || "— (tư vấn)");
    if (c.vulnerable.length) { row("Nhóm dễ bị tổn thương", c.vulnerable.join(", ")); }
    if (c.pii.length) { row("Có dữ liệu cá nhân", c.pii.join(", ") + " — không ghi vào nội dung công khai", "alarm"); }
    box.appendChild(dl);
    box.appendChild(el("p", "Vì sao"));
    var ul = el("ul");
    c.explanation.forEach(function (x) { ul.appendChild(el("li", x)); });
    box.appendChild(ul);
  }
  function ask() {
    var text = note.value.trim();
    if (text === last || text.length < 3) { return; }
    last = text;
    fetch("/api/v1/classify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ text: text, channel: "hotline" })
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) { if (c && note.value.trim() === text) { show(c); } })
      .catch(function () { /* the button still works */ });
  }
  note.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 350);
  });
})();
