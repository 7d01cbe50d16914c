use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, TestApp, PASSWORD};

async fn login_me_logout(app: &TestApp) {
    let (id, token) = app.user("hanh.op", "operator", Some("SCT")).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["id"], id.as_str());
    assert_eq!(me.body["role"], "operator");
    assert_eq!(me.body["agency"], "SCT");

    let bad = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "hanh.op", "password": "wrong password"}),
        )
        .await;
    assert_problem(&bad, 401, "invalid_credentials");
    let nobody = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "nobody", "password": PASSWORD}),
        )
        .await;
    assert_problem(&nobody, 401, "invalid_credentials");

    assert_problem(&app.get("/api/v1/me", None).await, 401, "unauthenticated");
    assert_problem(
        &app.get("/api/v1/me", Some("not-a-token")).await,
        401,
        "unauthenticated",
    );
    assert_problem(&app.get("/api/v1/cases", None).await, 401, "unauthenticated");

    let out = app.post("/api/v1/auth/logout", Some(&token), &json!({})).await;
    assert_eq!(out.status, 204);
    assert_problem(&app.get("/api/v1/me", Some(&token)).await, 401, "unauthenticated");
}
both_backends!(login_me_logout);

async fn only_admins_manage_users_and_input_is_checked(app: &TestApp) {
    let (_, op) = app.user("op.a", "operator", Some("SCT")).await;
    let r = app
        .post(
            "/api/v1/admin/users",
            Some(&op),
            &json!({"username": "x.y", "role": "handler", "agency": "SCT", "password": PASSWORD}),
        )
        .await;
    assert_problem(&r, 403, "forbidden");
    let dup = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "op.a", "role": "handler", "agency": "SCT", "password": PASSWORD}),
        )
        .await;
    assert_problem(&dup, 409, "username_taken");
    let no_agency = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "h.b", "role": "handler", "password": PASSWORD}),
        )
        .await;
    assert_problem(&no_agency, 422, "required");
    let bad_agency = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "h.c", "role": "handler", "agency": "XYZ", "password": PASSWORD}),
        )
        .await;
    assert_problem(&bad_agency, 422, "invalid_field");
    let bad_role = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "h.d", "role": "king", "agency": "SCT", "password": PASSWORD}),
        )
        .await;
    assert_problem(&bad_role, 422, "invalid_field");
    let list = app.get("/api/v1/admin/users", Some(&app.admin_token)).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.as_array().unwrap().len(), 2);
}
both_backends!(only_admins_manage_users_and_input_is_checked);

/// Password checks run off the database pool and at most `auth.max_concurrent_logins` at once:
/// a burst of logins gets 200 or a fast 503 with `Retry-After`, never 500, and signed-in users
/// are served meanwhile.
async fn a_login_burst_is_bounded_and_does_not_starve_others(backend: crate::common::Backend) {
    let Some(app) = crate::helpers::spawn_app_with(backend, |s| s.auth.max_concurrent_logins = 1).await else {
        return;
    };
    app.user("burst.user", "operator", Some("SCT")).await;
    let body = json!({"username": "burst.user", "password": crate::helpers::PASSWORD});
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/v1/auth/login");
        let body = body.clone();
        tasks.push(actix_web::rt::spawn(async move {
            let mut r = client.post(url).send_json(&body).await.unwrap();
            let retry = r.headers().get("retry-after").is_some();
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            (r.status().as_u16(), retry, v)
        }));
    }
    let me = app.get("/api/v1/me", Some(&app.admin_token)).await;
    assert_eq!(me.status, 200, "a signed-in user is served during the burst");
    let (mut ok, mut busy) = (0, 0);
    for t in tasks {
        let (status, retry, v) = t.await.unwrap();
        match status {
            200 => ok += 1,
            503 => {
                assert!(retry, "503 without Retry-After");
                assert_eq!(v["code"], "unavailable");
                busy += 1;
            }
            other => panic!("a login answered {other}: {v}"),
        }
    }
    assert!(ok >= 1, "some logins succeed ({ok} ok, {busy} busy)");
    assert!(!app.login("burst.user", crate::helpers::PASSWORD).await.is_empty());
}

#[actix_web::test]
async fn a_login_burst_is_bounded_sqlite() {
    a_login_burst_is_bounded_and_does_not_starve_others(crate::common::Backend::Sqlite).await;
}

#[actix_web::test]
async fn a_login_burst_is_bounded_postgres() {
    a_login_burst_is_bounded_and_does_not_starve_others(crate::common::Backend::Postgres).await;
}

/// A user changes their own password: the current one is checked, the policy applies, and
/// every other session ends while the one making the change stays.
async fn a_password_change_checks_the_policy_and_ends_other_sessions(app: &TestApp) {
    let (_, token) = app.user("doi.matkhau", "handler", Some("SCT")).await;
    let other = app.login("doi.matkhau", PASSWORD).await;
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    for (body, field) in [
        (change("wrong password!", "Một-mật-khẩu-mới-2026"), "current_password"),
        (change(PASSWORD, "short"), "new_password"),
        (change(PASSWORD, "xx-doi.matkhau-xx"), "new_password"),
        (change(PASSWORD, "MatKhau12345"), "new_password"),
        (change(PASSWORD, PASSWORD), "new_password"),
    ] {
        let r = app.post("/api/v1/auth/password", Some(&token), &body).await;
        assert_problem(&r, 422, "invalid_field");
        assert_eq!(r.body["field"], field, "{body}: {}", r.body);
        assert!(!r.body.to_string().contains("doi.matkhau-xx"), "no echo: {}", r.body);
    }
    assert_eq!(
        app.get("/api/v1/me", Some(&other)).await.status,
        200,
        "nothing changed yet"
    );
    let r = app
        .post(
            "/api/v1/auth/password",
            Some(&token),
            &change(PASSWORD, "Một-mật-khẩu-mới-2026"),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(
        app.get("/api/v1/me", Some(&token)).await.status,
        200,
        "this session stays"
    );
    assert_problem(&app.get("/api/v1/me", Some(&other)).await, 401, "unauthenticated");
    let old = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "doi.matkhau", "password": PASSWORD}),
        )
        .await;
    assert_problem(&old, 401, "invalid_credentials");
    assert!(!app.login("doi.matkhau", "Một-mật-khẩu-mới-2026").await.is_empty());
    let anonymous = app.post("/api/v1/auth/password", None, &change(PASSWORD, "x")).await;
    assert_problem(&anonymous, 401, "unauthenticated");
}
both_backends!(a_password_change_checks_the_policy_and_ends_other_sessions);

/// An administrator deactivates, reactivates and changes an account; a deactivated user's
/// token answers 401 at once; the last active administrator stays.
async fn an_admin_deactivates_and_changes_accounts(app: &TestApp) {
    let (id, token) = app.user("nghi.viec", "handler", Some("SCT")).await;
    let patch = |id: &str, body: serde_json::Value, token: &str| {
        app.client
            .patch(app.url(&format!("/api/v1/admin/users/{id}")))
            .bearer_auth(token)
            .send_json(&body)
    };
    async fn read(
        r: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
        >,
    ) -> (u16, serde_json::Value) {
        let mut r = r;
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or_default())
    }
    let (s, _) = read(patch(&id, json!({"active": false}), &token).await.unwrap()).await;
    assert_eq!(s, 403, "only administrators change accounts");
    let (s, b) = read(patch(&id, json!({"active": false}), &app.admin_token).await.unwrap()).await;
    assert_eq!(s, 200, "{b}");
    assert_problem(&app.get("/api/v1/me", Some(&token)).await, 401, "unauthenticated");
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"username": "nghi.viec", "password": PASSWORD}),
        )
        .await;
    assert_problem(&login, 401, "invalid_credentials");
    let (s, b) = read(
        patch(
            &id,
            json!({"active": true, "role": "supervisor", "email": "nghi.viec@example.gov.vn"}),
            &app.admin_token,
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["role"], "supervisor");
    let token = app.login("nghi.viec", PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", Some(&token)).await.body["role"], "supervisor");
    for (body, code) in [
        (json!({"role": "emperor"}), "invalid_field"),
        (json!({"agency": "NOPE"}), "invalid_field"),
        (json!({"agency": ""}), "required"),
        (json!({"email": "not an address"}), "invalid_field"),
        (json!({"password": "x"}), "unknown_field"),
    ] {
        let (s, b) = read(patch(&id, body.clone(), &app.admin_token).await.unwrap()).await;
        assert_eq!((s, b["code"].as_str().unwrap()), (422, code), "{body}: {b}");
    }
    let (s, b) = read(patch(&id, json!({}), &app.admin_token).await.unwrap()).await;
    assert_eq!(
        (s, b["role"].as_str()),
        (200, Some("supervisor")),
        "an empty change changes nothing: {b}"
    );
    let (s, _) = read(
        patch("no-such-user", json!({"active": false}), &app.admin_token)
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, 404);
    // The bootstrap administrator is the only one: it cannot be deactivated or demoted.
    let me = app.get("/api/v1/me", Some(&app.admin_token)).await;
    let admin_id = me.body["id"].as_str().unwrap().to_owned();
    for body in [json!({"active": false}), json!({"role": "handler", "agency": "SCT"})] {
        let (s, b) = read(patch(&admin_id, body, &app.admin_token).await.unwrap()).await;
        assert_eq!((s, b["code"].as_str().unwrap()), (409, "last_admin"), "{b}");
    }
    assert_eq!(app.get("/api/v1/me", Some(&app.admin_token)).await.status, 200);
}
both_backends!(an_admin_deactivates_and_changes_accounts);
