//! Reports (issue 14): the summary, its drill-downs and its CSV.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, dispute_before, local_noon, violation, TestApp};

/// The ids of the cases listed by a drill-down query string, sorted.
pub(crate) async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<String> {
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
    assert!(text.contains("\r\nChỉ tiêu,Giá trị,Số liệu,Tra cứu\r\n"), "{text}");
    assert!(text.contains("Kênh tiếp nhận,hotline,2,"), "{text}");
    assert!(
        text.starts_with("\u{feff}Từ ngày,01/11/2026\r\nĐến ngày,30/11/2026\r\n"),
        "{text}"
    );
    assert!(text.contains("Tổng số vụ việc,,3,created_from="), "{text}");
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
    assert!(sheet.contains("<t>Số liệu</t>"), "{sheet}");
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

/// An agency's report counts the cases it holds now — not those it transferred away, nor, for a
/// mediation body's supervisor, the cases of other agencies appointed to its listed mediators
/// (which its case list still shows) — and its list with the report's drill-down shows exactly
/// those, on every figure (ADR 0042, 0063).
async fn an_agency_report_counts_exactly_the_cases_its_list_shows(app: &TestApp) {
    let (_, sct_h) = app.user("sct.h", "handler", Some("SCT")).await;
    let (_, qltt_h) = app.user("qltt.h", "handler", Some("QLTT")).await;
    let (_, coord) = app.user("c.scope", "coordinator", Some("SCT")).await;
    let mut sups = Vec::new();
    for agency in ["SCT", "QLTT", "HOI", "SYT"] {
        let (_, t) = app.user(&format!("s.{agency}"), "supervisor", Some(agency)).await;
        sups.push((agency, t));
    }
    let (mediator, _) = app.listed_mediator("hoi.med", "HOI", &["Tiếng Việt"]).await;
    app.state.clock.set(local_noon("2026-11-10"));
    // SCT keeps one; one goes to QLTT and is accepted there; one is mediated by HOI's mediator.
    let kept = app.open_case(&sct_h, &dispute()).await;
    let kept = app.act_ok(&sct_h, &kept, "route", json!({"agency": "SCT"})).await;
    let moved = app.open_case(&sct_h, &violation()).await;
    let moved = app.act_ok(&sct_h, &moved, "route", json!({"agency": "SCT"})).await;
    let moved = app
        .act_ok(
            &sct_h,
            &moved,
            "transfer",
            json!({"to_agency": "QLTT", "reason": "Thuộc thẩm quyền quản lý thị trường."}),
        )
        .await;
    app.act_ok(&qltt_h, &moved, "accept_transfer", json!({})).await;
    let mediated = app.act_ok(&sct_h, &kept, "accept", json!({})).await;
    let mediated = app
        .act_ok(
            &sct_h,
            &mediated,
            "request_mediation",
            json!({"requested_by": "both", "reason": "Hai bên đề nghị hòa giải."}),
        )
        .await;
    app.act_ok(&sct_h, &mediated, "appoint_mediator", json!({"mediator_id": mediator}))
        .await;
    let expected = [("SCT", 1), ("QLTT", 1), ("HOI", 0), ("SYT", 0)];
    for ((agency, token), (_, n)) in sups.iter().zip(expected) {
        let r = app
            .get("/api/v1/reports/summary?preset=month&from=2026-11-05", Some(token))
            .await;
        assert_eq!(r.status, 200, "{agency}: {}", r.body);
        let s = &r.body;
        assert_eq!(s["total"], n, "{agency}: {s}");
        let seen = listed(app, token, s["total_drill_down"].as_str().unwrap()).await;
        assert_eq!(seen.len() as i64, n, "{agency}: the list shows what the report counts");
        for b in s["breakdowns"].as_array().unwrap() {
            let sum: i64 = b["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["count"].as_i64().unwrap())
                .sum();
            assert_eq!(sum, n, "{agency}: {b}");
        }
    }
    let r = app
        .get("/api/v1/reports/summary?preset=month&from=2026-11-05", Some(&coord))
        .await;
    assert_eq!(r.body["total"], 2, "{}", r.body);
}
both_backends!(an_agency_report_counts_exactly_the_cases_its_list_shows);

/// The count of a summary's clock kind, or 0.
fn clock<'a>(s: &'a Value, kind: &str) -> &'a Value {
    s["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == kind)
        .unwrap_or_else(|| panic!("no clock {kind} in {s}"))
}

async fn the_summary_has_months_calls_time_to_close_businesses_and_money_recovered(app: &TestApp) {
    let (_, h) = app.user("h.more", "handler", Some("SCT")).await;
    let (_, op) = app.user("op.more", "operator", Some("SCT")).await;
    let (_, coord) = app.user("c.more", "coordinator", Some("SCT")).await;
    let (_, sup) = app.user("s.more", "supervisor", Some("QLTT")).await;
    // October: one dispute, still open.
    app.state.clock.set(local_noon("2026-10-20"));
    app.open_case(&h, &dispute_before("2026-10-20")).await;
    // November 10: a complaint settled by negotiation the same day, the business answering in
    // time; 2,500,000 đồng confirmed received that afternoon; the consumer rates it 4.
    app.state.clock.set(local_noon("2026-11-10"));
    let (token, settled, sh) =
        crate::citizen_settlement::settled(app, "Mua máy giặt bị lỗi, cửa hàng hứa đổi máy.", 10).await;
    app.state.clock.advance(chrono::TimeDelta::hours(3));
    let bad = app
        .act(
            &sh,
            &settled,
            "record_performance",
            json!({"performed": true, "recovered_vnd": 0}),
        )
        .await;
    assert_problem(&bad, 422, "invalid_field");
    let bad = app
        .act(
            &sh,
            &settled,
            "record_performance",
            json!({"performed": false, "recovered_vnd": 5}),
        )
        .await;
    assert_problem(&bad, 422, "invalid_field");
    app.act_ok(
        &sh,
        &settled,
        "record_performance",
        json!({"performed": true, "recovered_vnd": 2_500_000}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v1/public/cases/{token}/rating"),
            None,
            &json!({"score": 4, "resolved": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // November 10 too: a dispute withdrawn four days later.
    app.state.clock.set(local_noon("2026-11-10"));
    let w = app.open_case(&h, &dispute()).await;
    app.state.clock.set(local_noon("2026-11-14"));
    let w = app.act_ok(&h, &w, "route", json!({"agency": "SCT"})).await;
    app.act_ok(&h, &w, "withdraw", json!({"reason": "Người tiêu dùng rút yêu cầu"}))
        .await;
    // Calls: one answered with advice, one that opened a case.
    for (at, outcome, case) in [
        ("2026-11-12T09:00:00+07:00", "advised", None),
        ("2026-11-12T10:00:00+07:00", "case_opened", Some(dispute())),
    ] {
        let mut body = json!({"caller_phone": "0912 345 678", "started_at": at, "outcome": outcome});
        if let Some(c) = case {
            body["case"] = c;
        }
        let r = app.post("/api/v1/calls", Some(&op), &body).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = app
        .get("/api/v1/reports/summary?from=2026-10-15&to=2026-11-30", Some(&coord))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = &r.body;
    assert_eq!(s["total"], 4, "{s}");
    // Months in order, each drilling down to its own cases (clipped to the period).
    let months: Vec<(String, i64)> = s["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dimension"] == "month")
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["value"].as_str().unwrap().to_owned(), r["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(months, vec![("2026-10".to_owned(), 1), ("2026-11".to_owned(), 3)]);
    let oct = row(s, "month", "2026-10")["drill_down"].as_str().unwrap().to_owned();
    assert!(
        oct.starts_with("created_from=2026-10-14T17:00:00Z&created_to=2026-10-31T17:00:00Z"),
        "{oct}"
    );
    assert_eq!(listed(app, &coord, &oct).await.len(), 1);
    // Time to close: 0 days (settled at once) and 4 days (withdrawn).
    assert_eq!(s["time_to_close"]["closed"], 2, "{s}");
    assert_eq!(s["time_to_close"]["median_days"], 0.0, "{s}");
    assert_eq!(s["time_to_close"]["p90_days"], 4.0, "{s}");
    let closed = listed(app, &coord, s["time_to_close"]["drill_down"].as_str().unwrap()).await;
    assert_eq!(closed.len(), 2);
    // Calls beside cases.
    assert_eq!(s["calls"]["total"], 2, "{s}");
    assert_eq!(s["calls"]["advice_only"], 1, "{s}");
    assert_eq!(s["calls"]["cases_opened"], 1, "{s}");
    let q = s["calls"]["by_outcome"][0]["drill_down"].as_str().unwrap();
    let calls = app.get(&format!("/api/v1/calls?{q}"), Some(&coord)).await;
    assert_eq!(calls.status, 200, "{}", calls.body);
    assert_eq!(calls.body["items"].as_array().unwrap().len(), 1, "{}", calls.body);
    // Businesses: the one of every case here, and its answer in time.
    let top = &s["top_businesses"][0];
    assert_eq!(top["cases"], 4, "{s}");
    assert_eq!(top["name"], "Cửa hàng Điện máy Ánh Dương", "{s}");
    assert_eq!(top["answers_met"], 1, "{s}");
    assert_eq!(top["on_time_answer_rate"], 1.0, "{s}");
    assert_eq!(listed(app, &coord, top["drill_down"].as_str().unwrap()).await.len(), 4);
    // The clocks' met drill-down lists the case that met it.
    let neg = clock(s, "business_negotiation");
    assert_eq!(neg["met"], 1, "{s}");
    let met = listed(app, &coord, neg["met_drill_down"].as_str().unwrap()).await;
    assert_eq!(met, vec![settled["id"].as_str().unwrap().to_owned()]);
    // Money recovered.
    assert_eq!(s["money_recovered"]["total_vnd"], 2_500_000, "{s}");
    assert_eq!(s["money_recovered"]["cases"], 1, "{s}");
    assert_eq!(
        listed(app, &coord, s["money_recovered"]["drill_down"].as_str().unwrap())
            .await
            .len(),
        1
    );
    // group_by picks the breakdowns, in order; a wrong one is refused.
    let r = app
        .get(
            "/api/v1/reports/summary?preset=month&from=2026-11-01&group_by=outcome,month",
            Some(&coord),
        )
        .await;
    let dims: Vec<&str> = r.body["breakdowns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["dimension"].as_str().unwrap())
        .collect();
    assert_eq!(dims, ["outcome", "month"]);
    assert_problem(
        &app.get("/api/v1/reports/summary?group_by=colour", Some(&coord)).await,
        400,
        "invalid_query",
    );
    // Another agency's supervisor counts none of it, calls included.
    let r = app
        .get("/api/v1/reports/summary?from=2026-10-15&to=2026-11-30", Some(&sup))
        .await;
    assert_eq!(
        (r.body["total"].as_i64(), r.body["calls"]["total"].as_i64()),
        (Some(0), Some(0)),
        "{}",
        r.body
    );
    // The agencies' performance.
    let r = app
        .get("/api/v1/reports/agencies?from=2026-10-15&to=2026-11-30", Some(&coord))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let sct = r.body["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == "SCT")
        .unwrap_or_else(|| panic!("{}", r.body));
    assert_eq!(sct["name"], "Sở Công Thương", "{sct}");
    assert_eq!(sct["time_to_close"]["closed"], 2, "{sct}");
    assert_eq!(sct["ratings"], 1, "{sct}");
    assert_eq!(sct["rating_average"], 4.0, "{sct}");
    assert_eq!(
        listed(app, &coord, sct["drill_down"].as_str().unwrap()).await.len() as i64,
        sct["cases"].as_i64().unwrap()
    );
    for f in ["csv", "xlsx"] {
        let r = app
            .get(
                &format!("/api/v1/reports/agencies?from=2026-10-15&to=2026-11-30&format={f}"),
                Some(&coord),
            )
            .await;
        assert_eq!(r.status, 200);
        let body = if f == "csv" {
            String::from_utf8(r.raw.clone()).unwrap()
        } else {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.raw.clone())).unwrap();
            let mut sheet = String::new();
            std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
            sheet
        };
        assert!(body.contains("Sở Công Thương"), "{body}");
        assert!(body.contains("Điểm hài lòng trung bình"), "{body}");
    }
    let csv = app
        .get(
            "/api/v1/reports/summary?from=2026-10-15&to=2026-11-30&format=csv",
            Some(&coord),
        )
        .await;
    let text = String::from_utf8(csv.raw.clone()).unwrap();
    assert!(text.contains("Tháng,10/2026,1,"), "{text}");
    assert!(
        text.contains("Tiền thu hồi cho người tiêu dùng (đồng),,2500000,"),
        "{text}"
    );
    assert!(text.contains("Thời gian giải quyết (ngày),phân vị 90,4,"), "{text}");
    assert_eq!(app.get("/api/v1/reports/agencies", Some(&h)).await.status, 403);
    the_report_prints_with_tables_and_charts(app, &coord, &sup).await;
}
both_backends!(the_summary_has_months_calls_time_to_close_businesses_and_money_recovered);

/// The quarterly report as a PDF: the province's (consolidated) and one agency's.
async fn the_report_prints_with_tables_and_charts(app: &TestApp, coord: &str, other_sup: &str) {
    let tag = crate::documents::backend(app);
    let r = app
        .get("/api/v1/reports/document.pdf?period=2026-Q4", Some(coord))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.content_type, "application/pdf");
    let name = format!("{tag}-report-2026-Q4");
    if let Some(text) = crate::documents::pdf_text(&r.raw, &name) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for want in [
            "BÁO CÁO",
            "Quý IV năm 2026 (từ ngày 01/10/2026 đến ngày 31/12/2026)",
            "Biểu đồ 1. Số vụ việc tiếp nhận theo tháng",
            "10/2026",
            "11/2026",
            "Biểu đồ 2. Số vụ việc theo lĩnh vực",
            "Biểu đồ 3. Tỷ lệ đúng hạn theo từng thời hạn",
            "Tổng đài",
            "2.500.000 đồng",
            "Cửa hàng Điện máy Ánh Dương",
            // The province's mediations (none in the period), then the agencies.
            "V. HÒA GIẢI 0 vụ việc",
            "VI. KẾT QUẢ CỦA TỪNG CƠ QUAN",
            "Sở Công Thương",
            "THỦ TRƯỞNG ĐƠN VỊ",
        ] {
            assert!(flat.contains(want), "{want} not in {flat}");
        }
        // Every page, to look at.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        let _ = std::process::Command::new("pdftoppm")
            .args(["-png", "-r", "70"])
            .arg(dir.join(format!("{name}.pdf")))
            .arg(dir.join(format!("{name}-page")))
            .status();
    }
    // One agency's report: no table of agencies.
    let r = app
        .get("/api/v1/reports/document.pdf?period=2026-Q4&agency=SCT", Some(coord))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    if let Some(text) = crate::documents::pdf_text(&r.raw, &format!("{tag}-report-2026-Q4-sct")) {
        assert!(text.contains("SỞ CÔNG THƯƠNG"), "{text}");
        assert!(!text.contains("KẾT QUẢ CỦA TỪNG CƠ QUAN"), "{text}");
        assert!(!text.contains("HÒA GIẢI"), "SCT keeps no list of mediators: {text}");
    }
    // A supervisor reports for their own agency only; bad periods are refused.
    let r = app
        .get(
            "/api/v1/reports/document.pdf?period=2026-Q4&agency=SCT",
            Some(other_sup),
        )
        .await;
    assert_problem(&r, 403, "forbidden");
    let r = app
        .get("/api/v1/reports/document.pdf?period=2026", Some(other_sup))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for bad in ["2026-Q5", "Q4", "2026-13"] {
        let r = app
            .get(&format!("/api/v1/reports/document.pdf?period={bad}"), Some(coord))
            .await;
        assert_problem(&r, 400, "invalid_query");
    }
    let r = app
        .get("/api/v1/reports/document.pdf?period=2026-Q4&agency=NOPE", Some(coord))
        .await;
    assert_problem(&r, 400, "invalid_query");
}

/// A user with an e-mail address (reminders go to addresses).
async fn user_with_email(app: &TestApp, username: &str, role: &str, agency: &str) -> String {
    let (id, token) = app.user(username, role, Some(agency)).await;
    let r = app
        .patch_json(
            &format!("/api/v1/admin/users/{id}"),
            &app.admin_token,
            &json!({"email": format!("{username}@example.gov.vn")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    token
}

async fn agencies_submit_their_period_reports_and_are_reminded_once(app: &TestApp) {
    // 18 September: the third quarter's report is due on the 22nd (config: quarterly, 3rd
    // month, day 22), reminders go out 5 days before.
    app.state.clock.set(local_noon("2026-09-18"));
    let sup = user_with_email(app, "s.sub", "supervisor", "SCT").await;
    let other = user_with_email(app, "s.sub.qltt", "supervisor", "QLTT").await;
    let coord = user_with_email(app, "c.sub", "coordinator", "SCT").await;
    let (_, h) = app.user("h.sub", "handler", Some("SCT")).await;
    app.open_case(&h, &dispute_before("2026-09-18")).await;
    let reminders = |app: &TestApp| {
        app.state
            .mailer
            .memory_sent()
            .into_iter()
            .filter(|m| m.subject.starts_with("[Báo cáo]"))
            .collect::<Vec<_>>()
    };
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    app.state.clock.advance(chrono::TimeDelta::hours(1));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let sent = reminders(app);
    let to_sct: Vec<_> = sent.iter().filter(|m| m.to.contains("s.sub@")).collect();
    assert_eq!(to_sct.len(), 1, "reminded once: {sent:?}");
    assert_eq!(
        to_sct[0].subject,
        "[Báo cáo] Báo cáo quý – Quý III năm 2026 của Sở Công Thương: hạn gửi 22/09/2026"
    );
    assert!(sent.iter().any(|m| m.to.contains("s.sub.qltt@")), "{sent:?}");
    assert!(
        !sent.iter().any(|m| m.to.contains("c.sub@")),
        "the province's report is not due: {sent:?}"
    );
    // The supervisor submits: frozen, once.
    let body = json!({"report": "quarterly", "period": "2026-Q3"});
    let r = app.post("/api/v1/reports/submissions", Some(&sup), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["due_date"], "2026-09-22");
    let e = &r.body["entries"][0];
    assert_eq!(
        (e["scope"].as_str(), e["submitted"].as_bool(), e["late"].as_bool()),
        (Some("SCT"), Some(true), Some(false)),
        "{e}"
    );
    assert_eq!(e["total_cases"], 1, "{e}");
    // The frozen figures are the agency's: every drill-down lists the agency's cases only.
    let frozen: Value = {
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Frozen {
            #[diesel(sql_type = diesel::sql_types::Text)]
            summary_json: String,
        }
        let mut conn = app.state.db.get_blocking().unwrap();
        let f: Frozen = diesel::sql_query("SELECT summary_json FROM report_submissions")
            .get_result(&mut *conn)
            .unwrap();
        serde_json::from_str(&f.summary_json).unwrap()
    };
    for q in [
        &frozen["total_drill_down"],
        &frozen["breakdowns"][0]["rows"][0]["drill_down"],
    ] {
        assert!(q.as_str().unwrap().contains("agency=SCT"), "{q}");
    }
    let pdf_url = e["document_url"].as_str().unwrap().to_owned();
    assert_problem(
        &app.post("/api/v1/reports/submissions", Some(&sup), &body).await,
        409,
        "report_already_submitted",
    );
    // Later cases do not change the frozen report.
    app.open_case(&h, &dispute_before("2026-09-18")).await;
    let r = app.get(&pdf_url, Some(&sup)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/pdf");
    if let Some(text) =
        crate::documents::pdf_text(&r.raw, &format!("{}-report-submitted", crate::documents::backend(app)))
    {
        assert!(text.contains("Quý III năm 2026"), "{text}");
        assert!(text.contains("Trong kỳ tiếp nhận 1 vụ việc"), "{text}");
    }
    assert_eq!(app.get(&pdf_url, Some(&coord)).await.status, 200);
    assert_eq!(app.get(&pdf_url, Some(&other)).await.status, 404);
    // The coordinator sees who has submitted: SCT yes, QLTT not yet.
    let r = app
        .get(
            "/api/v1/reports/submissions?report=quarterly&period=2026-Q3",
            Some(&coord),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let entry = |scope: &str| {
        r.body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["scope"] == scope)
            .cloned()
            .unwrap_or_else(|| panic!("{scope} in {}", r.body))
    };
    assert_eq!(entry("SCT")["submitted"], true);
    assert_eq!(entry("QLTT")["submitted"], false);
    let mine = app
        .get(
            "/api/v1/reports/submissions?report=quarterly&period=2026-Q3",
            Some(&other),
        )
        .await;
    assert_eq!(mine.body["entries"].as_array().unwrap().len(), 1, "{}", mine.body);
    // Wrong requests.
    for (body, status, code) in [
        (json!({"report": "quarterly", "period": "2026"}), 422, "invalid_field"),
        (json!({"report": "weekly", "period": "2026-Q3"}), 400, "invalid_query"),
        (
            json!({"report": "quarterly", "period": "2026-Q4"}),
            422,
            "invalid_field",
        ),
        (json!({"report": "quarterly", "period": "soon"}), 400, "invalid_query"),
    ] {
        assert_problem(
            &app.post("/api/v1/reports/submissions", Some(&other), &body).await,
            status,
            code,
        );
    }
    assert_eq!(
        app.post(
            "/api/v1/reports/submissions",
            Some(&coord),
            &json!({"report": "quarterly", "period": "2026-Q3"})
        )
        .await
        .status,
        403
    );
    // The province's annual report, consolidated: which agencies have sent their annual one.
    let r = app
        .post(
            "/api/v1/reports/submissions",
            Some(&coord),
            &json!({"report": "annual_province", "period": "2026"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let url = r.body["entries"][0]["document_url"].as_str().unwrap().to_owned();
    let r = app.get(&url, Some(&coord)).await;
    if let Some(text) =
        crate::documents::pdf_text(&r.raw, &format!("{}-report-province", crate::documents::backend(app)))
    {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("VII. TÌNH HÌNH GỬI BÁO CÁO CỦA CÁC CƠ QUAN"), "{flat}");
        assert!(flat.contains("chưa gửi"), "{flat}");
    }
}
both_backends!(agencies_submit_their_period_reports_and_are_reminded_once);
