//! Citizen endpoints (no account): file a complaint, follow it; the classifier.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{ClassifyDto, NewComplaintDto};
use super::extractors::JsonBody;
use crate::domain::values::text;
use crate::error::{AppError, Problem};
use crate::service::cases;
use crate::service::intake::{self, parse_idempotency_key};
use crate::service::views::{ClassifyView, PublicStatus, Submitted};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "public", request_body = NewComplaintDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a submission safely: the same key and body return the first answer")),
    responses((status = 201, body = Submitted), (status = 200, body = Submitted, description = "replay of an earlier submission with the same Idempotency-Key"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn submit(
    state: Data<AppState>,
    req: HttpRequest,
    body: JsonBody<NewComplaintDto>,
) -> Result<impl Responder, AppError> {
    let key = match req.headers().get("Idempotency-Key") {
        Some(v) => Some(parse_idempotency_key(v.to_str().unwrap_or_default())?),
        None => None,
    };
    let complaint = body.value.into_public(state.clock.today())?;
    let (submitted, replayed) = intake::submit_public(&state, complaint, key, &body.raw).await?;
    let mut resp = if replayed {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    if replayed {
        resp.insert_header(("Idempotent-Replayed", "true"));
    }
    Ok(resp
        .insert_header(("Location", submitted.status_url.clone()))
        .json(submitted))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StatusParams {
    /// Last four digits of the phone number given with the complaint.
    pub phone_last4: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/public/complaints/{code}", tag = "public", params(("code" = String, Path), StatusParams),
    responses((status = 200, body = PublicStatus), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn status(
    state: Data<AppState>,
    code: Path<String>,
    q: Query<StatusParams>,
) -> Result<impl Responder, AppError> {
    let last4 = q.into_inner().phone_last4.unwrap_or_default();
    let s = cases::public_status(&state, code.into_inner(), last4).await?;
    Ok(HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(s))
}

#[utoipa::path(post, path = "/api/v1/classify", tag = "routing", request_body = ClassifyDto,
    responses((status = 200, body = ClassifyView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn classify(state: Data<AppState>, body: JsonBody<ClassifyDto>) -> Result<impl Responder, AppError> {
    let b = body.value;
    let t = text("text", &b.text, 20_000)?;
    let c = state.router.classify(&t, b.channel.as_deref());
    Ok(HttpResponse::Ok().json(ClassifyView::from(c)))
}
