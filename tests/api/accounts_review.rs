//! The security review of accounts and sessions: a stolen session cannot replace the two-step
//! secret nor guess codes or the current password without limit; API-token service accounts
//! never become interactive; calendar feeds and mediator entries end with the account's role,
//! agency or activity; a forced password change still lets one sign out of the console; the
//! console cookie is `Secure` behind a TLS proxy.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::Backend;
use crate::console::{get, hidden, post, session_of, sign_in};
use crate::helpers::{assert_problem, spawn_app_with, Resp, TestApp, PASSWORD};
use hotline::config::{LimitRule, Settings};
use hotline::service::totp::current_code;

/// Three wrong secrets per username are allowed; the fourth locks it for a minute.
fn tight(s: &mut Settings) {
    s.limits.login_user = LimitRule {
        max: 3,
        window_secs: 900,
        lock_secs: 60,
        max_lock_secs: 3600,
    };
}

/// Runs `$name(&app)` on both backends with the settings changed by `$tweak`.
macro_rules! both_backends_with {
    ($name:ident, $tweak:expr) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                if let Some(app) = super::spawn_app_with(super::Backend::Sqlite, $tweak).await {
                    super::$name(&app).await;
                    app.assert_no_failed_jobs();
                }
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = super::spawn_app_with(super::Backend::Postgres, $tweak).await {
                    super::$name(&app).await;
                    app.assert_no_failed_jobs();
                }
            }
        }
    };
}

/// How many audit records of `action` there are.
async fn audited(app: &TestApp, action: &str) -> usize {
    let r = app
        .get(
            &format!("/api/v1/admin/audit?action={action}&limit=1000"),
            Some(&app.admin_token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.as_array().unwrap().len()
}

fn code(app: &TestApp, secret: &str) -> String {
    current_code(secret, app.state.clock.now().timestamp()).unwrap()
}

/// Sets up two-step sign-in for the session `token`; returns the secret.
async fn setup(app: &TestApp, token: &str) -> String {
    let r = app.post("/api/v1/auth/totp/setup", Some(token), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["secret"].as_str().unwrap().to_owned()
}

async fn enable(app: &TestApp, token: &str, body: Value) -> Resp {
    app.post("/api/v1/auth/totp/enable", Some(token), &body).await
}

/// Signs in with the password and a code of `secret` (after moving to the next time step).
async fn sign_in_with(app: &TestApp, username: &str, secret: &str) -> Resp {
    app.state.clock.advance(TimeDelta::seconds(30));
    let body = json!({"username": username, "password": PASSWORD, "totp": code(app, secret)});
    app.post("/api/v1/auth/login", None, &body).await
}

/// A stolen session sets up a secret of its own, but cannot put it in use without a current
/// code of the secret in use; the real user can, with one.
async fn a_stolen_session_cannot_replace_the_two_step_secret(app: &TestApp) {
    let (_, sup) = app.user("sup.steal", "supervisor", Some("SCT")).await;
    let first = setup(app, &sup).await;
    assert_eq!(enable(app, &sup, json!({"code": code(app, &first)})).await.status, 204);

    app.state.clock.advance(TimeDelta::seconds(30));
    let theirs = setup(app, &sup).await;
    assert_problem(
        &enable(app, &sup, json!({"code": code(app, &theirs)})).await,
        422,
        "required",
    );
    assert_problem(
        &enable(app, &sup, json!({"code": code(app, &theirs), "current_code": "000000"})).await,
        422,
        "invalid_field",
    );
    assert_eq!(
        audited(app, "totp_failed").await,
        1,
        "the wrong current code is audited"
    );
    // The first secret is still the one sign-in needs.
    let ok = sign_in_with(app, "sup.steal", &first).await;
    assert_eq!(ok.status, 200, "{}", ok.body);

    // With a current code of it, the user replaces it.
    let token = ok.body["token"].as_str().unwrap().to_owned();
    app.state.clock.advance(TimeDelta::seconds(30));
    let second = setup(app, &token).await;
    let body = json!({"code": code(app, &second), "current_code": code(app, &first)});
    assert_eq!(enable(app, &token, body).await.status, 204);
    assert_problem(
        &sign_in_with(app, "sup.steal", &first).await,
        401,
        "invalid_credentials",
    );
    assert_eq!(sign_in_with(app, "sup.steal", &second).await.status, 200);
    app.state.clock.reset();
}
both_backends!(a_stolen_session_cannot_replace_the_two_step_secret);

/// Wrong codes to turn two-step sign-in off count against the sign-in limit of the username:
/// the fourth locks it (429, `Retry-After`) and ends the session that guessed.
async fn wrong_two_step_codes_lock_like_sign_ins(app: &TestApp) {
    let (_, sup) = app.user("sup.guess", "supervisor", Some("SCT")).await;
    let secret = setup(app, &sup).await;
    assert_eq!(enable(app, &sup, json!({"code": code(app, &secret)})).await.status, 204);
    let token = sign_in_with(app, "sup.guess", &secret).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let disable = || async {
        app.post("/api/v1/auth/totp/disable", Some(&token), &json!({"code": "000000"}))
            .await
    };
    for _ in 0..3 {
        assert_problem(&disable().await, 422, "invalid_field");
    }
    let r = disable().await;
    assert_problem(&r, 429, "rate_limited");
    assert_eq!(r.retry_after.as_deref(), Some("60"));
    assert_problem(&app.get("/api/v1/me", Some(&token)).await, 401, "unauthenticated");
    assert_problem(&sign_in_with(app, "sup.guess", &secret).await, 429, "rate_limited");
    assert_eq!(audited(app, "totp_failed").await, 4);
    assert_eq!(audited(app, "locked").await, 1);
    app.state.clock.reset();
}
both_backends_with!(wrong_two_step_codes_lock_like_sign_ins, super::tight);

/// Wrong current passwords of a password change count like failed sign-ins: the fourth locks
/// the username (429, `Retry-After`), ends the session, and the right password waits too.
async fn wrong_current_passwords_lock_like_sign_ins(app: &TestApp) {
    let (_, token) = app.user("op.guess", "operator", Some("SCT")).await;
    let change = |current: &'static str, token: String| async move {
        let body = json!({"current_password": current, "new_password": "một mật khẩu mới dài 2026"});
        app.post("/api/v1/auth/password", Some(&token), &body).await
    };
    for _ in 0..3 {
        assert_problem(&change("wrong guess 123", token.clone()).await, 422, "invalid_field");
    }
    let r = change("wrong guess 123", token.clone()).await;
    assert_problem(&r, 429, "rate_limited");
    assert_eq!(r.retry_after.as_deref(), Some("60"));
    assert_problem(&app.get("/api/v1/me", Some(&token)).await, 401, "unauthenticated");
    let login = json!({"username": "op.guess", "password": PASSWORD});
    assert_problem(&app.post("/api/v1/auth/login", None, &login).await, 429, "rate_limited");
    assert_eq!(audited(app, "password_change_failed").await, 4);
    assert_eq!(audited(app, "locked").await, 1);

    // After the lock, the right password changes it.
    app.state.clock.advance(TimeDelta::seconds(61));
    let token = app.login("op.guess", PASSWORD).await;
    assert_eq!(change(PASSWORD, token).await.status, 204);
    app.state.clock.reset();
}
both_backends_with!(wrong_current_passwords_lock_like_sign_ins, super::tight);

/// The service account of an API token never gets a password nor comes back once deactivated;
/// the console offers neither.
async fn service_accounts_stay_non_interactive(app: &TestApp) {
    let body = json!({"name": "Tổng đài quốc gia", "agency": "SCT", "scopes": ["cases:read"]});
    let created = app
        .post("/api/v1/admin/api-tokens", Some(&app.admin_token), &body)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await.body;
    let (id, username) = (me["id"].as_str().unwrap(), me["username"].as_str().unwrap());
    let user = format!("/api/v1/admin/users/{id}");
    let admin = Some(app.admin_token.as_str());

    let reset = app.post(&format!("{user}/reset-password"), admin, &json!({})).await;
    assert_problem(&reset, 409, "service_account");
    assert_problem(
        &app.patch(&user, admin, &json!({"role": "handler"})).await,
        409,
        "service_account",
    );
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.body["role"], "operator");
    // The console shows neither a reset nor (once it is deactivated) a reactivation.
    app.user("adm.review", "admin", None).await;
    let adm = session_of(app, "adm.review").await;
    let list = get(app, "/console/users", Some(&adm)).await;
    assert!(list.html.contains(username), "{}", list.html);
    assert!(!list.html.contains(&format!("/console/users/{id}/reset-password")));
    assert!(
        list.html.contains(&format!("/console/users/{id}/active")),
        "it can be deactivated"
    );
    let csrf = hidden(&list.html, "csrf");
    let forged = post(
        app,
        &format!("/console/users/{id}/reset-password"),
        &format!("hotline_console={adm}"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(forged.status, 409, "{}", forged.html);

    assert_eq!(app.patch(&user, admin, &json!({"active": false})).await.status, 200);
    assert_problem(
        &app.patch(&user, admin, &json!({"active": true})).await,
        409,
        "service_account",
    );
    let list = get(app, "/console/users", Some(&adm)).await;
    assert!(!list.html.contains(&format!("/console/users/{id}/active")));
    assert_problem(&app.get("/api/v1/me", Some(&token)).await, 401, "unauthenticated");
    assert_problem(
        &app.post(&format!("{user}/reset-password"), admin, &json!({})).await,
        409,
        "service_account",
    );
}
both_backends!(service_accounts_stay_non_interactive);

/// The path of a new calendar feed of the mediator `token`.
async fn new_feed(app: &TestApp, token: &str) -> String {
    let r = app
        .post("/api/v1/mediators/me/calendar-feed", Some(token), &json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let url = r.body["url"].as_str().unwrap();
    url[url.find("/calendar/").unwrap()..].to_owned()
}

/// A feed answers only while its account is an active mediator; a deactivation or a new role
/// revokes it for good.
async fn calendar_feeds_end_with_the_mediator_account(app: &TestApp) {
    let (id, token) = app.listed_mediator("m.feed", "HOI", &["Tiếng Việt"]).await;
    let user = format!("/api/v1/admin/users/{id}");
    let admin = Some(app.admin_token.as_str());
    let path = new_feed(app, &token).await;
    assert_eq!(app.get(&path, None).await.status, 200);
    // The account itself is checked on each read, not only the revocation.
    let set_active = |on: bool| app.try_sql(&format!("UPDATE users SET active = {on} WHERE id = '{id}'"));
    assert_eq!(set_active(false), Ok(1));
    assert_problem(&app.get(&path, None).await, 404, "not_found");
    assert_eq!(set_active(true), Ok(1));
    assert_eq!(app.get(&path, None).await.status, 200);

    assert_eq!(app.patch(&user, admin, &json!({"active": false})).await.status, 200);
    assert_eq!(app.patch(&user, admin, &json!({"active": true})).await.status, 200);
    assert_problem(&app.get(&path, None).await, 404, "not_found");

    let token = app.login("m.feed", PASSWORD).await;
    let path = new_feed(app, &token).await;
    assert_eq!(app.get(&path, None).await.status, 200);
    let r = app.patch(&user, admin, &json!({"role": "handler"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_problem(&app.get(&path, None).await, 404, "not_found");
    assert_eq!(app.patch(&user, admin, &json!({"role": "mediator"})).await.status, 200);
    assert_problem(&app.get(&path, None).await, 404, "not_found");
}
both_backends!(calendar_feeds_end_with_the_mediator_account);

/// A mediator who moves to another agency leaves the body's list: its supervisor no longer
/// sees the cases appointed to them, and the entry cannot be appointed.
async fn a_mediator_moving_agency_leaves_the_bodys_list(app: &TestApp) {
    let (mid, _) = app.listed_mediator("m.move", "HOI", &["Tiếng Việt"]).await;
    let body_sup = app.login("m.move.list.sup", PASSWORD).await;
    let (h, c, _) = crate::followup::forwarded(app, "h.move", "2026-12-01").await;
    let no = json!({"result": "no_answer", "reason": "Doanh nghiệp không trả lời."});
    let c = app.act_ok(&h, &c, "record_negotiation_result", no).await;
    let c = app
        .act_ok(&h, &c, "appoint_mediator", json!({"mediator_id": mid}))
        .await;
    let case_id = c["id"].as_str().unwrap();
    assert_eq!(app.case(&body_sup, case_id).await.status, 200, "through the entry");

    let r = app
        .patch(
            &format!("/api/v1/admin/users/{mid}"),
            Some(&app.admin_token),
            &json!({"agency": "QLTT"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_problem(&app.case(&body_sup, case_id).await, 404, "not_found");
    let list = app.get("/api/v1/mediators", Some(&body_sup)).await;
    let entry = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "Hòa giải viên m.move");
    assert!(entry.unwrap()["user_id"].is_null(), "{}", list.body);
    app.state.clock.reset();
}
both_backends!(a_mediator_moving_agency_leaves_the_bodys_list);

/// An account waiting for its forced password change can still sign out of the console.
async fn a_forced_password_change_does_not_trap_the_console(app: &TestApp) {
    let (id, _) = app.user("op.forced", "operator", Some("SCT")).await;
    let reset = app
        .post(
            &format!("/api/v1/admin/users/{id}/reset-password"),
            Some(&app.admin_token),
            &json!({}),
        )
        .await;
    let temporary = reset.body["temporary_password"].as_str().unwrap().to_owned();
    let p = sign_in(app, "op.forced", &temporary).await;
    assert_eq!((p.status, p.location.as_str()), (303, "/console/password"));
    let session = p.session().unwrap();
    let page = get(app, "/console/password", Some(&session)).await;
    let csrf = hidden(&page.html, "csrf");
    let cookie = format!("hotline_console={session}");
    let out = post(app, "/console/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.location.as_str()), (303, "/console/login"));
    let after = get(app, "/console/password", Some(&session)).await;
    assert_eq!(after.status, 303);
    assert!(after.location.starts_with("/console/login"), "the session ended");
}
both_backends!(a_forced_password_change_does_not_trap_the_console);

/// Behind a TLS proxy (an `https://` public address), the console's cookies are `Secure`.
async fn the_console_cookie_is_secure_behind_a_tls_proxy(app: &TestApp) {
    app.user("op.tls", "operator", Some("SCT")).await;
    let form = get(app, "/console/login", None).await;
    let attrs = form.cookie_attrs("hotline_login_csrf").unwrap();
    assert!(attrs.iter().any(|a| a == "secure"), "{attrs:?}");
    let p = sign_in(app, "op.tls", PASSWORD).await;
    let attrs = p.cookie_attrs("hotline_console").unwrap();
    assert!(attrs.iter().any(|a| a == "secure"), "{attrs:?}");
}
both_backends_with!(the_console_cookie_is_secure_behind_a_tls_proxy, |s| {
    s.email.public_base_url = "https://hotline.example.gov.vn".into()
});
