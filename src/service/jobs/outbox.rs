//! The administrator's view of the e-mail outbox, and retrying a dead message.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::jobs::{self as job_db, JobRow};
use crate::domain::user::{Actor, Role};
use crate::email::OutgoingEmail;
use crate::error::AppError;
use crate::state::AppState;

use super::SEND_EMAIL;

/// An outbox entry as admins see it (addresses and tracking codes masked).
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
            subject: m
                .map(|m| crate::domain::values::mask_tracking_codes(&m.subject))
                .unwrap_or_default(),
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
    crate::service::require_admin(&actor)?;
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

/// How many e-mails failed for good (dead letters): supervisors and coordinators see the
/// number on their dashboard, administrators the messages themselves (`outbox`).
pub async fn dead_letter_count(state: &AppState, actor: Actor) -> Result<i64, AppError> {
    match &actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator | Role::Admin) => {}
        Actor::Staff(_) => return Err(AppError::Forbidden),
        _ => return Err(AppError::Unauthenticated),
    }
    state
        .db
        .run(|conn| Ok(job_db::count_of(conn, SEND_EMAIL, "dead")?))
        .await
}

/// Puts a dead-lettered message back in the queue.
pub async fn retry(state: &AppState, actor: Actor, id: String) -> Result<(), AppError> {
    let clock = state.clock.clone();
    crate::service::require_admin(&actor)?;
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
