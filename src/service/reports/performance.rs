//! The performance of each agency in a period (issue 14 item 3): the provincial plans make
//! complaint handling a criterion of the annual evaluation of agencies and their heads.
//! Per agency, and per unit of it (ADR 0033): of the cases created in the period that it holds
//! now, how many, closed, time to close and the consumers' ratings; of the legal clocks charged
//! to it on the cases of the period (the agency that held the case when the clock started,
//! whoever holds it now; only the clocks that are an agency's duty, ADR 0063), the on-time rate
//! of each kind and the cases running overdue now. Each figure is one grouped query over all
//! agencies (or all units of an agency) at once, so the cost does not grow with the number of
//! communes.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::summary::{ClockRate, TimeToClose};
use super::{days, report_agency, require_reader, ClockTally, Period};
use crate::db::cases::{self as case_db, ClockGroup, Dimension, Scope};
use crate::db::AnyConnection;
use crate::domain::clock::ClockKind;
use crate::domain::search::ListFilter;
use crate::domain::user::Actor;
use crate::error::AppError;
use crate::service::scope_of;
use crate::state::AppState;

/// The figures of an agency, or of one of its units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub cases: i64,
    /// Cases with a legal clock charged to the agency running past its due date now.
    pub overdue_now: i64,
    pub overdue_drill_down: String,
    /// Every kind of legal clock charged to the agency (acknowledge, forward_to_business,
    /// internal_target; not the business's, the consumer's or the parties'), with its on-time
    /// rate.
    pub clocks: Vec<ClockRate>,
    /// The on-time rate of those clocks together; `null` when nothing is decided yet.
    pub on_time_rate: Option<f64>,
    pub time_to_close: TimeToClose,
    /// Consumers' ratings (1–5) of its closed cases: average and how many.
    pub rating_average: Option<f64>,
    pub ratings: i64,
    pub drill_down: String,
}

/// One agency's figures, and those of each of its units that holds cases of the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyPerformance {
    /// The agency: `cases`, `time_to_close` and ratings count the cases of the period it holds
    /// now; `clocks`, `on_time_rate` and `overdue_now` the clocks charged to it (ADR 0063).
    pub agency: String,
    /// Its name, from the taxonomy.
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
    /// Its units (communes of UBND_XA, branches of HOI; ADR 0033), most cases first; empty
    /// for an agency without units. Cases of the agency not assigned to a unit are in no row.
    pub units: Vec<UnitPerformance>,
}

/// One unit's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitPerformance {
    /// The unit's code (`GET /api/v1/units`).
    pub unit: String,
    /// Its name, from `config/units.toml`.
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Performance of the agencies in a period, most cases first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Performance {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub agencies: Vec<AgencyPerformance>,
}

/// The performance of every agency (a supervisor: their own agency only),
/// over the cases created from `from` to `to`.
pub async fn performance(
    state: &AppState,
    actor: Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Performance, AppError> {
    performance_of(state, actor, from, to, None).await
}

/// The performance, of one agency only when `only` is given (a supervisor: always their own,
/// `super::report_agency`).
pub(super) async fn performance_of(
    state: &AppState,
    actor: Actor,
    from: NaiveDate,
    to: NaiveDate,
    only: Option<String>,
) -> Result<Performance, AppError> {
    require_reader(&actor)?;
    let only = report_agency(&actor, only)?;
    let period = Period::new(from, to)?;
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let scope = scope_of(&actor);
            let mut agencies = Vec::new();
            let counts = by_agency(conn, &scope, &period, only.as_deref())?;
            for (agency, figures) in figures_of(&period, counts, &[], None) {
                let counts = by_unit(conn, &scope, &period, &agency)?;
                let units = figures_of(&period, counts, &[("agency", &agency)], Some(&agency))
                    .into_iter()
                    .map(|(unit, figures)| UnitPerformance {
                        name: router.units().get(&unit).map(|x| x.name.clone()),
                        figures,
                        unit,
                    })
                    .collect();
                agencies.push(AgencyPerformance {
                    name: router.taxonomy().agency(&agency).map(|x| x.name.clone()),
                    figures,
                    units,
                    agency,
                });
            }
            Ok(Performance { from, to, agencies })
        })
        .await
}

/// What the figures of each agency or unit are made of, keyed by its code, read in a fixed
/// handful of grouped queries however many agencies or units there are.
#[derive(Default)]
struct Counts {
    /// The rows: every key with cases (or, for agencies, clocks charged to it), most cases
    /// first, then by code.
    cases: Vec<(String, i64)>,
    closed: HashMap<String, i64>,
    overdue: HashMap<String, i64>,
    clocks: HashMap<String, Vec<ClockGroup>>,
    ratings: HashMap<String, (Option<f64>, i64)>,
    median: HashMap<String, f64>,
    p90: HashMap<String, f64>,
}

impl Counts {
    /// The figures of the cases of `scope` that pass `f` grouped by `dim`: cases, closed, time
    /// to close and ratings (clocks and overdue are the caller's: they are charged, ADR 0063).
    fn of_cases(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter, dim: Dimension) -> Result<Counts, AppError> {
        let keyed = |rows: Vec<(Option<String>, i64)>| -> HashMap<String, i64> {
            rows.into_iter().filter_map(|(k, n)| k.map(|k| (k, n))).collect()
        };
        let closed = keyed(case_db::count_by(conn, scope, &f.clone().closed_only(), dim)?);
        let ratings = case_db::ratings_by(conn, scope, f, dim)?
            .into_iter()
            .filter_map(|(k, avg, n)| Some((k?, (avg, n))))
            .collect();
        let mut quantile = |p: f64| -> Result<HashMap<String, f64>, AppError> {
            Ok(case_db::days_to_close_quantile_by(conn, scope, f, dim, p)?
                .into_iter()
                .filter_map(|(k, d)| k.map(|k| (k, d)))
                .collect())
        };
        let (median, p90) = (quantile(0.5)?, quantile(0.9)?);
        let cases = case_db::count_by(conn, scope, f, dim)?
            .into_iter()
            .filter_map(|(k, n)| Some((k?, n)))
            .collect();
        Ok(Counts {
            cases,
            closed,
            ratings,
            median,
            p90,
            ..Counts::default()
        })
    }

    /// Adds a clock group to `key`'s, if it is one of an agency's duties.
    fn add_clock(&mut self, key: String, g: ClockGroup) {
        if ClockKind::parse(&g.0).is_some_and(ClockKind::is_agency_duty) {
            self.clocks.entry(key).or_default().push(g);
        }
    }

    /// Every key with cases, clocks or overdue cases as a row, most cases first, then by code
    /// (compared as bytes: the same order on both backends).
    fn settle_rows(&mut self) {
        let mut rows: HashMap<String, i64> = self.cases.drain(..).collect();
        for k in self.clocks.keys().chain(self.overdue.keys()) {
            rows.entry(k.clone()).or_insert(0);
        }
        let mut rows: Vec<(String, i64)> = rows.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        self.cases = rows;
    }
}

/// The agencies' counts (`only`: of that one): their cases are the cases of the period they
/// hold now; their clocks and overdue cases, the clocks charged to them on any case of the
/// period in `scope`, whichever agency holds it now (ADR 0063).
fn by_agency(conn: &mut AnyConnection, scope: &Scope, period: &Period, only: Option<&str>) -> Result<Counts, AppError> {
    let all = period.filter();
    let held = ListFilter {
        agency: only.map(str::to_owned),
        ..all.clone()
    };
    let mut c = Counts::of_cases(conn, scope, &held, Dimension::Agency)?;
    let mine = |a: &str| only.is_none_or(|o| o == a);
    for (_, charged, g) in case_db::clock_groups_by(conn, scope, &all, Dimension::Agency)? {
        if let Some(a) = charged.filter(|a| mine(a)) {
            c.add_clock(a, g);
        }
    }
    c.overdue = case_db::overdue_by_charge(conn, scope, &all)?
        .into_iter()
        .filter(|(a, _)| mine(a))
        .collect();
    c.settle_rows();
    Ok(c)
}

/// The counts of the units of `agency`: the cases of the period it holds, by unit, and the
/// clocks charged to it on them.
fn by_unit(conn: &mut AnyConnection, scope: &Scope, period: &Period, agency: &str) -> Result<Counts, AppError> {
    let f = ListFilter {
        agency: Some(agency.to_owned()),
        ..period.filter()
    };
    let mut c = Counts::of_cases(conn, scope, &f, Dimension::Unit)?;
    for (unit, charged, g) in case_db::clock_groups_by(conn, scope, &f, Dimension::Unit)? {
        if let (Some(u), Some(_)) = (unit, charged.filter(|a| a == agency)) {
            c.add_clock(u, g);
        }
    }
    let overdue = ListFilter {
        overdue: true,
        clock_agency: Some(agency.to_owned()),
        ..f.clone()
    };
    c.overdue = case_db::count_by(conn, scope, &overdue, Dimension::Unit)?
        .into_iter()
        .filter_map(|(k, n)| Some((k?, n)))
        .collect();
    c.settle_rows();
    Ok(c)
}

/// The figures of each row of `c`. `drill` narrows the drill-downs (the agency of the units);
/// each row's own filter is added to it (`agency` for an agency, `unit` for a unit); the clock
/// drill-downs name the agency the clocks are charged to (`charged`, or the row's agency).
fn figures_of(period: &Period, mut c: Counts, drill: &[(&str, &str)], charged: Option<&str>) -> Vec<(String, Figures)> {
    let name = if charged.is_some() { "unit" } else { "agency" };
    let mut out = Vec::new();
    for (key, cases) in std::mem::take(&mut c.cases) {
        let mut pairs = drill.to_vec();
        pairs.push((name, key.as_str()));
        let mut clock_pairs = pairs.clone();
        if charged.is_none() {
            clock_pairs.retain(|(k, _)| *k != "agency");
        }
        clock_pairs.push(("clock_agency", charged.unwrap_or(&key)));
        let tallies = ClockTally::by_kind(c.clocks.get(&key).map_or(&[][..], Vec::as_slice));
        let all = tallies.iter().fold(ClockTally::default(), |acc, (_, t)| acc.add(*t));
        let (rating_average, ratings) = c.ratings.get(&key).copied().unwrap_or((None, 0));
        let with = |p: &[(&str, &str)], extra: (&'static str, &'static str)| {
            let mut p = p.to_vec();
            p.push(extra);
            period.drill(&p)
        };
        let figures = Figures {
            cases,
            overdue_now: c.overdue.get(&key).copied().unwrap_or(0),
            overdue_drill_down: with(&clock_pairs, ("overdue", "true")),
            clocks: tallies
                .into_iter()
                .map(|(k, t)| super::summary::clock_rate(period, k, t, &clock_pairs))
                .collect(),
            on_time_rate: all.on_time_rate(),
            time_to_close: TimeToClose {
                closed: c.closed.get(&key).copied().unwrap_or(0),
                median_days: c.median.get(&key).copied().map(days),
                p90_days: c.p90.get(&key).copied().map(days),
                drill_down: with(&pairs, ("status", "closed")),
            },
            rating_average: rating_average.map(|v| (v * 100.0).round() / 100.0),
            ratings,
            drill_down: period.drill(&pairs),
        };
        out.push((key, figures));
    }
    out
}
