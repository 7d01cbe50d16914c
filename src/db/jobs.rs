//! The durable job queue (also the e-mail outbox): rows and queries. Claiming is in
//! `portability::claim_next_job` (it needs `FOR UPDATE SKIP LOCKED` on PostgreSQL).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::jobs;
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = jobs)]
// `None` is inserted as NULL (every nullable column's default), not as `DEFAULT`, which made
// diesel prepare the INSERT again at every execution on PostgreSQL (ADR 0045, 0054).
#[diesel(treat_none_as_default_value = false)]
pub struct JobRow {
    pub id: String,
    pub kind: String,
    pub dedupe_key: Option<String>,
    pub payload: String,
    pub run_at: NaiveDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    /// pending | running | done | dead
    pub status: String,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, row: &JobRow) -> QueryResult<()> {
    super::portability::execute(conn, diesel::insert_into(jobs::table).values(row)).map(drop)
}

pub fn exists_dedupe(conn: &mut AnyConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(jobs::table.filter(jobs::dedupe_key.eq(key)))).get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<JobRow>> {
    jobs::table.find(id).select(JobRow::as_select()).first(conn).optional()
}

/// Marks a claimed job done (only if this worker still holds it).
pub fn finish(conn: &mut AnyConnection, id: &str, worker: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::locked_by.eq(worker)))
        .set((
            jobs::status.eq("done"),
            jobs::finished_at.eq(Some(at)),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(None::<String>),
        ))
        .execute(conn)
}

/// Records a failure: back to pending at `retry_at`, or dead when `retry_at` is None.
pub fn fail(
    conn: &mut AnyConnection,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let (status, run_at, finished) = match retry_at {
        Some(t) => ("pending", t, None),
        None => ("dead", at, Some(at)),
    };
    diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::locked_by.eq(worker)))
        .set((
            jobs::status.eq(status),
            jobs::run_at.eq(run_at),
            jobs::finished_at.eq(finished),
            jobs::locked_by.eq(None::<String>),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(Some(error)),
        ))
        .execute(conn)
}

/// Puts a dead job back in the queue (admin).
pub fn retry(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(jobs::table.filter(jobs::id.eq(id)).filter(jobs::status.eq("dead")))
        .set((
            jobs::status.eq("pending"),
            jobs::run_at.eq(at),
            jobs::attempts.eq(0),
            jobs::finished_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// Deletes up to `limit` jobs that finished (`done`) before `before`; returns how many. Dead
/// letters are kept. Reads `jobs_ready_idx` (`status, run_at`): a finished job's `run_at` is
/// never after its `finished_at`.
pub fn delete_done_before(conn: &mut AnyConnection, before: NaiveDateTime, limit: i64) -> QueryResult<usize> {
    let old: Vec<String> = jobs::table
        .filter(jobs::status.eq("done"))
        .filter(jobs::run_at.lt(before))
        .filter(jobs::finished_at.lt(before))
        .select(jobs::id)
        .limit(limit)
        .load(conn)?;
    let mut deleted = 0;
    for ids in old.chunks(1_000) {
        deleted += diesel::delete(jobs::table.filter(jobs::id.eq_any(ids))).execute(conn)?;
    }
    Ok(deleted)
}

/// Jobs of one kind, newest first, optionally of one status.
pub fn list(
    conn: &mut AnyConnection,
    kind: Option<&str>,
    status: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<JobRow>> {
    let mut q = jobs::table.into_boxed();
    if let Some(k) = kind {
        q = q.filter(jobs::kind.eq(k.to_owned()));
    }
    if let Some(s) = status {
        q = q.filter(jobs::status.eq(s.to_owned()));
    }
    q.order((jobs::created_at.desc(), jobs::id.desc()))
        .limit(limit)
        .select(JobRow::as_select())
        .load(conn)
}

/// How many jobs of one kind are in one status.
pub fn count_of(conn: &mut AnyConnection, kind: &str, status: &str) -> QueryResult<i64> {
    jobs::table
        .filter(jobs::kind.eq(kind.to_owned()))
        .filter(jobs::status.eq(status.to_owned()))
        .count()
        .get_result(conn)
}

pub fn count_by_status(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i64)>> {
    jobs::table
        .group_by(jobs::status)
        .select((jobs::status, diesel::dsl::count_star()))
        .load(conn)
}
