//! Public warnings (issue 14 point 5, ADR 0032): product, business or practice alerts that
//! supervisors (of their agency) and coordinators (province-wide) draft, publish and end. A
//! published warning is shown from its start date to its end date (Vietnam dates, inclusive);
//! a draft is seen by staff only.
//!
//! [`draft`] is the one way a warning comes to exist, inside the caller's transaction, so that
//! another use case (e.g. "draft a public warning from an early-warning signal") can make one
//! with its own `source`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::views::utc;
use crate::calendar;
use crate::db::notices::{self as db, WarningChangeset, WarningRow};
use crate::db::AnyConnection;
use crate::domain::notice::{warning_current, WarningContent, WarningEdit, WarningKind, WarningStatus};
use crate::domain::user::{Actor, Role, Staff};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// A warning as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicWarningView {
    pub id: String,
    /// `product`, `business` or `practice`.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub business_name: Option<String>,
    pub product: Option<String>,
    /// First day shown (Vietnam date).
    pub start_date: NaiveDate,
    /// Last day shown, inclusive.
    pub end_date: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A warning as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarningView {
    #[serde(flatten)]
    pub warning: PublicWarningView,
    /// `draft`, `published` or `ended`.
    pub status: String,
    /// Shown to the public today.
    pub current: bool,
    /// The agency whose staff drafted it.
    pub agency: Option<String>,
    /// Where the draft came from (e.g. an early-warning signal), if not typed in.
    pub source: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// A stored value that cannot be read: a 500, the log naming the column and the warning.
fn unreadable(what: &str, id: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored data is invalid: {what} of warning {id}"))
}

fn status_of(r: &WarningRow) -> Result<WarningStatus, AppError> {
    WarningStatus::parse(&r.status).ok_or_else(|| unreadable("public_warnings.status", &r.id))
}

fn public_view(r: &WarningRow) -> PublicWarningView {
    PublicWarningView {
        id: r.id.clone(),
        kind: r.kind.clone(),
        title: r.title.clone(),
        body: r.body.clone(),
        business_name: r.business_name.clone(),
        product: r.product.clone(),
        start_date: r.start_date,
        end_date: r.end_date,
        published_at: r.published_at.map(utc),
        updated_at: utc(r.updated_at),
    }
}

fn staff_view(r: &WarningRow, today: NaiveDate) -> Result<WarningView, AppError> {
    Ok(WarningView {
        warning: public_view(r),
        status: r.status.clone(),
        current: warning_current(status_of(r)?, r.start_date, r.end_date, today),
        agency: r.agency_code.clone(),
        source: r.source.clone(),
        created_by: r.created_by.clone(),
        created_at: utc(r.created_at),
        ended_at: r.ended_at.map(utc),
    })
}

fn content_of(r: &WarningRow) -> Result<WarningContent, AppError> {
    Ok(WarningContent {
        kind: WarningKind::parse(&r.kind).ok_or_else(|| unreadable("public_warnings.kind", &r.id))?,
        title: r.title.clone(),
        body: r.body.clone(),
        business_name: r.business_name.clone(),
        product: r.product.clone(),
        start_date: r.start_date,
        end_date: r.end_date,
    })
}

/// Supervisors and coordinators manage warnings.
fn manager(actor: &Actor) -> Result<&Staff, AppError> {
    match actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator) => Ok(s),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// A warning the caller manages: a coordinator any, a supervisor their agency's (another
/// agency's does not exist for them).
fn managed(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<(WarningRow, WarningStatus), AppError> {
    let s = manager(actor)?;
    let row = db::find_warning(conn, id)?.ok_or(AppError::NotFound("warning"))?;
    if s.role != Role::Coordinator && (s.agency.is_none() || row.agency_code.as_deref() != s.agency.as_deref()) {
        return Err(AppError::NotFound("warning"));
    }
    let status = status_of(&row)?;
    if status == WarningStatus::Ended {
        return Err(AppError::Conflict {
            code: ErrorCode::NoticeNotActive,
            en: "this warning has ended; draft a new one".into(),
            vi: "cảnh báo này đã kết thúc; hãy soạn cảnh báo mới".into(),
        });
    }
    Ok((row, status))
}

/// Makes a draft warning inside the caller's transaction. `source` says where it came from
/// (e.g. `signal:{id}`), `None` when typed in by staff.
pub fn draft(
    conn: &mut AnyConnection,
    by: &Staff,
    content: &WarningContent,
    source: Option<String>,
    at: NaiveDateTime,
) -> Result<WarningRow, AppError> {
    let row = WarningRow {
        id: uuid::Uuid::now_v7().to_string(),
        kind: content.kind.as_str().to_owned(),
        status: WarningStatus::Draft.as_str().to_owned(),
        title: content.title.clone(),
        body: content.body.clone(),
        business_name: content.business_name.clone(),
        product: content.product.clone(),
        start_date: content.start_date,
        end_date: content.end_date,
        agency_code: by.agency.as_ref().map(|a| a.to_string()),
        source,
        created_by: by.id.to_string(),
        created_at: at,
        updated_at: at,
        published_at: None,
        ended_at: None,
    };
    db::insert_warning(conn, &row)?;
    Ok(row)
}

fn publication(at: NaiveDateTime) -> WarningChangeset {
    WarningChangeset {
        status: Some(WarningStatus::Published.as_str().to_owned()),
        published_at: Some(Some(at)),
        updated_at: Some(at),
        ..WarningChangeset::default()
    }
}

/// Creates a warning: a draft, or published at once with `publish`.
pub async fn create(
    state: &AppState,
    actor: Actor,
    content: WarningContent,
    publish: bool,
) -> Result<WarningView, AppError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let s = manager(&actor)?;
            let t = now.naive_utc();
            let row = draft(conn, s, &content, None, t)?;
            if publish {
                db::update_warning(conn, &row.id, &publication(t))?;
            }
            let row = db::find_warning(conn, &row.id)?.ok_or(AppError::NotFound("warning"))?;
            staff_view(&row, calendar::local_date(now))
        })
        .await
}

/// What can be done to a warning that has not ended.
#[derive(Debug, Clone)]
pub enum WarningChange {
    Edit(WarningEdit),
    Publish,
    End,
}

/// Edits, publishes or ends a warning.
pub async fn change(
    state: &AppState,
    actor: Actor,
    id: String,
    change: WarningChange,
) -> Result<WarningView, AppError> {
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            // Locked, then read: a publication racing an end is checked after it (PostgreSQL
            // too), so an ended warning never comes back.
            crate::db::portability::lock_row(conn, crate::db::portability::Locked::Warning, &id)?;
            let (row, status) = managed(conn, &actor, &id)?;
            let t = now.naive_utc();
            let ch = match change {
                WarningChange::Edit(edit) => {
                    let c = edit.apply(&content_of(&row)?)?;
                    WarningChangeset {
                        kind: Some(c.kind.as_str().to_owned()),
                        title: Some(c.title),
                        body: Some(c.body),
                        business_name: Some(c.business_name),
                        product: Some(c.product),
                        start_date: Some(c.start_date),
                        end_date: Some(c.end_date),
                        updated_at: Some(t),
                        ..WarningChangeset::default()
                    }
                }
                WarningChange::Publish if status == WarningStatus::Published => {
                    return Err(AppError::Conflict {
                        code: ErrorCode::AlreadyPublished,
                        en: "this warning is already published".into(),
                        vi: "cảnh báo này đã được công bố".into(),
                    })
                }
                WarningChange::Publish => publication(t),
                WarningChange::End => WarningChangeset {
                    status: Some(WarningStatus::Ended.as_str().to_owned()),
                    ended_at: Some(Some(t)),
                    updated_at: Some(t),
                    ..WarningChangeset::default()
                },
            };
            db::update_warning(conn, &row.id, &ch)?;
            let row = db::find_warning(conn, &row.id)?.ok_or(AppError::NotFound("warning"))?;
            staff_view(&row, calendar::local_date(now))
        })
        .await
}

/// One warning, for staff who manage it (an ended one too).
pub async fn get(state: &AppState, actor: Actor, id: String) -> Result<WarningView, AppError> {
    let today = calendar::local_date(state.clock.now());
    state
        .db
        .run(move |conn| {
            let s = manager(&actor)?;
            let row = db::find_warning(conn, &id)?.ok_or(AppError::NotFound("warning"))?;
            if s.role != Role::Coordinator && row.agency_code.as_deref() != s.agency.as_deref() {
                return Err(AppError::NotFound("warning"));
            }
            staff_view(&row, today)
        })
        .await
}

/// Every warning the caller manages (drafts, published, ended), newest first.
pub async fn list(state: &AppState, actor: Actor) -> Result<Vec<WarningView>, AppError> {
    let today = calendar::local_date(state.clock.now());
    state
        .db
        .run(move |conn| {
            let s = manager(&actor)?;
            let agency = match s.role {
                Role::Coordinator => None,
                _ => Some(s.agency.as_ref().map(|a| a.to_string()).unwrap_or_default()),
            };
            db::list_warnings(conn, agency.as_deref(), 500)?
                .iter()
                .map(|r| staff_view(r, today))
                .collect()
        })
        .await
}

/// The warnings shown today.
pub async fn current(state: &AppState) -> Result<Vec<PublicWarningView>, AppError> {
    let today = calendar::local_date(state.clock.now());
    state
        .db
        .run(move |conn| Ok(db::current_warnings(conn, today)?.iter().map(public_view).collect()))
        .await
}
