//! Every transition of the state machine: each allowed one works, each other one is a 409
//! `invalid_transition` that changes nothing. The expected sets are written out here by hand
//! (not derived from the code under test).

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, local_noon, violation, TestApp};

const ALL: [&str; 26] = [
    "route",
    "advise",
    "accept",
    "refuse",
    "transfer",
    "accept_transfer",
    "decline_transfer",
    "forward_to_business",
    "record_negotiation_ended",
    "record_negotiation_result",
    "request_mediation",
    "appoint_mediator",
    "schedule_mediation_session",
    "record_mediation_result",
    "start_inspection",
    "record_inspection_result",
    "request_info",
    "provide_info",
    "withdraw",
    "mark_duplicate",
    "assign",
    "refer",
    "reopen",
    "reclassify",
    "add_note",
    "correct_data",
];

struct Ctx {
    sup: String,
    mediator_id: String,
    /// A handler of SCT, to give cases to.
    handler_id: String,
    other_case: String,
}

fn body(ctx: &Ctx, action: &str) -> Value {
    match action {
        "route" => {
            json!({"agency": "SCT", "public_message": "Hồ sơ đã được chuyển Sở Công Thương."})
        }
        "advise" => json!({"answer": "Đã hướng dẫn người tiêu dùng liên hệ trực tiếp cửa hàng."}),
        "accept" => json!({}),
        "refuse" => json!({"ground": "outside_remit", "explanation": "Không thuộc thẩm quyền."}),
        "transfer" => json!({"to_agency": "HOI", "reason": "Người tiêu dùng đề nghị Hội hỗ trợ."}),
        "accept_transfer" => json!({}),
        "decline_transfer" => json!({"reason": "Không thuộc phạm vi."}),
        "forward_to_business" => {
            json!({"business_email": "cskh@example.com", "message": "Đề nghị thương lượng."})
        }
        "record_negotiation_ended" => json!({"ended_on": "2026-11-20"}),
        "record_negotiation_result" => {
            json!({"result": "failed", "reason": "Doanh nghiệp không đồng ý."})
        }
        "request_mediation" => json!({"requested_by": "both", "reason": "Hai bên đề nghị hòa giải."}),
        "appoint_mediator" => json!({"mediator_id": ctx.mediator_id}),
        "assign" => json!({"assignee_id": ctx.handler_id}),
        "schedule_mediation_session" => {
            json!({"at": "2026-12-03T09:00:00+07:00", "place": "Trụ sở Hội BVQLNTD", "attendees": ["cskh@example.com"]})
        }
        "record_mediation_result" => {
            json!({"success": false, "failure_reason": "Các bên không thống nhất."})
        }
        "start_inspection" => json!({"plan": "Kiểm tra đột xuất."}),
        "record_inspection_result" => {
            json!({"violation_found": false, "findings": "Không phát hiện vi phạm."})
        }
        "request_info" => json!({"requested": "Hóa đơn mua hàng."}),
        "provide_info" => json!({"info": "Đã nộp hóa đơn."}),
        "withdraw" => json!({"reason": "Đã tự thỏa thuận."}),
        "mark_duplicate" => json!({"of_case_id": ctx.other_case}),
        "refer" => json!({"body": "Tòa án nhân dân khu vực 1", "reason": "Khởi kiện."}),
        "reopen" => json!({"reason": "Doanh nghiệp không thực hiện cam kết."}),
        "reclassify" => json!({"kind": "dispute", "category": "ecommerce"}),
        "add_note" => json!({"text": "Đã gọi điện xác minh."}),
        "correct_data" => {
            json!({"consumer_email": "dung.nguyen@example.com", "reason": "Người tiêu dùng báo e-mail mới."})
        }
        other => panic!("no body for {other}"),
    }
}

/// (name, allowed actions for a supervisor of the case's agency, status after each allowed action)
fn table() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        (
            "new",
            vec![
                ("add_note", "new"),
                ("correct_data", "new"),
                ("route", "routed"),
                ("advise", "closed"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
                ("reclassify", "new"),
            ],
        ),
        (
            "routed",
            vec![
                ("add_note", "routed"),
                ("correct_data", "routed"),
                ("accept", "accepted"),
                ("refuse", "closed"),
                ("transfer", "routed"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
                ("reclassify", "routed"),
            ],
        ),
        (
            // A question that reached an agency is answered there (advise), as at intake.
            "routed_consultation",
            vec![
                ("add_note", "routed"),
                ("correct_data", "routed"),
                ("advise", "closed"),
                ("accept", "accepted"),
                ("refuse", "closed"),
                ("transfer", "routed"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
                ("reclassify", "routed"),
            ],
        ),
        (
            "accepted_consultation",
            vec![
                ("assign", "accepted"),
                ("add_note", "accepted"),
                ("correct_data", "accepted"),
                ("advise", "closed"),
                ("refuse", "closed"),
                ("transfer", "accepted"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
                ("reclassify", "accepted"),
            ],
        ),
        (
            "accepted_dispute",
            vec![
                ("assign", "accepted"),
                ("add_note", "accepted"),
                ("correct_data", "accepted"),
                ("refuse", "closed"),
                ("transfer", "accepted"),
                ("forward_to_business", "negotiation"),
                ("request_mediation", "mediation"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
                ("reclassify", "accepted"),
            ],
        ),
        (
            "accepted_violation",
            vec![
                ("assign", "accepted"),
                ("add_note", "accepted"),
                ("correct_data", "accepted"),
                ("refuse", "closed"),
                ("transfer", "accepted"),
                ("start_inspection", "inspection"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
                ("reclassify", "accepted"),
            ],
        ),
        (
            "negotiation",
            vec![
                ("assign", "negotiation"),
                ("add_note", "negotiation"),
                ("correct_data", "negotiation"),
                ("record_negotiation_ended", "negotiation"),
                ("record_negotiation_result", "mediation"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
            ],
        ),
        (
            "mediation",
            vec![
                ("assign", "mediation"),
                ("add_note", "mediation"),
                ("correct_data", "mediation"),
                ("appoint_mediator", "mediation"),
                ("schedule_mediation_session", "mediation"),
                ("record_mediation_result", "closed"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
            ],
        ),
        (
            "inspection",
            vec![
                ("assign", "inspection"),
                ("add_note", "inspection"),
                ("correct_data", "inspection"),
                ("record_inspection_result", "closed"),
                ("request_info", "awaiting_info"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
            ],
        ),
        (
            "awaiting_info",
            vec![
                ("add_note", "awaiting_info"),
                ("correct_data", "awaiting_info"),
                ("refuse", "closed"),
                ("provide_info", "routed"),
                ("withdraw", "closed"),
                ("mark_duplicate", "closed"),
                ("refer", "closed"),
            ],
        ),
        (
            "closed",
            vec![("reopen", "routed"), ("add_note", "closed"), ("correct_data", "closed")],
        ),
    ]
}

/// A fresh case brought to the named state by the supervisor of SCT.
async fn case_in(app: &TestApp, ctx: &Ctx, state: &str) -> Value {
    let s = &ctx.sup;
    let base = if state == "accepted_violation" || state == "inspection" {
        violation()
    } else if state.ends_with("_consultation") {
        let mut q = dispute();
        q["kind"] = json!("consultation");
        q
    } else {
        dispute()
    };
    let mut c = app.open_case(s, &base).await;
    if state == "new" {
        return c;
    }
    c = app.act_ok(s, &c, "route", body(ctx, "route")).await;
    match state {
        "routed" | "routed_consultation" => return c,
        "awaiting_info" => return app.act_ok(s, &c, "request_info", body(ctx, "request_info")).await,
        "closed" => return app.act_ok(s, &c, "withdraw", body(ctx, "withdraw")).await,
        _ => {}
    }
    c = app.act_ok(s, &c, "accept", json!({})).await;
    match state {
        "accepted_dispute" | "accepted_violation" | "accepted_consultation" => return c,
        "inspection" => {
            return app
                .act_ok(s, &c, "start_inspection", body(ctx, "start_inspection"))
                .await
        }
        _ => {}
    }
    c = app
        .act_ok(s, &c, "forward_to_business", body(ctx, "forward_to_business"))
        .await;
    if state == "negotiation" {
        return c;
    }
    app.act_ok(
        s,
        &c,
        "record_negotiation_result",
        body(ctx, "record_negotiation_result"),
    )
    .await
}

async fn every_transition_is_allowed_or_refused_as_the_state_machine_says(app: &TestApp) {
    // A fixed day: the session scheduled below (3 December) must still be ahead.
    app.state.clock.set(local_noon("2026-12-01"));
    let (_, sup) = app.user("sup.sct", "supervisor", Some("SCT")).await;
    let (mediator_id, _) = app.listed_mediator("hoa.giai", "HOI", &[]).await;
    let (handler_id, _) = app.user("h.sct", "handler", Some("SCT")).await;
    let other = app.open_case(&sup, &dispute()).await;
    let ctx = Ctx {
        sup,
        mediator_id,
        handler_id,
        other_case: other["id"].as_str().unwrap().to_owned(),
    };
    for (state, allowed) in table() {
        let c = case_in(app, &ctx, state).await;
        let expected_status = state.split('_').next().unwrap();
        let expected_status = if state == "awaiting_info" {
            "awaiting_info"
        } else {
            expected_status
        };
        assert_eq!(c["status"], expected_status, "setup of {state}");
        let mut got: Vec<String> = c["allowed_actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        got.sort();
        let mut want: Vec<String> = allowed.iter().map(|(a, _)| a.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "allowed_actions in {state}");
        for action in ALL {
            match allowed.iter().find(|(a, _)| *a == action) {
                Some((_, after)) => {
                    let fresh = case_in(app, &ctx, state).await;
                    let r = app.act(&ctx.sup, &fresh, action, body(&ctx, action)).await;
                    assert_eq!(r.status, 200, "{action} from {state}: {}", r.body);
                    assert_eq!(r.body["status"], *after, "{action} from {state}");
                    assert_eq!(r.body["version"], fresh["version"].as_i64().unwrap() + 1);
                }
                None => {
                    let r = app.act(&ctx.sup, &c, action, body(&ctx, action)).await;
                    assert_problem(&r, 409, "invalid_transition");
                    assert!(r.body["allowed_actions"].is_array());
                    let now = app.case(&ctx.sup, c["id"].as_str().unwrap()).await;
                    assert_eq!(now.body["version"], c["version"], "a refused {action} changed the case");
                }
            }
        }
    }
}
both_backends!(every_transition_is_allowed_or_refused_as_the_state_machine_says);

async fn a_dispute_runs_negotiation_and_mediation_with_their_records(app: &TestApp) {
    // A fixed day: the session (3 December) ahead, the records' meetings past, their dates of
    // performance (1 December) not past.
    app.state.clock.set(local_noon("2026-12-01"));
    let (_, op) = app.user("op.1", "operator", Some("SCT")).await;
    let (_, h) = app.user("h.1", "handler", Some("SCT")).await;
    let (_, sup) = app.user("s.1", "supervisor", Some("SCT")).await;
    let (mid, med) = app.listed_mediator("m.1", "HOI", &[]).await;
    let c = app.open_case(&op, &dispute()).await;
    let c = app.act_ok(&op, &c, "route", json!({"agency": "SCT"})).await;
    assert!(
        c["due"]["due_date"].is_string(),
        "routing starts the acknowledge clock: {c}"
    );
    assert_eq!(c["due"]["clock"], "acknowledge");
    let r = app.act(&op, &c, "accept", json!({})).await;
    assert_problem(&r, 403, "forbidden");
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    assert!(c["assignee_id"].is_string());
    let c = app.act_ok(&h, &c, "forward_to_business", json!({})).await;

    // Settled needs the Art 60 record.
    let r = app
        .act(&h, &c, "record_negotiation_result", json!({"result": "settled"}))
        .await;
    assert_problem(&r, 422, "required");
    assert_eq!(r.body["field"], "record");
    let r = app
        .act(&h, &c, "record_negotiation_result", json!({"result": "settled", "record": {"parties": "A và B", "held_at": "2026-11-20T09:00:00+07:00", "place": "Sở Công Thương"}}))
        .await;
    assert_problem(&r, 422, "required");
    let c2 = app
        .act_ok(
            &h,
            &c,
            "record_negotiation_result",
            json!({"result": "no_answer", "reason": "Doanh nghiệp không trả lời."}),
        )
        .await;
    assert_eq!(c2["status"], "mediation");

    // The mediator sees nothing until appointed.
    assert_problem(&app.case(&med, c2["id"].as_str().unwrap()).await, 404, "not_found");
    let c3 = app
        .act_ok(&h, &c2, "appoint_mediator", json!({"mediator_id": mid}))
        .await;
    assert_eq!(app.case(&med, c3["id"].as_str().unwrap()).await.status, 200);
    // The appointed mediator schedules the session: invitations with an iCalendar file.
    let c3 = app
        .act_ok(
            &med,
            &c3,
            "schedule_mediation_session",
            json!({"at": "2026-12-03T09:00:00+07:00", "duration_minutes": 90, "place": "Trụ sở Hội BVQLNTD tỉnh", "attendees": ["cskh@example.com"]}),
        )
        .await;
    app.worker.drain().await.unwrap();
    let invites: Vec<_> = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| !m.attachments.is_empty())
        .collect();
    assert_eq!(invites.len(), 2, "consumer and business");
    let ics = String::from_utf8(invites[0].attachments[0].bytes.clone()).unwrap();
    assert!(
        ics.contains("BEGIN:VCALENDAR") && ics.contains("METHOD:REQUEST") && ics.contains("DTSTART:20261203T020000Z"),
        "{ics}"
    );
    assert!(invites[0].text.contains("09:00 ngày 03/12/2026"), "{}", invites[0].text);
    let mut record = json!({
        "mediator": "Hòa giải viên Lê Văn Minh, Hội BVQLNTD tỉnh",
        "parties": "Bà Nguyễn Thị Hồng; Cửa hàng Điện máy Ánh Dương",
        "held_at": "2026-11-25T14:00:00+07:00",
        "place": "Trụ sở Hội BVQLNTD tỉnh",
        "subject": "Máy giặt lỗi không được bảo hành",
        "parties_views": "Người tiêu dùng yêu cầu đổi máy; cửa hàng đề nghị sửa chữa",
        "result": "Cửa hàng đổi máy mới trong 5 ngày",
        "performance_deadline": "2026-12-01",
        "other_terms": "Không"
    });
    record.as_object_mut().unwrap().remove("subject");
    let r = app
        .act(
            &med,
            &c3,
            "record_mediation_result",
            json!({"success": true, "record": record}),
        )
        .await;
    assert_problem(&r, 422, "required");
    assert_eq!(r.body["field"], "record.subject");
    record["subject"] = json!("Máy giặt lỗi không được bảo hành");
    let done = app
        .act_ok(
            &med,
            &c3,
            "record_mediation_result",
            json!({"success": true, "record": record}),
        )
        .await;
    assert_eq!(done["status"], "closed");
    assert_eq!(done["outcome"], "settled_mediation");
    assert!(done["closed_at"].is_string());

    // Only a supervisor reopens; it returns to the state it closed from.
    assert_problem(
        &app.act(&h, &done, "reopen", json!({"reason": "x"})).await,
        403,
        "forbidden",
    );
    let back = app
        .act_ok(&sup, &done, "reopen", json!({"reason": "Cửa hàng không đổi máy."}))
        .await;
    assert_eq!(back["status"], "mediation");
    assert!(back["outcome"].is_null());
    // Work again: the agency's internal target runs afresh (the case has a due date in the
    // queues), the settlement's performance is no longer awaited.
    let id = back["id"].as_str().unwrap();
    let target = crate::followup::clock_of(app, &sup, id, "internal_target").await;
    assert_eq!(target["state"], "running", "{target}");
    let performance = crate::followup::clock_of(app, &sup, id, "settlement_performance").await;
    assert_eq!(performance["state"], "stopped", "{performance}");
    let listed = app
        .get(
            &format!("/api/v1/cases?q={}", back["tracking_code"].as_str().unwrap()),
            Some(&sup),
        )
        .await;
    assert!(listed.body["items"][0]["due_at"].is_string(), "{}", listed.body);
}
both_backends!(a_dispute_runs_negotiation_and_mediation_with_their_records);

async fn a_violation_report_ends_in_a_sanction_with_its_decision(app: &TestApp) {
    let (_, h) = app.user("h.q", "handler", Some("QLTT")).await;
    let c = app.open_case(&h, &violation()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "QLTT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    assert_problem(
        &app.act(&h, &c, "forward_to_business", json!({})).await,
        409,
        "invalid_transition",
    );
    let c = app.act_ok(&h, &c, "start_inspection", json!({})).await;
    let r = app
        .act(&h, &c, "record_inspection_result", json!({"violation_found": true}))
        .await;
    assert_problem(&r, 422, "required");
    let r = app
        .act(&h, &c, "record_inspection_result", json!({"violation_found": true, "sanction": {"decision_date": "2026-11-20", "issuing_body": "Chi cục QLTT", "fine_amount_vnd": 15000000, "violation": "Kinh doanh hàng không rõ nguồn gốc"}}))
        .await;
    assert_problem(&r, 422, "required");
    assert_eq!(r.body["field"], "sanction.decision_number");
    let done = app
        .act_ok(&h, &c, "record_inspection_result", json!({"violation_found": true, "sanction": {"decision_number": "123/QĐ-XPHC", "decision_date": "2026-11-20", "issuing_body": "Chi cục QLTT", "fine_amount_vnd": 15000000, "violation": "Kinh doanh hàng không rõ nguồn gốc"}}))
        .await;
    assert_eq!(done["outcome"], "sanctioned");
    // Refusal grounds are an enum.
    let c = app.open_case(&h, &violation()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "QLTT"})).await;
    let r = app
        .act(&h, &c, "refuse", json!({"ground": "because", "explanation": "x"}))
        .await;
    assert_problem(&r, 422, "invalid_enum");
    let r = app.act(&h, &c, "refuse", json!({"explanation": "x"})).await;
    assert_problem(&r, 422, "required");
    let r = app.act(&h, &c, "nonsense", json!({})).await;
    assert_problem(&r, 404, "not_found");
    let fresh = app.open_case(&h, &violation()).await;
    let r = app.act(&h, &fresh, "route", json!({"agency": "NOWHERE"})).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "agency");
    let r = app
        .post(
            &format!("/api/v1/cases/{}/actions/accept", c["id"].as_str().unwrap()),
            Some(&h),
            &json!({}),
        )
        .await;
    assert_problem(&r, 422, "required");
    assert_eq!(r.body["field"], "version");
}
both_backends!(a_violation_report_ends_in_a_sanction_with_its_decision);

async fn a_transfer_is_accepted_or_declined_by_the_target_agency(app: &TestApp) {
    let (_, sct) = app.user("h.sct", "handler", Some("SCT")).await;
    let (_, hoi) = app.user("h.hoi", "handler", Some("HOI")).await;
    let c = app.open_case(&sct, &dispute()).await;
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "SCT"})).await;
    assert_problem(&app.case(&hoi, c["id"].as_str().unwrap()).await, 404, "not_found");
    // A search by an agency's staff finds exactly what the agency may read (on PostgreSQL it
    // asks the tsvector for the agency, ADR 0041).
    let id = c["id"].as_str().unwrap().to_owned();
    let finds = |token: String| {
        let id = id.clone();
        async move {
            let r = app.get("/api/v1/cases?q=m%C3%A1y%20gi%E1%BA%B7t", Some(&token)).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.body.to_string().contains(&id)
        }
    };
    assert!(finds(sct.clone()).await);
    assert!(!finds(hoi.clone()).await);
    let c = app
        .act_ok(
            &sct,
            &c,
            "transfer",
            json!({"to_agency": "HOI", "reason": "NTD đề nghị Hội hỗ trợ"}),
        )
        .await;
    assert_eq!(c["pending_transfer_to"], "HOI");
    assert!(finds(hoi.clone()).await, "a pending transfer lets the target search it");
    // SQLite's search index holds the agencies that may read a case (ADR 0057): HOI's token
    // ("@" and "HOI" in hexadecimal) is written with the grant and removed with it.
    if let Some(n) = app.sqlite_search_count("\"@484F49\" AND \"may\" AND \"giat\"") {
        assert_eq!(n, 1);
    }
    assert_problem(&app.act(&sct, &c, "accept", json!({})).await, 409, "invalid_transition");
    let seen = app.case(&hoi, c["id"].as_str().unwrap()).await;
    assert_eq!(seen.status, 200);
    let mut acts: Vec<&str> = seen.body["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    acts.sort();
    assert_eq!(acts, vec!["accept_transfer", "decline_transfer"]);
    let declined = app
        .act_ok(&hoi, &seen.body, "decline_transfer", json!({"reason": "Ngoài phạm vi"}))
        .await;
    assert_eq!(declined["current_agency"], "SCT");
    assert!(declined["pending_transfer_to"].is_null());
    // The decline takes back the read access the transfer gave HOI.
    assert_problem(&app.case(&hoi, c["id"].as_str().unwrap()).await, 404, "not_found");
    let hoi_list = app.get("/api/v1/cases", Some(&hoi)).await;
    assert!(!hoi_list.body.to_string().contains(c["id"].as_str().unwrap()));
    assert!(
        !finds(hoi.clone()).await,
        "a declined transfer takes the search back too"
    );
    if let Some(n) = app.sqlite_search_count("\"@484F49\"") {
        assert_eq!(n, 0, "the declined transfer's token is gone from the index");
    }
    assert_eq!(app.sqlite_search_count("\"@534354\" AND \"may\"").unwrap_or(1), 1);
    let again = app.case(&sct, c["id"].as_str().unwrap()).await.body;
    let again = app
        .act_ok(&sct, &again, "transfer", json!({"to_agency": "HOI", "reason": "Lần 2"}))
        .await;
    let accepted = app.act_ok(&hoi, &again, "accept_transfer", json!({})).await;
    assert_eq!(accepted["current_agency"], "HOI");
    assert_eq!(accepted["status"], "routed");
    // SCT still reads it (formerly routed there) but can no longer act on it.
    let old = app.case(&sct, c["id"].as_str().unwrap()).await;
    assert_eq!(old.status, 200);
    assert!(old.body["allowed_actions"].as_array().unwrap().is_empty());
    assert!(finds(sct.clone()).await && finds(hoi.clone()).await);
    // Nor can it merge one of its cases into it (that would write into HOI's history).
    let events_path = format!("/api/v1/cases/{}/events", c["id"].as_str().unwrap());
    let history_len = || async { app.get(&events_path, Some(&hoi)).await.body.as_array().unwrap().len() };
    let events_before = history_len().await;
    let mine = app.open_case(&sct, &dispute()).await;
    let r = app
        .act(&sct, &mine, "mark_duplicate", json!({"of_case_id": c["id"]}))
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "of_case_id");
    let events_after = history_len().await;
    assert_eq!(events_before, events_after);
}
both_backends!(a_transfer_is_accepted_or_declined_by_the_target_agency);

async fn a_transfer_ended_by_the_cases_closure_takes_the_targets_access_back(app: &TestApp) {
    let (_, sct) = app.user("h.sct", "handler", Some("SCT")).await;
    let (_, hoi) = app.user("h.hoi", "handler", Some("HOI")).await;
    let c = app.open_case(&sct, &dispute()).await;
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "SCT"})).await;
    let c = app
        .act_ok(
            &sct,
            &c,
            "transfer",
            json!({"to_agency": "HOI", "reason": "NTD đề nghị Hội hỗ trợ"}),
        )
        .await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.case(&hoi, &id).await.status,
        200,
        "the target reads a case offered to it"
    );
    // While HOI has not decided, SCT refers the case to a court (the consumer sues): HOI never
    // held it, so it no longer reads it, lists it or finds it.
    let closed = app
        .act_ok(
            &sct,
            &c,
            "refer",
            json!({"body": "Tòa án nhân dân khu vực 1", "reason": "Khởi kiện."}),
        )
        .await;
    assert_eq!(closed["status"], "closed");
    assert!(closed["pending_transfer_to"].is_null());
    assert_problem(&app.case(&hoi, &id).await, 404, "not_found");
    let hoi_list = app.get("/api/v1/cases", Some(&hoi)).await;
    assert_eq!(hoi_list.status, 200);
    assert!(!hoi_list.body.to_string().contains(&id));
    let found = app.get("/api/v1/cases?q=m%C3%A1y%20gi%E1%BA%B7t", Some(&hoi)).await;
    assert!(!found.body.to_string().contains(&id));
    if let Some(n) = app.sqlite_search_count("\"@484F49\"") {
        assert_eq!(n, 0, "the ended transfer's token is gone from the index");
    }
    assert_eq!(
        app.case(&sct, &id).await.status,
        200,
        "the holding agency still reads it"
    );
}
both_backends!(a_transfer_ended_by_the_cases_closure_takes_the_targets_access_back);
