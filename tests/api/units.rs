//! Agency units and the list of administrative units (issue 13 point 6, ADR 0033): the units
//! of the province, commune names matched without diacritics, the router's unit suggestion at
//! intake and on routing, the queue's unit filter, staff units set by the admin, and the
//! referral of a consumer living in another province.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, complaint, TestApp, PASSWORD};

/// A street-food complaint (lead: the commune People's Committee) from a consumer of `commune`.
fn food_stall(commune: &str) -> Value {
    let mut c = complaint("Quán ăn ở chợ bán đồ ăn ôi thiu, cả nhà bị ngộ độc thực phẩm phải đi viện.");
    c["consumer"]["province"] = Value::Null;
    c["consumer"]["commune"] = json!(commune);
    c
}

async fn classify(app: &TestApp, token: &str, commune: Option<&str>, province: Option<&str>) -> Value {
    let r = app
        .post(
            "/api/v1/classify",
            Some(token),
            &json!({"text": "Tôi mua tủ lạnh bị hỏng, cửa hàng không chịu đổi, đề nghị hỗ trợ hoàn tiền",
                    "commune": commune, "province": province}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn the_units_are_the_communes_of_the_province_and_the_branches(app: &TestApp) {
    let (_, op) = app.user("op.units", "operator", Some("SCT")).await;
    let all = app.get("/api/v1/units", Some(&op)).await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body.as_array().unwrap().len(), 168 + 3);
    let xa = app.get("/api/v1/units?agency=UBND_XA", Some(&op)).await;
    let xa = xa.body.as_array().unwrap();
    // Thành phố Hồ Chí Minh (config/units.toml) has 168 communes, wards and special zones
    assert_eq!(xa.len(), 168);
    let ben_thanh = xa.iter().find(|u| u["code"] == "UBND_XA-26743").unwrap();
    assert_eq!(ben_thanh["name"], "Phường Bến Thành");
    assert_eq!(ben_thanh["communes"], json!(["26743"]));
    let hoi = app.get("/api/v1/units?agency=HOI", Some(&op)).await;
    let codes: Vec<&str> = hoi
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HOI-TRUNGTAM", "HOI-THUDUC", "HOI-CANGIO"]);
    assert_eq!(app.get("/api/v1/units", None).await.status, 401);
}
both_backends!(the_units_are_the_communes_of_the_province_and_the_branches);

async fn commune_names_match_without_diacritics_or_prefix(app: &TestApp) {
    let (_, op) = app.user("op.match", "operator", Some("SCT")).await;
    for typed in ["phuong Ben Thanh", "P. Bến Thành", "BEN THANH", "Phường Bến Thành"] {
        let c = classify(app, &op, Some(typed), None).await;
        assert_eq!(c["residence"]["commune_code"], "26743", "{typed}: {c}");
        assert_eq!(c["residence"]["province_name"], "Thành phố Hồ Chí Minh");
        let units: Vec<&str> = c["units"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap())
            .collect();
        assert_eq!(units, ["UBND_XA-26743", "HOI-TRUNGTAM"], "{typed}");
        assert_eq!(c["referral"], Value::Null);
    }
    // Xã Tân Lập is in three provinces, none of them ours: ambiguous without the province
    let c = classify(app, &op, Some("xa Tan Lap"), None).await;
    assert_eq!(c["residence"], Value::Null, "{c}");
    let expl = c["explanation"].to_string();
    assert!(expl.contains("Quảng Trị") && expl.contains("Tây Ninh"), "{expl}");
    let c = classify(app, &op, Some("xa Tan Lap"), Some("tinh Tay Ninh")).await;
    assert_eq!(c["residence"]["commune_code"], "25489", "{c}");
    // Tân Định: a ward of our province and a commune of Khánh Hòa; ours first, unless told
    let c = classify(app, &op, Some("tan dinh"), None).await;
    assert_eq!(c["residence"]["commune_code"], "26737");
    let c = classify(app, &op, Some("tan dinh"), Some("Khánh Hòa")).await;
    assert_eq!(c["residence"]["commune_code"], "22576");
    // an unknown name changes nothing but says so
    let c = classify(app, &op, Some("Phường Không Có"), None).await;
    assert_eq!(c["units"], json!([]));
    assert!(c["explanation"].to_string().contains("no commune or ward"), "{c}");
}
both_backends!(commune_names_match_without_diacritics_or_prefix);

async fn intake_suggests_the_unit_and_routing_takes_it(app: &TestApp) {
    // Opened by an operator of the commune agency: the case is the commune's at once.
    let (_, xa_op) = app.user("op.xa", "operator", Some("UBND_XA")).await;
    let mut body = food_stall("P. Ben Thanh");
    body["channel"] = json!("hotline");
    let c = app.open_case(&xa_op, &body).await;
    assert_eq!(c["suggestion"]["agency"], "UBND_XA", "{}", c["suggestion"]);
    assert_eq!(c["suggestion"]["unit"], "UBND_XA-26743");
    assert_eq!(c["unit"], "UBND_XA-26743");
    let expl: Vec<&str> = c["suggestion"]["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        expl.iter()
            .any(|e| e.starts_with("unit UBND_XA-26743 of UBND_XA: Phường Bến Thành")),
        "{expl:?}"
    );
    assert!(
        expl.iter().any(|e| e.starts_with("residence: Phường Bến Thành")),
        "{expl:?}"
    );

    // From the web form: the case waits at SCT without a unit; routed to the commune agency,
    // it takes the suggested unit; an explicit unit must be one of the agency's.
    let r = app.submit(&food_stall("phuong tan dinh")).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let (_, sct) = app.user("sup.sct.units", "supervisor", Some("SCT")).await;
    let list = app.get("/api/v1/cases?agency=SCT", Some(&sct)).await;
    let id = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let web = app.case(&sct, &id).await.body;
    assert_eq!(web["unit"], Value::Null);
    assert_eq!(web["suggestion"]["unit"], "UBND_XA-26737");
    let r = app
        .act(
            &sct,
            &web,
            "route",
            json!({"agency": "UBND_XA", "unit": "HOI-TRUNGTAM"}),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "unit", "{}", r.body);
    let r = app
        .act(
            &sct,
            &web,
            "route",
            json!({"agency": "UBND_XA", "unit": "UBND_XA-99999"}),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    let routed = app.act_ok(&sct, &web, "route", json!({"agency": "UBND_XA"})).await;
    assert_eq!(routed["unit"], "UBND_XA-26737");

    // Transferred on with a unit named: the unit applies when the target accepts.
    let (_, xa_h) = app.user("h.xa.units", "handler", Some("UBND_XA")).await;
    let t = app
        .act_ok(
            &xa_h,
            &routed,
            "transfer",
            json!({"to_agency": "HOI", "reason": "Người tiêu dùng đề nghị Hội hỗ trợ", "unit": "HOI-THUDUC"}),
        )
        .await;
    assert_eq!(
        t["unit"], "UBND_XA-26737",
        "the unit stays until the transfer is accepted"
    );
    let (_, hoi) = app.user("h.hoi.units", "handler", Some("HOI")).await;
    let t = app.case(&hoi, &id).await.body;
    let accepted = app.act_ok(&hoi, &t, "accept_transfer", json!({})).await;
    assert_eq!(accepted["unit"], "HOI-THUDUC");
}
both_backends!(intake_suggests_the_unit_and_routing_takes_it);

async fn a_handler_of_a_unit_filters_the_queue_by_unit(app: &TestApp) {
    let (_, op) = app.user("op.q", "operator", Some("UBND_XA")).await;
    let mut mine = food_stall("Phường Bến Thành");
    mine["channel"] = json!("hotline");
    let mine = app.open_case(&op, &mine).await;
    let mut other = food_stall("Phường Sài Gòn");
    other["channel"] = json!("hotline");
    let other = app.open_case(&op, &other).await;
    assert_eq!(other["unit"], "UBND_XA-26740");
    let r = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "h.benthanh", "role": "handler", "agency": "UBND_XA", "unit": "UBND_XA-26743", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["unit"], "UBND_XA-26743");
    let h = app.login("h.benthanh", PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", Some(&h)).await.body["unit"], "UBND_XA-26743");
    let list = app.get("/api/v1/cases?unit=UBND_XA-26743", Some(&h)).await;
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [mine["id"].as_str().unwrap()]);
    assert_eq!(list.body["items"][0]["unit"], "UBND_XA-26743");
    let all = app.get("/api/v1/cases", Some(&h)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2);
    // another agency's handler sees nothing of these units (isolation stays by agency)
    let (_, sct) = app.user("h.sct.q", "handler", Some("SCT")).await;
    let none = app.get("/api/v1/cases?unit=UBND_XA-26743", Some(&sct)).await;
    assert_eq!(none.body["items"], json!([]));
}
both_backends!(a_handler_of_a_unit_filters_the_queue_by_unit);

/// Reports count by unit (issue 14 items 1 and 3): the summary's `unit` breakdown drills down
/// to the unit's cases, and the agencies' performance has a row per unit under its agency.
async fn reports_count_by_unit(app: &TestApp) {
    let (_, xa_op) = app.user("op.xa.rep", "operator", Some("UBND_XA")).await;
    let (_, coord) = app.user("coord.units.rep", "coordinator", Some("SCT")).await;
    let (_, xa_sup) = app.user("sup.xa.rep", "supervisor", Some("UBND_XA")).await;
    for commune in ["P. Ben Thanh", "Phường Bến Thành", "phuong tan dinh"] {
        let mut body = food_stall(commune);
        body["channel"] = json!("hotline");
        app.open_case(&xa_op, &body).await;
    }
    let r = app
        .get("/api/v1/reports/summary?preset=month&group_by=unit", Some(&coord))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rows = r.body["breakdowns"][0]["rows"].as_array().unwrap().clone();
    assert_eq!(r.body["breakdowns"][0]["dimension"], "unit", "{}", r.body);
    let counts: Vec<(&str, i64)> = rows
        .iter()
        .map(|x| (x["value"].as_str().unwrap(), x["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts, [("UBND_XA-26743", 2), ("UBND_XA-26737", 1)], "{}", r.body);
    let q = rows[0]["drill_down"].as_str().unwrap();
    assert!(q.contains("unit=UBND_XA-26743"), "{q}");
    let listed = app.get(&format!("/api/v1/cases?{q}"), Some(&coord)).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2, "{}", listed.body);

    // The commune agency's supervisor sees its performance with a row per unit.
    let r = app.get("/api/v1/reports/agencies?preset=month", Some(&xa_sup)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let xa = &r.body["agencies"][0];
    assert_eq!(
        (xa["agency"].as_str(), xa["cases"].as_i64()),
        (Some("UBND_XA"), Some(3)),
        "{xa}"
    );
    let units = xa["units"].as_array().unwrap();
    assert_eq!(units.len(), 2, "{xa}");
    assert_eq!(units[0]["unit"], "UBND_XA-26743");
    assert_eq!(units[0]["name"], "Phường Bến Thành");
    assert_eq!(units[0]["cases"], 2);
    assert!(units[0]["clocks"].as_array().is_some_and(|c| !c.is_empty()), "{xa}");
    let q = units[1]["drill_down"].as_str().unwrap();
    let listed = app.get(&format!("/api/v1/cases?{q}"), Some(&xa_sup)).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "{q}: {}",
        listed.body
    );
    let csv = app
        .get("/api/v1/reports/agencies?preset=month&format=csv", Some(&xa_sup))
        .await;
    let text = String::from_utf8(csv.raw.clone()).unwrap();
    assert!(text.contains("\r\nUBND_XA,UBND_XA-26743,Phường Bến Thành,2,"), "{text}");
}
both_backends!(reports_count_by_unit);

async fn a_dispute_from_another_province_gets_a_referral(app: &TestApp) {
    let (_, op) = app.user("op.ref", "operator", Some("SCT")).await;
    let c = classify(app, &op, None, Some("Cao Bằng")).await;
    assert_eq!(c["kind"], "dispute");
    assert_eq!(c["referral"]["agency_name"], "Sở Công Thương tỉnh Cao Bằng", "{c}");
    assert_eq!(c["referral"]["province_code"], "04");
    // the web form's consumer lives in Hà Nội (helpers::complaint)
    let mut body =
        complaint("Tôi mua tủ lạnh bị hỏng, cửa hàng không chịu đổi, đề nghị hỗ trợ thương lượng hoàn tiền.");
    body["consumer"]["commune"] = json!("phuong Hoan Kiem");
    let r = app.submit(&body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let list = app.get("/api/v1/cases", Some(&op)).await;
    let case = app.case(&op, list.body["items"][0]["id"].as_str().unwrap()).await.body;
    let s = &case["suggestion"];
    assert_eq!(s["kind"], "dispute", "{s}");
    assert_eq!(s["referral"]["agency_name"], "Sở Công Thương Thành phố Hà Nội", "{s}");
    assert_eq!(s["residence"]["commune_name"], "Phường Hoàn Kiếm");
    assert!(s["explanation"]
        .to_string()
        .contains("referral: the consumer lives in Thành phố Hà Nội"));
    assert_eq!(case["unit"], Value::Null);
    // a consumer of our province: no referral
    let c = classify(app, &op, Some("Xã Cần Giờ"), Some("TP.HCM")).await;
    assert_eq!(c["referral"], Value::Null);
    assert_eq!(c["residence"]["commune_code"], "27664");
}
both_backends!(a_dispute_from_another_province_gets_a_referral);

async fn the_admin_sets_a_users_unit(app: &TestApp) {
    let (id, _) = app.user("h.unit", "handler", Some("UBND_XA")).await;
    let admin = app.admin_token.clone();
    let path = format!("/api/v1/admin/users/{id}");
    let r = app.patch_json(&path, &admin, &json!({"unit": "HOI-CANGIO"})).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "unit");
    let r = app.patch_json(&path, &admin, &json!({"unit": "nope"})).await;
    assert_problem(&r, 422, "invalid_field");
    let r = app.patch_json(&path, &admin, &json!({"unit": "UBND_XA-27664"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["unit"], "UBND_XA-27664");
    let listed = app.get("/api/v1/admin/users", Some(&admin)).await;
    let me = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(me["unit"], "UBND_XA-27664");
    // a new agency without a unit leaves the old agency's unit behind
    let r = app.patch_json(&path, &admin, &json!({"agency": "HOI"})).await;
    assert_eq!(r.body["unit"], Value::Null, "{}", r.body);
    let r = app.patch_json(&path, &admin, &json!({"unit": "HOI-CANGIO"})).await;
    assert_eq!(r.body["unit"], "HOI-CANGIO");
    // a case the branch's staff opens without a commune is the branch's
    let token = app.login("h.unit", PASSWORD).await;
    let mut walk_in = complaint("Cửa hàng bán xe đạp điện bị lỗi pin, không chịu bảo hành, đề nghị Hội hỗ trợ.");
    walk_in["channel"] = json!("walk_in");
    assert_eq!(app.open_case(&token, &walk_in).await["unit"], "HOI-CANGIO");
    let r = app.patch_json(&path, &admin, &json!({"unit": ""})).await;
    assert_eq!(r.body["unit"], Value::Null);
    // creating with another agency's unit is refused and creates nothing
    let r = app
        .post(
            "/api/v1/admin/users",
            Some(&admin),
            &json!({"username": "h.wrong", "role": "handler", "agency": "SCT", "unit": "HOI-CANGIO", "password": PASSWORD}),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    let listed = app.get("/api/v1/admin/users", Some(&admin)).await;
    assert!(!listed.body.to_string().contains("h.wrong"));
}
both_backends!(the_admin_sets_a_users_unit);

// ---------------------------------------------------------------- the console, in a browser

use crate::browser::{browser_with_js, click, fill, shot, shot_full, start_driver};
use crate::common::Backend;
use crate::console_browser::{axe_clean, signed_in_as as sign_in, text_of};
use fantoccini::Locator;

/// Cases of two wards opened in January (overdue today), a handler of one ward, the commune
/// agency's supervisor, and a dispute of a consumer of Hà Nội at SCT.
async fn console_fixture(app: &TestApp) -> (String, String) {
    let (_, xa_op) = app.user("op.xa.console", "operator", Some("UBND_XA")).await;
    let (_, sct_op) = app.user("op.sct.console", "operator", Some("SCT")).await;
    app.user("sup.xa.console", "supervisor", Some("UBND_XA")).await;
    let r = app
        .post(
            "/api/v1/admin/users",
            Some(&app.admin_token),
            &json!({"username": "h.benthanh.console", "display_name": "Lê Văn Bình", "role": "handler", "agency": "UBND_XA", "unit": "UBND_XA-26743", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    app.state.clock.set(crate::helpers::local_noon("2026-01-05"));
    let mut ids = Vec::new();
    for (commune, business) in [
        ("Phường Bến Thành", "Quán cơm Bà Năm"),
        ("phuong Sai Gon", "Xe bánh mì Cô Ba"),
    ] {
        let mut b = food_stall(commune);
        b["channel"] = json!("hotline");
        b["transaction_date"] = json!("2025-12-28");
        b["business"] = json!({"name": business});
        ids.push(app.open_case(&xa_op, &b).await["id"].as_str().unwrap().to_owned());
    }
    app.state.clock.reset();
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let mut d = complaint("Tôi mua tủ lạnh ở cửa hàng điện máy, dùng một tuần thì hỏng, cửa hàng không chịu đổi, đề nghị hỗ trợ thương lượng.");
    d["channel"] = json!("hotline");
    d["consumer"]["commune"] = json!("phuong Hoan Kiem");
    let referred = app.open_case(&sct_op, &d).await;
    assert!(
        referred["suggestion"]["referral"].is_object(),
        "{}",
        referred["suggestion"]
    );
    (ids[0].clone(), referred["id"].as_str().unwrap().to_owned())
}

async fn units_in_the_console(backend: Backend) {
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (ben_thanh, referred) = console_fixture(&app).await;
    let base = app.url("");

    // The ward's handler: the queue opens on their unit; "Tất cả đơn vị" shows the agency's.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    sign_in(&c, &base, "h.benthanh.console").await;
    let chosen = text_of(&c, "#unit option[selected]").await;
    assert_eq!(chosen, "Phường Bến Thành");
    let rows = c.find_all(Locator::Css("table.queue tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(text_of(&c, "table.queue").await.contains("Quán cơm Bà Năm"));
    shot(&c, &format!("units-{tag}-queue")).await;
    axe_clean(&c, "queue with the unit filter").await;
    c.find(Locator::Id("unit"))
        .await
        .unwrap()
        .select_by_value("")
        .await
        .unwrap();
    click(&c, Locator::Css(".unit-filter button")).await;
    c.wait()
        .for_element(Locator::Css("#unit option[value=''][selected]"))
        .await
        .unwrap();
    assert_eq!(c.find_all(Locator::Css("table.queue tbody tr")).await.unwrap().len(), 2);
    c.goto(&format!("{base}/console/cases/{ben_thanh}")).await.unwrap();
    let facts = text_of(&c, "dl.facts").await;
    assert!(
        facts.contains("Đơn vị xử lý") && facts.contains("Phường Bến Thành"),
        "{facts}"
    );
    shot(&c, &format!("units-{tag}-case")).await;
    // The route form offers every unit (left empty: the suggested one).
    click(&c, Locator::Css("#action-route > summary")).await;
    let options = c.find_all(Locator::Css("#f-route-unit option")).await.unwrap();
    assert_eq!(options.len(), 1 + 168 + 3);
    c.execute(
        "document.getElementById('f-route-unit').scrollIntoView({block: 'center'})",
        vec![],
    )
    .await
    .unwrap();
    shot(&c, &format!("units-{tag}-route-form")).await;
    axe_clean(&c, "case with its unit").await;
    c.close().await.unwrap();

    // The commune agency's supervisor: overdue cases per unit.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    sign_in(&c, &base, "sup.xa.console").await;
    c.goto(&format!("{base}/console/dashboard")).await.unwrap();
    assert!(text_of(&c, "#h-unit-overdue").await.contains("Quá hạn theo đơn vị"));
    let table = text_of(&c, "table[aria-labelledby=h-unit-overdue]").await;
    assert!(
        table.contains("Phường Bến Thành") && table.contains("Phường Sài Gòn"),
        "{table}"
    );
    shot(&c, &format!("units-{tag}-dashboard")).await;
    axe_clean(&c, "dashboard with overdue per unit").await;
    c.close().await.unwrap();

    // SCT's operator: the referral on the case page, and on the call screen as they type.
    let c = browser_with_js(&driver, 1366, 768, true).await;
    sign_in(&c, &base, "op.sct.console").await;
    c.goto(&format!("{base}/console/cases/{referred}")).await.unwrap();
    let note = text_of(&c, ".notice.referral").await;
    assert!(note.contains("Sở Công Thương Thành phố Hà Nội"), "{note}");
    shot(&c, &format!("units-{tag}-case-referral")).await;
    axe_clean(&c, "case with a referral").await;
    c.goto(&format!("{base}/console/calls/new")).await.unwrap();
    fill(
        &c,
        "note",
        "Quán ăn ở chợ bán đồ ăn ôi thiu, cả nhà bị ngộ độc thực phẩm",
    )
    .await;
    fill(&c, "consumer_commune", "P. Ben Thanh").await;
    let start = std::time::Instant::now();
    loop {
        let s = text_of(&c, "#suggestion").await;
        if s.contains("Đơn vị phụ trách") {
            assert!(s.contains("Phường Bến Thành (UBND_XA)"), "{s}");
            break;
        }
        assert!(start.elapsed().as_secs() < 20, "no unit in the suggestion: {s}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    shot_full(&c, &format!("units-{tag}-call")).await;
    axe_clean(&c, "call screen with units").await;
    c.close().await.unwrap();
}

#[actix_web::test]
async fn units_in_the_console_sqlite() {
    units_in_the_console(Backend::Sqlite).await;
}

#[actix_web::test]
async fn units_in_the_console_postgres() {
    units_in_the_console(Backend::Postgres).await;
}
