//! The working-day calendar as rows (seeded from `config/calendar/`, edited by admins).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::calendar_days;
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
    diesel::insert_into(calendar_days::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update(conn: &mut AnyConnection, row: &DayRow) -> QueryResult<usize> {
    diesel::update(calendar_days::table.find(row.day))
        .set(row)
        .execute(conn)
}

pub fn delete(conn: &mut AnyConnection, day: NaiveDate) -> QueryResult<usize> {
    diesel::delete(calendar_days::table.find(day)).execute(conn)
}
