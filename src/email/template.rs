//! The e-mail texts, rendered with askama (ADR 0023) like the pages (ADR 0020).
//!
//! Each kind of message is a typed struct (its variables are its fields, so a missing or
//! misspelled variable is a compile error, never a hole in a legal notice) and three askama
//! templates under `templates/email/<kind>/`: `subject.txt`, `body.txt` (plain text, nothing
//! escaped) and `body.html` (extends `email/layout.html`; askama HTML-escapes every value, and
//! no template uses `|safe`). The plain-text footer is `email/footer.txt`.
//!
//! Rendering happens when a message is queued; the outbox keeps the rendered [`OutgoingEmail`]
//! (see `service::jobs`), so a queued message never depends on a template that changed since.

use askama::Template;
use serde::{Deserialize, Serialize};

use super::{EmailError, OutgoingEmail};

/// The kinds of message (for logs and tests); [`Mail::KIND`] names each struct's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// To the consumer: complaint received, tracking code and status link.
    ComplaintReceived,
    /// To the consumer: more information needed by a date.
    InfoRequested,
    /// To the business: the consumer's request forwarded (Law 19/2023 Art 57).
    ForwardedToBusiness,
    /// To the assigned staff: a clock is due soon.
    Reminder,
    /// To supervisors: a clock is overdue.
    OverdueEscalation,
    /// To the parties: mediation session (the caller attaches the `.ics`).
    MediationInvitation,
    /// To the consumer: case closed, outcome, rating link.
    Closure,
    /// To an agency: daily summary of its queue.
    DailyDigest,
    /// To supervisors: a tracking code's public lookup was locked after wrong phone digits.
    SecurityAlert,
    /// To the consumer: the agency that handles the case (route, accepted transfer; Art 11).
    AgencyAssigned,
    /// To the consumer: the agency accepted the case (Law 42/2013 Art 28).
    CaseAccepted,
    /// To the handler: the consumer sent information through their link (asked for or not).
    ConsumerUpdate,
    /// To the consumer: their copy of the request forwarded to the business.
    ForwardedCopy,
    /// To the consumer: negotiation failed or went unanswered, the case moves to mediation.
    MediationStarted,
    /// To the consumer: a mediator was appointed.
    MediatorAppointed,
    /// To the consumer: the closed case was reopened.
    Reopened,
    /// To the consumer: a calendar change moved due dates of their case.
    DueDatesMoved,
    /// To the parties: a mediation session is cancelled (the caller attaches the `.ics`).
    MediationCancelled,
    /// To the handler (and supervisors when it is silence): the business answered, reported
    /// its result, or let an Art 57 clock pass (issue 12).
    BusinessUpdate,
    /// To the parties: a settlement's agreed date passed without its performance confirmed;
    /// the case is reopened, with what the law offers next (ADR 0029).
    PerformanceMissed,
    /// To the parties of a successful mediation: the last month to ask a court to recognise
    /// it (Civil Procedure Code Art 418).
    CourtRecognitionReminder,
    /// To the owner of a callback: it fell due (issue 13).
    CallbackDue,
    /// To an agency's supervisors (or the coordinators): a period report falls due and is not
    /// submitted (issue 14).
    ReportDue,
    /// To a handler: a case was given to them by someone else (a supervisor's reassignment).
    CaseAssigned,
}

impl TemplateKind {
    /// Every kind, in declaration order.
    pub const ALL: [TemplateKind; 24] = [
        TemplateKind::ComplaintReceived,
        TemplateKind::InfoRequested,
        TemplateKind::ForwardedToBusiness,
        TemplateKind::Reminder,
        TemplateKind::OverdueEscalation,
        TemplateKind::MediationInvitation,
        TemplateKind::Closure,
        TemplateKind::DailyDigest,
        TemplateKind::SecurityAlert,
        TemplateKind::AgencyAssigned,
        TemplateKind::CaseAccepted,
        TemplateKind::ConsumerUpdate,
        TemplateKind::ForwardedCopy,
        TemplateKind::MediationStarted,
        TemplateKind::MediatorAppointed,
        TemplateKind::Reopened,
        TemplateKind::DueDatesMoved,
        TemplateKind::MediationCancelled,
        TemplateKind::BusinessUpdate,
        TemplateKind::PerformanceMissed,
        TemplateKind::CourtRecognitionReminder,
        TemplateKind::CallbackDue,
        TemplateKind::ReportDue,
        TemplateKind::CaseAssigned,
    ];

    /// The snake_case name, also the template folder name.
    pub fn as_str(self) -> &'static str {
        match self {
            TemplateKind::ComplaintReceived => "complaint_received",
            TemplateKind::InfoRequested => "info_requested",
            TemplateKind::ForwardedToBusiness => "forwarded_to_business",
            TemplateKind::Reminder => "reminder",
            TemplateKind::OverdueEscalation => "overdue_escalation",
            TemplateKind::MediationInvitation => "mediation_invitation",
            TemplateKind::Closure => "closure",
            TemplateKind::DailyDigest => "daily_digest",
            TemplateKind::SecurityAlert => "security_alert",
            TemplateKind::AgencyAssigned => "agency_assigned",
            TemplateKind::CaseAccepted => "case_accepted",
            TemplateKind::ConsumerUpdate => "consumer_update",
            TemplateKind::ForwardedCopy => "forwarded_copy",
            TemplateKind::MediationStarted => "mediation_started",
            TemplateKind::MediatorAppointed => "mediator_appointed",
            TemplateKind::Reopened => "reopened",
            TemplateKind::DueDatesMoved => "due_dates_moved",
            TemplateKind::MediationCancelled => "mediation_cancelled",
            TemplateKind::BusinessUpdate => "business_update",
            TemplateKind::PerformanceMissed => "performance_missed",
            TemplateKind::CourtRecognitionReminder => "court_recognition_reminder",
            TemplateKind::CallbackDue => "callback_due",
            TemplateKind::ReportDue => "report_due",
            TemplateKind::CaseAssigned => "case_assigned",
        }
    }

    /// Whether the kind goes to the consumer (no tracking code in its subject; a private link).
    pub fn to_consumer(self) -> bool {
        matches!(
            self,
            TemplateKind::ComplaintReceived
                | TemplateKind::InfoRequested
                | TemplateKind::Closure
                | TemplateKind::AgencyAssigned
                | TemplateKind::CaseAccepted
                | TemplateKind::ForwardedCopy
                | TemplateKind::MediationStarted
                | TemplateKind::MediatorAppointed
                | TemplateKind::Reopened
                | TemplateKind::DueDatesMoved
                | TemplateKind::PerformanceMissed
        )
    }
}

/// A message's three rendered parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line, whitespace collapsed.
    pub subject: String,
    /// Plain text with the footer.
    pub text: String,
    /// A whole HTML document (the layout around the body).
    pub html: String,
}

/// A kind of message: its variables (the struct's fields) and its templates.
pub trait Mail {
    /// Which kind this is.
    const KIND: TemplateKind;
    /// Renders subject, text and HTML. Fails only if a value's `Display` fails.
    fn render(&self) -> Result<Rendered, EmailError>;
}

impl OutgoingEmail {
    /// Renders `mail` into a message to `to`, without attachments.
    pub fn new(to: &str, mail: &impl Mail) -> Result<OutgoingEmail, EmailError> {
        let Rendered { subject, text, html } = mail.render()?;
        Ok(OutgoingEmail {
            to: to.to_owned(),
            subject,
            text,
            html,
            attachments: Vec::new(),
        })
    }
}

#[derive(Template)]
#[template(path = "email/footer.txt")]
struct Footer;

fn build_error(kind: TemplateKind, part: &str, e: askama::Error) -> EmailError {
    EmailError::Build(format!("{}/{part}: {e}", kind.as_str()))
}

/// Puts the parts together: one-line subject, text + footer.
fn assemble(
    kind: TemplateKind,
    subject: Result<String, askama::Error>,
    text: Result<String, askama::Error>,
    html: impl FnOnce(&str) -> Result<String, askama::Error>,
) -> Result<Rendered, EmailError> {
    let subject = subject.map_err(|e| build_error(kind, "subject.txt", e))?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = text.map_err(|e| build_error(kind, "body.txt", e))?;
    let footer = Footer.render().map_err(|e| build_error(kind, "footer.txt", e))?;
    let text = format!("{}\n\n{}\n", body.trim_end(), footer.trim());
    let html = html(&subject).map_err(|e| build_error(kind, "body.html", e))?;
    Ok(Rendered { subject, text, html })
}

/// Implements [`Mail`] for `$data` with its three templates. Each part is a small template
/// struct that borrows the data and derefs to it, so templates name the fields directly
/// (`{{ tracking_code }}`); the HTML part also holds the rendered subject for the layout.
macro_rules! mail {
    ($data:ident, $kind:ident, $subject:literal, $text:literal, $html:literal) => {
        impl Mail for $data {
            const KIND: TemplateKind = TemplateKind::$kind;

            fn render(&self) -> Result<Rendered, EmailError> {
                #[derive(Template)]
                #[template(path = $subject)]
                struct Subject<'a> {
                    m: &'a $data,
                }
                #[derive(Template)]
                #[template(path = $text)]
                struct Text<'a> {
                    m: &'a $data,
                }
                #[derive(Template)]
                #[template(path = $html)]
                struct Html<'a> {
                    m: &'a $data,
                    subject: &'a str,
                }
                impl std::ops::Deref for Subject<'_> {
                    type Target = $data;
                    fn deref(&self) -> &$data {
                        self.m
                    }
                }
                impl std::ops::Deref for Text<'_> {
                    type Target = $data;
                    fn deref(&self) -> &$data {
                        self.m
                    }
                }
                impl std::ops::Deref for Html<'_> {
                    type Target = $data;
                    fn deref(&self) -> &$data {
                        self.m
                    }
                }
                assemble(
                    Self::KIND,
                    Subject { m: self }.render(),
                    Text { m: self }.render(),
                    |subject| Html { m: self, subject }.render(),
                )
            }
        }
    };
}

/// To the consumer: complaint received.
#[derive(Debug, Clone)]
pub struct ComplaintReceived {
    /// The name to greet; `None` greets "Quý khách" (web complaints: nobody checked the name).
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    /// The consumer's private link (`/t/{token}`).
    pub status_url: String,
    pub agency_name: String,
    /// dd/mm/yyyy.
    pub received_date: String,
}
mail!(
    ComplaintReceived,
    ComplaintReceived,
    "email/complaint_received/subject.txt",
    "email/complaint_received/body.txt",
    "email/complaint_received/body.html"
);

/// To the consumer: information requested.
#[derive(Debug, Clone)]
pub struct InfoRequested {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    /// What is asked for (the handler's text).
    pub requested: String,
    /// dd/mm/yyyy, the last day of the `provide_info` clock (always running after
    /// `request_info`; without it the text gives `days` working days).
    pub due_date: Option<String>,
    /// The clock's length (`clocks.provide_info_wd`).
    pub days: u32,
    /// A dispute still before negotiation: without the information the agency may refuse the
    /// request (Art 58(3)); otherwise the handling is only delayed.
    pub may_refuse: bool,
    pub status_url: String,
    pub agency_name: String,
}
mail!(
    InfoRequested,
    InfoRequested,
    "email/info_requested/subject.txt",
    "email/info_requested/body.txt",
    "email/info_requested/body.html"
);

/// To the business: the consumer's request forwarded for negotiation (Art 57(4)).
#[derive(Debug, Clone)]
pub struct ForwardedToBusiness {
    pub business_name: String,
    pub agency_name: String,
    pub forwarded_date: String,
    pub request_summary: String,
    /// The business's private link.
    pub business_link: String,
}
mail!(
    ForwardedToBusiness,
    ForwardedToBusiness,
    "email/forwarded_to_business/subject.txt",
    "email/forwarded_to_business/body.txt",
    "email/forwarded_to_business/body.html"
);

/// To staff: what the business did (or did not do) through its link.
#[derive(Debug, Clone)]
pub struct BusinessUpdate {
    pub tracking_code: String,
    /// One line: "doanh nghiệp đồng ý thương lượng", "doanh nghiệp không trả lời đúng hạn", …
    pub headline: String,
    /// The business's words, or what the silence means.
    pub details: String,
    /// "đúng hạn (hạn 10/12/2026)" / "trễ hạn (hạn …)".
    pub timeliness: String,
    pub next_step: String,
    /// From `service::notify::staff_case_url`.
    pub case_url: String,
}
mail!(
    BusinessUpdate,
    BusinessUpdate,
    "email/business_update/subject.txt",
    "email/business_update/body.txt",
    "email/business_update/body.html"
);

/// To staff: a clock is due soon.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub tracking_code: String,
    pub clock_label: String,
    pub due_date: String,
    /// From `service::notify::staff_case_url`.
    pub case_url: String,
}
mail!(
    Reminder,
    Reminder,
    "email/reminder/subject.txt",
    "email/reminder/body.txt",
    "email/reminder/body.html"
);

/// To a handler: a case was given to them by someone else.
#[derive(Debug, Clone)]
pub struct CaseAssigned {
    pub assignee_name: String,
    pub tracking_code: String,
    /// Who gave it (display name).
    pub assigned_by: String,
    /// The case's stage, in Vietnamese.
    pub stage: String,
    /// The nearest due date, `dd/mm/yyyy`, if a clock runs.
    pub due_date: Option<String>,
    pub case_url: String,
}
mail!(
    CaseAssigned,
    CaseAssigned,
    "email/case_assigned/subject.txt",
    "email/case_assigned/body.txt",
    "email/case_assigned/body.html"
);

/// To supervisors: a clock is overdue.
#[derive(Debug, Clone)]
pub struct OverdueEscalation {
    pub tracking_code: String,
    pub clock_label: String,
    pub due_date: String,
    pub assignee: String,
    pub case_url: String,
}
mail!(
    OverdueEscalation,
    OverdueEscalation,
    "email/overdue_escalation/subject.txt",
    "email/overdue_escalation/body.txt",
    "email/overdue_escalation/body.html"
);

/// To each party: a mediation session (the `.ics` is attached by the caller).
#[derive(Debug, Clone)]
pub struct MediationInvitation {
    pub recipient_name: String,
    /// `HH:MM ngày dd/mm/yyyy`, Vietnam time.
    pub session_time: String,
    pub place: String,
    pub mediator: String,
    pub agency_name: String,
}
mail!(
    MediationInvitation,
    MediationInvitation,
    "email/mediation_invitation/subject.txt",
    "email/mediation_invitation/body.txt",
    "email/mediation_invitation/body.html"
);

/// To each party: a mediation session is cancelled (the `.ics` cancellation is attached by
/// the caller).
#[derive(Debug, Clone)]
pub struct MediationCancelled {
    pub recipient_name: String,
    /// `HH:MM ngày dd/mm/yyyy`, Vietnam time.
    pub session_time: String,
    pub reason: String,
    pub agency_name: String,
}
mail!(
    MediationCancelled,
    MediationCancelled,
    "email/mediation_cancelled/subject.txt",
    "email/mediation_cancelled/body.txt",
    "email/mediation_cancelled/body.html"
);

/// To the consumer: the case is closed.
#[derive(Debug, Clone)]
pub struct Closure {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub outcome_label: String,
    pub agency_name: String,
    /// Adds the advice on arbitration and court (Art 70–71).
    pub mediation_failed: bool,
    pub summary: String,
    /// The private link, where the consumer rates the outcome.
    pub rating_url: String,
    /// Asks for a rating: the case has none yet (a case is rated once; closed again after a
    /// reopening, the link only shows the result).
    pub invite_rating: bool,
}
mail!(
    Closure,
    Closure,
    "email/closure/subject.txt",
    "email/closure/body.txt",
    "email/closure/body.html"
);

/// One case in a daily digest.
#[derive(Debug, Clone)]
pub struct DigestItem {
    pub tracking_code: String,
    /// dd/mm/yyyy, or empty when the case has no due date.
    pub due_date: String,
    pub status: String,
    pub overdue: bool,
    pub case_url: String,
}

/// To an agency's staff: the day's summary.
#[derive(Debug, Clone)]
pub struct DailyDigest {
    pub agency_name: String,
    pub date: String,
    pub open_cases: usize,
    pub due_soon: usize,
    pub overdue: usize,
    /// Overdue first, then due soon; at most 50.
    pub items: Vec<DigestItem>,
}
mail!(
    DailyDigest,
    DailyDigest,
    "email/daily_digest/subject.txt",
    "email/daily_digest/body.txt",
    "email/daily_digest/body.html"
);

/// To supervisors: a tracking code's public lookup is locked.
#[derive(Debug, Clone)]
pub struct SecurityAlert {
    pub tracking_code: String,
    pub locked_until: String,
    pub agency_name: String,
}
mail!(
    SecurityAlert,
    SecurityAlert,
    "email/security_alert/subject.txt",
    "email/security_alert/body.txt",
    "email/security_alert/body.html"
);

/// To the consumer: which agency handles the case now (Law 19/2023 Art 11: a request forwarded
/// to another agency is told to the requester).
#[derive(Debug, Clone)]
pub struct AgencyAssigned {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub agency_name: String,
    /// The agency's published hotline, when configured.
    pub agency_phone: Option<String>,
    /// The agency's published address, when configured.
    pub agency_address: Option<String>,
    /// True when another agency passed the case on (a transfer it accepted).
    pub transferred: bool,
    /// dd/mm/yyyy by which the agency answers (the `acknowledge` clock), when running.
    pub reply_due: Option<String>,
    pub status_url: String,
}
mail!(
    AgencyAssigned,
    AgencyAssigned,
    "email/agency_assigned/subject.txt",
    "email/agency_assigned/body.txt",
    "email/agency_assigned/body.html"
);

/// To the consumer: the agency took up the case (`accept`) and what happens next (Law 42/2013
/// Art 28: the person is told within 10 working days whether the matter was accepted).
#[derive(Debug, Clone)]
pub struct CaseAccepted {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub agency_name: String,
    /// The agency's published hotline, when configured.
    pub agency_phone: Option<String>,
    /// The agency's published address, when configured.
    pub agency_address: Option<String>,
    /// A dispute: next, the request goes to the business (Art 57(4)).
    pub dispute: bool,
    /// A violation report: next, the agency looks into it.
    pub violation_report: bool,
    /// dd/mm/yyyy, the last day of the `forward_to_business` clock (a dispute).
    pub forward_due: Option<String>,
    pub status_url: String,
}
mail!(
    CaseAccepted,
    CaseAccepted,
    "email/case_accepted/subject.txt",
    "email/case_accepted/body.txt",
    "email/case_accepted/body.html"
);

/// To the handler (the working assignee, else the agency's handlers): the consumer sent
/// information through their private link. Without its content (personal data stays in the
/// case); the link to the case.
#[derive(Debug, Clone)]
pub struct ConsumerUpdate {
    pub tracking_code: String,
    /// What they did: "đã gửi thông tin bổ sung được đề nghị" or "gửi thêm thông tin".
    pub headline: String,
    /// The information the case waited for (its paused clocks run again).
    pub requested: bool,
    /// Files sent with it.
    pub files: usize,
    pub case_url: String,
}
mail!(
    ConsumerUpdate,
    ConsumerUpdate,
    "email/consumer_update/subject.txt",
    "email/consumer_update/body.txt",
    "email/consumer_update/body.html"
);

/// To the consumer: their copy of the request forwarded to the business (without its link).
#[derive(Debug, Clone)]
pub struct ForwardedCopy {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub business_name: String,
    pub agency_name: String,
    pub forwarded_date: String,
    pub request_summary: String,
    pub status_url: String,
}
mail!(
    ForwardedCopy,
    ForwardedCopy,
    "email/forwarded_copy/subject.txt",
    "email/forwarded_copy/body.txt",
    "email/forwarded_copy/body.html"
);

/// To the consumer: negotiation did not settle, the case moves to mediation.
#[derive(Debug, Clone)]
pub struct MediationStarted {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub agency_name: String,
    /// True when the business did not answer; false when negotiation failed.
    pub no_answer: bool,
    pub status_url: String,
}
mail!(
    MediationStarted,
    MediationStarted,
    "email/mediation_started/subject.txt",
    "email/mediation_started/body.txt",
    "email/mediation_started/body.html"
);

/// To the consumer: a mediator was appointed.
#[derive(Debug, Clone)]
pub struct MediatorAppointed {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub mediator_name: String,
    /// The interpreter recorded for the session (Art 64), if any.
    pub interpreter: Option<String>,
    pub agency_name: String,
    pub status_url: String,
}
mail!(
    MediatorAppointed,
    MediatorAppointed,
    "email/mediator_appointed/subject.txt",
    "email/mediator_appointed/body.txt",
    "email/mediator_appointed/body.html"
);

/// To the consumer: the case was reopened.
#[derive(Debug, Clone)]
pub struct Reopened {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    /// The stage the case returns to, in plain Vietnamese.
    pub stage_label: String,
    pub agency_name: String,
    pub status_url: String,
}
mail!(
    Reopened,
    Reopened,
    "email/reopened/subject.txt",
    "email/reopened/body.txt",
    "email/reopened/body.html"
);

/// To the parties (the consumer with a private link, the business's contact without one): the
/// agreed date of a settlement passed without its performance confirmed; the case is reopened;
/// for a mediated settlement, the 6 months to ask a court to recognise it (Civil Procedure Code
/// Art 418), else mediation or court.
#[derive(Debug, Clone)]
pub struct PerformanceMissed {
    pub consumer_name: Option<String>,
    /// The consumer's copy only (outsiders never get tracking codes).
    pub tracking_code: Option<String>,
    /// dd/mm/yyyy of the agreed date.
    pub due_date: String,
    pub agency_name: String,
    /// The settlement came from a mediation (Art 65).
    pub mediated: bool,
    /// dd/mm/yyyy of the last day to ask the court (the `court_recognition` clock), if it runs.
    pub court_due: Option<String>,
    /// The consumer's private link (none for the business).
    pub status_url: Option<String>,
}
mail!(
    PerformanceMissed,
    PerformanceMissed,
    "email/performance_missed/subject.txt",
    "email/performance_missed/body.txt",
    "email/performance_missed/body.html"
);

/// To the parties of a successful mediation (the consumer with the tracking code, the
/// business's contact without; no link: the consumer's link may have lapsed by then): the last
/// day to ask a court to recognise the settlement (Civil Procedure Code Art 418).
#[derive(Debug, Clone)]
pub struct CourtRecognitionReminder {
    pub consumer_name: Option<String>,
    pub tracking_code: Option<String>,
    /// dd/mm/yyyy, the last day (the `court_recognition` clock).
    pub due_date: String,
    pub agency_name: String,
}
mail!(
    CourtRecognitionReminder,
    CourtRecognitionReminder,
    "email/court_recognition_reminder/subject.txt",
    "email/court_recognition_reminder/body.txt",
    "email/court_recognition_reminder/body.html"
);

/// To the owner of a callback that fell due: the caller's number only by its last digits (the
/// console shows the rest to those who may see it).
#[derive(Debug, Clone)]
pub struct CallbackDue {
    pub owner_name: String,
    pub phone_last4: String,
    /// `HH:MM dd/mm/yyyy`, Vietnam time.
    pub due_time: String,
    pub callbacks_url: String,
}
mail!(
    CallbackDue,
    CallbackDue,
    "email/callback_due/subject.txt",
    "email/callback_due/body.txt",
    "email/callback_due/body.html"
);

/// To a supervisor (or coordinator): a period report falls due, not yet submitted.
#[derive(Debug, Clone)]
pub struct ReportDue {
    pub recipient_name: String,
    /// "Báo cáo quý".
    pub report_name: String,
    /// "Quý III năm 2026".
    pub period_label: String,
    /// The agency's name, or the province.
    pub scope_name: String,
    /// dd/mm/yyyy.
    pub due_date: String,
    pub reports_url: String,
}
mail!(
    ReportDue,
    ReportDue,
    "email/report_due/subject.txt",
    "email/report_due/body.txt",
    "email/report_due/body.html"
);

/// One due date a calendar change moved.
#[derive(Debug, Clone)]
pub struct MovedDue {
    /// The clock's Vietnamese label.
    pub label: String,
    /// dd/mm/yyyy before and after.
    pub before: String,
    pub after: String,
}

/// To the consumer: the working-day calendar changed (a holiday announced or moved) and due
/// dates of their case moved with it.
#[derive(Debug, Clone)]
pub struct DueDatesMoved {
    pub consumer_name: Option<String>,
    pub tracking_code: String,
    pub changes: Vec<MovedDue>,
    pub agency_name: String,
    pub status_url: String,
}
mail!(
    DueDatesMoved,
    DueDatesMoved,
    "email/due_dates_moved/subject.txt",
    "email/due_dates_moved/body.txt",
    "email/due_dates_moved/body.html"
);
