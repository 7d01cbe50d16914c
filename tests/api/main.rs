//! Black-box integration tests over HTTP. Every test runs twice, on a fresh SQLite file and on
//! a fresh PostgreSQL database (skipped loudly if PostgreSQL is unreachable and
//! REQUIRE_POSTGRES is not set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;
mod helpers;

mod accounts_review;
mod alerts;
mod assignment;
mod auth;
mod authz;
mod browser;
mod business;
mod calls;
mod cases;
mod citizen_evidence;
mod citizen_links;
mod citizen_reporters;
mod citizen_settlement;
mod clocks;
mod console;
mod console_admin;
mod console_browser;
mod console_browser_admin;
mod console_reports;
mod documents;
mod evidence;
mod flows_review;
mod followup;
mod group_commit;
mod health;
mod intake;
mod kb;
mod kb_browser;
mod lifecycle;
mod mediation;
mod mediation_sessions;
mod notices;
mod open_data;
mod pages;
mod process;
mod public_notices;
mod reports;
mod reports_review;
mod review_fixes;
mod robustness;
mod routing;
mod security;
mod statements;
mod stored_data;
mod units;
