//! E-mails that case changes cause, put in the outbox inside the same transaction.
//!
//! To the consumer (only when they gave an address; each with a fresh private link `/t/{token}`,
//! never the tracking code in the subject): complaint received, agency assigned (route or
//! accepted transfer: Law 19/2023 Art 11), information requested, copy of the request forwarded
//! to the business, mediation started, mediator appointed, mediation invitation, closure,
//! reopened, due dates moved by a calendar change. To the business: the forwarded request. To
//! staff: a case given to them by someone else ([`to_new_assignee`]); the rest of staff mail
//! (reminder, escalation, digest) is sent by the sweep. Staff mail links to [`staff_case_url`].

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::clocks;
use super::jobs::enqueue_email;
use super::links::{self, Audience};
use crate::calendar::{self, vn_date};
use crate::db::cases::CaseRow;
use crate::db::clocks as clock_db;
use crate::db::AnyConnection;
use crate::domain::case::{Action, CaseState, Channel, NegotiationResult, Status};
use crate::domain::clock::{ClockKind, ClockState};
use crate::domain::kind::Kind;
use crate::email::{self as mail, Mail};
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
    /// Caps on acknowledgments (`limits.mail_per_recipient_per_day`, `…_per_domain_per_hour`).
    pub limits: crate::config::LimitSettings,
    /// The `provide_info` clock's length (`clocks.provide_info_wd`), for the request's text.
    pub provide_info_wd: u32,
}

impl NotifyCtx {
    pub fn from_state(state: &AppState) -> NotifyCtx {
        NotifyCtx::from_settings(&state.settings, state.router.clone())
    }

    pub fn from_settings(settings: &crate::config::Settings, router: Arc<Router>) -> NotifyCtx {
        NotifyCtx {
            router,
            base_url: settings.email.public_base_url.trim_end_matches('/').to_owned(),
            max_attempts: settings.jobs.max_attempts,
            from_address: bare_address(&settings.email.from),
            limits: settings.limits.clone(),
            provide_info_wd: settings.clocks.provide_info_wd,
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
        // The page (`/b/{token}`); its JSON twin is `/api/v1/business/cases/{token}`.
        Ok(format!("{}/b/{token}", self.base_url))
    }

    pub(crate) fn agency_name(&self, code: Option<&str>) -> String {
        code.and_then(|c| self.router.taxonomy().agency(c))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "Cơ quan bảo vệ quyền lợi người tiêu dùng".into())
    }

    /// The agency's published hotline and address (`config/taxonomy.toml`), when configured.
    fn agency_contact(&self, code: Option<&str>) -> (Option<String>, Option<String>) {
        match code.map(|c| super::views::PublicAgency::of(&self.router, c)) {
            Some(a) => (a.phone, a.address),
            None => (None, None),
        }
    }
}

/// The link staff e-mails give for a case: its page in the console (the sign-in page first,
/// then the case).
pub fn staff_case_url(base_url: &str, case_id: &str) -> String {
    format!("{}/console/cases/{case_id}", base_url.trim_end_matches('/'))
}

/// The e-mail address of the case's assignee while they still work the agency's cases (active,
/// handler or supervisor, of the agency holding it): staff mail about the case goes there first,
/// else to the agency's handlers.
pub(crate) fn working_assignee_email(conn: &mut AnyConnection, case: &CaseRow) -> Result<Option<String>, AppError> {
    let Some(a) = &case.assignee_id else { return Ok(None) };
    Ok(crate::db::users::find_by_id(conn, a)?
        .filter(|u| u.works_cases_at(case.current_agency.as_ref()))
        .and_then(|u| u.email))
}

/// Tells the person a case was just given to by someone else (a supervisor's `assign`, or an
/// `accept` that names another handler), if they have an e-mail address.
pub fn to_new_assignee(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    actor: &crate::domain::user::Actor,
    case: &CaseRow,
    after: &CaseState,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(to_id) = after
        .assignee_id
        .as_ref()
        .filter(|a| case.assignee_id.as_ref() != Some(*a))
    else {
        return Ok(());
    };
    let crate::domain::user::Actor::Staff(by) = actor else {
        return Ok(());
    };
    if by.id == *to_id {
        return Ok(());
    }
    let Some(user) = crate::db::users::find_by_id(conn, to_id)? else {
        return Ok(());
    };
    let Some(to) = user.email.as_deref() else {
        return Ok(());
    };
    // The due date as the transition left it (an acceptance stops one clock and starts others).
    let due_at = crate::db::cases::find_by_id(conn, &case.id)?.and_then(|r| r.due_at);
    let due_date = due_at.map(|d| vn_date(calendar::local_date(d.and_utc())));
    let m = mail::CaseAssigned {
        assignee_name: user.display_name.clone(),
        tracking_code: case.tracking_code.to_string(),
        assigned_by: by.display_name.clone(),
        stage: after.status.label_vi().to_owned(),
        due_date,
        case_url: staff_case_url(&ctx.base_url, &case.id),
    };
    enqueue_email(conn, to, &m, at, ctx.max_attempts)
}

/// The name a consumer mail may greet: none for complaints from the web form, whose address
/// and name nobody has checked (the hotline must not mail a stranger's text to any address).
pub(crate) fn greeting_name(case: &CaseRow) -> Option<String> {
    if case.channel == Channel::Web || case.consumer_name.trim().is_empty() {
        None
    } else {
        Some(case.consumer_name.clone())
    }
}

/// Text the consumer typed, for mail back to them: none for web complaints, whose address
/// nobody has checked (the hotline must not carry a stranger's text to any address).
fn unchecked_text(case: &CaseRow, text: Option<String>) -> Option<String> {
    if case.channel == Channel::Web {
        None
    } else {
        text
    }
}

/// dd/mm/yyyy of the case's running clock `name`, if one runs.
fn running_due(conn: &mut AnyConnection, case_id: &str, name: ClockKind) -> Result<Option<String>, AppError> {
    Ok(clock_db::for_case(conn, case_id)?
        .into_iter()
        .find(|c| c.clock == name && c.state == ClockState::Running)
        .map(|c| vn_date(c.due_date)))
}

/// Queues a message to the consumer, made by `mail` from a new private link to the case.
fn enqueue_consumer_email<M: Mail>(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    to: &str,
    mail: impl FnOnce(String) -> M,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let link = ctx.consumer_link(conn, case, at)?;
    enqueue_email(conn, to, &mail(link), at, ctx.max_attempts)
}

/// `addr@host` out of `Name <addr@host>`.
fn bare_address(from: &str) -> String {
    match (from.rfind('<'), from.rfind('>')) {
        (Some(a), Some(b)) if b > a => from[a + 1..b].trim().to_owned(),
        _ => from.trim().to_owned(),
    }
}

/// "Complaint received" to the consumer, if they gave an e-mail address, unless the address or
/// its domain is over its cap (`limits`): then nothing is sent (no link is made) and a warning
/// is logged, without the address. The caps are for this mail only: anyone can type any
/// address into the web form, while the later notices follow staff work on the case (or the
/// consumer's own acts through their link), and a legal notice is never dropped.
pub fn complaint_received(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(to) = &case.consumer_email else { return Ok(()) };
    if !super::limits::allow_consumer_mail(conn, &ctx.limits, to, at.timestamp())? {
        tracing::warn!(template = "complaint_received", "consumer mail over its cap: not sent");
        return Ok(());
    }
    let agency_name = ctx.agency_name(case.current_agency.as_deref());
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        |status_url| mail::ComplaintReceived {
            consumer_name: greeting_name(case),
            tracking_code: case.tracking_code.to_string(),
            status_url,
            agency_name,
            received_date: vn_date(calendar::local_date(at)),
        },
        at,
    )
}

/// The e-mails a transition causes: to the consumer (see the module doc), to the business
/// (the forwarded request). A session's invitations are `service::sessions`'.
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
        Action::ForwardToBusiness {
            business_email,
            message,
        } => forwarded_to_business(conn, ctx, case, &agency_name, business_email.as_deref(), message, at)?,
        Action::RecordPerformance { performed: false, .. } => {
            if let Some(to) = business_contact(conn, case)? {
                let m = performance_missed(conn, case, &agency_name, None)?;
                enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
            }
        }
        _ => {}
    }
    // The business's link lives while the case is in negotiation, and while the consumer is
    // asked for more information in it (the case comes back to the same negotiation); it ends
    // when the case closes or moves on. A reopened negotiation sends the business a new one.
    let negotiating = |s: Status, r: Option<Status>| s.within(r, Status::Negotiation);
    if negotiating(case.status, case.return_status) && !negotiating(after.status, after.return_status) {
        links::revoke_all(conn, &case.id, Audience::Business, at)?;
    }
    if matches!(action, Action::Reopen { .. }) && after.status == Status::Negotiation {
        forwarded_again(conn, ctx, case, &agency_name, at)?;
    }
    // Nothing to the consumer about a closed case that stays closed: the closure notice went
    // when it closed (a note or a correction of the e-mail address would otherwise mail a new
    // private link, to the address being corrected too).
    let stays_closed = case.status == Status::Closed && after.status == Status::Closed;
    if let Some(to) = case.consumer_email.as_ref().filter(|_| !stays_closed) {
        consumer_notice(conn, ctx, case, after, action, &agency_name, to, at)?;
    }
    Ok(())
}

/// The notice a transition sends the consumer at `to`, if any.
#[allow(clippy::too_many_arguments)]
fn consumer_notice(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    action: &Action,
    agency_name: &str,
    to: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let consumer_name = greeting_name(case);
    let tracking_code = case.tracking_code.to_string();
    let agency_name = agency_name.to_owned();
    if after.status == Status::Closed {
        return closure(conn, ctx, case, after, action, agency_name, to, at);
    }
    match action {
        Action::Route { .. } | Action::AcceptTransfer => {
            agency_assigned(conn, ctx, case, after, action, agency_name, to, at)
        }
        Action::Accept { .. } => case_accepted(conn, ctx, case, after, agency_name, to, at),
        Action::RequestInfo { requested } => info_requested(conn, ctx, case, after, requested, agency_name, to, at),
        Action::ForwardToBusiness { message, .. } => enqueue_consumer_email(
            conn,
            ctx,
            case,
            to,
            |status_url| mail::ForwardedCopy {
                consumer_name,
                tracking_code,
                business_name: unchecked_text(case, case.business_name.clone())
                    .unwrap_or_else(|| "doanh nghiệp liên quan".into()),
                agency_name,
                forwarded_date: vn_date(calendar::local_date(at)),
                request_summary: message
                    .clone()
                    .or_else(|| unchecked_text(case, case.consumer_request.clone()))
                    .unwrap_or_else(|| "Yêu cầu của Ông/Bà như đã gửi đến cơ quan.".into()),
                status_url,
            },
            at,
        ),
        Action::RecordNegotiationResult { result, .. } if after.status == Status::Mediation => enqueue_consumer_email(
            conn,
            ctx,
            case,
            to,
            |status_url| mail::MediationStarted {
                consumer_name,
                tracking_code,
                agency_name,
                no_answer: *result == NegotiationResult::NoAnswer,
                status_url,
            },
            at,
        ),
        Action::AppointMediator {
            mediator_id,
            interpreter,
            ..
        } => mediator_appointed(conn, ctx, case, mediator_id, interpreter, agency_name, to, at),
        Action::RecordPerformance { performed: false, .. } => {
            let mut m = performance_missed(conn, case, &agency_name, consumer_name)?;
            m.tracking_code = Some(tracking_code);
            m.status_url = Some(ctx.consumer_link(conn, case, at)?);
            enqueue_email(conn, to, &m, at, ctx.max_attempts)
        }
        Action::Reopen { .. } => enqueue_consumer_email(
            conn,
            ctx,
            case,
            to,
            |status_url| mail::Reopened {
                consumer_name,
                tracking_code,
                stage_label: after.status.label_vi().into(),
                agency_name,
                status_url,
            },
            at,
        ),
        _ => Ok(()),
    }
}

/// The consumer sent information through their link (`requested`: what the case waited for):
/// the handler is told, without its content, with the files' count and the case's link.
pub fn consumer_sent_information(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    requested: bool,
    files: usize,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let m = mail::ConsumerUpdate {
        tracking_code: case.tracking_code.to_string(),
        headline: match requested {
            true => "đã gửi thông tin bổ sung được đề nghị".into(),
            false => "gửi thêm thông tin".into(),
        },
        requested,
        files,
        case_url: staff_case_url(&ctx.base_url, &case.id),
    };
    for to in super::business::handler_recipients(conn, case, false)? {
        enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
    }
    Ok(())
}

/// A month before the 6 months to ask a court to recognise a successful mediation end (Civil
/// Procedure Code Art 418): the reminder to the parties (the sweep, once per clock).
pub fn court_recognition_reminder(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    due: chrono::NaiveDate,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let agency_name = ctx.agency_name(case.current_agency.as_deref());
    let mut m = mail::CourtRecognitionReminder {
        consumer_name: None,
        tracking_code: None,
        due_date: vn_date(due),
        agency_name,
    };
    if let Some(to) = business_contact(conn, case)? {
        enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
    }
    if let Some(to) = &case.consumer_email {
        m.consumer_name = greeting_name(case);
        m.tracking_code = Some(case.tracking_code.to_string());
        enqueue_email(conn, to, &m, at, ctx.max_attempts)?;
    }
    Ok(())
}

/// The address the request was forwarded to (the last `forward_to_business`), if any: the
/// business's contact for the notices of its settlement.
fn business_contact(conn: &mut AnyConnection, case: &CaseRow) -> Result<Option<String>, AppError> {
    let evs = crate::db::cases::list_events(conn, &case.id)?;
    let Some(e) = evs.iter().rev().find(|e| e.action == "forward_to_business") else {
        return Ok(None);
    };
    let data = super::views::stored_json(&e.data, "event data", &case.id)?;
    Ok(data["business_email"].as_str().map(str::to_owned))
}

/// The notice of a settlement not carried out (the case as it closed: its outcome says whether
/// the settlement was mediated), without tracking code or link (the business's copy).
fn performance_missed(
    conn: &mut AnyConnection,
    case: &CaseRow,
    agency_name: &str,
    consumer_name: Option<String>,
) -> Result<mail::PerformanceMissed, AppError> {
    let rows = clock_db::for_case(conn, &case.id)?;
    let newest = |name: ClockKind| rows.iter().filter(|c| c.clock == name).max_by_key(|c| c.started_at);
    Ok(mail::PerformanceMissed {
        consumer_name,
        tracking_code: None,
        due_date: newest(ClockKind::SettlementPerformance)
            .map(|c| vn_date(c.due_date))
            .unwrap_or_else(|| "đã thỏa thuận".into()),
        agency_name: agency_name.to_owned(),
        mediated: case.outcome == Some(crate::domain::case::Outcome::SettledMediation),
        court_due: newest(ClockKind::CourtRecognition)
            .filter(|c| c.state == ClockState::Running)
            .map(|c| vn_date(c.due_date)),
        status_url: None,
    })
}

/// Closure: outcome, summary and the link where the consumer rates it.
#[allow(clippy::too_many_arguments)]
fn closure(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    action: &Action,
    agency_name: String,
    to: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(outcome) = after.outcome else { return Ok(()) };
    let invite_rating = !crate::db::cases::is_rated(conn, &case.id)?;
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        |rating_url| mail::Closure {
            consumer_name: greeting_name(case),
            tracking_code: case.tracking_code.to_string(),
            outcome_label: outcome.label_vi().into(),
            agency_name,
            mediation_failed: outcome == crate::domain::case::Outcome::MediationFailed,
            summary: closure_summary(action),
            rating_url,
            invite_rating,
        },
        at,
    )
}

/// Who handles the case now (route, accepted transfer), with its published contact and the
/// date by which it answers (Law 19/2023 Art 11; Law 42/2013 Art 28).
#[allow(clippy::too_many_arguments)]
fn agency_assigned(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    action: &Action,
    agency_name: String,
    to: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let reply_due = running_due(conn, &case.id, ClockKind::Acknowledge)?;
    let (agency_phone, agency_address) = ctx.agency_contact(after.current_agency.as_deref());
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        |status_url| mail::AgencyAssigned {
            consumer_name: greeting_name(case),
            tracking_code: case.tracking_code.to_string(),
            agency_name,
            agency_phone,
            agency_address,
            transferred: matches!(action, Action::AcceptTransfer),
            reply_due,
            status_url,
        },
        at,
    )
}

/// What the agency asks for, by the last day of the `provide_info` clock, and what missing it
/// costs: Art 58(3) is a ground to refuse a request for support, refused before it goes to the
/// business (`refuse` is open from routed and accepted only).
#[allow(clippy::too_many_arguments)]
fn info_requested(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    requested: &str,
    agency_name: String,
    to: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let due_date = running_due(conn, &case.id, ClockKind::ProvideInfo)?;
    let may_refuse =
        after.kind == Kind::Dispute && matches!(after.return_status, Some(Status::Routed | Status::Accepted));
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        |status_url| mail::InfoRequested {
            consumer_name: greeting_name(case),
            tracking_code: case.tracking_code.to_string(),
            requested: requested.to_owned(),
            due_date,
            days: ctx.provide_info_wd,
            may_refuse,
            status_url,
            agency_name,
        },
        at,
    )
}

/// The agency took up the case: what happens next, and by when for a dispute (the
/// `forward_to_business` clock `accept` started). Law 42/2013 Art 28.
fn case_accepted(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    agency_name: String,
    to: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let forward_due = running_due(conn, &case.id, ClockKind::ForwardToBusiness)?;
    let (agency_phone, agency_address) = ctx.agency_contact(after.current_agency.as_deref());
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        |status_url| mail::CaseAccepted {
            consumer_name: greeting_name(case),
            tracking_code: case.tracking_code.to_string(),
            agency_name,
            agency_phone,
            agency_address,
            dispute: after.kind == Kind::Dispute,
            violation_report: after.kind == Kind::ViolationReport,
            forward_due,
            status_url,
        },
        at,
    )
}

/// The mediator appointed (by name) and the interpreter recorded (Art 64), if any.
#[allow(clippy::too_many_arguments)]
fn mediator_appointed(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    mediator_id: &str,
    interpreter: &Option<String>,
    agency_name: String,
    to: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mediator_name = crate::db::users::find_by_id(conn, mediator_id)?
        .map(|u| u.display_name)
        .unwrap_or_else(|| "được phân công".into());
    enqueue_consumer_email(
        conn,
        ctx,
        case,
        to,
        |status_url| mail::MediatorAppointed {
            consumer_name: greeting_name(case),
            tracking_code: case.tracking_code.to_string(),
            mediator_name,
            interpreter: interpreter.clone().filter(|i| !i.trim().is_empty()),
            agency_name,
            status_url,
        },
        at,
    )
}

/// What the business is asked: the handler's message (written by staff), else the consumer's
/// request with contact details redacted, as the business's page shows it; a protected
/// reporter's words never reach the business.
fn request_summary(conn: &mut AnyConnection, case: &CaseRow, message: &Option<String>) -> Result<String, AppError> {
    if let Some(m) = message {
        return Ok(m.clone());
    }
    let protected = crate::db::reporters::find(conn, &case.id)?.is_some_and(|r| r.identity_protected);
    Ok(case
        .consumer_request
        .as_deref()
        .filter(|_| !protected)
        .map(crate::text::redact)
        .unwrap_or_else(|| "Người tiêu dùng đề nghị doanh nghiệp thương lượng giải quyết yêu cầu.".into()))
}

/// A reopened negotiation: the request forwarded to the business again (the address and message
/// of the last forwarding), with a new link (the old one ended when the case closed).
fn forwarded_again(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    agency_name: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let evs = crate::db::cases::list_events(conn, &case.id)?;
    let Some(e) = evs.iter().rev().find(|e| e.action == "forward_to_business") else {
        return Ok(());
    };
    let data = super::views::stored_json(&e.data, "event data", &case.id)?;
    let message = data["message"].as_str().map(str::to_owned);
    forwarded_to_business(
        conn,
        ctx,
        case,
        agency_name,
        data["business_email"].as_str(),
        &message,
        at,
    )
}

/// The request forwarded to the business, with its private link, when an address is known.
fn forwarded_to_business(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    agency_name: &str,
    to: Option<&str>,
    message: &Option<String>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let Some(to) = to else { return Ok(()) };
    let business_link = ctx.business_link(conn, case, at)?;
    let m = mail::ForwardedToBusiness {
        business_name: case.business_name.clone().unwrap_or_else(|| "Quý doanh nghiệp".into()),
        agency_name: agency_name.to_owned(),
        forwarded_date: vn_date(calendar::local_date(at)),
        request_summary: request_summary(conn, case, message)?,
        business_link,
    };
    enqueue_email(conn, to, &m, at, ctx.max_attempts)
}

/// After a calendar change moved due dates (`clocks::recompute_all`): one notice per case whose
/// consumer gave an address, listing the public clocks that moved (internal targets are not
/// the consumer's business).
pub fn due_dates_moved(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    moved: &[clocks::MovedDue],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut by_case: std::collections::BTreeMap<&str, Vec<mail::MovedDue>> = Default::default();
    for m in moved.iter().filter(|m| m.clock.is_public()) {
        by_case.entry(m.case_id.as_str()).or_default().push(mail::MovedDue {
            label: m.clock.label_vi().into(),
            before: vn_date(m.before),
            after: vn_date(m.after),
        });
    }
    for (case_id, changes) in by_case {
        let Some(case) = crate::db::cases::find_by_id(conn, case_id)? else {
            continue;
        };
        let Some(to) = case.consumer_email.clone() else {
            continue;
        };
        let agency_name = ctx.agency_name(case.current_agency.as_deref());
        enqueue_consumer_email(
            conn,
            ctx,
            &case,
            &to,
            |status_url| mail::DueDatesMoved {
                consumer_name: greeting_name(&case),
                tracking_code: case.tracking_code.to_string(),
                changes,
                agency_name,
                status_url,
            },
            at,
        )?;
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
