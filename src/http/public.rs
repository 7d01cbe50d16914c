//! Citizen endpoints (no account): file a complaint, follow it; the classifier.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, Responder};
use serde::Deserialize;
use utoipa::IntoParams;

use super::dto::{ClassifyDto, NewComplaintDto};
use super::extractors::{ClientAddr, JsonBody};
use crate::domain::values::text;
use crate::error::{AppError, ErrorCode, Problem};
use crate::service::cases;
use crate::service::intake;
use crate::service::reference::PublicInfo;
use crate::service::views::{BusinessCaseView, ClassifyView, PublicStatus, Submitted};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "public", request_body = NewComplaintDto,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a submission safely: the same key and body return the first answer")),
    responses((status = 201, body = Submitted), (status = 200, body = Submitted, description = "replay of an earlier submission with the same Idempotency-Key"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many complaints from this address (`limits.form_address`)", content_type = "application/problem+json")))]
pub async fn submit(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    body: JsonBody<NewComplaintDto>,
) -> Result<impl Responder, AppError> {
    let key = match req.headers().get("Idempotency-Key") {
        Some(v) => Some(parse_idempotency_key(v.to_str().unwrap_or_default())?),
        None => None,
    };
    let complaint = body.value.into_public(state.clock.today())?;
    let (submitted, replayed) = intake::submit_public(&state, complaint, key, &body.raw, addr.0).await?;
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
    responses((status = 200, body = PublicStatus), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "the code or this address is locked after wrong digits (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn status(
    state: Data<AppState>,
    addr: ClientAddr,
    code: Path<String>,
    q: Query<StatusParams>,
) -> Result<impl Responder, AppError> {
    let last4 = q.into_inner().phone_last4.unwrap_or_default();
    let s = cases::public_status(&state, code.into_inner(), last4, addr.0).await?;
    Ok(private_json(s))
}

#[utoipa::path(get, path = "/api/v1/public/links/{token}", tag = "public",
    params(("token" = String, Path, description = "the private link's token (from the acknowledgment e-mail or the submission's `private_url`)")),
    responses((status = 200, body = PublicStatus), (status = 404, body = Problem, description = "unknown, expired or revoked link", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn status_by_link(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
) -> Result<impl Responder, AppError> {
    let s = cases::status_by_link(&state, token.into_inner(), addr.0).await?;
    Ok(private_json(s))
}

#[utoipa::path(get, path = "/api/v1/business/cases/{token}", tag = "public",
    params(("token" = String, Path, description = "the business link's token (from the forwarding e-mail)")),
    responses((status = 200, body = BusinessCaseView), (status = 404, body = Problem, description = "unknown, expired or revoked link (it ends when the case leaves negotiation)", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn business_case(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
) -> Result<impl Responder, AppError> {
    let v = cases::business_view(&state, token.into_inner(), addr.0).await?;
    Ok(private_json(v))
}

/// A page for one person: never cached, never sent as a referrer to another site.
fn private_json(body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .json(body)
}

#[utoipa::path(post, path = "/api/v1/classify", tag = "routing", request_body = ClassifyDto,
    responses((status = 200, body = ClassifyView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn classify(state: Data<AppState>, body: JsonBody<ClassifyDto>) -> Result<impl Responder, AppError> {
    let b = body.value;
    let t = text("text", &b.text, 20_000)?;
    let c = state.router.classify(&t, b.channel.as_deref());
    Ok(HttpResponse::Ok().json(ClassifyView::from(c)))
}

/// What a consumer sends to withdraw.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawDto {
    pub reason: Option<String>,
}

/// The information the agency asked for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InformationDto {
    pub info: String,
}

#[utoipa::path(post, path = "/api/v1/public/cases/{token}/withdraw", tag = "public",
    params(("token" = String, Path, description = "the consumer's private link token")), request_body = WithdrawDto,
    responses((status = 200, body = PublicStatus, description = "withdrawn: the case is closed"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "not possible in the case's stage", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn withdraw(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    body: JsonBody<WithdrawDto>,
) -> Result<impl Responder, AppError> {
    let action = cases::CitizenAction::Withdraw {
        reason: body.value.reason,
    };
    Ok(private_json(
        cases::act_by_link(&state, token.into_inner(), action, addr.0).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/public/cases/{token}/information", tag = "public",
    params(("token" = String, Path, description = "the consumer's private link token")), request_body = InformationDto,
    responses((status = 200, body = PublicStatus, description = "received: the paused clocks run again"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "no information was asked for", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn information(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    body: JsonBody<InformationDto>,
) -> Result<impl Responder, AppError> {
    let action = cases::CitizenAction::ProvideInfo { info: body.value.info };
    Ok(private_json(
        cases::act_by_link(&state, token.into_inner(), action, addr.0).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/public/info", tag = "public",
    responses((status = 200, body = PublicInfo, description = "how to complain, the lines to call, the agencies and the procedure with its deadlines")))]
pub async fn info(state: Data<AppState>) -> impl Responder {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=300"))
        .json(crate::service::reference::public_info(&state))
}

/// The consumer's rating of a closed case.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingDto {
    /// 1 (very dissatisfied) to 5 (very satisfied).
    pub score: i32,
    /// Whether the complaint was resolved; `false` reopens the case.
    pub resolved: bool,
    pub comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/public/cases/{token}/rating", tag = "public",
    params(("token" = String, Path, description = "the consumer's private link token")), request_body = RatingDto,
    responses((status = 200, body = PublicStatus, description = "recorded; `resolved: false` reopened the case"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "not closed, closed more than 30 days ago, or already rated", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn rating(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    body: JsonBody<RatingDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let action = cases::CitizenAction::Rate {
        score: b.score,
        resolved: b.resolved,
        comment: b.comment,
    };
    Ok(private_json(
        cases::act_by_link(&state, token.into_inner(), action, addr.0).await?,
    ))
}

/// An `Idempotency-Key` header value: 1–200 visible ASCII characters.
pub fn parse_idempotency_key(raw: &str) -> Result<String, AppError> {
    let k = raw.trim();
    if k.is_empty() || k.len() > 200 || !k.chars().all(|c| c.is_ascii_graphic()) {
        return Err(AppError::BadRequest {
            code: ErrorCode::InvalidIdempotencyKey,
            field: Some("Idempotency-Key".into()),
            en: "Idempotency-Key must be 1–200 visible ASCII characters".into(),
            vi: "Idempotency-Key phải gồm 1–200 ký tự ASCII hiển thị".into(),
        });
    }
    Ok(k.to_owned())
}
