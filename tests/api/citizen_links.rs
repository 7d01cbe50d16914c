//! The consumer's private link ends: revoked by staff of the case's agency (audited), or
//! lapsed `links.expire_days_after_closure` days after closure; the page then points to the
//! lookup by code and phone digits.

use chrono::TimeDelta;
use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, TestApp};

fn html(r: &crate::helpers::Resp) -> String {
    String::from_utf8_lossy(&r.raw).into_owned()
}

/// A web complaint: (private token, case id).
pub async fn filed(app: &TestApp, text: &str) -> (String, String) {
    let s = app.submit(&crate::helpers::complaint(text)).await;
    let token = s.body["private_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let code = s.body["tracking_code"].as_str().unwrap().to_owned();
    let (_, coord) = app
        .user(
            &format!("dp.{}", uuid::Uuid::new_v4().simple()),
            "coordinator",
            Some("SCT"),
        )
        .await;
    let list = app.get(&format!("/api/v1/cases?q={code}"), Some(&coord)).await.body;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    (token, id)
}

async fn staff_revoke_a_consumers_links(app: &TestApp) {
    let (token, id) = filed(app, "Tủ lạnh mới mua không lạnh.").await;
    assert_eq!(app.get(&format!("/t/{token}"), None).await.status, 200);
    let (_, op) = app.user("op.links", "operator", Some("SCT")).await;
    let (_, other) = app.user("h.links.qltt", "handler", Some("QLTT")).await;
    let (h_id, h) = app.user("h.links", "handler", Some("SCT")).await;
    let path = format!("/api/v1/cases/{id}/links/revoke");
    assert_problem(&app.post(&path, Some(&op), &json!({})).await, 403, "forbidden");
    assert_problem(&app.post(&path, Some(&other), &json!({})).await, 404, "not_found");
    let r = app.post(&path, Some(&h), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["revoked"].as_u64().unwrap() >= 1);

    let gone = app.get(&format!("/t/{token}"), None).await;
    assert_eq!(gone.status, 404);
    let page = html(&gone);
    assert!(
        page.contains("Đường dẫn này không còn dùng được") && page.contains("href=\"/track\""),
        "{page}"
    );
    assert_problem(
        &app.get(&format!("/api/v1/public/links/{token}"), None).await,
        404,
        "not_found",
    );
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "consumer_links_revoked"));
    let audit = app.get("/api/v1/admin/audit", Some(&app.admin_token)).await.body;
    let found = audit["items"]
        .as_array()
        .or(audit.as_array())
        .unwrap()
        .iter()
        .any(|a| a["action"] == "consumer_links_revoked" && a["actor_id"] == h_id.as_str());
    assert!(found, "audited: {audit}");
}
both_backends!(staff_revoke_a_consumers_links);

async fn links_lapse_after_closure(app: &TestApp) {
    let days = app.state.settings.links.expire_days_after_closure;
    let (token, _) = filed(app, "Máy lọc nước rò rỉ.").await;
    let r = app
        .post(&format!("/api/v1/public/cases/{token}/withdraw"), None, &json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    app.state.clock.advance(TimeDelta::days(days) - TimeDelta::hours(1));
    assert_eq!(app.get(&format!("/t/{token}"), None).await.status, 200, "still open");
    app.state.clock.advance(TimeDelta::hours(2));
    let gone = app.get(&format!("/t/{token}"), None).await;
    assert_eq!(gone.status, 404);
    assert!(html(&gone).contains("tra cứu với mã hồ sơ"));
    let rating = app
        .post(
            &format!("/api/v1/public/cases/{token}/rating"),
            None,
            &json!({"score": 3, "resolved": true}),
        )
        .await;
    assert_problem(&rating, 404, "not_found");
}
both_backends!(links_lapse_after_closure);
