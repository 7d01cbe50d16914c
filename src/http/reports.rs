//! Reports (issue 14): the summary for supervisors and coordinators, as JSON, CSV or XLSX.

use actix_web::web::{Data, Query};
use actix_web::{HttpRequest, HttpResponse, Responder};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::extractors::CurrentUser;
use crate::error::{AppError, Problem};
use crate::service::reports::{self, Preset, Summary};
use crate::state::AppState;

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
    /// `json` (default), `csv` or `xlsx`; without it the `Accept` header decides (`text/csv`,
    /// the XLSX media type).
    pub format: Option<String>,
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
    let p = p.into_inner();
    let preset = match p.preset.as_deref() {
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
    let (from, to) = match (preset, p.from, p.to) {
        (Some(pr), from, None) => reports::preset_period(pr, from.unwrap_or(today)),
        (None, Some(from), Some(to)) => (from, to),
        (None, None, None) => reports::preset_period(Preset::Month, today),
        _ => {
            return Err(AppError::bad_query(
                "from",
                "give from and to, or a preset (with an optional from)",
                "cần from và to, hoặc preset (có thể kèm from)",
            ))
        }
    };
    let accept = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = match p.format.as_deref() {
        Some(f @ ("csv" | "json" | "xlsx")) => f,
        Some(_) => {
            return Err(AppError::bad_query(
                "format",
                "format is json, csv or xlsx",
                "format chỉ nhận json, csv hoặc xlsx",
            ))
        }
        None if accept.contains(XLSX) => "xlsx",
        None if accept.contains("text/csv") => "csv",
        None => "json",
    };
    let s = reports::summary(&state, user.actor(), from, to).await?;
    if format == "xlsx" {
        Ok(HttpResponse::Ok()
            .content_type(XLSX)
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"bao-cao-{from}-{to}.xlsx\""),
            ))
            .body(reports::to_xlsx(&s)?))
    } else if format == "csv" {
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"bao-cao-{from}-{to}.csv\""),
            ))
            .body(reports::to_csv(&s)))
    } else {
        Ok(HttpResponse::Ok().json(s))
    }
}
