//! Submitted period reports, frozen (issue 14), and the reminders sent for those not yet
//! submitted.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{report_reminders, report_submissions};
use super::AnyConnection;

/// A submitted report without its PDF.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = report_submissions)]
pub struct SubmissionRow {
    pub id: String,
    pub report: String,
    pub period: String,
    pub scope: String,
    pub submitted_by: String,
    pub submitted_at: NaiveDateTime,
    pub total_cases: i64,
    pub summary_json: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = report_submissions)]
pub struct NewSubmission<'a> {
    pub id: &'a str,
    pub report: &'a str,
    pub period: &'a str,
    pub scope: &'a str,
    pub submitted_by: &'a str,
    pub submitted_at: NaiveDateTime,
    pub total_cases: i64,
    pub summary_json: &'a str,
    pub pdf: &'a [u8],
}

/// Stores a submission; a second one of the same report, period and scope is a unique
/// violation.
pub fn insert(conn: &mut AnyConnection, s: &NewSubmission<'_>) -> QueryResult<()> {
    diesel::insert_into(report_submissions::table)
        .values(s)
        .execute(conn)
        .map(|_| ())
}

/// The submissions of one report and period, every scope.
pub fn of_period(conn: &mut AnyConnection, report: &str, period: &str) -> QueryResult<Vec<SubmissionRow>> {
    report_submissions::table
        .filter(report_submissions::report.eq(report))
        .filter(report_submissions::period.eq(period))
        .order(report_submissions::scope)
        .select(SubmissionRow::as_select())
        .load(conn)
}

/// Whether a report of a period and scope is submitted.
pub fn exists(conn: &mut AnyConnection, report: &str, period: &str, scope: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        report_submissions::table
            .filter(report_submissions::report.eq(report))
            .filter(report_submissions::period.eq(period))
            .filter(report_submissions::scope.eq(scope)),
    ))
    .get_result(conn)
}

/// One submission and its PDF.
pub fn find_with_pdf(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<(SubmissionRow, Vec<u8>)>> {
    report_submissions::table
        .find(id)
        .select((SubmissionRow::as_select(), report_submissions::pdf))
        .first(conn)
        .optional()
}

/// Records that a reminder went out; `false` if one already had (nothing written).
pub fn mark_reminded(
    conn: &mut AnyConnection,
    report: &str,
    period: &str,
    scope: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let sent: bool = diesel::select(diesel::dsl::exists(
        report_reminders::table
            .filter(report_reminders::report.eq(report))
            .filter(report_reminders::period.eq(period))
            .filter(report_reminders::scope.eq(scope)),
    ))
    .get_result(conn)?;
    if sent {
        return Ok(false);
    }
    diesel::insert_into(report_reminders::table)
        .values((
            report_reminders::report.eq(report),
            report_reminders::period.eq(period),
            report_reminders::scope.eq(scope),
            report_reminders::sent_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}
