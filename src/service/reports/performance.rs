//! The performance of each agency in a period (issue 14 item 3): the provincial plans make
//! complaint handling a criterion of the annual evaluation of agencies and their heads.
//! Per agency holding cases created in the period: cases, closed, clocks running overdue now,
//! the on-time rate of every legal clock, time to close and the consumers' ratings.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::summary::{ClockRate, TimeToClose};
use super::{days, require_reader, ClockTally, Period};
use crate::db::cases::{self as case_db, Dimension};
use crate::domain::search::ListFilter;
use crate::domain::user::Actor;
use crate::error::AppError;
use crate::service::scope_of;
use crate::state::AppState;

/// One agency's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgencyPerformance {
    /// The agency holding the cases (their current agency).
    pub agency: String,
    /// Its name, from the taxonomy.
    pub name: Option<String>,
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
            let base = period.filter();
            let mut agencies = Vec::new();
            for (agency, cases) in case_db::count_by(conn, &scope, &base, Dimension::Agency)? {
                let Some(agency) = agency else { continue };
                if only.as_ref().is_some_and(|o| o != &agency) {
                    continue;
                }
                let f = ListFilter {
                    agency: Some(agency.clone()),
                    ..base.clone()
                };
                let overdue = ListFilter {
                    overdue: true,
                    ..f.clone()
                };
                let tallies = ClockTally::by_kind(&case_db::clock_groups(conn, &scope, &f)?);
                let all = tallies.iter().fold(ClockTally::default(), |acc, (_, t)| acc.add(*t));
                let (closed, q) = case_db::days_to_close_quantiles(conn, &scope, &f, &[0.5, 0.9])?;
                let (rating_average, ratings) = case_db::ratings(conn, &scope, &f)?;
                let a = [("agency", agency.as_str())];
                agencies.push(AgencyPerformance {
                    name: router.taxonomy().agency(&agency).map(|x| x.name.clone()),
                    cases,
                    overdue_now: case_db::count_cases(conn, &scope, &overdue)?,
                    overdue_drill_down: period.drill(&[("agency", agency.as_str()), ("overdue", "true")]),
                    clocks: tallies
                        .into_iter()
                        .map(|(k, t)| super::summary::clock_rate(&period, k, t, &a))
                        .collect(),
                    on_time_rate: all.on_time_rate(),
                    time_to_close: TimeToClose {
                        closed,
                        median_days: q.first().copied().flatten().map(days),
                        p90_days: q.get(1).copied().flatten().map(days),
                        drill_down: period.drill(&[("agency", agency.as_str()), ("status", "closed")]),
                    },
                    rating_average: rating_average.map(|v| (v * 100.0).round() / 100.0),
                    ratings,
                    drill_down: period.drill(&a),
                    agency,
                });
            }
            Ok(Performance { from, to, agencies })
        })
        .await
}
