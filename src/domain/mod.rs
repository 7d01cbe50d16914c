//! Domain types and rules, pure: std, serde, chrono, uuid, its own modules and the pure leaves
//! `text` and `calendar` (tests/layout.rs enforces it). No database, no HTTP, no error type of
//! the service: rules broken are [`error::DomainError`], mapped to codes by the service's error
//! module.

/// A closed set of values named by snake_case text (stored and sent as that text).
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),+ } }
            pub fn parse(s: &str) -> Option<$name> { $name::ALL.iter().copied().find(|v| v.as_str() == s) }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

pub mod alert;
pub mod business;
pub mod case;
pub mod clock;
pub mod complaint;
pub mod error;
pub mod ids;
pub mod kb;
pub mod mediation;
pub mod notice;
pub mod open;
pub mod search;
pub mod user;
pub mod values;

pub mod kind;

pub use kind::Kind;
pub use open::Case;
