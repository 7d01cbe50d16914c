//! The public list of sanctioned violators (Decree 55/2024 Art 24; issue 14 point 5, ADR 0032).
//!
//! A supervisor of the agency holding a case (a coordinator, province-wide) publishes the
//! business of a case closed as `sanctioned`: its name and address from the case, the violation
//! and the decision (number, date, issuing body) from the sanction recorded by
//! `record_inspection_result`. The notice copies them, so a later correction of the case does
//! not silently change what was published. It is shown for `public.violator_notice_days` (30)
//! and never after, even before the sweep removes it ([`expire`]); a supervisor can withdraw it
//! earlier. Publication and removal are events in the case's history.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::events::{self, ChainKey, NewEvent};
use super::scope_of;
use super::views::utc;
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::notices::{self as db, ViolatorRow};
use crate::db::AnyConnection;
use crate::domain::case::{Outcome, Sanction, Status};
use crate::domain::notice::{violator_expiry, violator_shown, RemovalReason};
use crate::domain::user::{Actor, Role};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// A notice on the public list: the business and the decision, nothing of the consumer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicViolatorView {
    /// Stable id of the notice (the Atom entry's id is built from it).
    pub id: String,
    pub business_name: String,
    pub business_address: Option<String>,
    /// The violation, as the sanction decision states it.
    pub violation: String,
    /// Where the violation took place.
    pub place: Option<String>,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub issuing_body: String,
    pub published_at: DateTime<Utc>,
    /// When it leaves the list.
    pub expires_at: DateTime<Utc>,
}

/// A notice as staff see it: with its case, who published it, and whether and why it left.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViolatorNoticeView {
    #[serde(flatten)]
    pub notice: PublicViolatorView,
    pub case_id: String,
    pub agency: String,
    pub published_by: String,
    /// On the public list now.
    pub shown: bool,
    pub removed_at: Option<DateTime<Utc>>,
    /// `expired` or `withdrawn`.
    pub removed_reason: Option<String>,
}

fn public_view(r: &ViolatorRow) -> PublicViolatorView {
    PublicViolatorView {
        id: r.id.clone(),
        business_name: r.business_name.clone(),
        business_address: r.business_address.clone(),
        violation: r.violation.clone(),
        place: r.place.clone(),
        decision_number: r.decision_number.clone(),
        decision_date: r.decision_date,
        issuing_body: r.issuing_body.clone(),
        published_at: utc(r.published_at),
        expires_at: utc(r.expires_at),
    }
}

fn staff_view(r: &ViolatorRow, now: NaiveDateTime) -> ViolatorNoticeView {
    ViolatorNoticeView {
        notice: public_view(r),
        case_id: r.case_id.clone(),
        agency: r.agency_code.clone(),
        published_by: r.published_by.clone(),
        shown: violator_shown(r.removed_at.is_some(), r.expires_at, now),
        removed_at: r.removed_at.map(utc),
        removed_reason: r.removed_reason.clone(),
    }
}

/// The case, if the caller may publish or withdraw its notice: a supervisor of the agency
/// holding it, or a coordinator. A case the caller cannot see is 404, one they see without
/// that right 403.
fn case_to_publish(conn: &mut AnyConnection, actor: &Actor, case_id: &str) -> Result<CaseRow, AppError> {
    let Actor::Staff(s) = actor else {
        return Err(AppError::Unauthenticated);
    };
    let row = case_db::find_visible(conn, case_id, &scope_of(actor))?.ok_or(AppError::NotFound("case"))?;
    let allowed = match s.role {
        Role::Coordinator => true,
        Role::Supervisor => s.agency.is_some() && s.agency == row.current_agency,
        _ => false,
    };
    if allowed {
        Ok(row)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The sanction decision recorded on a case closed as sanctioned (the newest, should the case
/// have been reopened and inspected again).
fn recorded_sanction(conn: &mut AnyConnection, row: &CaseRow) -> Result<Sanction, AppError> {
    let none = || {
        AppError::Conflict {
        code: ErrorCode::NoSanction,
        en: "the case is not closed with a sanction decision: only a sanctioned violator is published (Decree 55/2024 Art 24)".into(),
        vi: "hồ sơ chưa kết thúc bằng quyết định xử phạt: chỉ công khai doanh nghiệp đã bị xử phạt (Điều 24 Nghị định 55/2024)".into(),
    }
    };
    if row.status != Status::Closed || row.outcome != Some(Outcome::Sanctioned) {
        return Err(none());
    }
    let events = case_db::list_events(conn, &row.id)?;
    let found = events
        .iter()
        .rev()
        .filter(|e| e.action == "record_inspection_result")
        .find_map(|e| {
            let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
            serde_json::from_value::<Sanction>(data.get("sanction")?.clone()).ok()
        });
    found.ok_or_else(none)
}

/// Removes a notice (unless already removed) and records it in the case's history.
fn remove(
    conn: &mut AnyConnection,
    key: &ChainKey,
    actor: &Actor,
    notice: &ViolatorRow,
    reason: RemovalReason,
    note: Option<&str>,
    t: NaiveDateTime,
) -> Result<bool, AppError> {
    if !db::mark_removed(conn, &notice.id, t, reason.as_str(), actor.id())? {
        return Ok(false);
    }
    let case = case_db::find_by_id(conn, &notice.case_id)?.ok_or(AppError::NotFound("case"))?;
    case_db::touch(conn, &case.id, t)?;
    let mut data = serde_json::json!({
        "notice_id": notice.id,
        "reason": reason.as_str(),
        "published_at": utc(notice.published_at),
        "expires_at": utc(notice.expires_at),
    });
    if let Some(n) = note {
        data["note"] = serde_json::Value::String(n.to_owned());
    }
    events::append(
        conn,
        key,
        &case.id,
        actor,
        t,
        NewEvent {
            action: "violator_removed".into(),
            from_status: Some(case.status),
            to_status: case.status,
            data,
            public_message: None,
        },
    )?;
    Ok(true)
}

/// Publishes the business of a sanctioned case. `place`: where the violation took place, when
/// it is not the business's address.
pub async fn publish(
    state: &AppState,
    actor: Actor,
    case_id: String,
    place: Option<String>,
) -> Result<ViolatorNoticeView, AppError> {
    let key = state.chain_key.clone();
    let days = state.settings.public.violator_notice_days;
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let row = case_to_publish(conn, &actor, &case_id)?;
            let sanction = recorded_sanction(conn, &row)?;
            let t = now.naive_utc();
            if let Some(old) = db::unremoved_of_case(conn, &row.id)? {
                if violator_shown(false, old.expires_at, t) {
                    return Err(AppError::Conflict {
                        code: ErrorCode::AlreadyPublished,
                        en: format!(
                            "this case's violator is on the public list until {}",
                            utc(old.expires_at)
                        ),
                        vi: "doanh nghiệp vi phạm của hồ sơ này đang được công khai".into(),
                    });
                }
                // Expired, the sweep not yet run: removed now, so the new period starts clean.
                remove(conn, &key, &Actor::System, &old, RemovalReason::Expired, None, t)?;
            }
            let business_name = row.business_name.clone().ok_or_else(|| AppError::Validation {
                code: ErrorCode::Required,
                field: "business_name".into(),
                en: "the case names no business: correct the case's data (correct_data) before publishing".into(),
                vi: "hồ sơ chưa có tên doanh nghiệp: cần sửa thông tin hồ sơ (correct_data) trước khi công khai".into(),
            })?;
            let Actor::Staff(s) = &actor else {
                return Err(AppError::Unauthenticated);
            };
            let notice = ViolatorRow {
                id: uuid::Uuid::now_v7().to_string(),
                case_id: row.id.to_string(),
                agency_code: row.current_agency.as_deref().unwrap_or_default().to_owned(),
                business_name,
                business_address: row.business_address.clone(),
                violation: sanction.violation.clone(),
                place: place.or_else(|| row.business_address.clone()),
                decision_number: sanction.decision_number.clone(),
                decision_date: sanction.decision_date,
                issuing_body: sanction.issuing_body.clone(),
                published_by: s.id.to_string(),
                published_at: t,
                expires_at: violator_expiry(t, days),
                removed_at: None,
                removed_reason: None,
                removed_by: None,
            };
            db::insert_violator(conn, &notice)?;
            case_db::touch(conn, &row.id, t)?;
            events::append(
                conn,
                &key,
                &row.id,
                &actor,
                t,
                NewEvent {
                    action: "violator_published".into(),
                    from_status: Some(row.status),
                    to_status: row.status,
                    data: serde_json::json!({
                        "notice_id": notice.id,
                        "business_name": notice.business_name,
                        "decision_number": notice.decision_number,
                        "decision_date": notice.decision_date,
                        "issuing_body": notice.issuing_body,
                        "expires_at": utc(notice.expires_at),
                    }),
                    public_message: None,
                },
            )?;
            Ok(staff_view(&notice, t))
        })
        .await
}

/// Takes a case's notice off the list before its period ends.
pub async fn withdraw(
    state: &AppState,
    actor: Actor,
    case_id: String,
    reason: String,
) -> Result<ViolatorNoticeView, AppError> {
    let key = state.chain_key.clone();
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let row = case_to_publish(conn, &actor, &case_id)?;
            let t = now.naive_utc();
            let notice = db::unremoved_of_case(conn, &row.id)?
                .filter(|n| violator_shown(false, n.expires_at, t))
                .ok_or_else(|| AppError::Conflict {
                    code: ErrorCode::NoticeNotActive,
                    en: "this case has no violator notice on the public list".into(),
                    vi: "hồ sơ này không có thông tin vi phạm nào đang được công khai".into(),
                })?;
            remove(conn, &key, &actor, &notice, RemovalReason::Withdrawn, Some(&reason), t)?;
            let mut removed = notice;
            removed.removed_at = Some(t);
            removed.removed_reason = Some(RemovalReason::Withdrawn.as_str().to_owned());
            removed.removed_by = actor.id().map(str::to_owned);
            Ok(staff_view(&removed, t))
        })
        .await
}

/// The notices of a case, newest first, for whoever may see the case.
pub async fn of_case(state: &AppState, actor: Actor, case_id: String) -> Result<Vec<ViolatorNoticeView>, AppError> {
    let now = state.clock.now().naive_utc();
    state
        .db
        .run(move |conn| {
            let row = case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            Ok(db::of_case(conn, &row.id)?.iter().map(|r| staff_view(r, now)).collect())
        })
        .await
}

/// The notices on the list now that the caller may withdraw: a supervisor's agency's, every
/// one for a coordinator (the console's page of public notices).
pub async fn shown_for_staff(state: &AppState, actor: Actor) -> Result<Vec<ViolatorNoticeView>, AppError> {
    let now = state.clock.now().naive_utc();
    let agency = match &actor {
        Actor::Staff(s) if s.role == Role::Coordinator => None,
        Actor::Staff(s) if s.role == Role::Supervisor => {
            Some(s.agency.as_ref().map(|a| a.to_string()).unwrap_or_default())
        }
        Actor::Staff(_) => return Err(AppError::Forbidden),
        _ => return Err(AppError::Unauthenticated),
    };
    state
        .db
        .run(move |conn| {
            Ok(db::shown_at(conn, now)?
                .iter()
                .filter(|r| agency.as_ref().is_none_or(|a| &r.agency_code == a))
                .map(|r| staff_view(r, now))
                .collect())
        })
        .await
}

/// The public list at `now`: notices neither removed nor expired, newest first.
pub async fn public_list(state: &AppState) -> Result<Vec<PublicViolatorView>, AppError> {
    let now = state.clock.now().naive_utc();
    state
        .db
        .run(move |conn| Ok(db::shown_at(conn, now)?.iter().map(public_view).collect()))
        .await
}

/// The sweep's part: removes every notice whose period ended (an event each). Idempotent: a
/// notice already removed is left alone. Returns how many it removed.
pub fn expire(conn: &mut AnyConnection, key: &ChainKey, at: DateTime<Utc>) -> Result<usize, AppError> {
    let t = at.naive_utc();
    let mut n = 0;
    for notice in db::expired_by(conn, t)? {
        if remove(conn, key, &Actor::System, &notice, RemovalReason::Expired, None, t)? {
            n += 1;
        }
    }
    Ok(n)
}
