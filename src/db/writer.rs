//! SQLite's one writer: group commit (ADR 0040).
//!
//! Every write of the service on SQLite is a *unit*: a closure over the connection, queued on a
//! bounded channel with a oneshot for its answer. One thread owns the writing connection. It
//! takes the first waiting unit, drains whatever else is waiting (at most `max_batch`), opens
//! one `BEGIN IMMEDIATE` transaction, runs each unit inside its own SAVEPOINT, commits once (one
//! fsync with `synchronous = FULL`) and only then answers every unit. A unit that fails (an
//! error or a panic) is rolled back to its savepoint and answered with its error; its
//! neighbours commit. A failed COMMIT rolls the whole batch back and answers every unit with
//! the commit's error: nothing is acknowledged before it is durable.
//!
//! The units of a batch run one after another on one connection: a unit sees the writes of the
//! units before it, and version checks stay exact.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use diesel::result::Error as DieselError;

use super::connection::AnyConnection;
use super::portability;
use crate::error::{AppError, Unavailable};

/// The database's figures in `/metrics`: the SQLite writer's, and the wait for a pooled
/// connection in [`super::Db::run`] (both backends).
#[derive(Clone)]
pub struct WriterMetrics {
    /// Units waiting in the queue.
    pub queue_depth: prometheus::IntGauge,
    /// Units per committed transaction.
    pub batch_size: prometheus::Histogram,
    /// Units answered with an error (rolled back to their savepoint, refused, or in a batch
    /// whose commit failed).
    pub units_failed: prometheus::IntCounter,
    /// Seconds the writer spent per batch, by phase: `units` (running the units), `commit`
    /// (indexing the batch's new cases and COMMIT, with its fsync), `idle_merge` (one idle step
    /// of the search index's upkeep).
    pub seconds: prometheus::HistogramVec,
    /// Seconds a request waited for a pooled connection in [`super::Db::run`] (reads on both
    /// backends, and writes on PostgreSQL), including waits that ended in a 503.
    pub pool_wait: prometheus::Histogram,
}

impl WriterMetrics {
    /// Builds the metrics, not yet registered anywhere.
    pub fn new() -> Result<WriterMetrics, prometheus::Error> {
        Ok(WriterMetrics {
            queue_depth: prometheus::IntGauge::new(
                "hotline_db_writer_queue_depth",
                "Write units waiting for the SQLite writer",
            )?,
            batch_size: prometheus::Histogram::with_opts(
                prometheus::HistogramOpts::new(
                    "hotline_db_writer_batch_size",
                    "Write units committed together in one SQLite transaction",
                )
                .buckets(vec![1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0]),
            )?,
            units_failed: prometheus::IntCounter::new(
                "hotline_db_writer_units_failed_total",
                "Write units answered with an error",
            )?,
            seconds: prometheus::HistogramVec::new(
                prometheus::HistogramOpts::new(
                    "hotline_db_writer_seconds",
                    "Seconds the SQLite writer spent per batch, by phase (units, commit, idle_merge)",
                )
                .buckets(vec![
                    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ]),
                &["phase"],
            )?,
            pool_wait: prometheus::Histogram::with_opts(
                prometheus::HistogramOpts::new(
                    "hotline_db_pool_wait_seconds",
                    "Seconds a request waited for a pooled database connection",
                )
                .buckets(vec![
                    0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
                ]),
            )?,
        })
    }

    /// Adds the metrics to `registry` (`/metrics`).
    pub fn register(&self, registry: &prometheus::Registry) -> Result<(), prometheus::Error> {
        registry.register(Box::new(self.queue_depth.clone()))?;
        registry.register(Box::new(self.batch_size.clone()))?;
        registry.register(Box::new(self.units_failed.clone()))?;
        registry.register(Box::new(self.seconds.clone()))?;
        registry.register(Box::new(self.pool_wait.clone()))?;
        Ok(())
    }
}

/// Why a whole batch failed (its BEGIN, a savepoint, or its COMMIT), given to every unit of it.
#[derive(Debug, Clone)]
struct BatchFailure {
    cause: Option<Unavailable>,
    message: String,
}

impl BatchFailure {
    fn of(e: &DieselError) -> BatchFailure {
        BatchFailure {
            cause: Unavailable::from_database_error(e),
            message: e.to_string(),
        }
    }

    fn to_error(&self) -> AppError {
        match self.cause {
            Some(cause) => AppError::Unavailable(cause),
            None => AppError::Internal(anyhow::anyhow!("write transaction failed: {}", self.message)),
        }
    }
}

/// A queued unit of work, whatever its answer's type.
trait Work: Send {
    fn queued_at(&self) -> Instant;
    /// Runs the unit in a savepoint; `Err` when the savepoint itself failed (the batch's
    /// transaction is then in doubt and is rolled back).
    fn run(self: Box<Self>, conn: &mut AnyConnection) -> (Box<dyn Answer>, Result<(), DieselError>);
    /// Answers without running.
    fn refuse(self: Box<Self>, error: AppError);
}

/// A unit that ran, waiting for its batch's commit.
trait Answer: Send {
    fn failed(&self) -> bool;
    fn send(self: Box<Self>, batch: Result<(), &BatchFailure>);
}

struct Job<T, F> {
    f: F,
    reply: tokio::sync::oneshot::Sender<Result<T, AppError>>,
    queued_at: Instant,
}

struct Done<T> {
    result: Result<T, AppError>,
    reply: tokio::sync::oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> Work for Job<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
{
    fn queued_at(&self) -> Instant {
        self.queued_at
    }

    fn run(self: Box<Self>, conn: &mut AnyConnection) -> (Box<dyn Answer>, Result<(), DieselError>) {
        let Job { f, reply, .. } = *self;
        let (result, savepoint) = match portability::in_savepoint(conn, f) {
            Ok(result) => (result, Ok(())),
            Err(e) => (
                Err(AppError::Internal(anyhow::anyhow!("savepoint failed: {e}"))),
                Err(e),
            ),
        };
        (Box::new(Done { result, reply }), savepoint)
    }

    fn refuse(self: Box<Self>, error: AppError) {
        let _gone = self.reply.send(Err(error));
    }
}

impl<T: Send + 'static> Answer for Done<T> {
    fn failed(&self) -> bool {
        self.result.is_err()
    }

    fn send(self: Box<Self>, batch: Result<(), &BatchFailure>) {
        let answer = match batch {
            Ok(()) => self.result,
            Err(failure) => Err(failure.to_error()),
        };
        // The caller may have gone (client disconnected): its write stands, nobody to tell.
        let _gone = self.reply.send(answer);
    }
}

/// The sending side of the writer, held by [`super::Db`].
pub struct Writer {
    queue: SyncSender<Box<dyn Work>>,
    metrics: WriterMetrics,
}

/// How the writer thread batches.
pub struct WriterOptions {
    /// Units that may wait; one more is refused at once with 503 busy.
    pub max_queued: usize,
    /// Units committed together at most.
    pub max_batch: usize,
    /// A unit that waited longer than this is refused (503 busy) without running.
    pub max_wait: Duration,
    /// The checkpointer's pause after each checkpoint: the commits of the pause wait for the
    /// next, and a page they write again is copied into the database file once (ADR 0060).
    pub checkpoint_every: Duration,
}

impl Writer {
    /// Starts the writer thread on `conn`, and the checkpointer's on `checkpoints` (a
    /// connection of its own to the same file). The writer ends when the last [`Writer`] is
    /// dropped, and the checkpointer with it.
    pub fn start(
        mut conn: AnyConnection,
        checkpoints: AnyConnection,
        options: WriterOptions,
        metrics: WriterMetrics,
    ) -> std::io::Result<Writer> {
        let (queue, units) = std::sync::mpsc::sync_channel::<Box<dyn Work>>(options.max_queued.max(1));
        let thread_metrics = metrics.clone();
        {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&format!("PRAGMA wal_autocheckpoint = {WRITER_CHECKPOINT_PAGES}"))
                .map_err(std::io::Error::other)?;
        }
        let (committed, commits) = std::sync::mpsc::sync_channel::<()>(1);
        let pause = options.checkpoint_every;
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || checkpoint_after(checkpoints, &commits, pause))?;
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, &units, &committed, &options, &thread_metrics))?;
        Ok(Writer { queue, metrics })
    }

    /// Queues `f` and waits for the answer given after the commit of its batch.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Box<dyn Work> = Box::new(Job {
            f,
            reply,
            queued_at: Instant::now(),
        });
        self.metrics.queue_depth.inc();
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.metrics.queue_depth.dec();
                self.metrics.units_failed.inc();
                return Err(AppError::Unavailable(Unavailable::Busy));
            }
            Err(TrySendError::Disconnected(_)) => {
                self.metrics.queue_depth.dec();
                return Err(AppError::Internal(anyhow::anyhow!("the SQLite writer has stopped")));
            }
        }
        answer
            .await
            .unwrap_or_else(|_| Err(AppError::Internal(anyhow::anyhow!("the SQLite writer dropped a write"))))
    }
}

/// The checkpointer: copies the write-ahead log into the database file from a thread of its
/// own (ADR 0051).
///
/// A checkpoint (copy the committed WAL frames into the database file, fsync it) costs the
/// thread that runs it: with SQLite's automatic checkpoint that is the writer, at the commit
/// after the WAL reaches 1,000 pages, and every unit queued behind it waits (11% of the
/// writer's time at c=32 intake, and its fsync). Here the writer signals each commit on
/// `commits` (a channel of one slot: signals that come while one waits are one), and a second
/// connection runs a `PASSIVE` checkpoint after it, at most once per `pause`
/// (`database.sqlite_checkpoint_every_ms`): it
/// copies what is committed while the writer goes on, and takes no lock the writer waits for.
/// Nothing is written, nothing is done. The writer keeps an automatic checkpoint at
/// [`WRITER_CHECKPOINT_PAGES`]: when it comes, it finds the frames already copied, and the WAL
/// starts again from its beginning (and if this thread ever fails, the WAL stays bounded).
/// The loop ends when the writer thread does (the channel closes).
fn checkpoint_after(mut conn: AnyConnection, commits: &Receiver<()>, pause: Duration) {
    use diesel::connection::SimpleConnection;
    let mut failing = false;
    while commits.recv().is_ok() {
        match conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
            Ok(()) if failing => {
                failing = false;
                tracing::info!("SQLite background checkpoints work again");
            }
            Ok(()) => {}
            // Logged once per failing spell; the writer's own checkpoints go on meanwhile.
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "SQLite background checkpoint failed");
            }
            Err(_) => {}
        }
        std::thread::sleep(pause);
    }
}

/// The writer's own automatic checkpoint, in WAL pages (SQLite's default: 1,000): a backstop
/// that also lets the WAL start again from its beginning (it can only when every frame has
/// been copied as a write begins, which the checkpointer alone rarely sees under load).
const WRITER_CHECKPOINT_PAGES: u32 = 8_000;

/// The writer thread: one batch after another until every sender is gone.
fn run(
    mut conn: AnyConnection,
    units: &Receiver<Box<dyn Work>>,
    committed: &SyncSender<()>,
    options: &WriterOptions,
    metrics: &WriterMetrics,
) {
    let max_batch = options.max_batch.max(1);
    let mut idle = portability::IdleMerge::default();
    loop {
        let first = match units.try_recv() {
            Ok(unit) => unit,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                // Nothing waits: a moment to tidy the search index, then sleep until a unit comes.
                let start = Instant::now();
                if idle.step(&mut conn) {
                    observe(metrics, "idle_merge", start, 0);
                    let _pending = committed.try_send(());
                }
                match units.recv() {
                    Ok(unit) => unit,
                    Err(_) => return,
                }
            }
        };
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match units.try_recv() {
                Ok(unit) => batch.push(unit),
                Err(_) => break,
            }
        }
        metrics.queue_depth.sub(i64::try_from(batch.len()).unwrap_or(i64::MAX));
        let (fresh, stale): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .partition(|u| u.queued_at().elapsed() <= options.max_wait);
        for unit in stale {
            metrics.units_failed.inc();
            unit.refuse(AppError::Unavailable(Unavailable::Busy));
        }
        if !fresh.is_empty() {
            metrics.batch_size.observe(fresh.len() as f64);
            idle.wrote(fresh.len());
            commit_batch(&mut conn, fresh, metrics);
            // For the checkpointer; a signal already waiting covers this commit too.
            let _pending = committed.try_send(());
        }
    }
}

/// A phase that takes longer than this is logged (a warning: every unit of its batch, and
/// every unit queued behind it, waited that long).
const SLOW_PHASE: Duration = Duration::from_millis(250);

/// Records the duration of one phase of the writer since `start`; logs it when slow.
fn observe(metrics: &WriterMetrics, phase: &str, start: Instant, units: usize) {
    let took = start.elapsed();
    metrics.seconds.with_label_values(&[phase]).observe(took.as_secs_f64());
    if took >= SLOW_PHASE {
        tracing::warn!(
            phase,
            units,
            millis = u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
            "slow SQLite writer phase"
        );
    }
}

/// Runs `units` in one transaction, each in its savepoint, commits once, then answers them.
fn commit_batch(conn: &mut AnyConnection, units: Vec<Box<dyn Work>>, metrics: &WriterMetrics) {
    if let Err(e) = portability::begin_write(conn) {
        let failure = BatchFailure::of(&e);
        for unit in units {
            metrics.units_failed.inc();
            unit.refuse(failure.to_error());
        }
        return;
    }
    let size = units.len();
    let start = Instant::now();
    let mut answers: Vec<Box<dyn Answer>> = Vec::with_capacity(size);
    let mut units = units.into_iter();
    let mut failure = None;
    for unit in units.by_ref() {
        let (answer, savepoint) = unit.run(conn);
        answers.push(answer);
        if let Err(e) = savepoint {
            failure = Some(BatchFailure::of(&e));
            break;
        }
    }
    observe(metrics, "units", start, size);
    let start = Instant::now();
    let outcome = match failure {
        None => portability::commit_write(conn).map_err(|e| BatchFailure::of(&e)),
        Some(f) => {
            portability::rollback_write(conn);
            Err(f)
        }
    };
    observe(metrics, "commit", start, size);
    if let Err(f) = &outcome {
        tracing::error!(units = answers.len(), error = %f.message, "write batch rolled back");
    }
    for answer in answers {
        if outcome.is_err() || answer.failed() {
            metrics.units_failed.inc();
        }
        answer.send(outcome.as_ref().map(|_| ()));
    }
    // Units never run because the batch failed before them.
    if let Err(f) = &outcome {
        for unit in units {
            metrics.units_failed.inc();
            unit.refuse(f.to_error());
        }
    }
}
