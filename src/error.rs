//! Error policy.
//!
//! - `domain/` returns [`AppError`] variants that describe a rule broken (validation,
//!   invalid transition); `db/` returns diesel's `QueryResult`; startup, CLI and jobs use
//!   `anyhow` with context.
//! - Services return [`AppError`]. `From<diesel::result::Error>` maps database errors in one
//!   place: not found → 404, unique violation → 409, anything else → an opaque 500 whose cause
//!   is logged once, here, and never sent to the client.
//! - [`AppError::status`] is the single status mapping; every error leaves the service as
//!   `application/problem+json` with a stable `code`, the failing `field` when there is one, and
//!   a message in English (`detail`) and Vietnamese (`detail_vi`).
//! - Messages never contain submitted personal data: validation messages name the field and the
//!   rule, not the value.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Every error a request can end in.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field failed validation (422).
    #[error("invalid field {field}: {en}")]
    Validation {
        code: &'static str,
        field: String,
        en: String,
        vi: String,
    },
    /// The request itself is malformed: bad JSON syntax, wrong content type, bad query (400).
    #[error("bad request: {en}")]
    BadRequest {
        code: &'static str,
        field: Option<String>,
        en: String,
        vi: String,
    },
    #[error("authentication required")]
    Unauthenticated,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("forbidden")]
    Forbidden,
    /// Not found, or not visible to the caller (never reveal which).
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("version conflict (current {current})")]
    VersionConflict { current: i32 },
    #[error("action {action} not allowed in status {status}")]
    InvalidTransition {
        action: String,
        status: String,
        allowed: Vec<String>,
    },
    #[error("conflict: {en}")]
    Conflict { code: &'static str, en: String, vi: String },
    /// A violation report opened from this cluster is still open (409 `cluster_report_exists`);
    /// the problem body names it in `case_id`.
    #[error("an open violation report exists for this cluster")]
    ClusterReportExists { case_id: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("service unavailable")]
    Unavailable,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// Shorthand for a 422 on one field.
    pub fn invalid(field: impl Into<String>, en: impl Into<String>, vi: impl Into<String>) -> AppError {
        AppError::Validation {
            code: "invalid_field",
            field: field.into(),
            en: en.into(),
            vi: vi.into(),
        }
    }

    /// Shorthand for a missing required field.
    pub fn required(field: impl Into<String>) -> AppError {
        AppError::Validation {
            code: "required",
            field: field.into(),
            en: "this field is required".into(),
            vi: "trường này là bắt buộc".into(),
        }
    }

    /// The one status mapping.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::VersionConflict { .. }
            | AppError::InvalidTransition { .. }
            | AppError::Conflict { .. }
            | AppError::ClusterReportExists { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Validation { code, .. } | AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => {
                code
            }
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::VersionConflict { .. } => "version_conflict",
            AppError::InvalidTransition { .. } => "invalid_transition",
            AppError::ClusterReportExists { .. } => "cluster_report_exists",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Unavailable => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    fn messages(&self) -> (String, String) {
        match self {
            AppError::Validation { en, vi, .. }
            | AppError::BadRequest { en, vi, .. }
            | AppError::Conflict { en, vi, .. } => (en.clone(), vi.clone()),
            AppError::Unauthenticated => (
                "a valid bearer token is required".into(),
                "cần đăng nhập (bearer token hợp lệ)".into(),
            ),
            AppError::InvalidCredentials => (
                "wrong username or password".into(),
                "sai tên đăng nhập hoặc mật khẩu".into(),
            ),
            AppError::Forbidden => (
                "your role does not allow this".into(),
                "vai trò của bạn không được phép thực hiện thao tác này".into(),
            ),
            AppError::NotFound(what) => (format!("{what} not found"), "không tìm thấy".into()),
            AppError::VersionConflict { current } => (
                format!("the record was changed by someone else; current version is {current}"),
                format!("hồ sơ đã được người khác thay đổi; phiên bản hiện tại là {current}"),
            ),
            AppError::InvalidTransition { action, status, .. } => (
                format!("action '{action}' is not allowed while the case is '{status}'"),
                format!("không thể thực hiện '{action}' khi hồ sơ đang ở trạng thái '{status}'"),
            ),
            AppError::ClusterReportExists { case_id } => (
                format!("a violation report opened from this cluster is still open (case {case_id}); it was not opened again"),
                format!("đã có phản ánh vi phạm lập từ cụm phản ánh này và chưa kết thúc (hồ sơ {case_id}); không lập thêm"),
            ),
            AppError::PayloadTooLarge => ("the request body is too large".into(), "dữ liệu gửi lên quá lớn".into()),
            AppError::UnsupportedMediaType => (
                "unsupported content type".into(),
                "kiểu nội dung không được hỗ trợ".into(),
            ),
            AppError::Unavailable => (
                "the service is temporarily unavailable, try again".into(),
                "hệ thống tạm thời bận, vui lòng thử lại".into(),
            ),
            AppError::Internal(_) => ("internal error".into(), "lỗi hệ thống".into()),
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            AppError::Validation { field, .. } => Some(field),
            AppError::BadRequest { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

/// The problem+json body (RFC 9457) with our extensions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:hotline:error:<code>`
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code.
    pub code: String,
    /// English message.
    pub detail: String,
    /// Vietnamese message.
    pub detail_vi: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `invalid_transition`: the actions allowed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// For `version_conflict`: the current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i32>,
    /// For `cluster_report_exists`: the open violation report's case id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status();
        if let AppError::Internal(e) = self {
            tracing::error!(error = %format!("{e:#}"), "internal error");
        }
        let (detail, detail_vi) = self.messages();
        let body = Problem {
            type_: format!("urn:hotline:error:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: self.code().to_owned(),
            detail,
            detail_vi,
            field: self.field().map(str::to_owned),
            allowed_actions: match self {
                AppError::InvalidTransition { allowed, .. } => Some(allowed.clone()),
                _ => None,
            },
            current_version: match self {
                AppError::VersionConflict { current } => Some(*current),
                _ => None,
            },
            case_id: match self {
                AppError::ClusterReportExists { case_id } => Some(case_id.clone()),
                _ => None,
            },
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("application/problem+json");
        if matches!(self, AppError::Unauthenticated | AppError::InvalidCredentials) {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        resp.json(body)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> AppError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => AppError::Conflict {
                code: "already_exists",
                en: "a record with the same unique value already exists".into(),
                vi: "đã có bản ghi trùng giá trị duy nhất".into(),
            },
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => AppError::Unavailable,
            other => AppError::Internal(anyhow::Error::new(other).context("database error")),
        }
    }
}

/// Is this diesel error a unique-constraint violation (portable across both backends)?
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Removes quoted values from a deserializer message so that submitted data never reaches
/// logs or error bodies; keeps field and variant names (in backticks).
pub fn scrub_message(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut in_quote = false;
    for ch in msg.chars() {
        if ch == '"' {
            if !in_quote {
                out.push_str("\"…\"");
            }
            in_quote = !in_quote;
            continue;
        }
        if !in_quote {
            out.push(ch);
        }
    }
    // In "invalid type: integer `901234567`, …" and "unknown variant `x`, …" the first
    // backticked word is the submitted value: mask it. Field and variant names stay.
    let echoes_value = ["invalid type", "invalid value", "invalid length", "unknown variant"]
        .iter()
        .any(|p| out.starts_with(p));
    if echoes_value {
        if let Some(start) = out.find('`') {
            if let Some(len) = out[start + 1..].find('`') {
                out.replace_range(start..start + len + 2, "`…`");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_removes_quoted_values() {
        let m = scrub_message("invalid type: string \"0901234567\", expected u32");
        assert!(!m.contains("0901234567"));
        assert!(m.contains("expected u32"));
        let m = scrub_message("invalid type: integer `901234567`, expected a string at line 1 column 9");
        assert!(!m.contains("901234567"), "{m}");
        let m = scrub_message("unknown field `foo`, expected one of `a`, `b`");
        assert!(m.contains("`foo`"));
    }
}
