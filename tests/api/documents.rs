//! The printable documents (issue 12 item 8): the Art 65 record of a successful mediation and
//! the letter closing a failed one, as PDFs made from the recorded event, kept as evidence of
//! the case and served the same afterwards. The text is checked with `pdftotext`
//! (poppler-utils) and the first page rendered to PNG under `target/screenshots/`.

use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{dispute, TestApp};

/// `pdftotext -layout` of the bytes, or `None` where poppler-utils is missing outside CI.
pub(crate) fn pdf_text(pdf: &[u8], png_name: &str) -> Option<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{png_name}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let out = match std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
    {
        Ok(o) if o.status.success() => o,
        _ if std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("pdftotext is required in CI (scripts/test.sh installs poppler-utils)")
        }
        _ => {
            eprintln!("\n!!!!! SKIPPING the PDF text check: pdftotext (poppler-utils) is missing !!!!!\n");
            return None;
        }
    };
    // The first page as a PNG, to look at.
    let _ = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(dir.join(png_name))
        .status();
    Some(String::from_utf8(out.stdout).unwrap())
}

pub(crate) fn backend(app: &TestApp) -> &'static str {
    if app.state.settings.database.url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    }
}

/// A dispute of SCT in mediation with an appointed mediator: (case, handler, mediator).
async fn in_mediation(app: &TestApp, tag: &str) -> (Value, String, String) {
    let (_, h) = app.user(&format!("doc.h.{tag}"), "handler", Some("SCT")).await;
    let (mid, m) = app
        .listed_mediator(&format!("doc.m.{tag}"), "HOI", &["Tiếng Việt"])
        .await;
    let c = app.open_case(&h, &dispute()).await;
    let c = app.act_ok(&h, &c, "route", json!({"agency": "SCT"})).await;
    let c = app.act_ok(&h, &c, "accept", json!({})).await;
    let c = app.act_ok(&h, &c, "forward_to_business", json!({})).await;
    let no = json!({"result": "no_answer", "reason": "Doanh nghiệp không trả lời."});
    let c = app.act_ok(&h, &c, "record_negotiation_result", no).await;
    let c = app
        .act_ok(&h, &c, "appoint_mediator", json!({"mediator_id": mid}))
        .await;
    (c, h, m)
}

async fn the_mediation_record_is_printed_once_and_kept_as_evidence(app: &TestApp) {
    // A fixed day after the mediation the record names (a record is made once its meeting was
    // held, and its date of performance is not past).
    app.state.clock.set(crate::helpers::local_noon("2026-12-01"));
    let (c, h, m) = in_mediation(app, "ok").await;
    let id = c["id"].as_str().unwrap();
    let url = format!("/api/v1/cases/{id}/documents/mediation-record.pdf");
    // Nothing recorded yet: no record to print.
    assert_eq!(app.get(&url, Some(&h)).await.status, 404);
    let record = json!({
        "mediator": "Hội Bảo vệ quyền lợi người tiêu dùng tỉnh – hòa giải viên Trần Thị Hương",
        "parties": "Ông Nguyễn Văn An (người tiêu dùng); Công ty TNHH Điện máy Ánh Dương",
        "held_at": "2026-11-27T09:00:00+07:00",
        "place": "Trụ sở Hội, 12 Lê Lợi",
        "subject": "Máy giặt hỏng sau 10 ngày sử dụng, cửa hàng từ chối đổi",
        "parties_views": "Người tiêu dùng đề nghị đổi máy mới; doanh nghiệp đồng ý đổi và chịu phí vận chuyển.",
        "result": "Doanh nghiệp đổi máy giặt mới cùng loại và giao tận nhà.",
        "performance_deadline": "2026-12-15",
        "other_terms": "Bảo hành lại 24 tháng kể từ ngày giao máy mới."
    });
    let c = app
        .act_ok(
            &m,
            &c,
            "record_mediation_result",
            json!({"success": true, "record": record}),
        )
        .await;
    assert_eq!(c["outcome"], "settled_mediation");

    let first = app.get(&url, Some(&h)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.content_type, "application/pdf");
    assert!(first.raw.starts_with(b"%PDF-"));
    // Kept as evidence of the case, with an event; the mediator gets the very same file.
    let case = app.get(&format!("/api/v1/cases/{id}"), Some(&h)).await.body;
    let files: Vec<&Value> = case["evidence"].as_array().unwrap().iter().collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0]["media_type"], "application/pdf");
    let name = files[0]["file_name"].as_str().unwrap();
    assert!(name.starts_with("bien-ban-hoa-giai-thanh-KN-"), "{name}");
    let again = app.get(&url, Some(&m)).await;
    assert_eq!(again.raw, first.raw);
    let events = app.get(&format!("/api/v1/cases/{id}/events"), Some(&h)).await.body;
    let generated = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "document_generated")
        .count();
    assert_eq!(generated, 1, "{events}");

    if let Some(text) = pdf_text(&first.raw, &format!("{}-mediation-record", backend(app))) {
        for expected in [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "BIÊN BẢN HÒA GIẢI THÀNH",
            "1. Tổ chức, cá nhân hòa giải:",
            "Trần Thị Hương",
            "3. Thời gian, địa điểm hòa giải:",
            "09:00, ngày 27/11/2026, tại Trụ sở Hội, 12 Lê Lợi",
            "7. Thời hạn thực hiện kết quả hòa giải:",
            "15/12/2026",
            "8. Các thỏa thuận khác:",
            "Bảo hành lại 24 tháng",
            "Điều 418",
            "HÒA GIẢI VIÊN",
            "TỔ CHỨC HÒA GIẢI",
            "Trang 1/",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }
    // Another agency's staff: no such case.
    let (_, other) = app.user("doc.qltt", "handler", Some("QLTT")).await;
    assert_eq!(app.get(&url, Some(&other)).await.status, 404);
    // No negotiation record on this case, and no such document at all.
    let none = format!("/api/v1/cases/{id}/documents/negotiation-record.pdf");
    assert_eq!(app.get(&none, Some(&h)).await.status, 404);
    let unknown = format!("/api/v1/cases/{id}/documents/passport.pdf");
    assert_eq!(app.get(&unknown, Some(&h)).await.status, 404);
    app.state.clock.reset();
}
both_backends!(the_mediation_record_is_printed_once_and_kept_as_evidence);

async fn a_failed_mediation_has_its_closing_letter(app: &TestApp) {
    let (c, h, m) = in_mediation(app, "fail").await;
    let id = c["id"].as_str().unwrap();
    let body = json!({"success": false, "failure_reason": "Doanh nghiệp không đồng ý bồi thường.", "advice": "Có thể khởi kiện theo thủ tục rút gọn."});
    app.act_ok(&m, &c, "record_mediation_result", body).await;
    let r = app
        .get(
            &format!("/api/v1/cases/{id}/documents/mediation-failure-letter.pdf"),
            Some(&h),
        )
        .await;
    assert_eq!(r.status, 200);
    if let Some(text) = pdf_text(&r.raw, &format!("{}-mediation-failure", backend(app))) {
        for expected in [
            "THÔNG BÁO KẾT QUẢ HÒA GIẢI KHÔNG THÀNH",
            "Doanh nghiệp không đồng ý bồi thường.",
            "Có thể khởi kiện theo thủ tục rút gọn.",
            "trọng tài",
            "không",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
    }
    // No success record on this case.
    let record = format!("/api/v1/cases/{id}/documents/mediation-record.pdf");
    assert_eq!(app.get(&record, Some(&h)).await.status, 404);
}
both_backends!(a_failed_mediation_has_its_closing_letter);
