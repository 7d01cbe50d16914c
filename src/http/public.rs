//! Citizen endpoints (no account): file a complaint, follow it; the classifier.

use actix_web::web::{self, Data, Path, Query};
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder};
use serde::Deserialize;
use utoipa::IntoParams;

use super::citizen_upload::{self, Received};
use super::dto::{ClassifyDto, NewComplaintDto};
use super::extractors::{json_error, ClientAddr, JsonBody};
use crate::domain::values::text;
use crate::error::{AppError, ErrorCode, Problem};
use crate::service::cases;
use crate::service::intake;
use crate::service::reference::PublicInfo;
use crate::service::views::{BusinessCaseView, ClassifyView, PublicStatus, Submitted};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/public/complaints", tag = "public",
    request_body(content(
        (NewComplaintDto = "application/json"),
        (ComplaintFormParts = "multipart/form-data"),
    )),
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a submission safely: the same key and body return the first answer")),
    responses((status = 201, body = Submitted), (status = 200, body = Submitted, description = "replay of an earlier submission with the same Idempotency-Key"),
        (status = 400, body = Problem, description = "a multipart body that cannot be read (`bad_multipart`)", content_type = "application/problem+json"),
        (status = 413, body = Problem, description = "a body far beyond the limits", content_type = "application/problem+json"),
        (status = 422, body = Problem, description = "a field breaks a rule; a file too large (`file_too_large`), not an allowed kind (`file_type_not_allowed`), or one too many (`too_many_files`): nothing is stored", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many complaints from this address (`limits.form_address`)", content_type = "application/problem+json")))]
pub async fn submit(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    payload: web::Payload,
) -> Result<impl Responder, AppError> {
    let key = match req.headers().get("Idempotency-Key") {
        Some(v) => Some(parse_idempotency_key(v.to_str().unwrap_or_default())?),
        None => None,
    };
    let mut payload = payload.into_inner();
    let (submitted, replayed) = if citizen_upload::is_multipart(&req) {
        let mut received = Received::read(&state, &req, &mut payload, "evidence").await?;
        let result = submit_multipart(&state, key, addr, &mut received).await;
        received.discard().await;
        result?
    } else {
        let body = JsonBody::<NewComplaintDto>::from_request(&req, &mut payload).await?;
        let complaint = body.value.into_public(state.clock.today())?;
        intake::submit_public(&state, complaint, key, &body.raw, addr.0).await?
    };
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

/// The multipart complaint: the fields by the JSON names (`consumer.name`, …), the files
/// checked, then stored and recorded in the case's transaction (removed again if it fails).
async fn submit_multipart(
    state: &AppState,
    key: Option<String>,
    addr: ClientAddr,
    received: &mut Received,
) -> Result<(Submitted, bool), AppError> {
    let value = form_parts_to_json(&received.pairs);
    let dto: NewComplaintDto = serde_path_to_error::deserialize(value).map_err(json_error)?;
    let complaint = dto.into_public(state.clock.today())?;
    if let Some(problem) = received.problems.first() {
        return Err(problem.to_error());
    }
    let request = received.canonical();
    let stored = received.store(state).await?;
    // If this fails, the stored files stay until the worker removes unreferenced ones
    // (`evidence::remove_orphans`): another request may be committing the same file.
    intake::submit_public_with_files(state, complaint, key, &request, addr.0, stored).await
}

/// The parts of a multipart complaint as the JSON body they stand for: dotted names nest
/// (`consumer.name`), `consumer.vulnerable` repeats, `consumer.consent` (or the form's
/// `consent`) is a checkbox, `amount_vnd` a number; empty values are absent.
fn form_parts_to_json(pairs: &[(String, String)]) -> serde_json::Value {
    use serde_json::Value;
    let mut root = serde_json::Map::new();
    for (name, raw) in pairs {
        let v = raw.trim();
        if v.is_empty() {
            continue;
        }
        let name = if name == "consent" {
            "consumer.consent"
        } else {
            name.as_str()
        };
        let value = match name {
            "consumer.consent" => Value::Bool(matches!(v, "true" | "on" | "1" | "yes")),
            "amount_vnd" => v
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(v.to_owned())),
            _ => Value::String(v.to_owned()),
        };
        let (parent, leaf) = match name.split_once('.') {
            Some((p, l)) => (Some(p), l),
            None => (None, name),
        };
        let map = match parent {
            None => &mut root,
            Some(p) => {
                let slot = root
                    .entry(p.to_owned())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if !slot.is_object() {
                    *slot = Value::Object(serde_json::Map::new());
                }
                match slot.as_object_mut() {
                    Some(m) => m,
                    None => continue,
                }
            }
        };
        if name == "consumer.vulnerable" {
            let list = map.entry(leaf.to_owned()).or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(items) = list {
                items.push(value);
            }
        } else {
            map.insert(leaf.to_owned(), value);
        }
    }
    Value::Object(root)
}

/// The parts of `POST /api/v1/public/complaints` as `multipart/form-data`: the names of the
/// JSON body with dots (`consumer.name`, `business.shop_link`; `consumer.vulnerable` repeated),
/// and any number of `evidence` files (at most `evidence.public_max_files`, each at most
/// `evidence.public_max_file_bytes`; photos, PDF, office documents or call recordings,
/// recognised by their first bytes).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ComplaintFormParts {
    /// `violation_report` (tố giác): name and phone optional, the reporter's identity protected.
    pub kind: Option<String>,
    /// `consumer` (default), `business` or `organisation`.
    #[schema(rename = "reporter.type")]
    pub reporter_type: Option<String>,
    pub description: String,
    pub consumer_request: Option<String>,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<chrono::NaiveDate>,
    #[schema(rename = "consumer.name")]
    pub consumer_name: String,
    #[schema(rename = "consumer.phone")]
    pub consumer_phone: String,
    #[schema(rename = "consumer.email")]
    pub consumer_email: Option<String>,
    #[schema(rename = "consumer.address")]
    pub consumer_address: Option<String>,
    #[schema(rename = "consumer.province")]
    pub consumer_province: Option<String>,
    #[schema(rename = "consumer.commune")]
    pub consumer_commune: Option<String>,
    #[schema(rename = "consumer.vulnerable")]
    pub consumer_vulnerable: Option<Vec<String>>,
    /// `true` (or the form's `consent=true`).
    #[schema(rename = "consumer.consent")]
    pub consumer_consent: bool,
    #[schema(rename = "business.name")]
    pub business_name: Option<String>,
    #[schema(rename = "business.tax_code")]
    pub business_tax_code: Option<String>,
    #[schema(rename = "business.address")]
    pub business_address: Option<String>,
    #[schema(rename = "business.website")]
    pub business_website: Option<String>,
    #[schema(rename = "business.shop_link")]
    pub business_shop_link: Option<String>,
    /// The product or service complained about (one line, at most 200 characters).
    pub product: Option<String>,
    /// Files (several parts of this name).
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    pub evidence: Option<Vec<Vec<u8>>>,
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
    let mut c = state.router.classify(&t, b.channel.as_deref());
    let commune = super::dto::opt_short("commune", &b.commune)?;
    let province = super::dto::opt_short("province", &b.province)?;
    state.router.place(&mut c, commune.as_deref(), province.as_deref());
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
    params(("token" = String, Path, description = "the consumer's private link token")),
    request_body(content(
        (InformationDto = "application/json"),
        (InformationParts = "multipart/form-data"),
    )),
    responses((status = 200, body = PublicStatus, description = "received: the information asked for (the paused clocks run again), or information added to an open case; files sent are listed in `files`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "the case is closed", content_type = "application/problem+json"),
        (status = 422, body = Problem, description = "no `info`, or a file refused (`file_too_large`, `file_type_not_allowed`, `too_many_files`): nothing is stored", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address, or ten additions to the case today (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn information(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    token: Path<String>,
    payload: web::Payload,
) -> Result<impl Responder, AppError> {
    let mut payload = payload.into_inner();
    if !citizen_upload::is_multipart(&req) {
        let body = JsonBody::<InformationDto>::from_request(&req, &mut payload).await?;
        let action = cases::CitizenAction::ProvideInfo { info: body.value.info };
        return Ok(private_json(
            cases::act_by_link(&state, token.into_inner(), action, addr.0).await?,
        ));
    }
    let mut received = Received::read(&state, &req, &mut payload, "evidence").await?;
    let result = information_multipart(&state, token.into_inner(), addr, &mut received).await;
    received.discard().await;
    Ok(private_json(result?))
}

async fn information_multipart(
    state: &AppState,
    token: String,
    addr: ClientAddr,
    received: &mut Received,
) -> Result<PublicStatus, AppError> {
    let mut info = None;
    for (name, value) in &received.pairs {
        match name.as_str() {
            "info" => info = Some(value.clone()),
            other => {
                return Err(AppError::Validation {
                    code: crate::error::ErrorCode::UnknownField,
                    field: other.chars().take(100).collect(),
                    en: "unknown part: expected `info` and `evidence` files".into(),
                    vi: "phần không được hỗ trợ: chỉ nhận `info` và các tệp `evidence`".into(),
                })
            }
        }
    }
    let info = info.ok_or_else(|| AppError::Validation {
        code: crate::error::ErrorCode::Required,
        field: "info".into(),
        en: "`info` is required".into(),
        vi: "thiếu nội dung thông tin bổ sung".into(),
    })?;
    if let Some(problem) = received.problems.first() {
        return Err(problem.to_error());
    }
    let stored = received.store(state).await?;
    let action = cases::CitizenAction::ProvideInfo { info };
    cases::act_by_link_with_files(state, token, action, addr.0, stored).await
}

/// The parts of an information sent as `multipart/form-data`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct InformationParts {
    pub info: String,
    /// Files (several parts of this name), as on the complaint form.
    #[schema(value_type = Option<Vec<String>>, format = Binary)]
    pub evidence: Option<Vec<Vec<u8>>>,
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

/// The consumer's answer about a settlement.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettlementDto {
    /// Whether the business (and the consumer) did what the settlement says; `false` reopens
    /// the case to the agency (only once the agreed date of performance has passed, if any).
    pub performed: bool,
    pub comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/public/cases/{token}/settlement", tag = "public",
    params(("token" = String, Path, description = "the consumer's private link token")), request_body = SettlementDto,
    responses((status = 200, body = PublicStatus, description = "recorded (`settlement_performed` or `settlement_not_performed` event); `performed: false` reopened the case"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "the case is not closed as settled, the question is closed (no running performance clock and more than 30 days since closure), it was answered already, or `performed: false` before the agreed date", content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many unknown links from this address (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn settlement(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    body: JsonBody<SettlementDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let action = cases::CitizenAction::ConfirmSettlement {
        performed: b.performed,
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
