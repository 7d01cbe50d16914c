//! Stored data that cannot be read is an error, never a default (issue 9, item 6): a clock
//! whose pauses are unreadable must not be counted as never paused (that would move a legal
//! deadline without a word), an unknown status must not be guessed. The caller gets a 500
//! problem document without the stored content; the log names the column and the case.

use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

async fn a_corrupt_row_is_an_error_not_a_default(app: &TestApp) {
    let (_, h) = app.user("h.corrupt", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let deadlines = format!("/api/v1/cases/{id}/deadlines");
    assert_eq!(app.get(&deadlines, Some(&h)).await.status, 200);

    // Unreadable pauses of a clock.
    app.sql(&format!(
        "UPDATE case_clocks SET pauses = 'Nguyễn 0912345678' WHERE case_id = '{id}'"
    ));
    let r = app.get(&deadlines, Some(&h)).await;
    assert_problem(&r, 500, "internal");
    assert!(!r.body.to_string().contains("0912345678"), "{}", r.body);
    app.sql(&format!("UPDATE case_clocks SET pauses = '[]' WHERE case_id = '{id}'"));
    assert_eq!(app.get(&deadlines, Some(&h)).await.status, 200);

    // An unknown clock kind or state is not read as some other clock.
    app.sql(&format!(
        "UPDATE case_clocks SET state = 'ticking' WHERE case_id = '{id}'"
    ));
    assert_problem(&app.get(&deadlines, Some(&h)).await, 500, "internal");
    app.sql(&format!(
        "UPDATE case_clocks SET state = 'running', clock = 'acknowledged' WHERE case_id = '{id}'"
    ));
    assert_problem(&app.get(&deadlines, Some(&h)).await, 500, "internal");
    app.sql(&format!(
        "UPDATE case_clocks SET clock = 'forward_to_business' WHERE case_id = '{id}'"
    ));
    assert_eq!(app.get(&deadlines, Some(&h)).await.status, 200);

    // Unreadable event data (written by someone who owns the database).
    app.drop_history_guards();
    let events = format!("/api/v1/cases/{id}/events");
    assert_eq!(app.get(&events, Some(&h)).await.status, 200);
    app.sql(&format!(
        "UPDATE case_events SET data = '{{broken' WHERE case_id = '{id}' AND seq = 2"
    ));
    assert_problem(&app.get(&events, Some(&h)).await, 500, "internal");

    // An unknown status or suggestion is not guessed.
    let case = format!("/api/v1/cases/{id}");
    app.sql(&format!("UPDATE cases SET status = 'floating' WHERE id = '{id}'"));
    assert_problem(&app.get(&case, Some(&h)).await, 500, "internal");
    app.sql(&format!(
        "UPDATE cases SET status = 'accepted', suggestion = 'x' WHERE id = '{id}'"
    ));
    assert_problem(&app.get(&case, Some(&h)).await, 500, "internal");
}
both_backends!(a_corrupt_row_is_an_error_not_a_default);

/// A job whose kind is unknown or whose payload cannot be read fails permanently (dead, with
/// the reason), instead of running with defaults; and the end-of-test check reports it.
async fn an_unreadable_job_goes_dead_and_is_reported(app: &TestApp) {
    let when = "2026-01-01 00:00:00";
    for (id, kind, payload) in [
        ("job-unknown", "nope", "{}"),
        ("job-bad-digest", "digest", "{\"agency\": 7}"),
        ("job-bad-mail", "send_email", "[]"),
    ] {
        app.sql(&format!(
            "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, status, created_at) \
             VALUES ('{id}', '{kind}', '{payload}', '{when}', 0, 5, 'pending', '{when}')"
        ));
    }
    assert_eq!(app.worker.drain().await.unwrap(), 3);
    let mut conn = app.state.db.get_blocking().unwrap();
    let dead = hotline::db::jobs::list(&mut conn, None, Some("dead"), 10).unwrap();
    drop(conn);
    assert_eq!(dead.len(), 3, "{dead:?}");
    assert!(
        dead.iter().all(|j| j.attempts == 1),
        "no retries of a permanent failure"
    );
    let reported = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.assert_no_failed_jobs()));
    assert!(reported.is_err(), "the end-of-test check must see dead jobs");
    app.expects_failed_jobs.set(true);
}
both_backends!(an_unreadable_job_goes_dead_and_is_reported);
