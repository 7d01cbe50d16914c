//! Citizens' evidence files (issue 11): on the complaint form (multipart), on its JSON twin,
//! and with the information they send; recognised by their bytes, limited by `[evidence]`,
//! stored like staff evidence, and nothing left behind when a submission is refused.

use sha2::{Digest, Sha256};

use crate::both_backends;
use crate::helpers::{assert_problem, TestApp};

/// A file part: (field, file name, bytes).
pub type Part<'a> = (&'a str, &'a str, &'a [u8]);

pub const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01photo-of-the-receipt";
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A multipart body: text fields, then files (`(field, file name, bytes)`).
pub fn multipart(fields: &[(&str, &str)], files: &[Part]) -> (String, Vec<u8>) {
    let boundary = format!("----hotline{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, file, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// POST without following redirects: (status, body, Location).
pub async fn post_multipart(app: &TestApp, path: &str, ct: &str, body: Vec<u8>) -> (u16, String, Option<String>) {
    let client = crate::helpers::test_client(false);
    let mut r = client
        .post(app.url(path))
        .insert_header(("content-type", ct))
        .send_body(body)
        .await
        .unwrap();
    let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    let text = String::from_utf8_lossy(&r.body().limit(1 << 20).await.unwrap()).into_owned();
    (r.status().as_u16(), text, location)
}

pub const FORM: [(&str, &str); 8] = [
    ("idempotency_key", "evidence-form-1"),
    (
        "description",
        "Tôi mua nồi cơm điện ở cửa hàng Ánh Dương, dùng 3 ngày thì hỏng.",
    ),
    ("consumer_request", "Đổi sản phẩm mới"),
    ("amount_vnd", "1.250.000"),
    ("consumer.name", "Nguyễn Thị Hồng"),
    ("consumer.phone", "0912 345 678"),
    ("consumer.email", "hong.nguyen@example.com"),
    ("consent", "true"),
];

/// Files under the evidence folder: (content-addressed, temporary).
fn files_on_disk(app: &TestApp) -> (Vec<String>, Vec<String>) {
    let dir = app.state.settings.evidence_dir();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.into_iter().partition(|n| !n.starts_with(".upload-"))
}

async fn cases_of(app: &TestApp) -> Vec<serde_json::Value> {
    let (_, coord) = app.user("dp.files", "coordinator", Some("SCT")).await;
    let list = app.get("/api/v1/cases", Some(&coord)).await;
    let mut out = Vec::new();
    for item in list.body["items"].as_array().unwrap() {
        out.push(app.case(&coord, item["id"].as_str().unwrap()).await.body);
    }
    out
}

async fn citizens_attach_evidence_on_the_form(app: &TestApp) {
    let (ct, body) = multipart(
        &FORM,
        &[
            ("evidence", "hóa đơn.jpg", JPEG),
            ("evidence", "phiếu bảo hành.pdf", PDF),
            // A file input left empty sends a part with no name and no bytes.
            ("evidence", "", b""),
        ],
    );
    let (status, page, location) = post_multipart(app, "/complaints", &ct, body.clone()).await;
    assert_eq!(status, 303, "{page}");
    let location = location.unwrap();
    // A double submission (the browser picks a new boundary) is one complaint, its files once.
    let (ct2, body2) = multipart(
        &FORM,
        &[
            ("evidence", "hóa đơn.jpg", JPEG),
            ("evidence", "phiếu bảo hành.pdf", PDF),
        ],
    );
    assert_ne!(ct, ct2);
    let (status, _, _) = post_multipart(app, "/complaints", &ct2, body2).await;
    assert_eq!(status, 303);

    let cases = cases_of(app).await;
    assert_eq!(cases.len(), 1, "one complaint");
    let ev = cases[0]["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!(ev[0]["file_name"], "hóa đơn.jpg");
    assert_eq!(ev[0]["media_type"], "image/jpeg");
    assert_eq!(ev[0]["sha256"], hex::encode(Sha256::digest(JPEG)));
    assert_eq!(ev[1]["media_type"], "application/pdf");
    assert!(ev[0]["uploaded_by"].is_null(), "sent by the citizen");
    let (stored, temporary) = files_on_disk(app);
    assert!(temporary.is_empty(), "{temporary:?}");
    assert_eq!(stored.len(), 2);

    // The receipt lists what was received.
    let receipt = app.get(&location, None).await;
    let page = String::from_utf8_lossy(&receipt.raw).into_owned();
    assert!(page.contains("Tài liệu quý vị đã gửi"), "{page}");
    assert!(page.contains("hóa đơn.jpg") && page.contains("phiếu bảo hành.pdf"));
    assert!(page.contains("(1 KB)"));
    assert!(!page.contains("/evidence/"), "no link to the files");
    let token = location.trim_start_matches("/t/").split('?').next().unwrap();
    let json = app.get(&format!("/api/v1/public/links/{token}"), None).await;
    assert_eq!(json.body["files"].as_array().unwrap().len(), 2, "{}", json.body);
}
both_backends!(citizens_attach_evidence_on_the_form);

/// Refused files re-render the form with every value and a message linked to the file input;
/// nothing is written, no temporary file stays.
async fn refused_files_keep_the_form_and_store_nothing(app: &TestApp) {
    let max = app.state.settings.evidence.public_max_files;
    let big = vec![b'%'; app.state.settings.evidence.public_max_file_bytes + 1];
    let mut big_pdf = PDF.to_vec();
    big_pdf.extend_from_slice(&big);
    let many: Vec<Part> = (0..=max).map(|_| ("evidence", "anh.jpg", JPEG)).collect();
    let cases: [(&str, Vec<Part>); 4] = [
        (
            "không thuộc loại được nhận",
            vec![("evidence", "anh.jpg", b"MZ\x90\x00 a program".as_slice())],
        ),
        ("lớn hơn", vec![("evidence", "to.pdf", big_pdf.as_slice())]),
        ("tối đa", many),
        ("không có nội dung", vec![("evidence", "rong.pdf", b"".as_slice())]),
    ];
    for (expected, files) in cases {
        let (ct, body) = multipart(&FORM, &files);
        let (status, page, _) = post_multipart(app, "/complaints", &ct, body).await;
        assert_eq!(status, 422, "{expected}");
        assert!(page.contains("Vui lòng sửa 1 mục"), "{page}");
        assert!(
            page.contains("href=\"#evidence\""),
            "the summary links to the file input"
        );
        assert!(page.contains(expected), "{expected}: {page}");
        assert!(
            page.contains("value=\"Nguyễn Thị Hồng\"") && page.contains("value=\"1.250.000\""),
            "values kept"
        );
        assert!(page.contains("enctype=\"multipart/form-data\""));
    }
    // Another field wrong, the files right: they are not kept, and the page says so.
    let mut fields = FORM.to_vec();
    fields.retain(|(k, _)| *k != "description");
    let (ct, body) = multipart(&fields, &[("evidence", "a.jpg", JPEG), ("evidence", "b.pdf", PDF)]);
    let (status, page, _) = post_multipart(app, "/complaints", &ct, body).await;
    assert_eq!(status, 422);
    assert!(page.contains("2 tệp quý vị đã chọn chưa được lưu"), "{page}");

    assert!(cases_of(app).await.is_empty(), "no case was written");
    let (stored, temporary) = files_on_disk(app);
    assert!(stored.is_empty() && temporary.is_empty(), "{stored:?} {temporary:?}");
}
both_backends!(refused_files_keep_the_form_and_store_nothing);

/// `POST /api/v1/public/complaints` as multipart: the JSON names with dots, evidence files,
/// the same refusals as problems, idempotent.
async fn the_json_twin_takes_multipart_with_evidence(app: &TestApp) {
    let fields = [
        ("description", "Điện thoại mua trên sàn bị lỗi màn hình sau 2 ngày."),
        ("amount_vnd", "3500000"),
        ("consumer.name", "Phạm Minh Đức"),
        ("consumer.phone", "0903 123 456"),
        ("consumer.vulnerable", "elderly"),
        ("consumer.vulnerable", "disability"),
        ("consumer.consent", "true"),
        ("business.name", "Cửa hàng Minh Phát"),
    ];
    for (code, files) in [
        (
            "file_type_not_allowed",
            vec![("evidence", "x.pdf", b"<html>".as_slice())],
        ),
        (
            "too_many_files",
            (0..=app.state.settings.evidence.public_max_files)
                .map(|_| ("evidence", "a.jpg", JPEG))
                .collect(),
        ),
    ] {
        let (ct, body) = multipart(&fields, &files);
        let r = app.post_raw("/api/v1/public/complaints", None, &ct, body).await;
        assert_problem(&r, 422, code);
        assert_eq!(r.body["field"], "evidence");
    }
    let (ct, body) = multipart(&[("description", "x")], &[]);
    let r = app.post_raw("/api/v1/public/complaints", None, &ct, body).await;
    assert_eq!(r.status, 422, "{}", r.body);

    let send = |ct: String, body: Vec<u8>| async move {
        let mut resp = app
            .client
            .post(app.url("/api/v1/public/complaints"))
            .insert_header(("content-type", ct))
            .insert_header(("Idempotency-Key", "api-multipart-1"))
            .send_body(body)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&resp.body().await.unwrap()).unwrap();
        (resp.status().as_u16(), v)
    };
    let (ct, body) = multipart(&fields, &[("evidence", "ghi-am.amr", b"#!AMR\n\x3c\x48".as_slice())]);
    let (status, first) = send(ct, body).await;
    assert_eq!(status, 201, "{first}");
    let (ct, body) = multipart(&fields, &[("evidence", "ghi-am.amr", b"#!AMR\n\x3c\x48".as_slice())]);
    let (status, again) = send(ct, body).await;
    assert_eq!(status, 200, "a replay");
    assert_eq!(first["tracking_code"], again["tracking_code"]);

    let cases = cases_of(app).await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["evidence"][0]["media_type"], "audio/amr");
    assert_eq!(cases[0]["evidence"].as_array().unwrap().len(), 1);
    assert_eq!(
        cases[0]["consumer"]["vulnerable"].as_array().map(Vec::len),
        Some(2),
        "{}",
        cases[0]
    );
    let (stored, temporary) = files_on_disk(app);
    assert_eq!((stored.len(), temporary.len()), (1, 0));
}
both_backends!(the_json_twin_takes_multipart_with_evidence);

/// A case waiting for the consumer's information: (private token, case id, handler token).
pub async fn awaiting_info(app: &TestApp) -> (String, String, String) {
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
    let (_, coord) = app.user("dp.info", "coordinator", Some("SCT")).await;
    let (_, h) = app.user("h.info", "handler", Some("SCT")).await;
    let list = app.get("/api/v1/cases", Some(&coord)).await.body;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let c = app.case(&coord, &id).await.body;
    let c = app.act_ok(&h, &c, "route", serde_json::json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", serde_json::json!({})).await;
    app.act_ok(
        &h,
        &c,
        "request_info",
        serde_json::json!({"requested": "Ảnh chụp hóa đơn."}),
    )
    .await;
    (token, id, h)
}

/// "Add information" on the private link's page and its JSON twin carry files: a refused file
/// shows the page again with the text kept and stores nothing; accepted files are the case's
/// evidence, sent by the citizen, in the same step as the information.
async fn information_carries_files(app: &TestApp) {
    let (token, id, h) = awaiting_info(app).await;
    let page = String::from_utf8_lossy(&app.get(&format!("/t/{token}"), None).await.raw).into_owned();
    assert!(page.contains("enctype=\"multipart/form-data\"") && page.contains("id=\"info-evidence\""));
    assert!(page.contains("Ảnh chụp hóa đơn."), "the page says what was asked");
    let csrf = {
        let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
        page[at..at + 32].to_owned()
    };
    let text = "Hóa đơn số 123 ngày 20/11/2026, ảnh chụp kèm theo.";
    let (ct, body) = multipart(
        &[("csrf", &csrf), ("info", text)],
        &[
            ("evidence", "hoa-don.jpg", JPEG),
            ("evidence", "setup.exe", b"MZ\x90\x00"),
        ],
    );
    let (status, page, _) = post_multipart(app, &format!("/t/{token}/info"), &ct, body).await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("href=\"#info-evidence\"") && page.contains("setup.exe"),
        "{page}"
    );
    assert!(page.contains(text), "the text is kept");
    assert!(page.contains("1 tệp quý vị đã chọn chưa được lưu"));
    assert_eq!(
        app.case(&h, &id).await.body["status"],
        "awaiting_info",
        "nothing happened"
    );
    let (stored, temporary) = files_on_disk(app);
    assert!(stored.is_empty() && temporary.is_empty());

    let (ct, body) = multipart(
        &[("csrf", &csrf), ("info", text)],
        &[
            ("evidence", "hoa-don.jpg", JPEG),
            ("evidence", "ghi-am.m4a", b"\0\0\0\x18ftypM4A \0\0\0\0"),
        ],
    );
    let (status, _, location) = post_multipart(app, &format!("/t/{token}/info"), &ct, body).await;
    assert_eq!(status, 303);
    assert_eq!(location.unwrap(), format!("/t/{token}?done=info"));
    let case = app.case(&h, &id).await.body;
    assert_ne!(case["status"], "awaiting_info");
    let ev = case["evidence"].as_array().unwrap();
    assert_eq!(ev.len(), 2);
    assert_eq!(ev[1]["media_type"], "audio/mp4");
    let page = String::from_utf8_lossy(&app.get(&format!("/t/{token}?done=info"), None).await.raw).into_owned();
    assert!(page.contains("ghi-am.m4a"), "the page lists the files sent");

    // The JSON twin: files only with information, refused like on the page.
    app.act_ok(
        &h,
        &case,
        "request_info",
        serde_json::json!({"requested": "Bản ghi âm cuộc gọi với cửa hàng."}),
    )
    .await;
    let path = format!("/api/v1/public/cases/{token}/information");
    let (ct, body) = multipart(&[("info", "Ghi âm kèm theo.")], &[("evidence", "a.mp3", b"<html>")]);
    let r = app.post_raw(&path, None, &ct, body).await;
    assert_problem(&r, 422, "file_type_not_allowed");
    let (ct, body) = multipart(&[], &[("evidence", "a.mp3", b"ID3\x04\0\0")]);
    assert_problem(&app.post_raw(&path, None, &ct, body).await, 422, "required");
    let (ct, body) = multipart(
        &[("info", "Ghi âm kèm theo.")],
        &[("evidence", "a.mp3", b"ID3\x04\0\0")],
    );
    let r = app.post_raw(&path, None, &ct, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["files"].as_array().unwrap().len(), 3);
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    let added: Vec<_> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "evidence_added")
        .collect();
    assert_eq!(added.len(), 2);
    assert_eq!(added[1]["actor_role"], "citizen");
    let (stored, temporary) = files_on_disk(app);
    assert_eq!((stored.len(), temporary.len()), (3, 0));
}
both_backends!(information_carries_files);

/// Every citizen page stays far under the 100 KB budget (ui.md), stylesheet included; the
/// weights are printed (`--nocapture`) for the notes.
async fn citizen_pages_stay_light(app: &TestApp) {
    let (ct, body) = multipart(&FORM, &[("evidence", "hoa-don.jpg", JPEG), ("evidence", "b.pdf", PDF)]);
    let (_, _, location) = post_multipart(app, "/complaints", &ct, body).await;
    let receipt = location.unwrap();
    let (asked, _, _) = awaiting_info(app).await;
    let (ct, body) = multipart(&[("description", "")], &[("evidence", "x.exe", b"MZ")]);
    let (_, errors, _) = post_multipart(app, "/complaints", &ct, body).await;
    let css = app.get("/static/site.css", None).await.raw.len();
    let mut weights = vec![("form with errors".to_owned(), errors.len())];
    let info = format!("/t/{asked}");
    for (name, path) in [
        ("home", "/"),
        ("form", "/complaints/new"),
        ("track", "/track"),
        ("receipt with 2 files", receipt.as_str()),
        ("status with the information form", info.as_str()),
    ] {
        weights.push((name.to_owned(), app.get(path, None).await.raw.len()));
    }
    for (page, bytes) in &weights {
        eprintln!("page weight: {page}: {bytes} B (+ {css} B stylesheet)");
        assert!(bytes + css < 100 * 1024, "{page}");
    }
}
both_backends!(citizen_pages_stay_light);
