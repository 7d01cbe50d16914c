//! The console in a real browser, on both backends, continued from `console_browser.rs`: a
//! callback falling due (the reminder in the header, the callbacks overdue first, marked
//! made), a version conflict between two handlers, a form posted without its CSRF token, and
//! the administrator's day (accounts created, reset, deactivated; the new user forced to
//! change the password; the dead letters, counted for the supervisor, retried by the
//! administrator). axe-core checks every new page. Screenshots:
//! `target/screenshots/console-{sqlite,postgres}-*.png`.

use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{browser, browser_with_js, click, fill, shot, shot_full, start_driver};
use crate::common::Backend;
use crate::console_browser::{act, axe_clean, sign_in, sign_out, text_of, text_with, wait_for_path};
use crate::helpers::{dispute, PASSWORD};

fn tag(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

async fn callbacks_conflicts_and_csrf(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = tag(backend);
    let (_, op) = app.user("op.due", "operator", Some("SCT")).await;
    let (h_id, h) = app.user("h.due", "handler", Some("SCT")).await;
    app.user("h.two", "handler", Some("SCT")).await;
    let base = app.url("");

    // Two callbacks for the handler: one due in 30 minutes, one in two hours.
    let t0 = app.state.clock.now();
    let at = |mins: i64| (t0 + chrono::TimeDelta::minutes(mins)).to_rfc3339();
    for (phone, due) in [("0912 000 777", 120), ("0912 000 666", 30)] {
        let r = app
            .post(
                "/api/v1/calls",
                Some(&op),
                &json!({"caller_phone": phone, "started_at": at(0), "outcome": "callback", "callback_due_at": at(due),
                        "callback_owner_id": h_id, "note": "Hẹn gọi lại báo kết quả làm việc với cửa hàng"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The first falls due.
    app.state.clock.advance(chrono::TimeDelta::minutes(31));
    let c = browser(&driver, 1366, 768).await;
    sign_in(&c, &base, "h.due", PASSWORD).await;
    let banner = text_of(&c, "header .due a").await;
    assert_eq!(banner, "1 cuộc gọi lại đến hạn");
    shot(&c, &format!("console-{tag}-callback-due")).await;
    click(&c, Locator::Css("header .due a")).await;
    wait_for_path(&c, "/console/callbacks").await;
    let first = text_of(&c, "section.callback").await;
    assert!(first.contains("0912000666") && first.contains("Đến hạn"), "{first}");
    let late = c.find_all(Locator::Css("section.callback.late")).await.unwrap();
    assert_eq!(late.len(), 1, "only the one due");
    shot_full(&c, &format!("console-{tag}-callbacks-due")).await;
    fill(
        &c,
        &format!("n-{}", call_id_of(&c).await),
        "Đã báo cửa hàng đồng ý đổi máy",
    )
    .await;
    click(&c, Locator::Css("section.callback.late button.primary")).await;
    let notice = text_with(&c, ".notice", "gọi lại").await;
    assert_eq!(notice, "Đã đánh dấu gọi lại.");
    assert!(
        c.find(Locator::Css("header .due")).await.is_err(),
        "the reminder has gone"
    );
    let rest = text_of(&c, "section.callback").await;
    assert!(rest.contains("0912000777"), "{rest}");

    // A version conflict: two handlers on the same case; the second learns what changed.
    let case = app.open_case(&op, &dispute()).await;
    let id = case["id"].as_str().unwrap().to_owned();
    let case_url = format!("{base}/console/cases/{id}");
    c.goto(&case_url).await.unwrap();
    c.wait().for_element(Locator::Css("#action-route")).await.unwrap();
    let other = browser(&driver, 1366, 768).await;
    sign_in(&other, &base, "h.two", PASSWORD).await;
    other.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    other.goto(&case_url).await.unwrap();
    act(&other, "route", &[("agency", "SCT")]).await;
    other.close().await.unwrap();
    click(&c, Locator::Css("#action-route > summary")).await;
    c.find(Locator::Id("f-route-agency"))
        .await
        .unwrap()
        .select_by_value("QLTT")
        .await
        .unwrap();
    click(&c, Locator::Css("#action-route button.primary")).await;
    let conflict = text_of(&c, ".error-summary").await;
    assert!(
        conflict.contains("Hồ sơ đã thay đổi")
            && conflict.contains("vừa được người khác cập nhật")
            && conflict.contains("Đã thay đổi: Chuyển đến cơ quan xử lý"),
        "{conflict}"
    );
    shot_full(&c, &format!("console-{tag}-version-conflict")).await;
    let now = app.case(&h, &id).await;
    assert_eq!(now.body["current_agency"], "SCT", "the stale form changed nothing");
    c.close().await.unwrap();

    // A form whose CSRF token is not this session's: refused with a page, nothing done.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    sign_in(&c, &base, "h.due", PASSWORD).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    c.goto(&case_url).await.unwrap();
    let version = app.case(&h, &id).await.body["version"].clone();
    c.execute(
        "document.querySelectorAll('input[name=csrf]').forEach(e => e.value = 'forged-elsewhere');",
        vec![],
    )
    .await
    .unwrap();
    click(&c, Locator::Css("#action-add_note > summary")).await;
    fill(&c, "f-add_note-text", "Ghi chú gửi từ một trang khác").await;
    click(&c, Locator::Css("#action-add_note button.primary")).await;
    let h1 = text_of(&c, "h1").await;
    assert_eq!(h1, "Biểu mẫu không hợp lệ");
    assert!(text_of(&c, "main").await.contains("chưa có gì được thực hiện"));
    axe_clean(&c, "csrf refused").await;
    shot(&c, &format!("console-{tag}-csrf-refused")).await;
    assert_eq!(app.case(&h, &id).await.body["version"], version, "no note was added");
    c.close().await.unwrap();
    app.state.clock.reset();
}

/// The id of the first callback on the page (its note field is `n-{id}`).
async fn call_id_of(c: &Client) -> String {
    let action = c
        .find(Locator::Css("section.callback form"))
        .await
        .unwrap()
        .attr("action")
        .await
        .unwrap()
        .unwrap();
    action
        .trim_start_matches("/console/calls/")
        .trim_end_matches("/done")
        .to_owned()
}

#[actix_web::test]
async fn callbacks_conflicts_and_csrf_sqlite() {
    callbacks_conflicts_and_csrf(Backend::Sqlite).await;
}

#[actix_web::test]
async fn callbacks_conflicts_and_csrf_postgres() {
    callbacks_conflicts_and_csrf(Backend::Postgres).await;
}

async fn an_administrators_day(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = tag(backend);
    let (_, op) = app.user("op.adm", "operator", Some("SCT")).await;
    app.user("adm.browser", "admin", None).await;
    app.user("sup.adm", "supervisor", Some("SCT")).await;
    let base = app.url("");
    // An e-mail to a consumer failed for good.
    let mut c = dispute();
    c["consumer"]["email"] = json!("nguyen.hoa@example.vn");
    app.open_case(&op, &c).await;
    {
        let mut conn = app.state.db.get_blocking().unwrap();
        let pending = hotline::db::jobs::list(&mut conn, Some("send_email"), Some("pending"), 10).unwrap();
        drop(conn);
        app.sql(&format!(
            "UPDATE jobs SET status = 'dead', attempts = max_attempts, finished_at = run_at, \
             last_error = '550 5.1.1 <n***@example.vn>: Recipient address rejected: mailbox full' WHERE id = '{}'",
            pending[0].id
        ));
    }

    // The supervisor sees how many on the dashboard.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    sign_in(&c, &base, "sup.adm", PASSWORD).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    click(&c, Locator::LinkText("Tổng quan")).await;
    let dead = text_of(&c, "section[aria-labelledby=h-dead]").await;
    assert!(dead.contains("1 thư đã hỏng hẳn"), "{dead}");
    axe_clean(&c, "dashboard with a dead letter").await;
    shot_full(&c, &format!("console-{tag}-dashboard-dead-letter")).await;
    sign_out(&c).await;

    // The administrator: accounts.
    sign_in(&c, &base, "adm.browser", PASSWORD).await;
    // An administrator holds no cases: signed in, the overview rather than an empty queue.
    wait_for_path(&c, "/console/dashboard").await;
    c.wait().for_element(Locator::Css("header nav")).await.unwrap();
    click(&c, Locator::LinkText("Người dùng")).await;
    wait_for_path(&c, "/console/users").await;
    assert!(text_of(&c, "table.users").await.contains("sup.adm"));
    axe_clean(&c, "users").await;
    click(&c, Locator::LinkText("Tạo tài khoản mới")).await;
    wait_for_path(&c, "/console/users/new").await;
    fill(&c, "username", "le.an").await;
    fill(&c, "display_name", "Lê Thị An").await;
    c.find(Locator::Id("role"))
        .await
        .unwrap()
        .select_by_value("handler")
        .await
        .unwrap();
    click(&c, Locator::Css("button.primary")).await;
    let error = text_of(&c, ".error-summary").await;
    assert!(error.contains("Chưa tạo được tài khoản"), "{error}");
    axe_clean(&c, "new user with an error").await;
    shot_full(&c, &format!("console-{tag}-user-new-error")).await;
    c.find(Locator::Id("agency"))
        .await
        .unwrap()
        .select_by_value("SCT")
        .await
        .unwrap();
    fill(&c, "email", "le.an@sct.example.gov.vn").await;
    click(&c, Locator::Css("button.primary")).await;
    let first = text_of(&c, "#temporary-password").await;
    assert!(first.len() >= 20, "{first}");
    axe_clean(&c, "user created").await;
    shot(&c, &format!("console-{tag}-user-created")).await;
    click(&c, Locator::LinkText("Về danh sách người dùng")).await;
    let row = "//tr[@id='u-le.an']";
    assert!(c
        .find(Locator::XPath(row))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Chờ đổi mật khẩu"));
    shot_full(&c, &format!("console-{tag}-users")).await;
    // Reset: another temporary password.
    click(&c, Locator::XPath(&format!("{row}//button[contains(@class,'reset')]"))).await;
    let second = text_of(&c, "#temporary-password").await;
    assert_ne!(first, second);
    assert_eq!(text_of(&c, "h1").await, "Đã đặt lại mật khẩu");
    shot(&c, &format!("console-{tag}-user-reset")).await;
    // Deactivated, then back.
    click(&c, Locator::LinkText("Về danh sách người dùng")).await;
    click(
        &c,
        Locator::XPath(&format!("{row}//button[contains(@class,'deactivate')]")),
    )
    .await;
    text_with(&c, ".notice", "Đã ngừng hoạt động").await;
    assert!(c
        .find(Locator::XPath(row))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("Đã ngừng"));
    shot_full(&c, &format!("console-{tag}-user-deactivated")).await;
    c.set_window_size(820, 1180).await.unwrap();
    shot_full(&c, &format!("console-{tag}-users-tablet")).await;
    c.set_window_size(1366, 768).await.unwrap();
    click(
        &c,
        Locator::XPath(&format!("{row}//button[contains(@class,'reactivate')]")),
    )
    .await;
    text_with(&c, ".notice", "Đã kích hoạt lại").await;

    // The dead letter: what, to whom (masked), when, why; sent again.
    click(&c, Locator::LinkText("Tổng quan")).await;
    let dead = text_of(&c, "section[aria-labelledby=h-dead]").await;
    assert!(
        dead.contains("mailbox full") && dead.contains("n***@example.vn") && !dead.contains("nguyen.hoa"),
        "{dead}"
    );
    axe_clean(&c, "admin overview").await;
    shot_full(&c, &format!("console-{tag}-admin-dead-letters")).await;
    click(&c, Locator::Css("section[aria-labelledby=h-dead] button.primary")).await;
    text_with(&c, ".notice", "Đã đưa thư trở lại hàng đợi gửi").await;
    assert!(text_of(&c, "section[aria-labelledby=h-dead]")
        .await
        .contains("Không có thư nào hỏng hẳn"));
    sign_out(&c).await;

    // The new user signs in with the temporary password and must set their own first.
    sign_in(&c, &base, "le.an", &second).await;
    wait_for_path(&c, "/console/password").await;
    axe_clean(&c, "forced password change").await;
    shot(&c, &format!("console-{tag}-password-forced")).await;
    fill(&c, "current_password", &second).await;
    fill(&c, "new_password", "mật khẩu riêng của An 2026").await;
    fill(&c, "confirm_password", "mật khẩu riêng của An 2026").await;
    click(&c, Locator::Css("button.primary")).await;
    c.wait().for_element(Locator::Css("nav.tabs")).await.unwrap();
    assert!(text_of(&c, "header .me").await.contains("Lê Thị An"));
    c.close().await.unwrap();
    // The message went out this time (the retried job keeps its last error, for the record).
    app.worker.drain().await.unwrap();
    assert!(app
        .state
        .mailer
        .memory_sent()
        .iter()
        .any(|m| m.to.contains("nguyen.hoa@example.vn")));
}

#[actix_web::test]
async fn an_administrators_day_sqlite() {
    an_administrators_day(Backend::Sqlite).await;
}

#[actix_web::test]
async fn an_administrators_day_postgres() {
    an_administrators_day(Backend::Postgres).await;
}
