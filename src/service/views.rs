//! What services hand back to the HTTP layer: response shapes built from rows, never the rows.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::cases::{CaseRow, EventRow, EvidenceRow};
use crate::db::clocks::ClockRow;
use crate::domain::case::{ActionName, CaseState, Channel, Outcome, Status};
use crate::domain::clock::{ClockKind, ClockState};
use crate::domain::ids::{AgencyCode, CallId, CaseId, CategoryCode, EvidenceId, TrackingCode, UserId};
use crate::domain::Kind;
use crate::error::AppError;
use crate::routing::Classification;

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Stored data that cannot be read is an error, never a default: a 500 for the caller, and the
/// log names what and which case (never the content, which may be personal data).
pub fn corrupt(what: &str, case_id: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("stored data is invalid: {what} of case {case_id}"))
}

/// A JSON column as stored (see [`corrupt`]).
pub fn stored_json(raw: &str, what: &str, case_id: &str) -> Result<serde_json::Value, AppError> {
    serde_json::from_str(raw).map_err(|_| corrupt(what, case_id))
}

pub fn state_of(row: &CaseRow) -> Result<CaseState, AppError> {
    Ok(CaseState {
        status: row.status,
        outcome: row.outcome,
        return_status: row.return_status,
        kind: row.kind,
        category: row.category.clone(),
        current_agency: row.current_agency.clone(),
        pending_transfer_to: row.pending_transfer_to.clone(),
        assignee_id: row.assignee_id.clone(),
        mediator_id: row.mediator_id.clone(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DueView {
    /// The clock: acknowledge, forward_to_business, business_negotiation, provide_info,
    /// settlement_performance, court_recognition, internal_target.
    pub clock: ClockKind,
    /// Last day (Asia/Ho_Chi_Minh); the deadline ends at 23:59:59 local.
    pub due_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    /// Depends on a calendar day that is not yet officially announced.
    pub provisional: bool,
}

impl From<&ClockRow> for DueView {
    fn from(c: &ClockRow) -> Self {
        DueView {
            clock: c.clock,
            due_date: c.due_date,
            due_at: c.due_at.and_utc(),
            provisional: c.provisional,
        }
    }
}

/// Running clocks, soonest first.
pub fn running(clocks: &[ClockRow]) -> Vec<&ClockRow> {
    let mut r: Vec<&ClockRow> = clocks.iter().filter(|c| c.state == ClockState::Running).collect();
    r.sort_by_key(|c| c.due_at);
    r
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsumerView {
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    pub commune: Option<String>,
    pub province: Option<String>,
    pub vulnerable: Vec<String>,
    pub consent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessView {
    pub name: Option<String>,
    pub tax_code: Option<String>,
    pub address: Option<String>,
    pub website: Option<String>,
    pub shop_link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: EvidenceId,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    /// Who sent it: staff (`uploaded_by` names them) | citizen (the consumer's link) |
    /// business (the business's link).
    #[schema(example = "business")]
    pub source: String,
}

impl From<EvidenceRow> for EvidenceView {
    fn from(r: EvidenceRow) -> Self {
        EvidenceView {
            id: r.id,
            file_name: r.file_name,
            media_type: r.media_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            uploaded_by: r.uploaded_by,
            created_at: utc(r.created_at),
            source: r.source,
        }
    }
}

/// A case as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    pub id: CaseId,
    pub tracking_code: TrackingCode,
    pub kind: Kind,
    pub category: CategoryCode,
    pub channel: Channel,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub priority: bool,
    pub description: String,
    pub consumer_request: Option<String>,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<NaiveDate>,
    pub consumer: ConsumerView,
    pub business: BusinessView,
    /// The product or service complained about, as named.
    pub product: Option<String>,
    /// The key that groups complaints naming the same product (the case list's `product_key`,
    /// early warning's product signals).
    pub product_key: Option<String>,
    pub current_agency: Option<AgencyCode>,
    pub pending_transfer_to: Option<AgencyCode>,
    /// The unit of the current agency that works the case (ADR 0033).
    pub unit: Option<String>,
    pub assignee_id: Option<UserId>,
    /// The assignee's display name.
    pub assignee_name: Option<String>,
    pub mediator_id: Option<UserId>,
    /// The appointed mediator's display name.
    pub mediator_name: Option<String>,
    pub call_id: Option<CallId>,
    /// An earlier case of the same consumer about the same business (within
    /// `intake.duplicate_window_days`); `mark_duplicate` closes this one into it.
    pub possible_duplicate_of: Option<CaseId>,
    /// The router's suggestion at intake (or after reclassification), with its explanation.
    #[schema(value_type = Object)]
    pub suggestion: serde_json::Value,
    /// The soonest running clock (all of them: GET /cases/{id}/deadlines).
    pub due: Option<DueView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// What the caller may do now: POST /cases/{id}/actions/{action}.
    pub allowed_actions: Vec<ActionName>,
    pub evidence: Vec<EvidenceView>,
    /// On a violation report opened from a mass-complaint cluster: that cluster and its cases.
    pub cluster_report: Option<ClusterReportView>,
    /// The violation reports (opened from clusters) that include this case.
    pub included_in_reports: Vec<ReportLinkView>,
    /// Who filed it.
    pub reporter: ReporterView,
    /// The business's part (issue 12): registry entry or suggested matches, Art 57 deadlines,
    /// its answer and result, silence flags and the suggested next step. Null when the case
    /// was never forwarded and matches no registry entry.
    pub business_party: Option<crate::service::business::panel::BusinessParty>,
}

/// Who filed a case: `consumer`, `business` or `organisation`; `identity_protected` on a
/// violation report (tố giác): the name and contacts are for the agency only, never shown to
/// the business or on a public page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReporterView {
    #[serde(rename = "type")]
    pub kind: String,
    pub identity_protected: bool,
}

/// The cluster a violation report was opened from (`POST /clusters/{business_key}/violation-report`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClusterReportView {
    pub business_key: String,
    /// Distinct consumers in the cluster when the report was opened.
    pub consumers: i32,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub opened_by: Option<String>,
    pub opened_at: DateTime<Utc>,
    /// The cases the report covers (each has an `included_in_violation_report` event).
    pub member_case_ids: Vec<String>,
}

/// A violation report that includes a case.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportLinkView {
    pub case_id: String,
    pub tracking_code: String,
    pub status: String,
}

pub fn split_list(s: &str) -> Vec<String> {
    s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

pub fn case_detail(
    row: CaseRow,
    allowed: Vec<ActionName>,
    evidence: Vec<EvidenceRow>,
    clocks: &[ClockRow],
) -> Result<CaseDetail, AppError> {
    let due = running(clocks).first().map(|c| DueView::from(*c));
    let suggestion = stored_json(&row.suggestion, "suggestion", &row.id)?;
    Ok(CaseDetail {
        due,
        suggestion,
        id: row.id,
        tracking_code: row.tracking_code,
        kind: row.kind,
        category: row.category,
        channel: row.channel,
        status: row.status,
        outcome: row.outcome,
        priority: row.priority,
        description: row.description,
        consumer_request: row.consumer_request,
        amount_vnd: row.amount_vnd,
        transaction_date: row.transaction_date,
        consumer: ConsumerView {
            name: row.consumer_name,
            phone: row.consumer_phone,
            email: row.consumer_email,
            address: row.consumer_address,
            commune: row.consumer_commune,
            province: row.consumer_province,
            vulnerable: split_list(&row.vulnerable),
            consent_at: row.consent_at.map(utc),
        },
        business: BusinessView {
            name: row.business_name,
            tax_code: row.business_tax_code,
            address: row.business_address,
            website: row.business_website,
            shop_link: row.business_shop_link,
        },
        product: row.product,
        product_key: row.product_key,
        current_agency: row.current_agency,
        pending_transfer_to: row.pending_transfer_to,
        unit: row.unit_code,
        assignee_id: row.assignee_id,
        assignee_name: None,
        mediator_id: row.mediator_id,
        mediator_name: None,
        call_id: row.call_id,
        possible_duplicate_of: row.possible_duplicate_of,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
        closed_at: row.closed_at.map(utc),
        allowed_actions: allowed,
        evidence: evidence.into_iter().map(EvidenceView::from).collect(),
        cluster_report: None,
        included_in_reports: Vec::new(),
        reporter: ReporterView {
            kind: "consumer".into(),
            identity_protected: false,
        },
        business_party: None,
    })
}

/// One line of a case list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: CaseId,
    pub tracking_code: TrackingCode,
    pub kind: Kind,
    pub category: CategoryCode,
    pub channel: Channel,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub priority: bool,
    pub current_agency: Option<AgencyCode>,
    /// The unit of the current agency that works the case (ADR 0033).
    pub unit: Option<String>,
    pub assignee_id: Option<UserId>,
    pub business_name: Option<String>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl From<CaseRow> for CaseSummary {
    fn from(r: CaseRow) -> Self {
        CaseSummary {
            id: r.id,
            tracking_code: r.tracking_code,
            kind: r.kind,
            category: r.category,
            channel: r.channel,
            status: r.status,
            outcome: r.outcome,
            priority: r.priority,
            current_agency: r.current_agency,
            unit: r.unit_code,
            assignee_id: r.assignee_id,
            business_name: r.business_name,
            due_at: r.due_at.map(utc),
            created_at: utc(r.created_at),
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i32,
    pub at: DateTime<Utc>,
    pub actor_id: Option<UserId>,
    pub actor_role: String,
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub public_message: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl TryFrom<EventRow> for EventView {
    type Error = AppError;

    fn try_from(e: EventRow) -> Result<Self, AppError> {
        Ok(EventView {
            seq: e.seq,
            at: utc(e.at),
            actor_id: e.actor_id,
            actor_role: e.actor_role,
            action: e.action,
            from_status: e.from_status,
            to_status: e.to_status,
            data: stored_json(&e.data, &format!("data of event {}", e.seq), &e.case_id)?,
            public_message: e.public_message,
            prev_hash: e.prev_hash,
            hash: e.hash,
        })
    }
}

/// Answer to a public submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct Submitted {
    pub tracking_code: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// Where to follow the complaint with the tracking code (add `?phone_last4=NNNN`).
    pub status_url: String,
    /// The submitter's private link to the complaint: opens it without the phone digits. Keep
    /// it private; the same kind of link is e-mailed if an address was given.
    pub private_url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicMessage {
    pub at: DateTime<Utc>,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStage {
    pub at: DateTime<Utc>,
    pub status: String,
    pub stage: String,
}

/// The public status page: no personal data, no description, no internal notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicStatus {
    pub tracking_code: String,
    pub status: String,
    /// The stage in plain Vietnamese.
    pub stage: String,
    pub outcome: Option<String>,
    pub outcome_label: Option<String>,
    pub kind: String,
    pub category: String,
    pub agency: Option<PublicAgency>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub due_dates: Vec<DueView>,
    pub messages: Vec<PublicMessage>,
    pub history: Vec<PublicStage>,
    /// What the holder of the private link may do now (`withdraw`, `provide_info` while
    /// information is awaited, `add_info` at another open stage, `rate`, `confirm_settlement`);
    /// empty on the lookup by code and phone digits.
    pub actions: Vec<String>,
    /// The files the consumer sent (name and size only; never served back to them); empty on
    /// the lookup by code and phone digits.
    pub files: Vec<PublicFile>,
    /// While the case waits for the consumer (`awaiting_info`): what the agency asked for
    /// (personal data redacted), as the e-mail to the consumer said it.
    pub information_requested: Option<String>,
}

/// A file the consumer sent, as their page lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicFile {
    pub file_name: String,
    pub size_bytes: i64,
    pub received_at: DateTime<Utc>,
}

/// What the business sees behind its link (Law 19/2023 Art 57): the consumer's request and
/// the facts it must answer, and its deadlines. No phone, e-mail or address of the consumer,
/// no tracking code, no internal notes; free text is redacted.
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessCaseView {
    /// The agency that forwarded the request.
    pub agency: Option<PublicAgency>,
    pub business_name: Option<String>,
    /// The product or service complained about (redacted; withheld with a protected reporter's
    /// words).
    pub product: Option<String>,
    /// The case's stage in plain Vietnamese.
    pub stage: String,
    /// What the consumer asks (redacted).
    pub consumer_request: Option<String>,
    /// The facts as the consumer told them (redacted).
    pub description: String,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<chrono::NaiveDate>,
    /// The negotiation clocks running now (business_negotiation: 7 working days to negotiate;
    /// business_report: 5 working days to report the result), each with its date.
    pub deadlines: Vec<DueView>,
    pub forwarded_at: Option<DateTime<Utc>>,
    /// The three deadlines of Art 57, each with its date (issue 12).
    pub legal_deadlines: Vec<crate::service::business::panel::LegalDeadline>,
    /// The evidence the handler shared with the business, and what it added itself.
    pub evidence: Vec<crate::service::business::panel::SharedFileView>,
    /// The business's answer, once sent.
    pub response: Option<crate::service::business::panel::AnswerView>,
    /// The result it reported, once sent.
    pub result: Option<crate::service::business::panel::ResultView>,
    /// Whether it may answer now (`POST …/response`).
    pub may_respond: bool,
    /// Whether it may report the result now (`POST …/result`, after accepting or proposing).
    pub may_report: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAgency {
    pub code: String,
    pub name: String,
    /// Its published hotline and address (`config/taxonomy.toml`), when set.
    pub phone: Option<String>,
    pub address: Option<String>,
}

impl PublicAgency {
    /// The agency `code` as the taxonomy names it, with its published contact.
    pub fn of(router: &crate::routing::Router, code: &str) -> PublicAgency {
        let a = router.taxonomy().agency(code);
        let published = |v: Option<&String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        PublicAgency {
            code: code.to_owned(),
            name: a.map(|a| a.name.clone()).unwrap_or_default(),
            phone: published(a.and_then(|a| a.phone.as_ref())),
            address: published(a.and_then(|a| a.address.as_ref())),
        }
    }
}

/// The classifier's answer (`POST /classify`), the contract of product.md §5.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClassifyView {
    pub kind: Kind,
    pub category: String,
    pub agency: Option<String>,
    pub vulnerable: Vec<String>,
    pub pii: Vec<String>,
    pub confidence: f64,
    pub explanation: Vec<String>,
    /// Where the consumer lives, when a commune or province was given and matched.
    pub residence: Option<ResidenceView>,
    /// The unit of the suggested agency that serves the consumer's commune.
    pub unit: Option<String>,
    /// Every unit serving the consumer's commune.
    pub units: Vec<UnitRefView>,
    /// A dispute of a consumer living in another province: refer to its Sở Công Thương.
    pub referral: Option<ReferralView>,
}

/// The consumer's commune and province in the list of administrative units.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidenceView {
    pub province_code: String,
    pub province_name: String,
    pub commune_code: Option<String>,
    pub commune_name: Option<String>,
}

/// A unit a suggestion names.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRefView {
    pub agency: String,
    pub code: String,
    pub name: String,
}

/// The referral of a dispute to the Sở Công Thương of the consumer's province (Decree
/// 146/2025 Art 46).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub province_code: String,
    pub province_name: String,
    /// "Sở Công Thương tỉnh Cao Bằng".
    pub agency_name: String,
    pub basis: String,
}

impl From<Classification> for ClassifyView {
    fn from(c: Classification) -> Self {
        ClassifyView {
            kind: c.kind,
            category: c.category,
            agency: c.agency,
            vulnerable: c.vulnerable,
            pii: c.pii,
            confidence: c.confidence,
            explanation: c.explanation,
            residence: c.residence.map(|r| ResidenceView {
                province_code: r.province_code,
                province_name: r.province_name,
                commune_code: r.commune_code,
                commune_name: r.commune_name,
            }),
            unit: c.unit,
            units: c
                .units
                .into_iter()
                .map(|u| UnitRefView {
                    agency: u.agency,
                    code: u.code,
                    name: u.name,
                })
                .collect(),
            referral: c.referral.map(|r| ReferralView {
                province_code: r.province_code,
                province_name: r.province_name,
                agency_name: r.agency_name,
                basis: r.basis,
            }),
        }
    }
}

/// Masks personal data in a case for export or display outside case work: free text has
/// phones, ID numbers, e-mails, bank accounts and street addresses replaced by placeholders;
/// the consumer's contact fields are masked.
pub fn redact_detail(d: &mut CaseDetail) {
    d.description = crate::text::redact(&d.description);
    d.consumer_request = d.consumer_request.as_deref().map(crate::text::redact);
    // The product is free text too; its key is recomputed from what is shown (the digits typed
    // into it would otherwise stay readable there).
    let product = d.product.as_deref().and_then(crate::domain::values::Product::redacted);
    d.product_key = product.as_ref().map(|p| p.key().to_owned());
    d.product = product.map(|p| p.name().to_owned());
    d.consumer.name = d
        .consumer
        .name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .map(|c| format!("{c}."))
        .collect::<Vec<_>>()
        .join(" ");
    let digits: Vec<char> = d.consumer.phone.chars().collect();
    let keep = digits.len().saturating_sub(3);
    d.consumer.phone = digits
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { *c })
        .collect();
    d.consumer.email = d.consumer.email.as_ref().map(|_| "[email]".to_owned());
    d.consumer.address = d.consumer.address.as_ref().map(|_| "[address]".to_owned());
}
