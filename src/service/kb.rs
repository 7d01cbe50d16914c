//! The knowledge base (issue 13 item 7, ADR 0034): articles of advice, read by every staff
//! member, edited by supervisors and coordinators (every edit keeps the article as it was in a
//! revision, with who and when), published for citizens; searched without diacritics; each
//! article's use counted by the calls that were advised with it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::views::utc;
use crate::db::kb::{self as kb_db, KbArticleChangeset, KbArticleRow, KbRevisionRow};
use crate::db::AnyConnection;
use crate::domain::ids::{KbArticleId, UserId};
use crate::domain::kb::{join_legal_basis, split_legal_basis, KbContent, KbPatch, KbQuery, KbStatus};
use crate::domain::user::{Actor, Role};
use crate::error::AppError;
use crate::routing::Taxonomy;
use crate::state::AppState;

/// Who may edit: supervisors (heads of an agency's unit) and the province's coordinators.
const EDITORS: [Role; 2] = [Role::Supervisor, Role::Coordinator];
/// At most this many matches are ranked; more words narrow a search.
const RANKED_MAX: i64 = 500;

/// An article as staff see it: with its status, version and use count.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KbArticleView {
    pub id: KbArticleId,
    pub question: String,
    /// Plain text; paragraphs separated by blank lines.
    pub answer: String,
    /// The articles of law behind the answer, one reference each.
    pub legal_basis: Vec<String>,
    pub category: String,
    /// The category's Vietnamese name.
    pub category_name: String,
    pub status: KbStatus,
    /// Grows with every edit; send it back with an edit (`PATCH`).
    pub version: i32,
    /// How many calls were advised with this article.
    pub use_count: i64,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_by: UserId,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KbArticlePage {
    /// Best match first with `q` (question matches before answer matches); else most recently changed.
    pub items: Vec<KbArticleView>,
}

/// A published article as citizens see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KbPublicArticle {
    pub id: KbArticleId,
    pub question: String,
    pub answer: String,
    pub legal_basis: Vec<String>,
    pub category: String,
    pub category_name: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KbPublicPage {
    pub items: Vec<KbPublicArticle>,
}

/// An article as it was before one edit.
#[derive(Debug, Serialize, ToSchema)]
pub struct KbRevisionView {
    /// The version the article had before the edit.
    pub version: i32,
    pub question: String,
    pub answer: String,
    pub legal_basis: Vec<String>,
    pub category: String,
    pub status: KbStatus,
    /// Who made the edit, and when.
    pub edited_by: UserId,
    pub edited_by_name: String,
    pub edited_at: DateTime<Utc>,
}

/// A search or listing of the knowledge base.
#[derive(Debug, Clone, Default)]
pub struct KbFilter {
    pub query: KbQuery,
    /// Only these statuses (every one: empty).
    pub statuses: Vec<KbStatus>,
    pub category: Option<String>,
    pub limit: i64,
}

fn staff(actor: &Actor) -> Result<&crate::domain::user::Staff, AppError> {
    match actor {
        Actor::Staff(s) => Ok(s),
        _ => Err(AppError::Unauthenticated),
    }
}

fn editor(actor: &Actor) -> Result<UserId, AppError> {
    let s = staff(actor)?;
    if EDITORS.contains(&s.role) {
        Ok(s.id.clone())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether this actor may edit articles (the console shows the editor's pages).
pub fn may_edit(actor: &Actor) -> bool {
    editor(actor).is_ok()
}

fn check_category(taxonomy: &Taxonomy, code: &str) -> Result<(), AppError> {
    match taxonomy.category(code) {
        Some(_) => Ok(()),
        None => Err(AppError::invalid(
            "category",
            "unknown category code",
            "mã lĩnh vực không tồn tại",
        )),
    }
}

fn category_name(taxonomy: &Taxonomy, code: &str) -> String {
    taxonomy
        .category(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_owned())
}

fn content_of(row: &KbArticleRow) -> KbContent {
    KbContent {
        question: row.question.clone(),
        answer: row.answer.clone(),
        legal_basis: split_legal_basis(&row.legal_basis),
        category: row.category.clone(),
    }
}

fn view(taxonomy: &Taxonomy, row: KbArticleRow, use_count: i64) -> KbArticleView {
    KbArticleView {
        legal_basis: split_legal_basis(&row.legal_basis),
        category_name: category_name(taxonomy, &row.category),
        id: row.id,
        question: row.question,
        answer: row.answer,
        category: row.category,
        status: row.status,
        version: row.version,
        use_count,
        created_by: row.created_by,
        created_at: utc(row.created_at),
        updated_by: row.updated_by,
        updated_at: utc(row.updated_at),
        published_at: row.published_at.map(utc),
    }
}

fn public_view(taxonomy: &Taxonomy, row: KbArticleRow) -> KbPublicArticle {
    KbPublicArticle {
        legal_basis: split_legal_basis(&row.legal_basis),
        category_name: category_name(taxonomy, &row.category),
        id: row.id,
        question: row.question,
        answer: row.answer,
        category: row.category,
        updated_at: utc(row.updated_at),
    }
}

/// Views of rows with their use counts.
fn with_counts(
    conn: &mut AnyConnection,
    taxonomy: &Taxonomy,
    rows: Vec<KbArticleRow>,
) -> Result<Vec<KbArticleView>, AppError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    let counts: std::collections::HashMap<String, i64> = kb_db::use_counts(conn, &ids)?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = counts.get(r.id.as_str()).copied().unwrap_or(0);
            view(taxonomy, r, n)
        })
        .collect())
}

/// Matching rows, best first: every word in the question, then more words in the question
/// (every match holds every word somewhere), then the most recently changed. Ranked on the
/// folded questions alone; only the page's rows are loaded whole.
fn ranked(conn: &mut AnyConnection, f: &KbFilter) -> Result<Vec<KbArticleRow>, AppError> {
    let category = f.category.as_deref();
    if f.query.is_empty() {
        return Ok(kb_db::search(conn, &[], &f.statuses, category, f.limit)?);
    }
    let mut keys = kb_db::search_keys(conn, &f.query.like_patterns(), &f.statuses, category, RANKED_MAX)?;
    let n = f.query.words.len();
    // Stable: equal ranks keep the newest-first order of the query.
    keys.sort_by_cached_key(|(_, question_key)| {
        let q = f.query.hits(question_key);
        (q < n, std::cmp::Reverse(q))
    });
    keys.truncate(usize::try_from(f.limit).unwrap_or(0));
    let ids: Vec<String> = keys.into_iter().map(|(id, _)| id).collect();
    let mut rows = kb_db::find_many(conn, &ids)?;
    rows.sort_by_key(|r| ids.iter().position(|id| r.id == id.as_str()));
    Ok(rows)
}

/// Staff: a search or listing, with use counts.
pub async fn search(state: &AppState, actor: Actor, f: KbFilter) -> Result<KbArticlePage, AppError> {
    staff(&actor)?;
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let rows = ranked(conn, &f)?;
            Ok(KbArticlePage {
                items: with_counts(conn, router.taxonomy(), rows)?,
            })
        })
        .await
}

/// Citizens: published articles only.
pub async fn public_search(state: &AppState, mut f: KbFilter) -> Result<KbPublicPage, AppError> {
    f.statuses = vec![KbStatus::Published];
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let rows = ranked(conn, &f)?;
            Ok(KbPublicPage {
                items: rows.into_iter().map(|r| public_view(router.taxonomy(), r)).collect(),
            })
        })
        .await
}

pub async fn get(state: &AppState, actor: Actor, id: String) -> Result<KbArticleView, AppError> {
    staff(&actor)?;
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let row = kb_db::find(conn, &id)?.ok_or(AppError::NotFound("article"))?;
            with_counts(conn, router.taxonomy(), vec![row])?
                .pop()
                .ok_or(AppError::NotFound("article"))
        })
        .await
}

/// A published article (any other is not found: a draft does not exist for citizens).
pub async fn public_get(state: &AppState, id: String) -> Result<KbPublicArticle, AppError> {
    let router = state.router.clone();
    state
        .db
        .run(move |conn| match kb_db::find(conn, &id)? {
            Some(row) if row.status == KbStatus::Published => Ok(public_view(router.taxonomy(), row)),
            _ => Err(AppError::NotFound("article")),
        })
        .await
}

/// A new article (a draft unless `status` says otherwise).
pub async fn create(
    state: &AppState,
    actor: Actor,
    content: KbContent,
    status: Option<KbStatus>,
) -> Result<KbArticleView, AppError> {
    let by = editor(&actor)?;
    check_category(state.router.taxonomy(), &content.category)?;
    let now = state.clock.now().naive_utc();
    let router = state.router.clone();
    state
        .db
        .write(move |conn| {
            let status = status.unwrap_or(KbStatus::Draft);
            let row = KbArticleRow {
                id: KbArticleId::new(),
                question_key: content.question_key(),
                search_key: content.search_key(),
                question: content.question,
                answer: content.answer,
                legal_basis: join_legal_basis(&content.legal_basis),
                category: content.category,
                status,
                version: 1,
                created_by: by.clone(),
                created_at: now,
                updated_by: by,
                updated_at: now,
                published_at: (status == KbStatus::Published).then_some(now),
            };
            kb_db::insert(conn, &row)?;
            Ok(view(router.taxonomy(), row, 0))
        })
        .await
}

/// An edit: the article as it was becomes a revision, then the new content is written, both
/// in one transaction; a stale `version` is 409 `version_conflict` and changes nothing. An
/// edit that changes nothing is no new version.
pub async fn update(state: &AppState, actor: Actor, id: String, patch: KbPatch) -> Result<KbArticleView, AppError> {
    let by = editor(&actor)?;
    if let Some(c) = &patch.category {
        check_category(state.router.taxonomy(), c)?;
    }
    let now = state.clock.now().naive_utc();
    let router = state.router.clone();
    state
        .db
        .write(move |conn| {
            let row = kb_db::find(conn, &id)?.ok_or(AppError::NotFound("article"))?;
            if row.version != patch.version {
                return Err(AppError::VersionConflict { current: row.version });
            }
            let before = content_of(&row);
            let after = patch.apply(&before)?;
            let status = patch.status.unwrap_or(row.status);
            if after == before && status == row.status {
                return Ok(with_counts(conn, router.taxonomy(), vec![row])?.pop());
            }
            kb_db::insert_revision(conn, &revision_of(&row, &by, now))?;
            let published_at = match (row.status, status) {
                (old, KbStatus::Published) if old != KbStatus::Published => Some(now),
                _ => row.published_at,
            };
            let ch = KbArticleChangeset {
                question_key: after.question_key(),
                search_key: after.search_key(),
                legal_basis: join_legal_basis(&after.legal_basis),
                question: after.question,
                answer: after.answer,
                category: after.category,
                status,
                version: row.version + 1,
                updated_by: by,
                updated_at: now,
                published_at,
            };
            if kb_db::update(conn, &id, row.version, &ch)? == 0 {
                return Err(AppError::VersionConflict {
                    current: row.version + 1,
                });
            }
            let row = kb_db::find(conn, &id)?.ok_or(AppError::NotFound("article"))?;
            Ok(with_counts(conn, router.taxonomy(), vec![row])?.pop())
        })
        .await?
        .ok_or(AppError::NotFound("article"))
}

fn revision_of(row: &KbArticleRow, by: &UserId, at: chrono::NaiveDateTime) -> KbRevisionRow {
    KbRevisionRow {
        id: uuid::Uuid::now_v7().to_string(),
        article_id: row.id.clone(),
        version: row.version,
        question: row.question.clone(),
        answer: row.answer.clone(),
        legal_basis: row.legal_basis.clone(),
        category: row.category.clone(),
        status: row.status,
        edited_by: by.clone(),
        edited_at: at,
    }
}

/// An article's revisions, newest first (staff).
pub async fn revisions(state: &AppState, actor: Actor, id: String) -> Result<Vec<KbRevisionView>, AppError> {
    staff(&actor)?;
    state
        .db
        .run(move |conn| {
            kb_db::find(conn, &id)?.ok_or(AppError::NotFound("article"))?;
            let mut names = std::collections::HashMap::<String, String>::new();
            let mut out = Vec::new();
            for r in kb_db::revisions(conn, &id)? {
                if !names.contains_key(r.edited_by.as_str()) {
                    let name = crate::db::users::find_by_id(conn, &r.edited_by)?
                        .map(|u| u.display_name)
                        .unwrap_or_default();
                    names.insert(r.edited_by.to_string(), name);
                }
                out.push(KbRevisionView {
                    edited_by_name: names.get(r.edited_by.as_str()).cloned().unwrap_or_default(),
                    version: r.version,
                    legal_basis: split_legal_basis(&r.legal_basis),
                    question: r.question,
                    answer: r.answer,
                    category: r.category,
                    status: r.status,
                    edited_by: r.edited_by,
                    edited_at: utc(r.edited_at),
                });
            }
            Ok(out)
        })
        .await
}

/// The article an advised call links: it must exist and be published (422 otherwise).
pub fn check_linkable(conn: &mut AnyConnection, id: &KbArticleId) -> Result<(), AppError> {
    match kb_db::find(conn, id)? {
        Some(row) if row.status == KbStatus::Published => Ok(()),
        _ => Err(AppError::invalid(
            "kb_article_id",
            "no published knowledge-base article with this id",
            "không có bài hỏi đáp đã công bố với mã này",
        )),
    }
}
