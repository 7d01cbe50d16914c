//! The real binary, as production runs it: JSON logs at debug level contain no personal data,
//! and SIGTERM stops it gracefully with exit status 0.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Backend, TestDb};

fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, out)
}

fn production_logs_hold_no_personal_data_and_sigterm_stops_cleanly(backend: Backend) {
    let Some(db) = TestDb::new(backend) else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let root = env!("CARGO_MANIFEST_DIR");
    let logs = db.dir.path().join("out.log");
    let log_file = std::fs::File::create(&logs).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("serve")
        .env("APP_ENV", "production")
        .env("APP_CONFIG_DIR", format!("{root}/config"))
        .env("APP_DATA_DIR", db.dir.path())
        .env("APP_DATABASE__URL", &db.url)
        .env("APP_SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("APP_SERVER__WORKERS", "1")
        .env("APP_LOG__LEVEL", "debug")
        .env("APP_AUDIT__CHAIN_KEY", "process-test-history-key-0123456789abcdef")
        // Production refuses to start without SMTP. Nothing listens on this port: the worker's
        // attempts to send the acknowledgment fail, and their log lines must not show the address.
        .env("APP_EMAIL__TRANSPORT", "smtp")
        .env("APP_EMAIL__SMTP_HOST", "127.0.0.1")
        .env("APP_EMAIL__SMTP_PORT", closed_port.to_string())
        .env("APP_EMAIL__SMTP_TLS", "none")
        .env("APP_JOBS__POLL_INTERVAL_MS", "100")
        .env_remove("RUST_LOG")
        .stdout(Stdio::from(log_file.try_clone().unwrap()))
        .stderr(Stdio::from(log_file))
        .spawn()
        .unwrap();
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(30), "server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let complaint = r#"{"description":"Tôi là Trần Văn Bảo, gọi 0987 654 321 hoặc mail bao.tran@example.com, nhà số 88 đường Lê Lợi","consumer":{"name":"Trần Văn Bảo","phone":"0987654321","email":"bao.tran@example.com","address":"Số 88 đường Lê Lợi","consent":true}}"#;
    let (st, body) = http(port, "POST", "/api/v1/public/complaints", Some(complaint));
    assert_eq!(st, 201, "{body}");
    let code = body
        .split("\"tracking_code\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let (st, _) = http(
        port,
        "GET",
        &format!("/api/v1/public/complaints/{code}?phone_last4=4321"),
        None,
    );
    assert_eq!(st, 200);
    let (st, _) = http(
        port,
        "GET",
        &format!("/api/v1/public/complaints/{code}?phone_last4=9999"),
        None,
    );
    assert_eq!(st, 404);
    let bad = r#"{"description":"x","consumer":{"name":"Trần Văn Bảo","phone":987654321,"consent":true}}"#;
    assert_eq!(http(port, "POST", "/api/v1/public/complaints", Some(bad)).0, 422);
    let bad = r#"{"description":"x","consumer":{"name":"Trần Văn Bảo","phone":"0987-654-321x","email":"bao.tran@example","consent":true}}"#;
    assert_eq!(http(port, "POST", "/api/v1/public/complaints", Some(bad)).0, 422);
    assert_eq!(
        http(
            port,
            "POST",
            "/api/v1/auth/login",
            Some(r#"{"username":"bao.tran@example.com","password":"0987654321"}"#)
        )
        .0,
        401
    );

    // Let the worker try (and fail) to send the acknowledgment before stopping.
    std::thread::sleep(Duration::from_millis(1500));
    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(40),
            "no graceful stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "exit status after SIGTERM: {status}");

    let out = std::fs::read_to_string(&logs).unwrap();
    assert!(
        out.contains("\"route\":\"/api/v1/public/complaints\""),
        "access log missing: {out}"
    );
    assert!(out.contains("request_id"), "request ids missing: {out}");
    assert!(
        out.contains("job failed"),
        "the failing e-mail job should be logged: {out}"
    );
    for secret in [
        "0987654321",
        "0987 654 321",
        "987654321",
        "bao.tran",
        "Trần Văn Bảo",
        "Lê Lợi",
        &code,
        "phone_last4",
    ] {
        assert!(!out.contains(secret), "log output contains {secret}:\n{out}");
    }
}

#[test]
fn production_logs_hold_no_personal_data_and_sigterm_stops_cleanly_sqlite() {
    production_logs_hold_no_personal_data_and_sigterm_stops_cleanly(Backend::Sqlite);
}

#[test]
fn production_logs_hold_no_personal_data_and_sigterm_stops_cleanly_postgres() {
    production_logs_hold_no_personal_data_and_sigterm_stops_cleanly(Backend::Postgres);
}
