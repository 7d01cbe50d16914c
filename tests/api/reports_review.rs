//! Reports as supervisors send them to the province (review of issue 14): an agency is charged
//! with the clocks it held, not with those of the agency before it nor with the business's;
//! a supervisor's screen, exports, PDF and submission count the same cases (their agency's);
//! an overdue drill-down lists the cases whose named clock is overdue.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{dispute_before, local_noon, TestApp, PASSWORD};
use crate::reports::listed;

const NOVEMBER: &str = "from=2026-11-01&to=2026-11-30";

/// The row of `agency` in `/reports/agencies`.
fn agency_row<'a>(perf: &'a Value, agency: &str) -> &'a Value {
    perf["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency"] == agency)
        .unwrap_or_else(|| panic!("no {agency} in {perf}"))
}

/// The clock `kind` of a performance row (`null` when the row has none).
fn clock_of<'a>(row: &'a Value, kind: &str) -> &'a Value {
    row["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == kind)
        .unwrap_or(&Value::Null)
}

/// The case as it is now (its version moves with every action).
async fn fresh(app: &TestApp, token: &str, case: &Value) -> Value {
    let r = app.case(token, case["id"].as_str().unwrap()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn performance(app: &TestApp, token: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/reports/agencies?{NOVEMBER}"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// SCT holds a dispute fifteen working days and transfers it (its acknowledgment late); QLTT
/// acknowledges in two days (met) and forwards it to the business, which then answers late.
/// SCT keeps a second dispute, unacknowledged.
async fn lateness_is_charged_to_the_agency_that_held_the_clock_and_a_supervisor_reports_their_own(app: &TestApp) {
    app.user("sct.h.rv", "handler", Some("SCT")).await;
    app.user("qltt.h.rv", "handler", Some("QLTT")).await;
    app.user("c.rv", "coordinator", Some("SCT")).await;
    app.user("s.rv", "supervisor", Some("SCT")).await;
    app.user("s.rv.qltt", "supervisor", Some("QLTT")).await;
    let login = |name: &'static str| app.login(name, PASSWORD);
    app.state.clock.set(local_noon("2026-11-02"));
    let sct = login("sct.h.rv").await;
    let moved = app.open_case(&sct, &dispute_before("2026-11-02")).await;
    let moved = app.act_ok(&sct, &moved, "route", json!({"agency": "SCT"})).await;
    let kept = app.open_case(&sct, &dispute_before("2026-11-02")).await;
    let kept = app.act_ok(&sct, &kept, "route", json!({"agency": "SCT"})).await;
    let (moved_id, kept_id) = (
        moved["id"].as_str().unwrap().to_owned(),
        kept["id"].as_str().unwrap().to_owned(),
    );
    // Monday 23 November, fifteen working days on: SCT transfers, QLTT takes the case.
    app.state.clock.set(local_noon("2026-11-23"));
    let sct = login("sct.h.rv").await;
    let moved = app
        .act_ok(
            &sct,
            &moved,
            "transfer",
            json!({"to_agency": "QLTT", "reason": "Thuộc thẩm quyền quản lý thị trường."}),
        )
        .await;
    let qltt = login("qltt.h.rv").await;
    app.act_ok(&qltt, &moved, "accept_transfer", json!({})).await;
    // Two days later QLTT acknowledges and passes the request to the business.
    app.state.clock.set(local_noon("2026-11-25"));
    let qltt = login("qltt.h.rv").await;
    let moved = fresh(app, &qltt, &moved).await;
    let moved = app.act_ok(&qltt, &moved, "accept", json!({})).await;
    app.act_ok(&qltt, &moved, "forward_to_business", json!({})).await;
    // 10 December: the business's seven working days are over; so are SCT's ten on `kept`.
    app.state.clock.set(local_noon("2026-12-10"));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();

    let coord = login("c.rv").await;
    let perf = performance(app, &coord).await;
    let sct_row = agency_row(&perf, "SCT");
    let qltt_row = agency_row(&perf, "QLTT");
    // SCT answers for the late acknowledgment; QLTT only for its own, met.
    assert_eq!(clock_of(sct_row, "acknowledge")["late"], 1, "{sct_row}");
    assert_eq!(clock_of(sct_row, "acknowledge")["met"], 0, "{sct_row}");
    assert_eq!(clock_of(qltt_row, "acknowledge")["met"], 1, "{qltt_row}");
    assert_eq!(clock_of(qltt_row, "acknowledge")["late"], 0, "{qltt_row}");
    // The business's late answer is not QLTT's: not in its clocks, rate, or overdue cases.
    for kind in ["business_negotiation", "business_report", "settlement_performance"] {
        assert!(clock_of(qltt_row, kind).is_null(), "{kind}: {qltt_row}");
    }
    assert_eq!(qltt_row["on_time_rate"], 1.0, "{qltt_row}");
    assert_eq!(qltt_row["overdue_now"], 0, "{qltt_row}");
    assert_eq!(
        listed(app, &coord, qltt_row["overdue_drill_down"].as_str().unwrap())
            .await
            .len(),
        0
    );
    // Each agency's own cases: one each; SCT's overdue case is `kept`.
    assert_eq!(
        (sct_row["cases"].as_i64(), qltt_row["cases"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(sct_row["overdue_now"], 1, "{sct_row}");
    let overdue = listed(app, &coord, sct_row["overdue_drill_down"].as_str().unwrap()).await;
    assert_eq!(overdue, vec![kept_id.clone()]);
    // SCT's late acknowledgment drills down to the moved case, for the coordinator and SCT.
    let late = clock_of(sct_row, "acknowledge")["late_drill_down"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(listed(app, &coord, &late).await, vec![moved_id.clone()]);

    // SCT's supervisor: their agency's row only, with the same figures; the cases SCT holds.
    let sup = login("s.rv").await;
    let mine = performance(app, &sup).await;
    let rows = mine["agencies"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{mine}");
    assert_eq!(rows[0]["agency"], "SCT");
    assert_eq!(clock_of(&rows[0], "acknowledge"), clock_of(sct_row, "acknowledge"));
    assert_eq!(listed(app, &sup, &late).await, vec![moved_id.clone()]);
    let r = app
        .get(&format!("/api/v1/reports/summary?{NOVEMBER}"), Some(&sup))
        .await;
    assert_eq!(r.body["total"], 1, "{}", r.body);
    assert_eq!(
        listed(app, &sup, r.body["total_drill_down"].as_str().unwrap()).await,
        vec![kept_id.clone()]
    );
    // The exports and the submitted (frozen, printed) report count the same.
    let r = app
        .get(&format!("/api/v1/reports/summary?{NOVEMBER}&format=csv"), Some(&sup))
        .await;
    let csv = String::from_utf8(r.raw.clone()).unwrap();
    assert!(csv.contains("Tổng số vụ việc,,1,"), "{csv}");
    let q4 = app
        .get("/api/v1/reports/summary?preset=quarter&from=2026-12-10", Some(&sup))
        .await;
    let body = json!({"report": "quarterly", "period": "2026-Q4"});
    let r = app.post("/api/v1/reports/submissions", Some(&sup), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["entries"][0]["total_cases"], q4.body["total"], "{}", r.body);
    assert_eq!(q4.body["total"], 1, "{}", q4.body);
    // Another agency's report is refused; QLTT's supervisor has QLTT's row only.
    let r = app
        .get("/api/v1/reports/document.pdf?period=2026-Q4&agency=QLTT", Some(&sup))
        .await;
    assert_eq!(r.status, 403);
    let theirs = performance(app, &login("s.rv.qltt").await).await;
    let rows = theirs["agencies"].as_array().unwrap();
    assert_eq!((rows.len(), rows[0]["agency"].as_str()), (1, Some("QLTT")), "{theirs}");
}
both_backends!(lateness_is_charged_to_the_agency_that_held_the_clock_and_a_supervisor_reports_their_own);

/// A consultation waits eight working days before it is routed: its internal target (three
/// working days) is overdue, its acknowledgment (just started) is not.
async fn an_overdue_drill_down_lists_the_cases_whose_named_clock_is_overdue(app: &TestApp) {
    app.user("h.od", "handler", Some("SCT")).await;
    app.user("c.od", "coordinator", Some("SCT")).await;
    app.state.clock.set(local_noon("2026-11-02"));
    let h = app.login("h.od", PASSWORD).await;
    let mut body = dispute_before("2026-11-02");
    body["kind"] = json!("consultation");
    let case = app.open_case(&h, &body).await;
    let id = case["id"].as_str().unwrap().to_owned();
    app.state.clock.set(local_noon("2026-11-12"));
    let h = app.login("h.od", PASSWORD).await;
    app.act_ok(&h, &case, "route", json!({"agency": "SCT"})).await;
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let coord = app.login("c.od", PASSWORD).await;
    assert_eq!(listed(app, &coord, "overdue=true").await, vec![id.clone()]);
    let r = app
        .get(&format!("/api/v1/reports/summary?{NOVEMBER}"), Some(&coord))
        .await;
    let clock = |kind: &str| {
        r.body["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["clock"] == kind)
            .unwrap()
            .clone()
    };
    let (ack, target) = (clock("acknowledge"), clock("internal_target"));
    assert_eq!(
        (ack["running_overdue"].as_i64(), ack["running_on_time"].as_i64()),
        (Some(0), Some(1))
    );
    assert_eq!(target["running_overdue"], 1, "{target}");
    let q = ack["overdue_drill_down"].as_str().unwrap();
    assert_eq!(listed(app, &coord, q).await, Vec::<String>::new(), "{q}");
    let q = target["overdue_drill_down"].as_str().unwrap();
    assert_eq!(listed(app, &coord, q).await, vec![id], "{q}");
}
both_backends!(an_overdue_drill_down_lists_the_cases_whose_named_clock_is_overdue);
