//! Liveness, readiness, reference lists.

use actix_web::web::Data;
use actix_web::{HttpResponse, Responder};
use serde::Serialize;
use utoipa::ToSchema;

use super::extractors::CurrentUser;
use crate::error::{AppError, Unavailable};
use crate::service::reference::{self, AgencyUnitView, AgencyView, CategoryView};
use crate::state::AppState;

#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "the process is up")))]
pub async fn healthz() -> impl Responder {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: String,
    /// `ok`, or why not: `unreachable`, `busy`, `disk_full`, `read_only`, `storage_error`,
    /// `migrations_pending`.
    pub database: String,
    pub backend: String,
    pub pending_migrations: Vec<String>,
}

#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(state: Data<AppState>) -> impl Responder {
    let backend = reference::backend(&state).to_owned();
    let (database, pending) = match reference::pending_migrations(&state).await {
        Ok(p) if !p.is_empty() => ("migrations_pending", p),
        Ok(p) => match reference::storage_fault(&state).await {
            None => ("ok", p),
            Some(cause) => (cause.as_str(), p),
        },
        Err(AppError::Unavailable(cause)) => (cause.as_str(), vec![]),
        Err(_) => (Unavailable::StorageError.as_str(), vec![]),
    };
    let ok = database == "ok";
    let body = Readiness {
        status: if ok { "ready" } else { "not_ready" }.into(),
        database: database.into(),
        backend,
        pending_migrations: pending,
    };
    if ok {
        HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(body)
    } else {
        HttpResponse::ServiceUnavailable()
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("Retry-After", "5"))
            .json(body)
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

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UnitsParams {
    /// Only the units of this agency (`UBND_XA`, `HOI`).
    pub agency: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "reference", security(("bearer" = [])), params(UnitsParams),
    responses((status = 200, body = Vec<AgencyUnitView>, description = "the units under the agencies: one per commune or ward of the province under the commune agency, and the configured branches (config/units.toml)")))]
pub async fn units(
    state: Data<AppState>,
    _user: CurrentUser,
    q: actix_web::web::Query<UnitsParams>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(reference::units(&state, q.agency.as_deref())))
}
