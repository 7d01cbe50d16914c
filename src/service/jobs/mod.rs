//! The durable job queue and its worker. Jobs are rows written in the same transaction as the
//! change that causes them (the outbox), claimed one at a time (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, a `BEGIN IMMEDIATE` transaction on SQLite), retried with exponential backoff and
//! dead-lettered after `jobs.max_attempts`. A claimed job whose worker dies is taken over when
//! its lease expires, so delivery is at least once.
//!
//! Kinds: `send_email` (payload: an [`OutgoingEmail`]), `sweep` (deadline reminders, overdue
//! marking, escalation, digest scheduling, removal of expired violator notices; scheduled
//! every `jobs.sweep_interval_secs` under a dedupe key, so it runs once whatever the number of
//! instances), `digest` (one agency's daily summary).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::db::jobs::{self as job_db, JobRow};
use crate::db::AnyConnection;
use crate::email::{Mail, OutgoingEmail};
use crate::error::AppError;

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

/// An e-mail in the outbox. The payload is the rendered message ([`OutgoingEmail`] as JSON:
/// `to`, `subject`, `text`, `html`, `attachments`), the same format since the first release, so
/// messages queued by an older version still send after an upgrade.
#[derive(Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct SendEmail(OutgoingEmail);

impl Job for SendEmail {
    const NAME: &'static str = "send_email";

    async fn run(self, w: &Worker) -> Result<(), JobError> {
        // A message with an empty part is never sent: it is dead-lettered for an administrator
        // to see (an unreadable payload is, too: see `Worker::execute`).
        let m = &self.0;
        if m.subject.trim().is_empty() || m.text.trim().is_empty() || m.html.trim().is_empty() {
            return Err(JobError {
                message: "e-mail with an empty subject or body: not sent".into(),
                permanent: true,
            });
        }
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
            .map_err(JobError::retry)?;
        sweep::checkpoint_if_due(w, at).await.map_err(JobError::retry)
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
        w.db.write(move |conn| digest(conn, &ctx, &self.agency, self.date, at))
            .await
            .map_err(JobError::retry)
    }
}

/// Adds a typed job inside the caller's transaction (see [`insert_job`]).
fn enqueue_job<J: Job>(
    conn: &mut AnyConnection,
    job: &J,
    at: NaiveDateTime,
    run_at: NaiveDateTime,
    dedupe_key: Option<String>,
    max_attempts: i32,
) -> Result<bool, AppError> {
    let payload = serde_json::to_string(job).map_err(|e| AppError::Internal(e.into()))?;
    insert_job(conn, J::NAME, payload, at, run_at, dedupe_key, max_attempts)
}

/// Adds a job with its serialized payload inside the caller's transaction. With a dedupe key,
/// does nothing if a job with that key exists.
fn insert_job(
    conn: &mut AnyConnection,
    kind: &str,
    payload: String,
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
            payload,
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

/// Renders `mail` and puts the message in the outbox (inside the caller's transaction).
pub fn enqueue_email(
    conn: &mut AnyConnection,
    to: &str,
    mail: &impl Mail,
    at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<(), AppError> {
    let msg = OutgoingEmail::new(to, mail).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    enqueue_message(conn, &msg, at, max_attempts)
}

/// Puts a ready message (e.g. with attachments) in the outbox.
pub fn enqueue_message(
    conn: &mut AnyConnection,
    msg: &OutgoingEmail,
    at: DateTime<Utc>,
    max_attempts: i32,
) -> Result<(), AppError> {
    // The payload of a `SendEmail` job is the message itself (`#[serde(transparent)]`), so the
    // message is serialized as it is, without copying it into the job type.
    let payload = serde_json::to_string(msg).map_err(|e| AppError::Internal(e.into()))?;
    let t = at.naive_utc();
    insert_job(conn, SendEmail::NAME, payload, t, t, None, max_attempts)?;
    Ok(())
}

mod outbox;
mod sweep;
mod worker;

pub use outbox::{dead_letter_count, outbox, retry, OutboxView};
pub use sweep::{digest, sweep, SweepCtx};
pub use worker::{Gauges, Ran, Worker};
