//! The case and its state machine (product.md §3).
//!
//! [`apply`] is a pure function from (state, action) to the next state: the service layer
//! loads the state, calls it, writes the difference and the event in one transaction. Which
//! actions a caller may take is [`allowed_actions`]; the HTTP layer never hard-codes the graph.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::error::{DomainError, Rule};
use super::ids::{AgencyCode, CaseId, CategoryCode, UserId};
use super::user::{Actor, Role};
use super::Kind;

string_enum!(
    /// Where a case is in its process.
    Status {
        New => "new",
        Routed => "routed",
        Accepted => "accepted",
        Negotiation => "negotiation",
        Mediation => "mediation",
        Inspection => "inspection",
        AwaitingInfo => "awaiting_info",
        Closed => "closed",
    }
);

string_enum!(
    /// How a closed case ended.
    Outcome {
        Advised => "advised",
        Refused => "refused",
        SettledNegotiation => "settled_negotiation",
        SettledMediation => "settled_mediation",
        MediationFailed => "mediation_failed",
        Sanctioned => "sanctioned",
        NoViolation => "no_violation",
        Withdrawn => "withdrawn",
        Duplicate => "duplicate",
        Referred => "referred",
    }
);

string_enum!(
    /// How the complaint arrived (recorded for statistics). `internal`: opened by the service
    /// itself (a violation report from a mass-complaint cluster), never accepted from a client.
    Channel {
        Hotline => "hotline",
        Web => "web",
        Email => "email",
        Letter => "letter",
        WalkIn => "walk_in",
        Zalo => "zalo",
        Api => "api",
        // Opened by the service from its own data (a violation report from a mass-complaint
        // cluster); never accepted in a request body.
        Internal => "internal",
    }
);

string_enum!(
    /// Vulnerable consumer groups of Law 19/2023 Art 8(1).
    VulnerableGroup {
        Elderly => "elderly",
        Disability => "disability",
        Child => "child",
        EthnicMinorityRemote => "ethnic_minority_remote",
        PregnantOrInfant => "pregnant_or_infant",
        SeriousIllness => "serious_illness",
        PoorHousehold => "poor_household",
    }
);

string_enum!(
    /// Grounds to refuse a negotiation-support request (Law 19/2023 Art 58).
    RefusalGround {
        MinorOrIncapacitatedWithoutRepresentative => "minor_or_incapacitated_without_representative",
        NotConsumerOrRepresentative => "not_consumer_or_representative",
        InsufficientInformation => "insufficient_information",
        OutsideRemit => "outside_remit",
        AlreadyResolved => "already_resolved",
    }
);

string_enum!(
    /// Every action of the state machine, as it appears in `/cases/{id}/actions/{action}`.
    ActionName {
        Route => "route",
        Advise => "advise",
        Accept => "accept",
        Refuse => "refuse",
        Transfer => "transfer",
        AcceptTransfer => "accept_transfer",
        DeclineTransfer => "decline_transfer",
        Assign => "assign",
        ForwardToBusiness => "forward_to_business",
        RecordNegotiationEnded => "record_negotiation_ended",
        RecordNegotiationResult => "record_negotiation_result",
        RequestMediation => "request_mediation",
        AppointMediator => "appoint_mediator",
        ScheduleMediationSession => "schedule_mediation_session",
        RecordMediationResult => "record_mediation_result",
        StartInspection => "start_inspection",
        RecordInspectionResult => "record_inspection_result",
        RequestInfo => "request_info",
        ProvideInfo => "provide_info",
        Withdraw => "withdraw",
        MarkDuplicate => "mark_duplicate",
        Refer => "refer",
        Reopen => "reopen",
        Reclassify => "reclassify",
        AddNote => "add_note",
        CorrectData => "correct_data",
        RecordPerformance => "record_performance",
    }
);

string_enum!(
    /// Who asked for mediation without (or before the end of) negotiation (Art 54(1)).
    MediationRequester {
        Consumer => "consumer",
        Business => "business",
        Both => "both",
    }
);

string_enum!(
    /// Result of the business negotiation stage.
    NegotiationResult {
        Settled => "settled",
        Failed => "failed",
        NoAnswer => "no_answer",
    }
);

impl Status {
    pub fn is_open(self) -> bool {
        self != Status::Closed
    }

    /// Whether a case with this status (and `return_status`) is in `stage`: there, or waiting
    /// for the consumer's information asked during it (`awaiting_info` goes back to it).
    pub fn within(self, return_status: Option<Status>, stage: Status) -> bool {
        self == stage || (self == Status::AwaitingInfo && return_status == Some(stage))
    }

    /// Vietnamese label of the stage, for the public status page.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::New => "Đã tiếp nhận",
            Status::Routed => "Đã chuyển cơ quan có thẩm quyền",
            Status::Accepted => "Đang xử lý",
            Status::Negotiation => "Đang thương lượng với doanh nghiệp",
            Status::Mediation => "Đang hòa giải",
            Status::Inspection => "Đang kiểm tra, xác minh",
            Status::AwaitingInfo => "Chờ bổ sung thông tin",
            Status::Closed => "Đã kết thúc",
        }
    }

    /// English label of the stage (the English pages).
    pub fn label_en(self) -> &'static str {
        match self {
            Status::New => "Received",
            Status::Routed => "Passed to the competent agency",
            Status::Accepted => "Being handled",
            Status::Negotiation => "Negotiating with the business",
            Status::Mediation => "In mediation",
            Status::Inspection => "Being inspected and verified",
            Status::AwaitingInfo => "Waiting for more information from you",
            Status::Closed => "Closed",
        }
    }
}

impl Channel {
    /// Vietnamese label (reports).
    pub fn label_vi(self) -> &'static str {
        match self {
            Channel::Hotline => "Tổng đài",
            Channel::Web => "Cổng thông tin (web)",
            Channel::Email => "Thư điện tử",
            Channel::Letter => "Đơn, thư gửi bưu điện",
            Channel::WalkIn => "Trực tiếp tại cơ quan",
            Channel::Zalo => "Zalo",
            Channel::Api => "Hệ thống khác (API)",
            Channel::Internal => "Hệ thống tự lập (báo cáo vi phạm)",
        }
    }
}

impl VulnerableGroup {
    /// Vietnamese label (reports).
    pub fn label_vi(self) -> &'static str {
        match self {
            VulnerableGroup::Elderly => "Người cao tuổi",
            VulnerableGroup::Disability => "Người khuyết tật",
            VulnerableGroup::Child => "Trẻ em",
            VulnerableGroup::EthnicMinorityRemote => {
                "Người dân tộc thiểu số; người sống ở miền núi, hải đảo, vùng khó khăn"
            }
            VulnerableGroup::PregnantOrInfant => "Phụ nữ mang thai, nuôi con nhỏ",
            VulnerableGroup::SeriousIllness => "Người mắc bệnh hiểm nghèo",
            VulnerableGroup::PoorHousehold => "Hộ nghèo",
        }
    }
}

impl Outcome {
    pub fn label_vi(self) -> &'static str {
        match self {
            Outcome::Advised => "Đã tư vấn",
            Outcome::Refused => "Từ chối hỗ trợ",
            Outcome::SettledNegotiation => "Thương lượng thành",
            Outcome::SettledMediation => "Hòa giải thành",
            Outcome::MediationFailed => "Hòa giải không thành",
            Outcome::Sanctioned => "Đã xử phạt vi phạm",
            Outcome::NoViolation => "Không phát hiện vi phạm",
            Outcome::Withdrawn => "Người tiêu dùng rút yêu cầu",
            Outcome::Duplicate => "Trùng với hồ sơ khác",
            Outcome::Referred => "Đã chuyển cơ quan khác ngoài hệ thống",
        }
    }

    /// English label of the outcome (the English pages).
    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::Advised => "Advice given",
            Outcome::Refused => "Support refused",
            Outcome::SettledNegotiation => "Settled by negotiation",
            Outcome::SettledMediation => "Settled by mediation",
            Outcome::MediationFailed => "Mediation failed",
            Outcome::Sanctioned => "Violation sanctioned",
            Outcome::NoViolation => "No violation found",
            Outcome::Withdrawn => "Withdrawn by the consumer",
            Outcome::Duplicate => "Duplicate of another complaint",
            Outcome::Referred => "Referred to an agency outside the system",
        }
    }
}

/// The Art 60 negotiation record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NegotiationRecord {
    pub parties: String,
    pub held_at: NaiveDateTime,
    pub place: String,
    pub content: String,
    pub result: String,
    pub other_terms: Option<String>,
    pub performance_deadline: Option<NaiveDate>,
}

/// The eight items of the Art 65 mediation-success record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediationRecord {
    /// 1. the mediating person or organisation
    pub mediator: String,
    /// 2. the parties
    pub parties: String,
    /// 3. time and place
    pub held_at: NaiveDateTime,
    pub place: String,
    /// 4. the subject of the dispute
    pub subject: String,
    /// 5. the parties' views
    pub parties_views: String,
    /// 6. the result and how it will be carried out
    pub result: String,
    /// 7. the deadline for performance
    pub performance_deadline: NaiveDate,
    /// 8. other agreed terms
    pub other_terms: String,
}

/// How far ahead of the service's clock a recorded meeting may be (another device's clock).
pub const RECORD_CLOCK_SKEW_MINUTES: i64 = 5;

/// A settlement record's dates against `now`: the meeting was held (not after now, a few
/// minutes of clock skew allowed: a meeting in the future would also push the court-recognition
/// date out), and its agreed performance is not before today (Asia/Ho_Chi_Minh) nor before
/// the meeting's day (a past date would make the next sweep find it not carried out).
pub fn check_record_dates(
    held_at: NaiveDateTime,
    performance_deadline: Option<NaiveDate>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DomainError> {
    if held_at > now.naive_utc() + chrono::TimeDelta::minutes(RECORD_CLOCK_SKEW_MINUTES) {
        return Err(DomainError::invalid("record.held_at", Rule::DateInFuture));
    }
    let Some(deadline) = performance_deadline else {
        return Ok(());
    };
    if deadline < crate::calendar::local_date(now) {
        return Err(DomainError::invalid("record.performance_deadline", Rule::DateInPast));
    }
    if deadline < crate::calendar::local_date(held_at.and_utc()) {
        return Err(DomainError::invalid("record.performance_deadline", Rule::BeforeMeeting));
    }
    Ok(())
}

/// The dates of the settlement record an action carries, if any ([`check_record_dates`]).
pub fn check_action_dates(action: &Action, now: chrono::DateTime<chrono::Utc>) -> Result<(), DomainError> {
    match action {
        Action::RecordNegotiationResult { record: Some(r), .. } => {
            check_record_dates(r.held_at, r.performance_deadline, now)
        }
        Action::RecordMediationResult { record: Some(r), .. } => {
            check_record_dates(r.held_at, Some(r.performance_deadline), now)
        }
        _ => Ok(()),
    }
}

/// A sanction decision that closes an inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sanction {
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub issuing_body: String,
    pub fine_amount_vnd: i64,
    pub violation: String,
}

/// A validated action with its own fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Route {
        agency: AgencyCode,
        /// A unit of that agency (ADR 0033); none: the unit suggested from the consumer's commune.
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    Advise {
        answer: String,
    },
    Accept {
        assignee_id: Option<UserId>,
    },
    Refuse {
        ground: RefusalGround,
        explanation: String,
    },
    Transfer {
        to_agency: AgencyCode,
        reason: String,
        /// A unit of the target agency, taken when it accepts (ADR 0033).
        #[serde(skip_serializing_if = "Option::is_none")]
        unit: Option<String>,
    },
    AcceptTransfer,
    DeclineTransfer {
        reason: String,
    },
    ForwardToBusiness {
        business_email: Option<String>,
        message: Option<String>,
    },
    /// The business reports that negotiation has ended; its written result is due in 5 working
    /// days (Art 57(5)).
    RecordNegotiationEnded {
        ended_on: Option<NaiveDate>,
    },
    RecordNegotiationResult {
        result: NegotiationResult,
        record: Option<NegotiationRecord>,
        reason: Option<String>,
    },
    /// Mediation at the parties' request, straight from `accepted` (Law 19/2023 Art 54(1)):
    /// negotiation is a choice of the parties, not a step they must go through.
    RequestMediation {
        requested_by: MediationRequester,
        reason: String,
    },
    AppointMediator {
        mediator_id: UserId,
        interpreter: Option<String>,
        /// The language of a party of an ethnic minority (Art 64), if any.
        party_language: Option<String>,
    },
    ScheduleMediationSession {
        /// UTC start.
        at: NaiveDateTime,
        duration_minutes: u32,
        /// Where the parties meet; `None` for a session held online only.
        place: Option<String>,
        /// The video-call link of an online (or hybrid) session; one of `place` and
        /// `online_link` is given.
        online_link: Option<String>,
        /// Other people to invite (e.g. the business's contact); the consumer is invited by
        /// e-mail if they gave an address.
        attendees: Vec<String>,
    },
    RecordMediationResult {
        success: bool,
        record: Option<MediationRecord>,
        failure_reason: Option<String>,
        advice: Option<String>,
    },
    StartInspection {
        plan: Option<String>,
    },
    RecordInspectionResult {
        violation_found: bool,
        sanction: Option<Sanction>,
        findings: Option<String>,
    },
    RequestInfo {
        requested: String,
    },
    ProvideInfo {
        info: String,
    },
    Withdraw {
        reason: String,
    },
    MarkDuplicate {
        of_case_id: CaseId,
    },
    Refer {
        body: String,
        reason: String,
    },
    Reopen {
        reason: String,
    },
    Reclassify {
        kind: Kind,
        category: CategoryCode,
    },
    /// Whether a settlement (negotiation, Art 60; mediation, Art 65) was carried out (the body's
    /// `note` says how it is known), as the
    /// handler records it — or as the sweep records it (`performed: false`) when the agreed
    /// date passed without confirmation. Not carried out reopens the case to `accepted`, where
    /// the handler chooses what comes next (Art 66; ADR 0029).
    RecordPerformance {
        performed: bool,
        /// With `performed`: the money the consumer received (refund, compensation), in VND,
        /// when there was any — the reports' "money recovered".
        recovered_vnd: Option<i64>,
    },
    /// A supervisor gives an accepted case to another handler (or supervisor) of the agency:
    /// someone is away, has left, or holds too many cases (product.md §1, "reassign").
    Assign {
        assignee_id: UserId,
    },
    /// An internal note on the case: no change of state, never shown to the consumer.
    AddNote {
        text: String,
    },
    /// A correction of what was recorded at intake (a mistyped phone, e-mail, business, tax
    /// code), with why. The history records which fields changed, not the personal values.
    CorrectData {
        correction: Correction,
        reason: String,
    },
}

/// Corrected intake data; at least one field.
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    pub consumer_phone: Option<super::values::Phone>,
    pub consumer_email: Option<super::values::Email>,
    pub business_name: Option<String>,
    pub business_tax_code: Option<super::values::TaxCode>,
    pub product: Option<super::values::Product>,
}

impl Correction {
    /// The names of the corrected fields.
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("consumer_phone", self.consumer_phone.is_some()),
            ("consumer_email", self.consumer_email.is_some()),
            ("business_name", self.business_name.is_some()),
            ("business_tax_code", self.business_tax_code.is_some()),
            ("product", self.product.is_some()),
        ]
        .into_iter()
        .filter_map(|(f, set)| set.then_some(f))
        .collect()
    }
}

/// In the history: the fields corrected, and the business's new name and tax code (not
/// personal data); the consumer's new phone and e-mail, and the product's new name (free text a
/// consumer may have typed a phone or a name into, ADR 0066), stay in the case row only, which
/// erasure anonymises (the history is never rewritten).
impl Serialize for Correction {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Correction", 3)?;
        st.serialize_field("fields", &self.fields())?;
        st.serialize_field("business_name", &self.business_name)?;
        st.serialize_field("business_tax_code", &self.business_tax_code)?;
        st.end()
    }
}

impl Action {
    pub fn name(&self) -> ActionName {
        match self {
            Action::Route { .. } => ActionName::Route,
            Action::Advise { .. } => ActionName::Advise,
            Action::Accept { .. } => ActionName::Accept,
            Action::Refuse { .. } => ActionName::Refuse,
            Action::Transfer { .. } => ActionName::Transfer,
            Action::AcceptTransfer => ActionName::AcceptTransfer,
            Action::DeclineTransfer { .. } => ActionName::DeclineTransfer,
            Action::ForwardToBusiness { .. } => ActionName::ForwardToBusiness,
            Action::RecordNegotiationEnded { .. } => ActionName::RecordNegotiationEnded,
            Action::RecordNegotiationResult { .. } => ActionName::RecordNegotiationResult,
            Action::RequestMediation { .. } => ActionName::RequestMediation,
            Action::AppointMediator { .. } => ActionName::AppointMediator,
            Action::ScheduleMediationSession { .. } => ActionName::ScheduleMediationSession,
            Action::RecordMediationResult { .. } => ActionName::RecordMediationResult,
            Action::StartInspection { .. } => ActionName::StartInspection,
            Action::RecordInspectionResult { .. } => ActionName::RecordInspectionResult,
            Action::RequestInfo { .. } => ActionName::RequestInfo,
            Action::ProvideInfo { .. } => ActionName::ProvideInfo,
            Action::Withdraw { .. } => ActionName::Withdraw,
            Action::MarkDuplicate { .. } => ActionName::MarkDuplicate,
            Action::Refer { .. } => ActionName::Refer,
            Action::Reopen { .. } => ActionName::Reopen,
            Action::Reclassify { .. } => ActionName::Reclassify,
            Action::RecordPerformance { .. } => ActionName::RecordPerformance,
            Action::AddNote { .. } => ActionName::AddNote,
            Action::CorrectData { .. } => ActionName::CorrectData,
            Action::Assign { .. } => ActionName::Assign,
        }
    }
}

/// The part of a case the state machine reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    pub status: Status,
    pub outcome: Option<Outcome>,
    /// For `awaiting_info`: the status to resume; for `closed`: the status it closed from.
    pub return_status: Option<Status>,
    pub kind: Kind,
    pub category: CategoryCode,
    pub current_agency: Option<AgencyCode>,
    pub pending_transfer_to: Option<AgencyCode>,
    pub assignee_id: Option<UserId>,
    pub mediator_id: Option<UserId>,
}

impl CaseState {
    /// The status that decides what may happen next: the resumed status while awaiting info.
    fn underlying(&self) -> Status {
        match (self.status, self.return_status) {
            (Status::AwaitingInfo, Some(s)) => s,
            (s, _) => s,
        }
    }
}

/// Does the state (status, kind, pending transfer) allow this action at all?
pub fn state_allows(s: &CaseState, a: ActionName) -> bool {
    use ActionName as A;
    use Status as S;
    let pending = s.pending_transfer_to.is_some();
    match a {
        A::Route => s.status == S::New,
        // A question answered: at intake, or once a routed case turned out to be one
        // (reclassified as a consultation), by the agency holding it.
        A::Advise => {
            s.status == S::New
                || (matches!(s.status, S::Routed | S::Accepted) && s.kind == Kind::Consultation && !pending)
        }
        A::Accept => s.status == S::Routed && !pending,
        A::Refuse => {
            !pending
                && (matches!(s.status, S::Routed | S::Accepted)
                    || (s.status == S::AwaitingInfo && matches!(s.underlying(), S::Routed | S::Accepted)))
        }
        A::Transfer => matches!(s.status, S::Routed | S::Accepted) && !pending,
        A::AcceptTransfer | A::DeclineTransfer => matches!(s.status, S::Routed | S::Accepted) && pending,
        A::ForwardToBusiness | A::RequestMediation => s.status == S::Accepted && s.kind == Kind::Dispute && !pending,
        A::RecordNegotiationEnded | A::RecordNegotiationResult => s.status == S::Negotiation,
        A::AppointMediator | A::ScheduleMediationSession | A::RecordMediationResult => s.status == S::Mediation,
        A::StartInspection => s.status == S::Accepted && s.kind == Kind::ViolationReport && !pending,
        A::RecordInspectionResult => s.status == S::Inspection,
        A::RequestInfo => s.status.is_open() && s.status != S::AwaitingInfo && !pending,
        A::ProvideInfo => s.status == S::AwaitingInfo,
        A::Withdraw | A::MarkDuplicate | A::Refer => s.status.is_open(),
        A::Reopen => s.status == S::Closed && s.return_status.is_some(),
        A::Reclassify => matches!(s.status, S::New | S::Routed | S::Accepted) && !pending,
        A::AddNote | A::CorrectData => true,
        // Someone works the case once it is accepted, until it closes.
        // Not while a transfer waits: the agency that takes it chooses its own assignee.
        A::Assign => s.status.is_open() && !matches!(s.underlying(), S::New | S::Routed) && !pending,
        A::RecordPerformance => {
            s.status == S::Closed && matches!(s.outcome, Some(Outcome::SettledNegotiation | Outcome::SettledMediation))
        }
    }
}

/// May this actor take this action on a case it can see? (Visibility is checked before.)
pub fn actor_allows(actor: &Actor, s: &CaseState, a: ActionName) -> bool {
    use ActionName as A;
    let staff = match actor {
        Actor::Staff(staff) => staff,
        // The consumer, through their private link: withdraw, send the information asked for,
        // or reopen by rating a closed case "not resolved" (the service bounds it to 30 days).
        // Through the same link, that a settlement was not carried out (`record_performance`).
        // Information nobody asked for is added to an open case as the consumer's note (while
        // information is awaited, what they send is that information).
        Actor::Citizen => {
            return matches!(a, A::Withdraw | A::ProvideInfo | A::Reopen | A::RecordPerformance)
                || (a == A::AddNote && s.status.is_open() && s.status != Status::AwaitingInfo)
        }
        // The sweep, when a settlement's agreed date passed without confirmation.
        Actor::System => return a == A::RecordPerformance,
        _ => return false,
    };
    let of_current = staff.agency.is_some() && staff.agency == s.current_agency;
    let of_target = staff.agency.is_some() && staff.agency == s.pending_transfer_to;
    match staff.role {
        Role::Admin | Role::Coordinator => false,
        Role::Mediator => {
            matches!(a, A::RecordMediationResult | A::ScheduleMediationSession | A::AddNote)
                && s.mediator_id.as_deref() == Some(staff.id.as_str())
        }
        Role::Operator => {
            of_current
                && matches!(
                    a,
                    A::Route
                        | A::Advise
                        | A::Reclassify
                        | A::RequestInfo
                        | A::ProvideInfo
                        | A::Withdraw
                        | A::Refer
                        | A::MarkDuplicate
                        | A::AddNote
                        | A::CorrectData
                )
        }
        Role::Handler | Role::Supervisor => match a {
            A::AcceptTransfer | A::DeclineTransfer => of_target,
            A::Reopen | A::Assign => of_current && staff.role == Role::Supervisor,
            _ => of_current,
        },
    }
}

/// Actions this actor may take now, in the order of [`ActionName::ALL`].
pub fn allowed_actions(actor: &Actor, s: &CaseState) -> Vec<ActionName> {
    ActionName::ALL
        .iter()
        .copied()
        .filter(|a| state_allows(s, *a) && actor_allows(actor, s, *a))
        .collect()
}

/// The next state after `actor` takes `action`, or why it cannot happen: the state does not
/// allow it (with what the actor may do instead), or the actor may not.
pub fn decide(actor: &Actor, s: &CaseState, action: &Action) -> Result<CaseState, DomainError> {
    let name = action.name();
    if !state_allows(s, name) {
        return Err(DomainError::InvalidTransition {
            action: name,
            status: s.status,
            allowed: allowed_actions(actor, s),
        });
    }
    if !actor_allows(actor, s, name) {
        return Err(DomainError::NotPermitted);
    }
    apply(s, action)
}

/// The next state after `action`, whoever takes it, or why the state does not allow it (with
/// every action the state allows).
pub fn apply(s: &CaseState, action: &Action) -> Result<CaseState, DomainError> {
    let name = action.name();
    if !state_allows(s, name) {
        return Err(DomainError::InvalidTransition {
            action: name,
            status: s.status,
            allowed: ActionName::ALL
                .iter()
                .copied()
                .filter(|a| state_allows(s, *a))
                .collect(),
        });
    }
    let mut n = s.clone();
    let close = |n: &mut CaseState, outcome: Outcome| {
        n.return_status = Some(s.underlying());
        n.status = Status::Closed;
        n.outcome = Some(outcome);
        n.pending_transfer_to = None;
    };
    match action {
        Action::Route { agency, .. } => {
            n.status = Status::Routed;
            n.current_agency = Some(agency.clone());
            n.assignee_id = None;
        }
        Action::Advise { .. } => close(&mut n, Outcome::Advised),
        Action::Accept { assignee_id } => {
            n.status = Status::Accepted;
            n.assignee_id = assignee_id.clone();
        }
        Action::Refuse { .. } => close(&mut n, Outcome::Refused),
        Action::Transfer { to_agency, .. } => {
            if s.current_agency.as_deref() == Some(to_agency.as_str()) {
                return Err(DomainError::invalid("to_agency", Rule::SameAgency));
            }
            n.pending_transfer_to = Some(to_agency.clone());
        }
        Action::AcceptTransfer => {
            n.current_agency = s.pending_transfer_to.clone();
            n.pending_transfer_to = None;
            n.status = Status::Routed;
            n.assignee_id = None;
        }
        Action::DeclineTransfer { .. } => n.pending_transfer_to = None,
        Action::ForwardToBusiness { .. } => n.status = Status::Negotiation,
        Action::RequestMediation { .. } => n.status = Status::Mediation,
        Action::RecordNegotiationResult { result, .. } => match result {
            NegotiationResult::Settled => close(&mut n, Outcome::SettledNegotiation),
            NegotiationResult::Failed | NegotiationResult::NoAnswer => n.status = Status::Mediation,
        },
        Action::AppointMediator { mediator_id, .. } => n.mediator_id = Some(mediator_id.clone()),
        Action::ScheduleMediationSession { .. } | Action::RecordNegotiationEnded { .. } => {}
        Action::RecordMediationResult { success, .. } => close(
            &mut n,
            if *success {
                Outcome::SettledMediation
            } else {
                Outcome::MediationFailed
            },
        ),
        Action::StartInspection { .. } => n.status = Status::Inspection,
        Action::RecordInspectionResult { violation_found, .. } => close(
            &mut n,
            if *violation_found {
                Outcome::Sanctioned
            } else {
                Outcome::NoViolation
            },
        ),
        Action::RequestInfo { .. } => {
            n.return_status = Some(s.status);
            n.status = Status::AwaitingInfo;
        }
        Action::ProvideInfo { .. } => {
            n.status = s.underlying();
            n.return_status = None;
        }
        Action::Withdraw { .. } => close(&mut n, Outcome::Withdrawn),
        Action::MarkDuplicate { .. } => close(&mut n, Outcome::Duplicate),
        Action::Refer { .. } => close(&mut n, Outcome::Referred),
        Action::Reopen { .. } => {
            n.status = s.return_status.unwrap_or(Status::New);
            n.return_status = None;
            n.outcome = None;
        }
        Action::Reclassify { kind, category } => {
            n.kind = *kind;
            n.category = category.clone();
        }
        Action::RecordPerformance { performed, .. } => after_performance(&mut n, *performed),
        Action::Assign { assignee_id } => n.assignee_id = Some(reassigned(s, assignee_id)?),
        Action::AddNote { .. } | Action::CorrectData { .. } => {}
    }
    Ok(n)
}

/// The new assignee of an `assign`: someone other than who works the case now.
fn reassigned(s: &CaseState, to: &UserId) -> Result<UserId, DomainError> {
    if s.assignee_id.as_ref() == Some(to) {
        return Err(DomainError::invalid("assignee_id", Rule::SameAssignee));
    }
    Ok(to.clone())
}

/// A settlement not carried out goes back to the handler's desk, whatever stage it came from:
/// a new forwarding, a mediation or a closure with advice are all open from `accepted`.
fn after_performance(n: &mut CaseState, performed: bool) {
    if !performed {
        n.status = Status::Accepted;
        n.return_status = None;
        n.outcome = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::Staff;

    #[test]
    fn a_case_waiting_for_information_stays_within_its_stage() {
        use Status as S;
        assert!(S::Negotiation.within(None, S::Negotiation));
        assert!(S::AwaitingInfo.within(Some(S::Negotiation), S::Negotiation));
        assert!(!S::AwaitingInfo.within(Some(S::Accepted), S::Negotiation));
        assert!(!S::AwaitingInfo.within(Some(S::Negotiation), S::Mediation));
        assert!(!S::Mediation.within(Some(S::Negotiation), S::Negotiation));
        assert!(!S::Closed.within(Some(S::Mediation), S::Mediation));
    }

    fn state(status: Status, kind: Kind) -> CaseState {
        CaseState {
            status,
            outcome: None,
            return_status: None,
            kind,
            category: "ecommerce".into(),
            current_agency: Some("SCT".into()),
            pending_transfer_to: None,
            assignee_id: None,
            mediator_id: None,
        }
    }

    /// A question that reached an agency is answered there; not a dispute, not while a
    /// transfer waits for the other agency.
    #[test]
    fn a_routed_or_accepted_consultation_may_be_advised() {
        let h = staff(Role::Handler, "SCT");
        for status in [Status::Routed, Status::Accepted] {
            assert!(allowed_actions(&h, &state(status, Kind::Consultation)).contains(&ActionName::Advise));
            assert!(!allowed_actions(&h, &state(status, Kind::Dispute)).contains(&ActionName::Advise));
            let mut pending = state(status, Kind::Consultation);
            pending.pending_transfer_to = Some("QLTT".into());
            assert!(!allowed_actions(&h, &pending).contains(&ActionName::Advise));
        }
        let closed = apply(
            &state(Status::Routed, Kind::Consultation),
            &Action::Advise { answer: "x".into() },
        )
        .unwrap();
        assert_eq!(
            (closed.status, closed.outcome),
            (Status::Closed, Some(Outcome::Advised))
        );
        assert_eq!(
            closed.return_status,
            Some(Status::Routed),
            "a reopening returns to the agency"
        );
    }

    /// The consumer adds a note (information unasked) to an open case, not while information
    /// is awaited (then they provide it) and not once it is closed.
    #[test]
    fn the_consumer_adds_information_to_an_open_case_only() {
        for (status, may) in [
            (Status::New, true),
            (Status::Routed, true),
            (Status::Negotiation, true),
            (Status::AwaitingInfo, false),
            (Status::Closed, false),
        ] {
            let st = state(status, Kind::Dispute);
            assert_eq!(
                allowed_actions(&Actor::Citizen, &st).contains(&ActionName::AddNote),
                may,
                "{status:?}"
            );
        }
    }

    fn staff(role: Role, agency: &str) -> Actor {
        Actor::Staff(Staff {
            id: "u1".into(),
            username: "u".into(),
            display_name: "U".into(),
            role,
            agency: Some(agency.into()),
            unit: None,
        })
    }

    #[test]
    fn request_info_then_provide_returns_to_the_same_status() {
        for st in [
            Status::New,
            Status::Routed,
            Status::Accepted,
            Status::Negotiation,
            Status::Mediation,
            Status::Inspection,
        ] {
            let s = state(st, Kind::Dispute);
            let w = apply(&s, &Action::RequestInfo { requested: "x".into() }).unwrap();
            assert_eq!(w.status, Status::AwaitingInfo);
            let back = apply(&w, &Action::ProvideInfo { info: "y".into() }).unwrap();
            assert_eq!(back.status, st);
        }
    }

    #[test]
    fn reopen_returns_to_the_state_it_closed_from() {
        let s = state(Status::Negotiation, Kind::Dispute);
        let c = apply(&s, &Action::Withdraw { reason: "x".into() }).unwrap();
        assert_eq!(c.status, Status::Closed);
        let r = apply(&c, &Action::Reopen { reason: "y".into() }).unwrap();
        assert_eq!(r.status, Status::Negotiation);
        assert_eq!(r.outcome, None);
    }

    #[test]
    fn forwarding_is_for_disputes_and_inspection_for_violation_reports() {
        let d = state(Status::Accepted, Kind::Dispute);
        let v = state(Status::Accepted, Kind::ViolationReport);
        assert!(state_allows(&d, ActionName::ForwardToBusiness));
        assert!(!state_allows(&d, ActionName::StartInspection));
        assert!(state_allows(&v, ActionName::StartInspection));
        assert!(!state_allows(&v, ActionName::ForwardToBusiness));
    }

    #[test]
    fn mediation_is_reached_directly_from_accepted_at_the_parties_request() {
        let d = state(Status::Accepted, Kind::Dispute);
        let req = Action::RequestMediation {
            requested_by: MediationRequester::Both,
            reason: "Hai bên đề nghị hòa giải".into(),
        };
        let m = decide(&staff(Role::Handler, "SCT"), &d, &req).unwrap();
        assert_eq!(m.status, Status::Mediation);
        assert!(allowed_actions(&staff(Role::Handler, "SCT"), &m).contains(&ActionName::AppointMediator));
        // Not for violation reports, not from negotiation, not by an operator or a mediator.
        assert!(!state_allows(
            &state(Status::Accepted, Kind::ViolationReport),
            ActionName::RequestMediation
        ));
        assert!(!state_allows(
            &state(Status::Negotiation, Kind::Dispute),
            ActionName::RequestMediation
        ));
        assert_eq!(
            decide(&staff(Role::Operator, "SCT"), &d, &req),
            Err(DomainError::NotPermitted)
        );
        assert_eq!(
            decide(&staff(Role::Mediator, "HOI"), &d, &req),
            Err(DomainError::NotPermitted)
        );
    }

    #[test]
    fn only_staff_of_the_current_agency_act_and_only_supervisors_reopen() {
        let s = state(Status::Routed, Kind::Dispute);
        assert!(allowed_actions(&staff(Role::Handler, "QLTT"), &s).is_empty());
        assert!(allowed_actions(&staff(Role::Handler, "SCT"), &s).contains(&ActionName::Accept));
        assert!(!allowed_actions(&staff(Role::Operator, "SCT"), &s).contains(&ActionName::Accept));
        let closed = apply(&s, &Action::Withdraw { reason: "x".into() }).unwrap();
        assert!(!allowed_actions(&staff(Role::Handler, "SCT"), &closed).contains(&ActionName::Reopen));
        assert!(allowed_actions(&staff(Role::Supervisor, "SCT"), &closed).contains(&ActionName::Reopen));
        assert!(allowed_actions(&staff(Role::Coordinator, "SCT"), &s).is_empty());
    }

    #[test]
    fn a_supervisor_reassigns_an_accepted_case_until_it_closes() {
        let sup = staff(Role::Supervisor, "SCT");
        let routed = state(Status::Routed, Kind::Dispute);
        assert!(
            !allowed_actions(&sup, &routed).contains(&ActionName::Assign),
            "accept assigns a routed case"
        );
        let accepted = apply(
            &routed,
            &Action::Accept {
                assignee_id: Some("u2".into()),
            },
        )
        .unwrap();
        assert!(allowed_actions(&sup, &accepted).contains(&ActionName::Assign));
        assert!(!allowed_actions(&staff(Role::Handler, "SCT"), &accepted).contains(&ActionName::Assign));
        assert!(!allowed_actions(&staff(Role::Supervisor, "QLTT"), &accepted).contains(&ActionName::Assign));
        let waiting = apply(&accepted, &Action::RequestInfo { requested: "x".into() }).unwrap();
        assert!(allowed_actions(&sup, &waiting).contains(&ActionName::Assign));
        let moved = apply(
            &waiting,
            &Action::Assign {
                assignee_id: "u3".into(),
            },
        )
        .unwrap();
        assert_eq!(
            (moved.assignee_id.as_deref(), moved.status),
            (Some("u3"), Status::AwaitingInfo)
        );
        assert_eq!(
            apply(
                &moved,
                &Action::Assign {
                    assignee_id: "u3".into()
                }
            ),
            Err(DomainError::invalid("assignee_id", Rule::SameAssignee))
        );
        let offered = apply(
            &accepted,
            &Action::Transfer {
                to_agency: "QLTT".into(),
                reason: "x".into(),
                unit: None,
            },
        )
        .unwrap();
        assert!(
            !allowed_actions(&sup, &offered).contains(&ActionName::Assign),
            "a transfer waits"
        );
        let closed = apply(&moved, &Action::Withdraw { reason: "x".into() }).unwrap();
        assert!(!allowed_actions(&sup, &closed).contains(&ActionName::Assign));
    }

    #[test]
    fn a_pending_transfer_is_decided_by_the_target_agency() {
        let s = state(Status::Routed, Kind::Dispute);
        let t = apply(
            &s,
            &Action::Transfer {
                to_agency: "HOI".into(),
                reason: "r".into(),
                unit: None,
            },
        )
        .unwrap();
        assert_eq!(
            allowed_actions(&staff(Role::Handler, "HOI"), &t),
            vec![ActionName::AcceptTransfer, ActionName::DeclineTransfer]
        );
        assert!(!allowed_actions(&staff(Role::Handler, "SCT"), &t).contains(&ActionName::Accept));
        let a = apply(&t, &Action::AcceptTransfer).unwrap();
        assert_eq!(a.current_agency.as_deref(), Some("HOI"));
        let d = apply(&t, &Action::DeclineTransfer { reason: "r".into() }).unwrap();
        assert_eq!(d.current_agency.as_deref(), Some("SCT"));
        assert_eq!(d.pending_transfer_to, None);
    }

    #[test]
    fn a_settlement_not_carried_out_returns_the_case_to_the_handler() {
        let m = state(Status::Mediation, Kind::Dispute);
        let closed = apply(
            &m,
            &Action::Withdraw {
                reason: "not a settlement".into(),
            },
        )
        .unwrap();
        assert!(!state_allows(&closed, ActionName::RecordPerformance));
        let mut settled = closed.clone();
        settled.outcome = Some(Outcome::SettledMediation);
        let handler = staff(Role::Handler, "SCT");
        assert!(allowed_actions(&handler, &settled).contains(&ActionName::RecordPerformance));
        assert!(!allowed_actions(&staff(Role::Operator, "SCT"), &settled).contains(&ActionName::RecordPerformance));
        let done = Action::RecordPerformance {
            performed: true,
            recovered_vnd: Some(2_000_000),
        };
        assert_eq!(decide(&handler, &settled, &done).unwrap(), settled);
        let missed = Action::RecordPerformance {
            performed: false,
            recovered_vnd: None,
        };
        let back = decide(&Actor::System, &settled, &missed).unwrap();
        assert_eq!(
            (back.status, back.outcome, back.return_status),
            (Status::Accepted, None, None)
        );
        assert_eq!(decide(&Actor::Citizen, &settled, &missed).unwrap(), back);
        assert_eq!(
            decide(&Actor::Business, &settled, &missed),
            Err(DomainError::NotPermitted)
        );
    }
}
