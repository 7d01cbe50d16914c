//! Database access: the pool, the unit-of-work runner, and query functions per table.
//!
//! Query functions take `&mut AnyConnection` and return `QueryResult`, so a service can compose
//! several of them inside one transaction. All of it is synchronous diesel, run on actix's
//! blocking pool through [`Db::run`] / [`Db::write`], never on an async worker thread.

pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod businesses;
pub mod calendar;
pub mod calls;
pub mod cases;
pub mod clocks;
pub mod cluster_reports;
pub mod connection;
pub mod grouped;
pub mod jobs;
pub mod kb;
pub mod limits;
pub mod links;
pub mod mediation;
pub mod migrations;
pub mod notices;
pub mod portability;
pub mod reference;
pub mod report_submissions;
pub mod reporters;
pub mod schema;
mod types;
pub mod users;
pub mod writer;

use std::time::{Duration, Instant};

use diesel::r2d2::{ManageConnection, Pool, PooledConnection, R2D2Connection};

pub use connection::{tune_for_writing, AnyConnection, Backend, DbUrl, SqliteOptions};

use crate::error::{AppError, Unavailable};

/// A pool checkout that failed: with a connection error the database is unreachable, without
/// one every connection was busy for `pool_timeout_secs`.
fn checkout_error(e: &diesel::r2d2::PoolError) -> AppError {
    let msg = e.to_string();
    if msg.contains("timed out waiting for connection") && !msg.contains(':') {
        AppError::Unavailable(Unavailable::Busy)
    } else {
        AppError::Unavailable(Unavailable::DatabaseUnreachable)
    }
}

/// A pooled connection whose last use ended less than this long ago, and left it sound, is
/// used without a test query first; one idle for longer is tested (`SELECT 1`) and replaced if
/// it fails (ADR 0055). Under load every connection is reused within milliseconds, so the
/// test, a round trip on PostgreSQL, is skipped; a connection the server ended in that second
/// fails its request with 503 (as it would if the server ended it just after the test) and is
/// tested before its next use.
const TESTED_AFTER_IDLE: Duration = Duration::from_secs(1);

/// When a pooled connection last ended a use that left it sound (an extension of r2d2's).
struct LastSound(Instant);

/// A connection out of the pool, ready for use: tested first unless its last use ended soundly
/// less than [`TESTED_AFTER_IDLE`] ago; a failing one is replaced by a new connection in its slot.
fn checkout(
    pool: &Pool<connection::Manager>,
    manager: &connection::Manager,
) -> Result<PooledConnection<connection::Manager>, AppError> {
    let mut conn = pool.get().map_err(|e| checkout_error(&e))?;
    let recent = PooledConnection::extensions(&conn)
        .get::<LastSound>()
        .is_some_and(|t| t.0.elapsed() < TESTED_AFTER_IDLE);
    if !recent && conn.ping().is_err() {
        *conn = manager
            .connect()
            .map_err(|_| AppError::Unavailable(Unavailable::DatabaseUnreachable))?;
    }
    Ok(conn)
}

/// Records how a use of `conn` ended: sound unless the error may come from the connection
/// (the database unreachable or failing, or any error not the request's own).
fn checkin<T>(conn: &mut PooledConnection<connection::Manager>, result: &Result<T, AppError>) {
    let extensions = PooledConnection::extensions_mut(conn);
    match result {
        Err(AppError::Unavailable(_) | AppError::Internal(_)) => {
            extensions.remove::<LastSound>();
        }
        _ => match extensions.get_mut::<LastSound>() {
            Some(t) => t.0 = Instant::now(),
            None => {
                extensions.insert(LastSound(Instant::now()));
            }
        },
    }
}

/// A pool of connections to one database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<connection::Manager>,
    /// The pool's manager, to replace a pooled connection that fails its test ([`checkout`]).
    manager: std::sync::Arc<connection::Manager>,
    /// One permit per pooled connection: [`Db::run`] waits here, in arrival order and without
    /// holding a thread, before it checks a connection out (ADR 0049).
    gate: std::sync::Arc<tokio::sync::Semaphore>,
    backend: Backend,
    /// SQLite admits one writer at a time: one thread owns the writing connection and commits
    /// the queued write units in groups (group commit, ADR 0040). `None` for PostgreSQL, which
    /// takes concurrent writers and groups their commits itself.
    writer: Option<std::sync::Arc<writer::Writer>>,
    metrics: writer::WriterMetrics,
    /// The storage fault the last failed statement reported (disk full, read-only, I/O), until
    /// readiness's probe write succeeds ([`Db::storage_writable_again`]); `/readyz` reports it.
    storage_fault: std::sync::Arc<std::sync::Mutex<Option<Unavailable>>>,
}

impl Db {
    /// Builds the pool (connections are opened lazily, up to `size`).
    pub fn connect(url: &DbUrl, sqlite: SqliteOptions, size: u32, timeout: Duration) -> anyhow::Result<Db> {
        let metrics = writer::WriterMetrics::new()?;
        let writer = match url.backend() {
            Backend::Sqlite => {
                let conn = connection::establish_writer(url, &sqlite)?;
                let options = writer::WriterOptions {
                    max_queued: sqlite.max_queued_writes,
                    max_batch: sqlite.max_batch,
                    max_wait: timeout,
                    checkpoint_every: Duration::from_millis(sqlite.checkpoint_every_ms),
                };
                Some(std::sync::Arc::new(writer::Writer::start(
                    conn,
                    connection::establish(url, &sqlite)?,
                    options,
                    metrics.clone(),
                )?))
            }
            Backend::Postgres => None,
        };
        let manager = connection::Manager::new(url.clone(), sqlite);
        let size = if url.backend() == Backend::Sqlite {
            size.max(2)
        } else {
            size.max(1)
        };
        // Connections are tested at check-out by `checkout` (only those idle for a while).
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .test_on_check_out(false)
            .build(manager.clone())?;
        Ok(Db {
            pool,
            manager: std::sync::Arc::new(manager),
            gate: std::sync::Arc::new(tokio::sync::Semaphore::new(size as usize)),
            backend: url.backend(),
            writer,
            metrics,
            storage_fault: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool (reads, or work that opens
    /// its own transaction).
    ///
    /// Requests wait for a connection in the order they came, on the gate, not on the pool:
    /// r2d2 wakes an arbitrary waiter (and a newcomer may overtake it), which left some requests
    /// waiting many turns under load (ADR 0049). Past `pool_timeout_secs` the answer is 503.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let asked = std::time::Instant::now();
        // The pool's own checkout timeout (`pool_timeout_secs`) bounds the wait at the gate too.
        let timeout = self.pool.connection_timeout();
        let permit = tokio::time::timeout(timeout, self.gate.clone().acquire_owned()).await;
        self.metrics.pool_wait.observe(asked.elapsed().as_secs_f64());
        // The gate is never closed; a timeout is a database too busy to answer in time.
        let Ok(Ok(permit)) = permit else {
            return Err(AppError::Unavailable(Unavailable::Busy));
        };
        let (pool, manager) = (self.pool.clone(), self.manager.clone());
        let result = actix_web::web::block(move || {
            let _permit = permit;
            let mut conn = checkout(&pool, &manager)?;
            let result = f(&mut conn);
            checkin(&mut conn, &result);
            result
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?;
        self.note_storage_fault(&result);
        result
    }

    /// Runs `f` as one unit of write: on SQLite queued for the writer, which commits it with
    /// whatever else is waiting, in its own savepoint (`db::writer`, ADR 0040); on PostgreSQL
    /// in its own transaction (see [`portability::write_transaction`]). Either way the answer
    /// comes after the commit: `Ok` means durable. A committed write does not clear a storage
    /// fault recorded before: a small one fits where an intake does not (a full disk keeps a
    /// few free pages and WAL frames); readiness's probe write decides.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        match &self.writer {
            Some(writer) => {
                let result = writer.write(f).await;
                self.note_storage_fault(&result);
                result
            }
            None => self.run(move |conn| portability::write_transaction(conn, f)).await,
        }
    }

    /// The database's figures (the SQLite writer's queue depth, batch size, failed units and
    /// phases; every backend's wait for a pooled connection), to register in `/metrics`.
    pub fn writer_metrics(&self) -> &writer::WriterMetrics {
        &self.metrics
    }

    fn note_storage_fault<T>(&self, result: &Result<T, AppError>) {
        if let Err(AppError::Unavailable(cause)) = result {
            if cause.is_storage_fault() {
                self.set_storage_fault(Some(*cause));
            }
        }
    }

    /// The storage fault seen last (disk full, read-only, I/O error), unless readiness's probe
    /// write has succeeded since.
    pub fn storage_fault(&self) -> Option<Unavailable> {
        self.storage_fault.lock().map(|g| *g).unwrap_or(None)
    }

    /// Forgets the storage fault: readiness's probe, a write larger than any request's
    /// (`portability::write_probe`), has just succeeded.
    pub fn storage_writable_again(&self) {
        self.set_storage_fault(None);
    }

    fn set_storage_fault(&self, fault: Option<Unavailable>) {
        if let Ok(mut g) = self.storage_fault.lock() {
            if *g != fault {
                match fault {
                    Some(f) => tracing::error!(cause = f.as_str(), "database storage fault: writes fail"),
                    None => tracing::info!("database storage writable again"),
                }
                *g = fault;
            }
        }
    }

    /// Synchronous access for startup and CLI commands (never call from an async handler).
    pub fn get_blocking(&self) -> Result<PooledConnection<connection::Manager>, AppError> {
        checkout(&self.pool, &self.manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A storage fault stays recorded through a small write that fits (a full disk keeps a few
    /// free pages): only readiness's probe clears it. Before, any committed write cleared it,
    /// and readiness would say 200 after a one-row write (a rate-limit count) while intakes
    /// failed.
    #[tokio::test]
    async fn only_the_probe_clears_a_storage_fault() {
        let dir = tempfile::tempdir().unwrap();
        let url = DbUrl::parse(&format!("sqlite://{}/t.db", dir.path().display())).unwrap();
        let sqlite = SqliteOptions {
            busy_timeout_ms: 5_000,
            synchronous: "NORMAL".into(),
            max_queued_writes: 8,
            max_batch: 8,
            writer_cache_mib: 2,
            checkpoint_every_ms: 20,
            mmap_mib: 0,
        };
        let db = Db::connect(&url, sqlite, 2, Duration::from_secs(5)).unwrap();
        portability::run_migrations(&mut db.get_blocking().unwrap()).unwrap();
        assert_eq!(db.storage_fault(), None);
        db.note_storage_fault::<()>(&Err(AppError::Unavailable(Unavailable::DiskFull)));
        assert_eq!(db.storage_fault(), Some(Unavailable::DiskFull));
        db.write(|conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("CREATE TABLE small (v INTEGER); INSERT INTO small VALUES (1)")
                .map_err(AppError::from)
        })
        .await
        .unwrap();
        assert_eq!(db.storage_fault(), Some(Unavailable::DiskFull));
        db.storage_writable_again();
        assert_eq!(db.storage_fault(), None);
    }
}
