//! What the reviews of this stop found in the case engine and the console, end to end: the
//! closure notice goes once; a duplicate's original is a case that is not itself a duplicate;
//! a reopened case's clocks; the daily digest.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

const CONSUMER: &str = "hong.nguyen@example.com";

fn mails_to(app: &TestApp, to: &str) -> usize {
    app.state
        .mailer
        .memory_sent()
        .iter()
        .filter(|m| m.to.contains(to))
        .count()
}

/// A note, a data correction or a performance recorded on a closed case send the consumer
/// nothing: the closure notice (with a new private link) went once, when it closed. A corrected
/// e-mail address would otherwise have received a link to someone else's case.
async fn a_closed_case_sends_its_closure_notice_once(app: &TestApp) {
    let (_, h) = app.user("h.once", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    app.worker.drain().await.unwrap();
    let before = mails_to(app, CONSUMER);
    let c = app
        .act_ok(
            &h,
            &c,
            "withdraw",
            json!({"reason": "Người tiêu dùng đã tự thỏa thuận."}),
        )
        .await;
    assert_eq!(c["status"], "closed");
    app.worker.drain().await.unwrap();
    assert_eq!(mails_to(app, CONSUMER), before + 1, "the closure notice");
    let c = app
        .act_ok(&h, &c, "add_note", json!({"text": "Đã gọi lại xác nhận."}))
        .await;
    let body = json!({"consumer_email": "hong.moi@example.com", "reason": "Ghi nhầm địa chỉ thư"});
    app.act_ok(&h, &c, "correct_data", body).await;
    app.worker.drain().await.unwrap();
    assert_eq!(mails_to(app, CONSUMER), before + 1, "no second closure notice");
    assert_eq!(mails_to(app, "hong.moi@example.com"), 0, "no link sent on a correction");
}
both_backends!(a_closed_case_sends_its_closure_notice_once);

/// Two cases cannot be each other's duplicate (both would close and nobody would handle the
/// complaint), nor a chain hide the case that goes on.
async fn a_duplicate_names_a_case_that_goes_on(app: &TestApp) {
    let (_, h) = app.user("h.dup", "handler", Some("SCT")).await;
    let mut ids = Vec::new();
    let mut cases = Vec::new();
    for _ in 0..3 {
        let c = app.open_case(&h, &dispute()).await;
        let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
        ids.push(c["id"].as_str().unwrap().to_owned());
        cases.push(c);
    }
    app.act_ok(&h, &cases[0], "mark_duplicate", json!({"of_case_id": ids[1]}))
        .await;
    let back = app
        .act(&h, &cases[1], "mark_duplicate", json!({"of_case_id": ids[0]}))
        .await;
    assert_problem(&back, 422, "invalid_field");
    assert_eq!(back.body["field"], "of_case_id");
    let chain = app
        .act(&h, &cases[2], "mark_duplicate", json!({"of_case_id": ids[0]}))
        .await;
    assert_problem(&chain, 422, "invalid_field");
    assert_eq!(
        app.case(&h, &ids[1]).await.body["status"],
        "routed",
        "the original goes on"
    );
}
both_backends!(a_duplicate_names_a_case_that_goes_on);

/// The daily digest counts the agency's open cases on the database and lists the overdue ones
/// first; closed cases neither count nor crowd the overdue out of the list.
async fn the_daily_digest_counts_open_cases_and_lists_the_overdue(app: &TestApp) {
    use crate::helpers::{dispute_before, local_noon, PASSWORD};
    let sup = json!({"username": "sup.dg", "role": "supervisor", "agency": "SCT", "password": PASSWORD, "email": "so.dg@example.gov.vn"});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &sup)
            .await
            .status,
        201
    );
    let (_, h) = app.user("h.dg", "handler", Some("SCT")).await;
    // Routed on Monday 02/11/2026: the acknowledgment (10 working days) is due 16/11.
    app.state.clock.set(local_noon("2026-11-02"));
    let late = app.open_case(&h, &dispute_before("2026-11-02")).await;
    let late = app.act_ok(&h, &late, "route", json!({"agency": "SCT"})).await;
    for _ in 0..3 {
        let c = app.open_case(&h, &dispute_before("2026-11-02")).await;
        let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
        app.act_ok(&h, &c, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
            .await;
    }
    // On Friday 20/11 at noon: one open case, overdue.
    app.state.clock.set(local_noon("2026-11-20"));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let digest = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .find(|m| m.to.contains("so.dg@") && m.subject.contains("Tổng hợp"))
        .expect("the digest");
    let text = digest.text;
    assert!(text.contains("đến ngày 20/11/2026"), "{text}");
    assert!(
        text.contains("- Hồ sơ đang giải quyết: 1\n") && text.contains("- Quá hạn: 1\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{} — quá hạn", late["tracking_code"].as_str().unwrap())),
        "{text}"
    );
    app.state.clock.reset();
}
both_backends!(the_daily_digest_counts_open_cases_and_lists_the_overdue);

/// The console's deadline tabs of agency staff list their agency's cases only: a case
/// transferred away (which the agency may still read) is not theirs to act on.
async fn the_deadline_tabs_list_only_the_agencys_cases(app: &TestApp) {
    use crate::console::{get, session_of};
    let (_, sct) = app.user("h.tab.sct", "handler", Some("SCT")).await;
    let (_, hoi) = app.user("h.tab.hoi", "handler", Some("HOI")).await;
    let mut body = dispute();
    body["consumer"]["vulnerable"] = json!(["elderly"]);
    let c = app.open_case(&sct, &body).await;
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "SCT"})).await;
    let code = c["tracking_code"].as_str().unwrap().to_owned();
    let s = session_of(app, "h.tab.sct").await;
    assert!(
        get(app, "/console/?tab=priority", Some(&s)).await.html.contains(&code),
        "held: listed"
    );
    let transfer = json!({"to_agency": "HOI", "reason": "NTD đề nghị Hội hỗ trợ"});
    let c = app.act_ok(&sct, &c, "transfer", transfer).await;
    let seen = app.case(&hoi, c["id"].as_str().unwrap()).await.body;
    app.act_ok(&hoi, &seen, "accept_transfer", json!({})).await;
    for tab in ["priority", "due_soon", "overdue"] {
        let page = get(app, &format!("/console/?tab={tab}"), Some(&s)).await;
        assert!(!page.html.contains(&code), "{tab}: transferred away");
    }
    let s = session_of(app, "h.tab.hoi").await;
    assert!(
        get(app, "/console/?tab=priority", Some(&s)).await.html.contains(&code),
        "the new agency's"
    );
}
both_backends!(the_deadline_tabs_list_only_the_agencys_cases);

/// A complaint's internal target is the handling agency's: it follows the case when it is
/// routed (a web complaint lands at the coordinator's agency) and when a transfer is accepted.
async fn the_internal_target_follows_the_case_to_its_handling_agency(app: &TestApp) {
    let (_, coord) = app.user("c.it", "coordinator", Some("SCT")).await;
    let (_, sct) = app.user("h.it.sct", "handler", Some("SCT")).await;
    let (_, qltt) = app.user("h.it.qltt", "handler", Some("QLTT")).await;
    let (_, hoi) = app.user("h.it.hoi", "handler", Some("HOI")).await;
    let s = app
        .submit(&crate::helpers::complaint("Cửa hàng bán hàng giả, đề nghị kiểm tra."))
        .await;
    assert_eq!(s.status, 201, "{}", s.body);
    let listed = app.get("/api/v1/cases", Some(&coord)).await.body;
    let id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    let charged = |app: &TestApp| {
        let mut conn = app.state.db.get_blocking().unwrap();
        hotline::db::clocks::for_case(&mut conn, &id)
            .unwrap()
            .into_iter()
            .find(|c| c.clock == hotline::domain::clock::ClockKind::InternalTarget)
            .and_then(|c| c.agency)
    };
    let c = app.case(&sct, &id).await.body;
    let c = app.act_ok(&sct, &c, "route", json!({"agency": "QLTT"})).await;
    assert_eq!(charged(app).as_deref(), Some("QLTT"), "routed on");
    let c = app.case(&qltt, c["id"].as_str().unwrap()).await.body;
    let c = app
        .act_ok(
            &qltt,
            &c,
            "transfer",
            json!({"to_agency": "HOI", "reason": "Tranh chấp, đề nghị Hội hòa giải"}),
        )
        .await;
    assert_eq!(charged(app).as_deref(), Some("QLTT"), "an offer is not a move");
    let c = app.case(&hoi, c["id"].as_str().unwrap()).await.body;
    app.act_ok(&hoi, &c, "accept_transfer", json!({})).await;
    assert_eq!(charged(app).as_deref(), Some("HOI"), "the transfer accepted");
}
both_backends!(the_internal_target_follows_the_case_to_its_handling_agency);

async fn found(app: &TestApp, h: &str, q: &str) -> usize {
    let r = app.get(&format!("/api/v1/cases?q={q}"), Some(h)).await;
    r.body["items"].as_array().unwrap().len()
}

/// Phones stored by the old parser as "00912345678" ("+84 0912 345 678" typed) are rewritten
/// to their national form by migration 000088, search words included: the same consumer is
/// found by their number again.
async fn phones_stored_with_a_doubled_zero_are_made_national(app: &TestApp) {
    let (_, h) = app.user("h.phone", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let id = c["id"].as_str().unwrap().to_owned();
    // As the old parser wrote it.
    app.sql(&format!(
        "UPDATE cases SET consumer_phone = '00912345678', \
         search_text = replace(search_text, '0912345678', '00912345678') WHERE id = '{id}'"
    ));
    assert_eq!(
        found(app, &h, "0912345678").await,
        0,
        "split from the consumer's other cases"
    );
    let up = include_str!("../../migrations/sqlite/2026-12-01-000088_phones_national/up.sql");
    assert_eq!(
        up,
        include_str!("../../migrations/postgres/2026-12-01-000088_phones_national/up.sql")
    );
    let code: Vec<&str> = up.lines().filter(|l| !l.starts_with("--")).collect();
    for statement in code.join("\n").split(';').filter(|s| !s.trim().is_empty()) {
        app.sql(statement);
    }
    assert_eq!(app.case(&h, &id).await.body["consumer"]["phone"], "0912345678");
    assert_eq!(found(app, &h, "0912345678").await, 1, "found by the number again");
    assert_eq!(found(app, &h, "%2B84%20912%20345%20678").await, 1);
}
both_backends!(phones_stored_with_a_doubled_zero_are_made_national);
