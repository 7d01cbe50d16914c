//! A case's history: its events (append-only, hash-chained) and the chain head kept on the case row.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{case_events, cases};
use crate::db::AnyConnection;
use crate::domain::case::Status;
use crate::domain::ids::{CaseId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events)]
// `None` is inserted as NULL (every nullable column's default), not as `DEFAULT`, which made
// diesel re-prepare the INSERT every time on PostgreSQL (ADR 0045).
#[diesel(treat_none_as_default_value = false)]
pub struct EventRow {
    pub case_id: CaseId,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor_role: String,
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub data: String,
    pub public_message: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// `hmac-sha256` (keyed, with `state_hash`) or `sha256` (written before keyed chains).
    pub alg: String,
    /// Digest of the case row as this event left it (keyed events).
    pub state_hash: Option<String>,
}

/// Seq and hash of the newest event of a case.
pub fn last_event(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Option<(i32, String)>> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::seq.desc())
        .select((case_events::seq, case_events::hash))
        .first(conn)
        .optional()
}

pub fn insert_event(conn: &mut AnyConnection, row: &EventRow) -> QueryResult<()> {
    crate::db::portability::execute(conn, diesel::insert_into(case_events::table).values(row)).map(drop)
}

pub fn list_events(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<EventRow>> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)
}

/// The length and head of a case's history as the case row records them.
pub fn head_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<(i32, String)>> {
    cases::table
        .find(id)
        .select((cases::event_count, cases::head_hash))
        .first(conn)
        .optional()
}

/// Inserts a new case whose history starts with the event `head_hash` (inserted next, in the
/// same transaction): the row carries its head from the start (`service::events::first`).
/// `false`, with nothing written, if a case already has the row's tracking code (`ON CONFLICT
/// DO NOTHING`: one statement where a check and an insert were two, ADR 0046).
pub fn insert_case_with_head(conn: &mut AnyConnection, row: &super::CaseRow, head_hash: &str) -> QueryResult<bool> {
    /// The one SQL text of this insert (a `CaseRow` writes every column, `None` as NULL).
    struct NewCaseUnlessCodeTaken;
    let insert = diesel::insert_into(cases::table)
        .values((row, cases::event_count.eq(1), cases::head_hash.eq(head_hash)))
        .on_conflict(cases::tracking_code)
        .do_nothing();
    crate::db::portability::execute(
        conn,
        crate::db::portability::CachedAs::<NewCaseUnlessCodeTaken, _>::new(insert),
    )
    .map(|inserted| inserted == 1)
}

/// Moves the case's recorded head to its newest event (a trigger refuses any other head).
pub fn set_head(conn: &mut AnyConnection, id: &str, event_count: i32, head_hash: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((cases::event_count.eq(event_count), cases::head_hash.eq(head_hash)))
        .execute(conn)
        .map(drop)
}

/// Every case id with its recorded head, in id order (for `hotline audit`).
pub fn all_heads(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i32, String)>> {
    cases::table
        .select((cases::id, cases::event_count, cases::head_hash))
        .order(cases::id.asc())
        .load(conn)
}
