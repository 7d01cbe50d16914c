//! The reports as tables — one list of rows of cells, written as CSV (UTF-8 with BOM, for
//! spreadsheet programs) or as an XLSX sheet (numbers and dates as real cells). Vietnamese
//! headers; every figure with the query string of its drill-down in the last column.

use super::performance::Figures;
use super::summary::month_label;
use super::{Performance, Summary};
use crate::calendar;
use crate::error::AppError;
use crate::xlsx::Cell;

fn text(v: &str) -> Cell {
    Cell::Text(v.to_owned())
}

fn num(v: i64) -> Cell {
    Cell::Number(v as f64)
}

fn opt(v: Option<f64>) -> Cell {
    v.map(Cell::Number).unwrap_or(Cell::Empty)
}

/// A row of a figure: section, value, number, drill-down.
fn figure(section: &str, value: &str, n: Cell, drill: Option<&str>) -> Vec<Cell> {
    vec![text(section), text(value), n, drill.map(text).unwrap_or(Cell::Empty)]
}

/// The summary as rows: the period, then every figure.
pub fn summary_rows(s: &Summary) -> Vec<Vec<Cell>> {
    let mut rows = vec![
        vec![text("Từ ngày"), Cell::Date(s.from)],
        vec![text("Đến ngày"), Cell::Date(s.to)],
        vec![text("Chỉ tiêu"), text("Giá trị"), text("Số liệu"), text("Tra cứu")],
        figure("Tổng số vụ việc", "", num(s.total), Some(&s.total_drill_down)),
    ];
    for b in &s.breakdowns {
        for r in &b.rows {
            let value = match (b.dimension.as_str(), r.value.as_deref()) {
                (_, None) => "(không ghi nhận)".to_owned(),
                ("month", Some(v)) => month_label(v),
                (_, Some(v)) => v.to_owned(),
            };
            rows.push(figure(&b.title, &value, num(r.count), r.drill_down.as_deref()));
        }
    }
    for c in &s.clocks {
        rows.push(figure(
            "Thời hạn – đúng hạn",
            &c.title,
            num(c.met),
            Some(&c.met_drill_down),
        ));
        rows.push(figure(
            "Thời hạn – trễ hạn",
            &c.title,
            num(c.late),
            Some(&c.late_drill_down),
        ));
        rows.push(figure(
            "Thời hạn – đang quá hạn",
            &c.title,
            num(c.running_overdue),
            Some(&c.overdue_drill_down),
        ));
        rows.push(figure("Tỷ lệ đúng hạn", &c.title, opt(c.on_time_rate), None));
    }
    let t = &s.time_to_close;
    rows.push(figure("Số vụ việc đã kết thúc", "", num(t.closed), Some(&t.drill_down)));
    rows.push(figure(
        "Thời gian giải quyết (ngày)",
        "trung vị",
        opt(t.median_days),
        None,
    ));
    rows.push(figure(
        "Thời gian giải quyết (ngày)",
        "phân vị 90",
        opt(t.p90_days),
        None,
    ));
    let c = &s.calls;
    rows.push(figure("Cuộc gọi", "tổng số", num(c.total), Some(&c.drill_down)));
    rows.push(figure("Cuộc gọi", "chỉ tư vấn", num(c.advice_only), None));
    rows.push(figure("Cuộc gọi", "mở hồ sơ", num(c.cases_opened), None));
    for r in &c.by_outcome {
        rows.push(figure(
            "Cuộc gọi theo kết quả",
            &r.outcome,
            num(r.count),
            Some(&r.drill_down),
        ));
    }
    for b in &s.top_businesses {
        let name = b.name.as_deref().unwrap_or(&b.business_key);
        rows.push(figure(
            "Doanh nghiệp bị khiếu nại nhiều",
            name,
            num(b.cases),
            Some(&b.drill_down),
        ));
        rows.push(figure(
            "Tỷ lệ trả lời đúng hạn của doanh nghiệp",
            name,
            opt(b.on_time_answer_rate),
            None,
        ));
    }
    let m = &s.money_recovered;
    rows.push(figure(
        "Tiền thu hồi cho người tiêu dùng (đồng)",
        "",
        num(m.total_vnd),
        Some(&m.drill_down),
    ));
    rows.push(figure(
        "Số vụ việc có tiền thu hồi",
        "",
        num(m.cases),
        Some(&m.drill_down),
    ));
    if let Some(m) = &s.mediation {
        mediation_rows(&mut rows, m);
    }
    rows
}

/// The mediation section's figures: the results, then each mediator's.
fn mediation_rows(rows: &mut Vec<Vec<Cell>>, m: &super::MediationFigures) {
    let section = "Hòa giải (vụ việc có hòa giải viên)";
    rows.push(figure(section, "tổng số", num(m.cases), Some(&m.drill_down)));
    rows.push(figure(
        section,
        "hòa giải thành",
        num(m.settled),
        Some(&m.settled_drill_down),
    ));
    rows.push(figure(
        section,
        "hòa giải không thành",
        num(m.failed),
        Some(&m.failed_drill_down),
    ));
    rows.push(figure(section, "kết thúc cách khác", num(m.closed_otherwise), None));
    rows.push(figure(section, "chưa kết thúc", num(m.open), Some(&m.open_drill_down)));
    rows.push(figure(section, "tỷ lệ hòa giải thành", opt(m.success_rate), None));
    rows.push(figure(section, "phiên hòa giải đã tổ chức", num(m.sessions_held), None));
    for x in &m.mediators {
        rows.push(figure(
            "Hòa giải viên – số vụ việc",
            &x.name,
            num(x.cases),
            Some(&x.drill_down),
        ));
        rows.push(figure("Hòa giải viên – hòa giải thành", &x.name, num(x.settled), None));
        rows.push(figure("Hòa giải viên – không thành", &x.name, num(x.failed), None));
        rows.push(figure("Hòa giải viên – chưa kết thúc", &x.name, num(x.open), None));
        rows.push(figure(
            "Hòa giải viên – phiên đã tổ chức",
            &x.name,
            num(x.sessions_held),
            None,
        ));
    }
}

/// One row of the performance table: an agency (`unit` empty) or one of its units.
fn figure_row(agency: &str, unit: &str, name: Option<&str>, f: &Figures) -> Vec<Cell> {
    vec![
        text(agency),
        text(unit),
        name.map(text).unwrap_or(Cell::Empty),
        num(f.cases),
        num(f.overdue_now),
        opt(f.on_time_rate),
        num(f.time_to_close.closed),
        opt(f.time_to_close.median_days),
        opt(f.time_to_close.p90_days),
        opt(f.rating_average),
        num(f.ratings),
        text(&f.drill_down),
    ]
}

/// The agencies' performance as rows: one per agency followed by one per unit of it, then
/// one per agency and clock.
pub fn performance_rows(p: &Performance) -> Vec<Vec<Cell>> {
    let mut rows = vec![
        vec![text("Từ ngày"), Cell::Date(p.from)],
        vec![text("Đến ngày"), Cell::Date(p.to)],
        [
            "Cơ quan",
            "Đơn vị",
            "Tên",
            "Số vụ việc",
            "Đang quá hạn",
            "Tỷ lệ đúng hạn",
            "Đã kết thúc",
            "Trung vị ngày giải quyết",
            "Phân vị 90 ngày giải quyết",
            "Điểm hài lòng trung bình",
            "Số đánh giá",
            "Tra cứu",
        ]
        .map(text)
        .to_vec(),
    ];
    for a in &p.agencies {
        rows.push(figure_row(&a.agency, "", a.name.as_deref(), &a.figures));
        for u in &a.units {
            rows.push(figure_row(&a.agency, &u.unit, u.name.as_deref(), &u.figures));
        }
    }
    rows.push(vec![]);
    rows.push(
        [
            "Cơ quan",
            "Thời hạn",
            "Đúng hạn",
            "Trễ hạn",
            "Đang quá hạn",
            "Tỷ lệ đúng hạn",
        ]
        .map(text)
        .to_vec(),
    );
    for a in &p.agencies {
        for c in &a.figures.clocks {
            rows.push(vec![
                text(&a.agency),
                text(&c.title),
                num(c.met),
                num(c.late),
                num(c.running_overdue),
                opt(c.on_time_rate),
            ]);
        }
    }
    rows
}

/// Rows as CSV: UTF-8 with a BOM, CRLF, dates as dd/mm/yyyy, rates with four decimals.
pub fn to_csv(rows: &[Vec<Cell>]) -> String {
    fn cell(c: &Cell) -> String {
        match c {
            Cell::Text(t) => csv_field(t),
            Cell::Number(n) if n.fract() == 0.0 => format!("{n:.0}"),
            Cell::Number(n) => format!("{n:.4}"),
            Cell::Date(d) => calendar::vn_date(*d),
            Cell::Empty => String::new(),
        }
    }
    let mut out = String::from("\u{feff}");
    for r in rows {
        out.push_str(&r.iter().map(cell).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// One text field of a CSV file (RFC 4180): quoted when it holds a comma, a quote or a line
/// break. Text a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return: a business name or a commune as the consumer typed it) gets a leading
/// apostrophe, as OWASP advises for CSV injection, so Excel shows it as typed and runs nothing.
pub fn csv_field(v: &str) -> String {
    let v = match v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        true => format!("'{v}"),
        false => v.to_owned(),
    };
    match v.contains([',', '"', '\n', '\r']) {
        true => format!("\"{}\"", v.replace('"', "\"\"")),
        false => v,
    }
}

/// Rows as an XLSX workbook of one sheet.
pub fn to_xlsx(sheet: &str, rows: &[Vec<Cell>]) -> Result<Vec<u8>, AppError> {
    crate::xlsx::workbook(sheet, rows).map_err(|e| AppError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::{csv_field, to_csv, Cell};

    #[test]
    fn text_a_spreadsheet_would_run_is_written_as_typed() {
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field("+84 912"), "'+84 912");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("Điện máy, Ánh Dương"), "\"Điện máy, Ánh Dương\"");
        assert_eq!(csv_field("Phường 1"), "Phường 1");
        // Numbers are numbers: a negative one is not text and keeps its sign.
        let csv = to_csv(&[vec![Cell::Number(-2.0), Cell::Text("=1+1".into())]]);
        assert_eq!(csv, "\u{feff}-2,'=1+1\r\n");
    }
}
