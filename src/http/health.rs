//! Liveness, readiness, reference lists.

use actix_web::web::Data;
use actix_web::{HttpResponse, Responder};
use serde::Serialize;
use utoipa::ToSchema;

use super::extractors::CurrentUser;
use crate::error::AppError;
use crate::service::reference::{self, AgencyView, CategoryView};
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "the process is up")))]
pub async fn healthz() -> impl Responder {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    pub status: String,
    pub database: String,
    pub backend: String,
    pub pending_migrations: Vec<String>,
}

#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(state: Data<AppState>) -> impl Responder {
    let backend = state.db.backend().as_str().to_owned();
    let (ok, database, pending) = match reference::pending_migrations(&state).await {
        Ok(p) => (p.is_empty(), "ok", p),
        Err(_) => (false, "unreachable", vec![]),
    };
    let body = Readiness {
        status: if ok { "ready" } else { "not_ready" }.into(),
        database: database.into(),
        backend,
        pending_migrations: pending,
    };
    if ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "reference", security(("bearer" = [])), responses((status = 200, body = Vec<AgencyView>)))]
pub async fn agencies(state: Data<AppState>, _user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(reference::agencies(&state).await?))
}

#[utoipa::path(get, path = "/api/v1/categories", tag = "reference", security(("bearer" = [])), responses((status = 200, body = Vec<CategoryView>)))]
pub async fn categories(state: Data<AppState>, _user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(reference::categories(&state).await?))
}
