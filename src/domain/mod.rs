//! Domain types and rules. Imports nothing else from the crate except the routing vocabulary
//! (`Kind`) and the error type; no database, no HTTP.

pub mod case;
pub mod complaint;
pub mod search;
pub mod user;
pub mod values;

pub use crate::routing::Kind;
