//! Consumer data rights: export and anonymise what the service holds about one consumer.

use actix_web::web::Data;
use actix_web::{HttpResponse, Responder};
use serde::Deserialize;
use utoipa::ToSchema;

use super::extractors::{ClientAddr, CurrentUser, JsonBody};
use crate::error::{AppError, Problem};
use crate::service::privacy::{self, ConsumerExport, ConsumerRef, ErasureReport};
use crate::state::AppState;

/// Whose data: exactly one of the two. In the body, never in the URL (URLs are logged by
/// proxies).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsumerRefDto {
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/consumers/export", tag = "privacy", security(("bearer" = [])), request_body = ConsumerRefDto,
    responses((status = 200, body = ConsumerExport, description = "every case (with its history) and call of the consumer the caller may see"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn export(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<ConsumerRefDto>,
) -> Result<impl Responder, AppError> {
    let who = ConsumerRef::parse(body.value.phone.as_deref(), body.value.email.as_deref())?;
    let out = privacy::export(&state, user.actor(), who, addr.0).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Content-Disposition", "attachment; filename=\"consumer-export.json\""))
        .json(out))
}

#[utoipa::path(post, path = "/api/v1/consumers/erase", tag = "privacy", security(("bearer" = [])), request_body = ConsumerRefDto,
    responses((status = 200, body = ErasureReport, description = "closed cases anonymised, open cases held"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn erase(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<ConsumerRefDto>,
) -> Result<impl Responder, AppError> {
    let who = ConsumerRef::parse(body.value.phone.as_deref(), body.value.email.as_deref())?;
    Ok(HttpResponse::Ok().json(privacy::erase(&state, user.actor(), who, addr.0).await?))
}
