//! HTTP: the one route table, the OpenAPI document, and request-level middleware.

pub mod actions;
pub mod admin;
pub mod alerts;
pub mod auth;
pub mod business;
pub mod calendar;
pub mod calls;
pub mod cases;
pub mod citizen_upload;
pub mod console;
pub mod dto;
pub mod evidence;
pub mod extractors;
pub mod health;
pub mod kb;
pub mod mediation;
pub mod notices;
pub mod open_data;
pub mod openapi;
pub mod pages;
pub mod privacy;
pub mod public;
pub mod reports;
pub mod sessions;

use std::panic::AssertUnwindSafe;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpMessage, HttpResponse};
use futures_util::FutureExt;
use tracing::Instrument;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{AppError, ErrorCode};

/// The route table: every endpoint of the service, in one place.
pub fn configure(cfg: &mut ServiceConfig) {
    pages::configure(cfg);
    console::configure(cfg);
    cfg.route("/healthz", web::get().to(health::healthz))
        .route("/calendar/{token}.ics", web::get().to(sessions::feed))
        .route("/readyz", web::get().to(health::readyz))
        .service(
            web::scope("/api/v1")
                .route("/auth/login", web::post().to(auth::login))
                .route("/auth/logout", web::post().to(auth::logout))
                .route("/auth/password", web::post().to(auth::change_password))
                .route("/me", web::get().to(auth::me))
                .route("/admin/users", web::post().to(auth::create_user))
                .route("/admin/users", web::get().to(auth::list_users))
                .route("/admin/users/{id}", web::patch().to(auth::update_user))
                .route("/admin/users/{id}/reset-password", web::post().to(auth::reset_password))
                .route("/admin/audit", web::get().to(auth::audit))
                .route("/admin/api-tokens", web::post().to(auth::create_api_token))
                .route("/admin/api-tokens", web::get().to(auth::list_api_tokens))
                .route("/admin/api-tokens/{id}", web::delete().to(auth::revoke_api_token))
                .route("/consumers/export", web::post().to(privacy::export))
                .route("/consumers/erase", web::post().to(privacy::erase))
                .route("/auth/sessions", web::get().to(auth::sessions))
                .route("/auth/totp/setup", web::post().to(auth::totp_setup))
                .route("/auth/totp/enable", web::post().to(auth::totp_enable))
                .route("/auth/totp/disable", web::post().to(auth::totp_disable))
                .route("/auth/sessions/{id}", web::delete().to(auth::revoke_session))
                .configure(reference_routes)
                .route("/classify", web::post().to(public::classify))
                .route("/public/info", web::get().to(public::info))
                .route("/public/open-data/cases.csv", web::get().to(open_data::cases_csv))
                .route("/public/open-data/cases.json", web::get().to(open_data::cases_json))
                .route("/public/open-data/dictionary", web::get().to(open_data::dictionary))
                .route("/public/complaints", web::post().to(public::submit))
                .route("/public/complaints/{code}", web::get().to(public::status))
                .route("/public/links/{token}", web::get().to(public::status_by_link))
                .route("/public/cases/{token}/withdraw", web::post().to(public::withdraw))
                .route("/public/cases/{token}/information", web::post().to(public::information))
                .route("/public/cases/{token}/rating", web::post().to(public::rating))
                .route("/public/cases/{token}/settlement", web::post().to(public::settlement))
                .route("/business/cases/{token}", web::get().to(public::business_case))
                .route("/public/mediators", web::get().to(mediation::public_list))
                .configure(kb_routes)
                .configure(mediation_routes)
                .configure(notice_routes)
                .configure(business_routes)
                .route("/calls", web::post().to(calls::create))
                .route("/calls", web::get().to(calls::list))
                .route("/calls/callbacks", web::get().to(calls::callbacks))
                .route("/calls/{id}", web::get().to(calls::get))
                .route("/calls/{id}", web::patch().to(calls::complete))
                .route("/cases", web::post().to(cases::create))
                .route("/cases", web::get().to(cases::list))
                .route("/cases/{id}", web::get().to(cases::get))
                .route("/clusters", web::get().to(cases::clusters))
                .route("/caseworkers", web::get().to(cases::caseworkers))
                .configure(report_routes)
                .route(
                    "/clusters/{business_key}/violation-report",
                    web::post().to(cases::open_cluster_report),
                )
                .route("/cases/{id}/deadlines", web::get().to(cases::deadlines))
                .configure(calendar_routes)
                .route("/admin/outbox", web::get().to(admin::outbox))
                .route("/admin/outbox/{id}/retry", web::post().to(admin::retry))
                .route("/cases/{id}/actions/{action}", web::post().to(cases::act))
                .route("/cases/{id}/links/revoke", web::post().to(cases::revoke_links))
                .route("/cases/{id}/events", web::get().to(cases::events))
                .route("/cases/{id}/events/verify", web::get().to(cases::verify))
                .route("/cases/{id}/evidence", web::post().to(evidence::upload))
                .route("/cases/{id}/evidence/{evidence_id}", web::get().to(evidence::download))
                .route("/cases/{id}/documents/{document}", web::get().to(evidence::document)),
        )
        .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi::ApiDoc::openapi()))
        .route(
            "/docs",
            web::get().to(|| async { HttpResponse::Found().insert_header(("Location", "/docs/")).finish() }),
        );
}

/// Part of the route table under `/api/v1`: the knowledge base, staff and public (kept apart
/// only so that no function grows past 100 lines).
fn kb_routes(cfg: &mut ServiceConfig) {
    cfg.route("/public/kb", web::get().to(kb::published))
        .route("/public/kb/{id}", web::get().to(kb::published_one))
        .route("/kb/articles", web::get().to(kb::list))
        .route("/kb/articles", web::post().to(kb::create))
        .route("/kb/articles/{id}", web::get().to(kb::get))
        .route("/kb/articles/{id}", web::patch().to(kb::update))
        .route("/kb/articles/{id}/revisions", web::get().to(kb::revisions));
}

/// Part of the route table under `/api/v1`: the business's link and the business registry
/// (issue 12; kept apart only so that no function grows past 100 lines).
fn business_routes(cfg: &mut ServiceConfig) {
    cfg.route("/business/cases/{token}/response", web::post().to(business::respond))
        .route("/business/cases/{token}/result", web::post().to(business::report))
        .route(
            "/business/cases/{token}/evidence",
            web::post().to(business::add_evidence),
        )
        .route(
            "/business/cases/{token}/evidence/{evidence_id}",
            web::get().to(business::download),
        )
        .route("/businesses", web::get().to(business::search))
        .route("/businesses", web::post().to(business::create))
        .route("/businesses/{id}", web::get().to(business::get))
        .route("/businesses/{id}", web::patch().to(business::correct))
        .route("/businesses/{id}/merge", web::post().to(business::merge))
        .route("/cases/{id}/business-link", web::post().to(business::link_case))
        .route(
            "/cases/{id}/evidence/{evidence_id}/business-share",
            web::post().to(business::share_evidence),
        );
}

/// Part of the route table under `/api/v1`: the working-day calendar and its administration
/// (kept apart only so that no function grows past 100 lines).
fn calendar_routes(cfg: &mut ServiceConfig) {
    cfg.route("/calendar/working-days", web::get().to(calendar::working_days))
        .route("/calendar/days", web::get().to(calendar::list))
        .route("/admin/calendar/days", web::post().to(calendar::add))
        .route("/admin/calendar/days/{date}", web::put().to(calendar::put))
        .route("/admin/calendar/days/{date}", web::delete().to(calendar::delete));
}

/// Part of the route table under `/api/v1`: the reference lists (agencies, categories, agency
/// units), kept apart only so that no function grows past 100 lines.
fn reference_routes(cfg: &mut ServiceConfig) {
    cfg.route("/agencies", web::get().to(health::agencies))
        .route("/categories", web::get().to(health::categories))
        .route("/units", web::get().to(health::units));
}

/// Part of the route table under `/api/v1`: mediators, the mediation sessions of a case, the
/// mediators' calendars (kept apart only so that no function grows past 100 lines).
fn mediation_routes(cfg: &mut ServiceConfig) {
    cfg.route("/mediators", web::get().to(mediation::list))
        .route("/mediators", web::post().to(mediation::create))
        .route("/mediators/{id}", web::patch().to(mediation::update))
        .route("/mediation/workload", web::get().to(mediation::workload))
        .route("/mediation/sessions", web::get().to(sessions::of_body))
        .route("/mediators/me/sessions", web::get().to(sessions::mine))
        .route("/mediators/me/calendar-feed", web::post().to(sessions::create_feed))
        .route("/mediators/me/calendar-feed", web::delete().to(sessions::revoke_feed))
        .route("/cases/{id}/mediation/sessions", web::get().to(sessions::list))
        .route(
            "/cases/{id}/mediation/sessions/{sid}/reschedule",
            web::post().to(sessions::reschedule),
        )
        .route(
            "/cases/{id}/mediation/sessions/{sid}/cancel",
            web::post().to(sessions::cancel),
        )
        .route(
            "/cases/{id}/mediation/sessions/{sid}/record",
            web::post().to(sessions::record),
        );
}

/// Reports (issue 14): the summary, agency performance, the printed report, submissions.
fn report_routes(cfg: &mut ServiceConfig) {
    cfg.route("/reports/summary", web::get().to(reports::summary))
        .route("/reports/agencies", web::get().to(reports::agencies))
        .route("/reports/document.pdf", web::get().to(reports::document))
        .route("/reports/submissions", web::post().to(reports::submit))
        .route("/reports/submissions", web::get().to(reports::submissions_of))
        .route(
            "/reports/submissions/{id}/document.pdf",
            web::get().to(reports::submission_pdf),
        );
}

/// Part of the route table under `/api/v1`: the public violator list and public warnings
/// (ADR 0032), their feeds, and their management by supervisors and coordinators; the
/// early-warning signals (ADR 0038).
fn notice_routes(cfg: &mut ServiceConfig) {
    cfg.route("/public/violators", web::get().to(notices::public_violators))
        .route("/public/violators.atom", web::get().to(notices::violators_feed))
        .route("/public/warnings", web::get().to(notices::public_warnings))
        .route("/public/warnings.atom", web::get().to(notices::warnings_feed))
        .route(
            "/cases/{id}/violator-notice",
            web::get().to(notices::case_violator_notices),
        )
        .route("/cases/{id}/violator-notice", web::post().to(notices::publish_violator))
        .route(
            "/cases/{id}/violator-notice/withdraw",
            web::post().to(notices::withdraw_violator),
        )
        .route("/warnings", web::get().to(notices::list_warnings))
        .route("/warnings", web::post().to(notices::create_warning))
        .route("/warnings/{id}", web::get().to(notices::get_warning))
        .route("/warnings/{id}", web::patch().to(notices::edit_warning))
        .route("/warnings/{id}/publish", web::post().to(notices::publish_warning))
        .route("/warnings/{id}/end", web::post().to(notices::end_warning))
        .route("/alerts", web::get().to(alerts::list_alerts))
        .route("/alerts/{id}/draft-warning", web::post().to(alerts::draft_warning))
        .route("/alerts/{id}/dismiss", web::post().to(alerts::dismiss));
}

/// Extractor error handlers, so that framework-level rejections are problem+json too.
pub fn extractor_configs(cfg: &mut ServiceConfig) {
    cfg.app_data(web::QueryConfig::default().error_handler(|e, _| {
        AppError::BadRequest {
            code: ErrorCode::InvalidQuery,
            field: None,
            en: crate::error::scrub_message(&e.to_string()),
            vi: "tham số truy vấn không hợp lệ".into(),
        }
        .into()
    }))
    .app_data(web::PathConfig::default().error_handler(|_, _| AppError::NotFound("resource").into()));
}

/// Guards `/metrics` (served by the Prometheus middleware inside this one): with
/// `server.metrics_token` set, the request must carry it as a bearer token; without, only a
/// client on the loopback interface that came through no proxy may read it. Anyone else gets
/// the same 404 as an unknown path.
pub fn metrics_guard<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
{
    let fut = if req.path() == "/metrics" && !metrics_allowed(&req) {
        Err(req.error_response(AppError::NotFound("resource")))
    } else {
        Ok(srv.call(req))
    };
    async move {
        match fut {
            Err(refused) => Ok(refused),
            Ok(fut) => fut.await.map(ServiceResponse::map_into_boxed_body),
        }
    }
}

fn metrics_allowed(req: &ServiceRequest) -> bool {
    let token = req
        .app_data::<web::Data<crate::state::AppState>>()
        .map(|s| s.settings.server.metrics_token.expose().to_owned())
        .unwrap_or_default();
    if !token.is_empty() {
        let given = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Compared in constant time: the token guards nothing personal, but costs nothing.
        return given.len() == token.len()
            && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    }
    let direct = !req.headers().contains_key("x-forwarded-for") && !req.headers().contains_key("forwarded");
    direct && req.peer_addr().is_some_and(|a| a.ip().is_loopback())
}

/// An unknown path: an HTML page for a browser, a problem document for everyone else.
pub async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, AppError> {
    if pages::wants_html(&req) && !req.path().starts_with("/api/") {
        return Ok(pages::page_not_found(&req));
    }
    Err(AppError::NotFound("resource"))
}

/// Request id (incoming `X-Request-Id` if sane, else a new one), a span around the request,
/// and one access-log line with the route *pattern* (never the path: it may hold a tracking
/// code) — no query strings, no bodies, no personal data.
///
/// It is also the outermost guard: a panic anywhere below (a handler, an extractor, another
/// middleware) becomes a 500 problem document carrying the request id instead of a dropped
/// connection, and a path or query string holding control characters (`%00`) is answered here
/// (404 / 400) before any handler or database sees it. The panic's message is never logged: it
/// may quote the complaint being processed (see [`crate::telemetry::install_panic_hook`]).
pub fn request_log<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<BoxBody>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody + 'static,
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
    // The request is not cloned up front: routing needs it uniquely owned. A request turned
    // away here is answered with it; after a panic it is gone, so the problem document goes
    // back as the service's error, which actix renders as the response.
    let fut = match reject_control_characters(&req) {
        Some(err) => Err(Some(req.error_response(err))),
        None => std::panic::catch_unwind(AssertUnwindSafe(|| srv.call(req))).map_err(|_| None),
    };
    async move {
        let outcome = match fut {
            Ok(fut) => AssertUnwindSafe(fut).catch_unwind().await.map_err(|_| None),
            Err(answered) => Err(answered),
        };
        let mut res = match outcome {
            Ok(res) => res?.map_into_boxed_body(),
            Err(Some(answered)) => answered,
            Err(None) => {
                let ms = start.elapsed().as_secs_f64() * 1000.0;
                tracing::error!(route = "unknown", status = 500, ms, "request");
                return Err(AppError::Panicked { request_id: rid }.into());
            }
        };
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

/// Control characters (C0, DEL) have no place in a path or a query parameter; PostgreSQL
/// refuses NUL in any text, so they are turned away before a handler sees them: 404 for a
/// path (it names no resource), 400 `invalid_query` for a query string.
fn reject_control_characters(req: &ServiceRequest) -> Option<AppError> {
    let has_control = |raw: &str| {
        let bytes = raw.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = match bytes[i] {
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                    i += 2;
                    hex.and_then(|h| u8::from_str_radix(h, 16).ok()).unwrap_or(b'%')
                }
                b => b,
            };
            if b < 0x20 || b == 0x7f {
                return true;
            }
            i += 1;
        }
        false
    };
    if has_control(req.path()) {
        return Some(AppError::NotFound("resource"));
    }
    if has_control(req.query_string()) {
        return Some(AppError::BadRequest {
            code: ErrorCode::InvalidQuery,
            field: None,
            en: "query parameters may not contain control characters".into(),
            vi: "tham số truy vấn không được chứa ký tự điều khiển".into(),
        });
    }
    None
}
