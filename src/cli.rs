//! Command line: serve, migrate, admin create-user, check-config, routing evaluate, audit.

use std::io::Read;

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db::portability;
use crate::service::auth::{create_user_tx, hash_password, NewUser};
use crate::startup::{prepare, Application};

#[derive(Parser)]
#[command(name = "hotline", version, about = "Consumer-protection hotline and case service")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP service (migrates and seeds on start).
    Serve,
    /// Apply pending migrations and exit.
    Migrate {
        /// Revert every migration instead (destroys all data).
        #[arg(long)]
        revert_all: bool,
    },
    /// Administration tasks.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Load and validate the configuration, print it (secrets masked), and exit.
    CheckConfig,
    /// Routing tools.
    Routing {
        #[command(subcommand)]
        command: RoutingCommand,
    },
    /// Tamper evidence of the case histories (docs/security.md).
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Write a signed checkpoint of every case's history head (to --out, default
    /// {data_dir}/{audit.checkpoint_dir}); copy it off the database host.
    Checkpoint {
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Check every case's history (and, with --checkpoint, against a checkpoint); exits 1 if
    /// anything fails.
    Verify {
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a staff account; the password is read from standard input.
    CreateUser {
        #[arg(long)]
        username: String,
        /// operator | handler | mediator | supervisor | coordinator | admin
        #[arg(long)]
        role: String,
        /// Agency code (required for every role but admin).
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// E-mail address for reminders, escalations and the daily digest.
        #[arg(long)]
        email: Option<String>,
        /// Read the password from standard input (the only way: never on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum RoutingCommand {
    /// Score the router on a labelled JSONL file (id, text, kind, category, agency, …), or on
    /// the decisions staff recorded (`--from-corrections`: route, reclassify, accepted transfer).
    Evaluate {
        file: Option<std::path::PathBuf>,
        #[arg(long, conflicts_with = "file")]
        from_corrections: bool,
    },
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    match cli.command {
        Command::Serve => serve(settings),
        Command::Migrate { revert_all } => migrate(&settings, revert_all),
        Command::Admin {
            command:
                AdminCommand::CreateUser {
                    username,
                    role,
                    agency,
                    display_name,
                    email,
                    password_stdin: _,
                },
        } => {
            let new = NewUserArgs {
                username,
                role,
                agency,
                display_name,
                email,
            };
            create_user(&settings, new)
        }
        Command::CheckConfig => check_config(&settings),
        Command::Routing {
            command: RoutingCommand::Evaluate { file, from_corrections },
        } => evaluate_routing(&settings, file, from_corrections),
        Command::Audit { command } => audit(settings, command),
    }
}

fn audit(mut settings: Settings, command: AuditCommand) -> anyhow::Result<()> {
    use crate::service::checkpoint::{self, Checkpoint};
    settings.resolve_chain_key()?;
    let key = crate::service::events::ChainKey::from_settings(&settings);
    let db = prepare(&settings)?.db;
    let mut conn = db.get_blocking().map_err(|e| anyhow::anyhow!("{e}"))?;
    match command {
        AuditCommand::Checkpoint { out } => {
            let cp = Checkpoint::take(&mut conn, &key, crate::state::Clock::default().now())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let path = cp.write_to(&out.unwrap_or_else(|| settings.checkpoint_dir()))?;
            println!("checkpoint of {} cases written to {}", cp.cases.len(), path.display());
            Ok(())
        }
        AuditCommand::Verify { checkpoint: file } => {
            let cp = file.as_deref().map(Checkpoint::read_from).transpose()?;
            let report = checkpoint::audit(&mut conn, &key, cp.as_ref()).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if report.invalid.is_empty() {
                Ok(())
            } else {
                anyhow::bail!("{} case histories fail verification", report.invalid.len())
            }
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    crate::telemetry::init(&settings.log);
    crate::telemetry::install_panic_hook();
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        if let Some((user, pw)) = &app.bootstrap_admin {
            // Printed once, to the terminal only (not through the logger).
            println!("\n  First start: created administrator '{user}' with one-time password: {pw}\n  Log in at POST /api/v1/auth/login and keep it safe; it is not shown again.\n");
        }
        println!("hotline listening on http://{} (API docs: /docs/)", settings_bind(&app));
        app.run_until_stopped().await.context("server")
    })
}

fn migrate(settings: &Settings, revert_all: bool) -> anyhow::Result<()> {
    crate::telemetry::init(&settings.log);
    if revert_all {
        let url = settings.db_url()?;
        let db = crate::db::Db::connect(
            &url,
            crate::db::SqliteOptions::of(&settings.database),
            1,
            std::time::Duration::from_secs(settings.database.pool_timeout_secs),
        )?;
        let mut conn = db.get_blocking().map_err(|e| anyhow::anyhow!("{e}"))?;
        let v = portability::revert_all_migrations(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!("reverted: {v:?}");
        return Ok(());
    }
    let prepared = prepare(settings)?;
    println!("database is up to date");
    if let Some((user, pw)) = prepared.bootstrap_admin {
        println!("created administrator '{user}' with one-time password: {pw}");
    }
    Ok(())
}

/// `admin create-user` arguments (the password comes on standard input).
struct NewUserArgs {
    username: String,
    role: String,
    agency: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
}

fn create_user(settings: &Settings, a: NewUserArgs) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from stdin")?;
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    let db = prepare(settings)?.db;
    let new = NewUser::parse(
        &a.username,
        a.display_name.as_deref(),
        &a.role,
        a.agency.as_deref(),
        &password,
    )
    .and_then(|u| u.with_email(a.email.as_deref()))
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let hash = hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut conn = db.get_blocking().map_err(|e| anyhow::anyhow!("{e}"))?;
    let staff = portability::write_transaction(&mut conn, |c| {
        create_user_tx(c, &new, hash, crate::state::Clock::default().now().naive_utc())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created {} ({}, agency {})",
        staff.username,
        staff.role.as_str(),
        staff.agency.as_deref().unwrap_or("-")
    );
    Ok(())
}

fn check_config(settings: &Settings) -> anyhow::Result<()> {
    let url = settings.db_url()?;
    crate::routing::Router::load_dir(&settings.config_dir).context("routing and units configuration")?;
    crate::calendar::Calendar::load_dir(&settings.config_dir.join("calendar")).context("calendar")?;
    let mut shown = settings.clone();
    shown.database.url = url.redacted();
    // Secrets are shown as set or not, never printed.
    if shown.email.smtp_password.is_some() {
        shown.email.smtp_password = Some("********".into());
    }
    println!("{}", toml::to_string_pretty(&shown).context("printing settings")?);
    println!("# configuration OK ({} backend)", url.backend().as_str());
    Ok(())
}

fn evaluate_routing(
    settings: &Settings,
    file: Option<std::path::PathBuf>,
    from_corrections: bool,
) -> anyhow::Result<()> {
    let router = crate::routing::Router::load(&settings.taxonomy_path(), &settings.routing_path())?;
    if from_corrections {
        let db = prepare(settings)?.db;
        let mut conn = db.get_blocking().map_err(|e| anyhow::anyhow!("{e}"))?;
        let rows = crate::db::cases::list_corrections(&mut conn)?;
        println!("{}", corrections_report(&router, &rows));
        return Ok(());
    }
    let file = file.ok_or_else(|| anyhow::anyhow!("give a JSONL file or --from-corrections"))?;
    let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    let report = crate::routing::evaluate(&router, &text)?;
    println!("{report}");
    Ok(())
}

/// Accuracy of the stored suggestions, and of the current rules re-run on the same texts,
/// against what staff decided.
pub fn corrections_report(router: &crate::routing::Router, rows: &[crate::db::cases::CorrectionRow]) -> String {
    use std::fmt::Write;
    let n = rows.len();
    let pct = |k: usize| if n == 0 { 0.0 } else { 100.0 * k as f64 / n as f64 };
    let (mut sk, mut sc, mut sa, mut ck, mut cc, mut ca) = (0, 0, 0, 0, 0, 0);
    let mut misses = Vec::new();
    for r in rows {
        sk += usize::from(r.suggested_kind == r.final_kind);
        sc += usize::from(r.suggested_category == r.final_category);
        let agency_ok = r.suggested_agency == r.final_agency;
        sa += usize::from(agency_ok);
        let now = router.classify(&r.text, None);
        ck += usize::from(now.kind.as_str() == r.final_kind);
        cc += usize::from(now.category == r.final_category);
        ca += usize::from(now.agency == r.final_agency);
        if !agency_ok || r.suggested_category != r.final_category || r.suggested_kind != r.final_kind {
            misses.push(r);
        }
    }
    let mut out = String::new();
    let _ = writeln!(out, "recorded decisions: {n}");
    let _ = writeln!(
        out,
        "stored suggestion vs decision:  kind {:.1}%  category {:.1}%  agency {:.1}%",
        pct(sk),
        pct(sc),
        pct(sa)
    );
    let _ = writeln!(
        out,
        "current rules vs decision:      kind {:.1}%  category {:.1}%  agency {:.1}%",
        pct(ck),
        pct(cc),
        pct(ca)
    );
    if !misses.is_empty() {
        let _ = writeln!(
            out,
            "decisions that differ from the suggestion (case, source: suggested -> decided):"
        );
        for r in misses.iter().take(100) {
            let _ = writeln!(
                out,
                "  {} {}: {}/{}/{} -> {}/{}/{}",
                r.case_id,
                r.source,
                r.suggested_kind,
                r.suggested_category,
                r.suggested_agency.as_deref().unwrap_or("-"),
                r.final_kind,
                r.final_category,
                r.final_agency.as_deref().unwrap_or("-")
            );
        }
    }
    out
}

fn settings_bind(app: &Application) -> String {
    let bind = &app.state.settings.server.bind;
    match bind.rsplit_once(':') {
        Some((host, _)) => format!("{host}:{}", app.port),
        None => bind.clone(),
    }
}
