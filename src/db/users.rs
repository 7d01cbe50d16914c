//! Staff accounts and login sessions.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{sessions, users};
use super::AnyConnection;
use crate::domain::ids::{AgencyCode, UserId};
use crate::domain::user::Role;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency_code: Option<AgencyCode>,
    pub password_hash: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub email: Option<String>,
    pub must_change_password: bool,
    /// Base32 TOTP secret once confirmed: sign-in then needs a code.
    pub totp_secret: Option<String>,
    /// A secret being set up, not yet confirmed with a code.
    pub totp_pending: Option<String>,
    /// The last TOTP time step accepted (a code is used once).
    pub totp_last_step: Option<i64>,
    /// The unit of the agency (config/units.toml) the user belongs to.
    pub unit_code: Option<String>,
}

impl UserRow {
    /// Whether a case held by `agency` may be assigned to this account: active, a handler or
    /// supervisor, of that agency.
    pub fn works_cases_at(&self, agency: Option<&AgencyCode>) -> bool {
        self.active && self.role.works_cases() && agency.is_some() && self.agency_code.as_ref() == agency
    }
}

/// What an administrator changes in an account (`None`: unchanged).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChangeset {
    pub active: Option<bool>,
    pub role: Option<String>,
    pub agency_code: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub unit_code: Option<Option<String>>,
}

pub fn update_user(conn: &mut AnyConnection, id: &str, ch: &UserChangeset) -> QueryResult<usize> {
    diesel::update(users::table.find(id)).set(ch).execute(conn)
}

/// Ends every session of a user.
pub fn delete_sessions_of(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

pub fn insert_user(conn: &mut AnyConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table).values(row).execute(conn).map(|_| ())
}

pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut AnyConnection) -> QueryResult<Vec<UserRow>> {
    users::table
        .order(users::username)
        .select(UserRow::as_select())
        .load(conn)
}

pub fn any_admin(conn: &mut AnyConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table
            .filter(users::role.eq("admin"))
            .filter(users::active.eq(true)),
    ))
    .get_result(conn)
}

pub fn insert_session(conn: &mut AnyConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The active user behind a token hash, if the session has not expired.
pub fn user_for_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<UserRow>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::token_hash.eq(token_hash))
        .filter(sessions::expires_at.gt(now))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Sets the password hash; `must_change` forces a change at the next sign-in (a reset).
pub fn set_password(
    conn: &mut AnyConnection,
    user_id: &str,
    password_hash: &str,
    must_change: bool,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(password_hash),
            users::must_change_password.eq(must_change),
        ))
        .execute(conn)
}

/// Sets (or clears) the TOTP fields of an account.
pub fn set_totp(
    conn: &mut AnyConnection,
    user_id: &str,
    secret: Option<&str>,
    pending: Option<&str>,
    last_step: Option<i64>,
) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set((
            users::totp_secret.eq(secret),
            users::totp_pending.eq(pending),
            users::totp_last_step.eq(last_step),
        ))
        .execute(conn)
}

/// Records the time step of an accepted code, if it is newer than the last one; false if the
/// code's step was already used (a replay).
pub fn use_totp_step(conn: &mut AnyConnection, user_id: &str, step: i64) -> QueryResult<bool> {
    let n = diesel::update(
        users::table
            .find(user_id)
            .filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
    )
    .set(users::totp_last_step.eq(Some(step)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Marks the account: its password must be changed before anything else is allowed.
pub fn require_password_change(conn: &mut AnyConnection, user_id: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(user_id))
        .set(users::must_change_password.eq(true))
        .execute(conn)
}

/// The live sessions of a user, newest first.
pub fn sessions_of(conn: &mut AnyConnection, user_id: &str, now: NaiveDateTime) -> QueryResult<Vec<SessionRow>> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::expires_at.gt(now))
        .order(sessions::created_at.desc())
        .select(SessionRow::as_select())
        .load(conn)
}

/// Ends the user's session whose token hash starts with `prefix` (a session's public id).
pub fn delete_session_by_prefix(conn: &mut AnyConnection, user_id: &str, prefix: &str) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::token_hash.like(format!("{prefix}%"))),
    )
    .execute(conn)
}

/// Ends every session of a user but the one with `keep_token_hash`.
pub fn delete_sessions_except(conn: &mut AnyConnection, user_id: &str, keep_token_hash: &str) -> QueryResult<usize> {
    diesel::delete(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::token_hash.ne(keep_token_hash)),
    )
    .execute(conn)
}

pub fn find_session(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<SessionRow>> {
    sessions::table
        .find(token_hash)
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn set_session_expiry(conn: &mut AnyConnection, token_hash: &str, expires_at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(sessions::table.find(token_hash))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)
}

pub fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<usize> {
    diesel::delete(sessions::table.find(token_hash)).execute(conn)
}

/// Deletes the sessions that ended before `before`.
pub fn delete_expired_sessions(conn: &mut AnyConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(before))).execute(conn)
}

/// Active staff of an agency with one of the roles, and an e-mail address: (id, email).
pub fn agency_emails(conn: &mut AnyConnection, agency: &str, roles: &[&str]) -> QueryResult<Vec<(String, String)>> {
    let rows: Vec<(String, Option<String>)> = users::table
        .filter(users::agency_code.eq(agency))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(roles.iter().map(|r| r.to_string()).collect::<Vec<_>>()))
        .filter(users::email.is_not_null())
        .order(users::username)
        .select((users::id, users::email))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(id, e)| e.map(|e| (id, e))).collect())
}

/// Active users of a role (of one agency, or of any), with an e-mail address: (display name,
/// e-mail) — the recipients of a report reminder.
pub fn role_contacts(conn: &mut AnyConnection, agency: Option<&str>, role: &str) -> QueryResult<Vec<(String, String)>> {
    let mut q = users::table
        .filter(users::active.eq(true))
        .filter(users::role.eq(role.to_owned()))
        .filter(users::email.is_not_null())
        .into_boxed();
    if let Some(a) = agency {
        q = q.filter(users::agency_code.eq(a.to_owned()));
    }
    let rows: Vec<(String, Option<String>)> = q
        .order(users::username)
        .select((users::display_name, users::email))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(n, e)| e.map(|e| (n, e))).collect())
}

/// The active handlers and supervisors of an agency, by name: (id, display name, role) — the
/// people a case of the agency may be given to.
pub fn agency_caseworkers(conn: &mut AnyConnection, agency: &str) -> QueryResult<Vec<(UserId, String, Role)>> {
    users::table
        .filter(users::agency_code.eq(agency))
        .filter(users::active.eq(true))
        .filter(users::role.eq_any(Role::CASEWORKERS))
        .order((users::display_name, users::username))
        .select((users::id, users::display_name, users::role))
        .load(conn)
}
