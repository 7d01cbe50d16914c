//! What the business does through its private link: answer the forwarded request
//! (`accept | refuse | propose`, Art 57(2), (6)) and later report the negotiation's result
//! (Art 57(5)). Each is one write transaction: the link is resolved (misses count against the
//! client's address, `limits.link_address`), the case must be in negotiation, the right clock
//! stops (a refusal ends the negotiation clock; the result ends both), the event is appended
//! with the business as actor and whether it came on time, and the handler is e-mailed through
//! the outbox. The case's status does not change: the handler confirms the result with
//! `record_negotiation_result` (the consumer may disagree), guided by the case detail's panel.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::super::clocks;
use super::super::events::{self, NewEvent};
use super::super::limits::{Key, Limit};
use super::super::views::BusinessCaseView;
use super::{handler_recipients, BUSINESS_CLOCKS, EV_REPORTED, EV_RESPONDED};
use crate::calendar::{self, vn_date};
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::clocks::ClockRow;
use crate::db::AnyConnection;
use crate::domain::business::{BusinessReport, BusinessResponse, Decision, ReportedResult};
use crate::domain::case::Status;
use crate::domain::clock::{ClockKind, ClockState};
use crate::domain::user::Actor;
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// What the business sends.
pub enum BusinessAct {
    Respond {
        decision: Decision,
        message: Option<String>,
        proposal: Option<String>,
    },
    Report {
        result: ReportedResult,
        terms: Option<String>,
        performance_due: Option<NaiveDate>,
    },
}

/// A checked act.
enum Checked {
    Respond(BusinessResponse),
    Report(BusinessReport),
}

/// Whether an answer came within its clock: the clock it was measured against, its last day,
/// and the verdict.
#[derive(Debug, Clone)]
pub struct Timeliness {
    pub clock: ClockKind,
    pub due_date: NaiveDate,
    pub on_time: bool,
}

impl Timeliness {
    fn label_vi(t: Option<&Timeliness>) -> String {
        match t {
            Some(t) if t.on_time => format!("đúng hạn (hạn {})", vn_date(t.due_date)),
            Some(t) => format!("trễ hạn (hạn {})", vn_date(t.due_date)),
            None => "không có thời hạn đang chạy".into(),
        }
    }
}

/// The running business clock an answer is measured against: the report clock if it runs
/// (negotiation already ended), else the negotiation clock.
fn timeliness(clocks: &[ClockRow], at: DateTime<Utc>) -> Option<Timeliness> {
    [ClockKind::BusinessReport, ClockKind::BusinessNegotiation]
        .iter()
        .find_map(|name| {
            clocks
                .iter()
                .find(|c| c.clock == *name && c.state == ClockState::Running)
        })
        .map(|c| Timeliness {
            clock: c.clock,
            due_date: c.due_date,
            on_time: at.naive_utc() <= c.due_at,
        })
}

/// Performs the business's act through its link and answers with what its page shows.
pub async fn act(
    state: &AppState,
    token: String,
    act: BusinessAct,
    addr: IpAddr,
) -> Result<BusinessCaseView, AppError> {
    let today = calendar::local_date(state.clock.now());
    let checked = match act {
        BusinessAct::Respond {
            decision,
            message,
            proposal,
        } => Checked::Respond(BusinessResponse::parse(
            decision,
            message.as_deref(),
            proposal.as_deref(),
        )?),
        BusinessAct::Report {
            result,
            terms,
            performance_due,
        } => Checked::Report(BusinessReport::parse(result, terms.as_deref(), performance_due, today)?),
    };
    let (router, limits, clock) = (state.router.clone(), state.settings.limits.clone(), state.clock.clone());
    let notify = super::super::notify::NotifyCtx::from_state(state);
    let chain_key = state.chain_key.clone();
    let keys = [Key::new(Limit::LinkAddress, &addr.to_string())];
    let done = state
        .db
        .write(move |conn| {
            let now = clock.now();
            let Some(linked) = super::case_of_link(conn, &limits, &keys, &token, now)? else {
                return Ok(None);
            };
            // The case locked, then read: two answers sent at once (a double click) are
            // checked one after the other on PostgreSQL too, so the second sees the first.
            crate::db::portability::lock_row(conn, crate::db::portability::Locked::Case, &linked.id)?;
            let row = case_db::find_by_id(conn, &linked.id)?.ok_or(AppError::NotFound("case"))?;
            let mail = record(conn, &chain_key, &row, &checked, now)?;
            let case_url = super::super::notify::staff_case_url(&notify.base_url, &row.id);
            for to in handler_recipients(conn, &row, false)? {
                let m = crate::email::BusinessUpdate {
                    tracking_code: row.tracking_code.to_string(),
                    case_url: case_url.clone(),
                    ..mail.clone()
                };
                super::super::jobs::enqueue_email(conn, &to, &m, now, notify.max_attempts)?;
            }
            // Read again: the answer changed the row.
            let row = case_db::find_by_id(conn, &row.id)?.ok_or(AppError::NotFound("case"))?;
            super::super::cases::business_view_of(conn, &router, &row, now).map(Some)
        })
        .await?;
    done.ok_or(AppError::NotFound("case"))
}

/// Checks the act against the case and what the business already did, stops the clocks,
/// appends the event; returns the e-mail to the handler (without recipient-specific fields).
fn record(
    conn: &mut AnyConnection,
    chain_key: &super::super::events::ChainKey,
    row: &CaseRow,
    act: &Checked,
    now: DateTime<Utc>,
) -> Result<crate::email::BusinessUpdate, AppError> {
    check_allowed(conn, row, act)?;
    let clock_rows = crate::db::clocks::for_case(conn, &row.id)?;
    let timely = timeliness(&clock_rows, now);
    let (action, data, mail) = match act {
        Checked::Respond(r) => {
            if r.decision == Decision::Refuse {
                clocks::stop_named(conn, &row.id, &[ClockKind::BusinessNegotiation], now)?;
            }
            let details = [r.message.as_deref(), r.proposal.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n\n");
            let next = match r.decision {
                Decision::Refuse => "ghi nhận thương lượng không thành (chuyển hòa giải), hoặc lập phản ánh vi phạm nếu từ chối không có lý do chính đáng (Điều 57 Luật 19/2023)",
                _ => "theo dõi thương lượng; doanh nghiệp báo cáo kết quả trong 5 ngày làm việc sau khi kết thúc thương lượng",
            };
            (
                EV_RESPONDED,
                json!({"decision": r.decision.as_str(), "message": r.message, "proposal": r.proposal}),
                (
                    format!("doanh nghiệp: {}", r.decision.label_vi().to_lowercase()),
                    details,
                    next,
                ),
            )
        }
        Checked::Report(r) => {
            clocks::stop_named(conn, &row.id, &BUSINESS_CLOCKS, now)?;
            let next = match r.result {
                ReportedResult::Settled => {
                    "xác nhận với người tiêu dùng và ghi nhận thương lượng thành (record_negotiation_result: settled)"
                }
                ReportedResult::Failed => {
                    "ghi nhận thương lượng không thành (record_negotiation_result: failed) để chuyển hòa giải"
                }
            };
            let mut details = r.terms.clone().unwrap_or_else(|| r.result.label_vi().to_owned());
            if let Some(d) = r.performance_due {
                details.push_str(&format!("\n\nHạn thực hiện: {}", vn_date(d)));
            }
            (
                EV_REPORTED,
                json!({"result": r.result.as_str(), "terms": r.terms, "performance_due": r.performance_due}),
                (
                    format!("doanh nghiệp báo cáo: {}", r.result.label_vi().to_lowercase()),
                    details,
                    next,
                ),
            )
        }
    };
    let mut data = data;
    data["on_time"] = json!(timely.as_ref().map(|t| t.on_time));
    data["clock"] = json!(timely.as_ref().map(|t| t.clock));
    data["due_date"] = json!(timely.as_ref().map(|t| t.due_date));
    let t = now.naive_utc();
    case_db::touch(conn, &row.id, t)?;
    events::append(
        conn,
        chain_key,
        &row.id,
        &Actor::Business,
        t,
        NewEvent {
            action: action.into(),
            from_status: Some(row.status),
            to_status: row.status,
            data,
            public_message: None,
        },
    )?;
    let (headline, details, next) = mail;
    Ok(crate::email::BusinessUpdate {
        tracking_code: String::new(),
        headline,
        details: if details.is_empty() {
            "(không kèm nội dung)".into()
        } else {
            details
        },
        timeliness: Timeliness::label_vi(timely.as_ref()),
        next_step: next.into(),
        case_url: String::new(),
    })
}

/// The case must be in negotiation; each act is sent once; the result follows an answer that
/// was not a refusal.
fn check_allowed(conn: &mut AnyConnection, row: &CaseRow, act: &Checked) -> Result<(), AppError> {
    let (name, allowed, vi_name) = match act {
        Checked::Respond(_) => ("respond", "report", "trả lời"),
        Checked::Report(_) => ("report", "respond", "báo cáo kết quả thương lượng"),
    };
    if row.status != Status::Negotiation {
        return Err(AppError::InvalidTransition {
            action: name.into(),
            status: row.status.to_string(),
            allowed: vec![],
        });
    }
    let all = case_db::list_events(conn, &row.id)?;
    // Only this round's answers count: a second forwarding or a reopened negotiation asks anew.
    let evs = super::panel::this_round(&all);
    let responded = evs
        .iter()
        .rev()
        .find(|e| e.action == EV_RESPONDED)
        .map(|e| {
            let data = super::super::views::stored_json(&e.data, "event data", &row.id)?;
            Ok::<_, AppError>(data["decision"].as_str().unwrap_or_default().to_owned())
        })
        .transpose()?;
    let reported = evs.iter().any(|e| e.action == EV_REPORTED);
    let already = |what: &str| AppError::Conflict {
        code: ErrorCode::AlreadyAnswered,
        en: format!("the business already sent its {what} for this request"),
        vi: format!("doanh nghiệp đã gửi {vi_name} cho yêu cầu này"),
    };
    match act {
        Checked::Respond(_) if responded.is_some() => return Err(already("answer")),
        Checked::Report(_) if reported => return Err(already("result")),
        Checked::Report(_) if responded.is_none() || responded.as_deref() == Some("refuse") => {
            return Err(AppError::InvalidTransition {
                action: name.into(),
                status: row.status.to_string(),
                allowed: if responded.is_none() {
                    vec![allowed.into()]
                } else {
                    vec![]
                },
            })
        }
        _ => {}
    }
    Ok(())
}
