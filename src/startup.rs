//! Building the application from `Settings`: database, migrations, reference data, the first
//! administrator, and the HTTP server bound to its listener.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};
use actix_web_prom::PrometheusMetricsBuilder;
use anyhow::Context;

use crate::calendar::Calendar;
use crate::config::Settings;
use crate::db::{portability, Backend, Db, SqliteOptions};
use crate::routing::Router;
use crate::service::bootstrap;
use crate::state::AppState;

pub struct Application {
    pub port: u16,
    pub state: AppState,
    /// Username and one-time password of an administrator created by this start, if any.
    pub bootstrap_admin: Option<(String, String)>,
    /// This process's job worker (running in the background when `jobs.enabled`).
    pub worker: crate::service::jobs::Worker,
    server: Server,
}

/// What `prepare` hands back: the pool, the router, and a just-created admin's credentials.
pub struct Prepared {
    pub db: Db,
    pub router: Arc<Router>,
    pub bootstrap_admin: Option<(String, String)>,
}

/// Opens the pool (creating the SQLite folder if needed), migrates, and seeds reference data.
pub fn prepare(settings: &Settings) -> anyhow::Result<Prepared> {
    let url = settings.db_url()?;
    if let Some(path) = url.sqlite_path() {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
    }
    std::fs::create_dir_all(settings.evidence_dir())
        .with_context(|| format!("creating {}", settings.evidence_dir().display()))?;
    let db = Db::connect(
        &url,
        SqliteOptions::of(&settings.database),
        settings.database.pool_size,
        Duration::from_secs(settings.database.pool_timeout_secs),
    )?;
    let router = Router::load_dir(&settings.config_dir).context("loading routing and units configuration")?;
    let mut conn = db
        .get_blocking()
        .map_err(|_| anyhow::anyhow!("cannot connect to the database at {}", url.redacted()))?;
    let applied = portability::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    if !applied.is_empty() {
        tracing::info!(versions = ?applied, "migrations applied");
    }
    bootstrap::seed_reference(&mut conn, router.taxonomy())
        .map_err(|e| anyhow::anyhow!("seeding reference data: {e}"))?;
    let calendar = Calendar::load_dir(&settings.config_dir.join("calendar")).context("loading config/calendar")?;
    crate::db::portability::write_transaction(&mut conn, |c| {
        crate::service::clocks::seed_calendar(c, &calendar, crate::state::Clock::default().now().naive_utc())
    })
    .map_err(|e| anyhow::anyhow!("seeding the calendar: {e}"))?;
    portability::refresh_planner_statistics(&mut conn)
        .map_err(|e| anyhow::anyhow!("refreshing planner statistics: {e}"))?;
    let admin =
        bootstrap::ensure_admin(&mut conn).map_err(|e| anyhow::anyhow!("creating the first administrator: {e}"))?;
    Ok(Prepared {
        db,
        router: Arc::new(router),
        bootstrap_admin: admin,
    })
}

impl Application {
    pub fn build(mut settings: Settings) -> anyhow::Result<Application> {
        settings
            .resolve_chain_key()
            .context("the history key (audit.chain_key)")?;
        let Prepared {
            db,
            router,
            bootstrap_admin,
        } = prepare(&settings)?;
        let mailer =
            crate::email::Mailer::from_settings(&settings.email, &settings.data_dir).context("e-mail settings")?;
        let state = AppState {
            db,
            settings: Arc::new(settings.clone()),
            router,
            mailer,
            business_stopwords: Arc::new(
                settings
                    .intake
                    .business_name_stopwords
                    .iter()
                    .map(|w| crate::text::normalize(w))
                    .collect(),
            ),
            clock: crate::state::Clock::default(),
            login_slots: Arc::new(tokio::sync::Semaphore::new(settings.auth.max_concurrent_logins.max(1))),
            chain_key: crate::service::events::ChainKey::from_settings(&settings),
            calendar: crate::service::clocks::CalendarCache::default(),
        };
        let listener =
            TcpListener::bind(&settings.server.bind).with_context(|| format!("binding {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let prometheus = PrometheusMetricsBuilder::new("hotline")
            .endpoint("/metrics")
            // Label unmatched paths as one value: a raw path could carry a tracking code, and
            // random paths would grow the label set without bound.
            .mask_unmatched_patterns("UNMATCHED")
            .build()
            .map_err(|e| anyhow::anyhow!("metrics: {e}"))?;
        let gauges = crate::service::jobs::Gauges::register(&prometheus.registry)?;
        state.db.writer_metrics().register(&prometheus.registry)?;
        let worker = crate::service::jobs::Worker::new(
            state.db.clone(),
            state.settings.clone(),
            state.mailer.clone(),
            state.router.clone(),
            Some(gauges),
            state.clock.clone(),
        );
        let data = web::Data::new(state.clone());
        let tls = tls_config(&settings.server)?;
        let hsts = tls.is_some();
        let mut server = HttpServer::new(move || {
            App::new()
                .wrap_fn(crate::http::request_log)
                .wrap(actix_web::middleware::Condition::new(
                    hsts,
                    actix_web::middleware::DefaultHeaders::new()
                        .add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains")),
                ))
                .wrap(prometheus.clone())
                .wrap_fn(crate::http::metrics_guard)
                .app_data(data.clone())
                .configure(crate::http::extractor_configs)
                .configure(crate::http::configure)
                .default_service(web::to(crate::http::not_found))
        })
        .shutdown_timeout(settings.server.shutdown_timeout_secs)
        .client_request_timeout(Duration::from_secs(settings.server.request_head_timeout_secs))
        .client_disconnect_timeout(Duration::from_secs(2))
        .max_connections(settings.server.max_connections_per_worker);
        server = match tls {
            Some(config) => server.listen_rustls_0_23(listener, config)?,
            None => server.listen(listener)?,
        };
        if settings.server.workers > 0 {
            server = server.workers(settings.server.workers);
        }
        let backend = match state.db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        tracing::info!(port, backend, tls = hsts, "listening");
        let server = server.run();
        if settings.jobs.enabled {
            // The worker lives as long as the server's runtime; jobs are durable, so stopping
            // mid-job only means the job is taken over after its lease.
            actix_web::rt::spawn(worker.clone().run_forever());
        }
        Ok(Application {
            port,
            state,
            bootstrap_admin,
            worker,
            server,
        })
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish (graceful shutdown).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Handle to stop the server (tests, benchmarks).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// The rustls configuration of `server.tls_cert_path` / `tls_key_path`, if both are set.
fn tls_config(s: &crate::config::ServerSettings) -> anyhow::Result<Option<rustls::ServerConfig>> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    match (s.tls_cert_path.trim(), s.tls_key_path.trim()) {
        ("", "") => Ok(None),
        ("", _) | (_, "") => anyhow::bail!("server.tls_cert_path and server.tls_key_path go together"),
        (cert, key) => {
            let chain = CertificateDer::pem_file_iter(cert)
                .with_context(|| format!("reading {cert}"))?
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("parsing the certificates of {cert}"))?;
            let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading the private key {key}"))?;
            let mut config = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .context("the TLS certificate and key do not go together")?;
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(Some(config))
        }
    }
}
