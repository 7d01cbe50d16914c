//! Domain types and rules. Imports nothing else from the crate except the routing vocabulary
//! (`Kind`) and the error type; no database, no HTTP.

pub mod business;
pub mod case;
pub mod complaint;
pub mod error;
pub mod ids;
pub mod mediation;
pub mod open;
pub mod search;
pub mod user;
pub mod values;

pub mod kind;

pub use kind::Kind;
pub use open::Case;
