//! Group commit (issue 15, ADR 0040): concurrent writes are each acknowledged only once durable,
//! all present afterwards, and the writer's figures are in `/metrics`. On PostgreSQL every
//! write keeps its own transaction; the same outcomes hold.

use serde_json::json;

use crate::common::Backend;
use crate::helpers::{complaint, spawn_app_with, TestApp};

async fn app(backend: Backend) -> Option<TestApp> {
    // One test client files every complaint: the abuse limits would refuse most of them.
    spawn_app_with(backend, |s| s.limits.enabled = false).await
}

fn count(app: &TestApp, sql: &str) -> i64 {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.db.get_blocking().unwrap();
    diesel::sql_query(sql).get_result::<N>(&mut *conn).unwrap().n
}

/// 48 citizens at once, 8 of them the same request sent again under one idempotency key: every
/// request is answered 201, the repeats 200 with the first's case, and every acknowledged tracking
/// code is in the database.
async fn concurrent_intakes_are_all_acknowledged_and_present(app: &TestApp) {
    let distinct = (0..40).map(|i| {
        let mut body = complaint(&format!("Cửa hàng số {i} bán hàng kém chất lượng, không đổi trả."));
        body["consumer"]["phone"] = json!(format!("0912{:06}", 100_000 + i));
        async move { app.submit(&body).await }
    });
    let same = complaint("Một khiếu nại gửi lại nhiều lần vì mạng chập chờn.");
    let repeats = (0..8).map(|_| {
        let body = same.clone();
        async move {
            app.post_with_header("/api/v1/public/complaints", ("Idempotency-Key", "repeat-1"), &body)
                .await
        }
    });
    let (a, b) = futures_util::future::join(
        futures_util::future::join_all(distinct),
        futures_util::future::join_all(repeats),
    )
    .await;
    let mut codes = std::collections::BTreeSet::new();
    for r in &a {
        assert_eq!(r.status, 201, "{}", r.body);
        codes.insert(r.body["tracking_code"].as_str().unwrap().to_owned());
    }
    assert_eq!(codes.len(), 40, "distinct complaints get distinct cases");
    let repeated: std::collections::BTreeSet<_> = b
        .iter()
        .map(|r| {
            assert!(r.status == 201 || r.status == 200, "{}: {}", r.status, r.body);
            r.body["tracking_code"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        b.iter().filter(|r| r.status == 201).count(),
        1,
        "one created, the rest replayed"
    );
    assert_eq!(repeated.len(), 1, "one idempotency key, one case: {repeated:?}");
    codes.extend(repeated);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM cases"), 41);
    for code in &codes {
        assert_eq!(
            count(
                app,
                &format!("SELECT COUNT(*) AS n FROM cases WHERE tracking_code = '{code}'")
            ),
            1,
            "{code} was acknowledged, so it is stored"
        );
    }
    let m = app.get("/metrics", None).await;
    assert_eq!(m.status, 200);
    let text = String::from_utf8_lossy(&m.raw);
    for name in [
        "hotline_db_writer_queue_depth",
        "hotline_db_writer_batch_size_count",
        "hotline_db_writer_units_failed_total",
    ] {
        assert!(text.contains(name), "{name} in /metrics");
    }
}

#[actix_web::test]
async fn concurrent_intakes_sqlite() {
    if let Some(app) = app(Backend::Sqlite).await {
        concurrent_intakes_are_all_acknowledged_and_present(&app).await;
        // Every intake went through SQLite's writer and its metrics count them. (How many
        // shared a transaction depends on timing here; tests/db holds the writer with a slow
        // unit to show that queued units share one.)
        let m = String::from_utf8_lossy(&app.get("/metrics", None).await.raw).into_owned();
        let value = |name: &str| -> f64 {
            m.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN)
        };
        let (batches, units) = (
            value("hotline_db_writer_batch_size_count"),
            value("hotline_db_writer_batch_size_sum"),
        );
        assert!(units >= 48.0, "every intake went through the writer: {units}");
        assert!((1.0..=units).contains(&batches), "{batches} batches for {units} units");
        // Each batch's time is counted once per phase (give or take the one batch a
        // background write may have in flight while /metrics is gathered).
        for phase in ["units", "commit"] {
            let timed = value(&format!("hotline_db_writer_seconds_count{{phase=\"{phase}\"}}"));
            assert!(
                (timed - batches).abs() <= 1.0,
                "{phase} timed {timed} times for {batches} batches"
            );
        }
        app.assert_no_failed_jobs();
    }
}

#[actix_web::test]
async fn concurrent_intakes_postgres() {
    if let Some(app) = app(Backend::Postgres).await {
        concurrent_intakes_are_all_acknowledged_and_present(&app).await;
        app.assert_no_failed_jobs();
    }
}
