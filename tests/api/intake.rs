use serde_json::json;

use crate::both_backends;
use crate::helpers::{assert_problem, complaint, TestApp};

async fn citizen_submits_and_follows_a_complaint_without_seeing_personal_data(app: &TestApp) {
    let r = app
        .submit(&complaint(
            "Tôi mua tủ lạnh tại cửa hàng, giao hàng bị móp, cửa hàng không đổi.",
        ))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.body["tracking_code"].as_str().unwrap().to_owned();
    let parts: Vec<&str> = code.split('-').collect();
    assert_eq!(parts.len(), 4, "{code}");
    assert_eq!(parts[0], "KN");
    assert_eq!(parts[2].len(), 4);
    assert_eq!(parts[3].len(), 4);

    let wrong = app
        .get(&format!("/api/v1/public/complaints/{code}?phone_last4=0000"), None)
        .await;
    assert_problem(&wrong, 404, "not_found");
    let unknown = app
        .get("/api/v1/public/complaints/KN-2026-AAAA-BBBB?phone_last4=5678", None)
        .await;
    assert_problem(&unknown, 404, "not_found");
    let missing = app.get(&format!("/api/v1/public/complaints/{code}"), None).await;
    assert_problem(&missing, 422, "invalid_field");

    let view = app
        .get(
            &format!("/api/v1/public/complaints/{}?phone_last4=5678", code.to_lowercase()),
            None,
        )
        .await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.body["status"], "new");
    assert_eq!(view.body["stage"], "Đã tiếp nhận");
    assert_eq!(view.body["agency"]["code"], "SCT");
    assert!(!view.body["messages"].as_array().unwrap().is_empty());
    let text = String::from_utf8(view.raw.clone()).unwrap();
    for secret in [
        "Nguyễn Thị Hồng",
        "345 678",
        "912345678",
        "hong.nguyen",
        "example.com",
        "ngõ 34",
        "tủ lạnh",
        "Ánh Dương",
        "0101243150",
    ] {
        assert!(!text.contains(secret), "public view leaks {secret}: {text}");
    }
}
both_backends!(citizen_submits_and_follows_a_complaint_without_seeing_personal_data);

async fn the_same_idempotency_key_never_creates_a_second_case(app: &TestApp) {
    let body = complaint("Đặt hàng online đã chuyển khoản nhưng không nhận được hàng.");
    let a = app
        .post_with_header("/api/v1/public/complaints", ("Idempotency-Key", "form-42"), &body)
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let b = app
        .post_with_header("/api/v1/public/complaints", ("Idempotency-Key", "form-42"), &body)
        .await;
    assert_eq!(b.status, 200, "{}", b.body);
    assert_eq!(a.body["tracking_code"], b.body["tracking_code"]);

    // Concurrent repeats of one submission: still one case.
    let mut futs = Vec::new();
    for _ in 0..6 {
        futs.push(app.post_with_header("/api/v1/public/complaints", ("Idempotency-Key", "form-43"), &body));
    }
    let results = futures_util::future::join_all(futs).await;
    let codes: std::collections::HashSet<String> = results
        .iter()
        .map(|r| {
            assert!(r.status == 201 || r.status == 200, "{} {}", r.status, r.body);
            r.body["tracking_code"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(codes.len(), 1, "{codes:?}");

    let other = complaint("Một nội dung khác hẳn.");
    let reused = app
        .post_with_header("/api/v1/public/complaints", ("Idempotency-Key", "form-42"), &other)
        .await;
    assert_problem(&reused, 422, "idempotency_key_reused");

    let (_, coord) = app.user("dieu.phoi", "coordinator", Some("SCT")).await;
    let all = app.get("/api/v1/cases?limit=200", Some(&coord)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 2, "{}", all.body);
}
both_backends!(the_same_idempotency_key_never_creates_a_second_case);

async fn vietnamese_text_round_trips_byte_for_byte(app: &TestApp) {
    let text = "Tôi đã mua “nồi cơm điện” giá 1.250.000đ; hàng lỗi — shop bảo: «không đổi trả». Ỹ ỷ ữ ự ổ ẫ đĐ 🙂\nDòng thứ hai\tcó tab.";
    let (_, op) = app.user("op.vn", "operator", Some("SCT")).await;
    let mut body = crate::helpers::dispute();
    body["description"] = json!(text);
    body["consumer"]["name"] = json!("Đặng Thị Ngọc Ánh");
    let c = app.open_case(&op, &body).await;
    let got = app.case(&op, c["id"].as_str().unwrap()).await;
    assert_eq!(got.body["description"].as_str().unwrap().as_bytes(), text.as_bytes());
    assert_eq!(got.body["consumer"]["name"], "Đặng Thị Ngọc Ánh");
    // Search ignores diacritics and case.
    let found = app.get("/api/v1/cases?q=NOI%20COM%20dien", Some(&op)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{}", found.body);
    let found = app.get("/api/v1/cases?q=dang%20thi%20ngoc", Some(&op)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{}", found.body);
    // Words with letters the tracking-code alphabet lacks (I, L, O, U), so no random code
    // fragment can match them ("xe may" once did: "may" from the business name, "xe" from a
    // code like KN-2026-XE4F-….).
    let none = app.get("/api/v1/cases?q=tu%20lanh", Some(&op)).await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    // Letter words match whole ("dan" is not "Đặng"); digits match as prefixes; the phone
    // number is found however it is typed.
    let none = app.get("/api/v1/cases?q=dan", Some(&op)).await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0, "{}", none.body);
    for q in ["0912.345.678", "%2B84%20912%20345%20678", "0912%20345", "0101243150"] {
        let found = app.get(&format!("/api/v1/cases?q={q}"), Some(&op)).await;
        assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{q}: {}", found.body);
    }
    // ...and by the tracking code as printed on the receipt.
    let code = c["tracking_code"].as_str().unwrap();
    let found = app.get(&format!("/api/v1/cases?q={code}"), Some(&op)).await;
    assert_eq!(found.body["items"][0]["id"], c["id"], "{}", found.body);
}
both_backends!(vietnamese_text_round_trips_byte_for_byte);

async fn bad_input_gets_a_clear_4xx_and_changes_nothing(app: &TestApp) {
    let p = "/api/v1/public/complaints";
    let r = app
        .post_raw(p, None, "application/json", b"{\"description\": ".to_vec())
        .await;
    assert_problem(&r, 400, "malformed_json");
    let r = app.post_raw(p, None, "text/plain", b"hello".to_vec()).await;
    assert_problem(&r, 415, "unsupported_media_type");
    let mut c = complaint("x y z");
    c["surprise"] = json!(1);
    let r = app.submit(&c).await;
    assert_problem(&r, 422, "unknown_field");
    assert_eq!(r.body["field"], "surprise");
    let mut c = complaint("x y z");
    c["amount_vnd"] = json!("nhiều tiền");
    let r = app.submit(&c).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "amount_vnd");
    assert!(
        !r.raw.windows("nhiều".len()).any(|w| w == "nhiều".as_bytes()),
        "error echoes input"
    );
    let mut c = complaint("x y z");
    c["consumer"]["phone"] = json!(912345678);
    let r = app.submit(&c).await;
    assert_problem(&r, 422, "invalid_field");
    assert!(
        !String::from_utf8_lossy(&r.raw).contains("912345678"),
        "error echoes a phone number"
    );
    let mut c = complaint("x y z");
    c["consumer"]["vulnerable"] = json!(["dragon"]);
    let r = app.submit(&c).await;
    assert_problem(&r, 422, "invalid_enum");
    let mut c = complaint("x y z");
    c["consumer"]["phone"] = json!("12345");
    let r = app.submit(&c).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "consumer.phone");
    let mut c = complaint("x y z");
    c["consumer"]["consent"] = json!(false);
    assert_problem(&app.submit(&c).await, 422, "consent_required");
    let mut c = complaint("   ");
    c["consumer"]["consent"] = json!(true);
    assert_problem(&app.submit(&c).await, 422, "required");
    let mut c = complaint("x");
    c["kind"] = json!("dispute");
    assert_problem(&app.submit(&c).await, 422, "unknown_field");
    let mut c = complaint("x");
    c["consumer"].as_object_mut().unwrap().remove("phone");
    assert_problem(&app.submit(&c).await, 422, "required");
    let big = complaint(&"a".repeat(400_000));
    let r = app.submit(&big).await;
    assert_problem(&r, 413, "payload_too_large");
    let r = app.post_with_header(p, ("Idempotency-Key", ""), &complaint("x")).await;
    assert_problem(&r, 400, "invalid_idempotency_key");
    let r = app.get("/api/v1/cases?limit=9999", Some(&app.admin_token)).await;
    assert_problem(&r, 400, "invalid_query");
    let r = app.get("/api/v1/cases?status=flying", Some(&app.admin_token)).await;
    assert_problem(&r, 400, "invalid_query");
    let r = app
        .get("/api/v1/cases?cursor=bm90LWEtY3Vyc29y", Some(&app.admin_token))
        .await;
    assert_problem(&r, 400, "invalid_cursor");

    // Nothing was created by any of that.
    let (_, coord) = app.user("coord.bad", "coordinator", Some("SCT")).await;
    let all = app.get("/api/v1/cases", Some(&coord)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 0, "{}", all.body);
}
both_backends!(bad_input_gets_a_clear_4xx_and_changes_nothing);

async fn classify_returns_the_contract(app: &TestApp) {
    let r = app
        .post("/api/v1/classify", None, &json!({"text": "Bán hàng giả, hàng nhái không rõ nguồn gốc tại chợ, đề nghị kiểm tra xử lý", "channel": "hotline"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for k in [
        "kind",
        "category",
        "agency",
        "vulnerable",
        "pii",
        "confidence",
        "explanation",
    ] {
        assert!(r.body.get(k).is_some(), "missing {k}: {}", r.body);
    }
    assert_eq!(r.body["kind"], "violation_report");
    let q = app
        .post(
            "/api/v1/classify",
            None,
            &json!({"text": "Cho tôi hỏi mua hàng online được đổi trả trong bao nhiêu ngày?"}),
        )
        .await;
    assert_eq!(q.body["kind"], "consultation");
    assert!(q.body["agency"].is_null());
    let e = app.post("/api/v1/classify", None, &json!({"text": ""})).await;
    assert_problem(&e, 422, "required");
    // Intake stores the suggestion with its explanation.
    let s = app
        .submit(&complaint(
            "Mua sữa bột cho con trên Shopee, nhận hàng giả, đề nghị hoàn tiền",
        ))
        .await;
    assert_eq!(s.status, 201);
    let (_, op) = app.user("op.cls", "operator", Some("SCT")).await;
    let list = app.get("/api/v1/cases", Some(&op)).await;
    let id = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    let c = app.case(&op, &id).await;
    assert!(
        c.body["suggestion"]["explanation"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
        "{}",
        c.body
    );
}
both_backends!(classify_returns_the_contract);

/// A complaint about a broken fridge from the consumer with this phone.
fn fridge_complaint(phone: &str) -> hotline::domain::complaint::NewComplaint {
    use hotline::domain::case::Channel;
    use hotline::domain::complaint::{Business, Consumer, NewComplaint};
    use hotline::domain::values::Phone;
    NewComplaint {
        kind: None,
        category: None,
        channel: Channel::Web,
        description: "Tủ lạnh mua tháng trước đã hỏng, cửa hàng không bảo hành.".into(),
        consumer_request: Some("Đổi tủ lạnh mới".into()),
        amount_vnd: Some(9_000_000),
        transaction_date: None,
        consumer: Consumer {
            name: "Trần Thị Năm".into(),
            phone: Some(Phone::parse("consumer.phone", phone).unwrap()),
            email: None,
            address: None,
            commune: None,
            province: Some("Hà Nội".into()),
            vulnerable: vec![],
            consent: true,
        },
        business: Business {
            name: Some("Điện máy Năm Mới".into()),
            ..Business::default()
        },
        product: None,
        reporter: Default::default(),
    }
}

/// A case is drafted before its write is queued (ADR 0044), with a tracking code of the year it
/// was drafted in; written in the next year, it gets a code of that year (and its words for
/// search follow the new code), and its consent is dated when it is written.
async fn a_case_drafted_in_one_year_and_written_in_the_next_has_the_new_years_code(app: &TestApp) {
    use hotline::domain::user::Actor;
    use hotline::service::intake::{classify, create_drafted_case_tx, draft, IntakeContext};
    let ctx = IntakeContext::from_state(&app.state);
    let complaint = fridge_complaint("0912000111");
    let classified = classify(&ctx, &complaint).unwrap();
    // 23:59:59 on 31/12/2026 in Hà Nội, then one second later.
    let drafted_at = chrono::DateTime::parse_from_rfc3339("2026-12-31T23:59:59+07:00")
        .unwrap()
        .to_utc();
    let written_at = drafted_at + chrono::TimeDelta::seconds(1);
    let drafted = draft(&ctx, &Actor::Citizen, &complaint, &classified, "SCT", None, drafted_at);
    let row = app
        .state
        .db
        .write(move |conn| {
            create_drafted_case_tx(
                conn,
                &ctx,
                &Actor::Citizen,
                &complaint,
                &classified,
                drafted,
                written_at,
            )
        })
        .await
        .unwrap();
    let code = row.tracking_code.to_string();
    assert!(code.contains("2027"), "{code}");
    assert_eq!(row.created_at, written_at.naive_utc());
    assert_eq!(row.consent_at, Some(written_at.naive_utc()));
    let words: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    assert!(
        row.search_text.split(' ').any(|w| w == words),
        "{} / {}",
        row.search_text,
        words
    );
}
both_backends!(a_case_drafted_in_one_year_and_written_in_the_next_has_the_new_years_code);

/// A case written with a tracking code another case already has gets a new code of the same
/// year; nothing of the first attempt is written (the insert skips a row whose code exists,
/// with no check before it, ADR 0046), and both histories verify.
async fn a_taken_tracking_code_is_drawn_again(app: &TestApp) {
    use hotline::domain::user::Actor;
    use hotline::domain::Case;
    use hotline::service::intake::{classify, draft, insert_new_case, IntakeContext};
    let ctx = IntakeContext::from_state(&app.state);
    let now = app.state.clock.now();
    let first = fridge_complaint("0912000222");
    let second = fridge_complaint("0987000333");
    let first = draft(
        &ctx,
        &Actor::Citizen,
        &first,
        &classify(&ctx, &first).unwrap(),
        "SCT",
        None,
        now,
    );
    let second = draft(
        &ctx,
        &Actor::Citizen,
        &second,
        &classify(&ctx, &second).unwrap(),
        "SCT",
        None,
        now,
    );
    let taken = first.case().clone();
    let code = taken.opening.tracking_code.to_string();
    let mut clash = second.case().opening.clone();
    clash.tracking_code = taken.opening.tracking_code.clone();
    let clash = Case::open(clash);
    let clash_id = clash.opening.id.to_string();
    let (c, t) = (ctx.clone(), taken.clone());
    let one = app
        .state
        .db
        .write(move |conn| insert_new_case(conn, &c, &Actor::Citizen, &t, now, serde_json::json!({})))
        .await
        .unwrap();
    let two = app
        .state
        .db
        .write(move |conn| insert_new_case(conn, &ctx, &Actor::Citizen, &clash, now, serde_json::json!({})))
        .await
        .unwrap();
    assert_eq!(one.tracking_code.to_string(), code);
    assert_eq!(two.id.to_string(), clash_id);
    let drawn = two.tracking_code.to_string();
    assert_ne!(drawn, code);
    assert_eq!(drawn[..drawn.len() - 9], code[..code.len() - 9], "same prefix and year");
    // The second case is there under its new code, with its own words for search.
    let status = app
        .get(&format!("/api/v1/public/complaints/{drawn}?phone_last4=0333"), None)
        .await;
    assert_eq!(status.status, 200, "{}", status.body);
    let words: String = drawn
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase();
    assert!(two.search_text.split(' ').any(|w| w == words), "{}", two.search_text);
    let first_status = app
        .get(&format!("/api/v1/public/complaints/{code}?phone_last4=0222"), None)
        .await;
    assert_eq!(first_status.status, 200, "{}", first_status.body);
}
both_backends!(a_taken_tracking_code_is_drawn_again);

/// A complaint names its product (ADR 0066): kept on one line, found by search and listed by its
/// key; too long, it is refused and nothing is stored; staff correct it (the history says so, the
/// key and the search follow); the business's page shows it with personal data redacted.
async fn a_complaint_names_its_product(app: &TestApp) {
    let (_, sup) = app.user("s.product", "supervisor", Some("SCT")).await;
    let mut body = complaint("Mua sữa bột cho con, hộp bị vón cục, cửa hàng không đổi.");
    body["product"] = json!("  Sữa bột Alpha\tGold 900g ");
    let r = app.submit(&body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let by_key = app
        .get("/api/v1/cases?product_key=sua%20bot%20alpha%20gold%20900g", Some(&sup))
        .await;
    assert_eq!(by_key.status, 200, "{}", by_key.body);
    let items = by_key.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", by_key.body);
    let id = items[0]["id"].as_str().unwrap().to_owned();
    let c = app.case(&sup, &id).await.body;
    assert_eq!(c["product"], "Sữa bột Alpha Gold 900g");
    assert_eq!(c["product_key"], "sua bot alpha gold 900g");
    let found = app.get("/api/v1/cases?q=alpha%20gold", Some(&sup)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{}", found.body);

    // Too long: refused by name, nothing stored.
    let mut long = complaint("Mua nồi cơm điện bị hỏng.");
    long["product"] = json!("n".repeat(201));
    let refused = app.submit(&long).await;
    assert_problem(&refused, 422, "invalid_field");
    assert_eq!(refused.body["field"], "product");
    let all = app.get("/api/v1/cases", Some(&sup)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 1);

    // Staff correct it: the key and the search words follow, the history names the new one.
    let c = app
        .act_ok(
            &sup,
            &c,
            "correct_data",
            json!({"product": "Sữa bột Alpha Gold 400g", "reason": "người tiêu dùng gọi lại"}),
        )
        .await;
    assert_eq!(c["product"], "Sữa bột Alpha Gold 400g");
    assert_eq!(c["product_key"], "sua bot alpha gold 400g");
    let found = app.get("/api/v1/cases?q=400g", Some(&sup)).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1, "{}", found.body);
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&sup)).await.body;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "correct_data");
    assert!(last.to_string().contains("\"product\""), "the field is named: {last}");
    assert!(
        !last.to_string().contains("Alpha Gold"),
        "not the free text (erasure never rewrites the history): {last}"
    );
    let chain = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&sup)).await;
    assert_eq!(chain.body["valid"], true, "{}", chain.body);

    // The business sees the product, without the consumer's phone typed into it.
    let (h, c, token) = crate::business::forwarded(app, "2026-11-25", 90).await;
    app.act_ok(
        &h,
        &c,
        "correct_data",
        json!({"product": "Máy lọc nước giao tới số 0912 345 678", "reason": "bổ sung"}),
    )
    .await;
    let v = app.get(&format!("/api/v1/business/cases/{token}"), None).await;
    assert_eq!(v.status, 200, "{}", v.body);
    let shown = v.body["product"].as_str().unwrap();
    assert!(shown.starts_with("Máy lọc nước giao tới số"), "{shown}");
    assert!(!shown.contains("345 678"), "{shown}");
    // So does a handler's redacted view (for a screen shared in a meeting).
    let redacted = app
        .get(
            &format!("/api/v1/cases/{}?redact=true", c["id"].as_str().unwrap()),
            Some(&h),
        )
        .await
        .body;
    let (p, k) = (
        redacted["product"].as_str().unwrap(),
        redacted["product_key"].as_str().unwrap(),
    );
    assert!(
        p.starts_with("Máy lọc nước") && !p.contains("678") && !k.contains("678"),
        "{p} / {k}"
    );
}
both_backends!(a_complaint_names_its_product);
