//! The authorization matrix, declared once in `tests/fixtures/authz-matrix.toml` (its header
//! explains the format): every operation of `/openapi.json` × every kind of caller → the
//! status of a well-formed request. The scenario sends every cell on both backends and fails
//! with the list of every disagreement, of every operation without a row and every row without
//! an operation; `docs/security.md` shows the same matrix as a table, checked here too
//! (`UPDATE_SECURITY_DOC=1` rewrites it instead of failing).

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

use awc::http::Method;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{dispute, violation, TestApp, PASSWORD};

const MATRIX_FILE: &str = "tests/fixtures/authz-matrix.toml";
const MATRIX: &str = include_str!("../fixtures/authz-matrix.toml");
const DOC_FILE: &str = "docs/security.md";
const BEGIN: &str =
    "<!-- authz-matrix: begin (generated from tests/fixtures/authz-matrix.toml; do not edit by hand) -->";
const END: &str = "<!-- authz-matrix: end -->";

/// The callers of a row, in the order of the table's columns.
const CALLERS: [&str; 7] = [
    "anonymous",
    "operator",
    "handler",
    "supervisor",
    "coordinator",
    "mediator",
    "admin",
];
/// The agency holding every fixture, another agency, and the agency a transfer comes from.
const OWN: &str = "SCT";
const OTHER: &str = "QLTT";
const THIRD: &str = "HOI";
const ACTIONS: &str = "POST /api/v1/cases/{id}/actions/{action}";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Matrix {
    row: Vec<Row>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Row {
    route: String,
    action: Option<String>,
    fixture: Option<String>,
    caller: Option<String>,
    query: Option<String>,
    body: Option<String>,
    #[serde(default)]
    multipart: bool,
    note: Option<String>,
    anonymous: Expected,
    operator: Expected,
    handler: Expected,
    supervisor: Expected,
    coordinator: Expected,
    mediator: Expected,
    admin: Expected,
}

/// One status for every caller of the column, or two: own agency / other agency (appointed /
/// not appointed for mediators).
#[derive(Deserialize, Clone, Copy, PartialEq)]
#[serde(untagged)]
enum Expected {
    One(Status),
    Two(Status, Status),
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Code(u16),
    /// "-": no such caller for this row.
    NotApplicable,
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Code(u16),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Code(n) if (100..600).contains(&n) => Ok(Status::Code(n)),
            Raw::Text(t) if t == "-" => Ok(Status::NotApplicable),
            _ => Err(D::Error::custom("a status is an HTTP status code or \"-\"")),
        }
    }
}

impl Status {
    fn show(self) -> String {
        match self {
            Status::Code(n) => n.to_string(),
            Status::NotApplicable => "–".into(),
        }
    }
}

impl Expected {
    fn side(self, side: usize) -> Status {
        match self {
            Expected::One(s) => s,
            Expected::Two(own, other) => [own, other][side],
        }
    }

    fn show(self) -> String {
        match self {
            Expected::One(s) => s.show(),
            Expected::Two(a, b) if a == b => a.show(),
            Expected::Two(a, b) => format!("{} / {}", a.show(), b.show()),
        }
    }
}

impl Row {
    fn method(&self) -> &str {
        self.route.split_once(' ').map_or("", |(m, _)| m)
    }

    fn path(&self) -> &str {
        self.route.split_once(' ').map_or("", |(_, p)| p)
    }

    /// The route with its action filled in: what a reader looks for.
    fn operation(&self) -> String {
        match &self.action {
            Some(a) => self.route.replace("{action}", a),
            None => self.route.clone(),
        }
    }

    fn expected(&self, caller: &str) -> Expected {
        match caller {
            "anonymous" => self.anonymous,
            "operator" => self.operator,
            "handler" => self.handler,
            "supervisor" => self.supervisor,
            "coordinator" => self.coordinator,
            "mediator" => self.mediator,
            "admin" => self.admin,
            other => panic!("no column {other}"),
        }
    }

    fn changes_state(&self) -> bool {
        self.method() != "GET"
    }
}

/// The matrix, with the checks that need no server: one row per operation (and action), actions
/// only on the actions route, a known caller mode.
fn matrix() -> Matrix {
    let m: Matrix = toml::from_str(MATRIX).unwrap_or_else(|e| panic!("{MATRIX_FILE}: {e}"));
    let mut seen = BTreeSet::new();
    for r in &m.row {
        assert!(
            ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&r.method()) && r.path().starts_with('/'),
            "{MATRIX_FILE}: route {:?} is not \"METHOD /path\"",
            r.route
        );
        assert_eq!(
            r.route == ACTIONS,
            r.action.is_some(),
            "{MATRIX_FILE}: `action` goes with the route {ACTIONS} and only with it ({})",
            r.operation()
        );
        assert!(
            seen.insert(r.operation()),
            "{MATRIX_FILE}: two rows for {}",
            r.operation()
        );
        assert!(
            matches!(r.caller.as_deref(), None | Some("fresh_session" | "fresh_user")),
            "{MATRIX_FILE}: unknown caller {:?}",
            r.caller
        );
    }
    m
}

/// The Markdown table of the matrix (what `docs/security.md` shows between the markers).
fn render(m: &Matrix) -> String {
    let mut out = String::from("| Operation |");
    for c in CALLERS {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str(" Note |\n|---|");
    out.push_str(&"---|".repeat(CALLERS.len() + 1));
    out.push('\n');
    for r in &m.row {
        out.push_str(&format!("| `{}` |", r.operation()));
        for c in CALLERS {
            out.push_str(&format!(" {} |", r.expected(c).show()));
        }
        let note = r.note.as_deref().unwrap_or("").replace('|', "\\|");
        out.push_str(&format!(" {note} |\n"));
    }
    out
}

#[test]
fn authz_matrix_is_the_table_of_the_security_doc() {
    let table = render(&matrix());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC_FILE);
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{DOC_FILE}: {e}"));
    let start = doc
        .find(BEGIN)
        .unwrap_or_else(|| panic!("{DOC_FILE} has no line {BEGIN}"))
        + BEGIN.len();
    let end = start
        + doc[start..]
            .find(END)
            .unwrap_or_else(|| panic!("{DOC_FILE} has no line {END} after the begin marker"));
    let wanted = format!("\n{table}");
    if doc[start..end] == wanted {
        return;
    }
    if std::env::var("UPDATE_SECURITY_DOC").is_ok_and(|v| !v.is_empty() && v != "0") {
        let updated = format!("{}{wanted}{}", &doc[..start], &doc[end..]);
        std::fs::write(&path, updated).unwrap_or_else(|e| panic!("{DOC_FILE}: {e}"));
        return;
    }
    panic!(
        "the authorization table of {DOC_FILE} differs from {MATRIX_FILE}; \
         run `UPDATE_SECURITY_DOC=1 cargo test --test api authz` to rewrite it"
    );
}

/// A caller of the scenario: a column of the matrix and a side of it.
struct Subject {
    column: &'static str,
    /// 0: own agency (or the appointed mediator), 1: another agency (another mediator).
    side: usize,
    label: String,
    role: &'static str,
    agency: Option<&'static str>,
    username: String,
    token: Option<String>,
}

/// Values a fixture gives to path parameters and placeholders.
type Fixture = HashMap<&'static str, String>;

struct World<'a> {
    app: &'a TestApp,
    /// A supervisor of the own agency and one of the third, who build the fixtures.
    builder: String,
    builder_name: String,
    builder_third: String,
    mediator_id: String,
    /// The own agency's handler (a case may be given to them).
    handler_id: String,
    /// The appointed mediator's token (records the mediation's result).
    mediator_token: String,
    other_case_id: String,
    seq: Cell<u32>,
    shared: RefCell<HashMap<String, Fixture>>,
    job_ids: RefCell<Vec<String>>,
}

impl World<'_> {
    fn next(&self) -> u32 {
        self.seq.set(self.seq.get() + 1);
        self.seq.get()
    }

    /// A Monday of 2031 or later not used before (far from every clock of the fixtures).
    fn new_date(&self) -> String {
        let first = chrono::NaiveDate::from_ymd_opt(2031, 1, 6).unwrap();
        (first + chrono::TimeDelta::weeks(i64::from(self.next()))).to_string()
    }

    async fn shared(&self, name: &str) -> Fixture {
        if let Some(f) = self.shared.borrow().get(name) {
            return f.clone();
        }
        let f = self.build(name).await;
        self.shared.borrow_mut().insert(name.to_owned(), f.clone());
        f
    }

    fn forget(&self, name: &str) {
        self.shared.borrow_mut().remove(name);
    }

    /// A case brought to `state` (see the matrix's header) by the builders.
    async fn case_in(&self, state: &str) -> Value {
        let app = self.app;
        if state == "transfer_offered" {
            let t = &self.builder_third;
            let c = app.open_case(t, &dispute()).await;
            let c = app.act_ok(t, &c, "route", json!({"agency": THIRD})).await;
            let reason = "Người tiêu dùng cư trú tại địa bàn của Sở.";
            return app
                .act_ok(t, &c, "transfer", json!({"to_agency": OWN, "reason": reason}))
                .await;
        }
        let s = &self.builder;
        let base = if matches!(state, "accepted_violation" | "inspection") {
            violation()
        } else {
            dispute()
        };
        let c = app.open_case(s, &base).await;
        if state == "new" {
            return c;
        }
        let c = app.act_ok(s, &c, "route", json!({"agency": OWN})).await;
        if state == "routed" {
            return c;
        }
        let c = app.act_ok(s, &c, "accept", json!({})).await;
        match state {
            "accepted_dispute" | "accepted_violation" => return c,
            "inspection" => return app.act_ok(s, &c, "start_inspection", json!({})).await,
            _ => {}
        }
        let c = app.act_ok(s, &c, "forward_to_business", json!({})).await;
        if state == "negotiation" {
            return c;
        }
        let failed = json!({"result": "failed", "reason": "Doanh nghiệp không trả lời."});
        let c = app.act_ok(s, &c, "record_negotiation_result", failed).await;
        let c = app
            .act_ok(s, &c, "appoint_mediator", json!({"mediator_id": self.mediator_id}))
            .await;
        // Every caller's schedule or reschedule is made at the matrix's one time for the one
        // appointed mediator: the sessions earlier callers made are aged into the past, so none
        // overlaps (409 `session_overlap`).
        app.sql("UPDATE mediation_sessions SET starts_at = '2026-01-05 02:00:00' WHERE status = 'scheduled'");
        match state {
            "mediation" => c,
            "awaiting_info" => {
                app.act_ok(s, &c, "request_info", json!({"requested": "Hóa đơn."}))
                    .await
            }
            "closed" => {
                app.act_ok(s, &c, "withdraw", json!({"reason": "Đã tự thỏa thuận."}))
                    .await
            }
            "settled" => {
                let due = (app.state.clock.today() + chrono::TimeDelta::days(10)).to_string();
                let record = json!({
                    "mediator": "Hòa giải viên của Hội", "parties": "Người tiêu dùng; doanh nghiệp",
                    "held_at": "2026-11-20T09:00:00+07:00", "place": "Trụ sở Hội",
                    "subject": "Máy giặt hỏng", "parties_views": "Hai bên đồng ý đổi máy.",
                    "result": "Doanh nghiệp đổi máy mới.", "performance_deadline": due,
                    "other_terms": "Không có."
                });
                let body = json!({"success": true, "record": record});
                app.act_ok(&self.mediator_token, &c, "record_mediation_result", body)
                    .await
            }
            other => panic!("{MATRIX_FILE}: unknown fixture {other:?}"),
        }
    }

    async fn build(&self, name: &str) -> Fixture {
        let app = self.app;
        let mut f = Fixture::new();
        match name {
            "none" => {}
            "complaint" => {
                let r = app.submit(&crate::helpers::complaint("Máy giặt bị lỗi.")).await;
                assert_eq!(r.status, 201, "complaint fixture: {}", r.body);
                f.insert("code", r.body["tracking_code"].as_str().unwrap().to_owned());
                f.insert("last4", "5678".into());
                let private = r.body["private_url"].as_str().unwrap();
                f.insert("token", private.rsplit('/').next().unwrap().to_owned());
            }
            "business_link" => {
                let c = self.case_in("accepted_dispute").await;
                let to = format!("dn{}@example.com", self.next());
                let c = app
                    .act_ok(&self.builder, &c, "forward_to_business", json!({"business_email": to}))
                    .await;
                app.worker.drain().await.unwrap();
                let mail = app
                    .state
                    .mailer
                    .memory_sent()
                    .into_iter()
                    .rev()
                    .find(|m| m.to.contains(&to));
                let text = mail.expect("the forwarding e-mail").text;
                let start = text.find("/b/").expect("a business link");
                let token: String = text[start + "/b/".len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                f.insert("token", token);
                // A file the agency shared with the business, which its link downloads.
                let id = c["id"].as_str().unwrap().to_owned();
                let (ct, body) = multipart();
                let r = app
                    .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&self.builder), &ct, body)
                    .await;
                assert_eq!(r.status, 201, "business file: {}", r.body);
                let evidence_id = r.body[0]["id"].as_str().unwrap().to_owned();
                let share = format!("/api/v1/cases/{id}/evidence/{evidence_id}/business-share");
                let r = app.post(&share, Some(&self.builder), &json!({"shared": true})).await;
                assert_eq!(r.status, 204, "share: {}", r.body);
                f.insert("evidence_id", evidence_id);
                f.insert("id", id);
            }
            "mediation_failed" => {
                // Mediation ended without agreement: the closing letter can be printed.
                let c = self.case_in("mediation").await;
                let body = json!({"success": false, "failure_reason": "Các bên không thống nhất."});
                app.act_ok(&self.mediator_token, &c, "record_mediation_result", body)
                    .await;
                f.insert("id", c["id"].as_str().unwrap().to_owned());
                f.insert("document", "mediation-failure-letter.pdf".into());
            }
            "business_answered" => {
                f = Box::pin(self.build("business_link")).await;
                let token = f.get("token").cloned().unwrap_or_default();
                let r = app
                    .post(
                        &format!("/api/v1/business/cases/{token}/response"),
                        None,
                        &json!({"decision": "accept"}),
                    )
                    .await;
                assert_eq!(r.status, 200, "business_answered fixture: {}", r.body);
            }
            "sanctioned" | "violator_notice" => {
                // A violation report of the own agency closed with a sanction decision (and,
                // for `violator_notice`, on the public list).
                let c = self.case_in("inspection").await;
                let sanction = json!({"decision_number": format!("{}/QĐ-XPHC", self.next()), "decision_date": "2026-11-20",
                    "issuing_body": "Chi cục Quản lý thị trường", "fine_amount_vnd": 5_000_000, "violation": "Bán hàng không rõ nguồn gốc."});
                let body = json!({"violation_found": true, "sanction": sanction});
                let c = app.act_ok(&self.builder, &c, "record_inspection_result", body).await;
                let id = c["id"].as_str().unwrap().to_owned();
                if name == "violator_notice" {
                    let r = app
                        .post(
                            &format!("/api/v1/cases/{id}/violator-notice"),
                            Some(&self.builder),
                            &json!({}),
                        )
                        .await;
                    assert_eq!(r.status, 201, "violator_notice fixture: {}", r.body);
                }
                f.insert("id", id);
            }
            "warning" => {
                // A draft warning of the own agency.
                let body = json!({"kind": "product", "title": format!("Cảnh báo {}", self.next()), "body": "Nội dung cảnh báo.",
                    "start_date": "2026-12-01", "end_date": "2026-12-31"});
                let r = app.post("/api/v1/warnings", Some(&self.builder), &body).await;
                assert_eq!(r.status, 201, "warning fixture: {}", r.body);
                f.insert("id", r.body["id"].as_str().unwrap().to_owned());
            }
            "alert" => {
                // An open early-warning signal (the weekly job's output, stored as it stores it).
                let n = self.next();
                let id = format!("00000000-0000-7000-8000-{n:012}");
                app.sql(&format!(
                    "INSERT INTO alerts (id, week, week_start, week_end, dimension, group_key, label, cases_count, \
                     baseline, p_value, status, warning_id, created_at, updated_at) VALUES ('{id}', '2026-W{n:02}', \
                     '2026-11-22 17:00:00', '2026-11-29 17:00:00', 'category', 'ecommerce', 'Mua bán trực tuyến', \
                     8, 0.5, 0.00001, 'open', NULL, '2026-11-30 01:00:00', '2026-11-30 01:00:00')"
                ));
                f.insert("id", id);
            }
            "business_entry" => {
                for key in ["id", "other_business_id"] {
                    let body = json!({"name": format!("Doanh nghiệp authz {}", self.next())});
                    let r = app.post("/api/v1/businesses", Some(&self.builder), &body).await;
                    assert_eq!(r.status, 201, "business_entry fixture: {}", r.body);
                    f.insert(key, r.body["id"].as_str().unwrap().to_owned());
                }
            }
            "business_case" => {
                let c = self.case_in("new").await;
                let body = json!({"name": format!("Doanh nghiệp authz {}", self.next())});
                let r = app.post("/api/v1/businesses", Some(&self.builder), &body).await;
                assert_eq!(r.status, 201, "business_case fixture: {}", r.body);
                f.insert("business_id", r.body["id"].as_str().unwrap().to_owned());
                f.insert("id", c["id"].as_str().unwrap().to_owned());
            }
            "kb_article" => {
                // A published article of the knowledge base (province-wide: no agency).
                let body = json!({"question": format!("Câu hỏi authz {}", self.next()), "answer": "Trả lời.",
                    "category": "insurance", "status": "published"});
                let r = app.post("/api/v1/kb/articles", Some(&self.builder), &body).await;
                assert_eq!(r.status, 201, "kb article fixture: {}", r.body);
                f.insert("id", r.body["id"].as_str().unwrap().to_owned());
            }
            "api_token" => {
                let body = json!({"name": format!("authz {}", self.next()), "agency": OWN, "scopes": ["cases:read"]});
                let r = app
                    .post("/api/v1/admin/api-tokens", Some(&app.admin_token), &body)
                    .await;
                assert_eq!(r.status, 201, "api token fixture: {}", r.body);
                f.insert("id", r.body["id"].as_str().unwrap().to_owned());
            }
            "mediator_entry" => {
                // An entry of the third agency's list of mediators (no account linked).
                let body = json!({"organisation": "Hội BVQLNTD", "name": format!("HGV {}", self.next()), "qualifications": "Luật"});
                let r = app.post("/api/v1/mediators", Some(&self.builder_third), &body).await;
                assert_eq!(r.status, 201, "mediator entry fixture: {}", r.body);
                f.insert("id", r.body["id"].as_str().unwrap().to_owned());
            }
            "mediation_session" => {
                // A session of a `mediation` case, scheduled by the own agency (already begun,
                // so its attendance can be recorded).
                let c = self.case_in("mediation").await;
                let body = json!({"at": crate::helpers::session_morning(app, 2), "place": "Trụ sở Hội BVQLNTD"});
                let c = app.act_ok(&self.builder, &c, "schedule_mediation_session", body).await;
                let id = c["id"].as_str().unwrap().to_owned();
                let r = app
                    .get(&format!("/api/v1/cases/{id}/mediation/sessions"), Some(&self.builder))
                    .await;
                let sid = r.body[0]["id"].as_str().unwrap().to_owned();
                // Scheduled ahead (a session may not start in the past), then aged to have begun.
                app.sql(&format!(
                    "UPDATE mediation_sessions SET starts_at = '2026-01-05 02:00:00' WHERE id = '{sid}'"
                ));
                f.insert("sid", sid);
                f.insert("id", id);
            }
            "calendar_feed" => {
                // The appointed mediator's feed (the token is the credential).
                let r = app
                    .post(
                        "/api/v1/mediators/me/calendar-feed",
                        Some(&self.mediator_token),
                        &json!({}),
                    )
                    .await;
                assert_eq!(r.status, 201, "calendar feed fixture: {}", r.body);
                let url = r.body["url"].as_str().unwrap();
                let token = url.rsplit('/').next().unwrap().trim_end_matches(".ics");
                f.insert("token", token.to_owned());
            }
            "session" => {
                // A session of the builder: nobody else's to end.
                let r = app.get("/api/v1/auth/sessions", Some(&self.builder)).await;
                f.insert("id", r.body[0]["id"].as_str().unwrap().to_owned());
            }
            "call" => {
                let body = json!({"caller_phone": "0912345678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": "advised"});
                let r = app.post("/api/v1/calls", Some(&self.builder), &body).await;
                assert_eq!(r.status, 201, "call fixture: {}", r.body);
                f.insert("id", r.body["id"].as_str().unwrap().to_owned());
            }
            "user" => {
                let (id, _) = app
                    .user(&format!("authz.target.{}", self.next()), "handler", Some(OWN))
                    .await;
                f.insert("id", id);
            }
            "report_submission" => {
                // The own agency's quarterly report of a past quarter, submitted (frozen).
                let body = json!({"report": "quarterly", "period": format!("{}-Q1", 2001 + self.next() % 20)});
                let r = app
                    .post("/api/v1/reports/submissions", Some(&self.builder), &body)
                    .await;
                assert_eq!(r.status, 201, "report submission fixture: {}", r.body);
                let id = r.body["entries"][0]["id"].as_str().unwrap().to_owned();
                f.insert("id", id);
            }
            "dead_job" => {
                let id = format!("authz-job-{}", self.next());
                app.sql(&format!(
                    "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, status, created_at) \
                     VALUES ('{id}', 'send_email', '{{}}', '2026-11-01 00:00:00', 5, 5, 'dead', '2026-11-01 00:00:00')"
                ));
                self.job_ids.borrow_mut().push(id.clone());
                f.insert("id", id);
            }
            "calendar_day" => {
                let date = self.new_date();
                let body = json!({"date": date, "kind": "off", "name": "Nghỉ bù (thử)", "status": "official"});
                let r = app
                    .post("/api/v1/admin/calendar/days", Some(&app.admin_token), &body)
                    .await;
                assert_eq!(r.status, 201, "calendar day fixture: {}", r.body);
                f.insert("date", date);
            }
            "cluster" => {
                let n = self.next();
                let business = format!("Cửa hàng Cụm Thử {n}");
                let min = app.state.settings.intake.cluster_min_consumers;
                for i in 0..min {
                    let mut c = dispute();
                    c["business"] = json!({"name": business});
                    c["consumer"]["phone"] = json!(format!("0913{:06}", i64::from(n) * 100 + i));
                    app.open_case(&self.builder, &c).await;
                }
                let r = app.get("/api/v1/clusters", Some(&self.builder)).await;
                let key = r.body.as_array().and_then(|cs| {
                    cs.iter()
                        .find(|c| c["business_name"] == business.as_str())
                        .and_then(|c| c["business_key"].as_str())
                });
                let key = key.unwrap_or_else(|| panic!("cluster fixture: no cluster for {business}: {}", r.body));
                f.insert("business_key", percent_encode(key));
            }
            "evidence" => {
                let c = self.case_in("mediation").await;
                let id = c["id"].as_str().unwrap().to_owned();
                let (ct, body) = multipart();
                let r = app
                    .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&self.builder), &ct, body)
                    .await;
                assert_eq!(r.status, 201, "evidence fixture: {}", r.body);
                f.insert("evidence_id", r.body[0]["id"].as_str().unwrap().to_owned());
                f.insert("id", id);
            }
            state => {
                let c = self.case_in(state).await;
                f.insert("id", c["id"].as_str().unwrap().to_owned());
                f.insert("version", c["version"].to_string());
            }
        }
        f
    }

    /// The token a subject uses for this row, and its username.
    async fn caller(&self, row: &Row, s: &Subject) -> (Option<String>, String) {
        let Some(token) = &s.token else {
            return (None, self.builder_name.clone());
        };
        match row.caller.as_deref() {
            Some("fresh_session") => (Some(self.app.login(&s.username, PASSWORD).await), s.username.clone()),
            Some("fresh_user") => {
                let name = format!("authz.fresh.{}", self.next());
                let (_, token) = self.app.user(&name, s.role, s.agency).await;
                (Some(token), name)
            }
            _ => (Some(token.clone()), s.username.clone()),
        }
    }
}

fn multipart() -> (String, Vec<u8>) {
    let boundary = "----authzBoundary7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hoa-don.txt\"\r\nContent-Type: text/plain\r\n\r\nHóa đơn số 123\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn fill(text: &str, vars: &[(&str, String)]) -> String {
    vars.iter()
        .fold(text.to_owned(), |t, (k, v)| t.replace(&format!("${k}"), v))
}

/// The status of one request, and the problem `code` if there is one.
async fn send(app: &TestApp, method: &str, url: &str, token: Option<&str>, body: Body) -> (u16, String) {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = app.client.request(method, app.url(url));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = match body {
        Body::None => req.send().await,
        Body::Json(v) => req.send_json(&v).await,
        Body::Multipart => {
            let (ct, bytes) = multipart();
            req.insert_header(("content-type", ct)).send_body(bytes).await
        }
    };
    let mut res = res.unwrap_or_else(|e| panic!("{url}: {e}"));
    let raw = res.body().limit(10 * 1024 * 1024).await.unwrap_or_default();
    let code = serde_json::from_slice::<Value>(&raw)
        .ok()
        .and_then(|v| v["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (res.status().as_u16(), code)
}

enum Body {
    None,
    Json(Value),
    Multipart,
}

/// The operations of `/openapi.json` and the action names of the actions route, against the rows.
fn coverage(doc: &Value, m: &Matrix) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths in /openapi.json") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                ops.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let routes: BTreeSet<String> = m.row.iter().map(|r| r.route.clone()).collect();
    for op in ops.difference(&routes) {
        problems.push(format!("{op}: in /openapi.json but has no row in {MATRIX_FILE}"));
    }
    for r in routes.difference(&ops) {
        problems.push(format!(
            "{r}: a row of {MATRIX_FILE} but not an operation of /openapi.json"
        ));
    }
    let action_path = ACTIONS.split_once(' ').map_or("", |(_, p)| p);
    let param = doc["paths"][action_path]["post"]["parameters"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "action"))
        .map(|p| p["schema"].clone())
        .unwrap_or(Value::Null);
    let schema = match param["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
    {
        Some(name) => doc["components"]["schemas"][name].clone(),
        None => param,
    };
    let names: BTreeSet<String> = schema["enum"]
        .as_array()
        .map(|vs| vs.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    if names.is_empty() {
        problems.push(format!("{ACTIONS}: /openapi.json lists no action names"));
    }
    let rows: BTreeSet<String> = m.row.iter().filter_map(|r| r.action.clone()).collect();
    for a in names.difference(&rows) {
        problems.push(format!("action {a}: in /openapi.json but has no row in {MATRIX_FILE}"));
    }
    for a in rows.difference(&names) {
        problems.push(format!(
            "action {a}: a row of {MATRIX_FILE} but not an action of /openapi.json"
        ));
    }
    problems
}

async fn every_operation_answers_every_caller_as_the_authz_matrix_says(app: &TestApp) {
    let m = matrix();
    let doc = app.get("/openapi.json", None).await.body;
    let mut problems = coverage(&doc, &m);

    let (_, builder) = app.user("authz.builder", "supervisor", Some(OWN)).await;
    let (_, builder_third) = app.user("authz.builder.third", "supervisor", Some(THIRD)).await;
    let other_case = app.open_case(&builder, &dispute()).await;
    let mut subjects = vec![Subject {
        column: "anonymous",
        side: 0,
        label: "anonymous".into(),
        role: "",
        agency: None,
        username: String::new(),
        token: None,
    }];
    let mut mediator_id = String::new();
    let mut handler_id = String::new();
    let mut mediator_token = String::new();
    for role in ["operator", "handler", "supervisor", "coordinator", "mediator", "admin"] {
        let sides: &[(&str, Option<&'static str>)] = match role {
            "mediator" => &[("appointed", Some(THIRD)), ("not appointed", Some(THIRD))],
            "admin" => &[("", None)],
            _ => &[("own agency", Some(OWN)), ("other agency", Some(OTHER))],
        };
        for (side, (tag, agency)) in sides.iter().enumerate() {
            let username = format!("authz.{role}.{side}");
            let (id, token) = app.user(&username, role, *agency).await;
            if role == "mediator" {
                // On the published list of the third agency's body, so it can be appointed.
                let r = app
                    .post(
                        "/api/v1/mediators",
                        Some(&builder_third),
                        &json!({"organisation": "Hội BVQLNTD", "name": username, "qualifications": "Luật", "user_id": id}),
                    )
                    .await;
                assert_eq!(r.status, 201, "list mediator: {}", r.body);
            }
            if role == "handler" && side == 0 {
                handler_id = id.clone();
            }
            if role == "mediator" && side == 0 {
                mediator_id = id;
                mediator_token = token.clone();
            }
            subjects.push(Subject {
                column: role,
                side,
                label: if tag.is_empty() {
                    role.into()
                } else {
                    format!("{role} ({tag})")
                },
                role,
                agency: *agency,
                username,
                token: Some(token),
            });
        }
    }
    let w = World {
        app,
        builder,
        builder_name: "authz.builder".into(),
        builder_third,
        mediator_id,
        handler_id,
        mediator_token,
        other_case_id: other_case["id"].as_str().unwrap().to_owned(),
        seq: Cell::new(0),
        shared: RefCell::new(HashMap::new()),
        job_ids: RefCell::new(Vec::new()),
    };

    for row in &m.row {
        let fixture = row.fixture.as_deref().unwrap_or("none");
        for s in &subjects {
            let Status::Code(want) = row.expected(s.column).side(s.side) else {
                continue;
            };
            // A change expected to succeed gets a fixture of its own; the others share one.
            let own_fixture = row.changes_state() && (200..300).contains(&want);
            let f = if own_fixture {
                w.build(fixture).await
            } else {
                w.shared(fixture).await
            };
            let (token, username) = w.caller(row, s).await;
            let mut url = row.path().replace("{action}", row.action.as_deref().unwrap_or(""));
            for key in [
                "id",
                "sid",
                "evidence_id",
                "code",
                "business_key",
                "date",
                "token",
                "document",
            ] {
                if let Some(v) = f.get(key) {
                    url = url.replace(&format!("{{{key}}}"), v);
                }
            }
            assert!(
                !url.contains('{'),
                "{MATRIX_FILE}: fixture {fixture:?} fills no parameter of {url}"
            );
            let mut vars = vec![
                ("username", username),
                ("password", PASSWORD.to_owned()),
                ("mediator_id", w.mediator_id.clone()),
                ("handler_id", w.handler_id.clone()),
                ("other_case_id", w.other_case_id.clone()),
            ];
            for key in ["date", "last4", "business_id", "other_business_id"] {
                if let Some(v) = f.get(key) {
                    vars.push((key, v.clone()));
                }
            }
            let needs = |k: &str| row.body.iter().chain(&row.query).any(|t| t.contains(k));
            if needs("$unique") {
                vars.push(("unique", format!("authz.new.{}", w.next())));
            }
            if needs("$new_date") {
                vars.push(("new_date", w.new_date()));
            }
            if let Some(q) = &row.query {
                url = format!("{url}?{}", fill(q, &vars));
            }
            let body = match (&row.body, row.multipart) {
                (_, true) => Body::Multipart,
                (None, false) => Body::None,
                (Some(text), false) => {
                    let mut v: Value = serde_json::from_str(&fill(text, &vars))
                        .unwrap_or_else(|e| panic!("{MATRIX_FILE}: body of {}: {e}", row.operation()));
                    if row.action.is_some() {
                        let version: i64 = f.get("version").and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                            panic!(
                                "{MATRIX_FILE}: fixture {fixture:?} of {} is not a case",
                                row.operation()
                            )
                        });
                        v["version"] = json!(version);
                    }
                    Body::Json(v)
                }
            };
            let (got, code) = send(app, row.method(), &url, token.as_deref(), body).await;
            if got != want {
                problems.push(format!(
                    "{} as {}: expected {want}, got {got} {code}",
                    row.operation(),
                    s.label
                ));
            }
            // A refusal that was not one may have changed the shared fixture.
            if row.changes_state() && !own_fixture && (200..300).contains(&got) {
                w.forget(fixture);
            }
        }
    }
    for id in w.job_ids.borrow().iter() {
        app.sql(&format!("DELETE FROM jobs WHERE id = '{id}'"));
    }
    assert!(
        problems.is_empty(),
        "{} disagreement(s) with {MATRIX_FILE}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
both_backends!(every_operation_answers_every_caller_as_the_authz_matrix_says);
