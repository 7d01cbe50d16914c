//! What an intake reads before it writes, in one statement (ADR 0056): the idempotency key's
//! earlier use, the possible duplicate and the calendar's revision are independent single-row
//! lookups, and each was a round trip of its own on PostgreSQL.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::portability;
use crate::db::schema::{calendar_revision, cases, idempotency_keys};
use crate::db::AnyConnection;

/// The possible-duplicate lookup of a new case: the most recent case of the same consumer
/// (phone) about the same business (its key) since `since`, not itself closed as a duplicate.
#[derive(Debug, Clone, Copy)]
pub struct DuplicateLookup<'a> {
    pub phone: &'a str,
    pub business_key: &'a str,
    pub since: NaiveDateTime,
}

/// What [`opening_reads`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningReads {
    /// The request hash and the case of an idempotency key used before.
    pub idempotency: Option<(String, String)>,
    /// The case the new one possibly repeats.
    pub possible_duplicate_of: Option<String>,
    /// The working-day calendar's revision (`db::calendar::revision`).
    pub calendar_revision: i64,
}

/// Reads, in one statement of scalar subqueries, the earlier use of the idempotency `key`
/// (none asked: `None`), the possible duplicate (none asked: `None`) and the calendar's
/// revision. A lookup not asked for binds NULL where its key goes, which matches no row, so
/// the statement's text stays the same and is prepared once.
pub fn opening_reads(
    conn: &mut AnyConnection,
    key: Option<&str>,
    duplicate: Option<DuplicateLookup<'_>>,
) -> QueryResult<OpeningReads> {
    let idempotency = || idempotency_keys::table.filter(idempotency_keys::key.nullable().eq(key));
    let (phone, business_key, since) = match duplicate {
        Some(d) => (d.phone, Some(d.business_key), d.since),
        None => ("", None, NaiveDateTime::default()),
    };
    let duplicate = cases::table
        .filter(cases::consumer_phone.eq(phone))
        .filter(cases::business_key.eq(business_key))
        .filter(cases::created_at.ge(since))
        .filter(cases::outcome.is_null().or(cases::outcome.ne("duplicate")))
        .order((cases::created_at.desc(), cases::id.desc()))
        .select(cases::id)
        .single_value();
    let revision = calendar_revision::table
        .filter(calendar_revision::id.eq(1))
        .select(calendar_revision::revision)
        .single_value();
    /// The one SQL text of these reads (a lookup not asked for binds NULL, as above).
    struct OpeningReadsQuery;
    let query = diesel::select((
        idempotency().select(idempotency_keys::request_hash).single_value(),
        idempotency().select(idempotency_keys::case_id).single_value(),
        duplicate,
        revision,
    ));
    let (hash, case, possible_duplicate_of, revision): (Option<String>, Option<String>, Option<String>, Option<i64>) =
        portability::get_result(conn, portability::CachedAs::<OpeningReadsQuery, _>::new(query))?;
    Ok(OpeningReads {
        idempotency: hash.zip(case),
        possible_duplicate_of,
        calendar_revision: revision.ok_or(diesel::result::Error::NotFound)?,
    })
}
