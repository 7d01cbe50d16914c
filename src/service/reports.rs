//! The summary report for supervisors (their agency) and coordinators (the province), issue 14.
//! Every figure is counted on the database over the cases the caller may read, created in the
//! period, and carries the `GET /api/v1/cases` query string that lists exactly those cases.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::scope_of;
use crate::calendar;
use crate::db::cases::{self as case_db, ClockCounts};
use crate::domain::search::ListFilter;
use crate::domain::user::{Actor, Role};
use crate::error::AppError;
use crate::state::AppState;

/// The dimensions of the summary, in the order shown, with their Vietnamese headers.
pub const DIMENSIONS: [(&str, &str); 8] = [
    ("channel", "Kênh tiếp nhận"),
    ("kind", "Loại vụ việc"),
    ("category", "Lĩnh vực"),
    ("agency", "Cơ quan xử lý"),
    ("status", "Trạng thái"),
    ("outcome", "Kết quả"),
    ("vulnerable", "Nhóm dễ bị tổn thương"),
    ("consumer_province", "Tỉnh của người tiêu dùng"),
];

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

/// One value of a dimension and its number of cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SummaryRow {
    /// The value (`null`: not recorded).
    pub value: Option<String>,
    pub count: i64,
    /// Query string of `GET /api/v1/cases` listing these cases (`null` for an unrecorded value).
    pub drill_down: Option<String>,
}

/// The cases counted by one dimension.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Breakdown {
    pub dimension: String,
    /// Vietnamese header.
    pub title: String,
    /// Largest first, then by value.
    pub rows: Vec<SummaryRow>,
}

/// How one kind of legal clock fared on the counted cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockRate {
    pub clock: String,
    /// Cases whose clock stopped in time.
    pub met: i64,
    /// Cases whose clock stopped after its due date.
    pub late: i64,
    /// Cases whose clock is running past its due date.
    pub running_overdue: i64,
    /// Cases whose clock is running and not yet due.
    pub running_on_time: i64,
    /// met / (met + late + running_overdue); `null` when nothing is decided yet.
    pub on_time_rate: Option<f64>,
    /// Query string of `GET /api/v1/cases` listing the cases whose clock runs overdue.
    pub overdue_drill_down: String,
}

/// The summary of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    /// First day of the period (Vietnam time).
    pub from: NaiveDate,
    /// Last day of the period, inclusive.
    pub to: NaiveDate,
    /// Cases created in the period that the caller may read.
    pub total: i64,
    pub total_drill_down: String,
    pub breakdowns: Vec<Breakdown>,
    pub clocks: Vec<ClockRate>,
}

/// Reports are for supervisors and coordinators.
fn require_reader(actor: &Actor) -> Result<(), AppError> {
    match actor {
        Actor::Staff(s) if matches!(s.role, Role::Supervisor | Role::Coordinator) => Ok(()),
        Actor::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
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

/// The filter `column = value` added to `f`.
fn with_value(f: &ListFilter, column: &str, value: &str) -> ListFilter {
    let mut f = f.clone();
    let v = Some(value.to_owned());
    match column {
        "channel" => f.channel = v,
        "kind" => f.kind = v,
        "category" => f.category = v,
        "agency" => f.agency = v,
        "status" => f.status = v,
        "outcome" => f.outcome = v,
        "vulnerable" => f.vulnerable = v,
        _ => f.consumer_province = v,
    }
    f
}

/// The summary of the cases created from `from` to `to` (inclusive, Vietnam time).
pub async fn summary(state: &AppState, actor: Actor, from: NaiveDate, to: NaiveDate) -> Result<Summary, AppError> {
    require_reader(&actor)?;
    if to < from {
        return Err(AppError::bad_query(
            "to",
            "to is not before from",
            "to không được trước from",
        ));
    }
    let start = start_of_day_utc(from);
    let end = start_of_day_utc(to.succ_opt().unwrap_or(to));
    let base = ListFilter {
        created_from: Some(start.naive_utc()),
        created_to: Some(end.naive_utc()),
        ..ListFilter::default()
    };
    let (s, e) = (rfc3339(start), rfc3339(end));
    state
        .db
        .run(move |conn| {
            let scope = scope_of(&actor);
            let period = [("created_from", s.as_str()), ("created_to", e.as_str())];
            let total = case_db::count_cases(conn, &scope, &base)?;
            let mut breakdowns = Vec::new();
            for (column, title) in DIMENSIONS {
                let mut rows = Vec::new();
                for value in case_db::distinct_values(conn, &scope, &base, column)? {
                    let Some(v) = value else {
                        continue;
                    };
                    let count = case_db::count_cases(conn, &scope, &with_value(&base, column, &v))?;
                    let mut pairs = period.to_vec();
                    pairs.push((column, v.as_str()));
                    rows.push(SummaryRow {
                        drill_down: Some(query_string(&pairs)),
                        value: Some(v),
                        count,
                    });
                }
                let counted: i64 = rows.iter().map(|r| r.count).sum();
                if counted < total {
                    rows.push(SummaryRow {
                        value: None,
                        count: total - counted,
                        drill_down: None,
                    });
                }
                rows.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                breakdowns.push(Breakdown {
                    dimension: column.to_owned(),
                    title: title.to_owned(),
                    rows,
                });
            }
            let mut clocks = Vec::new();
            let mut kinds = case_db::clock_kinds(conn, &scope, &base)?;
            kinds.sort();
            for k in kinds {
                let c: ClockCounts = case_db::clock_counts(conn, &scope, &base, &k)?;
                let decided = c.met + c.late + c.running_overdue;
                let mut pairs = period.to_vec();
                pairs.extend([("clock", k.as_str()), ("overdue", "true")]);
                clocks.push(ClockRate {
                    overdue_drill_down: query_string(&pairs),
                    clock: k,
                    met: c.met,
                    late: c.late,
                    running_overdue: c.running_overdue,
                    running_on_time: c.running_on_time,
                    on_time_rate: (decided > 0).then(|| c.met as f64 / decided as f64),
                });
            }
            Ok(Summary {
                from,
                to,
                total,
                total_drill_down: query_string(&period),
                breakdowns,
                clocks,
            })
        })
        .await
}

/// The summary as CSV (UTF-8 with BOM for spreadsheet programs), Vietnamese headers.
pub fn to_csv(s: &Summary) -> String {
    fn cell(v: &str) -> String {
        if v.contains([',', '"', '\n']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v.to_owned()
        }
    }
    let mut out = String::from("\u{feff}Chỉ tiêu,Giá trị,Số vụ việc,Tra cứu\r\n");
    let period = format!("{} – {}", calendar::vn_date(s.from), calendar::vn_date(s.to));
    out.push_str(&format!(
        "Tổng số vụ việc,{},{},{}\r\n",
        cell(&period),
        s.total,
        cell(&s.total_drill_down)
    ));
    for b in &s.breakdowns {
        for r in &b.rows {
            out.push_str(&format!(
                "{},{},{},{}\r\n",
                cell(&b.title),
                cell(r.value.as_deref().unwrap_or("(không ghi nhận)")),
                r.count,
                cell(r.drill_down.as_deref().unwrap_or(""))
            ));
        }
    }
    for c in &s.clocks {
        let rate = c.on_time_rate.map(|r| format!("{r:.4}")).unwrap_or_default();
        out.push_str(&format!("Tỷ lệ đúng hạn,{},{},\r\n", cell(&c.clock), rate));
        out.push_str(&format!(
            "Quá hạn đang chạy,{},{},{}\r\n",
            cell(&c.clock),
            c.running_overdue,
            cell(&c.overdue_drill_down)
        ));
    }
    out
}

/// Today in Vietnam.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    calendar::local_date(now)
}

/// The summary as an XLSX workbook: Vietnamese headers, number cells for counts and rates,
/// date cells for the period.
pub fn to_xlsx(s: &Summary) -> Result<Vec<u8>, AppError> {
    use crate::xlsx::Cell;
    let text = |v: &str| Cell::Text(v.to_owned());
    let mut rows = vec![
        vec![text("Từ ngày"), Cell::Date(s.from)],
        vec![text("Đến ngày"), Cell::Date(s.to)],
        vec![text("Chỉ tiêu"), text("Giá trị"), text("Số vụ việc"), text("Tra cứu")],
        vec![
            text("Tổng số vụ việc"),
            Cell::Empty,
            Cell::Number(s.total as f64),
            text(&s.total_drill_down),
        ],
    ];
    for b in &s.breakdowns {
        for r in &b.rows {
            rows.push(vec![
                text(&b.title),
                text(r.value.as_deref().unwrap_or("(không ghi nhận)")),
                Cell::Number(r.count as f64),
                r.drill_down.as_deref().map(text).unwrap_or(Cell::Empty),
            ]);
        }
    }
    for c in &s.clocks {
        rows.push(vec![
            text("Tỷ lệ đúng hạn"),
            text(&c.clock),
            c.on_time_rate.map(Cell::Number).unwrap_or(Cell::Empty),
            Cell::Empty,
        ]);
        rows.push(vec![
            text("Quá hạn đang chạy"),
            text(&c.clock),
            Cell::Number(c.running_overdue as f64),
            text(&c.overdue_drill_down),
        ]);
    }
    crate::xlsx::workbook("Báo cáo", &rows).map_err(|e| AppError::Internal(e.into()))
}
