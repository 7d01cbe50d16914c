//! Hotline call log endpoints.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, Responder};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{CallUpdateDto, NewCallDto};
use super::extractors::{CurrentUser, JsonBody};
use crate::domain::search::CallFilter;
use crate::domain::values::Phone;
use crate::error::{AppError, Problem};
use crate::service::calls::{self, CallOutcome, CallPage, CallView};
use crate::service::cases::decode_time_cursor;
use crate::state::AppState;
use chrono::{DateTime, FixedOffset};

#[utoipa::path(post, path = "/api/v1/calls", tag = "calls", security(("bearer" = [])), request_body = NewCallDto,
    responses((status = 201, body = CallView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<NewCallDto>,
) -> Result<impl Responder, AppError> {
    let call = body.value.into_domain(state.clock.today())?;
    Ok(HttpResponse::Created().json(calls::log_call(&state, user.actor(), call).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CallListParams {
    pub outcome: Option<CallOutcome>,
    /// The caller's phone, however written (`0912 345 678`, `+84912345678`).
    pub phone: Option<String>,
    /// The operator's user id.
    pub operator: Option<String>,
    /// Calls started at or after this instant (RFC 3339).
    pub from: Option<DateTime<FixedOffset>>,
    /// Calls started before this instant (RFC 3339).
    pub to: Option<DateTime<FixedOffset>>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/calls", tag = "calls", security(("bearer" = [])), params(CallListParams),
    responses((status = 200, body = CallPage)))]
pub async fn list(
    state: Data<AppState>,
    user: CurrentUser,
    q: Query<CallListParams>,
) -> Result<impl Responder, AppError> {
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let after = match &q.cursor {
        Some(c) => Some(decode_time_cursor(c)?),
        None => None,
    };
    let phone = match q.phone.as_deref() {
        Some(p) => Some(Phone::parse("phone", p).map_err(|_| {
            AppError::bad_query(
                "phone",
                "phone is a Vietnamese phone number",
                "phone phải là số điện thoại Việt Nam",
            )
        })?),
        None => None,
    };
    if q.operator.as_deref().is_some_and(|o| uuid::Uuid::parse_str(o).is_err()) {
        return Err(AppError::bad_query(
            "operator",
            "operator is a user id (UUID)",
            "operator phải là mã người dùng (UUID)",
        ));
    }
    let filter = CallFilter {
        phone: phone.map(|p| p.as_ref().to_owned()),
        operator: q.operator,
        outcome: q.outcome.map(|o| o.as_str().to_owned()),
        from: q.from.map(|t| t.to_utc().naive_utc()),
        to: q.to.map(|t| t.to_utc().naive_utc()),
    };
    Ok(HttpResponse::Ok().json(calls::list_calls(&state, user.actor(), filter, after, limit).await?))
}

#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls", security(("bearer" = [])),
    responses((status = 200, body = CallView), (status = 404, body = Problem)))]
pub async fn get(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(calls::get_call(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(patch, path = "/api/v1/calls/{id}", tag = "calls", security(("bearer" = [])), request_body = CallUpdateDto,
    responses((status = 200, body = CallView), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "already_answered: no open callback to mark done", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn complete(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<CallUpdateDto>,
) -> Result<impl Responder, AppError> {
    let update = body.value.into_domain()?;
    Ok(HttpResponse::Ok().json(calls::complete_call(&state, user.actor(), id.into_inner(), update).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CallbackParams {
    /// Only the caller's own callbacks.
    pub mine: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/calls/callbacks", tag = "calls", security(("bearer" = [])), params(CallbackParams),
    responses((status = 200, body = Vec<CallView>, description = "open callbacks, soonest due first")))]
pub async fn callbacks(
    state: Data<AppState>,
    user: CurrentUser,
    q: Query<CallbackParams>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(calls::open_callbacks(&state, user.actor(), q.mine.unwrap_or(false)).await?))
}
