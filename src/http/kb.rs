//! The knowledge base (issue 13 item 7): the staff API (read by all staff, edited by
//! supervisors and coordinators, every edit a revision) and the citizens' published articles.
//! Thin handlers: parse → service → JSON.

use actix_web::web::{Data, Path, Query};
use actix_web::{HttpResponse, Responder};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::dto::SHORT;
use super::extractors::{CurrentUser, JsonBody};
use crate::domain::kb::{KbContent, KbPatch, KbQuery, KbStatus};
use crate::domain::values::opt_text;
use crate::error::{AppError, Problem};
use crate::service::kb::{self, KbArticlePage, KbArticleView, KbFilter, KbPublicArticle, KbPublicPage, KbRevisionView};
use crate::state::AppState;

/// A new article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKbArticleDto {
    /// The consumer's question, one line (at most 300 characters).
    pub question: String,
    /// The answer in plain text; paragraphs separated by a blank line.
    pub answer: String,
    /// The articles of law behind the answer, one reference each ("Điều 28 Luật BVQLNTD 2023").
    #[serde(default)]
    pub legal_basis: Vec<String>,
    /// A category code of the taxonomy (`GET /api/v1/categories`).
    pub category: String,
    /// Default `draft`.
    pub status: Option<KbStatus>,
}

/// An edit: the fields given replace the article's; `version` is the one read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KbArticleEditDto {
    /// The article's version as read; another current version is 409 `version_conflict`.
    pub version: i32,
    pub question: Option<String>,
    pub answer: Option<String>,
    pub legal_basis: Option<Vec<String>>,
    pub category: Option<String>,
    /// Publish (`published`), withdraw to `draft`, or `archived`.
    pub status: Option<KbStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct KbListParams {
    /// Words to find, with or without diacritics (`bao hiem` finds "bảo hiểm"); every word must
    /// occur, the last may be the start of a word. Question matches rank first.
    pub q: Option<String>,
    /// Only articles in this status.
    pub status: Option<KbStatus>,
    /// Only articles of this category code.
    pub category: Option<String>,
    /// At most this many (default 20, at most 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PublicKbParams {
    /// Words to find, with or without diacritics.
    pub q: Option<String>,
    /// Only articles of this category code.
    pub category: Option<String>,
    /// At most this many (default 20, at most 100).
    pub limit: Option<i64>,
}

fn filter(
    q: Option<&str>,
    status: Option<KbStatus>,
    category: Option<String>,
    limit: Option<i64>,
) -> Result<KbFilter, AppError> {
    let q = opt_text("q", q, SHORT).map_err(|_| {
        AppError::bad_query(
            "q",
            format!("q is text of at most {SHORT} characters"),
            format!("q là văn bản tối đa {SHORT} ký tự"),
        )
    })?;
    Ok(KbFilter {
        query: q.as_deref().map(KbQuery::parse).unwrap_or_default(),
        statuses: status.into_iter().collect(),
        category: category.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()),
        limit: limit.unwrap_or(20).clamp(1, 100),
    })
}

#[utoipa::path(get, path = "/api/v1/kb/articles", tag = "kb", security(("bearer" = [])), params(KbListParams),
    responses((status = 200, body = KbArticlePage)))]
pub async fn list(
    state: Data<AppState>,
    user: CurrentUser,
    q: Query<KbListParams>,
) -> Result<impl Responder, AppError> {
    let q = q.into_inner();
    let f = filter(q.q.as_deref(), q.status, q.category, q.limit)?;
    Ok(HttpResponse::Ok().json(kb::search(&state, user.actor(), f).await?))
}

#[utoipa::path(post, path = "/api/v1/kb/articles", tag = "kb", security(("bearer" = [])), request_body = NewKbArticleDto,
    responses((status = 201, body = KbArticleView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<NewKbArticleDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let content = KbContent::parse(&b.question, &b.answer, &b.legal_basis, &b.category)?;
    Ok(HttpResponse::Created().json(kb::create(&state, user.actor(), content, b.status).await?))
}

#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", tag = "kb", security(("bearer" = [])),
    responses((status = 200, body = KbArticleView), (status = 404, body = Problem)))]
pub async fn get(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(kb::get(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(patch, path = "/api/v1/kb/articles/{id}", tag = "kb", security(("bearer" = [])), request_body = KbArticleEditDto,
    responses((status = 200, body = KbArticleView), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, description = "version_conflict: the article was edited since it was read", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<KbArticleEditDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let patch = KbPatch {
        version: b.version,
        question: b.question,
        answer: b.answer,
        legal_basis: b.legal_basis,
        category: b.category,
        status: b.status,
    };
    Ok(HttpResponse::Ok().json(kb::update(&state, user.actor(), id.into_inner(), patch).await?))
}

#[utoipa::path(get, path = "/api/v1/kb/articles/{id}/revisions", tag = "kb", security(("bearer" = [])),
    responses((status = 200, body = Vec<KbRevisionView>, description = "the article before each edit, newest first"),
        (status = 404, body = Problem)))]
pub async fn revisions(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(kb::revisions(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(get, path = "/api/v1/public/kb", tag = "public", params(PublicKbParams),
    responses((status = 200, body = KbPublicPage, description = "published articles, best match first")))]
pub async fn published(state: Data<AppState>, q: Query<PublicKbParams>) -> Result<impl Responder, AppError> {
    let q = q.into_inner();
    let f = filter(q.q.as_deref(), None, q.category, q.limit)?;
    Ok(HttpResponse::Ok().json(kb::public_search(&state, f).await?))
}

#[utoipa::path(get, path = "/api/v1/public/kb/{id}", tag = "public",
    responses((status = 200, body = KbPublicArticle), (status = 404, body = Problem)))]
pub async fn published_one(state: Data<AppState>, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(kb::public_get(&state, id.into_inner()).await?))
}
