//! Bodies of `POST /cases/{id}/actions/{action}`: each action validates its own fields.
//!
//! Every body carries `version` (the case version the client saw), and may carry `note`
//! (internal) and `public_message` (shown on the citizen's status page). The remaining fields
//! are the action's own, parsed by its DTO with unknown fields rejected.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::{LONG, SHORT};
use super::extractors::json_error;
use crate::domain::case::{
    Action, ActionName, Correction, MediationRecord, MediationRequester, NegotiationRecord, NegotiationResult,
    RefusalGround, Sanction,
};
use crate::domain::values::{opt_text, text, Email, Phone, Product, TaxCode};
use crate::domain::Kind;
use crate::error::AppError;
use crate::service::cases::ActionEnvelope;

fn take<T: DeserializeOwned>(rest: serde_json::Value) -> Result<T, AppError> {
    serde_path_to_error::deserialize(rest).map_err(json_error)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteDto {
    pub agency: String,
    /// A unit of that agency (`GET /api/v1/units`); absent: the unit suggested from the
    /// consumer's commune, if the agency has one there.
    pub unit: Option<String>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdviseDto {
    pub answer: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptDto {
    pub assignee_id: Option<String>,
}
/// `assign`: the handler or supervisor of the case's agency who works the case from now on.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignDto {
    /// User id (`GET /api/v1/caseworkers` lists the agency's handlers and supervisors).
    pub assignee_id: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefuseDto {
    pub ground: RefusalGround,
    pub explanation: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferDto {
    pub to_agency: String,
    pub reason: String,
    /// A unit of the target agency, taken when it accepts; absent: the suggested unit.
    pub unit: Option<String>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmptyDto {}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonDto {
    pub reason: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardDto {
    /// Where the business's link is sent; without it nothing is sent and the agency delivers
    /// the request itself (the registry entry's contact is `business_party.registry.email`).
    pub business_email: Option<String>,
    pub message: Option<String>,
}
/// Art 60 negotiation record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NegotiationRecordDto {
    pub parties: String,
    pub held_at: DateTime<FixedOffset>,
    pub place: String,
    pub content: String,
    pub result: String,
    pub other_terms: Option<String>,
    pub performance_deadline: Option<NaiveDate>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NegotiationResultDto {
    pub result: NegotiationResult,
    /// Required when `result` is `settled`.
    pub record: Option<NegotiationRecordDto>,
    /// Why it failed (for `failed` / `no_answer`).
    pub reason: Option<String>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NegotiationEndedDto {
    /// The day negotiation ended (default: today); the business's written result is due 5
    /// working days later.
    pub ended_on: Option<NaiveDate>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointMediatorDto {
    pub mediator_id: String,
    /// Interpreter for an ethnic-minority party (Art 64), if any.
    pub interpreter: Option<String>,
    /// The language of a party of an ethnic minority (Art 64): the mediator must be of that
    /// group or speak it, unless an interpreter is recorded. Needed when the case's vulnerable
    /// groups include `ethnic_minority_remote` and no interpreter is named.
    pub party_language: Option<String>,
}
/// Mediation straight from `accepted`, at the parties' request (Law 19/2023 Art 54(1)).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestMediationDto {
    pub requested_by: MediationRequester,
    /// What the parties asked for, as recorded by the handler.
    pub reason: String,
}
/// The eight items of the Art 65 mediation-success record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediationRecordDto {
    pub mediator: String,
    pub parties: String,
    pub held_at: DateTime<FixedOffset>,
    pub place: String,
    pub subject: String,
    pub parties_views: String,
    pub result: String,
    pub performance_deadline: NaiveDate,
    pub other_terms: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediationResultDto {
    pub success: bool,
    /// Required when `success` is true.
    pub record: Option<MediationRecordDto>,
    /// Required when `success` is false.
    pub failure_reason: Option<String>,
    /// Advice given on court or arbitration (Art 70–71).
    pub advice: Option<String>,
}
/// A mediation session: the consumer (if they gave an e-mail) and `attendees` receive an
/// invitation with an iCalendar file.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSessionDto {
    pub at: DateTime<FixedOffset>,
    /// 15–480, default 60.
    pub duration_minutes: Option<u32>,
    /// Where the parties meet; may be empty or absent for a session held online only.
    #[serde(default)]
    pub place: Option<String>,
    /// An `https://` video-call link; one of `place` and `online_link` is required.
    #[serde(default)]
    pub online_link: Option<String>,
    #[serde(default)]
    pub attendees: Vec<String>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartInspectionDto {
    pub plan: Option<String>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SanctionDto {
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub issuing_body: String,
    pub fine_amount_vnd: i64,
    pub violation: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionResultDto {
    pub violation_found: bool,
    /// Required when `violation_found` is true.
    pub sanction: Option<SanctionDto>,
    /// Required when `violation_found` is false.
    pub findings: Option<String>,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestInfoDto {
    pub requested: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvideInfoDto {
    pub info: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkDuplicateDto {
    pub of_case_id: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferDto {
    pub body: String,
    pub reason: String,
}
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReclassifyDto {
    pub kind: Kind,
    pub category: String,
}

/// Whether a settlement was carried out (Art 60, 65, 66); the envelope's `note` says how it
/// is known.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordPerformanceDto {
    pub performed: bool,
    /// With `performed: true`: the money the consumer received (refund, compensation) in VND,
    /// if any — counted as "money recovered" in the reports.
    #[schema(minimum = 1)]
    pub recovered_vnd: Option<i64>,
}

fn short(field: &str, v: &str) -> Result<String, AppError> {
    Ok(text(field, v, SHORT)?)
}
fn long(field: &str, v: &str) -> Result<String, AppError> {
    Ok(text(field, v, LONG)?)
}

fn code<T: From<String>>(field: &str, v: &str) -> Result<T, AppError> {
    let v = v.trim();
    if v.is_empty() || v.len() > 64 {
        return Err(AppError::required(field));
    }
    Ok(T::from(v.to_owned()))
}

/// An optional code: absent or blank is none.
fn opt_code(field: &str, v: Option<String>) -> Result<Option<String>, AppError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => code(field, s).map(Some),
    }
}

/// One action's own fields (its DTO), checked and turned into the domain action.
trait ActionFields: DeserializeOwned {
    fn into_action(self) -> Result<Action, AppError>;
}

/// Parses `rest` as the DTO `T` and turns it into the action.
fn action<T: ActionFields>(rest: serde_json::Value) -> Result<Action, AppError> {
    take::<T>(rest)?.into_action()
}

/// `reason` of the actions whose only field it is.
fn reason(rest: serde_json::Value) -> Result<String, AppError> {
    let d: ReasonDto = take(rest)?;
    long("reason", &d.reason)
}

/// Splits the envelope off and parses the action's own fields.
pub fn parse(name: ActionName, body: serde_json::Value) -> Result<(Action, ActionEnvelope), AppError> {
    let (envelope, rest) = envelope(body)?;
    use ActionName as A;
    let action = match name {
        A::Route => action::<RouteDto>(rest)?,
        A::Advise => action::<AdviseDto>(rest)?,
        A::Accept => action::<AcceptDto>(rest)?,
        A::Refuse => action::<RefuseDto>(rest)?,
        A::Transfer => action::<TransferDto>(rest)?,
        A::AcceptTransfer => action::<EmptyDto>(rest)?,
        A::DeclineTransfer => Action::DeclineTransfer { reason: reason(rest)? },
        A::ForwardToBusiness => action::<ForwardDto>(rest)?,
        A::RecordNegotiationEnded => action::<NegotiationEndedDto>(rest)?,
        A::RecordNegotiationResult => action::<NegotiationResultDto>(rest)?,
        A::RequestMediation => action::<RequestMediationDto>(rest)?,
        A::AppointMediator => action::<AppointMediatorDto>(rest)?,
        A::ScheduleMediationSession => action::<ScheduleSessionDto>(rest)?,
        A::RecordMediationResult => action::<MediationResultDto>(rest)?,
        A::StartInspection => action::<StartInspectionDto>(rest)?,
        A::RecordInspectionResult => action::<InspectionResultDto>(rest)?,
        A::RequestInfo => action::<RequestInfoDto>(rest)?,
        A::ProvideInfo => action::<ProvideInfoDto>(rest)?,
        A::Withdraw => Action::Withdraw { reason: reason(rest)? },
        A::MarkDuplicate => action::<MarkDuplicateDto>(rest)?,
        A::Refer => action::<ReferDto>(rest)?,
        A::Reopen => Action::Reopen { reason: reason(rest)? },
        A::Reclassify => action::<ReclassifyDto>(rest)?,
        A::RecordPerformance => {
            let d: RecordPerformanceDto = take(rest)?;
            if let Some(v) = d.recovered_vnd {
                if !d.performed {
                    return Err(AppError::invalid(
                        "recovered_vnd",
                        "an amount recovered goes with performed: true",
                        "số tiền thu hồi chỉ ghi khi thỏa thuận đã được thực hiện",
                    ));
                }
                if v <= 0 {
                    return Err(AppError::invalid(
                        "recovered_vnd",
                        "the amount recovered is a positive number of đồng",
                        "số tiền thu hồi phải là số đồng lớn hơn 0",
                    ));
                }
            }
            Action::RecordPerformance {
                performed: d.performed,
                recovered_vnd: d.recovered_vnd,
            }
        }
        A::AddNote => action::<AddNoteDto>(rest)?,
        A::CorrectData => action::<CorrectDataDto>(rest)?,
        A::Assign => action::<AssignDto>(rest)?,
    };
    Ok((action, envelope))
}

/// The OpenAPI schema of each action's own fields (what [`parse`] reads), for the console's forms.
pub fn schema_name(name: ActionName) -> &'static str {
    use ActionName as A;
    match name {
        A::Route => "RouteDto",
        A::Advise => "AdviseDto",
        A::Accept => "AcceptDto",
        A::Refuse => "RefuseDto",
        A::Transfer => "TransferDto",
        A::AcceptTransfer => "EmptyDto",
        A::DeclineTransfer | A::Withdraw | A::Reopen => "ReasonDto",
        A::ForwardToBusiness => "ForwardDto",
        A::RecordNegotiationEnded => "NegotiationEndedDto",
        A::RecordNegotiationResult => "NegotiationResultDto",
        A::RequestMediation => "RequestMediationDto",
        A::AppointMediator => "AppointMediatorDto",
        A::ScheduleMediationSession => "ScheduleSessionDto",
        A::RecordMediationResult => "MediationResultDto",
        A::StartInspection => "StartInspectionDto",
        A::RecordInspectionResult => "InspectionResultDto",
        A::RequestInfo => "RequestInfoDto",
        A::ProvideInfo => "ProvideInfoDto",
        A::MarkDuplicate => "MarkDuplicateDto",
        A::Refer => "ReferDto",
        A::Reclassify => "ReclassifyDto",
        A::RecordPerformance => "RecordPerformanceDto",
        A::AddNote => "AddNoteDto",
        A::CorrectData => "CorrectDataDto",
        A::Assign => "AssignDto",
    }
}

/// `version`, `note` and `public_message`, and the remaining fields (the action's own).
fn envelope(body: serde_json::Value) -> Result<(ActionEnvelope, serde_json::Value), AppError> {
    let serde_json::Value::Object(mut map) = body else {
        return Err(AppError::invalid(
            "body",
            "the body must be a JSON object",
            "dữ liệu phải là một đối tượng JSON",
        ));
    };
    let version = match map.remove("version") {
        Some(serde_json::Value::Number(n)) => n
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .ok_or_else(|| AppError::invalid("version", "must be an integer", "phải là số nguyên"))?,
        Some(_) => return Err(AppError::invalid("version", "must be an integer", "phải là số nguyên")),
        None => return Err(AppError::required("version")),
    };
    let mut str_field = |key: &str| -> Result<Option<String>, AppError> {
        match map.remove(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(opt_text(key, Some(&s), LONG)?),
            Some(_) => Err(AppError::invalid(key, "must be a string", "phải là chuỗi ký tự")),
        }
    };
    let note = str_field("note")?;
    let public_message = str_field("public_message")?;
    let envelope = ActionEnvelope {
        version,
        note,
        public_message,
    };
    Ok((envelope, serde_json::Value::Object(map)))
}

impl ActionFields for RouteDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Route {
            agency: code("agency", &self.agency)?,
            unit: opt_code("unit", self.unit)?,
        })
    }
}

impl ActionFields for AdviseDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Advise {
            answer: long("answer", &self.answer)?,
        })
    }
}

impl ActionFields for AcceptDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Accept {
            assignee_id: self.assignee_id.map(Into::into),
        })
    }
}

impl ActionFields for AssignDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Assign {
            assignee_id: code("assignee_id", &self.assignee_id)?,
        })
    }
}

impl ActionFields for RefuseDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Refuse {
            ground: self.ground,
            explanation: long("explanation", &self.explanation)?,
        })
    }
}

impl ActionFields for TransferDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Transfer {
            to_agency: code("to_agency", &self.to_agency)?,
            reason: long("reason", &self.reason)?,
            unit: opt_code("unit", self.unit)?,
        })
    }
}

impl ActionFields for EmptyDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::AcceptTransfer)
    }
}

impl ActionFields for ForwardDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::ForwardToBusiness {
            business_email: match self.business_email.as_deref().map(str::trim) {
                Some(e) if !e.is_empty() => Some(Email::parse("business_email", e)?.as_ref().to_owned()),
                _ => None,
            },
            message: opt_text("message", self.message.as_deref(), LONG)?,
        })
    }
}

impl ActionFields for NegotiationEndedDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::RecordNegotiationEnded {
            ended_on: self.ended_on,
        })
    }
}

impl ActionFields for NegotiationResultDto {
    fn into_action(self) -> Result<Action, AppError> {
        let d = self;
        let record = match (d.result, d.record) {
            (NegotiationResult::Settled, None) => return Err(AppError::required("record")),
            (_, Some(r)) => Some(NegotiationRecord {
                parties: short("record.parties", &r.parties)?,
                held_at: r.held_at.to_utc().naive_utc(),
                place: short("record.place", &r.place)?,
                content: long("record.content", &r.content)?,
                result: long("record.result", &r.result)?,
                other_terms: opt_text("record.other_terms", r.other_terms.as_deref(), LONG)?,
                performance_deadline: r.performance_deadline,
            }),
            (_, None) => None,
        };
        let reason = opt_text("reason", d.reason.as_deref(), LONG)?;
        if d.result != NegotiationResult::Settled && reason.is_none() {
            return Err(AppError::required("reason"));
        }
        Ok(Action::RecordNegotiationResult {
            result: d.result,
            record,
            reason,
        })
    }
}

impl ActionFields for AppointMediatorDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::AppointMediator {
            mediator_id: code("mediator_id", &self.mediator_id)?,
            interpreter: opt_text("interpreter", self.interpreter.as_deref(), SHORT)?,
            party_language: opt_text("party_language", self.party_language.as_deref(), SHORT)?,
        })
    }
}

impl ActionFields for RequestMediationDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::RequestMediation {
            requested_by: self.requested_by,
            reason: long("reason", &self.reason)?,
        })
    }
}

impl ActionFields for ScheduleSessionDto {
    fn into_action(self) -> Result<Action, AppError> {
        let d = self;
        let duration = session_duration(d.duration_minutes)?;
        let (place, online_link) = session_venue(d.place.as_deref(), d.online_link.as_deref(), true)?;
        if d.attendees.len() > 20 {
            return Err(AppError::invalid("attendees", "at most 20", "tối đa 20 người"));
        }
        let mut attendees = Vec::new();
        for (i, a) in d.attendees.iter().enumerate() {
            attendees.push(Email::parse(&format!("attendees[{i}]"), a)?.as_ref().to_owned());
        }
        Ok(Action::ScheduleMediationSession {
            at: d.at.to_utc().naive_utc(),
            duration_minutes: duration,
            place,
            online_link,
            attendees,
        })
    }
}

/// A session's length in minutes: 15–480, 60 when not given.
pub fn session_duration(minutes: Option<u32>) -> Result<u32, AppError> {
    let duration = minutes.unwrap_or(60);
    if !(15..=480).contains(&duration) {
        return Err(AppError::invalid(
            "duration_minutes",
            "between 15 and 480",
            "từ 15 đến 480 phút",
        ));
    }
    Ok(duration)
}

/// A session's place and online link (blank is absent); with `required`, one of the two.
pub fn session_venue(
    place: Option<&str>,
    online_link: Option<&str>,
    required: bool,
) -> Result<(Option<String>, Option<String>), AppError> {
    let place = opt_text("place", place, SHORT)?;
    let link = opt_text("online_link", online_link, SHORT)?;
    if let Some(l) = &link {
        let ok = l.starts_with("https://") && l.len() > "https://".len() && !l.chars().any(char::is_whitespace);
        if !ok {
            return Err(AppError::invalid(
                "online_link",
                "an https:// link without spaces",
                "đường dẫn phải bắt đầu bằng https:// và không có khoảng trắng",
            ));
        }
    }
    if required && place.is_none() && link.is_none() {
        return Err(AppError::required("place"));
    }
    Ok((place, link))
}

impl ActionFields for MediationResultDto {
    fn into_action(self) -> Result<Action, AppError> {
        let d = self;
        let record = match (d.success, d.record) {
            (true, None) => return Err(AppError::required("record")),
            (true, Some(r)) => Some(MediationRecord {
                mediator: short("record.mediator", &r.mediator)?,
                parties: short("record.parties", &r.parties)?,
                held_at: r.held_at.to_utc().naive_utc(),
                place: short("record.place", &r.place)?,
                subject: long("record.subject", &r.subject)?,
                parties_views: long("record.parties_views", &r.parties_views)?,
                result: long("record.result", &r.result)?,
                performance_deadline: r.performance_deadline,
                other_terms: r.other_terms.trim().to_owned(),
            }),
            (false, Some(_)) => {
                return Err(AppError::invalid(
                    "record",
                    "a failed mediation has no success record",
                    "hòa giải không thành thì không có biên bản hòa giải thành",
                ))
            }
            (false, None) => None,
        };
        let failure_reason = opt_text("failure_reason", d.failure_reason.as_deref(), LONG)?;
        if !d.success && failure_reason.is_none() {
            return Err(AppError::required("failure_reason"));
        }
        Ok(Action::RecordMediationResult {
            success: d.success,
            record,
            failure_reason,
            advice: opt_text("advice", d.advice.as_deref(), LONG)?,
        })
    }
}

impl ActionFields for StartInspectionDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::StartInspection {
            plan: opt_text("plan", self.plan.as_deref(), LONG)?,
        })
    }
}

impl ActionFields for InspectionResultDto {
    fn into_action(self) -> Result<Action, AppError> {
        let d = self;
        let sanction = match (d.violation_found, d.sanction) {
            (true, None) => return Err(AppError::required("sanction")),
            (true, Some(s)) => {
                if s.fine_amount_vnd < 0 {
                    return Err(AppError::invalid(
                        "sanction.fine_amount_vnd",
                        "must not be negative",
                        "không được âm",
                    ));
                }
                Some(Sanction {
                    decision_number: short("sanction.decision_number", &s.decision_number)?,
                    decision_date: s.decision_date,
                    issuing_body: short("sanction.issuing_body", &s.issuing_body)?,
                    fine_amount_vnd: s.fine_amount_vnd,
                    violation: long("sanction.violation", &s.violation)?,
                })
            }
            (false, Some(_)) => {
                return Err(AppError::invalid(
                    "sanction",
                    "no sanction without a violation",
                    "không có vi phạm thì không có xử phạt",
                ))
            }
            (false, None) => None,
        };
        let findings = opt_text("findings", d.findings.as_deref(), LONG)?;
        if !d.violation_found && findings.is_none() {
            return Err(AppError::required("findings"));
        }
        Ok(Action::RecordInspectionResult {
            violation_found: d.violation_found,
            sanction,
            findings,
        })
    }
}

impl ActionFields for RequestInfoDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::RequestInfo {
            requested: long("requested", &self.requested)?,
        })
    }
}

impl ActionFields for ProvideInfoDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::ProvideInfo {
            info: long("info", &self.info)?,
        })
    }
}

impl ActionFields for MarkDuplicateDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::MarkDuplicate {
            of_case_id: code("of_case_id", &self.of_case_id)?,
        })
    }
}

impl ActionFields for ReferDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Refer {
            body: short("body", &self.body)?,
            reason: long("reason", &self.reason)?,
        })
    }
}

/// An internal note (no change of state; never shown to the consumer).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddNoteDto {
    pub text: String,
}

impl ActionFields for AddNoteDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::AddNote {
            text: long("text", &self.text)?,
        })
    }
}

/// A correction of intake data: at least one field, and why.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectDataDto {
    pub consumer_phone: Option<String>,
    pub consumer_email: Option<String>,
    pub business_name: Option<String>,
    pub business_tax_code: Option<String>,
    /// The product or service complained about (one line, at most 200 characters).
    pub product: Option<String>,
    pub reason: String,
}

impl ActionFields for CorrectDataDto {
    fn into_action(self) -> Result<Action, AppError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let correction = Correction {
            consumer_phone: given(&self.consumer_phone)
                .map(|p| Phone::parse("consumer_phone", &p))
                .transpose()?,
            consumer_email: given(&self.consumer_email)
                .map(|e| Email::parse("consumer_email", &e))
                .transpose()?,
            business_name: given(&self.business_name)
                .map(|n| text("business_name", &n, SHORT))
                .transpose()?,
            business_tax_code: given(&self.business_tax_code)
                .map(|t| TaxCode::parse("business_tax_code", &t))
                .transpose()?,
            product: Product::parse("product", self.product.as_deref())?,
        };
        if correction.fields().is_empty() {
            return Err(AppError::invalid(
                "consumer_phone",
                "give at least one corrected field",
                "hãy nhập ít nhất một thông tin cần sửa",
            ));
        }
        Ok(Action::CorrectData {
            correction,
            reason: long("reason", &self.reason)?,
        })
    }
}

impl ActionFields for ReclassifyDto {
    fn into_action(self) -> Result<Action, AppError> {
        Ok(Action::Reclassify {
            kind: self.kind,
            category: code("category", &self.category)?,
        })
    }
}
