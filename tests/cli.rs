//! The command line, run as a user would.

#![allow(clippy::unwrap_used, clippy::expect_used)]

/// `check-config` prints the merged configuration without its secrets (the database
/// password and the SMTP password), and says which backend it would use.
#[test]
fn check_config_prints_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hotline"))
        .arg("check-config")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("APP_ENV", "local")
        .env("APP_DATA_DIR", dir.path())
        .env(
            "APP_DATABASE__URL",
            "postgres://hotline:db-s3cret-pw@127.0.0.1:5432/hotline",
        )
        .env("APP_EMAIL__SMTP_PASSWORD", "smtp-s3cret-pw")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("s3cret"), "a secret is printed:\n{text}");
    assert!(text.contains("smtp_password = \"********\""), "{text}");
    assert!(text.contains("configuration OK (postgres backend)"), "{text}");
}
