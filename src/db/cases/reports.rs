//! Aggregates for reports (issue 14): counted on the database over the same filtered set of
//! cases the case list uses (`list::filtered`), so that every figure drills down to exactly the
//! cases counted. Diesel cannot GROUP BY a boxed query on the multi-backend connection, so a
//! breakdown is the distinct values of its column followed by one `COUNT(*)` per value — each
//! of them the very query of its drill-down.

use diesel::dsl::count_star;
use diesel::prelude::*;

use super::list::filtered;
use super::Scope;
use crate::db::schema::{case_clocks, cases};
use crate::db::AnyConnection;
use crate::domain::clock::{ClockResult, ClockState};
use crate::domain::search::ListFilter;

/// The values of the column a breakdown counts by (`None`: not recorded), among the cases of
/// `scope` that pass `f`.
pub fn distinct_values(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    column: &str,
) -> QueryResult<Vec<Option<String>>> {
    let q = filtered(scope, f);
    match column {
        "channel" => q.select(cases::channel.nullable()).distinct().load(conn),
        "kind" => q.select(cases::kind.nullable()).distinct().load(conn),
        "category" => q.select(cases::category.nullable()).distinct().load(conn),
        "agency" => q.select(cases::current_agency).distinct().load(conn),
        "status" => q.select(cases::status.nullable()).distinct().load(conn),
        "outcome" => q.select(cases::outcome).distinct().load(conn),
        "vulnerable" => q.select(cases::vulnerable.nullable()).distinct().load(conn),
        "consumer_province" => q.select(cases::consumer_province).distinct().load(conn),
        _ => Ok(Vec::new()),
    }
}

/// Number of cases of `scope` that pass `f`.
pub fn count_cases(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<i64> {
    filtered(scope, f).select(count_star()).first(conn)
}

/// The kinds of legal clock started on the cases of `scope` that pass `f`.
pub fn clock_kinds(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<Vec<String>> {
    let mut kinds: Vec<String> = case_clocks::table.select(case_clocks::clock).distinct().load(conn)?;
    let mut present = Vec::new();
    for k in kinds.drain(..) {
        let n = filtered(scope, f)
            .filter(
                cases::id.eq_any(
                    case_clocks::table
                        .filter(case_clocks::clock.eq(k.clone()))
                        .select(case_clocks::case_id),
                ),
            )
            .select(count_star())
            .first::<i64>(conn)?;
        if n > 0 {
            present.push(k);
        }
    }
    Ok(present)
}

/// How the clocks of one kind fared on the counted cases (cases counted, one clock of a kind
/// per case).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClockCounts {
    /// Stopped in time.
    pub met: i64,
    /// Stopped after the due date.
    pub late: i64,
    /// Still running, past the due date.
    pub running_overdue: i64,
    /// Still running, not yet due.
    pub running_on_time: i64,
}

/// Counts of the cases of `scope` that pass `f` by how their clock of kind `clock` fared.
pub fn clock_counts(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter, clock: &str) -> QueryResult<ClockCounts> {
    let of_kind = case_clocks::clock.eq(clock.to_owned());
    let stopped = case_clocks::state.eq(ClockState::Stopped);
    let running = case_clocks::state.eq(ClockState::Running);
    let met = filtered(scope, f)
        .filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(
                        of_kind
                            .clone()
                            .and(stopped)
                            .and(case_clocks::result.eq(ClockResult::Met)),
                    )
                    .select(case_clocks::case_id),
            ),
        )
        .select(count_star())
        .first(conn)?;
    let late = filtered(scope, f)
        .filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(
                        of_kind
                            .clone()
                            .and(stopped)
                            .and(case_clocks::result.eq(ClockResult::Late)),
                    )
                    .select(case_clocks::case_id),
            ),
        )
        .select(count_star())
        .first(conn)?;
    let running_overdue = filtered(scope, f)
        .filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(of_kind.clone().and(running).and(case_clocks::overdue.eq(true)))
                    .select(case_clocks::case_id),
            ),
        )
        .select(count_star())
        .first(conn)?;
    let running_on_time = filtered(scope, f)
        .filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(of_kind.and(running).and(case_clocks::overdue.eq(false)))
                    .select(case_clocks::case_id),
            ),
        )
        .select(count_star())
        .first(conn)?;
    Ok(ClockCounts {
        met,
        late,
        running_overdue,
        running_on_time,
    })
}
