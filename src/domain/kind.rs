//! The three kinds of case.

/// The three kinds of case (taxonomy.md, "Case kinds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A question about rights, law or procedure; answered and closed, no lead agency.
    Consultation,
    /// Consumer against a business, settlement sought.
    Dispute,
    /// Report of a breach; no private settlement sought, or many consumers harmed.
    ViolationReport,
}

impl Kind {
    /// All kinds, in a stable order.
    pub const ALL: [Kind; 3] = [Kind::Consultation, Kind::Dispute, Kind::ViolationReport];

    /// The snake_case code used in data and APIs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Kind::Consultation => "consultation",
            Kind::Dispute => "dispute",
            Kind::ViolationReport => "violation_report",
        }
    }

    /// Parses a snake_case code.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// Position in [`Kind::ALL`].
    pub fn index(self) -> usize {
        match self {
            Kind::Consultation => 0,
            Kind::Dispute => 1,
            Kind::ViolationReport => 2,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
