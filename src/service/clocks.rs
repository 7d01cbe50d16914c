//! Legal clocks on the working-day calendar (product.md §4).
//!
//! A clock counts working days after its start date (the day of the triggering event is not
//! counted, Civil Code Art 147). While a case awaits information its clocks are paused: the
//! working days of a pause do not count, so resuming extends the due date by exactly the
//! working days spent paused. Every due date is recomputed from its facts (start, length,
//! pauses, calendar), so a calendar change moves it correctly, and `explain` shows the count
//! day by day.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::events::{self, NewEvent};
use crate::calendar::{self, Calendar, DayKind, DayStatus, SpecialDay};
use crate::config::ClockSettings;
use crate::db::calendar as cal_db;
use crate::db::cases as case_db;
use crate::db::clocks::{self as clock_db, ClockRow};
use crate::db::AnyConnection;
use crate::domain::case::{Action, ActionName, CaseState, NegotiationResult, Status};
use crate::domain::clock::{ClockKind, ClockResult, ClockState};
use crate::domain::user::Actor;
use crate::domain::Kind;
use crate::error::AppError;

/// Reason shown for a working day that did not count because the case was paused.
pub const PAUSED_REASON: &str = "tạm dừng: chờ bổ sung thông tin (paused: awaiting information)";

/// The calendar as the database holds it now (a few dozen rows).
pub fn load_calendar(conn: &mut AnyConnection) -> Result<Calendar, AppError> {
    let rows = cal_db::list(conn)?;
    let mut days = Vec::with_capacity(rows.len());
    for r in rows {
        days.push(SpecialDay {
            date: r.day,
            kind: if r.kind == "working" {
                DayKind::Working
            } else {
                DayKind::Off
            },
            name: r.name,
            status: match r.status.as_str() {
                "official" => DayStatus::Official,
                "statutory" => DayStatus::Statutory,
                _ => DayStatus::Proposed,
            },
            enabled: r.enabled,
        });
    }
    Calendar::from_days(days).map_err(|e| AppError::Internal(anyhow::anyhow!("stored calendar is invalid: {e}")))
}

/// The calendar kept between writes (ADR 0044): every intake computes a due date, and reading
/// the few dozen rows back and building the calendar again was 7% of SQLite's writer time at
/// c=32. Before each use a single-row read checks the calendar's revision (renewed by every
/// change of its rows, in the change's transaction), so an edit, also by another instance on a
/// shared PostgreSQL or by a batch rolled back, is seen by the next read. Clones share one cache.
#[derive(Clone, Default)]
pub struct CalendarCache {
    kept: std::sync::Arc<std::sync::Mutex<Option<Kept>>>,
}

/// A calendar and the revision it was read at.
type Kept = (i64, std::sync::Arc<Calendar>);

impl CalendarCache {
    /// The calendar as the database holds it now: the kept one if its rows have not changed.
    pub fn current(&self, conn: &mut AnyConnection) -> Result<std::sync::Arc<Calendar>, AppError> {
        let stamp = cal_db::revision(conn)?;
        self.at_revision(conn, stamp)
    }

    /// [`CalendarCache::current`] for a revision the caller has just read in its transaction
    /// (an intake reads it with its other lookups, ADR 0056).
    pub fn at_revision(&self, conn: &mut AnyConnection, stamp: i64) -> Result<std::sync::Arc<Calendar>, AppError> {
        if let Ok(kept) = self.kept.lock() {
            if let Some((s, cal)) = kept.as_ref() {
                if *s == stamp {
                    return Ok(cal.clone());
                }
            }
        }
        let cal = std::sync::Arc::new(load_calendar(conn)?);
        if let Ok(mut kept) = self.kept.lock() {
            *kept = Some((stamp, cal.clone()));
        }
        Ok(cal)
    }
}

/// Pause intervals `(after, through]` as stored. Unreadable pauses are an error, never "no
/// pauses": reading them as empty would silently move a legal deadline.
fn pauses_of(c: &ClockRow) -> Result<Vec<(NaiveDate, NaiveDate)>, AppError> {
    serde_json::from_str(&c.pauses).map_err(|_| super::views::corrupt(&format!("pauses of clock {}", c.id), &c.case_id))
}

fn paused_on(c: &ClockRow, pauses: &[(NaiveDate, NaiveDate)], d: NaiveDate, today: NaiveDate) -> bool {
    pauses.iter().any(|(a, b)| d > *a && d <= *b) || c.paused_since.is_some_and(|p| d > p && d <= today)
}

/// One day of a clock's count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayNote {
    pub date: NaiveDate,
    /// Working day number n of the count, or null when the day was skipped.
    pub counted: Option<u32>,
    pub reason: Option<String>,
}

/// Walks the days after the start and returns (due date, provisional, day notes).
/// A paused clock is projected as if it resumed tomorrow.
fn walk(
    cal: &Calendar,
    c: &ClockRow,
    today: NaiveDate,
    keep_notes: bool,
) -> Result<(NaiveDate, bool, Vec<DayNote>), AppError> {
    let mut notes = Vec::new();
    if let Some(fixed) = c.fixed_due {
        return Ok(match c.clock {
            // The last day of a period counted in months: a day that is not a working day
            // moves to the next working day (Civil Code Art 148); provisional when a day it
            // passes lies in a year the calendar holds nothing of or is a holiday not announced
            // yet (a calendar change computes it again, as it does the working-day clocks).
            ClockKind::CourtRecognition => {
                let last = cal.add_working_days(fixed, 0);
                (last.due, last.provisional, notes)
            }
            // An agreed date (the settlement's performance) is a date, not a period.
            _ => (fixed, false, notes),
        });
    }
    let pauses = pauses_of(c)?;
    let length = c.length_wd.unwrap_or(0).max(0) as u32;
    let mut provisional = false;
    let mut count = 0u32;
    let mut d = c.start_date;
    // At most ten years of days: no clock is that long; the bound keeps bad data from looping.
    for _ in 0..3660 {
        if count >= length {
            break;
        }
        let Some(next) = d.succ_opt() else { break };
        d = next;
        // A year the calendar holds nothing of: its holidays are unknown.
        provisional |= !cal.knows_year(d.year());
        if let Some((reason, statutory)) = cal.rest_reason(d) {
            provisional |= statutory;
            if keep_notes {
                notes.push(DayNote {
                    date: d,
                    counted: None,
                    reason: Some(reason),
                });
            }
            continue;
        }
        if paused_on(c, &pauses, d, today) {
            if keep_notes {
                notes.push(DayNote {
                    date: d,
                    counted: None,
                    reason: Some(PAUSED_REASON.into()),
                });
            }
            continue;
        }
        provisional |= cal.is_statutory_make_up(d);
        count += 1;
        if keep_notes {
            notes.push(DayNote {
                date: d,
                counted: Some(count),
                reason: None,
            });
        }
    }
    Ok((d, provisional, notes))
}

/// Recomputes the due date of a clock; returns whether it changed.
fn refresh(cal: &Calendar, c: &mut ClockRow, today: NaiveDate) -> Result<bool, AppError> {
    let (due, provisional, _) = walk(cal, c, today, false)?;
    let changed = due != c.due_date;
    if due > c.due_date {
        // A later due date (a pause, a calendar change) gets its own reminder.
        c.reminded = false;
    }
    c.due_date = due;
    c.due_at = calendar::end_of_day_utc(due).naive_utc();
    c.provisional = provisional;
    Ok(changed)
}

fn new_clock(
    case_id: &str,
    clock: ClockKind,
    at: DateTime<Utc>,
    length: Option<u32>,
    fixed: Option<NaiveDate>,
) -> ClockRow {
    let start = calendar::local_date(at);
    ClockRow {
        id: uuid::Uuid::now_v7().to_string(),
        case_id: case_id.to_owned(),
        clock,
        started_at: at.naive_utc(),
        start_date: start,
        length_wd: length.map(|l| l as i32),
        fixed_due: fixed,
        pauses: "[]".into(),
        paused_since: None,
        due_date: start,
        due_at: at.naive_utc(),
        provisional: false,
        state: ClockState::Running,
        result: None,
        stopped_at: None,
        reminded: false,
        overdue: false,
        agency: None,
    }
}

/// The internal target of a case of this kind (shorter for priority cases).
pub fn internal_target_wd(s: &ClockSettings, kind: Kind, priority: bool) -> u32 {
    let base = match kind {
        Kind::Consultation => s.internal_consultation_wd,
        Kind::Dispute => s.internal_dispute_wd,
        Kind::ViolationReport => s.internal_violation_report_wd,
    };
    if priority {
        (base * s.priority_target_percent).div_ceil(100).max(1)
    } else {
        base
    }
}

/// Starts a clock on a case.
pub fn start(
    conn: &mut AnyConnection,
    cal: &Calendar,
    case_id: &str,
    clock: ClockKind,
    at: DateTime<Utc>,
    length: Option<u32>,
    fixed: Option<NaiveDate>,
) -> Result<(), AppError> {
    let holder = if clock.is_agency_duty() {
        clock_db::holder(conn, case_id)?
    } else {
        None
    };
    let c = started(cal, (case_id, holder.as_deref()), clock, at, length, fixed)?;
    clock_db::insert(conn, &c)?;
    Ok(())
}

/// A clock started at `at` on the case held by `holder`, not written yet (a new case's intake
/// sets the case's due time from it before writing either, ADR 0041). An agency's clock is
/// charged to the holder (ADR 0063); the others to no agency.
pub fn started(
    cal: &Calendar,
    (case_id, holder): (&str, Option<&str>),
    clock: ClockKind,
    at: DateTime<Utc>,
    length: Option<u32>,
    fixed: Option<NaiveDate>,
) -> Result<ClockRow, AppError> {
    let mut c = new_clock(case_id, clock, at, length, fixed);
    c.agency = holder.filter(|_| clock.is_agency_duty()).map(str::to_owned);
    refresh(cal, &mut c, calendar::local_date(at))?;
    Ok(c)
}

/// A transfer accepted (the new agency's acknowledgment starts; the old agency's clocks stop)
/// or declined: the case stays with the agency that offered it, whose deadlines run on as if it
/// had never been offered. An accepted case's forwarding clock never stopped; a routed case's
/// acknowledgment (stopped by the offer) runs again from where it was, with its own start and
/// pauses (10 working days from receipt, Law 42/2013 Art 28), not a fresh ten days.
fn transfer_answered(
    conn: &mut AnyConnection,
    cal: &Calendar,
    case_id: &str,
    name: ActionName,
    after: &CaseState,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    match name {
        ActionName::AcceptTransfer => {
            stop(
                conn,
                case_id,
                Some(&[ClockKind::Acknowledge, ClockKind::ForwardToBusiness]),
                at,
            )?;
            recharge_internal_target(conn, case_id)?;
            start(conn, cal, case_id, ClockKind::Acknowledge, at, Some(10), None)
        }
        _ if after.status == Status::Routed => resume_stopped(conn, cal, case_id, ClockKind::Acknowledge, at),
        _ => Ok(()),
    }
}

/// The case's running internal target follows the case to the agency that holds it now (it
/// was routed, or a transfer was accepted): it is the handling agency's target, not that of the
/// agency that took the complaint in (a web complaint lands at the coordinator's; ADR 0063).
fn recharge_internal_target(conn: &mut AnyConnection, case_id: &str) -> Result<(), AppError> {
    let holder = clock_db::holder(conn, case_id)?;
    for mut c in clock_db::for_case(conn, case_id)? {
        if c.clock == ClockKind::InternalTarget && c.state != ClockState::Stopped && c.agency != holder {
            c.agency.clone_from(&holder);
            clock_db::save(conn, &c)?;
        }
    }
    Ok(())
}

/// Runs the case's latest `clock` again if a transition stopped it (its result cleared); starts
/// it afresh (ten working days) if the case has none.
fn resume_stopped(
    conn: &mut AnyConnection,
    cal: &Calendar,
    case_id: &str,
    clock: ClockKind,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let latest = clock_db::for_case(conn, case_id)?
        .into_iter()
        .rfind(|c| c.clock == clock);
    let Some(mut c) = latest else {
        return start(conn, cal, case_id, clock, at, Some(10), None);
    };
    if c.state == ClockState::Stopped {
        c.state = ClockState::Running;
        c.result = None;
        c.stopped_at = None;
        refresh(cal, &mut c, calendar::local_date(at))?;
        clock_db::save(conn, &c)?;
    }
    Ok(())
}

/// Stops the named open clocks of a case (all open ones if `names` is None).
fn stop(
    conn: &mut AnyConnection,
    case_id: &str,
    names: Option<&[ClockKind]>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut cal = None;
    for mut c in clock_db::for_case(conn, case_id)? {
        if c.state == ClockState::Stopped || names.is_some_and(|n| !n.contains(&c.clock)) {
            continue;
        }
        if c.state == ClockState::Paused {
            // Stopped while paused (closed while waiting for the consumer's information): the
            // pause's days do not count, as on a resume, so it is judged by the days it
            // counted, not by the due date it had when the pause began.
            let today = calendar::local_date(at);
            end_pause(&mut c, today)?;
            let cal = match &mut cal {
                Some(cal) => cal,
                None => cal.insert(load_calendar(conn)?),
            };
            refresh(cal, &mut c, today)?;
        }
        c.state = ClockState::Stopped;
        c.paused_since = None;
        c.stopped_at = Some(at.naive_utc());
        c.result = Some(if at.naive_utc() <= c.due_at {
            ClockResult::Met
        } else {
            ClockResult::Late
        });
        clock_db::save(conn, &c)?;
    }
    Ok(())
}

/// The consumer confirmed that the settlement was carried out: the `settlement_performance`
/// clock stops (met, or late after its agreed date) and the case's `due_at` follows.
pub fn settlement_performed(conn: &mut AnyConnection, case_id: &str, at: DateTime<Utc>) -> Result<(), AppError> {
    stop(conn, case_id, Some(&[ClockKind::SettlementPerformance]), at)?;
    set_case_due(conn, case_id)
}

/// Stops the named clocks of a case outside a transition (the business answered through its
/// link, issue 12) and sets the case's `due_at` again.
pub fn stop_named(
    conn: &mut AnyConnection,
    case_id: &str,
    names: &[ClockKind],
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    stop(conn, case_id, Some(names), at)?;
    set_case_due(conn, case_id)
}

/// Starts the clocks a transition starts and stops the ones it stops; then sets the case's
/// `due_at` (for queues) to its soonest running clock. Called inside the transition's
/// transaction.
#[allow(clippy::too_many_arguments)]
pub fn on_transition(
    conn: &mut AnyConnection,
    cal: &Calendar,
    settings: &ClockSettings,
    case_id: &str,
    before: &CaseState,
    after: &CaseState,
    action: &Action,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let today = calendar::local_date(at);
    use ActionName as A;
    match action.name() {
        A::Route => {
            start(conn, cal, case_id, ClockKind::Acknowledge, at, Some(10), None)?;
            recharge_internal_target(conn, case_id)?;
        }
        A::Transfer => stop(conn, case_id, Some(&[ClockKind::Acknowledge]), at)?,
        A::AcceptTransfer | A::DeclineTransfer => transfer_answered(conn, cal, case_id, action.name(), after, at)?,
        A::Accept => {
            stop(conn, case_id, Some(&[ClockKind::Acknowledge]), at)?;
            if after.kind == Kind::Dispute {
                start(conn, cal, case_id, ClockKind::ForwardToBusiness, at, Some(7), None)?;
            }
        }
        A::RequestMediation => stop(conn, case_id, Some(&[ClockKind::ForwardToBusiness]), at)?,
        A::ForwardToBusiness => {
            stop(conn, case_id, Some(&[ClockKind::ForwardToBusiness]), at)?;
            start(conn, cal, case_id, ClockKind::BusinessNegotiation, at, Some(7), None)?;
        }
        A::RecordNegotiationEnded => {
            stop(conn, case_id, Some(&[ClockKind::BusinessNegotiation]), at)?;
            let ended = match action {
                Action::RecordNegotiationEnded { ended_on: Some(d) } => *d,
                _ => today,
            };
            let mut c = new_clock(case_id, ClockKind::BusinessReport, at, Some(5), None);
            c.start_date = ended;
            refresh(cal, &mut c, today)?;
            clock_db::insert(conn, &c)?;
        }
        A::RecordNegotiationResult => {
            stop(
                conn,
                case_id,
                Some(&[ClockKind::BusinessNegotiation, ClockKind::BusinessReport]),
                at,
            )?;
        }
        A::RequestInfo => {
            pause_all(conn, case_id, today)?;
            start(
                conn,
                cal,
                case_id,
                ClockKind::ProvideInfo,
                at,
                Some(settings.provide_info_wd),
                None,
            )?;
        }
        A::ProvideInfo => {
            stop(conn, case_id, Some(&[ClockKind::ProvideInfo]), at)?;
            resume_all(conn, cal, case_id, today)?;
        }
        A::Reclassify if before.kind != after.kind && after.status == Status::Accepted => {
            stop(conn, case_id, Some(&[ClockKind::ForwardToBusiness]), at)?;
            if after.kind == Kind::Dispute {
                start(conn, cal, case_id, ClockKind::ForwardToBusiness, at, Some(7), None)?;
            }
        }
        A::RecordPerformance => {
            stop(conn, case_id, Some(&[ClockKind::SettlementPerformance]), at)?;
            // Not carried out: back in `accepted`, as a reopened dispute (ADR 0029).
            if after.status == Status::Accepted && after.kind == Kind::Dispute {
                start(conn, cal, case_id, ClockKind::ForwardToBusiness, at, Some(7), None)?;
            }
        }
        A::Reopen => reopened(conn, cal, settings, case_id, after, at)?,
        _ => {}
    }
    if after.status == Status::Closed && before.status != Status::Closed {
        stop(conn, case_id, None, at)?;
        start_follow_ups(conn, cal, case_id, action, at)?;
    }
    set_case_due(conn, case_id)
}

/// A reopened case is work again: the settlement's performance is no longer awaited, the
/// agency's internal target runs afresh (so the case has a due date in the queues whatever
/// stage it returns to), and the stage's own legal deadline starts.
fn reopened(
    conn: &mut AnyConnection,
    cal: &Calendar,
    settings: &ClockSettings,
    case_id: &str,
    after: &CaseState,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    stop(conn, case_id, Some(&[ClockKind::SettlementPerformance]), at)?;
    let priority = case_db::find_by_id(conn, case_id)?.is_some_and(|r| r.priority);
    let target = internal_target_wd(settings, after.kind, priority);
    start(conn, cal, case_id, ClockKind::InternalTarget, at, Some(target), None)?;
    match (after.status, after.kind) {
        (Status::Routed, _) => start(conn, cal, case_id, ClockKind::Acknowledge, at, Some(10), None),
        (Status::Accepted, Kind::Dispute) => start(conn, cal, case_id, ClockKind::ForwardToBusiness, at, Some(7), None),
        (Status::Negotiation, _) => start(conn, cal, case_id, ClockKind::BusinessNegotiation, at, Some(7), None),
        _ => Ok(()),
    }
}

/// Pauses every running clock of a case (information was requested from the consumer).
fn pause_all(conn: &mut AnyConnection, case_id: &str, today: NaiveDate) -> Result<(), AppError> {
    for mut c in clock_db::for_case(conn, case_id)? {
        if c.state == ClockState::Running {
            c.state = ClockState::Paused;
            c.paused_since = Some(today);
            clock_db::save(conn, &c)?;
        }
    }
    Ok(())
}

/// Records a paused clock's current pause, up to and including `today`, so that its days do
/// not count.
fn end_pause(c: &mut ClockRow, today: NaiveDate) -> Result<(), AppError> {
    if let Some(p) = c.paused_since.take() {
        let mut pauses = pauses_of(c)?;
        if today > p {
            pauses.push((p, today));
        }
        c.pauses = serde_json::to_string(&pauses).map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(())
}

/// Resumes every paused clock of a case, recording the pause so that its days do not count.
fn resume_all(conn: &mut AnyConnection, cal: &Calendar, case_id: &str, today: NaiveDate) -> Result<(), AppError> {
    for mut c in clock_db::for_case(conn, case_id)? {
        if c.state == ClockState::Paused {
            end_pause(&mut c, today)?;
            c.state = ClockState::Running;
            refresh(cal, &mut c, today)?;
            clock_db::save(conn, &c)?;
        }
    }
    Ok(())
}

/// Follow-ups that outlive a closed case: performing the settlement, and the 6 months to ask a
/// court to recognise a successful mediation (Civil Procedure Code Art 418).
fn start_follow_ups(
    conn: &mut AnyConnection,
    cal: &Calendar,
    case_id: &str,
    action: &Action,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    match action {
        Action::RecordNegotiationResult {
            result: NegotiationResult::Settled,
            record: Some(r),
            ..
        } => {
            if let Some(d) = r.performance_deadline {
                start(conn, cal, case_id, ClockKind::SettlementPerformance, at, None, Some(d))?;
            }
        }
        Action::RecordMediationResult { record: Some(r), .. } => {
            start(
                conn,
                cal,
                case_id,
                ClockKind::SettlementPerformance,
                at,
                None,
                Some(r.performance_deadline),
            )?;
            // Six months from the settlement, i.e. the day the mediation was held (CPC Art 418),
            // not the day its result was entered; the clock keeps the period's end and moves a
            // last day that is not a working day each time it is computed (`walk`).
            let court = calendar::add_calendar_months(calendar::local_date(r.held_at.and_utc()), 6);
            start(conn, cal, case_id, ClockKind::CourtRecognition, at, None, Some(court))?;
        }
        _ => {}
    }
    Ok(())
}

/// The case's `due_at`: its soonest running clock (queues sort and filter on it).
pub fn set_case_due(conn: &mut AnyConnection, case_id: &str) -> Result<(), AppError> {
    let due = clock_db::for_case(conn, case_id)?
        .into_iter()
        .filter(|c| c.state == ClockState::Running && c.clock != ClockKind::CourtRecognition)
        .map(|c| c.due_at)
        .min();
    case_db::set_due(conn, case_id, due)?;
    Ok(())
}

/// A clock as `GET /cases/{id}/deadlines` explains it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deadline {
    pub clock: ClockKind,
    pub label: String,
    pub state: ClockState,
    /// Once stopped.
    pub result: Option<ClockResult>,
    pub started_at: DateTime<Utc>,
    /// The day of the triggering event (not counted).
    pub start_date: NaiveDate,
    /// Working days, or null for a fixed date.
    pub length_working_days: Option<i32>,
    pub due_date: NaiveDate,
    /// 23:59:59 local (Asia/Ho_Chi_Minh) of the due date.
    pub due_at: DateTime<Utc>,
    /// The due date depends on a `statutory` calendar day not yet announced.
    pub provisional: bool,
    pub overdue: bool,
    pub paused_since: Option<NaiveDate>,
    pub stopped_at: Option<DateTime<Utc>>,
    /// Each day from the day after the start to the due date: counted (n) or skipped, with why.
    pub days: Vec<DayNote>,
}

pub fn explain(cal: &Calendar, clocks: Vec<ClockRow>, today: NaiveDate) -> Result<Vec<Deadline>, AppError> {
    clocks
        .into_iter()
        .map(|c| {
            let (_, _, days) = walk(cal, &c, today, true)?;
            Ok(Deadline {
                label: c.clock.label_vi().into(),
                days,
                state: c.state,
                result: c.result,
                started_at: c.started_at.and_utc(),
                start_date: c.start_date,
                length_working_days: c.length_wd,
                due_date: c.due_date,
                due_at: c.due_at.and_utc(),
                provisional: c.provisional,
                overdue: c.overdue,
                paused_since: c.paused_since,
                stopped_at: c.stopped_at.map(|t| t.and_utc()),
                clock: c.clock,
            })
        })
        .collect()
}

/// A due date that a calendar change moved.
#[derive(Debug, Clone)]
pub struct MovedDue {
    pub case_id: String,
    pub clock: ClockKind,
    pub before: NaiveDate,
    pub after: NaiveDate,
}

/// After a calendar change: recomputes every open clock, records each moved due date as an
/// event on its case, and refreshes the cases' `due_at`. Returns the due dates that moved.
pub fn recompute_all(
    conn: &mut AnyConnection,
    chain_key: &events::ChainKey,
    cal: &Calendar,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<Vec<MovedDue>, AppError> {
    let today = calendar::local_date(at);
    let mut moved = Vec::new();
    for mut listed in clock_db::open(conn)? {
        // Only the clocks the change moves: their case locked, the clock read again (as the
        // sweep does), so a transition committed since the list was read is not undone by
        // saving the listed row. The others are not locked (a calendar change would otherwise
        // hold every open case until it commits).
        // A due date that stays but is certain now (its year's holidays entered) is saved too.
        let was_provisional = listed.provisional;
        if !refresh(cal, &mut listed, today)? && listed.provisional == was_provisional {
            continue;
        }
        crate::db::portability::lock_row(conn, crate::db::portability::Locked::Case, &listed.case_id)?;
        let Some(mut c) = clock_db::find(conn, &listed.id)?.filter(|c| c.state != ClockState::Stopped) else {
            continue;
        };
        let (before, was_provisional) = (c.due_date, c.provisional);
        let due_moved = refresh(cal, &mut c, today)?;
        if !due_moved && c.provisional != was_provisional {
            clock_db::save(conn, &c)?;
        }
        if due_moved {
            clock_db::save(conn, &c)?;
            moved.push(MovedDue {
                case_id: c.case_id.clone(),
                clock: c.clock,
                before,
                after: c.due_date,
            });
            case_db::touch(conn, &c.case_id, at.naive_utc())?;
            let status = case_db::find_by_id(conn, &c.case_id)?
                .map(|r| r.status)
                .ok_or_else(|| super::views::corrupt("a clock without its case", &c.case_id))?;
            events::append(
                conn,
                chain_key,
                &c.case_id,
                actor,
                at.naive_utc(),
                NewEvent {
                    action: "deadline_changed".into(),
                    from_status: Some(status),
                    to_status: status,
                    data: serde_json::json!({
                        "clock": c.clock, "before": before, "after": c.due_date,
                        "reason": "calendar changed", "provisional": c.provisional
                    }),
                    public_message: None,
                },
            )?;
            set_case_due(conn, &c.case_id)?;
        }
    }
    Ok(moved)
}

/// Seeds the calendar table from `config/calendar/` on first start (when it is empty).
pub fn seed_calendar(conn: &mut AnyConnection, cal: &Calendar, at: NaiveDateTime) -> Result<(), AppError> {
    if cal_db::count(conn)? > 0 {
        return Ok(());
    }
    for d in cal.days() {
        cal_db::insert(conn, &day_row(d, at))?;
    }
    Ok(())
}

pub fn day_row(d: &SpecialDay, at: NaiveDateTime) -> cal_db::DayRow {
    cal_db::DayRow {
        day: d.date,
        kind: match d.kind {
            DayKind::Off => "off",
            DayKind::Working => "working",
        }
        .into(),
        name: d.name.clone(),
        status: match d.status {
            DayStatus::Official => "official",
            DayStatus::Statutory => "statutory",
            DayStatus::Proposed => "proposed",
        }
        .into(),
        enabled: d.enabled,
        updated_at: at,
    }
}

/// Public view of one running clock.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicDue {
    pub clock: ClockKind,
    pub label: String,
    pub due_date: NaiveDate,
    pub provisional: bool,
}
