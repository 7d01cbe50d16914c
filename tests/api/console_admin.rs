//! The console's administration and reminders over HTTP (issue 13, points 3 and 8): user
//! administration for administrators only (create with a temporary password shown once, the
//! forced change at the first sign-in, deactivate, reactivate, reset), the outbox's dead
//! letters on the dashboard (a count for supervisors, the messages and "Gửi lại" for
//! administrators), the reminder of due callbacks in the header of every page, and forms
//! without their CSRF token changing nothing. The browser tests are in `console_browser.rs`.

use serde_json::json;

use crate::both_backends;
use crate::console::{get, hidden, post, session_of, sign_in};
use crate::helpers::{dispute, TestApp};

fn cookie(s: &str) -> String {
    format!("hotline_console={s}")
}

/// The temporary password of a page that shows one.
fn temporary_password(html: &str) -> String {
    let marker = "id=\"temporary-password\">";
    let i = html.find(marker).expect("a temporary password") + marker.len();
    html[i..i + html[i..].find('<').unwrap()].to_owned()
}

/// The id of an account, through the API.
async fn user_id(app: &TestApp, username: &str) -> Option<String> {
    let users = app.get("/api/v1/admin/users", Some(&app.admin_token)).await;
    users
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .map(|u| u["id"].as_str().unwrap().to_owned())
}

/// How many audit records of `action` name `subject`, through the API.
async fn audit_count(app: &TestApp, action: &str, subject: &str) -> usize {
    let r = app
        .get(&format!("/api/v1/admin/audit?action={action}"), Some(&app.admin_token))
        .await;
    r.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["subject"] == subject)
        .count()
}

fn job_status(app: &TestApp, id: &str) -> String {
    let mut conn = app.state.db.get_blocking().unwrap();
    hotline::db::jobs::find(&mut conn, id).unwrap().unwrap().status
}

async fn an_administrator_manages_accounts_in_the_console(app: &TestApp) {
    app.user("adm.console", "admin", None).await;
    app.user("sup.console", "supervisor", Some("SCT")).await;
    app.user("h.qltt.console", "handler", Some("QLTT")).await;
    let adm = session_of(app, "adm.console").await;
    let sup = session_of(app, "sup.console").await;

    // Only administrators: a supervisor gets a 403 page, and no link in the header.
    let denied = get(app, "/console/users", Some(&sup)).await;
    assert_eq!(denied.status, 403);
    assert!(denied.html.contains("Không có quyền"), "{}", denied.html);
    let dash = get(app, "/console/dashboard", Some(&sup)).await;
    assert!(!dash.html.contains("href=\"/console/users\""));

    // The list, filtered.
    let list = get(app, "/console/users", Some(&adm)).await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert!(list.html.contains("href=\"/console/users\" accesskey=\"u\""));
    assert!(list.html.contains("sup.console") && list.html.contains("h.qltt.console"));
    let qltt = get(app, "/console/users?agency=QLTT&role=handler&active=true", Some(&adm)).await;
    assert!(qltt.html.contains("h.qltt.console") && !qltt.html.contains(">sup.console<"));
    let csrf = hidden(&list.html, "csrf");

    // A form without the token, or with another one, creates nothing.
    for token in ["", "0123456789abcdef0123456789abcdef"] {
        let forged = post(
            app,
            "/console/users",
            &cookie(&adm),
            &[
                ("csrf", token),
                ("username", "forged.user"),
                ("role", "handler"),
                ("agency", "SCT"),
            ],
        )
        .await;
        assert_eq!(forged.status, 403);
        assert!(forged.html.contains("chưa có gì được thực hiện"), "{}", forged.html);
    }
    assert!(user_id(app, "forged.user").await.is_none());
    // A supervisor's post with their own token: 403, nothing created.
    let sup_csrf = hidden(&dash.html, "csrf");
    let by_sup = post(
        app,
        "/console/users",
        &cookie(&sup),
        &[
            ("csrf", &sup_csrf),
            ("username", "by.sup"),
            ("role", "handler"),
            ("agency", "SCT"),
        ],
    )
    .await;
    assert_eq!(by_sup.status, 403);
    assert!(user_id(app, "by.sup").await.is_none());

    // Validation in Vietnamese beside the field, what was typed kept.
    let bad = post(
        app,
        "/console/users",
        &cookie(&adm),
        &[
            ("csrf", &csrf),
            ("username", "x"),
            ("display_name", "Trần Văn Bình"),
            ("role", "handler"),
            ("agency", "SCT"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.html.contains("3–64 ký tự") && bad.html.contains("Trần Văn Bình"),
        "{}",
        bad.html
    );
    let no_agency = post(
        app,
        "/console/users",
        &cookie(&adm),
        &[
            ("csrf", &csrf),
            ("username", "tran.binh"),
            ("role", "handler"),
            ("agency", ""),
        ],
    )
    .await;
    assert_eq!(no_agency.status, 422);
    assert!(no_agency.html.contains("id=\"agency-error\""), "{}", no_agency.html);
    let taken = post(
        app,
        "/console/users",
        &cookie(&adm),
        &[
            ("csrf", &csrf),
            ("username", "sup.console"),
            ("role", "handler"),
            ("agency", "SCT"),
        ],
    )
    .await;
    assert_eq!(taken.status, 422);
    assert!(taken.html.contains("Tên đăng nhập đã được dùng"), "{}", taken.html);

    // Created: the temporary password shown once; the audit record as the API writes it.
    let created = post(
        app,
        "/console/users",
        &cookie(&adm),
        &[
            ("csrf", &csrf),
            ("username", "Tran.Binh"),
            ("display_name", "Trần Văn Bình"),
            ("role", "handler"),
            ("agency", "SCT"),
            ("email", "tran.binh@sct.example.gov.vn"),
        ],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.html);
    let first = temporary_password(&created.html);
    assert!(first.len() >= 20, "{first}");
    let id = user_id(app, "tran.binh").await.unwrap();
    assert_eq!(audit_count(app, "user_created", &id).await, 1);
    let listed = get(app, "/console/users?role=handler&agency=SCT", Some(&adm)).await;
    assert!(listed.html.contains("tran.binh") && listed.html.contains("Chờ đổi mật khẩu"));
    assert!(!listed.html.contains(&first), "shown once only");

    // The new user signs in and must change the password before anything else.
    let signed = sign_in(app, "tran.binh", &first).await;
    assert_eq!(signed.status, 303);
    assert_eq!(signed.location, "/console/password");

    // Reset: a new temporary password, the old one no longer works, every session ends.
    let binh = session_of_with(app, "tran.binh", &first).await;
    let reset = post(
        app,
        &format!("/console/users/{id}/reset-password"),
        &cookie(&adm),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(reset.status, 200, "{}", reset.html);
    let second = temporary_password(&reset.html);
    assert_ne!(first, second);
    assert_eq!(audit_count(app, "password_reset", &id).await, 1);
    assert_eq!(sign_in(app, "tran.binh", &first).await.status, 401);
    assert!(get(app, "/console/password", Some(&binh))
        .await
        .location
        .starts_with("/console/login"));
    assert_eq!(sign_in(app, "tran.binh", &second).await.location, "/console/password");

    // Deactivated: the sessions end and signing in fails; reactivated: it works again.
    let binh = session_of_with(app, "tran.binh", &second).await;
    let off = post(
        app,
        &format!("/console/users/{id}/active"),
        &cookie(&adm),
        &[("csrf", &csrf), ("active", "false")],
    )
    .await;
    assert_eq!(off.status, 303);
    assert_eq!(off.location, "/console/users?done=deactivated");
    assert_eq!(audit_count(app, "user_deactivated", &id).await, 1);
    assert!(get(app, "/console/password", Some(&binh))
        .await
        .location
        .starts_with("/console/login"));
    assert_eq!(sign_in(app, "tran.binh", &second).await.status, 401);
    let inactive = get(app, "/console/users?active=false", Some(&adm)).await;
    assert!(inactive.html.contains("tran.binh") && inactive.html.contains("Kích hoạt lại"));
    let on = post(
        app,
        &format!("/console/users/{id}/active"),
        &cookie(&adm),
        &[("csrf", &csrf), ("active", "true")],
    )
    .await;
    assert_eq!(on.location, "/console/users?done=reactivated");
    assert_eq!(sign_in(app, "tran.binh", &second).await.status, 303);

    // The API sees the same accounts: what the console did, the API shows.
    let api = app.get("/api/v1/admin/users", Some(&app.admin_token)).await;
    let binh = api
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "tran.binh")
        .unwrap()
        .clone();
    assert_eq!(binh["display_name"], "Trần Văn Bình");
    assert_eq!(binh["agency"], "SCT");
    // A supervisor cannot reset or deactivate either.
    for path in [
        format!("/console/users/{id}/reset-password"),
        format!("/console/users/{id}/active"),
    ] {
        let r = post(app, &path, &cookie(&sup), &[("csrf", &sup_csrf), ("active", "false")]).await;
        assert_eq!(r.status, 403, "{path}");
    }
    assert_eq!(audit_count(app, "password_reset", &id).await, 1);
}
both_backends!(an_administrator_manages_accounts_in_the_console);

async fn session_of_with(app: &TestApp, username: &str, password: &str) -> String {
    let p = sign_in(app, username, password).await;
    assert_eq!(p.status, 303, "{}", p.html);
    p.session().expect("session cookie")
}

async fn dead_letters_are_counted_for_supervisors_and_retried_by_administrators(app: &TestApp) {
    app.expects_failed_jobs.set(true);
    let (_, op) = app.user("op.dead", "operator", Some("SCT")).await;
    app.user("sup.dead", "supervisor", Some("SCT")).await;
    app.user("adm.dead", "admin", None).await;
    let sup = session_of(app, "sup.dead").await;
    let adm = session_of(app, "adm.dead").await;
    let none = get(app, "/console/dashboard", Some(&sup)).await;
    assert!(none.html.contains("Không có thư nào hỏng hẳn"), "{}", none.html);

    // The acknowledgement to the consumer fails for good (the server's reply names them).
    let mut c = dispute();
    c["consumer"]["email"] = json!("nguyen.hoa@example.vn");
    app.open_case(&op, &c).await;
    let job = {
        let mut conn = app.state.db.get_blocking().unwrap();
        let pending = hotline::db::jobs::list(&mut conn, Some("send_email"), Some("pending"), 10).unwrap();
        assert!(!pending.is_empty(), "an e-mail is queued");
        pending[0].id.clone()
    };
    app.sql(&format!(
        "UPDATE jobs SET status = 'dead', attempts = max_attempts, finished_at = run_at, \
         last_error = '550 5.1.1 <n***@example.vn>: mailbox full; caller 0912 345 678' WHERE id = '{job}'"
    ));

    // The supervisor: how many, no message, no retry.
    let dash = get(app, "/console/dashboard", Some(&sup)).await;
    assert_eq!(dash.status, 200);
    assert!(dash.html.contains("1 thư đã hỏng hẳn"), "{}", dash.html);
    assert!(!dash.html.contains("/console/outbox/"));
    let sup_csrf = hidden(&dash.html, "csrf");
    let r = post(
        app,
        &format!("/console/outbox/{job}/retry"),
        &cookie(&sup),
        &[("csrf", &sup_csrf)],
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(job_status(app, &job), "dead");

    // The administrator: the message (address masked, phone redacted) and "Gửi lại".
    let admin_page = get(app, "/console/dashboard", Some(&adm)).await;
    assert_eq!(admin_page.status, 200, "{}", admin_page.html);
    assert!(admin_page.html.contains("Tổng quan quản trị"));
    assert!(admin_page.html.contains(&format!("/console/outbox/{job}/retry")));
    assert!(admin_page.html.contains("mailbox full"), "{}", admin_page.html);
    for personal in ["nguyen.hoa@", "0912 345 678", "KN-"] {
        assert!(!admin_page.html.contains(personal), "{personal} shown");
    }
    let csrf = hidden(&admin_page.html, "csrf");
    let forged = post(
        app,
        &format!("/console/outbox/{job}/retry"),
        &cookie(&adm),
        &[("csrf", "x")],
    )
    .await;
    assert_eq!(forged.status, 403);
    assert_eq!(job_status(app, &job), "dead");
    let retried = post(
        app,
        &format!("/console/outbox/{job}/retry"),
        &cookie(&adm),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(retried.status, 303);
    assert_eq!(retried.location, "/console/dashboard?retried=true");
    assert_eq!(job_status(app, &job), "pending");
    let again = post(
        app,
        &format!("/console/outbox/{job}/retry"),
        &cookie(&adm),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(again.status, 404);
    app.worker.drain().await.unwrap();
    let after = get(app, "/console/dashboard", Some(&sup)).await;
    assert!(after.html.contains("Không có thư nào hỏng hẳn"), "{}", after.html);
}
both_backends!(dead_letters_are_counted_for_supervisors_and_retried_by_administrators);

async fn a_due_callback_shows_on_every_page_until_it_is_made(app: &TestApp) {
    let (op_id, op) = app.user("op.due", "operator", Some("SCT")).await;
    let (h_id, _) = app.user("h.due", "handler", Some("SCT")).await;
    app.user("h.due.other", "handler", Some("SCT")).await;
    app.user("h.due.qltt", "handler", Some("QLTT")).await;
    let t0 = app.state.clock.now();
    let at = |mins: i64| (t0 + chrono::TimeDelta::minutes(mins)).to_rfc3339();
    // The handler's callback in 30 minutes; the operator's own in 3 hours.
    let mine = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912 000 444", "started_at": at(0), "outcome": "callback", "callback_due_at": at(30), "callback_owner_id": h_id}),
        )
        .await;
    assert_eq!(mine.status, 201, "{}", mine.body);
    let theirs = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912 000 555", "started_at": at(0), "outcome": "callback", "callback_due_at": at(180), "callback_owner_id": op_id}),
        )
        .await;
    assert_eq!(theirs.status, 201, "{}", theirs.body);
    let h = session_of(app, "h.due").await;
    for page in ["/console/", "/console/callbacks", "/console/calls/new"] {
        assert!(
            !get(app, page, Some(&h)).await.html.contains("cuộc gọi lại đến hạn"),
            "{page}"
        );
    }
    // Due: on every page of its owner, with the way to the callbacks; not for the others.
    // (Sessions are signed in anew after each jump of the clock: the console's idle timeout.)
    app.state.clock.advance(chrono::TimeDelta::minutes(31));
    let (h, other, qltt, opc) = (
        session_of(app, "h.due").await,
        session_of(app, "h.due.other").await,
        session_of(app, "h.due.qltt").await,
        session_of(app, "op.due").await,
    );
    let op = app.login("op.due", crate::helpers::PASSWORD).await;
    let case = app.open_case(&op, &dispute()).await;
    let case_page = format!("/console/cases/{}", case["id"].as_str().unwrap());
    for page in [
        "/console/",
        "/console/callbacks",
        "/console/calls/new",
        case_page.as_str(),
    ] {
        let p = get(app, page, Some(&h)).await;
        assert!(
            p.html
                .contains("<a href=\"/console/callbacks\">1 cuộc gọi lại đến hạn</a>"),
            "{page}: {}",
            p.html
        );
    }
    for s in [&other, &qltt, &opc] {
        assert!(!get(app, "/console/", Some(s)).await.html.contains("đến hạn</a>"));
    }
    // Three hours on, the operator's falls due too.
    app.state.clock.advance(chrono::TimeDelta::hours(3));
    let (h, opc) = (session_of(app, "h.due").await, session_of(app, "op.due").await);
    assert!(get(app, "/console/", Some(&opc))
        .await
        .html
        .contains("1 cuộc gọi lại đến hạn"));
    assert!(get(app, "/console/", Some(&h))
        .await
        .html
        .contains("1 cuộc gọi lại đến hạn"));
    // Made: the reminder goes.
    let page = get(app, "/console/callbacks", Some(&h)).await;
    let csrf = hidden(&page.html, "csrf");
    let id = mine.body["id"].as_str().unwrap();
    let done = post(
        app,
        &format!("/console/calls/{id}/done"),
        &cookie(&h),
        &[("csrf", &csrf), ("outcome", "advised"), ("note", "Đã gọi lại")],
    )
    .await;
    assert_eq!(done.status, 303);
    assert!(!get(app, "/console/", Some(&h)).await.html.contains("đến hạn</a>"));
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(a_due_callback_shows_on_every_page_until_it_is_made);
