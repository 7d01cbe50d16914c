//! The business as a party (issue 12): its answers through its private link, and the staff
//! API of the business registry. Thin handlers: parse → service → JSON.

use actix_web::web::{self, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse, Responder};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::citizen_upload::{self, Received};
use super::extractors::{ClientAddr, CurrentUser, JsonBody};
use crate::domain::business::{Decision, ReportedResult};
use crate::error::{AppError, Problem};
use crate::service::business::answers::{self, BusinessAct};
use crate::service::business::files;
use crate::service::business::panel::RegistryLink;
use crate::service::business::registry::{self, BusinessEntry, EntryInput};
use crate::service::views::BusinessCaseView;
use crate::state::AppState;

/// The business's answer to the forwarded request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessResponseDto {
    #[schema(value_type = String, example = "accept")]
    /// accept | refuse | propose
    pub decision: Decision,
    /// Its message; required for a refusal (the reasons, Art 57(6)).
    pub message: Option<String>,
    /// The settlement it proposes; required for `propose`.
    pub proposal: Option<String>,
}

/// The result of the negotiation, as the business reports it (Art 57(5)).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessResultDto {
    #[schema(value_type = String, example = "settled")]
    /// settled | failed
    pub result: ReportedResult,
    /// The agreed terms; required when settled.
    pub terms: Option<String>,
    /// The date by which the settlement is performed (not in the past; settled only).
    pub performance_due: Option<NaiveDate>,
}

fn private_json(body: impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .json(body)
}

#[utoipa::path(post, path = "/api/v1/business/cases/{token}/response", tag = "public", request_body = BusinessResponseDto,
    params(("token" = String, Path, description = "the business link's token (from the forwarding e-mail)")),
    responses((status = 200, body = BusinessCaseView), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "already answered (`already_answered`) or the case left negotiation", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn respond(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    body: JsonBody<BusinessResponseDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let act = BusinessAct::Respond {
        decision: b.decision,
        message: b.message,
        proposal: b.proposal,
    };
    Ok(private_json(
        answers::act(&state, token.into_inner(), act, addr.0).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/business/cases/{token}/result", tag = "public", request_body = BusinessResultDto,
    params(("token" = String, Path, description = "the business link's token (from the forwarding e-mail)")),
    responses((status = 200, body = BusinessCaseView), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "already reported, not yet answered, or refused", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn report(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    body: JsonBody<BusinessResultDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let act = BusinessAct::Report {
        result: b.result,
        terms: b.terms,
        performance_due: b.performance_due,
    };
    Ok(private_json(
        answers::act(&state, token.into_inner(), act, addr.0).await?,
    ))
}

/// The parts of the business's evidence (`multipart/form-data`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BusinessEvidenceParts {
    /// Files (one or several parts of this name): photos, PDF, office documents, recordings,
    /// as the consumer's; recognised by their bytes.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub evidence: Vec<Vec<u8>>,
}

#[utoipa::path(get, path = "/api/v1/business/cases/{token}/evidence/{evidence_id}", tag = "public",
    params(("token" = String, Path, description = "the business link's token (from the forwarding e-mail)"),
        ("evidence_id" = String, Path, description = "a file of the page's `evidence`")),
    responses((status = 200, description = "the file, as an attachment (`X-Checksum-Sha256`)", content_type = "application/octet-stream"),
        (status = 404, body = Problem, description = "unknown, expired or revoked link, or a file neither shared with the business by the agency nor sent by it", content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn download(
    state: Data<AppState>,
    addr: ClientAddr,
    path: Path<(String, String)>,
) -> Result<impl Responder, AppError> {
    let (token, evidence_id) = path.into_inner();
    shared_file(&state, token, evidence_id, addr).await
}

/// A file shared with the business, as a download that is neither cached nor sent on as a
/// referrer (its address holds the link). The page's download route serves it too.
pub(crate) async fn shared_file(
    state: &AppState,
    token: String,
    evidence_id: String,
    addr: ClientAddr,
) -> Result<HttpResponse, AppError> {
    let file = crate::service::cases::business_file(state, token, evidence_id, addr.0).await?;
    let mut r = super::evidence::stream_file(file).await?;
    let h = r.headers_mut();
    h.insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    h.insert(
        actix_web::http::header::REFERRER_POLICY,
        actix_web::http::header::HeaderValue::from_static("no-referrer"),
    );
    Ok(r)
}

#[utoipa::path(post, path = "/api/v1/business/cases/{token}/evidence", tag = "public",
    request_body(content = BusinessEvidenceParts, content_type = "multipart/form-data"),
    params(("token" = String, Path, description = "the business link's token (from the forwarding e-mail)")),
    responses((status = 200, body = BusinessCaseView, description = "recorded: the files are listed in `evidence` with `from_business`; the handler is e-mailed"),
        (status = 400, body = Problem, description = "a multipart body that cannot be read (`bad_multipart`)", content_type = "application/problem+json"),
        (status = 404, body = Problem, description = "unknown, expired or revoked link (the case left negotiation)", content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, description = "a body far beyond the limits", content_type = "application/problem+json"),
        (status = 415, body = Problem, description = "not `multipart/form-data`", content_type = "application/problem+json"),
        (status = 422, body = Problem, description = "no file, another part, a file refused (`file_too_large`, `file_type_not_allowed`, `too_many_files`) or the case's quota exceeded: nothing is stored", content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn add_evidence(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    token: Path<String>,
    payload: web::Payload,
) -> Result<impl Responder, AppError> {
    if !citizen_upload::is_multipart(&req) {
        return Err(AppError::UnsupportedMediaType);
    }
    let mut payload = payload.into_inner();
    let mut received = Received::read(&state, &req, &mut payload, "evidence").await?;
    let result = evidence_received(&state, token.into_inner(), addr.0, &mut received).await;
    received.discard().await;
    Ok(private_json(result?))
}

/// Checks what was received (only `evidence` files, none refused), stores the files and
/// records them (removed again if that fails). Shared with the page's form.
pub(crate) async fn evidence_received(
    state: &AppState,
    token: String,
    addr: std::net::IpAddr,
    received: &mut Received,
) -> Result<BusinessCaseView, AppError> {
    if let Some((name, _)) = received.pairs.iter().find(|(n, _)| n != "csrf") {
        return Err(AppError::Validation {
            code: crate::error::ErrorCode::UnknownField,
            field: name.chars().take(100).collect(),
            en: "unknown part: expected `evidence` files".into(),
            vi: "phần không được hỗ trợ: chỉ nhận các tệp `evidence`".into(),
        });
    }
    if let Some(problem) = received.problems.first() {
        return Err(problem.to_error());
    }
    let stored = received.store(state).await?;
    files::add(state, token, stored, addr).await
}

/// A registry entry as staff create or correct it (on a correction, an absent field stays; an
/// empty string clears an optional one).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessEntryDto {
    /// 10 digits, or 13 for a branch (`0100109106-001`); the check digit is verified.
    pub tax_code: Option<String>,
    pub name: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl From<BusinessEntryDto> for EntryInput {
    fn from(d: BusinessEntryDto) -> Self {
        EntryInput {
            tax_code: d.tax_code,
            name: d.name,
            address: d.address,
            email: d.email,
            phone: d.phone,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// Part of the name (diacritics and case ignored) or the start of the tax code.
    pub q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/businesses", tag = "businesses", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = Vec<BusinessEntry>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn search(
    state: Data<AppState>,
    user: CurrentUser,
    q: Query<SearchParams>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(registry::search(&state, user.actor(), q.into_inner().q).await?))
}

#[utoipa::path(post, path = "/api/v1/businesses", tag = "businesses", security(("bearer" = [])), request_body = BusinessEntryDto,
    responses((status = 201, body = BusinessEntry), (status = 409, body = Problem, description = "the tax code is already registered", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<BusinessEntryDto>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Created().json(registry::create(&state, user.actor(), body.value.into()).await?))
}

#[utoipa::path(get, path = "/api/v1/businesses/{id}", tag = "businesses", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = BusinessEntry), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(registry::get(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(patch, path = "/api/v1/businesses/{id}", tag = "businesses", security(("bearer" = [])), request_body = BusinessEntryDto,
    params(("id" = String, Path)),
    responses((status = 200, body = BusinessEntry), (status = 409, body = Problem, description = "merged entry, or tax code taken", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn correct(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<BusinessEntryDto>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(registry::correct(&state, user.actor(), id.into_inner(), body.value.into()).await?))
}

/// Which entry to merge into this one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeDto {
    /// The entry that is absorbed (kept, marked `merged_into`).
    pub from: String,
}

#[utoipa::path(post, path = "/api/v1/businesses/{id}/merge", tag = "businesses", security(("bearer" = [])), request_body = MergeDto,
    params(("id" = String, Path, description = "the entry that remains")),
    responses((status = 200, body = BusinessEntry), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn merge(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<MergeDto>,
) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(registry::merge(&state, user.actor(), id.into_inner(), body.value.from).await?))
}

/// The registry entry staff confirm for a case.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseLinkDto {
    pub business_id: String,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/business-link", tag = "businesses", security(("bearer" = [])), request_body = CaseLinkDto,
    params(("id" = String, Path)),
    responses((status = 200, body = RegistryLink), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn link_case(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<CaseLinkDto>,
) -> Result<impl Responder, AppError> {
    let link = registry::confirm_case_link(&state, user.actor(), id.into_inner(), body.value.business_id).await?;
    Ok(HttpResponse::Ok().json(link))
}

/// Whether the business may see an evidence file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareDto {
    pub shared: bool,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/evidence/{evidence_id}/business-share", tag = "businesses", security(("bearer" = [])), request_body = ShareDto,
    params(("id" = String, Path), ("evidence_id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn share_evidence(
    state: Data<AppState>,
    user: CurrentUser,
    path: Path<(String, String)>,
    body: JsonBody<ShareDto>,
) -> Result<impl Responder, AppError> {
    let (case_id, evidence_id) = path.into_inner();
    registry::share_evidence(&state, user.actor(), case_id, evidence_id, body.value.shared).await?;
    Ok(HttpResponse::NoContent().finish())
}
