//! Case lists: filters, sort orders and keyset cursors.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{scoped, BoxedCases, CaseRow, Scope};
use crate::db::portability::backend_of;
use crate::db::schema::{case_clocks, cases};
use crate::db::AnyConnection;
use crate::domain::case::Status;
use crate::domain::clock::ClockState;
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
    let page = |conn: &mut AnyConnection, cond: Option<crate::db::portability::CaseFilter>, n: i64| {
        let mut q = page_query(scope, f, sort, after);
        if let Some(c) = cond {
            q = q.filter(c);
        }
        q.limit(n).select(CaseRow::as_select()).load(conn)
    };
    match text_search(backend_of(conn), &f.words, newest_first_after, limit) {
        TextSearch::Nothing => page(conn, None, limit),
        TextSearch::Condition(cond) => page(conn, Some(cond), limit),
        TextSearch::Windows(mut windows) => {
            let mut rows: Vec<CaseRow> = Vec::new();
            while (rows.len() as i64) < limit {
                let Some(cond) = windows.next_window(conn)? else { break };
                let more = page(conn, Some(cond), limit - rows.len() as i64)?;
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
    let mut q = scoped(scope);
    if let Some(s) = &f.status {
        q = q.filter(cases::status.eq(s.clone()));
    }
    if let Some(k) = &f.kind {
        q = q.filter(cases::kind.eq(k.clone()));
    }
    if let Some(c) = &f.category {
        q = q.filter(cases::category.eq(c.clone()));
    }
    if let Some(a) = &f.agency {
        q = q.filter(cases::current_agency.eq(a.clone()));
    }
    if let Some(u) = &f.assignee {
        q = q.filter(cases::assignee_id.eq(u.clone()));
    }
    if let Some(c) = &f.channel {
        q = q.filter(cases::channel.eq(c.clone()));
    }
    if let Some(o) = &f.outcome {
        q = q.filter(cases::outcome.eq(o.clone()));
    }
    if let Some(v) = &f.vulnerable {
        q = q.filter(cases::vulnerable.eq(v.clone()));
    }
    if let Some(p) = &f.consumer_province {
        q = q.filter(cases::consumer_province.eq(p.clone()));
    }
    if let Some(c) = &f.consumer_commune {
        q = q.filter(cases::consumer_commune.eq(c.clone()));
    }
    if let Some(k) = &f.business_key {
        q = q.filter(cases::business_key.eq(k.clone()));
    }
    if let Some(t) = f.created_from {
        q = q.filter(cases::created_at.ge(t));
    }
    if let Some(t) = f.created_to {
        q = q.filter(cases::created_at.lt(t));
    }
    match (&f.clock, &f.clock_result) {
        (Some(c), None) => {
            q = q.filter(
                cases::id.eq_any(
                    case_clocks::table
                        .filter(case_clocks::clock.eq(*c))
                        .filter(case_clocks::state.eq(ClockState::Running))
                        .select(case_clocks::case_id),
                ),
            );
        }
        (Some(c), Some(r)) => {
            q = q.filter(
                cases::id.eq_any(
                    case_clocks::table
                        .filter(case_clocks::clock.eq(*c))
                        .filter(case_clocks::state.eq(ClockState::Stopped))
                        .filter(case_clocks::result.eq(*r))
                        .select(case_clocks::case_id),
                ),
            );
        }
        (None, _) => {}
    }
    if f.recovered {
        q = q.filter(
            cases::id
                .eq_any(crate::db::schema::case_recoveries::table.select(crate::db::schema::case_recoveries::case_id)),
        );
    }
    if f.overdue {
        q = q.filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(case_clocks::overdue.eq(true))
                    .filter(case_clocks::state.eq(ClockState::Running))
                    .select(case_clocks::case_id),
            ),
        );
    }
    queue_filters(q, f)
}

/// The filters of the console's queues: open, unassigned, priority, due before, transfers waiting.
fn queue_filters<'a>(mut q: BoxedCases<'a>, f: &ListFilter) -> BoxedCases<'a> {
    if f.open_only {
        q = q.filter(cases::status.ne(Status::Closed));
    }
    if f.unassigned {
        q = q.filter(cases::assignee_id.is_null());
    }
    if f.priority_only {
        q = q.filter(cases::priority.eq(true));
    }
    if let Some(t) = f.due_before {
        q = q.filter(cases::due_at.lt(t));
    }
    if let Some(a) = &f.pending_transfer_to {
        q = q.filter(cases::pending_transfer_to.eq(a.clone()));
    }
    q
}

/// How many cases match the filters (text search aside): the counts on the console's queue tabs.
pub fn count(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<i64> {
    filtered(scope, f).select(diesel::dsl::count_star()).first(conn)
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
