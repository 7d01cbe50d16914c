//! The worker: claims due jobs, runs them, retries with back-off, schedules the sweep.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;

use crate::config::Settings;
use crate::db::jobs::{self as job_db, JobRow};
use crate::db::{clocks as clock_db, portability, Db};
use crate::email::Mailer;
use crate::error::AppError;
use crate::routing::Router;
use crate::state::Clock;

use super::{enqueue_job, Digest, Job, JobError, SendEmail, Sweep};

/// Prometheus gauges the worker keeps current.
#[derive(Clone)]
pub struct Gauges {
    pub overdue: prometheus::IntGaugeVec,
    pub jobs: prometheus::IntGaugeVec,
}

impl Gauges {
    pub fn register(registry: &prometheus::Registry) -> anyhow::Result<Gauges> {
        let overdue = prometheus::IntGaugeVec::new(
            prometheus::Opts::new("hotline_overdue_clocks", "Running legal clocks past their due date"),
            &["clock"],
        )?;
        let jobs = prometheus::IntGaugeVec::new(prometheus::Opts::new("hotline_jobs", "Jobs by status"), &["status"])?;
        registry.register(Box::new(overdue.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        Ok(Gauges { overdue, jobs })
    }
}

/// One worker: claims and runs jobs.
#[derive(Clone)]
pub struct Worker {
    pub id: String,
    pub(super) db: Db,
    pub(super) settings: Arc<Settings>,
    pub(super) mailer: Mailer,
    pub(super) router: Arc<Router>,
    pub(super) gauges: Option<Gauges>,
    pub(super) clock: Clock,
}

/// What running one job did.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    Nothing,
    Done,
    Retry,
    Dead,
}

impl Worker {
    pub fn new(
        db: Db,
        settings: Arc<Settings>,
        mailer: Mailer,
        router: Arc<Router>,
        gauges: Option<Gauges>,
        clock: Clock,
    ) -> Worker {
        Worker {
            id: format!("worker-{}", uuid::Uuid::new_v4()),
            db,
            settings,
            mailer,
            router,
            gauges,
            clock,
        }
    }

    /// Schedules the sweep for the current interval unless an instance already did.
    pub async fn schedule_sweep(&self) -> Result<bool, AppError> {
        let clock = self.clock.clone();
        let interval = self.settings.jobs.sweep_interval_secs.max(1) as i64;
        let slot = clock.now().timestamp() / interval;
        let max = self.settings.jobs.max_attempts;
        let r = self
            .db
            .write(move |conn| {
                let t = clock.now().naive_utc();
                enqueue_job(conn, &Sweep {}, t, t, Some(format!("sweep:{slot}")), max)
            })
            .await;
        match r {
            Ok(added) => Ok(added),
            // Another instance inserted the same key between our check and insert.
            Err(AppError::Conflict { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Claims and runs one job, if one is due.
    pub async fn run_once(&self) -> Result<Ran, AppError> {
        let worker = self.id.clone();
        let lease = self.settings.jobs.lease_secs;
        let t = self.clock.now().naive_utc();
        let claimed = self
            .db
            .write(
                move |conn| match portability::claim_next_job(conn, &worker, t, t + TimeDelta::seconds(lease))? {
                    Some(id) => Ok(job_db::find(conn, &id)?),
                    None => Ok(None),
                },
            )
            .await?;
        let Some(job) = claimed else { return Ok(Ran::Nothing) };
        // A panicking job is a failed attempt (retried with back-off like any other failure),
        // not the end of the worker loop. The hook logs where it panicked, not the message.
        let result = futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(self.execute(&job)))
            .await
            .unwrap_or_else(|_| Err(("the job panicked (see the log for where)".to_owned(), false)));
        let worker = self.id.clone();
        let base = self.settings.jobs.backoff_base_secs;
        let id = job.id.clone();
        match result {
            Ok(()) => {
                let t = self.clock.now().naive_utc();
                self.db
                    .write(move |conn| {
                        job_db::finish(conn, &id, &worker, t)?;
                        Ok(())
                    })
                    .await?;
                Ok(Ran::Done)
            }
            Err((message, permanent)) => {
                let dead = permanent || job.attempts >= job.max_attempts;
                tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, dead, error = %message, "job failed");
                let t = self.clock.now().naive_utc();
                let retry_at = (!dead).then(|| {
                    let exp = (job.attempts - 1).clamp(0, 16) as u32;
                    t + TimeDelta::seconds(base.saturating_mul(1i64 << exp))
                });
                self.db
                    .write(move |conn| {
                        job_db::fail(conn, &id, &worker, &message, retry_at, t)?;
                        Ok(())
                    })
                    .await?;
                Ok(if dead { Ran::Dead } else { Ran::Retry })
            }
        }
    }

    /// Runs jobs until none is due (tests and the CLI).
    pub async fn drain(&self) -> Result<usize, AppError> {
        let mut n = 0;
        while self.run_once().await? != Ran::Nothing {
            n += 1;
        }
        Ok(n)
    }

    /// Returns Err((message, permanent)).
    /// Runs one claimed job: the one table from job names to job types.
    async fn execute(&self, job: &JobRow) -> Result<(), (String, bool)> {
        let ran = match job.kind.as_str() {
            SendEmail::NAME => self.run_typed::<SendEmail>(&job.payload).await,
            Sweep::NAME => self.run_typed::<Sweep>(&job.payload).await,
            Digest::NAME => self.run_typed::<Digest>(&job.payload).await,
            other => Err(JobError {
                message: format!("unknown job kind {other}"),
                permanent: true,
            }),
        };
        ran.map_err(|e| (e.message, e.permanent))
    }

    async fn run_typed<J: Job>(&self, payload: &str) -> Result<(), JobError> {
        let job: J = serde_json::from_str(payload).map_err(|e| JobError {
            message: format!("unreadable {} payload: {e}", J::NAME),
            permanent: true,
        })?;
        job.run(self).await
    }

    /// Refreshes the gauges from the database.
    pub async fn refresh_gauges(&self) -> Result<(), AppError> {
        let Some(g) = self.gauges.clone() else { return Ok(()) };
        let (overdue, jobs) = self
            .db
            .run(|conn| Ok((clock_db::overdue_counts(conn)?, job_db::count_by_status(conn)?)))
            .await?;
        g.overdue.reset();
        for (clock, n) in overdue {
            g.overdue.with_label_values(&[clock.as_str()]).set(n);
        }
        g.jobs.reset();
        for (status, n) in jobs {
            g.jobs.with_label_values(&[status.as_str()]).set(n);
        }
        Ok(())
    }

    /// The loop `serve` runs: schedule sweeps, run due jobs, sleep when idle.
    pub async fn run_forever(self) {
        let poll = Duration::from_millis(self.settings.jobs.poll_interval_ms.max(50));
        let mut last_sweep_check = std::time::Instant::now() - Duration::from_secs(3600);
        let mut last_gauges = last_sweep_check;
        let analyze_every = Duration::from_secs(self.settings.database.sqlite_analyze_interval_secs);
        let mut last_analyze = std::time::Instant::now();
        let mut last_orphans = std::time::Instant::now();
        loop {
            if last_orphans.elapsed() >= crate::service::evidence::ORPHAN_GRACE {
                let dir = self.settings.evidence_dir();
                match crate::service::evidence::remove_orphans(
                    &self.db,
                    &dir,
                    std::time::SystemTime::now(),
                    crate::service::evidence::ORPHAN_GRACE,
                )
                .await
                {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(files = n, "evidence files no row names removed"),
                    Err(e) => tracing::warn!(error = %e, "removing evidence files no row names failed"),
                }
                last_orphans = std::time::Instant::now();
            }
            if !analyze_every.is_zero() && last_analyze.elapsed() >= analyze_every {
                let analyzed = self
                    .db
                    .write(|conn| Ok(crate::db::portability::refresh_planner_statistics(conn)?))
                    .await;
                match analyzed {
                    Ok(true) => tracing::info!("planner statistics refreshed (the cases grew or shrank by a tenth)"),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "refreshing planner statistics failed"),
                }
                last_analyze = std::time::Instant::now();
            }
            if last_sweep_check.elapsed() >= Duration::from_secs(10) {
                if let Err(e) = self.schedule_sweep().await {
                    tracing::warn!(error = %e, "scheduling the sweep failed");
                }
                last_sweep_check = std::time::Instant::now();
            }
            if last_gauges.elapsed() >= Duration::from_secs(15) {
                if let Err(e) = self.refresh_gauges().await {
                    tracing::warn!(error = %e, "refreshing gauges failed");
                }
                last_gauges = std::time::Instant::now();
            }
            match self.run_once().await {
                Ok(Ran::Nothing) => tokio::time::sleep(poll).await,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "job worker");
                    tokio::time::sleep(poll).await;
                }
            }
        }
    }
}
