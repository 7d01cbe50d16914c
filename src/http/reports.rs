//! Reports (issue 14): the summary of a period and the performance of the agencies, for
//! supervisors and coordinators, as JSON, CSV or XLSX.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, Responder};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extractors::{CurrentUser, JsonBody};
use crate::error::{AppError, Problem};
use crate::service::reports::submissions::{self, SubmissionStatus};
use crate::service::reports::{self, Performance, Preset, Summary};
use crate::state::AppState;
use crate::xlsx::Cell;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    /// First day (YYYY-MM-DD, Vietnam time). With `preset`, any day of the period.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive. Without `from` and `to`: the preset period of today.
    pub to: Option<NaiveDate>,
    /// `month` (default without dates), `quarter` or `year`: the period containing `from`.
    pub preset: Option<String>,
    /// The breakdowns, comma-separated, in the order wanted: `month`, `channel`, `kind`,
    /// `category`, `agency`, `unit`, `status`, `outcome`, `vulnerable`, `consumer_province`,
    /// `consumer_commune`. Default: all of them.
    pub group_by: Option<String>,
    /// `json` (default), `csv` or `xlsx`; without it the `Accept` header decides (`text/csv`,
    /// the XLSX media type).
    pub format: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PerformanceParams {
    /// First day (YYYY-MM-DD, Vietnam time). With `preset`, any day of the period.
    pub from: Option<NaiveDate>,
    /// Last day, inclusive. Without `from` and `to`: the preset period of today.
    pub to: Option<NaiveDate>,
    /// `month` (default without dates), `quarter` or `year`: the period containing `from`.
    pub preset: Option<String>,
    /// `json` (default), `csv` or `xlsx`; without it the `Accept` header decides.
    pub format: Option<String>,
}

/// The period of `from`/`to`/`preset`.
fn period(
    state: &AppState,
    preset: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let preset = match preset {
        None => None,
        Some("month") => Some(Preset::Month),
        Some("quarter") => Some(Preset::Quarter),
        Some("year") => Some(Preset::Year),
        Some(_) => {
            return Err(AppError::bad_query(
                "preset",
                "preset is month, quarter or year",
                "preset chỉ nhận month, quarter hoặc year",
            ))
        }
    };
    let today = reports::today(state.clock.now());
    match (preset, from, to) {
        (Some(pr), from, None) => Ok(reports::preset_period(pr, from.unwrap_or(today))),
        (None, Some(from), Some(to)) => Ok((from, to)),
        (None, None, None) => Ok(reports::preset_period(Preset::Month, today)),
        _ => Err(AppError::bad_query(
            "from",
            "give from and to, or a preset (with an optional from)",
            "cần from và to, hoặc preset (có thể kèm from)",
        )),
    }
}

/// What the caller asked for: `format`, else the `Accept` header, else JSON.
fn format<'a>(req: &HttpRequest, format: Option<&'a str>) -> Result<&'a str, AppError> {
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match format {
        Some(f @ ("csv" | "json" | "xlsx")) => Ok(f),
        Some(_) => Err(AppError::bad_query(
            "format",
            "format is json, csv or xlsx",
            "format chỉ nhận json, csv hoặc xlsx",
        )),
        None if accept.contains(XLSX) => Ok("xlsx"),
        None if accept.contains("text/csv") => Ok("csv"),
        None => Ok("json"),
    }
}

/// A table as a CSV or XLSX attachment named `name`.
fn table(format: &str, name: &str, sheet: &str, rows: &[Vec<Cell>]) -> Result<HttpResponse, AppError> {
    let (ct, ext, body) = if format == "xlsx" {
        (XLSX, "xlsx", reports::to_xlsx(sheet, rows)?)
    } else {
        ("text/csv; charset=utf-8", "csv", reports::to_csv(rows).into_bytes())
    };
    Ok(HttpResponse::Ok()
        .content_type(ct)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}.{ext}\"")))
        .body(body))
}

#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", security(("bearer" = [])), params(SummaryParams),
    responses((status = 200, description = "JSON, or CSV (`text/csv`) or XLSX with Vietnamese headers",
            content((Summary = "application/json"), (String = "text/csv"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn summary(
    state: Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    p: Query<SummaryParams>,
) -> Result<impl Responder, AppError> {
    let (from, to) = period(&state, p.preset.as_deref(), p.from, p.to)?;
    let format = format(&req, p.format.as_deref())?;
    let dims = reports::parse_group_by(p.group_by.as_deref())?;
    let s = reports::summary(&state, user.actor(), from, to, dims).await?;
    match format {
        "json" => Ok(HttpResponse::Ok().json(s)),
        f => table(
            f,
            &format!("bao-cao-{from}-{to}"),
            "Báo cáo",
            &reports::summary_rows(&s),
        ),
    }
}

#[utoipa::path(get, path = "/api/v1/reports/agencies", tag = "reports", security(("bearer" = [])), params(PerformanceParams),
    responses((status = 200, description = "Per agency: cases, overdue now, on-time rate of every legal clock, time to close, ratings. JSON, CSV or XLSX",
            content((Performance = "application/json"), (String = "text/csv"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn agencies(
    state: Data<AppState>,
    user: CurrentUser,
    req: HttpRequest,
    p: Query<PerformanceParams>,
) -> Result<impl Responder, AppError> {
    let (from, to) = period(&state, p.preset.as_deref(), p.from, p.to)?;
    let format = format(&req, p.format.as_deref())?;
    let perf = reports::performance(&state, user.actor(), from, to).await?;
    match format {
        "json" => Ok(HttpResponse::Ok().json(perf)),
        f => table(
            f,
            &format!("hieu-qua-co-quan-{from}-{to}"),
            "Hiệu quả cơ quan",
            &reports::performance_rows(&perf),
        ),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DocumentParams {
    /// `2026-Q3` (a quarter), `2026` (a year) or `2026-11` (a month).
    pub period: String,
    /// The reporting agency. A supervisor: their own (the default); a coordinator: any agency,
    /// or none for the province's consolidated report with a table of every agency.
    pub agency: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/document.pdf", tag = "reports", security(("bearer" = [])), params(DocumentParams),
    responses((status = 200, description = "The period report as an A4 PDF in Vietnamese, with tables and bar charts",
            content_type = "application/pdf", body = String),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn document(
    state: Data<AppState>,
    user: CurrentUser,
    p: Query<DocumentParams>,
) -> Result<impl Responder, AppError> {
    let p = p.into_inner();
    let period = reports::ReportPeriod::parse(&p.period)?;
    let name = format!(
        "bao-cao-{}{}.pdf",
        period.slug(),
        p.agency
            .as_deref()
            .map(|a| format!("-{}", a.to_lowercase()))
            .unwrap_or_default()
    );
    let (_, pdf) = reports::document(&state, user.actor(), period, p.agency).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header(("Content-Disposition", format!("inline; filename=\"{name}\"")))
        .body(pdf))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitReport {
    /// The report's code (`config/` `[[reports.deadlines]]`: `quarterly`, `annual`, …).
    pub report: String,
    /// `2026-Q3` or `2026`, as the report covers.
    pub period: String,
}

#[utoipa::path(post, path = "/api/v1/reports/submissions", tag = "reports", security(("bearer" = [])), request_body = SubmitReport,
    responses((status = 201, body = SubmissionStatus, description = "submitted: the figures and the PDF frozen"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "report_already_submitted", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<SubmitReport>,
) -> Result<impl Responder, AppError> {
    let body = body.value;
    let period = reports::ReportPeriod::parse(&body.period)?;
    let s = submissions::submit(&state, user.actor(), &body.report, period).await?;
    Ok(HttpResponse::Created().json(s))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubmissionParams {
    /// The report's code (`quarterly`, `annual`, `annual_province`, …).
    pub report: String,
    /// `2026-Q3` or `2026`.
    pub period: String,
}

#[utoipa::path(get, path = "/api/v1/reports/submissions", tag = "reports", security(("bearer" = [])), params(SubmissionParams),
    responses((status = 200, body = SubmissionStatus, description = "the due date and, per agency (a supervisor: theirs), whether and when it submitted"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn submissions_of(
    state: Data<AppState>,
    user: CurrentUser,
    p: Query<SubmissionParams>,
) -> Result<impl Responder, AppError> {
    let period = reports::ReportPeriod::parse(&p.period)?;
    Ok(HttpResponse::Ok().json(submissions::status(&state, user.actor(), &p.report, period).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/submissions/{id}/document.pdf", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the frozen PDF", content_type = "application/pdf", body = String),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn submission_pdf(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    let (row, pdf) = submissions::frozen_pdf(&state, user.actor(), id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!(
                "inline; filename=\"bao-cao-{}-{}-{}.pdf\"",
                row.report,
                row.period,
                row.scope.to_lowercase()
            ),
        ))
        .body(pdf))
}
