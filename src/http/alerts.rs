//! Early warning (issue 14 point 6, ADR 0038): the signals of the weekly job for coordinators,
//! dismissing one, and drafting a public warning from one.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, Responder};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::extractors::CurrentUser;
use crate::domain::alert::AlertStatus;
use crate::error::{AppError, Problem};
use crate::service::alerts::{self, AlertView};
use crate::state::AppState;

/// A signal's status, as a filter.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertStatusParam {
    Open,
    Dismissed,
    Drafted,
}

impl From<AlertStatusParam> for AlertStatus {
    fn from(p: AlertStatusParam) -> AlertStatus {
        match p {
            AlertStatusParam::Open => AlertStatus::Open,
            AlertStatusParam::Dismissed => AlertStatus::Dismissed,
            AlertStatusParam::Drafted => AlertStatus::Drafted,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AlertListParams {
    /// Only signals of this status (`open`, `dismissed`, `drafted`); default: all.
    pub status: Option<AlertStatusParam>,
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "alerts", security(("bearer" = [])), params(AlertListParams),
    responses((status = 200, body = Vec<AlertView>, description = "Signals of the weekly early-warning job, newest week first, strongest first; `cases_query` lists each one's cases with `GET /api/v1/cases`"),
        (status = 403, body = Problem, description = "Coordinators only", content_type = "application/problem+json")))]
pub async fn list_alerts(
    state: Data<AppState>,
    user: CurrentUser,
    q: Query<AlertListParams>,
) -> Result<impl Responder, AppError> {
    let status = q.into_inner().status.map(AlertStatus::from);
    Ok(HttpResponse::Ok().json(alerts::list(&state, user.actor(), status).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/draft-warning", tag = "alerts", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 201, body = AlertView, description = "A draft public warning (title and body prefilled in Vietnamese from the signal) was made and linked (`warning_id`); the signal is `drafted`"),
        (status = 409, body = Problem, description = "`alert_not_open`: dismissed, or drafted already", content_type = "application/problem+json")))]
pub async fn draft_warning(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Created().json(alerts::draft_warning(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(post, path = "/api/v1/alerts/{id}/dismiss", tag = "alerts", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = AlertView, description = "Judged not worth a warning"),
        (status = 409, body = Problem, description = "`alert_not_open`: dismissed, or drafted already", content_type = "application/problem+json")))]
pub async fn dismiss(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(alerts::dismiss(&state, user.actor(), id.into_inner()).await?))
}
