//! Working cases: staff intake, reading, listing, transitions, history, public status.

use super::clocks;
use super::events::{self, Verification};
use super::intake::{classify, create_classified_case_tx, IntakeContext};
use super::scope_of;
use super::views::{self, CaseDetail, CasePage, CaseSummary, EventView};
use crate::db::cases::Cursor;
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::{cluster_reports, AnyConnection};
use crate::domain::case;
use crate::domain::complaint::NewComplaint;
use crate::domain::search::{ListFilter, Sort};
use crate::domain::user::Actor;
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

fn staff_of(actor: &Actor) -> Result<&crate::domain::user::Staff, AppError> {
    match actor {
        Actor::Staff(s) => Ok(s),
        _ => Err(AppError::Unauthenticated),
    }
}

fn load_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<CaseRow, AppError> {
    case_db::find_visible(conn, id, &scope_of(actor))?.ok_or(AppError::NotFound("case"))
}

/// The full case as the caller sees it at `now`, with its links to cluster violation reports.
pub(crate) fn detail(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: CaseRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CaseDetail, AppError> {
    let st = views::state_of(&row)?;
    let mut allowed = case::allowed_actions(actor, &st);
    // The domain sees no clocks: a settlement's performance, once answered, is not open.
    if allowed.contains(&case::ActionName::RecordPerformance) && public::settlement_open(conn, &row, now)?.is_none() {
        allowed.retain(|a| *a != case::ActionName::RecordPerformance);
    }
    let ev = case_db::list_evidence(conn, &row.id)?;
    let clocks = crate::db::clocks::for_case(conn, &row.id)?;
    let id = row.id.clone();
    let mut d = views::case_detail(row, allowed, ev, &clocks)?;
    let mut name_of = |id: &Option<crate::domain::ids::UserId>| -> Result<Option<String>, AppError> {
        Ok(match id {
            Some(id) => crate::db::users::find_by_id(conn, id)?.map(|u| u.display_name),
            None => None,
        })
    };
    d.assignee_name = name_of(&d.assignee_id)?;
    d.mediator_name = name_of(&d.mediator_id)?;
    if let Some(r) = crate::db::reporters::find(conn, &id)? {
        d.reporter = views::ReporterView {
            kind: r.reporter_type,
            identity_protected: r.identity_protected,
        };
    }
    // A link to a case the caller cannot see would disclose that it exists: hide it.
    if let Some(other) = &d.possible_duplicate_of {
        if case_db::find_visible(conn, other, &scope_of(actor))?.is_none() {
            d.possible_duplicate_of = None;
        }
    }
    if let Some(r) = cluster_reports::find(conn, &id)? {
        d.cluster_report = Some(views::ClusterReportView {
            business_key: r.business_key,
            consumers: r.consumers,
            first_at: views::utc(r.first_at),
            last_at: views::utc(r.last_at),
            opened_by: r.opened_by,
            opened_at: views::utc(r.opened_at),
            member_case_ids: cluster_reports::members(conn, &id)?,
        });
    }
    d.included_in_reports = cluster_reports::reports_including(conn, &id)?
        .into_iter()
        .map(|r| views::ReportLinkView {
            case_id: r.id,
            tracking_code: r.tracking_code,
            status: r.status,
        })
        .collect();
    let evs = case_db::list_events(conn, &id)?;
    let row = case_db::find_by_id(conn, &id)?.ok_or(AppError::NotFound("case"))?;
    d.business_party = super::business::panel::party(conn, &row, &evs, &clocks)?;
    Ok(d)
}

/// Operator (or handler/supervisor) intake: the case opens in state `new` at the caller's agency.
pub async fn open_case(
    state: &AppState,
    actor: Actor,
    complaint: NewComplaint,
    call_id: Option<String>,
) -> Result<CaseDetail, AppError> {
    let clock = state.clock.clone();
    let staff = staff_of(&actor)?;
    if !staff.role.is_agency_staff() {
        return Err(AppError::Forbidden);
    }
    let agency = staff.agency.clone().ok_or(AppError::Forbidden)?;
    let ctx = IntakeContext::from_state(state);
    let classified = classify(&ctx, &complaint)?;
    state
        .db
        .write(move |conn| {
            if let Some(cid) = &call_id {
                let call = crate::db::calls::find(conn, cid, Some(&agency))?.ok_or_else(|| {
                    AppError::invalid(
                        "call_id",
                        "no such call at your agency",
                        "không có cuộc gọi này tại cơ quan của bạn",
                    )
                })?;
                if call.case_id.is_some() {
                    return Err(AppError::Conflict {
                        code: ErrorCode::CallAlreadyLinked,
                        en: "this call already opened a case".into(),
                        vi: "cuộc gọi này đã mở một hồ sơ".into(),
                    });
                }
            }
            let row = create_classified_case_tx(
                conn,
                &ctx,
                &actor,
                &complaint,
                &classified,
                &agency,
                call_id.as_deref(),
                clock.now(),
            )?;
            if let Some(cid) = &call_id {
                crate::db::calls::link_case(conn, cid, &row.id)?;
            }
            detail(conn, &actor, row, clock.now())
        })
        .await
}

pub async fn get_case(state: &AppState, actor: Actor, id: String) -> Result<CaseDetail, AppError> {
    let now = state.clock.now();
    state
        .db
        .run(move |conn| {
            let row = load_visible(conn, &actor, &id)?;
            detail(conn, &actor, row, now)
        })
        .await
}

/// Query of `GET /cases`, parsed.
pub struct ListQuery {
    pub filter: ListFilter,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

/// How many cases each filter matches among those `actor` may see (the console's queue tabs).
pub async fn queue_counts(state: &AppState, actor: Actor, filters: Vec<ListFilter>) -> Result<Vec<i64>, AppError> {
    state
        .db
        .run(move |conn| {
            let scope = scope_of(&actor);
            Ok(case_db::counts(conn, &scope, &filters)?)
        })
        .await
}

/// How many cases that match `filter` each unit works, among those `actor` may see: (unit
/// code, count), most first, units without a case left out (the dashboard's overdue per unit).
pub async fn counts_by_unit(
    state: &AppState,
    actor: Actor,
    filter: ListFilter,
) -> Result<Vec<(String, i64)>, AppError> {
    let mut out = state
        .db
        .run(move |conn| Ok(case_db::unit_counts(conn, &scope_of(&actor), &filter)?))
        .await?;
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

pub async fn list_cases(state: &AppState, actor: Actor, q: ListQuery) -> Result<CasePage, AppError> {
    state
        .db
        .run(move |conn| {
            let mut rows = case_db::list(
                conn,
                &scope_of(&actor),
                &q.filter,
                q.sort,
                q.cursor.as_ref(),
                q.limit + 1,
            )?;
            let more = rows.len() as i64 > q.limit;
            rows.truncate(q.limit as usize);
            let next_cursor = match (more, rows.last()) {
                (true, Some(last)) => Some(encode_cursor(&match q.sort {
                    Sort::CreatedDesc => Cursor::Created {
                        priority: last.priority,
                        at: last.created_at,
                        id: last.id.to_string(),
                    },
                    Sort::DueAsc => Cursor::Due {
                        priority: last.priority,
                        due: last.due_at,
                        id: last.id.to_string(),
                    },
                })),
                _ => None,
            };
            Ok(CasePage {
                items: rows.into_iter().map(CaseSummary::from).collect(),
                next_cursor,
            })
        })
        .await
}

pub async fn case_events(state: &AppState, actor: Actor, id: String) -> Result<Vec<EventView>, AppError> {
    state
        .db
        .run(move |conn| {
            load_visible(conn, &actor, &id)?;
            case_db::list_events(conn, &id)?
                .into_iter()
                .map(EventView::try_from)
                .collect()
        })
        .await
}

pub async fn verify_events(state: &AppState, actor: Actor, id: String) -> Result<Verification, AppError> {
    let key = state.chain_key.clone();
    state
        .db
        .run(move |conn| {
            load_visible(conn, &actor, &id)?;
            events::verify_stored(conn, &key, &id)
        })
        .await
}

/// Every clock of a case, explained day by day.
pub async fn deadlines(state: &AppState, actor: Actor, id: String) -> Result<Vec<clocks::Deadline>, AppError> {
    let clock = state.clock.clone();
    state
        .db
        .run(move |conn| {
            load_visible(conn, &actor, &id)?;
            let cal = clocks::load_calendar(conn)?;
            let rows = crate::db::clocks::for_case(conn, &id)?;
            clocks::explain(&cal, rows, crate::calendar::local_date(clock.now()))
        })
        .await
}

mod business;
mod cursor;
mod performance;
mod public;
mod transition;

pub use business::{business_file, business_view, business_view_of};
pub use cursor::{decode_cursor, decode_time_cursor, encode_cursor, encode_time_cursor};
pub use performance::{missed as performance_missed, remind_court_recognition};
pub use public::{act_by_link, act_by_link_with_files, public_status, status_by_link, CitizenAction};
pub(crate) use transition::correction_text;
pub use transition::{act, ActionEnvelope};

/// Event action of `release_assignments` and `release_if_gone`: a case lost its assignee.
pub const EV_ASSIGNEE_RELEASED: &str = "assignee_released";

/// The open cases of someone who no longer works them (account deactivated, moved to another
/// agency, or no longer a handler or supervisor) go back to their agency's "unassigned" queue:
/// each loses its assignee, with an event that says whose and why, so a supervisor gives it to
/// someone else and, meanwhile, its reminders go to the agency's handlers. Inside the caller's
/// transaction; returns how many cases.
pub(crate) fn release_assignments(
    conn: &mut AnyConnection,
    key: &events::ChainKey,
    by: &Actor,
    user_id: &str,
    why: &str,
    at: chrono::NaiveDateTime,
) -> Result<usize, AppError> {
    let mut released = 0;
    for id in case_db::open_cases_of_assignee(conn, user_id)? {
        crate::db::portability::lock_row(conn, crate::db::portability::Locked::Case, &id)?;
        let Some(row) = case_db::find_by_id(conn, &id)? else {
            continue;
        };
        if row.assignee_id.as_deref() == Some(user_id) && row.status.is_open() {
            release(conn, key, by, &row, why, at)?;
            released += 1;
        }
    }
    Ok(released)
}

/// A case reopened (by a supervisor, by the consumer's rating, by a settlement not carried
/// out) whose assignee no longer works the agency's cases goes to the unassigned queue, as
/// [`release_assignments`] does when the person leaves.
pub(crate) fn release_if_gone(
    conn: &mut AnyConnection,
    key: &events::ChainKey,
    by: &Actor,
    row: &CaseRow,
    at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let Some(a) = &row.assignee_id else { return Ok(()) };
    // As for an assignment: an administrator's change of the account at the same moment waits,
    // or is seen (the case is not yet open for its release to find).
    crate::db::portability::share_row(conn, crate::db::portability::Locked::User, a)?;
    let works = crate::db::users::find_by_id(conn, a)?.is_some_and(|u| u.works_cases_at(row.current_agency.as_ref()));
    if !works && row.status.is_open() {
        release(conn, key, by, row, "no_longer_works_here", at)?;
    }
    Ok(())
}

/// Clears the case's assignee with an `assignee_released` event (whose, and why).
fn release(
    conn: &mut AnyConnection,
    key: &events::ChainKey,
    by: &Actor,
    row: &CaseRow,
    why: &str,
    at: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let ch = case_db::CaseChangeset {
        assignee_id: Some(None),
        updated_at: Some(at),
        ..Default::default()
    };
    if !case_db::update_if_version(conn, &row.id, row.version, &ch)? {
        return Err(AppError::VersionConflict {
            current: case_db::current_version(conn, &row.id)?,
        });
    }
    events::append(
        conn,
        key,
        &row.id,
        by,
        at,
        events::NewEvent {
            action: EV_ASSIGNEE_RELEASED.into(),
            from_status: Some(row.status),
            to_status: row.status,
            data: serde_json::json!({ "assignee_id": row.assignee_id, "why": why }),
            public_message: None,
        },
    )?;
    Ok(())
}

/// Someone a case of their agency may be given to, with how many open cases they hold.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Caseworker {
    pub id: crate::domain::ids::UserId,
    pub display_name: String,
    /// `handler` or `supervisor`.
    pub role: crate::domain::user::Role,
    /// Open cases of the agency assigned to them.
    pub open_cases: i64,
}

/// The active handlers and supervisors of the caller's agency, by name, with their open cases:
/// whom `accept` and `assign` may name. For the agency's operators, handlers and supervisors;
/// 403 for anyone else.
pub async fn caseworkers(state: &AppState, actor: &Actor) -> Result<Vec<Caseworker>, AppError> {
    use crate::domain::user::Role;
    let agency = match actor {
        Actor::Staff(s) if matches!(s.role, Role::Operator | Role::Handler | Role::Supervisor) => {
            s.agency.clone().ok_or(AppError::Forbidden)?
        }
        _ => return Err(AppError::Forbidden),
    };
    state
        .db
        .run(move |conn| {
            let mut held = std::collections::HashMap::new();
            for a in case_db::open_assignees(conn, &agency)? {
                *held.entry(a).or_insert(0_i64) += 1;
            }
            Ok(crate::db::users::agency_caseworkers(conn, &agency)?
                .into_iter()
                .map(|(id, display_name, role)| Caseworker {
                    open_cases: held.get(&id).copied().unwrap_or(0),
                    id,
                    display_name,
                    role,
                })
                .collect())
        })
        .await
}

/// How far back the console's product suggestions look.
const PRODUCT_SUGGESTION_DAYS: i64 = 90;
/// How many products it suggests.
const PRODUCT_SUGGESTIONS: u32 = 50;

/// The products most consumers named in the caller's cases of the last 90 days, each as last
/// recorded and redacted (a consumer's words): suggestions for the call screen's product field,
/// so the same product is named the same way and early warning groups it (ADR 0066).
pub async fn product_suggestions(state: &AppState, actor: &Actor) -> Result<Vec<String>, AppError> {
    let scope = scope_of(actor);
    let since = state.clock.now().naive_utc() - chrono::TimeDelta::days(PRODUCT_SUGGESTION_DAYS);
    state
        .db
        .run(move |conn| {
            let f = ListFilter {
                created_from: Some(since),
                ..ListFilter::default()
            };
            // Two names may read the same once redacted: each is offered once.
            let mut seen = std::collections::HashSet::new();
            Ok(case_db::top_products(conn, &scope, &f, PRODUCT_SUGGESTIONS)?
                .iter()
                .map(|n| crate::text::redact(n))
                .filter(|n| seen.insert(n.clone()))
                .collect())
        })
        .await
}
