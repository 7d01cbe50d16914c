//! The open dataset (issue 14 item 7): every case closed before today (Vietnam time), as CSV or
//! JSON, anonymised — no personal data and no free text. The consumer's narrative is not
//! published: intake records no consent to publish it, so none is (README). Read from the
//! database in pages of `PAGE` cases and streamed, so a million cases never sit in memory.
//! The dataset changes once a day: cases closed today appear tomorrow.

use actix_web::web::Bytes;
use chrono::{DateTime, NaiveDateTime, Utc};
use futures_util::Stream;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::calendar;
use crate::db::cases::{self as case_db, OpenRow};
use crate::error::AppError;
use crate::state::AppState;

/// Cases read per database round trip.
const PAGE: i64 = 2_000;

/// The columns, in order, with their meaning (the data dictionary).
pub const FIELDS: [(&str, &str, &str); 10] = [
    (
        "id",
        "Mã ẩn danh của vụ việc (không tra cứu được hồ sơ)",
        "Anonymous case id (not a tracking code)",
    ),
    (
        "created_month",
        "Tháng tiếp nhận (YYYY-MM, giờ Việt Nam)",
        "Month received (YYYY-MM, Vietnam time)",
    ),
    ("closed_date", "Ngày kết thúc (YYYY-MM-DD)", "Date closed"),
    (
        "days_to_close",
        "Số ngày từ khi tiếp nhận đến khi kết thúc",
        "Days from receipt to closure",
    ),
    ("kind", "Loại: consultation, dispute, violation_report", "Kind"),
    ("category", "Lĩnh vực (mã theo danh mục)", "Category code (taxonomy)"),
    ("channel", "Kênh tiếp nhận", "Channel"),
    ("agency", "Cơ quan xử lý cuối cùng (mã)", "Last handling agency (code)"),
    ("outcome", "Kết quả", "Outcome"),
    ("consumer_province", "Tỉnh của người tiêu dùng", "Consumer's province"),
];

/// One published row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenCase {
    pub id: String,
    pub created_month: String,
    pub closed_date: Option<String>,
    pub days_to_close: Option<i64>,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub agency: Option<String>,
    pub outcome: Option<String>,
    pub consumer_province: Option<String>,
}

impl OpenCase {
    /// The published row of a closed case; the consumer's province by its official name when
    /// `places` knows the name typed, else nothing (the form's field is free text: an address
    /// or a phone number typed there is never published).
    fn of(r: OpenRow, places: &crate::routing::places::Places) -> OpenCase {
        let local = |t: NaiveDateTime| calendar::local_date(t.and_utc());
        let created = local(r.created_at);
        let closed = r.closed_at.map(local);
        OpenCase {
            // A one-way digest of the internal id: stable from day to day, linking to nothing.
            id: hex::encode(&Sha256::digest(r.id.as_bytes())[..8]),
            created_month: created.format("%Y-%m").to_string(),
            closed_date: closed.map(|d| d.to_string()),
            days_to_close: closed.map(|c| (c - created).num_days()),
            kind: r.kind,
            category: r.category,
            channel: r.channel,
            agency: r.current_agency,
            outcome: r.outcome,
            consumer_province: r
                .consumer_province
                .as_deref()
                .and_then(|p| places.find_province(p))
                .map(|p| p.name.clone()),
        }
    }

    fn csv(&self) -> String {
        use super::reports::csv_field as cell;
        let o = |v: &Option<String>| v.as_deref().map(cell).unwrap_or_default();
        format!(
            "{},{},{},{},{},{},{},{},{},{}\r\n",
            self.id,
            self.created_month,
            o(&self.closed_date),
            self.days_to_close.map(|d| d.to_string()).unwrap_or_default(),
            cell(&self.kind),
            cell(&self.category),
            cell(&self.channel),
            o(&self.agency),
            o(&self.outcome),
            o(&self.consumer_province)
        )
    }
}

/// CSV or JSON (an array).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// The instant the dataset is cut at: today's 00:00 in Vietnam.
pub fn cut(now: DateTime<Utc>) -> NaiveDateTime {
    calendar::local_date(now).and_time(chrono::NaiveTime::MIN) - chrono::TimeDelta::hours(7)
}

struct Cursor {
    after: Option<String>,
    started: bool,
    done: bool,
}

/// The dataset as a stream of chunks: a header (CSV) or `[` (JSON), a chunk per page, the end.
pub fn stream(state: AppState, format: Format) -> impl Stream<Item = Result<Bytes, AppError>> {
    let before = cut(state.clock.now());
    let start = Cursor {
        after: None,
        started: false,
        done: false,
    };
    futures_util::stream::unfold(start, move |mut cur| {
        let state = state.clone();
        async move {
            if cur.done {
                return None;
            }
            if !cur.started {
                cur.started = true;
                let head = match format {
                    Format::Csv => {
                        let names: Vec<&str> = FIELDS.iter().map(|f| f.0).collect();
                        format!("{}\r\n", names.join(","))
                    }
                    Format::Json => "[".to_owned(),
                };
                return Some((Ok(Bytes::from(head)), cur));
            }
            let after = cur.after.clone();
            let first = after.is_none();
            let page = state
                .db
                .run(move |conn| Ok(case_db::closed_page(conn, before, after.as_deref(), PAGE)?))
                .await;
            let rows = match page {
                Ok(rows) => rows,
                Err(e) => {
                    cur.done = true;
                    return Some((Err(e), cur));
                }
            };
            let Some(last) = rows.last().map(|r| r.id.clone()) else {
                cur.done = true;
                let end = if format == Format::Json { "]\n" } else { "" };
                return Some((Ok(Bytes::from(end)), cur));
            };
            cur.after = Some(last);
            let mut out = String::new();
            for (i, r) in rows.into_iter().enumerate() {
                let c = OpenCase::of(r, state.router.places());
                match format {
                    Format::Csv => out.push_str(&c.csv()),
                    Format::Json => {
                        if !(first && i == 0) {
                            out.push(',');
                        }
                        out.push_str(&serde_json::to_string(&c).unwrap_or_default());
                        out.push('\n');
                    }
                }
            }
            Some((Ok(Bytes::from(out)), cur))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn places() -> crate::routing::places::Places {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config/admin-units.json");
        crate::routing::places::Places::load(&path).unwrap()
    }

    #[test]
    fn a_row_carries_nothing_personal() {
        let t = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap_or_default();
        let row = |province: &str| OpenRow {
            id: "0190f0a0-0000-7000-8000-000000000002".into(),
            created_at: t("2026-10-31 18:00:00"),
            closed_at: None,
            kind: "dispute".into(),
            category: "ecommerce".into(),
            channel: "web".into(),
            current_agency: None,
            outcome: None,
            consumer_province: Some(province.into()),
        };
        let places = places();
        // The province field is free text: only a province's name is published, officially.
        for (typed, published) in [
            ("tp hcm", Some("Thành phố Hồ Chí Minh")),
            ("Số 5 ngõ 10 Trần Phú, Hà Đông – 0912 345 678", None),
            ("Nguyễn Thị Hồng", None),
        ] {
            assert_eq!(
                OpenCase::of(row(typed), &places).consumer_province.as_deref(),
                published,
                "{typed}"
            );
        }
        let c = OpenCase::of(
            OpenRow {
                id: "0190f0a0-0000-7000-8000-000000000001".into(),
                created_at: t("2026-10-31 18:00:00"),
                closed_at: Some(t("2026-11-10 02:00:00")),
                kind: "dispute".into(),
                category: "ecommerce".into(),
                channel: "hotline".into(),
                current_agency: Some("SCT".into()),
                outcome: Some("settled_negotiation".into()),
                consumer_province: Some("Bắc Ninh".into()),
            },
            &places,
        );
        // 01:00 on 1 November in Vietnam.
        assert_eq!(c.created_month, "2026-11");
        assert_eq!(c.days_to_close, Some(9));
        assert_eq!(c.id.len(), 16);
        assert_eq!(
            c.csv(),
            format!(
                "{},2026-11,2026-11-10,9,dispute,ecommerce,hotline,SCT,settled_negotiation,Bắc Ninh\r\n",
                c.id
            )
        );
    }
}
