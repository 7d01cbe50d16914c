use crate::both_backends;
use crate::helpers::TestApp;

async fn health_readiness_metrics_and_docs_are_served(app: &TestApp) {
    assert_eq!(app.get("/healthz", None).await.status, 200);
    let r = app.get("/readyz", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "ready");
    assert_eq!(r.body["pending_migrations"].as_array().unwrap().len(), 0);
    let m = app.get("/metrics", None).await;
    assert_eq!(m.status, 200);
    assert!(String::from_utf8_lossy(&m.raw).contains("hotline_http_requests_total"));
    // Through a proxy (or from another host) /metrics does not exist.
    let proxied = app
        .client
        .get(app.url("/metrics"))
        .insert_header(("X-Forwarded-For", "203.0.113.9"))
        .send()
        .await
        .unwrap();
    assert_eq!(proxied.status().as_u16(), 404);
    let o = app.get("/openapi.json", None).await;
    assert_eq!(o.status, 200);
    assert!(o.body["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(o.body["paths"]["/api/v1/cases/{id}/actions/{action}"].is_object());
    let d = app.get("/docs/", None).await;
    assert_eq!(d.status, 200);
    let html = String::from_utf8_lossy(&d.raw);
    assert!(
        !html.contains("cdn") && !html.contains("unpkg"),
        "docs must not load assets from a CDN"
    );
    let unknown = app.get("/nope", None).await;
    crate::helpers::assert_problem(&unknown, 404, "not_found");
    let rid = app
        .client
        .get(app.url("/healthz"))
        .insert_header(("x-request-id", "abc-123"))
        .send()
        .await
        .unwrap();
    assert_eq!(rid.headers().get("x-request-id").unwrap(), "abc-123");
}
both_backends!(health_readiness_metrics_and_docs_are_served);

/// With `server.metrics_token`, /metrics needs it, from anywhere.
async fn metrics_need_their_token_when_one_is_set(backend: crate::common::Backend) {
    let Some(app) = crate::helpers::spawn_app_with(backend, |s| {
        s.server.metrics_token = hotline::config::Secret::new("metrics-token-0123456789");
    })
    .await
    else {
        return;
    };
    assert_eq!(app.get("/metrics", None).await.status, 404);
    assert_eq!(app.get("/metrics", Some("wrong-token-0123456789xx")).await.status, 404);
    let ok = app.get("/metrics", Some("metrics-token-0123456789")).await;
    assert_eq!(ok.status, 200);
    assert!(String::from_utf8_lossy(&ok.raw).contains("hotline_http_requests_total"));
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn metrics_need_their_token_sqlite() {
    metrics_need_their_token_when_one_is_set(crate::common::Backend::Sqlite).await;
}
#[actix_web::test]
async fn metrics_need_their_token_postgres() {
    metrics_need_their_token_when_one_is_set(crate::common::Backend::Postgres).await;
}
