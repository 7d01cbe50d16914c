//! Shared application state, built once at start and passed to handlers.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, DurationRound, NaiveDate, TimeDelta, Utc};

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
    /// What time it is for the service (the worker shares it).
    pub clock: Clock,
    /// Permits for password checks running at once (`auth.max_concurrent_logins`).
    pub login_slots: Arc<tokio::sync::Semaphore>,
    /// The key of the tamper-evident case history (`audit.chain_key`).
    pub chain_key: crate::service::events::ChainKey,
    /// The working-day calendar as last read, checked before each use (ADR 0044).
    pub calendar: crate::service::clocks::CalendarCache,
}

/// The service's clock: the system time plus an offset that is zero in production. Every
/// service and the job worker read the time here, so tests move the clock (`set`, `advance`)
/// instead of ageing stored data; clones share one offset.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// Now, truncated to microseconds: PostgreSQL keeps microseconds, so a time written and
    /// read back must be the same value on both backends (event hashes depend on it).
    pub fn now(&self) -> DateTime<Utc> {
        let t = Utc::now() + TimeDelta::microseconds(self.offset_micros.load(Ordering::Relaxed));
        t.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(t)
    }

    /// Today in Asia/Ho_Chi_Minh.
    pub fn today(&self) -> NaiveDate {
        crate::calendar::local_date(self.now())
    }

    /// From now on the clock reads `at` (and runs on from there).
    pub fn set(&self, at: DateTime<Utc>) {
        let offset = (at - Utc::now()).num_microseconds().unwrap_or(0);
        self.offset_micros.store(offset, Ordering::Relaxed);
    }

    /// Back to the system time.
    pub fn reset(&self) {
        self.offset_micros.store(0, Ordering::Relaxed);
    }

    /// Moves the clock forward (or back, with a negative span).
    pub fn advance(&self, by: TimeDelta) {
        self.offset_micros
            .fetch_add(by.num_microseconds().unwrap_or(0), Ordering::Relaxed);
    }
}
