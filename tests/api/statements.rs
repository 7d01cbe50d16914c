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
/// business with a tax code). PostgreSQL: from the pool's check-out ping to COMMIT; was 25
/// before ADR 0041, 18 before ADR 0046 (the tracking code is no longer checked before the
/// insert). SQLite (group commit, ADR 0040): the writer's own connection needs no
/// ping, the unit runs between SAVEPOINT and RELEASE, and BEGIN/COMMIT are shared by every unit
/// of the batch (counted here as if the unit were alone), and so is the statement that indexes
/// the batch's new cases for search just before COMMIT (ADR 0044).
fn max_statements(backend: Backend) -> usize {
    match backend {
        Backend::Postgres => 17,
        Backend::Sqlite => 19,
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
    let statements: Vec<String> = seen(&app).split_off(before);
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
