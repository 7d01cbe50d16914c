//! Shared application state, built once at start and passed to handlers.

use std::sync::Arc;

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

use crate::config::Settings;
use crate::db::Db;
use crate::routing::Router;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub router: Arc<Router>,
    pub mailer: crate::email::Mailer,
    /// `intake.business_name_stopwords`, normalised once at start (used by every intake).
    pub business_stopwords: Arc<Vec<String>>,
}

/// Now, truncated to microseconds: PostgreSQL keeps microseconds, so a time written and read
/// back must be the same value on both backends (event hashes depend on it).
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
}
