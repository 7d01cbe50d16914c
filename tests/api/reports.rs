//! Reports (issue 14): the summary, its drill-downs and its CSV.

use serde_json::Value;

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, dispute_before, local_noon, violation, TestApp};

/// The ids of the cases listed by a drill-down query string.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let r = app.get(&format!("/api/v1/cases?{query}&limit=200"), Some(token)).await;
    assert_eq!(r.status, 200, "{query}: {}", r.body);
    let mut ids: Vec<String> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn row<'a>(summary: &'a Value, dimension: &str, value: &str) -> &'a Value {
    summary["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == dimension)
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == value)
        .unwrap_or_else(|| panic!("no {dimension}={value} in {summary}"))
}

async fn the_summary_counts_the_period_and_every_figure_drills_down_to_its_cases(app: &TestApp) {
    let (_, h) = app.user("h.report", "handler", Some("SCT")).await;
    let (_, coord) = app.user("c.report", "coordinator", Some("SCT")).await;
    let (_, sup) = app.user("s.report", "supervisor", Some("SCT")).await;
    // October: one case, outside the period.
    app.state.clock.set(local_noon("2026-10-20"));
    let old = app.open_case(&h, &dispute_before("2026-10-20")).await;
    // November: two hotline disputes and one walk-in violation report.
    app.state.clock.set(local_noon("2026-11-10"));
    let mut ids = Vec::new();
    for body in [dispute(), dispute(), violation()] {
        ids.push(app.open_case(&h, &body).await["id"].as_str().unwrap().to_owned());
    }
    ids.sort();
    let r = app
        .get("/api/v1/reports/summary?preset=month&from=2026-11-05", Some(&coord))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = &r.body;
    assert_eq!(s["from"], "2026-11-01");
    assert_eq!(s["to"], "2026-11-30");
    assert_eq!(s["total"], 3, "{s}");
    assert_eq!(row(s, "channel", "hotline")["count"], 2, "{s}");
    assert_eq!(row(s, "channel", "walk_in")["count"], 1, "{s}");
    assert_eq!(row(s, "kind", "dispute")["count"], 2, "{s}");
    assert_eq!(row(s, "kind", "violation_report")["count"], 1, "{s}");
    assert_eq!(row(s, "category", "goods_general")["count"], 2, "{s}");
    // The total drills down to exactly the three November cases.
    let total = listed(app, &coord, s["total_drill_down"].as_str().unwrap()).await;
    assert_eq!(total, ids);
    assert!(!total.contains(&old["id"].as_str().unwrap().to_owned()));
    // Every row of every breakdown lists exactly as many cases as it counts.
    for b in s["breakdowns"].as_array().unwrap() {
        let mut sum = 0;
        for r in b["rows"].as_array().unwrap() {
            sum += r["count"].as_i64().unwrap();
            if let Some(q) = r["drill_down"].as_str() {
                let got = listed(app, &coord, q).await;
                assert_eq!(got.len() as i64, r["count"].as_i64().unwrap(), "{q}");
                assert!(got.iter().all(|id| ids.contains(id)), "{q}");
            }
        }
        assert_eq!(sum, 3, "{b}");
    }
    // The hotline drill-down names the two disputes.
    let hotline = listed(
        app,
        &coord,
        row(s, "channel", "hotline")["drill_down"].as_str().unwrap(),
    )
    .await;
    assert_eq!(hotline.len(), 2);
    // Clocks: every clock counted is one of the cases'.
    for c in s["clocks"].as_array().unwrap() {
        let n = ["met", "late", "running_overdue", "running_on_time"]
            .iter()
            .map(|k| c[k].as_i64().unwrap())
            .sum::<i64>();
        assert!(n <= 3, "{c}");
    }
    // A custom range that includes October counts four.
    let r = app
        .get("/api/v1/reports/summary?from=2026-10-01&to=2026-11-30", Some(&coord))
        .await;
    assert_eq!(r.body["total"], 4, "{}", r.body);
    // The supervisor's summary is the supervisor's own list.
    let r = app
        .get("/api/v1/reports/summary?preset=quarter&from=2026-11-05", Some(&sup))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["from"], "2026-10-01");
    let seen = listed(app, &sup, r.body["total_drill_down"].as_str().unwrap()).await;
    assert_eq!(r.body["total"].as_i64().unwrap(), seen.len() as i64);
    // CSV, by parameter and by Accept.
    let r = app
        .get(
            "/api/v1/reports/summary?preset=month&from=2026-11-05&format=csv",
            Some(&coord),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/csv"), "{}", r.content_type);
    let text = String::from_utf8(r.raw.clone()).unwrap();
    assert!(
        text.starts_with("\u{feff}Chỉ tiêu,Giá trị,Số vụ việc,Tra cứu"),
        "{text}"
    );
    assert!(text.contains("Kênh tiếp nhận,hotline,2,"), "{text}");
    assert!(text.contains("Tổng số vụ việc,01/11/2026 – 30/11/2026,3,"), "{text}");
    // XLSX: a real workbook, number cells for counts, date cells for the period.
    let r = app
        .get(
            "/api/v1/reports/summary?preset=month&from=2026-11-05&format=xlsx",
            Some(&coord),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.contains("spreadsheetml"), "{}", r.content_type);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.raw.clone())).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
    assert!(sheet.contains(r#"<c r="B1" s="1"><v>46327</v></c>"#), "{sheet}");
    assert!(sheet.contains(r#"<c r="B2" s="1"><v>46356</v></c>"#), "{sheet}");
    assert!(sheet.contains("<t>Số vụ việc</t>"), "{sheet}");
    assert!(sheet.contains(r#"<c r="C4"><v>3</v></c>"#), "{sheet}");
    std::fs::write(std::env::temp_dir().join("hotline-report.xlsx"), &r.raw).unwrap();
    // Bad parameters, other roles.
    assert_problem(
        &app.get("/api/v1/reports/summary?preset=week", Some(&coord)).await,
        400,
        "invalid_query",
    );
    assert_problem(
        &app.get("/api/v1/reports/summary?from=2026-11-30&to=2026-11-01", Some(&coord))
            .await,
        400,
        "invalid_query",
    );
    assert_eq!(app.get("/api/v1/reports/summary", Some(&h)).await.status, 403);
}
both_backends!(the_summary_counts_the_period_and_every_figure_drills_down_to_its_cases);
