//! Admin views of the e-mail outbox.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, Responder};
use serde::Deserialize;
use utoipa::IntoParams;

use super::extractors::CurrentUser;
use crate::error::{AppError, Problem};
use crate::service::jobs::{self, OutboxView};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OutboxParams {
    /// pending | running | done | dead
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/admin/outbox", tag = "admin", security(("bearer" = [])), params(OutboxParams),
    responses((status = 200, body = Vec<OutboxView>), (status = 403, body = Problem)))]
pub async fn outbox(
    state: Data<AppState>,
    user: CurrentUser,
    q: Query<OutboxParams>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(jobs::outbox(&state, user.actor(), q.into_inner().status).await?))
}

#[utoipa::path(post, path = "/api/v1/admin/outbox/{id}/retry", tag = "admin", security(("bearer" = [])),
    responses((status = 204), (status = 404, body = Problem)))]
pub async fn retry(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    jobs::retry(&state, user.actor(), id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
