//! Reference data and readiness: small reads the HTTP layer needs without touching `db`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{portability, reference};
use crate::error::{AppError, Unavailable};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct AgencyView {
    pub code: String,
    pub name: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryView {
    pub code: String,
    pub name: String,
    pub dispute_lead: String,
    pub violation_lead: String,
}

pub async fn agencies(state: &AppState) -> Result<Vec<AgencyView>, AppError> {
    let rows = state.db.run(|conn| Ok(reference::list_agencies(conn)?)).await?;
    Ok(rows
        .into_iter()
        .map(|a| AgencyView {
            code: a.code,
            name: a.name,
            role: a.role,
        })
        .collect())
}

pub async fn categories(state: &AppState) -> Result<Vec<CategoryView>, AppError> {
    let rows = state.db.run(|conn| Ok(reference::list_categories(conn)?)).await?;
    Ok(rows
        .into_iter()
        .map(|c| CategoryView {
            code: c.code,
            name: c.name,
            dispute_lead: c.dispute_lead,
            violation_lead: c.violation_lead,
        })
        .collect())
}

/// The database answers, and no migration is pending: the versions still pending, if any.
/// `sqlite` or `postgres`.
pub fn backend(state: &AppState) -> &'static str {
    state.db.backend().as_str()
}

/// After a storage fault (disk full, read-only, I/O error) was seen, tries one real write:
/// `None` when storage takes writes again (the fault is cleared), else the cause. Without a
/// recorded fault nothing is written (health checks stay read-only).
pub async fn storage_fault(state: &AppState) -> Option<Unavailable> {
    state.db.storage_fault()?;
    let at = state.clock.now().timestamp();
    match state
        .db
        .write(move |conn| portability::write_probe(conn, at).map_err(AppError::from))
        .await
    {
        Ok(()) => None,
        Err(AppError::Unavailable(cause)) => Some(cause),
        Err(_) => Some(Unavailable::StorageError),
    }
}

pub async fn pending_migrations(state: &AppState) -> Result<Vec<String>, AppError> {
    state
        .db
        .run(|conn| {
            use diesel::r2d2::R2D2Connection;
            conn.ping().map_err(AppError::from)?;
            portability::pending_migrations(conn).map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
        })
        .await
}
