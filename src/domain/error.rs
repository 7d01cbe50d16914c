//! What a domain rule can refuse. Pure: no HTTP status, no code string, no message text;
//! the error module above turns each into a problem document (code, status, English and Vietnamese
//! message) in one place.

use super::case::{ActionName, Status};

/// The rule a field broke. Each has one English and one Vietnamese message, kept with the error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Empty or blank.
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// Contains control characters other than newline and tab.
    ControlCharacters,
    /// Not a Vietnamese phone number.
    Phone,
    /// Not an e-mail address.
    Email,
    /// Not a 10- or 13-digit tax code.
    TaxCode,
    /// A tax code whose check digit is wrong (registry entries only).
    TaxCodeCheckDigit,
    /// A date that may not be in the past.
    DateInPast,
    /// A time that may not be in the future (what was already held).
    DateInFuture,
    /// A settlement's date of performance before the day the settlement was reached.
    BeforeMeeting,
    /// A field that does not apply to this choice.
    NotApplicable,
    /// A transfer to the agency the case is already at.
    SameAgency,
    /// An assignment to the person who already works the case.
    SameAssignee,
    /// A period whose end date is before its start date.
    EndBeforeStart,
}

/// A domain rule refused something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// The case's state does not allow the action; `allowed` is what the actor may do now.
    InvalidTransition {
        action: ActionName,
        status: Status,
        allowed: Vec<ActionName>,
    },
    /// The state allows the action, but not for this actor (role, agency, assignment).
    NotPermitted,
    /// A field broke a rule; `field` is its path in the request (`consumer.phone`).
    Invalid { field: String, rule: Rule },
    /// Law 19/2023 Art 64: a party of an ethnic minority needs a mediator of that group or
    /// speaking its language (`language`, if named), or an interpreter.
    MinorityMediatorRequired { language: Option<String> },
}

impl DomainError {
    pub fn invalid(field: &str, rule: Rule) -> DomainError {
        DomainError::Invalid {
            field: field.to_owned(),
            rule,
        }
    }
}

impl std::fmt::Display for DomainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainError::InvalidTransition { action, status, .. } => {
                write!(f, "action {action} not allowed in status {status}")
            }
            DomainError::NotPermitted => f.write_str("not permitted"),
            DomainError::Invalid { field, rule } => write!(f, "invalid field {field}: {rule:?}"),
            DomainError::MinorityMediatorRequired { .. } => {
                f.write_str("a mediator of the party's language is required")
            }
        }
    }
}

impl std::error::Error for DomainError {}
