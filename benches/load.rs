//! Load benchmark of hotline, in-process, on SQLite and PostgreSQL.
//!
//! Run it from the repository root:
//!
//! ```text
//! cargo bench --bench load                # full run (20,000 intake requests, 100,000 cases; 10+ minutes)
//! cargo bench --bench load -- --quick     # smoke run (a minute or two)
//! ```
//!
//! Options (after `--`): `--quick`, `--cases N` (cases in the database before the read
//! benchmarks), `--intake N` (public intake requests over HTTP, split 20/40/40 over
//! concurrency 1, 8 and 32), `--preload N[,N…]` (table sizes: cases are loaded up to each
//! and the intake measured there, in one run on one growing database, with a table of the intake
//! against the table's size at the end: `--preload 10000,1000000` is item 5's comparison; after
//! each load the planner's statistics are refreshed, as the service's worker does hourly, and the
//! load is checkpointed and synced to disk before anything is measured), `--max-batch N`
//! (SQLite group commit's batch cap; 1 = one transaction per write), `--writer-cache-mib N`
//! and `--mmap-mib N` (SQLite's writer page cache and memory map, ADR 0043), `--backend
//! sqlite|postgres|both` (default both),
//! `--keep` (leave the SQLite file and the PostgreSQL database in place, to serve and profile).
//!
//! PostgreSQL: connects to `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`),
//! creates a throw-away database `hotline_bench_<random>` and drops it at the end. If the server
//! is unreachable, PostgreSQL is skipped with a loud line. SQLite uses a file in a temporary folder.
//!
//! For each backend it measures, interleaved in one run: the raw ceiling of a minimal durable
//! intake transaction (BEGIN; INSERT case; INSERT event; COMMIT on two tables of its own in the
//! same database: one writer on SQLite, 32 connections on PostgreSQL, each statement its own
//! call like `pgbench` sends a script's lines) before and
//! after each level of the public intake (`POST /api/v1/public/complaints`) at concurrency 1, 8
//! and 32; the ratio of the intake at c=32 to the ceiling measured next to it; the process's
//! memory (VmRSS, VmHWM: service and load client, in-process); the raw rate of the service's own
//! intake transaction (`create_case_tx` in `write_transaction`, one thread, no HTTP); then, after loading the database to `--cases`
//! cases, `GET /api/v1/cases/{id}` and the first page of `GET /api/v1/cases`. It prints numbers
//! next to the targets; it never fails on a missed target (exit code 0 unless setup fails).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::*;

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use diesel::prelude::*;
use hotline::db::{portability, AnyConnection};
use hotline::domain::case::Channel;
use hotline::domain::complaint::{Business, Consumer, NewComplaint};
use hotline::domain::user::Actor;
use hotline::domain::values::{Phone, TaxCode};
use hotline::service::intake::{create_case_tx, IntakeContext};
use hotline::startup::Application;
use rand::Rng;

const LEVELS: [usize; 3] = [1, 8, 32];
const BULK_BATCH: usize = 500;
const READ_CONCURRENCY: usize = 8;

// ------------------------------------------------------------------ options

#[derive(Debug, Clone)]
struct Opts {
    quick: bool,
    /// Requests per concurrency level (index matches `LEVELS`).
    intake: [usize; 3],
    raw: usize,
    /// Table sizes at which the intake is measured, in increasing order: cases are loaded up to
    /// each before its measurement (the intake's speed against the table's size, item 5).
    preload: Vec<usize>,
    /// Seconds of each raw-ceiling sample.
    ceiling_secs: f64,
    /// `database.sqlite_max_batch` (1: one transaction per write, as before group commit).
    max_batch: Option<usize>,
    /// `database.sqlite_writer_cache_mib` and `database.sqlite_mmap_mib` (ADR 0043).
    writer_cache_mib: Option<usize>,
    mmap_mib: Option<usize>,
    cases: usize,
    gets: usize,
    lists: usize,
    backends: Vec<Kind>,
    /// Leave the database in place afterwards (e.g. to serve it and profile by hand).
    keep: bool,
}

fn parse_args() -> anyhow::Result<Opts> {
    let mut quick = false;
    let mut cases = None;
    let mut intake = None;
    let mut preload = Vec::new();
    let mut max_batch = None;
    let (mut writer_cache_mib, mut mmap_mib) = (None, None);
    let mut backend = "both".to_owned();
    let mut keep = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        match flag.as_str() {
            "--quick" => quick = true,
            "--keep" => keep = true,
            "--cases" => cases = Some(parse_count("--cases", inline.or_else(|| args.next()))?),
            "--intake" => intake = Some(parse_count("--intake", inline.or_else(|| args.next()))?),
            "--preload" => {
                let v = inline.or_else(|| args.next());
                preload = v
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .map(|n| parse_count("--preload", Some(n.trim().to_owned())))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                preload.sort_unstable();
            }
            "--max-batch" => max_batch = Some(parse_count("--max-batch", inline.or_else(|| args.next()))?),
            "--writer-cache-mib" => {
                writer_cache_mib = Some(parse_count("--writer-cache-mib", inline.or_else(|| args.next()))?)
            }
            "--mmap-mib" => mmap_mib = Some(parse_count("--mmap-mib", inline.or_else(|| args.next()))?),
            "--backend" => {
                backend = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| anyhow!("--backend needs a value"))?
            }
            _ => {} // cargo passes --bench; anything else is ignored too
        }
    }
    let backends = Kind::parse_list(&backend)?;
    let intake_total = intake.unwrap_or(if quick { 900 } else { 20_000 });
    let first = intake_total / 5;
    let second = (intake_total - first) / 2;
    Ok(Opts {
        quick,
        intake: [first, second, intake_total - first - second],
        raw: if quick { 500 } else { 5_000 },
        preload,
        max_batch,
        writer_cache_mib,
        mmap_mib,
        ceiling_secs: if quick { 1.0 } else { 3.0 },
        cases: cases.unwrap_or(if quick { 3_000 } else { 100_000 }),
        gets: if quick { 300 } else { 2_000 },
        lists: if quick { 200 } else { 1_000 },
        backends,
        keep,
    })
}

// ------------------------------------------------------------------ realistic complaints

const NAMES: &[&str] = &[
    "Nguyễn Văn An",
    "Trần Thị Bích Ngọc",
    "Lê Hoàng Minh",
    "Phạm Thu Hà",
    "Hoàng Đức Thắng",
    "Vũ Thị Lan Anh",
    "Đặng Quốc Huy",
    "Bùi Ngọc Ánh",
    "Đỗ Mạnh Cường",
    "Ngô Thị Hương",
    "Dương Văn Tùng",
    "Lý Thị Mai",
];

const PROVINCES: &[&str] = &[
    "Thái Nguyên",
    "Hà Nội",
    "Bắc Ninh",
    "Hải Phòng",
    "Nghệ An",
    "Đà Nẵng",
    "Lâm Đồng",
    "Cần Thơ",
    "Thành phố Hồ Chí Minh",
];

const BUSINESSES: &[(&str, Option<&str>)] = &[
    ("Công ty TNHH Thương mại Minh Phát", Some("4601234567")),
    ("Cửa hàng Điện máy Hoàng Long", None),
    ("Shop Thời Trang Xinh Xinh trên sàn thương mại điện tử", None),
    ("Công ty Cổ phần Du lịch Biển Xanh", Some("0312345678")),
    ("Cửa hàng xăng dầu số 12", Some("4600112233-001")),
    ("Nhà hàng Hải Sản Phố Biển", None),
    ("Công ty Bảo hiểm Nhân thọ An Tâm", Some("0109876543")),
    ("Siêu thị Mini Tâm An", None),
    ("Công ty TNHH Mỹ phẩm Ngọc Trinh Beauty", Some("0315556677")),
    ("Đại lý gas Phúc Lộc", None),
];

/// Stories: `{biz}`, `{amt}`, `{day}` and `{month}` are filled in.
const STORIES: &[&str] = &[
    "Tôi đặt mua một chiếc điện thoại trên sàn thương mại điện tử ngày {day}/{month}, shop {biz} giao sai mẫu và màu. Tôi yêu cầu hoàn tiền {amt} đồng nhưng shop không trả lời tin nhắn.",
    "Ngày {day}/{month} tôi đổ xăng tại {biz}, trả {amt} đồng nhưng đồng hồ xe chỉ tăng chưa đến nửa vạch. Đề nghị cơ quan chức năng kiểm tra cột bơm vì nhiều người cũng bị như vậy.",
    "Tôi nhận được cuộc gọi của người tự xưng là nhân viên ngân hàng, yêu cầu cung cấp mã OTP để nhận quà tri ân. Sau đó tài khoản của tôi bị chiếm đoạt {amt} đồng.",
    "Mẹ tôi 72 tuổi mua thực phẩm chức năng qua livestream của {biz}, quảng cáo chữa khỏi tiểu đường. Dùng xong bà bị mệt, phải đi viện. Cho tôi hỏi có được trả lại hàng và bồi thường không?",
    "Nhà hàng {biz} tính giá cao hơn giá niêm yết trên thực đơn, hóa đơn bữa tối ngày {day}/{month} là {amt} đồng. Tôi muốn được hoàn lại phần chênh lệch.",
    "Hóa đơn tiền điện tháng {month} của gia đình tôi tăng gấp ba so với tháng trước dù sử dụng bình thường. Đề nghị điện lực kiểm tra lại công tơ điện.",
    "Tôi mua máy giặt tại {biz} giá {amt} đồng, mới dùng hai tháng đã hỏng bo mạch. Trung tâm bảo hành từ chối bảo hành với lý do lỗi người dùng.",
    "{biz} hủy tour Đà Nẵng ba ngày hai đêm sát ngày khởi hành ({day}/{month}) và chỉ đồng ý hoàn 50% tiền cọc {amt} đồng. Tôi đề nghị hỗ trợ thương lượng để lấy lại đủ tiền.",
    "Nhà mạng tự đăng ký dịch vụ giá trị gia tăng và trừ tiền cước hằng tháng mà tôi không hề đăng ký, tổng cộng khoảng {amt} đồng từ đầu năm.",
    "Tôi mua bao gạo 10 kg ở {biz} nhưng cân lại chỉ được 9,2 kg. Nhiều người trong xóm cũng bị thiếu cân như vậy, đề nghị kiểm tra.",
    "Cho tôi hỏi {biz} từ chối chi trả quyền lợi bảo hiểm sức khỏe khi tôi nằm viện năm ngày có đúng quy định không? Hợp đồng tôi đóng phí đầy đủ.",
    "Tôi tham gia một công ty bán hàng đa cấp, được hứa hoa hồng cao khi giới thiệu thêm người. Nay tôi muốn chấm dứt hợp đồng nhưng công ty không mua lại hàng trị giá {amt} đồng.",
    "Tôi mua kem dưỡng da của {biz}, bao bì không có nhãn phụ tiếng Việt, không rõ nguồn gốc xuất xứ. Dùng ba ngày bị dị ứng, nổi mẩn đỏ.",
    "Bình gas mua ở {biz} ngày {day}/{month} bị rò rỉ ở van, cửa hàng không chịu đổi bình mới. Tôi lo ngại nguy hiểm cho gia đình có con nhỏ.",
];

const REQUESTS: &[Option<&str>] = &[
    Some("Yêu cầu hoàn lại toàn bộ số tiền đã thanh toán."),
    None,
    Some("Đề nghị đổi sản phẩm mới và xin lỗi khách hàng."),
    Some("Đề nghị cơ quan chức năng kiểm tra, xử lý."),
    None,
    Some("Yêu cầu bồi thường thiệt hại."),
];

/// One complaint's fields, shared by the JSON body (HTTP path) and the domain value (raw path).
struct Sample {
    description: String,
    request: Option<&'static str>,
    name: &'static str,
    phone: String,
    province: &'static str,
    business: &'static str,
    tax_code: Option<&'static str>,
    amount: i64,
}

fn vnd(amount: i64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

fn sample(i: usize, salt: u64) -> Sample {
    let h = mix(i as u64 ^ salt);
    let (business, tax_code) = pick(BUSINESSES, h, 16);
    let amount = 150_000 + ((h >> 24) % 200) as i64 * 50_000;
    let day = 1 + (h >> 32) % 28;
    let month = 1 + (h >> 40) % 12;
    let story = pick(STORIES, h, 0)
        .replace("{biz}", business)
        .replace("{amt}", &vnd(amount))
        .replace("{day}", &day.to_string())
        .replace("{month}", &month.to_string());
    let description = format!("{story} Mã giao dịch GD{:07}.", i);
    Sample {
        description,
        request: pick(REQUESTS, h, 48),
        name: pick(NAMES, h, 8),
        phone: format!("09{:08}", (h >> 20) % 100_000_000),
        province: pick(PROVINCES, h, 56),
        business,
        tax_code,
        amount,
    }
}

fn complaint_json(s: &Sample) -> String {
    serde_json::json!({
        "description": s.description,
        "consumer_request": s.request,
        "amount_vnd": s.amount,
        "consumer": { "name": s.name, "phone": s.phone, "province": s.province, "consent": true },
        "business": { "name": s.business, "tax_code": s.tax_code },
    })
    .to_string()
}

fn complaint_domain(s: &Sample) -> anyhow::Result<NewComplaint> {
    Ok(NewComplaint {
        kind: None,
        category: None,
        channel: Channel::Web,
        description: s.description.clone(),
        consumer_request: s.request.map(str::to_owned),
        amount_vnd: Some(s.amount),
        transaction_date: None,
        consumer: Consumer {
            name: s.name.to_owned(),
            phone: Some(Phone::parse("consumer.phone", &s.phone).map_err(|e| anyhow!("phone {}: {e}", s.phone))?),
            email: None,
            address: None,
            commune: None,
            province: Some(s.province.to_owned()),
            vulnerable: vec![],
            consent: true,
        },
        business: Business {
            name: Some(s.business.to_owned()),
            tax_code: s
                .tax_code
                .map(|t| TaxCode::parse("business.tax_code", t))
                .transpose()
                .map_err(|e| anyhow!("tax code: {e}"))?,
            ..Business::default()
        },
        product: None,
        reporter: Default::default(),
    })
}

// ------------------------------------------------------------------ one backend

/// The intake's figures at one table size (`--preload`).
struct SizeFigures {
    cases_before: usize,
    intake: Vec<(usize, f64, f64, f64, usize)>,
    ratio_at_32: f64,
}

#[derive(Default)]
struct Report {
    /// The intake at each table size of `--preload`, smallest first.
    by_size: Vec<SizeFigures>,
    intake: Vec<(usize, f64, f64, f64, usize)>, // (concurrency, req/s, p50, p99, failures)
    /// Raw ceiling samples (tx/s), one before the first level and one after each.
    ceiling: Vec<f64>,
    /// VmRSS and VmHWM after the c=32 level, MiB.
    rss_mib: (f64, f64),
    /// CPU of the whole machine per intake at c=32, ms (see [`machine_busy_ms`]).
    machine_ms_at_32: f64,
    raw_rate: f64,
    bulk_rate: f64,
    total_cases: i64,
    get_p50: f64,
    get_p99: f64,
    get_failures: usize,
    list_p50: f64,
    list_p99: f64,
    list_failures: usize,
    filtered_ms: f64,
    filtered_items: usize,
}

impl Report {
    fn best_intake(&self) -> f64 {
        self.intake.iter().map(|l| l.1).fold(0.0, f64::max)
    }

    /// The ceiling next to level `idx`: the mean of the samples before and after it.
    fn ceiling_at(&self, idx: usize) -> f64 {
        match (self.ceiling.get(idx), self.ceiling.get(idx + 1)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            (Some(a), None) => *a,
            _ => f64::NAN,
        }
    }

    /// HTTP intake at level `idx` over the ceiling measured next to it.
    fn ratio_at(&self, idx: usize) -> f64 {
        self.intake.get(idx).map_or(f64::NAN, |l| l.1 / self.ceiling_at(idx))
    }
}

fn insert_batch(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    agency: &str,
    batch: &[NewComplaint],
) -> anyhow::Result<Vec<String>> {
    portability::write_transaction(conn, |c| {
        let mut ids = Vec::with_capacity(batch.len());
        for complaint in batch {
            let row = create_case_tx(c, ctx, &Actor::Citizen, complaint, agency, None, ctx.clock.now())?;
            ids.push(row.id.into_string());
        }
        Ok::<_, hotline::error::AppError>(ids)
    })
    .map_err(|e| anyhow!("bulk insert: {e}"))
}

/// The loader's own connection, closed when a load ends. It writes as the service's one
/// writer does (its page cache: with a reader's 2 MiB cache, the load at 700,000 cases spent
/// ~70% of its time in `pread`); a pooled connection would keep that cache afterwards and
/// count in the service's memory.
fn loader_connection(state: &hotline::state::AppState) -> anyhow::Result<AnyConnection> {
    let sqlite = hotline::db::SqliteOptions::of(&state.settings.database);
    Ok(hotline::db::connection::establish_writer(
        &state.settings.db_url()?,
        &sqlite,
    )?)
}

/// A uniform sample of the ids of the cases written (the reads ask for random cases), bounded
/// so that the process's memory at a million cases is the service's, not this list's.
#[derive(Default)]
struct IdReservoir {
    seen: usize,
    ids: Vec<String>,
}

const ID_SAMPLE: usize = 20_000;

impl IdReservoir {
    fn extend(&mut self, ids: impl IntoIterator<Item = String>) {
        let mut rng = rand::rng();
        for id in ids {
            self.seen += 1;
            if self.ids.len() < ID_SAMPLE {
                self.ids.push(id);
            } else if let Some(slot) = self.ids.get_mut(rng.random_range(0..self.seen)) {
                *slot = id;
            }
        }
    }
}

// ------------------------------------------------------------------ raw ceiling

/// The minimal durable intake transaction's tables: a case and its event, like pgbench's own
/// tables next to the service's.
const CEILING_TABLES: &str = "CREATE TABLE IF NOT EXISTS bench_case (id TEXT PRIMARY KEY, phone TEXT NOT NULL, \
     business TEXT NOT NULL, description TEXT NOT NULL, created_at TEXT NOT NULL); \
     CREATE TABLE IF NOT EXISTS bench_event (id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES bench_case (id), \
     data TEXT NOT NULL, created_at TEXT NOT NULL);";

/// One minimal transaction: BEGIN; INSERT case; INSERT event; COMMIT — four statements sent
/// one after another, as `pgbench` runs a script (one round trip each on PostgreSQL). Sent as
/// one batch they ran ~2.3× faster on PostgreSQL (15,700 against 6,700 tx/s on one machine of
/// this kind): a round trip costs more than these statements' own work, and the issue's ratio
/// is defined against `pgbench`'s way.
fn ceiling_tx<C: diesel::connection::SimpleConnection>(conn: &mut C, begin: &str, i: u64) -> anyhow::Result<()> {
    let id = uuid::Uuid::now_v7();
    let text: String = "Khiếu nại về hàng hóa, dịch vụ không đúng cam kết. ".repeat(6);
    let case = format!(
        "INSERT INTO bench_case (id, phone, business, description, created_at) VALUES \
         ('{id}', '09{:08}', 'Công ty {}', '{text}', '2026-11-29 12:00:00')",
        i % 100_000_000,
        i % 997,
    );
    let event = format!(
        "INSERT INTO bench_event (id, case_id, data, created_at) VALUES \
         ('{}', '{id}', '{{\"action\":\"created\"}}', '2026-11-29 12:00:00')",
        uuid::Uuid::now_v7()
    );
    for statement in [begin, &case, &event, "COMMIT"] {
        conn.batch_execute(statement)?;
    }
    Ok(())
}

/// Transactions per second of the minimal durable transaction for `secs`: one writer on
/// SQLite (the service's settings: WAL, its `synchronous`), 32 connections on PostgreSQL.
fn ceiling(kind: Kind, url: &str, synchronous: &str, secs: f64) -> anyhow::Result<f64> {
    use diesel::connection::SimpleConnection;
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let done = match kind {
        Kind::Sqlite => {
            let parsed = hotline::db::DbUrl::parse(url)?;
            let path = parsed.sqlite_path().ok_or_else(|| anyhow!("no sqlite path"))?;
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
            conn.batch_execute(&format!(
                "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = {synchronous}; {CEILING_TABLES}"
            ))?;
            let mut n = 0u64;
            while Instant::now() < until {
                ceiling_tx(&mut conn, "BEGIN IMMEDIATE", n)?;
                n += 1;
            }
            n
        }
        Kind::Postgres => {
            let mut setup = diesel::PgConnection::establish(url)?;
            setup.batch_execute(CEILING_TABLES)?;
            let counts = std::thread::scope(|scope| {
                let workers: Vec<_> = (0..32u64)
                    .map(|w| {
                        scope.spawn(move || -> anyhow::Result<u64> {
                            let mut conn = diesel::PgConnection::establish(url)?;
                            let mut n = 0u64;
                            while Instant::now() < until {
                                ceiling_tx(&mut conn, "BEGIN", w * 10_000_000 + n)?;
                                n += 1;
                            }
                            Ok(n)
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|h| h.join().map_err(|_| anyhow!("ceiling thread panicked"))?)
                    .collect::<anyhow::Result<Vec<u64>>>()
            })?;
            counts.iter().sum()
        }
    };
    Ok(done as f64 / start.elapsed().as_secs_f64())
}

/// Milliseconds the machine's cores have been busy since boot (`/proc/stat`: user, nice,
/// system, irq and softirq; not idle or I/O wait), in `USER_HZ` ticks of 10 ms, Linux's fixed
/// unit there. Taken around a level, divided by its requests, it is the CPU one intake costs
/// everything on the machine (the service, the load client in this process, the database):
/// a figure that, unlike the ratio to a ceiling bound by the disk's fsync, compares across
/// machines by their CPU's speed alone.
fn machine_busy_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<f64> = stat
        .lines()
        .find(|l| l.starts_with("cpu "))
        .map(|l| l.split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect())
        .unwrap_or_default();
    // user nice system idle iowait irq softirq
    [0usize, 1, 2, 5, 6]
        .iter()
        .map(|&i| ticks.get(i).copied().unwrap_or(f64::NAN))
        .sum::<f64>()
        * 10.0
}

/// VmRSS and VmHWM of this process, MiB.
fn rss_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn bench_backend(kind: Kind, db_url: String, opts: Opts) -> anyhow::Result<Report> {
    let data = tempfile::tempdir().context("creating a temporary folder")?;
    let mut settings = support::server::bench_settings(data.path(), db_url)?;
    if let Some(n) = opts.writer_cache_mib {
        settings.database.sqlite_writer_cache_mib = u32::try_from(n)?;
    }
    if let Some(n) = opts.mmap_mib {
        settings.database.sqlite_mmap_mib = u32::try_from(n)?;
    }
    if let Some(n) = opts.max_batch {
        settings.database.sqlite_max_batch = n;
    }
    settings.finish()?;
    let sync = match kind {
        Kind::Sqlite => format!(
            ", sqlite synchronous {}, max batch {}",
            settings.database.sqlite_synchronous, settings.database.sqlite_max_batch
        ),
        Kind::Postgres => String::new(),
    };
    println!(
        "\n=== {} === (HTTP workers {}, pool {}{sync}, {} cores)",
        kind.name(),
        settings.server.workers,
        settings.database.pool_size,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let web_agency = settings.intake.web_agency.clone();
    let ceiling_of = (
        kind,
        settings.database.url.clone(),
        settings.database.sqlite_synchronous.clone(),
    );
    let app = Application::build(settings)?;
    let port = app.port;
    let state = app.state.clone();
    let admin = app.bootstrap_admin.clone();
    let handle = app.handle();
    let server = actix_web::rt::spawn(app.run_until_stopped());
    let result = run_phases(kind, port, &state, admin, &web_agency, &opts, ceiling_of).await;
    handle.stop(true).await;
    let _ = server.await;
    drop(state);
    result
}

/// Loads `n_total` cases through the service's own intake transaction, in transactions of
/// `BULK_BATCH`, printing the rate every minute.
async fn preload(
    state: &hotline::state::AppState,
    ctx: &IntakeContext,
    web_agency: &str,
    salt: u64,
    seq: &mut usize,
    n_total: usize,
    ids: &mut IdReservoir,
) -> anyhow::Result<()> {
    if n_total == 0 {
        return Ok(());
    }
    let (start, mut last_print) = (Instant::now(), Instant::now());
    let st = state.clone();
    let mut conn = blocking(move || loader_connection(&st)).await?;
    let mut done = 0usize;
    while done < n_total {
        let n = BULK_BATCH.min(n_total - done);
        let batch = (0..n)
            .map(|i| complaint_domain(&sample(*seq + i, salt)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        *seq += n;
        let (cx, ag) = (ctx.clone(), web_agency.to_owned());
        let (back, written) = blocking(move || {
            let written = insert_batch(&mut conn, &cx, &ag, &batch)?;
            Ok((conn, written))
        })
        .await?;
        conn = back;
        ids.extend(written);
        done += n;
        if last_print.elapsed() > Duration::from_secs(60) {
            println!(
                "  ... {done}/{n_total} ({:.0} cases/s)",
                done as f64 / start.elapsed().as_secs_f64()
            );
            last_print = Instant::now();
        }
    }
    // The service refreshes the planner's statistics at start and hourly (SQLite; autovacuum on
    // PostgreSQL): a table grown this much in one go would have had them refreshed meanwhile.
    // Taken on the loader's connection, they reach the service's writer and readers at their
    // next statement (ADR 0058; before it, the service planned with an empty table's).
    // Then the load's writes are made durable before the intake is measured (a checkpoint, and
    // the kernel's writeback of what it wrote: gigabytes at a million cases), so that the
    // intake is not measured while the disk is still busy with the load.
    let start = Instant::now();
    let refreshed = blocking(move || {
        use diesel::connection::SimpleConnection;
        let refreshed = settle_after_load(&mut conn)?;
        conn.batch_execute(match hotline::db::portability::backend_of(&conn) {
            hotline::db::Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
            hotline::db::Backend::Postgres => "CHECKPOINT",
        })?;
        std::process::Command::new("sync").status()?;
        Ok(refreshed)
    })
    .await?;
    println!(
        "  {}checkpoint and sync: {:.1} s",
        if refreshed {
            "planner statistics refreshed as the service's worker does (hourly, after 10% growth), "
        } else {
            ""
        },
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The public intake over HTTP at each level, between samples of the raw ceiling (into
/// `report.intake` and `report.ceiling`).
#[allow(clippy::too_many_arguments)]
async fn measure_intake(
    client: &awc::Client,
    base: &str,
    run_id: &str,
    salt: u64,
    seq: &mut usize,
    opts: &Opts,
    ceiling_of: &(Kind, String, String),
    report: &mut Report,
) -> anyhow::Result<()> {
    println!("-- public intake: POST /api/v1/public/complaints, between samples of the raw ceiling");
    let sample_ceiling = |label: String| {
        let (kind, url, sync) = ceiling_of.clone();
        let secs = opts.ceiling_secs;
        async move {
            let rate = blocking(move || ceiling(kind, &url, &sync, secs)).await?;
            println!("  raw ceiling {label:<22} {rate:>9.1} tx/s (BEGIN; INSERT case; INSERT event; COMMIT)");
            anyhow::Ok(rate)
        }
    };
    report.ceiling.push(sample_ceiling("(before c=1)".into()).await?);
    for (level, &n) in LEVELS.iter().zip(opts.intake.iter()) {
        let offset = *seq;
        let busy_before = machine_busy_ms();
        let stats = run_load(&format!("intake c={level}"), n, *level, |i| {
            let s = sample(offset + i, salt);
            let body = complaint_json(&s);
            let req = client
                .post(format!("{base}/api/v1/public/complaints"))
                .insert_header(("Content-Type", "application/json"))
                .insert_header(("Idempotency-Key", format!("bench-{run_id}-{}", offset + i)));
            async move { expect_status(req.send_body(body).await, 201).await.map(|_| ()) }
        })
        .await;
        *seq += n;
        if *level == 32 {
            report.rss_mib = rss_mib();
            report.machine_ms_at_32 = (machine_busy_ms() - busy_before) / n as f64;
            println!(
                "  machine CPU per intake at c=32: {:.3} ms (service, load client and database together)",
                report.machine_ms_at_32
            );
        }
        report
            .intake
            .push((*level, stats.rps(), stats.pct(50.0), stats.pct(99.0), stats.failures));
        report.ceiling.push(sample_ceiling(format!("(after c={level})")).await?);
    }
    for (idx, level) in LEVELS.iter().enumerate() {
        println!(
            "  HTTP c={level:<2} / raw ceiling = {:.1} / {:.1} = {:.2}   (target at c=32: >= 0.5)",
            report.intake.get(idx).map_or(f64::NAN, |l| l.1),
            report.ceiling_at(idx),
            report.ratio_at(idx)
        );
    }
    println!(
        "  memory of the process (service + load client): VmRSS {:.1} MiB, VmHWM {:.1} MiB   (target <= 150)",
        report.rss_mib.0, report.rss_mib.1
    );
    Ok(())
}

async fn run_phases(
    kind: Kind,
    port: u16,
    state: &hotline::state::AppState,
    admin: Option<(String, String)>,
    web_agency: &str,
    opts: &Opts,
    ceiling_of: (Kind, String, String),
) -> anyhow::Result<Report> {
    let base = format!("http://127.0.0.1:{port}");
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(60))
        .connector(awc::Connector::new().limit(128).timeout(Duration::from_secs(10)))
        .finish();
    let mut report = Report::default();
    let run_id = uuid::Uuid::new_v4().simple().to_string();
    let salt = mix(u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into()?));

    // Warm up connections and the server (no writes).
    let warm = run_load("warm-up GET /healthz", 64, 32, |_| {
        let req = client.get(format!("{base}/healthz"));
        async move { expect_status(req.send().await, 200).await.map(|_| ()) }
    })
    .await;
    if warm.failures > 0 {
        bail!("the server does not answer /healthz");
    }

    let ctx = IntakeContext::from_state(state);
    let mut seq = 0usize;
    let mut ids = IdReservoir::default();

    // 0 and 1. At each table size of `--preload` (none: as the table is), the cases are loaded
    // up to it, then the public intake over HTTP is measured, interleaved with the raw ceiling of
    // the minimal transaction. The last size's figures are the report's.
    let intake_total: usize = opts.intake.iter().sum();
    let sizes = if opts.preload.is_empty() {
        vec![0]
    } else {
        opts.preload.clone()
    };
    let mut in_table = 0usize;
    for size in sizes {
        if size > in_table {
            let start = Instant::now();
            preload(state, &ctx, web_agency, salt, &mut seq, size - in_table, &mut ids).await?;
            println!(
                "-- preloaded {} cases in {:.1} s: {size} in the table",
                size - in_table,
                start.elapsed().as_secs_f64()
            );
            in_table = size;
        }
        report.intake.clear();
        report.ceiling.clear();
        measure_intake(&client, &base, &run_id, salt, &mut seq, opts, &ceiling_of, &mut report).await?;
        report.by_size.push(SizeFigures {
            cases_before: in_table,
            intake: report.intake.clone(),
            ratio_at_32: report.ratio_at(2),
        });
        in_table += intake_total;
    }

    // 2. Raw rate of the same insert transaction, one thread, no HTTP.
    println!("-- raw insert: create_case_tx in write_transaction, one per transaction, one thread");
    let raw_n = opts.raw;
    let raw_complaints = (0..raw_n)
        .map(|i| complaint_domain(&sample(seq + i, salt)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    seq += raw_n;
    let (st, cx, ag) = (state.clone(), ctx.clone(), web_agency.to_owned());
    let (raw_ids, raw_secs) = blocking(move || {
        let mut conn = st.db.get_blocking().map_err(|e| anyhow!("pool: {e}"))?;
        let conn: &mut AnyConnection = &mut conn;
        let mut ids = Vec::with_capacity(raw_complaints.len());
        let start = Instant::now();
        for c in &raw_complaints {
            let row = portability::write_transaction(conn, |tx| {
                create_case_tx(tx, &cx, &Actor::Citizen, c, &ag, None, cx.clock.now())
            })
            .map_err(|e| anyhow!("raw insert: {e}"))?;
            ids.push(row.id.into_string());
        }
        Ok((ids, start.elapsed().as_secs_f64()))
    })
    .await?;
    report.raw_rate = raw_n as f64 / raw_secs.max(1e-9);
    println!(
        "  raw inserts                        n={raw_n:<6}      {:>9.1} inserts/s",
        report.raw_rate
    );
    let best = report.best_intake();
    println!(
        "  HTTP best level / service's own intake tx, one per commit = {:.1} / {:.1} = {:.2}",
        best,
        report.raw_rate,
        best / report.raw_rate.max(1e-9)
    );

    // 3. Load to the target number of cases.
    ids.extend(raw_ids);
    let have = in_table + raw_n;
    let remaining = opts.cases.saturating_sub(have);
    println!("-- bulk load: {remaining} more cases in transactions of {BULK_BATCH}");
    let bulk_start = Instant::now();
    preload(state, &ctx, web_agency, salt, &mut seq, remaining, &mut ids).await?;
    let bulk_secs = bulk_start.elapsed().as_secs_f64();
    report.bulk_rate = if remaining > 0 {
        remaining as f64 / bulk_secs
    } else {
        0.0
    };
    let st = state.clone();
    report.total_cases = blocking(move || {
        let mut conn = st.db.get_blocking().map_err(|e| anyhow!("pool: {e}"))?;
        let conn: &mut AnyConnection = &mut conn;
        hotline::db::schema::cases::table
            .count()
            .get_result::<i64>(conn)
            .map_err(|e| anyhow!("count: {e}"))
    })
    .await?;
    println!(
        "  loaded {remaining} in {bulk_secs:.1} s ({:.0} cases/s); cases in the database: {}",
        report.bulk_rate, report.total_cases
    );

    // 4. Reads as a coordinator.
    let (admin_user, admin_password) = admin.ok_or_else(|| anyhow!("no bootstrap administrator was created"))?;
    // The bootstrap password is one-time (403 `password_change_required` until changed); the
    // benchmark's administrator keeps it.
    {
        use diesel::RunQueryDsl;
        let mut conn = state.db.get_blocking().map_err(|e| anyhow!("{e}"))?;
        diesel::sql_query("UPDATE users SET must_change_password = FALSE").execute(&mut *conn)?;
    }
    let admin_token = login(&client, &base, &admin_user, &admin_password).await?;
    let coord_password = format!("bench-{run_id}");
    let body = serde_json::json!({
        "username": "bench.coordinator",
        "role": "coordinator",
        "agency": web_agency,
        "password": coord_password,
    })
    .to_string();
    expect_status(
        client
            .post(format!("{base}/api/v1/admin/users"))
            .insert_header(("Authorization", format!("Bearer {admin_token}")))
            .insert_header(("Content-Type", "application/json"))
            .send_body(body)
            .await,
        201,
    )
    .await
    .map_err(|e| anyhow!("creating the coordinator: {e}"))?;
    let token = login(&client, &base, "bench.coordinator", &coord_password).await?;
    let auth = format!("Bearer {token}");

    println!("-- reads as coordinator over {} cases", report.total_cases);
    let chosen: Vec<String> = {
        let mut rng = rand::rng();
        (0..opts.gets)
            .map(|_| ids.ids[rng.random_range(0..ids.ids.len())].clone())
            .collect()
    };
    let get = run_load("GET /cases/{id} (random)", opts.gets, READ_CONCURRENCY, |i| {
        let req = client
            .get(format!("{base}/api/v1/cases/{}", chosen[i]))
            .insert_header(("Authorization", auth.clone()));
        async move { expect_status(req.send().await, 200).await.map(|_| ()) }
    })
    .await;
    report.get_p50 = get.pct(50.0);
    report.get_p99 = get.pct(99.0);
    report.get_failures = get.failures;

    let list = run_load("GET /cases?limit=50 (first page)", opts.lists, READ_CONCURRENCY, |_| {
        let req = client
            .get(format!("{base}/api/v1/cases?limit=50"))
            .insert_header(("Authorization", auth.clone()));
        async move {
            let body = expect_status(req.send().await, 200).await?;
            let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| format!("list body: {e}"))?;
            match v["items"].as_array().map(Vec::len) {
                Some(50) => Ok(()),
                other => Err(format!("expected 50 items, got {other:?}")),
            }
        }
    })
    .await;
    report.list_p50 = list.pct(50.0);
    report.list_p99 = list.pct(99.0);
    report.list_failures = list.failures;
    println!("     (target: list first page p99 <= 20 ms)");

    // "hoàn" (refund), URL-encoded.
    let t = Instant::now();
    let body = expect_status(
        client
            .get(format!("{base}/api/v1/cases?limit=50&status=new&q=ho%C3%A0n"))
            .insert_header(("Authorization", auth.clone()))
            .send()
            .await,
        200,
    )
    .await
    .map_err(|e| anyhow!("filtered list: {e}"))?;
    report.filtered_ms = t.elapsed().as_secs_f64() * 1000.0;
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    report.filtered_items = v["items"].as_array().map(Vec::len).unwrap_or(0);
    println!(
        "  GET /cases?status=new&q=hoàn (once)   {:.2} ms, {} items on the first page",
        report.filtered_ms, report.filtered_items
    );
    println!("  ({} finished)", kind.name());
    Ok(report)
}

// ------------------------------------------------------------------ main

/// A backend's run: its report, or why it was skipped.
type Outcome = Run<Report>;

fn print_table(results: &[(Kind, Outcome)]) {
    let col = |kind: Kind| results.iter().find(|(k, _)| *k == kind).map(|(_, o)| o);
    type Getter = Box<dyn Fn(&Report) -> String>;
    let mut rows: Vec<(String, Getter, &str)> = Vec::new();
    for (idx, level) in LEVELS.iter().enumerate() {
        let target_p99 = if *level == 32 { "<= 50" } else { "" };
        rows.push((
            format!("intake c={level} throughput (req/s)"),
            Box::new(move |r: &Report| r.intake.get(idx).map(|l| fmt_num(l.1, 1)).unwrap_or_default()),
            "",
        ));
        rows.push((
            format!("intake c={level} p50 (ms)"),
            Box::new(move |r: &Report| r.intake.get(idx).map(|l| fmt_num(l.2, 2)).unwrap_or_default()),
            "",
        ));
        rows.push((
            format!("intake c={level} p99 (ms)"),
            Box::new(move |r: &Report| r.intake.get(idx).map(|l| fmt_num(l.3, 2)).unwrap_or_default()),
            target_p99,
        ));
        rows.push((
            format!("intake c={level} non-201"),
            Box::new(move |r: &Report| r.intake.get(idx).map(|l| l.4.to_string()).unwrap_or_default()),
            "0",
        ));
    }
    rows.push((
        "raw ceiling, mean of samples (tx/s)".into(),
        Box::new(|r: &Report| fmt_num(r.ceiling.iter().sum::<f64>() / r.ceiling.len().max(1) as f64, 1)),
        "",
    ));
    rows.push((
        "intake c=32 / ceiling next to it".into(),
        Box::new(|r: &Report| fmt_num(r.ratio_at(2), 2)),
        ">= 0.5",
    ));
    rows.push((
        "machine CPU per intake c=32 (ms)".into(),
        Box::new(|r: &Report| fmt_num(r.machine_ms_at_32, 3)),
        "",
    ));
    rows.push((
        "VmRSS after c=32 (MiB)".into(),
        Box::new(|r: &Report| fmt_num(r.rss_mib.0, 1)),
        "<= 150",
    ));
    rows.push((
        "VmHWM after c=32 (MiB)".into(),
        Box::new(|r: &Report| fmt_num(r.rss_mib.1, 1)),
        "",
    ));
    rows.push((
        "service intake tx, 1/commit (tx/s)".into(),
        Box::new(|r: &Report| fmt_num(r.raw_rate, 1)),
        "",
    ));
    rows.push((
        "bulk load (cases/s, 500/tx)".into(),
        Box::new(|r: &Report| fmt_num(r.bulk_rate, 0)),
        "",
    ));
    rows.push((
        "cases in database".into(),
        Box::new(|r: &Report| r.total_cases.to_string()),
        "",
    ));
    rows.push((
        "GET /cases/{id} p50 (ms)".into(),
        Box::new(|r: &Report| fmt_num(r.get_p50, 2)),
        "",
    ));
    rows.push((
        "GET /cases/{id} p99 (ms)".into(),
        Box::new(|r: &Report| fmt_num(r.get_p99, 2)),
        "",
    ));
    rows.push((
        "GET /cases/{id} failures".into(),
        Box::new(|r: &Report| r.get_failures.to_string()),
        "0",
    ));
    rows.push((
        "list first page p50 (ms)".into(),
        Box::new(|r: &Report| fmt_num(r.list_p50, 2)),
        "",
    ));
    rows.push((
        "list first page p99 (ms)".into(),
        Box::new(|r: &Report| fmt_num(r.list_p99, 2)),
        "<= 20",
    ));
    rows.push((
        "list failures".into(),
        Box::new(|r: &Report| r.list_failures.to_string()),
        "0",
    ));
    rows.push((
        "list status=new&q=hoàn, once (ms)".into(),
        Box::new(|r: &Report| fmt_num(r.filtered_ms, 2)),
        "",
    ));
    rows.push((
        "  ... items on that page".into(),
        Box::new(|r: &Report| r.filtered_items.to_string()),
        "",
    ));

    let cell = |o: Option<&Outcome>, get: &Getter| match o {
        Some(Outcome::Done(r)) => get(r),
        Some(Outcome::Skipped(_)) => "skipped".into(),
        None => "not run".into(),
    };
    println!(
        "\n{:<36} | {:>12} | {:>12} | {:>8}",
        "metric", "sqlite", "postgres", "target"
    );
    println!("{:-<36}-+-{:->12}-+-{:->12}-+-{:->8}", "", "", "", "");
    for (name, get, target) in &rows {
        println!(
            "{:<36} | {:>12} | {:>12} | {:>8}",
            name,
            cell(col(Kind::Sqlite), get),
            cell(col(Kind::Postgres), get),
            target
        );
    }
    for (kind, o) in results {
        if let Outcome::Done(r) = o {
            if r.by_size.len() > 1 {
                print_by_size(*kind, r);
            }
        }
        if let Outcome::Skipped(why) = o {
            println!("{}: skipped: {why}", kind.name());
        }
    }
}

/// The intake against the table's size (`--preload N,M,…`): item 5's "within 20%".
fn print_by_size(kind: Kind, r: &Report) {
    println!("\n{}: intake against the cases already in the table", kind.name());
    println!(
        "{:>12} | {:>9} | {:>9} | {:>9} | {:>11} | {:>7} | {:>13}",
        "cases before", "c=1", "c=8", "c=32", "c=32 p99 ms", "ratio", "c=32 vs first"
    );
    let first = r
        .by_size
        .first()
        .and_then(|s| s.intake.get(2))
        .map_or(f64::NAN, |l| l.1);
    for s in &r.by_size {
        let rate = |idx: usize| s.intake.get(idx).map_or(f64::NAN, |l| l.1);
        println!(
            "{:>12} | {:>9} | {:>9} | {:>9} | {:>11} | {:>7} | {:>13}",
            s.cases_before,
            fmt_num(rate(0), 1),
            fmt_num(rate(1), 1),
            fmt_num(rate(2), 1),
            fmt_num(s.intake.get(2).map_or(f64::NAN, |l| l.3), 2),
            fmt_num(s.ratio_at_32, 2),
            format!("{:.0}%", 100.0 * rate(2) / first)
        );
    }
    println!("(target: intake at 1,000,000 cases within 20% of its speed at 10,000)");
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("load benchmark failed: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> anyhow::Result<()> {
    let opts = parse_args()?;
    println!(
        "hotline load benchmark{}: intake {:?} at concurrency {:?}, raw {}, cases {}, GET {} / list {} at concurrency {}",
        if opts.quick { " (--quick)" } else { "" },
        opts.intake,
        LEVELS,
        opts.raw,
        opts.cases,
        opts.gets,
        opts.lists,
        READ_CONCURRENCY
    );
    let results: Vec<(Kind, Outcome)> = on_each_backend(&opts.backends, "bench.db", opts.keep, {
        let opts = opts.clone();
        move |kind, url| bench_backend(kind, url, opts.clone())
    })?;
    print_table(&results);
    Ok(())
}
