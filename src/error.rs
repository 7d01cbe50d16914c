//! Error policy.
//!
//! - `domain/` returns its own [`crate::domain::error::DomainError`] (a rule broken: validation
//!   with the field path, invalid transition with what is allowed, not permitted); `From` here
//!   gives each its code and its English and Vietnamese message. `db/` returns diesel's
//!   `QueryResult`; startup, CLI and jobs use `anyhow` with context.
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
/// Every error code the API answers (`code` and `type` of a problem document). Clients branch on
/// these, so they are stable; each is documented in docs/api.md (a test checks both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedJson,
    BadBody,
    InvalidQuery,
    InvalidCursor,
    InvalidIdempotencyKey,
    BadMultipart,
    FileTooLarge,
    FileTypeNotAllowed,
    TooManyFiles,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    NotFound,
    VersionConflict,
    InvalidTransition,
    AlreadyExists,
    UsernameTaken,
    MassHarmNotNegotiable,
    MinorityMediatorRequired,
    CallAlreadyLinked,
    ClusterReportExists,
    AlreadyAnswered,
    BusinessMerged,
    SessionClosed,
    ReportAlreadySubmitted,
    SessionNotStarted,
    SessionOverlap,
    NoSanction,
    AlreadyPublished,
    NoticeNotActive,
    AlertNotOpen,
    PayloadTooLarge,
    UnsupportedMediaType,
    InvalidField,
    Required,
    UnknownField,
    InvalidEnum,
    ConsentRequired,
    IdempotencyKeyReused,
    InvalidCharacters,
    LastAdmin,
    ServiceAccount,
    RequestTimeout,
    RateLimited,
    PasswordChangeRequired,
    TotpRequired,
    Unavailable,
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 48] = [
        ErrorCode::MalformedJson,
        ErrorCode::BadBody,
        ErrorCode::InvalidQuery,
        ErrorCode::InvalidCursor,
        ErrorCode::InvalidIdempotencyKey,
        ErrorCode::BadMultipart,
        ErrorCode::FileTooLarge,
        ErrorCode::FileTypeNotAllowed,
        ErrorCode::TooManyFiles,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::VersionConflict,
        ErrorCode::InvalidTransition,
        ErrorCode::AlreadyExists,
        ErrorCode::UsernameTaken,
        ErrorCode::MassHarmNotNegotiable,
        ErrorCode::MinorityMediatorRequired,
        ErrorCode::CallAlreadyLinked,
        ErrorCode::ClusterReportExists,
        ErrorCode::AlreadyAnswered,
        ErrorCode::BusinessMerged,
        ErrorCode::SessionClosed,
        ErrorCode::ReportAlreadySubmitted,
        ErrorCode::SessionNotStarted,
        ErrorCode::SessionOverlap,
        ErrorCode::NoSanction,
        ErrorCode::AlreadyPublished,
        ErrorCode::NoticeNotActive,
        ErrorCode::AlertNotOpen,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::InvalidField,
        ErrorCode::Required,
        ErrorCode::UnknownField,
        ErrorCode::InvalidEnum,
        ErrorCode::ConsentRequired,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::InvalidCharacters,
        ErrorCode::LastAdmin,
        ErrorCode::ServiceAccount,
        ErrorCode::RequestTimeout,
        ErrorCode::RateLimited,
        ErrorCode::PasswordChangeRequired,
        ErrorCode::TotpRequired,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::BadBody => "bad_body",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidCursor => "invalid_cursor",
            ErrorCode::InvalidIdempotencyKey => "invalid_idempotency_key",
            ErrorCode::BadMultipart => "bad_multipart",
            ErrorCode::FileTooLarge => "file_too_large",
            ErrorCode::FileTypeNotAllowed => "file_type_not_allowed",
            ErrorCode::TooManyFiles => "too_many_files",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::VersionConflict => "version_conflict",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::UsernameTaken => "username_taken",
            ErrorCode::MassHarmNotNegotiable => "mass_harm_not_negotiable",
            ErrorCode::MinorityMediatorRequired => "minority_mediator_required",
            ErrorCode::CallAlreadyLinked => "call_already_linked",
            ErrorCode::ClusterReportExists => "cluster_report_exists",
            ErrorCode::AlreadyAnswered => "already_answered",
            ErrorCode::BusinessMerged => "business_merged",
            ErrorCode::SessionClosed => "session_closed",
            ErrorCode::ReportAlreadySubmitted => "report_already_submitted",
            ErrorCode::SessionNotStarted => "session_not_started",
            ErrorCode::SessionOverlap => "session_overlap",
            ErrorCode::NoSanction => "no_sanction",
            ErrorCode::AlreadyPublished => "already_published",
            ErrorCode::NoticeNotActive => "notice_not_active",
            ErrorCode::AlertNotOpen => "alert_not_open",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::Required => "required",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::InvalidEnum => "invalid_enum",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::InvalidCharacters => "invalid_characters",
            ErrorCode::LastAdmin => "last_admin",
            ErrorCode::ServiceAccount => "service_account",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::PasswordChangeRequired => "password_change_required",
            ErrorCode::TotpRequired => "totp_required",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field failed validation (422).
    #[error("invalid field {field}: {en}")]
    Validation {
        code: ErrorCode,
        field: String,
        en: String,
        vi: String,
    },
    /// The request itself is malformed: bad JSON syntax, wrong content type, bad query (400).
    #[error("bad request: {en}")]
    BadRequest {
        code: ErrorCode,
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
    Conflict { code: ErrorCode, en: String, vi: String },
    /// A violation report opened from this cluster is still open (409 `cluster_report_exists`);
    /// the problem body names it in `case_id`.
    #[error("an open violation report exists for this cluster")]
    ClusterReportExists { case_id: String },
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Reading the request body took longer than `server.body_read_timeout_secs` (408).
    #[error("request body timed out")]
    BodyTimeout,
    /// The password was right; the account signs in with a TOTP code too (401).
    #[error("a one-time code is required")]
    TotpRequired,
    /// The account must change its password before anything else (403).
    #[error("password change required")]
    PasswordChangeRequired,
    /// Too many attempts from this address or on this target (429 with `Retry-After`); see
    /// `service::limits`.
    #[error("rate limited")]
    RateLimited { retry_after_secs: i64 },
    /// Temporarily unable to serve (503 with `Retry-After`); the cause says why.
    #[error("service unavailable: {}", .0.as_str())]
    Unavailable(Unavailable),
    /// A panic was caught (500); its message is withheld (it may quote submitted text).
    #[error("a request handler panicked")]
    Panicked { request_id: String },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Why the service cannot answer now. Each is retryable: the client should try again after
/// [`Unavailable::retry_after_secs`]; readiness (`/readyz`) reports the storage causes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Every connection or the SQLite write turn is taken, or a serialization conflict.
    Busy,
    /// The database server cannot be reached or dropped the connection.
    DatabaseUnreachable,
    /// The database's disk (or SQLite file's filesystem) is full.
    DiskFull,
    /// The database is read-only (read-only filesystem, file permissions, standby server).
    ReadOnly,
    /// The storage reported an I/O error.
    StorageError,
}

impl Unavailable {
    pub fn as_str(self) -> &'static str {
        match self {
            Unavailable::Busy => "busy",
            Unavailable::DatabaseUnreachable => "unreachable",
            Unavailable::DiskFull => "disk_full",
            Unavailable::ReadOnly => "read_only",
            Unavailable::StorageError => "storage_error",
        }
    }

    /// Seconds a client should wait before trying again (`Retry-After`).
    pub fn retry_after_secs(self) -> u32 {
        match self {
            Unavailable::Busy => 1,
            Unavailable::DatabaseUnreachable => 5,
            Unavailable::DiskFull | Unavailable::ReadOnly | Unavailable::StorageError => 30,
        }
    }

    /// A fault of the storage itself (as opposed to load): readiness reports it until a write
    /// succeeds again.
    pub fn is_storage_fault(self) -> bool {
        matches!(
            self,
            Unavailable::DiskFull | Unavailable::ReadOnly | Unavailable::StorageError
        )
    }

    /// The unavailability a database error stands for, if it is one: lost connections, a full
    /// or read-only disk, I/O errors. SQLite reports these with fixed messages
    /// (`sqlite3_errstr`) and diesel gives them no kind of their own; PostgreSQL's come as
    /// connection kinds or the server's messages for SQLSTATE classes 08, 53, 57 and 25006.
    pub fn from_database_error(e: &diesel::result::Error) -> Option<Unavailable> {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => Some(Unavailable::Busy),
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => {
                Some(Unavailable::DatabaseUnreachable)
            }
            Error::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => Some(Unavailable::ReadOnly),
            Error::DatabaseError(_, info) => Self::from_message(info.message()),
            Error::RollbackErrorOnCommit { commit_error, .. } => Self::from_database_error(commit_error),
            _ => None,
        }
    }

    fn from_message(msg: &str) -> Option<Unavailable> {
        let m = msg.to_ascii_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|n| m.contains(n));
        if has(&[
            "database or disk is full",
            "could not extend file",
            "no space left on device",
            "disk full",
        ]) {
            Some(Unavailable::DiskFull)
        } else if has(&[
            "readonly database",
            "read-only transaction",
            "read-only file system",
            "recovery is in progress",
        ]) {
            Some(Unavailable::ReadOnly)
        } else if has(&[
            "disk i/o error",
            "unable to open database file",
            "database disk image is malformed",
            "could not write",
            "could not fsync",
        ]) {
            Some(Unavailable::StorageError)
        } else if has(&[
            "database is locked",
            "database table is locked",
            // PostgreSQL broke a lock cycle (SQLSTATE 40P01, which diesel gives no kind): the
            // transaction was rolled back and may be tried again.
            "deadlock detected",
            "too many connections",
            "remaining connection slots",
        ]) {
            Some(Unavailable::Busy)
        } else if has(&[
            "terminating connection",
            "server closed the connection",
            "connection to server",
            "no connection to the server",
            "the database system is",
            "could not receive data from server",
            "could not send data to server",
            "ssl syscall error",
            "broken pipe",
            "connection reset",
        ]) {
            Some(Unavailable::DatabaseUnreachable)
        } else {
            None
        }
    }
}

/// The one place a domain refusal becomes a problem document: its code, and its message in
/// English and Vietnamese.
impl From<crate::domain::error::DomainError> for AppError {
    fn from(e: crate::domain::error::DomainError) -> AppError {
        use crate::domain::error::{DomainError, Rule};
        match e {
            DomainError::InvalidTransition {
                action,
                status,
                allowed,
            } => AppError::InvalidTransition {
                action: action.as_str().to_owned(),
                status: status.as_str().to_owned(),
                allowed: allowed.iter().map(|a| a.as_str().to_owned()).collect(),
            },
            DomainError::NotPermitted => AppError::Forbidden,
            DomainError::Invalid {
                field,
                rule: Rule::Required,
            } => AppError::required(field),
            DomainError::Invalid { field, rule } => {
                let (en, vi) = rule_messages(rule);
                AppError::invalid(field, en, vi)
            }
            DomainError::MinorityMediatorRequired { language } => {
                let (en, vi) = match language {
                    Some(_) => (
                        "a party belongs to an ethnic minority: appoint a mediator of that group or speaking its language (party_language), or record an interpreter (Law 19/2023 Art 64)",
                        "một bên là người dân tộc thiểu số: cần hòa giải viên là người dân tộc đó hoặc thông thạo tiếng của dân tộc đó (party_language), hoặc ghi nhận người phiên dịch (Điều 64 Luật 19/2023)",
                    ),
                    None => (
                        "the consumer belongs to an ethnic minority: name their language (party_language) and appoint a mediator of that group or speaking it, or record an interpreter (Law 19/2023 Art 64)",
                        "người tiêu dùng là người dân tộc thiểu số: cần ghi rõ ngôn ngữ (party_language) và cử hòa giải viên là người dân tộc đó hoặc thông thạo tiếng đó, hoặc ghi nhận người phiên dịch (Điều 64 Luật 19/2023)",
                    ),
                };
                AppError::Validation {
                    code: ErrorCode::MinorityMediatorRequired,
                    field: if language.is_some() {
                        "mediator_id"
                    } else {
                        "party_language"
                    }
                    .into(),
                    en: en.into(),
                    vi: vi.into(),
                }
            }
        }
    }
}

/// English and Vietnamese messages of each domain rule.
fn rule_messages(rule: crate::domain::error::Rule) -> (String, String) {
    use crate::domain::error::Rule;
    let s = |en: &str, vi: &str| (en.to_owned(), vi.to_owned());
    match rule {
        Rule::Required => s("this field is required", "trường này là bắt buộc"),
        Rule::TooLong(max) => (format!("at most {max} characters"), format!("tối đa {max} ký tự")),
        Rule::ControlCharacters => s("contains control characters", "chứa ký tự điều khiển không hợp lệ"),
        Rule::Phone => s(
            "not a valid Vietnamese phone number (10–11 digits starting with 0, or +84)",
            "số điện thoại không hợp lệ (10–11 chữ số bắt đầu bằng 0, hoặc +84)",
        ),
        Rule::Email => s("not a valid e-mail address", "địa chỉ e-mail không hợp lệ"),
        Rule::TaxCode => s(
            "a tax code has 10 digits, or 13 for a branch (0123456789-001)",
            "mã số thuế gồm 10 chữ số, hoặc 13 chữ số cho chi nhánh (0123456789-001)",
        ),
        Rule::TaxCodeCheckDigit => s(
            "the tax code's check digit is wrong: please check the number",
            "chữ số kiểm tra của mã số thuế không đúng: vui lòng kiểm tra lại",
        ),
        Rule::DateInPast => s("the date may not be in the past", "ngày không được ở trong quá khứ"),
        Rule::DateInFuture => s(
            "the time may not be in the future",
            "thời điểm không được ở trong tương lai",
        ),
        Rule::BeforeMeeting => s(
            "the date of performance may not be before the day the settlement was reached",
            "hạn thực hiện không được trước ngày đạt được thỏa thuận",
        ),
        Rule::NotApplicable => s(
            "this field does not apply to this choice",
            "trường này không áp dụng cho lựa chọn này",
        ),
        Rule::SameAgency => s("the case is already at this agency", "hồ sơ đang ở chính cơ quan này"),
        Rule::SameAssignee => s(
            "this person already works the case",
            "người này đang là người xử lý hồ sơ",
        ),
        Rule::EndBeforeStart => s(
            "the end date is before the start date",
            "ngày kết thúc trước ngày bắt đầu",
        ),
    }
}

impl AppError {
    /// Shorthand for a 422 on one field.
    pub fn invalid(field: impl Into<String>, en: impl Into<String>, vi: impl Into<String>) -> AppError {
        AppError::Validation {
            code: ErrorCode::InvalidField,
            field: field.into(),
            en: en.into(),
            vi: vi.into(),
        }
    }

    /// Shorthand for a 400 `invalid_query` on one query parameter.
    pub fn bad_query(param: &str, en: impl Into<String>, vi: impl Into<String>) -> AppError {
        AppError::BadRequest {
            code: ErrorCode::InvalidQuery,
            field: Some(param.to_owned()),
            en: en.into(),
            vi: vi.into(),
        }
    }

    /// Shorthand for a missing required field.
    pub fn required(field: impl Into<String>) -> AppError {
        AppError::Validation {
            code: ErrorCode::Required,
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
            AppError::Unauthenticated | AppError::InvalidCredentials | AppError::TotpRequired => {
                StatusCode::UNAUTHORIZED
            }
            AppError::Forbidden | AppError::PasswordChangeRequired => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::VersionConflict { .. }
            | AppError::InvalidTransition { .. }
            | AppError::Conflict { .. }
            | AppError::ClusterReportExists { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) | AppError::Panicked { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Validation { code, .. } | AppError::BadRequest { code, .. } | AppError::Conflict { code, .. } => {
                *code
            }
            AppError::Unauthenticated => ErrorCode::Unauthenticated,
            AppError::InvalidCredentials => ErrorCode::InvalidCredentials,
            AppError::Forbidden => ErrorCode::Forbidden,
            AppError::PasswordChangeRequired => ErrorCode::PasswordChangeRequired,
            AppError::TotpRequired => ErrorCode::TotpRequired,
            AppError::NotFound(_) => ErrorCode::NotFound,
            AppError::VersionConflict { .. } => ErrorCode::VersionConflict,
            AppError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
            AppError::ClusterReportExists { .. } => ErrorCode::ClusterReportExists,
            AppError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            AppError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            AppError::BodyTimeout => ErrorCode::RequestTimeout,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Unavailable(_) => ErrorCode::Unavailable,
            AppError::Internal(_) | AppError::Panicked { .. } => ErrorCode::Internal,
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
            AppError::TotpRequired => (
                "enter the 6-digit code of your authenticator app (field `totp`)".into(),
                "nhập mã 6 chữ số trên ứng dụng xác thực (trường `totp`)".into(),
            ),
            AppError::PasswordChangeRequired => (
                "set a new password first (POST /api/v1/auth/password)".into(),
                "vui lòng đặt mật khẩu mới trước khi tiếp tục".into(),
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
            AppError::BodyTimeout => (
                "the request body was not received in time".into(),
                "không nhận được đầy đủ dữ liệu gửi lên trong thời gian cho phép".into(),
            ),
            AppError::RateLimited { retry_after_secs } => (
                format!("too many attempts; try again in {retry_after_secs} s"),
                format!("quá nhiều lần thử; vui lòng thử lại sau {retry_after_secs} giây"),
            ),
            AppError::Unavailable(cause) => {
                let (en, vi) = match cause {
                    Unavailable::Busy => ("the service is busy", "hệ thống đang bận"),
                    Unavailable::DatabaseUnreachable => (
                        "the database cannot be reached",
                        "tạm thời không kết nối được cơ sở dữ liệu",
                    ),
                    Unavailable::DiskFull => ("the database storage is full", "bộ nhớ lưu trữ dữ liệu đã đầy"),
                    Unavailable::ReadOnly => (
                        "the database cannot be written to",
                        "cơ sở dữ liệu tạm thời không ghi được",
                    ),
                    Unavailable::StorageError => (
                        "the database storage reported an error",
                        "bộ nhớ lưu trữ dữ liệu gặp lỗi",
                    ),
                };
                (
                    format!("{en}; nothing was saved, try again in {} s", cause.retry_after_secs()),
                    format!("{vi}; chưa có gì được lưu, vui lòng thử lại sau {} giây", cause.retry_after_secs()),
                )
            }
            AppError::Internal(_) | AppError::Panicked { .. } => ("internal error".into(), "lỗi hệ thống".into()),
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
    /// For `internal` after a panic: the request id to quote to support (also in `X-Request-Id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status();
        match self {
            AppError::Internal(e) => tracing::error!(error = %format!("{e:#}"), "internal error"),
            AppError::Panicked { .. } => tracing::error!("request ended by a panic (see the panic line before)"),
            AppError::Unavailable(cause) => tracing::warn!(cause = cause.as_str(), "unavailable"),
            _ => {}
        }
        let (detail, detail_vi) = self.messages();
        let body = Problem {
            type_: format!("urn:hotline:error:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: self.code().as_str().to_owned(),
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
            request_id: match self {
                AppError::Panicked { request_id } => Some(request_id.clone()),
                _ => None,
            },
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("application/problem+json");
        if matches!(self, AppError::Unauthenticated | AppError::InvalidCredentials) {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let AppError::Unavailable(cause) = self {
            resp.insert_header(("Retry-After", cause.retry_after_secs().to_string()));
        }
        if let AppError::RateLimited { retry_after_secs } = self {
            resp.insert_header(("Retry-After", retry_after_secs.max(&1).to_string()));
        }
        if let AppError::Panicked { request_id } = self {
            resp.insert_header(("X-Request-Id", request_id.as_str()));
        }
        if matches!(self, AppError::BodyTimeout) {
            resp.insert_header(("Connection", "close"));
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
                code: ErrorCode::AlreadyExists,
                en: "a record with the same unique value already exists".into(),
                vi: "đã có bản ghi trùng giá trị duy nhất".into(),
            },
            other => match Unavailable::from_database_error(&other) {
                Some(cause) => AppError::Unavailable(cause),
                None => AppError::Internal(anyhow::Error::new(other).context("database error")),
            },
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
    // backticked word after the phrase is the submitted value: mask it, wherever the phrase
    // stands (a query-string error prefixes it with "Query deserialize error: "). Field and
    // variant names stay.
    let phrase = ["invalid type", "invalid value", "invalid length", "unknown variant"]
        .iter()
        .filter_map(|p| out.find(p))
        .min();
    if let Some(at) = phrase {
        if let Some(start) = out[at..].find('`').map(|i| at + i) {
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
    fn error_codes_are_unique_and_each_is_documented() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert!(c.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{c}");
        }
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/api.md")).unwrap();
        let table = doc
            .split("### Stable error codes")
            .nth(1)
            .and_then(|t| t.split("\n## ").next())
            .unwrap();
        let documented: std::collections::HashSet<&str> = table
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        for c in ErrorCode::ALL {
            assert!(
                documented.contains(c.as_str()),
                "`{c}` is not in docs/api.md's table of error codes"
            );
        }
        for d in &documented {
            assert!(
                ErrorCode::ALL.iter().any(|c| c.as_str() == *d),
                "docs/api.md documents `{d}`, which the service never answers"
            );
        }
    }

    #[test]
    fn storage_and_connection_faults_are_recognised_on_both_backends() {
        use diesel::result::{DatabaseErrorKind, Error};
        let err = |kind, msg: &str| Error::DatabaseError(kind, Box::new(msg.to_owned()));
        let cases = [
            (
                err(DatabaseErrorKind::Unknown, "database or disk is full"),
                Some(Unavailable::DiskFull),
            ),
            (
                err(
                    DatabaseErrorKind::Unknown,
                    "could not extend file \"base/1/2\": No space left on device",
                ),
                Some(Unavailable::DiskFull),
            ),
            (
                err(DatabaseErrorKind::Unknown, "attempt to write a readonly database"),
                Some(Unavailable::ReadOnly),
            ),
            (
                err(
                    DatabaseErrorKind::ReadOnlyTransaction,
                    "cannot execute INSERT in a read-only transaction",
                ),
                Some(Unavailable::ReadOnly),
            ),
            (
                err(DatabaseErrorKind::Unknown, "disk I/O error"),
                Some(Unavailable::StorageError),
            ),
            (
                err(DatabaseErrorKind::Unknown, "database is locked"),
                Some(Unavailable::Busy),
            ),
            (
                err(DatabaseErrorKind::Unknown, "deadlock detected"),
                Some(Unavailable::Busy),
            ),
            (
                err(
                    DatabaseErrorKind::Unknown,
                    "terminating connection due to administrator command",
                ),
                Some(Unavailable::DatabaseUnreachable),
            ),
            (
                err(
                    DatabaseErrorKind::ClosedConnection,
                    "server closed the connection unexpectedly",
                ),
                Some(Unavailable::DatabaseUnreachable),
            ),
            (err(DatabaseErrorKind::UniqueViolation, "duplicate key value"), None),
            (Error::NotFound, None),
        ];
        for (e, want) in cases {
            assert_eq!(Unavailable::from_database_error(&e), want, "{e}");
        }
        let commit = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(Error::BrokenTransactionManager),
            commit_error: Box::new(err(DatabaseErrorKind::Unknown, "database or disk is full")),
        };
        assert_eq!(Unavailable::from_database_error(&commit), Some(Unavailable::DiskFull));
        assert_eq!(Unavailable::DiskFull.retry_after_secs(), 30);
    }

    #[test]
    fn scrub_masks_values_after_a_prefix() {
        let m = scrub_message("Query deserialize error: unknown variant `ZZSECRET`, expected `new` or `routed`");
        assert!(!m.contains("ZZSECRET"), "{m}");
        assert!(m.contains("expected `new`"), "{m}");
    }

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
