//! The staff console in a real browser (chromium over WebDriver), on both backends: an operator
//! takes a call (the suggestion follows the notes as they type) and opens a case; a handler
//! finds it in the queue and carries it — routed, accepted, forwarded to the business, paused
//! for information, the information in, settled and closed — through the forms of the case
//! page; axe-core checks every page. The callbacks falling due, a version conflict, CSRF, the
//! user administration and the dead letters are in `console_browser_admin.rs`.
//! Screenshots go to `target/screenshots/console-*.png`.

use fantoccini::{Client, Locator};

use crate::browser::{axe_violations, browser, browser_with_js, click, fill, shot, shot_full, start_driver};
use crate::common::Backend;
use crate::helpers::PASSWORD;

pub(crate) async fn sign_in(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/console/")).await.unwrap();
    fill(c, "username", username).await;
    fill(c, "password", password).await;
    click(c, Locator::Css("button.primary")).await;
}

/// Signs in with the test password and waits for the queue (every role but the administrator
/// lands there).
pub(crate) async fn signed_in_as(c: &Client, base: &str, username: &str) {
    sign_in(c, base, username, PASSWORD).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
}

pub(crate) async fn sign_out(c: &Client) {
    click(c, Locator::Css("header form button")).await;
    c.wait().for_element(Locator::Id("username")).await.unwrap();
}

/// The text of the first element matching `css`, once the page shows one (a page that is
/// being replaced after a click, or a list redrawn by the page's script, may hand over a
/// stale element: asked again).
pub(crate) async fn text_of(c: &Client, css: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(t) = el.text().await {
                return t;
            }
        }
        assert!(start.elapsed().as_secs() < 20, "no {css}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The text of the first element matching `css` once it contains `expected` (at most 20 s): a
/// form's button returns before the page it leads to is shown, and the page before may have an
/// element of the same kind (a notice of the last action).
pub(crate) async fn text_with(c: &Client, css: &str, expected: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        let text = text_of(c, css).await;
        if text.contains(expected) {
            return text;
        }
        assert!(start.elapsed().as_secs() < 20, "{css} says {text:?}, not {expected:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The current value of the form field `id` (what is typed in it).
pub(crate) async fn value_of(c: &Client, id: &str) -> String {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("no field {id}"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

/// Waits until the browser shows a page whose path starts with `prefix`.
pub(crate) async fn wait_for_path(c: &Client, prefix: &str) {
    let start = std::time::Instant::now();
    while !c.current_url().await.unwrap().path().starts_with(prefix) {
        assert!(start.elapsed().as_secs() < 20, "never reached {prefix}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

pub(crate) async fn act(c: &Client, action: &str, fields: &[(&str, &str)]) {
    click(c, Locator::Css(&format!("#action-{action} > summary"))).await;
    for (name, value) in fields {
        let id = format!("f-{action}-{name}");
        let el = c
            .find(Locator::Id(&id))
            .await
            .unwrap_or_else(|_| panic!("no field {id}"));
        if el.tag_name().await.unwrap() == "select" {
            el.select_by_value(value).await.unwrap();
        } else if el.attr("type").await.unwrap().as_deref() == Some("datetime-local") {
            // Typed as headless chromium shows the field (month, day, year, then the time of
            // day with AM/PM, whatever the page's language).
            let (date, time) = value.split_once('T').unwrap();
            let d: Vec<&str> = date.split('-').collect();
            let (h, m) = time.split_once(':').unwrap();
            let h: u32 = h.parse().unwrap();
            let (h12, half) = (if h % 12 == 0 { 12 } else { h % 12 }, if h < 12 { 'A' } else { 'P' });
            let keys = format!("{}{}{}{}{h12:02}{m}{half}", d[1], d[2], d[0], '\u{E014}');
            el.send_keys(&keys).await.unwrap();
        } else {
            el.send_keys(value).await.unwrap();
        }
    }
    click(c, Locator::Css(&format!("#action-{action} button.primary"))).await;
    // Wait for the answer to this form (the page before it may show an earlier notice).
    let start = std::time::Instant::now();
    loop {
        let u = c.current_url().await.unwrap();
        if u.query().is_some_and(|q| q.contains(&format!("done={action}")))
            || u.path().ends_with(&format!("/actions/{action}"))
        {
            break;
        }
        assert!(start.elapsed().as_secs() < 20, "{action}: no answer");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let notice = c
        .find(Locator::Css(".notice, .error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    if !notice.starts_with("Đã thực hiện") {
        let mut errors = Vec::new();
        for e in c.find_all(Locator::Css(".has-error")).await.unwrap() {
            errors.push(e.text().await.unwrap());
        }
        panic!("{action}: {notice} {errors:?}");
    }
}

pub(crate) async fn axe_clean(c: &Client, page: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js");
    let Ok(axe) = std::fs::read_to_string(&path) else {
        assert!(std::env::var("REQUIRE_POSTGRES").is_err(), "axe-core is required in CI");
        return;
    };
    let v = axe_violations(c, &axe).await;
    assert!(v.is_empty(), "{page}: {v:?}");
}

async fn a_day_in_the_console(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    app.user("op.browser", "operator", Some("SCT")).await;
    let (_, h_token) = app.user("h.browser", "handler", Some("SCT")).await;
    let (h2_id, _) = app.user("h2.browser", "handler", Some("SCT")).await;
    app.user("h.other", "handler", Some("QLTT")).await;
    app.user("sup.browser", "supervisor", Some("SCT")).await;
    let base = app.url("");

    // The operator, with JavaScript on: the suggestion follows the notes.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    c.goto(&format!("{base}/console/")).await.unwrap();
    assert_eq!(c.title().await.unwrap(), "Đăng nhập – Bảng điều khiển tổng đài");
    shot(&c, &format!("console-{tag}-login")).await;
    sign_in(&c, &base, "op.browser", "sai mật khẩu").await;
    let e = c
        .wait()
        .for_element(Locator::Css(".error-summary"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(e.contains("không đúng"), "{e}");
    shot(&c, &format!("console-{tag}-login-error")).await;
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    click(&c, Locator::Css("button.primary")).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    click(&c, Locator::LinkText("Cuộc gọi mới")).await;
    fill(&c, "caller_phone", "0987 111 222").await;
    fill(
        &c,
        "note",
        "Bà cụ 78 tuổi gọi: mua bảo hiểm qua điện thoại của công ty An Phát, bị trừ tiền mà không có hợp đồng, muốn lấy lại tiền.",
    )
    .await;
    let live = c
        .wait()
        .for_element(Locator::Css("#suggestion dl.facts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(live.contains("Cơ quan"), "{live}");
    fill(&c, "consumer_name", "Phạm Thị Hoa").await;
    fill(&c, "business_name", "Công ty An Phát").await;
    fill(&c, "product", "Bảo hiểm nhân thọ An Phát Phúc Lộc").await;
    shot(&c, &format!("console-{tag}-call")).await;
    click(&c, Locator::Css("button[value=case_opened]")).await;
    wait_for_path(&c, "/console/cases/").await;
    let h1 = c
        .wait()
        .for_element(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.starts_with("Hồ sơ KN-"), "{h1}");
    let facts = c.find(Locator::Css("dl.facts")).await.unwrap().text().await.unwrap();
    assert!(
        facts.contains("Sản phẩm, dịch vụ") && facts.contains("Bảo hiểm nhân thọ An Phát Phúc Lộc"),
        "{facts}"
    );
    let case_url = c.current_url().await.unwrap();
    shot_full(&c, &format!("console-{tag}-case-opened")).await;
    click(&c, Locator::Css("header form button")).await;
    c.wait().for_element(Locator::Id("username")).await.unwrap();
    c.close().await.unwrap();

    // The handler, JavaScript off: the queue, then the case through its forms.
    let c = browser(&driver, 1366, 768).await;
    sign_in(&c, &base, "h.browser", PASSWORD).await;
    let queue = c
        .wait()
        .for_element(Locator::Css("table.queue"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("Công ty An Phát"), "{queue}");
    shot(&c, &format!("console-{tag}-queue")).await;
    click(&c, Locator::Css("table.queue a")).await;
    c.wait().for_element(Locator::Css("#action-route")).await.unwrap();
    act(&c, "route", &[("agency", "SCT")]).await;
    act(&c, "accept", &[]).await;
    act(&c, "forward_to_business", &[("business_email", "cskh@anphat.vn")]).await;
    act(&c, "request_info", &[("requested", "Ảnh chụp tin nhắn trừ tiền")]).await;
    shot_full(&c, &format!("console-{tag}-case-awaiting-info")).await;
    // The information arrives; the business and the consumer settle: the case is closed
    // with the negotiation's record (Art 57), its performance still to be confirmed.
    act(
        &c,
        "provide_info",
        &[("info", "Người tiêu dùng gửi ảnh tin nhắn trừ tiền ngày 02/11")],
    )
    .await;
    act(
        &c,
        "record_negotiation_result",
        &[
            ("result", "settled"),
            ("record-parties", "Bà Phạm Thị Hoa và Công ty An Phát"),
            ("record-held_at", "2026-11-20T09:30"),
            ("record-place", "Trụ sở Công ty An Phát"),
            ("record-content", "Hoàn tiền phí bảo hiểm đã trừ không có hợp đồng"),
            ("record-result", "Công ty hoàn lại toàn bộ số tiền trong 7 ngày"),
        ],
    )
    .await;
    let stage = c.find(Locator::Css("h1 .stage")).await.unwrap().text().await.unwrap();
    assert_eq!(stage, "Đã kết thúc");
    let history = c.find(Locator::Css(".history")).await.unwrap().text().await.unwrap();
    assert!(history.contains("Ghi nhận kết quả thương lượng"), "{history}");
    // A tablet: one column, nothing cut off.
    c.set_window_size(820, 1180).await.unwrap();
    shot_full(&c, &format!("console-{tag}-case-closed-tablet")).await;
    c.close().await.unwrap();

    // Another agency's handler: the case's URL is a 404 page.
    let c = browser(&driver, 1366, 768).await;
    sign_in(&c, &base, "h.other", PASSWORD).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    c.goto(case_url.as_str()).await.unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Không tìm thấy");
    c.close().await.unwrap();

    // axe-core on every console page (it needs JavaScript to run).
    let c = browser_with_js(&driver, 1366, 768, true).await;
    c.goto(&format!("{base}/console/")).await.unwrap();
    axe_clean(&c, "login").await;
    sign_in(&c, &base, "h.browser", PASSWORD).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    axe_clean(&c, "queue").await;
    c.goto(case_url.as_str()).await.unwrap();
    axe_clean(&c, "case").await;
    c.goto(&format!("{base}/console/calls/new")).await.unwrap();
    axe_clean(&c, "call").await;
    c.goto(&format!("{base}/console/callbacks")).await.unwrap();
    axe_clean(&c, "callbacks").await;
    shot(&c, &format!("console-{tag}-callbacks")).await;
    click(&c, Locator::Css("header form button")).await;
    c.wait().for_element(Locator::Id("username")).await.unwrap();
    sign_in(&c, &base, "sup.browser", PASSWORD).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    c.goto(&format!("{base}/console/dashboard")).await.unwrap();
    axe_clean(&c, "dashboard").await;
    shot_full(&c, &format!("console-{tag}-dashboard")).await;
    // The supervisor gives an accepted case to another handler, chosen by name.
    let other = app.open_case(&h_token, &crate::helpers::dispute()).await;
    let other = app
        .act_ok(&h_token, &other, "route", serde_json::json!({"agency": "SCT"}))
        .await;
    let other = app.act_ok(&h_token, &other, "accept", serde_json::json!({})).await;
    c.goto(&format!("{base}/console/cases/{}", other["id"].as_str().unwrap()))
        .await
        .unwrap();
    click(&c, Locator::Css("#action-assign > summary")).await;
    let choice = text_of(&c, "#f-assign-assignee_id").await;
    assert!(choice.contains("h2.browser (xử lý, 0 hồ sơ đang mở)"), "{choice}");
    axe_clean(&c, "case-assign").await;
    shot_full(&c, &format!("console-{tag}-case-assign")).await;
    click(&c, Locator::Css("#action-assign > summary")).await;
    act(&c, "assign", &[("assignee_id", &h2_id)]).await;
    let facts = text_of(&c, "dl.facts").await;
    assert!(facts.contains("h2.browser"), "{facts}");
    // A note typed past the idle end: the sign-in page keeps it, one click sends it after.
    click(&c, Locator::Css("#action-add_note > summary")).await;
    fill(
        &c,
        "f-add_note-text",
        "Đã gọi điện cho doanh nghiệp, hẹn trả lời thứ Sáu.",
    )
    .await;
    app.state.clock.advance(chrono::TimeDelta::minutes(31));
    click(&c, Locator::Css("#action-add_note button.primary")).await;
    let kept = text_with(&c, ".notice", "được giữ lại").await;
    assert!(kept.contains("Phiên làm việc đã kết thúc"), "{kept}");
    axe_clean(&c, "login-kept").await;
    shot(&c, &format!("console-{tag}-login-kept")).await;
    fill(&c, "username", "sup.browser").await;
    fill(&c, "password", PASSWORD).await;
    click(&c, Locator::Css("button.primary")).await;
    text_with(&c, "h1", "Đã đăng nhập lại").await;
    axe_clean(&c, "resume").await;
    shot(&c, &format!("console-{tag}-resume")).await;
    c.set_window_size(390, 844).await.unwrap();
    shot_full(&c, &format!("console-{tag}-resume-phone")).await;
    c.set_window_size(1366, 768).await.unwrap();
    click(&c, Locator::Css("button.primary")).await;
    let done = text_with(&c, ".notice", "Đã thực hiện").await;
    assert!(done.contains("Thêm ghi chú nội bộ"), "{done}");
    app.state.clock.reset();
    c.close().await.unwrap();
}

#[actix_web::test]
async fn a_day_in_the_console_sqlite() {
    a_day_in_the_console(Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_day_in_the_console_postgres() {
    a_day_in_the_console(Backend::Postgres).await;
}
