//! Console benchmark of hotline: the server time of each staff-console page at 100,000 cases.
//!
//! ```text
//! cargo bench --bench console                          # 100,000 cases, both backends
//! cargo bench --bench console -- --quick               # 20,000 cases, 20 samples (a minute)
//! cargo bench --bench console -- --cases 100000 --samples 50 --backend sqlite
//! ```
//!
//! Options (after `--`): `--quick`, `--cases N`, `--samples N` (requests per page, default 50),
//! `--calls N` (calls logged before measuring, default 2,000), `--backend sqlite|postgres|both`.
//!
//! The cases are written in bulk by the search benchmark's seeding (`support::seed`: 12
//! agencies, the SCT handler's agency holding one case in four); then `--calls` calls go
//! through the API (`POST /api/v1/calls`), one in four a callback owned by the handler, and
//! one case is opened through the API so the case page has a real history and clocks. The
//! staff sign in through the console's form (its CSRF cookie and token) and each page is asked
//! for `--samples` times, one at a time, over loopback with the session cookie: the time from
//! sending the request to having read the whole page. Printed: median and p90 per page per
//! backend, in milliseconds. Numbers are printed, never judged: the benchmark exits 0 unless
//! setup fails or a page does not answer 200.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use anyhow::anyhow;
use chrono::Utc;
use diesel::prelude::*;
use support::seed::*;
use support::*;

#[derive(Debug, Clone)]
struct Opts {
    cases: usize,
    samples: usize,
    calls: usize,
    backends: Vec<Kind>,
}

fn parse_args() -> anyhow::Result<Opts> {
    let mut quick = false;
    let (mut cases, mut samples, mut calls) = (None, None, None);
    let mut backend = "both".to_owned();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (a.clone(), None),
        };
        match flag.as_str() {
            "--quick" => quick = true,
            "--cases" => cases = Some(parse_count("--cases", inline.or_else(|| args.next()))?),
            "--samples" => samples = Some(parse_count("--samples", inline.or_else(|| args.next()))?),
            "--calls" => calls = Some(parse_count("--calls", inline.or_else(|| args.next()))?),
            "--backend" => {
                backend = inline
                    .or_else(|| args.next())
                    .ok_or_else(|| anyhow!("--backend needs a value"))?
            }
            _ => {} // cargo passes --bench
        }
    }
    Ok(Opts {
        cases: cases.unwrap_or(if quick { 20_000 } else { 100_000 }),
        samples: samples.unwrap_or(if quick { 20 } else { 50 }).max(1),
        calls: calls.unwrap_or(if quick { 500 } else { 2_000 }),
        backends: Kind::parse_list(&backend)?,
    })
}

struct Measured {
    page: String,
    who: &'static str,
    p50: f64,
    p90: f64,
    kib: f64,
    failures: usize,
}

/// The value of the cookie `name` among the `Set-Cookie` headers.
fn cookie_of(headers: &actix_web::http::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all("set-cookie")
        .filter_map(|v| v.to_str().ok())
        .filter_map(|h| h.split(';').next()?.split_once('='))
        .find(|(n, _)| n.trim() == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// Signs in through the console's form; returns the `Cookie` header of the session.
async fn console_session(client: &awc::Client, base: &str, user: &str, password: &str) -> anyhow::Result<String> {
    let mut form = client
        .get(format!("{base}/console/login"))
        .send()
        .await
        .map_err(|e| anyhow!("login form: {e}"))?;
    let login_cookie =
        cookie_of(form.headers(), "hotline_login_csrf").ok_or_else(|| anyhow!("the login form set no CSRF cookie"))?;
    let html = String::from_utf8_lossy(&form.body().await.map_err(|e| anyhow!("login form: {e}"))?).into_owned();
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).ok_or_else(|| anyhow!("no CSRF field"))? + marker.len();
    let csrf = &html[i..i + html[i..].find('"').unwrap_or(0)];
    let signed = client
        .post(format!("{base}/console/login"))
        .insert_header(("Cookie", format!("hotline_login_csrf={login_cookie}")))
        .send_form(&[
            ("csrf", csrf),
            ("next", "/console/"),
            ("username", user),
            ("password", password),
        ])
        .await
        .map_err(|e| anyhow!("signing in as {user}: {e}"))?;
    if signed.status().as_u16() != 303 {
        return Err(anyhow!("signing in as {user}: HTTP {}", signed.status()));
    }
    let token = cookie_of(signed.headers(), "hotline_console")
        .ok_or_else(|| anyhow!("signing in as {user}: no session cookie"))?;
    Ok(format!("hotline_console={token}"))
}

async fn measure(
    client: &awc::Client,
    base: &str,
    cookie: &str,
    who: &'static str,
    page: &str,
    path: &str,
    samples: usize,
) -> Measured {
    let bytes = std::cell::Cell::new(0usize);
    let bytes_r = &bytes;
    let stats = run_load(&format!("{who} {page}"), samples, 1, |_| {
        let req = client
            .get(format!("{base}{path}"))
            .insert_header(("Cookie", cookie.to_owned()));
        async move {
            let body = expect_status(req.send().await, 200).await?;
            bytes_r.set(bytes_r.get() + body.len());
            Ok(())
        }
    })
    .await;
    let m = Measured {
        page: page.to_owned(),
        who,
        p50: stats.pct(50.0),
        p90: stats.pct(90.0),
        kib: bytes.get() as f64 / samples as f64 / 1024.0,
        failures: stats.failures,
    };
    println!(
        "  {who:<12} {page:<28} median {:>8.2} ms   p90 {:>8.2} ms   {:>6.1} KiB",
        m.p50, m.p90, m.kib
    );
    m
}

async fn api_post(
    client: &awc::Client,
    base: &str,
    token: &str,
    path: &str,
    body: serde_json::Value,
) -> Result<serde_json::Value, String> {
    let bytes = expect_status(
        client
            .post(format!("{base}{path}"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .insert_header(("Content-Type", "application/json"))
            .send_body(body.to_string())
            .await,
        201,
    )
    .await?;
    serde_json::from_slice(&bytes).map_err(|e| format!("body: {e}"))
}

/// Staff of the benchmark: (username, role, agency, password).
const STAFF: [(&str, &str, &str, &str); 4] = [
    ("bench.op", "operator", "SCT", "bench-pass-op-1"),
    ("bench.handler", "handler", "SCT", "bench-pass-h-2"),
    ("bench.sup", "supervisor", "SCT", "bench-pass-sup-3"),
    ("bench.coord", "coordinator", "SCT", "bench-pass-coord-4"),
];

/// Logs `n` calls through the API, one in four a callback owned by the handler (half of
/// them due already); returns how long it took.
async fn log_calls(client: &awc::Client, base: &str, op: &str, handler_id: &str, n: usize) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let now = Utc::now();
    let stats = run_load("calls", n, 4, |i| {
        let started = now - chrono::TimeDelta::minutes((n - i) as i64);
        let mut body = serde_json::json!({
            "caller_phone": format!("09{:08}", mix(i as u64 ^ 0xCA11) % 100_000_000),
            "started_at": started.to_rfc3339(),
            "outcome": "advised",
            "note": "Hỏi về quyền đổi trả hàng lỗi trong thời hạn bảo hành",
        });
        if i % 4 == 0 {
            let due = if i % 8 == 0 {
                now - chrono::TimeDelta::minutes(30)
            } else {
                now + chrono::TimeDelta::hours(4)
            };
            body["outcome"] = "callback".into();
            body["callback_due_at"] = due.to_rfc3339().into();
            body["callback_owner_id"] = handler_id.into();
        }
        async move { api_post(client, base, op, "/api/v1/calls", body).await.map(|_| ()) }
    })
    .await;
    if stats.failures > 0 {
        return Err(anyhow!("{} of {n} calls failed", stats.failures));
    }
    Ok(t.elapsed())
}

async fn bench_backend(kind: Kind, db_url: String, opts: Opts) -> anyhow::Result<Vec<Measured>> {
    let srv = support::server::Server::start(kind, db_url).await?;
    let (state, client, base) = (srv.state.clone(), srv.client.clone(), srv.base.clone());
    let (admin_user, admin_password) = srv.admin.clone();
    let mut ids = Vec::new();
    for (user, role, agency, password) in STAFF {
        ids.push(srv.create_user(user, role, agency, password).await?.0);
    }

    println!("-- loading {} cases", opts.cases);
    let t = Instant::now();
    let texts = std::sync::Arc::new(load_texts(&state.router)?);
    let stop: Vec<String> = state.business_stopwords.as_ref().clone();
    let (st, tx, n) = (state.clone(), texts.clone(), opts.cases);
    let start = Utc::now();
    blocking(move || {
        let mut conn = st.db.get_blocking().map_err(|e| anyhow!("pool: {e}"))?;
        // The seeder writes as the service's one writer does (its page cache).
        hotline::db::tune_for_writing(&mut conn, &hotline::db::SqliteOptions::of(&st.settings.database))?;
        load_rows(&mut conn, 0, n, n, start, &tx, &stop)?;
        settle_after_load(&mut conn)?;
        Ok(())
    })
    .await?;
    println!("  loaded in {:.1} s", t.elapsed().as_secs_f64());
    let op_token = login(&client, &base, STAFF[0].0, STAFF[0].3).await?;
    let took = log_calls(&client, &base, &op_token, &ids[1], opts.calls).await?;
    println!("  {} calls logged in {:.1} s", opts.calls, took.as_secs_f64());
    let case = api_post(
        &client,
        &base,
        &op_token,
        "/api/v1/cases",
        serde_json::json!({
            "description": "Mua máy giặt tại cửa hàng, dùng được một tuần thì hỏng, cửa hàng từ chối bảo hành.",
            "consumer_request": "Đổi máy mới hoặc hoàn tiền",
            "amount_vnd": 8_500_000,
            "consumer": {"name": "Trần Thị Mai", "phone": "0913 222 333", "province": "Hà Nội", "consent": true},
            "business": {"name": "Cửa hàng Điện máy Minh Phát"},
            "kind": "dispute", "category": "goods_general", "channel": "hotline"
        }),
    )
    .await
    .map_err(|e| anyhow!("opening a case: {e}"))?;
    let case_id = case["id"].as_str().unwrap_or_default().to_owned();
    {
        let mut conn = state.db.get_blocking().map_err(|e| anyhow!("{e}"))?;
        hotline::db::portability::refresh_planner_statistics(&mut conn)?;
        if kind == Kind::Postgres {
            diesel::sql_query("ANALYZE").execute(&mut *conn)?;
        }
    }

    let handler = console_session(&client, &base, STAFF[1].0, STAFF[1].3).await?;
    let op = console_session(&client, &base, STAFF[0].0, STAFF[0].3).await?;
    let sup = console_session(&client, &base, STAFF[2].0, STAFF[2].3).await?;
    let coord = console_session(&client, &base, STAFF[3].0, STAFF[3].3).await?;
    let adm = console_session(&client, &base, &admin_user, &admin_password).await?;
    println!(
        "-- pages at {} cases, {} samples each, one at a time",
        opts.cases, opts.samples
    );
    let n = opts.samples;
    let mut out = Vec::new();
    let (c, b) = (&client, base.as_str());
    for tab in [
        "agency",
        "mine",
        "unassigned",
        "due_soon",
        "overdue",
        "priority",
        "transfers",
    ] {
        let path = format!("/console/?tab={tab}");
        out.push(measure(c, b, &handler, "handler", &format!("queue: {tab}"), &path, n).await);
    }
    out.push(
        measure(
            c,
            b,
            &handler,
            "handler",
            "queue: search 'máy giặt'",
            "/console/?q=m%C3%A1y%20gi%E1%BA%B7t",
            n,
        )
        .await,
    );
    out.push(
        measure(
            c,
            b,
            &handler,
            "handler",
            "case page",
            &format!("/console/cases/{case_id}"),
            n,
        )
        .await,
    );
    out.push(measure(c, b, &op, "operator", "call screen", "/console/calls/new", n).await);
    out.push(measure(c, b, &handler, "handler", "callbacks", "/console/callbacks", n).await);
    out.push(measure(c, b, &sup, "supervisor", "dashboard", "/console/dashboard", n).await);
    out.push(measure(c, b, &coord, "coordinator", "dashboard", "/console/dashboard", n).await);
    out.push(measure(c, b, &coord, "coordinator", "queue: agency (all)", "/console/", n).await);
    out.push(measure(c, b, &adm, "admin", "users", "/console/users", n).await);
    out.push(measure(c, b, &adm, "admin", "overview (dead letters)", "/console/dashboard", n).await);
    srv.stop().await;
    Ok(out)
}

fn main() {
    if let Err(e) = real_main() {
        eprintln!("console benchmark failed: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> anyhow::Result<()> {
    let opts = parse_args()?;
    println!(
        "hotline console benchmark: {} cases, {} calls, {} samples per page",
        opts.cases, opts.calls, opts.samples
    );
    let results = done(on_each_backend(&opts.backends, "console.db", false, {
        let opts = opts.clone();
        move |kind, url| bench_backend(kind, url, opts.clone())
    })?);
    println!("\n| backend | cases | page | as | median ms | p90 ms | KiB | failures |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut failed = 0;
    for (kind, rows) in &results {
        for m in rows {
            failed += m.failures;
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                kind.name(),
                opts.cases,
                m.page,
                m.who,
                fmt_num(m.p50, 2),
                fmt_num(m.p90, 2),
                fmt_num(m.kib, 1),
                m.failures
            );
        }
    }
    if failed > 0 {
        return Err(anyhow!("{failed} page requests did not answer 200"));
    }
    Ok(())
}
