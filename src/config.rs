//! Layered, typed configuration: `config/base.toml`, then `config/{APP_ENV}.toml` (APP_ENV
//! defaults to `local`), then `APP_SECTION__KEY` environment variables (`APP_DATABASE__URL`,
//! `APP_SERVER__BIND`, `APP_DATA_DIR`, …). Unknown keys are rejected so a typo fails at start
//! instead of being ignored. `Settings` is passed in; nothing reads it from a global.

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::db::DbUrl;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Folder for the SQLite file (by default) and evidence files.
    pub data_dir: PathBuf,
    /// Folder holding taxonomy.toml, routing.toml and the environment files (set by the loader).
    #[serde(default)]
    pub config_dir: PathBuf,
    pub database: DatabaseSettings,
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub intake: IntakeSettings,
    pub clocks: ClockSettings,
    pub jobs: JobSettings,
    pub email: crate::email::EmailSettings,
    pub log: LogSettings,
    pub limits: LimitSettings,
    pub audit: AuditSettings,
    pub privacy: PrivacySettings,
    pub public: PublicSettings,
    pub evidence: EvidenceSettings,
    pub links: LinkSettings,
    pub reports: ReportSettings,
}

/// The reports agencies owe Sở Công Thương, and Sở Công Thương the province (issue 14): when
/// each is due, and when its supervisors are reminded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Days before a report's due date its supervisors (or, for the province's, coordinators)
    /// are e-mailed a reminder, once, if it is not submitted.
    pub reminder_days: i64,
    /// The agencies that report (codes); empty: every agency of the taxonomy.
    pub reporting_agencies: Vec<String>,
    pub deadlines: Vec<ReportDeadline>,
}

/// One report owed for every period of a kind.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReportDeadline {
    /// Stable code (`quarterly`, `annual`, …), used in the API.
    pub code: String,
    /// Vietnamese name.
    pub name: String,
    /// `quarter` or `year`: the period the report covers.
    pub period: String,
    /// `agency` (each reporting agency's supervisors submit) or `province` (coordinators
    /// submit the consolidated report).
    pub from: String,
    /// The month it is due, counted from the period's first month (1 = the first month; 3 =
    /// a quarter's last; 11 = November of the year; beyond the period's length: after it).
    pub due_month: u32,
    /// The day of that month.
    pub due_day: u32,
}

/// Files citizens attach to a complaint or to information they send (ADR 0022).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSettings {
    /// Largest file a citizen may attach, in bytes.
    pub public_max_file_bytes: usize,
    /// Files a citizen may attach at once (the complaint form, or one "add information").
    pub public_max_files: usize,
}

/// The private links of consumers (ADR 0017).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkSettings {
    /// Days after a case closes after which its consumer links stop working (0 = at closure).
    pub expire_days_after_closure: i64,
}

/// What the home page and `GET /api/v1/public/info` publish besides the agencies.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicSettings {
    /// The province's consumer hotline (name and number); empty: not shown.
    pub province_hotline_name: String,
    pub province_hotline_phone: String,
    /// Days a sanctioned violator stays on the public list before the sweep removes it
    /// (Decree 55/2024 Art 24: 30).
    pub violator_notice_days: u32,
}

/// Consumer data rights (docs/security.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    /// Days after closure after which the sweep anonymises a case's consumer data (0 = never).
    pub retention_days: u32,
}

/// Tamper evidence of the case histories (docs/security.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Key of the keyed event chain and of checkpoint signatures (at least 32 characters). Never
    /// stored in the database. Empty: a random key is made once and kept in
    /// `{data_dir}/chain.key` (one instance); several instances must all be given the same key
    /// (`APP_AUDIT__CHAIN_KEY`); production refuses to start without it.
    #[serde(default)]
    pub chain_key: Secret,
    /// Seconds between signed checkpoints of every case's history head, written by the sweep
    /// to `checkpoint_dir` (0 = none; `hotline audit checkpoint` writes one on demand).
    pub checkpoint_interval_secs: u64,
    /// Folder of the checkpoint files; relative paths are under `data_dir`. Keep a copy
    /// outside the database server (backups, another host).
    pub checkpoint_dir: PathBuf,
}

/// A configuration value never shown: `Debug` and serialization print `<redacted>` when set.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "<redacted>" })
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { "<redacted>" })
    }
}

/// Abuse limits (docs/security.md): counters in the database, so every instance shares them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// `false` turns every limit off (benchmarks: `APP_LIMITS__ENABLED=false`).
    pub enabled: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or CIDR blocks). A request
    /// from anyone else is counted by its own address and its `X-Forwarded-For` is ignored.
    pub trusted_proxies: Vec<Cidr>,
    /// Failed sign-ins per username …
    pub login_user: LimitRule,
    /// … and per client address.
    pub login_address: LimitRule,
    /// Wrong phone digits per tracking code (a lock tells the case's supervisors) …
    pub status_code: LimitRule,
    /// … and per client address.
    pub status_address: LimitRule,
    /// Complaints sent through the public form per client address.
    pub form_address: LimitRule,
    /// Unknown, expired or revoked link tokens tried per client address.
    pub link_address: LimitRule,
    /// Acknowledgments and other mail to one consumer address per day; beyond it nothing
    /// more is sent there that day (the complaint is still taken).
    pub mail_per_recipient_per_day: i64,
    /// Consumer mail to one recipient domain per hour; beyond it mail there is held back and
    /// the burst is logged as a warning.
    pub mail_per_domain_per_hour: i64,
}

/// One limit: at most `max` counted events within `window_secs`; one more locks the key for
/// `lock_secs`, doubling with each lock up to `max_lock_secs` (the count of locks is kept until
/// the key has been quiet for a day).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitRule {
    pub max: i64,
    pub window_secs: i64,
    pub lock_secs: i64,
    pub max_lock_secs: i64,
}

impl LimitRule {
    /// How long the `strikes`-th lock (1, 2, …) lasts.
    pub fn lock_for(&self, strikes: i64) -> i64 {
        let doublings = strikes.saturating_sub(1).clamp(0, 30) as u32;
        self.lock_secs.saturating_mul(1i64 << doublings).min(self.max_lock_secs)
    }

    fn check(&self, name: &str) -> anyhow::Result<()> {
        if self.max < 1 || self.window_secs < 1 || self.lock_secs < 1 || self.max_lock_secs < self.lock_secs {
            anyhow::bail!("limits.{name}: max, window_secs and lock_secs >= 1, max_lock_secs >= lock_secs");
        }
        Ok(())
    }
}

/// An IPv4 or IPv6 address block (`10.0.0.0/8`, `::1/128`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: std::net::IpAddr = a.parse().ok()?;
        let bits = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits)?,
            None => bits,
        };
        Some(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl Serialize for Cidr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cidr, D::Error> {
        let s = String::deserialize(d)?;
        Cidr::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("not an address or CIDR block: {s}")))
    }
}

/// Lengths of the clocks that are not fixed by law (product.md §4), in working days.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockSettings {
    /// Time the consumer has to send requested information (old Decree 99/2011 practice: 5).
    pub provide_info_wd: u32,
    /// Internal target to close, per kind.
    pub internal_consultation_wd: u32,
    pub internal_dispute_wd: u32,
    pub internal_violation_report_wd: u32,
    /// Internal targets of priority cases (vulnerable consumers, Art 8) are this percentage of
    /// the normal target (rounded up).
    pub priority_target_percent: u32,
}

/// The job worker that runs in every `serve` process.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// Run the worker in this process.
    pub enabled: bool,
    /// Sleep between polls when the queue is empty, in milliseconds.
    pub poll_interval_ms: u64,
    /// How often the deadline sweep is scheduled (once across all instances), in seconds.
    pub sweep_interval_secs: u64,
    /// A claimed job not finished within this many seconds is taken over by another worker.
    pub lease_secs: i64,
    /// Attempts before a job is dead-lettered.
    pub max_attempts: i32,
    /// First retry delay in seconds; doubles with each attempt.
    pub backoff_base_secs: i64,
    /// Local hour (Asia/Ho_Chi_Minh) after which each agency's daily digest is sent.
    pub digest_hour: u32,
    /// Days a finished job (a sent e-mail with its addressee and text, a sweep, a digest) stays
    /// in the table before the sweep deletes it. Dead letters stay until an administrator
    /// retries them.
    pub keep_done_days: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://path/to/file.db` or `postgres://user@host/db`. Empty: `sqlite://{data_dir}/hotline.db`.
    #[serde(default)]
    pub url: String,
    /// Maximum pooled connections.
    pub pool_size: u32,
    /// Seconds to wait for a free connection before answering 503.
    pub pool_timeout_secs: u64,
    /// SQLite `busy_timeout` in milliseconds.
    pub sqlite_busy_timeout_ms: u32,
    /// SQLite `synchronous`: FULL (default, survives power loss) or NORMAL.
    pub sqlite_synchronous: String,
    /// SQLite: write units that may wait for the one writer (each at most
    /// `pool_timeout_secs`); beyond that a write is refused at once with 503 + Retry-After.
    pub sqlite_max_queued_writes: usize,
    /// SQLite: write units the writer commits together in one transaction at most (group
    /// commit, ADR 0040).
    pub sqlite_max_batch: usize,
    /// SQLite: page cache of the one writer connection, in MiB (ADR 0043).
    pub sqlite_writer_cache_mib: u32,
    /// SQLite: milliseconds the background checkpointer pauses after each checkpoint (ADR
    /// 0051, 0060): pages written again within the pause are copied into the file once.
    pub sqlite_checkpoint_every_ms: u64,
    /// SQLite: how much of the database file each connection reads through a memory map, in
    /// MiB (0: plain reads).
    pub sqlite_mmap_mib: u32,
    /// SQLite: seconds between refreshes of the query planner's statistics (`ANALYZE`, also
    /// run at start); 0 = only at start. Ignored on PostgreSQL (autovacuum does it).
    pub sqlite_analyze_interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Address to listen on, e.g. `127.0.0.1:8080`.
    pub bind: String,
    /// HTTP worker threads; 0 = one per core.
    pub workers: usize,
    /// Largest JSON body accepted, in bytes.
    pub max_json_bytes: usize,
    /// Largest evidence file accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Evidence one case may hold in all, in bytes (an upload beyond it is refused with 422).
    pub max_evidence_bytes_per_case: i64,
    /// Seconds to let in-flight requests finish on shutdown.
    pub shutdown_timeout_secs: u64,
    /// Seconds a client has to send the request line and headers (else 408 and close).
    pub request_head_timeout_secs: u64,
    /// Seconds a client has to send a whole JSON body (else 408 `request_timeout`, close).
    pub body_read_timeout_secs: u64,
    /// Seconds a client has to send a whole evidence upload (else 408 `request_timeout`).
    pub upload_read_timeout_secs: u64,
    /// Open connections each worker accepts; beyond it new connections wait in the backlog.
    pub max_connections_per_worker: usize,
    /// Bearer token for `/metrics`. Empty: `/metrics` answers only clients on the loopback
    /// interface that came through no proxy (no `X-Forwarded-For`); everyone else gets 404.
    #[serde(default)]
    pub metrics_token: Secret,
    /// PEM certificate chain and private key: with both set the service speaks HTTPS itself
    /// (rustls) and sends `Strict-Transport-Security`. Empty: plain HTTP (behind a proxy).
    #[serde(default)]
    pub tls_cert_path: String,
    #[serde(default)]
    pub tls_key_path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// Lifetime of a login token, in hours.
    pub session_hours: i64,
    /// Password checks (argon2, CPU-heavy) running at once; one more login is answered 503 at
    /// once. They run off the database pool, so a flood of logins never starves other requests.
    pub max_concurrent_logins: usize,
    /// Minutes without a request after which a console session ends (the absolute limit is
    /// `session_hours`).
    #[serde(default = "default_console_idle_minutes")]
    pub console_idle_minutes: i64,
}

fn default_console_idle_minutes() -> i64 {
    30
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntakeSettings {
    /// Agency whose queue receives complaints filed on the public web form (the coordinator).
    pub web_agency: String,
    /// Prefix of tracking codes (`KN` = khiếu nại).
    pub tracking_prefix: String,
    /// A new case of the same consumer (phone) about the same business (tax code or
    /// normalised name) within this many days is linked as a possible duplicate.
    pub duplicate_window_days: i64,
    /// Words dropped from business names before comparing them ("công ty", "TNHH", …),
    /// written without diacritics, lower case.
    pub business_name_stopwords: Vec<String>,
    /// Mass complaints: this many distinct consumers about one business …
    pub cluster_min_consumers: i64,
    /// … within this many days form a cluster flagged to supervisors.
    pub cluster_window_days: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `pretty` (local) or `json` (production).
    pub format: String,
    /// tracing filter, e.g. `info` or `hotline=debug,info`; RUST_LOG overrides.
    pub level: String,
}

/// The longest pause of SQLite's background checkpointer `check-config` accepts (ADR 0060).
const MAX_CHECKPOINT_PAUSE_MS: u64 = 10_000;

impl Settings {
    /// Loads the layers from `config_dir` (default `config`, or `APP_CONFIG_DIR`).
    pub fn load() -> anyhow::Result<Settings> {
        let dir = std::env::var("APP_CONFIG_DIR").unwrap_or_else(|_| "config".into());
        let env = std::env::var("APP_ENV").unwrap_or_else(|_| "local".into());
        Settings::load_from(Path::new(&dir), &env, true)
    }

    /// Loads `base.toml` and `{env}.toml` from `dir`, then (if `use_env`) `APP_*` variables.
    pub fn load_from(dir: &Path, env: &str, use_env: bool) -> anyhow::Result<Settings> {
        let base = dir.join("base.toml");
        if !base.exists() {
            anyhow::bail!(
                "configuration file {} not found (run from the repository root or set APP_CONFIG_DIR)",
                base.display()
            );
        }
        let mut fig = Figment::new()
            .merge(Toml::file(base))
            .merge(Toml::file(dir.join(format!("{env}.toml"))));
        if use_env {
            fig = fig.merge(
                Env::prefixed("APP_")
                    .ignore(&["ENV", "CONFIG_DIR"])
                    .split("__")
                    .map(|k| k.as_str().to_ascii_lowercase().into()),
            );
        }
        fig = fig.merge(Serialized::default("config_dir", dir));
        let mut s: Settings = fig.extract()?;
        s.finish()?;
        if env == "production" && s.audit.chain_key.is_empty() {
            anyhow::bail!("production needs audit.chain_key (APP_AUDIT__CHAIN_KEY, the same on every instance): the key of the tamper-evident history");
        }
        if env == "production" && s.email.transport != "smtp" {
            anyhow::bail!("production needs email.transport = \"smtp\" (set APP_EMAIL__TRANSPORT and APP_EMAIL__SMTP_HOST): mail must leave the machine");
        }
        Ok(s)
    }

    /// Fills derived defaults and validates.
    fn check_reports(&self) -> anyhow::Result<()> {
        let r = &self.reports;
        if r.reminder_days < 0 {
            anyhow::bail!("reports.reminder_days must be >= 0");
        }
        for (i, d) in r.deadlines.iter().enumerate() {
            let ok = matches!(d.period.as_str(), "quarter" | "year")
                && matches!(d.from.as_str(), "agency" | "province")
                && (1..=24).contains(&d.due_month)
                && (1..=28).contains(&d.due_day)
                && !d.code.is_empty()
                && r.deadlines[..i].iter().all(|o| o.code != d.code);
            if !ok {
                anyhow::bail!(
                    "reports.deadlines[{i}]: a unique code, period quarter|year, from agency|province, due_month 1–24, due_day 1–28"
                );
            }
        }
        Ok(())
    }

    pub fn finish(&mut self) -> anyhow::Result<()> {
        if self.database.url.trim().is_empty() {
            self.database.url = format!("sqlite://{}/hotline.db", self.data_dir.display());
        }
        DbUrl::parse(&self.database.url).map_err(|e| anyhow::anyhow!("database.url: {e}"))?;
        if self.intake.duplicate_window_days < 0
            || self.intake.cluster_window_days <= 0
            || self.intake.cluster_min_consumers < 2
        {
            anyhow::bail!("intake: duplicate_window_days >= 0, cluster_window_days > 0, cluster_min_consumers >= 2");
        }
        if self.auth.console_idle_minutes <= 0 {
            anyhow::bail!("auth.console_idle_minutes must be positive");
        }
        if self.auth.session_hours <= 0 {
            anyhow::bail!("auth.session_hours must be positive");
        }
        if self.evidence.public_max_file_bytes == 0 || self.evidence.public_max_files == 0 {
            anyhow::bail!("evidence.public_max_file_bytes and evidence.public_max_files must be positive");
        }
        self.check_reports()?;
        if self.public.violator_notice_days == 0 {
            anyhow::bail!("public.violator_notice_days must be positive (Decree 55/2024 Art 24: 30)");
        }
        if self.jobs.keep_done_days < 2 {
            // The dedupe keys of the sweep (`sweep:<slot>`) and the digests
            // (`digest:<agency>:<date>`) must outlive their slot and day.
            anyhow::bail!("jobs.keep_done_days must be at least 2");
        }
        if self.database.sqlite_checkpoint_every_ms > MAX_CHECKPOINT_PAUSE_MS {
            // The WAL grows through the pause; past 8,000 pages the writer checkpoints itself,
            // so a longer pause only moves the copying back into the writer.
            anyhow::bail!("database.sqlite_checkpoint_every_ms must be at most {MAX_CHECKPOINT_PAUSE_MS}");
        }
        if self.links.expire_days_after_closure < 0 {
            anyhow::bail!("links.expire_days_after_closure must be >= 0");
        }
        let l = &self.limits;
        for (name, rule) in [
            ("login_user", l.login_user),
            ("login_address", l.login_address),
            ("status_code", l.status_code),
            ("status_address", l.status_address),
            ("form_address", l.form_address),
            ("link_address", l.link_address),
        ] {
            rule.check(name)?;
        }
        if !self.audit.chain_key.is_empty() && self.audit.chain_key.expose().len() < 32 {
            anyhow::bail!("audit.chain_key must have at least 32 characters");
        }
        if l.mail_per_recipient_per_day < 1 || l.mail_per_domain_per_hour < 1 {
            anyhow::bail!("limits.mail_per_recipient_per_day and mail_per_domain_per_hour must be >= 1");
        }
        if !matches!(self.log.format.as_str(), "pretty" | "json") {
            anyhow::bail!("log.format must be 'pretty' or 'json'");
        }
        Ok(())
    }

    pub fn db_url(&self) -> anyhow::Result<DbUrl> {
        DbUrl::parse(&self.database.url).map_err(|e| anyhow::anyhow!("database.url: {e}"))
    }

    pub fn taxonomy_path(&self) -> PathBuf {
        self.config_dir.join("taxonomy.toml")
    }

    pub fn routing_path(&self) -> PathBuf {
        self.config_dir.join("routing.toml")
    }

    pub fn evidence_dir(&self) -> PathBuf {
        self.data_dir.join("evidence")
    }

    pub fn checkpoint_dir(&self) -> PathBuf {
        self.data_dir.join(&self.audit.checkpoint_dir)
    }

    /// Fills `audit.chain_key` when it is not configured: from `{data_dir}/chain.key`, made
    /// once with 256 random bits (readable by the owner only).
    pub fn resolve_chain_key(&mut self) -> anyhow::Result<()> {
        if !self.audit.chain_key.is_empty() {
            return Ok(());
        }
        let path = self.data_dir.join("chain.key");
        let key = match std::fs::read_to_string(&path) {
            Ok(k) => k.trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                use rand::RngCore;
                let mut b = [0u8; 32];
                rand::rng().fill_bytes(&mut b);
                let k = hex::encode(b);
                std::fs::create_dir_all(&self.data_dir)?;
                write_private(&path, &k)?;
                tracing::warn!(path = %path.display(), "made a new history key; back it up with the database, and give every instance the same key (audit.chain_key)");
                k
            }
            Err(e) => return Err(anyhow::anyhow!("reading {}: {e}", path.display())),
        };
        if key.len() < 32 {
            anyhow::bail!("{} holds a key shorter than 32 characters", path.display());
        }
        self.audit.chain_key = Secret::new(key);
        Ok(())
    }
}

/// Writes a file only its owner may read (on Unix).
fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| anyhow::anyhow!("creating {}: {e}", path.display()))?;
    f.write_all(contents.as_bytes())?;
    f.sync_all()?;
    Ok(())
}
