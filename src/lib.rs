//! hotline: the provincial consumer-protection hotline and case service.
//!
//! Layers (see docs/architecture.md): `http` → `service` → {`domain`, `db`}; `domain` imports
//! nothing from `db` or `http`.

pub mod atom;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod db;
pub mod documents;
pub mod domain;
pub mod email;
pub mod error;
pub mod http;
pub mod routing;
pub mod service;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod xlsx;
