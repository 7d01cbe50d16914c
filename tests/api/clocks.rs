//! Legal clocks, the calendar API, the sweep, and e-mail that is never lost.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{
    assert_problem, complaint, dispute, dispute_before, local_noon, spawn_app_with, TestApp, PASSWORD,
};
use hotline::service::jobs::{Ran, Worker};

async fn the_working_day_calculator_explains_its_answer(app: &TestApp) {
    // 30/4–2/5/2025 off, make-up Saturday 26/4 counted.
    let r = app
        .get("/api/v1/calendar/working-days?from=2025-04-25&add=3", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["due"], "2025-04-29", "{}", r.body);
    let r = app
        .get("/api/v1/calendar/working-days?from=2025-04-28&add=3", None)
        .await;
    assert_eq!(r.body["due"], "2025-05-06", "{}", r.body);
    let reasons: Vec<&str> = r.body["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"Ngày Chiến thắng") && reasons.contains(&"Quốc tế Lao động"),
        "{reasons:?}"
    );
    assert_eq!(r.body["provisional"], false);
    // Tết 2027 is not announced yet: the answer says so.
    let r = app
        .get("/api/v1/calendar/working-days?from=2027-02-03&add=2", None)
        .await;
    assert_eq!(r.body["provisional"], true, "{}", r.body);
    assert_problem(
        &app.get("/api/v1/calendar/working-days?from=2025-13-01&add=1", None)
            .await,
        400,
        "invalid_query",
    );
    assert_eq!(
        app.get("/api/v1/calendar/days", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        52
    );
}
both_backends!(the_working_day_calculator_explains_its_answer);

async fn a_pause_extends_a_clock_by_the_working_days_paused_and_calendar_changes_move_due_dates(app: &TestApp) {
    let (_, h) = app.user("h.clock", "handler", Some("SCT")).await;
    // On the service's clock: routed Thu 20/8/2026, information requested Mon 24/8, provided
    // Fri 4/9 (25–28/8 and 3–4/9 are six working days; 31/8–2/9 are holidays, Sat 22/8 a
    // make-up working day).
    app.state.clock.set(local_noon("2026-08-20"));
    let c = app.open_case(&h, &dispute_before("2026-08-20")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.state.clock.set(local_noon("2026-08-24"));
    let c = app
        .act_ok(&h, &c, "request_info", json!({"requested": "Hóa đơn mua hàng"}))
        .await;
    app.state.clock.set(local_noon("2026-09-04"));
    app.act_ok(&h, &c, "provide_info", json!({"info": "Đã gửi hóa đơn"}))
        .await;
    app.state.clock.reset();
    // Any calendar change recomputes open clocks (this one moves none).
    let r = app
        .post(
            "/api/v1/admin/calendar/days",
            Some(&app.admin_token),
            &json!({"date": "2030-01-02", "kind": "off", "name": "Nghỉ bù (thử)", "status": "official"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await;
    assert_eq!(d.status, 200, "{}", d.body);
    let ack = d
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "acknowledge")
        .unwrap()
        .clone();
    // Without the pause: 7/9. Six paused working days later: Tue 15/9/2026.
    assert_eq!(ack["due_date"], "2026-09-15", "{ack}");
    let days = ack["days"].as_array().unwrap();
    let day = |date: &str| days.iter().find(|x| x["date"] == date).unwrap().clone();
    assert_eq!(day("2026-08-22")["counted"], 2, "make-up Saturday counts");
    assert!(day("2026-08-25")["reason"].as_str().unwrap().contains("paused"));
    assert!(day("2026-08-31")["counted"].is_null());
    assert_eq!(day("2026-09-15")["counted"], 10);

    // The proposed 24/11/2026 counts only once an administrator turns it on: a case routed on
    // Fri 20/11 is due 4/12, and 7/12 once the day is on, with the move in its history.
    app.state.clock.set(local_noon("2026-11-20"));
    let c = app.open_case(&h, &dispute_before("2026-11-20")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.state.clock.reset();
    let on = app
        .client
        .put(app.url("/api/v1/admin/calendar/days/2026-11-24"))
        .bearer_auth(&app.admin_token)
        .send_json(&json!({"date": "2026-11-24", "kind": "off", "name": "Ngày Văn hóa Việt Nam", "status": "proposed", "enabled": true}))
        .await
        .unwrap();
    assert_eq!(on.status(), 200);
    let ack = crate::followup::clock_of(app, &h, &id, "acknowledge").await;
    // 20/11 + 10 working days, 24/11 off: Mon 7/12/2026 (it would be Fri 4/12 otherwise).
    assert_eq!(ack["due_date"], "2026-12-07", "{ack}");
    let evs = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await;
    let last = evs
        .body
        .as_array()
        .unwrap()
        .iter()
        .rfind(|e| e["action"] == "deadline_changed" && e["data"]["clock"] == "acknowledge")
        .unwrap()
        .clone();
    assert_eq!(last["data"]["before"], "2026-12-04", "{last}");
    assert_eq!(last["data"]["after"], "2026-12-07");
    assert_eq!(
        app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&h))
            .await
            .body["valid"],
        true
    );
    // Only admins edit the calendar; bad days are refused.
    let r = app
        .post(
            "/api/v1/admin/calendar/days",
            Some(&h),
            &json!({"date": "2030-01-03", "kind": "off", "name": "x", "status": "official"}),
        )
        .await;
    assert_problem(&r, 403, "forbidden");
    let r = app
        .post(
            "/api/v1/admin/calendar/days",
            Some(&app.admin_token),
            &json!({"date": "2030-01-07", "kind": "working", "name": "x", "status": "official"}),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    let r = app
        .post(
            "/api/v1/admin/calendar/days",
            Some(&app.admin_token),
            &json!({"date": "2030-01-02", "kind": "off", "name": "x", "status": "official"}),
        )
        .await;
    assert_problem(&r, 409, "already_exists");
    let del = app
        .client
        .delete(app.url("/api/v1/admin/calendar/days/2030-01-02"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 200);
}
both_backends!(a_pause_extends_a_clock_by_the_working_days_paused_and_calendar_changes_move_due_dates);

async fn transitions_start_pause_and_stop_clocks(app: &TestApp) {
    let (_, h) = app.user("h.cl2", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let clocks = |v: &serde_json::Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["clock"].as_str().unwrap().to_owned(),
                    c["state"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await;
    assert_eq!(
        clocks(&d.body),
        vec![("internal_target".to_owned(), "running".to_owned())]
    );
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app
        .act_ok(&h, &c, "request_info", json!({"requested": "Hóa đơn"}))
        .await;
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await;
    let got = clocks(&d.body);
    assert!(got.contains(&("acknowledge".into(), "paused".into())), "{got:?}");
    assert!(got.contains(&("internal_target".into(), "paused".into())), "{got:?}");
    assert!(got.contains(&("provide_info".into(), "running".into())), "{got:?}");
    let c = app.act_ok(&h, &c, "provide_info", json!({"info": "Đã gửi"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await;
    let got = clocks(&d.body);
    assert!(got.contains(&("acknowledge".into(), "stopped".into())));
    assert!(
        got.contains(&("forward_to_business".into(), "running".into())),
        "{got:?}"
    );
    let ack = d
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "acknowledge")
        .unwrap()
        .clone();
    assert_eq!(ack["result"], "met");
    let only = app.get("/api/v1/cases?clock=forward_to_business", Some(&h)).await;
    assert_eq!(only.body["items"].as_array().unwrap().len(), 1);
    let c = app
        .act_ok(
            &h,
            &c,
            "forward_to_business",
            json!({"business_email": "cskh@example.com"}),
        )
        .await;
    // The business says negotiation ended on Fri 20/11/2026: its written result is due 5
    // working days later, Fri 27/11/2026.
    let c = app
        .act_ok(&h, &c, "record_negotiation_ended", json!({"ended_on": "2026-11-20"}))
        .await;
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await;
    let report = d
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "business_report")
        .unwrap()
        .clone();
    assert_eq!(report["due_date"], "2026-11-27", "{report}");
    assert_eq!(report["state"], "running");
    let got = clocks(&d.body);
    assert!(
        got.contains(&("business_negotiation".into(), "stopped".into())),
        "{got:?}"
    );
    let settled = app
        .act_ok(
            &h,
            &c,
            "record_negotiation_result",
            json!({"result": "settled", "record": {"parties": "A; B", "held_at": "2026-11-20T09:00:00+07:00", "place": "SCT", "content": "Đổi máy", "result": "Cửa hàng đổi máy mới", "performance_deadline": "2026-12-20"}}),
        )
        .await;
    assert_eq!(settled["status"], "closed");
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await;
    let got = clocks(&d.body);
    assert!(
        got.contains(&("settlement_performance".into(), "running".into())),
        "{got:?}"
    );
    assert!(
        got.iter()
            .filter(|(c, _)| c != "settlement_performance")
            .all(|(_, s)| s == "stopped"),
        "{got:?}"
    );
    // The public page shows the legal due dates, never the internal target.
    let list = app.get(&format!("/api/v1/cases/{id}"), Some(&h)).await;
    let code = list.body["tracking_code"].as_str().unwrap();
    let p = app
        .get(&format!("/api/v1/public/complaints/{code}?phone_last4=5678"), None)
        .await;
    let clocks_shown: Vec<&str> = p.body["due_dates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["clock"].as_str().unwrap())
        .collect();
    assert_eq!(clocks_shown, vec!["settlement_performance"], "{}", p.body);
    // E-mails caused by the transitions are in the outbox: acknowledgment, agency notice,
    // information request, acceptance, business forward and the consumer's copy, closure.
    let out = app.get("/api/v1/admin/outbox", Some(&app.admin_token)).await;
    let subjects: Vec<&str> = out
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects.len(),
        7,
        "received, agency, info requested, accepted, forwarded (business and copy), closure: {subjects:?}"
    );
    assert!(
        out.body
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["to"].as_str().unwrap().contains("hong.nguyen")),
        "addresses are masked"
    );
}
both_backends!(transitions_start_pause_and_stop_clocks);

async fn the_sweep_reminds_marks_overdue_and_escalates_once(app: &TestApp) {
    let (_, h) = app.user("h.sw", "handler", Some("SCT")).await;
    let sup_body = json!({"username": "sup.sw", "role": "supervisor", "agency": "SCT", "password": crate::helpers::PASSWORD, "email": "truong.phong@example.gov.vn"});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &sup_body)
            .await
            .status,
        201
    );
    // The case was routed in January (the service's clock moved back), so its acknowledgment
    // clock is long overdue today.
    app.state.clock.set(local_noon("2026-01-05"));
    let c = app.open_case(&h, &dispute_before("2026-01-05")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.state.clock.reset();
    app.post(
        "/api/v1/admin/calendar/days",
        Some(&app.admin_token),
        &json!({"date": "2030-01-02", "kind": "off", "name": "x", "status": "official"}),
    )
    .await;
    assert!(app.worker.schedule_sweep().await.unwrap());
    assert!(
        !app.worker.schedule_sweep().await.unwrap(),
        "one sweep per interval, whoever schedules it"
    );
    let ran = app.worker.drain().await.unwrap();
    assert!(ran >= 2, "the sweep and at least one e-mail: {ran}");
    let ack = crate::followup::clock_of(app, &h, &id, "acknowledge").await;
    assert_eq!(ack["overdue"], true);
    let evs = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await;
    assert!(evs
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "clock_overdue" && e["actor_role"] == "system"));
    let sent = app.state.mailer.memory_sent();
    let escalations: Vec<_> = sent
        .iter()
        .filter(|m| m.to.contains("truong.phong") && m.subject.contains("Quá hạn"))
        .collect();
    // One escalation per overdue clock: the acknowledgment, and the internal target (which
    // started with the case in January too).
    assert_eq!(
        escalations.len(),
        2,
        "{:?}",
        sent.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    assert!(escalations.iter().any(|m| m.subject.contains("Thông báo thụ lý")));
    let digests = sent
        .iter()
        .filter(|m| m.to.contains("truong.phong") && m.subject.contains("Tổng hợp"))
        .count();
    let local_hour = (chrono::Utc::now() + chrono::TimeDelta::hours(7))
        .format("%H")
        .to_string();
    if local_hour.as_str() >= "07" {
        assert_eq!(digests, 1, "the agency's daily digest after 07:00 local");
    }
    assert!(escalations[0].text.contains(c["tracking_code"].as_str().unwrap()));
    // The link in staff mail opens the case's page in the console (for a signed-in person).
    let start = escalations[0].text.find("/console/cases/").expect("a link to the case");
    let path: String = escalations[0].text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(path, format!("/console/cases/{id}"));
    let cookie = crate::console::session_of(app, "sup.sw").await;
    let page = crate::console::get(app, &path, Some(&cookie)).await;
    assert_eq!(page.status, 200, "{path}");
    assert!(page.html.contains(c["tracking_code"].as_str().unwrap()));
    let overdue = app.get("/api/v1/cases?overdue=true", Some(&h)).await;
    assert_eq!(overdue.body["items"].as_array().unwrap().len(), 1);
    // A second sweep, one interval later, escalates nothing new.
    let interval = app.state.settings.jobs.sweep_interval_secs as i64;
    app.state.clock.advance(chrono::TimeDelta::seconds(interval + 1));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let again = app.state.mailer.memory_sent();
    assert_eq!(
        again.iter().filter(|m| m.subject.contains("Quá hạn")).count(),
        2,
        "escalated once per clock"
    );
    assert_eq!(
        again.iter().filter(|m| m.subject.contains("Tổng hợp")).count(),
        digests,
        "one digest a day"
    );
    app.worker.refresh_gauges().await.unwrap();
    let m = app.get("/metrics", None).await;
    assert!(String::from_utf8_lossy(&m.raw).contains("hotline_overdue_clocks{clock=\"acknowledge\"} 1"));
}
both_backends!(the_sweep_reminds_marks_overdue_and_escalates_once);

async fn a_complaint_acknowledgment_survives_a_crash_before_sending(app: &TestApp) {
    let r = app
        .submit(&complaint("Mua bếp từ bị lỗi, cửa hàng không bảo hành."))
        .await;
    assert_eq!(r.status, 201);
    // The process "crashed" before its worker ran: the message is in the outbox, committed with
    // the complaint.
    let out = app
        .get("/api/v1/admin/outbox?status=pending", Some(&app.admin_token))
        .await;
    assert_eq!(out.body.as_array().unwrap().len(), 1, "{}", out.body);
    // After a restart, a new worker (new mailer, nothing in memory) sends it.
    let mailer = hotline::email::Mailer::memory();
    let restarted = Worker::new(
        app.state.db.clone(),
        app.state.settings.clone(),
        mailer.clone(),
        app.state.router.clone(),
        None,
        app.state.clock.clone(),
    );
    assert_eq!(restarted.drain().await.unwrap(), 1);
    let sent = mailer.memory_sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "hong.nguyen@example.com");
    assert!(sent[0].text.contains(r.body["tracking_code"].as_str().unwrap()));
    assert!(
        sent[0].subject.contains("tiếp nhận") || sent[0].subject.contains("Tiếp nhận"),
        "{}",
        sent[0].subject
    );
    let done = app
        .get("/api/v1/admin/outbox?status=done", Some(&app.admin_token))
        .await;
    assert_eq!(done.body.as_array().unwrap().len(), 1);
}
both_backends!(a_complaint_acknowledgment_survives_a_crash_before_sending);

/// A sent e-mail (its addressee and text) and the other finished jobs are deleted by the sweep
/// once `jobs.keep_done_days` have passed since they finished; dead letters stay, and so do
/// the later sweeps (the current slot's dedupe key still refuses a second sweep).
async fn the_sweep_deletes_finished_jobs_after_their_keeping_period(app: &TestApp) {
    app.expects_failed_jobs.set(true);
    let keep = i64::from(app.state.settings.jobs.keep_done_days);
    assert_eq!(keep, 30, "config/base.toml");
    app.user("adm.keep", "admin", None).await;
    // Signed in afresh at each look: sessions expire as the clock moves days ahead.
    let outbox = |status: &'static str| async move {
        let token = app.login("adm.keep", PASSWORD).await;
        let r = app
            .get(&format!("/api/v1/admin/outbox?status={status}"), Some(&token))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    // Two acknowledgments: one sent, one left dead (its server refused it for good).
    for (i, who) in ["an", "binh"].iter().enumerate() {
        let mut c = complaint("Mua nồi cơm điện bị hỏng sau một tuần, cửa hàng từ chối đổi.");
        c["consumer"]["email"] = json!(format!("{who}.{i}@example.com"));
        assert_eq!(app.submit(&c).await.status, 201);
    }
    let queued = outbox("pending").await;
    assert_eq!(queued.len(), 2);
    app.sql(&format!(
        "UPDATE jobs SET status = 'dead', attempts = max_attempts, finished_at = run_at, \
         last_error = '550 mailbox unavailable' WHERE id = '{}'",
        queued[1]
    ));
    assert_eq!(app.worker.drain().await.unwrap(), 1);
    assert_eq!(outbox("done").await, vec![queued[0].clone()]);
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let first_sweep = sweeps(app);
    assert_eq!(first_sweep.len(), 1);

    // A day before the period ends: the sweep keeps them.
    app.state.clock.advance(chrono::TimeDelta::days(keep - 1));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    assert_eq!(outbox("done").await, vec![queued[0].clone()]);
    assert_eq!(sweeps(app).len(), 2);

    // Past the period: the sent message and the first sweep are gone; the dead letter stays,
    // and so do the later sweeps (the current slot's key still refuses a second one).
    app.state
        .clock
        .advance(chrono::TimeDelta::days(1) + chrono::TimeDelta::minutes(10));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    assert!(outbox("done").await.is_empty(), "the sent e-mail was deleted");
    assert_eq!(outbox("dead").await, vec![queued[1].clone()]);
    let left = sweeps(app);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(!left.contains(&first_sweep[0]), "{left:?}");
    assert!(!app.worker.schedule_sweep().await.unwrap());
}

/// The dedupe keys of the sweeps in the jobs table.
fn sweeps(app: &TestApp) -> Vec<String> {
    let mut conn = app.state.db.get_blocking().unwrap();
    hotline::db::jobs::list(&mut conn, Some("sweep"), None, 100)
        .unwrap()
        .into_iter()
        .filter_map(|j| j.dedupe_key)
        .collect()
}
both_backends!(the_sweep_deletes_finished_jobs_after_their_keeping_period);

async fn two_workers_run_each_job_exactly_once(app: &TestApp) {
    for i in 0..30 {
        let mut c = complaint("Hàng giao sai mẫu.");
        c["consumer"]["email"] = json!(format!("nguoi.{i}@example.com"));
        c["consumer"]["phone"] = json!(format!("09{:08}", i));
        assert_eq!(app.submit(&c).await.status, 201);
    }
    let mailer = hotline::email::Mailer::memory();
    let w1 = Worker::new(
        app.state.db.clone(),
        app.state.settings.clone(),
        mailer.clone(),
        app.state.router.clone(),
        None,
        app.state.clock.clone(),
    );
    let w2 = Worker::new(
        app.state.db.clone(),
        app.state.settings.clone(),
        mailer.clone(),
        app.state.router.clone(),
        None,
        app.state.clock.clone(),
    );
    let (a, b) = tokio::join!(w1.drain(), w2.drain());
    assert_eq!(a.unwrap() + b.unwrap(), 30);
    let mut to: Vec<String> = mailer.memory_sent().into_iter().map(|m| m.to).collect();
    assert_eq!(to.len(), 30);
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 30, "each message sent exactly once");
}
both_backends!(two_workers_run_each_job_exactly_once);

fn aiosmtpd_available() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success())
}

struct Sink {
    child: std::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_sink(fail_first: u32) -> Sink {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new("python3")
        .arg(format!("{}/scripts/smtp_sink.py", env!("CARGO_MANIFEST_DIR")))
        .args([
            "--port",
            &port.to_string(),
            "--dir",
            &dir.path().to_string_lossy(),
            "--fail-first",
            &fail_first.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("ready"), "{line}");
    Sink { child, dir, port }
}

async fn e_mail_goes_through_a_real_smtp_server_with_retries_and_dead_letters(backend: crate::common::Backend) {
    if !aiosmtpd_available() {
        if std::env::var("REQUIRE_POSTGRES").is_ok() {
            panic!("aiosmtpd is required in CI (scripts/test.sh installs it)");
        }
        eprintln!("\n!!!!! SKIPPING SMTP test: pip install aiosmtpd !!!!!\n");
        return;
    }
    let sink = start_sink(1);
    let port = sink.port;
    let Some(app) = spawn_app_with(backend, |s| {
        s.email.transport = "smtp".into();
        s.email.smtp_host = "127.0.0.1".into();
        s.email.smtp_port = port;
        s.email.smtp_tls = "none".into();
        s.jobs.backoff_base_secs = 0;
        s.jobs.max_attempts = 3;
    })
    .await
    else {
        return;
    };
    let r = app
        .submit(&complaint(
            "Đặt vé máy bay qua đại lý, bị hủy chuyến không được hoàn tiền.",
        ))
        .await;
    assert_eq!(r.status, 201);
    // The server answers the first attempt with 451: the message is retried, then delivered.
    assert_eq!(app.worker.run_once().await.unwrap(), Ran::Retry);
    assert_eq!(app.worker.run_once().await.unwrap(), Ran::Done);
    let files: Vec<_> = std::fs::read_dir(sink.dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        raw.lines()
            .any(|l| l.starts_with("Subject:") && l.to_lowercase().contains("=?utf-8?b?")),
        "Vietnamese subject is RFC 2047 encoded:\n{raw}"
    );
    assert!(raw.contains("multipart/alternative"));
    assert!(raw.contains("hong.nguyen@example.com"));
    drop(sink);
    // With the server gone, a message is retried and then dead-lettered, visible to admins.
    app.submit(&complaint("Khiếu nại thứ hai về dịch vụ.")).await;
    let mut last = Ran::Nothing;
    for _ in 0..3 {
        last = app.worker.run_once().await.unwrap();
    }
    assert_eq!(last, Ran::Dead);
    let dead = app
        .get("/api/v1/admin/outbox?status=dead", Some(&app.admin_token))
        .await;
    let dead = dead.body.as_array().unwrap().clone();
    assert_eq!(dead.len(), 1);
    assert!(dead[0]["last_error"].is_string());
    assert!(
        !dead[0]["to"].as_str().unwrap().contains("hong.nguyen"),
        "masked: {}",
        dead[0]["to"]
    );
    let id = dead[0]["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&app.admin_token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 204);
    let pending = app
        .get("/api/v1/admin/outbox?status=pending", Some(&app.admin_token))
        .await;
    assert_eq!(pending.body.as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn e_mail_goes_through_a_real_smtp_server_sqlite() {
    e_mail_goes_through_a_real_smtp_server_with_retries_and_dead_letters(crate::common::Backend::Sqlite).await;
}

#[actix_web::test]
async fn e_mail_goes_through_a_real_smtp_server_postgres() {
    e_mail_goes_through_a_real_smtp_server_with_retries_and_dead_letters(crate::common::Backend::Postgres).await;
}

/// The calendar intake keeps between writes (ADR 0044) is the database's: a day turned off or
/// removed through the API moves the due date of the very next case, on both backends.
async fn intake_sees_a_calendar_change_at_once(app: &TestApp) {
    let (_, h) = app.user("h.calcache", "handler", Some("SCT")).await;
    app.state.clock.set(local_noon("2026-09-14"));
    let token = h.as_str();
    let internal_due = |c: serde_json::Value| async move {
        let id = c["id"].as_str().unwrap().to_owned();
        let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(token)).await;
        assert_eq!(d.status, 200, "{}", d.body);
        let clock = d
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["clock"] == "internal_target")
            .cloned();
        clock.unwrap_or_else(|| panic!("{}", d.body))["due_date"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let before = internal_due(app.open_case(&h, &dispute_before("2026-09-10")).await).await;
    let r = app
        .post(
            "/api/v1/admin/calendar/days",
            Some(&app.admin_token),
            &json!({"date": "2026-09-15", "kind": "off", "name": "Nghỉ (thử bộ đệm)", "status": "official"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let with_day_off = internal_due(app.open_case(&h, &dispute_before("2026-09-10")).await).await;
    assert!(with_day_off > before, "{before} -> {with_day_off}");
    let r = app
        .client
        .delete(app.url("/api/v1/admin/calendar/days/2026-09-15"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = internal_due(app.open_case(&h, &dispute_before("2026-09-10")).await).await;
    assert_eq!(after, before);
}
both_backends!(intake_sees_a_calendar_change_at_once);

/// A transition that stops a clock while the sweep is working through the due clocks is not
/// undone by the sweep (on PostgreSQL the sweep reads the list, then waits for the case a
/// handler is writing; it must read the clock again once it has the case).
async fn the_sweep_does_not_undo_a_clock_stopped_while_it_ran(app: &TestApp) {
    let (_, h) = app.user("h.race", "handler", Some("SCT")).await;
    app.state.clock.set(local_noon("2026-01-05"));
    let c = app.open_case(&h, &dispute_before("2026-01-05")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    app.state.clock.reset();
    // What accepting the case writes, held open in a transaction of its own on PostgreSQL
    // (committed at once on SQLite, whose one writer runs the sweep before or after it).
    let pg = matches!(
        hotline::db::portability::backend_of(&app.state.db.get_blocking().unwrap()),
        hotline::db::Backend::Postgres
    );
    let run = |conn: &mut hotline::db::AnyConnection, statement: &str| {
        use diesel::RunQueryDsl;
        diesel::sql_query(statement).execute(conn).unwrap();
    };
    let stop = format!(
        "UPDATE case_clocks SET state = 'stopped', result = 'late', stopped_at = '2026-01-20 03:00:00' \
         WHERE case_id = '{id}' AND clock = 'acknowledge'"
    );
    let mut held = None;
    if pg {
        let mut conn = app.state.db.get_blocking().unwrap();
        run(&mut conn, "BEGIN");
        run(
            &mut conn,
            &format!("UPDATE cases SET version = version + 1 WHERE id = '{id}'"),
        );
        run(&mut conn, &stop);
        held = Some(conn);
    } else {
        app.sql(&stop);
    }
    assert!(app.worker.schedule_sweep().await.unwrap());
    let commit = async {
        if let Some(conn) = held.as_mut() {
            // Long enough for the sweep to list the clock and wait for the case.
            tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            run(conn, "COMMIT");
        }
    };
    let (ran, ()) = tokio::join!(app.worker.drain(), commit);
    ran.unwrap();
    let ack = crate::followup::clock_of(app, &h, &id, "acknowledge").await;
    assert_eq!(ack["state"], "stopped", "{ack}");
    assert_eq!(ack["result"], "late");
    assert_eq!(ack["overdue"], false, "not escalated after it stopped");
    let evs = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await;
    let escalated: Vec<_> = evs
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "clock_overdue")
        .map(|e| e["data"]["clock"].clone())
        .collect();
    assert!(!escalated.contains(&json!("acknowledge")), "{escalated:?}");
}
both_backends!(the_sweep_does_not_undo_a_clock_stopped_while_it_ran);

/// A case closed while it waits for the consumer's information: its paused clocks are judged
/// by the working days they counted (the pause's days do not count), not by the due date they
/// had when the pause began.
async fn a_clock_stopped_while_paused_is_judged_by_the_days_it_counted(app: &TestApp) {
    let (_, h) = app.user("h.paused", "handler", Some("SCT")).await;
    // Routed Monday 02/03/2026: the acknowledgment is due 16/03 (10 working days).
    app.state.clock.set(local_noon("2026-03-02"));
    let c = app.open_case(&h, &dispute_before("2026-03-02")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    // Information asked for on 04/03 (two working days counted), the case refused on 17/03.
    app.state.clock.set(local_noon("2026-03-04"));
    let c = app
        .act_ok(&h, &c, "request_info", json!({"requested": "Hóa đơn mua hàng."}))
        .await;
    app.state.clock.set(local_noon("2026-03-17"));
    let c = app
        .act_ok(
            &h,
            &c,
            "refuse",
            json!({"ground": "outside_remit", "explanation": "Không thuộc thẩm quyền."}),
        )
        .await;
    assert_eq!(c["status"], "closed");
    let ack = crate::followup::clock_of(app, &h, &id, "acknowledge").await;
    assert_eq!(
        (ack["state"].as_str(), ack["result"].as_str()),
        (Some("stopped"), Some("met")),
        "{ack}"
    );
    assert!(ack["due_date"].as_str().unwrap() > "2026-03-17", "{ack}");
    app.state.clock.reset();
}
both_backends!(a_clock_stopped_while_paused_is_judged_by_the_days_it_counted);

/// The running clocks of a case: (clock, due date).
async fn running(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let d = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(token)).await;
    let mut out: Vec<(String, String)> = d
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["state"] == "running" && c["clock"] != "internal_target")
        .map(|c| {
            (
                c["clock"].as_str().unwrap().to_owned(),
                c["due_date"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A declined transfer leaves the offering agency's deadlines as they were: an accepted case's
/// forwarding clock runs on (no new acknowledgment), a routed case's acknowledgment is due on
/// its first date (not ten fresh working days).
async fn a_declined_transfer_keeps_the_agencys_deadlines(app: &TestApp) {
    let (_, sct) = app.user("h.decl.sct", "handler", Some("SCT")).await;
    let (_, hoi) = app.user("h.decl.hoi", "handler", Some("HOI")).await;
    let transfer = json!({"to_agency": "HOI", "reason": "NTD đề nghị Hội hỗ trợ"});
    let decline = json!({"reason": "Ngoài phạm vi"});
    for accepted in [true, false] {
        // Monday 02/03/2026: routed (acknowledgment due 16/03), accepted (forwarding due 11/03).
        app.state.clock.set(local_noon("2026-03-02"));
        let c = app.open_case(&sct, &dispute_before("2026-03-02")).await;
        let mut c = app.act_ok(&sct, &c, "route", json!({"agency": "SCT"})).await;
        if accepted {
            c = app.act_ok(&sct, &c, "accept", json!({})).await;
        }
        let id = c["id"].as_str().unwrap().to_owned();
        let before = running(app, &sct, &id).await;
        let want = match accepted {
            true => vec![("forward_to_business".to_owned(), "2026-03-11".to_owned())],
            false => vec![("acknowledge".to_owned(), "2026-03-16".to_owned())],
        };
        assert_eq!(before, want);
        app.state.clock.set(local_noon("2026-03-04"));
        let c = app.act_ok(&sct, &c, "transfer", transfer.clone()).await;
        app.state.clock.set(local_noon("2026-03-05"));
        let seen = app.case(&hoi, &id).await.body;
        let c2 = app.act_ok(&hoi, &seen, "decline_transfer", decline.clone()).await;
        assert_eq!(c2["status"], c["status"]);
        assert_eq!(running(app, &sct, &id).await, want, "accepted: {accepted}");
    }
    app.state.clock.reset();
}
both_backends!(a_declined_transfer_keeps_the_agencys_deadlines);

/// A reminder was sent for a due date that a pause then moved: the new due date gets its own.
async fn a_due_date_moved_by_a_pause_is_reminded_again(app: &TestApp) {
    let body = json!({"username": "h.remind", "role": "handler", "agency": "SCT", "password": crate::helpers::PASSWORD, "email": "nhac.han@example.gov.vn"});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &body)
            .await
            .status,
        201
    );
    app.state.clock.set(local_noon("2026-03-02"));
    let h = app.login("h.remind", crate::helpers::PASSWORD).await;
    let c = app.open_case(&h, &dispute_before("2026-03-02")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let reminders = |due: &str| {
        app.state
            .mailer
            .memory_sent()
            .iter()
            .filter(|m| m.to.contains("nhac.han") && m.subject.contains("[Nhắc hạn]") && m.subject.contains(due))
            .count()
    };
    let sweep = || async {
        assert!(app.worker.schedule_sweep().await.unwrap());
        app.worker.drain().await.unwrap();
    };
    // Friday 13/03, the working day before the acknowledgment's 16/03: reminded.
    app.state.clock.set(local_noon("2026-03-13"));
    sweep().await;
    assert_eq!(reminders("16/03/2026"), 1);
    let h = app.login("h.remind", crate::helpers::PASSWORD).await;
    // Information asked for that day and given on 19/03: nine days were counted, one is left,
    // due 20/03; on 19/03 the sweep reminds of it.
    let c = app
        .act_ok(&h, &c, "request_info", json!({"requested": "Hóa đơn mua hàng."}))
        .await;
    app.state.clock.set(local_noon("2026-03-19"));
    let h = app.login("h.remind", crate::helpers::PASSWORD).await;
    app.act_ok(&h, &c, "provide_info", json!({"info": "Đã nộp hóa đơn."}))
        .await;
    sweep().await;
    assert_eq!(reminders("20/03/2026"), 1, "the new due date is reminded");
    app.state.clock.reset();
}
both_backends!(a_due_date_moved_by_a_pause_is_reminded_again);
