//! The notices a consumer receives as their case moves (issue 11 item 6): each is read from the
//! memory transport after the worker ran, carries the private link `/t/{token}` (which opens),
//! names the case in its body and never in its subject.

use hotline::email::OutgoingEmail;
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::Backend;
use crate::helpers::{dispute, spawn_app_with, TestApp};

const CONSUMER: &str = "hong.nguyen@example.com";

/// Runs the queued jobs and returns the consumer's mail about `case` with `subject_part` in its
/// subject, checking what every consumer notice must hold.
async fn notices(app: &TestApp, case: &Value, subject_part: &str) -> Vec<OutgoingEmail> {
    app.worker.drain().await.unwrap();
    let code = case["tracking_code"].as_str().unwrap();
    let found: Vec<OutgoingEmail> = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .filter(|m| m.to.contains(CONSUMER) && m.text.contains(code) && m.subject.contains(subject_part))
        .collect();
    for m in &found {
        assert!(
            !m.subject.contains(code),
            "no tracking code in a subject: {}",
            m.subject
        );
        assert!(m.html.contains(code), "{}", m.html);
        assert!(
            !m.text.contains("/business/") && !m.text.contains("/b/"),
            "never the business's link: {}",
            m.text
        );
        let start = m.text.find("/t/").expect("the private link");
        let path: String = m.text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
        assert!(m.html.contains(&path), "the same link in HTML");
        let page = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(page.status(), 200, "{path} opens the status page");
    }
    found
}

/// The consumer's mail about `case` whose subject has `subject_part`: exactly one.
async fn one_notice(app: &TestApp, case: &Value, subject_part: &str) -> OutgoingEmail {
    let mut found = notices(app, case, subject_part).await;
    assert_eq!(found.len(), 1, "one notice {subject_part:?}");
    found.remove(0)
}

/// A copy of `config/` whose QLTT agency publishes a hotline and an address.
pub(crate) fn config_with_a_qltt_hotline() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    copy_dir(&src, dir.path());
    let path = dir.path().join("taxonomy.toml");
    let taxonomy = std::fs::read_to_string(&path).unwrap();
    let at = taxonomy.find("code = \"QLTT\"").expect("QLTT in the taxonomy");
    let line_end = at + taxonomy[at..].find('\n').unwrap() + 1;
    let with_phone = format!(
        "{}phone = \"0222 3822 456\"\naddress = \"Số 10 đường Lý Thái Tổ\"\n{}",
        &taxonomy[..line_end],
        &taxonomy[line_end..]
    );
    std::fs::write(&path, with_phone).unwrap();
    dir
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Law 19/2023 Art 11: the requester is told who handles the case, when it is routed and when
/// a transfer is accepted (with the agency's hotline when one is configured); a transfer still
/// pending or declined tells nothing yet.
async fn routing_and_an_accepted_transfer_tell_the_consumer_who_handles_it(backend: Backend) {
    let config = config_with_a_qltt_hotline();
    let dir = config.path().to_path_buf();
    let Some(app) = spawn_app_with(backend, move |s| s.config_dir = dir).await else {
        return;
    };
    let (_, sct) = app.user("h.sct", "handler", Some("SCT")).await;
    let (_, qltt) = app.user("h.qltt", "handler", Some("QLTT")).await;
    let (_, hoi) = app.user("h.hoi", "handler", Some("HOI")).await;
    let c = app.open_case(&sct, &dispute()).await;
    assert!(
        notices(&app, &c, "cơ quan giải quyết").await.is_empty(),
        "not before routing"
    );
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "SCT"})).await;
    let m = one_notice(&app, &c, "cơ quan giải quyết").await;
    assert!(m.subject.ends_with("Sở Công Thương"), "{}", m.subject);
    assert!(m.text.starts_with("Kính gửi Ông/Bà Nguyễn Thị Hồng,"), "{}", m.text);
    assert!(m.text.contains("Điều 11") && m.text.contains("đã được giao cho Sở Công Thương"));
    let due = c["due"]["due_date"].as_str().unwrap();
    let due_vn = format!("{}/{}/{}", &due[8..10], &due[5..7], &due[0..4]);
    assert!(m.text.contains(&due_vn), "the acknowledgment date {due_vn}: {}", m.text);
    assert!(
        !m.text.contains("Điện thoại đường dây nóng"),
        "SCT publishes no phone here"
    );

    // A transfer the target declines tells the consumer nothing.
    let c = app
        .act_ok(
            &sct,
            &c,
            "transfer",
            json!({"to_agency": "HOI", "reason": "Đề nghị Hội hỗ trợ"}),
        )
        .await;
    let c = app
        .act_ok(&hoi, &c, "decline_transfer", json!({"reason": "Không thuộc phạm vi."}))
        .await;
    assert_eq!(
        notices(&app, &c, "cơ quan giải quyết").await.len(),
        1,
        "still only the first"
    );

    // An accepted one does, with the new agency's hotline and address.
    let c = app
        .act_ok(&sct, &c, "transfer", json!({"to_agency": "QLTT", "reason": "Hàng giả"}))
        .await;
    assert_eq!(
        notices(&app, &c, "cơ quan giải quyết").await.len(),
        1,
        "not while pending"
    );
    let c = app.act_ok(&qltt, &c, "accept_transfer", json!({})).await;
    let all = notices(&app, &c, "cơ quan giải quyết").await;
    assert_eq!(all.len(), 2);
    let m = all.iter().find(|m| m.subject.contains("Quản lý thị trường")).unwrap();
    for s in [&m.text, &m.html] {
        assert!(
            s.contains("cơ quan có thẩm quyền") && s.contains("0222 3822 456"),
            "{s}"
        );
        assert!(s.contains("Số 10 đường Lý Thái Tổ"));
    }

    // A consumer without an address gets nothing, and nothing fails.
    let mut quiet = dispute();
    quiet["consumer"].as_object_mut().unwrap().remove("email");
    let before = app.state.mailer.memory_sent().len();
    let q = app.open_case(&sct, &quiet).await;
    app.act_ok(&sct, &q, "route", json!({"agency": "SCT"})).await;
    app.worker.drain().await.unwrap();
    assert_eq!(app.state.mailer.memory_sent().len(), before);
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn routing_and_transfer_notices_sqlite() {
    routing_and_an_accepted_transfer_tell_the_consumer_who_handles_it(Backend::Sqlite).await;
}
#[actix_web::test]
async fn routing_and_transfer_notices_postgres() {
    routing_and_an_accepted_transfer_tell_the_consumer_who_handles_it(Backend::Postgres).await;
}

/// Forwarding to the business sends the consumer a copy (without the business's link), then a
/// failed negotiation, the appointed mediator and a reopening are each told.
async fn the_consumer_follows_negotiation_mediation_and_reopening_by_mail(app: &TestApp) {
    let (_, h) = app.user("h.1", "handler", Some("SCT")).await;
    let (_, sup) = app.user("s.1", "supervisor", Some("SCT")).await;
    let (mid, _) = app.listed_mediator("m.1", "HOI", &["Tiếng Việt"]).await;
    let c = app.open_case(&h, &dispute()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "forward_to_business",
            json!({"business_email": "cskh@dienmay.example", "message": "Đề nghị đổi <máy> mới & hoàn phí."}),
        )
        .await;
    let copy = one_notice(app, &c, "chuyển đến doanh nghiệp").await;
    assert!(copy.text.contains("Cửa hàng Điện máy Ánh Dương") && copy.text.contains("khoản 4 Điều 57"));
    assert!(copy.text.contains("Đề nghị đổi <máy> mới & hoàn phí."), "{}", copy.text);
    assert!(
        copy.html.contains("Đề nghị đổi &#60;máy&#62; mới &#38; hoàn phí."),
        "escaped in HTML"
    );
    let business = app.state.mailer.memory_sent();
    assert!(business
        .iter()
        .any(|m| m.to.contains("cskh@dienmay.example") && m.text.contains("/b/")));

    let c = app
        .act_ok(
            &h,
            &c,
            "record_negotiation_result",
            json!({"result": "no_answer", "reason": "Doanh nghiệp không trả lời."}),
        )
        .await;
    assert_eq!(c["status"], "mediation");
    let m = one_notice(app, &c, "sang hòa giải").await;
    assert!(m.text.contains("không trả lời yêu cầu thương lượng") && m.text.contains("Điều 64"));

    let c = app
        .act_ok(
            &h,
            &c,
            "appoint_mediator",
            json!({"mediator_id": mid, "interpreter": "Hà Thị Mai"}),
        )
        .await;
    let m = one_notice(app, &c, "hòa giải viên").await;
    assert!(m.text.contains("Người phiên dịch: Hà Thị Mai"), "{}", m.text);

    let c = app
        .act_ok(
            &h,
            &c,
            "record_mediation_result",
            json!({"success": false, "failure_reason": "Hai bên không thống nhất."}),
        )
        .await;
    assert_eq!(c["status"], "closed");
    one_notice(app, &c, "kết thúc").await;
    let c = app
        .act_ok(&sup, &c, "reopen", json!({"reason": "Nội bộ: xem lại biên bản."}))
        .await;
    let m = one_notice(app, &c, "mở lại").await;
    assert!(m.text.contains("Bước hiện tại: Đang hòa giải"), "{}", m.text);
    assert!(!m.text.contains("Nội bộ"), "the staff's reason stays inside");
}
both_backends!(the_consumer_follows_negotiation_mediation_and_reopening_by_mail);

/// A holiday announced late moves the due dates of open cases: the consumer is told which, from
/// what date to what date (internal targets are not mentioned).
async fn a_calendar_change_tells_the_consumer_of_moved_due_dates(app: &TestApp) {
    let (_, h) = app.user("h.cal", "handler", Some("SCT")).await;
    // Routed Fri 20/11/2026: the acknowledgment is due Fri 4/12, and Mon 7/12 once 24/11 is off.
    app.state.clock.set(crate::helpers::local_noon("2026-11-20"));
    let c = app.open_case(&h, &crate::helpers::dispute_before("2026-11-20")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    app.state.clock.reset();
    let on = app
        .client
        .put(app.url("/api/v1/admin/calendar/days/2026-11-24"))
        .bearer_auth(&app.admin_token)
        .send_json(&json!({"date": "2026-11-24", "kind": "off", "name": "Ngày Văn hóa Việt Nam", "status": "proposed", "enabled": true}))
        .await
        .unwrap();
    assert_eq!(on.status(), 200);
    let m = one_notice(app, &c, "thay đổi thời hạn").await;
    assert!(
        m.text
            .contains("- Thông báo thụ lý (10 ngày làm việc): từ ngày 04/12/2026 thành ngày 07/12/2026"),
        "{}",
        m.text
    );
    assert!(!m.text.contains("Chỉ tiêu nội bộ"), "{}", m.text);
    // A change that moves nothing sends nothing.
    let r = app
        .post(
            "/api/v1/admin/calendar/days",
            Some(&app.admin_token),
            &json!({"date": "2030-01-02", "kind": "off", "name": "Nghỉ bù (thử)", "status": "official"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(notices(app, &c, "thay đổi thời hạn").await.len(), 1);
}
both_backends!(a_calendar_change_tells_the_consumer_of_moved_due_dates);

/// A web complaint's address and text are unchecked: the consumer's copy of the forwarded
/// request carries nothing the sender typed (only what staff wrote), like every consumer mail.
async fn the_copy_of_a_web_complaint_carries_no_submitted_text(app: &TestApp) {
    let (_, h) = app.user("h.web", "handler", Some("SCT")).await;
    let mut phish = crate::helpers::complaint("Khiếu nại về đơn hàng giao thiếu.");
    phish["consumer_request"] = json!("TRÚNG THƯỞNG 100 TRIỆU http://phish.example");
    phish["business"]["name"] = json!("Nhận quà tại http://phish.example");
    let r = app.submit(&phish).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.body["tracking_code"].as_str().unwrap();
    let list = app.get("/api/v1/cases?limit=50", Some(&h)).await;
    let id = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["tracking_code"] == code)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let c = app.case(&h, &id).await.body;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "reclassify",
            json!({"kind": "dispute", "category": "goods_general"}),
        )
        .await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app.act_ok(&h, &c, "forward_to_business", json!({})).await;
    let m = one_notice(app, &c, "chuyển đến doanh nghiệp").await;
    for s in [&m.subject, &m.text, &m.html] {
        assert!(!s.contains("phish.example") && !s.contains("TRÚNG THƯỞNG"), "{s}");
    }
    assert!(m.text.starts_with("Kính gửi Quý khách,"), "{}", m.text);
}
both_backends!(the_copy_of_a_web_complaint_carries_no_submitted_text);

/// Law 42/2013 Art 28: the person is told that the agency took the matter up (as a refusal,
/// a transfer or a referral is told): a dispute with the day by which it goes to the business
/// (the `forward_to_business` clock), a violation report with what the agency does next, each
/// with the agency's published contact.
async fn accepting_a_case_tells_the_consumer_what_comes_next(backend: Backend) {
    let config = config_with_a_qltt_hotline();
    let dir = config.path().to_path_buf();
    let Some(app) = spawn_app_with(backend, move |s| s.config_dir = dir).await else {
        return;
    };
    let (_, sct) = app.user("h.acc", "handler", Some("SCT")).await;
    let (_, qltt) = app.user("q.acc", "handler", Some("QLTT")).await;
    let c = app.open_case(&sct, &dispute()).await;
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "SCT"})).await;
    assert!(notices(&app, &c, "thụ lý").await.is_empty(), "not before acceptance");
    let c = app.act_ok(&sct, &c, "accept", json!({})).await;
    let m = one_notice(&app, &c, "Thông báo thụ lý").await;
    let id = c["id"].as_str().unwrap();
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&sct)).await.body;
    let due = d
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "forward_to_business")
        .unwrap()["due_date"]
        .as_str()
        .unwrap()
        .to_owned();
    let due_vn = format!("{}/{}/{}", &due[8..10], &due[5..7], &due[0..4]);
    for s in [&m.text, &m.html] {
        assert!(
            s.contains("Sở Công Thương đã thụ lý") || s.contains("Sở Công Thương</strong> đã thụ lý"),
            "{s}"
        );
        assert!(s.contains("Điều 28") && s.contains("khoản 4 Điều 57"), "{s}");
        assert!(s.contains(&due_vn), "the forwarding day {due_vn}: {s}");
    }
    // Asked for information before negotiation, a request for support may be refused without
    // it (Art 58(3)); during negotiation, the handling is only delayed.
    let c = app
        .act_ok(&sct, &c, "request_info", json!({"requested": "Hóa đơn."}))
        .await;
    let m = one_notice(&app, &c, "Đề nghị bổ sung").await;
    assert!(
        m.text.contains("khoản 3 Điều 58") && m.subject.contains("chậm nhất ngày"),
        "{}",
        m.text
    );
    let c = app.act_ok(&sct, &c, "provide_info", json!({"info": "Đã nộp."})).await;
    let c = app
        .act_ok(
            &sct,
            &c,
            "forward_to_business",
            json!({"business_email": "cskh@anhduong.example.com"}),
        )
        .await;
    let c = app
        .act_ok(&sct, &c, "request_info", json!({"requested": "Biên nhận."}))
        .await;
    let all = notices(&app, &c, "Đề nghị bổ sung").await;
    assert_eq!(all.len(), 2);
    let later = all.iter().find(|m| m.text.contains("Biên nhận.")).unwrap();
    assert!(
        !later.text.contains("Điều 58") && later.text.contains("chậm lại"),
        "{}",
        later.text
    );

    let c = app.open_case(&sct, &crate::helpers::violation()).await;
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "QLTT"})).await;
    let c = app.act_ok(&qltt, &c, "accept", json!({})).await;
    let m = one_notice(&app, &c, "Thông báo thụ lý").await;
    assert!(m.subject.contains("Chi cục Quản lý thị trường"), "{}", m.subject);
    for s in [&m.text, &m.html] {
        assert!(s.contains("phản ánh của Ông/Bà") && s.contains("báo kết quả"), "{s}");
        assert!(s.contains("0222 3822 456") && !s.contains("Điều 57"), "{s}");
    }
}

#[actix_web::test]
async fn acceptance_notice_sqlite() {
    accepting_a_case_tells_the_consumer_what_comes_next(Backend::Sqlite).await;
}
#[actix_web::test]
async fn acceptance_notice_postgres() {
    accepting_a_case_tells_the_consumer_what_comes_next(Backend::Postgres).await;
}
