//! What the business's page and the case detail show of the business's part: the three Art 57
//! deadlines, its answer and result (from the case's events), the evidence shared with it, and
//! for staff the registry entry, flags of silence and the suggested next step.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::super::views::{stored_json, utc};
use super::{EV_REPORTED, EV_RESPONDED, EV_SILENT};
use crate::db::cases::{CaseRow, EventRow, EvidenceRow};
use crate::db::clocks::ClockRow;
use crate::db::{businesses as biz_db, AnyConnection};
use crate::domain::case::Status;
use crate::domain::clock::ClockKind;
use crate::error::AppError;

/// One of the three deadlines of Art 57: the agency forwards within 7 working days, the
/// business negotiates within 7, then reports within 5.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalDeadline {
    /// forward_to_business | business_negotiation | business_report
    pub clock: ClockKind,
    pub label: String,
    /// The last day (Asia/Ho_Chi_Minh); null while the clock has not started.
    pub due_date: Option<NaiveDate>,
    /// running | paused | stopped | not_started
    pub state: String,
    /// met | late, once stopped.
    pub result: Option<String>,
}

/// The business's answer to the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerView {
    /// accept | refuse | propose
    pub decision: String,
    pub message: Option<String>,
    pub proposal: Option<String>,
    pub at: DateTime<Utc>,
    /// Within its clock; null when no clock was running.
    pub on_time: Option<bool>,
}

/// The result the business reported.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultView {
    /// settled | failed
    pub result: String,
    pub terms: Option<String>,
    pub performance_due: Option<NaiveDate>,
    pub at: DateTime<Utc>,
    pub on_time: Option<bool>,
}

/// A file the handler shared with the business (or that the business added).
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedFileView {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// The business sent it itself (else the agency shared it).
    pub from_business: bool,
}

/// The deadlines of Art 57 as the case's clocks hold them (the newest clock of each kind).
pub fn legal_deadlines(clock_rows: &[ClockRow]) -> Vec<LegalDeadline> {
    [
        ClockKind::ForwardToBusiness,
        ClockKind::BusinessNegotiation,
        ClockKind::BusinessReport,
    ]
    .iter()
    .map(|name| {
        let c = clock_rows
            .iter()
            .filter(|c| c.clock == *name)
            .max_by_key(|c| c.started_at);
        LegalDeadline {
            clock: *name,
            label: name.label_vi().to_owned(),
            due_date: c.map(|c| c.due_date),
            state: c.map_or("not_started", |c| c.state.as_str()).to_owned(),
            result: c.and_then(|c| c.result).map(|r| r.as_str().to_owned()),
        }
    })
    .collect()
}

/// The events of the current round of negotiation: from the latest forwarding to the business
/// (a settlement not carried out may bring a second one) or reopening into negotiation on.
/// Answers of an earlier round do not answer this one.
pub fn this_round(evs: &[EventRow]) -> &[EventRow] {
    let start = evs.iter().rposition(|e| {
        e.action == "forward_to_business" || (e.action == "reopen" && e.to_status == Status::Negotiation)
    });
    &evs[start.unwrap_or(0)..]
}

/// The business's answer and result in the current round (see [`this_round`]), from the case's
/// events.
pub fn answers(row: &CaseRow, evs: &[EventRow]) -> Result<(Option<AnswerView>, Option<ResultView>), AppError> {
    let mut answer = None;
    let mut result = None;
    for e in this_round(evs) {
        if e.action != EV_RESPONDED && e.action != EV_REPORTED {
            continue;
        }
        let d = stored_json(&e.data, "business answer", &row.id)?;
        let s = |k: &str| d[k].as_str().map(str::to_owned);
        if e.action == EV_RESPONDED {
            answer = Some(AnswerView {
                decision: s("decision").unwrap_or_default(),
                message: s("message"),
                proposal: s("proposal"),
                at: utc(e.at),
                on_time: d["on_time"].as_bool(),
            });
        } else {
            result = Some(ResultView {
                result: s("result").unwrap_or_default(),
                terms: s("terms"),
                performance_due: s("performance_due").and_then(|p| p.parse().ok()),
                at: utc(e.at),
                on_time: d["on_time"].as_bool(),
            });
        }
    }
    Ok((answer, result))
}

/// The files of the case the business may see: those the agency shared, and its own.
pub fn shared_files(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<SharedFileView>, AppError> {
    let shared = biz_db::shared_evidence_ids(conn, case_id)?;
    Ok(crate::db::cases::list_evidence(conn, case_id)?
        .into_iter()
        .filter(|e: &EvidenceRow| e.source == "business" || shared.iter().any(|s| s.as_str() == e.id.as_ref()))
        .map(|e| SharedFileView {
            from_business: e.source == "business",
            id: e.id.to_string(),
            file_name: e.file_name,
            media_type: e.media_type,
            size_bytes: e.size_bytes,
            sha256: e.sha256,
            created_at: utc(e.created_at),
        })
        .collect())
}

/// The registry entry a case belongs to, and how.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistryLink {
    pub business_id: String,
    pub name: String,
    pub tax_code: Option<String>,
    /// tax_code (the case names the entry's tax code) | confirmed (staff confirmed the match)
    pub linked_by: String,
    /// The entry's contact e-mail (the console's forwarding form offers it when the link is
    /// confirmed, or the entry of the case's tax code bears the case's business name).
    pub email: Option<String>,
}

impl RegistryLink {
    pub(crate) fn of(b: biz_db::BusinessRow, linked_by: &str) -> RegistryLink {
        RegistryLink {
            business_id: b.id,
            name: b.name,
            tax_code: b.tax_code,
            linked_by: linked_by.to_owned(),
            email: b.email,
        }
    }
}

/// A step staff may take next.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextStep {
    /// record_negotiation_result | open_violation_report | wait
    pub step: String,
    /// For record_negotiation_result: the result to record (settled | failed | no_answer).
    pub result: Option<String>,
    pub label: String,
}

/// A clock of the business that passed without its answer (flagged by the sweep).
#[derive(Debug, Serialize, ToSchema)]
pub struct SilenceFlag {
    pub clock: ClockKind,
    pub due_date: Option<NaiveDate>,
    pub flagged_at: DateTime<Utc>,
}

/// The business's part of a case, for staff (`GET /cases/{id}`, field `business_party`).
#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessParty {
    /// The registry entry of the case's business, if any.
    pub registry: Option<RegistryLink>,
    /// Entries whose name matches the case's business: staff confirm one with
    /// `POST /cases/{id}/business-link`.
    pub suggested_matches: Vec<RegistryLink>,
    pub deadlines: Vec<LegalDeadline>,
    pub response: Option<AnswerView>,
    pub result: Option<ResultView>,
    /// Art 57 clocks the business let pass in the current round of negotiation.
    pub silence: Vec<SilenceFlag>,
    pub next_steps: Vec<NextStep>,
    /// Evidence ids shared with the business.
    pub shared_evidence_ids: Vec<String>,
}

fn step(step: &str, result: Option<&str>, label: &str) -> NextStep {
    NextStep {
        step: step.into(),
        result: result.map(Into::into),
        label: label.into(),
    }
}

/// The panel of a dispute that was forwarded to the business (None for other cases).
pub fn party(
    conn: &mut AnyConnection,
    row: &CaseRow,
    evs: &[EventRow],
    clock_rows: &[ClockRow],
) -> Result<Option<BusinessParty>, AppError> {
    let forwarded = evs.iter().any(|e| e.action == "forward_to_business");
    let (registry, suggested_matches) = super::registry::links_of_case(conn, row)?;
    if !forwarded && registry.is_none() && suggested_matches.is_empty() {
        return Ok(None);
    }
    let (response, result) = answers(row, evs)?;
    let mut silence = Vec::new();
    for e in this_round(evs).iter().filter(|e| e.action == EV_SILENT) {
        let d = stored_json(&e.data, "silence flag", &row.id)?;
        silence.push(SilenceFlag {
            clock: d["clock"]
                .as_str()
                .and_then(ClockKind::parse)
                .ok_or_else(|| super::super::views::corrupt("silence flag", &row.id))?,
            due_date: d["due_date"].as_str().and_then(|s| s.parse().ok()),
            flagged_at: utc(e.at),
        });
    }
    let mut next_steps = Vec::new();
    if row.status == Status::Negotiation {
        let refused = response.as_ref().is_some_and(|r| r.decision == "refuse");
        match (&result, refused, silence.is_empty()) {
            (Some(r), _, _) if r.result == "settled" => next_steps.push(step(
                "record_negotiation_result",
                Some("settled"),
                "Xác nhận với người tiêu dùng và ghi nhận thương lượng thành",
            )),
            (Some(_), _, _) => next_steps.push(step(
                "record_negotiation_result",
                Some("failed"),
                "Ghi nhận thương lượng không thành và chuyển hòa giải",
            )),
            (None, true, _) | (None, _, false) => {
                let res = if refused { "failed" } else { "no_answer" };
                next_steps.push(step(
                    "record_negotiation_result",
                    Some(res),
                    "Chuyển sang hòa giải (thương lượng không thành hoặc doanh nghiệp không trả lời)",
                ));
                next_steps.push(step(
                    "open_violation_report",
                    None,
                    "Lập phản ánh vi phạm: doanh nghiệp không thực hiện trách nhiệm theo Điều 57 Luật 19/2023",
                ));
            }
            _ => next_steps.push(step("wait", None, "Chờ doanh nghiệp trả lời trong thời hạn")),
        }
    }
    Ok(Some(BusinessParty {
        registry,
        suggested_matches,
        deadlines: legal_deadlines(clock_rows),
        response,
        result,
        silence,
        next_steps,
        shared_evidence_ids: biz_db::shared_evidence_ids(conn, &row.id)?,
    }))
}
