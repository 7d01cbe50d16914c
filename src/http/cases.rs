//! Staff case endpoints.

use crate::domain::clock::{ClockKind, ClockResult};
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, Responder};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::IntoParams;

use super::actions;
use super::dto::{ClusterReportDto, NewComplaintDto};
use super::extractors::{CurrentUser, JsonBody, OptionalJsonBody};
use crate::domain::case::{ActionName, Status};
use crate::domain::search::query_terms;
use crate::domain::search::{ListFilter, Sort};
use crate::domain::Kind;
use crate::error::{AppError, Problem};
use crate::service::cases::{self, ListQuery};
use crate::service::events::Verification;
use crate::service::views::{CaseDetail, CasePage, EventView};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), request_body = NewComplaintDto,
    responses((status = 201, body = CaseDetail), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<NewComplaintDto>,
) -> Result<impl Responder, AppError> {
    let (complaint, call_id) = body.value.into_staff(state.clock.today())?;
    let case = cases::open_case(&state, user.actor(), complaint, call_id).await?;
    Ok(HttpResponse::Created().json(case))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])), params(GetParams),
    responses((status = 200, body = CaseDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    q: Query<GetParams>,
) -> Result<impl Responder, AppError> {
    let mut case = cases::get_case(&state, user.actor(), id.into_inner()).await?;
    if q.redact.unwrap_or(false) {
        crate::service::views::redact_detail(&mut case);
    }
    Ok(HttpResponse::Ok().json(case))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct GetParams {
    /// Mask personal data (for an export, or a screen shown outside case work).
    pub redact: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    pub status: Option<Status>,
    pub kind: Option<Kind>,
    pub category: Option<String>,
    /// Current agency code.
    pub agency: Option<String>,
    /// Unit of the current agency (`GET /api/v1/units`), e.g. `UBND_XA-26743`.
    pub unit: Option<String>,
    /// User id of the assignee.
    pub assignee: Option<String>,
    /// User id of the appointed mediator.
    pub mediator: Option<String>,
    /// Only cases appointed to a mediator on this body's list of mediators (an agency code,
    /// e.g. `HOI`; a mediation body's report, ADR 0067).
    pub mediator_body: Option<String>,
    /// Only cases with a mediator appointed (`true`).
    pub mediated: Option<bool>,
    /// Intake channel (`phone`, `web`, …).
    pub channel: Option<String>,
    /// Outcome of a closed case.
    pub outcome: Option<String>,
    /// Vulnerable group of the consumer (as recorded, `none` when none).
    pub vulnerable: Option<String>,
    /// Consumer's province code.
    pub consumer_province: Option<String>,
    /// Consumer's commune as recorded.
    pub consumer_commune: Option<String>,
    /// A business's key as the reports give it (`top_businesses[].business_key`).
    pub business_key: Option<String>,
    /// A product's key as a case (`product_key`) or an early-warning signal gives it.
    pub product_key: Option<String>,
    /// Created at or after (RFC 3339).
    pub created_from: Option<DateTime<FixedOffset>>,
    /// Created before (RFC 3339).
    pub created_to: Option<DateTime<FixedOffset>>,
    /// Free text: matched without regard to diacritics or case over description, business,
    /// tracking code, phone and name.
    pub q: Option<String>,
    /// Only cases with this legal clock running (acknowledge, forward_to_business,
    /// business_negotiation, business_report, provide_info, settlement_performance,
    /// court_recognition, internal_target); anything else is 400 `invalid_query`.
    pub clock: Option<String>,
    /// With `clock`: only cases whose clock of that kind stopped in time (`met`) or after its
    /// due date (`late`), instead of those where it runs.
    pub clock_result: Option<String>,
    /// Only cases with a legal clock charged to this agency (the agency that held the case
    /// when the clock started; agency performance, ADR 0063). With `clock`, `clock_result` or
    /// `overdue`, the clock they name must be one charged to it.
    pub clock_agency: Option<String>,
    /// Only cases with money recovered for the consumer (`true`).
    pub recovered: Option<bool>,
    /// Only complaints (`true`): not the service's own reports (`channel` `internal`) nor cases
    /// closed as duplicates — what early warning counts.
    pub complaints_only: Option<bool>,
    /// Only cases with a running clock past its due date; with `clock` (or `clock_agency`),
    /// a clock of that kind (charged to that agency) running past its due date.
    pub overdue: Option<bool>,
    /// Only cases not closed (`true`). With `sort=due`: a work queue, soonest due first, read
    /// from the index of open cases (fast at any size).
    pub open: Option<bool>,
    /// `created` (newest first, default) or `due` (soonest first).
    pub sort: Option<String>,
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = CasePage), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list(state: Data<AppState>, user: CurrentUser, p: Query<ListParams>) -> Result<impl Responder, AppError> {
    let p = p.into_inner();
    let sort = match p.sort.as_deref() {
        None | Some("created") => Sort::CreatedDesc,
        Some("due") => Sort::DueAsc,
        Some(_) => {
            return Err(AppError::bad_query(
                "sort",
                "sort is 'created' or 'due'",
                "sort chỉ nhận 'created' hoặc 'due'",
            ))
        }
    };
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(AppError::bad_query(
            "limit",
            "limit is between 1 and 200",
            "limit từ 1 đến 200",
        ));
    }
    let clock = match p.clock.as_deref() {
        None => None,
        Some(c) => Some(ClockKind::parse(c).ok_or_else(|| {
            let all: Vec<&str> = ClockKind::ALL.iter().map(|k| k.as_str()).collect();
            AppError::bad_query(
                "clock",
                format!("clock is one of {}", all.join(", ")),
                format!("clock chỉ nhận một trong: {}", all.join(", ")),
            )
        })?),
    };
    let clock_result = match (p.clock_result.as_deref(), clock) {
        (None, _) => None,
        (Some("met"), Some(_)) => Some(ClockResult::Met),
        (Some("late"), Some(_)) => Some(ClockResult::Late),
        _ => {
            return Err(AppError::bad_query(
                "clock_result",
                "clock_result is met or late, with clock",
                "clock_result chỉ nhận met hoặc late, kèm clock",
            ))
        }
    };
    if p.assignee.as_deref().is_some_and(|a| uuid::Uuid::parse_str(a).is_err()) {
        return Err(AppError::bad_query(
            "assignee",
            "assignee is a user id (UUID)",
            "assignee phải là mã người dùng (UUID)",
        ));
    }
    let words = p.q.as_deref().map(query_terms).unwrap_or_default();
    let cursor = match &p.cursor {
        Some(c) => Some(cases::decode_cursor(c, sort)?),
        None => None,
    };
    let q = ListQuery {
        filter: ListFilter {
            status: p.status.map(|s| s.as_str().to_owned()),
            kind: p.kind.map(|k| k.as_str().to_owned()),
            category: p.category,
            agency: p.agency,
            unit: p.unit,
            assignee: p.assignee,
            mediator: p.mediator,
            mediator_body: p.mediator_body,
            mediated: p.mediated.unwrap_or(false),
            channel: p.channel,
            outcome: p.outcome,
            vulnerable: p.vulnerable,
            consumer_province: p.consumer_province,
            consumer_commune: p.consumer_commune,
            business_key: p.business_key,
            product_key: p.product_key,
            clock_result,
            clock_agency: p.clock_agency,
            recovered: p.recovered.unwrap_or(false),
            created_from: p.created_from.map(|t| t.to_utc().naive_utc()),
            created_to: p.created_to.map(|t| t.to_utc().naive_utc()),
            words,
            clock,
            overdue: p.overdue.unwrap_or(false),
            open_only: p.open.unwrap_or(false),
            complaints_only: p.complaints_only.unwrap_or(false),
            ..ListFilter::default()
        },
        sort,
        cursor,
        limit,
    };
    Ok(HttpResponse::Ok().json(cases::list_cases(&state, user.actor(), q).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/actions/{action}", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path), ("action" = ActionName, Path)),
    request_body(content = Object, description = "`version` plus the action's own fields (see docs/api.md)"),
    responses((status = 200, body = CaseDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "version_conflict or invalid_transition", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act(
    state: Data<AppState>,
    user: CurrentUser,
    path: Path<(String, String)>,
    body: JsonBody<serde_json::Value>,
) -> Result<impl Responder, AppError> {
    let (id, action) = path.into_inner();
    let name = ActionName::parse(&action).ok_or(AppError::NotFound("action"))?;
    let (action, env) = actions::parse(name, body.value)?;
    Ok(HttpResponse::Ok().json(cases::act(&state, user.actor(), id, action, env).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<EventView>), (status = 404, body = Problem)))]
pub async fn events(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(cases::case_events(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/events/verify", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Verification), (status = 404, body = Problem)))]
pub async fn verify(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(cases::verify_events(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/caseworkers", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::service::cases::Caseworker>, description = "the active handlers and supervisors of the caller's agency, by name, with the open cases each holds: whom `accept` and `assign` may name"),
        (status = 403, body = Problem, description = "the caller is not an operator, handler or supervisor of an agency", content_type = "application/problem+json")))]
pub async fn caseworkers(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(cases::caseworkers(&state, &user.actor()).await?))
}

#[utoipa::path(get, path = "/api/v1/clusters", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::service::clusters::Cluster>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn clusters(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(crate::service::clusters::list(&state, user.actor()).await?))
}

#[utoipa::path(post, path = "/api/v1/clusters/{business_key}/violation-report", tag = "cases", security(("bearer" = [])),
    params(("business_key" = String, Path, description = "The cluster's `business_key`, URL-encoded (`mst%3A0101243150`, `name%3Aanh%20duong`)")),
    request_body(content = Option<ClusterReportDto>, description = "Optional overrides of the cluster's suggestion"),
    responses((status = 201, body = CaseDetail, description = "the report case; `Location` is its URL"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, description = "not a current cluster among the cases the caller may see", content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "cluster_report_exists: `case_id` names the open report", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn open_cluster_report(
    state: Data<AppState>,
    user: CurrentUser,
    business_key: Path<String>,
    body: OptionalJsonBody<ClusterReportDto>,
) -> Result<impl Responder, AppError> {
    let overrides = body.0.unwrap_or_default().into_domain()?;
    let case =
        crate::service::clusters::open_report(&state, user.actor(), business_key.into_inner(), overrides).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/cases/{}", case.id)))
        .json(case))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}/deadlines", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::service::clocks::Deadline>), (status = 404, body = Problem)))]
pub async fn deadlines(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(cases::deadlines(&state, user.actor(), id.into_inner()).await?))
}

/// What revoking a consumer's links did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LinksRevoked {
    /// Live private links of the consumer that were ended.
    pub revoked: usize,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/links/revoke", tag = "cases", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = LinksRevoked, description = "every private link of the case's consumer ends now (recorded as a `consumer_links_revoked` event and in the audit log); the next e-mail to the consumer carries a new one"),
        (status = 403, body = Problem, description = "not a handler or supervisor of the agency holding the case", content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_links(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
) -> Result<impl Responder, AppError> {
    let revoked = crate::service::links::revoke_consumer_links(&state, user.actor(), id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(LinksRevoked { revoked }))
}
