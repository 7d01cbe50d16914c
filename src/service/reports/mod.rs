//! Reports for supervisors (their agency) and coordinators (the province), issue 14: the
//! summary of a period (`summary`), the performance of each agency (`performance`), and their
//! CSV/XLSX forms (`export`). Every figure is counted on the database over the cases the caller
//! may read, created in the period, and carries the `GET /api/v1/cases` (or `/calls`) query
//! string that lists exactly what was counted.

mod document;
mod export;
mod mediation;
mod performance;
pub mod submissions;
mod summary;

pub use document::{document, ReportPeriod};
pub use export::{csv_field, performance_rows, summary_rows, to_csv, to_xlsx};
pub use mediation::{MediationFigures, MediatorFigures};
pub use performance::{performance, AgencyPerformance, Figures, Performance, UnitPerformance};
pub use summary::{
    month_label, summary, Breakdown, CallFigures, CallOutcomeCount, ClockRate, Recovered, Summary, SummaryRow,
    TimeToClose, TopBusiness,
};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::calendar;
use crate::db::cases::{ClockGroup, Dimension};
use crate::domain::clock::ClockKind;
use crate::domain::search::ListFilter;
use crate::domain::user::{Actor, Role};
use crate::error::AppError;

/// The dimensions of the summary, in the order shown: name (as in `group_by` and as the
/// `/cases` filter), Vietnamese header.
pub const DIMENSIONS: [(Dimension, &str, &str); 11] = [
    (Dimension::Month, "month", "Tháng"),
    (Dimension::Channel, "channel", "Kênh tiếp nhận"),
    (Dimension::Kind, "kind", "Loại vụ việc"),
    (Dimension::Category, "category", "Lĩnh vực"),
    (Dimension::Agency, "agency", "Cơ quan xử lý"),
    (Dimension::Unit, "unit", "Đơn vị (xã, phường, chi hội)"),
    (Dimension::Status, "status", "Trạng thái"),
    (Dimension::Outcome, "outcome", "Kết quả"),
    (Dimension::Vulnerable, "vulnerable", "Nhóm dễ bị tổn thương"),
    (
        Dimension::ConsumerProvince,
        "consumer_province",
        "Tỉnh của người tiêu dùng",
    ),
    (
        Dimension::ConsumerCommune,
        "consumer_commune",
        "Xã/phường của người tiêu dùng",
    ),
];

/// The dimensions named in a `group_by` list (comma-separated); every one when `None`.
pub fn parse_group_by(v: Option<&str>) -> Result<Vec<Dimension>, AppError> {
    let Some(v) = v else {
        return Ok(DIMENSIONS.iter().map(|d| d.0).collect());
    };
    let mut out = Vec::new();
    for name in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some(d) = DIMENSIONS.iter().find(|d| d.1 == name) else {
            let all: Vec<&str> = DIMENSIONS.iter().map(|d| d.1).collect();
            return Err(AppError::bad_query(
                "group_by",
                format!("group_by lists some of: {}", all.join(", ")),
                format!("group_by gồm một số trong: {}", all.join(", ")),
            ));
        };
        if !out.contains(&d.0) {
            out.push(d.0);
        }
    }
    if out.is_empty() {
        return Err(AppError::bad_query(
            "group_by",
            "group_by names at least one dimension",
            "group_by cần ít nhất một chiều thống kê",
        ));
    }
    Ok(out)
}

/// A period preset: the month, quarter or year containing a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Month,
    Quarter,
    Year,
}

/// First and last day (inclusive) of the preset period containing `day`.
pub fn preset_period(preset: Preset, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let (y, m) = (day.year(), day.month());
    let (start_month, months) = match preset {
        Preset::Month => (m, 1),
        Preset::Quarter => ((m - 1) / 3 * 3 + 1, 3),
        Preset::Year => (1, 12),
    };
    let start = NaiveDate::from_ymd_opt(y, start_month, 1).unwrap_or(day);
    let end = calendar::add_calendar_months(start, months).pred_opt().unwrap_or(start);
    (start, end)
}

/// Today in Vietnam.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    calendar::local_date(now)
}

/// Reports are for supervisors and coordinators.
fn require_reader(actor: &Actor) -> Result<(), AppError> {
    match actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator) => Ok(()),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// The agency a report is of: a supervisor's report is always their own agency's (asking
/// for another is 403), a coordinator's the one asked for, or the province (`None`). One
/// definition for the summary, the performance, the exports, the PDF and the submissions.
fn report_agency(actor: &Actor, asked: Option<String>) -> Result<Option<String>, AppError> {
    match actor {
        Actor::Staff(s) if s.role == Role::Coordinator => Ok(asked),
        Actor::Staff(s) if s.role == Role::Supervisor => {
            let own = s.agency.as_ref().map(|a| a.to_string()).ok_or(AppError::Forbidden)?;
            match asked {
                Some(a) if a != own => Err(AppError::Forbidden),
                _ => Ok(Some(own)),
            }
        }
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// The period of a report, checked, with its UTC bounds and their query-string form; and the
/// agency a report is restricted to (the printed report of one agency), if any.
#[derive(Debug, Clone)]
struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    agency: Option<String>,
}

impl Period {
    fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, AppError> {
        if to < from {
            return Err(AppError::bad_query(
                "to",
                "to is not before from",
                "to không được trước from",
            ));
        }
        Ok(Period {
            start: start_of_day_utc(from),
            end: start_of_day_utc(to.succ_opt().unwrap_or(to)),
            agency: None,
        })
    }

    /// The same period, only the cases `agency` holds (with `None`: every case).
    fn of_agency(self, agency: Option<String>) -> Period {
        Period { agency, ..self }
    }

    /// The cases created in the period (held by the agency, if one is set).
    fn filter(&self) -> ListFilter {
        ListFilter {
            created_from: Some(self.start.naive_utc()),
            created_to: Some(self.end.naive_utc()),
            agency: self.agency.clone(),
            ..ListFilter::default()
        }
    }

    /// `created_from`/`created_to` of the period, and `agency` if set (for `/cases`).
    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut p = vec![("created_from", rfc3339(self.start)), ("created_to", rfc3339(self.end))];
        if let Some(a) = &self.agency {
            p.push(("agency", a.clone()));
        }
        p
    }

    /// The drill-down of the period with `extra` filters.
    fn drill(&self, extra: &[(&str, &str)]) -> String {
        let p = self.pairs();
        let mut pairs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.extend_from_slice(extra);
        query_string(&pairs)
    }
}

/// 00:00 Vietnam time of `d` as a UTC instant.
fn start_of_day_utc(d: NaiveDate) -> DateTime<Utc> {
    let local = d.and_time(chrono::NaiveTime::MIN);
    local
        .and_local_timezone(calendar::tz())
        .single()
        .map(|t| t.to_utc())
        .unwrap_or_else(|| local.and_utc())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    fn enc(v: &str) -> String {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// How the clocks of one kind fared, summed from the grouped counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct ClockTally {
    met: i64,
    late: i64,
    running_overdue: i64,
    running_on_time: i64,
    paused: i64,
}

impl ClockTally {
    /// The tallies of the kinds of clock present in `groups`, by kind, in the order of
    /// `ClockKind::ALL`.
    fn by_kind(groups: &[ClockGroup]) -> Vec<(ClockKind, ClockTally)> {
        let mut out: Vec<(ClockKind, ClockTally)> = Vec::new();
        for kind in ClockKind::ALL {
            let mut t = ClockTally::default();
            let mut seen = false;
            for (k, state, result, overdue, n) in groups {
                if k != kind.as_str() {
                    continue;
                }
                seen = true;
                match (state.as_str(), result.as_deref(), overdue) {
                    ("stopped", Some("met"), _) => t.met += n,
                    ("stopped", Some("late"), _) => t.late += n,
                    ("running", _, true) => t.running_overdue += n,
                    ("running", _, false) => t.running_on_time += n,
                    ("paused", _, _) => t.paused += n,
                    _ => {}
                }
            }
            if seen {
                out.push((*kind, t));
            }
        }
        out
    }

    fn add(mut self, o: ClockTally) -> ClockTally {
        self.met += o.met;
        self.late += o.late;
        self.running_overdue += o.running_overdue;
        self.running_on_time += o.running_on_time;
        self.paused += o.paused;
        self
    }

    /// met ÷ (met + late + running overdue); `None` when nothing is decided yet.
    fn on_time_rate(&self) -> Option<f64> {
        let decided = self.met + self.late + self.running_overdue;
        (decided > 0).then(|| self.met as f64 / decided as f64)
    }
}

/// A number of days rounded to one decimal.
fn days(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_by_is_checked() {
        assert_eq!(parse_group_by(None).map(|v| v.len()).ok(), Some(DIMENSIONS.len()));
        assert_eq!(
            parse_group_by(Some("month, agency,month")).ok(),
            Some(vec![Dimension::Month, Dimension::Agency])
        );
        assert!(parse_group_by(Some("colour")).is_err());
        assert!(parse_group_by(Some(" , ")).is_err());
    }

    #[test]
    fn clock_groups_are_tallied_per_kind() {
        let g = |k: &str, s: &str, r: Option<&str>, o: bool, n: i64| {
            (k.to_owned(), s.to_owned(), r.map(str::to_owned), o, n)
        };
        let groups = vec![
            g("acknowledge", "stopped", Some("met"), false, 7),
            g("acknowledge", "stopped", Some("late"), false, 2),
            g("acknowledge", "running", None, true, 1),
            g("acknowledge", "running", None, false, 5),
            g("provide_info", "paused", None, false, 3),
        ];
        let t = ClockTally::by_kind(&groups);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].0, ClockKind::Acknowledge);
        assert_eq!(
            t[0].1,
            ClockTally {
                met: 7,
                late: 2,
                running_overdue: 1,
                running_on_time: 5,
                paused: 0
            }
        );
        assert_eq!(t[0].1.on_time_rate(), Some(0.7));
        assert_eq!(t[1].1.on_time_rate(), None);
    }

    #[test]
    fn presets_cover_the_period() {
        let d = NaiveDate::from_ymd_opt(2026, 8, 17).unwrap_or_default();
        let q = preset_period(Preset::Quarter, d);
        assert_eq!(q.0.to_string(), "2026-07-01");
        assert_eq!(q.1.to_string(), "2026-09-30");
    }
}
