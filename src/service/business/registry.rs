//! The business registry: search, create, correct and merge entries, their figures (complaints,
//! on-time answers against the Art 57 clocks, open cases), and the link of a case to an entry
//! (by tax code, or a name match staff confirm). Who may do what (ADR 0024):
//! read — operator, handler, supervisor, coordinator; create and correct — handler,
//! supervisor, coordinator; merge — supervisor, coordinator; confirm a case's match or share
//! evidence — handler or supervisor of the agency holding the case. Administrators see no case
//! data and have no part here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::super::events::{self, NewEvent};
use super::super::scope_of;
use super::super::views::utc;
use super::panel::RegistryLink;
use crate::db::businesses::{self as biz_db, BusinessChangeset, BusinessRow};
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::AnyConnection;
use crate::domain::case::Status;
use crate::domain::clock::{ClockResult, ClockState};
use crate::domain::user::{Actor, Role};
use crate::domain::values::{opt_text, text, Email, Phone, TaxCode};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// What staff send to create or correct an entry (`None`: unchanged on a correction;
/// `Some("")` clears an optional field).
#[derive(Debug, Default, Clone)]
pub struct EntryInput {
    pub tax_code: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// An entry with its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessEntry {
    pub id: String,
    pub tax_code: Option<String>,
    pub name: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Set on an entry merged into another: that entry's id.
    pub merged_into: Option<String>,
    /// Cases about this business (linked by tax code or confirmed by staff).
    pub complaint_count: usize,
    /// Answers within the Art 57 clocks (business_negotiation, business_report) over all that
    /// were due: a clock stopped in time counts as on time; one stopped late, or running past
    /// its date, as late. Null while none was due.
    pub on_time_rate: Option<f64>,
    pub answers_on_time: usize,
    pub answers_late: usize,
    /// Open cases about it (all agencies).
    pub open_case_count: usize,
    /// The open ones the caller may see.
    pub open_cases: Vec<OpenCaseRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenCaseRef {
    pub case_id: String,
    pub tracking_code: String,
    pub status: String,
}

fn staff_role(actor: &Actor) -> Option<Role> {
    match actor {
        Actor::Staff(s) => Some(s.role),
        _ => None,
    }
}

fn require(actor: &Actor, roles: &[Role]) -> Result<(), AppError> {
    match staff_role(actor) {
        Some(r) if roles.contains(&r) => Ok(()),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthenticated),
    }
}

const READERS: [Role; 4] = [Role::Operator, Role::Handler, Role::Supervisor, Role::Coordinator];
const EDITORS: [Role; 3] = [Role::Handler, Role::Supervisor, Role::Coordinator];
const MERGERS: [Role; 2] = [Role::Supervisor, Role::Coordinator];

/// The folded name used for search and match suggestions (the `business_key` rule without
/// its prefix, so "Công ty TNHH Ánh Dương" and "Ánh Dương" match).
pub fn name_key(name: &str, stopwords: &[String]) -> String {
    super::super::intake::business_key(Some(name), None, stopwords)
        .and_then(|k| k.strip_prefix("name:").map(str::to_owned))
        .unwrap_or_else(|| crate::text::normalize(name))
}

fn opt(field: &str, v: Option<&str>, max: usize) -> Result<Option<Option<String>>, AppError> {
    Ok(match v {
        None => None,
        Some(s) => Some(opt_text(field, Some(s), max)?),
    })
}

fn parse_input(input: &EntryInput, stopwords: &[String]) -> Result<BusinessChangeset, AppError> {
    let name = input.name.as_deref().map(|n| text("name", n, 300)).transpose()?;
    let tax_code = match input.tax_code.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(t) => Some(Some(TaxCode::parse_verified("tax_code", t)?.as_ref().to_owned())),
    };
    let email = match opt("email", input.email.as_deref(), 254)? {
        Some(Some(e)) => Some(Some(Email::parse("email", &e)?.as_ref().to_owned())),
        other => other,
    };
    let phone = match opt("phone", input.phone.as_deref(), 30)? {
        Some(Some(p)) => Some(Some(Phone::parse("phone", &p)?.as_ref().to_owned())),
        other => other,
    };
    Ok(BusinessChangeset {
        name_key: name.as_deref().map(|n| name_key(n, stopwords)),
        name,
        tax_code,
        address: opt("address", input.address.as_deref(), 500)?,
        email,
        phone,
        merged_into: None,
        updated_at: None,
    })
}

fn tax_code_taken(conn: &mut AnyConnection, tax_code: Option<&str>, except: Option<&str>) -> Result<(), AppError> {
    if let Some(t) = tax_code {
        if let Some(other) = biz_db::find_by_tax_code(conn, t)? {
            if Some(other.id.as_str()) != except {
                return Err(AppError::Conflict {
                    code: ErrorCode::AlreadyExists,
                    en: format!("the registry already has this tax code (entry {})", other.id),
                    vi: format!("mã số thuế này đã có trong danh bạ (mục {})", other.id),
                });
            }
        }
    }
    Ok(())
}

/// The figures of an entry, for the caller.
fn entry(conn: &mut AnyConnection, actor: &Actor, row: BusinessRow) -> Result<BusinessEntry, AppError> {
    let ids = biz_db::case_ids_of(conn, &row.id, row.tax_code.as_deref())?;
    let cases = biz_db::case_statuses(conn, &ids)?;
    let clocks = biz_db::business_clocks(conn, &ids, &super::BUSINESS_CLOCKS)?;
    let on_time = clocks
        .iter()
        .filter(|(state, result, _)| *state == ClockState::Stopped && *result == Some(ClockResult::Met))
        .count();
    let late = clocks
        .iter()
        .filter(|(state, result, overdue)| {
            (*state == ClockState::Stopped && *result == Some(ClockResult::Late))
                || (*state != ClockState::Stopped && *overdue)
        })
        .count();
    let scope = scope_of(actor);
    let mut open_cases = Vec::new();
    let mut open_case_count = 0;
    for (id, code, status) in &cases {
        if *status == Status::Closed {
            continue;
        }
        open_case_count += 1;
        if case_db::find_visible(conn, id, &scope)?.is_some() {
            open_cases.push(OpenCaseRef {
                case_id: id.clone(),
                tracking_code: code.clone(),
                status: status.to_string(),
            });
        }
    }
    Ok(BusinessEntry {
        complaint_count: cases.len(),
        on_time_rate: (on_time + late > 0).then(|| on_time as f64 / (on_time + late) as f64),
        answers_on_time: on_time,
        answers_late: late,
        open_case_count,
        open_cases,
        id: row.id,
        tax_code: row.tax_code,
        name: row.name,
        address: row.address,
        email: row.email,
        phone: row.phone,
        merged_into: row.merged_into,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

/// Searches live entries by name (folded, any part) or tax code (prefix).
pub async fn search(state: &AppState, actor: Actor, q: Option<String>) -> Result<Vec<BusinessEntry>, AppError> {
    require(&actor, &READERS)?;
    let stop = state.business_stopwords.clone();
    state
        .db
        .run(move |conn| {
            let q = q.unwrap_or_default();
            let q = q.trim();
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            let rows = if !q.is_empty() && digits.len() == q.chars().filter(|c| !matches!(c, '-' | ' ')).count() {
                biz_db::search(conn, None, Some(&digits[..digits.len().min(10)]), 50)?
            } else if q.is_empty() {
                biz_db::search(conn, None, None, 50)?
            } else {
                biz_db::search(conn, Some(&name_key(q, &stop)), None, 50)?
            };
            rows.into_iter().map(|r| entry(conn, &actor, r)).collect()
        })
        .await
}

pub async fn get(state: &AppState, actor: Actor, id: String) -> Result<BusinessEntry, AppError> {
    require(&actor, &READERS)?;
    state
        .db
        .run(move |conn| {
            let row = biz_db::find(conn, &id)?.ok_or(AppError::NotFound("business"))?;
            entry(conn, &actor, row)
        })
        .await
}

pub async fn create(state: &AppState, actor: Actor, input: EntryInput) -> Result<BusinessEntry, AppError> {
    require(&actor, &EDITORS)?;
    let ch = parse_input(&input, &state.business_stopwords)?;
    let (Some(name), Some(name_key)) = (ch.name.clone(), ch.name_key.clone()) else {
        return Err(AppError::required("name"));
    };
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            let tax_code = ch.tax_code.clone().flatten();
            tax_code_taken(conn, tax_code.as_deref(), None)?;
            let row = BusinessRow {
                id: uuid::Uuid::now_v7().to_string(),
                tax_code,
                name,
                name_key,
                address: ch.address.clone().flatten(),
                email: ch.email.clone().flatten(),
                phone: ch.phone.clone().flatten(),
                merged_into: None,
                created_by: actor.id().map(str::to_owned),
                created_at: now,
                updated_at: now,
            };
            biz_db::insert(conn, &row)?;
            entry(conn, &actor, row)
        })
        .await
}

/// Corrects an entry (not a merged one).
pub async fn correct(state: &AppState, actor: Actor, id: String, input: EntryInput) -> Result<BusinessEntry, AppError> {
    require(&actor, &EDITORS)?;
    let mut ch = parse_input(&input, &state.business_stopwords)?;
    ch.updated_at = Some(state.clock.now().naive_utc());
    state
        .db
        .write(move |conn| {
            let row = live(conn, &id)?;
            if let Some(t) = &ch.tax_code {
                tax_code_taken(conn, t.as_deref(), Some(&row.id))?;
            }
            biz_db::update(conn, &row.id, &ch)?;
            let row = biz_db::find(conn, &id)?.ok_or(AppError::NotFound("business"))?;
            entry(conn, &actor, row)
        })
        .await
}

fn live(conn: &mut AnyConnection, id: &str) -> Result<BusinessRow, AppError> {
    let row = biz_db::find(conn, id)?.ok_or(AppError::NotFound("business"))?;
    if let Some(into) = &row.merged_into {
        return Err(AppError::Conflict {
            code: ErrorCode::BusinessMerged,
            en: format!("this entry was merged into {into}"),
            vi: format!("mục này đã được gộp vào {into}"),
        });
    }
    Ok(row)
}

/// Merges entry `from` into `into`: `from`'s cases (confirmed, and those naming its tax code)
/// are linked to `into`, which takes `from`'s tax code, address, e-mail and phone where it has
/// none; `from` is kept, marked merged, so old references resolve.
pub async fn merge(state: &AppState, actor: Actor, into: String, from: String) -> Result<BusinessEntry, AppError> {
    require(&actor, &MERGERS)?;
    if into == from {
        return Err(AppError::invalid(
            "from",
            "an entry cannot be merged into itself",
            "không thể gộp một mục vào chính nó",
        ));
    }
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            let target = live(conn, &into)?;
            let source = live(conn, &from)?;
            for case_id in biz_db::case_ids_of(conn, &source.id, source.tax_code.as_deref())? {
                biz_db::link_case(conn, &case_id, &target.id, actor.id(), now)?;
            }
            biz_db::move_links(conn, &source.id, &target.id)?;
            biz_db::update(
                conn,
                &source.id,
                &BusinessChangeset {
                    merged_into: Some(Some(target.id.clone())),
                    tax_code: Some(None),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            let fill = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
                (None, Some(t)) => Some(Some(t.clone())),
                _ => None,
            };
            biz_db::update(
                conn,
                &target.id,
                &BusinessChangeset {
                    tax_code: fill(&target.tax_code, &source.tax_code),
                    address: fill(&target.address, &source.address),
                    email: fill(&target.email, &source.email),
                    phone: fill(&target.phone, &source.phone),
                    updated_at: Some(now),
                    ..Default::default()
                },
            )?;
            let row = biz_db::find(conn, &into)?.ok_or(AppError::NotFound("business"))?;
            entry(conn, &actor, row)
        })
        .await
}

/// The entry a case belongs to (a confirmed link, else its tax code) and, when it has none,
/// the live entries whose name matches the case's business.
pub fn links_of_case(
    conn: &mut AnyConnection,
    row: &CaseRow,
) -> Result<(Option<RegistryLink>, Vec<RegistryLink>), AppError> {
    if let Some(id) = biz_db::link_of_case(conn, &row.id)? {
        if let Some(b) = biz_db::find(conn, &id)? {
            return Ok((Some(RegistryLink::of(b, "confirmed")), vec![]));
        }
    }
    if let Some(t) = &row.business_tax_code {
        if let Some(b) = biz_db::find_by_tax_code(conn, t)? {
            return Ok((Some(RegistryLink::of(b, "tax_code")), vec![]));
        }
    }
    let key = row.business_key.as_deref().and_then(|k| k.strip_prefix("name:"));
    let suggested = match key {
        Some(k) => biz_db::with_name_key(conn, k)?
            .into_iter()
            .map(|b| RegistryLink::of(b, "suggested"))
            .collect(),
        None => vec![],
    };
    Ok((None, suggested))
}

fn case_worker(actor: &Actor, row: &CaseRow) -> Result<(), AppError> {
    match actor {
        Actor::Staff(s)
            if matches!(s.role, Role::Handler | Role::Supervisor)
                && s.agency.is_some()
                && s.agency == row.current_agency =>
        {
            Ok(())
        }
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// Staff confirm that a case is about a registry entry (an event on the case).
pub async fn confirm_case_link(
    state: &AppState,
    actor: Actor,
    case_id: String,
    business_id: String,
) -> Result<RegistryLink, AppError> {
    let (clock, key) = (state.clock.clone(), state.chain_key.clone());
    state
        .db
        .write(move |conn| {
            let row = case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            case_worker(&actor, &row)?;
            let b = biz_db::find(conn, &business_id)?.ok_or_else(|| {
                AppError::invalid(
                    "business_id",
                    "no such registry entry",
                    "không có mục này trong danh bạ",
                )
            })?;
            let b = live(conn, &b.id)?;
            let t = clock.now().naive_utc();
            biz_db::link_case(conn, &row.id, &b.id, actor.id(), t)?;
            case_db::touch(conn, &row.id, t)?;
            events::append(
                conn,
                &key,
                &row.id,
                &actor,
                t,
                NewEvent {
                    action: "business_linked".into(),
                    from_status: Some(row.status),
                    to_status: row.status,
                    data: serde_json::json!({"business_id": b.id}),
                    public_message: None,
                },
            )?;
            Ok(RegistryLink::of(b, "confirmed"))
        })
        .await
}

/// The handler shares (or stops sharing) an evidence file with the business (an event).
pub async fn share_evidence(
    state: &AppState,
    actor: Actor,
    case_id: String,
    evidence_id: String,
    shared: bool,
) -> Result<(), AppError> {
    let (clock, key) = (state.clock.clone(), state.chain_key.clone());
    state
        .db
        .write(move |conn| {
            let row = case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            case_worker(&actor, &row)?;
            case_db::find_evidence(conn, &row.id, &evidence_id)?.ok_or(AppError::NotFound("evidence"))?;
            let t = clock.now().naive_utc();
            if shared {
                biz_db::share_evidence(conn, &evidence_id, &row.id, actor.id(), t)?;
            } else {
                biz_db::unshare_evidence(conn, &evidence_id)?;
            }
            case_db::touch(conn, &row.id, t)?;
            events::append(
                conn,
                &key,
                &row.id,
                &actor,
                t,
                NewEvent {
                    action: super::EV_EVIDENCE_SHARED.into(),
                    from_status: Some(row.status),
                    to_status: row.status,
                    data: serde_json::json!({"evidence_id": evidence_id, "shared": shared}),
                    public_message: None,
                },
            )?;
            Ok(())
        })
        .await
}
