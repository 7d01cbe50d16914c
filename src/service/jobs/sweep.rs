//! The deadline sweep (reminders, overdue marks, escalations, digest scheduling, expired
//! violator notices, the weekly early-warning job) and the daily digest.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Timelike, Utc};

use super::super::clocks;
use super::super::events::{self, NewEvent};
use crate::calendar::{self, vn_date};
use crate::db::{cases as case_db, clocks as clock_db, reference, users, AnyConnection};
use crate::domain::clock::ClockState;
use crate::domain::user::Actor;
use crate::email as mail;
use crate::error::AppError;
use crate::routing::Router;

use super::worker::Worker;
use super::{enqueue_email, enqueue_job, Digest};

/// What the sweep and digests need, cloned to the blocking pool.
#[derive(Clone)]
pub struct SweepCtx {
    router: Arc<Router>,
    base_url: String,
    max_attempts: i32,
    digest_hour: u32,
    chain_key: crate::service::events::ChainKey,
    retention_days: u32,
    /// `jobs.keep_done_days`.
    keep_done_days: u32,
    /// Report deadlines and reminders (issue 14).
    reports: crate::config::ReportSettings,
    /// For the transition the sweep records when a settlement's date passes (ADR 0029).
    intake: crate::service::intake::IntakeContext,
}

impl SweepCtx {
    pub(super) fn new(w: &Worker) -> SweepCtx {
        SweepCtx {
            router: w.router.clone(),
            base_url: w.settings.email.public_base_url.trim_end_matches('/').to_owned(),
            max_attempts: w.settings.jobs.max_attempts,
            digest_hour: w.settings.jobs.digest_hour,
            chain_key: crate::service::events::ChainKey::from_settings(&w.settings),
            retention_days: w.settings.privacy.retention_days,
            keep_done_days: w.settings.jobs.keep_done_days,
            reports: w.settings.reports.clone(),
            intake: crate::service::intake::IntakeContext::from_settings(
                &w.settings,
                w.router.clone(),
                w.clock.clone(),
            ),
        }
    }
}

/// Staff to tell about a case: the assignee if they still work the agency's cases and have an
/// e-mail, else the agency's handlers and supervisors.
fn case_recipients(conn: &mut AnyConnection, case: &case_db::CaseRow, roles: &[&str]) -> Result<Vec<String>, AppError> {
    if roles.contains(&"handler") {
        if let Some(e) = crate::service::notify::working_assignee_email(conn, case)? {
            return Ok(vec![e]);
        }
    }
    let Some(agency) = &case.current_agency else {
        return Ok(vec![]);
    };
    Ok(users::agency_emails(conn, agency, roles)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// Reminders one working day before a due date, overdue marking with escalation to the
/// agency's supervisors, and the scheduling of each agency's daily digest.
pub fn sweep(conn: &mut AnyConnection, ctx: &SweepCtx, at: DateTime<Utc>) -> Result<(), AppError> {
    let cal = clocks::load_calendar(conn)?;
    let today = calendar::local_date(at);
    let t = at.naive_utc();
    // Housekeeping: expired sessions, abuse-limit counters quiet for a day, finished jobs.
    users::delete_expired_sessions(conn, t - crate::service::auth::ENDED_SESSION_KEPT)?;
    crate::service::limits::purge(conn, at.timestamp())?;
    purge_done_jobs(conn, ctx.keep_done_days, t)?;
    crate::service::privacy::apply_retention(conn, &ctx.chain_key, &ctx.router, ctx.retention_days, at)?;
    // Violators published for their period leave the public list (Decree 55/2024 Art 24).
    crate::service::violators::expire(conn, &ctx.chain_key, at)?;
    // Everything due by the end of the next working day.
    let horizon = calendar::end_of_day_utc(cal.next_working_day(today)).naive_utc();
    for listed in clock_db::running_due_before(conn, horizon)? {
        // The case locked, the clock read again: on PostgreSQL a handler's transition may have
        // stopped or paused it since the list was read, and saving the listed row would undo
        // that.
        crate::db::portability::lock_row(conn, crate::db::portability::Locked::Case, &listed.case_id)?;
        let Some(mut c) = clock_db::find(conn, &listed.id)?.filter(|c| c.state == ClockState::Running) else {
            continue;
        };
        let Some(case) = case_db::find_by_id(conn, &c.case_id)? else {
            continue;
        };
        let case_url = crate::service::notify::staff_case_url(&ctx.base_url, &case.id);
        let mut changed = false;
        let mut overdue_now = false;
        if !c.reminded && t <= c.due_at && today >= cal.prev_working_day(c.due_date) {
            for to in case_recipients(conn, &case, &["handler", "supervisor"])? {
                let m = mail::Reminder {
                    tracking_code: case.tracking_code.to_string(),
                    clock_label: c.clock.label_vi().into(),
                    due_date: vn_date(c.due_date),
                    case_url: case_url.clone(),
                };
                enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
            }
            c.reminded = true;
            changed = true;
        }
        if !c.overdue && t > c.due_at {
            c.overdue = true;
            changed = true;
            overdue_now = true;
            escalate(conn, ctx, &case, &c, &case_url, at)?;
        }
        if changed {
            clock_db::save(conn, &c)?;
        }
        // After the save: the transition stops this clock itself.
        if overdue_now {
            crate::service::cases::performance_missed(conn, &ctx.intake, &c, at)?;
        }
    }
    crate::service::cases::remind_court_recognition(conn, &ctx.intake, at)?;
    remind_callbacks(conn, ctx, at)?;
    let reports = crate::service::reports::submissions::ReminderCtx {
        settings: &ctx.reports,
        taxonomy: ctx.router.taxonomy(),
        base_url: &ctx.base_url,
        max_attempts: ctx.max_attempts,
    };
    crate::service::reports::submissions::remind(conn, &reports, at)?;
    // Early warning: once per ISO week, keyed by the week examined (ADR 0038).
    crate::service::alerts::detect(conn, ctx.router.taxonomy(), at)?;
    let local_hour = (t.and_utc() + TimeDelta::hours(7)).hour();
    if local_hour >= ctx.digest_hour {
        for a in reference::list_agencies(conn)? {
            let job = Digest {
                agency: a.code.clone(),
                date: today,
            };
            enqueue_job(
                conn,
                &job,
                t,
                t,
                Some(format!("digest:{}:{today}", a.code)),
                ctx.max_attempts,
            )?;
        }
    }
    Ok(())
}

/// Deletes the jobs that finished more than `keep_days` ago, at most [`PURGE_BATCH`] per sweep
/// (a first sweep over a long-kept table catches up over several sweeps, each a short write).
fn purge_done_jobs(conn: &mut AnyConnection, keep_days: u32, t: chrono::NaiveDateTime) -> Result<(), AppError> {
    let before = t - TimeDelta::days(i64::from(keep_days));
    let deleted = crate::db::jobs::delete_done_before(conn, before, PURGE_BATCH)?;
    if deleted > 0 {
        tracing::info!(
            jobs = deleted,
            keep_days,
            "deleted finished jobs past their keeping period"
        );
    }
    Ok(())
}

/// Finished jobs one sweep deletes at most.
const PURGE_BATCH: i64 = 5_000;

/// Callbacks that fell due: their owner is e-mailed once (the console lists them, overdue
/// first). The caller's number appears by its last four digits only.
fn remind_callbacks(conn: &mut AnyConnection, ctx: &SweepCtx, at: DateTime<Utc>) -> Result<(), AppError> {
    for call in crate::db::calls::callbacks_to_remind(conn, at.naive_utc())? {
        let owner = match &call.callback_owner_id {
            Some(o) => users::find_by_id(conn, o)?,
            None => None,
        };
        if let Some((u, to)) = owner.and_then(|u| u.email.clone().map(|e| (u, e))) {
            let digits: String = call.caller_phone.chars().filter(char::is_ascii_digit).collect();
            let m = mail::CallbackDue {
                owner_name: u.display_name,
                phone_last4: digits.chars().skip(digits.len().saturating_sub(4)).collect(),
                due_time: call
                    .callback_due_at
                    .map(|d| (d + TimeDelta::hours(7)).format("%H:%M %d/%m/%Y").to_string())
                    .unwrap_or_default(),
                callbacks_url: format!("{}/console/callbacks", ctx.base_url.trim_end_matches('/')),
            };
            enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
        }
        crate::db::calls::mark_reminded(conn, &call.id)?;
    }
    Ok(())
}

/// A clock just went overdue: its supervisors are e-mailed, an event records it, and a
/// business's silence is flagged.
fn escalate(
    conn: &mut AnyConnection,
    ctx: &SweepCtx,
    case: &case_db::CaseRow,
    c: &crate::db::clocks::ClockRow,
    case_url: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let t = at.naive_utc();
    let assignee = match &case.assignee_id {
        Some(a) => users::find_by_id(conn, a)?.map(|u| u.display_name).unwrap_or_default(),
        None => "chưa phân công".into(),
    };
    let supervisors = match &case.current_agency {
        Some(a) => users::agency_emails(conn, a, &["supervisor"])?,
        None => vec![],
    };
    for (_, to) in supervisors {
        let m = mail::OverdueEscalation {
            tracking_code: case.tracking_code.to_string(),
            clock_label: c.clock.label_vi().into(),
            due_date: vn_date(c.due_date),
            assignee: assignee.clone(),
            case_url: case_url.to_owned(),
        };
        enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
    }
    case_db::touch(conn, &case.id, t)?;
    events::append(
        conn,
        &ctx.chain_key,
        &case.id,
        &Actor::System,
        t,
        NewEvent {
            action: "clock_overdue".into(),
            from_status: Some(case.status),
            to_status: case.status,
            data: serde_json::json!({"clock": c.clock, "due_date": c.due_date, "escalated_to": "supervisors"}),
            public_message: None,
        },
    )?;
    crate::service::business::flag_silence(conn, &ctx.chain_key, &ctx.base_url, ctx.max_attempts, case, c, at)?;
    Ok(())
}

/// One agency's daily digest to its handlers and supervisors, for the day `date` it was
/// scheduled for (a retry after midnight keeps its day): the open cases counted on the
/// database, the first 50 overdue or due within two working days listed.
pub fn digest(
    conn: &mut AnyConnection,
    ctx: &SweepCtx,
    agency: &str,
    date: chrono::NaiveDate,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let recipients = users::agency_emails(conn, agency, &["handler", "supervisor"])?;
    if recipients.is_empty() {
        return Ok(());
    }
    let cal = clocks::load_calendar(conn)?;
    let soon = calendar::end_of_day_utc(cal.add_working_days(calendar::local_date(at), 2).due).naive_utc();
    let scope = case_db::Scope::Agency(agency.into());
    let open = crate::domain::search::ListFilter {
        agency: Some(agency.to_owned()),
        open_only: true,
        ..Default::default()
    };
    let due_by = |t| crate::domain::search::ListFilter {
        due_before: Some(t),
        ..open.clone()
    };
    let counted = case_db::counts(conn, &scope, &[open.clone(), due_by(at.naive_utc()), due_by(soon)])?;
    let (open_cases, overdue, due_soon_or_overdue) = match counted[..] {
        [a, b, c] => (a, b, c),
        _ => {
            return Err(AppError::Internal(anyhow::anyhow!(
                "three counts asked, {} answered",
                counted.len()
            )))
        }
    };
    // The overdue first (up to 50), then those due soon: the list is priority first, so the
    // two are asked apart (priority cases due soon must not crowd out the overdue).
    let by_due = crate::domain::search::Sort::DueAsc;
    let now = at.naive_utc();
    let mut listed = case_db::list(conn, &scope, &due_by(now), by_due, None, 50)?;
    if listed.len() < 50 {
        let room = 50 - listed.len();
        let limit = (50 + listed.len()) as i64;
        let due_soon = case_db::list(conn, &scope, &due_by(soon), by_due, None, limit)?;
        listed.extend(
            due_soon
                .into_iter()
                .filter(|c| c.due_at.is_some_and(|d| d >= now))
                .take(room),
        );
    }
    let items: Vec<mail::DigestItem> = listed
        .iter()
        .map(|c| mail::DigestItem {
            tracking_code: c.tracking_code.to_string(),
            due_date: c
                .due_at
                .map(|d| vn_date(calendar::local_date(d.and_utc())))
                .unwrap_or_default(),
            status: c.status.label_vi().to_owned(),
            overdue: c.due_at.is_some_and(|d| d < at.naive_utc()),
            case_url: crate::service::notify::staff_case_url(&ctx.base_url, &c.id),
        })
        .collect();
    let agency_name = ctx
        .router
        .taxonomy()
        .agency(agency)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| agency.to_owned());
    let m = mail::DailyDigest {
        agency_name,
        date: vn_date(date),
        open_cases: usize::try_from(open_cases).unwrap_or(0),
        due_soon: usize::try_from(due_soon_or_overdue - overdue).unwrap_or(0),
        overdue: usize::try_from(overdue).unwrap_or(0),
        items,
    };
    for (_, to) in recipients {
        enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
    }
    Ok(())
}

/// Writes a signed checkpoint of every history head when the newest one in
/// `audit.checkpoint_dir` is older than `audit.checkpoint_interval_secs` (see
/// `service::checkpoint`).
pub async fn checkpoint_if_due(w: &Worker, at: DateTime<Utc>) -> Result<(), AppError> {
    let interval = w.settings.audit.checkpoint_interval_secs;
    if interval == 0 {
        return Ok(());
    }
    let dir = w.settings.checkpoint_dir();
    let due = crate::service::checkpoint::newest_in(&dir)
        .is_none_or(|last| (at - last).num_seconds() >= i64::try_from(interval).unwrap_or(i64::MAX));
    if !due {
        return Ok(());
    }
    let key = crate::service::events::ChainKey::from_settings(&w.settings);
    w.db.run(move |conn| {
        let cp = crate::service::checkpoint::Checkpoint::take(conn, &key, at)?;
        let path = cp
            .write_to(&dir)
            .map_err(|e| AppError::Internal(e.context("writing the history checkpoint")))?;
        tracing::info!(cases = cp.cases.len(), signature = %cp.signature, path = %path.display(), "history checkpoint written");
        Ok(())
    })
    .await
}
