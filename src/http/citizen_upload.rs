//! A citizen's `multipart/form-data` submission (the complaint form and its JSON twin, "add
//! information"): text fields as name/value pairs, and the files of one field (`evidence`)
//! streamed to temporary files beside the evidence store while hashed. Nothing is kept until
//! the caller says so: [`Received::store`] fsyncs and moves the files to their content address
//! (before the case's transaction commits), [`Received::discard`] removes them. A file refused
//! (too large, not an allowed kind, one too many) is reported, not an error, so that a page can
//! show it beside every other value kept.

use actix_multipart::Multipart;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use super::extractors::next_before;
use crate::error::{AppError, ErrorCode};
use crate::service::citizen_files::{self, FileProblem, HEAD_BYTES};
use crate::service::evidence::{StoredFile, Upload};
use crate::state::AppState;

/// Where citizens' files go and how much of them is taken.
struct FileLimits {
    dir: std::path::PathBuf,
    max_file: usize,
    max_files: usize,
    cap: usize,
}

const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A citizen's form with files may take `upload_read_timeout_secs`, plus one second for every
/// this many bytes it declares (a phone on a slow mobile network sending the allowed photos),
/// up to [`MAX_UPLOAD_SECS`].
const SLOW_LINK_BYTES_PER_SEC: u64 = 4 * 1024;
const MAX_UPLOAD_SECS: u64 = 30 * 60;

/// A file received and recognised, still under its temporary name.
pub struct PendingFile {
    upload: Upload,
    pub file_name: String,
    pub media_type: &'static str,
    pub size: usize,
    sha256: String,
}

/// What a submission carried.
#[derive(Default)]
pub struct Received {
    pub pairs: Vec<(String, String)>,
    pub files: Vec<PendingFile>,
    pub problems: Vec<FileProblem>,
}

/// A page form's fields (and files): `multipart/form-data` with files under `file_field`, or
/// `application/x-www-form-urlencoded` without any.
pub async fn read_form(
    state: &AppState,
    req: &HttpRequest,
    payload: &mut actix_web::dev::Payload,
    file_field: &str,
) -> Result<Received, AppError> {
    if is_multipart(req) {
        return Received::read(state, req, payload, file_field).await;
    }
    let body = actix_web::web::Bytes::from_request(req, payload)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    Ok(Received {
        pairs: serde_urlencoded::from_bytes(&body).unwrap_or_default(),
        ..Received::default()
    })
}

/// Whether the request is `multipart/form-data`.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.type_() == mime::MULTIPART && m.subtype() == mime::FORM_DATA)
}

fn bad_multipart() -> AppError {
    AppError::BadRequest {
        code: ErrorCode::BadMultipart,
        field: None,
        en: "the multipart/form-data body could not be read".into(),
        vi: "không đọc được dữ liệu biểu mẫu gửi lên".into(),
    }
}

/// A safe display name: no path, no control characters, at most 200 characters.
fn clean_name(raw: Option<&str>) -> String {
    let base = raw.unwrap_or("tep").rsplit(['/', '\\']).next().unwrap_or("tep");
    let s: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.trim().is_empty() {
        "tep".into()
    } else {
        s.trim().to_owned()
    }
}

impl Received {
    /// Reads the whole body: text fields, and files of `file_field` (within the limits of
    /// `[evidence]`). Errors (a broken body, a timeout, a body far beyond the limits) remove
    /// every file received so far.
    pub async fn read(
        state: &AppState,
        req: &HttpRequest,
        payload: &mut actix_web::dev::Payload,
        file_field: &str,
    ) -> Result<Received, AppError> {
        let mut multipart = Multipart::from_request(req, payload)
            .await
            .map_err(|_| bad_multipart())?;
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0);
        // Time for what may be read, not for whatever the client declares.
        let evidence = &state.settings.evidence;
        let most = evidence
            .public_max_file_bytes
            .saturating_mul(evidence.public_max_files + 1)
            .saturating_add(MAX_TEXT_BYTES) as u64;
        let secs = state.settings.server.upload_read_timeout_secs + declared.min(most) / SLOW_LINK_BYTES_PER_SEC;
        let deadline = Instant::now() + std::time::Duration::from_secs(secs.min(MAX_UPLOAD_SECS));
        let mut got = Received::default();
        match got.read_into(state, &mut multipart, file_field, deadline).await {
            Ok(()) => Ok(got),
            Err(e) => {
                got.discard().await;
                Err(e)
            }
        }
    }

    async fn read_into(
        &mut self,
        state: &AppState,
        mp: &mut Multipart,
        file_field: &str,
        deadline: Instant,
    ) -> Result<(), AppError> {
        let (max_file, max_files) = (
            state.settings.evidence.public_max_file_bytes,
            state.settings.evidence.public_max_files,
        );
        let limits = FileLimits {
            dir: state.settings.evidence_dir(),
            max_file,
            max_files,
            // Bytes read in all: the allowed files, one refused file's worth, and the text.
            cap: max_file.saturating_mul(max_files + 1).saturating_add(MAX_TEXT_BYTES),
        };
        let (mut total, mut text_total) = (0usize, 0usize);
        while let Some(field) = next_before(mp, deadline).await? {
            let mut field = field.map_err(|_| bad_multipart())?;
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
            if name != file_field {
                let mut value = Vec::new();
                while let Some(chunk) = next_before(&mut field, deadline).await? {
                    let chunk = chunk.map_err(|_| bad_multipart())?;
                    value.extend_from_slice(&chunk);
                    // One field may hold all the text allowed (a long description is then
                    // refused beside its field, with everything typed kept).
                    if text_total + value.len() > MAX_TEXT_BYTES {
                        return Err(AppError::PayloadTooLarge);
                    }
                }
                text_total += value.len();
                let value = String::from_utf8(value).map_err(|_| bad_multipart())?;
                self.pairs.push((name, value));
                continue;
            }
            self.read_file(&mut field, file_name, &limits, deadline, &mut total)
                .await?;
        }
        Ok(())
    }

    /// Reads one file part: stored (fsynced) if it is allowed, else recorded as a problem.
    async fn read_file(
        &mut self,
        field: &mut actix_multipart::Field,
        file_name: Option<String>,
        limits: &FileLimits,
        deadline: Instant,
        total: &mut usize,
    ) -> Result<(), AppError> {
        let (dir, max_file, max_files, cap) = (&limits.dir, limits.max_file, limits.max_files, limits.cap);
        // A file input left empty still sends a part, with no name and no bytes.
        let file_name = match file_name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => clean_name(Some(n)),
            _ => {
                while let Some(chunk) = next_before(field, deadline).await? {
                    chunk.map_err(|_| bad_multipart())?;
                }
                return Ok(());
            }
        };
        let room = self.files.len() < max_files && !self.problems.contains(&FileProblem::TooMany { max: max_files });
        let mut upload = match room {
            true => Some(Upload::start(dir, max_file).await?),
            false => None,
        };
        if !room {
            self.problems.push(FileProblem::TooMany { max: max_files });
            self.problems.dedup();
        }
        let (mut head, mut size, mut too_large) = (Vec::with_capacity(HEAD_BYTES), 0usize, false);
        let mut hasher = Sha256::new();
        loop {
            let chunk = match next_before(field, deadline).await {
                Ok(Some(Ok(c))) => c,
                Ok(None) => break,
                failed => {
                    if let Some(u) = upload.take() {
                        u.abort().await;
                    }
                    return Err(failed.err().unwrap_or_else(bad_multipart));
                }
            };
            size += chunk.len();
            *total += chunk.len();
            hasher.update(&chunk);
            if *total > cap {
                if let Some(u) = upload.take() {
                    u.abort().await;
                }
                return Err(AppError::PayloadTooLarge);
            }
            if head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            if let Some(u) = upload.as_mut() {
                if let Err(e) = u.write(&chunk).await {
                    if let Some(u) = upload.take() {
                        u.abort().await;
                    }
                    match e {
                        AppError::PayloadTooLarge => too_large = true,
                        other => return Err(other),
                    }
                }
            }
        }
        let Some(upload) = upload else {
            if too_large {
                self.problems.push(FileProblem::TooLarge {
                    name: file_name,
                    max_bytes: max_file,
                });
            }
            return Ok(());
        };
        let kind = citizen_files::sniff(&head, &file_name);
        match (size, kind) {
            (0, _) => {
                upload.abort().await;
                self.problems.push(FileProblem::Empty { name: file_name });
            }
            (_, None) => {
                upload.abort().await;
                self.problems.push(FileProblem::NotAllowed { name: file_name });
            }
            (_, Some(media_type)) => self.files.push(PendingFile {
                upload,
                file_name,
                media_type,
                size,
                sha256: hex::encode(hasher.finalize()),
            }),
        }
        Ok(())
    }

    /// Removes every file received (a refused or failed submission).
    pub async fn discard(&mut self) {
        for f in self.files.drain(..) {
            f.upload.abort().await;
        }
    }

    /// Fsyncs the files and moves them to their content address (nothing is committed yet:
    /// if the caller's transaction then fails, the files stay until the worker removes those
    /// no row names, [`crate::service::evidence::remove_orphans`]: a file is shared by
    /// identical uploads, and another request may be committing a row for it at this moment).
    pub async fn store(&mut self, state: &AppState) -> Result<Vec<StoredFile>, AppError> {
        let dir = state.settings.evidence_dir();
        let mut stored = Vec::new();
        let mut pending = std::mem::take(&mut self.files).into_iter();
        while let Some(f) = pending.next() {
            match f.upload.finish(&dir).await {
                Ok((sha256, size)) => stored.push(StoredFile {
                    file_name: f.file_name,
                    media_type: f.media_type.to_owned(),
                    sha256,
                    size,
                }),
                Err(e) => {
                    for rest in pending {
                        rest.upload.abort().await;
                    }
                    return Err(e);
                }
            }
        }
        Ok(stored)
    }

    /// A canonical text of the submission for the idempotency key's request hash: the fields
    /// in order, then each file's name and sha256 (a browser's multipart boundary differs
    /// on every send, so the raw body cannot be hashed).
    pub fn canonical(&self) -> Vec<u8> {
        let mut out = serde_urlencoded::to_string(&self.pairs)
            .unwrap_or_default()
            .into_bytes();
        for f in &self.files {
            out.extend_from_slice(format!("\nfile:{}:{}", f.file_name, f.sha256).as_bytes());
        }
        out
    }
}
