use sha2::{Digest, Sha256};

use crate::both_backends;
use crate::helpers::{assert_problem, dispute, TestApp};

fn multipart(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----hotlineBoundary7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn evidence_is_stored_with_its_hash_and_served_only_to_readers(app: &TestApp) {
    let (_, h) = app.user("h.file", "handler", Some("SCT")).await;
    let (_, other) = app.user("h.other", "handler", Some("QLTT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let id = c["id"].as_str().unwrap();
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    let (ct, body) = multipart("hóa đơn.jpg", &bytes);
    let r = app
        .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&h), &ct, body.clone())
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let ev = &r.body[0];
    assert_eq!(ev["sha256"], hex::encode(Sha256::digest(&bytes)));
    assert_eq!(ev["size_bytes"], 100_000);
    assert_eq!(ev["file_name"], "hóa đơn.jpg");
    let eid = ev["id"].as_str().unwrap();
    let got = app.get(&format!("/api/v1/cases/{id}/evidence/{eid}"), Some(&h)).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.raw, bytes);
    assert_problem(
        &app.get(&format!("/api/v1/cases/{id}/evidence/{eid}"), Some(&other))
            .await,
        404,
        "not_found",
    );
    let r = app
        .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&other), &ct, body)
        .await;
    assert_problem(&r, 404, "not_found");
    let case = app.case(&h, id).await;
    assert_eq!(case.body["evidence"].as_array().unwrap().len(), 1);
    let v = app.get(&format!("/api/v1/cases/{id}/events/verify"), Some(&h)).await;
    assert_eq!(v.body["valid"], true);
    assert_eq!(v.body["events"], 2);
}
both_backends!(evidence_is_stored_with_its_hash_and_served_only_to_readers);

async fn oversized_evidence_is_refused_and_leaves_nothing(app: &TestApp) {
    let (_, h) = app.user("h.big", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let id = c["id"].as_str().unwrap();
    let limit = app.state.settings.server.max_upload_bytes;
    let (ct, body) = multipart("big.bin", &vec![7u8; limit + 1]);
    let r = app
        .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&h), &ct, body)
        .await;
    assert_problem(&r, 413, "payload_too_large");
    let case = app.case(&h, id).await;
    assert_eq!(case.body["evidence"].as_array().unwrap().len(), 0);
    let leftovers = std::fs::read_dir(app.state.settings.evidence_dir()).unwrap().count();
    assert_eq!(leftovers, 0, "no temporary file left behind");
    let r = app
        .post_raw(
            &format!("/api/v1/cases/{id}/evidence"),
            Some(&h),
            "application/json",
            b"{}".to_vec(),
        )
        .await;
    assert_problem(&r, 400, "bad_multipart");
}
both_backends!(oversized_evidence_is_refused_and_leaves_nothing);

fn multipart_files(files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "----hotlineBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/jpeg\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A refused upload leaves no file behind, even the parts stored before the refusal; a case
/// holds at most `server.max_evidence_bytes_per_case`.
async fn refused_uploads_leave_no_orphans_and_cases_have_a_quota(backend: crate::common::Backend) {
    let Some(app) = crate::helpers::spawn_app_with(backend, |s| {
        s.server.max_upload_bytes = 100_000;
        s.server.max_evidence_bytes_per_case = 150_000;
    })
    .await
    else {
        return;
    };
    let (_, h) = app.user("h.quota", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let id = c["id"].as_str().unwrap();
    let url = format!("/api/v1/cases/{id}/evidence");
    let files_on_disk = || std::fs::read_dir(app.state.settings.evidence_dir()).unwrap().count();

    // The first part is stored, the second is too large: neither stays.
    let (ct, body) = multipart_files(&[("a.jpg", vec![1u8; 1_000]), ("b.jpg", vec![2u8; 100_001])]);
    assert_problem(&app.post_raw(&url, Some(&h), &ct, body).await, 413, "payload_too_large");
    assert_eq!(files_on_disk(), 0);

    let (ct, body) = multipart_files(&[("c.jpg", vec![3u8; 90_000])]);
    assert_eq!(app.post_raw(&url, Some(&h), &ct, body).await.status, 201);
    // Two more files of 40 KB would put the case over 150 KB: refused, nothing stays.
    let (ct, body) = multipart_files(&[("d.jpg", vec![4u8; 40_000]), ("e.jpg", vec![5u8; 40_000])]);
    let r = app.post_raw(&url, Some(&h), &ct, body).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "file");
    assert_eq!(files_on_disk(), 1, "only the accepted file");
    assert_eq!(app.case(&h, id).await.body["evidence"].as_array().unwrap().len(), 1);
    app.assert_no_failed_jobs();
}

#[actix_web::test]
async fn refused_uploads_leave_no_orphans_sqlite() {
    refused_uploads_leave_no_orphans_and_cases_have_a_quota(crate::common::Backend::Sqlite).await;
}
#[actix_web::test]
async fn refused_uploads_leave_no_orphans_postgres() {
    refused_uploads_leave_no_orphans_and_cases_have_a_quota(crate::common::Backend::Postgres).await;
}
