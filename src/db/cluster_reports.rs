//! Violation reports opened from mass-complaint clusters, and the cases each one covers.
//!
//! A report is an ordinary case (kind `violation_report`); these two tables only record where
//! it came from, so that the cluster list can show it, a second opening can be refused, and
//! each member case can name the report that includes it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{cases, cluster_report_cases, cluster_reports};
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cluster_reports)]
pub struct ClusterReportRow {
    pub report_case_id: String,
    pub business_key: String,
    /// 1 for the first report about the business, 2 for the next… (unique per business).
    pub seq: i32,
    pub consumers: i32,
    pub first_at: NaiveDateTime,
    pub last_at: NaiveDateTime,
    pub opened_by: Option<String>,
    pub opened_at: NaiveDateTime,
}

/// A report case as a link shows it.
#[derive(Debug, Clone, Queryable)]
pub struct ReportCaseRow {
    pub id: String,
    pub tracking_code: String,
    pub status: String,
}

pub fn insert(conn: &mut AnyConnection, row: &ClusterReportRow) -> QueryResult<()> {
    diesel::insert_into(cluster_reports::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Links one member case to a report (one row per insert: multi-row inserts do not compile
/// through the MultiConnection).
pub fn insert_member(conn: &mut AnyConnection, report_case_id: &str, case_id: &str) -> QueryResult<()> {
    diesel::insert_into(cluster_report_cases::table)
        .values((
            cluster_report_cases::report_case_id.eq(report_case_id),
            cluster_report_cases::case_id.eq(case_id),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The number the next report about this business gets.
pub fn next_seq(conn: &mut AnyConnection, business_key: &str) -> QueryResult<i32> {
    let max: Option<i32> = cluster_reports::table
        .filter(cluster_reports::business_key.eq(business_key))
        .select(diesel::dsl::max(cluster_reports::seq))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

/// The reports about each of these businesses whose case is not closed, newest first.
pub fn open_reports(
    conn: &mut AnyConnection,
    business_keys: &[String],
) -> QueryResult<HashMap<String, Vec<ReportCaseRow>>> {
    if business_keys.is_empty() {
        return Ok(HashMap::new());
    }
    let reports: Vec<(String, String)> = cluster_reports::table
        .filter(cluster_reports::business_key.eq_any(business_keys))
        .order((cluster_reports::business_key.asc(), cluster_reports::seq.desc()))
        .select((cluster_reports::business_key, cluster_reports::report_case_id))
        .load(conn)?;
    let ids: Vec<&str> = reports.iter().map(|(_, id)| id.as_str()).collect();
    let open: HashMap<String, ReportCaseRow> = cases::table
        .filter(cases::id.eq_any(&ids))
        .filter(cases::status.ne("closed"))
        .select((cases::id, cases::tracking_code, cases::status))
        .load::<ReportCaseRow>(conn)?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    let mut out: HashMap<String, Vec<ReportCaseRow>> = HashMap::new();
    for (key, id) in reports {
        if let Some(r) = open.get(&id) {
            out.entry(key).or_default().push(r.clone());
        }
    }
    Ok(out)
}

/// The report cases opened since `since` (a report case is created when it is opened, so these
/// are the only report cases among the cases created since then).
pub fn report_case_ids_since(conn: &mut AnyConnection, since: NaiveDateTime) -> QueryResult<Vec<String>> {
    cluster_reports::table
        .filter(cluster_reports::opened_at.ge(since))
        .select(cluster_reports::report_case_id)
        .load(conn)
}

/// The cluster a report case was opened from, if it was.
pub fn find(conn: &mut AnyConnection, report_case_id: &str) -> QueryResult<Option<ClusterReportRow>> {
    cluster_reports::table
        .find(report_case_id)
        .select(ClusterReportRow::as_select())
        .first(conn)
        .optional()
}

/// The member case ids of a report, by id (ids are time-ordered UUIDv7).
pub fn members(conn: &mut AnyConnection, report_case_id: &str) -> QueryResult<Vec<String>> {
    cluster_report_cases::table
        .filter(cluster_report_cases::report_case_id.eq(report_case_id))
        .order(cluster_report_cases::case_id.asc())
        .select(cluster_report_cases::case_id)
        .load(conn)
}

/// The reports that include a case, oldest first.
pub fn reports_including(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<ReportCaseRow>> {
    let ids: Vec<String> = cluster_report_cases::table
        .filter(cluster_report_cases::case_id.eq(case_id))
        .select(cluster_report_cases::report_case_id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    cases::table
        .filter(cases::id.eq_any(&ids))
        .order((cases::created_at.asc(), cases::id.asc()))
        .select((cases::id, cases::tracking_code, cases::status))
        .load(conn)
}
