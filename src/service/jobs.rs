//! The durable job queue and its worker. Jobs are rows written in the same transaction as the
//! change that causes them (the outbox), claimed one at a time (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, a `BEGIN IMMEDIATE` transaction on SQLite), retried with exponential backoff and
//! dead-lettered after `jobs.max_attempts`. A claimed job whose worker dies is taken over when
//! its lease expires, so delivery is at least once.
//!
//! Kinds: `send_email` (payload: an [`OutgoingEmail`]), `sweep` (deadline reminders, overdue
//! marking, escalation, digest scheduling; scheduled every `jobs.sweep_interval_secs` under a
//! dedupe key, so it runs once whatever the number of instances), `digest` (one agency's daily
//! summary).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Timelike, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clocks;
use super::events::{self, NewEvent};
use crate::calendar::{self, vn_date};
use crate::config::Settings;
use crate::db::jobs::{self as job_db, JobRow};
use crate::db::{cases as case_db, clocks as clock_db, portability, reference, users, AnyConnection, Db};
use crate::domain::user::Actor;
use crate::email::{Mailer, OutgoingEmail, TemplateKind};
use crate::error::AppError;
use crate::routing::Router;
use crate::state::{AppState, Clock};

pub const SEND_EMAIL: &str = SendEmail::NAME;

/// A kind of background job, the way crates.io's worker types them: its name in the `jobs`
/// table, its payload (this type, stored as JSON) and what running it does. The worker
/// dispatches on the name in one table ([`Worker::execute`]); an unreadable payload is a
/// permanent failure, never a default.
pub(crate) trait Job: Serialize + DeserializeOwned {
    const NAME: &'static str;

    /// Runs the job once. `Err` is retried with back-off unless it is permanent.
    async fn run(self, w: &Worker) -> Result<(), JobError>;
}

/// Why one attempt at a job failed.
#[derive(Debug)]
pub(crate) struct JobError {
    message: String,
    permanent: bool,
}

impl JobError {
    fn retry(e: impl std::fmt::Display) -> JobError {
        JobError {
            message: e.to_string(),
            permanent: false,
        }
    }
}

/// An e-mail in the outbox (the payload is the rendered message).
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct SendEmail(OutgoingEmail);

impl Job for SendEmail {
    const NAME: &'static str = "send_email";

    async fn run(self, w: &Worker) -> Result<(), JobError> {
        w.mailer
            .send(&w.settings.email.from, &self.0)
            .await
            .map_err(|e| JobError {
                message: e.to_string(),
                permanent: e.is_permanent(),
            })
    }
}

/// The deadline sweep: reminders, overdue marks and escalations (one per interval).
#[derive(Serialize, Deserialize)]
pub(crate) struct Sweep {}

impl Job for Sweep {
    const NAME: &'static str = "sweep";

    async fn run(self, w: &Worker) -> Result<(), JobError> {
        let ctx = SweepCtx::new(w);
        let at = w.clock.now();
        w.db.write(move |conn| sweep(conn, &ctx, at))
            .await
            .map_err(JobError::retry)
    }
}

/// One agency's daily digest.
#[derive(Serialize, Deserialize)]
pub(crate) struct Digest {
    agency: String,
    date: chrono::NaiveDate,
}

impl Job for Digest {
    const NAME: &'static str = "digest";

    async fn run(self, w: &Worker) -> Result<(), JobError> {
        let ctx = SweepCtx::new(w);
        let at = w.clock.now();
        w.db.write(move |conn| digest(conn, &ctx, &self.agency, at))
            .await
            .map_err(JobError::retry)
    }
}

/// Adds a typed job inside the caller's transaction (see [`enqueue`]).
fn enqueue_job<J: Job>(
    conn: &mut AnyConnection,
    job: &J,
    at: NaiveDateTime,
    run_at: NaiveDateTime,
    dedupe_key: Option<String>,
    max_attempts: i32,
) -> Result<bool, AppError> {
    let payload = serde_json::to_value(job).map_err(|e| AppError::Internal(e.into()))?;
    enqueue(conn, J::NAME, &payload, at, run_at, dedupe_key, max_attempts)
}

/// Adds a job inside the caller's transaction. With a dedupe key, does nothing if a job with
/// that key exists.
fn enqueue(
    conn: &mut AnyConnection,
    kind: &str,
    payload: &serde_json::Value,
    at: NaiveDateTime,
    run_at: NaiveDateTime,
    dedupe_key: Option<String>,
    max_attempts: i32,
) -> Result<bool, AppError> {
    if let Some(k) = &dedupe_key {
        if job_db::exists_dedupe(conn, k)? {
            return Ok(false);
        }
    }
    job_db::insert(
        conn,
        &JobRow {
            id: uuid::Uuid::now_v7().to_string(),
            kind: kind.into(),
            dedupe_key,
            payload: payload.to_string(),
            run_at,
            attempts: 0,
            max_attempts,
            status: "pending".into(),
            locked_by: None,
            locked_until: None,
            last_error: None,
            created_at: at,
            finished_at: None,
        },
    )?;
    Ok(true)
}

/// Renders a template and puts the message in the outbox (inside the caller's transaction).
pub fn enqueue_email(
    conn: &mut AnyConnection,
    to: &str,
    kind: TemplateKind,
    vars: &serde_json::Value,
    at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<(), AppError> {
    let msg = OutgoingEmail::from_template(to, kind, vars).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let t = at.naive_utc();
    enqueue_job(conn, &SendEmail(msg), t, t, None, max_attempts)?;
    Ok(())
}

/// Puts a ready message (e.g. with attachments) in the outbox.
pub fn enqueue_message(
    conn: &mut AnyConnection,
    msg: &OutgoingEmail,
    at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<(), AppError> {
    let t = at.naive_utc();
    enqueue_job(conn, &SendEmail(msg.clone()), t, t, None, max_attempts)?;
    Ok(())
}

/// Prometheus gauges the worker keeps current.
#[derive(Clone)]
pub struct Gauges {
    pub overdue: prometheus::IntGaugeVec,
    pub jobs: prometheus::IntGaugeVec,
}

impl Gauges {
    pub fn register(registry: &prometheus::Registry) -> anyhow::Result<Gauges> {
        let overdue = prometheus::IntGaugeVec::new(
            prometheus::Opts::new("hotline_overdue_clocks", "Running legal clocks past their due date"),
            &["clock"],
        )?;
        let jobs = prometheus::IntGaugeVec::new(prometheus::Opts::new("hotline_jobs", "Jobs by status"), &["status"])?;
        registry.register(Box::new(overdue.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        Ok(Gauges { overdue, jobs })
    }
}

/// One worker: claims and runs jobs.
#[derive(Clone)]
pub struct Worker {
    pub id: String,
    db: Db,
    settings: Arc<Settings>,
    mailer: Mailer,
    router: Arc<Router>,
    gauges: Option<Gauges>,
    clock: Clock,
}

/// What running one job did.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    Nothing,
    Done,
    Retry,
    Dead,
}

impl Worker {
    pub fn new(
        db: Db,
        settings: Arc<Settings>,
        mailer: Mailer,
        router: Arc<Router>,
        gauges: Option<Gauges>,
        clock: Clock,
    ) -> Worker {
        Worker {
            id: format!("worker-{}", uuid::Uuid::new_v4()),
            db,
            settings,
            mailer,
            router,
            gauges,
            clock,
        }
    }

    /// Schedules the sweep for the current interval unless an instance already did.
    pub async fn schedule_sweep(&self) -> Result<bool, AppError> {
        let clock = self.clock.clone();
        let interval = self.settings.jobs.sweep_interval_secs.max(1) as i64;
        let slot = clock.now().timestamp() / interval;
        let max = self.settings.jobs.max_attempts;
        let r = self
            .db
            .write(move |conn| {
                let t = clock.now().naive_utc();
                enqueue_job(conn, &Sweep {}, t, t, Some(format!("sweep:{slot}")), max)
            })
            .await;
        match r {
            Ok(added) => Ok(added),
            // Another instance inserted the same key between our check and insert.
            Err(AppError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Claims and runs one job, if one is due.
    pub async fn run_once(&self) -> Result<Ran, AppError> {
        let worker = self.id.clone();
        let lease = self.settings.jobs.lease_secs;
        let t = self.clock.now().naive_utc();
        let claimed = self
            .db
            .write(
                move |conn| match portability::claim_next_job(conn, &worker, t, t + TimeDelta::seconds(lease))? {
                    Some(id) => Ok(job_db::find(conn, &id)?),
                    None => Ok(None),
                },
            )
            .await?;
        let Some(job) = claimed else { return Ok(Ran::Nothing) };
        // A panicking job is a failed attempt (retried with back-off like any other failure),
        // not the end of the worker loop. The hook logs where it panicked, not the message.
        let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(self.execute(&job)))
            .await
            .unwrap_or_else(|_| Err(("the job panicked (see the log for where)".to_owned(), false)));
        let worker = self.id.clone();
        let base = self.settings.jobs.backoff_base_secs;
        let id = job.id.clone();
        match result {
            Ok(()) => {
                let t = self.clock.now().naive_utc();
                self.db
                    .write(move |conn| {
                        job_db::finish(conn, &id, &worker, t)?;
                        Ok(())
                    })
                    .await?;
                Ok(Ran::Done)
            }
            Err((message, permanent)) => {
                let dead = permanent || job.attempts >= job.max_attempts;
                tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, dead, error = %message, "job failed");
                let t = self.clock.now().naive_utc();
                let retry_at = (!dead).then(|| {
                    let exp = (job.attempts - 1).clamp(0, 16) as u32;
                    t + TimeDelta::seconds(base.saturating_mul(1i64 << exp))
                });
                self.db
                    .write(move |conn| {
                        job_db::fail(conn, &id, &worker, &message, retry_at, t)?;
                        Ok(())
                    })
                    .await?;
                Ok(if dead { Ran::Dead } else { Ran::Retry })
            }
        }
    }

    /// Runs jobs until none is due (tests and the CLI).
    pub async fn drain(&self) -> Result<usize, AppError> {
        let mut n = 0;
        while self.run_once().await? != Ran::Nothing {
            n += 1;
        }
        Ok(n)
    }

    /// Returns Err((message, permanent)).
    /// Runs one claimed job: the one table from job names to job types.
    async fn execute(&self, job: &JobRow) -> Result<(), (String, bool)> {
        let ran = match job.kind.as_str() {
            SendEmail::NAME => self.run_typed::<SendEmail>(&job.payload).await,
            Sweep::NAME => self.run_typed::<Sweep>(&job.payload).await,
            Digest::NAME => self.run_typed::<Digest>(&job.payload).await,
            other => Err(JobError {
                message: format!("unknown job kind {other}"),
                permanent: true,
            }),
        };
        ran.map_err(|e| (e.message, e.permanent))
    }

    async fn run_typed<J: Job>(&self, payload: &str) -> Result<(), JobError> {
        let job: J = serde_json::from_str(payload).map_err(|e| JobError {
            message: format!("unreadable {} payload: {e}", J::NAME),
            permanent: true,
        })?;
        job.run(self).await
    }

    /// Refreshes the gauges from the database.
    pub async fn refresh_gauges(&self) -> Result<(), AppError> {
        let Some(g) = self.gauges.clone() else { return Ok(()) };
        let (overdue, jobs) = self
            .db
            .run(|conn| Ok((clock_db::overdue_counts(conn)?, job_db::count_by_status(conn)?)))
            .await?;
        g.overdue.reset();
        for (clock, n) in overdue {
            g.overdue.with_label_values(&[clock.as_str()]).set(n);
        }
        g.jobs.reset();
        for (status, n) in jobs {
            g.jobs.with_label_values(&[status.as_str()]).set(n);
        }
        Ok(())
    }

    /// The loop `serve` runs: schedule sweeps, run due jobs, sleep when idle.
    pub async fn run_forever(self) {
        let poll = Duration::from_millis(self.settings.jobs.poll_interval_ms.max(50));
        let mut last_sweep_check = std::time::Instant::now() - Duration::from_secs(3600);
        let mut last_gauges = last_sweep_check;
        let analyze_every = Duration::from_secs(self.settings.database.sqlite_analyze_interval_secs);
        let mut last_analyze = std::time::Instant::now();
        loop {
            if !analyze_every.is_zero() && last_analyze.elapsed() >= analyze_every {
                let analyzed = self
                    .db
                    .write(|conn| Ok(crate::db::portability::refresh_planner_statistics(conn)?))
                    .await;
                if let Err(e) = analyzed {
                    tracing::warn!(error = %e, "refreshing planner statistics failed");
                }
                last_analyze = std::time::Instant::now();
            }
            if last_sweep_check.elapsed() >= Duration::from_secs(10) {
                if let Err(e) = self.schedule_sweep().await {
                    tracing::warn!(error = %e, "scheduling the sweep failed");
                }
                last_sweep_check = std::time::Instant::now();
            }
            if last_gauges.elapsed() >= Duration::from_secs(15) {
                if let Err(e) = self.refresh_gauges().await {
                    tracing::warn!(error = %e, "refreshing gauges failed");
                }
                last_gauges = std::time::Instant::now();
            }
            match self.run_once().await {
                Ok(Ran::Nothing) => tokio::time::sleep(poll).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "job worker");
                    tokio::time::sleep(poll).await;
                }
            }
        }
    }
}

/// What the sweep and digests need, cloned to the blocking pool.
#[derive(Clone)]
pub struct SweepCtx {
    router: Arc<Router>,
    base_url: String,
    max_attempts: i32,
    digest_hour: u32,
}

impl SweepCtx {
    fn new(w: &Worker) -> SweepCtx {
        SweepCtx {
            router: w.router.clone(),
            base_url: w.settings.email.public_base_url.trim_end_matches('/').to_owned(),
            max_attempts: w.settings.jobs.max_attempts,
            digest_hour: w.settings.jobs.digest_hour,
        }
    }
}

/// Staff to tell about a case: the assignee if they have an e-mail, else the agency's handlers
/// and supervisors.
fn case_recipients(conn: &mut AnyConnection, case: &case_db::CaseRow, roles: &[&str]) -> Result<Vec<String>, AppError> {
    if let Some(a) = &case.assignee_id {
        if roles.contains(&"handler") {
            if let Some(u) = users::find_by_id(conn, a)? {
                if let Some(e) = u.email {
                    return Ok(vec![e]);
                }
            }
        }
    }
    let Some(agency) = &case.current_agency else {
        return Ok(vec![]);
    };
    Ok(users::agency_emails(conn, agency, roles)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// Reminders one working day before a due date, overdue marking with escalation to the
/// agency's supervisors, and the scheduling of each agency's daily digest.
pub fn sweep(conn: &mut AnyConnection, ctx: &SweepCtx, at: DateTime<Utc>) -> Result<(), AppError> {
    let cal = clocks::load_calendar(conn)?;
    let today = calendar::local_date(at);
    let t = at.naive_utc();
    // Everything due by the end of the next working day.
    let horizon = calendar::end_of_day_utc(cal.next_working_day(today)).naive_utc();
    for mut c in clock_db::running_due_before(conn, horizon)? {
        let Some(case) = case_db::find_by_id(conn, &c.case_id)? else {
            continue;
        };
        let case_url = format!("{}/cases/{}", ctx.base_url, case.id);
        let mut changed = false;
        if !c.reminded && t <= c.due_at && today >= cal.prev_working_day(c.due_date) {
            for to in case_recipients(conn, &case, &["handler", "supervisor"])? {
                enqueue_email(
                    conn,
                    &to,
                    TemplateKind::Reminder,
                    &serde_json::json!({
                        "tracking_code": case.tracking_code, "clock_label": clocks::label_vi(&c.clock),
                        "due_date": vn_date(c.due_date), "case_url": case_url,
                    }),
                    at,
                    ctx.max_attempts,
                )?;
            }
            c.reminded = true;
            changed = true;
        }
        if !c.overdue && t > c.due_at {
            c.overdue = true;
            changed = true;
            let assignee = match &case.assignee_id {
                Some(a) => users::find_by_id(conn, a)?.map(|u| u.display_name).unwrap_or_default(),
                None => "chưa phân công".into(),
            };
            let supervisors = match &case.current_agency {
                Some(a) => users::agency_emails(conn, a, &["supervisor"])?,
                None => vec![],
            };
            for (_, to) in supervisors {
                enqueue_email(
                    conn,
                    &to,
                    TemplateKind::OverdueEscalation,
                    &serde_json::json!({
                        "tracking_code": case.tracking_code, "clock_label": clocks::label_vi(&c.clock),
                        "due_date": vn_date(c.due_date), "assignee": assignee, "case_url": case_url,
                    }),
                    at,
                    ctx.max_attempts,
                )?;
            }
            case_db::touch(conn, &case.id, t)?;
            events::append(
                conn,
                &case.id,
                &Actor::System,
                t,
                NewEvent {
                    action: "clock_overdue".into(),
                    from_status: Some(case.status.clone()),
                    to_status: case.status.clone(),
                    data: serde_json::json!({"clock": c.clock, "due_date": c.due_date, "escalated_to": "supervisors"}),
                    public_message: None,
                },
            )?;
        }
        if changed {
            clock_db::save(conn, &c)?;
        }
    }
    let local_hour = (t.and_utc() + TimeDelta::hours(7)).hour();
    if local_hour >= ctx.digest_hour {
        for a in reference::list_agencies(conn)? {
            let job = Digest {
                agency: a.code.clone(),
                date: today,
            };
            enqueue_job(
                conn,
                &job,
                t,
                t,
                Some(format!("digest:{}:{today}", a.code)),
                ctx.max_attempts,
            )?;
        }
    }
    Ok(())
}

/// One agency's daily digest to its handlers and supervisors.
pub fn digest(conn: &mut AnyConnection, ctx: &SweepCtx, agency: &str, at: DateTime<Utc>) -> Result<(), AppError> {
    let recipients = users::agency_emails(conn, agency, &["handler", "supervisor"])?;
    if recipients.is_empty() {
        return Ok(());
    }
    let cal = clocks::load_calendar(conn)?;
    let today = calendar::local_date(at);
    let soon = calendar::end_of_day_utc(cal.add_working_days(today, 2).due).naive_utc();
    let scope = case_db::Scope::Agency(agency.to_owned());
    let filter = case_db::ListFilter {
        agency: Some(agency.to_owned()),
        ..Default::default()
    };
    let open: Vec<case_db::CaseRow> = case_db::list(conn, &scope, &filter, case_db::Sort::DueAsc, None, 1000)?
        .into_iter()
        .filter(|c| c.status != "closed")
        .collect();
    let overdue: Vec<&case_db::CaseRow> = open
        .iter()
        .filter(|c| c.due_at.is_some_and(|d| d < at.naive_utc()))
        .collect();
    let due_soon: Vec<&case_db::CaseRow> = open
        .iter()
        .filter(|c| c.due_at.is_some_and(|d| d >= at.naive_utc() && d <= soon))
        .collect();
    let lines: Vec<String> = overdue
        .iter()
        .chain(due_soon.iter())
        .take(50)
        .map(|c| {
            let due = c
                .due_at
                .map(|d| vn_date(calendar::local_date(d.and_utc())))
                .unwrap_or_default();
            format!("{} — hạn {} — {}", c.tracking_code, due, c.status)
        })
        .collect();
    let items_html = lines
        .iter()
        .map(|l| format!("<li>{}</li>", crate::email::escape_html(l)))
        .collect::<Vec<_>>()
        .join("");
    let agency_name = ctx
        .router
        .taxonomy()
        .agency(agency)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| agency.to_owned());
    for (_, to) in recipients {
        enqueue_email(
            conn,
            &to,
            TemplateKind::DailyDigest,
            &serde_json::json!({
                "agency_name": agency_name, "date": vn_date(today), "open_cases": open.len(),
                "due_soon": due_soon.len(), "overdue": overdue.len(),
                "items_text": if lines.is_empty() { "(không có)".to_owned() } else { lines.join("\n") },
                "items_html": format!("<ul>{items_html}</ul>"),
            }),
            at,
            ctx.max_attempts,
        )?;
    }
    Ok(())
}

/// An outbox entry as admins see it (addresses masked).
#[derive(Debug, Serialize, ToSchema)]
pub struct OutboxView {
    pub id: String,
    pub status: String,
    pub to: String,
    pub subject: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<JobRow> for OutboxView {
    fn from(j: JobRow) -> Self {
        let m: Option<OutgoingEmail> = serde_json::from_str(&j.payload).ok();
        OutboxView {
            to: m
                .as_ref()
                .map(|m| crate::email::mask_address(&m.to))
                .unwrap_or_default(),
            subject: m.map(|m| m.subject).unwrap_or_default(),
            id: j.id,
            status: j.status,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at.and_utc(),
            last_error: j.last_error,
            created_at: j.created_at.and_utc(),
            finished_at: j.finished_at.map(|t| t.and_utc()),
        }
    }
}

/// The e-mail outbox for admins: newest first, optionally one status (`dead` = dead letters).
pub async fn outbox(state: &AppState, actor: Actor, status: Option<String>) -> Result<Vec<OutboxView>, AppError> {
    super::require_admin(&actor)?;
    state
        .db
        .run(move |conn| {
            Ok(job_db::list(conn, Some(SEND_EMAIL), status.as_deref(), 500)?
                .into_iter()
                .map(OutboxView::from)
                .collect())
        })
        .await
}

/// Puts a dead-lettered message back in the queue.
pub async fn retry(state: &AppState, actor: Actor, id: String) -> Result<(), AppError> {
    let clock = state.clock.clone();
    super::require_admin(&actor)?;
    state
        .db
        .write(move |conn| {
            if job_db::retry(conn, &id, clock.now().naive_utc())? == 0 {
                return Err(AppError::NotFound("dead-lettered job"));
            }
            Ok(())
        })
        .await
}
