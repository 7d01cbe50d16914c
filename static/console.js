// The console's one script, an improvement only (every page works without it): on the call
// screen the routing suggestion follows the notes, the knowledge-base results follow the
// search box, as the operator types, and the call's start is the first keystroke.
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

(function () {
  "use strict";
  var input = document.getElementById("kb_q");
  var box = document.getElementById("kb-results");
  if (!input || !box) { return; }
  var timer = null;
  var last = input.value.trim();
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }
  function radio(value, text, checked) {
    var label = el("label");
    var r = el("input");
    r.type = "radio";
    r.name = "kb_article_id";
    r.value = value;
    r.checked = checked;
    label.appendChild(r);
    label.appendChild(document.createTextNode(" "));
    label.appendChild(el("span", text));
    return label;
  }
  function item(a, checked) {
    var li = el("li");
    li.appendChild(radio(a.id, a.question, checked));
    var d = el("details");
    d.appendChild(el("summary", "Xem câu trả lời"));
    a.paragraphs.forEach(function (p) { d.appendChild(el("p", p)); });
    if (a.legal_basis.length) { d.appendChild(el("p", "Căn cứ: " + a.legal_basis.join("; "), "hint")); }
    var p = el("p");
    var link = el("a", "Mở bài trong tab mới");
    link.href = "/console/kb/" + encodeURIComponent(a.id);
    link.target = "_blank";
    link.rel = "noopener";
    p.appendChild(link);
    d.appendChild(p);
    li.appendChild(d);
    return li;
  }
  function show(items, text) {
    // The article already picked stays (first), whatever the new words find.
    var picked = box.querySelector("input[name=kb_article_id]:checked");
    var pickedId = picked ? picked.value : "";
    var keep = pickedId && picked.closest("li");
    while (box.firstChild) { box.removeChild(box.firstChild); }
    box.setAttribute("data-q", text);
    if (!items.length && !keep) {
      box.appendChild(el("p", text ? "Không có bài nào có các từ này." : "Gõ vài từ của câu hỏi để tìm bài.", "empty"));
      return;
    }
    var fs = el("fieldset", undefined, "plain");
    fs.appendChild(el("legend", "Bài hỏi đáp đã dùng để tư vấn", "visually-hidden"));
    var ul = el("ul", undefined, "kb-results");
    var none = el("li");
    none.appendChild(radio("", "Không dùng bài nào", !pickedId));
    ul.appendChild(none);
    if (keep) { ul.appendChild(keep); }
    items.forEach(function (a) {
      if (a.id !== pickedId) { ul.appendChild(item(a, false)); }
    });
    fs.appendChild(ul);
    box.appendChild(fs);
  }
  function ask() {
    var text = input.value.trim();
    if (text === last) { return; }
    last = text;
    if (!text) { show([], ""); return; }
    fetch("/console/kb/suggest?q=" + encodeURIComponent(text), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (items) { if (items && input.value.trim() === text) { show(items, text); } })
      .catch(function () { /* the button still works */ });
  }
  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(ask, 300);
  });
})();

(function () {
  "use strict";
  // A fresh call screen waits between calls: the call starts when the operator first types,
  // counted from the server's time of the page (the computer's own clock may be wrong).
  var start = document.getElementById("started_at");
  if (!start || !start.hasAttribute("data-fresh") || !start.form) { return; }
  var served = Date.parse(start.value);
  if (isNaN(served)) { return; }
  var loaded = performance.now();
  function first() {
    start.form.removeEventListener("input", first);
    start.value = new Date(served + (performance.now() - loaded)).toISOString();
  }
  start.form.addEventListener("input", first);
})();

(function () {
  "use strict";
  // While the operator types a call, the console session is kept (it ends after some idle
  // minutes, and a long call is typing, not requests): at most one keep-alive every 5 minutes.
  var start = document.getElementById("started_at");
  var form = start && start.form;
  var key = form && form.querySelector("input[name=csrf]");
  if (!form || !key) { return; }
  var last = performance.now();
  form.addEventListener("input", function () {
    if (performance.now() - last < 5 * 60 * 1000) { return; }
    last = performance.now();
    fetch("/console/alive", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "csrf=" + encodeURIComponent(key.value)
    }).catch(function () { /* the next keystroke tries again in 5 minutes */ });
  });
})();
