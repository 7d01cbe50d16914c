//! The kinds and states of legal clocks (product.md §4). How a clock counts lives in
//! `service::clocks` (it needs the stored calendar); what a clock *is* lives here.

use serde::{Deserialize, Serialize};

string_enum!(
    /// A deadline the law (or the agency's own target) sets on a case.
    ClockKind {
        Acknowledge => "acknowledge",
        ForwardToBusiness => "forward_to_business",
        BusinessNegotiation => "business_negotiation",
        BusinessReport => "business_report",
        ProvideInfo => "provide_info",
        SettlementPerformance => "settlement_performance",
        CourtRecognition => "court_recognition",
        InternalTarget => "internal_target",
    }
);

string_enum!(
    /// Whether a clock still counts.
    ClockState {
        Running => "running",
        Paused => "paused",
        Stopped => "stopped",
    }
);

string_enum!(
    /// How a stopped clock ended.
    ClockResult {
        Met => "met",
        Late => "late",
    }
);

impl ClockKind {
    /// Vietnamese label, for e-mails and the public page.
    pub fn label_vi(self) -> &'static str {
        match self {
            ClockKind::Acknowledge => "Thông báo thụ lý (10 ngày làm việc)",
            ClockKind::ForwardToBusiness => "Chuyển yêu cầu cho doanh nghiệp (7 ngày làm việc)",
            ClockKind::BusinessNegotiation => "Doanh nghiệp thương lượng (7 ngày làm việc)",
            ClockKind::BusinessReport => "Doanh nghiệp báo cáo kết quả thương lượng (5 ngày làm việc)",
            ClockKind::ProvideInfo => "Bổ sung thông tin",
            ClockKind::SettlementPerformance => "Thực hiện thỏa thuận",
            ClockKind::CourtRecognition => "Yêu cầu Tòa án công nhận hòa giải thành (6 tháng)",
            ClockKind::InternalTarget => "Chỉ tiêu nội bộ",
        }
    }

    /// English label with what it means (the English pages).
    pub fn label_en(self) -> &'static str {
        match self {
            ClockKind::Acknowledge => "The agency tells you whether it takes up your complaint (10 working days)",
            ClockKind::ForwardToBusiness => "Your request is passed to the business (7 working days)",
            ClockKind::BusinessNegotiation => "The business negotiates with you (7 working days)",
            ClockKind::BusinessReport => "The business reports the result of the negotiation (5 working days)",
            ClockKind::ProvideInfo => "You send the information asked for",
            ClockKind::SettlementPerformance => "The agreement is carried out",
            ClockKind::CourtRecognition => "Asking the court to recognise the mediated settlement (6 months)",
            ClockKind::InternalTarget => "Internal target",
        }
    }

    /// Is meeting this clock the duty of the agency holding the case (ADR 0063)? Not the
    /// business's answers (`business_negotiation`, `business_report`: Law 19/2023 Art 57(5)),
    /// the consumer's information (`provide_info`), nor the parties' settlement and court
    /// request (`settlement_performance`, `court_recognition`): an agency's performance counts
    /// only its own clocks.
    pub fn is_agency_duty(self) -> bool {
        matches!(
            self,
            ClockKind::Acknowledge | ClockKind::ForwardToBusiness | ClockKind::InternalTarget
        )
    }

    /// Clocks the public status page shows (internal targets are internal).
    pub fn is_public(self) -> bool {
        self != ClockKind::InternalTarget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for k in ClockKind::ALL {
            assert_eq!(ClockKind::parse(k.as_str()), Some(*k));
        }
        for s in ClockState::ALL {
            assert_eq!(ClockState::parse(s.as_str()), Some(*s));
        }
        assert_eq!(ClockKind::parse("acknowledged"), None);
    }

    #[test]
    fn the_migration_charges_the_agencies_with_their_own_clocks_only() {
        for up in [
            include_str!("../../migrations/sqlite/2026-12-01-000087_clock_agency/up.sql"),
            include_str!("../../migrations/postgres/2026-12-01-000087_clock_agency/up.sql"),
        ] {
            let listed = up.split("WHERE clock IN").nth(1).unwrap_or_default();
            for k in ClockKind::ALL {
                let named = listed.contains(&format!("'{}'", k.as_str()));
                assert_eq!(named, k.is_agency_duty(), "{k:?}");
            }
        }
    }
}
