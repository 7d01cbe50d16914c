//! Account administration (admins) and the signed-in user's own sessions; every change is an
//! audit record.

use std::net::IpAddr;

use super::audit::{self, Audit, AuditAction};
use super::auth::{count_wrong_secret, hash_password, random_password, staff_from_row, token_hash, WrongSecret};
use crate::db::mediation as med_db;
use crate::db::{api_tokens as token_db, audit as audit_db, reference, users};
use crate::domain::user::{Actor, Role, Staff};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// An administrator's change to an account, already read from the request.
#[derive(Debug, Default)]
pub struct UserChange {
    pub active: Option<bool>,
    pub role: Option<String>,
    /// `Some("")` removes the agency.
    pub agency: Option<String>,
    /// `Some("")` removes the address.
    pub email: Option<String>,
    /// `Some("")` removes the unit. A new agency without a unit given removes it too.
    pub unit: Option<String>,
}

/// The unit column's change: the unit given, or none when the agency changes without one;
/// the unit that results must be one of the new agency's.
fn unit_change(
    units: &crate::routing::Units,
    user: &users::UserRow,
    unit: Option<Option<String>>,
    new_agency: Option<&str>,
) -> Result<Option<Option<String>>, AppError> {
    let agency_changed = new_agency != user.agency_code.as_ref().map(|a| a.as_str());
    let change = match unit {
        Some(u) => Some(u),
        None if agency_changed && user.unit_code.is_some() => Some(None),
        None => None,
    };
    let after = change.clone().unwrap_or(user.unit_code.clone());
    super::reference::check_unit(units, after.as_deref(), new_agency)?;
    Ok(change)
}

/// Changes an account. A deactivated user's sessions end at once (its tokens answer 401);
/// the last active administrator cannot be deactivated or demoted.
pub async fn update_user(
    state: &AppState,
    by: &Staff,
    addr: IpAddr,
    id: String,
    c: UserChange,
) -> Result<Staff, AppError> {
    let (actor_id, at) = (by.id.clone(), state.clock.now());
    let role = match c.role.as_deref() {
        Some(r) => {
            Some(Role::parse(r).ok_or_else(|| AppError::invalid("role", "unknown role", "vai trò không hợp lệ"))?)
        }
        None => None,
    };
    let email = match c.email.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(e) => Some(Some(
            crate::domain::values::Email::parse("email", e)?.as_ref().to_owned(),
        )),
        None => None,
    };
    let agency = c.agency.map(|a| Some(a.trim().to_owned()).filter(|a| !a.is_empty()));
    let unit = c.unit.map(|u| Some(u.trim().to_owned()).filter(|u| !u.is_empty()));
    let (units, key, by_actor) = (state.router.clone(), state.chain_key.clone(), Actor::Staff(by.clone()));
    state
        .db
        .write(move |conn| {
            let user = users::find_by_id(conn, &id)?.ok_or(AppError::NotFound("user"))?;
            let reactivates = c.active == Some(true) && !user.active;
            if (reactivates || role.is_some_and(|r| r != user.role)) && token_db::is_service_account(conn, &id)? {
                return Err(service_account_refused());
            }
            let new_role = role.unwrap_or(user.role);
            let new_agency = agency
                .clone()
                .unwrap_or(user.agency_code.as_ref().map(|a| a.to_string()));
            if new_role.needs_agency() && new_agency.is_none() {
                return Err(AppError::required("agency"));
            }
            if let Some(a) = &new_agency {
                if !reference::agency_exists(conn, a)? {
                    return Err(AppError::invalid(
                        "agency",
                        "unknown agency code",
                        "mã cơ quan không tồn tại",
                    ));
                }
            }
            let unit_code = unit_change(units.units(), &user, unit.clone(), new_agency.as_deref())?;
            let ch = users::UserChangeset {
                active: c.active,
                role: role.map(|r| r.as_str().to_owned()),
                agency_code: agency,
                email,
                unit_code,
            };
            let changes_something = ch.active.is_some()
                || ch.role.is_some()
                || ch.agency_code.is_some()
                || ch.email.is_some()
                || ch.unit_code.is_some();
            if changes_something {
                users::update_user(conn, &id, &ch)?;
            }
            if !users::any_admin(conn)? {
                return Err(AppError::Conflict {
                    code: ErrorCode::LastAdmin,
                    en: "at least one active administrator must remain".into(),
                    vi: "phải còn ít nhất một quản trị viên đang hoạt động".into(),
                });
            }
            let (feeds, unlinked, released) = end_what_the_change_ends(conn, (&key, &by_actor), &user, &ch, at)?;
            if changes_something {
                let action = if c.active == Some(false) && user.active {
                    AuditAction::UserDeactivated
                } else {
                    AuditAction::UserChanged
                };
                let detail = serde_json::json!({
                    "active": c.active, "role": ch.role, "agency": ch.agency_code, "email_changed": ch.email.is_some(), "unit": ch.unit_code,
                    "calendar_feeds_revoked": feeds, "mediator_entries_unlinked": unlinked, "cases_released": released,
                });
                audit::record(
                    conn,
                    Audit {
                        action,
                        actor_id: Some(&actor_id),
                        subject: Some(&id),
                        addr: Some(addr),
                        detail: Some(detail.to_string()),
                    },
                    at,
                )?;
            }
            let row = users::find_by_id(conn, &id)?.ok_or(AppError::NotFound("user"))?;
            staff_from_row(row)
        })
        .await
}

/// What a change of an account ends: a deactivation its sessions; a deactivation or a new role
/// its calendar feeds; a new role or agency its links to entries of the list of mediators of
/// other bodies (a mediator entry links only a mediator of the body's own agency, so a
/// supervisor never keeps sight of another agency's cases through it); a deactivation, a move
/// to another agency or a role that works no cases, a handler's or supervisor's open cases,
/// which go back to the agency's unassigned queue (`cases::release_assignments`, ADR 0065).
/// Returns how many feeds were revoked, entries unlinked and cases released.
fn end_what_the_change_ends(
    conn: &mut crate::db::AnyConnection,
    (key, by): (&super::events::ChainKey, &Actor),
    user: &users::UserRow,
    ch: &users::UserChangeset,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(usize, usize, usize), AppError> {
    let deactivated = ch.active == Some(false);
    let new_role = ch.role.as_deref().and_then(Role::parse).filter(|r| *r != user.role);
    let agency_changed = ch
        .agency_code
        .as_ref()
        .is_some_and(|a| a.as_deref() != user.agency_code.as_ref().map(|c| c.as_str()));
    if deactivated {
        users::delete_sessions_of(conn, &user.id)?;
    }
    let feeds = if deactivated || new_role.is_some() {
        med_db::revoke_feeds(conn, &user.id, at.naive_utc())?
    } else {
        0
    };
    let unlinked = if new_role.is_some() || agency_changed {
        let after = users::find_by_id(conn, &user.id)?.ok_or(AppError::NotFound("user"))?;
        let keep = (after.role == Role::Mediator)
            .then(|| after.agency_code.as_ref().map(|a| a.to_string()))
            .flatten();
        med_db::unlink_user(conn, &user.id, keep.as_deref(), at.naive_utc())?
    } else {
        0
    };
    let why = if !user.role.works_cases() {
        None
    } else if deactivated {
        Some("account_deactivated")
    } else if agency_changed {
        Some("agency_changed")
    } else if new_role.is_some_and(|r| !r.works_cases()) {
        Some("role_changed")
    } else {
        None
    };
    let released = match why {
        Some(why) => super::cases::release_assignments(conn, key, by, &user.id, why, at.naive_utc())?,
        None => 0,
    };
    Ok((feeds, unlinked, released))
}

/// 409 `service_account`: the account of an API token never signs in and is managed through its
/// token (revoked, or a new token for another agency or other scopes).
fn service_account_refused() -> AppError {
    AppError::Conflict {
        code: ErrorCode::ServiceAccount,
        en: "this is the service account of an API token: it cannot be reset, reactivated or given another role".into(),
        vi: "đây là tài khoản hệ thống của một API token: không thể đặt lại mật khẩu, kích hoạt lại hay đổi vai trò"
            .into(),
    }
}

pub async fn list_users(state: &AppState) -> Result<Vec<Staff>, AppError> {
    state
        .db
        .run(|conn| users::list(conn)?.into_iter().map(staff_from_row).collect())
        .await
}

/// An account as the administrator's list shows it: the staff member and the state of the
/// account.
#[derive(Debug, Clone)]
pub struct Account {
    pub staff: Staff,
    pub active: bool,
    pub email: Option<String>,
    /// A temporary password (new account, reset) not yet changed.
    pub must_change_password: bool,
    /// Two-step sign-in is on.
    pub two_step: bool,
    /// The service account of an API token: it never signs in (no reset, no reactivation).
    pub service_account: bool,
}

/// Every account, by username, with its state (administrators only).
pub async fn list_accounts(state: &AppState, actor: &crate::domain::user::Actor) -> Result<Vec<Account>, AppError> {
    super::require_admin(actor)?;
    state
        .db
        .run(|conn| {
            let services = token_db::service_accounts(conn)?;
            users::list(conn)?
                .into_iter()
                .map(|row| {
                    let (active, email, must_change_password, two_step) = (
                        row.active,
                        row.email.clone(),
                        row.must_change_password,
                        row.totp_secret.is_some(),
                    );
                    let service_account = services.iter().any(|s| s.as_str() == row.id.as_str());
                    Ok(Account {
                        service_account,
                        staff: staff_from_row(row)?,
                        active,
                        email,
                        must_change_password,
                        two_step,
                    })
                })
                .collect()
        })
        .await
}

/// An administrator resets a password: a new random one (returned once, to hand over), to be
/// changed at the next sign-in; every session of the user ends.
pub async fn reset_password(state: &AppState, by: &Staff, addr: IpAddr, id: String) -> Result<String, AppError> {
    let password = random_password();
    let pw = password.clone();
    let hash = actix_web::web::block(move || hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))??;
    let (actor_id, at) = (by.id.clone(), state.clock.now());
    state
        .db
        .write(move |conn| {
            users::find_by_id(conn, &id)?.ok_or(AppError::NotFound("user"))?;
            if token_db::is_service_account(conn, &id)? {
                return Err(service_account_refused());
            }
            users::set_password(conn, &id, &hash, true)?;
            users::delete_sessions_of(conn, &id)?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::PasswordReset,
                    actor_id: Some(&actor_id),
                    subject: Some(&id),
                    addr: Some(addr),
                    detail: None,
                },
                at,
            )
        })
        .await?;
    Ok(password)
}

/// One live session of the signed-in user. `id` is the first 16 hex digits of the token's
/// hash: enough to name it, useless to forge it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The session making this request.
    pub current: bool,
}

pub async fn list_sessions(state: &AppState, me: &Staff, token: &str) -> Result<Vec<SessionView>, AppError> {
    let (id, now, mine) = (me.id.clone(), state.clock.now().naive_utc(), token_hash(token));
    state
        .db
        .run(move |conn| {
            Ok(users::sessions_of(conn, &id, now)?
                .into_iter()
                .map(|s| SessionView {
                    id: s.token_hash[..16].to_owned(),
                    created_at: s.created_at.and_utc(),
                    expires_at: s.expires_at.and_utc(),
                    current: s.token_hash == mine,
                })
                .collect())
        })
        .await
}

/// Ends one of the signed-in user's sessions (404 if it is not theirs or does not exist).
pub async fn revoke_session(state: &AppState, me: &Staff, addr: IpAddr, session_id: String) -> Result<(), AppError> {
    if session_id.len() != 16
        || !session_id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        return Err(AppError::NotFound("session"));
    }
    let (id, at) = (me.id.clone(), state.clock.now());
    state
        .db
        .write(move |conn| {
            if users::delete_session_by_prefix(conn, &id, &session_id)? == 0 {
                return Err(AppError::NotFound("session"));
            }
            audit::record(
                conn,
                Audit {
                    action: AuditAction::SessionRevoked,
                    actor_id: Some(&id),
                    subject: Some(&id),
                    addr: Some(addr),
                    detail: None,
                },
                at,
            )
        })
        .await
}

/// A security audit record as administrators see it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AuditView {
    pub at: chrono::DateTime<chrono::Utc>,
    pub action: String,
    pub actor_id: Option<String>,
    pub subject: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

/// The newest audit records (at most `limit`), optionally of one action.
pub async fn audit_log(state: &AppState, action: Option<String>, limit: i64) -> Result<Vec<AuditView>, AppError> {
    state
        .db
        .run(move |conn| {
            Ok(audit_db::list(conn, action.as_deref(), limit)?
                .into_iter()
                .map(|r| AuditView {
                    at: r.at.and_utc(),
                    action: r.action,
                    actor_id: r.actor_id,
                    subject: r.subject,
                    client_addr: r.client_addr,
                    detail: r.detail,
                })
                .collect())
        })
        .await
}

/// A TOTP secret being set up: show it (or the link as a QR code) in an authenticator app,
/// then confirm with a code.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Two-step sign-in is for the roles that see or change most: supervisors, coordinators and
/// administrators.
fn may_use_totp(me: &Staff) -> Result<(), AppError> {
    match me.role {
        Role::Supervisor | Role::Coordinator | Role::Admin => Ok(()),
        _ => Err(AppError::Forbidden),
    }
}

fn wrong_code() -> AppError {
    AppError::invalid("code", "the code is wrong or expired", "mã không đúng hoặc đã hết hạn")
}

/// Starts setting up two-step sign-in: a new secret, pending until confirmed. The secret in
/// use (if any) stays in use: replacing it needs a code of it ([`totp_confirm`]).
pub async fn totp_setup(state: &AppState, me: &Staff) -> Result<TotpSetup, AppError> {
    may_use_totp(me)?;
    let secret = super::totp::new_secret();
    let (id, username, s) = (me.id.clone(), me.username.clone(), secret.clone());
    state
        .db
        .write(move |conn| {
            let u = users::find_by_id(conn, &id)?.ok_or(AppError::Unauthenticated)?;
            users::set_totp(conn, &id, u.totp_secret.as_deref(), Some(&s), u.totp_last_step)?;
            Ok(())
        })
        .await?;
    Ok(TotpSetup {
        otpauth_uri: super::totp::otpauth_uri(&secret, &username),
        secret,
    })
}

/// What confirms a change of two-step sign-in.
#[derive(Debug)]
pub enum TotpChange {
    /// Puts the pending secret in use, with a code of it; when a secret is already in use
    /// (replacing it), also a current code of that one.
    Enable { code: String, current_code: Option<String> },
    /// Turns two-step sign-in off with a code of the secret in use.
    Disable { code: String },
}

/// Confirms a [`TotpChange`]. A wrong, expired or replayed code counts against the sign-in
/// limits of the username and the address (`totp_failed` in the audit log); while either is
/// locked the answer is 429, and the code that reaches a limit ends the session making it.
pub async fn totp_confirm(
    state: &AppState,
    me: &Staff,
    token: &str,
    addr: IpAddr,
    change: TotpChange,
) -> Result<(), AppError> {
    may_use_totp(me)?;
    let keys = super::auth::secret_keys(&me.username, addr);
    let (id, at, lim, session_hash) = (
        me.id.clone(),
        state.clock.now(),
        state.settings.limits.clone(),
        token_hash(token),
    );
    state
        .db
        .write(move |conn| {
            super::limits::ensure_open(conn, &lim, &keys, at.timestamp())?;
            let u = users::find_by_id(conn, &id)?.ok_or(AppError::Unauthenticated)?;
            let outcome = match totp_steps(conn, &u, &change, at.timestamp())? {
                Some(steps) => steps,
                None => {
                    let w = WrongSecret {
                        user_id: &id,
                        session_hash: &session_hash,
                        addr,
                        action: AuditAction::TotpFailed,
                        answer: wrong_code(),
                    };
                    return Ok(Err(count_wrong_secret(conn, &lim, &keys, w, at)?));
                }
            };
            let enable = matches!(change, TotpChange::Enable { .. });
            let kept = if enable { u.totp_pending.as_deref() } else { None };
            users::set_totp(conn, &id, kept, None, Some(outcome))?;
            audit::record(
                conn,
                Audit {
                    action: if enable {
                        AuditAction::TotpEnabled
                    } else {
                        AuditAction::TotpDisabled
                    },
                    actor_id: Some(&id),
                    subject: Some(&id),
                    addr: Some(addr),
                    detail: None,
                },
                at,
            )?;
            Ok(Ok(()))
        })
        .await?
}

/// Checks the codes of a change: the last time step to record, or `None` when a code is
/// wrong, expired or replayed (a code of the secret in use is spent here, so it is good once).
fn totp_steps(
    conn: &mut crate::db::AnyConnection,
    u: &users::UserRow,
    change: &TotpChange,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let nothing = || {
        AppError::invalid(
            "code",
            "nothing to confirm: set it up first",
            "chưa thiết lập xác thực hai bước",
        )
    };
    let (code, secret, in_use) = match change {
        TotpChange::Enable { code, current_code } => {
            let pending = u.totp_pending.as_deref().ok_or_else(nothing)?;
            let in_use = match (&u.totp_secret, current_code) {
                (None, _) => None,
                (Some(_), None) => return Err(AppError::required("current_code")),
                (Some(s), Some(c)) => Some((s.as_str(), c.as_str())),
            };
            (code, pending, in_use)
        }
        TotpChange::Disable { code } => (code, u.totp_secret.as_deref().ok_or_else(nothing)?, None),
    };
    let Some(step) = super::totp::matching_step(secret, code, now) else {
        return Ok(None);
    };
    match in_use {
        // Replacing the secret in use: its current code proves the app that holds it.
        Some((current, current_code)) => {
            let Some(current_step) = super::totp::matching_step(current, current_code, now) else {
                return Ok(None);
            };
            if !users::use_totp_step(conn, &u.id, current_step)? {
                return Ok(None);
            }
            Ok(Some(step.max(current_step)))
        }
        None => Ok(users::use_totp_step(conn, &u.id, step)?.then_some(step)),
    }
}
