//! The public violator list (`public_violators`) and public warnings (`public_warnings`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{public_violators, public_warnings};
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = public_violators)]
pub struct ViolatorRow {
    pub id: String,
    pub case_id: String,
    pub agency_code: String,
    pub business_name: String,
    pub business_address: Option<String>,
    pub violation: String,
    pub place: Option<String>,
    pub decision_number: String,
    pub decision_date: NaiveDate,
    pub issuing_body: String,
    pub published_by: String,
    pub published_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
    pub removed_reason: Option<String>,
    pub removed_by: Option<String>,
}

pub fn insert_violator(conn: &mut AnyConnection, row: &ViolatorRow) -> QueryResult<()> {
    diesel::insert_into(public_violators::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The notice of a case not yet removed (shown, or expired and waiting for the sweep).
pub fn unremoved_of_case(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Option<ViolatorRow>> {
    public_violators::table
        .filter(public_violators::case_id.eq(case_id))
        .filter(public_violators::removed_at.is_null())
        .select(ViolatorRow::as_select())
        .first(conn)
        .optional()
}

/// Every notice of a case, newest first.
pub fn of_case(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<ViolatorRow>> {
    public_violators::table
        .filter(public_violators::case_id.eq(case_id))
        .order((public_violators::published_at.desc(), public_violators::id.desc()))
        .select(ViolatorRow::as_select())
        .load(conn)
}

/// Notices on the list at `now` (not removed, not expired), newest first.
pub fn shown_at(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<ViolatorRow>> {
    public_violators::table
        .filter(public_violators::removed_at.is_null())
        .filter(public_violators::expires_at.gt(now))
        .order((public_violators::published_at.desc(), public_violators::id.desc()))
        .select(ViolatorRow::as_select())
        .load(conn)
}

/// Notices not removed whose period ended by `now` (for the sweep).
pub fn expired_by(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<Vec<ViolatorRow>> {
    public_violators::table
        .filter(public_violators::removed_at.is_null())
        .filter(public_violators::expires_at.le(now))
        .order(public_violators::expires_at.asc())
        .select(ViolatorRow::as_select())
        .load(conn)
}

/// Marks a notice removed unless it already is; false when it was.
pub fn mark_removed(
    conn: &mut AnyConnection,
    id: &str,
    at: NaiveDateTime,
    reason: &str,
    by: Option<&str>,
) -> QueryResult<bool> {
    diesel::update(
        public_violators::table
            .filter(public_violators::id.eq(id))
            .filter(public_violators::removed_at.is_null()),
    )
    .set((
        public_violators::removed_at.eq(Some(at)),
        public_violators::removed_reason.eq(Some(reason)),
        public_violators::removed_by.eq(by),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = public_warnings)]
pub struct WarningRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub title: String,
    pub body: String,
    pub business_name: Option<String>,
    pub product: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub agency_code: Option<String>,
    pub source: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
}

/// The columns an edit, a publication or an ending changes.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = public_warnings)]
pub struct WarningChangeset {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub business_name: Option<Option<String>>,
    pub product: Option<Option<String>>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub updated_at: Option<NaiveDateTime>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub ended_at: Option<Option<NaiveDateTime>>,
}

pub fn insert_warning(conn: &mut AnyConnection, row: &WarningRow) -> QueryResult<()> {
    diesel::insert_into(public_warnings::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn find_warning(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<WarningRow>> {
    public_warnings::table
        .find(id)
        .select(WarningRow::as_select())
        .first(conn)
        .optional()
}

pub fn update_warning(conn: &mut AnyConnection, id: &str, ch: &WarningChangeset) -> QueryResult<usize> {
    diesel::update(public_warnings::table.find(id)).set(ch).execute(conn)
}

/// Every warning (staff list), newest first; `agency`: only those of that agency.
pub fn list_warnings(conn: &mut AnyConnection, agency: Option<&str>, limit: i64) -> QueryResult<Vec<WarningRow>> {
    let mut q = public_warnings::table
        .select(WarningRow::as_select())
        .order((public_warnings::created_at.desc(), public_warnings::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(a) = agency {
        q = q.filter(public_warnings::agency_code.eq(a));
    }
    q.load(conn)
}

/// Published warnings whose period contains `today`, newest start first.
pub fn current_warnings(conn: &mut AnyConnection, today: NaiveDate) -> QueryResult<Vec<WarningRow>> {
    public_warnings::table
        .filter(public_warnings::status.eq("published"))
        .filter(public_warnings::start_date.le(today))
        .filter(public_warnings::end_date.ge(today))
        .order((public_warnings::start_date.desc(), public_warnings::id.desc()))
        .select(WarningRow::as_select())
        .load(conn)
}
