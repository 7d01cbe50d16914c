//! Legal clocks of cases: rows and queries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use diesel::expression::BoxableExpression;
use diesel::sql_types::Bool;

use super::connection::MultiBackend;
use super::schema::case_clocks;
use super::AnyConnection;
use crate::domain::clock::{ClockKind, ClockResult, ClockState};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = case_clocks)]
// `None` is inserted as NULL (every nullable column's default), not as `DEFAULT`, which made
// diesel re-prepare the INSERT every time on PostgreSQL (ADR 0045).
#[diesel(treat_none_as_default_value = false)]
#[diesel(treat_none_as_null = true)]
pub struct ClockRow {
    pub id: String,
    pub case_id: String,
    pub clock: ClockKind,
    pub started_at: NaiveDateTime,
    /// Local date of the triggering event (not counted).
    pub start_date: NaiveDate,
    /// Working days, for working-day clocks.
    pub length_wd: Option<i32>,
    /// The due date of calendar clocks (an agreed date, six months).
    pub fixed_due: Option<NaiveDate>,
    /// JSON `[[from, to], …]`: local dates (inclusive) during which the clock was paused.
    pub pauses: String,
    /// Local date the current pause began.
    pub paused_since: Option<NaiveDate>,
    pub due_date: NaiveDate,
    pub due_at: NaiveDateTime,
    pub provisional: bool,
    pub state: ClockState,
    /// When stopped: met or late.
    pub result: Option<ClockResult>,
    pub stopped_at: Option<NaiveDateTime>,
    pub reminded: bool,
    pub overdue: bool,
    /// The agency the clock is charged to: the one holding the case when it started, for the
    /// clocks that are an agency's duty ([`ClockKind::is_agency_duty`]); `None` for the
    /// business's, the consumer's and the parties' clocks (ADR 0063).
    pub agency: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, row: &ClockRow) -> QueryResult<()> {
    crate::db::portability::execute(conn, diesel::insert_into(case_clocks::table).values(row)).map(drop)
}

/// The agency holding a case now (a clock started now is charged to it).
pub fn holder(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Option<String>> {
    use super::schema::cases;
    cases::table
        .find(case_id)
        .select(cases::current_agency)
        .first(conn)
        .optional()
        .map(Option::flatten)
}

pub fn save(conn: &mut AnyConnection, row: &ClockRow) -> QueryResult<()> {
    diesel::update(case_clocks::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(|_| ())
}

/// The clock as committed now (see `portability::lock_row`).
pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<ClockRow>> {
    case_clocks::table.find(id).first(conn).optional()
}

pub fn for_case(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<ClockRow>> {
    case_clocks::table
        .filter(case_clocks::case_id.eq(case_id))
        .order((case_clocks::started_at.asc(), case_clocks::id.asc()))
        .select(ClockRow::as_select())
        .load(conn)
}

/// Clocks still running or paused, across all cases.
pub fn open(conn: &mut AnyConnection) -> QueryResult<Vec<ClockRow>> {
    case_clocks::table
        .filter(case_clocks::state.ne(ClockState::Stopped))
        .order((case_clocks::due_at.asc(), case_clocks::id.asc()))
        .select(ClockRow::as_select())
        .load(conn)
}

/// Running clocks of kind `clock` not yet reminded, due at or before `until`, soonest first.
pub fn unreminded_due_before(
    conn: &mut AnyConnection,
    clock: ClockKind,
    until: NaiveDateTime,
) -> QueryResult<Vec<ClockRow>> {
    running_due_where(
        conn,
        until,
        Box::new(case_clocks::clock.eq(clock).and(case_clocks::reminded.eq(false))),
    )
}

/// Running clocks due at or before `until` that the sweep may still act on (not both reminded
/// and marked overdue: such a clock has nothing left to do, and overdue clocks pile up),
/// soonest first.
pub fn running_due_before(conn: &mut AnyConnection, until: NaiveDateTime) -> QueryResult<Vec<ClockRow>> {
    running_due_where(
        conn,
        until,
        Box::new(
            case_clocks::reminded
                .eq(false)
                .or(case_clocks::overdue.eq(false))
                // The parties' six months to ask a court are theirs: they are reminded
                // (`unreminded_due_before`), the case is never marked overdue or escalated.
                .and(case_clocks::clock.ne(ClockKind::CourtRecognition)),
        ),
    )
}

/// Running clocks due at or before `until` that also match `also`, soonest first.
fn running_due_where(
    conn: &mut AnyConnection,
    until: NaiveDateTime,
    also: Box<dyn BoxableExpression<case_clocks::table, MultiBackend, SqlType = Bool>>,
) -> QueryResult<Vec<ClockRow>> {
    case_clocks::table
        .into_boxed()
        .filter(case_clocks::state.eq(ClockState::Running))
        .filter(case_clocks::due_at.le(until))
        .filter(also)
        .order((case_clocks::due_at.asc(), case_clocks::id.asc()))
        .select(ClockRow::as_select())
        .load(conn)
}

/// Number of running clocks past due, per clock name.
pub fn overdue_counts(conn: &mut AnyConnection) -> QueryResult<Vec<(ClockKind, i64)>> {
    case_clocks::table
        .filter(case_clocks::state.eq(ClockState::Running))
        .filter(case_clocks::overdue.eq(true))
        .group_by(case_clocks::clock)
        .select((case_clocks::clock, diesel::dsl::count_star()))
        .load(conn)
}
