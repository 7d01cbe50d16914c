//! The list of mediators, the sessions of a case's mediation, the mediators' calendar feeds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{calendar_feeds, cases, mediation_sessions, mediators, users};
use super::AnyConnection;
use crate::domain::ids::{AgencyCode, CaseId, MediationSessionId, MediatorId, UserId};

/// One entry of the list (languages and groups are JSON arrays of names).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mediators)]
pub struct MediatorRow {
    pub id: MediatorId,
    pub body_agency: AgencyCode,
    pub organisation: String,
    pub name: String,
    pub qualifications: String,
    pub languages: String,
    pub ethnic_groups: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub user_id: Option<UserId>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A correction of an entry (`None`: unchanged; `Some(None)`: cleared).
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = mediators)]
pub struct MediatorChangeset {
    pub organisation: Option<String>,
    pub name: Option<String>,
    pub qualifications: Option<String>,
    pub languages: Option<String>,
    pub ethnic_groups: Option<String>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub user_id: Option<Option<UserId>>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert_mediator(conn: &mut AnyConnection, row: &MediatorRow) -> QueryResult<()> {
    diesel::insert_into(mediators::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update_mediator(conn: &mut AnyConnection, id: &str, ch: &MediatorChangeset) -> QueryResult<usize> {
    diesel::update(mediators::table.find(id)).set(ch).execute(conn)
}

pub fn find_mediator(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<MediatorRow>> {
    mediators::table
        .find(id)
        .select(MediatorRow::as_select())
        .first(conn)
        .optional()
}

/// The entry linked to a staff account, if any.
pub fn mediator_of_user(conn: &mut AnyConnection, user: &str) -> QueryResult<Option<MediatorRow>> {
    mediators::table
        .filter(mediators::user_id.eq(user))
        .select(MediatorRow::as_select())
        .first(conn)
        .optional()
}

/// The list, by body then name: of one body (`Some`) or of all; only active ones if asked.
pub fn list_mediators(
    conn: &mut AnyConnection,
    body: Option<&str>,
    active_only: bool,
) -> QueryResult<Vec<MediatorRow>> {
    let mut q = mediators::table.into_boxed();
    if let Some(b) = body {
        q = q.filter(mediators::body_agency.eq(b.to_owned()));
    }
    if active_only {
        q = q.filter(mediators::active.eq(true));
    }
    q.order((mediators::body_agency.asc(), mediators::name.asc(), mediators::id.asc()))
        .select(MediatorRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = mediation_sessions)]
pub struct SessionRow {
    pub id: MediationSessionId,
    pub case_id: CaseId,
    pub mediator_id: Option<UserId>,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i32,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub attendees: String,
    pub status: String,
    pub sequence: i32,
    pub minutes: Option<String>,
    pub attendance: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = mediation_sessions)]
pub struct SessionChangeset {
    pub starts_at: Option<NaiveDateTime>,
    pub duration_minutes: Option<i32>,
    pub place: Option<Option<String>>,
    pub online_link: Option<Option<String>>,
    pub status: Option<String>,
    pub sequence: Option<i32>,
    pub minutes: Option<Option<String>>,
    pub attendance: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert_session(conn: &mut AnyConnection, row: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(mediation_sessions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update_session(conn: &mut AnyConnection, id: &str, ch: &SessionChangeset) -> QueryResult<usize> {
    diesel::update(mediation_sessions::table.find(id)).set(ch).execute(conn)
}

pub fn find_session(conn: &mut AnyConnection, case_id: &str, id: &str) -> QueryResult<Option<SessionRow>> {
    mediation_sessions::table
        .filter(mediation_sessions::id.eq(id))
        .filter(mediation_sessions::case_id.eq(case_id))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()
}

pub fn sessions_of_case(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<SessionRow>> {
    mediation_sessions::table
        .filter(mediation_sessions::case_id.eq(case_id))
        .order((mediation_sessions::starts_at.asc(), mediation_sessions::id.asc()))
        .select(SessionRow::as_select())
        .load(conn)
}

/// The sessions of these mediators (staff accounts) from `since`, with their case's tracking
/// code, by start time.
pub fn sessions_of_mediators(
    conn: &mut AnyConnection,
    mediator_ids: &[UserId],
    since: Option<NaiveDateTime>,
) -> QueryResult<Vec<(SessionRow, String)>> {
    let ids: Vec<&str> = mediator_ids.iter().map(|m| m.as_str()).collect();
    let mut q = mediation_sessions::table
        .inner_join(cases::table)
        .filter(mediation_sessions::mediator_id.eq_any(ids))
        .into_boxed();
    if let Some(t) = since {
        q = q.filter(mediation_sessions::starts_at.ge(t));
    }
    q.order((mediation_sessions::starts_at.asc(), mediation_sessions::id.asc()))
        .select((SessionRow::as_select(), cases::tracking_code))
        .load(conn)
}

/// Cases appointed to these mediators: (mediator, status) pairs, for workload counts.
pub fn case_statuses_of_mediators(
    conn: &mut AnyConnection,
    mediator_ids: &[UserId],
) -> QueryResult<Vec<(Option<UserId>, String)>> {
    let ids: Vec<&str> = mediator_ids.iter().map(|m| m.as_str()).collect();
    cases::table
        .filter(cases::mediator_id.eq_any(ids))
        .select((cases::mediator_id, cases::status))
        .load::<(Option<String>, String)>(conn)
        .map(|v| v.into_iter().map(|(m, s)| (m.map(UserId::from), s)).collect())
}

pub fn insert_feed(conn: &mut AnyConnection, token_hash: &str, user: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::token_hash.eq(token_hash),
            calendar_feeds::user_id.eq(user),
            calendar_feeds::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Revokes every live feed of a user; returns how many.
pub fn revoke_feeds(conn: &mut AnyConnection, user: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        calendar_feeds::table
            .filter(calendar_feeds::user_id.eq(user))
            .filter(calendar_feeds::revoked_at.is_null()),
    )
    .set(calendar_feeds::revoked_at.eq(at))
    .execute(conn)
}

/// The user behind a live feed token hash: only an active account of the role `mediator`
/// answers (a deactivated or reassigned account's feed is dead even before it is revoked).
pub fn feed_user(conn: &mut AnyConnection, token_hash: &str) -> QueryResult<Option<UserId>> {
    calendar_feeds::table
        .inner_join(users::table.on(users::id.eq(calendar_feeds::user_id)))
        .filter(calendar_feeds::token_hash.eq(token_hash))
        .filter(calendar_feeds::revoked_at.is_null())
        .filter(users::active.eq(true))
        .filter(users::role.eq(crate::domain::user::Role::Mediator.as_str()))
        .select(calendar_feeds::user_id)
        .first::<String>(conn)
        .optional()
        .map(|u| u.map(UserId::from))
}

/// Unlinks a staff account from the entries of the list, all of them or (`keep_body`) those of
/// other bodies than this one; returns how many.
pub fn unlink_user(
    conn: &mut AnyConnection,
    user: &str,
    keep_body: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let mut q = diesel::update(mediators::table)
        .filter(mediators::user_id.eq(user))
        .into_boxed();
    if let Some(b) = keep_body {
        q = q.filter(mediators::body_agency.ne(b.to_owned()));
    }
    q.set((mediators::user_id.eq(None::<String>), mediators::updated_at.eq(at)))
        .execute(conn)
}

/// One entry per mediation session held (recorded `held`) that started from `from` to `to`, its
/// mediator's user id: of the mediators on `body`'s list, or of any mediator (a report's
/// mediation section, ADR 0067).
pub fn held_session_mediators(
    conn: &mut AnyConnection,
    body: Option<&str>,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<UserId>> {
    // `service::sessions::HELD`.
    let mut q = mediation_sessions::table
        .filter(mediation_sessions::status.eq("held"))
        .filter(mediation_sessions::starts_at.ge(from))
        .filter(mediation_sessions::starts_at.lt(to))
        .select(mediation_sessions::mediator_id)
        .into_boxed();
    if let Some(b) = body {
        let listed = mediators::table
            .filter(mediators::body_agency.eq(b.to_owned()))
            .select(mediators::user_id);
        q = q.filter(mediation_sessions::mediator_id.eq_any(listed));
    }
    Ok(q.load::<Option<UserId>>(conn)?.into_iter().flatten().collect())
}
