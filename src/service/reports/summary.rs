//! The summary of a period: breakdowns, legal clocks, time to close, calls, businesses, money
//! recovered, mediations.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::{days, query_string, report_agency, require_reader, start_of_day_utc, ClockTally, Period, DIMENSIONS};
use crate::calendar;
use crate::db::calls as call_db;
use crate::db::cases::{self as case_db, Dimension, Scope};
use crate::db::AnyConnection;
use crate::domain::clock::ClockKind;
use crate::domain::search::{CallFilter, ListFilter};
use crate::domain::user::Actor;
use crate::error::AppError;
use crate::service::scope_of;
use crate::state::AppState;

/// How many businesses the summary lists.
const TOP_BUSINESSES: u32 = 10;

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
    /// Largest first, then by value (months: in order).
    pub rows: Vec<SummaryRow>,
}

/// How one kind of legal clock fared on the counted cases (clocks counted: a case whose clock
/// of a kind ran twice counts twice).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockRate {
    pub clock: String,
    /// Vietnamese name of the clock.
    pub title: String,
    /// Clocks stopped in time.
    pub met: i64,
    /// Clocks stopped after their due date.
    pub late: i64,
    /// Clocks running past their due date.
    pub running_overdue: i64,
    /// Clocks running and not yet due.
    pub running_on_time: i64,
    /// Clocks paused (waiting for information).
    pub paused: i64,
    /// met / (met + late + running_overdue); `null` when nothing is decided yet.
    pub on_time_rate: Option<f64>,
    /// `GET /api/v1/cases` query strings of the cases behind `met`, `late` and `running_overdue`.
    pub met_drill_down: String,
    pub late_drill_down: String,
    pub overdue_drill_down: String,
}

/// Days from creation to closure of the cases of the period that are closed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimeToClose {
    pub closed: i64,
    /// Median, in days (one decimal); `null` without closed cases.
    pub median_days: Option<f64>,
    /// 90th percentile (nearest rank), in days.
    pub p90_days: Option<f64>,
    pub drill_down: String,
}

/// One outcome of the calls of the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallOutcomeCount {
    pub outcome: String,
    pub count: i64,
    /// Query string of `GET /api/v1/calls` listing these calls.
    pub drill_down: String,
}

/// Calls of the period beside the cases: how many ended in advice alone, how many opened a case.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallFigures {
    pub total: i64,
    /// Calls that ended with advice and no case.
    pub advice_only: i64,
    /// Calls that opened a case.
    pub cases_opened: i64,
    pub by_outcome: Vec<CallOutcomeCount>,
    /// Query string of `GET /api/v1/calls` listing every call of the period.
    pub drill_down: String,
}

/// A business with many of the period's cases, and how it answered in time.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopBusiness {
    /// The key cases share (tax code, or the folded name).
    pub business_key: String,
    /// A name as recorded on one of its cases.
    pub name: Option<String>,
    pub cases: i64,
    /// Its negotiation and report clocks (Art 57): stopped in time, late, running overdue.
    pub answers_met: i64,
    pub answers_late: i64,
    pub answers_overdue: i64,
    /// answers_met / (met + late + overdue); `null` when it was never due to answer.
    pub on_time_answer_rate: Option<f64>,
    pub drill_down: String,
}

/// Money recovered for consumers on the period's cases (confirmed with `record_performance`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recovered {
    pub total_vnd: i64,
    pub cases: i64,
    pub drill_down: String,
}

/// The summary of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Summary {
    /// First day of the period (Vietnam time).
    pub from: NaiveDate,
    /// Last day of the period, inclusive.
    pub to: NaiveDate,
    /// Cases created in the period (every case, complaints or not, duplicates included): of the
    /// province for a coordinator, of the agency holding them now for a supervisor (their own)
    /// or for one agency's report.
    pub total: i64,
    pub total_drill_down: String,
    pub breakdowns: Vec<Breakdown>,
    pub clocks: Vec<ClockRate>,
    pub time_to_close: TimeToClose,
    pub calls: CallFigures,
    /// The businesses with most cases, most first.
    pub top_businesses: Vec<TopBusiness>,
    pub money_recovered: Recovered,
    /// The period's mediations by the mediators of the report's agency's list (a mediation
    /// body's report), or by every mediator (the province's); `null` for an agency that keeps
    /// no list of mediators (ADR 0067).
    pub mediation: Option<super::MediationFigures>,
}

/// The summary of the cases created from `from` to `to` (inclusive, Vietnam time), broken
/// down by `dims`.
pub async fn summary(
    state: &AppState,
    actor: Actor,
    from: NaiveDate,
    to: NaiveDate,
    dims: Vec<Dimension>,
) -> Result<Summary, AppError> {
    summary_of(state, actor, from, to, dims, None).await
}

/// The summary, restricted to the cases an agency holds now (and its calls) when `agency` is
/// given — always, for a supervisor: their own (`super::report_agency`); every drill-down then
/// carries `agency=` too.
pub(super) async fn summary_of(
    state: &AppState,
    actor: Actor,
    from: NaiveDate,
    to: NaiveDate,
    dims: Vec<Dimension>,
    agency: Option<String>,
) -> Result<Summary, AppError> {
    require_reader(&actor)?;
    let agency = report_agency(&actor, agency)?;
    let period = Period::new(from, to)?.of_agency(agency.clone());
    let call_agency = agency;
    state
        .db
        .run(move |conn| {
            let scope = scope_of(&actor);
            let base = period.filter();
            let (total, counted) = case_db::count_by_each(conn, &scope, &base, &dims)?;
            let breakdowns = dims
                .iter()
                .zip(counted)
                .map(|(d, rows)| breakdown(&period, *d, rows))
                .collect();
            let groups = case_db::clock_groups(conn, &scope, &base)?;
            let clocks = ClockTally::by_kind(&groups)
                .into_iter()
                .map(|(k, t)| clock_rate(&period, k, t, &[]))
                .collect();
            let (closed, [median, p90]) = case_db::days_to_close_quantiles(conn, &scope, &base, [0.5, 0.9])?;
            let (recovered, recovered_cases) = case_db::recovered(conn, &scope, &base)?;
            Ok(Summary {
                from,
                to,
                total,
                total_drill_down: period.drill(&[]),
                breakdowns,
                clocks,
                time_to_close: TimeToClose {
                    closed,
                    median_days: median.map(days),
                    p90_days: p90.map(days),
                    drill_down: period.drill(&[("status", "closed")]),
                },
                calls: calls(conn, call_agency.as_deref(), &period)?,
                top_businesses: top_businesses(conn, &scope, &base, &period)?,
                money_recovered: Recovered {
                    total_vnd: recovered,
                    cases: recovered_cases,
                    drill_down: period.drill(&[("recovered", "true")]),
                },
                mediation: super::mediation::mediation(conn, &scope, &period)?,
            })
        })
        .await
}

/// One dimension's counts (from `count_by_each`) with their drill-downs.
fn breakdown(period: &Period, d: Dimension, counted: Vec<(Option<String>, i64)>) -> Breakdown {
    let (_, name, title) = DIMENSIONS.iter().find(|x| x.0 == d).copied().unwrap_or(DIMENSIONS[0]);
    let mut rows: Vec<SummaryRow> = counted
        .into_iter()
        .map(|(value, count)| {
            let drill_down = value.as_deref().map(|v| match d {
                Dimension::Month => month_drill(period, v),
                _ => period.drill(&[(name, v)]),
            });
            SummaryRow {
                value,
                count,
                drill_down,
            }
        })
        .collect();
    if d == Dimension::Month {
        rows.sort_by(|a, b| a.value.cmp(&b.value));
    } else {
        rows.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.value.is_none().cmp(&b.value.is_none()))
                .then_with(|| a.value.cmp(&b.value))
        });
    }
    Breakdown {
        dimension: name.to_owned(),
        title: title.to_owned(),
        rows,
    }
}

/// The cases of one month (`YYYY-MM`) of the period: the month clipped to the period.
fn month_drill(period: &Period, month: &str) -> String {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok();
    let Some(first) = first else {
        return period.drill(&[]);
    };
    let next = calendar::add_calendar_months(first, 1);
    let start = start_of_day_utc(first).max(period.start);
    let end = start_of_day_utc(next).min(period.end);
    Period {
        start,
        end,
        agency: period.agency.clone(),
    }
    .drill(&[])
}

/// The rate of one kind of clock; `extra` filters are added to its drill-downs.
pub(super) fn clock_rate(period: &Period, k: ClockKind, t: ClockTally, extra: &[(&str, &str)]) -> ClockRate {
    let kind = k.as_str();
    let drill = |more: &[(&str, &str)]| {
        let mut pairs = extra.to_vec();
        pairs.extend_from_slice(more);
        period.drill(&pairs)
    };
    ClockRate {
        clock: kind.to_owned(),
        title: k.label_vi().to_owned(),
        met: t.met,
        late: t.late,
        running_overdue: t.running_overdue,
        running_on_time: t.running_on_time,
        paused: t.paused,
        on_time_rate: t.on_time_rate(),
        met_drill_down: drill(&[("clock", kind), ("clock_result", "met")]),
        late_drill_down: drill(&[("clock", kind), ("clock_result", "late")]),
        overdue_drill_down: drill(&[("clock", kind), ("overdue", "true")]),
    }
}

/// The calls of the period (of the caller's agency; every agency for a coordinator).
fn calls(conn: &mut AnyConnection, agency: Option<&str>, period: &Period) -> Result<CallFigures, AppError> {
    let f = CallFilter {
        from: Some(period.start.naive_utc()),
        to: Some(period.end.naive_utc()),
        ..CallFilter::default()
    };
    let (s, e) = (super::rfc3339(period.start), super::rfc3339(period.end));
    let by_outcome: Vec<CallOutcomeCount> = call_db::count_by_outcome(conn, agency, &f)?
        .into_iter()
        .map(|(outcome, count)| CallOutcomeCount {
            drill_down: query_string(&[("from", &s), ("to", &e), ("outcome", &outcome)]),
            outcome,
            count,
        })
        .collect();
    let of = |o: &str| {
        by_outcome
            .iter()
            .filter(|r| r.outcome == o)
            .map(|r| r.count)
            .sum::<i64>()
    };
    Ok(CallFigures {
        total: by_outcome.iter().map(|r| r.count).sum(),
        advice_only: of("advised"),
        cases_opened: of("case_opened"),
        drill_down: query_string(&[("from", &s), ("to", &e)]),
        by_outcome,
    })
}

/// The businesses with most cases, with how their answer clocks fared.
fn top_businesses(
    conn: &mut AnyConnection,
    scope: &Scope,
    base: &ListFilter,
    period: &Period,
) -> Result<Vec<TopBusiness>, AppError> {
    let mut out = Vec::new();
    for (key, name, cases) in case_db::top_businesses(conn, scope, base, TOP_BUSINESSES)? {
        let f = ListFilter {
            business_key: Some(key.clone()),
            ..base.clone()
        };
        let answers = ClockTally::by_kind(&case_db::clock_groups(conn, scope, &f)?)
            .into_iter()
            .filter(|(k, _)| matches!(k, ClockKind::BusinessNegotiation | ClockKind::BusinessReport))
            .fold(ClockTally::default(), |acc, (_, t)| acc.add(t));
        out.push(TopBusiness {
            drill_down: period.drill(&[("business_key", &key)]),
            business_key: key,
            name,
            cases,
            answers_met: answers.met,
            answers_late: answers.late,
            answers_overdue: answers.running_overdue,
            on_time_answer_rate: answers.on_time_rate(),
        });
    }
    Ok(out)
}

/// Months are shown in order in the exports too: `YYYY-MM` as `MM/YYYY`.
pub fn month_label(v: &str) -> String {
    NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d")
        .map(|d| format!("{:02}/{}", d.month(), d.year()))
        .unwrap_or_else(|_| v.to_owned())
}
