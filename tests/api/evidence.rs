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

/// A refused upload leaves no file behind once the worker's hourly pass has run, even the
/// parts stored before the refusal (a request never deletes a file itself: ADR 0061); a case
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
    let dir = app.state.settings.evidence_dir();
    let files_on_disk = || std::fs::read_dir(&dir).unwrap().count();
    // The worker's pass, as it runs two hours later.
    let later = || async {
        let then = std::time::SystemTime::now() + 2 * hotline::service::evidence::ORPHAN_GRACE;
        hotline::service::evidence::remove_orphans(&app.state.db, &dir, then, hotline::service::evidence::ORPHAN_GRACE)
            .await
            .unwrap()
    };

    // The first part is stored, the second is too large: neither stays.
    let (ct, body) = multipart_files(&[("a.jpg", vec![1u8; 1_000]), ("b.jpg", vec![2u8; 100_001])]);
    assert_problem(&app.post_raw(&url, Some(&h), &ct, body).await, 413, "payload_too_large");
    assert_eq!(files_on_disk(), 1, "the first part, until the worker's pass");
    assert_eq!(later().await, 1);
    assert_eq!(files_on_disk(), 0);

    let (ct, body) = multipart_files(&[("c.jpg", vec![3u8; 90_000])]);
    assert_eq!(app.post_raw(&url, Some(&h), &ct, body).await.status, 201);
    // Two more files of 40 KB would put the case over 150 KB: refused, nothing stays.
    let (ct, body) = multipart_files(&[("d.jpg", vec![4u8; 40_000]), ("e.jpg", vec![5u8; 40_000])]);
    let r = app.post_raw(&url, Some(&h), &ct, body).await;
    assert_problem(&r, 422, "invalid_field");
    assert_eq!(r.body["field"], "file");
    assert_eq!(later().await, 2);
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

/// Sets a file's modification time `secs` seconds back.
fn age(path: &std::path::Path, secs: u64) {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

/// A failed request leaves what it stored (another may be committing the same file); the
/// worker's pass removes files no row names once they are older than the grace period, and
/// temporary uploads a crash left; it keeps every file a row names and every recent one, and
/// puts back a file an interrupted pass had moved aside.
async fn files_no_row_names_are_removed_after_the_grace_period(app: &TestApp) {
    use hotline::service::evidence::{remove_orphans, ORPHAN_GRACE};
    let (_, h) = app.user("h.orphan", "handler", Some("SCT")).await;
    let c = app.open_case(&h, &dispute()).await;
    let id = c["id"].as_str().unwrap();
    let (ct, body) = multipart("hoa-don.jpg", b"\xff\xd8\xff\xe0 a receipt");
    let r = app
        .post_raw(&format!("/api/v1/cases/{id}/evidence"), Some(&h), &ct, body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let kept = r.body[0]["sha256"].as_str().unwrap().to_owned();
    let dir = app.state.settings.evidence_dir();
    let hours = 2 * ORPHAN_GRACE.as_secs();
    age(&dir.join(&kept), hours);
    let orphan = hex::encode(Sha256::digest(b"refused"));
    let recent = hex::encode(Sha256::digest(b"being committed"));
    for (name, secs) in [(&orphan, hours), (&recent, 0)] {
        std::fs::write(dir.join(name), name).unwrap();
        age(&dir.join(name), secs);
    }
    let (temp, unrelated) = (dir.join(".upload-crashed"), dir.join("README"));
    std::fs::write(&temp, b"half").unwrap();
    std::fs::write(&unrelated, b"not ours").unwrap();
    age(&temp, hours);
    age(&unrelated, hours);
    // An earlier pass died between moving the kept file aside and deleting it.
    std::fs::rename(dir.join(&kept), dir.join(format!(".orphan-{kept}.0f3c9a"))).unwrap();

    let removed = remove_orphans(&app.state.db, &dir, std::time::SystemTime::now(), ORPHAN_GRACE)
        .await
        .unwrap();
    assert_eq!(removed, 2, "the old unreferenced file and the crashed upload");
    let mut left: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    let mut want = vec![kept.clone(), recent.clone(), "README".to_owned()];
    want.sort();
    assert_eq!(left, want);
    let case = app.case(&h, id).await;
    let eid = case.body["evidence"][0]["id"].as_str().unwrap().to_owned();
    let file = app.get(&format!("/api/v1/cases/{id}/evidence/{eid}"), Some(&h)).await;
    assert_eq!(file.status, 200, "the referenced file is served");
    // Nothing more to do on a second pass.
    let again = remove_orphans(&app.state.db, &dir, std::time::SystemTime::now(), ORPHAN_GRACE)
        .await
        .unwrap();
    assert_eq!(again, 0);
}
both_backends!(files_no_row_names_are_removed_after_the_grace_period);
