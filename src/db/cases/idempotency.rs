//! Idempotency keys of citizen submissions: a repeated request gets the first answer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::idempotency_keys;
use crate::db::AnyConnection;

/// The case and request hash stored for an idempotency key.
pub fn find_idempotency(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<(String, String)>> {
    idempotency_keys::table
        .find(key)
        .select((idempotency_keys::request_hash, idempotency_keys::case_id))
        .first(conn)
        .optional()
}

pub fn insert_idempotency(
    conn: &mut AnyConnection,
    key: &str,
    request_hash: &str,
    case_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    crate::db::portability::execute(
        conn,
        diesel::insert_into(idempotency_keys::table).values((
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::case_id.eq(case_id),
            idempotency_keys::created_at.eq(at),
        )),
    )
    .map(drop)
}
