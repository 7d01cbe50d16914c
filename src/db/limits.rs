//! Counters of the abuse limits (`rate_limits`), shared by every instance on the database.

use diesel::prelude::*;

use super::portability::{self, LimitCounters};
use super::schema::rate_limits;
use super::AnyConnection;

/// Counts one hit on `key` (see [`portability::count_hit`]).
pub fn hit(conn: &mut AnyConnection, key: &str, now: i64, window_secs: i64) -> QueryResult<LimitCounters> {
    portability::count_hit(conn, key, now, window_secs)
}

/// Until when `key` is locked (Unix seconds; 0 or past: not locked).
pub fn locked_until(conn: &mut AnyConnection, key: &str) -> QueryResult<i64> {
    rate_limits::table
        .find(key)
        .select(rate_limits::locked_until)
        .first(conn)
        .optional()
        .map(|t| t.unwrap_or(0))
}

/// Locks `key` until `until` and counts the lock (the next one lasts longer); the window
/// starts again.
pub fn lock(conn: &mut AnyConnection, key: &str, now: i64, until: i64) -> QueryResult<usize> {
    diesel::update(rate_limits::table.find(key))
        .set((
            rate_limits::strikes.eq(rate_limits::strikes + 1),
            rate_limits::locked_until.eq(until),
            rate_limits::hits.eq(0),
            rate_limits::window_start.eq(now),
        ))
        .execute(conn)
}

/// Clears the count of `key` (a successful sign-in clears its failures) but keeps the count
/// of its locks, so a guesser who waits for a real sign-in does not get short locks again.
pub fn clear(conn: &mut AnyConnection, key: &str) -> QueryResult<usize> {
    diesel::update(rate_limits::table.find(key))
        .set((rate_limits::hits.eq(0), rate_limits::locked_until.eq(0)))
        .execute(conn)
}

/// Deletes keys quiet since `before` and not locked at `now`: their back-off starts over.
pub fn purge(conn: &mut AnyConnection, before: i64, now: i64) -> QueryResult<usize> {
    diesel::delete(
        rate_limits::table
            .filter(rate_limits::window_start.lt(before))
            .filter(rate_limits::locked_until.lt(now)),
    )
    .execute(conn)
}
