//! HTTP: the one route table, the OpenAPI document, and request-level middleware.

pub mod actions;
pub mod admin;
pub mod auth;
pub mod calendar;
pub mod calls;
pub mod cases;
pub mod dto;
pub mod evidence;
pub mod extractors;
pub mod health;
pub mod public;

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpMessage, HttpResponse};
use tracing::Instrument;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::AppError;

#[derive(OpenApi)]
#[openapi(
    info(title = "hotline", description = "Provincial consumer-protection hotline and complaint case service. Errors are application/problem+json with a stable `code` (docs/api.md)."),
    paths(
        auth::login, auth::logout, auth::me, auth::create_user, auth::list_users,
        cases::create, cases::get, cases::list, cases::act, cases::events, cases::verify, cases::clusters, cases::open_cluster_report, cases::deadlines,
        admin::outbox, admin::retry,
        calendar::working_days, calendar::list, calendar::add, calendar::put, calendar::delete,
        evidence::upload, evidence::download,
        calls::create, calls::list, calls::get,
        public::submit, public::status, public::classify,
        health::healthz, health::readyz, health::agencies, health::categories,
    ),
    components(schemas(
        crate::error::Problem,
        actions::RouteDto, actions::AdviseDto, actions::AcceptDto, actions::RefuseDto, actions::TransferDto,
        actions::ReasonDto, actions::ForwardDto, actions::NegotiationResultDto, actions::NegotiationRecordDto,
        actions::NegotiationEndedDto, actions::AppointMediatorDto, actions::ScheduleSessionDto, actions::MediationResultDto, actions::MediationRecordDto,
        actions::StartInspectionDto, actions::InspectionResultDto, actions::SanctionDto, actions::RequestInfoDto,
        actions::ProvideInfoDto, actions::MarkDuplicateDto, actions::ReferDto, actions::ReclassifyDto,
    )),
    modifiers(&BearerAuth),
    tags((name = "public", description = "No account: the citizen's web form and status page"),
         (name = "cases", description = "Staff case work"), (name = "calls", description = "Hotline call log"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// The route table: every endpoint of the service, in one place.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .route("/auth/login", web::post().to(auth::login))
                .route("/auth/logout", web::post().to(auth::logout))
                .route("/me", web::get().to(auth::me))
                .route("/admin/users", web::post().to(auth::create_user))
                .route("/admin/users", web::get().to(auth::list_users))
                .route("/agencies", web::get().to(health::agencies))
                .route("/categories", web::get().to(health::categories))
                .route("/classify", web::post().to(public::classify))
                .route("/public/complaints", web::post().to(public::submit))
                .route("/public/complaints/{code}", web::get().to(public::status))
                .route("/calls", web::post().to(calls::create))
                .route("/calls", web::get().to(calls::list))
                .route("/calls/{id}", web::get().to(calls::get))
                .route("/cases", web::post().to(cases::create))
                .route("/cases", web::get().to(cases::list))
                .route("/cases/{id}", web::get().to(cases::get))
                .route("/clusters", web::get().to(cases::clusters))
                .route(
                    "/clusters/{business_key}/violation-report",
                    web::post().to(cases::open_cluster_report),
                )
                .route("/cases/{id}/deadlines", web::get().to(cases::deadlines))
                .route("/calendar/working-days", web::get().to(calendar::working_days))
                .route("/calendar/days", web::get().to(calendar::list))
                .route("/admin/outbox", web::get().to(admin::outbox))
                .route("/admin/outbox/{id}/retry", web::post().to(admin::retry))
                .route("/admin/calendar/days", web::post().to(calendar::add))
                .route("/admin/calendar/days/{date}", web::put().to(calendar::put))
                .route("/admin/calendar/days/{date}", web::delete().to(calendar::delete))
                .route("/cases/{id}/actions/{action}", web::post().to(cases::act))
                .route("/cases/{id}/events", web::get().to(cases::events))
                .route("/cases/{id}/events/verify", web::get().to(cases::verify))
                .route("/cases/{id}/evidence", web::post().to(evidence::upload))
                .route("/cases/{id}/evidence/{evidence_id}", web::get().to(evidence::download)),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", ApiDoc::openapi()))
        .route(
            "/docs",
            web::get().to(|| async { HttpResponse::Found().insert_header(("Location", "/docs/")).finish() }),
        );
}

/// Extractor error handlers, so that framework-level rejections are problem+json too.
pub fn extractor_configs(cfg: &mut ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|e, _| {
        AppError::BadRequest {
            code: "invalid_query",
            field: None,
            en: crate::error::scrub_message(&e.to_string()),
            vi: "tham số truy vấn không hợp lệ".into(),
        }
        .into()
    }))
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound("resource").into()));
}

pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound("resource"))
}

/// Request id (incoming `X-Request-Id` if sane, else a new one), a span around the request,
/// and one access-log line with the route *pattern* (never the path: it may hold a tracking
/// code) — no query strings, no bodies, no personal data.
pub fn request_log<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let rid = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().to_string();
    let span = tracing::info_span!("request", request_id = %rid, method = %method);
    let start = Instant::now();
    let fut = srv.call(req);
    async move {
        let mut res = fut.await?;
        let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());
        let status = res.status().as_u16();
        let user = res
            .request()
            .extensions()
            .get::<extractors::UserId>()
            .map(|u| u.0.clone());
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if status >= 500 {
            tracing::error!(route = %route, status, ms, user = user.as_deref(), "request");
        } else {
            tracing::info!(route = %route, status, ms, user = user.as_deref(), "request");
        }
        if let Ok(v) = HeaderValue::from_str(&rid) {
            res.headers_mut().insert(HeaderName::from_static("x-request-id"), v);
        }
        Ok(res)
    }
    .instrument(span)
}
