//! `spawn_app()`: a fresh database, the real application on port 0, and per-endpoint helpers.

use std::path::Path;

use awc::http::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestDb};
use hotline::config::Settings;
use hotline::startup::Application;
use hotline::state::AppState;

/// Runs a scenario on SQLite and on PostgreSQL as two tests.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                if let Some(app) = $crate::helpers::spawn_app($crate::common::Backend::Sqlite).await {
                    super::$name(&app).await;
                    app.assert_no_failed_jobs();
                }
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::helpers::spawn_app($crate::common::Backend::Postgres).await {
                    super::$name(&app).await;
                    app.assert_no_failed_jobs();
                }
            }
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub client: awc::Client,
    pub admin_token: String,
    pub handle: actix_web::dev::ServerHandle,
    /// The application's job worker (tests drive it: `jobs.enabled` is false in config/test.toml).
    pub worker: hotline::service::jobs::Worker,
    /// Set by a test that makes jobs fail on purpose (see [`TestApp::assert_no_failed_jobs`]).
    pub expects_failed_jobs: std::cell::Cell<bool>,
    /// Set by a test that edits stored histories or case rows behind the service's back.
    pub expects_tampering: std::cell::Cell<bool>,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server (without waiting) so the database can be dropped.
        let h = self.handle.clone();
        actix_web::rt::spawn(async move { h.stop(false).await });
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
    pub content_type: String,
    pub raw: Vec<u8>,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
}

async fn read(
    mut r: awc::ClientResponse<
        impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
    >,
) -> Resp {
    let status = r.status();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let retry_after = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let raw = r.body().limit(50 * 1024 * 1024).await.expect("body").to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Resp {
        status,
        body,
        content_type,
        raw,
        retry_after,
    }
}

pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let db = TestDb::new(backend)?;
    let root = env!("CARGO_MANIFEST_DIR");
    let mut settings = Settings::load_from(&Path::new(root).join("config"), "test", false).expect("settings");
    settings.data_dir = db.dir.path().to_path_buf();
    settings.database.url = db.url.clone();
    settings.database.pool_size = 4;
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = 2;
    tweak(&mut settings);
    settings.finish().expect("settings");
    let app = Application::build(settings).expect("build app");
    let port = app.port;
    let state = app.state.clone();
    let (user, pw) = app.bootstrap_admin.clone().expect("a fresh database creates an admin");
    let handle = app.handle();
    let worker = app.worker.clone();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = test_client(true);
    let mut t = TestApp {
        base: format!("http://127.0.0.1:{port}"),
        state,
        client,
        admin_token: String::new(),
        handle,
        worker,
        expects_failed_jobs: std::cell::Cell::new(false),
        expects_tampering: std::cell::Cell::new(false),
        _db: db,
    };
    t.admin_token = t.login(&user, &pw).await;
    // The bootstrap password is one-time: replace it, as a real administrator must.
    let changed = t
        .post(
            "/api/v1/auth/password",
            Some(&t.admin_token),
            &serde_json::json!({"current_password": pw, "new_password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(changed.status, 204, "bootstrap password change: {}", changed.body);
    Some(t)
}

pub const PASSWORD: &str = "correct horse battery";
/// The bootstrap administrator's password after the harness changed it.
pub const ADMIN_PASSWORD: &str = "first sign-in replaced 2026";

impl TestApp {
    /// Run after every scenario: no background job was left dead or failing (awaiting a
    /// retry), unless the test said it expects that (`expects_failed_jobs`).
    ///
    /// It also checks that the history of every case verifies (chain, head, case row): every
    /// path of the service that changes a case records it. A test that tampers on purpose sets
    /// `expects_tampering`.
    pub fn assert_no_failed_jobs(&self) {
        let mut conn = self.state.db.get_blocking().unwrap();
        if !self.expects_tampering.get() {
            let report = hotline::service::events::verify_all(&mut conn, &self.state.chain_key).unwrap();
            assert!(
                report.invalid.is_empty(),
                "case histories fail verification: {:?}",
                report.invalid
            );
            assert_eq!(report.unkeyed, 0, "every history written by the service is keyed");
        }
        if self.expects_failed_jobs.get() {
            return;
        }
        let jobs = hotline::db::jobs::list(&mut conn, None, None, 100_000).unwrap();
        let failed: Vec<String> = jobs
            .iter()
            .filter(|j| j.status == "dead" || j.last_error.is_some())
            .map(|j| format!("{} {} ({}): {:?}", j.kind, j.id, j.status, j.last_error))
            .collect();
        assert!(failed.is_empty(), "jobs left failed or dead:\n{}", failed.join("\n"));
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let mut r = self.client.get(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        read(r.send().await.expect("send")).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let mut r = self.client.post(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        read(r.send_json(body).await.expect("send")).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let mut r = self.client.patch(self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        read(r.send_json(body).await.expect("send")).await
    }

    /// PATCH with a JSON body and a bearer token.
    pub async fn patch_json(&self, path: &str, token: &str, body: &Value) -> Resp {
        read(
            self.client
                .patch(self.url(path))
                .bearer_auth(token)
                .send_json(body)
                .await
                .expect("send"),
        )
        .await
    }

    /// POST with a raw body and content type (for malformed-input tests).
    pub async fn post_raw(&self, path: &str, token: Option<&str>, content_type: &str, body: Vec<u8>) -> Resp {
        let mut r = self
            .client
            .post(self.url(path))
            .insert_header(("content-type", content_type));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        read(r.send_body(body).await.expect("send")).await
    }

    pub async fn post_with_header(&self, path: &str, header: (&str, &str), body: &Value) -> Resp {
        read(
            self.client
                .post(self.url(path))
                .insert_header(header)
                .send_json(body)
                .await
                .expect("send"),
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let r = self
            .post(
                "/api/v1/auth/login",
                None,
                &json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(r.status, 200, "login {username}: {}", r.body);
        r.body["token"].as_str().unwrap().to_owned()
    }

    /// Creates a staff member through the admin API and returns (id, token).
    pub async fn user(&self, username: &str, role: &str, agency: Option<&str>) -> (String, String) {
        let r = self
            .post(
                "/api/v1/admin/users",
                Some(&self.admin_token),
                &json!({"username": username, "role": role, "agency": agency, "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 201, "create user: {}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        (id, self.login(username, PASSWORD).await)
    }

    /// A staff account with the role mediator at `agency`, put on that body's published list
    /// of mediators (Law 19/2023 Art 63(2)) by a supervisor of the body; returns (id, token).
    pub async fn listed_mediator(&self, username: &str, agency: &str, languages: &[&str]) -> (String, String) {
        let (id, token) = self.user(username, "mediator", Some(agency)).await;
        let (_, sup) = self
            .user(&format!("{username}.list.sup"), "supervisor", Some(agency))
            .await;
        let r = self
            .post(
                "/api/v1/mediators",
                Some(&sup),
                &json!({"organisation": "Hội Bảo vệ quyền lợi người tiêu dùng tỉnh", "name": format!("Hòa giải viên {username}"),
                        "qualifications": "Cử nhân Luật; 5 năm hòa giải", "languages": languages, "user_id": id}),
            )
            .await;
        assert_eq!(r.status, 201, "list mediator: {}", r.body);
        (id, token)
    }

    /// Drops the triggers that keep histories append-only, as someone who owns the database
    /// could: what is left to catch a rewrite is the keyed chain, the case's recorded head and
    /// the checkpoints.
    pub fn drop_history_guards(&self) {
        self.expects_tampering.set(true);
        let mut conn = self.state.db.get_blocking().unwrap();
        let pg = matches!(
            hotline::db::portability::backend_of(&conn),
            hotline::db::Backend::Postgres
        );
        for (trigger, table) in [
            ("case_events_no_update", "case_events"),
            ("case_events_no_delete", "case_events"),
            ("cases_head_follows_events", "cases"),
        ] {
            let on = if pg { format!(" ON {table}") } else { String::new() };
            use diesel::RunQueryDsl;
            diesel::sql_query(format!("DROP TRIGGER {trigger}{on}"))
                .execute(&mut *conn)
                .unwrap();
        }
    }

    /// Runs a SQL statement, returning the database's refusal instead of panicking.
    pub fn try_sql(&self, statement: &str) -> Result<usize, String> {
        use diesel::RunQueryDsl;
        let mut conn = self.state.db.get_blocking().unwrap();
        diesel::sql_query(statement)
            .execute(&mut *conn)
            .map_err(|e| e.to_string())
    }

    /// Runs a SQL statement directly on the test database (to age clocks, tamper, …).
    pub fn sql(&self, statement: &str) {
        use diesel::RunQueryDsl;
        let mut conn = self.state.db.get_blocking().unwrap();
        diesel::sql_query(statement).execute(&mut *conn).unwrap();
    }

    /// SQLite: how many cases its search index holds under an FTS5 query (e.g. an agency's
    /// token, `"@4341"`); `None` on PostgreSQL.
    pub fn sqlite_search_count(&self, fts_query: &str) -> Option<i64> {
        #[derive(diesel::QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        use diesel::RunQueryDsl;
        if !self.state.settings.database.url.starts_with("sqlite") {
            return None;
        }
        let mut conn = self.state.db.get_blocking().unwrap();
        let row: N = diesel::sql_query("SELECT count(*) AS n FROM case_search WHERE case_search MATCH ?")
            .bind::<diesel::sql_types::Text, _>(fts_query)
            .get_result(&mut *conn)
            .unwrap();
        Some(row.n)
    }

    pub async fn submit(&self, body: &Value) -> Resp {
        self.post("/api/v1/public/complaints", None, body).await
    }

    /// Operator intake; returns the case JSON.
    pub async fn open_case(&self, token: &str, body: &Value) -> Value {
        let r = self.post("/api/v1/cases", Some(token), body).await;
        assert_eq!(r.status, 201, "open case: {}", r.body);
        r.body
    }

    pub async fn case(&self, token: &str, id: &str) -> Resp {
        self.get(&format!("/api/v1/cases/{id}"), Some(token)).await
    }

    /// Posts an action with the case's current version merged into `fields`.
    pub async fn act(&self, token: &str, case: &Value, action: &str, fields: Value) -> Resp {
        let mut body = fields;
        body["version"] = case["version"].clone();
        self.post(
            &format!("/api/v1/cases/{}/actions/{action}", case["id"].as_str().unwrap()),
            Some(token),
            &body,
        )
        .await
    }

    /// Like `act`, asserting success and returning the new case.
    pub async fn act_ok(&self, token: &str, case: &Value, action: &str, fields: Value) -> Value {
        let r = self.act(token, case, action, fields).await;
        assert_eq!(r.status, 200, "{action} from {}: {}", case["status"], r.body);
        r.body
    }
}

/// A complaint as the web form sends it.
pub fn complaint(description: &str) -> Value {
    json!({
        "description": description,
        "consumer_request": "Đề nghị hoàn lại tiền",
        "amount_vnd": 1250000,
        "transaction_date": "2026-11-01",
        "consumer": {
            "name": "Nguyễn Thị Hồng",
            "phone": "0912 345 678",
            "email": "hong.nguyen@example.com",
            "address": "Số 12 ngõ 34 phố Huế, phường Hai Bà Trưng",
            "province": "Hà Nội",
            "consent": true
        },
        "business": {"name": "Cửa hàng Điện máy Ánh Dương", "tax_code": "0101243150"}
    })
}

/// A dispute entered by staff (kind and category fixed, so the test does not depend on the router).
pub fn dispute() -> Value {
    let mut c = complaint("Mua máy giặt bị lỗi, cửa hàng không bảo hành.");
    c["kind"] = json!("dispute");
    c["category"] = json!("goods_general");
    c["channel"] = json!("hotline");
    c
}

pub fn violation() -> Value {
    let mut c = complaint("Cửa hàng bán mỹ phẩm không rõ nguồn gốc, đề nghị kiểm tra.");
    c["kind"] = json!("violation_report");
    c["category"] = json!("counterfeit_origin");
    c["channel"] = json!("walk_in");
    c
}

pub fn assert_problem(r: &Resp, status: u16, code: &str) {
    assert_eq!(
        r.status.as_u16(),
        status,
        "expected {status} {code}, got {}: {}",
        r.status,
        r.body
    );
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "content type {}",
        r.content_type
    );
    assert_eq!(r.body["code"], code, "{}", r.body);
    assert!(r.body["detail"].is_string() && r.body["detail_vi"].is_string());
}

/// Noon (Asia/Ho_Chi_Minh) of a `YYYY-MM-DD` day, for setting the service's clock.
pub fn local_noon(date: &str) -> chrono::DateTime<chrono::Utc> {
    let d: chrono::NaiveDate = date.parse().unwrap();
    d.and_hms_opt(5, 0, 0).unwrap().and_utc()
}

/// 09:00 (Asia/Ho_Chi_Minh) of a weekday after the service's today, at least `days` ahead and
/// away from the fixed public holidays, as RFC 3339: a time a mediation session may start at.
pub fn session_morning(app: &TestApp, days: i64) -> String {
    use chrono::Datelike;
    let mut d = app.state.clock.today() + chrono::TimeDelta::days(days.max(1));
    let holiday = |d: chrono::NaiveDate| {
        matches!((d.month(), d.day()), (1, 1) | (4, 30) | (5, 1) | (9, 1) | (9, 2)) || d.month() == 2
    };
    while d.weekday().number_from_monday() > 5 || holiday(d) {
        d += chrono::TimeDelta::days(1);
    }
    format!("{d}T09:00:00+07:00")
}

/// A dispute whose transaction happened before `date` (for tests that move the clock back).
pub fn dispute_before(date: &str) -> Value {
    let mut c = dispute();
    let d: chrono::NaiveDate = date.parse().unwrap();
    c["transaction_date"] = json!((d - chrono::TimeDelta::days(10)).to_string());
    c
}

/// The HTTP client of the tests: a minute per request (a PDF on a loaded machine takes
/// seconds), and idle connections dropped after two seconds, before the server's keep-alive
/// (five) closes them: reusing a connection the server is closing fails with "connection
/// reset" or "disconnected" on a busy machine.
/// With `redirects: false`, a 303 is answered as it is (forms, sign-in).
pub fn test_client(redirects: bool) -> awc::Client {
    let b = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .connector(awc::Connector::new().conn_keep_alive(std::time::Duration::from_secs(2)));
    if redirects {
        b.finish()
    } else {
        b.disable_redirects().finish()
    }
}
