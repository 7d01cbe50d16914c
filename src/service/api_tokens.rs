//! API tokens for other systems (e.g. the national hotline pushing referrals): created and
//! revoked by administrators, bound to one agency and a set of scopes, stored hashed. Each token
//! acts as a service account — a user of role operator at its agency that cannot sign in — so
//! everything it does is attributed and checked like a person's, and limited to its scopes.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::{self, Audit, AuditAction};
use super::auth::{new_token, token_hash};
use crate::db::api_tokens::{self as token_db, ApiTokenRow};
use crate::db::users::{self, UserRow};
use crate::db::{reference, AnyConnection};
use crate::domain::ids::UserId;
use crate::domain::user::{Role, Staff};
use crate::error::AppError;
use crate::state::AppState;

/// The prefix of every API token (tells it from a session token at a glance).
pub const PREFIX: &str = "hlt_";

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ApiScope {
    /// `POST /cases` (staff intake at the token's agency).
    #[serde(rename = "cases:create")]
    CasesCreate,
    /// `GET /cases`, `/cases/{id}`, its events and deadlines (the agency's cases).
    #[serde(rename = "cases:read")]
    CasesRead,
    /// `POST /calls`.
    #[serde(rename = "calls:create")]
    CallsCreate,
    /// `GET /calls`, `/calls/{id}`.
    #[serde(rename = "calls:read")]
    CallsRead,
}

impl ApiScope {
    /// The scope a request needs, if a token may make it at all (`/me` and the reference
    /// lists need none).
    fn needed(method: &str, path: &str) -> Option<Option<ApiScope>> {
        let rest = path.strip_prefix("/api/v1/")?;
        let parts: Vec<&str> = rest.split('/').collect();
        match (method, parts.as_slice()) {
            ("GET", ["me"] | ["agencies"] | ["categories"]) => Some(None),
            ("POST", ["cases"]) => Some(Some(ApiScope::CasesCreate)),
            ("GET", ["cases"] | ["cases", _] | ["cases", _, "events" | "deadlines"]) => Some(Some(ApiScope::CasesRead)),
            ("POST", ["calls"]) => Some(Some(ApiScope::CallsCreate)),
            ("GET", ["calls"] | ["calls", _]) => Some(Some(ApiScope::CallsRead)),
            _ => None,
        }
    }
}

/// Whether a token with `scopes` may make this request (403 otherwise).
pub fn allows(scopes: &[ApiScope], method: &str, path: &str) -> bool {
    match ApiScope::needed(method, path) {
        Some(None) => true,
        Some(Some(s)) => scopes.contains(&s),
        None => false,
    }
}

/// The service account and scopes behind a token, if it is live.
pub fn lookup(conn: &mut AnyConnection, token: &str) -> Result<Option<(UserRow, Vec<ApiScope>)>, AppError> {
    let Some((t, user)) = token_db::find_live(conn, &token_hash(token))? else {
        return Ok(None);
    };
    let scopes: Vec<ApiScope> =
        serde_json::from_str(&t.scopes).map_err(|_| super::views::corrupt("scopes of an API token", &t.id))?;
    Ok(Some((user, scopes)))
}

/// A token as administrators see it (never the token itself after creation).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: String,
    pub name: String,
    pub agency: Option<String>,
    pub scopes: Vec<ApiScope>,
    /// The service account its actions are recorded under.
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Only in the answer to its creation: keep it secret, it is not shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn view(t: ApiTokenRow, agency: Option<String>, token: Option<String>) -> Result<ApiTokenView, AppError> {
    let scopes = serde_json::from_str(&t.scopes).map_err(|_| super::views::corrupt("scopes of an API token", &t.id))?;
    Ok(ApiTokenView {
        id: t.id,
        name: t.name,
        agency,
        scopes,
        user_id: t.user_id,
        created_at: t.created_at.and_utc(),
        revoked_at: t.revoked_at.map(|r| r.and_utc()),
        token,
    })
}

/// A validated request for a token.
pub struct NewApiToken {
    pub name: String,
    pub agency: String,
    pub scopes: Vec<ApiScope>,
}

impl NewApiToken {
    pub fn parse(name: &str, agency: &str, scopes: Vec<ApiScope>) -> Result<NewApiToken, AppError> {
        let name = crate::domain::values::text("name", name, 100)?;
        let agency = agency.trim().to_owned();
        if agency.is_empty() {
            return Err(AppError::required("agency"));
        }
        if scopes.is_empty() {
            return Err(AppError::required("scopes"));
        }
        Ok(NewApiToken { name, agency, scopes })
    }
}

/// Creates the service account and its token; the token is in the answer only.
pub async fn create(state: &AppState, by: &Staff, addr: IpAddr, t: NewApiToken) -> Result<ApiTokenView, AppError> {
    let (at, actor_id, token) = (state.clock.now(), by.id.clone(), format!("{PREFIX}{}", new_token()));
    state
        .db
        .write(move |conn| {
            if !reference::agency_exists(conn, &t.agency)? {
                return Err(AppError::invalid(
                    "agency",
                    "unknown agency code",
                    "mã cơ quan không tồn tại",
                ));
            }
            let id = uuid::Uuid::now_v7().to_string();
            let user = UserRow {
                id: UserId::new(),
                username: format!("api.{}", &id[id.len() - 12..]),
                display_name: format!("Hệ thống: {}", t.name),
                role: Role::Operator,
                agency_code: Some(t.agency.clone().into()),
                // Not a password hash: no password verifies against it, so it cannot sign in.
                password_hash: "!api-token-service-account".into(),
                active: true,
                created_at: at.naive_utc(),
                email: None,
                must_change_password: false,
                totp_secret: None,
                totp_pending: None,
                totp_last_step: None,
                unit_code: None,
            };
            users::insert_user(conn, &user)?;
            let row = ApiTokenRow {
                id,
                token_hash: token_hash(&token),
                user_id: user.id.to_string(),
                name: t.name.clone(),
                scopes: serde_json::to_string(&t.scopes).map_err(|e| AppError::Internal(e.into()))?,
                created_by: Some(actor_id.to_string()),
                created_at: at.naive_utc(),
                revoked_at: None,
            };
            token_db::insert(conn, &row)?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::ApiTokenCreated,
                    actor_id: Some(&actor_id),
                    subject: Some(&row.id),
                    addr: Some(addr),
                    detail: Some(format!("agency {}, scopes {}", t.agency, row.scopes)),
                },
                at,
            )?;
            view(row, Some(t.agency), Some(token))
        })
        .await
}

pub async fn list(state: &AppState) -> Result<Vec<ApiTokenView>, AppError> {
    state
        .db
        .run(|conn| {
            let mut out = Vec::new();
            for t in token_db::list(conn)? {
                let agency = users::find_by_id(conn, &t.user_id)?.and_then(|u| u.agency_code);
                out.push(view(t, agency.map(Into::into), None)?);
            }
            Ok(out)
        })
        .await
}

/// Revokes a token (at once: its next request answers 401) and deactivates its account.
pub async fn revoke(state: &AppState, by: &Staff, addr: IpAddr, id: String) -> Result<(), AppError> {
    let (at, actor_id) = (state.clock.now(), by.id.clone());
    state
        .db
        .write(move |conn| {
            let t = token_db::find(conn, &id)?.ok_or(AppError::NotFound("API token"))?;
            token_db::revoke(conn, &id, at.naive_utc())?;
            users::update_user(
                conn,
                &t.user_id,
                &users::UserChangeset {
                    active: Some(false),
                    ..Default::default()
                },
            )?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::ApiTokenRevoked,
                    actor_id: Some(&actor_id),
                    subject: Some(&id),
                    addr: Some(addr),
                    detail: None,
                },
                at,
            )
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_gate_routes() {
        let read = [ApiScope::CasesRead];
        assert!(allows(&read, "GET", "/api/v1/cases"));
        assert!(allows(&read, "GET", "/api/v1/cases/abc/events"));
        assert!(allows(&read, "GET", "/api/v1/me"));
        assert!(!allows(&read, "POST", "/api/v1/cases"));
        assert!(!allows(&read, "POST", "/api/v1/cases/abc/actions/route"));
        assert!(!allows(&read, "GET", "/api/v1/cases/abc/evidence/x"));
        assert!(!allows(&read, "GET", "/api/v1/admin/users"));
        assert!(allows(&[ApiScope::CallsCreate], "POST", "/api/v1/calls"));
    }
}
