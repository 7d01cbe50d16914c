//! The connection enum over both backends, the URL that picks one, and the r2d2 manager.
//!
//! The backend is chosen from the URL scheme, never by trial: diesel's `establish()` on a
//! `MultiConnection` tries variants in order and SQLite accepts almost any string, which would
//! silently create a new database file for a mistyped PostgreSQL URL.

use std::path::PathBuf;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

/// One connection to whichever backend the configuration names.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A parsed database URL: `sqlite://relative/or/absolute/path.db` or `postgres://…`.
#[derive(Debug, Clone)]
pub struct DbUrl {
    backend: Backend,
    raw: String,
    sqlite_path: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum DbUrlError {
    #[error("unknown database URL scheme (expected sqlite:// or postgres://)")]
    UnknownScheme,
    #[error("sqlite URL has no file path (in-memory databases are not supported: each pooled connection would get its own empty database)")]
    NoSqlitePath,
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl, DbUrlError> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl {
                backend: Backend::Postgres,
                raw: url.to_owned(),
                sqlite_path: None,
            });
        }
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path.contains(":memory:") {
                return Err(DbUrlError::NoSqlitePath);
            }
            return Ok(DbUrl {
                backend: Backend::Sqlite,
                raw: url.to_owned(),
                sqlite_path: Some(PathBuf::from(path)),
            });
        }
        Err(DbUrlError::UnknownScheme)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The file of a SQLite database; `None` for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    /// The URL with any password masked, for logs.
    pub fn redacted(&self) -> String {
        match self.backend {
            Backend::Sqlite => self.raw.clone(),
            Backend::Postgres => match (self.raw.find("://"), self.raw.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    let creds = &self.raw[s + 3..at];
                    let user = creds.split(':').next().unwrap_or_default();
                    format!("{}://{}:***@{}", &self.raw[..s], user, &self.raw[at + 1..])
                }
                _ => self.raw.clone(),
            },
        }
    }

    pub(crate) fn raw(&self) -> &str {
        &self.raw
    }
}

/// SQLite settings applied to every new connection.
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub busy_timeout_ms: u32,
    /// `FULL` (default: an acknowledged complaint survives power loss) or `NORMAL`.
    pub synchronous: String,
    /// Write units allowed to wait for SQLite's writer; one more is refused at once (503).
    pub max_queued_writes: usize,
    /// Write units the writer commits together in one transaction at most (group commit).
    pub max_batch: usize,
    /// Page cache of the writer connection, in MiB (SQLite's default is 2 MiB).
    pub writer_cache_mib: u32,
    /// The background checkpointer's pause after each checkpoint, in milliseconds.
    pub checkpoint_every_ms: u64,
    /// Bytes of the database file each connection reads through a memory map, in MiB (0: none).
    pub mmap_mib: u32,
}

impl SqliteOptions {
    /// The options the configuration sets (`[database]`).
    pub fn of(settings: &crate::config::DatabaseSettings) -> SqliteOptions {
        SqliteOptions {
            busy_timeout_ms: settings.sqlite_busy_timeout_ms,
            synchronous: settings.sqlite_synchronous.clone(),
            max_queued_writes: settings.sqlite_max_queued_writes,
            max_batch: settings.sqlite_max_batch,
            writer_cache_mib: settings.sqlite_writer_cache_mib,
            checkpoint_every_ms: settings.sqlite_checkpoint_every_ms,
            mmap_mib: settings.sqlite_mmap_mib,
        }
    }
}

/// Gives a connection that writes the writer's page cache (`writer_cache_mib`) and keeps its
/// statement journal in memory. SQLite's FTS5 index reads its segments back on every flush and
/// merge; with the default 2 MiB cache each of those pages is a `pread` of the file again
/// (measured: half of a bulk load's time copying pages from the OS, ADR 0043). Every write unit
/// runs in a savepoint (ADR 0040), so SQLite copies each page a unit changes first to the
/// savepoint's journal; by default that journal spills to a temporary file past 64 KiB, and
/// those writes were a fifth of the writer's time (ADR 0052). The journal only serves a
/// `ROLLBACK TO` inside the open transaction: durability is the WAL's. Nothing on PostgreSQL.
pub fn tune_for_writing(conn: &mut AnyConnection, sqlite: &SqliteOptions) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => c.batch_execute(&format!(
            "PRAGMA cache_size = -{}; PRAGMA temp_store = MEMORY;",
            u64::from(sqlite.writer_cache_mib.max(1)) * 1024
        )),
        AnyConnection::Postgresql(_) => Ok(()),
    }
}

/// Opens the connection of SQLite's one writer (`db::writer`): [`establish`], plus the query
/// planner's stability guarantee (SQLite's `SQLITE_DBCONFIG_ENABLE_QPSG`, see
/// `planner_ignores_bound_values`) and the writer's page cache (`tune_for_writing`).
pub fn establish_writer(url: &DbUrl, sqlite: &SqliteOptions) -> Result<AnyConnection, diesel::ConnectionError> {
    let mut conn = planner_ignores_bound_values(|| establish(url, sqlite))?;
    tune_for_writing(&mut conn, sqlite).map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
    Ok(conn)
}

std::thread_local! {
    /// Set on this thread while [`planner_ignores_bound_values`] opens a connection.
    static STABLE_PLANS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `open` with SQLite's query planner stability guarantee turned on for the connections it
/// opens on this thread. Without it, SQLite (3.46 and later) reads the value bound to `LIMIT ?`
/// when it plans a statement and marks the statement to be planned again whenever that
/// parameter is bound anew: every `.first()` and `.limit(n)` diesel runs was parsed and planned
/// again on every execution, although diesel caches it (measured: 9% of the writer's time at
/// c=32 intake, ADR 0044). The writer's statements are point lookups and inserts whose plans
/// do not depend on the values; the readers keep SQLite's default. The flag has to be set
/// between `sqlite3_open` and the first statement, and diesel exposes no handle, so an
/// auto-extension (run by SQLite for every connection it opens, on the opening thread) sets it
/// when this thread asked for it.
fn planner_ignores_bound_values<T>(open: impl FnOnce() -> T) -> T {
    use libsqlite3_sys as ffi;
    use std::ffi::{c_char, c_int};

    unsafe extern "C" fn stable_plans(
        db: *mut ffi::sqlite3,
        _error: *mut *mut c_char,
        _api: *const ffi::sqlite3_api_routines,
    ) -> c_int {
        if STABLE_PLANS.with(std::cell::Cell::get) {
            // SAFETY: SQLite calls an auto-extension with the connection it is opening, valid
            // for this call; SQLITE_DBCONFIG_ENABLE_QPSG takes an int and an optional int*.
            unsafe {
                ffi::sqlite3_db_config(
                    db,
                    ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                    1 as c_int,
                    std::ptr::null_mut::<c_int>(),
                )
            };
        }
        ffi::SQLITE_OK
    }

    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        // SAFETY: registers a function with SQLite's signature for auto-extensions; it touches
        // only the connection it is given and a thread-local flag.
        unsafe { ffi::sqlite3_auto_extension(Some(stable_plans)) };
    });
    STABLE_PLANS.with(|f| f.set(true));
    let opened = open();
    STABLE_PLANS.with(|f| f.set(false));
    opened
}

/// Opens a connection of the backend the URL names, with the per-connection settings.
pub fn establish(url: &DbUrl, sqlite: &SqliteOptions) -> Result<AnyConnection, diesel::ConnectionError> {
    match url.backend {
        Backend::Postgres => {
            let mut conn = PgConnection::establish(url.raw())?;
            // Every query of the service is short; starting a parallel worker costs 5–10 ms
            // here (measured: a search finding nothing took 12.6 ms with one worker, 0.13 ms
            // without), more than any of them can gain.
            conn.batch_execute("SET max_parallel_workers_per_gather = 0")
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(AnyConnection::Postgresql(conn))
        }
        Backend::Sqlite => {
            let path = url
                .sqlite_path()
                .ok_or_else(|| diesel::ConnectionError::InvalidConnectionUrl("no sqlite path".into()))?;
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            let sync = match sqlite.synchronous.to_ascii_uppercase().as_str() {
                "NORMAL" => "NORMAL",
                "OFF" => "OFF",
                _ => "FULL",
            };
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {}; PRAGMA foreign_keys = ON; \
                 PRAGMA mmap_size = {};",
                sqlite.busy_timeout_ms,
                sync,
                u64::from(sqlite.mmap_mib) * 1024 * 1024
            ))
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(AnyConnection::Sqlite(conn))
        }
    }
}

/// r2d2 manager that builds the variant from the parsed URL.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
    sqlite: SqliteOptions,
}

impl Manager {
    pub fn new(url: DbUrl, sqlite: SqliteOptions) -> Manager {
        Manager { url, sqlite }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        establish(&self.url, &self.sqlite).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        conn.is_broken()
    }
}
