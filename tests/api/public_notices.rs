//! The public violator list (Decree 55/2024 Art 24) and public warnings (issue 14 point 5, ADR
//! 0032): publication only of a sanctioned case, by its agency's supervisor or a coordinator;
//! the JSON list and the Atom feed (parsed as XML); removal by the sweep after the period,
//! hidden before the sweep runs; early withdrawal; events in the case's history; warnings shown
//! between their dates; the citizen pages in a browser with the accessibility checker.

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::both_backends;
use crate::common::Backend;
use crate::helpers::{assert_problem, local_noon, violation, Resp, TestApp, PASSWORD};

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";
const BUSINESS: &str = "Công ty TNHH Mỹ phẩm Hoa Sen & Cộng sự";
const ADDRESS: &str = "Số 5 đường Lê Lợi, phường Bến Thành";

struct Staff {
    sup: String,
    handler: String,
    operator: String,
    other_sup: String,
    coordinator: String,
}

const ACCOUNTS: [(&str, &str, &str); 5] = [
    ("vp.sup", "supervisor", "SCT"),
    ("vp.handler", "handler", "SCT"),
    ("vp.operator", "operator", "SCT"),
    ("vp.qltt.sup", "supervisor", "QLTT"),
    ("vp.coord", "coordinator", "SCT"),
];

/// The accounts, made on the real clock; the service's clock then set to noon of `day`.
async fn staff_on(app: &TestApp, day: &str) -> Staff {
    for (name, role, agency) in ACCOUNTS {
        app.user(name, role, Some(agency)).await;
    }
    app.state.clock.set(local_noon(day));
    signed_in(app).await
}

/// Fresh sessions (they expire when the clock moves days ahead).
async fn signed_in(app: &TestApp) -> Staff {
    let mut t = Vec::new();
    for (name, _, _) in ACCOUNTS {
        t.push(app.login(name, PASSWORD).await);
    }
    Staff {
        sup: t[0].clone(),
        handler: t[1].clone(),
        operator: t[2].clone(),
        other_sup: t[3].clone(),
        coordinator: t[4].clone(),
    }
}

/// A violation report of SCT under inspection.
async fn inspected(app: &TestApp, s: &Staff) -> Value {
    let mut body = violation();
    body["business"] = json!({"name": BUSINESS, "address": ADDRESS});
    let c = app.open_case(&s.sup, &body).await;
    let c = app.act_ok(&s.sup, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&s.sup, &c, "accept", json!({})).await;
    app.act_ok(&s.sup, &c, "start_inspection", json!({"plan": "Kiểm tra đột xuất."}))
        .await
}

fn sanction() -> Value {
    json!({
        "decision_number": "125/QĐ-XPHC",
        "decision_date": "2026-11-25",
        "issuing_body": "Chi cục Quản lý thị trường tỉnh",
        "fine_amount_vnd": 35_000_000,
        "violation": "Kinh doanh mỹ phẩm không rõ nguồn gốc, xuất xứ <hàng nhập lậu>"
    })
}

/// A case closed with a sanction decision.
async fn sanctioned(app: &TestApp, s: &Staff) -> Value {
    let c = inspected(app, s).await;
    let body = json!({"violation_found": true, "sanction": sanction(), "findings": "Phát hiện 320 sản phẩm không rõ nguồn gốc."});
    app.act_ok(&s.handler, &c, "record_inspection_result", body).await
}

async fn publish(app: &TestApp, token: &str, case: &Value, body: Value) -> Resp {
    let id = case["id"].as_str().unwrap();
    app.post(&format!("/api/v1/cases/{id}/violator-notice"), Some(token), &body)
        .await
}

async fn events(app: &TestApp, token: &str, case: &Value, action: &str) -> Vec<Value> {
    let id = case["id"].as_str().unwrap();
    let r = app.get(&format!("/api/v1/cases/{id}/events"), Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .cloned()
        .collect()
}

/// The Atom feed at `path`, parsed: checks the media type, the feed's required elements, and
/// returns every entry as (id, title, updated, content).
async fn atom(app: &TestApp, path: &str) -> Vec<(String, String, String, String)> {
    let r = app.get(path, None).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/atom+xml"), "{}", r.content_type);
    let text = String::from_utf8(r.raw).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{text}"));
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(feed.tag_name().namespace(), Some(ATOM_NS));
    let child = |n: roxmltree::Node<'_, '_>, name: &str| -> String {
        let found = n
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == name && c.tag_name().namespace() == Some(ATOM_NS));
        found
            .unwrap_or_else(|| panic!("<{name}> missing in <{}>", n.tag_name().name()))
            .text()
            .unwrap_or_default()
            .to_owned()
    };
    assert!(!child(feed, "id").is_empty());
    assert!(!child(feed, "title").is_empty());
    chrono::DateTime::parse_from_rfc3339(&child(feed, "updated")).expect("feed updated is RFC 3339");
    let self_link = feed
        .children()
        .find(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("self"))
        .expect("a self link");
    assert!(self_link.attribute("href").unwrap().ends_with(path));
    feed.children()
        .filter(|c| c.is_element() && c.tag_name().name() == "entry")
        .map(|e| {
            let updated = child(e, "updated");
            chrono::DateTime::parse_from_rfc3339(&updated).expect("entry updated is RFC 3339");
            (child(e, "id"), child(e, "title"), updated, child(e, "content"))
        })
        .collect()
}

async fn violator_publication_is_refused_without_a_sanction_or_the_right(app: &TestApp) {
    let s = staff_on(app, "2026-12-01").await;
    // Under inspection: nothing decided yet.
    let c = inspected(app, &s).await;
    assert_problem(&publish(app, &s.sup, &c, json!({})).await, 409, "no_sanction");
    // Closed without a violation.
    let body = json!({"violation_found": false, "findings": "Không phát hiện vi phạm."});
    let c = app.act_ok(&s.handler, &c, "record_inspection_result", body).await;
    assert_problem(&publish(app, &s.sup, &c, json!({})).await, 409, "no_sanction");
    // Sanctioned: only the agency's supervisor or a coordinator publishes.
    let c = sanctioned(app, &s).await;
    assert_problem(&publish(app, &s.handler, &c, json!({})).await, 403, "forbidden");
    assert_problem(&publish(app, &s.operator, &c, json!({})).await, 403, "forbidden");
    assert_problem(&publish(app, &s.other_sup, &c, json!({})).await, 404, "not_found");
    assert_problem(
        &publish(app, &s.sup, &c, json!({"place": "\u{7}"})).await,
        422,
        "invalid_field",
    );
    let r = publish(app, &s.sup, &c, json!({"unknown": 1})).await;
    assert_eq!(r.status, 422, "{}", r.body);
    // Nothing was published by any of it.
    let list = app.get("/api/v1/public/violators", None).await;
    assert_eq!(list.body, json!([]));
    assert!(events(app, &s.sup, &c, "violator_published").await.is_empty());
}
both_backends!(violator_publication_is_refused_without_a_sanction_or_the_right);

async fn a_published_violator_is_listed_for_thirty_days_then_removed_by_the_sweep(app: &TestApp) {
    let s = staff_on(app, "2026-12-01").await;
    let c = sanctioned(app, &s).await;
    let r = publish(app, &s.sup, &c, json!({"place": "Chợ Bến Thành, ki-ốt 12"})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let notice = r.body.clone();
    let nid = notice["id"].as_str().unwrap().to_owned();
    assert_eq!(notice["business_name"], BUSINESS);
    assert_eq!(notice["business_address"], ADDRESS);
    assert_eq!(notice["violation"], sanction()["violation"]);
    assert_eq!(notice["place"], "Chợ Bến Thành, ki-ốt 12");
    assert_eq!(notice["decision_number"], "125/QĐ-XPHC");
    assert_eq!(notice["decision_date"], "2026-11-25");
    assert_eq!(notice["issuing_body"], "Chi cục Quản lý thị trường tỉnh");
    assert_eq!(notice["shown"], true);
    let published: chrono::DateTime<chrono::Utc> = notice["published_at"].as_str().unwrap().parse().unwrap();
    let expires: chrono::DateTime<chrono::Utc> = notice["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires - published, TimeDelta::days(30));
    // Once while on the list.
    assert_problem(
        &publish(app, &s.coordinator, &c, json!({})).await,
        409,
        "already_published",
    );
    let ev = events(app, &s.sup, &c, "violator_published").await;
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["data"]["notice_id"], nid.as_str());
    assert_eq!(ev[0]["actor_role"], "supervisor");
    // A later correction of the case does not change what was published.
    app.act_ok(
        &s.sup,
        &app.case(&s.sup, c["id"].as_str().unwrap()).await.body,
        "correct_data",
        json!({"business_name": "Tên khác sau khi sửa", "reason": "Sửa tên theo giấy phép."}),
    )
    .await;
    // The public JSON: the business and the decision, nothing of the consumer.
    let list = app.get("/api/v1/public/violators", None).await;
    assert_eq!(list.status, 200);
    let items = list.body.as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], nid.as_str());
    assert_eq!(items[0]["business_name"], BUSINESS);
    let text = list.body.to_string();
    for private in [
        "Nguyễn Thị Hồng",
        "912345678",
        "345 678",
        "hong.nguyen",
        "case_id",
        "published_by",
        c["id"].as_str().unwrap(),
    ] {
        assert!(!text.contains(private), "the public list shows {private}: {text}");
    }
    // The Atom feed: one entry with a stable id, the business in the title, the decision in
    // the content (escaped: `&` and `<` in the texts).
    let feed = atom(app, "/api/v1/public/violators.atom").await;
    assert_eq!(feed.len(), 1);
    let (id, title, _, content) = &feed[0];
    assert_eq!(id, &format!("urn:uuid:{nid}"));
    assert!(title.contains(BUSINESS), "{title}");
    assert!(
        content.contains("125/QĐ-XPHC") && content.contains("25/11/2026"),
        "{content}"
    );
    assert!(content.contains("<hàng nhập lậu>"), "{content}");
    assert_eq!(
        atom(app, "/api/v1/public/violators.atom").await[0].0,
        *id,
        "the entry id is stable"
    );
    // The page.
    let page = app.get("/vi-pham", None).await;
    let html = String::from_utf8(page.raw).unwrap();
    assert!(html.contains("Công ty TNHH Mỹ phẩm Hoa Sen &#38; Cộng sự"), "{html}");
    assert!(
        html.contains("125/QĐ-XPHC") && html.contains("&#60;hàng nhập lậu&#62;"),
        "{html}"
    );

    // Day 29: still listed. Day 30: hidden at once, removed by the next sweep with an event.
    app.state.clock.advance(TimeDelta::days(29));
    assert_eq!(
        app.get("/api/v1/public/violators", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.state.clock.advance(TimeDelta::days(1) + TimeDelta::seconds(1));
    assert_eq!(app.get("/api/v1/public/violators", None).await.body, json!([]));
    assert!(atom(app, "/api/v1/public/violators.atom").await.is_empty());
    let s = signed_in(app).await;
    assert!(
        events(app, &s.sup, &c, "violator_removed").await.is_empty(),
        "not yet swept"
    );
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let removed = events(app, &s.sup, &c, "violator_removed").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["data"]["reason"], "expired");
    assert_eq!(removed[0]["data"]["notice_id"], nid.as_str());
    assert_eq!(removed[0]["actor_role"], "system");
    // The next sweep removes nothing again.
    let interval = app.state.settings.jobs.sweep_interval_secs as i64;
    app.state.clock.advance(TimeDelta::seconds(interval + 1));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    assert_eq!(events(app, &s.sup, &c, "violator_removed").await.len(), 1);
    let id = c["id"].as_str().unwrap();
    let history = app
        .get(&format!("/api/v1/cases/{id}/violator-notice"), Some(&s.sup))
        .await;
    assert_eq!(history.body[0]["removed_reason"], "expired");
    assert_eq!(history.body[0]["shown"], false);
    assert_eq!(history.body[0]["business_name"], BUSINESS);
}
both_backends!(a_published_violator_is_listed_for_thirty_days_then_removed_by_the_sweep);

async fn a_violator_notice_is_withdrawn_early(app: &TestApp) {
    let s = staff_on(app, "2026-12-01").await;
    let c = sanctioned(app, &s).await;
    let id = c["id"].as_str().unwrap();
    let r = publish(app, &s.coordinator, &c, json!({})).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["place"], ADDRESS, "the place defaults to the business's address");
    let url = format!("/api/v1/cases/{id}/violator-notice/withdraw");
    assert_problem(
        &app.post(&url, Some(&s.sup), &json!({"reason": " "})).await,
        422,
        "required",
    );
    assert_problem(
        &app.post(&url, Some(&s.handler), &json!({"reason": "x"})).await,
        403,
        "forbidden",
    );
    assert_problem(
        &app.post(&url, Some(&s.other_sup), &json!({"reason": "x"})).await,
        404,
        "not_found",
    );
    let reason = "Quyết định xử phạt bị hủy theo quyết định giải quyết khiếu nại.";
    let w = app.post(&url, Some(&s.sup), &json!({"reason": reason})).await;
    assert_eq!(w.status, 200, "{}", w.body);
    assert_eq!(w.body["removed_reason"], "withdrawn");
    assert_eq!(w.body["shown"], false);
    assert_eq!(app.get("/api/v1/public/violators", None).await.body, json!([]));
    let removed = events(app, &s.sup, &c, "violator_removed").await;
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["data"]["reason"], "withdrawn");
    assert_eq!(removed[0]["data"]["note"], reason);
    assert_problem(
        &app.post(&url, Some(&s.sup), &json!({"reason": reason})).await,
        409,
        "notice_not_active",
    );
    // It may be published again (a new period), then it shows again.
    let again = publish(app, &s.sup, &c, json!({})).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_ne!(again.body["id"], r.body["id"]);
    assert_eq!(
        app.get("/api/v1/public/violators", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(events(app, &s.sup, &c, "violator_published").await.len(), 2);
    // Expired but not yet swept: publishing again removes the old notice first (as the sweep
    // would, by the system), then starts a new period.
    app.state.clock.advance(TimeDelta::days(31));
    let s = signed_in(app).await;
    assert_eq!(app.get("/api/v1/public/violators", None).await.body, json!([]));
    let third = publish(app, &s.sup, &c, json!({})).await;
    assert_eq!(third.status, 201, "{}", third.body);
    let removed = events(app, &s.sup, &c, "violator_removed").await;
    assert_eq!(removed.len(), 2);
    assert_eq!(removed[1]["data"]["reason"], "expired");
    assert_eq!(removed[1]["data"]["notice_id"], again.body["id"]);
    assert_eq!(removed[1]["actor_role"], "system");
    let listed = app.get("/api/v1/public/violators", None).await.body;
    assert_eq!(listed[0]["id"], third.body["id"]);
    // The sweep finds nothing left to remove.
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    assert_eq!(events(app, &s.sup, &c, "violator_removed").await.len(), 2);
}
both_backends!(a_violator_notice_is_withdrawn_early);

fn warning(start: &str, end: &str) -> Value {
    json!({
        "kind": "product",
        "title": "Cảnh báo sữa bột trẻ em giả nhãn hiệu",
        "body": "Nhiều phản ánh về sữa bột giả bán qua mạng xã hội.\nKhông mua sữa không rõ nguồn gốc; kiểm tra tem chống giả.",
        "product": "Sữa bột trẻ em Hoa Mai 900 g",
        "start_date": start,
        "end_date": end,
    })
}

async fn public_warnings_are_shown_from_their_start_to_their_end_date(app: &TestApp) {
    let s = staff_on(app, "2026-12-01").await;
    let body = warning("2026-12-02", "2026-12-10");
    assert_problem(
        &app.post("/api/v1/warnings", Some(&s.handler), &body).await,
        403,
        "forbidden",
    );
    assert_problem(&app.post("/api/v1/warnings", None, &body).await, 401, "unauthenticated");
    let bad = warning("2026-12-10", "2026-12-02");
    let r = app.post("/api/v1/warnings", Some(&s.sup), &bad).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "end_date");
    let mut bad_kind = body.clone();
    bad_kind["kind"] = json!("rumour");
    assert_eq!(app.post("/api/v1/warnings", Some(&s.sup), &bad_kind).await.status, 422);
    // A draft is not public.
    let r = app.post("/api/v1/warnings", Some(&s.sup), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["status"], "draft");
    let wid = r.body["id"].as_str().unwrap().to_owned();
    let url = format!("/api/v1/warnings/{wid}");
    assert_eq!(app.get("/api/v1/public/warnings", None).await.body, json!([]));
    // Another agency's supervisor does not see it; a coordinator does.
    assert_problem(&app.get(&url, Some(&s.other_sup)).await, 404, "not_found");
    assert_eq!(app.get(&url, Some(&s.coordinator)).await.status, 200);
    assert!(app
        .get("/api/v1/warnings", Some(&s.other_sup))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    // An edit keeps the dates in order.
    let r = app.patch_json(&url, &s.sup, &json!({"end_date": "2026-12-01"})).await;
    assert_problem(&r, 422, "invalid_field");
    let r = app
        .patch_json(&url, &s.sup, &json!({"business_name": "Cửa hàng Mẹ và Bé Online"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["business_name"], "Cửa hàng Mẹ và Bé Online");
    // Published, but not before its start date.
    let r = app.post(&format!("{url}/publish"), Some(&s.sup), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["status"].as_str(), r.body["current"].as_bool()),
        (Some("published"), Some(false))
    );
    assert_problem(
        &app.post(&format!("{url}/publish"), Some(&s.sup), &json!({})).await,
        409,
        "already_published",
    );
    assert_eq!(app.get("/api/v1/public/warnings", None).await.body, json!([]));
    assert!(atom(app, "/api/v1/public/warnings.atom").await.is_empty());
    // From the start date (Vietnam time) to the end date inclusive.
    app.state.clock.set(local_noon("2026-12-02"));
    let list = app.get("/api/v1/public/warnings", None).await.body;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], wid.as_str());
    assert_eq!(list[0]["kind"], "product");
    assert!(list[0].get("created_by").is_none() && list[0].get("agency").is_none());
    let feed = atom(app, "/api/v1/public/warnings.atom").await;
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].0, format!("urn:uuid:{wid}"));
    assert_eq!(feed[0].1, "Cảnh báo sữa bột trẻ em giả nhãn hiệu");
    assert!(feed[0].3.contains("Sữa bột trẻ em Hoa Mai 900 g") && feed[0].3.contains("02/12/2026"));
    let page = String::from_utf8(app.get("/canh-bao", None).await.raw).unwrap();
    assert!(page.contains("Cảnh báo sữa bột trẻ em giả nhãn hiệu"), "{page}");
    app.state.clock.set(local_noon("2026-12-10"));
    assert_eq!(
        app.get("/api/v1/public/warnings", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    app.state.clock.set(local_noon("2026-12-11"));
    assert_eq!(app.get("/api/v1/public/warnings", None).await.body, json!([]));
    let s = signed_in(app).await;
    // Published at once, then ended early by a coordinator: gone, and it stays ended.
    let mut now = warning("2026-12-11", "2026-12-31");
    now["kind"] = json!("practice");
    now["publish"] = json!(true);
    let r = app.post("/api/v1/warnings", Some(&s.coordinator), &now).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["current"], true);
    let id2 = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get("/api/v1/public/warnings", None)
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let end = format!("/api/v1/warnings/{id2}/end");
    assert_problem(&app.post(&end, Some(&s.other_sup), &json!({})).await, 404, "not_found");
    assert_problem(&app.post(&end, Some(&s.handler), &json!({})).await, 403, "forbidden");
    let r = app.post(&end, Some(&s.coordinator), &json!({})).await;
    assert_eq!((r.status.as_u16(), r.body["status"].as_str()), (200, Some("ended")));
    assert_eq!(app.get("/api/v1/public/warnings", None).await.body, json!([]));
    assert_problem(
        &app.post(&end, Some(&s.coordinator), &json!({})).await,
        409,
        "notice_not_active",
    );
    let r = app
        .patch_json(
            &format!("/api/v1/warnings/{id2}"),
            &s.coordinator,
            &json!({"title": "x"}),
        )
        .await;
    assert_problem(&r, 409, "notice_not_active");
    assert_eq!(
        app.get("/api/v1/warnings", Some(&s.coordinator))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
both_backends!(public_warnings_are_shown_from_their_start_to_their_end_date);

/// The two citizen pages with data, at phone width, in both languages: screenshots to look at,
/// and axe-core finds no serious or critical violation.
async fn the_public_notice_pages_in_a_browser(backend: Backend) {
    use crate::browser::{axe_violations, browser_with_js, shot_full, start_driver};
    let Some(app) = crate::helpers::spawn_app(backend).await else {
        return;
    };
    let Some(driver) = start_driver() else { return };
    let axe_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js");
    let Ok(axe) = std::fs::read_to_string(&axe_path) else {
        assert!(
            std::env::var("REQUIRE_POSTGRES").map_or(true, |v| v != "1"),
            "axe-core is required in CI (scripts/test.sh installs it into target/axe)"
        );
        return;
    };
    let s = staff_on(&app, "2026-12-01").await;
    let case = sanctioned(&app, &s).await;
    assert_eq!(publish(&app, &s.sup, &case, json!({})).await.status, 201);
    let mut body = warning("2026-12-01", "2026-12-31");
    body["publish"] = json!(true);
    assert_eq!(app.post("/api/v1/warnings", Some(&s.sup), &body).await.status, 201);
    let mut b2 = warning("2026-11-20", "2026-12-20");
    b2["kind"] = json!("practice");
    b2["title"] = json!("Cảnh báo lừa đảo bán hàng qua điện thoại, yêu cầu chuyển khoản trước");
    b2["body"] = json!("Đối tượng gọi điện giới thiệu là nhân viên giao hàng, yêu cầu chuyển khoản phí.");
    b2["product"] = Value::Null;
    b2["publish"] = json!(true);
    assert_eq!(app.post("/api/v1/warnings", Some(&s.sup), &b2).await.status, 201);
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let c = browser_with_js(&driver, 390, 844, true).await;
    let mut problems = Vec::new();
    for (path, name) in [
        ("/vi-pham", "violators"),
        ("/canh-bao", "warnings"),
        ("/vi-pham?lang=en", "violators-en"),
        ("/canh-bao?lang=en", "warnings-en"),
        ("/", "home-public-links"),
    ] {
        c.goto(&app.url(path)).await.unwrap();
        shot_full(&c, &format!("{tag}-{name}")).await;
        for v in axe_violations(&c, &axe).await {
            problems.push(format!("{path}: {v}"));
        }
    }
    // The console's pages of it, as the supervisor, at desktop width.
    let wide = browser_with_js(&driver, 1280, 900, true).await;
    wide.goto(&app.url("/console/")).await.unwrap();
    crate::browser::fill(&wide, "username", "vp.sup").await;
    crate::browser::fill(&wide, "password", PASSWORD).await;
    crate::browser::click(&wide, fantoccini::Locator::Css("button.primary")).await;
    let start = std::time::Instant::now();
    while wide.current_url().await.unwrap().path().starts_with("/console/login") {
        assert!(start.elapsed().as_secs() < 20, "console sign-in");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let first = app.get("/api/v1/warnings", Some(&s.sup)).await.body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (path, name) in [
        ("/console/notices".to_owned(), "console-notices"),
        (format!("/console/notices/warnings/{first}"), "console-warning-edit"),
        (
            format!("/console/cases/{}", case["id"].as_str().unwrap()),
            "console-case-publication",
        ),
    ] {
        wide.goto(&app.url(&path)).await.unwrap();
        shot_full(&wide, &format!("{tag}-{name}")).await;
        for v in axe_violations(&wide, &axe).await {
            problems.push(format!("{path}: {v}"));
        }
    }
    wide.close().await.unwrap();
    c.close().await.unwrap();
    assert!(problems.is_empty(), "accessibility problems:\n{}", problems.join("\n"));
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn the_public_notice_pages_in_a_browser_sqlite() {
    the_public_notice_pages_in_a_browser(Backend::Sqlite).await;
}

#[actix_web::test]
async fn the_public_notice_pages_in_a_browser_postgres() {
    the_public_notice_pages_in_a_browser(Backend::Postgres).await;
}

/// A console page or form answer (no redirects followed).
struct ConsolePage {
    status: u16,
    location: String,
    html: String,
}

async fn console(app: &TestApp, token: &str, path: &str, form: Option<&[(&str, &str)]>) -> ConsolePage {
    let client = crate::helpers::test_client(false);
    let cookie = ("Cookie", format!("hotline_console={token}"));
    let mut r = match form {
        None => client.get(app.url(path)).insert_header(cookie).send().await.unwrap(),
        Some(f) => client
            .post(app.url(path))
            .insert_header(cookie)
            .send_form(&f)
            .await
            .unwrap(),
    };
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = String::from_utf8_lossy(&r.body().limit(10 * 1024 * 1024).await.unwrap()).into_owned();
    ConsolePage { status, location, html }
}

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let i = html.find(marker).expect("a form with its CSRF token") + marker.len();
    html[i..i + html[i..].find('"').unwrap()].to_owned()
}

/// The console's part: a supervisor publishes from the case page and withdraws from the
/// notices page; warnings are drafted, refused with what was typed kept, published; a handler
/// sees neither; every form needs the session's CSRF token.
async fn the_console_publishes_violators_and_manages_warnings(app: &TestApp) {
    let s = staff_on(app, "2026-12-01").await;
    let c = sanctioned(app, &s).await;
    let id = c["id"].as_str().unwrap();
    let case_page = format!("/console/cases/{id}");
    let p = console(app, &s.handler, &case_page, None).await;
    assert_eq!(p.status, 200);
    assert!(
        !p.html.contains("/violator-notice"),
        "a handler has no publication form"
    );
    let p = console(app, &s.sup, &case_page, None).await;
    assert!(p.html.contains("id=\"h-publication\""), "{}", p.html);
    let csrf = csrf_of(&p.html);
    let url = format!("/console/cases/{id}/violator-notice");
    let no_csrf = console(app, &s.sup, &url, Some(&[("place", "Chợ đêm")])).await;
    assert_eq!(no_csrf.status, 403);
    assert_eq!(app.get("/api/v1/public/violators", None).await.body, json!([]));
    let r = console(app, &s.sup, &url, Some(&[("csrf", &csrf), ("place", "Chợ đêm")])).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert!(r.location.starts_with(&format!("{case_page}?done=violator_published")));
    let list = app.get("/api/v1/public/violators", None).await.body;
    assert_eq!(list[0]["place"], "Chợ đêm");
    let p = console(app, &s.sup, &r.location, None).await;
    assert!(
        p.html.contains("Đã thực hiện: Công khai doanh nghiệp vi phạm")
            && p.html.contains("đang được công khai đến ngày 31/12/2026")
    );
    assert!(
        !p.html.contains("violator_published"),
        "the history names the event in words"
    );
    // Publishing twice says why, in words.
    let again = console(app, &s.sup, &url, Some(&[("csrf", &csrf)])).await;
    assert_eq!(again.status, 409);
    assert!(again.html.contains("đang được công khai"), "{}", again.html);

    // The notices page: the handler may not; the supervisor sees the notice and the warnings.
    assert_eq!(console(app, &s.handler, "/console/notices", None).await.status, 403);
    let p = console(app, &s.sup, "/console/notices", None).await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains(BUSINESS.replace('&', "&#38;").as_str()) && p.html.contains("125/QĐ-XPHC"));
    let bad = [
        ("csrf", csrf.as_str()),
        ("kind", "product"),
        ("title", "Cảnh báo nồi cơm điện chập cháy"),
        ("body", "Nhiều phản ánh."),
        ("start_date", "2026-12-10"),
        ("end_date", "2026-12-01"),
    ];
    let r = console(app, &s.sup, "/console/notices/warnings", Some(&bad)).await;
    assert_eq!(r.status, 422);
    assert!(
        r.html.contains("ngày kết thúc trước ngày bắt đầu")
            && r.html.contains("value=\"Cảnh báo nồi cơm điện chập cháy\"")
    );
    let mut good = bad;
    good[4] = ("start_date", "2026-12-01");
    good[5] = ("end_date", "2026-12-20");
    let r = console(app, &s.sup, "/console/notices/warnings", Some(&good)).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(
        app.get("/api/v1/public/warnings", None).await.body,
        json!([]),
        "a draft"
    );
    let drafts = app.get("/api/v1/warnings", Some(&s.sup)).await.body;
    let wid = drafts[0]["id"].as_str().unwrap();
    let r = console(
        app,
        &s.sup,
        &format!("/console/notices/warnings/{wid}/publish"),
        Some(&[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(app.get("/api/v1/public/warnings", None).await.body[0]["id"], wid);
    // Edited from its own page, filled with what it says now.
    let edit_url = format!("/console/notices/warnings/{wid}");
    let p = console(app, &s.sup, &edit_url, None).await;
    assert_eq!(p.status, 200);
    assert!(p.html.contains("value=\"Cảnh báo nồi cơm điện chập cháy\"") && p.html.contains("value=\"2026-12-20\""));
    let mut edited = good;
    edited[2] = ("title", "Cảnh báo nồi cơm điện Hoa Mai chập cháy");
    // Another agency's supervisor, with their own session's token: no such warning for them.
    let other_csrf = csrf_of(&console(app, &s.other_sup, "/console/notices", None).await.html);
    let mut theirs = edited;
    theirs[0] = ("csrf", other_csrf.as_str());
    assert_eq!(console(app, &s.other_sup, &edit_url, Some(&theirs)).await.status, 404);
    assert_eq!(console(app, &s.other_sup, &edit_url, None).await.status, 404);
    let r = console(app, &s.sup, &edit_url, Some(&edited)).await;
    assert_eq!(r.status, 303, "{}", r.html);
    let w = app.get(&format!("/api/v1/warnings/{wid}"), Some(&s.sup)).await.body;
    assert_eq!(
        (w["title"].as_str(), w["product"].as_str()),
        (Some("Cảnh báo nồi cơm điện Hoa Mai chập cháy"), None)
    );
    edited[5] = ("end_date", "2026-11-01");
    let r = console(app, &s.sup, &edit_url, Some(&edited)).await;
    assert_eq!(r.status, 422);
    assert!(r.html.contains("ngày kết thúc trước ngày bắt đầu") && r.html.contains("value=\"2026-11-01\""));
    // Withdrawn from the notices page.
    let reason = [("csrf", csrf.as_str()), ("reason", "Quyết định bị hủy.")];
    let r = console(app, &s.sup, &format!("{url}/withdraw"), Some(&reason)).await;
    assert_eq!(r.status, 303, "{}", r.html);
    assert_eq!(app.get("/api/v1/public/violators", None).await.body, json!([]));
    let p = console(app, &s.sup, "/console/notices", None).await;
    assert!(p.html.contains("Không có doanh nghiệp nào đang được công khai"));
}
both_backends!(the_console_publishes_violators_and_manages_warnings);
