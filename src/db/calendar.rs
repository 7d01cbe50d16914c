//! The working-day calendar as rows (seeded from `config/calendar/`, edited by admins).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{calendar_days, calendar_revision};
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = calendar_days)]
pub struct DayRow {
    pub day: NaiveDate,
    pub kind: String,
    pub name: String,
    pub status: String,
    pub enabled: bool,
    pub updated_at: NaiveDateTime,
}

pub fn list(conn: &mut AnyConnection) -> QueryResult<Vec<DayRow>> {
    calendar_days::table
        .order(calendar_days::day)
        .select(DayRow::as_select())
        .load(conn)
}

/// The calendar's revision: a new random value written in the transaction of every insert,
/// update and delete below, so equal revisions mean equal rows (one single-row read). Random,
/// not counted up: a revision seen inside a transaction that then rolled back is never given
/// to other rows later.
pub fn revision(conn: &mut AnyConnection) -> QueryResult<i64> {
    calendar_revision::table
        .find(1)
        .select(calendar_revision::revision)
        .get_result(conn)
}

fn new_revision(conn: &mut AnyConnection) -> QueryResult<()> {
    let fresh = i64::from_le_bytes(uuid::Uuid::new_v4().as_u64_pair().0.to_le_bytes());
    diesel::update(calendar_revision::table.find(1))
        .set(calendar_revision::revision.eq(fresh))
        .execute(conn)
        .map(|_| ())
}

pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    calendar_days::table.count().get_result(conn)
}

pub fn find(conn: &mut AnyConnection, day: NaiveDate) -> QueryResult<Option<DayRow>> {
    calendar_days::table
        .find(day)
        .select(DayRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, row: &DayRow) -> QueryResult<()> {
    diesel::insert_into(calendar_days::table).values(row).execute(conn)?;
    new_revision(conn)
}

pub fn update(conn: &mut AnyConnection, row: &DayRow) -> QueryResult<usize> {
    let n = diesel::update(calendar_days::table.find(row.day))
        .set(row)
        .execute(conn)?;
    new_revision(conn)?;
    Ok(n)
}

pub fn delete(conn: &mut AnyConnection, day: NaiveDate) -> QueryResult<usize> {
    let n = diesel::delete(calendar_days::table.find(day)).execute(conn)?;
    new_revision(conn)?;
    Ok(n)
}
