//! How many SQL statements one public intake sends to the database (ADR 0041). Counting is
//! deterministic where timing is not, so the bound cannot regress unnoticed: every statement is
//! a round trip on PostgreSQL (and a step through SQLite's VM), including BEGIN and COMMIT.
//!
//! A diesel instrumentation installed as the default for every connection opened after it
//! records each statement under the URL its connection was opened with; each test reads the
//! ones of its own database only (tests run in parallel, each on a database of its own).

use std::collections::BTreeMap;
use std::sync::Mutex;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use serde_json::json;

use crate::common::Backend;
use crate::helpers::{complaint, spawn_app, TestApp};

/// Statements of one public intake (with an Idempotency-Key, an e-mail to acknowledge, a
/// business with a tax code). PostgreSQL: from BEGIN to COMMIT (the pool's check-out test is
/// left out: see [`is_checkout_test`]); was 25 before ADR 0041, 18 before ADR 0046 (the
/// tracking code is no longer checked before the insert), 17 before ADR 0054 (the first
/// event, grant and clock are one statement, and so are the idempotency key and the private
/// link; the check-out test counted then), 13 before ADR 0056 (the key's lookup, the possible
/// duplicate and the calendar's revision are one statement). SQLite (group commit, ADR 0040):
/// 19 before ADR 0056; the writer's own connection needs no ping, the unit runs between
/// SAVEPOINT and RELEASE, and BEGIN/COMMIT are shared by every unit of the batch (counted here
/// as if the unit were alone), and so is the statement that indexes the batch's new cases for
/// search just before COMMIT (ADR 0044).
fn max_statements(backend: Backend) -> usize {
    match backend {
        Backend::Postgres => 11,
        Backend::Sqlite => 17,
    }
}

/// Statements seen per database URL (the SQLite path, or the PostgreSQL URL).
static SEEN: Mutex<BTreeMap<String, Vec<String>>> = Mutex::new(BTreeMap::new());

/// Counts the statements of one connection once it is open (its setup is not counted).
struct Recorder {
    url: Option<String>,
}

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::FinishEstablishConnection { url, .. } => self.url = Some(url.to_owned()),
            InstrumentationEvent::StartQuery { query, .. } => {
                // SQLite's checkpointer thread (ADR 0051) copies the WAL after the writer's
                // commits on a connection of its own, whenever it gets to it: none of its
                // statements is the request's (CI failed once when one came during the counted
                // intake).
                let checkpointer = std::thread::current().name() == Some("sqlite-checkpoint");
                if let Some(url) = self.url.as_ref().filter(|_| !checkpointer) {
                    SEEN.lock()
                        .unwrap()
                        .entry(url.clone())
                        .or_default()
                        .push(query.to_string());
                }
            }
            _ => {}
        }
    }
}

fn recorder() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(Recorder { url: None }))
}

/// The statements sent so far to the app's own database.
fn seen(app: &TestApp) -> Vec<String> {
    let url = app.state.settings.database.url.clone();
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|(k, _)| url.ends_with(k.as_str()))
        .flat_map(|(_, v)| v.clone())
        .collect()
}

async fn one_intake(backend: Backend) {
    diesel::connection::set_default_instrumentation(recorder).unwrap();
    let Some(app) = spawn_app(backend).await else { return };
    // The first intake fills the caches of the connections (prepared statements, calendar).
    let first = app
        .post_with_header(
            "/api/v1/public/complaints",
            ("Idempotency-Key", "warm-up-0001"),
            &complaint("Mua máy giặt bị lỗi, cửa hàng không bảo hành."),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let mut body = complaint("Đặt vé máy bay trên mạng, bị trừ tiền hai lần, hãng không hoàn tiền.");
    body["consumer"]["phone"] = json!("0987 654 321");
    body["business"] = json!({"name": "Công ty TNHH Du lịch Sao Mai", "tax_code": "0312345678"});
    let before = seen(&app).len();
    let r = app
        .post_with_header("/api/v1/public/complaints", ("Idempotency-Key", "intake-0002"), &body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut statements: Vec<String> = seen(&app).split_off(before);
    // The pool tests a connection before use only if it has been idle for a second (ADR 0055):
    // timing, not the intake, decides whether that `SELECT 1` comes (it is checked below, in
    // `pooled_connections_are_tested_only_after_a_second_idle`).
    if statements.first().is_some_and(|s| is_checkout_test(s)) {
        statements.remove(0);
    }
    for (i, s) in statements.iter().enumerate() {
        println!("{:>2} {}", i + 1, s.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    println!("{backend:?}: {} statements for one public intake", statements.len());
    let max = max_statements(backend);
    assert!(
        statements.len() <= max,
        "one public intake sent {} statements (at most {max}):\n{}",
        statements.len(),
        statements.join("\n")
    );
    app.assert_no_failed_jobs();
}

/// The pool's test of a connection before use (diesel's `SELECT 1`).
fn is_checkout_test(statement: &str) -> bool {
    statement.trim_end().starts_with("SELECT 1 ") || statement.trim_end() == "SELECT 1"
}

/// A connection used a moment ago goes back to work without a test query; one idle for over a
/// second is tested first (ADR 0055; on PostgreSQL the test is a round trip of its own).
async fn pooled_connections_are_tested_only_after_a_second_idle(backend: Backend) {
    diesel::connection::set_default_instrumentation(recorder).unwrap();
    let Some(app) = spawn_app(backend).await else { return };
    let path = "/api/v1/public/warnings";
    let tests_during = |app: &TestApp, before: usize| -> usize {
        seen(app)
            .split_off(before)
            .iter()
            .filter(|s| is_checkout_test(s))
            .count()
    };
    // The reader's first use of a new connection may test it; the second, right after, not.
    assert_eq!(app.get(path, None).await.status, 200);
    let before = seen(&app).len();
    assert_eq!(app.get(path, None).await.status, 200);
    assert_eq!(
        tests_during(&app, before),
        0,
        "a connection used a moment ago was tested again"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = seen(&app).len();
    assert_eq!(app.get(path, None).await.status, 200);
    assert!(
        tests_during(&app, before) >= 1,
        "a connection idle for a second went out untested"
    );
}

mod pooled_connections_are_tested_only_after_a_second_idle {
    #[actix_web::test]
    async fn sqlite() {
        super::pooled_connections_are_tested_only_after_a_second_idle(crate::common::Backend::Sqlite).await;
    }
    #[actix_web::test]
    async fn postgres() {
        super::pooled_connections_are_tested_only_after_a_second_idle(crate::common::Backend::Postgres).await;
    }
}

mod public_intake_statements {
    #[actix_web::test]
    async fn sqlite() {
        super::one_intake(crate::common::Backend::Sqlite).await;
    }
    #[actix_web::test]
    async fn postgres() {
        super::one_intake(crate::common::Backend::Postgres).await;
    }
}
