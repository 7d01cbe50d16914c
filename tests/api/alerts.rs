//! Early warning (issue 14 point 6, ADR 0038): the weekly job finds a rising category and
//! business against the eight weeks before, not a stable one; each signal lists its cases; a
//! coordinator drafts a public warning from one, or dismisses it.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute_before, local_noon, TestApp, PASSWORD};
use crate::reports::listed;

/// Wednesdays of the eight baseline weeks (28 Sep – 22 Nov 2026) and of the week examined
/// (23–29 Nov, ISO week 2026-W48).
const BASELINE: [&str; 8] = [
    "2026-09-30",
    "2026-10-07",
    "2026-10-14",
    "2026-10-21",
    "2026-10-28",
    "2026-11-04",
    "2026-11-11",
    "2026-11-18",
];
const WEEK: &str = "2026-11-25";
const RISING_TAX: &str = "0312345678";

/// A consumer of their own each time (early warning counts a business's distinct consumers).
static CONSUMERS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn rising(day: &str) -> Value {
    let mut c = dispute_before(day);
    let n = CONSUMERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % 1_000_000;
    c["consumer"]["phone"] = json!(format!("0913{n:06}"));
    c["category"] = json!("ecommerce");
    c["business"] = json!({"name": "Sàn Giao Hàng Siêu Tốc", "tax_code": RISING_TAX});
    c
}

/// Opens cases on `day` (the clock set to its noon; a fresh session since the clock jumped).
async fn open_on(app: &TestApp, day: &str, bodies: &[Value]) -> Vec<String> {
    app.state.clock.set(local_noon(day));
    let h = app.login("h.alert", PASSWORD).await;
    let mut ids = Vec::new();
    for b in bodies {
        ids.push(app.open_case(&h, b).await["id"].as_str().unwrap().to_owned());
    }
    ids
}

async fn sweep_on(app: &TestApp, day: &str) {
    app.state.clock.set(local_noon(day));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
}

/// Eight quiet weeks, then a week where one business's e-commerce cases jump to eight; the
/// sweep of Wednesday 2 December examines that week. Returns the rising cases' ids, sorted.
async fn a_rising_week(app: &TestApp) -> Vec<String> {
    app.user("h.alert", "handler", Some("SCT")).await;
    app.user("c.alert", "coordinator", Some("SCT")).await;
    app.user("s.alert", "supervisor", Some("SCT")).await;
    // Baseline: two goods_general disputes (Ánh Dương) a week; one e-commerce case in eight weeks.
    for (i, day) in BASELINE.iter().enumerate() {
        let mut bodies = vec![dispute_before(day), dispute_before(day)];
        if i == 3 {
            bodies.push(rising(day));
        }
        open_on(app, day, &bodies).await;
    }
    // The week: goods_general as usual (3), e-commerce of one business jumps to 8.
    let stable = [dispute_before(WEEK), dispute_before(WEEK), dispute_before(WEEK)];
    open_on(app, WEEK, &stable).await;
    let bodies: Vec<Value> = (0..8).map(|_| rising(WEEK)).collect();
    let mut rising_ids = open_on(app, WEEK, &bodies).await;
    rising_ids.sort();

    // Wednesday 2 December: the sweep examines 23–29 November.
    sweep_on(app, "2026-12-02").await;
    rising_ids
}

async fn a_rise_is_signalled_with_its_cases_and_drafted_as_a_warning(app: &TestApp) {
    let rising_ids = a_rising_week(app).await;
    let coord = app.login("c.alert", PASSWORD).await;
    let r = app.get("/api/v1/alerts", Some(&coord)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let signals = r.body.as_array().unwrap().clone();
    assert_eq!(
        signals.len(),
        2,
        "a category and a business, nothing for goods_general: {}",
        r.body
    );
    let cat = signals.iter().find(|s| s["dimension"] == "category").unwrap();
    assert_eq!(cat["key"], "ecommerce");
    assert!(
        cat["label"].as_str().unwrap().starts_with("Mua bán trực tuyến"),
        "{cat}"
    );
    assert_eq!(cat["week"], "2026-W48");
    assert_eq!(cat["period_start"], "2026-11-23");
    assert_eq!(cat["period_end"], "2026-11-29");
    assert_eq!(cat["count"], 8);
    assert_eq!(cat["baseline"], 0.5, "one case in eight weeks: the floor");
    assert!(cat["p_value"].as_f64().unwrap() < 0.001, "{cat}");
    assert_eq!(cat["status"], "open");
    let biz = signals.iter().find(|s| s["dimension"] == "business").unwrap();
    assert_eq!(biz["key"], format!("mst:{RISING_TAX}"));
    assert_eq!(biz["label"], "Sàn Giao Hàng Siêu Tốc");
    assert!(signals.iter().all(|s| s["key"] != "goods_general"));

    // Each drills down to exactly the cases counted.
    for s in [cat, biz] {
        let q = s["cases_query"].as_str().unwrap();
        assert_eq!(listed(app, &coord, q).await, rising_ids, "{q}");
    }
    let open = app.get("/api/v1/alerts?status=open", Some(&coord)).await;
    assert_eq!(open.body.as_array().unwrap().len(), 2);

    // Once per week: another sweep the same week adds nothing.
    sweep_on(app, "2026-12-04").await;
    let coord = app.login("c.alert", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/alerts", Some(&coord))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // Draft a public warning from the category signal.
    let id = cat["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/alerts/{id}/draft-warning"), Some(&coord), &json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "drafted");
    let wid = r.body["warning_id"].as_str().unwrap().to_owned();
    let ws = app.get("/api/v1/warnings", Some(&coord)).await;
    let w = ws
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == wid.as_str())
        .unwrap();
    assert_eq!(w["status"], "draft");
    assert_eq!(w["source"], format!("signal:{id}"));
    assert!(w["title"].as_str().unwrap().contains("Mua bán trực tuyến"), "{w}");
    let body = w["body"].as_str().unwrap();
    assert!(
        body.contains("23/11/2026")
            && body.contains("29/11/2026")
            && body.contains(" 8 ")
            && body.contains("gấp 16,0 lần mức trung bình 0,5 trường hợp mỗi tuần của 8 tuần trước đó"),
        "{body}"
    );
    // A draft is not public.
    let public = app.get("/api/v1/public/warnings", None).await;
    assert!(public.body.to_string().find(&wid).is_none());
    // Not twice; a drafted signal cannot be dismissed.
    let again = app
        .post(&format!("/api/v1/alerts/{id}/draft-warning"), Some(&coord), &json!({}))
        .await;
    assert_problem(&again, 409, "alert_not_open");
    assert_problem(
        &app.post(&format!("/api/v1/alerts/{id}/dismiss"), Some(&coord), &json!({}))
            .await,
        409,
        "alert_not_open",
    );
    assert_eq!(
        app.get("/api/v1/warnings", Some(&coord))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Dismiss the business signal.
    let bid = biz["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/alerts/{bid}/dismiss"), Some(&coord), &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "dismissed");
    assert!(r.body["warning_id"].is_null());
    let open = app.get("/api/v1/alerts?status=open", Some(&coord)).await;
    assert_eq!(open.body.as_array().unwrap().len(), 0);

    // Coordinators only; bad input changes nothing.
    let sup = app.login("s.alert", PASSWORD).await;
    assert_problem(&app.get("/api/v1/alerts", Some(&sup)).await, 403, "forbidden");
    assert_problem(
        &app.get("/api/v1/alerts?status=maybe", Some(&coord)).await,
        400,
        "invalid_query",
    );
    assert_problem(
        &app.post("/api/v1/alerts/nope/draft-warning", Some(&coord), &json!({}))
            .await,
        404,
        "not_found",
    );
}

async fn a_quiet_province_raises_no_signal(app: &TestApp) {
    app.user("h.alert", "handler", Some("SCT")).await;
    app.user("c.alert", "coordinator", Some("SCT")).await;
    // Three new e-commerce cases in a week never seen before: unusual, but too few to tell.
    open_on(app, WEEK, &[rising(WEEK), rising(WEEK), rising(WEEK)]).await;
    sweep_on(app, "2026-12-02").await;
    let coord = app.login("c.alert", PASSWORD).await;
    let r = app.get("/api/v1/alerts", Some(&coord)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, json!([]));
}

both_backends!(a_rise_is_signalled_with_its_cases_and_drafted_as_a_warning);
both_backends!(a_quiet_province_raises_no_signal);

/// In the examined week six consumers name one air fryer, each bought from another shop and
/// spelled their own way, two anonymous reporters report it, and one consumer complains a second
/// time: no business rose, but the product did (eight people, nine complaints listed), under
/// the name last recorded; its draft is a product warning naming it.
async fn a_product_named_by_many_consumers_is_signalled(app: &TestApp) {
    app.user("h.alert", "handler", Some("SCT")).await;
    app.user("c.alert", "coordinator", Some("SCT")).await;
    let mut quiet = dispute_before(BASELINE[0]);
    quiet["product"] = json!("Máy giặt cửa trước");
    open_on(app, BASELINE[0], &[quiet]).await;
    let spellings = [
        "Nồi chiên không dầu X9",
        "nồi chiên KHÔNG DẦU x9",
        "Sản phẩm nồi chiên không dầu X9",
        "  nồi chiên không dầu   X9 ",
        "Nồi chiên không dầu X9",
        "noi chien khong dau X9",
    ];
    let bodies: Vec<Value> = spellings
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut c = dispute_before(WEEK);
            c["consumer"]["phone"] = json!(format!("0914 000 10{i}"));
            c["business"] = json!({"name": format!("Điện máy Phố {i}")});
            c["product"] = json!(p);
            c
        })
        .collect();
    let mut ids = open_on(app, WEEK, &bodies).await;
    // Two anonymous violation reports (no name, no phone) about it: two reporters, not one.
    for _ in 0..2 {
        let report = json!({"kind": "violation_report",
            "description": "Nồi chiên không dầu X9 bán tràn lan, bốc cháy khi dùng, đề nghị kiểm tra.",
            "product": "Nồi chiên không dầu X9", "consumer": {"name": "", "phone": ""}});
        let r = app.submit(&report).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    // The first consumer again, about the same fryer (another shop): one consumer, two cases.
    let mut again = bodies[0].clone();
    again["business"] = json!({"name": "Điện máy Phố 9"});
    again["product"] = json!("Sản phẩm Nồi chiên không dầu X9");
    let h = app.login("h.alert", PASSWORD).await;
    ids.push(app.open_case(&h, &again).await["id"].as_str().unwrap().to_owned());
    let spaced = app.case(&h, &ids[3]).await.body;
    assert_eq!(spaced["product"], "nồi chiên không dầu X9", "one line, single spaces");
    assert_eq!(spaced["product_key"], "noi chien khong dau x9");
    sweep_on(app, "2026-12-02").await;

    let coord = app.login("c.alert", PASSWORD).await;
    let all = app.get("/api/v1/alerts", Some(&coord)).await.body;
    let product: Vec<&Value> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["dimension"] == "product")
        .collect();
    assert_eq!(product.len(), 1, "{all}");
    let p = product[0];
    assert_eq!(p["key"], "noi chien khong dau x9");
    assert_eq!(p["label"], "Sản phẩm Nồi chiên không dầu X9", "the name last recorded");
    assert_eq!(
        p["count"], 8,
        "six consumers (one of them twice) and two anonymous reporters"
    );
    assert!(
        all.as_array().unwrap().iter().all(|s| s["dimension"] != "business"),
        "six shops, one complaint each: {all}"
    );
    let listed_ids = listed(app, &coord, p["cases_query"].as_str().unwrap()).await;
    assert_eq!(listed_ids.len(), 9, "every complaint naming it: {listed_ids:?}");
    assert!(ids.iter().all(|id| listed_ids.contains(id)));

    let id = p["id"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/alerts/{id}/draft-warning"), Some(&coord), &json!({}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let wid = r.body["warning_id"].as_str().unwrap().to_owned();
    let w = app.get(&format!("/api/v1/warnings/{wid}"), Some(&coord)).await.body;
    assert_eq!(w["kind"], "product", "{w}");
    assert_eq!(w["product"], "Sản phẩm Nồi chiên không dầu X9");
    assert!(w["business_name"].is_null(), "{w}");
    assert!(
        w["title"]
            .as_str()
            .unwrap()
            .contains("sản phẩm, dịch vụ «Sản phẩm Nồi chiên không dầu X9»"),
        "{w}"
    );

    // The console names the dimension.
    let s = crate::console::session_of(app, "c.alert").await;
    let page = crate::console::get(app, &format!("/console/alerts/{id}"), Some(&s)).await;
    assert!(
        page.html.contains("Sản phẩm, dịch vụ: Sản phẩm Nồi chiên không dầu X9"),
        "{}",
        page.html
    );
}

both_backends!(a_product_named_by_many_consumers_is_signalled);

/// The signals the sweep of 2 December raised: (dimension, key).
async fn signals(app: &TestApp) -> Vec<(String, String)> {
    let coord = app.login("c.alert", PASSWORD).await;
    let r = app.get("/api/v1/alerts", Some(&coord)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["dimension"].as_str().unwrap().to_owned(),
                s["key"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// In the examined week one consumer files six e-commerce complaints against one business and
/// five are closed as duplicates; another files six ordinary ones against another business.
/// Duplicates are not complaints, and one consumer is one consumer of a business: only the
/// ordinary category's six cases are a rise.
async fn one_consumers_repeated_complaints_are_not_a_rise(app: &TestApp) {
    app.user("h.alert", "handler", Some("SCT")).await;
    app.user("c.alert", "coordinator", Some("SCT")).await;
    open_on(app, BASELINE[0], &[dispute_before(BASELINE[0])]).await;
    let mut repeated = dispute_before(WEEK);
    repeated["category"] = json!("ecommerce");
    repeated["business"] = json!({"name": "Hộ kinh doanh Minh Anh", "tax_code": RISING_TAX});
    repeated["consumer"]["phone"] = json!("0987 654 321");
    let ids = open_on(app, WEEK, &vec![repeated; 6]).await;
    let h = app.login("h.alert", PASSWORD).await;
    for id in &ids[1..] {
        let case = app.case(&h, id).await.body;
        app.act_ok(&h, &case, "mark_duplicate", json!({"of_case_id": ids[0]}))
            .await;
    }
    let ordinary: Vec<Value> = (0..6).map(|_| dispute_before(WEEK)).collect();
    open_on(app, WEEK, &ordinary).await;
    sweep_on(app, "2026-12-02").await;
    assert_eq!(
        signals(app).await,
        vec![("category".to_owned(), "goods_general".to_owned())]
    );
}
both_backends!(one_consumers_repeated_complaints_are_not_a_rise);

/// Go-live on 11 November: three cases a week for two weeks, then seven. Against the weeks the
/// service has had (three and a half a week) that is no rise; divided by eight weeks it was
/// (0.75 a week, "nine times").
async fn the_first_weeks_are_compared_with_the_weeks_they_have(app: &TestApp) {
    app.user("h.alert", "handler", Some("SCT")).await;
    app.user("c.alert", "coordinator", Some("SCT")).await;
    for day in [BASELINE[6], BASELINE[7]] {
        let three: Vec<Value> = (0..3).map(|_| dispute_before(day)).collect();
        open_on(app, day, &three).await;
    }
    let seven: Vec<Value> = (0..7).map(|_| dispute_before(WEEK)).collect();
    open_on(app, WEEK, &seven).await;
    sweep_on(app, "2026-12-02").await;
    assert_eq!(signals(app).await, Vec::<(String, String)>::new());
}
both_backends!(the_first_weeks_are_compared_with_the_weeks_they_have);

/// The same signals in the console: on the coordinator's dashboard, listed, each with its
/// cases; "draft a public warning" opens the draft for editing; dismiss; CSRF required;
/// coordinators only.
async fn a_coordinator_works_the_signals_in_the_console(app: &TestApp) {
    use crate::console::{get, hidden, post, session_of};
    let rising_ids = a_rising_week(app).await;
    let s = session_of(app, "c.alert").await;
    let cookie = format!("hotline_console={s}");
    let d = get(app, "/console/dashboard", Some(&s)).await;
    assert_eq!(d.status, 200, "{}", d.html);
    assert!(d.html.contains("Cảnh báo sớm"), "{}", d.html);
    assert!(
        d.html
            .contains("Doanh nghiệp: Sàn Giao Hàng Siêu Tốc</a> — 8 hồ sơ, gấp"),
        "{}",
        d.html
    );
    let list = get(app, "/console/alerts", Some(&s)).await;
    assert_eq!(list.status, 200, "{}", list.html);
    assert!(list.html.contains("Tuần 48 (23/11/2026 – 29/11/2026)"), "{}", list.html);
    let at = list.html.find("href=\"/console/alerts/").expect("a link to a signal") + 6;
    let href: String = list.html[at..].chars().take_while(|c| *c != '"').collect();
    let one = get(app, &href, Some(&s)).await;
    assert_eq!(one.status, 200, "{}", one.html);
    assert!(one.html.contains("trong một tuần là dưới 0,001."), "{}", one.html);
    for id in &rising_ids {
        assert!(
            one.html.contains(&format!("/console/cases/{id}")),
            "case {id} listed: {}",
            one.html
        );
    }
    // Without the form's token nothing changes.
    let r = post(app, &format!("{href}/draft"), &cookie, &[]).await;
    assert_eq!(r.status, 403);
    let csrf = hidden(&one.html, "csrf");
    let r = post(app, &format!("{href}/draft"), &cookie, &[("csrf", csrf.as_str())]).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert!(r.location.starts_with("/console/notices/warnings/"), "{}", r.location);
    let w = get(app, &r.location, Some(&s)).await;
    assert!(w.html.contains("tăng đột biến"), "{}", w.html);
    // Drafted: not twice; the list says so and links the draft.
    let again = post(app, &format!("{href}/draft"), &cookie, &[("csrf", csrf.as_str())]).await;
    assert_eq!(again.status, 409, "{}", again.html);
    let list = get(app, "/console/alerts", Some(&s)).await;
    assert!(
        list.html
            .contains("Đã soạn cảnh báo · <a href=\"/console/notices/warnings/"),
        "{}",
        list.html
    );
    // Dismiss the other one; the dashboard has none left.
    let open = app
        .get(
            "/api/v1/alerts?status=open",
            Some(&app.login("c.alert", PASSWORD).await),
        )
        .await;
    let other = open.body[0]["id"].as_str().unwrap().to_owned();
    let r = post(
        app,
        &format!("/console/alerts/{other}/dismiss"),
        &cookie,
        &[("csrf", csrf.as_str())],
    )
    .await;
    assert_eq!((r.status, r.location.as_str()), (303, "/console/alerts"));
    let d = get(app, "/console/dashboard", Some(&s)).await;
    assert!(d.html.contains("Không có tín hiệu nào đang chờ xử lý."), "{}", d.html);
    // A supervisor has no signals.
    let sup = session_of(app, "s.alert").await;
    assert_eq!(get(app, "/console/alerts", Some(&sup)).await.status, 403);
    assert!(!get(app, "/console/dashboard", Some(&sup))
        .await
        .html
        .contains("Cảnh báo sớm"));
}
both_backends!(a_coordinator_works_the_signals_in_the_console);

/// The signals in a real browser: the coordinator's dashboard, the list, one signal with its
/// cases, and the draft it writes; screenshots `console-{backend}-alerts*.png`, axe on each.
async fn signals_in_a_browser(backend: crate::common::Backend) {
    use crate::browser::{browser_with_js, click, shot_full, start_driver};
    use crate::console_browser::{axe_clean, signed_in_as, text_of, value_of, wait_for_path};
    use fantoccini::Locator;
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let tag = crate::documents::backend(&app);
    a_rising_week(&app).await;
    let base = app.url("");
    let c = browser_with_js(&driver, 1366, 768, true).await;
    signed_in_as(&c, &base, "c.alert").await;
    c.goto(&format!("{base}/console/dashboard")).await.unwrap();
    let section = text_of(&c, "section[aria-labelledby=h-signals]").await;
    assert!(section.contains("Sàn Giao Hàng Siêu Tốc"), "{section}");
    axe_clean(&c, "dashboard with signals").await;
    shot_full(&c, &format!("console-{tag}-alerts-dashboard")).await;
    click(&c, Locator::LinkText("Mọi tín hiệu cảnh báo sớm")).await;
    wait_for_path(&c, "/console/alerts").await;
    axe_clean(&c, "alerts").await;
    shot_full(&c, &format!("console-{tag}-alerts")).await;
    click(&c, Locator::Css("table.queue tbody tr:first-child a")).await;
    let h1 = text_of(&c, "h1").await;
    assert!(h1.contains(':'), "{h1}");
    assert_eq!(
        c.find_all(Locator::Css("table.queue tbody tr")).await.unwrap().len(),
        8,
        "the eight cases of the week"
    );
    axe_clean(&c, "alert").await;
    shot_full(&c, &format!("console-{tag}-alert")).await;
    click(&c, Locator::Css("form[action$='/draft'] button")).await;
    wait_for_path(&c, "/console/notices/warnings/").await;
    let title = value_of(&c, "w-title").await;
    assert!(title.contains("tăng đột biến"), "{title}");
    shot_full(&c, &format!("console-{tag}-alert-draft")).await;
    c.close().await.unwrap();
}

#[actix_web::test]
async fn signals_in_a_browser_sqlite() {
    signals_in_a_browser(crate::common::Backend::Sqlite).await;
}

#[actix_web::test]
async fn signals_in_a_browser_postgres() {
    signals_in_a_browser(crate::common::Backend::Postgres).await;
}
