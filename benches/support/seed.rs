//! Bulk seeding of cases for the benchmarks (`search`, `console`): rows built like intake
//! builds them (the same index text, business key and a real router suggestion; no events or
//! clocks), spread over two years, at 12 agencies, with 5,000 businesses and the 150
//! development-set complaint texts as descriptions, written in large multi-row INSERTs.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use chrono::{TimeDelta, Utc};
use diesel::prelude::*;
use hotline::db::cases::CaseRow;
use hotline::db::schema::{case_agencies, cases};
use hotline::db::AnyConnection;
use hotline::domain::case::{Channel, Outcome, Status};
use hotline::domain::ids::CaseId;
use hotline::domain::open::{BusinessFacts, Opening, Reporter};
use hotline::domain::Case;
use hotline::routing::Router;
use hotline::service::intake::business_key;

use super::{mix, pick};

/// Rows per INSERT statement. A case has 46 columns; SQLite allows 32,766 bound parameters per
/// statement and PostgreSQL 65,535. (While `CaseRow` inserted `DEFAULT` for `None`, diesel
/// wrote one statement per row on SQLite and the limit did not show; since ADR 0045 it is one
/// statement per batch.)
const ROWS_PER_INSERT: usize = 500;
/// Rows per transaction.
const ROWS_PER_TX: usize = 10_000;

pub const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý",
];
pub const MIDDLE: &[&str] = &[
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thu", "Quốc", "Thanh", "Hoài",
];
pub const GIVEN: &[&str] = &[
    "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh",
    "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến",
];
pub const SHOP_KINDS: &[&str] = &[
    "Cửa hàng",
    "Công ty TNHH",
    "Công ty Cổ phần",
    "Shop",
    "Siêu thị",
    "Nhà hàng",
    "Đại lý",
    "Trung tâm",
];
pub const SHOP_WORDS: &[&str] = &[
    "Minh",
    "Phát",
    "Hoàng",
    "Long",
    "An",
    "Khang",
    "Thịnh",
    "Vượng",
    "Tân",
    "Tiến",
    "Đại",
    "Lộc",
    "Phúc",
    "Thành",
    "Công",
    "Hưng",
    "Thái",
    "Bình",
    "Sao",
    "Việt",
    "Nam",
    "Kim",
    "Ngân",
    "Hồng",
    "Quang",
    "Trường",
    "Sơn",
    "Hải",
    "Đông",
    "Tây",
    "Bắc",
    "Mỹ",
    "Hạnh",
    "Gia",
    "Huy",
    "Bảo",
    "Ngọc",
    "Thiên",
    "Hòa",
    "Phú",
    "Xuân",
    "Thu",
    "Hà",
    "Linh",
    "Trung",
    "Nhật",
    "Quý",
    "Đức",
    "Trí",
    "Tâm",
];
pub const AGENCIES: &[&str] = &[
    "SCT", "SCT", "SCT", "SCT", "QLTT", "QLTT", "SYT", "HOI", "UBND_XA", "SKHCN", "SXD", "SVHTTDL", "NHNN", "SNNMT",
    "CA", "STC",
];
pub const STATUSES: &[&str] = &[
    "new",
    "routed",
    "accepted",
    "negotiation",
    "mediation",
    "inspection",
    "awaiting_info",
    "closed",
    "closed",
    "closed",
];
pub const BUSINESSES: usize = 5_000;
/// Cases are spread evenly over this period before the load started.
pub const SPAN_DAYS: i64 = 730;

pub struct Texts {
    /// (description, suggestion JSON, kind, category)
    pub items: Vec<(String, String, String, String)>,
    /// Two-word subjects taken from the texts, as typed by staff.
    pub topics: Vec<String>,
}

pub fn load_texts(router: &Router) -> anyhow::Result<Texts> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/complaints-dev.jsonl");
    let raw = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut items = Vec::new();
    for line in raw.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let text = v["text"]
            .as_str()
            .ok_or_else(|| anyhow!("a fixture line has no text"))?
            .to_owned();
        let c = router.classify(&text, Some("hotline"));
        items.push((
            text,
            serde_json::to_string(&c)?,
            c.kind.as_str().to_owned(),
            c.category.clone(),
        ));
    }
    let topics = [
        "máy giặt",
        "hoàn tiền",
        "bảo hiểm",
        "điện thoại",
        "tiền điện",
        "thực phẩm",
        "giao hàng",
        "bảo hành",
        "khuyến mãi",
        "hàng giả",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Ok(Texts { items, topics })
}

pub fn business_name(b: u64) -> String {
    let h = mix(b ^ 0xB05);
    format!(
        "{} {} {} {}",
        pick(SHOP_KINDS, h, 0),
        pick(SHOP_WORDS, h, 8),
        pick(SHOP_WORDS, h, 16),
        pick(SHOP_WORDS, h, 24)
    )
}

/// Tracking codes are unique by construction (the service draws them at random and checks).
pub fn tracking_code(i: usize) -> String {
    const A: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut n = i as u64;
    let mut s = String::new();
    for k in 0..8 {
        if k == 4 {
            s.insert(0, '-');
        }
        s.insert(0, A[(n % A.len() as u64) as usize] as char);
        n /= A.len() as u64;
    }
    format!("KN-2026-{s}")
}

pub fn phone(i: usize) -> String {
    format!("09{:08}", mix(i as u64 ^ 0x9F) % 100_000_000)
}

pub fn row(i: usize, n_total: usize, start: chrono::DateTime<Utc>, texts: &Texts, stop: &[String]) -> CaseRow {
    let h = mix(i as u64);
    let (desc, suggestion, kind, category) = &texts.items[(h % texts.items.len() as u64) as usize];
    let biz_no = (h >> 20) % BUSINESSES as u64;
    let biz = business_name(biz_no);
    let name = format!("{} {} {}", pick(FAMILY, h, 8), pick(MIDDLE, h, 12), pick(GIVEN, h, 16));
    let phone = phone(i);
    let code = tracking_code(i);
    let status = pick(STATUSES, h, 28);
    let agency = pick(AGENCIES, h, 36);
    let step = (SPAN_DAYS * 86_400_000_000 / n_total.max(1) as i64).max(1);
    let at = (start - TimeDelta::days(SPAN_DAYS) + TimeDelta::microseconds(step * i as i64)).naive_utc();
    let description = format!("{desc} (về {biz})");
    let case = Case::open(Opening {
        id: CaseId::new(),
        tracking_code: code.into(),
        kind: hotline::domain::Kind::parse(kind).expect("a kind of the development set"),
        category: category.clone().into(),
        channel: Channel::Hotline,
        agency: agency.into(),
        description,
        consumer_request: None,
        amount_vnd: Some(100_000 * (1 + (h >> 48) as i64 % 100)),
        transaction_date: None,
        reporter: Reporter {
            name,
            phone: Some(phone),
            province: Some("Hà Nội".into()),
            consent_at: Some(at),
            ..Reporter::default()
        },
        business: BusinessFacts {
            key: business_key(Some(&biz), None, stop),
            name: Some(biz),
            ..BusinessFacts::default()
        },
        product: None,
        call_id: None,
        unit: None,
        suggestion: suggestion.clone(),
        possible_duplicate_of: None,
        opened_by: None,
        at,
    });
    let status = Status::parse(status).expect("a status");
    CaseRow {
        status,
        outcome: (status == Status::Closed).then_some(Outcome::Advised),
        priority: (h >> 44) % 33 == 0,
        closed_at: (status == Status::Closed).then_some(at),
        ..CaseRow::from(&case)
    }
}

pub fn load_rows(
    conn: &mut AnyConnection,
    from: usize,
    to: usize,
    n_total: usize,
    start: chrono::DateTime<Utc>,
    texts: &Texts,
    stop: &[String],
) -> anyhow::Result<()> {
    let mut i = from;
    let t0 = Instant::now();
    let mut last = Instant::now();
    let search_trigger = SearchTrigger::suspend(conn)?;
    while i < to {
        let end = (i + ROWS_PER_TX).min(to);
        hotline::db::portability::write_transaction(conn, |c| {
            let before = match &search_trigger {
                Some(_) => SearchTrigger::last_rowid(c)?,
                None => 0,
            };
            let mut k = i;
            while k < end {
                let e = (k + ROWS_PER_INSERT).min(end);
                let rows: Vec<CaseRow> = (k..e).map(|j| row(j, n_total, start, texts, stop)).collect();
                let grants: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        (
                            case_agencies::case_id.eq(r.id.to_string()),
                            case_agencies::agency_code.eq(r
                                .current_agency
                                .clone()
                                .map(String::from)
                                .unwrap_or_default()),
                        )
                    })
                    .collect();
                // Multi-row INSERTs need the concrete connection (diesel's MultiConnection
                // does not batch); the service itself never does this.
                match c {
                    AnyConnection::Sqlite(s) => {
                        diesel::insert_into(cases::table).values(&rows).execute(s)?;
                        diesel::insert_into(case_agencies::table).values(&grants).execute(s)?;
                    }
                    AnyConnection::Postgresql(p) => {
                        diesel::insert_into(cases::table).values(&rows).execute(p)?;
                        diesel::insert_into(case_agencies::table).values(&grants).execute(p)?;
                    }
                }
                k = e;
            }
            if let Some(t) = &search_trigger {
                t.index_rows_after(c, before)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        i = end;
        if last.elapsed() > Duration::from_secs(15) {
            println!(
                "  ... {i}/{to} ({:.0} cases/s)",
                (i - from) as f64 / t0.elapsed().as_secs_f64()
            );
            last = Instant::now();
        }
    }
    if let Some(t) = search_trigger {
        t.restore(conn)?;
    }
    Ok(())
}

/// SQLite: the search index written once per transaction of the load instead of once per row.
///
/// FTS5 flushes its pending terms to a new segment at every statement of a transaction that
/// has written it (its `xSavepoint`), then merges: a million rows made a million one-row
/// segments and the load slowed from ~2,300 to under 200 rows/s. The insert trigger
/// (`cases_search_insert`, migration 000003) is set aside during the load and its two steps
/// run over the transaction's new rows at its end — the same keys and index entries,
/// computed the way the migration that created them does — then the trigger is put back
/// exactly as it was.
struct SearchTrigger {
    sql: String,
}

#[derive(QueryableByName)]
struct TriggerSql {
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

impl SearchTrigger {
    fn suspend(conn: &mut AnyConnection) -> anyhow::Result<Option<SearchTrigger>> {
        let AnyConnection::Sqlite(c) = conn else {
            return Ok(None);
        };
        let t: TriggerSql =
            diesel::sql_query("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'cases_search_insert'")
                .get_result(c)
                .context("the search trigger")?;
        diesel::sql_query("DROP TRIGGER cases_search_insert").execute(c)?;
        Ok(Some(SearchTrigger { sql: t.sql }))
    }

    fn last_rowid(conn: &mut AnyConnection) -> diesel::QueryResult<i64> {
        #[derive(QueryableByName)]
        struct Last {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let AnyConnection::Sqlite(c) = conn else { return Ok(0) };
        let l: Last = diesel::sql_query("SELECT COALESCE(MAX(rowid), 0) AS n FROM cases").get_result(c)?;
        Ok(l.n)
    }

    /// Keys for the rows inserted after `rowid` (priority, then microseconds of creation, then
    /// a slot among the keys already taken in that microsecond), then their index entries.
    fn index_rows_after(&self, conn: &mut AnyConnection, rowid: i64) -> diesel::QueryResult<()> {
        use diesel::sql_types::BigInt;
        let AnyConnection::Sqlite(c) = conn else { return Ok(()) };
        diesel::sql_query(
            "UPDATE cases SET search_key = k.key FROM (
               SELECT id, base + ROW_NUMBER() OVER (PARTITION BY base ORDER BY id) - 1
                      + (SELECT count(*) FROM cases c WHERE c.search_key >= base AND c.search_key < base + 1024) AS key
                 FROM (SELECT id,
                              (CASE WHEN priority THEN 4611686018427387904 ELSE 0 END)
                              + ((CAST(strftime('%s', created_at) AS INTEGER) - 946684800) * 1000000
                                 + CAST(substr(substr(created_at, 21) || '000000', 1, 6) AS INTEGER)) * 1024 AS base
                         FROM cases WHERE rowid > ?)) AS k
             WHERE cases.id = k.id",
        )
        .bind::<BigInt, _>(rowid)
        .execute(c)?;
        diesel::sql_query(format!(
            "INSERT INTO case_search (rowid, search_text) SELECT c.search_key, {} FROM cases c WHERE c.rowid > ?",
            hotline::db::portability::SEARCH_DOCUMENT
        ))
        .bind::<BigInt, _>(rowid)
        .execute(c)
        .map(drop)
    }

    fn restore(self, conn: &mut AnyConnection) -> anyhow::Result<()> {
        if let AnyConnection::Sqlite(c) = conn {
            diesel::sql_query(self.sql).execute(c)?;
        }
        Ok(())
    }
}
