//! Staff accounts, password hashing (argon2id) and opaque bearer tokens stored hashed.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use std::net::IpAddr;

use super::audit::{self, Audit, AuditAction};
use super::limits::{self, Key, Limit};
use crate::db::users::{self, SessionRow, UserRow};
use crate::db::{reference, AnyConnection};
use crate::domain::ids::UserId;
use crate::domain::user::{Role, Staff};
use crate::error::{AppError, ErrorCode, Unavailable};
use crate::state::AppState;

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(anyhow::anyhow!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hash: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

/// sha256 of a token, hex: what the sessions table stores.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// A random password for bootstrap accounts.
pub fn random_password() -> String {
    let mut b = [0u8; 18];
    rand::rng().fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

pub fn staff_from_row(row: UserRow) -> Result<Staff, AppError> {
    let role = row.role;
    Ok(Staff {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        role,
        agency: row.agency_code,
        unit: row.unit_code,
    })
}

/// A validated request to create a staff account.
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<String>,
    pub password: String,
    /// Where reminders, escalations and digests go.
    pub email: Option<String>,
    /// The unit of the agency (ADR 0033), checked against the configured units.
    pub unit: Option<String>,
    /// The password is a temporary one handed over by an administrator: it must be changed at
    /// the first sign-in (as after a reset).
    pub must_change_password: bool,
}

impl NewUser {
    /// The password is temporary: changed at the first sign-in.
    pub fn with_forced_change(mut self) -> NewUser {
        self.must_change_password = true;
        self
    }

    /// Adds the (optional) e-mail address, validated.
    pub fn with_email(mut self, raw: Option<&str>) -> Result<NewUser, AppError> {
        self.email = match raw.map(str::trim) {
            Some(e) if !e.is_empty() => Some(crate::domain::values::Email::parse("email", e)?.as_ref().to_owned()),
            _ => None,
        };
        Ok(self)
    }

    /// Adds the (optional) unit; whether it exists and fits the agency is checked on creation.
    pub fn with_unit(mut self, raw: Option<&str>) -> NewUser {
        self.unit = raw.map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
        self
    }

    pub fn parse(
        username: &str,
        display_name: Option<&str>,
        role: &str,
        agency: Option<&str>,
        password: &str,
    ) -> Result<NewUser, AppError> {
        let username = username.trim().to_lowercase();
        if username.len() < 3
            || username.len() > 64
            || !username.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(AppError::invalid(
                "username",
                "3–64 characters: letters, digits, '.', '_' or '-'",
                "3–64 ký tự: chữ, số, '.', '_' hoặc '-'",
            ));
        }
        let role =
            Role::parse(role).ok_or_else(|| AppError::invalid("role", "unknown role", "vai trò không hợp lệ"))?;
        let agency = agency.map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
        if role.needs_agency() && agency.is_none() {
            return Err(AppError::required("agency"));
        }
        check_password_policy("password", password, &username)?;
        let display_name =
            crate::domain::values::opt_text("display_name", display_name, 200)?.unwrap_or_else(|| username.clone());
        Ok(NewUser {
            username,
            display_name,
            role,
            agency,
            password: password.to_owned(),
            email: None,
            unit: None,
            must_change_password: false,
        })
    }
}

/// Passwords refused whatever their length (config/common-passwords.txt, built in).
const COMMON_PASSWORDS: &str = include_str!("../../config/common-passwords.txt");

/// A password has 10 to 256 characters, does not contain the username and is not a common one.
pub fn check_password_policy(field: &str, password: &str, username: &str) -> Result<(), AppError> {
    if password.chars().count() < 10 || password.len() > 256 {
        return Err(AppError::invalid(
            field,
            "a password has 10 to 256 characters",
            "mật khẩu dài từ 10 đến 256 ký tự",
        ));
    }
    let lower = password.trim().to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err(AppError::invalid(
            field,
            "the password may not contain the username",
            "mật khẩu không được chứa tên đăng nhập",
        ));
    }
    let common = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|c| c == lower);
    if common {
        return Err(AppError::invalid(
            field,
            "this password is too common",
            "mật khẩu này quá phổ biến, dễ bị đoán",
        ));
    }
    Ok(())
}

/// Runs password work (argon2: CPU-heavy) on the blocking pool, holding no database connection,
/// at most `auth.max_concurrent_logins` at once; more is refused at once (503).
async fn argon2_off_pool<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _slot = state
        .login_slots
        .try_acquire()
        .map_err(|_| AppError::Unavailable(Unavailable::Busy))?;
    actix_web::web::block(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password work failed: {e}")))
}

/// Checks a password against a stored hash (see [`argon2_off_pool`]).
async fn verify_off_pool(state: &AppState, password: String, hash: String) -> Result<bool, AppError> {
    argon2_off_pool(state, move || verify_password(&password, &hash)).await
}

/// The limits a signed-in user's wrong secret (current password, two-step code) counts
/// against: the sign-in limits of their username and of the client address, so a stolen
/// session cannot guess more than the sign-in form allows.
pub(crate) fn secret_keys(username: &str, addr: IpAddr) -> [Key; 2] {
    [
        Key::new(Limit::LoginUser, username),
        Key::new(Limit::LoginAddress, &addr.to_string()),
    ]
}

/// A wrong secret of a signed-in user, to count (inside a write transaction that commits).
pub(crate) struct WrongSecret<'a> {
    pub user_id: &'a str,
    /// The hash of the session making the guess: it ends when a limit is reached.
    pub session_hash: &'a str,
    pub addr: IpAddr,
    pub action: AuditAction,
    /// The answer while under the limits (a 422 on the field).
    pub answer: AppError,
}

/// Counts a wrong secret against [`secret_keys`] and audits it (`w.action`); the event that goes
/// over a limit ends the session making the guesses (and is audited `locked`), and the answer
/// is then 429 with the wait. Returns the error to answer.
pub(crate) fn count_wrong_secret(
    conn: &mut AnyConnection,
    lim: &crate::config::LimitSettings,
    keys: &[Key; 2],
    w: WrongSecret<'_>,
    at: DateTime<Utc>,
) -> Result<AppError, AppError> {
    let counted = limits::count(conn, lim, keys, at.timestamp())?;
    let mut record = |action, detail: Option<String>| {
        audit::record(
            conn,
            Audit {
                action,
                actor_id: Some(w.user_id),
                subject: Some(w.user_id),
                addr: Some(w.addr),
                detail,
            },
            at,
        )
    };
    record(w.action, None)?;
    for l in &counted.newly_locked {
        record(AuditAction::Locked, Some(l.as_str().to_owned()))?;
    }
    Ok(match counted.retry_after {
        Some(retry_after_secs) => {
            users::delete_session(conn, w.session_hash)?;
            AppError::RateLimited { retry_after_secs }
        }
        None => w.answer,
    })
}

/// Changes the caller's own password after checking the current one; every other session of
/// the user ends (the one making the change stays). A wrong current password counts against the
/// sign-in limits (see `count_wrong_secret`): while the username or the address is locked the
/// answer is 429 before any check, and the guess that reaches a limit ends the session.
pub async fn change_password(
    state: &AppState,
    staff: &Staff,
    token: &str,
    current: String,
    new: String,
    addr: IpAddr,
) -> Result<(), AppError> {
    let keys = secret_keys(&staff.username, addr);
    let (lim, now) = (state.settings.limits.clone(), state.clock.now());
    let user = {
        let (id, keys, lim) = (staff.id.clone(), keys.clone(), lim.clone());
        state
            .db
            .run(move |conn| {
                limits::ensure_open(conn, &lim, &keys, now.timestamp())?;
                users::find_by_id(conn, &id)?.ok_or(AppError::Unauthenticated)
            })
            .await?
    };
    if !verify_off_pool(state, current, user.password_hash.clone()).await? {
        let (id, session_hash) = (user.id.clone(), token_hash(token));
        let answer = state
            .db
            .write(move |conn| {
                let w = WrongSecret {
                    user_id: &id,
                    session_hash: &session_hash,
                    addr,
                    action: AuditAction::PasswordChangeFailed,
                    answer: AppError::invalid(
                        "current_password",
                        "the current password is wrong",
                        "mật khẩu hiện tại không đúng",
                    ),
                };
                count_wrong_secret(conn, &lim, &keys, w, now)
            })
            .await?;
        return Err(answer);
    }
    check_password_policy("new_password", &new, &user.username)?;
    if verify_off_pool(state, new.clone(), user.password_hash).await? {
        return Err(AppError::invalid(
            "new_password",
            "the new password is the current one",
            "mật khẩu mới trùng mật khẩu hiện tại",
        ));
    }
    let hash = argon2_off_pool(state, move || hash_password(&new)).await??;
    let keep = token_hash(token);
    let id = user.id;
    let at = state.clock.now();
    state
        .db
        .write(move |conn| {
            users::set_password(conn, &id, &hash, false)?;
            users::delete_sessions_except(conn, &id, &keep)?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::PasswordChanged,
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

/// Creates the account (sync: used by the API, the CLI and bootstrap inside their own transaction).
pub fn create_user_tx(
    conn: &mut AnyConnection,
    u: &NewUser,
    password_hash: String,
    created_at: chrono::NaiveDateTime,
) -> Result<Staff, AppError> {
    if let Some(a) = &u.agency {
        if !reference::agency_exists(conn, a)? {
            return Err(AppError::invalid(
                "agency",
                "unknown agency code",
                "mã cơ quan không tồn tại",
            ));
        }
    }
    if users::find_by_username(conn, &u.username)?.is_some() {
        return Err(AppError::Conflict {
            code: ErrorCode::UsernameTaken,
            en: "this username is taken".into(),
            vi: "tên đăng nhập đã được dùng".into(),
        });
    }
    let row = UserRow {
        id: UserId::new(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        role: u.role,
        agency_code: u.agency.clone().map(Into::into),
        password_hash,
        active: true,
        created_at,
        email: u.email.clone(),
        must_change_password: u.must_change_password,
        totp_secret: None,
        totp_pending: None,
        totp_last_step: None,
        unit_code: u.unit.clone(),
    };
    users::insert_user(conn, &row)?;
    staff_from_row(row)
}

pub async fn create_user(state: &AppState, by: &Staff, addr: IpAddr, u: NewUser) -> Result<Staff, AppError> {
    super::reference::check_unit(state.router.units(), u.unit.as_deref(), u.agency.as_deref())?;
    let pw = u.password.clone();
    let hash = actix_web::web::block(move || hash_password(&pw))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))??;
    let (at, actor_id) = (state.clock.now(), by.id.clone());
    state
        .db
        .write(move |conn| {
            let staff = create_user_tx(conn, &u, hash, at.naive_utc())?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::UserCreated,
                    actor_id: Some(&actor_id),
                    subject: Some(&staff.id),
                    addr: Some(addr),
                    detail: Some(serde_json::json!({"role": staff.role.as_str(), "agency": staff.agency}).to_string()),
                },
                at,
            )?;
            Ok(staff)
        })
        .await
}

/// A freshly issued token.
pub struct Login {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// The password must be changed before anything else (bootstrap, reset).
    pub must_change_password: bool,
    pub staff: Staff,
}

/// Signs in: refused with 429 while the username or the address is locked (even with the right
/// password); a failure counts against both (`limits.login_user`, `limits.login_address`); a
/// success clears the username's failures. Each outcome is an audit record.
pub async fn login(
    state: &AppState,
    username: String,
    password: String,
    totp: Option<String>,
    addr: IpAddr,
) -> Result<Login, AppError> {
    let hours = state.settings.auth.session_hours;
    let name = username.trim().to_lowercase();
    let keys = [
        Key::new(Limit::LoginUser, &name),
        Key::new(Limit::LoginAddress, &addr.to_string()),
    ];
    // Read the user and the locks, and give the connection back before the slow hash.
    let (user, locked) = {
        let (name, keys, limits, now) = (
            name.clone(),
            keys.clone(),
            state.settings.limits.clone(),
            state.clock.now(),
        );
        state
            .db
            .run(move |conn| {
                let locked = limits::locked_for(conn, &limits, &keys, now.timestamp())?;
                Ok((users::find_by_username(conn, &name)?, locked))
            })
            .await?
    };
    if let Some(retry_after_secs) = locked {
        return Err(AppError::RateLimited { retry_after_secs });
    }
    // Verify against a fixed hash when the user is unknown or inactive, so timing does not
    // reveal which usernames exist. argon2 runs on the blocking pool, holding no connection.
    let hash = match &user {
        Some(u) if u.active => u.password_hash.clone(),
        _ => DUMMY_HASH.to_owned(),
    };
    let ok = verify_off_pool(state, password, hash).await?;
    match (ok, user) {
        (true, Some(u)) if u.active => {
            // Two-step sign-in: the password was right; the code decides (a wrong or reused
            // code counts as a failure, like a wrong password).
            let step = match (&u.totp_secret, totp.as_deref()) {
                (None, _) => None,
                (Some(_), None) => return Err(AppError::TotpRequired),
                (Some(secret), Some(code)) => {
                    match super::totp::matching_step(secret, code, state.clock.now().timestamp()) {
                        Some(step) => Some(step),
                        None => return Err(record_failed_login(state, Some(u.id), keys, addr).await?),
                    }
                }
            };
            let user_id = u.id.clone();
            match open_session(state, u, &keys[0], addr, hours, step).await {
                Err(AppError::InvalidCredentials) => Err(record_failed_login(state, Some(user_id), keys, addr).await?),
                other => other,
            }
        }
        (_, user) => Err(record_failed_login(state, user.map(|u| u.id), keys, addr).await?),
    }
}

/// Counts a failed sign-in and audits it; the error to answer (401, or 429 if it locked).
async fn record_failed_login(
    state: &AppState,
    user_id: Option<UserId>,
    keys: [Key; 2],
    addr: IpAddr,
) -> Result<AppError, AppError> {
    let (limits, at) = (state.settings.limits.clone(), state.clock.now());
    state
        .db
        .write(move |conn| {
            let counted = limits::count(conn, &limits, &keys, at.timestamp())?;
            let mut record = |action, detail: Option<String>| {
                audit::record(
                    conn,
                    Audit {
                        action,
                        actor_id: None,
                        subject: user_id.as_deref(),
                        addr: Some(addr),
                        detail,
                    },
                    at,
                )
            };
            record(AuditAction::SignInFailed, None)?;
            for l in &counted.newly_locked {
                record(AuditAction::Locked, Some(l.as_str().to_owned()))?;
            }
            Ok(match counted.retry_after {
                Some(retry_after_secs) => AppError::RateLimited { retry_after_secs },
                None => AppError::InvalidCredentials,
            })
        })
        .await
}

/// Writes the session of a successful sign-in (and clears the username's failures).
async fn open_session(
    state: &AppState,
    user: UserRow,
    user_key: &Key,
    addr: IpAddr,
    hours: i64,
    totp_step: Option<i64>,
) -> Result<Login, AppError> {
    let token = new_token();
    let t = state.clock.now();
    let expires_at = t + TimeDelta::hours(hours);
    let session = SessionRow {
        token_hash: token_hash(&token),
        user_id: user.id.to_string(),
        created_at: t.naive_utc(),
        expires_at: expires_at.naive_utc(),
    };
    let key = user_key.clone();
    state
        .db
        .write(move |conn| {
            // A code is good once: a replayed one fails the sign-in.
            if let Some(step) = totp_step {
                if !users::use_totp_step(conn, &session.user_id, step)? {
                    return Err(AppError::InvalidCredentials);
                }
            }
            users::delete_expired_sessions(conn, session.created_at - ENDED_SESSION_KEPT)?;
            limits::clear(conn, &key)?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::SignIn,
                    actor_id: Some(&session.user_id),
                    subject: Some(&session.user_id),
                    addr: Some(addr),
                    detail: None,
                },
                t,
            )?;
            users::insert_session(conn, &session)?;
            Ok(())
        })
        .await?;
    Ok(Login {
        token,
        expires_at,
        must_change_password: user.must_change_password,
        staff: staff_from_row(user)?,
    })
}

const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$4Bqk9oV0Cq1zqAzsdb1tKqVnSi5YTbIpYcBR1cnnVGQ";

/// Who a bearer token stands for.
pub struct Authenticated {
    pub staff: Staff,
    /// The password must be changed before anything else (bootstrap, reset).
    pub must_change_password: bool,
    /// For an API token: what it may do (`None`: a person's session, limited by role only).
    pub api_scopes: Option<Vec<super::api_tokens::ApiScope>>,
}

/// The staff member (or the service account of an API token) behind a bearer token.
pub async fn authenticate(state: &AppState, token: String) -> Result<Authenticated, AppError> {
    let clock = state.clock.clone();
    state
        .db
        .run(move |conn| {
            if token.starts_with(super::api_tokens::PREFIX) {
                let (row, scopes) = super::api_tokens::lookup(conn, &token)?.ok_or(AppError::Unauthenticated)?;
                return Ok(Authenticated {
                    staff: staff_from_row(row)?,
                    must_change_password: false,
                    api_scopes: Some(scopes),
                });
            }
            let row = users::user_for_session(conn, &token_hash(&token), clock.now().naive_utc())?
                .ok_or(AppError::Unauthenticated)?;
            let must_change_password = row.must_change_password;
            Ok(Authenticated {
                staff: staff_from_row(row)?,
                must_change_password,
                api_scopes: None,
            })
        })
        .await
}

/// How long the row of an ended session stays (it signs nothing in): a console form sent after
/// its session ended is carried across the sign-in only for the account that wrote it, which
/// the row tells (`session_owner`).
pub const ENDED_SESSION_KEPT: TimeDelta = TimeDelta::days(1);

/// The account a session token was issued to, whether or not the session has ended (within
/// [`ENDED_SESSION_KEPT`]); `None` for an unknown token.
pub async fn session_owner(state: &AppState, token: String) -> Result<Option<String>, AppError> {
    let hash = token_hash(&token);
    state
        .db
        .run(move |conn| Ok(users::find_session(conn, &hash)?.map(|s| s.user_id)))
        .await
}

/// The staff member behind a console (browser) session. The session ends after
/// `auth.console_idle_minutes` without a request: each request moves its end forward (written
/// at most once a minute), never past `auth.session_hours` after sign-in. API tokens are not
/// console sessions.
pub async fn console_session(state: &AppState, token: String) -> Result<Authenticated, AppError> {
    if token.starts_with(super::api_tokens::PREFIX) {
        return Err(AppError::Unauthenticated);
    }
    let now = state.clock.now().naive_utc();
    let idle = TimeDelta::minutes(state.settings.auth.console_idle_minutes);
    let lifetime = TimeDelta::hours(state.settings.auth.session_hours);
    let hash = token_hash(&token);
    let (who, slide) = state
        .db
        .run(move |conn| {
            let session = users::find_session(conn, &hash)?.ok_or(AppError::Unauthenticated)?;
            let row = users::user_for_session(conn, &hash, now)?.ok_or(AppError::Unauthenticated)?;
            let until = (now + idle).min(session.created_at + lifetime);
            let slide = (until - session.expires_at > TimeDelta::minutes(1) || session.expires_at > until)
                .then_some((hash, until));
            let must_change_password = row.must_change_password;
            let who = Authenticated {
                staff: staff_from_row(row)?,
                must_change_password,
                api_scopes: None,
            };
            Ok((who, slide))
        })
        .await?;
    if let Some((hash, until)) = slide {
        state
            .db
            .write(move |conn| Ok(users::set_session_expiry(conn, &hash, until)?))
            .await?;
    }
    Ok(who)
}

/// Ends the session of `token` (an audit record).
pub async fn logout(state: &AppState, staff: &Staff, token: String, addr: IpAddr) -> Result<(), AppError> {
    let (id, at) = (staff.id.clone(), state.clock.now());
    state
        .db
        .write(move |conn| {
            users::delete_session(conn, &token_hash(&token))?;
            audit::record(
                conn,
                Audit {
                    action: AuditAction::SignOut,
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
