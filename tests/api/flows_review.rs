//! Review of the negotiation and mediation flows: the business keeps its link while the
//! consumer is asked for information, and a new round (a second forwarding, a reopened
//! negotiation) asks it anew; sessions still to come are cancelled when the case leaves
//! mediation; a session's time is checked (not past, a working day, the mediator free); a
//! settlement record's dates are possible.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::both_backends;
use crate::followup::forwarded;
use crate::helpers::{assert_problem, dispute_before, local_noon, TestApp, PASSWORD};
use crate::mediation_sessions::sessions;

const BUSINESS_MAIL: &str = "cskh@anhduong.example.com";
const ATTENDEE: &str = "phap.che@anhduong.example.com";

fn id(c: &Value) -> String {
    c["id"].as_str().unwrap().to_owned()
}

/// The business's view through its link (status, body).
async fn business_view(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app.get(&format!("/api/v1/business/cases/{token}"), None).await;
    (r.status.as_u16(), r.body)
}

async fn respond(app: &TestApp, token: &str) -> crate::helpers::Resp {
    let body = json!({"decision": "propose", "proposal": "Đổi máy giặt mới cùng loại."});
    app.post(&format!("/api/v1/business/cases/{token}/response"), None, &body)
        .await
}

/// Every `/b/{token}` link e-mailed to the business so far.
fn business_tokens(app: &TestApp) -> Vec<String> {
    app.state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| m.to.contains(BUSINESS_MAIL))
        .filter_map(|m| {
            let start = m.text.find("/b/")? + 3;
            Some(m.text[start..].chars().take_while(|c| !c.is_whitespace()).collect())
        })
        .collect()
}

async fn the_business_keeps_its_link_while_the_consumer_is_asked_for_information(app: &TestApp) {
    let (h, c, token) = forwarded(app, "fr.info.h", "2026-12-01").await;
    let c = app
        .act_ok(&h, &c, "request_info", json!({"requested": "Hóa đơn mua hàng."}))
        .await;
    assert_eq!(c["status"], "awaiting_info");
    // While the consumer is asked, the business still reads its request (nothing to answer yet).
    let (status, v) = business_view(app, &token).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["may_respond"], false, "{v}");
    let c = app
        .act_ok(&h, &c, "provide_info", json!({"info": "Đã nộp hóa đơn."}))
        .await;
    assert_eq!(c["status"], "negotiation");
    // Back in negotiation: the same link works, the business answers.
    assert_eq!(app.get(&format!("/b/{token}"), None).await.status, 200);
    let r = respond(app, &token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["response"]["decision"], "propose");
    // Closed while waiting for information: the link ends.
    let c = app.case(&h, &id(&c)).await.body;
    let c = app
        .act_ok(&h, &c, "request_info", json!({"requested": "Ảnh máy giặt."}))
        .await;
    app.act_ok(&h, &c, "withdraw", json!({"reason": "Người tiêu dùng rút yêu cầu."}))
        .await;
    assert_eq!(business_view(app, &token).await.0, 404);
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(the_business_keeps_its_link_while_the_consumer_is_asked_for_information);

/// The Art 60 record of a settled negotiation held today, to be carried out in `days`.
fn settled_record(app: &TestApp, days: i64) -> Value {
    json!({"result": "settled", "record": {
        "parties": "Bà Nguyễn Thị Hồng; Cửa hàng Điện máy Ánh Dương",
        "held_at": app.state.clock.now().to_rfc3339(), "place": "Cửa hàng Ánh Dương",
        "content": "Máy giặt hỏng sau 10 ngày", "result": "Đổi máy giặt mới cùng loại",
        "performance_deadline": (app.state.clock.today() + TimeDelta::days(days)).to_string()}})
}

/// The business answers and reports a settlement; the handler records it: the case is closed.
async fn settle(app: &TestApp, h: &str, c: &Value, token: &str) -> Value {
    assert_eq!(respond(app, token).await.status, 200);
    let report = json!({"result": "settled", "terms": "Đổi máy giặt mới."});
    let r = app
        .post(&format!("/api/v1/business/cases/{token}/result"), None, &report)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = app.case(h, &id(c)).await.body;
    let c = app
        .act_ok(h, &c, "record_negotiation_result", settled_record(app, 10))
        .await;
    assert_eq!(c["outcome"], "settled_negotiation");
    c
}

async fn a_second_forwarding_or_a_reopened_negotiation_asks_the_business_anew(app: &TestApp) {
    let (h, c, first) = forwarded(app, "fr.round.h", "2026-12-01").await;
    let c = settle(app, &h, &c, &first).await;
    assert_eq!(business_view(app, &first).await.0, 404, "closed: the link ended");
    // Not carried out: back to the handler, who forwards again; a new link, a new round.
    let body = json!({"performed": false, "note": "Cửa hàng chưa đổi máy."});
    let c = app.act_ok(&h, &c, "record_performance", body).await;
    assert_eq!(c["status"], "accepted");
    let c = app
        .act_ok(&h, &c, "forward_to_business", json!({"business_email": BUSINESS_MAIL}))
        .await;
    app.worker.drain().await.unwrap();
    let second = business_tokens(app).last().unwrap().clone();
    assert_ne!(second, first);
    let (status, v) = business_view(app, &second).await;
    assert_eq!(status, 200, "{v}");
    assert!(v["response"].is_null() && v["result"].is_null(), "{v}");
    assert_eq!(v["may_respond"], true, "{v}");
    let c = settle(app, &h, &c, &second).await;
    // Reopened by the supervisor into negotiation: the business gets a new link by e-mail and
    // answers again.
    let (_, sup) = app.user("fr.round.sup", "supervisor", Some("SCT")).await;
    let c = app
        .act_ok(&sup, &c, "reopen", json!({"reason": "Người tiêu dùng chưa đồng ý."}))
        .await;
    assert_eq!(c["status"], "negotiation");
    app.worker.drain().await.unwrap();
    let third = business_tokens(app).last().unwrap().clone();
    assert!(third != first && third != second);
    assert_eq!(business_view(app, &second).await.0, 404);
    let (status, v) = business_view(app, &third).await;
    assert_eq!((status, &v["may_respond"]), (200, &json!(true)), "{v}");
    let r = respond(app, &third).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_problem(&respond(app, &third).await, 409, "already_answered");
    app.state.clock.reset();
}
both_backends!(a_second_forwarding_or_a_reopened_negotiation_asks_the_business_anew);

/// A dispute in mediation at `day` with a mediator appointed: (handler, mediator, case).
async fn in_mediation(app: &TestApp, tag: &str, day: &str) -> (String, String, Value) {
    app.state.clock.set(local_noon(day));
    let (mid, _) = app.listed_mediator(&format!("{tag}.m"), "HOI", &["Tiếng Việt"]).await;
    let (_, h) = app.user(&format!("{tag}.h"), "handler", Some("SCT")).await;
    let m = app.login(&format!("{tag}.m"), PASSWORD).await;
    let c = app.open_case(&h, &dispute_before(day)).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let ask = json!({"requested_by": "both", "reason": "Hai bên đề nghị hòa giải."});
    let c = app.act_ok(&h, &c, "request_mediation", ask).await;
    let c = app
        .act_ok(&h, &c, "appoint_mediator", json!({"mediator_id": mid}))
        .await;
    (h, m, c)
}

async fn leaving_mediation_cancels_the_sessions_still_to_come(app: &TestApp) {
    let (h, m, c) = in_mediation(app, "lv", "2026-12-01").await;
    let at = |d: &str| json!({"at": format!("{d}T09:00:00+07:00"), "place": "Trụ sở Hội", "attendees": [ATTENDEE]});
    let c = app.act_ok(&m, &c, "schedule_mediation_session", at("2026-12-02")).await;
    let c = app.act_ok(&m, &c, "schedule_mediation_session", at("2026-12-08")).await;
    let cid = id(&c);
    let list = sessions(app, &h, &cid).await;
    let (begun, ahead) = (
        list[0]["id"].as_str().unwrap().to_owned(),
        list[1]["id"].as_str().unwrap().to_owned(),
    );
    // The first one has begun (its start aged to this morning): it is left as it is.
    app.sql(&format!(
        "UPDATE mediation_sessions SET starts_at = '2026-12-01 02:00:00' WHERE id = '{begun}'"
    ));
    app.worker.drain().await.unwrap();
    let before = app.state.mailer.memory_sent().len();
    // The consumer withdraws (here through the handler): the session ahead is cancelled.
    app.act_ok(&h, &c, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
        .await;
    let list = sessions(app, &h, &cid).await;
    let by_id = |sid: &str| list.iter().find(|s| s["id"] == sid).unwrap().clone();
    assert_eq!(
        (by_id(&ahead)["status"].as_str(), by_id(&ahead)["sequence"].as_i64()),
        (Some("cancelled"), Some(1))
    );
    assert_eq!(
        (by_id(&begun)["status"].as_str(), by_id(&begun)["sequence"].as_i64()),
        (Some("scheduled"), Some(0))
    );
    app.worker.drain().await.unwrap();
    let cancels: Vec<_> = app.state.mailer.memory_sent()[before..]
        .iter()
        .filter(|m| !m.attachments.is_empty())
        .map(|m| (m.to.clone(), String::from_utf8(m.attachments[0].bytes.clone()).unwrap()))
        .collect();
    assert!(cancels.iter().any(|(to, _)| to == ATTENDEE), "{cancels:?}");
    for (_, ics) in &cancels {
        assert!(
            ics.contains("METHOD:CANCEL") && ics.contains(&format!("UID:{ahead}@hotline")),
            "{ics}"
        );
        assert!(ics.contains("SEQUENCE:1\r\n"), "{ics}");
    }
    let evs = app.get(&format!("/api/v1/cases/{cid}/events"), Some(&h)).await.body;
    let cancelled = evs
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "mediation_session_cancelled")
        .count();
    assert_eq!(cancelled, 1, "{evs}");
    let v = app.get(&format!("/api/v1/cases/{cid}/events/verify"), Some(&h)).await;
    assert_eq!(v.body["valid"], true, "{}", v.body);
    app.state.clock.reset();
}
both_backends!(leaving_mediation_cancels_the_sessions_still_to_come);

async fn a_session_is_scheduled_ahead_off_holidays_when_the_mediator_is_free(app: &TestApp) {
    let (h, m, c) = in_mediation(app, "st", "2026-12-01").await;
    let at = |t: &str, minutes: u32| json!({"at": t, "duration_minutes": minutes, "place": "Trụ sở Hội"});
    // In the past (the service's clock, not the system's).
    let r = app
        .act(
            &m,
            &c,
            "schedule_mediation_session",
            at("2026-12-01T09:00:00+07:00", 60),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "at");
    // A public holiday is refused, with its name; a Saturday is not (the parties may agree to
    // meet when a consumer who works can come).
    let c = app
        .act_ok(
            &m,
            &c,
            "schedule_mediation_session",
            at("2026-12-05T09:00:00+07:00", 60),
        )
        .await;
    let r = app
        .act(
            &m,
            &c,
            "schedule_mediation_session",
            at("2027-01-01T09:00:00+07:00", 60),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert!(r.body.to_string().contains("Tết Dương lịch"), "{}", r.body);
    // Overlapping another session of the same mediator; right after it is fine.
    let c = app
        .act_ok(
            &m,
            &c,
            "schedule_mediation_session",
            at("2026-12-02T09:00:00+07:00", 90),
        )
        .await;
    let r = app
        .act(
            &h,
            &c,
            "schedule_mediation_session",
            at("2026-12-02T10:00:00+07:00", 60),
        )
        .await;
    assert_problem(&r, 409, "session_overlap");
    let c = app
        .act_ok(
            &h,
            &c,
            "schedule_mediation_session",
            at("2026-12-02T10:30:00+07:00", 60),
        )
        .await;
    let cid = id(&c);
    let list = sessions(app, &h, &cid).await;
    assert_eq!(list.len(), 3);
    let second = list
        .iter()
        .find(|s| {
            s["starts_at"]
                .as_str()
                .is_some_and(|t| t.starts_with("2026-12-02T03:30"))
        })
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .expect("the 10:30 session");
    // Moving a session: the same checks, the session itself left out of the overlap.
    let path = format!("/api/v1/cases/{cid}/mediation/sessions/{second}/reschedule");
    let moved = |t: &str| json!({"at": t, "reason": "Dời lịch."});
    let r = app.post(&path, Some(&h), &moved("2026-11-30T09:00:00+07:00")).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "at");
    let r = app.post(&path, Some(&h), &moved("2027-01-01T14:00:00+07:00")).await;
    assert!(r.body.to_string().contains("Tết Dương lịch"), "{}", r.body);
    let r = app.post(&path, Some(&h), &moved("2026-12-02T08:30:00+07:00")).await;
    assert_problem(&r, 409, "session_overlap");
    let r = app.post(&path, Some(&h), &moved("2026-12-02T10:45:00+07:00")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(sessions(app, &h, &cid).await.len(), 3, "nothing else changed");
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(a_session_is_scheduled_ahead_off_holidays_when_the_mediator_is_free);

async fn a_settlement_record_has_possible_dates(app: &TestApp) {
    // Negotiation (Art 60): held tomorrow, or to be carried out yesterday, is refused.
    let (h, c, _) = forwarded(app, "rd.h", "2026-12-01").await;
    let mut rec = settled_record(app, 10);
    rec["record"]["held_at"] = json!("2026-12-02T09:00:00+07:00");
    let r = app.act(&h, &c, "record_negotiation_result", rec).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "record.held_at");
    let mut rec = settled_record(app, 10);
    rec["record"]["performance_deadline"] = json!("2026-11-30");
    let r = app.act(&h, &c, "record_negotiation_result", rec).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "record.performance_deadline");
    // A few minutes ahead of the service's clock is clock skew; today is a possible deadline.
    let mut rec = settled_record(app, 0);
    rec["record"]["held_at"] = json!((app.state.clock.now() + TimeDelta::minutes(3)).to_rfc3339());
    let c = app.act_ok(&h, &c, "record_negotiation_result", rec).await;
    assert_eq!(c["outcome"], "settled_negotiation");

    // Mediation (Art 65): the same rules on its record.
    let (_, m, c) = in_mediation(app, "rd2", "2026-12-01").await;
    let record = |held: &str, due: &str| {
        json!({"success": true, "record": {
            "mediator": "Hòa giải viên Trần Thị Hương", "parties": "Bà Hồng; Cửa hàng Ánh Dương",
            "held_at": held, "place": "Trụ sở Hội", "subject": "Máy giặt hỏng",
            "parties_views": "Đổi máy.", "result": "Cửa hàng đổi máy.",
            "performance_deadline": due, "other_terms": "Không."}})
    };
    let r = app
        .act(
            &m,
            &c,
            "record_mediation_result",
            record("2026-12-03T09:00:00+07:00", "2026-12-10"),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "record.held_at");
    let r = app
        .act(
            &m,
            &c,
            "record_mediation_result",
            record("2026-12-01T09:00:00+07:00", "2026-11-20"),
        )
        .await;
    assert_eq!(r.body["field"], "record.performance_deadline", "{}", r.body);
    let c = app
        .act_ok(
            &m,
            &c,
            "record_mediation_result",
            record("2026-12-01T09:00:00+07:00", "2026-12-10"),
        )
        .await;
    assert_eq!(c["outcome"], "settled_mediation");
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(a_settlement_record_has_possible_dates);

fn html(r: &crate::helpers::Resp) -> String {
    String::from_utf8_lossy(&r.raw).into_owned()
}

/// Posts the business page's form `what` with `fields` (and the page's form key).
async fn post_form(app: &TestApp, token: &str, what: &str, fields: &[(&str, &str)]) -> crate::helpers::Resp {
    let page = html(&app.get(&format!("/b/{token}"), None).await);
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf: String = page[at..].chars().take_while(|c| *c != '"').collect();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let form = serde_urlencoded::to_string(&all).unwrap();
    app.post_raw(
        &format!("/b/{token}/{what}"),
        None,
        "application/x-www-form-urlencoded",
        form.into_bytes(),
    )
    .await
}

async fn the_business_page_keeps_what_was_typed_when_a_form_is_refused(app: &TestApp) {
    let (_, _, token) = forwarded(app, "bp.h", "2026-12-01").await;
    // A refusal without its reason: the form again, the reason's field marked, the text kept.
    let r = post_form(
        app,
        &token,
        "response",
        &[("decision", "refuse"), ("proposal", "Giảm giá 10% cho đơn sau.")],
    )
    .await;
    assert_eq!(r.status, 422);
    let page = html(&r);
    assert!(
        page.contains("id=\"message-error\"") && page.contains("href=\"#message\""),
        "{page}"
    );
    assert!(page.contains(">Giảm giá 10% cho đơn sau.</textarea>"), "{page}");
    assert!(page.contains("value=\"refuse\" checked"), "{page}");
    assert!(page.contains("<title>Lỗi: "), "{page}");
    let api = format!("/api/v1/business/cases/{token}");
    assert!(app.get(&api, None).await.body["response"].is_null(), "nothing recorded");
    // Sent; sent again: the page says it was already sent, not that the service failed.
    let propose = [("decision", "propose"), ("proposal", "Đổi máy mới.")];
    assert_eq!(
        post_form(app, &token, "response", &propose).await.status,
        200,
        "303 to the page"
    );
    // (The page no longer has the form: sent as a second tab or a double click would.)
    let r = post_form(app, &token, "response", &[("decision", "accept")]).await;
    assert_eq!(r.status, 409);
    let page = html(&r);
    assert!(page.contains("đã gửi trả lời cho yêu cầu này"), "{page}");
    assert!(page.contains("Đổi máy mới."), "the answer sent is shown: {page}");
    // A date that is not one: refused on its field, nothing recorded; a typed day is a day.
    let bad = [
        ("result", "settled"),
        ("terms", "Đổi máy."),
        ("performance_due", "31/02/2026"),
    ];
    let r = post_form(app, &token, "result", &bad).await;
    assert_eq!(r.status, 422);
    let page = html(&r);
    assert!(page.contains("id=\"performance_due-error\""), "{page}");
    assert!(
        page.contains("value=\"31/02/2026\"") && page.contains(">Đổi máy.</textarea>"),
        "{page}"
    );
    assert!(app.get(&api, None).await.body["result"].is_null(), "nothing recorded");
    let good = [
        ("result", "settled"),
        ("terms", "Đổi máy."),
        ("performance_due", "20/12/2026"),
    ];
    assert_eq!(post_form(app, &token, "result", &good).await.status, 200);
    assert_eq!(
        app.get(&api, None).await.body["result"]["performance_due"],
        "2026-12-20"
    );
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(the_business_page_keeps_what_was_typed_when_a_form_is_refused);
