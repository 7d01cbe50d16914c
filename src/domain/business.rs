//! The business as a party (Law 19/2023 Art 57): its answer to a forwarded request and its
//! report of the negotiation's result, as parsed values. Pure: the service decides clocks,
//! events and e-mails.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::error::{DomainError, Rule};
use super::values::{opt_text, text};

/// The longest free text a business may send in one answer.
pub const MAX_ANSWER_CHARS: usize = 10_000;

/// What the business answers to the forwarded request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// It agrees to negotiate (Art 57(2)).
    Accept,
    /// It refuses; the law requires written reasons (Art 57(6)).
    Refuse,
    /// It proposes a settlement straight away.
    Propose,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Refuse => "refuse",
            Decision::Propose => "propose",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Decision::Accept => "Đồng ý thương lượng",
            Decision::Refuse => "Từ chối thương lượng",
            Decision::Propose => "Đề xuất phương án giải quyết",
        }
    }
}

/// The result the business reports (Art 57(5)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedResult {
    Settled,
    Failed,
}

impl ReportedResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedResult::Settled => "settled",
            ReportedResult::Failed => "failed",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ReportedResult::Settled => "Thương lượng thành",
            ReportedResult::Failed => "Thương lượng không thành",
        }
    }
}

/// A checked answer: a refusal carries its reasons, a proposal its terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusinessResponse {
    pub decision: Decision,
    pub message: Option<String>,
    pub proposal: Option<String>,
}

impl BusinessResponse {
    pub fn parse(decision: Decision, message: Option<&str>, proposal: Option<&str>) -> Result<Self, DomainError> {
        let message = match decision {
            Decision::Refuse => Some(text("message", message.unwrap_or_default(), MAX_ANSWER_CHARS)?),
            _ => opt_text("message", message, MAX_ANSWER_CHARS)?,
        };
        let proposal = match decision {
            Decision::Propose => Some(text("proposal", proposal.unwrap_or_default(), MAX_ANSWER_CHARS)?),
            _ => opt_text("proposal", proposal, MAX_ANSWER_CHARS)?,
        };
        Ok(BusinessResponse {
            decision,
            message,
            proposal,
        })
    }
}

/// A checked report of the result: a settlement states its terms; a performance date, if
/// given, is not before the day of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusinessReport {
    pub result: ReportedResult,
    pub terms: Option<String>,
    pub performance_due: Option<NaiveDate>,
}

impl BusinessReport {
    pub fn parse(
        result: ReportedResult,
        terms: Option<&str>,
        performance_due: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Self, DomainError> {
        let terms = match result {
            ReportedResult::Settled => Some(text("terms", terms.unwrap_or_default(), MAX_ANSWER_CHARS)?),
            ReportedResult::Failed => opt_text("terms", terms, MAX_ANSWER_CHARS)?,
        };
        if performance_due.is_some_and(|d| d < today) {
            return Err(DomainError::invalid("performance_due", Rule::DateInPast));
        }
        if result == ReportedResult::Failed && performance_due.is_some() {
            return Err(DomainError::invalid("performance_due", Rule::NotApplicable));
        }
        Ok(BusinessReport {
            result,
            terms,
            performance_due,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_refusal_needs_reasons_and_a_proposal_its_terms() {
        assert!(BusinessResponse::parse(Decision::Refuse, None, None).is_err());
        assert!(BusinessResponse::parse(Decision::Refuse, Some("  "), None).is_err());
        assert!(BusinessResponse::parse(Decision::Refuse, Some("Hết hạn bảo hành."), None).is_ok());
        assert!(BusinessResponse::parse(Decision::Propose, Some("x"), None).is_err());
        assert!(BusinessResponse::parse(Decision::Accept, None, None).is_ok());
    }

    #[test]
    fn a_settlement_states_its_terms() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert!(BusinessReport::parse(ReportedResult::Settled, None, None, d).is_err());
        assert!(BusinessReport::parse(ReportedResult::Settled, Some("Đổi máy mới."), Some(d), d).is_ok());
        assert!(BusinessReport::parse(ReportedResult::Failed, None, Some(d), d).is_err());
        let before = d.pred_opt().unwrap();
        assert!(BusinessReport::parse(ReportedResult::Settled, Some("t"), Some(before), d).is_err());
    }
}
