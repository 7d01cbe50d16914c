//! Early-warning signals (`alerts`) and the weeks examined (`alert_runs`), ADR 0038.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{alert_runs, alerts};
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = alerts)]
pub struct AlertRow {
    pub id: String,
    pub week: String,
    pub week_start: NaiveDateTime,
    pub week_end: NaiveDateTime,
    pub dimension: String,
    pub group_key: String,
    pub label: String,
    pub cases_count: i64,
    pub baseline: f64,
    pub p_value: f64,
    pub status: String,
    pub warning_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, row: &AlertRow) -> QueryResult<()> {
    diesel::insert_into(alerts::table).values(row).execute(conn).map(drop)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<AlertRow>> {
    alerts::table
        .filter(alerts::id.eq(id))
        .select(AlertRow::as_select())
        .first(conn)
        .optional()
}

/// Signals newest first (by week, then strongest first), at most `limit`; only `status` if given.
pub fn list(conn: &mut AnyConnection, status: Option<&str>, limit: i64) -> QueryResult<Vec<AlertRow>> {
    let mut q = alerts::table.into_boxed();
    if let Some(s) = status {
        q = q.filter(alerts::status.eq(s.to_owned()));
    }
    q.order((alerts::week_start.desc(), alerts::p_value.asc(), alerts::id.asc()))
        .limit(limit)
        .select(AlertRow::as_select())
        .load(conn)
}

/// Sets a signal's status (and the warning drafted from it).
pub fn set_status(
    conn: &mut AnyConnection,
    id: &str,
    status: &str,
    warning_id: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(alerts::table.filter(alerts::id.eq(id)))
        .set((
            alerts::status.eq(status),
            alerts::warning_id.eq(warning_id),
            alerts::updated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether the week was examined already.
pub fn week_done(conn: &mut AnyConnection, week: &str) -> QueryResult<bool> {
    alert_runs::table
        .filter(alert_runs::week.eq(week))
        .count()
        .get_result::<i64>(conn)
        .map(|n| n > 0)
}

/// Records that the week was examined, with how many signals it raised.
pub fn mark_week(conn: &mut AnyConnection, week: &str, at: NaiveDateTime, signals: i64) -> QueryResult<()> {
    diesel::insert_into(alert_runs::table)
        .values((
            alert_runs::week.eq(week),
            alert_runs::ran_at.eq(at),
            alert_runs::signals.eq(signals),
        ))
        .execute(conn)
        .map(drop)
}
