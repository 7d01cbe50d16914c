//! The business as a party (issue 12): the registry of businesses (`registry`), and what the
//! business does through its private link — answer, report the result (`answers`), add
//! evidence (`files`) — with the Art 57 clocks, the flags the sweep raises on silence and the panel
//! of the case detail (`panel`). ADR 0024.

pub mod answers;
pub mod files;
pub mod panel;
pub mod registry;

use crate::db::cases::CaseRow;
use crate::db::{users, AnyConnection};
use crate::domain::clock::ClockKind;
use crate::error::AppError;

/// The clocks the business answers to (Law 19/2023 Art 57(5)).
pub const BUSINESS_CLOCKS: [ClockKind; 2] = [ClockKind::BusinessNegotiation, ClockKind::BusinessReport];

/// The case behind a business's link, inside the caller's transaction: refused while the
/// address is locked out; an unknown, expired or revoked link is `None` and counts against the
/// address (`limits.link_address`).
pub(crate) fn case_of_link(
    conn: &mut AnyConnection,
    limits: &crate::config::LimitSettings,
    keys: &[crate::service::limits::Key],
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<CaseRow>, AppError> {
    use crate::service::limits;
    use crate::service::links::{self, Audience};
    limits::ensure_open(conn, limits, keys, now.timestamp())?;
    let Some(case_id) = links::resolve(conn, token, Audience::Business, now)? else {
        limits::count(conn, limits, keys, now.timestamp())?;
        return Ok(None);
    };
    Ok(Some(
        crate::db::cases::find_by_id(conn, &case_id)?.ok_or(AppError::NotFound("case"))?,
    ))
}

/// Event actions of this module.
pub const EV_RESPONDED: &str = "business_responded";
pub const EV_REPORTED: &str = "business_reported";
pub const EV_SILENT: &str = "business_silent";
pub const EV_EVIDENCE_SHARED: &str = "evidence_shared_with_business";

/// Staff to tell about the business's doing on a case: the assignee if still working the
/// agency's cases, with an e-mail, else the handlers of the case's agency; with `supervisors`,
/// the agency's supervisors too.
pub(crate) fn handler_recipients(
    conn: &mut AnyConnection,
    case: &CaseRow,
    supervisors: bool,
) -> Result<Vec<String>, AppError> {
    let mut to: Vec<String> = super::notify::working_assignee_email(conn, case)?.into_iter().collect();
    if let Some(agency) = &case.current_agency {
        let mut roles = Vec::new();
        if to.is_empty() {
            roles.push("handler");
        }
        if supervisors {
            roles.push("supervisor");
        }
        if !roles.is_empty() {
            to.extend(users::agency_emails(conn, agency, &roles)?.into_iter().map(|(_, e)| e));
        }
    }
    to.sort();
    to.dedup();
    Ok(to)
}

/// The sweep found an Art 57 clock of the business past its date without an answer: an event
/// (the case detail shows the flag and suggests mediation or a violation report) and an e-mail
/// to the handler and the agency's supervisors. Called once per clock (when the sweep marks it
/// overdue), inside the sweep's transaction.
pub(crate) fn flag_silence(
    conn: &mut AnyConnection,
    chain_key: &super::events::ChainKey,
    base_url: &str,
    max_attempts: i32,
    case: &CaseRow,
    clock: &crate::db::clocks::ClockRow,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    if !BUSINESS_CLOCKS.contains(&clock.clock) {
        return Ok(());
    }
    let t = at.naive_utc();
    super::events::append(
        conn,
        chain_key,
        &case.id,
        &crate::domain::user::Actor::System,
        t,
        super::events::NewEvent {
            action: EV_SILENT.into(),
            from_status: Some(case.status),
            to_status: case.status,
            data: serde_json::json!({"clock": clock.clock, "due_date": clock.due_date}),
            public_message: None,
        },
    )?;
    let m = crate::email::BusinessUpdate {
        tracking_code: case.tracking_code.to_string(),
        headline: "doanh nghiệp không trả lời đúng hạn".into(),
        details: format!(
            "Thời hạn \"{}\" đã hết mà doanh nghiệp chưa trả lời qua đường dẫn riêng.",
            clock.clock.label_vi()
        ),
        timeliness: format!("quá hạn (hạn {})", crate::calendar::vn_date(clock.due_date)),
        next_step: "chuyển hòa giải (record_negotiation_result: no_answer), hoặc lập phản ánh vi phạm do doanh nghiệp không thực hiện Điều 57 Luật 19/2023".into(),
        case_url: super::notify::staff_case_url(base_url, &case.id),
    };
    for to in handler_recipients(conn, case, true)? {
        super::jobs::enqueue_email(conn, &to, &m, at, max_attempts)?;
    }
    Ok(())
}
