//! Search benchmark of hotline: free-text case search at 100,000 and 1,000,000 cases.
//!
//! ```text
//! cargo bench --bench search                          # 100,000 then 1,000,000 cases, both backends
//! cargo bench --bench search -- --quick               # 20,000 cases (a minute)
//! cargo bench --bench search -- --cases 100000 --backend sqlite
//! ```
//!
//! Options (after `--`): `--quick`, `--cases N[,N…]` (sizes, measured in increasing order on the
//! same database, which grows between them), `--queries N` (queries per kind and size),
//! `--backend sqlite|postgres|both`, `--keep` (leave the PostgreSQL database in place, e.g. to
//! EXPLAIN its queries; drop it by hand afterwards).
//!
//! The cases are written straight into the tables in large batches (rows built like intake
//! builds them: the same index text, business key and a real router suggestion; no events or
//! clocks, which search does not read), spread over two years, at 12 agencies, with 5,000
//! businesses and the 150 development-set complaint texts as descriptions. The planner
//! statistics are then refreshed as the service's worker does on SQLite and autovacuum on
//! PostgreSQL. Each query goes through HTTP (`GET /api/v1/cases?q=…`,
//! first page of 50, newest first) one at a time, as a coordinator (every case) and as an
//! agency handler (only the agency's cases). Query kinds:
//! - `phone`: a consumer's phone number as typed on the phone (`0912 345 678`): one case;
//! - `code`: a tracking code: one case;
//! - `business`: the distinctive words of a business name: ~1 case in 5,000;
//! - `topic`: two words of a complaint's subject ("máy giặt", "hoàn tiền"): common;
//! - `topic+status`: the same with `status=routed` (10% of the cases);
//! - `absent`: a word no case has: nothing to find.
//!
//! The typical query is the mix of all kinds in equal parts. For comparison, the first page of
//! each caller's unfiltered list (`list`) is measured too. The handler at `CA` sees 1 case in
//! 16 (the smallest agency here), the one at `SCT` 1 in 4. Numbers are printed, never
//! judged: the benchmark exits 0 unless setup fails.
//!
//! At each size the quarterly report is timed too (`GET /api/v1/reports/summary` and
//! `/reports/agencies`, `preset=quarter`, five times each, as the coordinator and as a
//! supervisor of SCT; the p99 column shows the slowest of the five). The loaded cases have no
//! clocks, so the clock figures cost less than in production.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Instant;

use anyhow::anyhow;
use chrono::Utc;
use support::seed::*;
use support::*;

#[derive(Debug, Clone)]
struct Opts {
    /// Keep the PostgreSQL database (to EXPLAIN queries afterwards).
    keep: bool,
    sizes: Vec<usize>,
    queries: usize,
    backends: Vec<Kind>,
}

fn parse_args() -> anyhow::Result<Opts> {
    let mut quick = false;
    let mut keep = false;
    let mut sizes: Option<Vec<usize>> = None;
    let mut queries = None;
    let mut backend = "both".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        match flag.as_str() {
            "--quick" => quick = true,
            "--keep" => keep = true,
            "--cases" => {
                let v = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| anyhow!("--cases needs a number"))?;
                let mut list = v
                    .split(',')
                    .map(|n| parse_count("--cases", Some(n.to_owned())))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                list.sort_unstable();
                sizes = Some(list);
            }
            "--queries" => queries = Some(parse_count("--queries", inline.or_else(|| args.next()))?),
            "--backend" => {
                backend = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| anyhow!("--backend needs a value"))?
            }
            _ => {} // cargo passes --bench
        }
    }
    let backends = Kind::parse_list(&backend)?;
    Ok(Opts {
        keep,
        sizes: sizes.unwrap_or(if quick { vec![20_000] } else { vec![100_000, 1_000_000] }),
        queries: queries.unwrap_or(if quick { 40 } else { 200 }),
        backends,
    })
}

// ------------------------------------------------------------------ queries

const KINDS: &[&str] = &["phone", "code", "business", "topic", "topic+status", "absent"];

fn spaced_phone(p: &str) -> String {
    format!("{} {} {}", &p[..4], &p[4..7], &p[7..])
}

fn query_for(kind: &str, q: usize, loaded: usize, texts: &Texts) -> String {
    let h = mix(q as u64 ^ 0x5EA);
    let i = (h % loaded as u64) as usize;
    let enc = |s: &str| url_encode(s);
    match kind {
        "phone" => format!("q={}", enc(&spaced_phone(&phone(i)))),
        "code" => format!("q={}", enc(&tracking_code(i))),
        "business" => {
            let name = business_name((h >> 20) % BUSINESSES as u64);
            let words: Vec<&str> = name.split(' ').collect();
            format!("q={}", enc(&words[words.len() - 3..].join(" ")))
        }
        "topic" => format!("q={}", enc(&texts.topics[(h >> 8) as usize % texts.topics.len()])),
        "topic+status" => format!(
            "status=routed&q={}",
            enc(&texts.topics[(h >> 8) as usize % texts.topics.len()])
        ),
        _ => format!("q={}", enc(&format!("zq{}x", h % 1000))),
    }
}

fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

struct Measured {
    size: usize,
    who: &'static str,
    kind: String,
    p50: f64,
    p99: f64,
    mean_items: f64,
    failures: usize,
}

#[allow(clippy::too_many_arguments)]
async fn measure(
    client: &awc::Client,
    base: &str,
    auth: &str,
    who: &'static str,
    size: usize,
    opts: &Opts,
    texts: &Texts,
    out: &mut Vec<Measured>,
) {
    let mut all = Vec::new();
    for kind in KINDS {
        let items = std::cell::Cell::new(0usize);
        let items_r = &items;
        let stats = run_load(&format!("{who} {kind}"), opts.queries, 1, |q| {
            let url = format!("{base}/api/v1/cases?limit=50&{}", query_for(kind, q, size, texts));
            let req = client.get(url).insert_header(("Authorization", auth.to_owned()));
            async move {
                let body = expect_status(req.send().await, 200).await?;
                let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| format!("body: {e}"))?;
                items_r.set(items_r.get() + v["items"].as_array().map(Vec::len).unwrap_or(0));
                Ok(())
            }
        })
        .await;
        all.extend(stats.lat_us.iter().copied());
        out.push(Measured {
            size,
            who,
            kind: kind.to_string(),
            p50: stats.pct(50.0),
            p99: stats.pct(99.0),
            mean_items: items.get() as f64 / opts.queries.max(1) as f64,
            failures: stats.failures,
        });
    }
    all.sort_unstable();
    let mix = LoadStats {
        n: all.len(),
        secs: 0.0,
        lat_us: all,
        failures: 0,
    };
    println!(
        "  {who} typical (all kinds)            p50 {:>7.2} ms   p99 {:>7.2} ms",
        mix.pct(50.0),
        mix.pct(99.0)
    );
    out.push(Measured {
        size,
        who,
        kind: "TYPICAL (mix)".into(),
        p50: mix.pct(50.0),
        p99: mix.pct(99.0),
        mean_items: f64::NAN,
        failures: out
            .iter()
            .filter(|m| m.size == size && m.who == who)
            .map(|m| m.failures)
            .sum(),
    });
}

async fn first_pages(
    client: &awc::Client,
    base: &str,
    callers: &[(&'static str, &String)],
    n: usize,
    size: usize,
    out: &mut Vec<Measured>,
) {
    for (who, auth) in callers {
        let stats = run_load(&format!("{who} list (no q)"), n, 1, |_| {
            let req = client
                .get(format!("{base}/api/v1/cases?limit=50"))
                .insert_header(("Authorization", auth.to_string()));
            async move { expect_status(req.send().await, 200).await.map(|_| ()) }
        })
        .await;
        out.push(Measured {
            size,
            who,
            kind: "list (no q)".into(),
            p50: stats.pct(50.0),
            p99: stats.pct(99.0),
            mean_items: f64::NAN,
            failures: stats.failures,
        });
    }
}

/// The quarterly report figures (issue 14 item 4): the summary and the agencies' performance of
/// the quarter four months before the newest case (an eighth of the cases), a few times each.
async fn reports(
    client: &awc::Client,
    base: &str,
    callers: &[(&'static str, &String)],
    day: chrono::NaiveDate,
    size: usize,
    out: &mut Vec<Measured>,
) {
    for (who, auth) in callers {
        for (kind, path) in [
            ("report summary (quarter)", "summary"),
            ("report agencies (quarter)", "agencies"),
        ] {
            let stats = run_load(&format!("{who} {kind}"), 5, 1, |_| {
                let req = client
                    .get(format!("{base}/api/v1/reports/{path}?preset=quarter&from={day}"))
                    .insert_header(("Authorization", auth.to_string()));
                async move { expect_status(req.send().await, 200).await.map(|_| ()) }
            })
            .await;
            println!(
                "  {who} {kind}  p50 {:>9.1} ms   max {:>9.1} ms",
                stats.pct(50.0),
                stats.pct(100.0)
            );
            out.push(Measured {
                size,
                who,
                kind: kind.into(),
                p50: stats.pct(50.0),
                p99: stats.pct(100.0),
                mean_items: f64::NAN,
                failures: stats.failures,
            });
        }
    }
}

async fn bench_backend(kind: Kind, db_url: String, opts: Opts) -> anyhow::Result<Vec<Measured>> {
    let srv = support::server::Server::start(kind, db_url).await?;
    let (state, client, base) = (srv.state.clone(), srv.client.clone(), srv.base.clone());
    let texts = std::sync::Arc::new(load_texts(&state.router)?);
    let stop: Vec<String> = state.business_stopwords.as_ref().clone();
    let start = Utc::now();
    let bearer = |(_, token): (String, String)| format!("Bearer {token}");
    let coord = bearer(
        srv.create_user("bench.coord", "coordinator", "SCT", "bench-pass-1")
            .await?,
    );
    let handler = bearer(srv.create_user("bench.sct", "handler", "SCT", "bench-pass-2").await?);
    let supervisor = bearer(
        srv.create_user("bench.sup", "supervisor", "SCT", "bench-pass-4")
            .await?,
    );
    let small = bearer(srv.create_user("bench.ca", "handler", "CA", "bench-pass-3").await?);

    let mut out = Vec::new();
    let mut loaded = 0usize;
    let n_total = *opts.sizes.last().unwrap_or(&0);
    for &size in &opts.sizes {
        println!("-- loading cases {loaded}..{size}");
        let t = Instant::now();
        let (st, tx, from, stop) = (state.clone(), texts.clone(), loaded, stop.clone());
        blocking(move || {
            let mut conn = st.db.get_blocking().map_err(|e| anyhow!("pool: {e}"))?;
            // The seeder writes as the service's one writer does (its page cache).
            hotline::db::tune_for_writing(&mut conn, &hotline::db::SqliteOptions::of(&st.settings.database))?;
            load_rows(&mut conn, from, size, n_total, start, &tx, &stop)?;
            // What the service's worker does hourly on SQLite, and autovacuum on PostgreSQL.
            settle_after_load(&mut conn)?;
            Ok(())
        })
        .await?;
        println!(
            "  loaded {} in {:.1} s ({:.0} cases/s)",
            size - loaded,
            t.elapsed().as_secs_f64(),
            (size - loaded) as f64 / t.elapsed().as_secs_f64()
        );
        loaded = size;
        println!("-- queries at {size} cases, one at a time, first page of 50");
        measure(&client, &base, &coord, "coordinator", size, &opts, &texts, &mut out).await;
        measure(&client, &base, &handler, "handler(SCT)", size, &opts, &texts, &mut out).await;
        measure(&client, &base, &small, "handler(CA)", size, &opts, &texts, &mut out).await;
        let callers = [
            ("coordinator", &coord),
            ("handler(SCT)", &handler),
            ("handler(CA)", &small),
        ];
        first_pages(&client, &base, &callers, opts.queries, size, &mut out).await;
        let day = (start - chrono::TimeDelta::days(120)).date_naive();
        let readers = [("coordinator", &coord), ("supervisor(SCT)", &supervisor)];
        reports(&client, &base, &readers, day, size, &mut out).await;
    }
    srv.stop().await;
    Ok(out)
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("search benchmark failed: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> anyhow::Result<()> {
    let opts = parse_args()?;
    println!(
        "hotline search benchmark: sizes {:?}, {} queries per kind, kinds {:?}",
        opts.sizes, opts.queries, KINDS
    );
    let results = done(on_each_backend(&opts.backends, "search.db", opts.keep, {
        let opts = opts.clone();
        move |kind, url| bench_backend(kind, url, opts.clone())
    })?);
    println!("\n| backend | cases | caller | query | p50 ms | p99 ms | items/page | failures |");
    println!("|---|---|---|---|---|---|---|---|");
    for (kind, rows) in &results {
        for m in rows {
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                kind.name(),
                m.size,
                m.who,
                m.kind,
                fmt_num(m.p50, 2),
                fmt_num(m.p99, 2),
                fmt_num(m.mean_items, 1),
                m.failures
            );
        }
    }
    Ok(())
}
