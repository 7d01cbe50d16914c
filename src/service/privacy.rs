//! Consumer data rights (Law 19/2023 Art 15–20): a supervisor or coordinator exports everything
//! the service holds about a consumer (by phone or e-mail) and anonymises it where no legal hold
//! applies (an open case is held); closed cases are anonymised after `privacy.retention_days`
//! by the sweep. Anonymising keeps what statistics need (kind, category, agency, dates, amount,
//! province) and records an event, so the history stays verifiable. Each request is audited.

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::audit::{self, Audit, AuditAction};
use super::calls::CallView;
use super::events::{self, ChainKey, NewEvent};
use super::views::{CaseDetail, EventView};
use super::{cases, scope_of};
use crate::db::calls as call_db;
use crate::db::cases::{self as case_db, AnonymisedConsumer, CaseRow};
use crate::db::AnyConnection;
use crate::domain::case::Status;
use crate::domain::user::{Actor, Role};
use crate::domain::values::{Email, Phone};
use crate::error::AppError;
use crate::state::AppState;

/// What an anonymised consumer is called.
pub const ANONYMOUS: &str = "(đã ẩn danh)";

/// Whose data: a phone number or an e-mail address, parsed.
#[derive(Debug, Clone)]
pub enum ConsumerRef {
    Phone(Phone),
    Email(Email),
}

impl ConsumerRef {
    /// Exactly one of the two, validated.
    pub fn parse(phone: Option<&str>, email: Option<&str>) -> Result<ConsumerRef, AppError> {
        match (
            phone.map(str::trim).filter(|p| !p.is_empty()),
            email.map(str::trim).filter(|e| !e.is_empty()),
        ) {
            (Some(p), None) => Ok(ConsumerRef::Phone(Phone::parse("phone", p)?)),
            (None, Some(e)) => Ok(ConsumerRef::Email(Email::parse("email", e)?)),
            _ => Err(AppError::invalid(
                "phone",
                "give exactly one of phone or email",
                "cần đúng một trong hai: số điện thoại hoặc e-mail",
            )),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            ConsumerRef::Phone(_) => "phone",
            ConsumerRef::Email(_) => "email",
        }
    }

    fn cases(&self, conn: &mut AnyConnection, actor: &Actor) -> Result<Vec<CaseRow>, AppError> {
        let scope = scope_of(actor);
        Ok(match self {
            ConsumerRef::Phone(p) => case_db::of_consumer(conn, &scope, Some(p.as_ref()), None)?,
            ConsumerRef::Email(e) => case_db::of_consumer(conn, &scope, None, Some(e.as_ref()))?,
        })
    }

    /// The calls from the phone that the caller may see (own agency; coordinators: all).
    fn calls(&self, conn: &mut AnyConnection, actor: &Actor) -> Result<Vec<crate::db::calls::CallRow>, AppError> {
        let ConsumerRef::Phone(p) = self else { return Ok(vec![]) };
        let agency = match actor {
            Actor::Staff(s) if s.role == Role::Coordinator => None,
            Actor::Staff(s) => Some(s.agency.as_ref().map(|a| a.to_string()).unwrap_or_default()),
            _ => return Ok(vec![]),
        };
        Ok(call_db::of_phone(conn, p.as_ref(), agency.as_deref())?)
    }
}

fn require_privacy_officer(actor: &Actor) -> Result<(), AppError> {
    match actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator) => Ok(()),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// One case as exported: the full case and its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedCase {
    pub case: CaseDetail,
    pub events: Vec<EventView>,
}

/// Everything held about one consumer that the caller may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsumerExport {
    pub exported_at: DateTime<Utc>,
    pub cases: Vec<ExportedCase>,
    pub calls: Vec<CallView>,
}

pub async fn export(
    state: &AppState,
    actor: Actor,
    who: ConsumerRef,
    addr: IpAddr,
) -> Result<ConsumerExport, AppError> {
    require_privacy_officer(&actor)?;
    let at = state.clock.now();
    state
        .db
        .write(move |conn| {
            let mut out = Vec::new();
            for row in who.cases(conn, &actor)? {
                let events = case_db::list_events(conn, &row.id)?
                    .into_iter()
                    .map(EventView::try_from)
                    .collect::<Result<Vec<_>, _>>()?;
                out.push(ExportedCase {
                    case: cases::detail(conn, &actor, row, at)?,
                    events,
                });
            }
            let calls: Vec<CallView> = who.calls(conn, &actor)?.into_iter().map(CallView::from).collect();
            audit::record(
                conn,
                Audit {
                    action: AuditAction::ConsumerDataExported,
                    actor_id: actor.id(),
                    subject: None,
                    addr: Some(addr),
                    detail: Some(format!("by {}: {} cases, {} calls", who.kind(), out.len(), calls.len())),
                },
                at,
            )?;
            Ok(ConsumerExport {
                exported_at: at,
                cases: out,
                calls,
            })
        })
        .await
}

/// A case whose data was kept, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldCase {
    pub case_id: String,
    pub tracking_code: String,
    /// `open`: the case is being handled; its data is needed until it closes.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErasureReport {
    /// Cases whose consumer data was anonymised.
    pub anonymised: Vec<String>,
    /// Cases kept under a legal hold.
    pub held: Vec<HeldCase>,
    /// Calls whose phone was removed and note redacted.
    pub calls_anonymised: usize,
}

/// Anonymises every closed case of the consumer the caller may see, and their calls; open
/// cases are held (reported, unchanged).
pub async fn erase(state: &AppState, actor: Actor, who: ConsumerRef, addr: IpAddr) -> Result<ErasureReport, AppError> {
    require_privacy_officer(&actor)?;
    let (at, key, router) = (state.clock.now(), state.chain_key.clone(), state.router.clone());
    state
        .db
        .write(move |conn| {
            let mut report = ErasureReport {
                anonymised: vec![],
                held: vec![],
                calls_anonymised: 0,
            };
            for row in who.cases(conn, &actor)? {
                if row.status != Status::Closed {
                    report.held.push(HeldCase {
                        case_id: row.id.to_string(),
                        tracking_code: row.tracking_code.to_string(),
                        reason: "open".into(),
                    });
                    continue;
                }
                anonymise_case(conn, &key, &router, &actor, &row, "consumer_request", at)?;
                report.anonymised.push(row.id.into());
            }
            for call in who.calls(conn, &actor)? {
                call_db::anonymise(conn, &call.id, call.note.as_deref().map(crate::text::redact))?;
                report.calls_anonymised += 1;
            }
            audit::record(
                conn,
                Audit {
                    action: AuditAction::ConsumerDataErased,
                    actor_id: actor.id(),
                    subject: None,
                    addr: Some(addr),
                    detail: Some(format!(
                        "by {}: {} cases anonymised, {} held, {} calls",
                        who.kind(),
                        report.anonymised.len(),
                        report.held.len(),
                        report.calls_anonymised
                    )),
                },
                at,
            )?;
            Ok(report)
        })
        .await
}

/// Replaces the consumer's identity and contact, redacts the free text, and records it.
fn anonymise_case(
    conn: &mut AnyConnection,
    key: &ChainKey,
    router: &crate::routing::Router,
    actor: &Actor,
    row: &CaseRow,
    why: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let description = crate::text::redact(&row.description);
    let request = row.consumer_request.as_deref().map(crate::text::redact);
    // The product's name is typed freely too ("máy lọc nước nhà anh Tuấn, 0912…").
    let product = row
        .product
        .as_deref()
        .and_then(crate::domain::values::Product::redacted);
    let search_text = crate::domain::search::index_text(&[
        Some(&description),
        request.as_deref(),
        row.business_name.as_deref(),
        row.business_tax_code.as_deref(),
        product.as_ref().map(|p| p.name()),
        Some(&row.tracking_code),
    ]);
    // Commune and province are free text on the form (a house number or a phone typed there):
    // only the official names the list of administrative units recognises stay.
    let (commune, province) =
        router.official_residence(row.consumer_commune.as_deref(), row.consumer_province.as_deref());
    // The routing corrections learnt from this case keep the anonymised text only.
    let learnt = super::cases::correction_text(&description, request.as_deref());
    case_db::set_correction_text(conn, &row.id, &learnt)?;
    case_db::anonymise(
        conn,
        &row.id,
        &AnonymisedConsumer {
            consumer_name: ANONYMOUS.into(),
            consumer_phone: String::new(),
            consumer_phone_last4: String::new(),
            consumer_email: Some(None),
            consumer_address: Some(None),
            consumer_commune: Some(commune),
            consumer_province: Some(province),
            description,
            consumer_request: Some(request),
            product: Some(product.as_ref().map(|p| p.name().to_owned())),
            product_key: Some(product.as_ref().map(|p| p.key().to_owned())),
            search_text,
            updated_at: at.naive_utc(),
        },
    )?;

    events::append(
        conn,
        key,
        &row.id,
        actor,
        at.naive_utc(),
        NewEvent {
            action: "consumer_data_anonymised".into(),
            from_status: Some(row.status),
            to_status: row.status,
            data: serde_json::json!({ "reason": why }),
            public_message: None,
        },
    )?;
    Ok(())
}

/// The sweep's retention step: anonymises up to 500 cases closed more than `days` ago.
pub fn apply_retention(
    conn: &mut AnyConnection,
    key: &ChainKey,
    router: &crate::routing::Router,
    days: u32,
    at: DateTime<Utc>,
) -> Result<usize, AppError> {
    if days == 0 {
        return Ok(0);
    }
    let before = (at - TimeDelta::days(i64::from(days))).naive_utc();
    let ids = case_db::closed_before(conn, before, ANONYMOUS, 500)?;
    for id in &ids {
        let row = case_db::find_by_id(conn, id)?.ok_or(AppError::NotFound("case"))?;
        anonymise_case(conn, key, router, &Actor::System, &row, "retention", at)?;
    }
    if !ids.is_empty() {
        tracing::info!(cases = ids.len(), "anonymised closed cases past the retention period");
    }
    Ok(ids.len())
}
