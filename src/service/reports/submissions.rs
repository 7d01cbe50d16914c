//! Period reports owed and submitted (issue 14 item 2). The deadlines are data (`[reports]` in
//! `config/`): each report covers a quarter or a year and is owed by every reporting agency's
//! supervisors, or by the coordinators for the province. Submitting freezes the report — its
//! summary as JSON and its printed PDF, stored once — and the coordinators see who has
//! submitted; the sweep reminds those who have not, once, `reminder_days` before the due date.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::document::ReportPeriod;
use crate::calendar;
use crate::config::{ReportDeadline, ReportSettings};
use crate::db::report_submissions::{self as db, NewSubmission, SubmissionRow};
use crate::db::AnyConnection;
use crate::domain::user::{Actor, Role, Staff};
use crate::email::ReportDue;
use crate::error::{is_unique_violation, AppError, ErrorCode};
use crate::routing::Taxonomy;
use crate::service::jobs::enqueue_email;
use crate::state::AppState;

/// The scope of the coordinators' consolidated report.
pub const PROVINCE: &str = "province";

/// The due date of `rule`'s report for `period`; `None` when the rule is for another kind of
/// period.
pub fn due_date(rule: &ReportDeadline, period: ReportPeriod) -> Option<NaiveDate> {
    let start = match (rule.period.as_str(), period) {
        ("quarter", ReportPeriod::Quarter { .. }) | ("year", ReportPeriod::Year(_)) => period.days().0,
        _ => return None,
    };
    let month = calendar::add_calendar_months(start, rule.due_month.saturating_sub(1));
    NaiveDate::from_ymd_opt(month.year(), month.month(), rule.due_day)
}

/// What a period of the wrong kind for `rule` is told (English, Vietnamese).
fn wrong_period(rule: &ReportDeadline) -> (String, String) {
    let vi = if rule.period == "quarter" { "quý" } else { "năm" };
    (
        format!("the {} report covers a {}", rule.code, rule.period),
        format!("{} là báo cáo theo {vi}", rule.name),
    )
}

fn rule<'a>(settings: &'a ReportSettings, code: &str) -> Result<&'a ReportDeadline, AppError> {
    settings.deadlines.iter().find(|d| d.code == code).ok_or_else(|| {
        let all: Vec<&str> = settings.deadlines.iter().map(|d| d.code.as_str()).collect();
        AppError::bad_query(
            "report",
            format!("report is one of {}", all.join(", ")),
            format!("report chỉ nhận một trong: {}", all.join(", ")),
        )
    })
}

/// The agencies that report.
fn reporting_agencies(settings: &ReportSettings, t: &Taxonomy) -> Vec<String> {
    if settings.reporting_agencies.is_empty() {
        t.agencies.iter().map(|a| a.code.clone()).collect()
    } else {
        settings.reporting_agencies.clone()
    }
}

fn scope_name(t: &Taxonomy, scope: &str) -> String {
    if scope == PROVINCE {
        "Tỉnh (báo cáo tổng hợp)".to_owned()
    } else {
        t.agency(scope).map_or(scope.to_owned(), |a| a.name.clone())
    }
}

/// Who may submit or read a report's submissions, and for which scopes.
fn scopes_of(
    staff: &Staff,
    rule: &ReportDeadline,
    settings: &ReportSettings,
    t: &Taxonomy,
) -> Result<Vec<String>, AppError> {
    match (staff.role, rule.from.as_str()) {
        (Role::Coordinator, "province") => Ok(vec![PROVINCE.to_owned()]),
        (Role::Coordinator, _) => Ok(reporting_agencies(settings, t)),
        (Role::Supervisor, "agency") => {
            let own = staff
                .agency
                .as_ref()
                .map(|a| a.to_string())
                .ok_or(AppError::Forbidden)?;
            if reporting_agencies(settings, t).contains(&own) {
                Ok(vec![own])
            } else {
                Err(AppError::Forbidden)
            }
        }
        _ => Err(AppError::Forbidden),
    }
}

fn staff(actor: &Actor) -> Result<&Staff, AppError> {
    match actor {
        Actor::Staff(s) => Ok(s),
        _ => Err(AppError::Unauthenticated),
    }
}

/// One scope's state for a report and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionEntry {
    /// The agency's code, or `province`.
    pub scope: String,
    pub name: String,
    pub submitted: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    /// Submitted after the due date, or not submitted and the due date passed.
    pub late: bool,
    /// Cases the frozen report counted.
    pub total_cases: Option<i64>,
    /// `GET` the frozen PDF (when submitted).
    pub document_url: Option<String>,
    pub id: Option<String>,
}

/// Who has submitted a report of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SubmissionStatus {
    pub report: String,
    pub name: String,
    pub period: String,
    pub due_date: NaiveDate,
    pub entries: Vec<SubmissionEntry>,
}

fn entry(t: &Taxonomy, scope: &str, row: Option<&SubmissionRow>, due: NaiveDate, today: NaiveDate) -> SubmissionEntry {
    let submitted_on = row.map(|r| calendar::local_date(r.submitted_at.and_utc()));
    SubmissionEntry {
        scope: scope.to_owned(),
        name: scope_name(t, scope),
        submitted: row.is_some(),
        submitted_at: row.map(|r| r.submitted_at.and_utc()),
        late: submitted_on.unwrap_or(today) > due,
        total_cases: row.map(|r| r.total_cases),
        document_url: row.map(|r| format!("/api/v1/reports/submissions/{}/document.pdf", r.id)),
        id: row.map(|r| r.id.clone()),
    }
}

/// Submits the caller's report of `period` (a supervisor: their agency's; a coordinator: the
/// province's): its figures and its PDF are frozen as they are now.
pub async fn submit(
    state: &AppState,
    actor: Actor,
    report: &str,
    period: ReportPeriod,
) -> Result<SubmissionStatus, AppError> {
    let settings = &state.settings.reports;
    let rule = rule(settings, report)?.clone();
    if due_date(&rule, period).is_none() {
        let (en, vi) = wrong_period(&rule);
        return Err(AppError::invalid("period", en, vi));
    }
    let s = staff(&actor)?.clone();
    let scope = match (s.role, rule.from.as_str()) {
        // A coordinator does not submit an agency's report in its place.
        (Role::Coordinator, "agency") => return Err(AppError::Forbidden),
        _ => scopes_of(&s, &rule, settings, state.router.taxonomy())?
            .into_iter()
            .next()
            .ok_or(AppError::Forbidden)?,
    };
    let now = state.clock.now();
    let today = super::today(now);
    if period.days().0 > today {
        return Err(AppError::invalid(
            "period",
            "the period has not started",
            "kỳ báo cáo chưa bắt đầu",
        ));
    }
    let agency = (scope != PROVINCE).then(|| scope.clone());
    let (summary, pdf) = super::document(state, actor.clone(), period, agency).await?;
    let json = serde_json::to_string(&summary).map_err(|e| AppError::Internal(e.into()))?;
    let slug = period.slug();
    let (id, by) = (uuid::Uuid::now_v7().to_string(), s.id.to_string());
    let (code, sc) = (rule.code.clone(), scope.clone());
    let inserted = state
        .db
        .write(move |conn| {
            db::insert(
                conn,
                &NewSubmission {
                    id: &id,
                    report: &code,
                    period: &slug,
                    scope: &sc,
                    submitted_by: &by,
                    submitted_at: now.naive_utc(),
                    total_cases: summary.total,
                    summary_json: &json,
                    pdf: &pdf,
                },
            )
            .map_err(|e| {
                if is_unique_violation(&e) {
                    AppError::Conflict {
                        code: ErrorCode::ReportAlreadySubmitted,
                        en: "this report of the period is already submitted; its figures are frozen".into(),
                        vi: "báo cáo kỳ này đã được gửi; số liệu đã chốt".into(),
                    }
                } else {
                    e.into()
                }
            })
        })
        .await;
    inserted?;
    status(state, actor, &rule.code, period).await
}

/// Who has submitted `report` of `period`, among the scopes the caller may see.
pub async fn status(
    state: &AppState,
    actor: Actor,
    report: &str,
    period: ReportPeriod,
) -> Result<SubmissionStatus, AppError> {
    let settings = &state.settings.reports;
    let rule = rule(settings, report)?.clone();
    let due = due_date(&rule, period).ok_or_else(|| {
        let (en, vi) = wrong_period(&rule);
        AppError::bad_query("period", en, vi)
    })?;
    let scopes = scopes_of(staff(&actor)?, &rule, settings, state.router.taxonomy())?;
    let (code, slug) = (rule.code.clone(), period.slug());
    let rows = state.db.run(move |conn| Ok(db::of_period(conn, &code, &slug)?)).await?;
    let today = super::today(state.clock.now());
    let t = state.router.taxonomy();
    Ok(SubmissionStatus {
        report: rule.code.clone(),
        name: rule.name.clone(),
        period: period.slug(),
        due_date: due,
        entries: scopes
            .iter()
            .map(|sc| entry(t, sc, rows.iter().find(|r| &r.scope == sc), due, today))
            .collect(),
    })
}

/// The frozen PDF of a submission the caller may read (a coordinator: any; a supervisor: their
/// agency's); anything else is 404.
pub async fn frozen_pdf(state: &AppState, actor: Actor, id: String) -> Result<(SubmissionRow, Vec<u8>), AppError> {
    let s = staff(&actor)?.clone();
    let found = state.db.run(move |conn| Ok(db::find_with_pdf(conn, &id)?)).await?;
    match found {
        Some((row, pdf))
            if s.role == Role::Coordinator
                || (s.role == Role::Supervisor && s.agency.as_ref().is_some_and(|a| a.as_ref() == row.scope)) =>
        {
            Ok((row, pdf))
        }
        _ => Err(AppError::NotFound("report submission")),
    }
}

/// One agency's report of a period, as the consolidated report lists it.
#[derive(Debug, Clone)]
pub struct Received {
    pub agency_name: String,
    pub report_name: String,
    pub submitted_on: Option<NaiveDate>,
    pub total_cases: Option<i64>,
}

/// The agencies' reports of `period` (the rules from agencies covering its kind of period),
/// submitted or not.
pub(super) async fn received(state: &AppState, period: ReportPeriod) -> Result<Vec<Received>, AppError> {
    let settings = state.settings.reports.clone();
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let t = router.taxonomy();
            let mut out = Vec::new();
            for rule in settings.deadlines.iter().filter(|r| r.from == "agency") {
                if due_date(rule, period).is_none() {
                    continue;
                }
                let rows = db::of_period(conn, &rule.code, &period.slug())?;
                for a in reporting_agencies(&settings, t) {
                    let row = rows.iter().find(|r| r.scope == a);
                    out.push(Received {
                        agency_name: scope_name(t, &a),
                        report_name: rule.name.clone(),
                        submitted_on: row.map(|r| calendar::local_date(r.submitted_at.and_utc())),
                        total_cases: row.map(|r| r.total_cases),
                    });
                }
            }
            Ok(out)
        })
        .await
}

/// The periods a rule may be due for around `today`: the current and the previous one.
pub fn periods_around(rule: &ReportDeadline, today: NaiveDate) -> Vec<ReportPeriod> {
    let y = today.year();
    match rule.period.as_str() {
        "quarter" => {
            let q = (today.month() - 1) / 3 + 1;
            let prev = if q == 1 {
                ReportPeriod::Quarter {
                    year: y - 1,
                    quarter: 4,
                }
            } else {
                ReportPeriod::Quarter {
                    year: y,
                    quarter: q - 1,
                }
            };
            vec![prev, ReportPeriod::Quarter { year: y, quarter: q }]
        }
        _ => vec![ReportPeriod::Year(y - 1), ReportPeriod::Year(y)],
    }
}

/// What the sweep needs to remind.
pub struct ReminderCtx<'a> {
    pub settings: &'a ReportSettings,
    pub taxonomy: &'a Taxonomy,
    pub base_url: &'a str,
    pub max_attempts: i32,
}

/// Reminds, once, the supervisors of every reporting agency (the coordinators for the
/// province's report) whose report falls due within `reminder_days` and is not submitted.
pub fn remind(conn: &mut AnyConnection, ctx: &ReminderCtx<'_>, at: DateTime<Utc>) -> Result<(), AppError> {
    let today = calendar::local_date(at);
    for rule in &ctx.settings.deadlines {
        for period in periods_around(rule, today) {
            let Some(due) = due_date(rule, period) else { continue };
            let window = (due - chrono::TimeDelta::days(ctx.settings.reminder_days))..=due;
            if !window.contains(&today) {
                continue;
            }
            let scopes = if rule.from == "province" {
                vec![PROVINCE.to_owned()]
            } else {
                reporting_agencies(ctx.settings, ctx.taxonomy)
            };
            for scope in scopes {
                let slug = period.slug();
                if db::exists(conn, &rule.code, &slug, &scope)?
                    || !db::mark_reminded(conn, &rule.code, &slug, &scope, at.naive_utc())?
                {
                    continue;
                }
                let recipients = if scope == PROVINCE {
                    crate::db::users::role_contacts(conn, None, "coordinator")?
                } else {
                    crate::db::users::role_contacts(conn, Some(&scope), "supervisor")?
                };
                for (name, to) in recipients {
                    let m = ReportDue {
                        recipient_name: name,
                        report_name: rule.name.clone(),
                        period_label: period.label_vi(),
                        scope_name: scope_name(ctx.taxonomy, &scope),
                        due_date: calendar::vn_date(due),
                        reports_url: format!("{}/console/reports", ctx.base_url),
                    };
                    enqueue_email(conn, &to, &m, at, ctx.max_attempts)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(period: &str, due_month: u32, due_day: u32) -> ReportDeadline {
        ReportDeadline {
            code: "x".into(),
            name: "x".into(),
            period: period.into(),
            from: "agency".into(),
            due_month,
            due_day,
        }
    }

    #[test]
    fn due_dates_follow_the_plans() {
        let q3 = ReportPeriod::Quarter { year: 2026, quarter: 3 };
        assert_eq!(
            due_date(&rule("quarter", 3, 22), q3).map(|d| d.to_string()).as_deref(),
            Some("2026-09-22")
        );
        assert_eq!(due_date(&rule("year", 11, 10), q3), None);
        let y = ReportPeriod::Year(2026);
        assert_eq!(
            due_date(&rule("year", 11, 25), y).map(|d| d.to_string()).as_deref(),
            Some("2026-11-25")
        );
        // The 15 March report, due 10 June.
        assert_eq!(
            due_date(&rule("year", 6, 10), y).map(|d| d.to_string()).as_deref(),
            Some("2026-06-10")
        );
        // After the period: the month after a quarter.
        assert_eq!(
            due_date(&rule("quarter", 4, 10), q3).map(|d| d.to_string()).as_deref(),
            Some("2026-10-10")
        );
    }

    #[test]
    fn the_periods_around_a_day() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap_or_default();
        assert_eq!(
            periods_around(&rule("quarter", 3, 22), d),
            vec![
                ReportPeriod::Quarter { year: 2025, quarter: 4 },
                ReportPeriod::Quarter { year: 2026, quarter: 1 }
            ]
        );
    }
}
