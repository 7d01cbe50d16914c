//! The consumer says, through their private link, whether a settlement was carried out: an
//! event; "carried out" stops the performance clock; "not carried out" (once the agreed date
//! has passed) returns the case to the handler in `accepted` (ADR 0029).

use chrono::TimeDelta;
use serde_json::{json, Value};

use crate::both_backends;
use crate::citizen_links::filed;
use crate::helpers::{assert_problem, TestApp};

/// A web complaint settled by negotiation with an agreed date of performance `days` ahead:
/// (private token, closed case, handler token).
pub async fn settled(app: &TestApp, text: &str, days: i64) -> (String, Value, String) {
    let (token, id) = filed(app, text).await;
    let (_, h) = app
        .user(&format!("h.{}", uuid::Uuid::new_v4().simple()), "handler", Some("SCT"))
        .await;
    let c = app.case(&h, &id).await.body;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = if c["kind"] != "dispute" {
        app.act_ok(
            &h,
            &c,
            "reclassify",
            json!({"kind": "dispute", "category": c["category"]}),
        )
        .await
    } else {
        c
    };
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app.act_ok(&h, &c, "forward_to_business", json!({})).await;
    let due = (app.state.clock.today() + TimeDelta::days(days)).to_string();
    // Held an hour ago by the service's clock (a settlement is recorded after its meeting).
    let held_at = (app.state.clock.now() - TimeDelta::hours(1)).to_rfc3339();
    let c = app
        .act_ok(
            &h,
            &c,
            "record_negotiation_result",
            json!({"result": "settled", "record": {
                "parties": "Người tiêu dùng; Cửa hàng", "held_at": held_at,
                "place": "Sở Công Thương", "content": "Đổi sản phẩm", "result": "Cửa hàng đổi sản phẩm mới",
                "performance_deadline": due}}),
        )
        .await;
    assert_eq!(c["outcome"], "settled_negotiation");
    (token, c, h)
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..at + 32].to_owned()
}

async fn consumers_confirm_a_settlement_or_say_it_was_not_carried_out(app: &TestApp) {
    // A case not closed as settled: nothing to confirm.
    let (token, _) = filed(app, "Máy hút bụi không hoạt động.").await;
    let r = app
        .post(
            &format!("/api/v1/public/cases/{token}/settlement"),
            None,
            &json!({"performed": true}),
        )
        .await;
    assert_problem(&r, 409, "invalid_transition");

    // Carried out, before the agreed date.
    let (token, c, h) = settled(app, "Mua máy giặt bị lỗi, cửa hàng không bảo hành.", 10).await;
    let id = c["id"].as_str().unwrap();
    let page = String::from_utf8_lossy(&app.get(&format!("/t/{token}"), None).await.raw).into_owned();
    assert!(page.contains("Thỏa thuận đã được thực hiện chưa?"), "{page}");
    assert!(
        page.contains("Xác nhận đã thực hiện") && !page.contains("id=\"performed-no\""),
        "not yet due"
    );
    let path = format!("/api/v1/public/cases/{token}/settlement");
    assert_problem(
        &app.post(&path, None, &json!({"performed": false})).await,
        409,
        "invalid_transition",
    );
    let r = app
        .post(&path, None, &json!({"performed": true, "comment": "Đã nhận máy mới."}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(!r.body["actions"]
        .as_array()
        .unwrap()
        .contains(&json!("confirm_settlement")));
    assert_problem(
        &app.post(&path, None, &json!({"performed": true})).await,
        409,
        "invalid_transition",
    );
    let deadlines = app.get(&format!("/api/v1/cases/{id}/deadlines"), Some(&h)).await.body;
    let perf = deadlines
        .as_array()
        .or(deadlines["clocks"].as_array())
        .unwrap()
        .iter()
        .find(|d| d["clock"] == "settlement_performance")
        .cloned()
        .unwrap();
    assert_eq!(perf["state"], "stopped", "{perf}");
    assert_eq!(perf["result"], "met");
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["actor_role"].as_str()),
        (Some("settlement_performed"), Some("citizen"))
    );

    // Not carried out, after the agreed date, on the page: the case reopens to the agency.
    let (token, c, _) = settled(app, "Mua tủ lạnh bị hỏng, cửa hàng hứa đổi nhưng chưa đổi.", 3).await;
    let id = c["id"].as_str().unwrap();
    app.user("h.later", "handler", Some("SCT")).await;
    app.state.clock.advance(TimeDelta::days(5));
    // Sessions do not last 5 days: a new one.
    let h = app.login("h.later", crate::helpers::PASSWORD).await;
    let page = String::from_utf8_lossy(&app.get(&format!("/t/{token}"), None).await.raw).into_owned();
    assert!(page.contains("id=\"performed-no\""), "{page}");
    let client = crate::helpers::test_client(false);
    let form = serde_urlencoded::to_string([("csrf", csrf_of(&page).as_str()), ("performed", "no")]).unwrap();
    let r = client
        .post(app.url(&format!("/t/{token}/settlement")))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .send_body(form)
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let case = app.case(&h, id).await.body;
    assert_eq!(case["status"], "accepted", "back to the handler (ADR 0029): {case}");
    let page = String::from_utf8_lossy(
        &app.get(&format!("/t/{token}?done=settlement-not-performed"), None)
            .await
            .raw,
    )
    .into_owned();
    assert!(page.contains("hồ sơ được mở lại") && page.contains("Tòa án"), "{page}");
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "settlement_not_performed"));
}
both_backends!(consumers_confirm_a_settlement_or_say_it_was_not_carried_out);

/// A settlement to be carried out long after closure keeps the consumer's link alive until
/// `links.expire_days_after_closure` days after its agreed date.
async fn a_pending_settlement_keeps_the_link(app: &TestApp) {
    let days = app.state.settings.links.expire_days_after_closure;
    let (token, _, _) = settled(app, "Mua máy giặt bị lỗi, cửa hàng hứa sửa trong 4 tháng.", 120).await;
    app.state.clock.advance(TimeDelta::days(days + 5));
    let page = app.get(&format!("/t/{token}"), None).await;
    assert_eq!(page.status, 200, "the settlement is still to be carried out");
    assert!(String::from_utf8_lossy(&page.raw).contains("Thỏa thuận đã được thực hiện chưa?"));
    app.state.clock.advance(TimeDelta::days(120));
    assert_eq!(
        app.get(&format!("/t/{token}"), None).await.status,
        404,
        "then it lapses"
    );
}
both_backends!(a_pending_settlement_keeps_the_link);
