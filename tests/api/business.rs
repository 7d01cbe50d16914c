//! The business as a party (issue 12): the forwarding e-mail's link opens the business's page,
//! the business answers and reports through it (on time or late, clocks stopped, the handler
//! e-mailed), silence is flagged by the sweep, and the registry verifies tax codes and merges.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute_before, local_noon, TestApp, PASSWORD};

const BUSINESS_MAIL: &str = "cskh@anhduong.example.com";
const HANDLER_MAIL: &str = "can.bo@example.gov.vn";

/// A handler (with an e-mail) of SCT and a dispute forwarded to the business at `day` (local
/// noon); returns (handler token, case, business token).
pub(crate) async fn forwarded(app: &TestApp, day: &str, n: u32) -> (String, Value, String) {
    let body = json!({"username": format!("h.biz{n}"), "role": "handler", "agency": "SCT", "password": PASSWORD, "email": HANDLER_MAIL});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &body)
            .await
            .status,
        201
    );
    // Sessions expire when the clock moves days ahead: sign in after moving it.
    app.state.clock.set(local_noon(day));
    let h = app.login(&format!("h.biz{n}"), PASSWORD).await;
    let c = app.open_case(&h, &dispute_before(day)).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app
        .act_ok(&h, &c, "forward_to_business", json!({"business_email": BUSINESS_MAIL}))
        .await;
    let mail = forwarding_mail(app).await;
    let start = mail.text.find("/b/").expect("the business's page link");
    let token: String = mail.text[start + 3..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert!(mail.html.contains(&format!("/b/{token}")), "the same link in HTML");
    (h, c, token)
}

/// The last e-mail to the business (the outbox drained first).
async fn forwarding_mail(app: &TestApp) -> hotline::email::OutgoingEmail {
    app.worker.drain().await.unwrap();
    app.state
        .mailer
        .memory_sent()
        .into_iter()
        .rev()
        .find(|m| m.to.contains(BUSINESS_MAIL))
        .expect("the forwarding e-mail")
}

fn mails_to(app: &TestApp, to: &str, part: &str) -> usize {
    app.state
        .mailer
        .memory_sent()
        .iter()
        .filter(|m| m.to.contains(to) && m.subject.contains(part))
        .count()
}

async fn the_business_answers_through_its_link_and_reports_the_result(app: &TestApp) {
    let (_, c, token) = forwarded(app, "2026-12-01", 1).await;
    let id = c["id"].as_str().unwrap();
    // The page opens from the e-mail, in Vietnamese, with the three deadlines and the forms.
    let page = app.client.get(app.url(&format!("/b/{token}"))).send().await;
    let mut page = page.unwrap();
    assert_eq!(page.status(), 200);
    let html = String::from_utf8(page.body().await.unwrap().to_vec()).unwrap();
    assert!(html.contains("<html lang=\"vi\">") && html.contains("/static/site.css"));
    assert!(html.contains("Đề nghị hoàn lại tiền"), "the consumer's request");
    assert!(
        !html.contains("912345678") && !html.contains("345 678") && !html.contains("hong.nguyen"),
        "nothing personal"
    );
    for label in [
        "Chuyển yêu cầu cho doanh nghiệp",
        "Doanh nghiệp thương lượng",
        "báo cáo kết quả",
    ] {
        assert!(html.contains(label), "deadline {label}");
    }
    assert!(html.contains(&format!("action=\"/b/{token}/response\"")) && html.contains("name=\"csrf\""));
    // A refusal needs reasons; the JSON answer is on time and the clock keeps running.
    let api = format!("/api/v1/business/cases/{token}");
    let r = app
        .post(
            &format!("{api}/result"),
            None,
            &json!({"result": "settled", "terms": "x"}),
        )
        .await;
    assert_problem(&r, 409, "invalid_transition");
    let r = app
        .post(&format!("{api}/response"), None, &json!({"decision": "refuse"}))
        .await;
    assert_problem(&r, 422, "required");
    app.state.clock.set(local_noon("2026-12-03"));
    let r = app
        .post(
            &format!("{api}/response"),
            None,
            &json!({"decision": "accept", "message": "Chúng tôi sẽ liên hệ khách hàng."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["response"]["decision"], "accept");
    assert_eq!(r.body["response"]["on_time"], true);
    assert_eq!(r.body["may_report"], true);
    let again = app
        .post(&format!("{api}/response"), None, &json!({"decision": "accept"}))
        .await;
    assert_problem(&again, 409, "already_answered");
    // The result, through the page's form (with its key), stops both clocks.
    app.state.clock.set(local_noon("2026-12-07"));
    let csrf_at = html.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    let csrf: String = html[csrf_at..].chars().take_while(|c| *c != '"').collect();
    let form =
        format!("csrf={csrf}&result=settled&terms=%C4%90%E1%BB%95i+m%C3%A1y+m%E1%BB%9Bi&performance_due=2026-12-20");
    let bad = app
        .post_raw(
            &format!("/b/{token}/result"),
            None,
            "application/x-www-form-urlencoded",
            b"csrf=x&result=settled".to_vec(),
        )
        .await;
    assert_eq!(bad.status, 403);
    let posted = app
        .post_raw(
            &format!("/b/{token}/result"),
            None,
            "application/x-www-form-urlencoded",
            form.into_bytes(),
        )
        .await;
    // 303 back to the page (the client follows it), which confirms the report.
    assert_eq!(posted.status, 200);
    assert!(String::from_utf8_lossy(&posted.raw).contains("Đã gửi báo cáo kết quả thương lượng"));
    let view = app.get(&api, None).await;
    assert_eq!(view.body["result"]["result"], "settled");
    assert_eq!(view.body["result"]["terms"], "Đổi máy mới");
    assert_eq!(view.body["result"]["on_time"], true);
    // The case detail shows both, the stopped clocks and the suggested confirmation.
    let h = app.login("h.biz1", PASSWORD).await;
    let d = app.case(&h, id).await.body;
    let party = &d["business_party"];
    assert_eq!(party["response"]["decision"], "accept");
    assert_eq!(party["result"]["result"], "settled");
    assert_eq!(party["next_steps"][0]["step"], "record_negotiation_result", "{party}");
    assert_eq!(party["next_steps"][0]["result"], "settled");
    let neg = party["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["clock"] == "business_negotiation")
        .unwrap();
    assert_eq!(neg["state"], "stopped");
    assert_eq!(neg["result"], "met");
    // Events by the business, and the handler told twice through the outbox.
    let evs = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    let by_business: Vec<&Value> = evs
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor_role"] == "business")
        .collect();
    assert_eq!(by_business.len(), 2, "{evs}");
    app.worker.drain().await.unwrap();
    assert_eq!(mails_to(app, HANDLER_MAIL, "[Doanh nghiệp]"), 2);
    // The handler confirms; the case leaves negotiation and the link ends.
    let c = app.case(&h, id).await.body;
    let rec = json!({"result": "settled", "record": {"parties": "Bà Hồng và cửa hàng", "time_place": "Tại cửa hàng, 07/12/2026", "content": "Đổi máy", "result": "Đổi máy mới", "other_terms": null, "performance_deadline": "2026-12-20"}});
    let closed = app.act(&h, &c, "record_negotiation_result", rec).await;
    if closed.status == 200 {
        assert_eq!(app.get(&api, None).await.status, 404, "the link ends with negotiation");
    }
    app.state.clock.reset();
}
both_backends!(the_business_answers_through_its_link_and_reports_the_result);

async fn a_late_answer_is_recorded_as_late(app: &TestApp) {
    let (_, c, token) = forwarded(app, "2026-12-01", 2).await;
    // 7 working days from Tue 1 Dec end on Thu 10 Dec; the answer comes on Mon 14 Dec.
    app.state.clock.set(local_noon("2026-12-14"));
    let r = app
        .post(
            &format!("/api/v1/business/cases/{token}/response"),
            None,
            &json!({"decision": "refuse", "message": "Sản phẩm đã hết hạn bảo hành."}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["response"]["on_time"], false);
    assert_eq!(r.body["may_report"], false);
    let h = app.login("h.biz2", PASSWORD).await;
    let d = app.case(&h, c["id"].as_str().unwrap()).await.body;
    let neg = d["business_party"]["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["clock"] == "business_negotiation")
        .unwrap()
        .clone();
    assert_eq!(neg["result"], "late");
    let steps: Vec<&str> = d["business_party"]["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["record_negotiation_result", "open_violation_report"]);
    app.worker.drain().await.unwrap();
    app.state.clock.reset();
}
both_backends!(a_late_answer_is_recorded_as_late);

async fn silence_past_the_clock_is_flagged_by_the_sweep(app: &TestApp) {
    let sup = json!({"username": "sup.biz", "role": "supervisor", "agency": "SCT", "password": PASSWORD, "email": "truong.phong@example.gov.vn"});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &sup)
            .await
            .status,
        201
    );
    let (_, c, _token) = forwarded(app, "2026-12-01", 3).await;
    app.state.clock.set(local_noon("2026-12-15"));
    assert!(app.worker.schedule_sweep().await.unwrap());
    app.worker.drain().await.unwrap();
    let h = app.login("h.biz3", PASSWORD).await;
    let d = app.case(&h, c["id"].as_str().unwrap()).await.body;
    let party = &d["business_party"];
    assert_eq!(party["silence"][0]["clock"], "business_negotiation", "{party}");
    assert_eq!(party["next_steps"][0]["result"], "no_answer");
    assert_eq!(party["next_steps"][1]["step"], "open_violation_report");
    assert_eq!(mails_to(app, HANDLER_MAIL, "[Doanh nghiệp]"), 1);
    assert_eq!(mails_to(app, "truong.phong@example.gov.vn", "[Doanh nghiệp]"), 1);
    app.state.clock.reset();
}
both_backends!(silence_past_the_clock_is_flagged_by_the_sweep);

async fn the_registry_verifies_tax_codes_links_cases_and_merges(app: &TestApp) {
    let (_, sup) = app.user("sup.reg", "supervisor", Some("SCT")).await;
    let (_, h) = app.user("h.reg", "handler", Some("SCT")).await;
    let bad = app
        .post(
            "/api/v1/businesses",
            Some(&h),
            &json!({"name": "Viettel", "tax_code": "0100109107"}),
        )
        .await;
    assert_problem(&bad, 422, "invalid_field");
    assert_eq!(bad.body["field"], "tax_code");
    let a = app
        .post(
            "/api/v1/businesses",
            Some(&h),
            &json!({"name": "Cửa hàng Điện máy Ánh Dương", "tax_code": "0101243150"}),
        )
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let dup = app
        .post(
            "/api/v1/businesses",
            Some(&h),
            &json!({"name": "Khác", "tax_code": "0101243150"}),
        )
        .await;
    assert_problem(&dup, 409, "already_exists");
    let b = app
        .post(
            "/api/v1/businesses",
            Some(&h),
            &json!({"name": "Điện máy Ánh Dương (chi nhánh)", "email": "cskh@anhduong.example.com"}),
        )
        .await;
    assert_eq!(b.status, 201, "{}", b.body);
    let (a_id, b_id) = (
        a.body["id"].as_str().unwrap().to_owned(),
        b.body["id"].as_str().unwrap().to_owned(),
    );
    // A case naming the tax code belongs to entry A; one without joins B when staff confirm.
    let c1 = app.open_case(&h, &crate::helpers::dispute()).await;
    let mut no_code = crate::helpers::dispute();
    no_code["business"] = json!({"name": "Điện máy Ánh Dương (chi nhánh)"});
    let c2 = app.open_case(&h, &no_code).await;
    let d1 = app.case(&h, c1["id"].as_str().unwrap()).await.body;
    assert_eq!(d1["business_party"]["registry"]["business_id"], a_id.as_str());
    assert_eq!(d1["business_party"]["registry"]["linked_by"], "tax_code");
    let d2 = app.case(&h, c2["id"].as_str().unwrap()).await.body;
    // Stop words ("cửa hàng", "chi nhánh") fold both names to one key: both are suggested.
    let suggested: Vec<&str> = d2["business_party"]["suggested_matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["business_id"].as_str().unwrap())
        .collect();
    assert!(suggested.contains(&b_id.as_str()), "{d2}");
    let link = app
        .post(
            &format!("/api/v1/cases/{}/business-link", c2["id"].as_str().unwrap()),
            Some(&h),
            &json!({"business_id": b_id}),
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    let got = app.get(&format!("/api/v1/businesses/{a_id}"), Some(&h)).await;
    assert_eq!(got.body["complaint_count"], 1);
    assert_eq!(got.body["open_case_count"], 1);
    // A handler may not merge; a supervisor may: A absorbs B and its cases.
    let merge = json!({"from": b_id});
    assert_problem(
        &app.post(&format!("/api/v1/businesses/{a_id}/merge"), Some(&h), &merge)
            .await,
        403,
        "forbidden",
    );
    let merged = app
        .post(&format!("/api/v1/businesses/{a_id}/merge"), Some(&sup), &merge)
        .await;
    assert_eq!(merged.status, 200, "{}", merged.body);
    assert_eq!(merged.body["complaint_count"], 2);
    assert_eq!(merged.body["email"], "cskh@anhduong.example.com");
    let patch = app
        .patch_json(&format!("/api/v1/businesses/{b_id}"), &h, &json!({"name": "x"}))
        .await;
    assert_problem(&patch, 409, "business_merged");
    let found = app.get("/api/v1/businesses?q=anh%20duong", Some(&h)).await;
    assert_eq!(found.body.as_array().unwrap().len(), 1, "{}", found.body);
    let by_code = app.get("/api/v1/businesses?q=0101243", Some(&h)).await;
    assert_eq!(by_code.body[0]["id"], a_id.as_str());
    assert_eq!(app.get("/api/v1/businesses", Some(&app.admin_token)).await.status, 403);
}
both_backends!(the_registry_verifies_tax_codes_links_cases_and_merges);

async fn the_forwarding_email_without_a_message_redacts_the_consumers_request(app: &TestApp) {
    let body = json!({"username": "h.fwd", "role": "handler", "agency": "SCT", "password": PASSWORD});
    assert_eq!(
        app.post("/api/v1/admin/users", Some(&app.admin_token), &body)
            .await
            .status,
        201
    );
    let h = app.login("h.fwd", PASSWORD).await;
    let mut complaint = dispute_before("2026-11-28");
    complaint["consumer_request"] =
        json!("Đề nghị hoàn tiền, gọi lại cho tôi số 0912 345 678 hoặc thư hong.nguyen@example.com");
    let c = app.open_case(&h, &complaint).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    // No message of the handler's: the e-mail quotes the consumer's request, as the business's
    // page does, without the consumer's phone number or address.
    app.act_ok(&h, &c, "forward_to_business", json!({"business_email": BUSINESS_MAIL}))
        .await;
    let mail = forwarding_mail(app).await;
    for part in [&mail.text, &mail.html] {
        assert!(part.contains("Đề nghị hoàn tiền"), "the request is quoted: {part}");
        assert!(
            !part.contains("345 678") && !part.contains("0912") && !part.contains("hong.nguyen"),
            "nothing personal: {part}"
        );
    }
}
both_backends!(the_forwarding_email_without_a_message_redacts_the_consumers_request);

/// Two answers sent at once (a double click, or accept and refuse together): one is recorded,
/// the other is refused, on PostgreSQL's concurrent transactions as on SQLite's one writer.
async fn two_answers_sent_at_once_record_one(app: &TestApp) {
    let (h, c, token) = forwarded(app, "2026-12-01", 7).await;
    let id = c["id"].as_str().unwrap();
    let api = format!("/api/v1/business/cases/{token}/response");
    let accept = json!({"decision": "accept", "message": "Chúng tôi sẽ liên hệ khách hàng."});
    let refuse = json!({"decision": "refuse", "message": "Không đồng ý."});
    for _ in 0..3 {
        let (a, b) = tokio::join!(app.post(&api, None, &accept), app.post(&api, None, &refuse));
        let mut statuses = [a.status, b.status];
        statuses.sort();
        if statuses == [409, 409] {
            continue; // both came after an earlier round's answer
        }
        assert_eq!(statuses, [200, 409], "{} / {}", a.body, b.body);
    }
    let evs = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await;
    let answers = evs
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "business_responded")
        .count();
    assert_eq!(answers, 1, "one answer (and the handler's e-mail, queued with it)");
}
both_backends!(two_answers_sent_at_once_record_one);

/// The business downloads the files the agency shared with it through its own link (the page's
/// list links each one); a file not shared is 404, as is every file once the case leaves
/// negotiation and the link ends.
async fn the_business_downloads_the_files_shared_with_it(app: &TestApp) {
    use crate::citizen_evidence::{multipart, PDF};
    let (h, c, token) = forwarded(app, "2026-11-16", 8).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let internal: &[u8] = b"%PDF-1.4\nghi chu noi bo\n%%EOF\n";
    let (ct, body) = multipart(
        &[],
        &[("file", "hoa-don.pdf", PDF), ("file", "bien-ban-noi-bo.pdf", internal)],
    );
    let up = app
        .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&h), &ct, body)
        .await;
    assert_eq!(up.status, 201, "{}", up.body);
    let shared = up.body[0]["id"].as_str().unwrap().to_owned();
    let kept = up.body[1]["id"].as_str().unwrap().to_owned();
    let share = format!("/api/v1/cases/{id}/evidence/{shared}/business-share");
    assert_eq!(app.post(&share, Some(&h), &json!({"shared": true})).await.status, 204);

    let page = crate::console::get(app, &format!("/b/{token}"), None).await;
    let href = format!("/b/{token}/files/{shared}");
    assert!(
        page.html
            .contains(&format!("<a href=\"{href}\" download>hoa-don.pdf</a>")),
        "{}",
        page.html
    );
    assert!(!page.html.contains("bien-ban-noi-bo"), "a file not shared is not named");
    let file = crate::console::get(app, &href, None).await;
    assert_eq!((file.status, file.raw.as_slice()), (200, PDF));
    let api = format!("/api/v1/business/cases/{token}/evidence/{shared}");
    let file = crate::console::get(app, &api, None).await;
    assert_eq!((file.status, file.raw.as_slice()), (200, PDF));

    for path in [
        format!("/b/{token}/files/{kept}"),
        format!("/api/v1/business/cases/{token}/evidence/{kept}"),
    ] {
        let r = crate::console::get(app, &path, None).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.raw.windows(internal.len()).any(|w| w == internal), "{path}");
    }
    // Neither cached nor sent on as a referrer: the address holds the link.
    let r = app.client.get(app.url(&api)).send().await.unwrap();
    let header = |n: &str| r.headers().get(n).map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"));
    assert!(header("content-disposition").unwrap().contains("hoa-don.pdf"));
    // A file shared with the business of another case is not reachable through this link.
    let other = app.open_case(&h, &crate::helpers::dispute()).await;
    let other_id = other["id"].as_str().unwrap();
    let (ct, body) = multipart(&[], &[("file", "hop-dong-khac.pdf", PDF)]);
    let up = app
        .post_raw(&format!("/api/v1/cases/{other_id}/evidence"), Some(&h), &ct, body)
        .await;
    let foreign = up.body[0]["id"].as_str().unwrap().to_owned();
    let share_other = format!("/api/v1/cases/{other_id}/evidence/{foreign}/business-share");
    assert_eq!(
        app.post(&share_other, Some(&h), &json!({"shared": true})).await.status,
        204
    );
    let r = crate::console::get(app, &format!("/api/v1/business/cases/{token}/evidence/{foreign}"), None).await;
    assert_eq!(r.status, 404, "another case's file");
    // Shared no more: gone from the page and the download.
    assert_eq!(app.post(&share, Some(&h), &json!({"shared": false})).await.status, 204);
    assert_eq!(crate::console::get(app, &href, None).await.status, 404, "unshared");
    assert!(!crate::console::get(app, &format!("/b/{token}"), None)
        .await
        .html
        .contains("hoa-don.pdf"));
    assert_eq!(app.post(&share, Some(&h), &json!({"shared": true})).await.status, 204);
    let c = app.case(&h, &id).await.body;
    app.act_ok(&h, &c, "withdraw", json!({"reason": "Người tiêu dùng rút yêu cầu."}))
        .await;
    assert_eq!(
        crate::console::get(app, &href, None).await.status,
        404,
        "the link ended"
    );
    assert_eq!(crate::console::get(app, &api, None).await.status, 404, "the link ended");
}
both_backends!(the_business_downloads_the_files_shared_with_it);

/// The console's forwarding form starts with the registry entry's contact e-mail when the
/// entry of the case's tax code bears the case's business name, or staff confirmed the link;
/// not when the tax code belongs to a firm of another name (a typo on the form). The API
/// itself never defaults: without `business_email` nothing is sent.
async fn the_forwarding_form_offers_the_registry_s_address(app: &TestApp) {
    let (_, h) = app.user("h.fwd", "handler", Some("SCT")).await;
    let entry = app
        .post(
            "/api/v1/businesses",
            Some(&h),
            &json!({"name": "Cửa hàng Điện máy Ánh Dương", "tax_code": "0101243150", "email": BUSINESS_MAIL}),
        )
        .await;
    assert_eq!(entry.status, 201, "{}", entry.body);
    let s = crate::console::session_of(app, "h.fwd").await;
    let offered = |html: &str| -> Option<String> {
        let field = html.find("id=\"f-forward_to_business-business_email\"")?;
        let tag = &html[html[..field].rfind('<')?..field + html[field..].find('>')?];
        let at = tag.find("value=\"")? + "value=\"".len();
        Some(tag[at..at + tag[at..].find('"')?].to_owned()).filter(|v| !v.is_empty())
    };
    let h = &h;
    let accepted = |case: Value| async move {
        let c = app.open_case(h, &case).await;
        let c = app.act_ok(h, &c, "route", json!({"agency": "SCT"})).await;
        app.act_ok(h, &c, "accept", json!({})).await
    };

    // The tax code's entry bears the case's name: offered.
    let c = accepted(crate::helpers::dispute()).await;
    assert_eq!(c["business_party"]["registry"]["email"], BUSINESS_MAIL, "{c}");
    let page = crate::console::get(app, &format!("/console/cases/{}", c["id"].as_str().unwrap()), Some(&s)).await;
    assert_eq!(offered(&page.html).as_deref(), Some(BUSINESS_MAIL));
    // Without an address the API sends nothing.
    let before = mails_to(app, BUSINESS_MAIL, "");
    app.act_ok(h, &c, "forward_to_business", json!({})).await;
    app.worker.drain().await.unwrap();
    assert_eq!(mails_to(app, BUSINESS_MAIL, ""), before, "no default in the API");

    // Another name with that tax code: not offered until staff confirm the link.
    let mut other = crate::helpers::dispute();
    other["business"]["name"] = json!("Siêu thị Hoàng Long");
    let c = accepted(other).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let page = crate::console::get(app, &format!("/console/cases/{id}"), Some(&s)).await;
    assert!(page.html.contains("id=\"f-forward_to_business-business_email\""));
    assert_eq!(offered(&page.html), None, "a tax code typed for another firm");
    let link = app
        .post(
            &format!("/api/v1/cases/{id}/business-link"),
            Some(h),
            &json!({"business_id": entry.body["id"]}),
        )
        .await;
    assert_eq!(link.status, 200, "{}", link.body);
    let page = crate::console::get(app, &format!("/console/cases/{id}"), Some(&s)).await;
    assert_eq!(
        offered(&page.html).as_deref(),
        Some(BUSINESS_MAIL),
        "confirmed by staff"
    );
}
both_backends!(the_forwarding_form_offers_the_registry_s_address);
