//! Security audit records: every sign-in, failure, lock, account change and consumer-data
//! request, with who, when and from where. Written in the transaction of what they record.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use crate::db::audit::{self as audit_db, AuditRow};
use crate::db::AnyConnection;
use crate::error::AppError;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    SignIn,
    SignInFailed,
    Locked,
    SignOut,
    PasswordChanged,
    PasswordReset,
    SessionRevoked,
    UserCreated,
    UserChanged,
    UserDeactivated,
    StatusCodeLocked,
    ConsumerDataExported,
    ConsumerDataErased,
    ApiTokenCreated,
    ApiTokenRevoked,
    TotpEnabled,
    TotpDisabled,
    TotpFailed,
    PasswordChangeFailed,
    ConsumerLinksRevoked,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::Locked => "locked",
            AuditAction::SignOut => "sign_out",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::SessionRevoked => "session_revoked",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserChanged => "user_changed",
            AuditAction::UserDeactivated => "user_deactivated",
            AuditAction::StatusCodeLocked => "status_code_locked",
            AuditAction::ConsumerDataExported => "consumer_data_exported",
            AuditAction::ConsumerDataErased => "consumer_data_erased",
            AuditAction::ApiTokenCreated => "api_token_created",
            AuditAction::ApiTokenRevoked => "api_token_revoked",
            AuditAction::TotpEnabled => "totp_enabled",
            AuditAction::TotpDisabled => "totp_disabled",
            AuditAction::TotpFailed => "totp_failed",
            AuditAction::PasswordChangeFailed => "password_change_failed",
            AuditAction::ConsumerLinksRevoked => "consumer_links_revoked",
        }
    }
}

/// One record. `subject` names what was acted on (a user id, a limit), never personal data
/// of consumers; `detail` is a short machine-readable note.
pub struct Audit<'a> {
    pub action: AuditAction,
    pub actor_id: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub addr: Option<IpAddr>,
    pub detail: Option<String>,
}

pub fn record(conn: &mut AnyConnection, a: Audit<'_>, at: DateTime<Utc>) -> Result<(), AppError> {
    audit_db::insert(
        conn,
        &AuditRow {
            id: uuid::Uuid::now_v7().to_string(),
            at: at.naive_utc(),
            action: a.action.as_str().to_owned(),
            actor_id: a.actor_id.map(str::to_owned),
            subject: a.subject.map(str::to_owned),
            client_addr: a.addr.map(|ip| ip.to_string()),
            detail: a.detail,
        },
    )?;
    Ok(())
}
