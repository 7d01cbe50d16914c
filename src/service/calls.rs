//! The hotline call log. Every call is logged, whether or not it opens a case; a call that
//! opens one is written in the same transaction as the case.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::intake::{create_case_tx, IntakeContext};
use super::views::utc;
use crate::db::calls::{self as call_db, CallRow};
use crate::domain::complaint::NewComplaint;
use crate::domain::ids::{AgencyCode, CallId, CaseId, UserId};
use crate::domain::user::{Actor, Role};
use crate::domain::values::Phone;
use crate::error::AppError;
use crate::state::AppState;

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Advised,
    CaseOpened,
    OutOfScope,
    Callback,
}

impl CallOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CallOutcome::Advised => "advised",
            CallOutcome::CaseOpened => "case_opened",
            CallOutcome::OutOfScope => "out_of_scope",
            CallOutcome::Callback => "callback",
        }
    }
}

pub struct NewCall {
    pub caller_phone: Phone,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub category: Option<String>,
    pub outcome: CallOutcome,
    pub note: Option<String>,
    /// The case the call opens (required with outcome `case_opened`, refused otherwise).
    pub case: Option<NewComplaint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallView {
    pub id: CallId,
    pub agency: AgencyCode,
    pub operator_id: UserId,
    pub caller_phone: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub category: Option<String>,
    pub outcome: String,
    pub note: Option<String>,
    pub case_id: Option<CaseId>,
    pub created_at: DateTime<Utc>,
}

impl From<CallRow> for CallView {
    fn from(r: CallRow) -> Self {
        CallView {
            id: r.id,
            agency: r.agency_code,
            operator_id: r.operator_id,
            caller_phone: r.caller_phone,
            started_at: utc(r.started_at),
            ended_at: r.ended_at.map(utc),
            category: r.category,
            outcome: r.outcome,
            note: r.note,
            case_id: r.case_id,
            created_at: utc(r.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallPage {
    pub items: Vec<CallView>,
    pub next_cursor: Option<String>,
}

fn staff_agency(actor: &Actor) -> Result<(UserId, AgencyCode), AppError> {
    match actor {
        Actor::Staff(s) if s.role.is_agency_staff() => Ok((s.id.clone(), s.agency.clone().ok_or(AppError::Forbidden)?)),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

pub async fn log_call(state: &AppState, actor: Actor, c: NewCall) -> Result<CallView, AppError> {
    let clock = state.clock.clone();
    let (operator_id, agency) = staff_agency(&actor)?;
    if let Some(end) = c.ended_at {
        if end < c.started_at {
            return Err(AppError::invalid(
                "ended_at",
                "a call cannot end before it starts",
                "cuộc gọi không thể kết thúc trước khi bắt đầu",
            ));
        }
    }
    match (c.outcome, c.case.is_some()) {
        (CallOutcome::CaseOpened, false) => return Err(AppError::required("case")),
        (o, true) if o != CallOutcome::CaseOpened => {
            return Err(AppError::invalid(
                "case",
                "only a call with outcome case_opened opens a case",
                "chỉ cuộc gọi có kết quả case_opened mới mở hồ sơ",
            ))
        }
        _ => {}
    }
    let ctx = IntakeContext::from_state(state);
    state
        .db
        .write(move |conn| {
            if let Some(cat) = &c.category {
                if ctx.router.taxonomy().category(cat).is_none() {
                    return Err(AppError::invalid(
                        "category",
                        "unknown category code",
                        "mã lĩnh vực không tồn tại",
                    ));
                }
            }
            let at = clock.now();
            let id = CallId::new();
            let case_id = match &c.case {
                Some(complaint) => Some(create_case_tx(conn, &ctx, &actor, complaint, &agency, Some(&id), at)?.id),
                None => None,
            };
            let row = CallRow {
                id,
                agency_code: agency,
                operator_id,
                caller_phone: c.caller_phone.as_ref().to_owned(),
                started_at: c.started_at.naive_utc(),
                ended_at: c.ended_at.map(|t| t.naive_utc()),
                category: c.category,
                outcome: c.outcome.as_str().into(),
                note: c.note,
                case_id,
                created_at: at.naive_utc(),
            };
            call_db::insert(conn, &row)?;
            Ok(CallView::from(row))
        })
        .await
}

fn call_scope(actor: &Actor) -> Result<Option<AgencyCode>, AppError> {
    match actor {
        Actor::Staff(s) if s.role == Role::Coordinator => Ok(None),
        Actor::Staff(s) if s.role.is_agency_staff() => Ok(Some(s.agency.clone().ok_or(AppError::Forbidden)?)),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

pub async fn get_call(state: &AppState, actor: Actor, id: String) -> Result<CallView, AppError> {
    let scope = call_scope(&actor)?;
    state
        .db
        .run(move |conn| {
            call_db::find(conn, &id, scope.as_deref())?
                .map(CallView::from)
                .ok_or(AppError::NotFound("call"))
        })
        .await
}

pub async fn list_calls(
    state: &AppState,
    actor: Actor,
    filter: crate::domain::search::CallFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<CallPage, AppError> {
    let scope = call_scope(&actor)?;
    state
        .db
        .run(move |conn| {
            let mut rows = call_db::list(conn, scope.as_deref(), &filter, after, limit + 1)?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next_cursor = match (more, rows.last()) {
                (true, Some(l)) => Some(super::cases::encode_time_cursor(l.started_at, &l.id)),
                _ => None,
            };
            Ok(CallPage {
                items: rows.into_iter().map(CallView::from).collect(),
                next_cursor,
            })
        })
        .await
}
