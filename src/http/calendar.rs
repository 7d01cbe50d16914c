//! The working-day calculator (public) and the admin calendar API.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, Responder};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::extractors::{CurrentUser, JsonBody};
use crate::calendar::DueDate;
use crate::error::{AppError, Problem};
use crate::service::calendar_admin::{self, Change, ChangeResult, DayDto};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WorkingDaysParams {
    /// The day of the triggering event (not counted), YYYY-MM-DD.
    pub from: NaiveDate,
    /// Working days to add.
    pub add: u32,
}

#[utoipa::path(get, path = "/api/v1/calendar/working-days", tag = "calendar", params(WorkingDaysParams),
    responses((status = 200, body = DueDate), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn working_days(state: Data<AppState>, q: Query<WorkingDaysParams>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(calendar_admin::working_days(&state, q.from, q.add).await?))
}

#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", responses((status = 200, body = Vec<DayDto>)))]
pub async fn list(state: Data<AppState>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(calendar_admin::list(&state).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/calendar/days", tag = "calendar", security(("bearer" = [])), request_body = DayDto,
    responses((status = 201, body = ChangeResult), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add(state: Data<AppState>, user: CurrentUser, body: JsonBody<DayDto>) -> Result<impl Responder, AppError> {
    let r = calendar_admin::change(&state, user.actor(), Change::Put(body.value), true).await?;
    Ok(HttpResponse::Created().json(r))
}

#[utoipa::path(put, path = "/api/v1/admin/calendar/days/{date}", tag = "calendar", security(("bearer" = [])), request_body = DayDto,
    responses((status = 200, body = ChangeResult), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put(
    state: Data<AppState>,
    user: CurrentUser,
    date: Path<NaiveDate>,
    body: JsonBody<DayDto>,
) -> Result<impl Responder, AppError> {
    if body.value.date != *date {
        return Err(AppError::invalid(
            "date",
            "the body's date differs from the path",
            "ngày trong nội dung khác ngày trên đường dẫn",
        ));
    }
    Ok(HttpResponse::Ok().json(calendar_admin::change(&state, user.actor(), Change::Put(body.value), false).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/calendar/days/{date}", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = ChangeResult), (status = 404, body = Problem)))]
pub async fn delete(
    state: Data<AppState>,
    user: CurrentUser,
    date: Path<NaiveDate>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(calendar_admin::change(&state, user.actor(), Change::Delete(*date), false).await?))
}
