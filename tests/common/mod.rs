//! Shared by the test binaries: a fresh database per test on either backend.

#![allow(dead_code)]

use diesel::{Connection, PgConnection, RunQueryDsl};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test and is dropped after it.
pub struct TestDb {
    pub url: String,
    pub dir: tempfile::TempDir,
    pg_drop: Option<(String, String)>,
}

/// `TEST_DATABASE_URL` (default: the local server), with `sslmode=disable` unless the URL names
/// an `sslmode` itself.
///
/// Without it libpq talks TLS to the local server (Debian enables `ssl`), and OpenSSL's exit
/// handler then frees its state while a connection pool of an earlier test may still be inside
/// libpq on another thread: the test binary crashed *after* every test had passed ("double free
/// or corruption", SIGSEGV; diesel-rs/diesel#3441, rust-openssl#2256). The tests do not need TLS
/// to a local server; a server that requires it is reached with `?sslmode=require` in the URL.
pub fn admin_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// `url` with its database replaced by `db` (its query kept).
fn with_db(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let authority = base.find("://").map_or(0, |p| p + 3);
    let root = match base[authority..].find('/') {
        Some(p) => &base[..authority + p],
        None => base,
    };
    format!("{root}/{db}{query}")
}

impl TestDb {
    /// The PostgreSQL database's name (`None` on SQLite).
    pub fn pg_name(&self) -> Option<&str> {
        self.pg_drop.as_ref().map(|(_, name)| name.as_str())
    }

    /// `None` (after a loud line) when PostgreSQL is unreachable and not required.
    pub fn new(backend: Backend) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("tempdir");
        match backend {
            Backend::Sqlite => Some(TestDb {
                url: format!("sqlite://{}/test.db", dir.path().display()),
                dir,
                pg_drop: None,
            }),
            Backend::Postgres => {
                let admin = admin_url();
                let mut conn = match PgConnection::establish(&admin) {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0") {
                            panic!(
                                "PostgreSQL is required (REQUIRE_POSTGRES) but unreachable at TEST_DATABASE_URL: {e}"
                            );
                        }
                        eprintln!("\n!!!!! SKIPPING PostgreSQL test: cannot connect ({e}); set TEST_DATABASE_URL or start PostgreSQL !!!!!\n");
                        return None;
                    }
                };
                let name = format!("hotline_t_{}", uuid::Uuid::new_v4().simple());
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create database");
                Some(TestDb {
                    url: with_db(&admin, &name),
                    dir,
                    pg_drop: Some((admin, name)),
                })
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_drop {
            if let Ok(mut c) = PgConnection::establish(admin) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c);
            }
        }
    }
}
