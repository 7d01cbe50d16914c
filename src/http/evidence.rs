//! Evidence upload (multipart) and download.

use actix_multipart::Multipart;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, Responder};
use tokio::io::AsyncReadExt;

use super::extractors::{next_before, CurrentUser};
use crate::error::{AppError, ErrorCode, Problem};
use crate::service::documents::{self, DocumentKind};
use crate::service::evidence::{self, StoredFile, Upload};
use crate::service::views::EvidenceView;
use crate::state::AppState;

const MAX_FILES: usize = 20;

fn bad_multipart() -> AppError {
    AppError::BadRequest {
        code: ErrorCode::BadMultipart,
        field: Some("file".into()),
        en: "expected multipart/form-data with one or more 'file' parts".into(),
        vi: "cần multipart/form-data với một hoặc nhiều phần 'file'".into(),
    }
}

/// A safe display name: no path, no control characters, at most 200 characters.
fn clean_name(raw: Option<&str>) -> String {
    let base = raw.unwrap_or("file").rsplit(['/', '\\']).next().unwrap_or("file");
    let s: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.trim().is_empty() {
        "file".into()
    } else {
        s
    }
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence", tag = "cases", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", content = Object, description = "one or more parts named `file`"),
    responses((status = 201, body = Vec<EvidenceView>), (status = 413, body = Problem), (status = 404, body = Problem)))]
pub async fn upload(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    payload: Result<Multipart, actix_web::Error>,
) -> Result<impl Responder, AppError> {
    let id = id.into_inner();
    let actor = user.actor();
    evidence::check_may_add(&state, &actor, &id).await?;
    let mut payload = payload.map_err(|_| bad_multipart())?;
    Ok(HttpResponse::Created().json(store(&state, actor, id, &mut payload).await?))
}

/// Stores the `file` parts of a staff upload as evidence of the case (the API's and the
/// console's; the caller has checked `evidence::check_may_add`). A refused upload is not
/// recorded; what it stored is removed by the worker's hourly pass (ADR 0061).
pub async fn store(
    state: &AppState,
    actor: crate::domain::user::Actor,
    id: String,
    payload: &mut Multipart,
) -> Result<Vec<EvidenceView>, AppError> {
    let mut files = Vec::new();
    let received = receive(state, payload, &mut files).await;
    let result = match received {
        Ok(()) if files.is_empty() => Err(bad_multipart()),
        Ok(()) => evidence::record(state, actor, id, files).await,
        Err(e) => Err(e),
    };
    // Files stored for a request that failed stay until the worker removes unreferenced ones
    // (`evidence::remove_orphans`).
    result
}

/// Stores every `file` part (hashed, renamed to its hash) and lists it in `files`, so that a
/// refused upload can take back what it stored.
async fn receive(state: &AppState, payload: &mut Multipart, files: &mut Vec<StoredFile>) -> Result<(), AppError> {
    let dir = state.settings.evidence_dir();
    let limit = state.settings.server.max_upload_bytes;
    // Files are larger than JSON bodies: the whole upload may take `upload_read_timeout_secs`.
    let deadline =
        tokio::time::Instant::now() + std::time::Duration::from_secs(state.settings.server.upload_read_timeout_secs);
    while let Some(field) = next_before(payload, deadline).await? {
        let mut field = field.map_err(|_| bad_multipart())?;
        if field.name() != Some("file") {
            return Err(bad_multipart());
        }
        if files.len() >= MAX_FILES {
            return Err(AppError::invalid(
                "file",
                format!("at most {MAX_FILES} files per upload"),
                format!("tối đa {MAX_FILES} tệp mỗi lần"),
            ));
        }
        let file_name = clean_name(field.content_disposition().and_then(|d| d.get_filename()));
        let media_type = field
            .content_type()
            .map(|m| m.essence_str().to_owned())
            .unwrap_or_else(|| "application/octet-stream".into());
        let mut up = Upload::start(&dir, limit).await?;
        loop {
            let chunk = match next_before(&mut field, deadline).await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    up.abort().await;
                    return Err(e);
                }
            };
            let res = match chunk {
                Ok(bytes) => up.write(&bytes).await,
                Err(_) => Err(bad_multipart()),
            };
            if let Err(e) = res {
                up.abort().await;
                return Err(e);
            }
        }
        let (sha256, size) = up.finish(&dir).await?;
        files.push(StoredFile {
            file_name,
            media_type,
            sha256,
            size,
        });
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/evidence/{evidence_id}", tag = "cases", security(("bearer" = [])),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"), (status = 404, body = Problem)))]
pub async fn download(
    state: Data<AppState>,
    user: CurrentUser,
    path: Path<(String, String)>,
) -> Result<impl Responder, AppError> {
    let (case_id, evidence_id) = path.into_inner();
    stream_evidence(&state, user.actor(), case_id, evidence_id).await
}

/// The file of an evidence record, streamed with its type, checksum and name (the API's and
/// the console's download).
pub async fn stream_evidence(
    state: &AppState,
    actor: crate::domain::user::Actor,
    case_id: String,
    evidence_id: String,
) -> Result<HttpResponse, AppError> {
    stream_file(evidence::find(state, actor, case_id, evidence_id).await?).await
}

/// A stored evidence file as a download (its name, media type and sha256 in the headers),
/// streamed from disk.
pub(crate) async fn stream_file(ev: evidence::Download) -> Result<HttpResponse, AppError> {
    let f = tokio::fs::File::open(&ev.path)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    // Stream in 64 KiB chunks: a large file never sits in memory whole.
    let stream = futures_util::stream::unfold(Some(f), |state| async move {
        let mut f = state?;
        let mut buf = vec![0u8; 64 * 1024];
        match f.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(actix_web::web::Bytes::from(buf)), Some(f)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type(ev.media_type)
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Checksum-Sha256", ev.sha256))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(ev.file_name)],
        })
        .no_chunking(ev.size_bytes.max(0) as u64)
        .streaming(stream))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/documents/{document}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path, description = "the case"),
        ("document" = String, Path, description = "`mediation-record.pdf` (Art 65), `negotiation-record.pdf` (Art 60) or `mediation-failure-letter.pdf`")),
    responses((status = 200, description = "the PDF, made from the recorded event the first time and kept as evidence of the case", content_type = "application/pdf"),
        (status = 404, body = Problem, description = "no such case visible to the caller, no such document, or the case has no such record yet", content_type = "application/problem+json")))]
pub async fn document(
    state: Data<AppState>,
    user: CurrentUser,
    path: Path<(String, String)>,
) -> Result<impl Responder, AppError> {
    let (case_id, name) = path.into_inner();
    let kind = name
        .strip_suffix(".pdf")
        .and_then(DocumentKind::parse)
        .ok_or(AppError::NotFound("document"))?;
    let printed = documents::document(&state, user.actor(), case_id, kind).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(printed.file_name)],
        })
        .body(printed.bytes))
}
