//! The ONLY module that matches on the backend variant.
//!
//! Everything else in `db/` is written once against `AnyConnection`. What diesel's
//! `MultiConnection` cannot express portably lives here behind named functions:
//! - write transactions: SQLite needs `BEGIN IMMEDIATE` so that two writers queue on the
//!   database lock (with `busy_timeout`) instead of failing with `SQLITE_BUSY` when a deferred
//!   read transaction tries to upgrade; PostgreSQL uses an ordinary transaction.
//! - migrations: one embedded set per backend.

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::result::Error as DieselError;
use diesel_migrations::MigrationHarness;

use diesel::expression::BoxableExpression;
use diesel::sql_types::{Bool, Text};
use diesel::TextExpressionMethods;

use super::connection::{AnyConnection, Backend, MultiBackend};
use super::migrations;
use super::schema::cases;

/// The backend of a live connection.
pub fn backend_of(conn: &AnyConnection) -> Backend {
    match conn {
        AnyConnection::Postgresql(_) => Backend::Postgres,
        AnyConnection::Sqlite(_) => Backend::Sqlite,
    }
}

/// Runs `f` inside a write transaction: `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
/// Commits when `f` returns `Ok`, rolls back otherwise.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<DieselError>,
{
    match conn {
        AnyConnection::Postgresql(_) => conn.transaction(f),
        AnyConnection::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            let result = f(conn);
            let AnyConnection::Sqlite(inner) = conn else {
                return Err(DieselError::NotInTransaction.into());
            };
            match result {
                Ok(value) => match AnsiTransactionManager::commit_transaction(inner) {
                    Ok(()) => Ok(value),
                    Err(e) => {
                        // A failed COMMIT leaves the transaction open; roll it back so the
                        // pooled connection is clean, and report the commit error.
                        let _rollback = AnsiTransactionManager::rollback_transaction(inner);
                        Err(e.into())
                    }
                },
                Err(e) => {
                    AnsiTransactionManager::rollback_transaction(inner)?;
                    Err(e)
                }
            }
        }
    }
}

/// A boxed condition on `cases`.
pub type CaseFilter = Box<dyn BoxableExpression<cases::table, MultiBackend, SqlType = Bool>>;

/// List filters: every word occurs in the case's `search_text`.
/// - SQLite: the FTS5 table `case_fts` (kept by triggers), prefix query `"w1"* AND "w2"*`.
/// - PostgreSQL: `search_text LIKE '%w%'` per word, served by the pg_trgm GIN index.
///
/// Words are normalised (ASCII letters and digits only), so they need no quoting beyond this.
pub fn text_search(backend: Backend, words: &[String]) -> Vec<CaseFilter> {
    let words: Vec<String> = words
        .iter()
        .map(|w| w.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return vec![];
    }
    match backend {
        Backend::Sqlite => {
            let query = words
                .iter()
                .map(|w| format!("\"{w}\"*"))
                .collect::<Vec<_>>()
                .join(" AND ");
            vec![Box::new(
                diesel::dsl::sql::<Bool>("cases.id IN (SELECT case_id FROM case_fts WHERE case_fts MATCH ")
                    .bind::<Text, _>(query)
                    .sql(")"),
            )]
        }
        Backend::Postgres => words
            .iter()
            .map(|w| -> CaseFilter { Box::new(cases::search_text.like(format!("%{w}%"))) })
            .collect(),
    }
}

#[derive(diesel::QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// Claims the next job that is due (or whose worker's lease expired), for `lease_until`;
/// returns its id. Call inside a write transaction.
/// - PostgreSQL: `FOR UPDATE SKIP LOCKED`, so instances sharing the database never claim the
///   same job and never wait on each other.
/// - SQLite: the write transaction is `BEGIN IMMEDIATE`, so claims are serialised anyway.
pub fn claim_next_job(
    conn: &mut AnyConnection,
    worker: &str,
    now: chrono::NaiveDateTime,
    lease_until: chrono::NaiveDateTime,
) -> Result<Option<String>, DieselError> {
    use super::schema::jobs;
    use diesel::sql_types::Timestamp;
    use diesel::{BoolExpressionMethods, ExpressionMethods, OptionalExtension, QueryDsl, RunQueryDsl};
    match conn {
        AnyConnection::Postgresql(pg) => {
            let claimed: Option<ClaimedId> = diesel::sql_query(
                "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, attempts = attempts + 1 \
                 WHERE id = (SELECT id FROM jobs \
                             WHERE (status = 'pending' AND run_at <= $3) OR (status = 'running' AND locked_until < $3) \
                             ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
                 RETURNING id",
            )
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .get_result(pg)
            .optional()?;
            Ok(claimed.map(|c| c.id))
        }
        AnyConnection::Sqlite(_) => {
            let ready = jobs::status
                .eq("pending")
                .and(jobs::run_at.le(now))
                .or(jobs::status.eq("running").and(jobs::locked_until.lt(now)));
            let id: Option<String> = jobs::table
                .filter(ready)
                .order((jobs::run_at.asc(), jobs::id.asc()))
                .select(jobs::id)
                .first(conn)
                .optional()?;
            if let Some(id) = &id {
                diesel::update(jobs::table.find(id))
                    .set((
                        jobs::status.eq("running"),
                        jobs::locked_by.eq(Some(worker)),
                        jobs::locked_until.eq(Some(lease_until)),
                        jobs::attempts.eq(jobs::attempts + 1),
                    ))
                    .execute(conn)?;
            }
            Ok(id)
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration of the connection's backend; returns the versions applied.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, BoxError> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => c.run_pending_migrations(migrations::POSTGRES)?,
        AnyConnection::Sqlite(c) => c.run_pending_migrations(migrations::SQLITE)?,
    };
    Ok(applied.into_iter().map(|v| v.to_string()).collect())
}

/// Versions that exist in the binary but are not applied to the database.
pub fn pending_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, BoxError> {
    Ok(match conn {
        AnyConnection::Postgresql(c) => c
            .pending_migrations(migrations::POSTGRES)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
        AnyConnection::Sqlite(c) => c
            .pending_migrations(migrations::SQLITE)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect(),
    })
}

/// Reverts every applied migration, newest first (used by the up→down→up test and `migrate --revert-all`).
pub fn revert_all_migrations(conn: &mut AnyConnection) -> Result<Vec<String>, BoxError> {
    let reverted = match conn {
        AnyConnection::Postgresql(c) => c.revert_all_migrations(migrations::POSTGRES)?,
        AnyConnection::Sqlite(c) => c.revert_all_migrations(migrations::SQLITE)?,
    };
    Ok(reverted.into_iter().map(|v| v.to_string()).collect())
}
