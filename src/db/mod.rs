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

use std::time::Duration;

use diesel::r2d2::Pool;

pub use connection::{AnyConnection, Backend, DbUrl, SqliteOptions};

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

/// SQLite's one write turn, taken in arrival order by a bounded number of waiters, each for a
/// bounded time: beyond either bound the write is refused with 503 `unavailable` (busy,
/// `Retry-After: 1`) instead of waiting without end while anonymous traffic piles up.
struct WriteGate {
    turn: tokio::sync::Semaphore,
    queued: std::sync::atomic::AtomicUsize,
    max_queued: usize,
    max_wait: Duration,
}

/// Counts a waiter for as long as it waits.
struct Queued<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl WriteGate {
    async fn enter(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        let busy = || AppError::Unavailable(Unavailable::Busy);
        let ahead = self.queued.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        let _queued = Queued(&self.queued);
        if ahead >= self.max_queued {
            return Err(busy());
        }
        match tokio::time::timeout(self.max_wait, self.turn.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(busy()),
        }
    }
}

/// A pool of connections to one database, cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: Pool<connection::Manager>,
    backend: Backend,
    /// SQLite admits one writer at a time. Queueing writers here, in arrival order, keeps them
    /// out of SQLite's busy handler, whose growing sleeps (up to 100 ms each) made the latency
    /// tail under concurrent intake. `None` for PostgreSQL, which takes concurrent writers.
    write_gate: Option<std::sync::Arc<WriteGate>>,
    /// The storage fault the last failed statement reported (disk full, read-only, I/O), until
    /// a write succeeds again; `/readyz` reports it.
    storage_fault: std::sync::Arc<std::sync::Mutex<Option<Unavailable>>>,
}

impl Db {
    /// Builds the pool (connections are opened lazily, up to `size`).
    pub fn connect(url: &DbUrl, sqlite: SqliteOptions, size: u32, timeout: Duration) -> anyhow::Result<Db> {
        let sqlite_max_queued = sqlite.max_queued_writes;
        let manager = connection::Manager::new(url.clone(), sqlite);
        let size = if url.backend() == Backend::Sqlite {
            size.max(2)
        } else {
            size.max(1)
        };
        let pool = Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(timeout)
            .build(manager)?;
        Ok(Db {
            pool,
            backend: url.backend(),
            write_gate: (url.backend() == Backend::Sqlite).then(|| {
                std::sync::Arc::new(WriteGate {
                    turn: tokio::sync::Semaphore::new(1),
                    queued: std::sync::atomic::AtomicUsize::new(0),
                    max_queued: sqlite_max_queued,
                    max_wait: timeout,
                })
            }),
            storage_fault: Default::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool (reads, or work that opens
    /// its own transaction).
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let result = actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| checkout_error(&e))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("blocking task failed: {e}")))?;
        if let Err(AppError::Unavailable(cause)) = &result {
            if cause.is_storage_fault() {
                self.set_storage_fault(Some(*cause));
            }
        }
        result
    }

    /// Runs `f` inside one write transaction (see [`portability::write_transaction`]). A
    /// committed write clears any storage fault recorded before.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = match &self.write_gate {
            Some(gate) => Some(gate.enter().await?),
            None => None,
        };
        let result = self.run(move |conn| portability::write_transaction(conn, f)).await;
        if result.is_ok() {
            self.set_storage_fault(None);
        }
        result
    }

    /// The storage fault seen last (disk full, read-only, I/O error), if no write has
    /// succeeded since.
    pub fn storage_fault(&self) -> Option<Unavailable> {
        self.storage_fault.lock().map(|g| *g).unwrap_or(None)
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
    pub fn get_blocking(&self) -> Result<diesel::r2d2::PooledConnection<connection::Manager>, AppError> {
        self.pool.get().map_err(|e| checkout_error(&e))
    }
}
