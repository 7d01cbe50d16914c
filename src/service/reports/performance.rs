//! The performance of each agency in a period (issue 14 item 3): the provincial plans make
//! complaint handling a criterion of the annual evaluation of agencies and their heads.
//! Per agency holding cases created in the period, and per unit of it (ADR 0033): cases,
//! closed, clocks running overdue now, the on-time rate of every legal clock, time to close and
//! the consumers' ratings. Each figure is one grouped query over all agencies (or all units of
//! an agency) at once, so the cost does not grow with the number of communes.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::summary::{ClockRate, TimeToClose};
use super::{days, require_reader, ClockTally, Period};
use crate::db::cases::{self as case_db, ClockGroup, Dimension, Scope};
use crate::db::AnyConnection;
use crate::domain::search::ListFilter;
use crate::domain::user::Actor;
use crate::error::AppError;
use crate::service::scope_of;
use crate::state::AppState;

/// The figures of an agency, or of one of its units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub cases: i64,
    /// Cases with a legal clock running past its due date now.
    pub overdue_now: i64,
    pub overdue_drill_down: String,
    /// Every legal clock, with its on-time rate.
    pub clocks: Vec<ClockRate>,
    /// The on-time rate of all its clocks together; `null` when nothing is decided yet.
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
    /// The agency holding the cases (their current agency).
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

/// The performance of every agency whose cases the caller may read (a supervisor: their own),
/// over the cases created from `from` to `to`.
pub async fn performance(
    state: &AppState,
    actor: Actor,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Performance, AppError> {
    performance_of(state, actor, from, to, None).await
}

/// The performance, of one agency only when `only` is given.
pub(super) async fn performance_of(
    state: &AppState,
    actor: Actor,
    from: NaiveDate,
    to: NaiveDate,
    only: Option<String>,
) -> Result<Performance, AppError> {
    require_reader(&actor)?;
    let period = Period::new(from, to)?;
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let scope = scope_of(&actor);
            let base = ListFilter {
                agency: only.clone(),
                ..period.filter()
            };
            let mut agencies = Vec::new();
            for (agency, figures) in figures_by(conn, &scope, &period, (&base, Dimension::Agency), &[])? {
                if only.as_ref().is_some_and(|o| o != &agency) {
                    continue;
                }
                let f = ListFilter {
                    agency: Some(agency.clone()),
                    ..base.clone()
                };
                let units = figures_by(conn, &scope, &period, (&f, Dimension::Unit), &[("agency", &agency)])?
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

/// The figures of the cases of `scope` that pass `f`, for every value of `dim` (agency or
/// unit; cases without one are left out), most cases first — a fixed handful of grouped
/// queries however many agencies or units there are. `drill` narrows the drill-downs (the
/// agency of the units); each value's own filter is added to it.
fn figures_by(
    conn: &mut AnyConnection,
    scope: &Scope,
    period: &Period,
    (f, dim): (&ListFilter, Dimension),
    drill: &[(&str, &str)],
) -> Result<Vec<(String, Figures)>, AppError> {
    let name = match dim {
        Dimension::Unit => "unit",
        _ => "agency",
    };
    let keyed = |rows: Vec<(Option<String>, i64)>| -> HashMap<String, i64> {
        rows.into_iter().filter_map(|(k, n)| k.map(|k| (k, n))).collect()
    };
    let overdue = ListFilter {
        overdue: true,
        ..f.clone()
    };
    let overdue = keyed(case_db::count_by(conn, scope, &overdue, dim)?);
    let closed = keyed(case_db::count_by(conn, scope, &f.clone().closed_only(), dim)?);
    let mut clocks: HashMap<String, Vec<ClockGroup>> = HashMap::new();
    for (k, g) in case_db::clock_groups_by(conn, scope, f, dim)? {
        if let Some(k) = k {
            clocks.entry(k).or_default().push(g);
        }
    }
    let mut ratings: HashMap<String, (Option<f64>, i64)> = HashMap::new();
    for (k, avg, n) in case_db::ratings_by(conn, scope, f, dim)? {
        if let Some(k) = k {
            ratings.insert(k, (avg, n));
        }
    }
    let quantile = |conn: &mut AnyConnection, p: f64| -> Result<HashMap<String, f64>, AppError> {
        Ok(case_db::days_to_close_quantile_by(conn, scope, f, dim, p)?
            .into_iter()
            .filter_map(|(k, d)| k.map(|k| (k, d)))
            .collect())
    };
    let (median, p90) = (quantile(conn, 0.5)?, quantile(conn, 0.9)?);
    let mut out = Vec::new();
    for (key, cases) in case_db::count_by(conn, scope, f, dim)? {
        let Some(key) = key else { continue };
        let mut pairs = drill.to_vec();
        pairs.push((name, key.as_str()));
        let with = |extra: (&'static str, &'static str)| {
            let mut p = pairs.clone();
            p.push(extra);
            period.drill(&p)
        };
        let tallies = ClockTally::by_kind(clocks.get(&key).map_or(&[][..], Vec::as_slice));
        let all = tallies.iter().fold(ClockTally::default(), |acc, (_, t)| acc.add(*t));
        let (rating_average, ratings) = ratings.get(&key).copied().unwrap_or((None, 0));
        let figures = Figures {
            cases,
            overdue_now: overdue.get(&key).copied().unwrap_or(0),
            overdue_drill_down: with(("overdue", "true")),
            clocks: tallies
                .into_iter()
                .map(|(k, t)| super::summary::clock_rate(period, k, t, &pairs))
                .collect(),
            on_time_rate: all.on_time_rate(),
            time_to_close: TimeToClose {
                closed: closed.get(&key).copied().unwrap_or(0),
                median_days: median.get(&key).copied().map(days),
                p90_days: p90.get(&key).copied().map(days),
                drill_down: with(("status", "closed")),
            },
            rating_average: rating_average.map(|v| (v * 100.0).round() / 100.0),
            ratings,
            drill_down: period.drill(&pairs),
        };
        out.push((key, figures));
    }
    Ok(out)
}
