//! Idempotency keys of citizen submissions: a repeated request gets the first answer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::links::LinkRow;
use crate::db::schema::{access_links, idempotency_keys};
use crate::db::AnyConnection;

/// The case and request hash stored for an idempotency key.
pub fn find_idempotency(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<(String, String)>> {
    idempotency_keys::table
        .find(key)
        .select((idempotency_keys::request_hash, idempotency_keys::case_id))
        .first(conn)
        .optional()
}

/// The idempotency key of a citizen's submission and the submitter's private link, written
/// together (one statement on PostgreSQL, ADR 0054). The key's unique index refuses a second
/// submission with the same key (the whole statement fails: neither row is written).
pub fn insert_idempotency_with_link(
    conn: &mut AnyConnection,
    key: &str,
    request_hash: &str,
    at: NaiveDateTime,
    link: &LinkRow,
) -> QueryResult<()> {
    crate::db::portability::insert_together(
        conn,
        (
            diesel::insert_into(idempotency_keys::table).values((
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::case_id.eq(&link.case_id),
                idempotency_keys::created_at.eq(at),
            )),
            diesel::insert_into(access_links::table).values(link),
        ),
    )
}
