//! What the benchmarks share: backends, the load runner, HTTP helpers, throw-away PostgreSQL
//! databases. Included with `mod support;` by each benchmark.

#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};

pub mod seed;
pub mod server;
use diesel::prelude::*;

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "sqlite",
            Kind::Postgres => "postgres",
        }
    }
}

impl Kind {
    /// The backends a `--backend` value names: `sqlite`, `postgres` (`pg`) or `both`.
    pub fn parse_list(v: &str) -> anyhow::Result<Vec<Kind>> {
        match v {
            "sqlite" => Ok(vec![Kind::Sqlite]),
            "postgres" | "postgresql" | "pg" => Ok(vec![Kind::Postgres]),
            "both" | "all" => Ok(vec![Kind::Sqlite, Kind::Postgres]),
            other => anyhow::bail!("--backend must be sqlite, postgres or both (got '{other}')"),
        }
    }
}

/// The PostgreSQL server that throw-away benchmark databases are created on:
/// `TEST_DATABASE_URL`, else the local default.
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_owned())
}

/// Runs one backend's benchmark in its own thread with its own actix system.
pub fn run_in_system<T, F, Fut>(kind: Kind, bench: F) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<T>>,
{
    std::thread::Builder::new()
        .name(format!("bench-{}", kind.name()))
        .spawn(move || actix_web::rt::System::new().block_on(bench()))
        .map_err(|e| anyhow!("starting the benchmark thread: {e}"))?
        .join()
        .map_err(|_| anyhow!("the {} benchmark panicked", kind.name()))?
}

/// One backend's run of a benchmark: its result, or why it was skipped.
pub enum Run<T> {
    Done(T),
    Skipped(String),
}

/// Runs `bench(kind, database_url)` once per backend, each in its own actix system on a fresh
/// database: the file `file` in a temporary folder for SQLite; a throw-away database for
/// PostgreSQL, dropped afterwards unless `keep` (the SQLite file is kept too; an unreachable
/// server is skipped, loudly).
pub fn on_each_backend<T, F, Fut>(
    backends: &[Kind],
    file: &str,
    keep: bool,
    bench: F,
) -> anyhow::Result<Vec<(Kind, Run<T>)>>
where
    T: Send + 'static,
    F: Fn(Kind, String) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let mut results = Vec::new();
    for &kind in backends {
        let b = bench.clone();
        let what = || format!("{} benchmark", kind.name());
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().context("creating a temporary folder")?;
                let url = format!("sqlite://{}", dir.path().join(file).display());
                let r = run_in_system(kind, move || b(kind, url)).with_context(what)?;
                if keep {
                    println!("(kept the SQLite file {})", dir.keep().join(file).display());
                }
                results.push((kind, Run::Done(r)));
            }
            Kind::Postgres => {
                let admin_url = pg_admin_url();
                match PgBenchDb::create(&admin_url) {
                    Err(e) => {
                        let why = format!(
                            "PostgreSQL at {} is unreachable or refused CREATE DATABASE: {e}",
                            redact(&admin_url)
                        );
                        println!("\n!!!!!!!! SKIPPING POSTGRESQL: {why} !!!!!!!!");
                        results.push((kind, Run::Skipped(why)));
                    }
                    Ok(db) => {
                        println!("(created PostgreSQL database {} on {})", db.name, redact(&admin_url));
                        let url = db.url();
                        let r = run_in_system(kind, move || b(kind, url)).with_context(what);
                        if keep {
                            println!("(kept PostgreSQL database {})", db.name);
                            std::mem::forget(db);
                        } else {
                            drop(db);
                        }
                        results.push((kind, Run::Done(r?)));
                    }
                }
            }
        }
    }
    Ok(results)
}

/// The runs that were done (skipped ones said so when they were skipped).
pub fn done<T>(runs: Vec<(Kind, Run<T>)>) -> Vec<(Kind, T)> {
    runs.into_iter()
        .filter_map(|(k, r)| match r {
            Run::Done(t) => Some((k, t)),
            Run::Skipped(_) => None,
        })
        .collect()
}

pub fn parse_count(flag: &str, v: Option<String>) -> anyhow::Result<usize> {
    let v = v.ok_or_else(|| anyhow!("{flag} needs a number"))?;
    v.replace(['_', ','], "")
        .parse::<usize>()
        .map_err(|_| anyhow!("{flag}: '{v}' is not a number"))
}

pub fn mix(mut x: u64) -> u64 {
    // splitmix64: spreads consecutive indexes over the tables.
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub fn pick<T: Copy>(table: &[T], h: u64, shift: u32) -> T {
    table[((h >> shift) % table.len() as u64) as usize]
}

// ------------------------------------------------------------------ load runner

pub struct LoadStats {
    pub n: usize,
    pub secs: f64,
    /// Sorted latencies, microseconds.
    pub lat_us: Vec<u64>,
    pub failures: usize,
}

impl LoadStats {
    pub fn rps(&self) -> f64 {
        if self.secs > 0.0 {
            self.n as f64 / self.secs
        } else {
            0.0
        }
    }

    /// Nearest-rank percentile in milliseconds.
    pub fn pct(&self, p: f64) -> f64 {
        if self.lat_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * self.lat_us.len() as f64).ceil() as usize;
        self.lat_us[rank.clamp(1, self.lat_us.len()) - 1] as f64 / 1000.0
    }
}

/// Runs `total` requests from `concurrency` workers on the current (single) thread. `make(i)`
/// builds request `i` (not timed) and returns its future (timed until the body is read).
pub async fn run_load<F, Fut>(label: &str, total: usize, concurrency: usize, make: F) -> LoadStats
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let next = Cell::new(0usize);
    let lat = RefCell::new(Vec::with_capacity(total));
    let failures = RefCell::new(Vec::<(usize, String)>::new());
    let failed = Cell::new(0usize);
    let (next_r, lat_r, failures_r, failed_r, make_r) = (&next, &lat, &failures, &failed, &make);
    let start = Instant::now();
    let workers = (0..concurrency.max(1)).map(|_| async move {
        loop {
            let i = next_r.get();
            if i >= total {
                break;
            }
            next_r.set(i + 1);
            let fut = make_r(i);
            let t = Instant::now();
            let r = fut.await;
            lat_r.borrow_mut().push(t.elapsed().as_micros() as u64);
            if let Err(e) = r {
                failed_r.set(failed_r.get() + 1);
                let mut f = failures_r.borrow_mut();
                if f.len() < 10 {
                    f.push((i, e));
                }
            }
        }
    });
    futures_util::future::join_all(workers).await;
    let secs = start.elapsed().as_secs_f64();
    let mut lat_us = lat.into_inner();
    lat_us.sort_unstable();
    let stats = LoadStats {
        n: total,
        secs,
        lat_us,
        failures: failed.get(),
    };
    println!(
        "  {label:<34} n={:<6} c={:<3} {:>9.1} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   failures {}",
        stats.n,
        concurrency,
        stats.rps(),
        stats.pct(50.0),
        stats.pct(99.0),
        stats.failures
    );
    for (i, e) in failures.into_inner() {
        println!("    FAILED request #{i}: {e}");
    }
    stats
}

pub async fn expect_status(
    resp: Result<awc::ClientResponse, awc::error::SendRequestError>,
    want: u16,
) -> Result<actix_web::web::Bytes, String> {
    let mut resp = resp.map_err(|e| format!("send: {e}"))?;
    let status = resp.status();
    let body = resp
        .body()
        .limit(16 << 20)
        .await
        .map_err(|e| format!("reading body ({status}): {e}"))?;
    if status.as_u16() != want {
        let text = String::from_utf8_lossy(&body);
        let short: String = text.chars().take(400).collect();
        return Err(format!("HTTP {status} (expected {want}): {short}"));
    }
    Ok(body)
}

pub fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config")
}

pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    actix_web::rt::task::spawn_blocking(f)
        .await
        .map_err(|e| anyhow!("blocking task: {e}"))?
}

pub async fn login(client: &awc::Client, base: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({ "username": user, "password": password }).to_string();
    let bytes = expect_status(
        client
            .post(format!("{base}/api/v1/auth/login"))
            .insert_header(("Content-Type", "application/json"))
            .send_body(body)
            .await,
        200,
    )
    .await
    .map_err(|e| anyhow!("login as {user}: {e}"))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)?;
    v["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("login as {user}: no token in the answer"))
}

// ------------------------------------------------------------------ PostgreSQL database

/// A throw-away database, dropped when this value is.
pub struct PgBenchDb {
    pub admin_url: String,
    pub name: String,
}

pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map(|p| p + 3).unwrap_or(0);
    let root = match base[authority_start..].find('/') {
        Some(p) => &base[..authority_start + p],
        None => base,
    };
    format!("{root}/{name}{query}")
}

pub fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

impl PgBenchDb {
    pub fn create(admin_url: &str) -> anyhow::Result<PgBenchDb> {
        let mut conn = diesel::PgConnection::establish(admin_url)?;
        let name = format!("hotline_bench_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn)?;
        Ok(PgBenchDb {
            admin_url: admin_url.to_owned(),
            name,
        })
    }

    pub fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }
}

impl Drop for PgBenchDb {
    fn drop(&mut self) {
        let dropped = diesel::PgConnection::establish(&self.admin_url)
            .map_err(|e| e.to_string())
            .and_then(|mut conn| {
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                    .execute(&mut conn)
                    .or_else(|_| diesel::sql_query(format!("DROP DATABASE IF EXISTS {}", self.name)).execute(&mut conn))
                    .map_err(|e| e.to_string())
            });
        match dropped {
            Ok(_) => println!("(dropped PostgreSQL database {})", self.name),
            Err(e) => eprintln!("WARNING: could not drop PostgreSQL database {}: {e}", self.name),
        }
    }
}

pub fn fmt_num(v: f64, decimals: usize) -> String {
    if v.is_nan() {
        "-".into()
    } else {
        format!("{v:.decimals$}")
    }
}

/// After a bulk load, what a running installation would have done meanwhile: the planner's
/// statistics (the service's worker on SQLite, hourly after 10% growth) and, on PostgreSQL,
/// autovacuum's pass over an insert-only table (it vacuums one after 20% growth: hint bits and
/// the visibility map set, the search index's pending list merged, statistics). Without it the
/// first searches after a load set the hint bits of every heap page they read and write those
/// pages out again (at 1,000,000 cases, beside a build: a business-name search 442 → 124 ms).
/// Returns whether SQLite's statistics were taken.
pub fn settle_after_load(conn: &mut hotline::db::AnyConnection) -> anyhow::Result<bool> {
    use diesel::connection::SimpleConnection;
    let refreshed = hotline::db::portability::refresh_planner_statistics(conn)?;
    if hotline::db::portability::backend_of(conn) == hotline::db::Backend::Postgres {
        conn.batch_execute("VACUUM (ANALYZE) cases, case_agencies")?;
    }
    Ok(refreshed)
}
