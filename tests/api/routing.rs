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
    // The same consumer and business at another agency: the link is not shown to that agency,
    // which cannot see the first case (it would disclose that it exists).
    let (_, q) = app.user("h.dup.qltt", "handler", Some("QLTT")).await;
    let elsewhere = app.open_case(&q, &second).await;
    assert!(elsewhere["possible_duplicate_of"].is_null(), "{elsewhere}");
    let seen_by_q = app.case(&q, elsewhere["id"].as_str().unwrap()).await;
    assert!(seen_by_q.body["possible_duplicate_of"].is_null());
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

async fn a_cluster_opens_one_violation_report_linked_to_its_cases(app: &TestApp) {
    let (_, sup) = app.user("sup.vr", "supervisor", Some("SCT")).await;
    let (_, h) = app.user("h.vr", "handler", Some("SCT")).await;
    let (_, qltt) = app.user("h.vr.q", "handler", Some("QLTT")).await;
    let names = [
        "Trần Văn An",
        "Lê Thị Bình",
        "Phạm Minh Cường",
        "Hoàng Thu Dung",
        "Vũ Quốc Em",
    ];
    for (i, name) in names.iter().enumerate() {
        let mut c = crate::helpers::complaint("Mua hàng trên sàn, shop giao hàng giả, không hoàn tiền.");
        c["business"] = json!({"name": "Shop Thời Trang Hà My", "tax_code": "0312345678", "address": "88 Lê Lợi"});
        c["consumer"]["name"] = json!(name);
        c["consumer"]["phone"] = json!(format!("09123450{i:02}"));
        c["consumer"]["email"] = json!(format!("nguoi.mua{i}@example.com"));
        // Three name one jacket (two spellings), one another product, one none.
        c["product"] = match i {
            0 | 2 => json!("Áo khoác lông vũ HM-01"),
            1 => json!("áo khoác LÔNG VŨ hm 01"),
            3 => json!("Quần jean"),
            _ => json!(null),
        };
        assert_eq!(app.submit(&c).await.status, 201);
    }
    let mut few = crate::helpers::complaint("Cửa hàng khác bán hàng lỗi.");
    few["business"] = json!({"name": "Cửa hàng Lẻ"});
    app.submit(&few).await;
    let count_cases = || async {
        app.get("/api/v1/cases?limit=200", Some(&sup)).await.body["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count_cases().await, 6);
    let clusters = app.get("/api/v1/clusters", Some(&sup)).await.body;
    let cluster = clusters[0].clone();
    assert_eq!(cluster["business_key"], "mst:0312345678", "{clusters}");
    assert!(cluster["report_case_id"].is_null(), "{cluster}");
    let agency = cluster["suggestion"]["agency"].as_str().unwrap().to_owned();
    let category = cluster["suggestion"]["category"].as_str().unwrap().to_owned();
    let members: Vec<String> = cluster["case_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let path = "/api/v1/clusters/mst%3A0312345678/violation-report";

    // Only supervisors and coordinators; only current clusters; overrides are validated first.
    assert_problem(&app.post(path, Some(&h), &json!({})).await, 403, "forbidden");
    for unknown in ["mst%3A0000000000", "name%3Ale"] {
        let r = app
            .post(
                &format!("/api/v1/clusters/{unknown}/violation-report"),
                Some(&sup),
                &json!({}),
            )
            .await;
        assert_problem(&r, 404, "not_found");
    }
    let r = app
        .post(path, Some(&sup), &json!({"category": "no_such_category"}))
        .await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "category");
    let r = app.post(path, Some(&sup), &json!({"agency": "NOPE"})).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "agency");
    assert_problem(
        &app.post(path, Some(&sup), &json!({"extra": 1})).await,
        422,
        "unknown_field",
    );
    assert_eq!(count_cases().await, 6, "a refused report creates nothing");
    assert!(app.get("/api/v1/clusters", Some(&sup)).await.body[0]["report_case_id"].is_null());

    let doc = app.get("/openapi.json", None).await.body;
    assert!(doc["paths"]["/api/v1/clusters/{business_key}/violation-report"]["post"].is_object());
    // Only the service opens `internal` cases.
    let mut own = crate::helpers::dispute();
    own["channel"] = json!("internal");
    let r = app.post("/api/v1/cases", Some(&sup), &own).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "channel");

    // One step, no body: the suggestion as it is.
    let mut resp = app.client.post(app.url(path)).bearer_auth(&sup).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let location = resp.headers().get("location").unwrap().to_str().unwrap().to_owned();
    let report: serde_json::Value = resp.json().limit(1 << 20).await.unwrap();
    let report_id = report["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/cases/{report_id}"));
    assert_eq!(report["kind"], "violation_report");
    assert_eq!(report["status"], "new");
    assert_eq!(report["channel"], "internal");
    assert_eq!(report["category"], category.as_str());
    assert_eq!(report["current_agency"], agency.as_str());
    assert_eq!(report["business"]["tax_code"], "0312345678");
    assert_eq!(
        report["product"], "Áo khoác lông vũ HM-01",
        "the product most of its complaints name, as last named"
    );
    assert_eq!(
        report["consumer"]["name"], "Sở Công Thương",
        "the reporter is the agency"
    );
    assert_eq!(report["consumer"]["phone"], "");
    assert!(report["consumer"]["email"].is_null());
    assert!(report["due"]["clock"] == "internal_target", "{report}");
    let description = report["description"].as_str().unwrap();
    assert!(description.contains("Shop Thời Trang Hà My"), "{description}");
    assert!(description.contains("0312345678"), "{description}");
    assert!(description.contains("5 người"), "{description}");
    assert!(description.contains("Điều 54 khoản 2"), "{description}");
    let mut member_codes = Vec::new();
    for id in &members {
        let m = app.case(&sup, id).await.body;
        let code = m["tracking_code"].as_str().unwrap().to_owned();
        // Tracking codes are the consumers' references: never in what the target agency reads.
        assert!(!report.to_string().contains(&code), "{code} leaked into the report");
        member_codes.push(code);
    }
    let whole = report.to_string();
    for (i, name) in names.iter().enumerate() {
        let phone = format!("09123450{i:02}");
        for secret in [
            name.to_string(),
            phone,
            format!("nguoi.mua{i}"),
            "@example.com".into(),
            "ngõ 34".into(),
        ] {
            assert!(!whole.contains(&secret), "the report leaks {secret}: {whole}");
        }
    }
    let mut linked = report["cluster_report"]["member_case_ids"].as_array().unwrap().clone();
    linked.sort_by_key(|v| v.as_str().unwrap().to_owned());
    let mut expected: Vec<serde_json::Value> = members.iter().map(|m| json!(m)).collect();
    expected.sort_by_key(|v| v.as_str().unwrap().to_owned());
    assert_eq!(linked, expected);
    assert_eq!(report["cluster_report"]["consumers"], 5);
    assert_eq!(report["cluster_report"]["business_key"], "mst:0312345678");

    // Both directions: the opener's agency follows the report, the enforcement agency has it in
    // its queue, and every member names it, with an event in its chain.
    assert_eq!(app.case(&sup, &report_id).await.status, 200);
    let at_lead = app.case(&qltt, &report_id).await;
    assert_eq!(at_lead.status, 200, "{}", at_lead.body);
    assert_eq!(at_lead.body["included_in_reports"], json!([]));
    for id in &members {
        let m = app.case(&sup, id).await.body;
        assert_eq!(m["included_in_reports"][0]["case_id"], report_id.as_str(), "{m}");
        assert_eq!(m["included_in_reports"][0]["tracking_code"], report["tracking_code"]);
        assert!(m["cluster_report"].is_null());
        let ev = app.get(&format!("/api/v1/cases/{id}/events"), Some(&sup)).await.body;
        let last = ev.as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["action"], "included_in_violation_report");
        assert_eq!(last["data"]["report_case_id"], report_id.as_str());
        let v = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&sup)).await;
        assert_eq!(v.body["valid"], true, "{}", v.body);
    }
    let ev = app
        .get(&format!("/api/v1/cases/{report_id}/events"), Some(&sup))
        .await
        .body;
    let actions: Vec<&str> = ev
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "opened_from_cluster"]);
    assert_eq!(ev[1]["data"]["member_case_ids"].as_array().unwrap().len(), 5);
    assert!(ev[1]["data"]["member_tracking_codes"].is_null());

    // The cluster shows its report (and the report does not count as a consumer); no second one.
    let clusters = app.get("/api/v1/clusters", Some(&sup)).await.body;
    assert_eq!(clusters.as_array().unwrap().len(), 1, "{clusters}");
    assert_eq!(clusters[0]["report_case_id"], report_id.as_str());
    assert_eq!(clusters[0]["report_tracking_code"], report["tracking_code"]);
    assert_eq!(clusters[0]["consumers"], 5);
    assert_eq!(clusters[0]["case_ids"].as_array().unwrap().len(), 5);
    let again = app.post(path, Some(&sup), &json!({})).await;
    assert_problem(&again, 409, "cluster_report_exists");
    assert_eq!(again.body["case_id"], report_id.as_str());
    assert_eq!(count_cases().await, 7);

    // Once that report is closed, the cluster can be reported again, with overrides.
    app.act_ok(&qltt, &at_lead.body, "withdraw", json!({"reason": "Lập nhầm cơ quan"}))
        .await;
    assert!(app.get("/api/v1/clusters", Some(&sup)).await.body[0]["report_case_id"].is_null());
    let r = app
        .post(
            path,
            Some(&sup),
            &json!({"category": "counterfeit_origin", "agency": "CA", "note": "Liên hệ 0912 345 600 nếu cần."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_ne!(r.body["id"], report_id.as_str());
    assert_eq!(r.body["current_agency"], "CA");
    assert_eq!(r.body["category"], "counterfeit_origin");
    let ev = app
        .get(
            &format!("/api/v1/cases/{}/events", r.body["id"].as_str().unwrap()),
            Some(&sup),
        )
        .await
        .body;
    let note = ev[1]["data"]["note"].as_str().unwrap();
    assert!(!note.contains("0912 345 600"), "the note's phone is masked: {note}");
    let m = app.case(&sup, &members[0]).await.body;
    assert_eq!(m["included_in_reports"].as_array().unwrap().len(), 2, "{m}");
}
both_backends!(a_cluster_opens_one_violation_report_linked_to_its_cases);
