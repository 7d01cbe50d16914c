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
    // Keep the heading (the box's first child node is the whitespace before it).
    var heading = box.querySelector("h2");
    while (box.lastChild && box.lastChild !== heading) { box.removeChild(box.lastChild); }
    var dl = el("dl", undefined, "facts");
    function row(k, v, cls) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v, cls)); }
    row("Loại", kinds[c.kind] || c.kind);
    row("Lĩnh vực", c.category);
    row("Cơ quan", c.agency || "— (tư vấn)");
    if (c.vulnerable.length) { row("Nhóm dễ bị tổn thương", c.vulnerable.join(", ")); }
    if (c.pii.length) { row("Có dữ liệu cá nhân", c.pii.join(", ") + " — không ghi vào nội dung công khai", "alarm"); }
    if (c.residence) { row("Nơi cư trú", (c.residence.commune_name ? c.residence.commune_name + ", " : "") + c.residence.province_name); }
    if (c.units.length) { row("Đơn vị phụ trách", c.units.map(function (u) { return u.name + " (" + u.agency + ")"; }).join("; ")); }
    box.appendChild(dl);
    if (c.referral) {
      var n = el("div", undefined, "notice referral");
      n.setAttribute("role", "note");
      var p = el("p");
      p.appendChild(el("strong", "Chuyển theo nơi cư trú."));
      p.appendChild(document.createTextNode(" Người tiêu dùng cư trú tại " + c.referral.province_name + ": tranh chấp thuộc " +
        c.referral.agency_name + " chủ trì (" + c.referral.basis + ")."));
      n.appendChild(p);
      box.appendChild(n);
    }
    box.appendChild(el("p", "Vì sao"));
    var ul = el("ul");
    c.explanation.forEach(function (x) { ul.appendChild(el("li", x)); });
    box.appendChild(ul);
  }
  var commune = document.getElementById("consumer_commune");
  var province = document.getElementById("consumer_province");
  function val(e) { return e && e.value.trim() ? e.value.trim() : null; }
  function ask() {
    var text = note.value.trim();
    var body = JSON.stringify({ text: text, channel: "hotline", commune: val(commune), province: val(province) });
    if (body === last || text.length < 3) { return; }
    last = body;
    fetch("/api/v1/classify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: body
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) { if (c && note.value.trim() === text) { show(c); } })
      .catch(function () { /* the button still works */ });
  }
  [note, commune, province].forEach(function (e) {
    if (!e) { return; }
    e.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(ask, 350);
    });
  });
})();
