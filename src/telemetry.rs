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

/// Replaces the default panic hook, which prints the panic's message: a message such as
/// "byte index 7 is not a char boundary … of `<the complaint's text>`" quotes the data being
/// processed, and complaint text carries names and phone numbers. The hook logs where the
/// panic happened (file, line, thread) and the backtrace when `RUST_BACKTRACE` asks for one,
/// never the message. The request itself is answered 500 by `http::request_log`.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "unknown".into());
        let thread = std::thread::current().name().unwrap_or("unnamed").to_owned();
        let backtrace = std::backtrace::Backtrace::capture();
        let backtrace = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => backtrace.to_string(),
            _ => String::new(),
        };
        tracing::error!(
            location = %location,
            thread = %thread,
            backtrace = %backtrace,
            "panic (its message is withheld: it may quote personal data)"
        );
    }));
}
