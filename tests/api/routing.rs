//! Routing around intake: priority for vulnerable consumers, possible duplicates, mass
//! complaints, recorded corrections, redaction.

use std::process::Command;

use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

async fn vulnerable_consumers_are_priority_and_sort_first(app: &TestApp) {
    let (_, op) = app.user("op.v", "operator", Some("SCT")).await;
    let plain = app.open_case(&op, &dispute()).await;
    assert_eq!(plain["priority"], false);
    let mut b = dispute();
    b["consumer"]["vulnerable"] = json!(["disability"]);
    let explicit = app.open_case(&op, &b).await;
    assert_eq!(explicit["priority"], true);
    let mut b = dispute();
    b["description"] = json!("Bà tôi 78 tuổi mua máy lọc nước, bị ép ký hợp đồng trả góp, nay đòi hủy không được.");
    let detected = app.open_case(&op, &b).await;
    assert_eq!(detected["priority"], true, "{}", detected);
    assert!(detected["consumer"]["vulnerable"]
        .as_array()
        .unwrap()
        .contains(&json!("elderly")));
    let later = app.open_case(&op, &dispute()).await;
    for sort in ["created", "due"] {
        let list = app.get(&format!("/api/v1/cases?sort={sort}&limit=1"), Some(&op)).await;
        let first = list.body["items"][0]["id"].as_str().unwrap().to_owned();
        assert!(
            first == detected["id"].as_str().unwrap() || first == explicit["id"].as_str().unwrap(),
            "{sort}: {}",
            list.body
        );
        // Page through: both priority cases come before the others, each case once.
        let mut ids = vec![first];
        let mut cursor = list.body["next_cursor"].as_str().map(str::to_owned);
        while let Some(c) = cursor {
            let p = app
                .get(&format!("/api/v1/cases?sort={sort}&limit=1&cursor={c}"), Some(&op))
                .await;
            ids.push(p.body["items"][0]["id"].as_str().unwrap().to_owned());
            cursor = p.body["next_cursor"].as_str().map(str::to_owned);
        }
        assert_eq!(ids.len(), 4);
        let prio: Vec<&str> = vec![explicit["id"].as_str().unwrap(), detected["id"].as_str().unwrap()];
        assert!(
            prio.contains(&ids[0].as_str()) && prio.contains(&ids[1].as_str()),
            "{sort}: {ids:?}"
        );
        // Then the rest: newest first by creation; by due date none has a clock yet, so by id.
        let rest = if sort == "created" {
            [&later, &plain]
        } else {
            [&plain, &later]
        };
        assert_eq!(ids[2], rest[0]["id"].as_str().unwrap(), "{sort}");
        assert_eq!(ids[3], rest[1]["id"].as_str().unwrap(), "{sort}");
    }
}
both_backends!(vulnerable_consumers_are_priority_and_sort_first);

async fn a_repeat_complaint_is_linked_and_can_be_merged_keeping_both_histories(app: &TestApp) {
    let (_, h) = app.user("h.dup", "handler", Some("SCT")).await;
    let mut first = dispute();
    first["business"] = json!({"name": "Công ty TNHH Điện Máy Ánh Dương"});
    let a = app.open_case(&h, &first).await;
    assert!(a["possible_duplicate_of"].is_null());
    let mut second = dispute();
    second["business"] = json!({"name": "cty dien may anh duong"});
    let b = app.open_case(&h, &second).await;
    assert_eq!(
        b["possible_duplicate_of"], a["id"],
        "same phone and same business name → possible duplicate"
    );
    let mut other_person = dispute();
    other_person["business"] = json!({"name": "Điện máy Ánh Dương"});
    other_person["consumer"]["phone"] = json!("0987000111");
    let c = app.open_case(&h, &other_person).await;
    assert!(c["possible_duplicate_of"].is_null());

    let merged = app
        .act_ok(&h, &b, "mark_duplicate", json!({"of_case_id": a["id"]}))
        .await;
    assert_eq!(merged["status"], "closed");
    assert_eq!(merged["outcome"], "duplicate");
    let ev = app
        .get(&format!("/api/v1/cases/{}/events", a["id"].as_str().unwrap()), Some(&h))
        .await;
    let last = ev.body.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "duplicate_linked");
    assert_eq!(last["data"]["duplicate_case_id"], b["id"]);
    for id in [&a["id"], &b["id"]] {
        let v = app
            .get(
                &format!("/api/v1/cases/{}/events/verify", id.as_str().unwrap()),
                Some(&h),
            )
            .await;
        assert_eq!(v.body["valid"], true);
    }
}
both_backends!(a_repeat_complaint_is_linked_and_can_be_merged_keeping_both_histories);

async fn many_consumers_about_one_business_form_a_cluster(app: &TestApp) {
    let (_, sup) = app.user("sup.cl", "supervisor", Some("SCT")).await;
    let (_, h) = app.user("h.cl", "handler", Some("SCT")).await;
    for i in 0..5 {
        let mut c = crate::helpers::complaint("Mua hàng trên sàn, shop giao hàng giả, không hoàn tiền.");
        c["business"] = json!({"name": "Shop Thời Trang Hà My", "tax_code": "0312345678"});
        c["consumer"]["phone"] = json!(format!("09123450{i:02}"));
        assert_eq!(app.submit(&c).await.status, 201);
    }
    let mut few = crate::helpers::complaint("Cửa hàng khác bán hàng lỗi.");
    few["business"] = json!({"name": "Cửa hàng Lẻ"});
    app.submit(&few).await;
    let r = app.get("/api/v1/clusters", Some(&sup)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let clusters = r.body.as_array().unwrap();
    assert_eq!(clusters.len(), 1, "{}", r.body);
    assert_eq!(clusters[0]["consumers"], 5);
    assert_eq!(clusters[0]["case_ids"].as_array().unwrap().len(), 5);
    assert_eq!(clusters[0]["suggestion"]["action"], "open_violation_report");
    assert_eq!(clusters[0]["suggestion"]["kind"], "violation_report");
    assert!(clusters[0]["suggestion"]["agency"].is_string());
    assert_problem(&app.get("/api/v1/clusters", Some(&h)).await, 403, "forbidden");
    // Art 54(2): a dispute in such a cluster is not negotiated with the business.
    let id = clusters[0]["case_ids"][0].as_str().unwrap();
    let c = app.case(&h, id).await.body;
    let c = app
        .act_ok(
            &h,
            &c,
            "reclassify",
            json!({"kind": "dispute", "category": "ecommerce"}),
        )
        .await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let r = app.act(&h, &c, "forward_to_business", json!({})).await;
    assert_problem(&r, 409, "mass_harm_not_negotiable");
    assert!(r.body["detail"].as_str().unwrap().contains("QLTT"), "{}", r.body);
    let c = app
        .act_ok(
            &h,
            &c,
            "reclassify",
            json!({"kind": "violation_report", "category": "ecommerce"}),
        )
        .await;
    assert!(c["allowed_actions"]
        .as_array()
        .unwrap()
        .contains(&json!("start_inspection")));
    let (_, other_sup) = app.user("sup.q", "supervisor", Some("QLTT")).await;
    assert_eq!(
        app.get("/api/v1/clusters", Some(&other_sup))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
both_backends!(many_consumers_about_one_business_form_a_cluster);

async fn staff_decisions_are_recorded_against_the_suggestion(app: &TestApp) {
    let (_, h) = app.user("h.cor", "handler", Some("SCT")).await;
    let mut b = dispute();
    b.as_object_mut().unwrap().remove("kind");
    b.as_object_mut().unwrap().remove("category");
    b["description"] = json!("Tôi bị trừ tiền thẻ ngân hàng hai lần khi thanh toán, ngân hàng không hoàn lại.");
    let c = app.open_case(&h, &b).await;
    let c = app
        .act_ok(
            &h,
            &c,
            "reclassify",
            json!({"kind": "dispute", "category": "banking_credit"}),
        )
        .await;
    app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let out = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args(["routing", "evaluate", "--from-corrections"])
        .env("APP_CONFIG_DIR", format!("{}/config", env!("CARGO_MANIFEST_DIR")))
        .env("APP_ENV", "test")
        .env("APP_DATA_DIR", &app.state.settings.data_dir)
        .env("APP_DATABASE__URL", &app.state.settings.database.url)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("recorded decisions: 2"), "{text}");
    // The router suggested the bank's agency; the handler routed to SCT: a recorded correction.
    assert!(
        text.contains("route: dispute/banking_credit/NHNN -> dispute/banking_credit/SCT"),
        "{text}"
    );
    assert!(text.contains("current rules vs decision"), "{text}");
}
both_backends!(staff_decisions_are_recorded_against_the_suggestion);

async fn personal_data_is_found_in_free_text_and_redacted_on_request(app: &TestApp) {
    let (_, h) = app.user("h.pii", "handler", Some("SCT")).await;
    let r = app
        .post(
            "/api/v1/classify",
            None,
            &json!({"text": "Tôi tên Lan, sđt 0903.123.456, email lan.nguyen@example.com, CCCD 001234567890, stk 1903 4567 8910 Techcombank, nhà số 15 ngõ 42 Trần Duy Hưng. Shop bán hàng giả."}),
        )
        .await;
    let pii: Vec<&str> = r.body["pii"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for k in ["phone", "email", "national_id", "bank_account", "address"] {
        assert!(pii.contains(&k), "{k} not detected: {}", r.body);
    }
    let mut b = dispute();
    b["description"] = json!("Liên hệ tôi qua 0903.123.456 hoặc lan.nguyen@example.com, CCCD 001234567890.");
    let c = app.open_case(&h, &b).await;
    let red = app
        .get(
            &format!("/api/v1/cases/{}?redact=true", c["id"].as_str().unwrap()),
            Some(&h),
        )
        .await;
    assert_eq!(red.status, 200);
    let text = String::from_utf8_lossy(&red.raw).to_string();
    for secret in [
        "0903.123.456",
        "lan.nguyen",
        "001234567890",
        "hong.nguyen",
        "Nguyễn Thị Hồng",
        "0912345678",
        "ngõ 34",
    ] {
        assert!(!text.contains(secret), "redacted view leaks {secret}: {text}");
    }
    let full = app.case(&h, c["id"].as_str().unwrap()).await;
    assert!(full.body["description"].as_str().unwrap().contains("0903.123.456"));
}
both_backends!(personal_data_is_found_in_free_text_and_redacted_on_request);
