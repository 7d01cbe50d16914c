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

/// A pool on the test database: `size` connections, SQLite writers queued up to `max_queued`,
/// `timeout` for a connection (and for the SQLite write turn).
fn connect(tdb: &TestDb, size: u32, max_queued: usize, timeout: std::time::Duration) -> Db {
    let sqlite = SqliteOptions {
        busy_timeout_ms: 5000,
        synchronous: "NORMAL".into(),
        max_queued_writes: max_queued,
        max_batch: 64,
        writer_cache_mib: 64,
        checkpoint_every_ms: 20,
        mmap_mib: 0,
    };
    Db::connect(&DbUrl::parse(&tdb.url).unwrap(), sqlite, size, timeout).unwrap()
}

fn up_down_up(backend: Backend) {
    let Some(tdb) = TestDb::new(backend) else {
        return;
    };
    let db = connect(&tdb, 2, 64, std::time::Duration::from_secs(5));
    let mut conn = db.get_blocking().unwrap();
    let first = portability::run_migrations(&mut conn).unwrap();
    assert!(!first.is_empty());
    assert!(portability::pending_migrations(&mut conn).unwrap().is_empty());
    // The readiness write probe inserts its row, then rewrites it, on either backend.
    portability::write_probe(&mut conn, 1).unwrap();
    portability::write_probe(&mut conn, 2).unwrap();
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

/// SQLite's search index keys (computed by trigger in SQL) sort like the list, and the service
/// computes the same key for a cursor: priority first, newest first, one bucket per
/// microsecond; also for timestamps without a fraction, before 2000, and for ties.
#[test]
fn sqlite_search_keys_follow_the_list_order_and_match_the_services_formula() {
    use diesel::prelude::*;
    use hotline::db::cases::CaseRow;
    let Some(tdb) = TestDb::new(Backend::Sqlite) else {
        return;
    };
    let db = connect(&tdb, 1, 64, std::time::Duration::from_secs(5));
    let mut conn = db.get_blocking().unwrap();
    portability::run_migrations(&mut conn).unwrap();
    // No reference data here (categories, channels): only the keys matter.
    diesel::sql_query("PRAGMA foreign_keys = OFF")
        .execute(&mut conn)
        .unwrap();
    let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
    let cases = [
        ("a", false, at("2026-11-23 10:00:00.123456")),
        ("b", false, at("2026-11-23 10:00:00.123456")), // same microsecond as a
        ("c", true, at("2020-01-01 00:00:00")),         // no fraction, priority
        ("d", false, at("1999-12-31 23:59:59.5")),      // before 2000
        ("e", false, at("2026-11-23 10:00:00.123457")),
    ];
    let new_row = |id: &str, priority: bool, created: chrono::NaiveDateTime| {
        let case = hotline::domain::Case::open(hotline::domain::open::Opening {
            id: id.into(),
            tracking_code: format!("T-{id}").into(),
            kind: hotline::domain::Kind::Dispute,
            category: "goods_general".into(),
            channel: hotline::domain::case::Channel::Hotline,
            agency: "so_cong_thuong".into(),
            description: "x".into(),
            consumer_request: None,
            amount_vnd: None,
            transaction_date: None,
            reporter: hotline::domain::open::Reporter {
                name: "x".into(),
                phone: Some("0912345678".into()),
                ..Default::default()
            },
            business: Default::default(),
            product: None,
            call_id: None,
            unit: None,
            suggestion: "{}".into(),
            possible_duplicate_of: None,
            opened_by: None,
            at: created,
        });
        CaseRow {
            priority,
            search_text: format!("word {id}"),
            ..CaseRow::from(&case)
        }
    };
    // New cases enter the index at their transaction's commit (ADR 0044).
    portability::write_transaction(&mut conn, |c| {
        for (id, priority, created) in cases {
            hotline::db::cases::insert_case(c, &new_row(id, priority, created))?;
        }
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    #[derive(diesel::QueryableByName)]
    struct K {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        search_key: i64,
    }
    let keys: Vec<K> = diesel::sql_query("SELECT id, search_key FROM cases ORDER BY search_key DESC")
        .load(&mut conn)
        .unwrap();
    let order: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(order, ["c", "e", "b", "a", "d"]);
    for k in &keys {
        let (_, priority, created) = cases.iter().find(|c| c.0 == k.id).unwrap();
        let base = portability::search_key(*priority, *created);
        let slot = if k.id == "b" { 1 } else { 0 };
        assert_eq!(k.search_key, base + slot, "{}", k.id);
    }
    // The index answers with those keys.
    let hits: Vec<K> = diesel::sql_query(
        "SELECT c.id, c.search_key FROM cases c WHERE c.search_key IN \
         (SELECT rowid FROM case_search WHERE case_search MATCH '\"word\" AND \"e\"')",
    )
    .load(&mut conn)
    .unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, "e");
    // A changed text is re-indexed under the same key; the old words are gone.
    diesel::sql_query("UPDATE cases SET search_text = 'other e' WHERE id = 'e'")
        .execute(&mut conn)
        .unwrap();
    let count = |conn: &mut hotline::db::AnyConnection, q: &str| -> usize {
        diesel::sql_query(format!(
            "SELECT c.id, c.search_key FROM cases c WHERE c.search_key IN \
             (SELECT rowid FROM case_search WHERE case_search MATCH '{q}')"
        ))
        .load::<K>(conn)
        .unwrap()
        .len()
    };
    assert_eq!(count(&mut conn, "\"word\" AND \"e\""), 0);
    assert_eq!(count(&mut conn, "\"other\""), 1);
    assert_eq!(count(&mut conn, "\"word\""), 4);
    diesel::sql_query("DELETE FROM cases WHERE id = 'a'")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(count(&mut conn, "\"word\""), 3);
    // A case changed or deleted in the transaction that created it (not yet in the index) is
    // indexed as it is at the commit, under its final key; a deleted one not at all.
    portability::write_transaction(&mut conn, |c| {
        hotline::db::cases::insert_case(c, &new_row("f", false, at("2026-11-24 08:00:00")))?;
        hotline::db::cases::insert_case(c, &new_row("g", false, at("2026-11-24 09:00:00")))?;
        diesel::sql_query("UPDATE cases SET search_text = 'later f', priority = true WHERE id = 'f'").execute(c)?;
        diesel::sql_query("DELETE FROM cases WHERE id = 'g'").execute(c)?;
        Ok::<_, diesel::result::Error>(())
    })
    .unwrap();
    assert_eq!(count(&mut conn, "\"later\""), 1);
    assert_eq!(count(&mut conn, "\"word\" AND \"f\""), 0);
    assert_eq!(count(&mut conn, "\"g\""), 0);
    let f: K = diesel::sql_query("SELECT id, search_key FROM cases WHERE id = 'f'")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(f.search_key, portability::search_key(true, at("2026-11-24 08:00:00")));
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let pending: N = diesel::sql_query("SELECT count(*) AS n FROM case_search_pending")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(pending.n, 0);
    diesel::sql_query("INSERT INTO case_search (case_search, rank) VALUES ('integrity-check', 0)")
        .execute(&mut conn)
        .unwrap();
}

/// SQLite's planner statistics are taken again only when the cases grew or shrank by more than
/// a tenth (and 50 rows) since they were taken (ADR 0047: a full `ANALYZE`, ~1 s at a million
/// cases, is not worth taking every hour for nothing). The row count they were taken at is the
/// first number of an index's statistics.
#[test]
fn sqlite_planner_statistics_are_taken_again_when_the_cases_changed_by_a_tenth() {
    use diesel::prelude::*;
    let Some((_tdb, db)) = migrated(Backend::Sqlite) else {
        return;
    };
    let mut conn = db.get_blocking().unwrap();
    // An empty table leaves no statistics of its own, so they are taken at every refresh.
    assert!(
        portability::refresh_planner_statistics(&mut conn).unwrap(),
        "none of cases"
    );
    let taken_at = |conn: &mut hotline::db::AnyConnection, rows: i64| {
        diesel::sql_query("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'")
            .execute(conn)
            .unwrap();
        diesel::sql_query(format!(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', 'cases_created_idx', '{rows} 1 1')"
        ))
        .execute(conn)
        .unwrap();
    };
    // The table is empty: statistics taken at 0 or 55 cases still hold (55 = 55 / 10 + 50), at
    // 60 not.
    taken_at(&mut conn, 0);
    assert!(
        !portability::refresh_planner_statistics(&mut conn).unwrap(),
        "nothing changed"
    );
    taken_at(&mut conn, 55);
    assert!(
        !portability::refresh_planner_statistics(&mut conn).unwrap(),
        "within the margin"
    );
    taken_at(&mut conn, 60);
    assert!(
        portability::refresh_planner_statistics(&mut conn).unwrap(),
        "the cases shrank"
    );
    // Taken again: the empty table has no statistics of its own, the fake row is gone.
    #[derive(diesel::QueryableByName)]
    struct Stat {
        #[diesel(sql_type = diesel::sql_types::Text)]
        stat: String,
    }
    let left: Vec<String> = diesel::sql_query("SELECT stat FROM sqlite_stat1 WHERE tbl = 'cases'")
        .load::<Stat>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|s| s.stat)
        .collect();
    assert!(!left.contains(&"60 1 1".to_owned()), "{left:?}");
}

/// Statistics refreshed on one connection reach every other open connection at its next
/// statement (ADR 0058): SQLite loads them with the schema, and without a schema change a
/// reader (or the writer, when another connection refreshed them) planned with what it loaded
/// when it opened — at a first start, the statistics of empty tables — until it was replaced.
#[test]
fn sqlite_refreshed_statistics_reach_every_open_connection() {
    use diesel::prelude::*;
    let Some((tdb, db)) = migrated(Backend::Sqlite) else {
        return;
    };
    let mut refreshing = db.get_blocking().unwrap();
    for sql in [
        "CREATE TABLE skew (id INTEGER PRIMARY KEY, x INTEGER NOT NULL, y INTEGER NOT NULL)",
        "CREATE INDEX skew_x ON skew (x)",
        "CREATE INDEX skew_y ON skew (y)",
        // x takes two values, y is unique: the statistics say to search by y.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
         INSERT INTO skew (x, y) SELECT i % 2, i FROM n",
    ] {
        diesel::sql_query(sql).execute(&mut refreshing).unwrap();
    }
    // `cases` is empty, so it has no statistics of its own and every refresh takes them.
    assert!(portability::refresh_planner_statistics(&mut refreshing).unwrap());
    // Another connection (another pool: not the refreshing one), open and in use throughout.
    let other_pool = connect(&tdb, 1, 64, std::time::Duration::from_secs(5));
    let mut other = other_pool.get_blocking().unwrap();
    let plan = |conn: &mut hotline::db::AnyConnection| -> String {
        // A real read first: a connection notices a schema change when a statement reads.
        diesel::sql_query("SELECT count(*) FROM skew").execute(conn).unwrap();
        plan_without_values(
            conn,
            Backend::Sqlite,
            "SELECT id FROM skew WHERE x = 1 AND y < 5",
            false,
        )
    };
    assert!(plan(&mut other).contains("skew_y"), "{}", plan(&mut other));
    // Now x is unique and y takes one value: the statistics, taken again, say to search by x.
    for sql in ["UPDATE skew SET x = id", "UPDATE skew SET y = 0"] {
        diesel::sql_query(sql).execute(&mut refreshing).unwrap();
    }
    assert!(portability::refresh_planner_statistics(&mut refreshing).unwrap());
    assert!(plan(&mut refreshing).contains("skew_x"), "{}", plan(&mut refreshing));
    let seen = plan(&mut other);
    assert!(
        seen.contains("skew_x"),
        "the other connection kept the old statistics: {seen}"
    );
}

/// SQLite's commit reads the cases noted for search by their rowids, whatever the statistics
/// say: with `cases` at a million rows and the pending table without statistics (it is empty
/// whenever they are taken), a plain join scanned every case at every commit (ADR 0048).
#[test]
fn sqlite_commit_finds_the_noted_cases_by_rowid_at_any_size() {
    use diesel::prelude::*;
    let Some((_tdb, db)) = migrated(Backend::Sqlite) else {
        return;
    };
    let mut conn = db.get_blocking().unwrap();
    for sql in [
        "DELETE FROM sqlite_stat1 WHERE tbl IN ('cases', 'case_search_pending')",
        "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', 'cases_created_idx', '1000000 1 1')",
        "ANALYZE sqlite_schema",
    ] {
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
    let plan = plan_without_values(&mut conn, Backend::Sqlite, portability::NOTED_CASES, false);
    assert!(plan.contains("SEARCH c USING INTEGER PRIMARY KEY"), "{plan}");
    assert!(!plan.contains("SCAN c"), "{plan}");
}

/// The planner's statistics leave FTS5's own tables out: a count taken while the index was
/// small made SQLite scan the whole index for every segment a merge deletes (ADR 0045). After
/// a refresh on an empty index, FTS5's range delete seeks by rowid on a new connection.
#[test]
fn sqlite_planner_statistics_leave_the_search_index_to_seek() {
    use diesel::prelude::*;
    let Some(tdb) = TestDb::new(Backend::Sqlite) else {
        return;
    };
    let db = connect(&tdb, 2, 64, std::time::Duration::from_secs(5));
    {
        let mut conn = db.get_blocking().unwrap();
        portability::run_migrations(&mut conn).unwrap();
        // As at a first start: statistics taken while the index is empty, then it grows.
        portability::refresh_planner_statistics(&mut conn).unwrap();
        diesel::sql_query(
            "INSERT INTO case_search (rowid, search_text) VALUES (1, 'mot hai'), (2, 'ba bon'), (3, 'nam sau')",
        )
        .execute(&mut conn)
        .unwrap();
    }
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        tbl: String,
    }
    let mut conn = db.get_blocking().unwrap();
    let analysed: Vec<String> = diesel::sql_query("SELECT tbl FROM sqlite_stat1")
        .load::<Row>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|r| r.tbl)
        .collect();
    assert!(!analysed.is_empty(), "ANALYZE ran");
    assert!(
        !analysed.iter().any(|t| t.starts_with("case_search_")),
        "statistics of FTS5's tables: {analysed:?}"
    );
    #[derive(diesel::QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    // A connection that loads the statistics afresh, as every reader and the writer do.
    let fresh = connect(&tdb, 1, 64, std::time::Duration::from_secs(5));
    let mut other = fresh.get_blocking().unwrap();
    let plan: Vec<String> =
        diesel::sql_query("EXPLAIN QUERY PLAN DELETE FROM case_search_data WHERE id >= 1 AND id <= 9")
            .load::<Plan>(&mut other)
            .unwrap()
            .into_iter()
            .map(|p| p.detail)
            .collect();
    assert!(
        plan.iter().any(|d| d.contains("INTEGER PRIMARY KEY")),
        "FTS5's range delete scans: {plan:?}"
    );
}

/// SQLite's write turn: a bounded number of writers wait, each for a bounded time; the rest are
/// refused at once with 503 busy. Nothing waits without end.
#[actix_web::test]
async fn sqlite_writers_queue_within_bounds() {
    use hotline::error::{AppError, Unavailable};
    let Some(tdb) = TestDb::new(Backend::Sqlite) else {
        return;
    };
    let db = connect(&tdb, 4, 2, std::time::Duration::from_millis(800));
    portability::run_migrations(&mut db.get_blocking().unwrap()).unwrap();
    let slow = |ms: u64| {
        let db = db.clone();
        async move {
            db.write(move |_conn| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                Ok(())
            })
            .await
        }
    };
    // One writer holds the turn for 2 s; two may wait (and give up after 0.8 s); the others are
    // refused without waiting.
    let holder = actix_web::rt::spawn(slow(2000));
    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    let timed = |ms: u64| {
        let write = slow(ms);
        async move {
            let start = std::time::Instant::now();
            (write.await, start.elapsed())
        }
    };
    let others: Vec<_> = (0..5).map(|_| actix_web::rt::spawn(timed(1))).collect();
    let mut refused_at_once = 0;
    for o in others {
        let (r, took) = o.await.unwrap();
        assert!(matches!(r, Err(AppError::Unavailable(Unavailable::Busy))), "{r:?}");
        assert!(
            took < std::time::Duration::from_secs(5),
            "waiters give up, never wait without end: {took:?}"
        );
        // A waiter cannot finish before its 0.8 s timeout (the turn is held for 2 s).
        if took < std::time::Duration::from_millis(700) {
            refused_at_once += 1;
        }
    }
    assert_eq!(refused_at_once, 3, "beyond the queue bound writers are refused at once");
    assert!(holder.await.unwrap().is_ok());
    // The turn is free again.
    assert!(slow(1).await.is_ok());
}

/// Reads wait for a connection at the pool's gate (ADR 0049): at most `pool_timeout_secs`, then
/// 503 busy; a run that failed gives its connection back like one that succeeded.
async fn readers_wait_at_the_gate_within_bounds(backend: Backend) {
    use hotline::error::{AppError, Unavailable};
    let Some(tdb) = TestDb::new(backend) else {
        return;
    };
    let db = connect(&tdb, 2, 64, std::time::Duration::from_millis(500));
    let hold = |ms: u64| {
        let db = db.clone();
        async move {
            db.run(move |_conn| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                Ok(())
            })
            .await
        }
    };
    // Both connections held for 1.5 s: a third reader gives up after 0.5 s.
    let holders: Vec<_> = (0..2).map(|_| actix_web::rt::spawn(hold(1500))).collect();
    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    let start = std::time::Instant::now();
    let r = hold(1).await;
    let took = start.elapsed();
    assert!(matches!(r, Err(AppError::Unavailable(Unavailable::Busy))), "{r:?}");
    assert!(
        took >= std::time::Duration::from_millis(450) && took < std::time::Duration::from_millis(1300),
        "waited its timeout, not the holders: {took:?}"
    );
    for h in holders {
        assert!(h.await.unwrap().is_ok());
    }
    // Failed runs give their connection back: more failures than connections, then a success.
    for _ in 0..5 {
        let r: Result<(), AppError> = db.run(|_conn| Err(AppError::NotFound("case"))).await;
        assert!(matches!(r, Err(AppError::NotFound(_))), "{r:?}");
    }
    let start = std::time::Instant::now();
    assert!(hold(1).await.is_ok());
    assert!(
        start.elapsed() < std::time::Duration::from_millis(450),
        "no connection was kept"
    );
}

#[actix_web::test]
async fn readers_wait_at_the_gate_within_bounds_sqlite() {
    readers_wait_at_the_gate_within_bounds(Backend::Sqlite).await;
}

#[actix_web::test]
async fn readers_wait_at_the_gate_within_bounds_postgres() {
    readers_wait_at_the_gate_within_bounds(Backend::Postgres).await;
}

/// The server process behind the pooled connection `db` hands out.
async fn backend_pid(db: &Db) -> Result<i32, hotline::error::AppError> {
    use diesel::RunQueryDsl;
    db.run(|conn| {
        Ok(diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()")).get_result(conn)?)
    })
    .await
}

/// Ends a PostgreSQL server process, as a restart or an administrator would, and waits until
/// it is gone.
fn terminate(pid: i32) {
    use diesel::{Connection, RunQueryDsl};
    let mut admin = diesel::PgConnection::establish(&common::admin_url()).unwrap();
    diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
        .execute(&mut admin)
        .unwrap();
    for _ in 0..100 {
        #[derive(diesel::QueryableByName)]
        struct Alive {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let alive: Alive = diesel::sql_query(format!("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = {pid}"))
            .get_result(&mut admin)
            .unwrap();
        if alive.n == 0 {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("server process {pid} still there");
}

/// PostgreSQL: the pool tests a connection before use only after it has been idle for a second
/// (ADR 0055). One the server ended while it was idle that long fails its test and is replaced:
/// the request does not notice. One ended within the second fails the one request that gets
/// it (as when the server ends it during a request), and the next request gets a new one.
#[actix_web::test]
async fn postgres_pool_replaces_a_connection_the_server_ended() {
    let Some(tdb) = TestDb::new(Backend::Postgres) else {
        return;
    };
    let db = connect(&tdb, 1, 8, std::time::Duration::from_secs(5));
    let first = backend_pid(&db).await.unwrap();
    terminate(first);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = backend_pid(&db)
        .await
        .expect("an idle connection the server ended is replaced");
    assert_ne!(first, second);
    terminate(second);
    let failed = backend_pid(&db).await;
    assert!(
        matches!(failed, Err(hotline::error::AppError::Unavailable(_))),
        "a connection ended a moment after use: {failed:?}"
    );
    let third = backend_pid(&db)
        .await
        .expect("the connection that failed is tested and replaced");
    assert!(third != first && third != second);
}

/// SQLite: the writer's commits are copied from the WAL into the database file by the
/// checkpointer thread, not by the writer (whose own automatic checkpoint waits for 8,000 WAL
/// pages, ADR 0051): after ~2 MB of writes, far below that, the database file grows by itself.
#[actix_web::test]
async fn sqlite_commits_reach_the_database_file_through_the_checkpointer() {
    use diesel::RunQueryDsl;
    let Some(tdb) = TestDb::new(Backend::Sqlite) else {
        return;
    };
    let db = connect(&tdb, 2, 64, std::time::Duration::from_secs(5));
    {
        let mut conn = db.get_blocking().unwrap();
        // The service's schema: the writer indexes noted cases at each commit (ADR 0044).
        portability::run_migrations(&mut conn).unwrap();
        diesel::sql_query("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")
            .execute(&mut *conn)
            .unwrap();
        // Whatever the set-up left in the WAL goes into the file before we look at its size.
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .unwrap();
    }
    let file = tdb.dir.path().join("test.db");
    let size = || std::fs::metadata(&file).unwrap().len();
    let before = size();
    for _ in 0..16 {
        db.write(|conn| {
            for _ in 0..32 {
                diesel::sql_query("INSERT INTO blobs (body) VALUES (randomblob(4000))").execute(conn)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    }
    let start = std::time::Instant::now();
    while size() < before + 1_500_000 && start.elapsed() < std::time::Duration::from_secs(10) {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        size() >= before + 1_500_000,
        "the database file did not grow: {before} -> {} bytes",
        size()
    );
}

/// SQLite: the writer keeps the journal of its units' savepoints in memory (ADR 0052). Each
/// unit runs in a savepoint, so SQLite copies every page a unit changes to that journal first;
/// by default it spills to a temporary file past 64 KiB (a fifth of the writer's time under
/// load). Seen from inside a unit, on the writer's own connection: temp_store is MEMORY, and
/// a unit that changes ~800 KiB of existing pages leaves no temporary file of SQLite's
/// (`etilqs_…`, deleted on open but held) open in the process.
#[actix_web::test]
async fn sqlite_writer_keeps_its_savepoint_journal_in_memory() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        temp_store: i32,
    }
    let Some(tdb) = TestDb::new(Backend::Sqlite) else {
        return;
    };
    let db = connect(&tdb, 2, 64, std::time::Duration::from_secs(5));
    // The service's schema: the writer indexes noted cases at each commit (ADR 0044).
    portability::run_migrations(&mut db.get_blocking().unwrap()).unwrap();
    db.write(|conn| {
        diesel::sql_query("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB NOT NULL)").execute(conn)?;
        diesel::sql_query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) \
             INSERT INTO blobs (id, body) SELECT i, randomblob(4000) FROM n",
        )
        .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    let (setting, temp_files) = db
        .write(|conn| {
            diesel::sql_query("UPDATE blobs SET body = randomblob(4000)").execute(conn)?;
            let setting = diesel::sql_query("PRAGMA temp_store").get_result::<Setting>(conn)?;
            let temp_files: Vec<String> = std::fs::read_dir("/proc/self/fd")
                .map(|fds| {
                    fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                        .map(|target| target.to_string_lossy().into_owned())
                        .filter(|target| target.contains("etilqs_"))
                        .collect()
                })
                .unwrap_or_default();
            Ok((setting.temp_store, temp_files))
        })
        .await
        .unwrap();
    assert_eq!(setting, 2, "the writer's temp_store is not MEMORY");
    assert!(temp_files.is_empty(), "SQLite temporary files open: {temp_files:?}");
}

/// Rows of the scratch table `unit_rows` (created by [`scratch`]).
fn unit_rows(db: &Db) -> Vec<i64> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let mut conn = db.get_blocking().unwrap();
    diesel::sql_query("SELECT id FROM unit_rows ORDER BY id")
        .load::<Row>(&mut *conn)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// The service's schema (the writer indexes noted cases before each commit, ADR 0044) plus a
/// scratch table of the test's own.
fn scratch(db: &Db) {
    use diesel::RunQueryDsl;
    let mut conn = db.get_blocking().unwrap();
    portability::run_migrations(&mut conn).unwrap();
    diesel::sql_query("CREATE TABLE unit_rows (id BIGINT PRIMARY KEY)")
        .execute(&mut *conn)
        .unwrap();
}

/// A write unit inserting row `id`, then failing as `fail` says.
async fn insert_unit(db: &Db, id: i64, fail: Option<&'static str>) -> Result<i64, hotline::error::AppError> {
    use diesel::RunQueryDsl;
    db.write(move |conn| {
        diesel::sql_query(format!("INSERT INTO unit_rows (id) VALUES ({id})")).execute(conn)?;
        match fail {
            Some("panic") => panic!("unit {id} panics on purpose"),
            Some("error") => Err(hotline::error::AppError::NotFound("on purpose")),
            // A real constraint failure: the same row again.
            Some("duplicate") => {
                diesel::sql_query(format!("INSERT INTO unit_rows (id) VALUES ({id})")).execute(conn)?;
                Ok(id)
            }
            _ => Ok(id),
        }
    })
    .await
}

/// A write unit that holds the writer (SQLite) or a connection (PostgreSQL) for `hold_ms`,
/// started `wait_ms` before this returns so that it runs first.
async fn hold_writer(
    db: &Db,
    hold_ms: u64,
    wait_ms: u64,
) -> actix_web::rt::task::JoinHandle<Result<(), hotline::error::AppError>> {
    let db = db.clone();
    let holder = actix_web::rt::spawn(async move {
        db.write(move |_conn| {
            std::thread::sleep(std::time::Duration::from_millis(hold_ms));
            Ok(())
        })
        .await
    });
    actix_web::rt::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
    holder
}

/// Units that fail (an error, a constraint violation, a panic) between units that succeed: on
/// SQLite they share one transaction (the writer is held by a slow unit while they queue) and
/// each failure rolls back its own savepoint only; on PostgreSQL each has its own transaction.
/// Either way the neighbours' rows are there and the failures' are not.
async fn failing_units_do_not_fail_their_neighbours(backend: Backend) {
    let Some(tdb) = TestDb::new(backend) else {
        return;
    };
    let db = connect(&tdb, 4, 64, std::time::Duration::from_secs(10));
    scratch(&db);
    let holder = hold_writer(&db, 300, 50).await;
    let plan: [(i64, Option<&'static str>); 7] = [
        (1, None),
        (2, Some("error")),
        (3, None),
        (4, Some("panic")),
        (5, Some("duplicate")),
        (6, None),
        (7, None),
    ];
    let results = futures_util::future::join_all(plan.iter().map(|(id, fail)| insert_unit(&db, *id, *fail))).await;
    assert!(holder.await.unwrap().is_ok());
    for ((id, fail), r) in plan.iter().zip(&results) {
        match fail {
            None => assert_eq!(r.as_ref().ok(), Some(id), "unit {id}: {r:?}"),
            Some(how) => assert!(r.is_err(), "unit {id} ({how}) fails: {r:?}"),
        }
    }
    assert_eq!(unit_rows(&db), vec![1, 3, 6, 7]);
    if backend == Backend::Sqlite {
        let m = db.writer_metrics();
        assert_eq!(
            m.batch_size.get_sample_count(),
            2,
            "the holder, then the seven together"
        );
        assert!((m.batch_size.get_sample_sum() - 8.0).abs() < f64::EPSILON);
        assert_eq!(m.units_failed.get(), 3);
        assert_eq!(m.queue_depth.get(), 0);
    }
    // The writer goes on.
    assert_eq!(insert_unit(&db, 8, None).await.unwrap(), 8);
}

#[actix_web::test]
async fn failing_units_do_not_fail_their_neighbours_sqlite() {
    failing_units_do_not_fail_their_neighbours(Backend::Sqlite).await;
}

#[actix_web::test]
async fn failing_units_do_not_fail_their_neighbours_postgres() {
    failing_units_do_not_fail_their_neighbours(Backend::Postgres).await;
}

/// SQLite: with the writer busy and the queue full, one more write is refused at once with 503
/// busy and never runs: nothing of it is written.
#[actix_web::test]
async fn sqlite_full_writer_queue_refuses_and_changes_nothing() {
    use hotline::error::{AppError, Unavailable};
    let Some(tdb) = TestDb::new(Backend::Sqlite) else {
        return;
    };
    let db = connect(&tdb, 4, 2, std::time::Duration::from_secs(10));
    scratch(&db);
    let holder = hold_writer(&db, 500, 100).await;
    let queued: Vec<_> = (1..=2)
        .map(|id| {
            let db = db.clone();
            actix_web::rt::spawn(async move { insert_unit(&db, id, None).await })
        })
        .collect();
    actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(db.writer_metrics().queue_depth.get(), 2);
    let start = std::time::Instant::now();
    let refused = insert_unit(&db, 99, None).await;
    assert!(
        matches!(refused, Err(AppError::Unavailable(Unavailable::Busy))),
        "{refused:?}"
    );
    assert!(
        start.elapsed() < std::time::Duration::from_millis(200),
        "refused at once"
    );
    assert!(holder.await.unwrap().is_ok());
    for q in queued {
        assert!(q.await.unwrap().is_ok());
    }
    assert_eq!(unit_rows(&db), vec![1, 2], "the refused unit wrote nothing");
}

/// A new database with the service's schema and, on SQLite, the statistics a first start takes.
fn migrated(backend: Backend) -> Option<(TestDb, Db)> {
    let tdb = TestDb::new(backend)?;
    let db = connect(&tdb, 2, 64, std::time::Duration::from_secs(5));
    {
        let mut conn = db.get_blocking().unwrap();
        portability::run_migrations(&mut conn).unwrap();
        portability::refresh_planner_statistics(&mut conn).unwrap();
    }
    Some((tdb, db))
}

/// PostgreSQL: the search index takes new cases through GIN's pending list, at most 64 kB
/// (ADR 0053): merging each case's words into the posting lists one by one was three quarters
/// of the case INSERT. (Searches find pending cases: every API search test on PostgreSQL
/// searches cases that are still in the list.)
#[test]
fn postgres_search_index_takes_new_cases_through_a_small_pending_list() {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Options {
        #[diesel(sql_type = diesel::sql_types::Text)]
        options: String,
    }
    let Some((_tdb, db)) = migrated(Backend::Postgres) else {
        return;
    };
    let mut conn = db.get_blocking().unwrap();
    let found = diesel::sql_query(
        "SELECT array_to_string(reloptions, ',') AS options FROM pg_class WHERE relname = 'cases_search_idx'",
    )
    .get_result::<Options>(&mut *conn)
    .unwrap();
    let options: Vec<&str> = found.options.split(',').collect();
    assert!(options.contains(&"fastupdate=on"), "{options:?}");
    assert!(options.contains(&"gin_pending_list_limit=64"), "{options:?}");
}

/// The SQL of the statements `f` sends on `conn`, without their binds.
fn statements_of(
    conn: &mut hotline::db::AnyConnection,
    f: impl FnOnce(&mut hotline::db::AnyConnection),
) -> Vec<String> {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::{Arc, Mutex};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let sql = query.to_string();
            let sql = sql.split(" -- binds:").next().unwrap_or_default().to_owned();
            sink.lock().unwrap().push(sql);
        }
    });
    f(conn);
    let out = seen.lock().unwrap().clone();
    out
}

/// The possible-duplicate lookup of every intake reads its own index in its own order on a new
/// database, before any statistics: on PostgreSQL as the generic plan a prepared statement
/// keeps (once it preferred the business's index and read every recent case of the business,
/// ADR 0046), on SQLite as planned right after the first start's ANALYZE of empty tables. The
/// lookup is a subquery of the intake's one statement of reads (ADR 0056).
fn duplicate_lookup_plan(backend: Backend) {
    let Some((_tdb, db)) = migrated(backend) else {
        return;
    };
    let mut conn = db.get_blocking().unwrap();
    let since = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let sql = statements_of(&mut conn, |c| {
        let lookup = hotline::db::cases::DuplicateLookup {
            phone: "0912345678",
            business_key: "mst:0101234567",
            since,
        };
        let found = hotline::db::cases::opening_reads(c, Some("key-0001"), Some(lookup)).unwrap();
        assert_eq!((found.idempotency, found.possible_duplicate_of), (None, None));
    });
    let [sql] = sql.as_slice() else {
        panic!("one statement expected: {sql:?}")
    };
    let text = plan_without_values(&mut conn, backend, sql, false);
    assert!(text.contains("cases_duplicate_idx"), "{sql}\n{text}");
    assert!(!text.contains("Sort") && !text.contains("TEMP B-TREE"), "{sql}\n{text}");
}

#[test]
fn duplicate_lookup_reads_its_own_index_in_order_sqlite() {
    duplicate_lookup_plan(Backend::Sqlite);
}

#[test]
fn duplicate_lookup_reads_its_own_index_in_order_postgres() {
    duplicate_lookup_plan(Backend::Postgres);
}

#[test]
fn partial_indexes_serve_lookups_by_value_sqlite() {
    partial_index_plans(Backend::Sqlite);
}

#[test]
fn partial_indexes_serve_lookups_by_value_postgres() {
    partial_index_plans(Backend::Postgres);
}

/// The mediator's and the tax code's indexes keep only rows with a value (ADR 0060); the
/// lookups the service makes (`=` a value, `IN` / `= ANY` a list) imply NOT NULL, so both
/// planners still read them: PostgreSQL's generic plan of the prepared statement, SQLite's plan.
fn partial_index_plans(backend: Backend) {
    let Some((_tdb, db)) = migrated(backend) else {
        return;
    };
    let mut conn = db.get_blocking().unwrap();
    let (one, list) = match backend {
        Backend::Postgres => ("$1", "= ANY($1)"),
        Backend::Sqlite => ("?", "IN (?, ?)"),
    };
    for (sql, index) in [
        (
            format!("SELECT id FROM cases WHERE mediator_id = {one}"),
            "cases_mediator_idx",
        ),
        (
            format!("SELECT id, status FROM cases WHERE mediator_id {list}"),
            "cases_mediator_idx",
        ),
        (
            format!("SELECT id FROM cases WHERE business_tax_code = {one}"),
            "cases_business_tax_code_idx",
        ),
    ] {
        let text = plan_without_values(&mut conn, backend, &sql, true);
        assert!(text.contains(index), "{sql}\n{text}");
    }
    #[derive(diesel::QueryableByName)]
    struct Definition {
        #[diesel(sql_type = diesel::sql_types::Text)]
        def: String,
    }
    let defs = match backend {
        Backend::Postgres => {
            "SELECT indexdef AS def FROM pg_indexes WHERE indexname IN \
                              ('cases_mediator_idx', 'cases_business_tax_code_idx')"
        }
        Backend::Sqlite => {
            "SELECT sql AS def FROM sqlite_master WHERE name IN \
                            ('cases_mediator_idx', 'cases_business_tax_code_idx')"
        }
    };
    let defs = diesel::RunQueryDsl::load::<Definition>(diesel::sql_query(defs), &mut conn).unwrap();
    assert_eq!(defs.len(), 2);
    for d in defs {
        assert!(d.def.contains("IS NOT NULL"), "not partial: {}", d.def);
    }
}

/// The plan of `sql` (a statement the service sent, its parameters unbound) that the planner
/// makes without knowing the parameters: PostgreSQL's generic plan of the prepared statement
/// (`large`: with sequential scans and sorts priced out, as on a table of a million cases —
/// the test's table is empty), SQLite's plan of the statement as prepared.
fn plan_without_values(conn: &mut hotline::db::AnyConnection, backend: Backend, sql: &str, large: bool) -> String {
    use diesel::prelude::*;
    #[derive(diesel::QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        plan: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Detail {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    match backend {
        Backend::Postgres => {
            let params = (1..)
                .take_while(|n| sql.contains(&format!("${n}")))
                .map(|_| "NULL")
                .collect::<Vec<_>>();
            let mut setup = vec![
                "DEALLOCATE ALL".to_owned(),
                format!("PREPARE planned AS {sql}"),
                "SET plan_cache_mode = force_generic_plan".to_owned(),
            ];
            if large {
                setup.push("SET enable_seqscan = off".to_owned());
                setup.push("SET enable_sort = off".to_owned());
            }
            for s in setup {
                diesel::sql_query(s).execute(conn).unwrap();
            }
            let explain = if params.is_empty() {
                "EXPLAIN EXECUTE planned".to_owned()
            } else {
                format!("EXPLAIN EXECUTE planned({})", params.join(", "))
            };
            let plan = diesel::sql_query(explain).load::<Line>(conn).unwrap();
            diesel::sql_query("RESET ALL").execute(conn).unwrap();
            plan.into_iter().map(|l| l.plan).collect::<Vec<_>>().join("\n")
        }
        Backend::Sqlite => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<Detail>(conn)
            .unwrap()
            .into_iter()
            .map(|d| d.detail)
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// The console's queue reads the index of open cases (ADR 0047): its page walks the index in
/// the due order (no sort of every open case), and its tab counts read only open cases — also
/// for an agency's staff, whose scope is tested on each case row. A filter that is not of open
/// cases only (the dashboard's cases of the day) is counted apart, so it does not take the
/// index away from the others. The planner must prove a query's cases are in the partial index,
/// which a bound value for the status would not let PostgreSQL do in a generic plan.
fn queue_plan(backend: Backend) {
    use hotline::db::cases::{self as case_db, Scope};
    use hotline::domain::search::{ListFilter, Sort};
    let Some((_tdb, db)) = migrated(backend) else {
        return;
    };
    let mut conn = db.get_blocking().unwrap();
    let open = ListFilter {
        open_only: true,
        ..ListFilter::default()
    };
    let tabs = vec![
        open.clone(),
        ListFilter {
            agency: Some("SCT".into()),
            unassigned: true,
            ..open.clone()
        },
        ListFilter {
            priority_only: true,
            ..open.clone()
        },
        ListFilter {
            created_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)),
            ..ListFilter::default()
        },
    ];
    let agency = Scope::Agency(hotline::domain::ids::AgencyCode::from("SCT"));
    let page = statements_of(&mut conn, |c| {
        assert!(case_db::list(c, &Scope::All, &open, Sort::DueAsc, None, 51)
            .unwrap()
            .is_empty());
    });
    let counts = statements_of(&mut conn, |c| {
        assert_eq!(case_db::counts(c, &agency, &tabs).unwrap(), vec![0, 0, 0, 0]);
    });
    let [page] = page.as_slice() else {
        panic!("one statement expected for the page: {page:?}")
    };
    let [open_counts, other_counts] = counts.as_slice() else {
        panic!("two statements expected for the counts: {counts:?}")
    };
    let plan = plan_without_values(&mut conn, backend, page, true);
    assert!(plan.contains("cases_open_due_idx"), "{page}\n{plan}");
    assert!(
        !plan.contains("Sort") && !plan.contains("TEMP B-TREE"),
        "{page}\n{plan}"
    );
    let plan = plan_without_values(&mut conn, backend, open_counts, true);
    assert!(plan.contains("cases_open_due_idx"), "{open_counts}\n{plan}");
    // SQLite reads the index alone; PostgreSQL does too once VACUUM has marked the table's pages
    // all-visible (at 1,000,000 cases: an index-only scan), which an empty table never is.
    if backend == Backend::Sqlite {
        assert!(
            plan.contains("COVERING INDEX"),
            "the counts read the index alone:\n{open_counts}\n{plan}"
        );
    }
    let plan = plan_without_values(&mut conn, backend, other_counts, true);
    assert!(!plan.contains("cases_open_due_idx"), "{other_counts}\n{plan}");
}

#[test]
fn the_queue_reads_the_index_of_open_cases_sqlite() {
    queue_plan(Backend::Sqlite);
}

#[test]
fn the_queue_reads_the_index_of_open_cases_postgres() {
    queue_plan(Backend::Postgres);
}
