//! The ONLY module that matches on the backend variant (besides `connection.rs`, which builds
//! the connections).
//!
//! Everything else in `db/` is written once against `AnyConnection`. What diesel's
//! `MultiConnection` cannot express portably lives here behind named functions:
//! - write transactions: SQLite needs `BEGIN IMMEDIATE` so that two writers queue on the
//!   database lock (with `busy_timeout`) instead of failing with `SQLITE_BUSY` when a deferred
//!   read transaction tries to upgrade; PostgreSQL uses an ordinary transaction;
//! - planner statistics (`ANALYZE` on SQLite; autovacuum does it on PostgreSQL);
//! - the readiness write probe (one raw upsert; SQLite's carries ballast);
//! - counting a hit on an abuse limit (one upsert with `RETURNING`; parameter markers differ);
//! - free-text search: FTS5 on SQLite, a `tsvector` column and `pg_trgm` on PostgreSQL
//!   (ADR 0010, 0013), with the ordered search key;
//! - claiming the next job (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite);
//! - `lock_row`: a row locked before a check-then-change (`FOR UPDATE` on PostgreSQL, whose
//!   writers run concurrently; nothing on SQLite, whose one writer already serialises them);
//! - migrations: one embedded set per backend;
//! - the few SQL expressions of the reports that differ (month in Vietnam time, days to close);
//! - `execute` and `get_result`: the intake's inserts and reads on the backend's own
//!   connection (diesel's multi-backend layer renders each statement again at every
//!   execution), and `CachedAs`, which lets the backend's connection cache a statement by type;
//! - `insert_together`: several inserts in one statement on PostgreSQL (one round trip).

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::result::Error as DieselError;
use diesel_migrations::MigrationHarness;

use diesel::expression::BoxableExpression;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel::sql_types::{Bool, Text};

use super::connection::{AnyConnection, Backend, MultiBackend};
use super::migrations;
use super::schema::cases;
use crate::domain::search::SearchTerm;

/// The backend of a live connection.
pub fn backend_of(conn: &AnyConnection) -> Backend {
    match conn {
        AnyConnection::Postgresql(_) => Backend::Postgres,
        AnyConnection::Sqlite(_) => Backend::Sqlite,
    }
}

/// Executes `query` on the backend's own connection instead of through diesel's
/// `MultiConnection`, which renders every statement to SQL text again at each execution and
/// walks it twice more for its binds, so that even a cached statement costs full walks of its
/// tree: for the case INSERT (40 columns) and the other inserts of an intake, a quarter of
/// SQLite's writer at c=32 (ADR 0045). The backend's own connection finds a statement with a
/// static query id in its cache by type and only collects the binds. Same SQL, same
/// transaction; used on the intake's inserts.
pub fn execute<Q>(conn: &mut AnyConnection, query: Q) -> Result<usize, DieselError>
where
    Q: ExecuteDsl<diesel::SqliteConnection> + ExecuteDsl<diesel::PgConnection>,
{
    match conn {
        AnyConnection::Sqlite(c) => ExecuteDsl::<diesel::SqliteConnection>::execute(query, c),
        AnyConnection::Postgresql(c) => ExecuteDsl::<diesel::PgConnection>::execute(query, c),
    }
}

/// Loads the one row of `query` on the backend's own connection, as [`execute`] runs an
/// insert: diesel's `MultiConnection` renders a query to SQL text at every execution (and
/// walks it again for its binds and to learn whether it may be cached) before it finds the
/// prepared statement; the backend's own connection finds a query with a static query id
/// (give it one with [`CachedAs`]) by type and only collects the binds. For the reads of an
/// intake inside SQLite's one writer (ADR 0059).
pub fn get_result<'q, Q, U>(conn: &mut AnyConnection, query: Q) -> Result<U, DieselError>
where
    Q: diesel::query_dsl::LoadQuery<'q, diesel::SqliteConnection, U>
        + diesel::query_dsl::LoadQuery<'q, diesel::PgConnection, U>,
{
    match conn {
        AnyConnection::Sqlite(c) => diesel::RunQueryDsl::get_result(query, c),
        AnyConnection::Postgresql(c) => diesel::RunQueryDsl::get_result(query, c),
    }
}

/// A statement whose SQL text is fixed by its Rust type, given the static query id `M` so that
/// diesel caches it by type (see [`execute`]). diesel gives an upsert (`ON CONFLICT`) no
/// static id, and so builds its SQL text again at every execution to look it up in the cache
/// (ADR 0046). `M` must be a marker type of its own for each statement: two statements under
/// one marker would share one prepared statement. For the same reason diesel need not walk the
/// statement at each execution to learn whether it may be cached (its default check, which
/// was 2% of SQLite's writer for the case INSERT alone, ADR 0052): it may.
pub struct CachedAs<M, Q> {
    query: Q,
    marker: std::marker::PhantomData<M>,
}

impl<M, Q> CachedAs<M, Q> {
    pub fn new(query: Q) -> CachedAs<M, Q> {
        CachedAs {
            query,
            marker: std::marker::PhantomData,
        }
    }
}

impl<M: 'static, Q> diesel::query_builder::QueryId for CachedAs<M, Q> {
    type QueryId = M;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<M, Q: diesel::query_builder::Query> diesel::query_builder::Query for CachedAs<M, Q> {
    type SqlType = Q::SqlType;
}

impl<M, Q, Conn> diesel::RunQueryDsl<Conn> for CachedAs<M, Q> {}

impl<M, Q, DB> diesel::query_builder::QueryFragment<DB> for CachedAs<M, Q>
where
    DB: diesel::backend::Backend,
    Q: diesel::query_builder::QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, pass: diesel::query_builder::AstPass<'_, 'b, DB>) -> diesel::QueryResult<()> {
        self.query.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> diesel::QueryResult<bool> {
        Ok(true)
    }
}

/// INSERTs that return nothing, written together: on PostgreSQL as one statement
/// (`WITH w0 AS (INSERT …), w1 AS (INSERT …) INSERT …`), one round trip where there were as
/// many as inserts (ADR 0054); on SQLite one after another on the backend's own connection,
/// each its own cached statement (SQLite has no round trips to save). For inserts into
/// different tables that do not read what the others write: PostgreSQL runs the parts of one
/// statement on one snapshot, in no set order. A failing part fails the whole statement, as a
/// failing insert fails its transaction.
pub fn insert_together<T: Together>(conn: &mut AnyConnection, inserts: T) -> Result<(), DieselError> {
    match conn {
        AnyConnection::Sqlite(c) => inserts.each(c),
        AnyConnection::Postgresql(c) => ExecuteDsl::<diesel::PgConnection>::execute(WithInserts(inserts), c).map(drop),
    }
}

/// A tuple of inserts [`insert_together`] can write (two or three).
pub trait Together {
    /// The query id of the combined statement's parts (it is static when all of theirs are).
    type Ids: 'static;
    const STATIC: bool;
    fn each(self, conn: &mut diesel::SqliteConnection) -> Result<(), DieselError>;
    fn walk_pg<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> Result<(), DieselError>;
    fn cacheable(&self, pg: &Pg) -> Result<bool, DieselError>;
}

/// The inserts of a [`Together`] as one PostgreSQL statement.
struct WithInserts<T>(T);

impl<T: Together> QueryId for WithInserts<T> {
    type QueryId = WithInserts<T::Ids>;
    const HAS_STATIC_QUERY_ID: bool = T::STATIC;
}

impl<T: Together> QueryFragment<Pg> for WithInserts<T> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> Result<(), DieselError> {
        self.0.walk_pg(pass)
    }

    fn is_safe_to_cache_prepared(&self, pg: &Pg) -> Result<bool, DieselError> {
        self.0.cacheable(pg)
    }
}

macro_rules! together {
    (($F:ident, $f:tt) $(, ($T:ident, $i:tt))* ; ($L:ident, $l:tt)) => {
        impl<$F, $($T,)* $L> Together for ($F, $($T,)* $L)
        where
            $F: QueryFragment<Pg> + QueryId + ExecuteDsl<diesel::SqliteConnection>,
            $($T: QueryFragment<Pg> + QueryId + ExecuteDsl<diesel::SqliteConnection>,)*
            $L: QueryFragment<Pg> + QueryId + ExecuteDsl<diesel::SqliteConnection>,
        {
            type Ids = ($F::QueryId, $($T::QueryId,)* $L::QueryId);
            const STATIC: bool = $F::HAS_STATIC_QUERY_ID $(&& $T::HAS_STATIC_QUERY_ID)* && $L::HAS_STATIC_QUERY_ID;

            fn each(self, conn: &mut diesel::SqliteConnection) -> Result<(), DieselError> {
                ExecuteDsl::<diesel::SqliteConnection>::execute(self.$f, conn)?;
                $(ExecuteDsl::<diesel::SqliteConnection>::execute(self.$i, conn)?;)*
                ExecuteDsl::<diesel::SqliteConnection>::execute(self.$l, conn).map(drop)
            }

            fn walk_pg<'b>(&'b self, mut pass: AstPass<'_, 'b, Pg>) -> Result<(), DieselError> {
                pass.push_sql(concat!("WITH w", stringify!($f), " AS ("));
                self.$f.walk_ast(pass.reborrow())?;
                $(
                    pass.push_sql(concat!("), w", stringify!($i), " AS ("));
                    self.$i.walk_ast(pass.reborrow())?;
                )*
                pass.push_sql(") ");
                self.$l.walk_ast(pass.reborrow())
            }

            fn cacheable(&self, pg: &Pg) -> Result<bool, DieselError> {
                Ok(self.$f.is_safe_to_cache_prepared(pg)?
                    $(&& self.$i.is_safe_to_cache_prepared(pg)?)*
                    && self.$l.is_safe_to_cache_prepared(pg)?)
            }
        }
    };
}

together!((A, 0); (B, 1));
together!((A, 0), (B, 1); (C, 2));

/// The month a case was created in, `YYYY-MM` in Vietnam time (UTC+7, no daylight saving),
/// as a select expression (reports).
pub fn created_month_vn(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "strftime('%Y-%m', cases.created_at, '+7 hours')",
        Backend::Postgres => "to_char(cases.created_at + interval '7 hours', 'YYYY-MM')",
    }
}

/// `expr` ordered by its bytes (`ORDER BY`), the same on both backends: SQLite compares text
/// as bytes already (BINARY); PostgreSQL would use the database's locale, which ignores spaces
/// and punctuation at first and differs between installations, so the "C" collation is named.
pub fn bytewise(backend: Backend, expr: &str) -> String {
    match backend {
        Backend::Sqlite => expr.to_owned(),
        Backend::Postgres => format!("{expr} COLLATE \"C\""),
    }
}

/// Days from a case's creation to its closure, fractional, as a select expression
/// (reports; only over closed cases).
pub fn days_to_close(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "(julianday(cases.closed_at) - julianday(cases.created_at))",
        Backend::Postgres => {
            "CAST(EXTRACT(EPOCH FROM (cases.closed_at - cases.created_at)) / 86400.0 AS DOUBLE PRECISION)"
        }
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
            let result = result.and_then(|value| {
                index_noted_cases(inner)?;
                Ok(value)
            });
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

/// SQLite: puts the cases noted by the insert trigger into the search index, in one statement,
/// then forgets them (migration 000081, ADR 0044). Runs just before every COMMIT on SQLite,
/// outside any write unit's savepoint, so FTS5 writes one segment per commit instead of one
/// per unit. Two statements on an empty table when nothing is noted.
fn index_noted_cases(conn: &mut diesel::SqliteConnection) -> Result<(), DieselError> {
    use diesel::connection::SimpleConnection;
    conn.batch_execute(&format!(
        "INSERT INTO case_search (rowid, search_text) {NOTED_CASES}; DELETE FROM case_search_pending;"
    ))
}

/// SQLite: the document a case `c` has in the search index (migration 000085, ADR 0057): its
/// words, then one token per agency that may read it (`@` and the code in hexadecimal). The
/// migration's triggers write and delete the same expression (FTS5's contentless 'delete'
/// needs exactly the tokens that were inserted).
macro_rules! search_document {
    () => {
        r#"c.search_text || COALESCE((SELECT ' ' || group_concat('@' || hex(j.value), ' ')
     FROM json_each('["' || REPLACE(REPLACE(REPLACE(c.visible_to, '\', '\\'), '"', '\"'), ' ', '","') || '"]') j
     WHERE j.value <> ''), '')"#
    };
}

/// `search_document!`: for the benchmarks' loaders, which index the rows they write.
pub const SEARCH_DOCUMENT: &str = search_document!();

/// SQLite: the search key and document of the cases noted for search in this transaction. The
/// pending rows (a batch's few new or changed cases) are read first and each case found by its
/// rowid: `CROSS JOIN` fixes that order. With a plain `JOIN` SQLite chose the order from its
/// statistics — `cases` with a million rows, the pending table none (empty whenever they are
/// taken, so assumed as large) — and scanned every case at every commit: 0.5 s per commit and
/// 36 intakes per second at 1,000,000 cases (ADR 0048). Public for the plan test. The
/// document indexed is `search_document!`.
pub const NOTED_CASES: &str = concat!(
    "SELECT c.search_key, ",
    search_document!(),
    " FROM case_search_pending p CROSS JOIN cases c ON c.rowid = p.case_rowid"
);

/// Opens the transaction of a batch of write units (SQLite's group commit, `db::writer`):
/// `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL.
pub fn begin_write(conn: &mut AnyConnection) -> Result<(), DieselError> {
    match conn {
        AnyConnection::Sqlite(inner) => AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE"),
        AnyConnection::Postgresql(inner) => AnsiTransactionManager::begin_transaction(inner),
    }
}

/// Commits the batch's transaction; a failed COMMIT is rolled back (the connection stays
/// usable) and its error returned.
pub fn commit_write(conn: &mut AnyConnection) -> Result<(), DieselError> {
    type Tm = <AnyConnection as Connection>::TransactionManager;
    let indexed = match conn {
        AnyConnection::Sqlite(inner) => index_noted_cases(inner),
        AnyConnection::Postgresql(_) => Ok(()),
    };
    match indexed.and_then(|()| Tm::commit_transaction(conn)) {
        Ok(()) => Ok(()),
        Err(e) => {
            rollback_write(conn);
            Err(e)
        }
    }
}

/// Rolls back whatever transaction and savepoints are open on `conn`.
pub fn rollback_write(conn: &mut AnyConnection) {
    type Tm = <AnyConnection as Connection>::TransactionManager;
    while depth(conn) > 0 {
        if Tm::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

/// Transactions and savepoints open on `conn` (0: none, or unknown after a broken manager).
fn depth(conn: &mut AnyConnection) -> u32 {
    type Tm = <AnyConnection as Connection>::TransactionManager;
    Tm::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .flatten()
        .map_or(0, std::num::NonZeroU32::get)
}

/// Runs one write unit inside the open transaction, in its own SAVEPOINT: released when `f`
/// returns `Ok`, rolled back when it returns `Err` or panics (the panic becomes an internal
/// error), so the units before and after it are unaffected. The outer `Err` means the savepoint
/// itself failed (the transaction is then in doubt).
pub fn in_savepoint<T, F>(conn: &mut AnyConnection, f: F) -> Result<Result<T, crate::error::AppError>, DieselError>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, crate::error::AppError>,
{
    type Tm = <AnyConnection as Connection>::TransactionManager;
    let base = depth(conn);
    Tm::begin_transaction(conn)?;
    let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn))) {
        Ok(result) => result,
        // The panic's message is not kept: it may quote the data being written ("byte index 7
        // is not a char boundary … of `<the complaint's text>`"), and an internal error is
        // logged in full. The panic hook has logged where it happened.
        Err(_panic) => Err(crate::error::AppError::Internal(anyhow::anyhow!(
            "a write unit panicked (its message is withheld: it may quote personal data)"
        ))),
    };
    // A panic may leave the unit's own nested transactions open: close them first.
    while depth(conn) > base + 1 {
        Tm::rollback_transaction(conn)?;
    }
    match &result {
        Ok(_) => Tm::commit_transaction(conn)?,
        Err(_) => Tm::rollback_transaction(conn)?,
    }
    Ok(result)
}

/// The SQLite writer's idle-time upkeep of the search index (ADR 0040): once the queue is empty
/// and enough units were written since the last time, one bounded FTS5 `merge` step, so that
/// less of the index's merging falls inside the transactions of later requests. Nothing on
/// PostgreSQL.
#[derive(Debug, Default)]
pub struct IdleMerge {
    written: usize,
}

/// Units written before an idle merge step is worth taking.
const IDLE_MERGE_AFTER: usize = 64;
/// Pages the FTS5 `merge` command may write in one idle step (a few milliseconds).
const IDLE_MERGE_PAGES: i64 = 256;

impl IdleMerge {
    /// Counts units just committed.
    pub fn wrote(&mut self, units: usize) {
        self.written += units;
    }

    /// One merge step if one is due (`true` when one ran); failures are logged, never fatal
    /// (the index stays valid).
    pub fn step(&mut self, conn: &mut AnyConnection) -> bool {
        use diesel::RunQueryDsl;
        if self.written < IDLE_MERGE_AFTER {
            return false;
        }
        self.written = 0;
        if let AnyConnection::Sqlite(c) = conn {
            let sql = format!("INSERT INTO case_search (case_search, rank) VALUES ('merge', {IDLE_MERGE_PAGES})");
            if let Err(e) = diesel::sql_query(sql).execute(c) {
                tracing::warn!(error = %e, "idle merge of the search index failed");
            }
            return true;
        }
        false
    }
}

/// A boxed condition on `cases`.
pub type CaseFilter = Box<dyn BoxableExpression<cases::table, MultiBackend, SqlType = Bool>>;

/// Refreshes the query planner's statistics.
/// - SQLite: a full `ANALYZE` of the service's tables, when `cases` has grown or shrunk by more
///   than a tenth (and 50 rows) since the statistics were taken — autovacuum's rule; otherwise
///   nothing. SQLite keeps no statistics by itself; without them it guesses that an equality on
///   any index (e.g. `status`) selects ten rows and prefers that index to the search window's
///   keys. Full, not sampled: `analysis_limit = 1000` (ADR 0045) sampled the first entries of
///   each index, and for an index whose first column has few values (status, agency, priority)
///   those all share one value, so the statistics said "1,001 cases per agency" at 1,000,000
///   cases and SQLite sorted an agency's 250,000 cases for a queue page instead of walking the
///   index of open cases (ADR 0047). A full pass costs ~1 s at 1,000,000 cases with the file in
///   the page cache (~10 s from a cold disk), once per 10% of growth. Run at start and hourly
///   by the worker. FTS5's own tables ("shadow" tables: `case_search_data`, …) are left out,
///   and any statistics they have are removed: FTS5 reads and deletes its pages by rowid
///   ranges, and a count taken while the index was small (at the first start, "2 rows") made
///   SQLite scan the whole index for each segment a merge deletes — at 300,000 cases 22 ms per
///   segment, up to 0.7 s inside one commit (ADR 0045). Without statistics it seeks. Every
///   open connection takes the new statistics at its next statement (ADR 0058).
/// - PostgreSQL: nothing; autovacuum's auto-analyze keeps statistics current.
///
/// Returns whether statistics were taken.
pub fn refresh_planner_statistics(conn: &mut AnyConnection) -> Result<bool, DieselError> {
    use diesel::connection::SimpleConnection;
    use diesel::RunQueryDsl;
    match conn {
        AnyConnection::Sqlite(c) => {
            if !sqlite_statistics_stale(c)? {
                return Ok(false);
            }
            let tables: Vec<Named> = diesel::sql_query(
                "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' \
                 AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name",
            )
            .load(c)?;
            let analyse: String = tables
                .iter()
                .map(|t| format!("ANALYZE \"{}\"; ", t.name.replace('"', "\"\"")))
                .collect();
            c.batch_execute(&format!(
                "PRAGMA analysis_limit = 0; {analyse}\
                 DELETE FROM sqlite_stat1 WHERE tbl IN (SELECT name FROM pragma_table_list WHERE type = 'shadow'); \
                 ANALYZE sqlite_schema; {STATISTICS_TO_EVERY_CONNECTION}"
            ))?;
            Ok(true)
        }
        AnyConnection::Postgresql(_) => Ok(false),
    }
}

/// A schema change that changes nothing, run after `ANALYZE` (ADR 0058). SQLite loads the
/// statistics with the schema, so every other open connection (the pool's readers, the writer
/// when another connection refreshed them, another process) would go on planning with the
/// statistics it loaded when it opened: at a first start, those of empty tables. A schema change
/// makes each connection load the schema, and the statistics with it, at its next statement,
/// and re-prepare its cached statements. (`ANALYZE sqlite_schema` reloads only its own
/// connection, and needs the write lock.)
const STATISTICS_TO_EVERY_CONNECTION: &str =
    "CREATE TABLE IF NOT EXISTS hotline_statistics_reloaded (x INTEGER); DROP TABLE IF EXISTS hotline_statistics_reloaded;";

#[derive(diesel::QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct Counted {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// SQLite: whether `cases` holds more than a tenth (and 50 rows) more or fewer cases than when
/// the statistics were taken, or has none.
fn sqlite_statistics_stale(c: &mut diesel::SqliteConnection) -> Result<bool, DieselError> {
    use diesel::{OptionalExtension, RunQueryDsl};
    let kept = diesel::sql_query("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'sqlite_stat1'")
        .get_result::<Counted>(c)?
        .n
        > 0;
    // The first number of an index's statistics is the table's row count at the time.
    let then = match kept {
        true => diesel::sql_query(
            "SELECT CAST(stat AS INTEGER) AS n FROM sqlite_stat1 WHERE tbl = 'cases' AND idx = 'cases_created_idx'",
        )
        .get_result::<Counted>(c)
        .optional()?
        .map(|r| r.n),
        false => None,
    };
    let now = diesel::sql_query("SELECT count(*) AS n FROM cases")
        .get_result::<Counted>(c)?
        .n;
    Ok(then.is_none_or(|then| (now - then).abs() > then / 10 + 50))
}

/// Rewrites the one row of `health_probe`: a real write (journal, fsync) that tells readiness
/// whether storage takes writes again after a fault.
/// - SQLite: with 256 KiB of ballast, more than any one request writes. A failed transaction
///   leaves WAL frames already allocated on disk that a one-row write would fit in; on a full
///   disk that tiny write succeeds and would report storage healthy while every intake fails.
/// - PostgreSQL: the row alone (the server's WAL is not the service's to size).
pub fn write_probe(conn: &mut AnyConnection, unix_secs: i64) -> Result<(), DieselError> {
    use diesel::RunQueryDsl;
    let ballast = match conn {
        AnyConnection::Sqlite(_) => "zeroblob(262144)",
        AnyConnection::Postgresql(_) => "NULL",
    };
    let sql = format!(
        "INSERT INTO health_probe (id, checked_at, ballast) VALUES (1, {unix_secs}, {ballast}) \
         ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at, ballast = excluded.ballast"
    );
    diesel::sql_query(sql).execute(conn).map(drop)
}

/// A limited key's counters after a hit (see `db::limits`).
#[derive(diesel::QueryableByName, Debug, Clone, Copy)]
pub struct LimitCounters {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub hits: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub strikes: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub locked_until: i64,
}

/// Counts one hit on `key` in one statement (an upsert with `RETURNING`), so instances sharing
/// the database never lose a count: a window older than `window_secs` starts again at 1. A key
/// locked at `now` is not counted (its counters come back unchanged, `locked_until` after
/// `now`): attempts refused during a lock do not lengthen the next, and the caller needs no
/// read of the lock first (ADR 0041). The SQL is the same on both backends but for the
/// parameter markers (`$1` / `?1`).
pub fn count_hit(
    conn: &mut AnyConnection,
    key: &str,
    now: i64,
    window_secs: i64,
) -> Result<LimitCounters, DieselError> {
    use diesel::sql_types::BigInt;
    use diesel::RunQueryDsl;
    let mark = match conn {
        AnyConnection::Postgresql(_) => '$',
        AnyConnection::Sqlite(_) => '?',
    };
    let sql = format!(
        "INSERT INTO rate_limits (key, hits, window_start, strikes, locked_until) VALUES ({m}1, 1, {m}2, 0, 0) \
         ON CONFLICT (key) DO UPDATE SET \
         hits = CASE WHEN rate_limits.locked_until > {m}2 THEN rate_limits.hits \
                     WHEN rate_limits.window_start <= {m}3 THEN 1 ELSE rate_limits.hits + 1 END, \
         window_start = CASE WHEN rate_limits.locked_until > {m}2 THEN rate_limits.window_start \
                             WHEN rate_limits.window_start <= {m}3 THEN {m}2 ELSE rate_limits.window_start END \
         RETURNING hits, strikes, locked_until",
        m = mark
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(key)
        .bind::<BigInt, _>(now)
        .bind::<BigInt, _>(now - window_secs)
        .get_result(conn)
}

/// How a list finds the cases indexed under every search term (see `domain::search`): whole
/// words, and words starting with a term whose `prefix` is set.
pub enum TextSearch {
    /// No terms: no restriction.
    Nothing,
    /// One condition selects every match.
    /// - PostgreSQL: the generated column `search_tsv` (the words of `search_text` as a
    ///   tsvector) and its GIN index (migration 000003). ANALYZE keeps per-word frequencies,
    ///   so for a common word the planner walks the newest-first index and checks each case
    ///   instead.
    /// - SQLite, for orders other than newest first: the keys of every match.
    Condition(CaseFilter),
    /// PostgreSQL, an agency's search: one condition selects every match among the cases the
    /// agency may read, and replaces the scope's own condition (see [`text_search`]).
    ConditionInScope(CaseFilter),
    /// SQLite, newest first: the matching keys in list order, one window at a time (see
    /// [`KeyWindows`]); the caller stops asking once its page is full.
    Windows(KeyWindows),
}

/// The `search_key` a case has in SQLite's search index (migration 000003 computes the same in
/// SQL): it sorts like the default list order, priority first, then newest.
pub fn search_key(priority: bool, created_at: chrono::NaiveDateTime) -> i64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let micros = (created_at - epoch).num_microseconds().unwrap_or(0);
    (if priority { 1_i64 << 62 } else { 0 }) + micros * SLOTS
}

/// Cases created in the same microsecond share a bucket of this many keys.
const SLOTS: i64 = 1024;
/// Keys read in the first window, as a multiple of the page size; each further window is
/// four times larger, up to `MAX_WINDOW`.
const FIRST_WINDOW_PAGES: i64 = 4;
const MAX_WINDOW: i64 = 65_536;

/// Matching keys of SQLite's search index in descending order (= list order), window by window.
/// Each window ends on a bucket boundary, so every case sharing a bucket with a case of the
/// window is in it: a page assembled from whole windows, each sorted by the list order, is
/// exactly the page a single query over all matches would give.
pub struct KeyWindows {
    query: String,
    /// Keys below this (exclusive) are still to be read.
    upper: i64,
    size: i64,
    done: bool,
}

#[derive(diesel::QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    rowid: i64,
}

impl KeyWindows {
    /// The condition restricting cases to the next window, or `None` when all are read.
    pub fn next_window(&mut self, conn: &mut AnyConnection) -> Result<Option<CaseFilter>, DieselError> {
        use diesel::sql_types::BigInt;
        use diesel::RunQueryDsl;
        let AnyConnection::Sqlite(conn) = conn else {
            return Err(DieselError::QueryBuilderError("key windows are SQLite's".into()));
        };
        if self.done {
            return Ok(None);
        }
        let mut keys: Vec<i64> = diesel::sql_query(
            "SELECT rowid FROM case_search WHERE case_search MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?",
        )
        .bind::<Text, _>(&self.query)
        .bind::<BigInt, _>(self.upper)
        .bind::<BigInt, _>(self.size)
        .load::<KeyRow>(conn)?
        .into_iter()
        .map(|k| k.rowid)
        .collect();
        match keys.last().copied() {
            None => {
                self.done = true;
                return Ok(None);
            }
            Some(_) if (keys.len() as i64) < self.size => self.done = true,
            Some(low) => {
                // Complete the bucket of the lowest key read.
                let floor = low.div_euclid(SLOTS) * SLOTS;
                let rest = diesel::sql_query(
                    "SELECT rowid FROM case_search WHERE case_search MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid DESC",
                )
                .bind::<Text, _>(&self.query)
                .bind::<BigInt, _>(floor)
                .bind::<BigInt, _>(low)
                .load::<KeyRow>(conn)?;
                keys.extend(rest.into_iter().map(|k| k.rowid));
                self.upper = floor;
                self.size = (self.size * 4).min(MAX_WINDOW);
            }
        }
        let list = serde_json::to_string(&keys).map_err(|e| DieselError::SerializationError(Box::new(e)))?;
        Ok(Some(Box::new(
            diesel::dsl::sql::<Bool>("cases.search_key IN (SELECT value FROM json_each(")
                .bind::<Text, _>(list)
                .sql("))"),
        )))
    }
}

/// SQLite: the token under which the search index holds the cases agency `code` may read (the
/// migration's `'@' || hex(code)`; FTS5 folds the hexadecimal digits to lower case on both sides).
fn agency_token(code: &str) -> String {
    format!("@{}", hex::encode_upper(code))
}

/// Plans the text search of a list. `newest_first_after`: for the default order, the
/// position the page starts after (`Some(None)` for the first page); `None` for other orders.
/// Terms hold only ASCII letters and digits (checked again here), so quoting them is safe.
///
/// `agency`: the agency whose staff search (their scope is its cases). PostgreSQL asks for its
/// `@CODE` lexeme with the words instead of the scope's `EXISTS` on `case_agencies` (migration
/// 000072: `cases.visible_to`, written with every grant and revocation in the same
/// transaction, indexed with the words). The GIN index then finds the agency's matches itself,
/// and the planner, which estimated the word and the `EXISTS` as independent (and so an
/// agency's matches far rarer than they are), walks the newest-first index for common words
/// instead of fetching thousands of matches to sort them (ADR 0041). SQLite asks its FTS5
/// index for the agency's token with the words (migration 000085), so the key windows hold only
/// the agency's cases; the scope's `EXISTS` still checks each of them (ADR 0057).
pub fn text_search(
    backend: Backend,
    terms: &[SearchTerm],
    newest_first_after: Option<Option<(bool, chrono::NaiveDateTime)>>,
    page: i64,
    agency: Option<&str>,
) -> TextSearch {
    let terms: Vec<(&str, bool)> = terms
        .iter()
        .filter(|t| !t.word.is_empty() && t.word.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|t| (t.word.as_str(), t.prefix))
        .collect();
    if terms.is_empty() {
        return TextSearch::Nothing;
    }
    // The taxonomy accepts only such codes (`is_agency_code`); checked again here.
    let agency = agency.filter(|a| crate::domain::ids::is_agency_code(a));
    match backend {
        Backend::Sqlite => {
            let mut words: Vec<String> = terms
                .iter()
                .map(|(w, prefix)| {
                    if *prefix {
                        format!("\"{w}\"*")
                    } else {
                        format!("\"{w}\"")
                    }
                })
                .collect();
            // The agency's own token (migration 000085, ADR 0057): only its cases' keys are read.
            if let Some(a) = agency {
                words.push(format!("\"{}\"", agency_token(a)));
            }
            let query = words.join(" AND ");
            match newest_first_after {
                Some(after) => TextSearch::Windows(KeyWindows {
                    query,
                    upper: after.map_or(i64::MAX, |(p, at)| search_key(p, at).saturating_add(SLOTS)),
                    size: (page * FIRST_WINDOW_PAGES).clamp(16, MAX_WINDOW),
                    done: false,
                }),
                None => TextSearch::Condition(Box::new(
                    diesel::dsl::sql::<Bool>(
                        "cases.search_key IN (SELECT rowid FROM case_search WHERE case_search MATCH ",
                    )
                    .bind::<Text, _>(query)
                    .sql(")"),
                )),
            }
        }
        Backend::Postgres => {
            let mut lexemes: Vec<String> = terms
                .iter()
                .map(|(w, prefix)| if *prefix { format!("'{w}':*") } else { format!("'{w}'") })
                .collect();
            if let Some(a) = agency {
                lexemes.push(format!("'@{a}'"));
            }
            let cond: CaseFilter = Box::new(
                diesel::dsl::sql::<Bool>("cases.search_tsv @@ CAST(")
                    .bind::<Text, _>(lexemes.join(" & "))
                    .sql(" AS tsquery)"),
            );
            match agency {
                Some(_) => TextSearch::ConditionInScope(cond),
                None => TextSearch::Condition(cond),
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = Text)]
    id: String,
}

/// A table whose rows [`lock_row`] locks.
#[derive(Debug, Clone, Copy)]
pub enum Locked {
    Case,
    Call,
    Warning,
    /// A user (an account an action names, e.g. a case's new assignee).
    User,
}

/// Locks a row until the transaction ends, so what is read next is what the last writer of
/// the row committed, and a second request doing the same waits for this one (a check, then
/// a change, with nothing in between). Every transition updates the case's row before it
/// touches the case's clocks, sessions or events, so locking the case covers those.
/// - PostgreSQL: `SELECT … FOR UPDATE` (waits for a transaction writing the row).
/// - SQLite: nothing to do: the one writer's transaction already excludes every other write.
pub fn lock_row(conn: &mut AnyConnection, what: Locked, id: &str) -> Result<(), DieselError> {
    lock(conn, what, id, "FOR UPDATE")
}

/// Locks a row against changes until the transaction ends, letting others read and share-lock
/// it: what is checked of it (an account's state, before a case is assigned to it) cannot change
/// before the transaction commits, and a change of it waits. Weaker than [`lock_row`] on
/// purpose: `FOR SHARE` does not conflict with the `FOR KEY SHARE` of foreign-key checks, which
/// any transaction writing a row that names the account takes (a case's `created_by`), so it
/// never closes a lock cycle with them.
/// - PostgreSQL: `SELECT … FOR SHARE`.
/// - SQLite: nothing to do (one writer).
pub fn share_row(conn: &mut AnyConnection, what: Locked, id: &str) -> Result<(), DieselError> {
    lock(conn, what, id, "FOR SHARE")
}

fn lock(conn: &mut AnyConnection, what: Locked, id: &str, mode: &str) -> Result<(), DieselError> {
    use diesel::RunQueryDsl;
    let table = match what {
        Locked::Case => "cases",
        Locked::Call => "calls",
        Locked::Warning => "public_warnings",
        Locked::User => "users",
    };
    match conn {
        AnyConnection::Postgresql(pg) => diesel::sql_query(format!("SELECT id FROM {table} WHERE id = $1 {mode}"))
            .bind::<Text, _>(id)
            .execute(pg)
            .map(drop),
        AnyConnection::Sqlite(_) => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, RunQueryDsl};

    use super::*;

    /// A unit that panics is rolled back to its savepoint and answered with an internal error
    /// that does not quote the panic's message (which is logged in full otherwise); the writes
    /// of the units around it stay in the transaction.
    #[test]
    fn a_panicking_unit_is_rolled_back_and_its_message_withheld() {
        const SECRET: &str = "Nguyễn Văn Bí mật 0912 345 678";
        let mut conn = AnyConnection::Sqlite(diesel::SqliteConnection::establish(":memory:").unwrap());
        conn.batch_execute("CREATE TABLE t (v TEXT NOT NULL)").unwrap();
        begin_write(&mut conn).unwrap();
        let insert = |conn: &mut AnyConnection, v: &str| {
            conn.batch_execute(&format!("INSERT INTO t (v) VALUES ('{v}')"))
                .map_err(crate::error::AppError::from)
        };
        in_savepoint(&mut conn, |c| insert(c, "before")).unwrap().unwrap();
        let panicked = in_savepoint(&mut conn, |c| -> Result<(), crate::error::AppError> {
            insert(c, "inside")?;
            panic!("while writing {SECRET}")
        })
        .unwrap();
        in_savepoint(&mut conn, |c| insert(c, "after")).unwrap().unwrap();

        let Err(crate::error::AppError::Internal(e)) = panicked else {
            panic!("an internal error expected")
        };
        let logged = format!("{e:#}");
        assert!(!logged.contains("0912") && !logged.contains("Bí mật"), "{logged}");
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let rows: Vec<Row> = diesel::sql_query("SELECT v FROM t ORDER BY rowid")
            .load(&mut conn)
            .unwrap();
        let kept: Vec<&str> = rows.iter().map(|r| r.v.as_str()).collect();
        assert_eq!(kept, ["before", "after"]);
        rollback_write(&mut conn);
    }
}
