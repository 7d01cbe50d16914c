//! Links that authorize (`access_links`): hashed tokens per case and audience.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::access_links;
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = access_links)]
// `None` is inserted as NULL (every nullable column's default), not as `DEFAULT`, which made
// diesel re-prepare the INSERT every time on PostgreSQL (ADR 0045).
#[diesel(treat_none_as_default_value = false)]
pub struct LinkRow {
    pub token_hash: String,
    pub case_id: String,
    pub audience: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, row: &LinkRow) -> QueryResult<()> {
    crate::db::portability::execute(conn, diesel::insert_into(access_links::table).values(row)).map(drop)
}

/// The link with this token hash, if it is for `audience`, not revoked and not expired at `now`.
pub fn find_valid(
    conn: &mut AnyConnection,
    token_hash: &str,
    audience: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<LinkRow>> {
    access_links::table
        .find(token_hash)
        .filter(access_links::audience.eq(audience))
        .filter(access_links::revoked_at.is_null())
        .filter(access_links::expires_at.gt(now))
        .select(LinkRow::as_select())
        .first(conn)
        .optional()
}

/// Revokes every live link of the case for `audience`.
pub fn revoke_all(conn: &mut AnyConnection, case_id: &str, audience: &str, at: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        access_links::table
            .filter(access_links::case_id.eq(case_id))
            .filter(access_links::audience.eq(audience))
            .filter(access_links::revoked_at.is_null()),
    )
    .set(access_links::revoked_at.eq(Some(at)))
    .execute(conn)
}
