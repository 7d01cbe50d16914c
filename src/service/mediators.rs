//! The published list of mediators (Law 19/2023 Art 63(2), 64), the Art 64 check of an
//! appointment, and the mediation body's supervisor's view of its mediators (ADR 0025).
//!
//! A mediation body is an agency of the taxonomy (the association `HOI`, its branches, another
//! body); its supervisors keep its entries. An entry may be linked to a staff account with the
//! role `mediator` of the same agency: only linked, active entries can be appointed to a case,
//! because the appointed mediator works the case through their account.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::views::utc;
use crate::db::cases::CaseRow;
use crate::db::mediation::{self as med_db, MediatorChangeset, MediatorRow};
use crate::db::{users, AnyConnection};
use crate::domain::case::{Action, Status, VulnerableGroup};
use crate::domain::ids::{AgencyCode, MediatorId, UserId};
use crate::domain::mediation::{check_minority_rule, MediatorProfile};
use crate::domain::user::{Actor, Role, Staff};
use crate::error::AppError;
use crate::state::AppState;

/// A new entry, parsed at the edge.
#[derive(Debug, Clone)]
pub struct NewMediator {
    pub organisation: String,
    pub name: String,
    pub qualifications: String,
    pub languages: Vec<String>,
    pub ethnic_groups: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub user_id: Option<UserId>,
    pub active: bool,
}

/// A correction (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Clone, Default)]
pub struct MediatorPatch {
    pub organisation: Option<String>,
    pub name: Option<String>,
    pub qualifications: Option<String>,
    pub languages: Option<Vec<String>>,
    pub ethnic_groups: Option<Vec<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub user_id: Option<Option<UserId>>,
    pub active: Option<bool>,
}

/// An entry as staff see it; contact data only for the body's supervisors.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediatorView {
    pub id: MediatorId,
    pub body_agency: AgencyCode,
    pub organisation: String,
    pub name: String,
    pub qualifications: String,
    pub languages: Vec<String>,
    pub ethnic_groups: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub user_id: Option<UserId>,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

/// An entry of the published list: no contact data, no account.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMediatorView {
    pub id: MediatorId,
    pub body_agency: AgencyCode,
    pub organisation: String,
    pub name: String,
    pub qualifications: String,
    pub languages: Vec<String>,
    pub ethnic_groups: Vec<String>,
}

fn names(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn to_json(v: &[String]) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

fn view(r: MediatorRow, with_contacts: bool) -> MediatorView {
    MediatorView {
        languages: names(&r.languages),
        ethnic_groups: names(&r.ethnic_groups),
        email: r.email.filter(|_| with_contacts),
        phone: r.phone.filter(|_| with_contacts),
        id: r.id,
        body_agency: r.body_agency,
        organisation: r.organisation,
        name: r.name,
        qualifications: r.qualifications,
        user_id: r.user_id,
        active: r.active,
        updated_at: utc(r.updated_at),
    }
}

/// The body a supervisor manages (their agency), or 403.
fn managed_body(actor: &Actor) -> Result<(&Staff, AgencyCode), AppError> {
    match actor {
        Actor::Staff(s) if s.role == Role::Supervisor => match &s.agency {
            Some(a) => Ok((s, a.clone())),
            None => Err(AppError::Forbidden),
        },
        _ => Err(AppError::Forbidden),
    }
}

/// A linked account must be an active mediator of the body's own agency: a supervisor cannot
/// reach another agency's mediator (and through them its cases).
fn check_account(conn: &mut AnyConnection, body: &AgencyCode, user: &UserId) -> Result<(), AppError> {
    let ok = users::find_by_id(conn, user)?
        .is_some_and(|u| u.role == Role::Mediator && u.agency_code.as_ref() == Some(body));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            "user_id",
            "the account must be a mediator of the body's agency",
            "tài khoản phải là hòa giải viên của chính tổ chức hòa giải này",
        ))
    }
}

#[tracing::instrument(name = "Add mediator", skip_all)]
pub async fn create(state: &AppState, actor: Actor, m: NewMediator) -> Result<MediatorView, AppError> {
    let (_, body) = managed_body(&actor)?;
    let at = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            if let Some(u) = &m.user_id {
                check_account(conn, &body, u)?;
            }
            let row = MediatorRow {
                id: MediatorId::new(),
                body_agency: body,
                organisation: m.organisation,
                name: m.name,
                qualifications: m.qualifications,
                languages: to_json(&m.languages)?,
                ethnic_groups: to_json(&m.ethnic_groups)?,
                email: m.email,
                phone: m.phone,
                user_id: m.user_id,
                active: m.active,
                created_at: at,
                updated_at: at,
            };
            med_db::insert_mediator(conn, &row)?;
            Ok(view(row, true))
        })
        .await
}

#[tracing::instrument(name = "Correct mediator", skip_all, fields(mediator_id = %id))]
pub async fn update(state: &AppState, actor: Actor, id: String, p: MediatorPatch) -> Result<MediatorView, AppError> {
    let (_, body) = managed_body(&actor)?;
    let at = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            let row = med_db::find_mediator(conn, &id)?
                .filter(|r| r.body_agency == body)
                .ok_or(AppError::NotFound("mediator"))?;
            if let Some(Some(u)) = &p.user_id {
                check_account(conn, &body, u)?;
            }
            let ch = MediatorChangeset {
                organisation: p.organisation,
                name: p.name,
                qualifications: p.qualifications,
                languages: p.languages.as_deref().map(to_json).transpose()?,
                ethnic_groups: p.ethnic_groups.as_deref().map(to_json).transpose()?,
                email: p.email,
                phone: p.phone,
                user_id: p.user_id,
                active: p.active,
                updated_at: Some(at),
            };
            med_db::update_mediator(conn, &row.id, &ch)?;
            let row = med_db::find_mediator(conn, &row.id)?.ok_or(AppError::NotFound("mediator"))?;
            Ok(view(row, true))
        })
        .await
}

/// The list for staff choosing a mediator (every body, inactive ones too); contact data only
/// for the supervisors of the entry's body. Administrators see nothing of case work.
pub async fn list_for_staff(state: &AppState, actor: Actor) -> Result<Vec<MediatorView>, AppError> {
    staff_list(state, actor, false).await
}

/// The mediators `appoint_mediator` accepts now — active entries linked to an active mediator
/// account — for the console's choice (which then offers no one the service would refuse).
pub async fn appointable(state: &AppState, actor: Actor) -> Result<Vec<MediatorView>, AppError> {
    staff_list(state, actor, true).await
}

async fn staff_list(state: &AppState, actor: Actor, appointable_only: bool) -> Result<Vec<MediatorView>, AppError> {
    let Actor::Staff(s) = actor else {
        return Err(AppError::Forbidden);
    };
    if s.role == Role::Admin {
        return Err(AppError::Forbidden);
    }
    state
        .db
        .run(move |conn| {
            let mut out = Vec::new();
            for r in med_db::list_mediators(conn, None, appointable_only)? {
                if appointable_only && !appointable_account(conn, r.user_id.as_ref())? {
                    continue;
                }
                let own = s.role == Role::Supervisor && s.agency.as_ref() == Some(&r.body_agency);
                out.push(view(r, own));
            }
            Ok(out)
        })
        .await
}

/// Whether the account may be appointed: an active mediator's.
fn appointable_account(conn: &mut AnyConnection, id: Option<&UserId>) -> Result<bool, AppError> {
    Ok(match id {
        Some(id) => users::find_by_id(conn, id)?.is_some_and(|u| u.active && u.role == Role::Mediator),
        None => false,
    })
}

/// The published list (Art 63(2)): active entries, no contact data, no account.
pub async fn public_list(state: &AppState) -> Result<Vec<PublicMediatorView>, AppError> {
    state
        .db
        .run(|conn| {
            Ok(med_db::list_mediators(conn, None, true)?
                .into_iter()
                .map(|r| PublicMediatorView {
                    languages: names(&r.languages),
                    ethnic_groups: names(&r.ethnic_groups),
                    id: r.id,
                    body_agency: r.body_agency,
                    organisation: r.organisation,
                    name: r.name,
                    qualifications: r.qualifications,
                })
                .collect())
        })
        .await
}

/// The checks of `appoint_mediator` beyond the state machine: the account is an active
/// mediator on the list (an active entry linked to it), and the Art 64 rule holds.
pub(crate) fn check_appointment(conn: &mut AnyConnection, row: &CaseRow, action: &Action) -> Result<(), AppError> {
    let Action::AppointMediator {
        mediator_id,
        interpreter,
        party_language,
    } = action
    else {
        return Ok(());
    };
    if !appointable_account(conn, Some(mediator_id))? {
        return Err(AppError::invalid(
            "mediator_id",
            "no active mediator with this id",
            "không có hòa giải viên đang hoạt động với mã này",
        ));
    }
    let entry = med_db::mediator_of_user(conn, mediator_id)?
        .filter(|e| e.active)
        .ok_or_else(|| {
            AppError::invalid(
                "mediator_id",
                "this mediator is not on an active entry of the published list of mediators (Law 19/2023 Art 63(2))",
                "hòa giải viên này không có trong danh sách hòa giải viên đã công bố (Điều 63 khoản 2 Luật 19/2023)",
            )
        })?;
    let vulnerable: Vec<VulnerableGroup> = row.vulnerable.split(',').filter_map(VulnerableGroup::parse).collect();
    let profile = MediatorProfile {
        languages: names(&entry.languages),
        ethnic_groups: names(&entry.ethnic_groups),
    };
    check_minority_rule(&vulnerable, party_language.as_deref(), &profile, interpreter.as_deref())?;
    Ok(())
}

/// One mediator's workload, for the body's supervisor.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediatorWorkload {
    pub mediator: MediatorView,
    /// Cases appointed to them that are still open.
    pub open_cases: i64,
    /// Cases appointed to them that are closed.
    pub closed_cases: i64,
    /// Sessions still to be held (scheduled, from now on).
    pub upcoming_sessions: i64,
}

/// The body's mediators with their workload (supervisors of the body only).
pub async fn workload(state: &AppState, actor: Actor) -> Result<Vec<MediatorWorkload>, AppError> {
    let (_, body) = managed_body(&actor)?;
    let now = state.clock.now().naive_utc();
    state
        .db
        .run(move |conn| {
            let entries = med_db::list_mediators(conn, Some(&body), false)?;
            let accounts: Vec<UserId> = entries.iter().filter_map(|e| e.user_id.clone()).collect();
            let statuses = med_db::case_statuses_of_mediators(conn, &accounts)?;
            let sessions = med_db::sessions_of_mediators(conn, &accounts, Some(now))?;
            Ok(entries
                .into_iter()
                .map(|e| {
                    let count = |f: &dyn Fn(&str) -> bool| match &e.user_id {
                        Some(u) => statuses.iter().filter(|(m, s)| m.as_ref() == Some(u) && f(s)).count() as i64,
                        None => 0,
                    };
                    let closed = Status::Closed.as_str();
                    let open_cases = count(&|s| s != closed);
                    let closed_cases = count(&|s| s == closed);
                    let upcoming_sessions = sessions
                        .iter()
                        .filter(|(s, _)| {
                            s.mediator_id.is_some() && s.mediator_id == e.user_id && s.status == "scheduled"
                        })
                        .count() as i64;
                    MediatorWorkload {
                        mediator: view(e, true),
                        open_cases,
                        closed_cases,
                        upcoming_sessions,
                    }
                })
                .collect())
        })
        .await
}

/// The staff accounts of the body's listed mediators (for the supervisor's scope).
pub fn accounts_of_body(conn: &mut AnyConnection, body: &str) -> Result<Vec<UserId>, AppError> {
    Ok(med_db::list_mediators(conn, Some(body), false)?
        .into_iter()
        .filter_map(|e| e.user_id)
        .collect())
}
