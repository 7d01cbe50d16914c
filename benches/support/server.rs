//! The service started in-process for a benchmark (`search`, `console`): a temporary data
//! folder, the given database, two HTTP workers, no background jobs and no abuse limits (one
//! client sends everything), its bootstrap administrator signed in, and staff created through
//! the API as an administrator would.

use std::time::Duration;

use anyhow::{anyhow, Context};
use diesel::RunQueryDsl;
use hotline::config::Settings;
use hotline::startup::Application;
use hotline::state::AppState;

use super::{config_dir, expect_status, login, Kind};

const HTTP_WORKERS: usize = 2;

pub struct Server {
    pub base: String,
    pub state: AppState,
    /// No redirects followed (the console answers 303s worth seeing); a generous timeout.
    pub client: awc::Client,
    /// The bootstrap administrator: username, password.
    pub admin: (String, String),
    pub admin_token: String,
    handle: actix_web::dev::ServerHandle,
    task: actix_web::rt::task::JoinHandle<std::io::Result<()>>,
    _data: tempfile::TempDir,
}

/// The benchmarks' settings, not finished (callers may change more): the `local` profile on
/// `db_url`, data in `data_dir`, any free port, `HTTP_WORKERS` workers, warnings only, no
/// background worker (nothing measures it, and its polling would make the bulk loaders wait in
/// SQLite's busy handler), no abuse limits (one client files every request).
pub fn bench_settings(data_dir: &std::path::Path, db_url: String) -> anyhow::Result<Settings> {
    let mut settings = Settings::load_from(&config_dir(), "local", false)?;
    settings.data_dir = data_dir.to_path_buf();
    settings.database.url = db_url;
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.workers = HTTP_WORKERS;
    settings.log.level = "warn".into();
    settings.jobs.enabled = false;
    settings.limits.enabled = false;
    Ok(settings)
}

impl Server {
    pub async fn start(kind: Kind, db_url: String) -> anyhow::Result<Server> {
        let data = tempfile::tempdir().context("creating a temporary folder")?;
        let mut settings = bench_settings(data.path(), db_url)?;
        settings.finish()?;
        println!("\n=== {} ===", kind.name());
        let app = Application::build(settings)?;
        let base = format!("http://127.0.0.1:{}", app.port);
        let state = app.state.clone();
        let admin = app
            .bootstrap_admin
            .clone()
            .ok_or_else(|| anyhow!("no bootstrap administrator"))?;
        let handle = app.handle();
        let task = actix_web::rt::spawn(app.run_until_stopped());
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(600))
            .disable_redirects()
            .finish();
        // The bootstrap password is one-time (403 `password_change_required` until changed);
        // the benchmark's administrator keeps it.
        {
            let mut conn = state.db.get_blocking().map_err(|e| anyhow!("{e}"))?;
            diesel::sql_query("UPDATE users SET must_change_password = FALSE").execute(&mut *conn)?;
        }
        let admin_token = login(&client, &base, &admin.0, &admin.1).await?;
        Ok(Server {
            base,
            state,
            client,
            admin,
            admin_token,
            handle,
            task,
            _data: data,
        })
    }

    /// Creates a staff account through `POST /api/v1/admin/users` and signs it in: its id and
    /// its bearer token.
    pub async fn create_user(
        &self,
        username: &str,
        role: &str,
        agency: &str,
        password: &str,
    ) -> anyhow::Result<(String, String)> {
        let body = serde_json::json!({ "username": username, "role": role, "agency": agency, "password": password });
        let bytes = expect_status(
            self.client
                .post(format!("{}/api/v1/admin/users", self.base))
                .insert_header(("Authorization", format!("Bearer {}", self.admin_token)))
                .insert_header(("Content-Type", "application/json"))
                .send_body(body.to_string())
                .await,
            201,
        )
        .await
        .map_err(|e| anyhow!("creating {username}: {e}"))?;
        let created: serde_json::Value = serde_json::from_slice(&bytes)?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        Ok((id, login(&self.client, &self.base, username, password).await?))
    }

    pub async fn stop(self) {
        self.handle.stop(true).await;
        let _ = self.task.await;
    }
}
