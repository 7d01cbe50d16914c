//! Abuse limits, links that authorize, account lifecycle and mail that cannot be abused
//! (docs/security.md). Each scenario failed before the security work and passes now.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::common::Backend;
use crate::helpers::{assert_problem, complaint, dispute, spawn_app_with, TestApp, PASSWORD};
use hotline::config::{Cidr, LimitRule};

fn rule(max: i64, lock_secs: i64) -> LimitRule {
    LimitRule {
        max,
        window_secs: 900,
        lock_secs,
        max_lock_secs: 3600,
    }
}

fn login_body(user: &str, pw: &str) -> Value {
    json!({"username": user, "password": pw})
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let r = app.get("/api/v1/admin/audit?limit=1000", Some(&app.admin_token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Three wrong passwords are allowed; the fourth locks the username: 429 with Retry-After,
/// even for the right password, until the lock ends (the lock doubles the next time).
async fn sign_in_locks_after_failures_even_for_the_right_password(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.limits.login_user = rule(3, 60)).await else {
        return;
    };
    app.user("khoa.op", "operator", Some("SCT")).await;
    for _ in 0..3 {
        let r = app
            .post("/api/v1/auth/login", None, &login_body("khoa.op", "wrong guess 123"))
            .await;
        assert_problem(&r, 401, "invalid_credentials");
    }
    let r = app
        .post("/api/v1/auth/login", None, &login_body("khoa.op", "wrong guess 123"))
        .await;
    assert_problem(&r, 429, "rate_limited");
    assert_eq!(r.retry_after.as_deref(), Some("60"));
    let r = app
        .post("/api/v1/auth/login", None, &login_body("KHOA.OP", PASSWORD))
        .await;
    assert_problem(&r, 429, "rate_limited");
    // Another user is not affected.
    app.user("lan.op", "operator", Some("SCT")).await;

    app.state.clock.advance(TimeDelta::seconds(61));
    let token = app.login("khoa.op", PASSWORD).await;
    assert!(!token.is_empty());
    // The success cleared the failures: three more wrong guesses are 401 again, then a longer lock.
    for _ in 0..3 {
        let r = app
            .post("/api/v1/auth/login", None, &login_body("khoa.op", "wrong again 456"))
            .await;
        assert_problem(&r, 401, "invalid_credentials");
    }
    let r = app
        .post("/api/v1/auth/login", None, &login_body("khoa.op", "wrong again 456"))
        .await;
    assert_problem(&r, 429, "rate_limited");
    assert_eq!(
        r.retry_after.as_deref(),
        Some("120"),
        "the second lock lasts twice as long"
    );

    let actions = audit_actions(&app).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "sign_in_failed").count(),
        8,
        "{actions:?}"
    );
    assert_eq!(actions.iter().filter(|a| *a == "locked").count(), 2, "{actions:?}");
    assert!(actions.iter().any(|a| a == "sign_in"));
    app.state.clock.reset();
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn sign_in_locks_after_failures_sqlite() {
    sign_in_locks_after_failures_even_for_the_right_password(Backend::Sqlite).await;
}
#[actix_web::test]
async fn sign_in_locks_after_failures_postgres() {
    sign_in_locks_after_failures_even_for_the_right_password(Backend::Postgres).await;
}

/// Guessing many usernames from one address locks the address; behind a trusted proxy the
/// address is the client's from `X-Forwarded-For`, so other clients are not locked out.
async fn the_client_address_is_limited_behind_a_trusted_proxy(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.limits.login_address = rule(2, 300);
        s.limits.trusted_proxies = vec![Cidr::parse("127.0.0.1").unwrap()];
    })
    .await
    else {
        return;
    };
    let from = |ip: &'static str| ("X-Forwarded-For", ip);
    for name in ["a.guess", "b.guess"] {
        let r = app
            .post_with_header(
                "/api/v1/auth/login",
                from("203.0.113.7"),
                &login_body(name, "pw guess 1234"),
            )
            .await;
        assert_problem(&r, 401, "invalid_credentials");
    }
    let r = app
        .post_with_header(
            "/api/v1/auth/login",
            from("203.0.113.7"),
            &login_body("c.guess", "pw guess 1234"),
        )
        .await;
    assert_problem(&r, 429, "rate_limited");
    // A spoofed hop before the proxy's entry does not help: the nearest untrusted hop counts.
    let r = app
        .post_with_header(
            "/api/v1/auth/login",
            ("X-Forwarded-For", "198.51.100.1, 203.0.113.7"),
            &login_body("d.guess", "pw guess 1234"),
        )
        .await;
    assert_problem(&r, 429, "rate_limited");
    // Another citizen behind the same proxy is served.
    let r = app
        .post_with_header(
            "/api/v1/auth/login",
            from("203.0.113.8"),
            &login_body("e.guess", "pw guess 1234"),
        )
        .await;
    assert_problem(&r, 401, "invalid_credentials");
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn the_client_address_is_limited_behind_a_trusted_proxy_sqlite() {
    the_client_address_is_limited_behind_a_trusted_proxy(Backend::Sqlite).await;
}
#[actix_web::test]
async fn the_client_address_is_limited_behind_a_trusted_proxy_postgres() {
    the_client_address_is_limited_behind_a_trusted_proxy(Backend::Postgres).await;
}

/// Wrong phone digits lock the tracking code (429 even with the right digits), the
/// supervisors of the case's agency are told, and the admin outbox does not show the code.
async fn status_lookups_lock_the_code_and_tell_supervisors(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.limits.status_code = rule(3, 900)).await else {
        return;
    };
    let sup = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "truong.phong", "role": "supervisor", "agency": "SCT", "password": PASSWORD, "email": "truong.phong@sct.example.gov.vn"}),
        )
        .await;
    assert_eq!(sup.status, 201, "{}", sup.body);
    let s = app.submit(&complaint("Mua nồi cơm điện bị hỏng sau 3 ngày.")).await;
    assert_eq!(s.status, 201, "{}", s.body);
    let code = s.body["tracking_code"].as_str().unwrap().to_owned();
    let url = |digits: &str| format!("/api/v1/public/complaints/{code}?phone_last4={digits}");
    assert_eq!(app.get(&url("5678"), None).await.status, 200);
    for wrong in ["0000", "1111", "2222"] {
        assert_problem(&app.get(&url(wrong), None).await, 404, "not_found");
    }
    let r = app.get(&url("3333"), None).await;
    assert_problem(&r, 429, "rate_limited");
    assert!(r.retry_after.is_some());
    assert_problem(&app.get(&url("5678"), None).await, 429, "rate_limited");
    // A lowercase or spaced code is the same code.
    let r = app
        .get(
            &format!("/api/v1/public/complaints/{}?phone_last4=5678", code.to_lowercase()),
            None,
        )
        .await;
    assert_problem(&r, 429, "rate_limited");
    // The private link still works.
    let link = s.body["private_url"].as_str().unwrap();
    assert_eq!(app.get(link, None).await.status, 200);

    app.worker.drain().await.unwrap();
    let alerts: Vec<_> = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| m.to.contains("truong.phong") && m.subject.contains("bị khóa"))
        .collect();
    assert_eq!(alerts.len(), 1, "one alert to the supervisor");
    assert!(alerts[0].text.contains(&code));
    let out = app.get("/api/v1/admin/outbox", Some(&app.admin_token)).await;
    assert_eq!(out.status, 200);
    assert!(
        !out.body.to_string().contains(&code),
        "the outbox hands out no tracking code: {}",
        out.body
    );
    assert!(audit_actions(&app).await.contains(&"status_code_locked".to_owned()));

    app.state.clock.advance(TimeDelta::seconds(901));
    assert_eq!(app.get(&url("5678"), None).await.status, 200);
    app.state.clock.reset();
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn status_lookups_lock_the_code_sqlite() {
    status_lookups_lock_the_code_and_tell_supervisors(Backend::Sqlite).await;
}
#[actix_web::test]
async fn status_lookups_lock_the_code_postgres() {
    status_lookups_lock_the_code_and_tell_supervisors(Backend::Postgres).await;
}

/// The public form takes a bounded number of complaints per address; the refused one creates
/// nothing. Acknowledgments to one address are capped per day, and greet no submitted name.
async fn the_web_form_is_limited_and_sends_no_strangers_text(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| {
        s.limits.form_address = rule(3, 600);
        s.limits.mail_per_recipient_per_day = 2;
    })
    .await
    else {
        return;
    };
    let mut phish = complaint("Khiếu nại về đơn hàng giao thiếu.");
    phish["consumer"]["name"] = json!("TRÚNG THƯỞNG 100 TRIỆU http://phish.example");
    phish["consumer"]["email"] = json!("victim@example.org");
    let keyed = ("Idempotency-Key", "lost-answer-1");
    let first = app.post_with_header("/api/v1/public/complaints", keyed, &phish).await;
    assert_eq!(first.status, 201);
    for _ in 0..2 {
        assert_eq!(app.submit(&phish).await.status, 201);
    }
    let r = app.submit(&phish).await;
    assert_problem(&r, 429, "rate_limited");
    // A citizen whose answer was lost sends the same request again: over the limit it waits
    // like any request (a repeat writes a new private link), then gets its tracking code back
    // and nothing new is filed.
    let again = app.post_with_header("/api/v1/public/complaints", keyed, &phish).await;
    assert_problem(&again, 429, "rate_limited");
    app.state.clock.advance(TimeDelta::seconds(601));
    let again = app.post_with_header("/api/v1/public/complaints", keyed, &phish).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["tracking_code"], first.body["tracking_code"]);
    app.state.clock.reset();
    let (_, coord) = app.user("dieu.phoi", "coordinator", Some("SCT")).await;
    let list = app.get("/api/v1/cases?limit=50", Some(&coord)).await;
    assert_eq!(
        list.body["items"].as_array().unwrap().len(),
        3,
        "the refused complaint created nothing"
    );

    app.worker.drain().await.unwrap();
    let acks: Vec<_> = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| m.to.contains("victim@example.org"))
        .collect();
    assert_eq!(acks.len(), 2, "at most 2 messages a day to one address");
    for m in &acks {
        assert!(m.text.starts_with("Kính gửi Quý khách,"), "{}", m.text);
        for text in [&m.subject, &m.text, &m.html] {
            assert!(
                !text.contains("TRÚNG THƯỞNG") && !text.contains("phish.example"),
                "{text}"
            );
        }
        assert!(
            !m.subject.contains("KN-"),
            "no tracking code in the subject: {}",
            m.subject
        );
        // The link in the mail opens the complaint's page; its token opens the JSON twin too.
        let start = m.text.find("/t/").expect("a private link");
        let path: String = m.text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        let page = app.get(&path, None).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(String::from_utf8_lossy(&page.raw).contains("Tình trạng"));
        let token = path.trim_start_matches("/t/");
        assert_eq!(
            app.get(&format!("/api/v1/public/links/{token}"), None).await.status,
            200
        );
    }
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn the_web_form_is_limited_sqlite() {
    the_web_form_is_limited_and_sends_no_strangers_text(Backend::Sqlite).await;
}
#[actix_web::test]
async fn the_web_form_is_limited_postgres() {
    the_web_form_is_limited_and_sends_no_strangers_text(Backend::Postgres).await;
}

/// The private link opens one complaint; a changed token, the tracking code in its place, or
/// a token of the business's audience do not. Misses from one address are limited.
async fn private_links_authorize_and_codes_do_not(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |s| s.limits.link_address = rule(3, 600)).await else {
        return;
    };
    let s = app.submit(&complaint("Điện thoại mua online bị lỗi màn hình.")).await;
    let link = s.body["private_url"].as_str().unwrap().to_owned();
    let page = app.get(&link, None).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body["tracking_code"], s.body["tracking_code"]);
    let text = String::from_utf8_lossy(&page.raw);
    assert!(
        !text.contains("912345678") && !text.contains("345 678"),
        "no phone on the page"
    );
    let mut other = link.clone();
    let last = other.pop().unwrap();
    other.push(if last == 'A' { 'B' } else { 'A' });
    assert_problem(&app.get(&other, None).await, 404, "not_found");
    let code = s.body["tracking_code"].as_str().unwrap();
    assert_problem(
        &app.get(&format!("/api/v1/public/links/{code}"), None).await,
        404,
        "not_found",
    );
    let token = link.rsplit('/').next().unwrap();
    assert_problem(
        &app.get(&format!("/api/v1/business/cases/{token}"), None).await,
        404,
        "not_found",
    );
    let r = app.get(&other, None).await;
    assert_problem(&r, 429, "rate_limited");
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn private_links_authorize_sqlite() {
    private_links_authorize_and_codes_do_not(Backend::Sqlite).await;
}
#[actix_web::test]
async fn private_links_authorize_postgres() {
    private_links_authorize_and_codes_do_not(Backend::Postgres).await;
}

/// The forwarding e-mail carries the business's own link (never the consumer's, never the
/// tracking code); it shows the request and the deadlines, no contact data of the consumer,
/// and ends when the case leaves negotiation.
async fn the_business_gets_its_own_link_until_negotiation_ends(app: &TestApp) {
    let (_, op) = app.user("op.b", "operator", Some("SCT")).await;
    let (_, h) = app.user("h.b", "handler", Some("SCT")).await;
    let c = app.open_case(&op, &dispute()).await;
    let c = app.act_ok(&op, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "forward_to_business",
            json!({"business_email": "cskh@dienmay.example"}),
        )
        .await;
    app.worker.drain().await.unwrap();
    let sent = app.state.mailer.memory_sent();
    let mail = sent
        .iter()
        .find(|m| m.to.contains("cskh@dienmay.example"))
        .expect("forwarding mail");
    let code = c["tracking_code"].as_str().unwrap();
    assert!(!mail.text.contains(code) && !mail.subject.contains(code) && !mail.html.contains(code));
    assert!(
        !mail.text.contains("/public/"),
        "never the consumer's link: {}",
        mail.text
    );
    let start = mail.text.find("/b/").expect("business link");
    let token: String = mail.text[start + 3..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let path = format!("/api/v1/business/cases/{token}");
    let view = app.get(&path, None).await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.body["consumer_request"], "Đề nghị hoàn lại tiền");
    let clocks: Vec<&str> = view.body["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["clock"].as_str().unwrap())
        .collect();
    assert!(clocks.contains(&"business_negotiation"), "{clocks:?}");
    let whole = view.body.to_string();
    for secret in ["912345678", "345 678", "hong.nguyen", "phố Huế", code] {
        assert!(!whole.contains(secret), "the business view leaks {secret}: {whole}");
    }
    app.act_ok(
        &h,
        &c,
        "record_negotiation_result",
        json!({"result": "failed", "reason": "Doanh nghiệp không đồng ý."}),
    )
    .await;
    assert_problem(&app.get(&path, None).await, 404, "not_found");
}
crate::both_backends!(the_business_gets_its_own_link_until_negotiation_ends);

/// A reset password must be changed before anything else; sessions can be listed and ended.
async fn reset_passwords_must_be_changed_and_sessions_can_be_revoked(app: &TestApp) {
    let (id, old_token) = app.user("thu.h", "handler", Some("SCT")).await;
    let r = app
        .post(
            &format!("/api/v1/admin/users/{id}/reset-password"),
            Some(&app.admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let temp = r.body["temporary_password"].as_str().unwrap().to_owned();
    assert_problem(&app.get("/api/v1/me", Some(&old_token)).await, 401, "unauthenticated");
    let login = app.post("/api/v1/auth/login", None, &login_body("thu.h", &temp)).await;
    assert_eq!(login.status, 200);
    assert_eq!(login.body["must_change_password"], true);
    let token = login.body["token"].as_str().unwrap().to_owned();
    assert_problem(
        &app.get("/api/v1/cases", Some(&token)).await,
        403,
        "password_change_required",
    );
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    let r = app
        .post(
            "/api/v1/auth/password",
            Some(&token),
            &json!({"current_password": temp, "new_password": "a fresh passphrase 2026"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(app.get("/api/v1/cases", Some(&token)).await.status, 200);

    let second = app.login("thu.h", "a fresh passphrase 2026").await;
    let list = app.get("/api/v1/auth/sessions", Some(&token)).await;
    assert_eq!(list.status, 200);
    let sessions = list.body.as_array().unwrap();
    assert_eq!(sessions.len(), 2, "{}", list.body);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap();
    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/auth/sessions/{}", other["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status().as_u16(), 204);
    assert_problem(&app.get("/api/v1/me", Some(&second)).await, 401, "unauthenticated");
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.status, 200);
    // Another user's session id is not found.
    let admin_sessions = app.get("/api/v1/auth/sessions", Some(&app.admin_token)).await;
    let admin_id = admin_sessions.body[0]["id"].as_str().unwrap().to_owned();
    let r = app
        .client
        .delete(app.url(&format!("/api/v1/auth/sessions/{admin_id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    // Only administrators read the audit log.
    assert_problem(&app.get("/api/v1/admin/audit", Some(&token)).await, 403, "forbidden");
    assert_eq!(
        app.post("/api/v1/auth/logout", Some(&token), &json!({})).await.status,
        204
    );
    let actions = audit_actions(app).await;
    for a in [
        "password_reset",
        "password_changed",
        "session_revoked",
        "user_created",
        "sign_in",
        "sign_out",
    ] {
        assert!(actions.contains(&a.to_owned()), "{a} missing from {actions:?}");
    }
}
crate::both_backends!(reset_passwords_must_be_changed_and_sessions_can_be_revoked);

/// A violation report opened by one agency from a cluster is neither shown to another agency
/// that sees its own cluster of the same business, nor in its way.
async fn another_agencys_cluster_report_is_not_shown_or_in_the_way(app: &TestApp) {
    let mut sups = Vec::new();
    for agency in ["SCT", "HOI"] {
        let lower = agency.to_lowercase();
        let (_, op) = app.user(&format!("op.{lower}"), "operator", Some(agency)).await;
        for i in 0..5 {
            let mut c = dispute();
            c["business"] = json!({"name": "Điện máy Sao Mai", "tax_code": "0312345678"});
            c["consumer"]["phone"] = json!(format!("0913{}{i:03}", if agency == "SCT" { "111" } else { "222" }));
            app.open_case(&op, &c).await;
        }
        sups.push(app.user(&format!("sup.{lower}"), "supervisor", Some(agency)).await.1);
    }
    let (sct, hoi) = (&sups[0], &sups[1]);
    let key = app.get("/api/v1/clusters", Some(sct)).await.body[0]["business_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/clusters/{key}/violation-report");
    let report = app.post(&path, Some(sct), &json!({})).await;
    assert_eq!(report.status, 201, "{}", report.body);
    let report_id = report.body["id"].as_str().unwrap();

    let seen = app.get("/api/v1/clusters", Some(hoi)).await.body;
    assert_eq!(seen[0]["consumers"], 5, "{seen}");
    assert!(seen[0]["report_case_id"].is_null(), "{seen}");
    assert!(!seen.to_string().contains(report_id));
    let own = app.post(&path, Some(hoi), &json!({})).await;
    assert_eq!(own.status, 201, "HOI opens its own report: {}", own.body);
    assert_ne!(own.body["id"], report.body["id"]);
    let again = app.post(&path, Some(hoi), &json!({})).await;
    assert_problem(&again, 409, "cluster_report_exists");
    assert_eq!(again.body["case_id"], own.body["id"]);
}
crate::both_backends!(another_agencys_cluster_report_is_not_shown_or_in_the_way);

/// Consumer data rights: a supervisor exports what is held about a consumer and anonymises it
/// where no legal hold applies (open cases are held); the sweep anonymises cases closed longer
/// than the retention period. Histories stay verifiable (checked after every test).
async fn consumer_data_is_exported_and_anonymised(app: &TestApp) {
    let (_, op) = app.user("op.pd", "operator", Some("SCT")).await;
    let (_, h) = app.user("h.pd", "handler", Some("SCT")).await;
    let (_, sup) = app.user("sup.pd", "supervisor", Some("SCT")).await;
    let (_, other_sup) = app.user("sup.pd.q", "supervisor", Some("QLTT")).await;
    let open = app.open_case(&op, &dispute()).await;
    let mut b = dispute();
    b["description"] = json!("Tôi là Nguyễn Thị Hồng, gọi 0912 345 678, máy giặt hỏng.");
    let closed = app.open_case(&op, &b).await;
    let closed = app.act_ok(&h, &closed, "route", json!({"agency": "SCT"})).await;
    let cid = closed["id"].as_str().unwrap().to_owned();
    let correction_texts = || {
        let mut conn = app.state.db.get_blocking().unwrap();
        hotline::db::cases::list_corrections(&mut conn)
            .unwrap()
            .into_iter()
            .filter(|c| c.case_id == cid)
            .map(|c| c.text)
            .collect::<Vec<_>>()
    };
    let learnt = correction_texts();
    assert_eq!(learnt.len(), 1, "the routing was learnt from");
    assert!(
        learnt[0].contains("máy giặt hỏng") && !learnt[0].contains("345 678"),
        "the router keeps no phone number: {learnt:?}"
    );
    // As a correction recorded by an earlier version kept it.
    app.sql(&format!(
        "UPDATE routing_corrections SET text = 'Gọi 0912 345 678, máy giặt hỏng.' WHERE case_id = '{cid}'"
    ));
    let closed = app
        .act_ok(&op, &closed, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
        .await;
    let call = json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": "advised", "note": "Khách hỏi về bảo hành"});
    assert_eq!(app.post("/api/v1/calls", Some(&op), &call).await.status, 201);

    let who = json!({"phone": "+84 912 345 678"});
    assert_problem(
        &app.post("/api/v1/consumers/export", Some(&h), &who).await,
        403,
        "forbidden",
    );
    let r = app.post("/api/v1/consumers/export", Some(&sup), &json!({})).await;
    assert_problem(&r, 422, "invalid_field");
    let export = app.post("/api/v1/consumers/export", Some(&sup), &who).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["cases"].as_array().unwrap().len(), 2);
    assert!(!export.body["cases"][0]["events"].as_array().unwrap().is_empty());
    assert_eq!(export.body["calls"].as_array().unwrap().len(), 1);
    let elsewhere = app.post("/api/v1/consumers/export", Some(&other_sup), &who).await;
    assert_eq!(
        elsewhere.body["cases"].as_array().unwrap().len(),
        0,
        "another agency sees none"
    );

    // Commune and province are free text on the form: an address and a phone typed there.
    app.sql(&format!(
        "UPDATE cases SET consumer_commune = 'Số 5 ngõ 10 Trần Phú, gọi 0912 345 678', \
         consumer_province = 'Hà Nội' WHERE id = '{}'",
        closed["id"].as_str().unwrap()
    ));
    // The product is typed freely too (ADR 0066).
    app.act_ok(
        &sup,
        &app.case(&sup, closed["id"].as_str().unwrap()).await.body,
        "correct_data",
        json!({"product": "Máy giặt LG, máy của chị Hồng 0912 345 678", "reason": "bổ sung"}),
    )
    .await;
    let erased = app.post("/api/v1/consumers/erase", Some(&sup), &who).await;
    assert_eq!(erased.status, 200, "{}", erased.body);
    assert_eq!(erased.body["anonymised"], json!([closed["id"]]));
    assert_eq!(erased.body["held"][0]["case_id"], open["id"]);
    assert_eq!(erased.body["held"][0]["reason"], "open");
    assert_eq!(erased.body["calls_anonymised"], 1);
    let gone = app.case(&sup, closed["id"].as_str().unwrap()).await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    let gone = gone.body;
    assert_eq!(gone["consumer"]["name"], "(đã ẩn danh)");
    assert_eq!(gone["consumer"]["phone"], "");
    assert!(gone["consumer"]["email"].is_null());
    let text = gone.to_string();
    assert!(
        !text.contains("0912 345 678") && !text.contains("hong.nguyen"),
        "{text}"
    );
    assert_eq!(gone["kind"], "dispute", "statistics stay");
    let product = gone["product"].as_str().unwrap();
    assert!(
        product.starts_with("Máy giặt LG, máy của chị") && !product.contains("Hồng"),
        "{product}"
    );
    assert_eq!(
        gone["product_key"].as_str().unwrap(),
        hotline::domain::values::Product::from_stored(product).unwrap().key()
    );
    let chain = app
        .get(
            &format!("/api/v1/cases/{}/events/verify", closed["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await;
    assert_eq!(chain.body["valid"], true, "{}", chain.body);
    let history = app
        .get(
            &format!("/api/v1/cases/{}/events", closed["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await
        .body
        .to_string();
    assert!(
        !history.contains("345 678") && !history.contains("chị Hồng"),
        "{history}"
    );
    assert_eq!(
        (
            gone["consumer"]["commune"].as_str(),
            gone["consumer"]["province"].as_str()
        ),
        (None, Some("Thành phố Hà Nội")),
        "only official place names stay"
    );
    let learnt = correction_texts();
    assert!(
        learnt.len() == 1 && !learnt[0].contains("345 678") && learnt[0].contains("máy giặt hỏng"),
        "erasure rewrites what the router learnt: {learnt:?}"
    );
    let kept = app.case(&sup, open["id"].as_str().unwrap()).await.body;
    assert_eq!(kept["consumer"]["phone"], "0912345678");
    let found = app.get("/api/v1/cases?q=0912345678", Some(&sup)).await.body;
    let ids: Vec<&str> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![open["id"].as_str().unwrap()],
        "the anonymised case is not found by phone"
    );
    let audit = app
        .get("/api/v1/admin/audit", Some(&app.admin_token))
        .await
        .body
        .to_string();
    assert!(audit.contains("consumer_data_exported") && audit.contains("consumer_data_erased"));
    assert!(!audit.contains("0912345678"), "the audit log names no consumer");

    // Retention: closed more than `privacy.retention_days` ago → anonymised by the sweep.
    let open = app.case(&op, open["id"].as_str().unwrap()).await.body;
    app.act_ok(&op, &open, "withdraw", json!({"reason": "Không cần nữa."}))
        .await;
    let days = i64::from(app.state.settings.privacy.retention_days);
    app.state.clock.advance(TimeDelta::days(days + 1));
    app.worker.schedule_sweep().await.unwrap();
    app.worker.drain().await.unwrap();
    let sup = app.login("sup.pd", PASSWORD).await; // five years later: a new session
    let aged = app.case(&sup, open["id"].as_str().unwrap()).await.body;
    assert_eq!(aged["consumer"]["name"], "(đã ẩn danh)");
    let evs = app
        .get(
            &format!("/api/v1/cases/{}/events", open["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await;
    assert!(evs.body.to_string().contains("consumer_data_anonymised"));
    app.state.clock.reset();
}
crate::both_backends!(consumer_data_is_exported_and_anonymised);

/// An API token acts for one agency within its scopes, cannot sign in, and stops at once when
/// revoked; only administrators manage tokens, and the token is shown once.
async fn api_tokens_act_for_one_agency_within_their_scopes(app: &TestApp) {
    let (_, h) = app.user("h.api", "handler", Some("SCT")).await;
    let body =
        json!({"name": "Tổng đài quốc gia 1800 6838", "agency": "SCT", "scopes": ["cases:create", "cases:read"]});
    assert_problem(
        &app.post("/api/v1/admin/api-tokens", Some(&h), &body).await,
        403,
        "forbidden",
    );
    let bad = json!({"name": "x", "agency": "SCT", "scopes": ["cases:delete"]});
    assert_problem(
        &app.post("/api/v1/admin/api-tokens", Some(&app.admin_token), &bad).await,
        422,
        "invalid_enum",
    );
    let created = app
        .post("/api/v1/admin/api-tokens", Some(&app.admin_token), &body)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hlt_"));
    let id = created.body["id"].as_str().unwrap().to_owned();

    // Within its scopes, as its agency.
    let c = app.open_case(&token, &dispute()).await;
    assert_eq!(c["current_agency"], "SCT");
    assert_eq!(app.case(&token, c["id"].as_str().unwrap()).await.status, 200);
    assert_eq!(
        app.case(&h, c["id"].as_str().unwrap()).await.status,
        200,
        "the agency sees it"
    );
    // Outside them: 403, whatever the role of its account would allow.
    assert_problem(
        &app.act(&token, &c, "route", json!({"agency": "SCT"})).await,
        403,
        "forbidden",
    );
    let call = json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": "advised"});
    assert_problem(&app.post("/api/v1/calls", Some(&token), &call).await, 403, "forbidden");
    assert_problem(&app.get("/api/v1/admin/users", Some(&token)).await, 403, "forbidden");
    // Its account cannot sign in.
    let me = app.get("/api/v1/me", Some(&token)).await.body;
    let r = app
        .post(
            "/api/v1/auth/login",
            None,
            &login_body(me["username"].as_str().unwrap(), "!api-token-service-account"),
        )
        .await;
    assert_problem(&r, 401, "invalid_credentials");

    let list = app.get("/api/v1/admin/api-tokens", Some(&app.admin_token)).await;
    assert_eq!(list.body[0]["name"], "Tổng đài quốc gia 1800 6838");
    assert!(list.body[0]["token"].is_null(), "the token is shown once");
    assert!(!list.body.to_string().contains(&token));
    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/admin/api-tokens/{id}")))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status().as_u16(), 204);
    assert_problem(&app.get("/api/v1/cases", Some(&token)).await, 401, "unauthenticated");
    let actions = audit_actions(app).await;
    assert!(actions.contains(&"api_token_created".to_owned()) && actions.contains(&"api_token_revoked".to_owned()));
}
crate::both_backends!(api_tokens_act_for_one_agency_within_their_scopes);

/// Two-step sign-in (TOTP) for supervisors, coordinators and administrators: set up, confirm,
/// then sign-in needs a code, each code works once; other roles cannot turn it on.
async fn supervisors_can_sign_in_with_two_steps(app: &TestApp) {
    use hotline::service::totp::current_code;
    let (_, h) = app.user("h.totp", "handler", Some("SCT")).await;
    assert_problem(
        &app.post("/api/v1/auth/totp/setup", Some(&h), &json!({})).await,
        403,
        "forbidden",
    );
    let (_, sup) = app.user("sup.totp", "supervisor", Some("SCT")).await;
    let setup = app.post("/api/v1/auth/totp/setup", Some(&sup), &json!({})).await;
    assert_eq!(setup.status, 200, "{}", setup.body);
    let secret = setup.body["secret"].as_str().unwrap().to_owned();
    assert!(setup.body["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Hotline:sup.totp?secret="));
    let now = || app.state.clock.now().timestamp();
    let r = app
        .post("/api/v1/auth/totp/enable", Some(&sup), &json!({"code": "000000"}))
        .await;
    assert_problem(&r, 422, "invalid_field");
    let code = current_code(&secret, now()).unwrap();
    assert_eq!(
        app.post("/api/v1/auth/totp/enable", Some(&sup), &json!({"code": code}))
            .await
            .status,
        204
    );

    let r = app
        .post("/api/v1/auth/login", None, &login_body("sup.totp", PASSWORD))
        .await;
    assert_problem(&r, 401, "totp_required");
    let wrong = json!({"username": "sup.totp", "password": PASSWORD, "totp": "123456"});
    assert_problem(
        &app.post("/api/v1/auth/login", None, &wrong).await,
        401,
        "invalid_credentials",
    );
    app.state.clock.advance(TimeDelta::seconds(30));
    let code = current_code(&secret, now()).unwrap();
    let right = json!({"username": "sup.totp", "password": PASSWORD, "totp": code});
    let ok = app.post("/api/v1/auth/login", None, &right).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_problem(
        &app.post("/api/v1/auth/login", None, &right).await,
        401,
        "invalid_credentials",
    );
    let token = ok.body["token"].as_str().unwrap().to_owned();

    app.state.clock.advance(TimeDelta::seconds(30));
    let code = current_code(&secret, now()).unwrap();
    assert_eq!(
        app.post("/api/v1/auth/totp/disable", Some(&token), &json!({"code": code}))
            .await
            .status,
        204
    );
    assert!(!app.login("sup.totp", PASSWORD).await.is_empty(), "one step again");
    let actions = audit_actions(app).await;
    assert!(actions.contains(&"totp_enabled".to_owned()) && actions.contains(&"totp_disabled".to_owned()));
    app.state.clock.reset();
}
crate::both_backends!(supervisors_can_sign_in_with_two_steps);
