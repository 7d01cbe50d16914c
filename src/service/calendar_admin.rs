//! The working-day calendar: the public working-day calculator and the admin API. Every change
//! is validated as a whole calendar, then open clocks are recomputed in the same transaction
//! and each moved due date becomes an event on its case.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::clocks;
use crate::calendar::{Calendar, DayKind, DayStatus, DueDate, SpecialDay};
use crate::db::calendar as cal_db;
use crate::domain::user::Actor;
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// A calendar entry as the API shows and takes it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayDto {
    pub date: NaiveDate,
    /// `off` (holiday, swapped day off) or `working` (make-up Saturday)
    pub kind: DayKind,
    pub name: String,
    /// `official`, `statutory` (follows from the Labour Code, schedule not yet announced) or
    /// `proposed` (counts only when `enabled`)
    pub status: DayStatus,
    #[serde(default)]
    pub enabled: bool,
}

impl From<&SpecialDay> for DayDto {
    fn from(d: &SpecialDay) -> Self {
        DayDto {
            date: d.date,
            kind: d.kind,
            name: d.name.clone(),
            status: d.status,
            enabled: d.enabled,
        }
    }
}

/// `from` + `add` working days, explained.
/// Bounds of the working-day calculator (documented in docs/api.md): the answer stays a
/// four-digit year whatever is asked.
pub const MAX_WORKING_DAYS: u32 = 3650;
const CALCULATOR_FROM: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => panic!("1900-01-01 is a date"),
};
const CALCULATOR_TO: NaiveDate = match NaiveDate::from_ymd_opt(2999, 12, 31) {
    Some(d) => d,
    None => panic!("2999-12-31 is a date"),
};

pub async fn working_days(state: &AppState, from: NaiveDate, add: u32) -> Result<DueDate, AppError> {
    if add > MAX_WORKING_DAYS {
        return Err(AppError::invalid(
            "add",
            "at most 3650 working days",
            "tối đa 3650 ngày làm việc",
        ));
    }
    if !(CALCULATOR_FROM..=CALCULATOR_TO).contains(&from) {
        return Err(AppError::invalid(
            "from",
            "must be a date from 1900-01-01 to 2999-12-31",
            "phải là ngày từ 01/01/1900 đến 31/12/2999",
        ));
    }
    let cal = state.db.run(clocks::load_calendar).await?;
    Ok(cal.add_working_days(from, add))
}

pub async fn list(state: &AppState) -> Result<Vec<DayDto>, AppError> {
    let cal = state.db.run(clocks::load_calendar).await?;
    Ok(cal.days().map(DayDto::from).collect())
}

/// What an admin does to one day.
pub enum Change {
    Put(DayDto),
    Delete(NaiveDate),
}

/// Result of a change: the day (if it still exists) and how many open due dates moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeResult {
    pub day: Option<DayDto>,
    pub due_dates_moved: usize,
}

/// Adds, changes or removes a day; recomputes open clocks. `create` refuses an existing date.
pub async fn change(state: &AppState, actor: Actor, change: Change, create: bool) -> Result<ChangeResult, AppError> {
    let (clock, chain_key) = (state.clock.clone(), state.chain_key.clone());
    let notify = super::notify::NotifyCtx::from_state(state);
    super::require_admin(&actor)?;
    if let Change::Put(d) = &change {
        crate::domain::values::text("name", &d.name, 200)?;
    }
    state
        .db
        .write(move |conn| {
            let at = clock.now();
            let current = clocks::load_calendar(conn)?;
            let mut days: Vec<SpecialDay> = current.days().cloned().collect();
            let date = match &change {
                Change::Put(d) => d.date,
                Change::Delete(d) => *d,
            };
            let exists = days.iter().any(|d| d.date == date);
            match (&change, exists, create) {
                (Change::Put(_), true, true) => {
                    return Err(AppError::Conflict {
                        code: ErrorCode::AlreadyExists,
                        en: "this date is already in the calendar".into(),
                        vi: "ngày này đã có trong lịch".into(),
                    })
                }
                (Change::Put(_), false, false) | (Change::Delete(_), false, _) => {
                    return Err(AppError::NotFound("calendar day"))
                }
                _ => {}
            }
            days.retain(|d| d.date != date);
            if let Change::Put(d) = &change {
                days.push(SpecialDay {
                    date: d.date,
                    kind: d.kind,
                    name: d.name.trim().to_owned(),
                    status: d.status,
                    enabled: d.enabled,
                });
            }
            let cal =
                Calendar::from_days(days).map_err(|e| AppError::invalid("date", e.to_string(), "ngày không hợp lệ"))?;
            match &change {
                Change::Put(_) => {
                    let Some(day) = cal.day(date) else {
                        return Err(AppError::NotFound("calendar day"));
                    };
                    let row = clocks::day_row(day, at.naive_utc());
                    if exists {
                        cal_db::update(conn, &row)?;
                    } else {
                        cal_db::insert(conn, &row)?;
                    }
                }
                Change::Delete(d) => {
                    cal_db::delete(conn, *d)?;
                }
            }
            let moved = clocks::recompute_all(conn, &chain_key, &cal, &actor, at)?;
            super::notify::due_dates_moved(conn, &notify, &moved, at)?;
            Ok(ChangeResult {
                day: cal.day(date).map(DayDto::from),
                due_dates_moved: moved.len(),
            })
        })
        .await
}
