use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

async fn calls_are_logged_and_can_open_a_case(app: &TestApp) {
    let (oid, op) = app.user("op.call", "operator", Some("SCT")).await;
    let (_, other) = app.user("op.qltt", "operator", Some("QLTT")).await;
    let advised = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "+84 912 345 678", "started_at": "2026-11-23T09:00:00+07:00", "ended_at": "2026-11-23T09:06:00+07:00",
                    "category": "ecommerce", "outcome": "advised", "note": "Hướng dẫn quyền đổi trả 7 ngày"}),
        )
        .await;
    assert_eq!(advised.status, 201, "{}", advised.body);
    assert_eq!(advised.body["caller_phone"], "0912345678");
    assert_eq!(advised.body["operator_id"], oid.as_str());
    assert!(advised.body["case_id"].is_null());

    let opened = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": "case_opened", "case": dispute()}),
        )
        .await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let case_id = opened.body["case_id"].as_str().unwrap();
    let case = app.case(&op, case_id).await;
    assert_eq!(case.body["call_id"], opened.body["id"]);
    assert_eq!(case.body["channel"], "hotline");

    let r = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": "case_opened"}),
        )
        .await;
    assert_problem(&r, 422, "required");
    let r = app
        .post("/api/v1/calls", Some(&op), &json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "ended_at": "2026-11-23T09:00:00+07:00", "outcome": "advised"}))
        .await;
    assert_problem(&r, 422, "invalid_field");
    let r = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": "hung_up"}),
        )
        .await;
    assert_problem(&r, 422, "invalid_enum");

    // A call logged first can open a case later (staff intake with call_id).
    let cb = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0987654321", "started_at": "2026-11-23T11:00:00+07:00", "outcome": "callback"}),
        )
        .await;
    let mut body = dispute();
    body["call_id"] = cb.body["id"].clone();
    let c = app.open_case(&op, &body).await;
    let call = app
        .get(&format!("/api/v1/calls/{}", cb.body["id"].as_str().unwrap()), Some(&op))
        .await;
    assert_eq!(call.body["case_id"], c["id"]);
    assert_eq!(call.body["outcome"], "case_opened");
    let again = app.post("/api/v1/cases", Some(&op), &body).await;
    assert_problem(&again, 409, "call_already_linked");

    let list = app.get("/api/v1/calls", Some(&op)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 3);
    let only = app.get("/api/v1/calls?outcome=advised", Some(&op)).await;
    assert_eq!(only.body["items"].as_array().unwrap().len(), 1);
    let theirs = app.get("/api/v1/calls", Some(&other)).await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 0);
    assert_problem(
        &app.get(
            &format!("/api/v1/calls/{}", advised.body["id"].as_str().unwrap()),
            Some(&other),
        )
        .await,
        404,
        "not_found",
    );
}
both_backends!(calls_are_logged_and_can_open_a_case);
