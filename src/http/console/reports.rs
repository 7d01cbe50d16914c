//! Reports in the console (issue 14), for supervisors and coordinators: a period's figures
//! (the API's summary), downloads as XLSX, CSV and the printed PDF, and the period reports
//! owed — their due dates, who has submitted, and the form that submits (freezes) one.
//! Downloads go through the console's session (the API wants a bearer token).

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::session::{see_other, signed_in, Signed};
use super::{error_page, page, Who};
use crate::calendar;
use crate::domain::user::Role;
use crate::error::{AppError, ErrorCode};
use crate::service::reports::submissions::{self, SubmissionStatus};
use crate::service::reports::{self, Preset, ReportPeriod, Summary};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    /// `month`, `quarter` (default) or `year`.
    pub preset: Option<String>,
    /// Any day of the period (default: today).
    pub from: Option<NaiveDate>,
    /// After a submission: `submitted` or `already`.
    pub done: Option<String>,
}

struct Figure {
    label: String,
    value: String,
}

struct ClockLine {
    title: String,
    met: i64,
    late: i64,
    overdue: i64,
    rate: String,
}

struct Owed {
    name: String,
    period_label: String,
    report: String,
    period: String,
    due: String,
    /// Entries of the status: (name, state in words, late, the frozen PDF's console URL).
    entries: Vec<(String, String, bool, Option<String>)>,
    /// The caller may submit it now (their own scope, not yet submitted).
    can_submit: bool,
}

/// A mediator's line of the mediation table: name, cases, settled, failed, not closed, sessions
/// held.
type MediatorLine = (String, i64, i64, i64, i64, i64);

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsPage {
    who: Option<Who>,
    preset: String,
    from: String,
    period_label: String,
    query: String,
    figures: Vec<Figure>,
    months: Vec<(String, i64)>,
    clocks: Vec<ClockLine>,
    businesses: Vec<(String, i64, String)>,
    /// The period's mediations (a mediation body's, or the province's): a sentence, and a line
    /// per mediator.
    mediation: Option<(String, Vec<MediatorLine>)>,
    owed: Vec<Owed>,
    done: Option<String>,
}

fn reader(s: &Signed) -> Result<(), AppError> {
    if matches!(s.staff.role, Role::Supervisor | Role::Coordinator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn preset_of(q: &PeriodQuery) -> (Preset, &'static str) {
    match q.preset.as_deref() {
        Some("month") => (Preset::Month, "month"),
        Some("year") => (Preset::Year, "year"),
        _ => (Preset::Quarter, "quarter"),
    }
}

/// The report period of a preset period (for the PDF and submissions).
fn report_period(preset: Preset, from: NaiveDate) -> ReportPeriod {
    use chrono::Datelike;
    match preset {
        Preset::Month => ReportPeriod::Month {
            year: from.year(),
            month: from.month(),
        },
        Preset::Quarter => ReportPeriod::Quarter {
            year: from.year(),
            quarter: (from.month() - 1) / 3 + 1,
        },
        Preset::Year => ReportPeriod::Year(from.year()),
    }
}

fn percent(r: Option<f64>) -> String {
    r.map_or("–".to_owned(), |r| format!("{:.1}%", r * 100.0).replace('.', ","))
}

pub async fn show(state: Data<AppState>, req: HttpRequest, q: Query<PeriodQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match render(&state, &s, &q).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

fn figures(s: &Summary) -> Vec<Figure> {
    let f = |label: &str, value: String| Figure {
        label: label.to_owned(),
        value,
    };
    let days = |d: Option<f64>| d.map_or("–".to_owned(), |d| format!("{d:.1} ngày").replace('.', ","));
    vec![
        f("Vụ việc tiếp nhận", s.total.to_string()),
        f("Cuộc gọi", s.calls.total.to_string()),
        f("— chỉ tư vấn", s.calls.advice_only.to_string()),
        f("— mở hồ sơ", s.calls.cases_opened.to_string()),
        f("Đã kết thúc", s.time_to_close.closed.to_string()),
        f("Thời gian giải quyết (trung vị)", days(s.time_to_close.median_days)),
        f("Thời gian giải quyết (90%)", days(s.time_to_close.p90_days)),
        f(
            "Tiền thu hồi cho người tiêu dùng",
            format!(
                "{} đồng ({} vụ việc)",
                s.money_recovered.total_vnd, s.money_recovered.cases
            ),
        ),
    ]
}

async fn render(state: &AppState, s: &Signed, q: &PeriodQuery) -> Result<ReportsPage, AppError> {
    reader(s)?;
    let (preset, preset_name) = preset_of(q);
    let today = reports::today(state.clock.now());
    let (from, to) = reports::preset_period(preset, q.from.unwrap_or(today));
    let dims = reports::parse_group_by(Some("month"))?;
    let summary = reports::summary(state, s.actor(), from, to, dims).await?;
    let period = report_period(preset, from);
    let months = summary
        .breakdowns
        .first()
        .map(|b| {
            b.rows
                .iter()
                .filter_map(|r| Some((reports::month_label(r.value.as_deref()?), r.count)))
                .collect()
        })
        .unwrap_or_default();
    let clocks = summary
        .clocks
        .iter()
        .map(|c| ClockLine {
            title: c.title.clone(),
            met: c.met,
            late: c.late,
            overdue: c.running_overdue,
            rate: percent(c.on_time_rate),
        })
        .collect();
    let businesses = summary
        .top_businesses
        .iter()
        .map(|b| {
            (
                b.name.clone().unwrap_or_else(|| b.business_key.clone()),
                b.cases,
                percent(b.on_time_answer_rate),
            )
        })
        .collect();
    let mediation = summary.mediation.as_ref().map(|m| {
        (
            format!(
                "{} vụ việc có hòa giải viên: thành {}, không thành {}, kết thúc cách khác {}, chưa kết thúc {} (tỷ lệ thành {}); {} phiên hòa giải đã tổ chức trong kỳ.",
                m.cases,
                m.settled,
                m.failed,
                m.closed_otherwise,
                m.open,
                percent(m.success_rate),
                m.sessions_held
            ),
            m.mediators
                .iter()
                .map(|x| (x.name.clone(), x.cases, x.settled, x.failed, x.open, x.sessions_held))
                .collect(),
        )
    });
    Ok(ReportsPage {
        who: Some(Who::of(s)),
        preset: preset_name.to_owned(),
        from: from.to_string(),
        period_label: format!(
            "{} ({} – {})",
            period.label_vi(),
            calendar::vn_date(from),
            calendar::vn_date(to)
        ),
        query: format!("preset={preset_name}&from={from}"),
        figures: figures(&summary),
        months,
        clocks,
        businesses,
        mediation,
        owed: owed(state, s, today).await?,
        done: q.done.clone(),
    })
}

/// The reports owed around today that concern the caller, with who has submitted them.
async fn owed(state: &AppState, s: &Signed, today: NaiveDate) -> Result<Vec<Owed>, AppError> {
    let mut out = Vec::new();
    for rule in &state.settings.reports.deadlines {
        let mine = matches!(
            (s.staff.role, rule.from.as_str()),
            (Role::Supervisor, "agency") | (Role::Coordinator, _)
        );
        if !mine {
            continue;
        }
        for period in submissions::periods_around(rule, today) {
            let st: SubmissionStatus = match submissions::status(state, s.actor(), &rule.code, period).await {
                Ok(st) => st,
                Err(AppError::Forbidden) => continue,
                Err(e) => return Err(e),
            };
            let own_scope = match s.staff.role {
                Role::Coordinator => rule.from == "province",
                _ => true,
            };
            out.push(Owed {
                name: rule.name.clone(),
                period_label: period.label_vi(),
                report: rule.code.clone(),
                period: period.slug(),
                due: calendar::vn_date(st.due_date),
                can_submit: own_scope && st.entries.first().is_some_and(|e| !e.submitted) && period.days().0 <= today,
                entries: st
                    .entries
                    .iter()
                    .map(|e| {
                        let state = match e.submitted_at {
                            Some(at) => format!("Đã gửi {}", calendar::vn_date(calendar::local_date(at))),
                            None => "Chưa gửi".to_owned(),
                        };
                        let pdf = e.id.as_ref().map(|id| format!("/console/reports/submissions/{id}.pdf"));
                        (e.name.clone(), state, e.late, pdf)
                    })
                    .collect(),
            });
        }
    }
    Ok(out)
}

/// "Gửi báo cáo": freezes the caller's report of a period.
pub async fn submit(state: Data<AppState>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let report = f.get("report").cloned().unwrap_or_default();
    let period = match ReportPeriod::parse(f.get("period").map(String::as_str).unwrap_or_default()) {
        Ok(p) => p,
        Err(e) => return error_page(&e),
    };
    match submissions::submit(&state, s.actor(), &report, period).await {
        Ok(_) => see_other("/console/reports?done=submitted"),
        Err(AppError::Conflict {
            code: ErrorCode::ReportAlreadySubmitted,
            ..
        }) => see_other("/console/reports?done=already"),
        Err(e) => error_page(&e),
    }
}

/// A frozen report's PDF.
pub async fn submission_pdf(state: Data<AppState>, req: HttpRequest, id: Path<String>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let id = id.trim_end_matches(".pdf").to_owned();
    match submissions::frozen_pdf(&state, s.actor(), id).await {
        Ok((row, pdf)) => pdf_response(&format!("bao-cao-{}-{}.pdf", row.report, row.period), pdf),
        Err(e) => error_page(&e),
    }
}

fn pdf_response(name: &str, pdf: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Content-Disposition", format!("inline; filename=\"{name}\"")))
        .body(pdf)
}

/// The period's printed report (the caller's agency, or the province's for a coordinator).
pub async fn document(state: Data<AppState>, req: HttpRequest, q: Query<PeriodQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(e) = reader(&s) {
        return error_page(&e);
    }
    let (preset, _) = preset_of(&q);
    let today = reports::today(state.clock.now());
    let from = reports::preset_period(preset, q.from.unwrap_or(today)).0;
    let period = report_period(preset, from);
    match reports::document(&state, s.actor(), period, None).await {
        Ok((_, pdf)) => pdf_response(&format!("bao-cao-{}.pdf", period.slug()), pdf),
        Err(e) => error_page(&e),
    }
}

/// The period's summary as XLSX (`ext` = `xlsx`) or CSV.
pub async fn table(state: Data<AppState>, req: HttpRequest, ext: Path<String>, q: Query<PeriodQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (preset, _) = preset_of(&q);
    let today = reports::today(state.clock.now());
    let (from, to) = reports::preset_period(preset, q.from.unwrap_or(today));
    let made = async {
        reader(&s)?;
        let dims = reports::parse_group_by(None)?;
        let summary = reports::summary(&state, s.actor(), from, to, dims).await?;
        let rows = reports::summary_rows(&summary);
        match ext.as_str() {
            "xlsx" => Ok((
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                reports::to_xlsx("Báo cáo", &rows)?,
            )),
            "csv" => Ok(("text/csv; charset=utf-8", reports::to_csv(&rows).into_bytes())),
            _ => Err(AppError::NotFound("format")),
        }
    };
    match made.await {
        Ok((ct, body)) => HttpResponse::Ok()
            .content_type(ct)
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"bao-cao-{from}-{to}.{}\"", ext.as_str()),
            ))
            .body(body),
        Err(e) => error_page(&e),
    }
}
