//! The citizen pages over HTTP (issue 11, first part): the home page, the complaint form with
//! its errors and receipt, the private link's page, the lookup by code; their headers.

use crate::both_backends;
use crate::helpers::TestApp;
use serde_json::json;

fn html(r: &crate::helpers::Resp) -> String {
    String::from_utf8_lossy(&r.raw).into_owned()
}

async fn post_form(app: &TestApp, path: &str, pairs: &[(&str, &str)]) -> (u16, String, Option<String>) {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    let client = crate::helpers::test_client(false);
    let mut r = client
        .post(app.url(path))
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .send_body(body)
        .await
        .unwrap();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let text = String::from_utf8_lossy(&r.body().await.unwrap()).into_owned();
    (r.status().as_u16(), text, location)
}

const GOOD: [(&str, &str); 10] = [
    ("idempotency_key", "form-key-1"),
    (
        "description",
        "Tôi mua nồi cơm điện ở cửa hàng Ánh Dương, dùng 3 ngày thì hỏng.",
    ),
    ("consumer_request", "Đổi sản phẩm mới"),
    ("amount_vnd", "1.250.000"),
    ("consumer.name", "Nguyễn Thị Hồng"),
    ("consumer.phone", "0912 345 678"),
    ("consumer.email", "hong.nguyen@example.com"),
    ("consumer.vulnerable", "elderly"),
    ("consent", "true"),
    ("product", "Nồi cơm điện Ánh Sao 1,8 lít"),
];

async fn citizens_file_and_follow_a_complaint_on_pages(app: &TestApp) {
    let home = app.get("/", None).await;
    assert_eq!(home.status, 200);
    let page = html(&home);
    assert!(page.contains("<html lang=\"vi\">") && page.contains("href=\"/complaints/new\""));
    assert!(page.contains("Sở Công Thương"), "the agencies are listed");
    assert!(home.raw.len() < 100 * 1024, "a page stays under 100 KB");
    let csp = app.client.get(app.url("/")).send().await.unwrap();
    let h = csp.headers();
    assert!(h
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(!h
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("unsafe-inline"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(html(&app.get("/robots.txt", None).await).contains("Disallow: /t/"));
    assert_eq!(app.get("/static/site.css", None).await.status, 200);

    let form = html(&app.get("/complaints/new", None).await);
    assert!(form.contains("name=\"idempotency_key\"") && form.contains("for=\"consumer.phone\""));

    // Errors: all at once, in a summary linking to the fields, every value kept.
    let (status, page, _) = post_form(
        app,
        "/complaints",
        &[
            ("idempotency_key", "k-err"),
            ("description", ""),
            ("consumer.name", "Trần Văn Bình"),
            ("consumer.phone", "12"),
            ("amount_vnd", "một triệu"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Vui lòng sửa 4 mục"), "{page}");
    for anchor in ["#description", "#consumer.phone", "#amount_vnd", "#consent"] {
        assert!(page.contains(&format!("href=\"{anchor}\"")), "{anchor} missing");
    }
    assert!(
        page.contains("value=\"Trần Văn Bình\"") && page.contains("value=\"một triệu\""),
        "values kept"
    );
    assert!(page.contains("<title>Lỗi: "), "the title says there are errors");

    // Success: 303 to the receipt on the private link; a double submission is one complaint.
    let (status, _, location) = post_form(app, "/complaints", &GOOD).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(
        location.starts_with("/t/") && location.contains("received=1"),
        "{location}"
    );
    let (status, _, again) = post_form(app, "/complaints", &GOOD).await;
    assert_eq!(status, 303);
    let (_, coord) = app.user("dp.pages", "coordinator", Some("SCT")).await;
    let list = app.get("/api/v1/cases", Some(&coord)).await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "one complaint");
    let id = list.body["items"][0]["id"].as_str().unwrap();
    assert_eq!(
        app.case(&coord, id).await.body["product"],
        "Nồi cơm điện Ánh Sao 1,8 lít",
        "the product as typed"
    );
    assert_ne!(location, again.unwrap(), "each answer carries its own link");

    let receipt = app.get(&location, None).await;
    assert_eq!(receipt.status, 200);
    let page = html(&receipt);
    let code = list.body["items"][0]["tracking_code"].as_str().unwrap();
    assert!(page.contains("Đã gửi phản ánh") && page.contains(code), "{page}");
    assert!(page.contains("Chậm nhất ngày"), "what happens next, with a date");
    for secret in ["Nguyễn Thị Hồng", "912345678", "345 678", "hong.nguyen"] {
        assert!(!page.contains(secret), "the page shows {secret}");
    }

    // The lookup by code and digits; a wrong pair says so without telling which.
    let (status, page, _) = post_form(app, "/track", &[("code", code), ("phone_last4", "5678")]).await;
    assert_eq!(status, 200);
    assert!(page.contains(code) && page.contains("Tình trạng"));
    let (status, page, _) = post_form(app, "/track", &[("code", code), ("phone_last4", "0000")]).await;
    assert_eq!(status, 404);
    assert!(page.contains("Không tìm thấy hồ sơ"));
    // An unknown path: HTML for a browser, a problem document for an API client.
    let mut r = app
        .client
        .get(app.url("/khong-co"))
        .insert_header(("accept", "text/html"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    assert!(String::from_utf8_lossy(&r.body().await.unwrap()).contains("Không tìm thấy trang"));
    crate::helpers::assert_problem(&app.get("/khong-co", None).await, 404, "not_found");
    let missing = app.get("/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", None).await;
    assert_eq!(missing.status, 404);
    assert!(html(&missing).contains("Đường dẫn này không còn dùng được"));
    assert!(html(&missing).contains("href=\"/track\""), "points to the lookup");
}
both_backends!(citizens_file_and_follow_a_complaint_on_pages);

/// The consumer acts through their private link: sends the information asked for (the paused
/// clock runs again) on the page, with its form key; withdraws through the JSON twin; an
/// action the stage does not allow, a wrong form key and an unknown link are refused.
async fn consumers_act_through_their_private_link(app: &TestApp) {
    let s = app
        .submit(&crate::helpers::complaint("Điều hòa mới mua bị chảy nước."))
        .await;
    let token = s.body["private_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (_, coord) = app.user("dp.link", "coordinator", Some("SCT")).await;
    let (_, h) = app.user("h.link", "handler", Some("SCT")).await;
    let list = app.get("/api/v1/cases", Some(&coord)).await.body;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let c = app.case(&coord, &id).await.body;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let page = html(&app.get(&format!("/t/{token}"), None).await);
    assert!(!page.contains("Bổ sung thông tin</h2>"), "nothing was asked yet");
    assert!(page.contains("Rút yêu cầu</h2>"));
    app.act_ok(&h, &c, "request_info", json!({"requested": "Ảnh chụp hóa đơn."}))
        .await;

    let page = html(&app.get(&format!("/t/{token}"), None).await);
    assert!(page.contains("Gửi thông tin bổ sung"), "{page}");
    let csrf = {
        let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
        page[at..at + 32].to_owned()
    };
    let (status, _, _) = post_form(app, &format!("/t/{token}/info"), &[("csrf", "0000"), ("info", "x")]).await;
    assert_eq!(status, 403, "a wrong form key is refused");
    let (status, _, location) = post_form(
        app,
        &format!("/t/{token}/info"),
        &[
            ("csrf", &csrf),
            ("info", "Hóa đơn số 123 ngày 20/11/2026, tôi sẽ mang bản gốc đến."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("/t/{token}?done=info"));
    let after = app.case(&h, &id).await.body;
    assert_ne!(after["status"], "awaiting_info", "{after}");
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "provide_info");
    assert_eq!(last["actor_role"], "citizen");

    // Withdraw through the JSON twin; then nothing more is possible.
    let path = format!("/api/v1/public/cases/{token}/withdraw");
    let r = app
        .post(&path, None, &json!({"reason": "Cửa hàng đã đổi máy mới."}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["actions"], json!(["rate"]), "closed: only the rating is left");
    crate::helpers::assert_problem(&app.post(&path, None, &json!({})).await, 409, "invalid_transition");
    let info = format!("/api/v1/public/cases/{token}/information");
    crate::helpers::assert_problem(
        &app.post(&info, None, &json!({"info": "x"})).await,
        409,
        "invalid_transition",
    );
    let unknown = "/api/v1/public/cases/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/withdraw";
    crate::helpers::assert_problem(&app.post(unknown, None, &json!({})).await, 404, "not_found");
}
both_backends!(consumers_act_through_their_private_link);

/// What the hotline publishes, as JSON and on the home page: the lines to call, the procedure
/// with its legal deadlines, the agencies.
async fn public_information_is_published(app: &TestApp) {
    let info = app.get("/api/v1/public/info", None).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.body["hotlines"][0]["phone"], "1800 6838");
    let steps = info.body["procedure"].as_array().unwrap();
    assert_eq!(steps[0]["working_days"], 10);
    assert_eq!(steps[1]["working_days"], 7);
    let agencies = info.body["agencies"].as_array().unwrap();
    assert!(agencies
        .iter()
        .any(|a| a["code"] == "SCT" && a["name"] == "Sở Công Thương"));
    let home = html(&app.get("/", None).await);
    assert!(
        home.contains("href=\"tel:18006838\""),
        "the national hotline is a tap to call"
    );
    for a in agencies {
        assert!(
            home.contains(a["name"].as_str().unwrap()),
            "{} missing from the home page",
            a["name"]
        );
    }
}
both_backends!(public_information_is_published);

/// After closure the consumer rates the outcome once, within 30 days, on the page or through
/// the JSON twin; "not resolved" reopens the case to its agency.
async fn consumers_rate_the_outcome_and_not_resolved_reopens(app: &TestApp) {
    let (_, h) = app.user("h.rate", "handler", Some("SCT")).await;
    let (_, coord) = app.user("dp.rate", "coordinator", Some("SCT")).await;
    let mut tokens = Vec::new();
    for text in ["Bình nóng lạnh bị rò điện.", "Nồi chiên không dầu bị nứt."] {
        let s = app.submit(&crate::helpers::complaint(text)).await;
        tokens.push(
            s.body["private_url"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned(),
        );
    }
    let list = app.get("/api/v1/cases", Some(&coord)).await.body;
    let mut ids = Vec::new();
    for item in list["items"].as_array().unwrap() {
        let c = app.case(&coord, item["id"].as_str().unwrap()).await.body;
        let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
        let c = app.act_ok(&h, &c, "accept", json!({})).await;
        // Not closed yet: no rating.
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    ids.reverse(); // newest first in the list; tokens are in filing order
    let rating = |t: &str| format!("/api/v1/public/cases/{t}/rating");
    let r = app
        .post(&rating(&tokens[0]), None, &json!({"score": 4, "resolved": true}))
        .await;
    crate::helpers::assert_problem(&r, 409, "invalid_transition");
    for id in &ids {
        let c = app.case(&h, id).await.body;
        app.act_ok(
            &h,
            &c,
            "refuse",
            json!({"ground": "outside_remit", "explanation": "Không thuộc thẩm quyền."}),
        )
        .await;
    }

    // On the page: "not resolved" reopens.
    let page = html(&app.get(&format!("/t/{}", tokens[0]), None).await);
    assert!(page.contains("Đánh giá kết quả giải quyết"), "{page}");
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..at + 32].to_owned();
    // "Resolved?" left unanswered is not "not resolved": the form comes back with the score and
    // the comment kept, and the case stays closed.
    let (status, again, _) = post_form(
        app,
        &format!("/t/{}/rating", tokens[0]),
        &[
            ("csrf", &csrf),
            ("score", "5"),
            ("comment", "Cán bộ nhiệt tình <b>lắm</b>."),
        ],
    )
    .await;
    assert_eq!(status, 422, "{again}");
    assert!(again.contains("Chưa gửi được: vui lòng sửa 1 mục"), "{again}");
    assert!(
        again.contains("href=\"#resolved-yes\"") && again.contains("id=\"resolved-error\""),
        "{again}"
    );
    assert!(
        again.contains("id=\"score-5\" name=\"score\" value=\"5\" checked"),
        "{again}"
    );
    assert!(
        again.contains(">Cán bộ nhiệt tình &#60;b&#62;lắm&#60;/b&#62;.</textarea>"),
        "{again}"
    );
    assert_eq!(app.case(&h, &ids[0]).await.body["status"], "closed", "not reopened");
    let (status, again, _) = post_form(
        app,
        &format!("/t/{}/rating", tokens[0]),
        &[("csrf", &csrf), ("resolved", "yes")],
    )
    .await;
    assert_eq!(status, 422, "{again}");
    assert!(
        again.contains("href=\"#score-5\"")
            && again.contains("id=\"resolved-yes\" name=\"resolved\" value=\"yes\" checked"),
        "{again}"
    );
    let (status, _, location) = post_form(
        app,
        &format!("/t/{}/rating", tokens[0]),
        &[
            ("csrf", &csrf),
            ("resolved", "no"),
            ("score", "2"),
            ("comment", "Cửa hàng vẫn chưa đổi."),
        ],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("/t/{}?done=rated", tokens[0]));
    let reopened = app.case(&h, &ids[0]).await.body;
    assert_ne!(reopened["status"], "closed", "{reopened}");
    let events = app
        .get(&format!("/api/v1/cases/{}/events", ids[0]), Some(&h))
        .await
        .body
        .to_string();
    assert!(
        events.contains("\"reopen\"") && events.contains("\"rated\""),
        "{events}"
    );
    crate::helpers::assert_problem(
        &app.post(&rating(&tokens[0]), None, &json!({"score": 1, "resolved": false}))
            .await,
        409,
        "invalid_transition",
    );
    // Closed again: a case is rated once, so its closure notice no longer asks for a rating.
    let closures = |code: &str| -> Vec<hotline::email::OutgoingEmail> {
        app.state
            .mailer
            .memory_sent()
            .into_iter()
            .filter(|m| m.subject.contains("kết thúc") || m.text.contains("đã kết thúc"))
            .filter(|m| m.text.contains(code))
            .collect()
    };
    let code = reopened["tracking_code"].as_str().unwrap().to_owned();
    app.worker.drain().await.unwrap();
    let first = closures(&code);
    assert_eq!(first.len(), 1, "the first closure");
    assert!(
        first[0].text.contains("Xin dành một phút đánh giá"),
        "{}",
        first[0].text
    );
    app.act_ok(
        &h,
        &reopened,
        "withdraw",
        json!({"reason": "Người tiêu dùng rút yêu cầu."}),
    )
    .await;
    app.worker.drain().await.unwrap();
    let all = closures(&code);
    assert_eq!(all.len(), 2, "the second closure");
    for s in [&all[1].text, &all[1].html] {
        assert!(
            !s.contains("đánh giá việc giải quyết") && s.contains("đã gửi đánh giá"),
            "{s}"
        );
        assert!(s.contains("/t/"), "still the link to the result: {s}");
    }

    // Through the JSON twin: resolved, the case stays closed; a bad score is 422; once only.
    crate::helpers::assert_problem(
        &app.post(&rating(&tokens[1]), None, &json!({"score": 9, "resolved": true}))
            .await,
        422,
        "invalid_field",
    );
    let r = app
        .post(
            &rating(&tokens[1]),
            None,
            &json!({"score": 5, "resolved": true, "comment": "Cảm ơn."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "closed");
    assert!(!r.body["actions"].as_array().unwrap().iter().any(|a| a == "rate"));
    let again = app
        .post(&rating(&tokens[1]), None, &json!({"score": 5, "resolved": true}))
        .await;
    crate::helpers::assert_problem(&again, 409, "invalid_transition");
}
both_backends!(consumers_rate_the_outcome_and_not_resolved_reopens);

/// A page with request headers: (status, body).
async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut r = app.client.get(app.url(path));
    for (k, v) in headers {
        r = r.insert_header((*k, *v));
    }
    let mut r = r.send().await.unwrap();
    let body = r.body().limit(1 << 20).await.unwrap();
    assert!(body.len() < 100 * 1024, "{path}: a page stays under 100 KB");
    eprintln!("page weight: {} bytes {path}", body.len());
    (r.status().as_u16(), String::from_utf8_lossy(&body).into_owned())
}

async fn post_form_with(
    app: &TestApp,
    path: &str,
    pairs: &[(&str, &str)],
    headers: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    let client = crate::helpers::test_client(false);
    let mut r = client
        .post(app.url(path))
        .insert_header(("content-type", "application/x-www-form-urlencoded"));
    for (k, v) in headers {
        r = r.insert_header((*k, *v));
    }
    let mut r = r.send_body(body).await.unwrap();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let text = String::from_utf8_lossy(&r.body().await.unwrap()).into_owned();
    (r.status().as_u16(), text, location)
}

const ENGLISH: [(&str, &str); 1] = [("accept-language", "en-GB,en;q=0.9,vi;q=0.5")];

/// Vietnamese by default; English with `?lang=en` or a browser that prefers English to
/// Vietnamese; `?lang=` wins over the header. Every page has the switch to the other language.
async fn pages_are_vietnamese_unless_english_is_asked_for(app: &TestApp) {
    let (_, vi) = get_with(app, "/", &[]).await;
    assert!(vi.contains("<html lang=\"vi\">") && vi.contains("Gửi phản ánh trực tuyến"));
    assert!(
        vi.contains("href=\"/?lang=en\" lang=\"en\" hreflang=\"en\"") && vi.contains(">English</a>"),
        "the switch to English"
    );
    assert!(
        vi.contains("href=\"/complaints/new\""),
        "no choice made: links stay plain"
    );
    for accept in ["vi-VN,vi;q=0.9,en;q=0.8", "fr-FR,fr;q=0.9", "en;q=0.5,vi;q=0.5"] {
        let (_, page) = get_with(app, "/", &[("accept-language", accept)]).await;
        assert!(page.contains("<html lang=\"vi\">"), "{accept}");
    }

    let (status, en) = get_with(app, "/?lang=en", &[]).await;
    assert_eq!(status, 200);
    assert!(en.contains("<html lang=\"en\">"), "{en}");
    assert!(en.contains("<title>Home – Consumer protection hotline</title>"));
    assert!(en.contains("File a complaint online") && en.contains("Procedure and deadlines"));
    assert!(en.contains("Sở Công Thương"), "agencies keep their official names");
    assert!(
        en.contains("href=\"/complaints/new?lang=en\"") && en.contains("href=\"/track?lang=en\""),
        "the choice is carried on the links"
    );
    assert!(en.contains("href=\"/?lang=vi\" lang=\"vi\" hreflang=\"vi\"") && en.contains(">Tiếng Việt</a>"));

    let (_, header) = get_with(app, "/complaints/new", &ENGLISH).await;
    assert!(header.contains("<html lang=\"en\">") && header.contains("What went wrong? (required)"));
    assert!(
        header.contains("action=\"/complaints\""),
        "the header is sent again anyway"
    );
    assert!(header.contains("href=\"/complaints/new?lang=vi\""), "the switch");
    let (_, chosen) = get_with(app, "/complaints/new?lang=vi", &ENGLISH).await;
    assert!(chosen.contains("<html lang=\"vi\">"), "?lang= wins over the header");
    assert!(chosen.contains("action=\"/complaints?lang=vi\""));

    let (_, track) = get_with(app, "/track?lang=en", &[]).await;
    assert!(track.contains("Tracking code") && track.contains("action=\"/track?lang=en\""));
    let (status, page, _) =
        post_form_with(app, "/track?lang=en", &[("code", "KN-X"), ("phone_last4", "12")], &[]).await;
    assert_eq!(status, 422);
    assert!(page.contains("<html lang=\"en\">") && page.contains("exactly the last 4 digits"));

    let (status, page) = get_with(app, "/khong-co", &[("accept", "text/html"), ENGLISH[0]]).await;
    assert_eq!(status, 404);
    assert!(page.contains("<html lang=\"en\">") && page.contains("Page not found"));
    let (status, page) = get_with(app, "/t/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?lang=en", &[]).await;
    assert_eq!(status, 404);
    assert!(page.contains("This link no longer works") && page.contains("href=\"/track?lang=en\""));

    // A stage with a running deadline: its label and meaning in English, the date dd/mm/yyyy.
    let (asked, _, _) = crate::citizen_evidence::awaiting_info(app).await;
    let (_, page) = get_with(app, &format!("/t/{asked}?lang=en"), &[]).await;
    assert!(page.contains("Waiting for more information from you"), "{page}");
    assert!(page.contains("<td>You send the information asked for</td>"), "{page}");
    assert!(page.contains("Deadlines count working days"));
    let (status, page, _) = post_form_with(app, &format!("/t/{asked}/info?lang=en"), &[("csrf", "x")], &[]).await;
    assert_eq!(status, 403, "{page}");
}
both_backends!(pages_are_vietnamese_unless_english_is_asked_for);

/// A complaint filed in English: the errors in English (the English of the same message
/// pairs as the problem documents), the choice kept through the error, the redirect, the
/// receipt and the private link's forms.
async fn a_complaint_is_filed_in_english_from_error_to_receipt(app: &TestApp) {
    let (status, page, _) = post_form_with(
        app,
        "/complaints?lang=en",
        &[
            ("idempotency_key", "k-en"),
            ("description", ""),
            ("consumer.name", "Trần Văn Bình"),
            ("consumer.phone", "12"),
        ],
        &[],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("<html lang=\"en\">"), "{page}");
    assert!(page.contains("There is a problem: fix the 3 items below"), "{page}");
    assert!(page.contains("Write what went wrong.") && page.contains("The phone number is not valid"));
    assert!(page.contains("<title>Error: File a complaint"));
    assert!(page.contains("value=\"Trần Văn Bình\""), "values kept");
    assert!(
        page.contains("action=\"/complaints?lang=en\""),
        "the choice survives the error"
    );
    assert!(!page.contains("Hãy viết"), "no Vietnamese message on the English page");

    let mut good: Vec<(&str, &str)> = GOOD.to_vec();
    good[0] = ("idempotency_key", "form-key-en");
    let (status, _, location) = post_form_with(app, "/complaints?lang=en", &good, &[]).await;
    assert_eq!(status, 303);
    let location = location.unwrap();
    assert!(location.ends_with("&lang=en"), "{location}");
    let (status, receipt) = get_with(app, &location, &[]).await;
    assert_eq!(status, 200);
    assert!(receipt.contains("<html lang=\"en\">") && receipt.contains("Complaint sent"));
    assert!(receipt.contains("Your tracking code") && receipt.contains("By "));
    assert!(
        receipt.contains("<span class=\"stage\">Received</span>"),
        "the stage in English"
    );
    let token = location.trim_start_matches("/t/").split('?').next().unwrap().to_owned();
    assert!(receipt.contains(&format!("action=\"/t/{token}/withdraw?lang=en\"")));

    // The header alone: the redirect needs no parameter, the browser sends it again.
    good[0] = ("idempotency_key", "form-key-en-2");
    let (_, _, location) = post_form_with(app, "/complaints", &good, &ENGLISH).await;
    let location = location.unwrap();
    assert!(!location.contains("lang="), "{location}");
    let (_, page) = get_with(app, &location, &ENGLISH).await;
    assert!(page.contains("Complaint sent"));
    let (_, page) = get_with(app, &location, &[]).await;
    assert!(
        page.contains("<html lang=\"vi\">") && page.contains("Đã gửi phản ánh"),
        "the default"
    );

    // A private link's form answers in the language chosen.
    let page = get_with(app, &format!("/t/{token}?lang=en"), &[]).await.1;
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..at + 32].to_owned();
    let (status, _, location) =
        post_form_with(app, &format!("/t/{token}/withdraw?lang=en"), &[("csrf", &csrf)], &[]).await;
    assert_eq!(status, 303);
    assert_eq!(location.clone().unwrap(), format!("/t/{token}?done=withdrawn&lang=en"));
    let (_, page) = get_with(app, &location.unwrap(), &[]).await;
    assert!(page.contains("You have withdrawn your complaint") && page.contains("Withdrawn by the consumer"));
    let (status, page, _) = post_form_with(app, &format!("/t/{token}/withdraw?lang=en"), &[("csrf", "x")], &[]).await;
    assert_eq!(status, 403);
    assert!(page.contains("The form has expired"));
}
both_backends!(a_complaint_is_filed_in_english_from_error_to_receipt);

/// A form whose hidden key is not a usable key (a NUL byte, which PostgreSQL's text refuses;
/// spaces; a Vietnamese word) still files the complaint once, under a key of its own.
async fn a_form_with_an_unusable_key_still_files_the_complaint(app: &TestApp) {
    for (i, key) in ["bad\u{0}key", "khóa của tôi", "a b"].into_iter().enumerate() {
        let mut good: Vec<(&str, &str)> = GOOD.to_vec();
        good[0] = ("idempotency_key", key);
        let phone = format!("09123456{i:02}");
        good[5] = ("consumer.phone", &phone);
        let (status, body, location) = post_form(app, "/complaints", &good).await;
        assert_eq!(status, 303, "{key:?}: {body}");
        assert!(location.unwrap().starts_with("/t/"));
    }
}
both_backends!(a_form_with_an_unusable_key_still_files_the_complaint);

/// Every text field's length is checked at once, beside its field, with everything typed kept —
/// even a description far beyond the limit (it used to end on an error page that lost the
/// form); invisible control characters pasted from a word processor become spaces.
async fn long_or_pasted_text_keeps_the_form(app: &TestApp) {
    use crate::citizen_evidence::{multipart, post_multipart};
    let long = "ệ".repeat(30_000); // 90 KB of UTF-8: more than one field could hold before
    let name = "Cửa hàng ".repeat(60);
    let mut fields: Vec<(&str, &str)> = GOOD.to_vec();
    fields[0] = ("idempotency_key", "form-key-long");
    fields[1] = ("description", &long);
    fields.push(("business.name", &name));
    let product = "Nồi ".repeat(51);
    fields.retain(|(k, _)| *k != "product");
    fields.push(("product", &product));
    let (ct, body) = multipart(&fields, &[]);
    let (status, page, _) = post_multipart(app, "/complaints", &ct, body).await;
    assert_eq!(status, 422, "{}", &page[..page.len().min(2000)]);
    assert!(page.contains("Vui lòng sửa 3 mục dưới đây"), "every error at once");
    assert!(page.contains("id=\"description-error\">Lỗi: Nội dung quá dài: tối đa 10.000 ký tự."));
    assert!(page.contains("id=\"business.name-error\">Lỗi: Nội dung quá dài: tối đa 500 ký tự."));
    assert!(page.contains("id=\"product-error\">Lỗi: Nội dung quá dài: tối đa 200 ký tự."));
    assert!(
        page.contains(&long) && page.contains("value=\"Nguyễn Thị Hồng\""),
        "kept"
    );

    let mut fields: Vec<(&str, &str)> = GOOD.to_vec();
    fields[0] = ("idempotency_key", "form-key-pasted");
    fields[1] = (
        "description",
        "Máy giặt hỏng\u{000B}sau 3 ngày,\u{000C}cửa hàng không đổi.",
    );
    let (ct, body) = multipart(&fields, &[]);
    let (status, page, location) = post_multipart(app, "/complaints", &ct, body).await;
    assert_eq!(status, 303, "{page}");
    let token = location
        .unwrap()
        .trim_start_matches("/t/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let (_, h) = app.user("h.pasted", "coordinator", Some("SCT")).await;
    let code = html(&app.get(&format!("/t/{token}"), None).await);
    let list = app.get("/api/v1/cases", Some(&h)).await.body;
    let case = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| code.contains(c["tracking_code"].as_str().unwrap()))
        .cloned()
        .unwrap();
    let case = app.case(&h, case["id"].as_str().unwrap()).await.body;
    assert_eq!(case["description"], "Máy giặt hỏng sau 3 ngày, cửa hàng không đổi.");
}
both_backends!(long_or_pasted_text_keeps_the_form);

/// The lookup by code and phone digits (all a consumer without e-mail has) shows what the
/// agency asked for, redacted, and how to send it without the private link, with the agency's
/// published phone (a `tel:` link) and address; it offers no form.
async fn the_lookup_shows_what_the_agency_asks_for_and_how_to_answer(backend: crate::common::Backend) {
    let config = crate::notices::config_with_a_qltt_hotline();
    let dir = config.path().to_path_buf();
    let Some(app) = crate::helpers::spawn_app_with(backend, move |s| s.config_dir = dir).await else {
        return;
    };
    let (_, h) = app.user("q.track", "handler", Some("QLTT")).await;
    let mut v = crate::helpers::violation();
    v["consumer"].as_object_mut().unwrap().remove("email");
    let c = app.open_case(&h, &v).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "QLTT"})).await;
    let code = c["tracking_code"].as_str().unwrap().to_owned();
    let (_, page, _) = post_form(&app, "/track", &[("code", &code), ("phone_last4", "5678")]).await;
    assert!(
        page.contains("Chi cục Quản lý thị trường") && page.contains("href=\"tel:02223822456\""),
        "{page}"
    );
    assert!(
        page.contains("0222 3822 456") && page.contains("Số 10 đường Lý Thái Tổ"),
        "{page}"
    );
    assert!(!page.contains("Bổ sung thông tin"), "nothing asked yet");
    app.act_ok(
        &h,
        &c,
        "request_info",
        json!({"requested": "Ảnh chụp cửa hàng và hóa đơn; ông Nguyễn Văn Bình, số 0988 777 666, có thể làm chứng."}),
    )
    .await;
    let (status, page, _) = post_form(&app, "/track", &[("code", &code), ("phone_last4", "5678")]).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Cơ quan đề nghị quý vị bổ sung:") && page.contains("Ảnh chụp cửa hàng và hóa đơn"),
        "{page}"
    );
    assert!(
        page.contains("Nếu quý vị không có thư điện tử, hãy gọi điện cho cơ quan"),
        "{page}"
    );
    assert!(
        !page.contains("0988 777 666") && !page.contains("Nguyễn Văn Bình"),
        "redacted: {page}"
    );
    assert!(
        !page.contains("<textarea") && !page.contains("/info\""),
        "no form without the link"
    );
    let api = app
        .get(&format!("/api/v1/public/complaints/{code}?phone_last4=5678"), None)
        .await;
    assert_eq!(api.body["agency"]["phone"], "0222 3822 456", "{}", api.body);
    assert!(api.body["information_requested"].as_str().unwrap().contains("hóa đơn"));
}

#[actix_web::test]
async fn the_lookup_shows_the_request_sqlite() {
    the_lookup_shows_what_the_agency_asks_for_and_how_to_answer(crate::common::Backend::Sqlite).await;
}
#[actix_web::test]
async fn the_lookup_shows_the_request_postgres() {
    the_lookup_shows_what_the_agency_asks_for_and_how_to_answer(crate::common::Backend::Postgres).await;
}

/// A consumer adds information nobody asked for, at any open stage, through their link (the
/// page's form and its JSON twin): the case keeps its stage, the history has the consumer's
/// note, and the handler is e-mailed (without the content); so is the information asked for.
/// Ten a day; the eleventh waits (429 with `Retry-After`).
async fn a_consumer_adds_information_nobody_asked_for(app: &TestApp) {
    let (token, id) = crate::citizen_links::filed(app, "Tủ lạnh mới mua không lạnh.").await;
    let body = json!({"username": "h.more", "role": "handler", "agency": "SCT", "password": crate::helpers::PASSWORD, "email": "can.bo.more@example.gov.vn"});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &body)
            .await
            .status,
        201
    );
    let h = app.login("h.more", crate::helpers::PASSWORD).await;
    let c = app.case(&h, &id).await.body;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let code = c["tracking_code"].as_str().unwrap().to_owned();
    let to_handler = |part: &str| {
        app.state
            .mailer
            .memory_sent()
            .into_iter()
            .filter(|m| m.to.contains("can.bo.more") && m.subject.contains(part))
            .collect::<Vec<_>>()
    };

    // On the page: the form to send more, then its notice; the stage stays.
    let page = html(&app.get(&format!("/t/{token}"), None).await);
    assert!(
        page.contains("Gửi thêm thông tin</h2>") && page.contains("Thông tin gửi thêm (bắt buộc)"),
        "{page}"
    );
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf = page[at..at + 32].to_owned();
    let said = "Cửa hàng gọi điện hẹn đổi tủ lạnh ngày 05/12/2026.";
    let (status, _, location) = post_form(app, &format!("/t/{token}/info"), &[("csrf", &csrf), ("info", said)]).await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("/t/{token}?done=info"));
    let after = app.case(&h, &id).await.body;
    assert_eq!(after["status"], "accepted");
    assert_eq!(after["version"], c["version"].as_i64().unwrap() + 1);
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["actor_role"].as_str()),
        (Some("add_note"), Some("citizen"))
    );
    assert_eq!(last["data"]["text"], said);
    app.worker.drain().await.unwrap();
    let mails = to_handler("gửi thêm thông tin");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.contains(&code), "{}", mails[0].subject);
    for part in [&mails[0].subject, &mails[0].text, &mails[0].html] {
        assert!(
            !part.contains("05/12/2026") && !part.contains("đổi tủ lạnh"),
            "no content: {part}"
        );
    }
    assert!(mails[0].text.contains("/console/cases/"), "{}", mails[0].text);
    let console = crate::console::session_of(app, "h.more").await;
    let staff = crate::console::get(app, &format!("/console/cases/{id}"), Some(&console)).await;
    assert!(
        staff
            .html
            .contains("<strong>Người tiêu dùng gửi thêm thông tin</strong>"),
        "{}",
        staff.html
    );
    assert!(
        staff
            .html
            .contains(&format!("<dt>Thông tin người tiêu dùng gửi thêm</dt><dd>{said}</dd>")),
        "{}",
        staff.html
    );
    let page = html(&app.get(&format!("/t/{token}?done=info"), None).await);
    assert!(page.contains("Đã gửi thông tin của quý vị đến cơ quan giải quyết."));
    assert!(
        page.contains("Đã nhận thông tin quý vị gửi thêm"),
        "the public message: {page}"
    );

    // The information asked for is told to the handler too.
    let c = app.case(&h, &id).await.body;
    app.act_ok(&h, &c, "request_info", json!({"requested": "Ảnh tem bảo hành."}))
        .await;
    let info = format!("/api/v1/public/cases/{token}/information");
    let r = app.post(&info, None, &json!({"info": "Tem bảo hành số 7788."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "accepted", "back from awaiting_info");
    assert!(
        r.body["actions"].as_array().unwrap().iter().any(|a| a == "add_info"),
        "{}",
        r.body
    );
    app.worker.drain().await.unwrap();
    assert_eq!(to_handler("đã gửi thông tin bổ sung được đề nghị").len(), 1);

    // Nine more additions today are taken (staff notes between them do not count); the
    // eleventh waits until the first of the day is a day old, and `Retry-After` says when.
    for i in 0..9 {
        let c = app.case(&h, &id).await.body;
        app.act_ok(&h, &c, "add_note", json!({"text": format!("Ghi chú của cán bộ {i}.")}))
            .await;
        let r = app.post(&info, None, &json!({"info": format!("Thêm ảnh {i}.")})).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let version = app.case(&h, &id).await.body["version"].clone();
    let r = app.post(&info, None, &json!({"info": "Lần thứ mười một."})).await;
    crate::helpers::assert_problem(&r, 429, "rate_limited");
    assert_eq!(app.case(&h, &id).await.body["version"], version, "nothing changed");
    let wait: i64 = r.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait), "{wait}");
    app.state.clock.advance(chrono::TimeDelta::seconds(wait - 2));
    let r = app.post(&info, None, &json!({"info": "Hai giây trước hạn."})).await;
    crate::helpers::assert_problem(&r, 429, "rate_limited");
    app.state.clock.advance(chrono::TimeDelta::seconds(2));
    let r = app.post(&info, None, &json!({"info": "Ngày hôm sau."})).await;
    assert_eq!(r.status, 200, "{}", r.body);
}
both_backends!(a_consumer_adds_information_nobody_asked_for);
