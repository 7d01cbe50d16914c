//! The knowledge base: articles, their revisions, and how often calls used them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{calls, kb_articles, kb_revisions};
use super::AnyConnection;
use crate::domain::ids::{KbArticleId, UserId};
use crate::domain::kb::KbStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = kb_articles)]
pub struct KbArticleRow {
    pub id: KbArticleId,
    pub question: String,
    pub answer: String,
    /// One reference a line.
    pub legal_basis: String,
    pub category: String,
    pub status: KbStatus,
    pub version: i32,
    pub question_key: String,
    pub search_key: String,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
    pub updated_by: UserId,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = kb_revisions)]
pub struct KbRevisionRow {
    pub id: String,
    pub article_id: KbArticleId,
    /// The version the article had before the edit.
    pub version: i32,
    pub question: String,
    pub answer: String,
    pub legal_basis: String,
    pub category: String,
    pub status: KbStatus,
    pub edited_by: UserId,
    pub edited_at: NaiveDateTime,
}

/// What an edit writes (the version is checked in the WHERE clause).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = kb_articles)]
pub struct KbArticleChangeset {
    pub question: String,
    pub answer: String,
    pub legal_basis: String,
    pub category: String,
    pub status: KbStatus,
    pub version: i32,
    pub question_key: String,
    pub search_key: String,
    pub updated_by: UserId,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, row: &KbArticleRow) -> QueryResult<()> {
    diesel::insert_into(kb_articles::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<KbArticleRow>> {
    kb_articles::table
        .find(id)
        .select(KbArticleRow::as_select())
        .first(conn)
        .optional()
}

/// Writes an edit if the article is still at `expected` version; the rows changed (0: it moved on).
pub fn update(conn: &mut AnyConnection, id: &str, expected: i32, ch: &KbArticleChangeset) -> QueryResult<usize> {
    diesel::update(
        kb_articles::table
            .filter(kb_articles::id.eq(id))
            .filter(kb_articles::version.eq(expected)),
    )
    .set(ch)
    .execute(conn)
}

pub fn insert_revision(conn: &mut AnyConnection, row: &KbRevisionRow) -> QueryResult<()> {
    diesel::insert_into(kb_revisions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// An article's revisions, newest first.
pub fn revisions(conn: &mut AnyConnection, article_id: &str) -> QueryResult<Vec<KbRevisionRow>> {
    kb_revisions::table
        .filter(kb_revisions::article_id.eq(article_id))
        .order(kb_revisions::version.desc())
        .select(KbRevisionRow::as_select())
        .load(conn)
}

/// Articles matching every LIKE pattern on the padded search key, of these statuses (all:
/// empty) and category; at most `limit`, most recently changed first.
pub fn search(
    conn: &mut AnyConnection,
    patterns: &[String],
    statuses: &[KbStatus],
    category: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<KbArticleRow>> {
    filtered(patterns, statuses, category)
        .order((kb_articles::updated_at.desc(), kb_articles::id.asc()))
        .limit(limit)
        .select(KbArticleRow::as_select())
        .load(conn)
}

/// As [`search`], only the id and the folded question of each match (what ranking needs).
pub fn search_keys(
    conn: &mut AnyConnection,
    patterns: &[String],
    statuses: &[KbStatus],
    category: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    filtered(patterns, statuses, category)
        .order((kb_articles::updated_at.desc(), kb_articles::id.asc()))
        .limit(limit)
        .select((kb_articles::id, kb_articles::question_key))
        .load(conn)
}

/// These articles (in no particular order).
pub fn find_many(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<KbArticleRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    kb_articles::table
        .filter(kb_articles::id.eq_any(ids.to_vec()))
        .select(KbArticleRow::as_select())
        .load(conn)
}

fn filtered<'a>(
    patterns: &[String],
    statuses: &[KbStatus],
    category: Option<&str>,
) -> kb_articles::BoxedQuery<'a, super::connection::MultiBackend> {
    let mut q = kb_articles::table.into_boxed();
    for p in patterns {
        q = q.filter(kb_articles::search_key.like(p.clone()));
    }
    if !statuses.is_empty() {
        q = q.filter(kb_articles::status.eq_any(statuses.to_vec()));
    }
    if let Some(c) = category {
        q = q.filter(kb_articles::category.eq(c.to_owned()));
    }
    q
}

/// How many calls used each of these articles (articles no call used are absent).
pub fn use_counts(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<(String, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    calls::table
        .filter(calls::kb_article_id.eq_any(ids.to_vec()))
        .group_by(calls::kb_article_id)
        .select((calls::kb_article_id.assume_not_null(), diesel::dsl::count_star()))
        .load(conn)
}
