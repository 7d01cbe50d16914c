//! Mediation sessions end to end (issue 12 item 7): request mediation → appoint under the
//! Art 64 rule → schedule → reschedule → cancel → hold → record the success → print the Art 65
//! record; the invitations' stable UID and rising SEQUENCE; the mediator's calendar and feed;
//! who may see and change sessions.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute_before, local_noon, TestApp, PASSWORD};

const CONSUMER: &str = "hong.nguyen@example.com";
const BUSINESS: &str = "cskh@example.com";
const MEDIATOR_MAIL: &str = "pa.giang@example.com";

struct Setup {
    case: Value,
    handler: String,
    mediator_id: String,
    mediator: String,
    /// A listed mediator of the same body, not appointed to the case.
    other_mediator: String,
}

fn id(c: &Value) -> &str {
    c["id"].as_str().unwrap()
}

/// A dispute of a consumer of an ethnic minority, in mediation at the parties' request, with
/// the mediator appointed under Art 64 (refused first without a suitable mediator).
async fn in_mediation(app: &TestApp) -> Setup {
    app.state.clock.set(local_noon("2026-11-02"));
    let (_, h) = app.user("sct.h", "handler", Some("SCT")).await;
    let (plain, other_mediator) = app.listed_mediator("hoi.plain", "HOI", &["Tiếng Việt"]).await;
    let (hmong, mediator) = app
        .listed_mediator("hoi.hmong", "HOI", &["Tiếng Việt", "Tiếng H'Mông"])
        .await;
    // The mediator's entry carries their e-mail: they are invited too.
    let sup = app.login("hoi.hmong.list.sup", PASSWORD).await;
    let list = app.get("/api/v1/mediators", Some(&sup)).await.body;
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(hmong))
        .unwrap();
    let r = app
        .patch(
            &format!("/api/v1/mediators/{}", entry["id"].as_str().unwrap()),
            Some(&sup),
            &json!({"email": MEDIATOR_MAIL}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let mut body = dispute_before("2026-11-02");
    body["consumer"]["vulnerable"] = json!(["ethnic_minority_remote"]);
    let c = app.open_case(&h, &body).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let ask = json!({"requested_by": "both", "reason": "Hai bên thống nhất đề nghị Hội hòa giải."});
    let c = app.act_ok(&h, &c, "request_mediation", ask).await;
    assert_eq!(c["status"], "mediation");
    let r = app.act(&h, &c, "appoint_mediator", json!({"mediator_id": plain})).await;
    assert_problem(&r, 422, "minority_mediator_required");
    let c = app
        .act_ok(
            &h,
            &c,
            "appoint_mediator",
            json!({"mediator_id": hmong, "party_language": "H'Mông"}),
        )
        .await;
    Setup {
        case: c,
        handler: h,
        mediator_id: hmong,
        mediator,
        other_mediator,
    }
}

/// The session invitations sent since `from` (the outbox drained first), as (to, ics).
async fn invitations(app: &TestApp, from: usize) -> Vec<(String, String)> {
    app.worker.drain().await.unwrap();
    app.state
        .mailer
        .memory_sent()
        .into_iter()
        .skip(from)
        .filter(|m| !m.attachments.is_empty())
        .map(|m| (m.to, String::from_utf8(m.attachments[0].bytes.clone()).unwrap()))
        .collect()
}

/// How many e-mails were sent (the outbox drained first).
async fn sent(app: &TestApp) -> usize {
    app.worker.drain().await.unwrap();
    app.state.mailer.memory_sent().len()
}

fn recipients(mails: &[(String, String)]) -> Vec<String> {
    let mut v: Vec<String> = mails.iter().map(|(to, _)| to.clone()).collect();
    v.sort();
    v
}

fn every_party() -> Vec<String> {
    let mut v = vec![CONSUMER.to_owned(), BUSINESS.to_owned(), MEDIATOR_MAIL.to_owned()];
    v.sort();
    v
}

/// The sessions of the case.
pub(crate) async fn sessions(app: &TestApp, token: &str, case_id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/cases/{case_id}/mediation/sessions"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.as_array().unwrap().clone()
}

async fn session_post(
    app: &TestApp,
    token: &str,
    case_id: &str,
    sid: &str,
    what: &str,
    body: Value,
) -> crate::helpers::Resp {
    app.post(
        &format!("/api/v1/cases/{case_id}/mediation/sessions/{sid}/{what}"),
        Some(token),
        &body,
    )
    .await
}

/// Schedules the first (in person) and second (online) sessions; returns their ids.
async fn schedule_two(app: &TestApp, s: &Setup) -> (Value, String, String) {
    let before = sent(app).await;
    let first = json!({"at": "2026-11-04T09:00:00+07:00", "duration_minutes": 90, "place": "Trụ sở Hội BVQLNTD tỉnh", "attendees": [BUSINESS]});
    let c = app
        .act_ok(&s.mediator, &s.case, "schedule_mediation_session", first)
        .await;
    let list = sessions(app, &s.handler, id(&c)).await;
    assert_eq!(list.len(), 1);
    let sid = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list[0]["status"], "scheduled");
    assert_eq!(list[0]["sequence"], 0);
    assert_eq!(list[0]["mediator_id"], json!(s.mediator_id));
    assert_eq!(list[0]["starts_at"], "2026-11-04T02:00:00Z");
    assert_eq!(list[0]["ends_at"], "2026-11-04T03:30:00Z");
    let mails = invitations(app, before).await;
    assert_eq!(recipients(&mails), every_party());
    for (to, ics) in &mails {
        assert!(ics.contains("METHOD:REQUEST"), "{ics}");
        assert!(ics.contains(&format!("UID:{sid}@hotline")), "{ics}");
        assert!(ics.contains("SEQUENCE:0\r\n"), "{ics}");
        // Each party's invitation names that party alone: the business never learns the
        // consumer's address from it.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("mailto:{to}")), "{ics}");
        for other in every_party().iter().filter(|p| *p != to) {
            assert!(!unfolded.contains(other.as_str()), "{to} sees {other}: {ics}");
        }
    }
    // One of a place and an online link; a link is https.
    let none = json!({"at": "2026-11-11T09:00:00+07:00", "place": " "});
    assert_problem(
        &app.act(&s.handler, &c, "schedule_mediation_session", none).await,
        422,
        "required",
    );
    let bad = json!({"at": "2026-11-11T09:00:00+07:00", "online_link": "meet.example.com/abc"});
    let r = app.act(&s.handler, &c, "schedule_mediation_session", bad).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "online_link");
    let online = json!({"at": "2026-11-11T09:00:00+07:00", "online_link": "https://meet.example.com/abc"});
    let c = app.act_ok(&s.handler, &c, "schedule_mediation_session", online).await;
    let list = sessions(app, &s.handler, id(&c)).await;
    assert_eq!(list.len(), 2);
    assert!(list[1]["place"].is_null());
    assert_eq!(list[1]["online_link"], "https://meet.example.com/abc");
    let second = list[1]["id"].as_str().unwrap().to_owned();
    (c, sid, second)
}

async fn a_mediation_runs_from_request_to_the_printed_record_through_its_sessions(app: &TestApp) {
    let s = in_mediation(app).await;
    let (c, first, second) = schedule_two(app, &s).await;
    let cid = id(&c).to_owned();

    // Reschedule: same UID, SEQUENCE 1, a new REQUEST to every party; a stale sequence is refused.
    let before = sent(app).await;
    let moved =
        json!({"at": "2026-11-05T09:00:00+07:00", "reason": "Doanh nghiệp đề nghị dời một ngày.", "sequence": 0});
    let r = session_post(app, &s.mediator, &cid, &first, "reschedule", moved.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["sequence"], 1);
    assert_eq!(r.body["starts_at"], "2026-11-05T02:00:00Z");
    assert_eq!(r.body["duration_minutes"], 90, "the length is kept");
    assert_eq!(r.body["place"], "Trụ sở Hội BVQLNTD tỉnh", "the venue is kept");
    let mails = invitations(app, before).await;
    assert_eq!(recipients(&mails), every_party());
    for (_, ics) in &mails {
        assert!(ics.contains("METHOD:REQUEST"), "{ics}");
        assert!(ics.contains(&format!("UID:{first}@hotline")), "{ics}");
        assert!(ics.contains("SEQUENCE:1\r\n"), "{ics}");
        assert!(ics.contains("DTSTART:20261105T020000Z"), "{ics}");
    }
    let r = session_post(app, &s.handler, &cid, &first, "reschedule", moved).await;
    assert_problem(&r, 409, "version_conflict");

    // Cancel the online one: METHOD:CANCEL, STATUS:CANCELLED; it cannot change any more.
    let before = sent(app).await;
    let cancel = json!({"reason": "Hai bên thống nhất gộp vào phiên ngày 05/11."});
    let r = session_post(app, &s.handler, &cid, &second, "cancel", cancel.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "cancelled");
    assert_eq!(r.body["sequence"], 1);
    let mails = invitations(app, before).await;
    let mut want = vec![CONSUMER.to_owned(), MEDIATOR_MAIL.to_owned()];
    want.sort();
    assert_eq!(recipients(&mails), want);
    for (_, ics) in &mails {
        assert!(
            ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"),
            "{ics}"
        );
        assert!(ics.contains(&format!("UID:{second}@hotline")) && ics.contains("SEQUENCE:1\r\n"));
    }
    let cancelled_mail = app.state.mailer.memory_sent()[before..]
        .iter()
        .find(|m| m.to == CONSUMER)
        .unwrap()
        .clone();
    assert!(
        cancelled_mail.subject.starts_with("Hủy phiên hòa giải"),
        "{}",
        cancelled_mail.subject
    );
    assert!(cancelled_mail.text.contains("gộp vào phiên"), "{}", cancelled_mail.text);
    let again = json!({"at": "2026-11-12T09:00:00+07:00", "reason": "Thử lại."});
    let r = session_post(app, &s.handler, &cid, &second, "reschedule", again).await;
    assert_problem(&r, 409, "session_closed");
    assert_problem(
        &session_post(app, &s.handler, &cid, &second, "cancel", cancel).await,
        409,
        "session_closed",
    );

    // Attendance and minutes only after the start.
    let held = json!({"status": "held", "attendance": ["Người tiêu dùng", "Đại diện doanh nghiệp", "Phiên dịch viên"], "minutes": "Hai bên thống nhất đổi máy mới trong 5 ngày."});
    let r = session_post(app, &s.mediator, &cid, &first, "record", held.clone()).await;
    assert_problem(&r, 409, "session_not_started");
    // The next day (staff sign in again: their sessions of the day before have ended).
    app.state.clock.set(local_noon("2026-11-05"));
    let s = Setup {
        handler: app.login("sct.h", PASSWORD).await,
        mediator: app.login("hoi.hmong", PASSWORD).await,
        ..s
    };
    let r = session_post(
        app,
        &s.mediator,
        &cid,
        &first,
        "record",
        json!({"status": "over", "minutes": "x"}),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = session_post(app, &s.mediator, &cid, &first, "record", held.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "held");
    assert_eq!(r.body["attendance"].as_array().unwrap().len(), 3);
    assert_eq!(r.body["sequence"], 1, "recording sends no invitation");
    assert_problem(
        &session_post(app, &s.mediator, &cid, &first, "record", held).await,
        409,
        "session_closed",
    );

    // Every change is in the verified history; the schedule event names its session.
    let events = app
        .get(&format!("/api/v1/cases/{cid}/events"), Some(&s.handler))
        .await
        .body
        .to_string();
    for e in [
        "mediation_session_rescheduled",
        "mediation_session_cancelled",
        "mediation_session_recorded",
        first.as_str(),
    ] {
        assert!(events.contains(e), "{e} missing from {events}");
    }
    let v = app
        .get(&format!("/api/v1/cases/{cid}/events/verify"), Some(&s.handler))
        .await;
    assert_eq!(v.body["valid"], true, "{}", v.body);

    // The success and its Art 65 record, printed.
    let c = app.case(&s.handler, &cid).await.body;
    let record = json!({
        "mediator": "Hòa giải viên Giàng Thị Pà, Hội BVQLNTD tỉnh",
        "parties": "Bà Nguyễn Thị Hồng; Cửa hàng Điện máy Ánh Dương",
        "held_at": "2026-11-05T09:00:00+07:00",
        "place": "Trụ sở Hội BVQLNTD tỉnh",
        "subject": "Máy giặt lỗi không được bảo hành",
        "parties_views": "Người tiêu dùng yêu cầu đổi máy; cửa hàng đồng ý",
        "result": "Cửa hàng đổi máy mới trong 5 ngày",
        "performance_deadline": "2026-11-10",
        "other_terms": "Không"
    });
    let done = app
        .act_ok(
            &s.mediator,
            &c,
            "record_mediation_result",
            json!({"success": true, "record": record}),
        )
        .await;
    assert_eq!(done["outcome"], "settled_mediation");
    let pdf = app
        .get(
            &format!("/api/v1/cases/{cid}/documents/mediation-record.pdf"),
            Some(&s.handler),
        )
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.raw.starts_with(b"%PDF-"));
    // A closed case's sessions no longer change.
    let r = session_post(app, &s.handler, &cid, &first, "cancel", json!({"reason": "Thử."})).await;
    assert_problem(&r, 409, "invalid_transition");
}
both_backends!(a_mediation_runs_from_request_to_the_printed_record_through_its_sessions);

async fn the_mediator_subscribes_to_a_calendar_feed_without_the_consumer_in_it(app: &TestApp) {
    let s = in_mediation(app).await;
    let (c, first, second) = schedule_two(app, &s).await;
    let r = session_post(
        app,
        &s.handler,
        id(&c),
        &second,
        "cancel",
        json!({"reason": "Không cần."}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The JSON calendar: the mediator's own; the body's supervisor sees its mediators'.
    let mine = app.get("/api/v1/mediators/me/sessions", Some(&s.mediator)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    let ids: Vec<&str> = mine
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![first.as_str(), second.as_str()]);
    assert_eq!(mine.body[0]["tracking_code"], c["tracking_code"]);
    let other = app.get("/api/v1/mediators/me/sessions", Some(&s.other_mediator)).await;
    assert_eq!(other.body, json!([]));
    assert_problem(
        &app.get("/api/v1/mediators/me/sessions", Some(&s.handler)).await,
        403,
        "forbidden",
    );
    let sup = app.login("hoi.hmong.list.sup", PASSWORD).await;
    let body = app.get("/api/v1/mediation/sessions", Some(&sup)).await;
    assert_eq!(body.status, 200, "{}", body.body);
    assert_eq!(body.body.as_array().unwrap().len(), 2);
    let (_, sct_sup) = app.user("sct.sup", "supervisor", Some("SCT")).await;
    assert_eq!(
        app.get("/api/v1/mediation/sessions", Some(&sct_sup)).await.body,
        json!([])
    );

    // The feed: a URL with a token; tracking code, times and places, no consumer.
    assert_problem(
        &app.post("/api/v1/mediators/me/calendar-feed", Some(&s.handler), &json!({}))
            .await,
        403,
        "forbidden",
    );
    let feed_path = |r: &crate::helpers::Resp| {
        let url = r.body["url"].as_str().unwrap().to_owned();
        let at = url.find("/calendar/").unwrap();
        url[at..].to_owned()
    };
    let r = app
        .post("/api/v1/mediators/me/calendar-feed", Some(&s.mediator), &json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let path = feed_path(&r);
    let token = path.trim_start_matches("/calendar/").trim_end_matches(".ics");
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    let touch = |hash: &str| {
        app.try_sql(&format!(
            "UPDATE calendar_feeds SET created_at = created_at WHERE token_hash = '{hash}'"
        ))
    };
    assert_eq!(touch(token), Ok(0), "the token itself is not stored");
    assert_eq!(touch(&hotline::service::auth::token_hash(token)), Ok(1), "its hash is");
    let ics = app.get(&path, None).await;
    assert_eq!(ics.status, 200);
    assert!(ics.content_type.starts_with("text/calendar"), "{}", ics.content_type);
    let text = String::from_utf8(ics.raw.clone()).unwrap();
    assert!(!text.contains("METHOD:"), "{text}");
    assert!(text.contains(&format!("UID:{first}@hotline")), "{text}");
    assert!(text.contains(&format!("UID:{second}@hotline")), "{text}");
    assert!(text.contains(c["tracking_code"].as_str().unwrap()), "{text}");
    assert_eq!(text.matches("STATUS:CANCELLED").count(), 1, "{text}");
    let unfolded = text.replace("\r\n ", "");
    for private in [
        "Nguyễn Thị Hồng",
        "912345678",
        "345 678",
        "hong.nguyen",
        BUSINESS,
        "Phố Huế",
        "phố Huế",
    ] {
        assert!(!unfolded.contains(private), "{private} in the feed: {text}");
    }

    // A new URL replaces the old; revoking ends it; an unknown token is 404.
    let r = app
        .post("/api/v1/mediators/me/calendar-feed", Some(&s.mediator), &json!({}))
        .await;
    let newer = feed_path(&r);
    assert_problem(&app.get(&path, None).await, 404, "not_found");
    assert_eq!(app.get(&newer, None).await.status, 200);
    let r = app
        .client
        .delete(app.url("/api/v1/mediators/me/calendar-feed"))
        .bearer_auth(&s.mediator)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_problem(&app.get(&newer, None).await, 404, "not_found");
    assert_problem(&app.get("/calendar/not-a-token.ics", None).await, 404, "not_found");
}
both_backends!(the_mediator_subscribes_to_a_calendar_feed_without_the_consumer_in_it);

async fn only_the_handling_agency_and_the_appointed_mediator_change_sessions(app: &TestApp) {
    let s = in_mediation(app).await;
    let (c, first, _) = schedule_two(app, &s).await;
    let cid = id(&c);
    let (_, qltt) = app.user("qltt.h", "handler", Some("QLTT")).await;
    let (_, op) = app.user("sct.op", "operator", Some("SCT")).await;
    let hoi_sup = app.login("hoi.hmong.list.sup", PASSWORD).await;
    let moved = json!({"at": "2026-11-06T09:00:00+07:00", "reason": "Dời lịch."});
    let list = format!("/api/v1/cases/{cid}/mediation/sessions");

    // Another agency and a mediator not appointed: the case does not exist for them.
    for token in [&qltt, &s.other_mediator] {
        assert_problem(&app.get(&list, Some(token)).await, 404, "not_found");
        let r = session_post(app, token, cid, &first, "reschedule", moved.clone()).await;
        assert_problem(&r, 404, "not_found");
    }
    // The operator and the body's supervisor see the sessions but may not change them.
    for token in [&op, &hoi_sup] {
        assert_eq!(app.get(&list, Some(token)).await.status, 200);
        let r = session_post(app, token, cid, &first, "reschedule", moved.clone()).await;
        assert_problem(&r, 403, "forbidden");
    }
    assert_eq!(app.get(&list, None).await.status, 401);
    // An unknown session of a visible case is 404.
    let r = session_post(
        app,
        &s.handler,
        cid,
        "00000000-0000-0000-0000-000000000000",
        "cancel",
        json!({"reason": "x"}),
    )
    .await;
    assert_problem(&r, 404, "not_found");
    let r = session_post(app, &s.handler, cid, &first, "reschedule", moved).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // A session that could not go ahead is postponed, then given a new time (scheduled ahead,
    // as a session must be, then aged to have passed).
    let ahead = json!({"at": "2026-11-03T09:00:00+07:00", "place": "Trụ sở Hội"});
    let c = app.case(&s.handler, cid).await.body;
    app.act_ok(&s.mediator, &c, "schedule_mediation_session", ahead).await;
    let list = sessions(app, &s.handler, cid).await;
    let third = list[0]["id"].as_str().unwrap().to_owned();
    app.sql(&format!(
        "UPDATE mediation_sessions SET starts_at = '2026-11-01 02:00:00' WHERE id = '{third}'"
    ));
    let postponed =
        json!({"status": "postponed", "attendance": ["Người tiêu dùng"], "minutes": "Doanh nghiệp vắng mặt."});
    let r = session_post(app, &s.mediator, cid, &third, "record", postponed).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "postponed");
    let again = json!({"at": "2026-11-09T09:00:00+07:00", "online_link": "https://meet.example.com/x", "reason": "Doanh nghiệp vắng mặt."});
    let r = session_post(app, &s.mediator, cid, &third, "reschedule", again).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "scheduled");
    assert_eq!(r.body["sequence"], 1);
    assert!(
        r.body["place"].is_null(),
        "a venue given replaces the old one: {}",
        r.body
    );
    assert_eq!(r.body["online_link"], "https://meet.example.com/x");

    // The body's supervisor counts the upcoming sessions of its mediators.
    let w = app.get("/api/v1/mediation/workload", Some(&hoi_sup)).await;
    let mine = w
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["mediator"]["user_id"] == json!(s.mediator_id))
        .unwrap();
    assert_eq!(mine["upcoming_sessions"], 3, "{}", w.body);
}
both_backends!(only_the_handling_agency_and_the_appointed_mediator_change_sessions);
