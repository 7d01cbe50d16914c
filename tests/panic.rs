//! A panic never reaches a client as a dropped connection, and its message (which may quote a
//! complaint) never reaches the log. Own test binary: it installs the service's panic hook
//! and a global log subscriber that writes into a buffer the test reads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpResponse, HttpServer};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const SECRET: &str = "Nguyễn Văn Bí mật, 0912 345 678";

async fn panics_in_handler(body: String) -> HttpResponse {
    // Like the old normaliser bug: slicing user text at a bad index panics with a message
    // that quotes the text.
    let text = format!("{SECRET} {body}");
    let cut = text.find('ễ').unwrap() + 1;
    HttpResponse::Ok().body(text[..cut].to_owned())
}

async fn panics_in_blocking_task() -> Result<HttpResponse, hotline::error::AppError> {
    let r = web::block(|| -> String { panic!("while processing {SECRET}") }).await;
    r.map(|s| HttpResponse::Ok().body(s))
        .map_err(|_| hotline::error::AppError::Internal(anyhow::anyhow!("blocking task failed")))
}

async fn panics_on_an_index() -> HttpResponse {
    let v: Vec<&str> = SECRET.split(',').collect();
    HttpResponse::Ok().body(v[7].to_owned())
}

#[actix_web::test]
async fn a_panic_becomes_a_500_problem_with_a_request_id_and_its_message_is_not_logged() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();
    hotline::telemetry::install_panic_hook();

    let server = HttpServer::new(|| {
        App::new()
            .wrap_fn(hotline::http::request_log)
            .route("/handler", web::post().to(panics_in_handler))
            .route("/blocking", web::get().to(panics_in_blocking_task))
            .route("/index", web::get().to(panics_on_an_index))
            .route("/fine", web::get().to(|| async { HttpResponse::Ok().body("ok") }))
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let client = awc::Client::default();
    let url = |p: &str| format!("http://{addr}{p}");

    let mut seen_ids = Vec::new();
    for _ in 0..2 {
        for (method, path) in [("POST", "/handler"), ("GET", "/blocking"), ("GET", "/index")] {
            let req = match method {
                "POST" => client.post(url(path)),
                _ => client.get(url(path)),
            };
            let mut res = req
                .insert_header(("x-request-id", format!("test-{}", seen_ids.len())))
                .send_body("bánh ½ kg")
                .await
                .unwrap_or_else(|e| panic!("{path}: no answer ({e})"));
            assert_eq!(res.status(), 500, "{path}");
            assert_eq!(
                res.headers().get("content-type").unwrap(),
                "application/problem+json",
                "{path}"
            );
            let rid = res.headers().get("x-request-id").unwrap().to_str().unwrap().to_owned();
            assert_eq!(rid, format!("test-{}", seen_ids.len()), "{path}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["code"], "internal", "{path}: {body}");
            assert!(!body.to_string().contains("0912"), "{path}: {body}");
            seen_ids.push(rid);
        }
    }
    // The workers survived: the service still answers.
    let mut ok = client.get(url("/fine")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.body().await.unwrap(), "ok");
    handle.stop(true).await;

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("panic (its message is withheld"), "{text}");
    assert!(text.contains("tests/panic.rs"), "the location is logged: {text}");
    for secret in ["0912", "Bí mật", "Nguy", "½", "bánh", "char boundary", "out of bounds"] {
        assert!(!text.contains(secret), "the log quotes {secret:?}:\n{text}");
    }
    for rid in &seen_ids {
        assert!(text.contains(rid.as_str()), "the request id {rid} is logged");
    }
}
