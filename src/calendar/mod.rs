//! Working-day calendar of Vietnamese state agencies (Asia/Ho_Chi_Minh).
//!
//! Every legal clock of the service (acknowledge in 10 working days, forward in 7,
//! report in 5, ...) counts *working days of state agencies*: Monday to Friday,
//! minus public holidays and swapped days off, plus designated make-up Saturdays.
//! These schedules are announced by the government only a few months ahead and
//! change from year to year, so **no holiday is ever hard-coded here**: all of them
//! come from data (`config/calendar/*.toml` or database rows) as [`SpecialDay`]s.
//!
//! Deadline arithmetic follows Civil Code 2015 Art 147-148: the day of the
//! triggering event is not counted, and a period ends at the end (23:59:59 local
//! time) of its last day, which is always a working day. A due date explains
//! itself ([`DueDate::skipped`]) and says whether it depends on a day whose
//! schedule is only `statutory` (expected from the Labour Code but not yet
//! announced), so the case officer knows it may still move.
//!
//! Viet Nam has had no daylight-saving time since 1975, so the zone is a fixed
//! UTC+07:00 offset ([`tz`]) and no time-zone database is needed.
//!
//! All functions are pure and total: they never panic. Dates are stepped one
//! day at a time (a `BTreeMap` lookup per day), which is plenty for periods of
//! up to a few hundred working days; arithmetic that would run past
//! [`NaiveDate::MAX`] saturates there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Deserializer, Serialize};

/// Offset of Asia/Ho_Chi_Minh from UTC, in seconds (no DST).
const UTC_OFFSET_SECS: i32 = 7 * 3600;

/// Last second of a day: a deadline "ends at the end of its last day".
const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// Reason shown for a skipped Saturday.
pub const REASON_SATURDAY: &str = "Thứ Bảy";
/// Reason shown for a skipped Sunday.
pub const REASON_SUNDAY: &str = "Chủ nhật";

/// What a listed day changes relative to the Mon-Fri default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A day off: public holiday, compensatory day off or swapped day off.
    Off,
    /// A make-up working day on a weekend (usually a Saturday).
    Working,
}

/// How certain a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayStatus {
    /// Announced by the government for that year.
    Official,
    /// Follows from the Labour Code, but the year's schedule is not announced yet:
    /// due dates depending on it are marked [`DueDate::provisional`].
    Statutory,
    /// Under discussion, not in force: ignored unless [`SpecialDay::enabled`].
    Proposed,
}

/// One calendar entry that differs from the Mon-Fri working week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecialDay {
    /// The local (Asia/Ho_Chi_Minh) date.
    pub date: NaiveDate,
    /// Off (holiday / swapped day) or working (make-up weekend day).
    pub kind: DayKind,
    /// Human-readable name, shown as the reason a day was skipped.
    pub name: String,
    /// Official, statutory or proposed.
    pub status: DayStatus,
    /// Switches a [`DayStatus::Proposed`] day on; ignored for other statuses.
    #[serde(default)]
    pub enabled: bool,
}

impl SpecialDay {
    /// Whether this entry currently affects the calendar (proposed days only when enabled).
    pub fn is_effective(&self) -> bool {
        self.status != DayStatus::Proposed || self.enabled
    }
}

/// A non-working day passed over while counting, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    /// The skipped date.
    pub date: NaiveDate,
    /// "Thứ Bảy" / "Chủ nhật" for weekends, otherwise the holiday's name.
    pub reason: String,
}

/// The result of [`Calendar::add_working_days`], explaining itself.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DueDate {
    /// The last day of the period (always a working day); the deadline is
    /// [`end_of_day_utc`] of it.
    pub due: NaiveDate,
    /// Every non-working day between the start (exclusive) and `due` (inclusive),
    /// in date order. For `n = 0` on a non-working start day, the start day itself
    /// is included too.
    pub skipped: Vec<Skipped>,
    /// True when a day that decided the result (a skipped listed day or a counted
    /// make-up day) is only `statutory`, i.e. the date may still change.
    pub provisional: bool,
}

impl DueDate {
    /// The instant the deadline ends: 23:59:59 local time of [`DueDate::due`], in UTC.
    pub fn deadline_utc(&self) -> DateTime<Utc> {
        end_of_day_utc(self.due)
    }
}

/// Errors building a [`Calendar`].
#[derive(Debug, thiserror::Error)]
pub enum CalendarError {
    /// A calendar file or folder could not be read.
    #[error("cannot read calendar data {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A calendar file is not valid TOML of the expected shape (includes bad dates).
    #[error("invalid calendar data in {origin}: {source}")]
    Parse {
        /// File name, or `"<string>"`.
        origin: String,
        /// The TOML error (with line and column).
        #[source]
        source: toml::de::Error,
    },
    /// The same date is listed twice.
    #[error("date {date} is listed twice ({first} and {second})")]
    Duplicate {
        /// The repeated date.
        date: NaiveDate,
        /// Where it was first listed.
        first: String,
        /// Where it was listed again.
        second: String,
    },
    /// A make-up working day on a Monday-Friday makes no sense.
    #[error("{date} is a {weekday}: only a Saturday or Sunday can be a make-up working day")]
    WorkingOnWeekday {
        /// The date.
        date: NaiveDate,
        /// Its weekday.
        weekday: Weekday,
    },
    /// An entry without a name (the name is shown as the reason a day is skipped).
    #[error("{date} has an empty name")]
    EmptyName {
        /// The date.
        date: NaiveDate,
    },
    /// [`Calendar::set_proposed_enabled`] on a date that is not listed.
    #[error("{0} is not listed in the calendar")]
    UnknownDate(NaiveDate),
    /// [`Calendar::set_proposed_enabled`] on a date that is not a proposed day.
    #[error("{0} is not a proposed day; only proposed days can be switched on or off")]
    NotProposed(NaiveDate),
}

/// The working-day calendar: the Mon-Fri week plus listed [`SpecialDay`]s.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, SpecialDay>,
}

/// Shape of a calendar TOML file: `[[day]]` tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    day: Vec<FileDay>,
}

/// One `[[day]]` table; strict about field names so that a typo is an error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDay {
    #[serde(deserialize_with = "de_date")]
    date: NaiveDate,
    kind: DayKind,
    name: String,
    status: DayStatus,
    #[serde(default)]
    enabled: bool,
}

/// Accepts `date = "2026-02-16"` as well as a bare TOML date `date = 2026-02-16`.
fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    use serde::de::Error;
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| D::Error::custom(format!("invalid date {s:?}: {e}")))
        }
        toml::Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(date), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(date.year), date.month.into(), date.day.into())
                    .ok_or_else(|| D::Error::custom(format!("invalid date {dt}")))
            }
            _ => Err(D::Error::custom(format!("expected a date without time, got {dt}"))),
        },
        other => Err(D::Error::custom(format!(
            "expected a date like \"2026-02-16\", got {other}"
        ))),
    }
}

impl Calendar {
    /// Parses one calendar file in the format of `holidays-vn.toml`
    /// (`[[day]]` tables with `date`, `kind`, `name`, `status`, optional `enabled`).
    ///
    /// Rejects invalid dates, unknown fields, duplicate dates, empty names and
    /// `working` entries on a weekday. An `off` entry on a weekend is allowed
    /// (harmless: the day is a rest day anyway).
    pub fn from_toml_str(s: &str) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::default();
        let mut origins = BTreeMap::new();
        cal.merge_toml(s, "<string>", &mut origins)?;
        Ok(cal)
    }

    /// Loads and merges every `*.toml` file of `dir`, in file-name order.
    /// A date listed in two files is an error.
    pub fn load_dir(dir: &Path) -> Result<Calendar, CalendarError> {
        let io_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| CalendarError::Io { path, source }
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
            let entry = entry.map_err(io_err(dir))?;
            let path = entry.path();
            let is_toml = path.extension().is_some_and(|e| e == "toml");
            if is_toml && path.is_file() {
                files.push(path);
            }
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));

        let mut cal = Calendar::default();
        let mut origins = BTreeMap::new();
        for path in files {
            let text = std::fs::read_to_string(&path).map_err(io_err(&path))?;
            cal.merge_toml(&text, &path.display().to_string(), &mut origins)?;
        }
        Ok(cal)
    }

    /// Builds a calendar from rows (e.g. kept in the database), with the same
    /// validation as [`Calendar::from_toml_str`].
    pub fn from_days(days: Vec<SpecialDay>) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::default();
        let mut origins = BTreeMap::new();
        for day in days {
            cal.insert(day, "rows", &mut origins)?;
        }
        Ok(cal)
    }

    fn merge_toml(
        &mut self,
        s: &str,
        origin: &str,
        origins: &mut BTreeMap<NaiveDate, String>,
    ) -> Result<(), CalendarError> {
        let file: CalendarFile = toml::from_str(s).map_err(|source| CalendarError::Parse {
            origin: origin.to_string(),
            source,
        })?;
        for d in file.day {
            let day = SpecialDay {
                date: d.date,
                kind: d.kind,
                name: d.name,
                status: d.status,
                enabled: d.enabled,
            };
            self.insert(day, origin, origins)?;
        }
        Ok(())
    }

    fn insert(
        &mut self,
        day: SpecialDay,
        origin: &str,
        origins: &mut BTreeMap<NaiveDate, String>,
    ) -> Result<(), CalendarError> {
        let date = day.date;
        if day.name.trim().is_empty() {
            return Err(CalendarError::EmptyName { date });
        }
        if day.kind == DayKind::Working && !is_weekend(date) {
            return Err(CalendarError::WorkingOnWeekday {
                date,
                weekday: date.weekday(),
            });
        }
        if let Some(first) = origins.get(&date) {
            return Err(CalendarError::Duplicate {
                date,
                first: first.clone(),
                second: origin.to_string(),
            });
        }
        origins.insert(date, origin.to_string());
        self.days.insert(date, day);
        Ok(())
    }

    /// All listed days (including disabled proposed ones), in date order.
    pub fn days(&self) -> impl Iterator<Item = &SpecialDay> {
        self.days.values()
    }

    /// The listed entry for `d`, if any (effective or not).
    pub fn day(&self, d: NaiveDate) -> Option<&SpecialDay> {
        self.days.get(&d)
    }

    /// Switches a proposed day on or off (an administrator decision, e.g. 24/11/2026).
    pub fn set_proposed_enabled(&mut self, d: NaiveDate, on: bool) -> Result<(), CalendarError> {
        match self.days.get_mut(&d) {
            None => Err(CalendarError::UnknownDate(d)),
            Some(day) if day.status != DayStatus::Proposed => Err(CalendarError::NotProposed(d)),
            Some(day) => {
                day.enabled = on;
                Ok(())
            }
        }
    }

    /// The effective listed entry for `d` (proposed days only when enabled).
    fn effective(&self, d: NaiveDate) -> Option<&SpecialDay> {
        self.days.get(&d).filter(|day| day.is_effective())
    }

    /// Whether state agencies work on `d`.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.effective(d) {
            Some(day) => day.kind == DayKind::Working,
            None => !is_weekend(d),
        }
    }

    /// Why `d` is not a working day, and whether that reason is only statutory;
    /// `None` when `d` is a working day.
    pub fn rest_reason(&self, d: NaiveDate) -> Option<(String, bool)> {
        match self.effective(d) {
            Some(day) if day.kind == DayKind::Working => None,
            // A listed day off: the holiday decides only on a weekday.
            Some(day) => Some((day.name.clone(), day.status == DayStatus::Statutory && !is_weekend(d))),
            None => match d.weekday() {
                Weekday::Sat => Some((REASON_SATURDAY.to_string(), false)),
                Weekday::Sun => Some((REASON_SUNDAY.to_string(), false)),
                _ => None,
            },
        }
    }

    /// Whether the calendar holds any day of `year`. A year it holds nothing of (its holidays
    /// not entered yet) is counted as plain Monday–Friday, and due dates that cross it are
    /// provisional: its Tết and compensatory days are unknown.
    pub fn knows_year(&self, year: i32) -> bool {
        match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(first), Some(last)) => self.days.range(first..=last).next().is_some(),
            _ => false,
        }
    }

    /// Whether a working day `d` is a statutory make-up weekend day (so it decided the count).
    pub fn is_statutory_make_up(&self, d: NaiveDate) -> bool {
        self.effective(d)
            .is_some_and(|day| day.kind == DayKind::Working && day.status == DayStatus::Statutory && is_weekend(d))
    }

    /// The `n`-th working day after `from` (`from` itself not counted, Civil Code
    /// Art 147), with every skipped day and its reason. `n = 0` gives `from` if it
    /// is a working day, else the next working day.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> DueDate {
        let mut skipped = Vec::new();
        let mut provisional = false;
        let mut visit = |d: NaiveDate| -> bool {
            provisional |= !self.knows_year(d.year());
            match self.rest_reason(d) {
                Some((reason, statutory)) => {
                    provisional |= statutory;
                    skipped.push(Skipped { date: d, reason });
                    false
                }
                None => {
                    provisional |= self.is_statutory_make_up(d);
                    true
                }
            }
        };

        let mut day = from;
        let mut remaining = n;
        if n == 0 {
            // The start day itself may be the answer.
            if visit(day) {
                return DueDate {
                    due: day,
                    skipped,
                    provisional,
                };
            }
            remaining = 1;
        }
        while remaining > 0 {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break, // saturate at NaiveDate::MAX
            }
            if visit(day) {
                remaining -= 1;
            }
        }
        DueDate {
            due: day,
            skipped,
            provisional,
        }
    }

    /// Extends a due date by exactly `k` working days (e.g. the working days a case
    /// spent paused): the result is the `k`-th working day after `due`.
    pub fn extend_due(&self, due: NaiveDate, k: u32) -> DueDate {
        self.add_working_days(due, k)
    }

    /// Number of working days in the half-open range `(from_exclusive, to_inclusive]`;
    /// 0 when `to_inclusive <= from_exclusive`.
    pub fn working_days_between(&self, from_exclusive: NaiveDate, to_inclusive: NaiveDate) -> u32 {
        let mut count = 0u32;
        let mut day = from_exclusive;
        while day < to_inclusive {
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                count = count.saturating_add(1);
            }
        }
        count
    }

    /// The first working day strictly after `d` (saturates at [`NaiveDate::MAX`]).
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while let Some(next) = day.succ_opt() {
            day = next;
            if self.is_working_day(day) {
                break;
            }
        }
        day
    }

    /// The last working day strictly before `d`, e.g. for "remind one working day
    /// before the deadline" (saturates at [`NaiveDate::MIN`]).
    pub fn prev_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while let Some(prev) = day.pred_opt() {
            day = prev;
            if self.is_working_day(day) {
                break;
            }
        }
        day
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// UTC+07:00, checked at compile time (a `None` here would fail the build, not run).
const TZ: FixedOffset = match FixedOffset::east_opt(UTC_OFFSET_SECS) {
    Some(o) => o,
    None => panic!("UTC+07:00 is a valid offset"),
};

/// A date as Vietnamese letters write it: 03/12/2026.
pub fn vn_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The service's time zone, Asia/Ho_Chi_Minh: a fixed UTC+07:00 (no DST).
pub fn tz() -> FixedOffset {
    TZ
}

/// The local (Asia/Ho_Chi_Minh) date of an instant.
/// (Saturates at [`NaiveDate::MAX`] for instants within 7 hours of the end of time.)
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.naive_utc()
        .checked_add_signed(TimeDelta::seconds(i64::from(UTC_OFFSET_SECS)))
        .map_or(NaiveDate::MAX, |local| local.date())
}

/// 23:59:59 local time of `d`, as a UTC instant (when a deadline on `d` ends).
pub fn end_of_day_utc(d: NaiveDate) -> DateTime<Utc> {
    let local: NaiveDateTime = d.and_time(END_OF_DAY);
    let utc = local
        .checked_sub_signed(TimeDelta::seconds(i64::from(UTC_OFFSET_SECS)))
        .unwrap_or(local);
    utc.and_utc()
}

/// `d` plus `months` calendar months, clamped to the end of the month
/// (31/8 + 6 months = 28/2 or 29/2); saturates at [`NaiveDate::MAX`].
/// Used for the 6-month court-recognition clock.
pub fn add_calendar_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests;
