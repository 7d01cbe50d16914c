//! The period report as a printed document (issue 14 item 2): an agency's quarterly or annual
//! report to Sở Công Thương, or the province's (a coordinator's, every agency), in Vietnamese,
//! with tables and bar charts — built from the very summary and agency performance the API
//! serves, so the paper and the figures on screen cannot disagree.

use chrono::NaiveDate;

use super::summary::{month_label, summary_of, Summary};
use super::{performance::performance_of, Performance, DIMENSIONS};
use crate::calendar;
use crate::db::cases::Dimension;
use crate::documents::{Block, Document};
use crate::domain::case::{Channel, Outcome, Status, VulnerableGroup};
use crate::domain::user::{Actor, Role};
use crate::error::AppError;
use crate::routing::Taxonomy;
use crate::state::AppState;
use crate::text::thousands;

/// The report of `period` as PDF bytes, for `agency` (a supervisor: only their own, the
/// default) or, for a coordinator without `agency`, the province's consolidated report with a
/// table of every agency.
pub async fn document(
    state: &AppState,
    actor: Actor,
    period: ReportPeriod,
    agency: Option<String>,
) -> Result<(Summary, Vec<u8>), AppError> {
    let Actor::Staff(staff) = &actor else {
        return Err(AppError::Unauthenticated);
    };
    let own = staff.agency.as_ref().map(|a| a.to_string());
    let taxonomy = state.router.taxonomy();
    if let Some(a) = &agency {
        if taxonomy.agency(a).is_none() {
            return Err(AppError::bad_query(
                "agency",
                "unknown agency code",
                "mã cơ quan không tồn tại",
            ));
        }
    }
    let (filter, who) = match (staff.role, agency) {
        (Role::Coordinator, None) => (
            None,
            Reporter {
                name: own.as_deref().and_then(|a| taxonomy.agency(a)).map_or(
                    "Đầu mối bảo vệ quyền lợi người tiêu dùng tỉnh".to_owned(),
                    |a| a.name.clone(),
                ),
                consolidated: true,
            },
        ),
        (Role::Coordinator, Some(a)) => (Some(a.clone()), reporter_of(taxonomy, &a)),
        (Role::Supervisor, a) if a.is_none() || a == own => {
            (own.clone(), reporter_of(taxonomy, own.as_deref().unwrap_or("")))
        }
        (Role::Supervisor, Some(_)) => return Err(AppError::Forbidden),
        _ => return Err(AppError::Forbidden),
    };
    let (from, to) = period.days();
    let dims = vec![
        Dimension::Month,
        Dimension::Category,
        Dimension::Channel,
        Dimension::Kind,
        Dimension::Vulnerable,
        Dimension::Status,
        Dimension::Outcome,
    ];
    let summary = summary_of(state, actor.clone(), from, to, dims, filter.clone()).await?;
    let perf = performance_of(state, actor, from, to, filter).await?;
    let today = super::today(state.clock.now());
    let mut doc = report_document(taxonomy, period, &who, today, &summary, &perf);
    if who.consolidated {
        let received = super::submissions::received(state, period).await?;
        submissions_section(&mut doc, &received);
    }
    let pdf = crate::documents::render(&doc).map_err(|e| AppError::Internal(e.into()))?;
    Ok((summary, pdf))
}

/// The consolidated report's last section: which agencies submitted their report of the
/// period, when, and the number of cases their frozen report counted.
fn submissions_section(doc: &mut Document, received: &[super::submissions::Received]) {
    if received.is_empty() {
        return;
    }
    let at = doc
        .blocks
        .iter()
        .rposition(|b| matches!(b, Block::Para(_)))
        .unwrap_or(doc.blocks.len());
    let blocks = vec![
        Block::Heading(numbered(&doc.blocks, "TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN")),
        Block::Table {
            headers: ["Cơ quan", "Báo cáo", "Ngày gửi", "Số vụ việc (đã chốt)"]
                .map(str::to_owned)
                .to_vec(),
            rows: received
                .iter()
                .map(|r| {
                    vec![
                        r.agency_name.clone(),
                        r.report_name.clone(),
                        r.submitted_on.map_or("chưa gửi".to_owned(), calendar::vn_date),
                        r.total_cases.map_or("–".to_owned(), thousands),
                    ]
                })
                .collect(),
            widths: vec![0.36, 0.26, 0.16, 0.22],
        },
    ];
    doc.blocks.splice(at..at, blocks);
}

fn reporter_of(t: &Taxonomy, code: &str) -> Reporter {
    Reporter {
        name: t.agency(code).map_or(code.to_owned(), |a| a.name.clone()),
        consolidated: false,
    }
}

/// A reporting period: a quarter, a year or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    Quarter { year: i32, quarter: u32 },
    Year(i32),
    Month { year: i32, month: u32 },
}

impl ReportPeriod {
    /// `2026-Q3`, `2026` or `2026-11`.
    pub fn parse(s: &str) -> Result<ReportPeriod, AppError> {
        let bad = || {
            AppError::bad_query(
                "period",
                "period is a quarter (2026-Q3), a year (2026) or a month (2026-11)",
                "period là một quý (2026-Q3), một năm (2026) hoặc một tháng (2026-11)",
            )
        };
        let year = |y: &str| {
            y.parse::<i32>()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .ok_or_else(bad)
        };
        match s.split_once('-') {
            None => Ok(ReportPeriod::Year(year(s)?)),
            Some((y, q)) if q.starts_with(['Q', 'q']) => {
                let quarter = q[1..]
                    .parse::<u32>()
                    .ok()
                    .filter(|q| (1..=4).contains(q))
                    .ok_or_else(bad)?;
                Ok(ReportPeriod::Quarter {
                    year: year(y)?,
                    quarter,
                })
            }
            Some((y, m)) => {
                let month = m.parse::<u32>().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?;
                Ok(ReportPeriod::Month { year: year(y)?, month })
            }
        }
    }

    /// First and last day.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let (y, first_month, months) = match self {
            ReportPeriod::Quarter { year, quarter } => (year, (quarter - 1) * 3 + 1, 3),
            ReportPeriod::Year(year) => (year, 1, 12),
            ReportPeriod::Month { year, month } => (year, month, 1),
        };
        let start = NaiveDate::from_ymd_opt(y, first_month, 1).unwrap_or_default();
        let end = calendar::add_calendar_months(start, months).pred_opt().unwrap_or(start);
        (start, end)
    }

    /// "Quý III năm 2026", "Năm 2026", "Tháng 11 năm 2026".
    pub fn label_vi(self) -> String {
        match self {
            ReportPeriod::Quarter { year, quarter } => {
                let roman = ["I", "II", "III", "IV"][(quarter as usize).clamp(1, 4) - 1];
                format!("Quý {roman} năm {year}")
            }
            ReportPeriod::Year(year) => format!("Năm {year}"),
            ReportPeriod::Month { year, month } => format!("Tháng {month} năm {year}"),
        }
    }

    /// For file names: `2026-Q3`, `2026`, `2026-11`.
    pub fn slug(self) -> String {
        match self {
            ReportPeriod::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            ReportPeriod::Year(year) => year.to_string(),
            ReportPeriod::Month { year, month } => format!("{year}-{month:02}"),
        }
    }
}

/// The Vietnamese label of a value of a dimension.
fn value_label(t: &Taxonomy, d: Dimension, v: &str) -> String {
    let known = match d {
        Dimension::Month => Some(month_label(v)),
        Dimension::Channel => Channel::parse(v).map(|c| c.label_vi().to_owned()),
        Dimension::Kind => match v {
            "consultation" => Some("Tư vấn".to_owned()),
            "dispute" => Some("Tranh chấp (yêu cầu hỗ trợ giải quyết)".to_owned()),
            "violation_report" => Some("Phản ánh vi phạm".to_owned()),
            _ => None,
        },
        Dimension::Category => t.category(v).map(|c| c.name.clone()),
        Dimension::Agency => t.agency(v).map(|a| a.name.clone()),
        Dimension::Status => Status::parse(v).map(|s| s.label_vi().to_owned()),
        Dimension::Outcome => Outcome::parse(v).map(|o| o.label_vi().to_owned()),
        Dimension::Vulnerable if v == "none" || v.is_empty() => Some("Không thuộc nhóm dễ bị tổn thương".to_owned()),
        Dimension::Vulnerable => Some(
            v.split(',')
                .map(|g| VulnerableGroup::parse(g.trim()).map_or(g, |g| g.label_vi()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Dimension::ConsumerProvince | Dimension::ConsumerCommune | Dimension::Unit => None,
    };
    known.unwrap_or_else(|| v.to_owned())
}

fn percent(r: Option<f64>) -> String {
    r.map_or("–".to_owned(), |r| format!("{:.1}%", r * 100.0).replace('.', ","))
}

fn days_text(d: Option<f64>) -> String {
    d.map_or("–".to_owned(), |d| format!("{d:.1}").replace('.', ","))
}

/// Who reports: the agency's name, or the province (a coordinator's consolidated report).
pub struct Reporter {
    pub name: String,
    pub consolidated: bool,
}

/// The report document of `period` from the summary and the agencies' performance.
pub fn report_document(
    t: &Taxonomy,
    period: ReportPeriod,
    who: &Reporter,
    today: NaiveDate,
    s: &Summary,
    p: &Performance,
) -> Document {
    let mut b = vec![
        Block::centered(&who.name.to_uppercase(), true),
        Block::centered("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true),
        Block::centered("Độc lập - Tự do - Hạnh phúc", true),
        Block::Gap,
        Block::title("BÁO CÁO"),
        Block::centered(
            "Kết quả tiếp nhận, giải quyết yêu cầu, khiếu nại của người tiêu dùng",
            true,
        ),
        Block::centered(
            &format!(
                "{} (từ ngày {} đến ngày {})",
                period.label_vi(),
                calendar::vn_date(s.from),
                calendar::vn_date(s.to)
            ),
            false,
        ),
        Block::Gap,
    ];
    intake(&mut b, t, s);
    results(&mut b, t, s);
    deadlines(&mut b, s);
    businesses(&mut b, s);
    mediation(&mut b, s);
    if who.consolidated {
        agencies(&mut b, p);
    }
    b.push(Block::Gap);
    b.push(Block::Para(format!(
        "Số liệu tính trên các vụ việc tiếp nhận trong kỳ, tại ngày lập báo cáo {}; mỗi số liệu tra cứu được danh sách vụ việc tương ứng trên hệ thống.",
        calendar::vn_date(today)
    )));
    b.push(Block::Signatures(vec![
        ("NGƯỜI LẬP BÁO CÁO".into(), "(Ký, ghi rõ họ tên)".into()),
        ("THỦ TRƯỞNG ĐƠN VỊ".into(), "(Ký, ghi rõ họ tên, đóng dấu)".into()),
    ]));
    Document {
        title: format!("Báo cáo {} – {}", period.label_vi(), who.name),
        blocks: b,
    }
}

/// The next section's heading: its Roman numeral follows the headings before it (a section
/// that a report has not — the mediation of an agency without mediators — shifts none).
fn numbered(blocks: &[Block], title: &str) -> String {
    const NUMERALS: [&str; 10] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"];
    let n = blocks.iter().filter(|b| matches!(b, Block::Heading(_))).count();
    format!("{}. {title}", NUMERALS.get(n).copied().unwrap_or("*"))
}

fn section(b: &mut Vec<Block>, title: &str) {
    let heading = numbered(b, title);
    b.push(Block::Heading(heading));
}

/// The mediations of the period (a mediation body's, or the province's): the results, and a
/// table of the mediators.
fn mediation(b: &mut Vec<Block>, s: &Summary) {
    let Some(m) = &s.mediation else {
        return;
    };
    section(b, "HÒA GIẢI");
    b.push(Block::Para(format!(
        "{} vụ việc tiếp nhận trong kỳ có hòa giải viên {}: hòa giải thành {}, không thành {}, kết thúc theo cách khác {}, chưa kết thúc {}; tỷ lệ hòa giải thành {}. Số phiên hòa giải đã tổ chức trong kỳ: {}.",
        thousands(m.cases),
        if m.body.is_some() { "của đơn vị" } else { "được chỉ định" },
        thousands(m.settled),
        thousands(m.failed),
        thousands(m.closed_otherwise),
        thousands(m.open),
        percent(m.success_rate),
        thousands(m.sessions_held)
    )));
    if m.mediators.is_empty() {
        return;
    }
    b.push(Block::Table {
        headers: [
            "Hòa giải viên",
            "Số vụ việc",
            "Thành",
            "Không thành",
            "Chưa kết thúc",
            "Phiên đã tổ chức",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: m
            .mediators
            .iter()
            .map(|x| {
                vec![
                    x.name.clone(),
                    thousands(x.cases),
                    thousands(x.settled),
                    thousands(x.failed),
                    thousands(x.open),
                    thousands(x.sessions_held),
                ]
            })
            .collect(),
        widths: vec![0.3, 0.13, 0.1, 0.14, 0.16, 0.17],
    });
}

fn breakdown(s: &Summary, d: Dimension) -> Option<&super::Breakdown> {
    let name = DIMENSIONS.iter().find(|x| x.0 == d)?.1;
    s.breakdowns.iter().find(|b| b.dimension == name)
}

/// A breakdown as a table of (label, count, share).
fn table_of(b: &mut Vec<Block>, t: &Taxonomy, s: &Summary, d: Dimension, header: &str) {
    let Some(br) = breakdown(s, d) else { return };
    let rows = br
        .rows
        .iter()
        .map(|r| {
            let none = if d == Dimension::Outcome {
                "(chưa kết thúc)"
            } else {
                "(không ghi nhận)"
            };
            let label = r.value.as_deref().map_or(none.to_owned(), |v| value_label(t, d, v));
            let share = (s.total > 0).then(|| r.count as f64 / s.total as f64);
            vec![label, thousands(r.count), percent(share)]
        })
        .collect();
    b.push(Block::Table {
        headers: vec![header.to_owned(), "Số vụ việc".to_owned(), "Tỷ lệ".to_owned()],
        rows,
        widths: vec![0.64, 0.18, 0.18],
    });
}

fn intake(b: &mut Vec<Block>, t: &Taxonomy, s: &Summary) {
    section(b, "TÌNH HÌNH TIẾP NHẬN");
    b.push(Block::Para(format!(
        "Trong kỳ tiếp nhận {} vụ việc và {} cuộc gọi đến đường dây nóng ({} cuộc gọi chỉ cần tư vấn, {} cuộc gọi được lập hồ sơ).",
        thousands(s.total),
        thousands(s.calls.total),
        thousands(s.calls.advice_only),
        thousands(s.calls.cases_opened)
    )));
    if let Some(months) = breakdown(s, Dimension::Month) {
        b.push(Block::Bars {
            caption: "Biểu đồ 1. Số vụ việc tiếp nhận theo tháng".into(),
            bars: months
                .rows
                .iter()
                .filter_map(|r| {
                    let v = r.value.as_deref()?;
                    Some((month_label(v), r.count as f64, thousands(r.count)))
                })
                .collect(),
            max: None,
        });
    }
    if let Some(cats) = breakdown(s, Dimension::Category) {
        b.push(Block::Bars {
            caption: "Biểu đồ 2. Số vụ việc theo lĩnh vực".into(),
            bars: cats
                .rows
                .iter()
                .map(|r| {
                    let label = r.value.as_deref().map_or("(không ghi nhận)".to_owned(), |v| {
                        value_label(t, Dimension::Category, v)
                    });
                    (label, r.count as f64, thousands(r.count))
                })
                .collect(),
            max: None,
        });
    }
    table_of(b, t, s, Dimension::Channel, "Kênh tiếp nhận");
    table_of(b, t, s, Dimension::Kind, "Loại vụ việc");
    table_of(b, t, s, Dimension::Vulnerable, "Nhóm người tiêu dùng dễ bị tổn thương");
}

fn results(b: &mut Vec<Block>, t: &Taxonomy, s: &Summary) {
    section(b, "KẾT QUẢ GIẢI QUYẾT");
    table_of(b, t, s, Dimension::Status, "Tình trạng");
    table_of(b, t, s, Dimension::Outcome, "Kết quả (vụ việc đã kết thúc)");
    let tc = &s.time_to_close;
    b.push(Block::Para(format!(
        "Đã kết thúc {} vụ việc; thời gian giải quyết trung vị {} ngày, 90% số vụ việc kết thúc trong {} ngày. Số tiền người tiêu dùng được hoàn trả, bồi thường đã xác nhận: {} đồng ({} vụ việc).",
        thousands(tc.closed),
        days_text(tc.median_days),
        days_text(tc.p90_days),
        thousands(s.money_recovered.total_vnd),
        thousands(s.money_recovered.cases)
    )));
}

fn deadlines(b: &mut Vec<Block>, s: &Summary) {
    section(b, "VIỆC TUÂN THỦ THỜI HẠN THEO QUY ĐỊNH");
    if s.clocks.is_empty() {
        b.push(Block::Para("Chưa có thời hạn nào phát sinh trong kỳ.".into()));
        return;
    }
    b.push(Block::Bars {
        caption: "Biểu đồ 3. Tỷ lệ đúng hạn theo từng thời hạn".into(),
        bars: s
            .clocks
            .iter()
            .map(|c| (c.title.clone(), c.on_time_rate.unwrap_or(0.0), percent(c.on_time_rate)))
            .collect(),
        max: Some(1.0),
    });
    b.push(Block::Table {
        headers: ["Thời hạn", "Đúng hạn", "Trễ hạn", "Đang quá hạn", "Tỷ lệ đúng hạn"]
            .map(str::to_owned)
            .to_vec(),
        rows: s
            .clocks
            .iter()
            .map(|c| {
                vec![
                    c.title.clone(),
                    thousands(c.met),
                    thousands(c.late),
                    thousands(c.running_overdue),
                    percent(c.on_time_rate),
                ]
            })
            .collect(),
        widths: vec![0.44, 0.13, 0.13, 0.14, 0.16],
    });
}

fn businesses(b: &mut Vec<Block>, s: &Summary) {
    section(b, "DOANH NGHIỆP BỊ KHIẾU NẠI NHIỀU");
    if s.top_businesses.is_empty() {
        b.push(Block::Para("Không có.".into()));
        return;
    }
    b.push(Block::Table {
        headers: ["Doanh nghiệp", "Số vụ việc", "Trả lời đúng hạn"]
            .map(str::to_owned)
            .to_vec(),
        rows: s
            .top_businesses
            .iter()
            .map(|x| {
                vec![
                    x.name.clone().unwrap_or_else(|| x.business_key.clone()),
                    thousands(x.cases),
                    percent(x.on_time_answer_rate),
                ]
            })
            .collect(),
        widths: vec![0.6, 0.18, 0.22],
    });
}

fn agencies(b: &mut Vec<Block>, p: &Performance) {
    section(b, "KẾT QUẢ CỦA TỪNG CƠ QUAN");
    b.push(Block::Table {
        headers: [
            "Cơ quan",
            "Số vụ việc",
            "Đang quá hạn",
            "Đúng hạn",
            "Trung vị ngày",
            "Hài lòng (1–5)",
        ]
        .map(str::to_owned)
        .to_vec(),
        rows: p
            .agencies
            .iter()
            .map(|a| {
                let f = &a.figures;
                vec![
                    a.name.clone().unwrap_or_else(|| a.agency.clone()),
                    thousands(f.cases),
                    thousands(f.overdue_now),
                    percent(f.on_time_rate),
                    days_text(f.time_to_close.median_days),
                    f.rating_average.map_or("–".to_owned(), |r| {
                        format!("{r:.1} ({})", f.ratings).replace('.', ",")
                    }),
                ]
            })
            .collect(),
        widths: vec![0.34, 0.12, 0.13, 0.13, 0.13, 0.15],
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_span_their_days() {
        let q = ReportPeriod::parse("2026-Q3").ok();
        assert_eq!(q, Some(ReportPeriod::Quarter { year: 2026, quarter: 3 }));
        let (a, z) = q.map(ReportPeriod::days).unwrap_or_default();
        assert_eq!(
            (a.to_string(), z.to_string()),
            ("2026-07-01".into(), "2026-09-30".into())
        );
        assert_eq!(q.map(ReportPeriod::label_vi).as_deref(), Some("Quý III năm 2026"));
        assert_eq!(ReportPeriod::parse("2026").ok(), Some(ReportPeriod::Year(2026)));
        assert_eq!(
            ReportPeriod::parse("2026-02")
                .ok()
                .map(|p| p.days().1.to_string())
                .as_deref(),
            Some("2026-02-28")
        );
        for bad in ["2026-Q5", "26", "2026-13", "Q3", "2026-Qx", ""] {
            assert!(ReportPeriod::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_print_the_vietnamese_way() {
        assert_eq!(thousands(2_500_000), "2.500.000");
        assert_eq!(thousands(999), "999");
        assert_eq!(percent(Some(0.8571)), "85,7%");
        assert_eq!(percent(None), "–");
    }
}
