//! Identifiers and codes, one type each, so that a case id is never passed where a user id is
//! expected. They are opaque strings: ids are UUIDs (version 7, time-ordered) minted here;
//! agency and category codes are checked against the taxonomy by the service (the domain does
//! not know the province's taxonomy); a tracking code is what citizens read out on the phone.
//! Stored as TEXT: their diesel mapping is in `db::types`.

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($($(#[$m:meta])* $name:ident;)+) => {$(
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> $name {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> $name {
                $name(s.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )+};
}

string_id! {
    /// A case.
    CaseId;
    /// A staff account (or the service account of an API token).
    UserId;
    /// One event of a case's history.
    EventId;
    /// One evidence file attached to a case.
    EvidenceId;
    /// A hotline call logged by an operator.
    CallId;
    /// An entry of the published list of mediators (Art 63(2)).
    MediatorId;
    /// One session of a case's mediation.
    MediationSessionId;
    /// An article of the knowledge base.
    KbArticleId;
    /// An agency of the taxonomy (`so_cong_thuong`, `qltt`, …).
    AgencyCode;
    /// A category of the taxonomy (`food_safety`, …).
    CategoryCode;
    /// The code a citizen is given for their complaint (`KN-2026-7QF3-XK2M`).
    TrackingCode;
}

/// The longest agency code accepted.
pub const MAX_AGENCY_CODE: usize = 32;

/// Whether `code` may name an agency: ASCII letters, digits, `_` and `-`, at most
/// [`MAX_AGENCY_CODE`] bytes (the taxonomy refuses others). Codes are stored space-separated in
/// `cases.visible_to` and become search tokens (`@CODE` on PostgreSQL, `@` and hexadecimal on
/// SQLite): a space or a quote would split or break them, and a search by an agency whose code
/// had other characters would not be narrowed by its token (`db::portability::text_search`).
pub fn is_agency_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_AGENCY_CODE
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

macro_rules! fresh {
    ($($name:ident),+) => {$(
        impl $name {
            /// A new id, time-ordered (UUID version 7).
            #[allow(clippy::new_without_default)]
            pub fn new() -> $name {
                $name(uuid::Uuid::now_v7().to_string())
            }
        }
    )+};
}

fresh!(
    CaseId,
    UserId,
    EventId,
    EvidenceId,
    CallId,
    MediatorId,
    MediationSessionId,
    KbArticleId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_time_ordered_strings() {
        let a = CaseId::new();
        let b = CaseId::new();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 36);
        assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{a}\""));
        let back: CaseId = serde_json::from_str(&format!("\"{a}\"")).unwrap();
        assert_eq!(back, a);
        assert_eq!(AgencyCode::from("qltt"), "qltt");
    }
}
