//! Who files on the web form: a consumer, a business or an organisation (stored, shown to
//! staff); and a violation report (tố giác) whose reporter may stay anonymous and, when named,
//! is never shown to the business or on a public page.

use serde_json::json;

use crate::both_backends;
use crate::citizen_evidence::post_multipart;
use crate::helpers::TestApp;

async fn post_form(app: &TestApp, pairs: &[(&str, &str)]) -> (u16, String, Option<String>) {
    let client = crate::helpers::test_client(false);
    let mut r = client
        .post(app.url("/complaints"))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .send_body(serde_urlencoded::to_string(pairs).unwrap())
        .await
        .unwrap();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let text = String::from_utf8_lossy(&r.body().await.unwrap()).into_owned();
    (r.status().as_u16(), text, location)
}

async fn newest_case(app: &TestApp, token: &str) -> serde_json::Value {
    let list = app.get("/api/v1/cases", Some(token)).await.body;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    app.case(token, &id).await.body
}

async fn businesses_organisations_and_violation_reports_file_on_the_form(app: &TestApp) {
    let (_, coord) = app.user("dp.reporters", "coordinator", Some("SCT")).await;
    let page = String::from_utf8_lossy(&app.get("/complaints/new", None).await.raw).into_owned();
    assert!(page.contains("Tố giác vi phạm") && page.contains("name=\"reporter.type\""));

    // A business files a complaint.
    let (status, page, _) = post_form(
        app,
        &[
            ("reporter.type", "business"),
            (
                "description",
                "Công ty chúng tôi mua lô máy tính bị lỗi, nhà phân phối không bảo hành.",
            ),
            ("consumer.name", "Công ty TNHH Hoa Sen"),
            ("consumer.phone", "0241 234 5678"),
            ("consent", "true"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let c = newest_case(app, &coord).await;
    assert_eq!(c["reporter"], json!({"type": "business", "identity_protected": false}));

    // A consumer's name and phone stay required on a complaint.
    let (status, page, _) = post_form(app, &[("description", "Hàng giả."), ("consent", "true")]).await;
    assert_eq!(status, 422);
    assert!(page.contains("href=\"#consumer.phone\""));

    // An anonymous violation report (multipart, as the page sends it): no name, no phone, no consent.
    let (ct, body) = crate::citizen_evidence::multipart(
        &[
            ("kind", "violation_report"),
            ("reporter.type", "consumer"),
            (
                "description",
                "Cửa hàng Phú Quý ở chợ Đông Ba bán mỹ phẩm giả nhãn hiệu nổi tiếng.",
            ),
            ("business.name", "Cửa hàng Phú Quý"),
        ],
        &[],
    );
    let (status, page, location) = post_multipart(app, "/complaints", &ct, body).await;
    assert_eq!(status, 303, "{page}");
    let receipt = app.get(&location.unwrap(), None).await;
    assert_eq!(receipt.status, 200);
    let c = newest_case(app, &coord).await;
    assert_eq!(c["kind"], "violation_report");
    assert_eq!(c["reporter"]["identity_protected"], true);
    assert_eq!(c["consumer"]["phone"], "");

    // A named violation report: the agency sees the name; the business and public pages never.
    let (status, _, location) = post_form(
        app,
        &[
            ("kind", "violation_report"),
            (
                "description",
                "Cửa hàng Minh Châu bán sữa bột hết hạn, tôi đã thấy tận mắt.",
            ),
            ("consumer.name", "Đỗ Thị Lan"),
            ("consumer.phone", "0935 111 222"),
            ("consumer.email", "lan.do@example.com"),
            ("business.name", "Cửa hàng Minh Châu"),
            ("consent", "true"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    let c = newest_case(app, &coord).await;
    assert_eq!(c["consumer"]["name"], "Đỗ Thị Lan", "the agency knows who reported");
    assert_eq!(c["reporter"]["identity_protected"], true);
    for path in [location.clone(), location.split('?').next().unwrap().to_owned()] {
        let page = String::from_utf8_lossy(&app.get(&path, None).await.raw).into_owned();
        assert!(!page.contains("Đỗ Thị Lan") && !page.contains("0935"), "{page}");
    }
    // Even if staff turn it into a dispute and forward it, the business does not learn who.
    let (_, h) = app.user("h.reporters", "handler", Some("SCT")).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "reclassify",
            json!({"kind": "dispute", "category": c["category"]}),
        )
        .await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    app.act_ok(
        &h,
        &c,
        "forward_to_business",
        json!({"business_email": "cskh@minhchau.example"}),
    )
    .await;
    app.worker.drain().await.unwrap();
    let mail = app
        .state
        .mailer
        .memory_sent()
        .into_iter()
        .find(|m| m.to.contains("cskh@minhchau.example"))
        .expect("forwarding mail");
    assert!(
        !mail.text.contains("Đỗ Thị Lan") && !mail.text.contains("tận mắt"),
        "{}",
        mail.text
    );
    // The business's page `/b/{token}` and its JSON twin: neither shows the reporter's words.
    let start = mail.text.find("/b/").unwrap();
    let token: String = mail.text[start + 3..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let view = app.get(&format!("/api/v1/business/cases/{token}"), None).await;
    assert_eq!(view.status, 200);
    let whole = view.body.to_string();
    assert!(!whole.contains("Đỗ Thị Lan") && !whole.contains("tận mắt"), "{whole}");
    let page = app
        .client
        .get(app.url(&format!("/b/{token}")))
        .send()
        .await
        .unwrap()
        .body()
        .await
        .unwrap();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("giữ bí mật") && !page.contains("tận mắt"), "{page}");
}
both_backends!(businesses_organisations_and_violation_reports_file_on_the_form);

/// The JSON twin: `kind: violation_report` and `reporter.type` from citizens; other kinds stay
/// staff-only.
async fn the_json_form_takes_the_reporter(app: &TestApp) {
    let r = app
        .submit(&json!({"kind": "violation_report", "description": "Quảng cáo thực phẩm chức năng chữa bách bệnh.", "consumer": {}}))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut body = crate::helpers::complaint("Máy lọc không khí hỏng.");
    body["reporter"] = json!({"type": "organisation"});
    assert_eq!(app.submit(&body).await.status, 201);
    body["kind"] = json!("dispute");
    crate::helpers::assert_problem(&app.submit(&body).await, 422, "unknown_field");
    let r = app
        .submit(&json!({"description": "x", "consumer": {"phone": "0912345678", "consent": true}}))
        .await;
    crate::helpers::assert_problem(&r, 422, "required");
    assert_eq!(r.body["field"], "consumer.name");
}
both_backends!(the_json_form_takes_the_reporter);
