//! Case lists: filters, sort orders and keyset cursors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::sql_types::BigInt;

use super::{scoped, scoped_rows, BoxedCases, CaseRow, Scope};
use crate::db::connection::MultiBackend;
use crate::db::portability::{backend_of, CaseFilter};
use crate::db::schema::{case_clocks, cases};
use crate::db::AnyConnection;
use crate::domain::clock::{ClockKind, ClockState};
use crate::domain::ids::{CaseId, UserId};
use crate::domain::search::{ListFilter, Sort};

/// Position after which the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    Created {
        priority: bool,
        at: NaiveDateTime,
        id: String,
    },
    Due {
        priority: bool,
        due: Option<NaiveDateTime>,
        id: String,
    },
}

/// One page of cases, keyset-paginated. Priority cases (vulnerable consumers) come first in
/// every order.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<CaseRow>> {
    use crate::db::portability::{text_search, TextSearch};
    let newest_first_after = match (sort, after) {
        (Sort::CreatedDesc, Some(Cursor::Created { priority, at, .. })) => Some(Some((*priority, *at))),
        (Sort::CreatedDesc, _) => Some(None),
        (Sort::DueAsc, _) => None,
    };
    // One page query, optionally restricted by a search condition, at most `n` rows.
    let page = |conn: &mut AnyConnection, scope: &Scope, cond: Option<CaseFilter>, n: i64| {
        let mut q = page_query(scope, f, sort, after);
        if let Some(c) = cond {
            q = q.filter(c);
        }
        q.limit(n).select(CaseRow::as_select()).load(conn)
    };
    let agency = match scope {
        Scope::Agency(a) => Some(a.as_str()),
        _ => None,
    };
    match text_search(backend_of(conn), &f.words, newest_first_after, limit, agency) {
        TextSearch::Nothing => page(conn, scope, None, limit),
        TextSearch::Condition(cond) => page(conn, scope, Some(cond), limit),
        TextSearch::ConditionInScope(cond) => page(conn, &Scope::All, Some(cond), limit),
        TextSearch::Windows(mut windows) => {
            let mut rows: Vec<CaseRow> = Vec::new();
            while (rows.len() as i64) < limit {
                let Some(cond) = windows.next_window(conn)? else { break };
                let more = page(conn, scope, Some(cond), limit - rows.len() as i64)?;
                rows.extend(more);
            }
            Ok(rows)
        }
    }
}

/// The filters, cursor and order of a list, without its text search.
fn page_query<'a>(scope: &'a Scope, f: &ListFilter, sort: Sort, after: Option<&Cursor>) -> BoxedCases<'a> {
    ordered(filtered(scope, f), sort, after)
}

/// The cases of `scope` that pass the filters (text search aside), unordered.
pub(super) fn filtered<'a>(scope: &'a Scope, f: &ListFilter) -> BoxedCases<'a> {
    let q = scoped(scope);
    match condition(f) {
        Some(c) => q.filter(c),
        None => q,
    }
}

/// [`filtered`] with the agency tested on each case row (`scoped_rows`): for aggregates that
/// read every case of a period (reports).
pub(super) fn filtered_rows<'a>(scope: &'a Scope, f: &ListFilter) -> BoxedCases<'a> {
    let q = scoped_rows(scope);
    match condition(f) {
        Some(c) => q.filter(c),
        None => q,
    }
}

/// The filters of a list (scope and text search aside) as one condition; `None` when no filter
/// is set.
fn condition(f: &ListFilter) -> Option<CaseFilter> {
    let mut all: Vec<CaseFilter> = Vec::new();
    if let Some(s) = &f.status {
        all.push(Box::new(cases::status.eq(s.clone())));
    }
    if let Some(k) = &f.kind {
        all.push(Box::new(cases::kind.eq(k.clone())));
    }
    if let Some(c) = &f.category {
        all.push(Box::new(cases::category.eq(c.clone())));
    }
    if let Some(a) = &f.agency {
        all.push(Box::new(cases::current_agency.eq(a.clone()).assume_not_null()));
    }
    if let Some(u) = &f.unit {
        all.push(Box::new(cases::unit_code.eq(u.clone()).assume_not_null()));
    }
    if let Some(u) = &f.assignee {
        all.push(Box::new(cases::assignee_id.eq(u.clone()).assume_not_null()));
    }
    if let Some(c) = &f.channel {
        all.push(Box::new(cases::channel.eq(c.clone())));
    }
    if let Some(o) = &f.outcome {
        all.push(Box::new(cases::outcome.eq(o.clone()).assume_not_null()));
    }
    if let Some(v) = &f.vulnerable {
        all.push(Box::new(cases::vulnerable.eq(v.clone())));
    }
    if let Some(p) = &f.consumer_province {
        all.push(Box::new(cases::consumer_province.eq(p.clone()).assume_not_null()));
    }
    if let Some(c) = &f.consumer_commune {
        all.push(Box::new(cases::consumer_commune.eq(c.clone()).assume_not_null()));
    }
    if let Some(k) = &f.business_key {
        all.push(Box::new(cases::business_key.eq(k.clone()).assume_not_null()));
    }
    if let Some(k) = &f.product_key {
        all.push(Box::new(cases::product_key.eq(k.clone()).assume_not_null()));
    }
    mediation_filters(&mut all, f);
    if let Some(t) = f.created_from {
        all.push(Box::new(cases::created_at.ge(t)));
    }
    if let Some(t) = f.created_to {
        all.push(Box::new(cases::created_at.lt(t)));
    }
    if f.complaints_only {
        use crate::domain::case::{Channel, Outcome};
        all.push(Box::new(cases::channel.ne(Channel::Internal.as_str())));
        all.push(Box::new(
            cases::outcome
                .is_null()
                .or(cases::outcome.ne(Outcome::Duplicate.as_str()).assume_not_null()),
        ));
    }
    clock_filters(&mut all, f);
    queue_filters(&mut all, f);
    all.into_iter().reduce(|a, b| Box::new(a.and(b)))
}

/// The filters on a case's mediator: one mediator, a body's listed mediators, any.
fn mediation_filters(all: &mut Vec<CaseFilter>, f: &ListFilter) {
    use crate::db::schema::mediators;
    if let Some(m) = &f.mediator {
        all.push(Box::new(cases::mediator_id.eq(m.clone()).assume_not_null()));
    }
    if let Some(b) = &f.mediator_body {
        let listed = mediators::table
            .filter(mediators::body_agency.eq(b.clone()))
            .select(mediators::user_id);
        all.push(Box::new(cases::mediator_id.eq_any(listed).assume_not_null()));
    }
    if f.mediated {
        all.push(Box::new(cases::mediator_id.is_not_null()));
    }
}

/// The filters on a case's clocks and recoveries. With `clock` or `clock_agency`: a clock of
/// the case, of that kind and charged to that agency (each if given), that stopped with
/// `clock_result`; else that runs past its due date (`overdue`); else that runs (`clock`);
/// else any (`clock_agency` alone). `overdue` alone (or beside `clock_result`): any clock of
/// the case running past its due date — so a report's `clock=acknowledge&overdue=true` lists
/// exactly the cases whose acknowledgment is overdue.
fn clock_filters(all: &mut Vec<CaseFilter>, f: &ListFilter) {
    use diesel::sql_types::Bool;
    use diesel::IntoSql;
    let named = f.clock.is_some() || f.clock_agency.is_some();
    if named {
        // The kind and the agency, each `OR` a bound `true` when not given: the subquery stays
        // one generic statement (a boxed subquery is no fragment of either backend).
        let (kind, any_kind) = match f.clock {
            Some(c) => (c, false),
            None => (ClockKind::InternalTarget, true),
        };
        let (agency, any_agency) = match &f.clock_agency {
            Some(a) => (a.clone(), false),
            None => (String::new(), true),
        };
        let of = case_clocks::clock.eq(kind).or(any_kind.into_sql::<Bool>()).and(
            case_clocks::agency
                .eq(agency)
                .assume_not_null()
                .or(any_agency.into_sql::<Bool>()),
        );
        let ids = case_clocks::table.filter(of);
        let cond: CaseFilter = match (f.clock_result, f.overdue, f.clock) {
            (Some(r), _, _) => Box::new(
                cases::id.eq_any(
                    ids.filter(case_clocks::state.eq(ClockState::Stopped))
                        .filter(case_clocks::result.eq(r).assume_not_null())
                        .select(case_clocks::case_id),
                ),
            ),
            (None, true, _) => Box::new(
                cases::id.eq_any(
                    ids.filter(case_clocks::state.eq(ClockState::Running))
                        .filter(case_clocks::overdue.eq(true))
                        .select(case_clocks::case_id),
                ),
            ),
            (None, false, Some(_)) => Box::new(
                cases::id.eq_any(
                    ids.filter(case_clocks::state.eq(ClockState::Running))
                        .select(case_clocks::case_id),
                ),
            ),
            (None, false, None) => Box::new(cases::id.eq_any(ids.select(case_clocks::case_id))),
        };
        all.push(cond);
    }
    if f.recovered {
        all.push(Box::new(cases::id.eq_any(
            crate::db::schema::case_recoveries::table.select(crate::db::schema::case_recoveries::case_id),
        )));
    }
    if f.overdue && !(named && f.clock_result.is_none()) {
        all.push(Box::new(
            cases::id.eq_any(
                case_clocks::table
                    .filter(case_clocks::overdue.eq(true))
                    .filter(case_clocks::state.eq(ClockState::Running))
                    .select(case_clocks::case_id),
            ),
        ));
    }
}

/// The filters of the console's queues: open, unassigned, priority, due before, transfers waiting.
fn queue_filters(all: &mut Vec<CaseFilter>, f: &ListFilter) {
    if f.open_only {
        all.push(Box::new(OpenCase));
    }
    if f.unassigned {
        all.push(Box::new(cases::assignee_id.is_null()));
    }
    if f.priority_only {
        all.push(Box::new(cases::priority.eq(true)));
    }
    if let Some(t) = f.due_before {
        all.push(Box::new(cases::due_at.lt(t).assume_not_null()));
    }
    if let Some(a) = &f.pending_transfer_to {
        all.push(Box::new(cases::pending_transfer_to.eq(a.clone()).assume_not_null()));
    }
}

/// How many cases match the filters (text search aside): the counts on the console's queue tabs.
pub fn count(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<i64> {
    filtered(scope, f).select(diesel::dsl::count_star()).first(conn)
}

/// Filters counted in one statement (one bit each of a 64-bit mask).
const FLAGS_PER_QUERY: usize = 62;

/// How many cases match each of the filters (text search aside), in order: [`count`] of each,
/// in one pass over the scope per 62 filters (ADR 0041), the agency tested on each case row
/// (`scoped_rows`, ADR 0042). Each case of the scope that matches
/// any filter gets a mask with bit `i` set when it matches filter `i`; the cases are counted
/// per mask (`GROUP BY`, see `db::grouped`) and each mask's count is added to its filters.
///
/// The filters of open cases only (`open_only`: every queue tab) are counted apart from the
/// others, each pass restricted to open cases as its own condition, so it reads the index of
/// open cases (`cases_open_due_idx`, ADR 0047) instead of every case.
pub fn counts(conn: &mut AnyConnection, scope: &Scope, filters: &[ListFilter]) -> QueryResult<Vec<i64>> {
    let mut out = vec![0; filters.len()];
    for open in [true, false] {
        let (at, group): (Vec<usize>, Vec<&ListFilter>) =
            filters.iter().enumerate().filter(|(_, f)| f.open_only == open).unzip();
        for (at, chunk) in at.chunks(FLAGS_PER_QUERY).zip(group.chunks(FLAGS_PER_QUERY)) {
            for (i, n) in at.iter().zip(counts_in_one_pass(conn, scope, chunk, open)?) {
                out[*i] = n;
            }
        }
    }
    Ok(out)
}

/// [`counts`] of at most [`FLAGS_PER_QUERY`] filters in one statement; `open`: every filter is
/// `open_only`.
fn counts_in_one_pass(
    conn: &mut AnyConnection,
    scope: &Scope,
    chunk: &[&ListFilter],
    open: bool,
) -> QueryResult<Vec<i64>> {
    let mut q = scoped_rows(scope);
    if open {
        q = q.filter(OpenCase);
    }
    let any: Option<Vec<CaseFilter>> = chunk.iter().map(|f| condition(f)).collect();
    if let Some(any) = any.and_then(|a| a.into_iter().reduce(|a, b| Box::new(a.or(b)))) {
        q = q.filter(any);
    }
    let flags = Flags(chunk.iter().map(|f| condition(f)).collect());
    let masks: Vec<(i64, i64)> = crate::db::grouped::wrap::<_, (BigInt, BigInt)>(
        "SELECT t.g, COUNT(*) FROM (",
        q.select(flags),
        ") t GROUP BY t.g",
    )
    .load(conn)?;
    Ok((0..chunk.len())
        .map(|i| {
            masks
                .iter()
                .filter(|(mask, _)| mask & (1_i64 << i) != 0)
                .map(|(_, n)| n)
                .sum::<i64>()
        })
        .collect())
}

/// `cases.status <> 'closed'` as constant SQL text (a bound value would do on SQLite, but not
/// in the generic plan of a prepared statement on PostgreSQL): the condition of the index of
/// open cases (`cases_open_due_idx`, migration 000083), which a planner uses only where it can
/// prove the query's cases are in it. Constant text, so the statement stays cacheable.
#[derive(Debug, Clone, Copy)]
struct OpenCase;

/// The status [`OpenCase`] leaves out, as stored.
const CLOSED: &str = "closed";

impl diesel::expression::Expression for OpenCase {
    type SqlType = diesel::sql_types::Bool;
}

impl diesel::expression::AppearsOnTable<cases::table> for OpenCase {}

impl diesel::expression::SelectableExpression<cases::table> for OpenCase {}

impl diesel::expression::ValidGrouping<()> for OpenCase {
    type IsAggregate = diesel::expression::is_aggregate::No;
}

impl diesel::query_builder::QueryId for OpenCase {
    type QueryId = OpenCase;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<MultiBackend> for OpenCase {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("(cases.status <> '");
        out.push_sql(CLOSED);
        out.push_sql("')");
        Ok(())
    }
}

/// `(0 + CASE WHEN c0 THEN 1 ELSE 0 END + CASE WHEN c1 THEN 2 ELSE 0 END + …) AS g`, a
/// 64-bit integer: the filters a case matches (`None`: every case matches).
struct Flags(Vec<Option<CaseFilter>>);

impl diesel::expression::Expression for Flags {
    type SqlType = BigInt;
}

impl diesel::expression::AppearsOnTable<cases::table> for Flags {}

impl diesel::expression::SelectableExpression<cases::table> for Flags {}

impl diesel::expression::ValidGrouping<()> for Flags {
    type IsAggregate = diesel::expression::is_aggregate::No;
}

impl diesel::query_builder::QueryId for Flags {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::QueryFragment<MultiBackend> for Flags {
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql("(CAST(0 AS BIGINT)");
        for (i, c) in self.0.iter().enumerate() {
            let bit = 1_i64 << i;
            match c {
                Some(c) => {
                    out.push_sql(" + CASE WHEN ");
                    c.walk_ast(out.reborrow())?;
                    out.push_sql(&format!(" THEN {bit} ELSE 0 END"));
                }
                None => out.push_sql(&format!(" + {bit}")),
            }
        }
        out.push_sql(") AS g");
        Ok(())
    }
}

/// How many cases that match the filters (text search aside) each unit works: (unit code,
/// count), cases without a unit left out (the dashboard counts them per unit, ADR 0033).
pub fn unit_counts(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<Vec<(String, i64)>> {
    use diesel::sql_types::{Nullable, Text};
    let rows: Vec<(Option<String>, i64)> = crate::db::grouped::wrap::<_, (Nullable<Text>, BigInt)>(
        "SELECT t.g, COUNT(*) FROM (",
        filtered_rows(scope, f).select(diesel::dsl::sql::<Nullable<Text>>("cases.unit_code AS g")),
        ") t GROUP BY t.g",
    )
    .load(conn)?;
    Ok(rows.into_iter().filter_map(|(u, n)| Some((u?, n))).collect())
}

/// The keyset condition of the page after `after`, and the order.
fn ordered<'a>(mut q: BoxedCases<'a>, sort: Sort, after: Option<&Cursor>) -> BoxedCases<'a> {
    match (sort, after) {
        (Sort::CreatedDesc, Some(Cursor::Created { priority, at, id })) => {
            q = q.filter(
                cases::priority.lt(*priority).or(cases::priority.eq(*priority).and(
                    cases::created_at
                        .lt(*at)
                        .or(cases::created_at.eq(*at).and(cases::id.lt(id.clone()))),
                )),
            );
        }
        (
            Sort::DueAsc,
            Some(Cursor::Due {
                priority,
                due: Some(d),
                id,
            }),
        ) => {
            q = q.filter(
                cases::priority.lt(*priority).or(cases::priority.eq(*priority).and(
                    cases::due_at
                        .gt(*d)
                        .or(cases::due_at.eq(*d).and(cases::id.gt(id.clone())))
                        .or(cases::due_at.is_null()),
                )),
            );
        }
        (
            Sort::DueAsc,
            Some(Cursor::Due {
                priority,
                due: None,
                id,
            }),
        ) => {
            q = q.filter(
                cases::priority.lt(*priority).or(cases::priority
                    .eq(*priority)
                    .and(cases::due_at.is_null().and(cases::id.gt(id.clone())))),
            );
        }
        _ => {}
    }
    match sort {
        Sort::CreatedDesc => q.order((cases::priority.desc(), cases::created_at.desc(), cases::id.desc())),
        Sort::DueAsc => q.order((
            cases::priority.desc(),
            cases::due_at.is_null().asc(),
            cases::due_at.asc(),
            cases::id.asc(),
        )),
    }
}

/// The assignee of every open case of an agency that has one (one row per case): how many
/// cases each person holds, counted by the caller.
pub fn open_assignees(conn: &mut AnyConnection, agency: &str) -> QueryResult<Vec<UserId>> {
    cases::table
        .filter(cases::current_agency.eq(agency))
        .filter(OpenCase)
        .filter(cases::assignee_id.is_not_null())
        .select(cases::assignee_id.assume_not_null())
        .load(conn)
}

/// The open cases assigned to a person.
pub fn open_cases_of_assignee(conn: &mut AnyConnection, user_id: &str) -> QueryResult<Vec<CaseId>> {
    cases::table
        .filter(cases::assignee_id.eq(user_id))
        .filter(OpenCase)
        .order(cases::created_at)
        .select(cases::id)
        .load(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_condition_leaves_out_the_closed_status_as_stored() {
        assert_eq!(CLOSED, crate::domain::case::Status::Closed.as_str());
    }
}
