//! The knowledge base (issue 13 item 7): a supervisor writes a draft (not public), publishes it
//! (public, found without diacritics, question matches first), edits it (each edit a revision;
//! a stale version is a conflict that changes nothing); an operator reads but cannot edit, and
//! links the article to an advised call, which counts as a use.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{assert_problem, TestApp};

fn article(question: &str, answer: &str) -> Value {
    json!({
        "question": question,
        "answer": answer,
        "legal_basis": ["Điều 28 Luật Bảo vệ quyền lợi người tiêu dùng 2023", "Điều 17 Nghị định 55/2024/NĐ-CP"],
        "category": "insurance",
    })
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post("/api/v1/kb/articles", Some(token), body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn ids(body: &Value) -> Vec<String> {
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_draft_becomes_public_when_published_and_is_found_without_diacritics(app: &TestApp) {
    let (_, sup) = app.user("sup.kb", "supervisor", Some("SCT")).await;
    let a = create(
        app,
        &sup,
        &article(
            "Mua bảo hiểm qua điện thoại có được hủy không?",
            "Có. Bạn có quyền hủy hợp đồng giao kết từ xa.\n\nHãy gửi yêu cầu bằng văn bản.",
        ),
    )
    .await;
    assert_eq!(a["status"], "draft");
    assert_eq!(a["version"], 1);
    assert_eq!(a["use_count"], 0);
    assert!(!a["category_name"].as_str().unwrap().is_empty());
    let id = a["id"].as_str().unwrap();
    // An answer that only mentions the words ranks after a question holding them.
    let b = create(
        app,
        &sup,
        &json!({"question": "Hàng giả bán trên mạng thì báo ai?", "answer": "Báo Quản lý thị trường; nếu mua kèm bảo hiểm, giữ hóa đơn.", "category": "ecommerce", "status": "published"}),
    )
    .await;
    assert_eq!(b["status"], "published");
    assert_eq!(b["legal_basis"], json!([]));

    // A draft is not public.
    let r = app.get("/api/v1/public/kb?q=bao%20hiem", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r.body), [b["id"].as_str().unwrap()]);
    assert_eq!(app.get(&format!("/api/v1/public/kb/{id}"), None).await.status, 404);

    let r = app
        .patch_json(
            &format!("/api/v1/kb/articles/{id}"),
            &sup,
            &json!({"version": 1, "status": "published"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert!(r.body["published_at"].is_string());

    // Without diacritics, any case; the question match first; a started last word matches.
    for q in ["bao%20hiem", "BAO%20HIEM", "b%E1%BA%A3o%20hi%E1%BB%83m", "bao%20hi"] {
        let r = app.get(&format!("/api/v1/public/kb?q={q}"), None).await;
        assert_eq!(ids(&r.body), [id, b["id"].as_str().unwrap()], "{q}");
    }
    // Whole words only, except the last: "ao" is no word of either article.
    let r = app.get("/api/v1/public/kb?q=ao%20hiem", None).await;
    assert_eq!(ids(&r.body), Vec::<String>::new());
    // By the legal basis, and by category.
    let r = app.get("/api/v1/public/kb?q=dieu%2028", None).await;
    assert_eq!(ids(&r.body), [id]);
    let r = app.get("/api/v1/public/kb?category=ecommerce", None).await;
    assert_eq!(ids(&r.body), [b["id"].as_str().unwrap()]);
    let r = app.get(&format!("/api/v1/public/kb/{id}"), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["legal_basis"][0],
        "Điều 28 Luật Bảo vệ quyền lợi người tiêu dùng 2023"
    );
    assert!(r.body.get("created_by").is_none(), "no staff ids in public: {}", r.body);
    assert!(r.body.get("status").is_none());
    // Unknown query parameters and statuses are refused.
    assert_problem(
        &app.get("/api/v1/public/kb?status=draft", None).await,
        400,
        "invalid_query",
    );
    assert_problem(
        &app.get("/api/v1/kb/articles?status=secret", Some(&sup)).await,
        400,
        "invalid_query",
    );
}
both_backends!(a_draft_becomes_public_when_published_and_is_found_without_diacritics);

async fn every_edit_keeps_a_revision_and_a_stale_version_conflicts(app: &TestApp) {
    let (sup_id, sup) = app.user("sup.kb2", "supervisor", Some("SCT")).await;
    let (_, coord) = app.user("coord.kb", "coordinator", Some("SCT")).await;
    let a = create(app, &sup, &article("Đổi trả hàng online thế nào?", "Trong 7 ngày.")).await;
    let id = a["id"].as_str().unwrap();
    let url = format!("/api/v1/kb/articles/{id}");

    let r = app
        .patch_json(
            &url,
            &coord,
            &json!({"version": 1, "answer": "Trong 7 ngày, theo chính sách của sàn.", "category": "ecommerce"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["version"], 2);
    assert_eq!(r.body["category"], "ecommerce");
    // The question is kept; the supervisor, who read version 1, conflicts and changes nothing.
    assert_eq!(r.body["question"], "Đổi trả hàng online thế nào?");
    let stale = app
        .patch_json(&url, &sup, &json!({"version": 1, "question": "Khác"}))
        .await;
    assert_problem(&stale, 409, "version_conflict");
    assert_eq!(stale.body["current_version"], 2, "{}", stale.body);
    // Bad content: 422 naming the field, nothing changed.
    let bad = app
        .patch_json(&url, &sup, &json!({"version": 2, "category": "no_such_category"}))
        .await;
    assert_problem(&bad, 422, "invalid_field");
    let bad = app
        .patch_json(&url, &sup, &json!({"version": 2, "question": "  "}))
        .await;
    assert_problem(&bad, 422, "required");
    // An edit that changes nothing is no new version.
    let same = app
        .patch_json(&url, &sup, &json!({"version": 2, "category": "ecommerce"}))
        .await;
    assert_eq!(same.body["version"], 2);
    let r = app
        .patch_json(
            &url,
            &sup,
            &json!({"version": 2, "legal_basis": ["Điều 40 Luật BVQLNTD 2023"]}),
        )
        .await;
    assert_eq!(r.body["version"], 3);

    let revs = app.get(&format!("{url}/revisions"), Some(&sup)).await;
    assert_eq!(revs.status, 200);
    let revs = revs.body.as_array().unwrap().clone();
    assert_eq!(revs.len(), 2, "{revs:?}");
    // Newest first: version 2 as it was (the coordinator's edit), edited by the supervisor.
    assert_eq!(revs[0]["version"], 2);
    assert_eq!(revs[0]["answer"], "Trong 7 ngày, theo chính sách của sàn.");
    assert_eq!(revs[0]["edited_by"], sup_id.as_str());
    assert_eq!(revs[0]["edited_by_name"], "sup.kb2");
    assert_eq!(revs[1]["version"], 1);
    assert_eq!(revs[1]["answer"], "Trong 7 ngày.");
    assert_eq!(revs[1]["category"], "insurance");
    assert_eq!(revs[1]["legal_basis"].as_array().unwrap().len(), 2);
    assert_problem(
        &app.get("/api/v1/kb/articles/nope/revisions", Some(&sup)).await,
        404,
        "not_found",
    );
}
both_backends!(every_edit_keeps_a_revision_and_a_stale_version_conflicts);

async fn an_operator_reads_links_an_advised_call_and_the_use_is_counted(app: &TestApp) {
    let (_, sup) = app.user("sup.kb3", "supervisor", Some("SCT")).await;
    let (_, op) = app.user("op.kb", "operator", Some("SCT")).await;
    let (_, op2) = app.user("op.kb.qltt", "operator", Some("QLTT")).await;
    let mut body = article(
        "Bảo hiểm xe máy bắt buộc mua ở đâu?",
        "Ở doanh nghiệp bảo hiểm được cấp phép.",
    );
    body["status"] = json!("published");
    let a = create(app, &sup, &body).await;
    let id = a["id"].as_str().unwrap();
    let draft = create(app, &sup, &article("Nháp", "Chưa xong.")).await;

    // An operator reads (drafts too, in the staff API) but cannot edit or create.
    let r = app.get("/api/v1/kb/articles?q=bao%20hiem%20xe", Some(&op)).await;
    assert_eq!(ids(&r.body), [id]);
    let r = app.get("/api/v1/kb/articles?status=draft", Some(&op)).await;
    assert_eq!(ids(&r.body), [draft["id"].as_str().unwrap()]);
    let r = app
        .patch_json(
            &format!("/api/v1/kb/articles/{id}"),
            &op,
            &json!({"version": 1, "answer": "Sai"}),
        )
        .await;
    assert_problem(&r, 403, "forbidden");
    assert_problem(
        &app.post("/api/v1/kb/articles", Some(&op), &body).await,
        403,
        "forbidden",
    );
    assert_eq!(app.get("/api/v1/kb/articles", None).await.status, 401);

    let call = |outcome: &str, article: &str| json!({"caller_phone": "0912 345 678", "started_at": "2026-11-23T10:00:00+07:00", "outcome": outcome, "kb_article_id": article});
    let r = app.post("/api/v1/calls", Some(&op), &call("advised", id)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["kb_article_id"], id);
    let got = app
        .get(&format!("/api/v1/calls/{}", r.body["id"].as_str().unwrap()), Some(&op))
        .await;
    assert_eq!(got.body["kb_article_id"], id);
    let r = app.post("/api/v1/calls", Some(&op2), &call("advised", id)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    // Only an advised call links an article, and only a published one.
    let r = app.post("/api/v1/calls", Some(&op), &call("out_of_scope", id)).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "kb_article_id");
    let r = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &call("advised", draft["id"].as_str().unwrap()),
        )
        .await;
    assert_problem(&r, 422, "invalid_field");
    let r = app
        .post("/api/v1/calls", Some(&op), &call("advised", "not-an-id"))
        .await;
    assert_problem(&r, 422, "invalid_field");

    // A callback completed afterwards as advised links the article too.
    let cb = app
        .post(
            "/api/v1/calls",
            Some(&op),
            &json!({"caller_phone": "0912345678", "started_at": "2026-11-23T11:00:00+07:00", "outcome": "callback"}),
        )
        .await;
    let cb_url = format!("/api/v1/calls/{}", cb.body["id"].as_str().unwrap());
    let r = app.patch_json(&cb_url, &op, &json!({"kb_article_id": id})).await;
    assert_problem(&r, 422, "invalid_field");
    let r = app
        .patch_json(
            &cb_url,
            &op,
            &json!({"outcome": "advised", "callback_done": true, "kb_article_id": id}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["kb_article_id"], id);

    let r = app.get(&format!("/api/v1/kb/articles/{id}"), Some(&sup)).await;
    assert_eq!(r.body["use_count"], 3, "{}", r.body);
    let r = app.get("/api/v1/kb/articles", Some(&sup)).await;
    let listed: Vec<i64> = r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["use_count"].as_i64().unwrap())
        .collect();
    assert_eq!(listed.iter().sum::<i64>(), 3);
}
both_backends!(an_operator_reads_links_an_advised_call_and_the_use_is_counted);

/// A console or site page without following redirects: (status, Location, body).
async fn page(
    app: &TestApp,
    path: &str,
    session: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> (u16, String, String) {
    let client = crate::helpers::test_client(false);
    let mut req = match form {
        Some(_) => client.post(app.url(path)),
        None => client.get(app.url(path)),
    };
    if let Some(s) = session {
        req = req.insert_header(("Cookie", format!("hotline_console={s}")));
    }
    let mut r = match form {
        Some(f) => req.send_form(&f).await.unwrap(),
        None => req.send().await.unwrap(),
    };
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = r.body().limit(10 * 1024 * 1024).await.unwrap();
    (
        r.status().as_u16(),
        location,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_owned()
}

async fn the_console_and_the_site_show_the_knowledge_base(app: &TestApp) {
    let (_, sup) = app.user("sup.kbc", "supervisor", Some("SCT")).await;
    let (_, op) = app.user("op.kbc", "operator", Some("SCT")).await;

    // A supervisor writes an article with the console's form, then publishes it.
    let (status, _, html) = page(app, "/console/kb/new", Some(&sup), None).await;
    assert_eq!(status, 200);
    let csrf = hidden(&html, "csrf");
    let fields = [
        ("question", "Mua bảo hiểm xe máy ở đâu?"),
        (
            "answer",
            "Ở doanh nghiệp bảo hiểm được cấp phép.\r\n\r\nGiữ giấy chứng nhận bảo hiểm.",
        ),
        (
            "legal_basis",
            "Điều 28 Luật BVQLNTD 2023\r\nĐiều 6 Nghị định 67/2023/NĐ-CP",
        ),
        ("category", "insurance"),
    ];
    let (status, _, _) = page(app, "/console/kb", Some(&sup), Some(&fields)).await;
    assert_eq!(status, 403, "no CSRF token, nothing written");
    let mut with = vec![("csrf", csrf.as_str())];
    with.extend(fields);
    let (status, _, html) = page(
        app,
        "/console/kb",
        Some(&sup),
        Some(&[
            ("csrf", csrf.as_str()),
            ("question", " "),
            ("answer", "x"),
            ("category", "insurance"),
        ]),
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("has-error"), "{html}");
    let (status, location, _) = page(app, "/console/kb", Some(&sup), Some(&with)).await;
    assert_eq!(status, 303);
    assert!(location.ends_with("?done=created"), "{location}");
    let path = location.split('?').next().unwrap().to_owned();
    let id = path.rsplit('/').next().unwrap().to_owned();
    let (_, _, html) = page(app, &path, Some(&sup), None).await;
    assert!(
        html.contains("Bản nháp") && html.contains("Giữ giấy chứng nhận bảo hiểm."),
        "{html}"
    );
    // Not public yet, and not for the operator's page either.
    assert_eq!(page(app, &format!("/hoi-dap/{id}"), None, None).await.0, 404);
    assert_eq!(page(app, &path, Some(&op), None).await.0, 404);
    let publish = [("csrf", csrf.as_str()), ("version", "1"), ("status", "published")];
    let (status, location, _) = page(app, &path, Some(&sup), Some(&publish)).await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{path}?done=published").as_str())
    );
    // The same button again is a stale version: the form says someone changed the article.
    let (status, _, html) = page(app, &path, Some(&sup), Some(&publish)).await;
    assert_eq!(status, 409);
    assert!(html.contains("vừa được người khác sửa"), "{html}");
    let (_, _, html) = page(app, &format!("{path}/edit"), Some(&sup), None).await;
    assert!(html.contains("sửa phiên bản 1"), "the revision listed: {html}");

    // The operator: finds it without diacritics, cannot edit, links it to an advised call.
    let (_, _, html) = page(app, "/console/kb?q=bao+hiem+xe", Some(&op), None).await;
    assert!(html.contains("Mua bảo hiểm xe máy ở đâu?"), "{html}");
    assert!(!html.contains("Lượt dùng"), "use counts are for editors");
    assert_eq!(page(app, "/console/kb/new", Some(&op), None).await.0, 403);
    let (status, _, json) = page(app, "/console/kb/suggest?q=BAO%20HIEM", Some(&op), None).await;
    assert_eq!(status, 200);
    let found: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(found[0]["id"], id.as_str());
    assert_eq!(found[0]["paragraphs"].as_array().unwrap().len(), 2);
    let (_, _, html) = page(app, "/console/calls/new", Some(&op), None).await;
    let op_csrf = hidden(&html, "csrf");
    let started = hidden(&html, "started_at");
    let call = [
        ("csrf", op_csrf.as_str()),
        ("started_at", started.as_str()),
        ("caller_phone", "0912 345 678"),
        ("note", "Hỏi mua bảo hiểm xe máy ở đâu"),
        ("kb_q", "bao hiem xe"),
    ];
    let (status, _, html) = page(
        app,
        "/console/calls",
        Some(&op),
        Some(&[&call[..], &[("step", "suggest")]].concat()),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!("name=\"kb_article_id\" value=\"{id}\"")),
        "the search without JavaScript: {html}"
    );
    let (status, location, _) = page(
        app,
        "/console/calls",
        Some(&op),
        Some(&[&call[..], &[("kb_article_id", id.as_str()), ("step", "advised")]].concat()),
    )
    .await;
    assert_eq!(status, 303);
    let (_, _, html) = page(app, &location, Some(&op), None).await;
    assert!(
        html.contains("Bài hỏi đáp đã dùng: «Mua bảo hiểm xe máy ở đâu?»"),
        "{html}"
    );
    // The caller's earlier call shows the article.
    let (_, _, html) = page(
        app,
        "/console/calls",
        Some(&op),
        Some(&[&call[..3], &[("step", "suggest")]].concat()),
    )
    .await;
    assert!(html.contains("(bài «Mua bảo hiểm xe máy ở đâu?»)"), "{html}");
    let (_, _, html) = page(app, "/console/kb?status=published", Some(&sup), None).await;
    assert!(html.contains("<td>1</td>"), "the use counted: {html}");

    // The citizen site: linked from the home page, searched without diacritics.
    let (_, _, home) = page(app, "/", None, None).await;
    assert!(home.contains("href=\"/hoi-dap\""), "{home}");
    let (status, _, html) = page(app, "/hoi-dap?q=bao+hiem", None, None).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("/hoi-dap/{id}")), "{html}");
    let (_, _, html) = page(app, "/hoi-dap?q=khong+co+tu+nay", None, None).await;
    assert!(html.contains("Chưa có câu hỏi nào có các từ này"), "{html}");
    let (status, _, html) = page(app, &format!("/hoi-dap/{id}"), None, None).await;
    assert_eq!(status, 200);
    assert!(html.contains("Điều 6 Nghị định 67/2023/NĐ-CP"), "{html}");
    // In English: the page's words are, the articles stay Vietnamese and say so.
    let (_, _, html) = page(app, "/hoi-dap?q=bao+hiem&lang=en", None, None).await;
    assert!(html.contains("Questions and answers for consumers"), "{html}");
    assert!(html.contains("written in Vietnamese"), "{html}");
    assert!(html.contains(&format!("/hoi-dap/{id}?lang=en")), "{html}");
}
both_backends!(the_console_and_the_site_show_the_knowledge_base);
