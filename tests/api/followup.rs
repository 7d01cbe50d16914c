//! Issue 12, items 4 and 9 and its done-when, end to end through HTTP: the negotiation flow from
//! the forwarding e-mail to the business's link, its answer and result, the handler's
//! confirmation and the link's end; the business's evidence through its link (API and page
//! form); and the settlement's performance after success — confirmed by the consumer, recorded
//! by the handler, or missed, when the sweep reopens the case once, with the court-recognition
//! advice (Civil Procedure Code Art 418) e-mailed to the parties.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::both_backends;
use crate::citizen_evidence::{multipart, post_multipart, JPEG, PDF};
use crate::helpers::{assert_problem, dispute_before, local_noon, TestApp, PASSWORD};

const BUSINESS_MAIL: &str = "cskh@anhduong.example.com";
const HANDLER_MAIL: &str = "xu.ly@example.gov.vn";
const CONSUMER_MAIL: &str = "hong.nguyen@example.com";
/// A program named as a photo: not an allowed kind.
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00program";

/// A handler of SCT with an e-mail (`name`), signed in at `day` local noon.
async fn handler(app: &TestApp, name: &str, day: &str) -> String {
    let body =
        json!({"username": name, "role": "handler", "agency": "SCT", "password": PASSWORD, "email": HANDLER_MAIL});
    let r = app.post("/api/v1/admin/users", Some(&app.admin_token), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    app.state.clock.set(local_noon(day));
    app.login(name, PASSWORD).await
}

/// The `/b/{token}` link of the last forwarding e-mail to the business.
fn business_token(app: &TestApp) -> String {
    let mail = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .rev()
        .find(|m| m.to.contains(BUSINESS_MAIL) && m.text.contains("/b/"))
        .expect("the forwarding e-mail");
    let start = mail.text.find("/b/").expect("the business's page link") + 3;
    mail.text[start..].chars().take_while(|c| !c.is_whitespace()).collect()
}

/// A dispute forwarded to the business at `day`: (handler, case, business token).
pub async fn forwarded(app: &TestApp, name: &str, day: &str) -> (String, Value, String) {
    let h = handler(app, name, day).await;
    let c = app.open_case(&h, &dispute_before(day)).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app
        .act_ok(&h, &c, "forward_to_business", json!({"business_email": BUSINESS_MAIL}))
        .await;
    app.worker.drain().await.unwrap();
    (h, c, business_token(app))
}

fn html(r: &crate::helpers::Resp) -> String {
    String::from_utf8_lossy(&r.raw).into_owned()
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].chars().take_while(|c| *c != '"').collect()
}

fn mails(app: &TestApp, to: &str, part: &str) -> Vec<hotline::email::OutgoingEmail> {
    app.state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| m.to.contains(to) && (m.subject.contains(part) || m.text.contains(part)))
        .collect()
}

async fn events(app: &TestApp, h: &str, id: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/v1/cases/{id}/events"), Some(h)).await;
    r.body.as_array().unwrap().clone()
}

/// The case's latest clock of that kind, as `GET /cases/{id}/deadlines` shows it.
pub(crate) async fn clock_of(app: &TestApp, h: &str, id: &str, clock: &str) -> Value {
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(h)).await.body;
    d.as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|c| c["clock"] == clock)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn the_negotiation_runs_from_the_forwarding_mail_to_a_settled_closure(app: &TestApp) {
    let (_, c, token) = forwarded(app, "flow.h", "2026-12-01").await;
    let id = c["id"].as_str().unwrap().to_owned();
    // The business opens its page from the e-mail: the consumer's request, never their phone.
    let page = app.get(&format!("/b/{token}"), None).await;
    assert_eq!(page.status, 200);
    let page = html(&page);
    assert!(page.contains("Đề nghị hoàn lại tiền"), "the consumer's request: {page}");
    assert!(!page.contains("912345678") && !page.contains("345 678") && !page.contains(CONSUMER_MAIL));
    // It proposes a settlement through the page's form.
    app.state.clock.set(local_noon("2026-12-03"));
    let form = serde_urlencoded::to_string([
        ("csrf", csrf_of(&page).as_str()),
        ("decision", "propose"),
        ("message", "Chúng tôi xin lỗi khách hàng."),
        ("proposal", "Đổi máy giặt mới cùng loại trong 10 ngày."),
    ])
    .unwrap();
    let r = app
        .post_raw(
            &format!("/b/{token}/response"),
            None,
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "303 back to the page");
    assert!(html(&r).contains("Đã gửi trả lời"));
    let api = format!("/api/v1/business/cases/{token}");
    let v = app.get(&api, None).await.body;
    assert_eq!(v["response"]["decision"], "propose");
    assert_eq!(v["response"]["proposal"], "Đổi máy giặt mới cùng loại trong 10 ngày.");
    // The consumer accepted: the business reports the settlement with its date of performance.
    app.state.clock.set(local_noon("2026-12-07"));
    let r = app
        .post(
            &format!("{api}/result"),
            None,
            &json!({"result": "settled", "terms": "Đổi máy giặt mới cùng loại.", "performance_due": "2026-12-20"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["result"]["on_time"], true);
    // The handler confirms the negotiation result (Art 60 record).
    let h = app.login("flow.h", PASSWORD).await;
    let c = app.case(&h, &id).await.body;
    let record = json!({"result": "settled", "record": {
        "parties": "Bà Nguyễn Thị Hồng; Cửa hàng Điện máy Ánh Dương",
        "held_at": "2026-12-07T09:00:00+07:00", "place": "Cửa hàng Ánh Dương",
        "content": "Máy giặt hỏng sau 10 ngày", "result": "Đổi máy giặt mới cùng loại",
        "performance_deadline": "2026-12-20"}});
    let c = app.act_ok(&h, &c, "record_negotiation_result", record).await;
    assert_eq!(
        (c["status"].as_str(), c["outcome"].as_str()),
        (Some("closed"), Some("settled_negotiation"))
    );
    let perf = clock_of(app, &h, &id, "settlement_performance").await;
    assert_eq!(
        (perf["state"].as_str(), perf["due_date"].as_str()),
        (Some("running"), Some("2026-12-20"))
    );
    // The case left negotiation: the business's link ends (page and API).
    assert_eq!(app.get(&api, None).await.status, 404);
    assert_eq!(app.get(&format!("/b/{token}"), None).await.status, 404);
    let (ct, body) = multipart(&[], &[("evidence", "hoa-don.pdf", PDF)]);
    assert_eq!(
        app.post_raw(&format!("{api}/evidence"), None, &ct, body).await.status,
        404
    );
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(the_negotiation_runs_from_the_forwarding_mail_to_a_settled_closure);

async fn the_business_sends_evidence_through_its_link(app: &TestApp) {
    let (_, c, token) = forwarded(app, "ev.h", "2026-12-01").await;
    let id = c["id"].as_str().unwrap().to_owned();
    let api = format!("/api/v1/business/cases/{token}/evidence");
    // API: a photo is received; a program named as a photo is refused with the house's code.
    let (ct, body) = multipart(&[], &[("evidence", "phieu-giao-hang.jpg", JPEG)]);
    let r = app.post_raw(&api, None, &ct, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let files = r.body["evidence"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{}", r.body);
    assert_eq!(
        (files[0]["file_name"].as_str(), files[0]["from_business"].as_bool()),
        (Some("phieu-giao-hang.jpg"), Some(true))
    );
    let (ct, body) = multipart(&[], &[("evidence", "anh.jpg", EXE)]);
    assert_problem(&app.post_raw(&api, None, &ct, body).await, 422, "file_type_not_allowed");
    let (ct, body) = multipart(&[("note", "x")], &[("evidence", "a.pdf", PDF)]);
    assert_problem(&app.post_raw(&api, None, &ct, body).await, 422, "unknown_field");
    let (ct, body) = multipart(&[], &[("evidence", "", b"")]);
    assert_problem(&app.post_raw(&api, None, &ct, body).await, 422, "required");
    let r = app.post(&api, None, &json!({"evidence": "x"})).await;
    assert_eq!(r.status, 415, "{}", r.body);
    // The page's form (multipart, without JavaScript): a refused file shows the page again with
    // the reason beside the field; an allowed one comes back to the page with a notice.
    let page = html(&app.get(&format!("/b/{token}"), None).await);
    assert_eq!(page.matches(&format!("action=\"/b/{token}/evidence\"")).count(), 1);
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("<title>Yêu cầu của người tiêu dùng – "), "{page}");
    assert!(
        page.contains("phieu-giao-hang.jpg") && page.contains("do Quý doanh nghiệp gửi"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let (ct, body) = multipart(&[("csrf", &csrf)], &[("evidence", "virus.jpg", EXE)]);
    let (status, text, _) = post_multipart(app, &format!("/b/{token}/evidence"), &ct, body).await;
    assert_eq!(status, 422);
    assert!(
        text.contains("không thuộc loại được nhận") && text.contains("href=\"#b-evidence\""),
        "{text}"
    );
    assert!(text.contains("<title>Lỗi: Yêu cầu của người tiêu dùng – "), "{text}");
    let (ct, body) = multipart(&[("csrf", "forged")], &[("evidence", "bien-ban.pdf", PDF)]);
    assert_eq!(
        post_multipart(app, &format!("/b/{token}/evidence"), &ct, body).await.0,
        403
    );
    let (ct, body) = multipart(&[("csrf", &csrf)], &[("evidence", "bien-ban.pdf", PDF)]);
    let (status, _, location) = post_multipart(app, &format!("/b/{token}/evidence"), &ct, body).await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(format!("/b/{token}?done=evidence").as_str()))
    );
    let page = html(&app.get(&format!("/b/{token}?done=evidence"), None).await);
    assert!(page.contains("Đã gửi tài liệu") && page.contains("bien-ban.pdf"));
    // The handler sees both, from the business, with events by the business and a mail each.
    let h = app.login("ev.h", PASSWORD).await;
    let d = app.case(&h, &id).await.body;
    let from_business: Vec<&str> = d["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["source"] == "business" && e["uploaded_by"].is_null())
        .map(|e| e["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(from_business, ["phieu-giao-hang.jpg", "bien-ban.pdf"], "{d}");
    let added = events(app, &h, &id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "evidence_added" && e["actor_role"] == "business")
        .count();
    assert_eq!(added, 2);
    let file_id = d["evidence"][0]["id"].as_str().unwrap();
    let got = app
        .get(&format!("/api/v1/cases/{id}/evidence/{file_id}"), Some(&h))
        .await;
    assert_eq!((got.status.as_u16(), got.raw.as_slice()), (200, JPEG));
    app.worker.drain().await.unwrap();
    assert_eq!(mails(app, HANDLER_MAIL, "gửi thêm tài liệu").len(), 2);
    app.state.clock.reset();
}
both_backends!(the_business_sends_evidence_through_its_link);

/// A dispute settled by mediation (Art 65) with the agreed date `days` ahead, its record
/// printed: (handler, case).
async fn mediated(app: &TestApp, tag: &str, days: i64) -> (String, Value) {
    mediated_on(app, tag, days, "2026-12-01", "2026-12-01T09:00:00+07:00").await
}

/// [`mediated`], the mediation held at `held_at`.
async fn mediated_on(app: &TestApp, tag: &str, days: i64, day: &str, held_at: &str) -> (String, Value) {
    // Accounts first: the administrator's session does not outlive the clock's move.
    let (mid, _) = app.listed_mediator(&format!("{tag}.m"), "HOI", &["Tiếng Việt"]).await;
    let (h, c, _) = forwarded(app, &format!("{tag}.h"), day).await;
    let m = app.login(&format!("{tag}.m"), PASSWORD).await;
    let no = json!({"result": "no_answer", "reason": "Doanh nghiệp không trả lời."});
    let c = app.act_ok(&h, &c, "record_negotiation_result", no).await;
    let c = app
        .act_ok(&h, &c, "appoint_mediator", json!({"mediator_id": mid}))
        .await;
    let due = (app.state.clock.today() + TimeDelta::days(days)).to_string();
    let record = json!({
        "mediator": "Hội Bảo vệ quyền lợi người tiêu dùng tỉnh – hòa giải viên Trần Thị Hương",
        "parties": "Bà Nguyễn Thị Hồng; Cửa hàng Điện máy Ánh Dương",
        "held_at": held_at, "place": "Trụ sở Hội, 12 Lê Lợi",
        "subject": "Máy giặt hỏng sau 10 ngày sử dụng",
        "parties_views": "Người tiêu dùng đề nghị đổi máy; cửa hàng đồng ý.",
        "result": "Cửa hàng đổi máy giặt mới cùng loại.",
        "performance_deadline": due, "other_terms": "Không có."
    });
    let c = app
        .act_ok(
            &m,
            &c,
            "record_mediation_result",
            json!({"success": true, "record": record}),
        )
        .await;
    assert_eq!(c["outcome"], "settled_mediation");
    let id = c["id"].as_str().unwrap();
    let pdf = app
        .get(&format!("/api/v1/cases/{id}/documents/mediation-record.pdf"), Some(&h))
        .await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.raw.starts_with(b"%PDF-"));
    let c = app.case(&h, id).await.body;
    (h, c)
}

/// Moves the clock `days` ahead, signs `user` in again, runs the sweep and every job.
async fn sweep_after(app: &TestApp, days: i64, user: &str) -> String {
    app.state.clock.advance(TimeDelta::days(days));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    app.login(user, PASSWORD).await
}

async fn a_missed_performance_reopens_the_case_once_with_the_court_advice(app: &TestApp) {
    let (_, c) = mediated(app, "miss", 5).await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.worker.drain().await.unwrap();
    let before = app.state.mailer.memory_sent().len();
    // The agreed date passes with no confirmation: the sweep returns the case to the handler.
    let h = sweep_after(app, 8, "miss.h").await;
    let d = app.case(&h, &id).await.body;
    assert_eq!(
        (d["status"].as_str(), d["outcome"].as_str()),
        (Some("accepted"), None),
        "{d}"
    );
    let evs = events(app, &h, &id).await;
    let recorded: Vec<&Value> = evs.iter().filter(|e| e["action"] == "record_performance").collect();
    assert_eq!(recorded.len(), 1, "{evs:?}");
    assert_eq!(recorded[0]["actor_role"], "system");
    assert_eq!(recorded[0]["data"]["performed"], false);
    assert_eq!(
        (recorded[0]["from_status"].as_str(), recorded[0]["to_status"].as_str()),
        (Some("closed"), Some("accepted"))
    );
    let perf = clock_of(app, &h, &id, "settlement_performance").await;
    assert_eq!(
        (perf["state"].as_str(), perf["result"].as_str()),
        (Some("stopped"), Some("late"))
    );
    assert_eq!(clock_of(app, &h, &id, "court_recognition").await["state"], "running");
    // The parties are told, with the 6 months of Civil Procedure Code Art 418: the consumer
    // with their link, the business without the tracking code; the handler too.
    let sent = app.state.mailer.memory_sent();
    let advice = |to: &str| {
        sent[before..]
            .iter()
            .filter(|m| m.to.contains(to) && m.text.contains("Điều 418 Bộ luật Tố tụng dân sự"))
            .cloned()
            .collect::<Vec<_>>()
    };
    let consumer = advice(CONSUMER_MAIL);
    assert_eq!(consumer.len(), 1, "{sent:?}");
    assert!(consumer[0].text.contains("6 tháng") && consumer[0].text.contains("/t/"));
    let business = advice(BUSINESS_MAIL);
    assert_eq!(business.len(), 1);
    let code = d["tracking_code"].as_str().unwrap();
    assert!(!business[0].text.contains(code) && !business[0].text.contains("/t/"));
    assert!(sent[before..]
        .iter()
        .any(|m| m.to.contains(HANDLER_MAIL) && m.subject.contains("Thực hiện thỏa thuận")));
    // The history's public message (the consumer's page) says so too.
    let status = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await;
    assert!(status.body.to_string().contains("Điều 418"));
    // The sweep again, a day later: nothing twice.
    let after = app.state.mailer.memory_sent().len();
    let h = sweep_after(app, 1, "miss.h").await;
    let recorded = events(app, &h, &id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "record_performance")
        .count();
    assert_eq!(recorded, 1);
    let again = app.state.mailer.memory_sent()[after..]
        .iter()
        .filter(|m| m.text.contains("Điều 418"))
        .count();
    assert_eq!(again, 0);
    app.state.clock.reset();
}
both_backends!(a_missed_performance_reopens_the_case_once_with_the_court_advice);

async fn a_confirmed_performance_meets_its_clock_and_nothing_reopens(app: &TestApp) {
    let (token, c, h) = crate::citizen_settlement::settled(app, "Mua máy giặt bị lỗi, cửa hàng hứa đổi máy.", 5).await;
    app.user("conf.h", "handler", Some("SCT")).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let page = html(&app.get(&format!("/t/{token}"), None).await);
    let form = serde_urlencoded::to_string([("csrf", csrf_of(&page).as_str()), ("performed", "yes")]).unwrap();
    let r = app
        .post_raw(
            &format!("/t/{token}/settlement"),
            None,
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    assert_eq!(r.status, 200, "303 back to the page");
    let perf = clock_of(app, &h, &id, "settlement_performance").await;
    assert_eq!(
        (perf["state"].as_str(), perf["result"].as_str()),
        (Some("stopped"), Some("met"))
    );
    // Past the date, the sweep leaves it closed; the handler may not record it again.
    let h = sweep_after(app, 8, "conf.h").await;
    let d = app.case(&h, &id).await.body;
    assert_eq!(
        (d["status"].as_str(), d["outcome"].as_str()),
        (Some("closed"), Some("settled_negotiation"))
    );
    assert!(!events(app, &h, &id)
        .await
        .iter()
        .any(|e| e["action"] == "record_performance"));
    assert_problem(
        &app.act(&h, &d, "record_performance", json!({"performed": true})).await,
        409,
        "invalid_transition",
    );
    app.state.clock.reset();
}
both_backends!(a_confirmed_performance_meets_its_clock_and_nothing_reopens);

async fn the_handler_records_whether_a_settlement_was_carried_out(app: &TestApp) {
    // Carried out: the case stays closed, the clock is met, the consumer has nothing to confirm.
    let (token, c, h) = crate::citizen_settlement::settled(app, "Mua bếp từ bị lỗi, cửa hàng hứa sửa.", 10).await;
    let id = c["id"].as_str().unwrap().to_owned();
    assert!(
        c["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("record_performance")),
        "{c}"
    );
    let (_, op) = app.user("perf.op", "operator", Some("SCT")).await;
    assert_eq!(
        app.act(&op, &c, "record_performance", json!({"performed": true}))
            .await
            .status,
        403
    );
    let body = json!({"performed": true, "note": "Người tiêu dùng báo qua điện thoại đã nhận bếp mới."});
    let d = app.act_ok(&h, &c, "record_performance", body).await;
    assert_eq!(
        (d["status"].as_str(), d["outcome"].as_str()),
        (Some("closed"), Some("settled_negotiation"))
    );
    assert_eq!(clock_of(app, &h, &id, "settlement_performance").await["result"], "met");
    assert!(
        !d["allowed_actions"]
            .as_array()
            .unwrap()
            .contains(&json!("record_performance")),
        "{d}"
    );
    assert_problem(
        &app.act(&h, &d, "record_performance", json!({"performed": false})).await,
        409,
        "invalid_transition",
    );
    let r = app
        .post(
            &format!("/api/v1/public/cases/{token}/settlement"),
            None,
            &json!({"performed": true}),
        )
        .await;
    assert_problem(&r, 409, "invalid_transition");
    // Not carried out: back to `accepted` for the handler, with a fresh forwarding clock.
    let (_, c, h) = crate::citizen_settlement::settled(app, "Mua quạt điện bị hỏng, cửa hàng hứa hoàn tiền.", 10).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let d = app
        .act_ok(&h, &c, "record_performance", json!({"performed": false}))
        .await;
    assert_eq!((d["status"].as_str(), d["outcome"].as_str()), (Some("accepted"), None));
    assert!(d["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("request_mediation")));
    assert_eq!(clock_of(app, &h, &id, "forward_to_business").await["state"], "running");
    // Not on a case that did not settle.
    let (_, other) = crate::citizen_links::filed(app, "Máy sấy tóc không hoạt động.").await;
    let o = app.case(&h, &other).await.body;
    assert_problem(
        &app.act(&h, &o, "record_performance", json!({"performed": true})).await,
        409,
        "invalid_transition",
    );
    app.worker.drain().await.unwrap();
}
both_backends!(the_handler_records_whether_a_settlement_was_carried_out);

async fn the_parties_are_reminded_of_the_court_recognition_deadline_once(app: &TestApp) {
    let (h, c) = mediated(app, "court", 5).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let body = json!({"performed": true, "note": "Hai bên xác nhận đã đổi máy."});
    app.act_ok(&h, &c, "record_performance", body).await;
    app.worker.drain().await.unwrap();
    let court = clock_of(app, &h, &id, "court_recognition").await;
    assert_eq!(
        (court["state"].as_str(), court["due_date"].as_str()),
        (Some("running"), Some("2027-06-01"))
    );
    let reminders = |app: &TestApp, to: &str| {
        app.state
            .mailer
            .memory_sent()
            .into_iter()
            .filter(|m| m.to.contains(to) && m.subject.contains("công nhận kết quả hòa giải thành"))
            .collect::<Vec<_>>()
    };
    // Two months before: nothing yet. A month before: both parties, once.
    sweep_after(app, 120, "court.h").await;
    assert!(reminders(app, CONSUMER_MAIL).is_empty());
    sweep_after(app, 45, "court.h").await;
    let consumer = reminders(app, CONSUMER_MAIL);
    let business = reminders(app, BUSINESS_MAIL);
    assert_eq!((consumer.len(), business.len()), (1, 1));
    assert!(consumer[0].text.contains("01/06/2027") && consumer[0].text.contains("Điều 418"));
    assert!(consumer[0].text.contains(c["tracking_code"].as_str().unwrap()));
    assert!(!business[0].text.contains(c["tracking_code"].as_str().unwrap()));
    sweep_after(app, 1, "court.h").await;
    assert_eq!(reminders(app, CONSUMER_MAIL).len(), 1, "once");
    app.state.clock.reset();
}
both_backends!(the_parties_are_reminded_of_the_court_recognition_deadline_once);

/// The six months to ask a court to recognise the settlement run from the day the mediation
/// was held (not the day its result was entered); a last day that is not a working day moves
/// to the next working day.
async fn the_court_recognition_deadline_runs_from_the_mediation(app: &TestApp) {
    // Held on Sunday 29/11/2026, entered on 01/12: six months end on Saturday 29/05/2027,
    // so the deadline is Monday 31/05/2027.
    let (h, c) = mediated_on(app, "held", 5, "2026-12-01", "2026-11-29T09:00:00+07:00").await;
    let id = c["id"].as_str().unwrap().to_owned();
    let court = clock_of(app, &h, &id, "court_recognition").await;
    assert_eq!(court["due_date"], "2027-05-31", "{court}");
    // The settlement carried out, the case closed: when the six months have passed, the
    // parties' deadline is not the agency's, so nothing is marked overdue or escalated.
    let body = json!({"performed": true, "note": "Hai bên xác nhận đã đổi máy."});
    app.act_ok(&h, &c, "record_performance", body).await;
    let h = sweep_after(app, 200, "held.h").await;
    let court = clock_of(app, &h, &id, "court_recognition").await;
    assert_eq!(court["overdue"], false, "{court}");
    let overdue: Vec<Value> = events(app, &h, &id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "clock_overdue")
        .collect();
    assert!(overdue.is_empty(), "{overdue:?}");
    assert!(
        !app.state
            .mailer
            .memory_sent()
            .iter()
            .any(|m| m.subject.contains("Quá hạn")),
        "no escalation"
    );
    app.state.clock.reset();
}
both_backends!(the_court_recognition_deadline_runs_from_the_mediation);

/// A court-recognition deadline in a year the calendar holds nothing of is provisional, and is
/// computed again (moved off a new holiday, made certain) when that year's days are entered.
async fn a_court_recognition_deadline_in_an_unknown_year_is_provisional(app: &TestApp) {
    // Held on Monday 02/08/2027: the six months end on Wednesday 02/02/2028, a year the
    // calendar does not hold yet.
    app.user("y28.a", "admin", None).await;
    let (h, c) = mediated_on(app, "y28", 5, "2027-08-03", "2027-08-02T09:00:00+07:00").await;
    let id = c["id"].as_str().unwrap().to_owned();
    let court = clock_of(app, &h, &id, "court_recognition").await;
    assert_eq!(
        (court["due_date"].as_str(), court["provisional"].as_bool()),
        (Some("2028-02-02"), Some(true)),
        "{court}"
    );
    // The year's days entered, one of them that Wednesday: the last day moves to Thursday, and
    // it is no longer provisional.
    app.state.clock.reset();
    let day = json!({"date": "2028-02-02", "kind": "off", "name": "Nghỉ Tết (thử)", "status": "official"});
    let admin = app.login("y28.a", PASSWORD).await;
    let r = app.post("/api/v1/admin/calendar/days", Some(&admin), &day).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let h = app.login("y28.h", PASSWORD).await;
    let court = clock_of(app, &h, &id, "court_recognition").await;
    assert_eq!(
        (court["due_date"].as_str(), court["provisional"].as_bool()),
        (Some("2028-02-03"), Some(false)),
        "{court}"
    );
}
both_backends!(a_court_recognition_deadline_in_an_unknown_year_is_provisional);
