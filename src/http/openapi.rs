//! The OpenAPI document: the operations listed once, then completed by `Complete` so that
//! the document says everything the service can answer. The rules live here, not on each
//! handler, because they follow from the middleware and extractors every route shares:
//!
//! - every operation may answer 400 (a control character in the query string), 500 and, where
//!   it touches the database, 503 `unavailable` with `Retry-After`;
//! - an operation with path parameters may answer 404;
//! - an operation with a bearer token may answer 401 and 403;
//! - an operation with a JSON body may answer 400 (malformed), 408 (body too slow), 413, 415
//!   and 422;
//! - every error body is `application/problem+json` ([`crate::error::Problem`]);
//! - operation ids are unique (a handler name used twice gets its tag as a prefix).
//!
//! `/metrics`, `/openapi.json` and `/docs/` are served outside the handlers and are added here.

use std::collections::HashMap;

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi};

use super::{
    actions, admin, alerts, auth, business, calendar, calls, cases, evidence, health, kb, mediation, notices,
    open_data, privacy, public, reports, sessions,
};

/// OpenAPI schemas of the domain's enums (the domain itself knows nothing of OpenAPI): a string
/// with the enum's values, as `#[derive(ToSchema)]` would write it.
macro_rules! string_enum_schemas {
    ($($t:ty => $doc:literal),+ $(,)?) => {$(
        impl utoipa::PartialSchema for $t {
            fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($doc))
                    .enum_values(Some(<$t>::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }
        impl utoipa::ToSchema for $t {}
    )+};
}

string_enum_schemas!(
    crate::domain::Kind => "The three kinds of case (taxonomy.md, \"Case kinds\").",
    crate::domain::case::Status => "Where a case is in its process.",
    crate::domain::case::Outcome => "How a closed case ended.",
    crate::domain::case::Channel => "How the complaint arrived (recorded for statistics).",
    crate::domain::case::VulnerableGroup => "Vulnerable consumer groups of Law 19/2023 Art 8(1).",
    crate::domain::case::RefusalGround => "Grounds to refuse a negotiation-support request (Law 19/2023 Art 58).",
    crate::domain::case::ActionName => "Every action of the state machine, as it appears in `/cases/{id}/actions/{action}`.",
    crate::domain::case::NegotiationResult => "Result of the business negotiation stage.",
    crate::domain::case::MediationRequester => "Who asked for mediation at the parties' request (Law 19/2023 Art 54(1)).",
    crate::domain::user::Role => "Staff roles (citizens and businesses have no account).",
    crate::domain::complaint::ReporterType => "Who files: a consumer for themself, a business, or an organisation.",
    crate::domain::clock::ClockKind => "A legal clock (product.md §4).",
    crate::domain::clock::ClockState => "Whether a clock still counts.",
    crate::domain::clock::ClockResult => "How a stopped clock ended: met or late.",
    crate::domain::kb::KbStatus => "Where a knowledge-base article is: only `published` ones are shown to citizens.",
    crate::domain::notice::WarningKind => "What a public warning is about: a product, a business or a practice.",
);

/// OpenAPI schemas of the domain's ids and codes: strings.
macro_rules! string_id_schemas {
    ($($t:ty => $doc:literal),+ $(,)?) => {$(
        impl utoipa::PartialSchema for $t {
            fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
                ObjectBuilder::new().schema_type(Type::String).description(Some($doc)).into()
            }
        }
        impl utoipa::ToSchema for $t {}
    )+};
}

string_id_schemas!(
    crate::domain::ids::CaseId => "A case id (UUID).",
    crate::domain::ids::UserId => "A staff account id (UUID).",
    crate::domain::ids::EventId => "An event id.",
    crate::domain::ids::EvidenceId => "An evidence file id (UUID).",
    crate::domain::ids::CallId => "A hotline call id (UUID).",
    crate::domain::ids::MediatorId => "An entry of the published list of mediators (UUID).",
    crate::domain::ids::MediationSessionId => "A mediation session (UUID).",
    crate::domain::ids::KbArticleId => "A knowledge-base article (UUID).",
    crate::domain::ids::AgencyCode => "An agency code of the taxonomy.",
    crate::domain::ids::CategoryCode => "A category code of the taxonomy.",
    crate::domain::ids::TrackingCode => "A tracking code (KN-2026-7QF3-XK2M).",
);

#[derive(OpenApi)]
#[openapi(
    info(title = "hotline", description = "Provincial consumer-protection hotline and complaint case service. Errors are application/problem+json with a stable `code` (docs/api.md)."),
    paths(
        auth::login, auth::logout, auth::change_password, auth::me, auth::create_user, auth::list_users, auth::update_user,
        auth::reset_password, auth::sessions, auth::revoke_session, auth::audit,
        auth::totp_setup, auth::totp_enable, auth::totp_disable,
        privacy::export, privacy::erase, auth::create_api_token, auth::list_api_tokens, auth::revoke_api_token,
        cases::create, cases::get, cases::list, cases::act, cases::events, cases::verify, cases::caseworkers, cases::clusters, cases::open_cluster_report, cases::deadlines, cases::revoke_links,
        admin::outbox, admin::retry,
        calendar::working_days, calendar::list, calendar::add, calendar::put, calendar::delete,
        evidence::upload, evidence::download, evidence::document,
        calls::create, calls::list, calls::get, calls::complete, calls::callbacks,
        mediation::public_list, mediation::list, mediation::create, mediation::update, mediation::workload,
        sessions::list, sessions::reschedule, sessions::cancel, sessions::record, sessions::mine, sessions::of_body,
        sessions::create_feed, sessions::revoke_feed, sessions::feed,
        public::info, public::submit, public::status, public::status_by_link, public::withdraw, public::information, public::rating, public::settlement, public::business_case, public::classify,
        health::healthz, health::readyz, health::agencies, health::categories, health::units,
        business::respond, business::report, business::download, business::search, business::create, business::get, business::correct,
        business::merge, business::link_case, business::share_evidence, business::add_evidence,
        open_data::cases_csv, open_data::cases_json, open_data::dictionary,
        reports::summary, reports::agencies, reports::document, reports::submit, reports::submissions_of, reports::submission_pdf,
        kb::list, kb::create, kb::get, kb::update, kb::revisions, kb::published, kb::published_one,
        notices::publish_violator, notices::withdraw_violator, notices::case_violator_notices,
        notices::public_violators, notices::violators_feed, notices::public_warnings, notices::warnings_feed,
        notices::list_warnings, notices::create_warning, notices::get_warning, notices::edit_warning,
        notices::publish_warning, notices::end_warning,
        alerts::list_alerts, alerts::draft_warning, alerts::dismiss,
    ),
    components(schemas(
        crate::error::Problem, crate::domain::case::Status, crate::domain::Kind, alerts::AlertStatusParam,
        actions::RouteDto, actions::AdviseDto, actions::AcceptDto, actions::AssignDto, actions::RefuseDto, actions::TransferDto,
        actions::EmptyDto, actions::ReasonDto, actions::ForwardDto, actions::NegotiationResultDto, actions::NegotiationRecordDto,
        actions::NegotiationEndedDto, actions::AppointMediatorDto, actions::RequestMediationDto, actions::ScheduleSessionDto, actions::MediationResultDto, actions::MediationRecordDto,
        actions::StartInspectionDto, actions::InspectionResultDto, actions::RecordPerformanceDto, actions::AddNoteDto, actions::CorrectDataDto, actions::SanctionDto, actions::RequestInfoDto,
        actions::ProvideInfoDto, actions::MarkDuplicateDto, actions::ReferDto, actions::ReclassifyDto,
    )),
    modifiers(&BearerAuth, &Complete),
    tags((name = "public", description = "No account: the citizen's web form and status page"),
         (name = "cases", description = "Staff case work"), (name = "calls", description = "Hotline call log"),
         (name = "mediation", description = "Mediators (Law 19/2023 Art 63–64) and their supervisors"),
         (name = "businesses", description = "The business registry and the business's part of a case (issue 12)"),
         (name = "reports", description = "Reports to Sở Công Thương (issue 14)"),
         (name = "kb", description = "The knowledge base of advice (issue 13 item 7)"),
         (name = "notices", description = "The public violator list (Decree 55/2024 Art 24) and public warnings (issue 14)"),
         (name = "alerts", description = "Early warning: weekly rises by category and business (issue 14, ADR 0038)"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Completes every operation's responses and makes operation ids unique (see the module doc).
struct Complete;

const PROBLEM_TYPE: &str = "application/problem+json";

impl Modify for Complete {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        add_infrastructure_paths(openapi);
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (_, op) in operations_mut(item) {
                complete_operation(path, op);
            }
        }
        unique_operation_ids(openapi);
    }
}

fn operations_mut(item: &mut PathItem) -> Vec<(&'static str, &mut Operation)> {
    [
        ("get", item.get.as_mut()),
        ("put", item.put.as_mut()),
        ("post", item.post.as_mut()),
        ("delete", item.delete.as_mut()),
        ("patch", item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|o| (m, o)))
    .collect()
}

fn problem_response(description: &str, retry_after: bool) -> Response {
    let mut b = ResponseBuilder::new().description(description).content(
        PROBLEM_TYPE,
        ContentBuilder::new()
            .schema(Some(RefOr::Ref(Ref::from_schema_name("Problem"))))
            .build(),
    );
    if retry_after {
        b = b.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("seconds to wait before trying again"))
                .build(),
        );
    }
    b.build()
}

fn is_problem_ref(schema: &Option<RefOr<utoipa::openapi::schema::Schema>>) -> bool {
    matches!(schema, Some(RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
}

/// Paths that never touch the database (no 503).
fn is_static(path: &str) -> bool {
    matches!(path, "/healthz" | "/metrics" | "/openapi.json" | "/docs/")
}

fn complete_operation(path: &str, op: &mut Operation) {
    // Error bodies are problem documents, whatever an annotation said.
    for (status, resp) in op.responses.responses.iter_mut() {
        let RefOr::T(resp) = resp else { continue };
        if !status.starts_with('4') && !status.starts_with('5') {
            continue;
        }
        if status == "429" && !resp.headers.contains_key("Retry-After") {
            if let Some(h) = problem_response("", true).headers.remove("Retry-After") {
                resp.headers.insert("Retry-After".into(), h);
            }
        }
        if let Some(content) = resp.content.shift_remove("application/json") {
            if is_problem_ref(&content.schema) || content.schema.is_none() {
                resp.content.insert(PROBLEM_TYPE.into(), content);
            } else {
                resp.content.insert("application/json".into(), content);
            }
        }
    }
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(problem_response(description, matches!(status, "503" | "429"))));
    };
    add(
        "400",
        "bad request: malformed JSON, or an invalid or unknown query parameter (`code` says which)",
    );
    add(
        "500",
        "internal error (the `X-Request-Id` of the answer identifies it in the log)",
    );
    if !is_static(path) {
        add("503", "temporarily unavailable (database busy, unreachable, full or read-only); retry after `Retry-After` seconds");
    }
    if path.contains('{') {
        add("404", "not found, or not visible to the caller");
    }
    if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        add("401", "no valid bearer token");
        add("403", "the caller's role or agency may not do this");
    }
    if op.request_body.is_some() {
        add(
            "408",
            "the request body was not received within `server.body_read_timeout_secs`",
        );
        add("413", "the body is larger than the configured limit");
        add("415", "the body is not `application/json`");
    }
    // A parameter that parses but is out of its documented range (a date, a count, a code)
    // is a validation error like a body field.
    let validated_params = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| !(matches!(p.parameter_in, ParameterIn::Path) && p.name.ends_with("id")))
    });
    if op.request_body.is_some() || validated_params {
        add("422", "a field or parameter failed validation (`field` names it)");
    }
}

fn unique_operation_ids(openapi: &mut utoipa::openapi::OpenApi) {
    let mut count: HashMap<String, usize> = HashMap::new();
    for item in openapi.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            if let Some(id) = &op.operation_id {
                *count.entry(id.clone()).or_default() += 1;
            }
        }
    }
    for (path, item) in openapi.paths.paths.iter_mut() {
        for (method, op) in operations_mut(item) {
            let Some(id) = op.operation_id.clone() else { continue };
            if count.get(&id).copied().unwrap_or(0) > 1 {
                let tag = op.tags.as_ref().and_then(|t| t.first()).cloned().unwrap_or_default();
                let mut new = format!("{tag}_{id}");
                if tag.is_empty() || count.contains_key(&new) {
                    let slug: String = path
                        .chars()
                        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                        .collect();
                    new = format!("{method}{slug}");
                }
                op.operation_id = Some(new);
            }
        }
    }
}

/// `/metrics` (Prometheus text), `/openapi.json` (this document) and `/docs/` (Swagger UI).
fn add_infrastructure_paths(openapi: &mut utoipa::openapi::OpenApi) {
    let text = |media: &str, description: &str, schema_type: Type| {
        ResponseBuilder::new()
            .description(description)
            .content(
                media,
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(schema_type)))
                    .build(),
            )
            .build()
    };
    let op = |id: &str, summary: &str, ok: Response| {
        OperationBuilder::new()
            .operation_id(Some(id))
            .tag("health")
            .summary(Some(summary))
            .response("200", ok)
            .build()
    };
    let paths = &mut openapi.paths.paths;
    paths.insert(
        "/metrics".into(),
        PathItem::new(
            HttpMethod::Get,
            op(
                "metrics",
                "Prometheus metrics (requests by route pattern, jobs, overdue clocks)",
                text("text/plain", "metrics in the Prometheus text format", Type::String),
            ),
        ),
    );
    paths.insert(
        "/openapi.json".into(),
        PathItem::new(
            HttpMethod::Get,
            op(
                "openapi",
                "This OpenAPI document",
                text("application/json", "the OpenAPI 3.1 document", Type::Object),
            ),
        ),
    );
    paths.insert(
        "/docs/".into(),
        PathItem::new(
            HttpMethod::Get,
            op(
                "docs",
                "Browsable API documentation (Swagger UI, vendored)",
                text("text/html", "the Swagger UI page", Type::String),
            ),
        ),
    );
}
