// The console's one script, an improvement only (every page works without it): on the call
// screen the routing suggestion follows the notes, and the knowledge-base results follow the
// search box, as the operator types.
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
    // Everything after the heading goes (the heading names the live region).
    var head = document.getElementById("h-suggest");
    while (head && head.nextSibling) { box.removeChild(head.nextSibling); }
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
