//! The hotline call log. Every call is logged, whether or not it opens a case; a call that
//! opens one is written in the same transaction as the case.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::intake::{create_case_tx, IntakeContext};
use super::views::utc;
use crate::db::calls::{self as call_db, CallRow};
use crate::db::AnyConnection;
use crate::domain::complaint::NewComplaint;
use crate::domain::ids::{AgencyCode, CallId, CaseId, KbArticleId, UserId};
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
    /// An existing case the call is about (a follow-up: a status question); not with `case`.
    pub about_case: Option<CaseId>,
    /// With outcome `callback`: when to call back (default: two hours after the call starts)
    /// and who (default: the operator; a staff member of the same agency).
    pub callback_due_at: Option<DateTime<Utc>>,
    pub callback_owner: Option<UserId>,
    /// With outcome `advised`: the published knowledge-base article the caller was advised with.
    pub kb_article: Option<KbArticleId>,
}

/// Completing a call afterwards: its end, its outcome after the callback, a note added, the
/// callback made, the case it turned out to be about.
#[derive(Debug, Default)]
pub struct CallUpdate {
    pub ended_at: Option<DateTime<Utc>>,
    pub outcome: Option<CallOutcome>,
    pub note: Option<String>,
    pub callback_done: bool,
    pub about_case: Option<CaseId>,
    /// The knowledge-base article used (the call's outcome is or becomes `advised`).
    pub kb_article: Option<KbArticleId>,
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
    /// A callback owed: by when and by whom; `callback_done_at` once made.
    pub callback_due_at: Option<DateTime<Utc>>,
    pub callback_owner_id: Option<UserId>,
    pub callback_done_at: Option<DateTime<Utc>>,
    /// The knowledge-base article the caller was advised with.
    pub kb_article_id: Option<KbArticleId>,
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
            callback_due_at: r.callback_due_at.map(utc),
            callback_owner_id: r.callback_owner_id,
            callback_done_at: r.callback_done_at.map(utc),
            kb_article_id: r.kb_article_id,
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
    if c.outcome != CallOutcome::Callback && (c.callback_due_at.is_some() || c.callback_owner.is_some()) {
        return Err(AppError::invalid(
            "callback_due_at",
            "only a call with outcome callback owes a callback",
            "chỉ cuộc gọi có kết quả callback mới hẹn gọi lại",
        ));
    }
    if c.about_case.is_some() && c.case.is_some() {
        return Err(AppError::invalid(
            "case_id",
            "a call opens a case or is about an existing one, not both",
            "cuộc gọi hoặc mở hồ sơ mới, hoặc hỏi về hồ sơ đã có, không cả hai",
        ));
    }
    if c.kb_article.is_some() && c.outcome != CallOutcome::Advised {
        return Err(not_advised());
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
            if let Some(a) = &c.kb_article {
                super::kb::check_linkable(conn, a)?;
            }
            let at = clock.now();
            let id = CallId::new();
            let case_id = match (&c.case, &c.about_case) {
                (Some(complaint), _) => Some(create_case_tx(conn, &ctx, &actor, complaint, &agency, Some(&id), at)?.id),
                (None, Some(about)) => Some(visible_case(conn, &actor, about)?),
                (None, None) => None,
            };
            let (callback_due_at, callback_owner_id) = match c.outcome {
                CallOutcome::Callback => {
                    let owner = c.callback_owner.clone().unwrap_or_else(|| operator_id.clone());
                    check_owner(conn, &owner, &agency)?;
                    let due = c.callback_due_at.unwrap_or(c.started_at + chrono::TimeDelta::hours(2));
                    (Some(due.naive_utc()), Some(owner))
                }
                _ => (None, None),
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
                callback_due_at,
                callback_owner_id,
                callback_done_at: None,
                callback_reminded: false,
                kb_article_id: c.kb_article,
            };
            call_db::insert(conn, &row)?;
            Ok(CallView::from(row))
        })
        .await
}

fn not_advised() -> AppError {
    AppError::invalid(
        "kb_article_id",
        "only a call with outcome advised links a knowledge-base article",
        "chỉ cuộc gọi có kết quả advised (đã tư vấn) mới gắn bài hỏi đáp",
    )
}

/// A case the caller may see, as the call's `case_id` (422 otherwise: never a hint).
fn visible_case(conn: &mut AnyConnection, actor: &Actor, id: &CaseId) -> Result<CaseId, AppError> {
    match crate::db::cases::find_visible(conn, id, &super::scope_of(actor))? {
        Some(row) => Ok(row.id),
        None => Err(AppError::invalid("case_id", "no such case", "không có hồ sơ này")),
    }
}

/// The owner of a callback: an active staff member of the call's agency.
fn check_owner(conn: &mut AnyConnection, owner: &UserId, agency: &AgencyCode) -> Result<(), AppError> {
    match crate::db::users::find_by_id(conn, owner)? {
        Some(u) if u.active && u.agency_code.as_ref() == Some(agency) => Ok(()),
        _ => Err(AppError::invalid(
            "callback_owner_id",
            "the owner is an active staff member of the call's agency",
            "người gọi lại phải là cán bộ đang làm việc của cùng cơ quan",
        )),
    }
}

/// Completes a call afterwards (`PATCH /calls/{id}`): end time, outcome after the callback,
/// a note added below the earlier one, the callback made, the case it was about.
pub async fn complete_call(state: &AppState, actor: Actor, id: String, u: CallUpdate) -> Result<CallView, AppError> {
    let scope = call_scope(&actor)?;
    let clock = state.clock.clone();
    if u.outcome == Some(CallOutcome::CaseOpened) {
        return Err(AppError::invalid(
            "outcome",
            "a case is opened with a new call, not afterwards",
            "hồ sơ được mở khi ghi cuộc gọi, không mở sau",
        ));
    }
    state
        .db
        .write(move |conn| {
            // Locked, then read: two notes added at once both stay (PostgreSQL too).
            crate::db::portability::lock_row(conn, crate::db::portability::Locked::Call, &id)?;
            let row = call_db::find(conn, &id, scope.as_deref())?.ok_or(AppError::NotFound("call"))?;
            if u.ended_at.is_some_and(|e| e.naive_utc() < row.started_at) {
                return Err(AppError::invalid(
                    "ended_at",
                    "a call cannot end before it starts",
                    "cuộc gọi không thể kết thúc trước khi bắt đầu",
                ));
            }
            if u.callback_done && (row.callback_due_at.is_none() || row.callback_done_at.is_some()) {
                return Err(AppError::Conflict {
                    code: crate::error::ErrorCode::AlreadyAnswered,
                    en: "this call owes no open callback".into(),
                    vi: "cuộc gọi này không còn hẹn gọi lại".into(),
                });
            }
            let case_id = match &u.about_case {
                Some(c) if row.case_id.is_none() => Some(Some(visible_case(conn, &actor, c)?.to_string())),
                Some(_) => {
                    return Err(AppError::invalid(
                        "case_id",
                        "the call already has its case",
                        "cuộc gọi đã gắn với hồ sơ",
                    ))
                }
                None => None,
            };
            let kb_article_id = match &u.kb_article {
                Some(a) => {
                    let outcome = u.outcome.map(|o| o.as_str()).unwrap_or(row.outcome.as_str());
                    if outcome != CallOutcome::Advised.as_str() {
                        return Err(not_advised());
                    }
                    super::kb::check_linkable(conn, a)?;
                    Some(Some(a.to_string()))
                }
                None => None,
            };
            let note = u.note.as_ref().map(|n| match &row.note {
                Some(old) => Some(format!("{old}\n{n}")),
                None => Some(n.clone()),
            });
            let ch = call_db::CallChangeset {
                ended_at: u.ended_at.map(|t| t.naive_utc()),
                outcome: u.outcome.map(|o| o.as_str().to_owned()),
                note,
                callback_done_at: u.callback_done.then(|| clock.now().naive_utc()),
                case_id,
                kb_article_id,
            };
            call_db::update(conn, &id, &ch)?;
            let row = call_db::find(conn, &id, scope.as_deref())?.ok_or(AppError::NotFound("call"))?;
            Ok(CallView::from(row))
        })
        .await
}

/// Open callbacks, soonest due first (overdue ones lead): the caller's own with `mine`, else
/// those of the caller's agency (every agency for a coordinator).
pub async fn open_callbacks(state: &AppState, actor: Actor, mine: bool) -> Result<Vec<CallView>, AppError> {
    let scope = call_scope(&actor)?;
    let owner = match (&actor, mine) {
        (Actor::Staff(s), true) => Some(s.id.to_string()),
        _ => None,
    };
    state
        .db
        .run(move |conn| {
            Ok(call_db::open_callbacks(conn, scope.as_deref(), owner.as_deref(), 200)?
                .into_iter()
                .map(CallView::from)
                .collect())
        })
        .await
}

/// How many callbacks due now are the caller's own or unowned in the caller's scope (0 for a
/// role that does not take calls): the console shows it on every page.
pub async fn due_callbacks(state: &AppState, actor: Actor) -> Result<i64, AppError> {
    let scope = match call_scope(&actor) {
        Ok(scope) => scope,
        Err(AppError::Forbidden) => return Ok(0),
        Err(e) => return Err(e),
    };
    let Actor::Staff(me) = actor else {
        return Ok(0);
    };
    let at = state.clock.now().naive_utc();
    state
        .db
        .run(move |conn| {
            Ok(call_db::count_due_callbacks(
                conn,
                scope.as_deref(),
                me.id.as_ref(),
                at,
            )?)
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
