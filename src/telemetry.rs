//! Logging: human-readable locally, JSON lines in production. Filter from `RUST_LOG`, else
//! `log.level`. Nothing logged anywhere in the service contains request bodies, query
//! strings or personal data (see `http::request_log`).

use tracing_subscriber::EnvFilter;

use crate::config::LogSettings;

pub fn init(log: &LogSettings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&log.level));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    // try_init: tests build several applications in one process.
    let _already = if log.format == "json" {
        builder.json().flatten_event(true).with_current_span(true).try_init()
    } else {
        builder.compact().try_init()
    };
}
