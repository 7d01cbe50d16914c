//! Migrations: both folders list the same versions; up → down → up works on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

use common::{Backend, TestDb};
use hotline::db::{portability, Db, DbUrl, SqliteOptions};

fn versions(dir: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn both_migration_folders_list_the_same_versions_with_up_and_down() {
    let root = env!("CARGO_MANIFEST_DIR");
    let s = versions(&format!("{root}/migrations/sqlite"));
    let p = versions(&format!("{root}/migrations/postgres"));
    assert!(!s.is_empty());
    assert_eq!(
        s, p,
        "migrations/sqlite and migrations/postgres must list the same versions"
    );
    for backend in ["sqlite", "postgres"] {
        for v in &s {
            for f in ["up.sql", "down.sql"] {
                let path = format!("{root}/migrations/{backend}/{v}/{f}");
                assert!(std::path::Path::new(&path).exists(), "missing {path}");
            }
        }
    }
}

#[test]
fn no_backend_match_outside_portability() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut stack = vec![std::path::PathBuf::from(format!("{root}/src"))];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs")
                && !p.ends_with("db/portability.rs")
                && !p.ends_with("db/connection.rs")
            {
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(
                    !text.contains("AnyConnection::Sqlite(") && !text.contains("AnyConnection::Postgresql("),
                    "{} matches on the backend variant; keep that in db/portability.rs",
                    p.display()
                );
            }
        }
    }
}

fn up_down_up(backend: Backend) {
    let Some(tdb) = TestDb::new(backend) else {
        return;
    };
    let db = Db::connect(
        &DbUrl::parse(&tdb.url).unwrap(),
        SqliteOptions {
            busy_timeout_ms: 5000,
            synchronous: "NORMAL".into(),
        },
        2,
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let mut conn = db.get_blocking().unwrap();
    let first = portability::run_migrations(&mut conn).unwrap();
    assert!(!first.is_empty());
    assert!(portability::pending_migrations(&mut conn).unwrap().is_empty());
    let reverted = portability::revert_all_migrations(&mut conn).unwrap();
    assert_eq!(reverted.len(), first.len());
    assert_eq!(portability::pending_migrations(&mut conn).unwrap().len(), first.len());
    let again = portability::run_migrations(&mut conn).unwrap();
    assert_eq!(again, first);
}

#[test]
fn migrations_go_up_down_up_on_sqlite() {
    up_down_up(Backend::Sqlite);
}

#[test]
fn migrations_go_up_down_up_on_postgres() {
    up_down_up(Backend::Postgres);
}

#[test]
fn unknown_url_schemes_are_refused() {
    assert!(DbUrl::parse("mysql://x").is_err());
    assert!(DbUrl::parse("data/hotline.db").is_err());
    assert!(DbUrl::parse("sqlite://:memory:").is_err());
    assert!(DbUrl::parse("sqlite://data/h.db").is_ok());
    assert!(DbUrl::parse("postgresql://u@h/db").is_ok());
}
