//! The staff console over HTTP (issue 13): sign-in with its CSRF cookie, the session cookie's
//! flags, the idle timeout, the forced password change, agency isolation (another agency's
//! case is a 404 page), CSRF on every form, and an action sent as a form going through the
//! same parser and service as the API (nested records included). The browser tests are in
//! `console_browser.rs`.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{dispute, TestApp, PASSWORD};

pub(crate) struct Page {
    pub(crate) status: u16,
    pub(crate) location: String,
    /// `Set-Cookie` headers as sent.
    cookies: Vec<SetCookie>,
    pub(crate) html: String,
    pub(crate) raw: Vec<u8>,
}

impl Page {
    /// The session token the page set, if it signed in.
    pub(crate) fn session(&self) -> Option<String> {
        self.cookies
            .iter()
            .find(|c| c.name() == "hotline_console")
            .map(|c| c.value().to_owned())
    }

    /// The attributes (lower-cased) of the cookie `name` the page set, if it set one.
    pub(crate) fn cookie_attrs(&self, name: &str) -> Option<Vec<String>> {
        self.cookies.iter().find(|c| c.name() == name).map(|c| c.attrs.clone())
    }
}

fn client() -> awc::Client {
    crate::helpers::test_client(false)
}

pub(crate) async fn get(app: &TestApp, path: &str, session: Option<&str>) -> Page {
    let mut r = client().get(app.url(path));
    if let Some(s) = session {
        r = r.insert_header(("Cookie", format!("hotline_console={s}")));
    }
    read(r.send().await.unwrap()).await
}

pub(crate) async fn post(app: &TestApp, path: &str, cookie: &str, form: &[(&str, &str)]) -> Page {
    read(
        client()
            .post(app.url(path))
            .insert_header(("Cookie", cookie.to_owned()))
            .send_form(&form)
            .await
            .unwrap(),
    )
    .await
}

async fn read(
    mut r: awc::ClientResponse<
        impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
    >,
) -> Page {
    let cookies = r
        .headers()
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .map(SetCookie::parse)
        .collect();
    let status = r.status().as_u16();
    let raw = r.body().limit(10 * 1024 * 1024).await.unwrap().to_vec();
    Page {
        status,
        location: r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        cookies,
        raw: raw.clone(),
        html: String::from_utf8_lossy(&raw).into_owned(),
    }
}

struct SetCookie {
    name: String,
    value: String,
    /// The attributes, lower-cased (`path=/console`, `httponly`, `samesite=lax`).
    attrs: Vec<String>,
}

impl SetCookie {
    fn parse(h: &str) -> SetCookie {
        let mut parts = h.split(';').map(str::trim);
        let (name, value) = parts.next().unwrap().split_once('=').unwrap();
        SetCookie {
            name: name.to_owned(),
            value: value.to_owned(),
            attrs: parts.map(str::to_lowercase).collect(),
        }
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
    fn has(&self, attr: &str) -> bool {
        self.attrs.iter().any(|a| a == attr)
    }
}

pub(crate) fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let i = html.find(&marker).unwrap_or_else(|| panic!("no hidden {name}")) + marker.len();
    html[i..i + html[i..].find('"').unwrap()].to_owned()
}

/// Signs in through the form; returns the session token (the cookie's value).
pub(crate) async fn sign_in(app: &TestApp, username: &str, password: &str) -> Page {
    let form = get(app, "/console/login?next=/console/cases/x", None).await;
    assert_eq!(form.status, 200);
    let csrf_cookie = form
        .cookies
        .iter()
        .find(|c| c.name() == "hotline_login_csrf")
        .expect("login csrf cookie")
        .value()
        .to_owned();
    let csrf = hidden(&form.html, "csrf");
    post(
        app,
        "/console/login",
        &format!("hotline_login_csrf={csrf_cookie}"),
        &[
            ("csrf", &csrf),
            ("next", "/console/"),
            ("username", username),
            ("password", password),
        ],
    )
    .await
}

pub(crate) async fn session_of(app: &TestApp, username: &str) -> String {
    let p = sign_in(app, username, PASSWORD).await;
    assert_eq!(p.status, 303, "{}", p.html);
    p.cookies
        .iter()
        .find(|c| c.name() == "hotline_console")
        .expect("session cookie")
        .value()
        .to_owned()
}

async fn signing_in_sets_a_safe_cookie_and_the_session_ends_when_idle(app: &TestApp) {
    app.user("h.console", "handler", Some("SCT")).await;
    // The console sends strangers to the sign-in page, keeping where they were going.
    let p = get(app, "/console/", None).await;
    assert_eq!(p.status, 303);
    assert_eq!(p.location, "/console/login?next=%2Fconsole%2F");
    // The form is refused without its CSRF cookie.
    let form = get(app, "/console/login", None).await;
    let csrf = hidden(&form.html, "csrf");
    let forged = post(
        app,
        "/console/login",
        "",
        &[("csrf", &csrf), ("username", "h.console"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(forged.status, 403);
    // A wrong password: the form again, with what to do, and the username kept.
    let wrong = sign_in(app, "h.console", "not the password").await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.html.contains("Tên đăng nhập hoặc mật khẩu không đúng") && wrong.html.contains("value=\"h.console\"")
    );
    let ok = sign_in(app, "h.console", PASSWORD).await;
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location, "/console/", "an outside `next` is never followed");
    let c = ok.cookies.iter().find(|c| c.name() == "hotline_console").unwrap();
    assert!(
        c.has("httponly") && c.has("samesite=lax") && c.has("path=/console"),
        "{:?}",
        c.attrs
    );
    assert!(!c.has("secure"), "plain HTTP here; Secure under TLS");
    let session = c.value().to_owned();
    let queue = get(app, "/console/", Some(&session)).await;
    assert_eq!(queue.status, 200);
    assert!(queue.html.contains("Cơ quan tôi") && queue.html.contains("Chờ nhận chuyển"));
    // The API's bearer token is not a cookie, and the cookie is not a bearer token.
    assert_eq!(
        app.get("/api/v1/me", Some(&session)).await.status,
        200,
        "same sessions as the API"
    );
    // Idle for longer than auth.console_idle_minutes: signed out.
    app.state.clock.advance(chrono::TimeDelta::minutes(31));
    let later = get(app, "/console/", Some(&session)).await;
    assert_eq!(later.status, 303);
    assert!(later.location.starts_with("/console/login"));
    app.state.clock.reset();
}
both_backends!(signing_in_sets_a_safe_cookie_and_the_session_ends_when_idle);

async fn a_session_in_use_stays_and_signing_out_ends_it(app: &TestApp) {
    app.user("h.active", "handler", Some("SCT")).await;
    let s = session_of(app, "h.active").await;
    for _ in 0..4 {
        app.state.clock.advance(chrono::TimeDelta::minutes(20));
        assert_eq!(
            get(app, "/console/", Some(&s)).await.status,
            200,
            "each request moves the idle end"
        );
    }
    let page = get(app, "/console/", Some(&s)).await;
    let csrf = hidden(&page.html, "csrf");
    let cookie = format!("hotline_console={s}");
    assert_eq!(
        post(app, "/console/logout", &cookie, &[]).await.status,
        403,
        "sign-out needs the token"
    );
    let out = post(app, "/console/logout", &cookie, &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert_eq!(get(app, "/console/", Some(&s)).await.status, 303);
    app.state.clock.reset();
}
both_backends!(a_session_in_use_stays_and_signing_out_ends_it);

/// The call screen's keep-alive (sent by its script while the operator types) moves the idle
/// end like any signed request; it needs the form key.
async fn typing_a_long_call_keeps_the_session(app: &TestApp) {
    app.user("op.alive", "operator", Some("SCT")).await;
    let s = session_of(app, "op.alive").await;
    let screen = get(app, "/console/calls/new", Some(&s)).await;
    let csrf = hidden(&screen.html, "csrf");
    let cookie = format!("hotline_console={s}");
    assert_eq!(
        post(app, "/console/alive", &cookie, &[]).await.status,
        403,
        "the form key"
    );
    for _ in 0..3 {
        app.state.clock.advance(chrono::TimeDelta::minutes(20));
        assert_eq!(
            post(app, "/console/alive", &cookie, &[("csrf", &csrf)]).await.status,
            204
        );
    }
    // An hour after the screen was served, the call is logged.
    let logged = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("caller_phone", "0912345678"),
            ("note", "Hỏi về bảo hành"),
            ("step", "advised"),
        ],
    )
    .await;
    assert_eq!(logged.status, 303, "{}", logged.html);
    assert_eq!(logged.location, "/console/calls/new?logged=advised");
    app.state.clock.reset();
}
both_backends!(typing_a_long_call_keeps_the_session);

/// A form sent after the session ended (a call typed for longer than the idle time, without
/// the script) is not lost: the sign-in page keeps it, and after signing in one click sends it.
/// A post from another site (no session cookie, no form key) is never kept.
async fn a_form_sent_after_the_session_ended_is_kept_across_the_sign_in(app: &TestApp) {
    app.user("op.kept", "operator", Some("SCT")).await;
    let s = session_of(app, "op.kept").await;
    let screen = get(app, "/console/calls/new", Some(&s)).await;
    let csrf = hidden(&screen.html, "csrf");
    let started_at = hidden(&screen.html, "started_at");
    let note = "Ông Tư, 70 tuổi: mua máy lọc nước của Công ty Suối Mát, máy hỏng sau 3 ngày, cửa hàng không đổi.";
    let form = [
        ("csrf", csrf.as_str()),
        ("started_at", started_at.as_str()),
        ("caller_phone", "0912 777 888"),
        ("note", note),
        ("consumer_name", "Trần Văn Tư"),
        ("business_name", "Công ty Suối Mát"),
        ("step", "case_opened"),
    ];
    app.state.clock.advance(chrono::TimeDelta::minutes(31));
    let cookie = format!("hotline_console={s}");

    // Another site's post: no cookie (SameSite=Lax), or a cookie without this session's key.
    let forged = post(app, "/console/calls", "", &form).await;
    assert_eq!(
        (forged.status, forged.location.starts_with("/console/login")),
        (303, true)
    );
    let mut wrong_key = form;
    wrong_key[0] = ("csrf", "0123456789abcdef0123456789abcdef");
    assert_eq!(post(app, "/console/calls", &cookie, &wrong_key).await.status, 303);

    let login = post(app, "/console/calls", &cookie, &form).await;
    assert_eq!(login.status, 200, "{}", login.html);
    assert!(
        login.html.contains("Những gì bạn đã nhập vẫn được giữ lại"),
        "{}",
        login.html
    );
    assert!(
        login.html.contains(&format!("name=\"kept.note\" value=\"{note}\"")),
        "{}",
        login.html
    );
    assert!(!login.html.contains("name=\"kept.csrf\""), "the old key is not kept");
    let login_csrf = login
        .cookies
        .iter()
        .find(|c| c.name() == "hotline_login_csrf")
        .unwrap()
        .value()
        .to_owned();
    let mut signin: Vec<(String, String)> = vec![
        ("csrf".into(), hidden(&login.html, "csrf")),
        ("next".into(), "/console/".into()),
        ("resume".into(), hidden(&login.html, "resume")),
        ("username".into(), "op.kept".into()),
        ("password".into(), PASSWORD.into()),
    ];
    for (k, _) in &form[1..] {
        signin.push((format!("kept.{k}"), hidden(&login.html, &format!("kept.{k}"))));
    }
    // A mistyped password: the sign-in page again, still keeping the form.
    let mut wrong = signin.clone();
    wrong[4].1 = "sai mật khẩu".into();
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let again = post(
        app,
        "/console/login",
        &format!("hotline_login_csrf={login_csrf}"),
        &wrong,
    )
    .await;
    assert_eq!(again.status, 401);
    assert!(
        again.html.contains(&format!("name=\"kept.note\" value=\"{note}\"")),
        "{}",
        again.html
    );
    let login_csrf = again
        .cookies
        .iter()
        .find(|c| c.name() == "hotline_login_csrf")
        .unwrap()
        .value()
        .to_owned();
    signin[0].1 = hidden(&again.html, "csrf");
    // Another account signing in on that page never gets the form to send.
    app.user("op.other", "operator", Some("SCT")).await;
    let mut other = signin.clone();
    other[3].1 = "op.other".into();
    let other: Vec<(&str, &str)> = other.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let cookies = format!("hotline_login_csrf={login_csrf}; {cookie}");
    let theirs = post(app, "/console/login", &cookies, &other).await;
    assert_eq!(
        (theirs.status, theirs.location.as_str()),
        (303, "/console/"),
        "{}",
        theirs.html
    );
    let pairs: Vec<(&str, &str)> = signin.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // The account that wrote it, signing in with the ended session's cookie still sent.
    let resumed = post(app, "/console/login", &cookies, &pairs).await;
    assert_eq!(resumed.status, 200, "{}", resumed.html);
    assert!(resumed.html.contains("action=\"/console/calls\"") && resumed.html.contains("Gửi lại"));
    // What will be sent is shown, readable; the technical fields are not.
    assert!(
        resumed.html.contains(&format!("<dt>Ghi chú</dt><dd>{note}</dd>")),
        "{}",
        resumed.html
    );
    assert!(resumed
        .html
        .contains("<dt>Số điện thoại người gọi</dt><dd>0912 777 888</dd>"));
    assert!(!resumed.html.contains("<dt>Thông tin</dt>"), "{}", resumed.html);
    let fresh = resumed.session().expect("a new session");
    let again: Vec<(String, String)> = [
        "csrf",
        "started_at",
        "caller_phone",
        "note",
        "consumer_name",
        "business_name",
        "step",
    ]
    .iter()
    .map(|k| (k.to_string(), hidden(&resumed.html, k)))
    .collect();
    let pairs: Vec<(&str, &str)> = again.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let opened = post(app, "/console/calls", &format!("hotline_console={fresh}"), &pairs).await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    assert!(opened.location.starts_with("/console/cases/"), "{}", opened.location);
    let case = get(app, &opened.location, Some(&fresh)).await;
    assert!(
        case.html.contains("Công ty Suối Mát") && case.html.contains("máy lọc nước"),
        "{}",
        case.html
    );
    app.state.clock.reset();
}
both_backends!(a_form_sent_after_the_session_ended_is_kept_across_the_sign_in);

/// The call screen offers the products named in the agency's recent cases — each as last named,
/// most named first, redacted — so an operator names a product as it was named before and early
/// warning groups it (ADR 0066).
async fn the_call_screen_suggests_the_products_named_before(app: &TestApp) {
    let (_, op) = app.user("op.prod", "operator", Some("SCT")).await;
    let s = session_of(app, "op.prod").await;
    let screen = get(app, "/console/calls/new", Some(&s)).await;
    assert!(!screen.html.contains("product-names"), "nothing named yet: no list");
    for (i, p) in [
        "Sữa bột của chị Lan 0912 345 678",
        "Nồi chiên không dầu X9",
        "nồi chiên không dầu x9",
    ]
    .iter()
    .enumerate()
    {
        let mut c = dispute();
        c["consumer"]["phone"] = json!(format!("0915 000 00{i}"));
        c["product"] = json!(p);
        app.open_case(&op, &c).await;
    }
    let screen = get(app, "/console/calls/new", Some(&s)).await;
    let html = &screen.html;
    assert!(html.contains("list=\"product-names\""), "{html}");
    let fryer = html
        .find("<option value=\"nồi chiên không dầu x9\">")
        .expect("the fryer, as last named");
    let milk = html.find("<option value=\"Sữa bột của chị").expect("the milk powder");
    assert!(fryer < milk, "most named first");
    assert!(!html.contains("Nồi chiên không dầu X9\">"), "one name per product");
    assert!(
        !html.contains("345 678") && !html.contains("chị Lan"),
        "redacted: {html}"
    );
}
both_backends!(the_call_screen_suggests_the_products_named_before);

async fn a_reset_password_is_changed_first(app: &TestApp) {
    let (id, _) = app.user("h.reset", "handler", Some("SCT")).await;
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/reset-password"),
            Some(&app.admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let temporary = r.body["temporary_password"].as_str().unwrap().to_owned();
    let p = sign_in(app, "h.reset", &temporary).await;
    assert_eq!(p.location, "/console/password");
    let s = p
        .cookies
        .iter()
        .find(|c| c.name() == "hotline_console")
        .unwrap()
        .value()
        .to_owned();
    assert_eq!(get(app, "/console/", Some(&s)).await.location, "/console/password");
    let form = get(app, "/console/password", Some(&s)).await;
    let csrf = hidden(&form.html, "csrf");
    let cookie = format!("hotline_console={s}");
    let mismatch = post(
        app,
        "/console/password",
        &cookie,
        &[
            ("csrf", &csrf),
            ("current_password", &temporary),
            ("new_password", "một mật khẩu dài mới"),
            ("confirm_password", "khác"),
        ],
    )
    .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.html.contains("không giống nhau"));
    let done = post(
        app,
        "/console/password",
        &cookie,
        &[
            ("csrf", &csrf),
            ("current_password", &temporary),
            ("new_password", "một mật khẩu dài mới"),
            ("confirm_password", "một mật khẩu dài mới"),
        ],
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(get(app, "/console/", Some(&s)).await.status, 200);
}
both_backends!(a_reset_password_is_changed_first);

async fn a_form_action_is_the_api_action_and_another_agency_sees_nothing(app: &TestApp) {
    let (_, op) = app.user("op.console", "operator", Some("SCT")).await;
    app.user("h.sct", "handler", Some("SCT")).await;
    app.user("h.qltt", "handler", Some("QLTT")).await;
    let case = app.open_case(&op, &dispute()).await;
    let case = app.act_ok(&op, &case, "route", json!({"agency": "SCT"})).await;
    let id = case["id"].as_str().unwrap().to_owned();
    let s = session_of(app, "h.sct").await;
    let cookie = format!("hotline_console={s}");

    // The queue of the agency lists it; the case page offers only what is allowed now.
    let queue = get(app, "/console/?tab=unassigned", Some(&s)).await;
    assert!(
        queue.html.contains(case["tracking_code"].as_str().unwrap()),
        "{}",
        queue.html
    );
    let page = get(app, &format!("/console/cases/{id}"), Some(&s)).await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("action-accept") && !page.html.contains("action-record_negotiation_result"));
    assert!(page.html.contains("chuỗi băm khớp"), "history chain state shown");
    let csrf = hidden(&page.html, "csrf");
    let version = hidden(&page.html, "version");

    // No CSRF token: refused, nothing changed.
    let forged = post(
        app,
        &format!("/console/cases/{id}/actions/accept"),
        &cookie,
        &[("version", &version)],
    )
    .await;
    assert_eq!(forged.status, 403);
    let accepted = post(
        app,
        &format!("/console/cases/{id}/actions/accept"),
        &cookie,
        &[("csrf", &csrf), ("version", &version)],
    )
    .await;
    assert_eq!(accepted.status, 303, "{}", accepted.html);
    assert_eq!(accepted.location, format!("/console/cases/{id}?done=accept"));
    let page = get(app, &accepted.location, Some(&s)).await;
    assert!(page.html.contains("Đã thực hiện: Thụ lý"));

    // An old version: the conflict says what changed since the page was shown.
    let stale = post(
        app,
        &format!("/console/cases/{id}/actions/forward_to_business"),
        &cookie,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("seen_seq", "1"),
            ("business_email", "cskh@binhminh.vn"),
        ],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert!(
        stale.html.contains("Hồ sơ đã thay đổi") && stale.html.contains("Thụ lý lúc"),
        "{}",
        stale.html
    );
    // What was typed waits in its form, to be sent again on the newest version.
    assert!(
        stale.html.contains("value=\"cskh@binhminh.vn\"") && stale.html.contains("Chưa gửi: hồ sơ vừa thay đổi"),
        "{}",
        stale.html
    );

    // Forwarded, then a settled negotiation with its record (a nested form): a field that
    // fails is named beside it, and what was typed is kept.
    let version = hidden(
        &get(app, &format!("/console/cases/{id}"), Some(&s)).await.html,
        "version",
    );
    let fwd = post(
        app,
        &format!("/console/cases/{id}/actions/forward_to_business"),
        &cookie,
        &[
            ("csrf", &csrf),
            ("version", &version),
            ("business_email", "cskh@binhminh.vn"),
        ],
    )
    .await;
    assert_eq!(fwd.status, 303, "{}", fwd.html);
    let version = hidden(
        &get(app, &format!("/console/cases/{id}"), Some(&s)).await.html,
        "version",
    );
    let record = [
        ("csrf", csrf.as_str()),
        ("version", version.as_str()),
        ("result", "settled"),
        ("record.parties", "Ông Nguyễn Văn An và Công ty Bình Minh"),
        ("record.held_at", "2026-11-20T09:30"),
        ("record.place", "Trụ sở Sở Công Thương"),
        ("record.content", "Đổi máy giặt mới"),
        ("record.result", "Doanh nghiệp đồng ý đổi máy"),
    ];
    let mut missing = record.to_vec();
    missing.retain(|(k, _)| *k != "record.place");
    let bad = post(
        app,
        &format!("/console/cases/{id}/actions/record_negotiation_result"),
        &cookie,
        &missing,
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(bad.html.contains("Đổi máy giặt mới"), "typed values kept");
    assert!(
        bad.html.contains("f-record_negotiation_result-record-place-error"),
        "the error beside the field"
    );
    let settled = post(
        app,
        &format!("/console/cases/{id}/actions/record_negotiation_result"),
        &cookie,
        &record,
    )
    .await;
    assert_eq!(settled.status, 303, "{}", settled.html);
    let after = app.get(&format!("/api/v1/cases/{id}"), Some(&op)).await;
    assert_eq!(after.body["status"], "closed");
    assert_eq!(after.body["outcome"], "settled_negotiation");

    // Another agency's handler: the case and its evidence are a 404 page, not a hint.
    let other = session_of(app, "h.qltt").await;
    let hidden_page = get(app, &format!("/console/cases/{id}"), Some(&other)).await;
    assert_eq!(hidden_page.status, 404);
    assert!(
        hidden_page.html.contains("Không tìm thấy")
            && !hidden_page.html.contains(case["tracking_code"].as_str().unwrap())
    );
    let other_page = get(app, "/console/", Some(&other)).await;
    let other_csrf = hidden(&other_page.html, "csrf");
    let r = post(
        app,
        &format!("/console/cases/{id}/actions/reopen"),
        &format!("hotline_console={other}"),
        &[("csrf", &other_csrf), ("version", "9"), ("reason", "x")],
    )
    .await;
    assert_eq!(r.status, 404);
}
both_backends!(a_form_action_is_the_api_action_and_another_agency_sees_nothing);

async fn an_operator_logs_calls_from_the_call_screen(app: &TestApp) {
    app.user("op.calls", "operator", Some("SCT")).await;
    app.user("h.calls", "handler", Some("SCT")).await;
    let s = session_of(app, "op.calls").await;
    let cookie = format!("hotline_console={s}");
    let screen = get(app, "/console/calls/new", Some(&s)).await;
    assert_eq!(screen.status, 200);
    let csrf = hidden(&screen.html, "csrf");
    let started = hidden(&screen.html, "started_at");
    let note = "Tôi mua nồi cơm điện ở siêu thị Điện Máy Xanh, dùng 3 ngày thì hỏng, cửa hàng không đổi.";
    // Without JavaScript: "Gợi ý" shows the suggestion and keeps what was typed.
    let suggested = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("started_at", &started),
            ("caller_phone", "0912 345 678"),
            ("note", note),
            ("step", "suggest"),
        ],
    )
    .await;
    assert_eq!(suggested.status, 200);
    assert!(
        suggested.html.contains("Vì sao") && suggested.html.contains("Tranh chấp"),
        "{}",
        suggested.html
    );
    assert!(suggested.html.contains("0912 345 678"));
    // Advised: logged, and the screen is ready for the next call.
    let advised = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("started_at", &started),
            ("caller_phone", "0912 345 678"),
            ("note", "Hỏi về bảo hành"),
            ("step", "advised"),
        ],
    )
    .await;
    assert_eq!(advised.status, 303, "{}", advised.html);
    assert_eq!(advised.location, "/console/calls/new?logged=advised");
    // A bad phone: said beside the field, nothing logged.
    let bad = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("started_at", &started),
            ("caller_phone", "12"),
            ("note", note),
            ("step", "callback"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.html.contains("caller_phone-error"));
    assert!(
        screen.html.contains("data-fresh") && !bad.html.contains("data-fresh"),
        "only a fresh screen's start moves"
    );
    // The case's own validation is said beside the screen's field too, with the notes kept.
    let long_name = "Trần Thị Bình ".repeat(20);
    let bad = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("started_at", &started),
            ("caller_phone", "0912345678"),
            ("note", note),
            ("consumer_name", &long_name),
            ("step", "case_opened"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.html);
    assert!(
        bad.html.contains("consumer_name-error") && bad.html.contains(note),
        "{}",
        bad.html
    );
    // Open a case from the call: the case page; the earlier call appears for the same number.
    let opened = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("started_at", &started),
            ("caller_phone", "0912345678"),
            ("note", note),
            ("consumer_name", "Trần Thị Bình"),
            ("business_name", "Điện Máy Xanh"),
            ("step", "case_opened"),
        ],
    )
    .await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    assert!(opened.location.starts_with("/console/cases/"));
    let case_page = get(app, &opened.location, Some(&s)).await;
    assert_eq!(case_page.status, 200);
    assert!(case_page.html.contains("Trần Thị Bình") && case_page.html.contains("Điện Máy Xanh"));
    let again = post(
        app,
        "/console/calls",
        &cookie,
        &[
            ("csrf", &csrf),
            ("started_at", &started),
            ("caller_phone", "+84 912 345 678"),
            ("step", "suggest"),
        ],
    )
    .await;
    assert!(
        again.html.contains("Hồ sơ KN-") && again.html.contains("đã tư vấn"),
        "{}",
        again.html
    );
    // The handler of the agency finds it in the queue.
    let h = session_of(app, "h.calls").await;
    let queue = get(app, "/console/", Some(&h)).await;
    assert!(queue.html.contains("Điện Máy Xanh"), "{}", queue.html);
    // The API lists the calls of that number however it is written.
    let token = app.login("op.calls", PASSWORD).await;
    let listed = app.get("/api/v1/calls?phone=%2B84912345678", Some(&token)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2, "{}", listed.body);
    assert_eq!(app.get("/api/v1/calls?phone=12", Some(&token)).await.status, 400);
}
both_backends!(an_operator_logs_calls_from_the_call_screen);

async fn callbacks_are_tasks_with_an_owner_a_due_time_and_a_reminder(app: &TestApp) {
    let (op_id, op) = app.user("op.cb", "operator", Some("SCT")).await;
    let (h_id, h) = app.user("h.cb", "handler", Some("SCT")).await;
    let (_, other) = app.user("h.cb.qltt", "handler", Some("QLTT")).await;
    let r = app
        .patch_json(
            &format!("/api/v1/admin/users/{h_id}"),
            &app.admin_token,
            &json!({"email": "h.cb@sct.example.gov.vn"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let t0 = app.state.clock.now();
    let at = |mins: i64| (t0 + chrono::TimeDelta::minutes(mins)).to_rfc3339();
    // A callback without a time is due two hours after the call began, owned by the operator.
    let a = app
        .post("/api/v1/calls", Some(&op), &json!({"caller_phone": "0912 000 111", "started_at": at(0), "outcome": "callback", "note": "Hỏi lại cửa hàng rồi gọi"}))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["callback_owner_id"], op_id.as_str());
    // One for the handler, due in 30 minutes.
    let b = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912 000 222", "started_at": at(0), "outcome": "callback", "callback_due_at": at(30), "callback_owner_id": h_id}),
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    // A callback owner of another agency, or callback fields on another outcome: 422.
    let (qltt_id, _) = app.user("h.cb.q2", "handler", Some("QLTT")).await;
    let bad = app
        .post("/api/v1/calls", Some(&op), &json!({"caller_phone": "0912000333", "started_at": at(0), "outcome": "callback", "callback_owner_id": qltt_id}))
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["field"], "callback_owner_id");
    let bad = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912000333", "started_at": at(0), "outcome": "advised", "callback_due_at": at(5)}),
        )
        .await;
    assert_eq!(bad.status, 422);
    // The queue: soonest due first; mine only with ?mine=true; another agency sees none.
    let q = app.get("/api/v1/calls/callbacks", Some(&h)).await;
    let ids: Vec<&str> = q
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![b.body["id"].as_str().unwrap(), a.body["id"].as_str().unwrap()]
    );
    assert_eq!(
        app.get("/api/v1/calls/callbacks?mine=true", Some(&h))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get("/api/v1/calls/callbacks", Some(&other))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // It falls due: the sweep reminds the owner once, with only the number's last digits.
    app.state.clock.advance(chrono::TimeDelta::minutes(31));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    app.state.clock.advance(chrono::TimeDelta::hours(1));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let mails: Vec<_> = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| m.to.contains("h.cb@") && m.subject.starts_with("[Gọi lại]"))
        .collect();
    assert_eq!(mails.len(), 1, "reminded once");
    assert!(
        mails[0].subject.contains("0222") && !mails[0].subject.contains("0912"),
        "{}",
        mails[0].subject
    );
    // In the console: overdue first; "Đã gọi lại" completes it with its outcome and note.
    let s = session_of(app, "h.cb").await;
    let page = get(app, "/console/callbacks", Some(&s)).await;
    assert!(
        page.html.contains("Đến hạn") && page.html.contains("0912000222"),
        "{}",
        page.html
    );
    let csrf = hidden(&page.html, "csrf");
    let bid = b.body["id"].as_str().unwrap();
    let done = post(
        app,
        &format!("/console/calls/{bid}/done"),
        &format!("hotline_console={s}"),
        &[
            ("csrf", &csrf),
            ("outcome", "advised"),
            ("note", "Đã hướng dẫn đổi hàng"),
        ],
    )
    .await;
    assert_eq!(done.status, 303);
    let call = app.get(&format!("/api/v1/calls/{bid}"), Some(&h)).await;
    assert!(call.body["callback_done_at"].is_string());
    assert_eq!(call.body["outcome"], "advised");
    assert!(call.body["note"].as_str().unwrap().contains("Đã hướng dẫn đổi hàng"));
    assert_eq!(
        app.get("/api/v1/calls/callbacks", Some(&h))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Twice: 409; a follow-up call about an existing case links to it.
    let again = app
        .patch_json(&format!("/api/v1/calls/{bid}"), &h, &json!({"callback_done": true}))
        .await;
    assert_eq!(again.status, 409);
    let case = app.open_case(&op, &dispute()).await;
    let follow = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912000111", "started_at": at(40), "outcome": "advised", "note": "Hỏi tình trạng hồ sơ", "case_id": case["id"]}),
        )
        .await;
    assert_eq!(follow.status, 201, "{}", follow.body);
    assert_eq!(follow.body["case_id"], case["id"]);
    let hidden_case = app
        .post(
            "/api/v1/calls",
            Some(&other),
            &json!({"caller_phone": "0912000111", "started_at": at(40), "outcome": "advised", "case_id": case["id"]}),
        )
        .await;
    assert_eq!(hidden_case.status, 422, "another agency's case is not a hint");
    // Completed afterwards: the end time of the first call.
    let aid = a.body["id"].as_str().unwrap();
    let ended = app
        .patch_json(&format!("/api/v1/calls/{aid}"), &op, &json!({"ended_at": at(7)}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert!(ended.body["ended_at"].is_string());
    app.state.clock.reset();
}
both_backends!(callbacks_are_tasks_with_an_owner_a_due_time_and_a_reminder);

async fn a_note_and_a_correction_are_events_without_a_change_of_state(app: &TestApp) {
    let (_, op) = app.user("op.fix", "operator", Some("SCT")).await;
    let mut body = dispute();
    body["business"] = json!({"name": "Cửa hàng Bình Mình"});
    let case = app.open_case(&op, &body).await;
    let id = case["id"].as_str().unwrap().to_owned();
    let status = case["status"].clone();
    let noted = app
        .act_ok(
            &op,
            &case,
            "add_note",
            json!({"text": "Người gọi sẽ gửi hóa đơn qua Zalo"}),
        )
        .await;
    assert_eq!(noted["status"], status);
    assert_eq!(noted["version"], case["version"].as_i64().unwrap() + 1);
    // A correction needs a field and a reason; a wrong phone is refused beside its field.
    let r = app
        .act(&op, &noted, "correct_data", json!({"reason": "ghi nhầm"}))
        .await;
    assert_eq!(r.status, 422);
    let r = app
        .act(
            &op,
            &noted,
            "correct_data",
            json!({"consumer_phone": "12", "reason": "ghi nhầm"}),
        )
        .await;
    assert_eq!(r.body["field"], "consumer_phone");
    let fixed = app
        .act_ok(
            &op,
            &noted,
            "correct_data",
            json!({"consumer_phone": "0977 888 999", "business_name": "Cửa hàng Bình Minh", "reason": "Ghi nhầm khi nghe điện thoại"}),
        )
        .await;
    assert_eq!(fixed["consumer"]["phone"], "0977888999");
    assert_eq!(fixed["business"]["name"], "Cửa hàng Bình Minh");
    // The search finds it by the corrected phone and name; the history has the fields, not the phone.
    let found = app.get("/api/v1/cases?q=0977888999", Some(&op)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{}", found.body);
    let found = app.get("/api/v1/cases?q=binh%20minh", Some(&op)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{}", found.body);
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&op)).await;
    let last = events.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "correct_data");
    assert!(!last.to_string().contains("0977888999"), "{last}");
    assert_eq!(
        last["data"]["correction"]["fields"],
        json!(["consumer_phone", "business_name"])
    );
    let public = app.get(&format!("/api/v1/cases/{id}/events"), Some(&op)).await;
    assert!(
        public.body.to_string().contains("Zalo"),
        "the note is in the staff history"
    );
    // The console's search posts the words (a phone number never goes in the address or the
    // page's title, ui.md rule 6) and finds the case.
    let s = session_of(app, "op.fix").await;
    let queue = get(app, "/console/", Some(&s)).await;
    assert!(
        queue.html.contains("method=\"post\" action=\"/console/search\""),
        "{}",
        queue.html
    );
    let cookie = format!("hotline_console={s}");
    let found = post(app, "/console/search", &cookie, &[("q", "0977 888 999")]).await;
    assert_eq!(found.status, 200, "{}", found.html);
    assert!(found.html.contains(&format!("/console/cases/{id}")), "{}", found.html);
    let title = &found.html[found.html.find("<title>").unwrap()..found.html.find("</title>").unwrap()];
    assert!(!title.contains("0977") && !title.contains("888"), "{title}");
    assert!(title.contains("Kết quả tìm kiếm"), "{title}");
    let empty = post(app, "/console/search", &cookie, &[("q", "  ")]).await;
    assert_eq!((empty.status, empty.location.as_str()), (303, "/console/"));
}
both_backends!(a_note_and_a_correction_are_events_without_a_change_of_state);

async fn the_supervisor_sees_the_day_and_opens_a_report_from_a_cluster(app: &TestApp) {
    let (_, op) = app.user("op.dash", "operator", Some("SCT")).await;
    app.user("sup.dash", "supervisor", Some("SCT")).await;
    app.user("h.dash", "handler", Some("SCT")).await;
    let r = app
        .post("/api/v1/calls", Some(&op), &json!({"caller_phone": "0912 555 000", "started_at": app.state.clock.now().to_rfc3339(), "outcome": "advised"}))
        .await;
    assert_eq!(r.status, 201);
    let min = app.state.settings.intake.cluster_min_consumers;
    for i in 0..min {
        let mut c = dispute();
        c["business"] = json!({"name": "Siêu thị Mặt Trời"});
        c["consumer"]["phone"] = json!(format!("0914{:06}", i));
        app.open_case(&op, &c).await;
    }
    // A handler has no dashboard.
    let h = session_of(app, "h.dash").await;
    assert!(!get(app, "/console/", Some(&h))
        .await
        .html
        .contains("/console/dashboard"));
    assert_eq!(get(app, "/console/dashboard", Some(&h)).await.status, 403);
    let s = session_of(app, "sup.dash").await;
    let d = get(app, "/console/dashboard", Some(&s)).await;
    assert_eq!(d.status, 200, "{}", d.html);
    assert!(
        d.html.contains("Siêu thị Mặt Trời") && d.html.contains("đã tư vấn"),
        "{}",
        d.html
    );
    assert!(
        d.html.contains(&format!("<dt>Hồ sơ mới</dt><dd>{min}</dd>")),
        "{}",
        d.html
    );
    let csrf = hidden(&d.html, "csrf");
    let action = {
        let i = d.html.find("/console/clusters/").unwrap();
        d.html[i..i + d.html[i..].find('"').unwrap()].to_owned()
    };
    let opened = post(app, &action, &format!("hotline_console={s}"), &[("csrf", &csrf)]).await;
    assert_eq!(opened.status, 303, "{}", opened.html);
    let case = get(app, &opened.location, Some(&s)).await;
    assert!(case.html.contains("Phản ánh vi phạm"), "{}", case.html);
    let again = get(app, "/console/dashboard", Some(&s)).await;
    assert!(again.html.contains("Đã lập phiếu phản ánh vi phạm"));

    // The dashboard's counts take the filters of open cases in a pass of their own (ADR 0047):
    // each count equals the count of its filter alone, with a closed case among them.
    use hotline::db::cases::{count, counts, Scope};
    use hotline::domain::search::ListFilter;
    let first = app.get("/api/v1/cases?kind=dispute&limit=1", Some(&op)).await;
    let first = app
        .get(
            &format!("/api/v1/cases/{}", first.body["items"][0]["id"].as_str().unwrap()),
            Some(&op),
        )
        .await;
    app.act_ok(&op, &first.body, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
        .await;
    let open = ListFilter {
        open_only: true,
        ..ListFilter::default()
    };
    let filters = vec![
        ListFilter {
            created_from: Some(app.state.clock.now().naive_utc() - chrono::TimeDelta::days(1)),
            ..ListFilter::default()
        },
        open.clone(),
        ListFilter {
            unassigned: true,
            ..open.clone()
        },
        ListFilter::default(),
        ListFilter {
            kind: Some("violation_report".into()),
            ..open
        },
    ];
    let (together, one_by_one) = app
        .state
        .db
        .run(move |c| {
            let together = counts(c, &Scope::All, &filters)?;
            let one: Vec<i64> = filters
                .iter()
                .map(|f| count(c, &Scope::All, f))
                .collect::<Result<_, _>>()?;
            Ok((together, one))
        })
        .await
        .unwrap();
    assert_eq!(together, one_by_one);
    assert_eq!(together[3], min + 1, "every case, the withdrawn one too");
    assert_eq!(together[1], min, "the open ones");
    assert_eq!(together[4], 1, "the open report");
}
both_backends!(the_supervisor_sees_the_day_and_opens_a_report_from_a_cluster);

async fn evidence_is_added_from_the_case_page(app: &TestApp) {
    use crate::citizen_evidence::{multipart, JPEG};
    let (_, op) = app.user("op.ev", "operator", Some("SCT")).await;
    app.user("h.ev", "handler", Some("SCT")).await;
    let case = app.open_case(&op, &dispute()).await;
    let id = case["id"].as_str().unwrap().to_owned();
    let s = session_of(app, "h.ev").await;
    let page = get(app, &format!("/console/cases/{id}"), Some(&s)).await;
    let csrf = hidden(&page.html, "csrf");
    let send = |fields: Vec<(&'static str, String)>, files: bool| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let parts: Vec<crate::citizen_evidence::Part> = if files {
            vec![("file", "hoa-don.jpg", JPEG)]
        } else {
            vec![]
        };
        multipart(&fields, &parts)
    };
    let url = app.url(&format!("/console/cases/{id}/evidence"));
    let cookie = format!("hotline_console={s}");
    let post_mp = |(ct, body): (String, Vec<u8>)| {
        let url = url.clone();
        let cookie = cookie.clone();
        async move {
            read(
                client()
                    .post(url)
                    .insert_header(("Cookie", cookie))
                    .insert_header(("Content-Type", ct))
                    .send_body(body)
                    .await
                    .unwrap(),
            )
            .await
        }
    };
    // Without the form's token first: refused, nothing stored.
    assert_eq!(post_mp(send(vec![], true)).await.status, 403);
    // No file chosen: the page says so beside the field.
    let none = post_mp(send(vec![("csrf", csrf.clone())], false)).await;
    assert_eq!(none.status, 422);
    assert!(none.html.contains("Hãy chọn ít nhất một tệp"), "{}", none.html);
    let ok = post_mp(send(vec![("csrf", csrf.clone())], true)).await;
    assert_eq!(ok.status, 303, "{}", ok.html);
    let after = get(app, &format!("/console/cases/{id}?done=evidence"), Some(&s)).await;
    assert!(after.html.contains("Đã thực hiện: Thêm tài liệu") && after.html.contains("hoa-don.jpg"));
    let href = {
        let i = after.html.find(&format!("/console/cases/{id}/evidence/")).unwrap();
        after.html[i..i + after.html[i..].find('"').unwrap()].to_owned()
    };
    let file = get(app, &href, Some(&s)).await;
    assert_eq!(file.status, 200);
    assert_eq!(file.raw, JPEG);
}
both_backends!(evidence_is_added_from_the_case_page);

/// The case page's history shows what each step recorded, in words: where it was routed, what
/// was asked and what the consumer sent, the internal note, the ground and explanation of a
/// refusal — a handler reads the case there, not through the API.
async fn the_history_shows_what_each_step_recorded(app: &TestApp) {
    let (_, h) = app.user("h.hist", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "request_info",
            json!({"requested": "Hóa đơn mua hàng <bản chụp>"}),
        )
        .await;
    let c = app
        .act_ok(
            &h,
            &c,
            "provide_info",
            json!({"info": "Người tiêu dùng đọc số hóa đơn 0042 qua điện thoại."}),
        )
        .await;
    let c = app
        .act_ok(
            &h,
            &c,
            "add_note",
            json!({"text": "Đã gọi cửa hàng, chưa ai nghe máy.", "note": "Gọi lại chiều nay."}),
        )
        .await;
    app.act_ok(
        &h,
        &c,
        "refuse",
        json!({"ground": "outside_remit", "explanation": "Việc này thuộc Sở Y tế."}),
    )
    .await;
    let s = session_of(app, "h.hist").await;
    let page = get(app, &format!("/console/cases/{}", c["id"].as_str().unwrap()), Some(&s)).await;
    assert_eq!(page.status, 200);
    for (label, value) in [
        ("Cơ quan xử lý", "Sở Công Thương (SCT)"),
        ("Thông tin cần bổ sung", "Hóa đơn mua hàng &#60;bản chụp&#62;"),
        (
            "Thông tin bổ sung",
            "Người tiêu dùng đọc số hóa đơn 0042 qua điện thoại.",
        ),
        ("Ghi chú", "Đã gọi cửa hàng, chưa ai nghe máy."),
        ("Ghi chú nội bộ", "Gọi lại chiều nay."),
        ("Căn cứ từ chối (Điều 58)", "Không thuộc thẩm quyền"),
        ("Giải thích cho người khiếu nại", "Việc này thuộc Sở Y tế."),
    ] {
        let pair = format!("<dt>{label}</dt><dd>{value}</dd>");
        assert!(page.html.contains(&pair), "{pair} in:\n{}", page.html);
    }
    assert!(!page.html.contains("<dd>outside_remit</dd>"), "coded values in words");
}
both_backends!(the_history_shows_what_each_step_recorded);
