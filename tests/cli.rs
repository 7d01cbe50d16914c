//! The command line, run as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/mod.rs"]
mod common;

use common::{Backend, TestDb};

/// `hotline check-config` in the `local` profile with `envs` on top: (success, stdout + stderr).
fn check_config(envs: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("check-config")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("APP_ENV", "local")
        .env("APP_DATA_DIR", dir.path())
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `check-config` prints the merged configuration without its secrets (the database
/// password and the SMTP password), and says which backend it would use.
#[test]
fn check_config_prints_no_secret() {
    let (ok, text) = check_config(&[
        (
            "APP_DATABASE__URL",
            "postgres://hotline:db-s3cret-pw@127.0.0.1:5432/hotline",
        ),
        ("APP_EMAIL__SMTP_PASSWORD", "smtp-s3cret-pw"),
        ("APP_AUDIT__CHAIN_KEY", "chain-s3cret-key-0123456789abcdef0123"),
    ]);
    assert!(ok, "{text}");
    assert!(!text.contains("s3cret"), "a secret is printed:\n{text}");
    assert!(text.contains("smtp_password = \"********\""), "{text}");
    assert!(text.contains("chain_key = \"<redacted>\""), "{text}");
    assert!(text.contains("configuration OK (postgres backend)"), "{text}");
}

/// `check-config` refuses a keeping period of finished jobs shorter than the dedupe keys of the
/// sweep and the digests need.
#[test]
fn check_config_refuses_a_too_short_keeping_period_of_finished_jobs() {
    let (ok, text) = check_config(&[("APP_JOBS__KEEP_DONE_DAYS", "1")]);
    assert!(!ok, "{text}");
    assert!(text.contains("jobs.keep_done_days must be at least 2"), "{text}");
}

/// `check-config` takes a pause of SQLite's background checkpointer up to ten seconds, and
/// refuses a longer one (the writer would do the checkpoints itself).
#[test]
fn check_config_bounds_the_checkpointers_pause() {
    let (ok, text) = check_config(&[("APP_DATABASE__SQLITE_CHECKPOINT_EVERY_MS", "200")]);
    assert!(ok, "{text}");
    assert!(text.contains("sqlite_checkpoint_every_ms = 200"), "{text}");
    let (ok, text) = check_config(&[("APP_DATABASE__SQLITE_CHECKPOINT_EVERY_MS", "60000")]);
    assert!(!ok, "{text}");
    assert!(
        text.contains("database.sqlite_checkpoint_every_ms must be at most 10000"),
        "{text}"
    );
}

fn hotline(db: &TestDb, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("APP_ENV", "local")
        .env("APP_DATA_DIR", db.dir.path())
        .env("APP_DATABASE__URL", &db.url)
        .env("APP_LOG__LEVEL", "warn")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `audit checkpoint` writes a signed checkpoint (with a history key made once in the data
/// folder); `audit verify --checkpoint` accepts it, and refuses one whose signature is forged.
fn audit_checkpoint_and_verify(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let out = db.dir.path().join("cps");
    let (ok, text) = hotline(&db, &["audit", "checkpoint", "--out", out.to_str().unwrap()]);
    assert!(ok, "{text}");
    assert!(db.dir.path().join("chain.key").exists(), "a history key was made");
    let file = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
    let (ok, text) = hotline(&db, &["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert!(ok, "{text}");
    let mut cp: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    cp["signature"] = serde_json::json!("00".repeat(32));
    std::fs::write(&file, cp.to_string()).unwrap();
    let (ok, text) = hotline(&db, &["audit", "verify", "--checkpoint", file.to_str().unwrap()]);
    assert!(!ok && text.contains("signature"), "{text}");
}

#[test]
fn audit_checkpoint_and_verify_sqlite() {
    audit_checkpoint_and_verify(Backend::Sqlite);
}

#[test]
fn audit_checkpoint_and_verify_postgres() {
    audit_checkpoint_and_verify(Backend::Postgres);
}

/// With `server.tls_cert_path` / `tls_key_path` the service speaks HTTPS itself and sends
/// `Strict-Transport-Security`; plain HTTP on that port gets no answer.
fn native_tls_serves_https_with_hsts(backend: Backend) {
    let Some(db) = TestDb::new(backend) else { return };
    let dir = db.dir.path();
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .unwrap();
    assert!(ok.status.success(), "openssl: {}", String::from_utf8_lossy(&ok.stderr));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("serve")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("APP_ENV", "local")
        .env("APP_DATA_DIR", dir)
        .env("APP_DATABASE__URL", &db.url)
        .env("APP_SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("APP_SERVER__WORKERS", "1")
        .env("APP_JOBS__ENABLED", "false")
        .env("APP_LOG__LEVEL", "warn")
        .env("APP_SERVER__TLS_CERT_PATH", dir.join("cert.pem"))
        .env("APP_SERVER__TLS_KEY_PATH", dir.join("key.pem"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let curl = |url: &str| {
        std::process::Command::new("curl")
            .args(["-sk", "-D", "-", "-o", "/dev/null", "--max-time", "5", url])
            .output()
            .unwrap()
    };
    let start = std::time::Instant::now();
    let head = loop {
        let out = curl(&format!("https://127.0.0.1:{port}/healthz"));
        if out.status.success() {
            break String::from_utf8_lossy(&out.stdout).to_lowercase();
        }
        assert!(start.elapsed().as_secs() < 60, "the HTTPS server did not start");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let plain = curl(&format!("http://127.0.0.1:{port}/healthz"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(head.contains(" 200"), "{head}");
    assert!(head.contains("strict-transport-security: max-age=31536000"), "{head}");
    assert!(
        !String::from_utf8_lossy(&plain.stdout).contains(" 200"),
        "plain HTTP must not be served"
    );
}

#[test]
fn native_tls_serves_https_with_hsts_sqlite() {
    native_tls_serves_https_with_hsts(Backend::Sqlite);
}

#[test]
fn native_tls_serves_https_with_hsts_postgres() {
    native_tls_serves_https_with_hsts(Backend::Postgres);
}
