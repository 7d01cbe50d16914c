//! E-mails that case changes cause, put in the outbox inside the same transaction.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::clocks;
use super::jobs::enqueue_email;
use super::links::{self, Audience};
use crate::calendar::{self, vn_date};
use crate::db::cases::CaseRow;
use crate::db::clocks as clock_db;
use crate::db::AnyConnection;
use crate::domain::case::{Action, CaseState, Channel, Status};
use crate::email::TemplateKind;
use crate::error::AppError;
use crate::routing::Router;
use crate::state::AppState;

#[derive(Clone)]
pub struct NotifyCtx {
    pub router: Arc<Router>,
    pub base_url: String,
    pub max_attempts: i32,
    /// The sender's bare address (organizer of invitations).
    pub from_address: String,
    /// Caps on consumer mail (`limits.mail_per_recipient_per_day`, `…_per_domain_per_hour`).
    pub limits: crate::config::LimitSettings,
}

impl NotifyCtx {
    pub fn from_state(state: &AppState) -> NotifyCtx {
        NotifyCtx {
            router: state.router.clone(),
            base_url: state.settings.email.public_base_url.trim_end_matches('/').to_owned(),
            max_attempts: state.settings.jobs.max_attempts,
            from_address: bare_address(&state.settings.email.from),
            limits: state.settings.limits.clone(),
        }
    }

    /// The consumer's private link to their complaint: the status page (a new token, see
    /// `service::links`; its JSON twin is `/api/v1/public/links/{token}`).
    pub fn consumer_link(
        &self,
        conn: &mut AnyConnection,
        case: &CaseRow,
        at: DateTime<Utc>,
    ) -> Result<String, AppError> {
        let token = links::issue(conn, &case.id, Audience::Consumer, at)?;
        Ok(format!("{}/t/{token}", self.base_url))
    }

    /// The business's link to the request forwarded to it (a new token).
    fn business_link(&self, conn: &mut AnyConnection, case: &CaseRow, at: DateTime<Utc>) -> Result<String, AppError> {
        let token = links::issue(conn, &case.id, Audience::Business, at)?;
        Ok(format!("{}/api/v1/business/cases/{token}", self.base_url))
    }

    fn agency_name(&self, code: Option<&str>) -> String {
        code.and_then(|c| self.router.taxonomy().agency(c))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "Cơ quan bảo vệ quyền lợi người tiêu dùng".into())
    }
}

/// The name a consumer mail may greet: none for complaints from the web form, whose address
/// and name nobody has checked (the hotline must not mail a stranger's text to any address).
fn greeting_name(case: &CaseRow) -> &str {
    if case.channel == Channel::Web {
        ""
    } else {
        &case.consumer_name
    }
}

/// Queues a message to the consumer, its variables made by `vars` from a new private link to
/// the case, unless the address or its domain is over its cap (`limits`): then nothing is sent
/// (no link is made) and a warning is logged, without the address.
fn enqueue_consumer_email(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    to: &str,
    kind: TemplateKind,
    vars: impl FnOnce(String) -> serde_json::Value,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if !super::limits::allow_consumer_mail(conn, &ctx.limits, to, at.timestamp())? {
        tracing::warn!(template = kind.as_str(), "consumer mail over its cap: not sent");
        return Ok(());
    }
    let link = ctx.consumer_link(conn, case, at)?;
    enqueue_email(conn, to, kind, &vars(link), at, ctx.max_attempts)
}

/// `addr@host` out of `Name <addr@host>`.
fn bare_address(from: &str) -> String {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if b > a => from[a + 1..b].trim().to_owned(),
        _ => from.trim().to_owned(),
    }
}

/// "Complaint received" to the consumer, if they gave an e-mail address.
pub fn complaint_received(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(to) = &case.consumer_email else { return Ok(()) };
    let agency_name = ctx.agency_name(case.current_agency.as_deref());
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        TemplateKind::ComplaintReceived,
        |link| {
            serde_json::json!({
                "consumer_name": greeting_name(case), "tracking_code": case.tracking_code,
                "status_url": link, "agency_name": agency_name,
                "received_date": vn_date(calendar::local_date(at)),
            })
        },
        at,
    )
}

/// The e-mails a transition causes: information requested and closure (to the consumer),
/// the forwarded request (to the business).
pub fn on_transition(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    action: &Action,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let agency_name = ctx.agency_name(after.current_agency.as_deref());
    match action {
        Action::RequestInfo { requested } => {
            if let Some(to) = &case.consumer_email {
                let due = clock_db::for_case(conn, &case.id)?
                    .into_iter()
                    .find(|c| c.clock == clocks::PROVIDE_INFO && c.state == "running")
                    .map(|c| vn_date(c.due_date))
                    .unwrap_or_default();
                enqueue_consumer_email(
                    conn,
                    ctx,
                    case,
                    to,
                    TemplateKind::InfoRequested,
                    |link| {
                        serde_json::json!({
                            "consumer_name": greeting_name(case), "tracking_code": case.tracking_code,
                            "requested": requested, "due_date": due, "status_url": link,
                            "agency_name": agency_name,
                        })
                    },
                    at,
                )?;
            }
        }
        Action::ForwardToBusiness {
            business_email: Some(to),
            message,
        } => {
            let business_link = ctx.business_link(conn, case, at)?;
            enqueue_email(
                conn,
                to,
                TemplateKind::ForwardedToBusiness,
                &serde_json::json!({
                    "business_name": case.business_name.clone().unwrap_or_else(|| "Quý doanh nghiệp".into()),
                    "agency_name": agency_name,
                    "forwarded_date": vn_date(calendar::local_date(at)),
                    "request_summary": message.clone().or_else(|| case.consumer_request.clone())
                        .unwrap_or_else(|| "Người tiêu dùng đề nghị doanh nghiệp thương lượng giải quyết yêu cầu.".into()),
                    "business_link": business_link,
                }),
                at,
                ctx.max_attempts,
            )?;
        }
        Action::ScheduleMediationSession { .. } => {
            mediation_invitations(conn, ctx, case, after, &agency_name, action, at)?
        }
        _ => {}
    }
    // The business's link lives while the case is in negotiation.
    if case.status == Status::Negotiation && after.status != Status::Negotiation {
        links::revoke_all(conn, &case.id, Audience::Business, at)?;
    }
    if after.status == Status::Closed {
        if let (Some(to), Some(outcome)) = (&case.consumer_email, after.outcome) {
            enqueue_consumer_email(
                conn,
                ctx,
                case,
                to,
                TemplateKind::Closure,
                |link| {
                    serde_json::json!({
                        "consumer_name": greeting_name(case), "tracking_code": case.tracking_code,
                        "outcome_label": outcome.label_vi(), "agency_name": agency_name,
                        "mediation_failed": outcome == crate::domain::case::Outcome::MediationFailed,
                        "summary": closure_summary(action),
                        "rating_url": link,
                    })
                },
                at,
            )?;
        }
    }
    Ok(())
}

/// The invitation to a mediation session, with an iCalendar attachment, to the consumer and to
/// every attendee.
fn mediation_invitations(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    agency_name: &str,
    action: &Action,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Action::ScheduleMediationSession {
        at: start,
        duration_minutes,
        place,
        attendees,
    } = action
    else {
        return Ok(());
    };
    let start_utc = start.and_utc();
    let end = start_utc + chrono::TimeDelta::minutes(i64::from(*duration_minutes));
    let mediator = match &after.mediator_id {
        Some(id) => crate::db::users::find_by_id(conn, id)?.map(|u| u.display_name),
        None => None,
    }
    .unwrap_or_else(|| agency_name.to_owned());
    let local = start_utc + chrono::TimeDelta::hours(7);
    let session_time = local.format("%H:%M ngày %d/%m/%Y").to_string();
    let mut recipients: Vec<(String, String)> = Vec::new();
    if let Some(e) = &case.consumer_email {
        let name = match greeting_name(case) {
            "" => "Quý khách",
            n => n,
        };
        recipients.push((e.clone(), name.to_owned()));
    }
    for a in attendees {
        recipients.push((a.clone(), "Quý vị".into()));
    }
    let all: Vec<String> = recipients.iter().map(|(e, _)| e.clone()).collect();
    let ics = crate::email::ics_invite(
        &format!("{}-{}@hotline", case.id, start_utc.timestamp()),
        start_utc,
        end,
        &format!("Phiên hòa giải — {agency_name}"),
        place,
        &format!("Hòa giải viên: {mediator}."),
        &format!("mailto:{}", ctx.from_address),
        &all,
    );
    for (to, name) in recipients {
        let mut msg = crate::email::OutgoingEmail::from_template(
            &to,
            TemplateKind::MediationInvitation,
            &serde_json::json!({
                "recipient_name": name, "session_time": session_time,
                "place": place, "mediator": mediator, "agency_name": agency_name,
            }),
        )
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        msg.attachments.push(crate::email::Attachment {
            filename: "moi-hoa-giai.ics".into(),
            content_type: "text/calendar; charset=utf-8; method=REQUEST".into(),
            bytes: ics.clone().into_bytes(),
        });
        super::jobs::enqueue_message(conn, &msg, at, ctx.max_attempts)?;
    }
    Ok(())
}

fn closure_summary(action: &Action) -> String {
    match action {
        Action::Advise { answer } => answer.clone(),
        Action::Refuse { explanation, .. } => explanation.clone(),
        Action::RecordNegotiationResult { record: Some(r), .. } => r.result.clone(),
        Action::RecordMediationResult { record: Some(r), .. } => r.result.clone(),
        Action::RecordMediationResult {
            failure_reason: Some(f),
            advice,
            ..
        } => match advice {
            Some(a) => format!("{f}\n{a}"),
            None => f.clone(),
        },
        Action::RecordInspectionResult { sanction: Some(s), .. } => format!(
            "Quyết định xử phạt số {} ngày {} của {}.",
            s.decision_number,
            s.decision_date.format("%d/%m/%Y"),
            s.issuing_body
        ),
        Action::RecordInspectionResult { findings: Some(f), .. } => f.clone(),
        Action::Withdraw { .. } => "Hồ sơ kết thúc theo đề nghị rút yêu cầu.".into(),
        Action::MarkDuplicate { .. } => "Hồ sơ được gộp vào một hồ sơ khác của quý vị về cùng nội dung.".into(),
        Action::Refer { body, .. } => format!("Hồ sơ được chuyển đến {body}."),
        _ => "Hồ sơ đã được giải quyết.".into(),
    }
}
