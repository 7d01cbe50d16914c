//! The knowledge base in the console: every staff member searches and reads articles (search
//! blind to diacritics); supervisors and coordinators also see drafts and archived articles
//! with their use counts, write new ones, edit them (the revisions listed beside the form) and
//! publish or withdraw them. The call screen's live search asks `/console/kb/suggest`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::session::{see_other, signed_in, Signed};
use super::{error_page, field_error, page, Message, Who};
use crate::domain::kb::{KbContent, KbPatch, KbQuery, KbStatus};
use crate::error::AppError;
use crate::service::kb::{self, KbArticleView, KbFilter, KbRevisionView};
use crate::service::reference;
use crate::state::AppState;

/// Results shown for a search (list page and call screen).
const LIST_MAX: i64 = 50;
const SUGGEST_MAX: i64 = 8;

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    done: Option<String>,
}

struct Tab {
    key: &'static str,
    label: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "console/kb_list.html")]
struct ListPage {
    who: Option<Who>,
    q: String,
    editor: bool,
    tabs: Vec<Tab>,
    items: Vec<KbArticleView>,
}

/// The search of a page: the staff's own words, published articles only for those who do not
/// edit (what they advise with); an editor's status tab.
fn list_filter(q: &str, status: Option<KbStatus>, editor: bool, limit: i64) -> KbFilter {
    KbFilter {
        query: KbQuery::parse(q),
        statuses: match (editor, status) {
            (false, _) => vec![KbStatus::Published],
            (true, s) => s.into_iter().collect(),
        },
        category: None,
        limit,
    }
}

pub async fn list(state: Data<AppState>, req: HttpRequest, q: Query<ListQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let editor = kb::may_edit(&s.actor());
    let status = q.status.as_deref().and_then(KbStatus::parse);
    let text = q.q.clone().unwrap_or_default();
    let text: String = text.chars().take(200).collect();
    match kb::search(&state, s.actor(), list_filter(&text, status, editor, LIST_MAX)).await {
        Ok(p) => {
            let mut tabs = vec![Tab {
                key: "",
                label: "Tất cả",
                active: status.is_none(),
            }];
            tabs.extend(KbStatus::ALL.iter().map(|st| Tab {
                key: st.as_str(),
                label: st.label_vi(),
                active: status == Some(*st),
            }));
            page(
                StatusCode::OK,
                &ListPage {
                    who: Some(Who::of(&s)),
                    q: text,
                    editor,
                    tabs,
                    items: p.items,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}

#[derive(Serialize)]
struct Suggestion {
    id: String,
    question: String,
    category_name: String,
    paragraphs: Vec<String>,
    legal_basis: Vec<String>,
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    q: Option<String>,
}

/// Published articles matching the words, as JSON for the call screen's script (same session
/// cookie; a GET that changes nothing).
pub async fn suggest(state: Data<AppState>, req: HttpRequest, q: Query<SuggestQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let text: String = q.q.clone().unwrap_or_default().chars().take(200).collect();
    match suggestions(&state, &s, &text).await {
        Ok(items) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(items.iter().map(suggestion).collect::<Vec<_>>()),
        Err(e) => error_page(&e),
    }
}

fn suggestion(a: &KbArticleView) -> Suggestion {
    Suggestion {
        id: a.id.to_string(),
        question: a.question.clone(),
        category_name: a.category_name.clone(),
        paragraphs: KbContent::paragraphs(&a.answer),
        legal_basis: a.legal_basis.clone(),
    }
}

/// Published articles for the call screen (none for an empty search).
pub(super) async fn suggestions(state: &AppState, s: &Signed, q: &str) -> Result<Vec<KbArticleView>, AppError> {
    let f = list_filter(q, None, false, SUGGEST_MAX);
    if f.query.is_empty() {
        return Ok(Vec::new());
    }
    Ok(kb::search(state, s.actor(), f).await?.items)
}

#[derive(Template)]
#[template(path = "console/kb_article.html")]
struct ArticlePage {
    who: Option<Who>,
    a: KbArticleView,
    paragraphs: Vec<String>,
    editor: bool,
    revisions: Vec<KbRevisionView>,
    notice: Option<&'static str>,
}

fn not_found(s: &Signed) -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        &Message {
            who: Some(Who::of(s)),
            title: "Không tìm thấy".into(),
            text: "Không có bài hỏi đáp này.".into(),
        },
    )
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::TimeDelta::hours(7)).format("%H:%M %d/%m/%Y").to_string()
}

pub async fn show(state: Data<AppState>, req: HttpRequest, id: Path<String>, q: Query<ListQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let editor = kb::may_edit(&s.actor());
    let a = match kb::get(&state, s.actor(), id.into_inner()).await {
        // An article not yet published is an editor's; operators advise with published ones.
        Ok(a) if editor || a.status == KbStatus::Published => a,
        Ok(_) | Err(AppError::NotFound(_)) => return not_found(&s),
        Err(e) => return error_page(&e),
    };
    let revisions = if editor {
        match kb::revisions(&state, s.actor(), a.id.to_string()).await {
            Ok(r) => r,
            Err(e) => return error_page(&e),
        }
    } else {
        Vec::new()
    };
    let notice = match q.done.as_deref() {
        Some("created") => Some("Đã tạo bài hỏi đáp."),
        Some("saved") => Some("Đã lưu bài hỏi đáp."),
        Some("published") => Some("Đã công bố: người dân xem được bài này trên trang Hỏi đáp."),
        Some("draft") => Some("Đã rút về bản nháp: người dân không còn xem được bài này."),
        Some("archived") => Some("Đã lưu trữ bài hỏi đáp."),
        _ => None,
    };
    page(
        StatusCode::OK,
        &ArticlePage {
            who: Some(Who::of(&s)),
            paragraphs: KbContent::paragraphs(&a.answer),
            a,
            editor,
            revisions,
            notice,
        },
    )
}

#[derive(Template)]
#[template(path = "console/kb_edit.html")]
struct EditPage {
    who: Option<Who>,
    /// The article being edited (none: a new one).
    article: Option<KbArticleView>,
    f: BTreeMap<String, String>,
    categories: Vec<(String, String)>,
    revisions: Vec<KbRevisionView>,
    error: Option<(String, String)>,
    /// The save met a newer version: the article as it is now is shown beside the form.
    conflict: bool,
}

impl EditPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or_default()
    }

    fn err(&self, k: &str) -> Option<&str> {
        let (f, m) = self.error.as_ref()?;
        let f = if f.starts_with("legal_basis") {
            "legal_basis"
        } else {
            f.as_str()
        };
        (f == k).then_some(m.as_str())
    }
}

async fn edit_page(
    state: &AppState,
    s: &Signed,
    article: Option<KbArticleView>,
    f: BTreeMap<String, String>,
    error: Option<(String, String)>,
) -> Result<EditPage, AppError> {
    let categories = reference::categories(state)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let revisions = match &article {
        Some(a) => kb::revisions(state, s.actor(), a.id.to_string()).await?,
        None => Vec::new(),
    };
    Ok(EditPage {
        who: Some(Who::of(s)),
        article,
        f,
        categories,
        revisions,
        error,
        conflict: false,
    })
}

fn fields_of(a: &KbArticleView) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("question".to_owned(), a.question.clone()),
        ("answer".to_owned(), a.answer.clone()),
        ("legal_basis".to_owned(), a.legal_basis.join("\n")),
        ("category".to_owned(), a.category.clone()),
        ("version".to_owned(), a.version.to_string()),
    ])
}

/// The editor's pages are for editors: others get the 403 page.
async fn editor_signed(state: &AppState, req: &HttpRequest) -> Result<Signed, HttpResponse> {
    let s = signed_in(state, req).await?;
    if kb::may_edit(&s.actor()) {
        Ok(s)
    } else {
        Err(error_page(&AppError::Forbidden))
    }
}

pub async fn new(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let s = match editor_signed(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match edit_page(&state, &s, None, BTreeMap::new(), None).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

pub async fn edit(state: Data<AppState>, req: HttpRequest, id: Path<String>) -> HttpResponse {
    let s = match editor_signed(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let a = match kb::get(&state, s.actor(), id.into_inner()).await {
        Ok(a) => a,
        Err(AppError::NotFound(_)) => return not_found(&s),
        Err(e) => return error_page(&e),
    };
    let f = fields_of(&a);
    match edit_page(&state, &s, Some(a), f, None).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

fn legal_lines(f: &BTreeMap<String, String>) -> Vec<String> {
    f.get("legal_basis")
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The status a form's button asks for ("Lưu và công bố" → published), if any.
fn status_of(f: &BTreeMap<String, String>) -> Option<KbStatus> {
    f.get("status").and_then(|s| KbStatus::parse(s))
}

pub async fn create(state: Data<AppState>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let result = match KbContent::parse(&get("question"), &get("answer"), &legal_lines(&f), &get("category")) {
        Ok(content) => kb::create(&state, s.actor(), content, status_of(&f)).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(a) => {
            let done = if a.status == KbStatus::Published {
                "published"
            } else {
                "created"
            };
            see_other(&format!("/console/kb/{}?done={done}", a.id))
        }
        Err(e) => form_error(&state, &s, None, f, &e).await,
    }
}

pub async fn save(state: Data<AppState>, req: HttpRequest, id: Path<String>, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let get = |k: &str| f.get(k).cloned();
    let version = get("version").and_then(|v| v.trim().parse::<i32>().ok()).unwrap_or(0);
    // The status buttons of the article page send only the status; the edit form sends all.
    let full = f.contains_key("question");
    let patch = KbPatch {
        version,
        question: get("question").filter(|_| full),
        answer: get("answer").filter(|_| full),
        legal_basis: full.then(|| legal_lines(&f)),
        category: get("category").filter(|_| full),
        status: status_of(&f),
    };
    let done = match (full, patch.status) {
        (false, Some(st)) => st.as_str(),
        (true, Some(KbStatus::Published)) => "published",
        _ => "saved",
    };
    match kb::update(&state, s.actor(), id.clone(), patch).await {
        Ok(a) => see_other(&format!("/console/kb/{}?done={done}", a.id)),
        Err(AppError::NotFound(_)) => not_found(&s),
        Err(e) => {
            let article = match kb::get(&state, s.actor(), id).await {
                Ok(a) => a,
                Err(e) => return error_page(&e),
            };
            // The edit is kept; a newer version is shown as what the editor now overwrites.
            let mut f = if full { f } else { fields_of(&article) };
            f.insert("version".into(), article.version.to_string());
            form_error(&state, &s, Some(article), f, &e).await
        }
    }
}

/// The form again with the user's values and the message of what is wrong.
async fn form_error(
    state: &AppState,
    s: &Signed,
    article: Option<KbArticleView>,
    f: BTreeMap<String, String>,
    e: &AppError,
) -> HttpResponse {
    let (status, err) = match e {
        AppError::VersionConflict { .. } => (
            StatusCode::CONFLICT,
            (
                String::new(),
                "Bài này vừa được người khác sửa. Nội dung hiện tại ở bên cạnh; nội dung bạn nhập vẫn còn trong biểu mẫu. Lưu lại nếu vẫn muốn thay bằng nội dung của bạn."
                    .to_owned(),
            ),
        ),
        other => match field_error(other) {
            Some(err) => (StatusCode::UNPROCESSABLE_ENTITY, err),
            None => return error_page(other),
        },
    };
    match edit_page(state, s, article, f, Some(err)).await {
        Ok(mut p) => {
            p.conflict = status == StatusCode::CONFLICT;
            page(status, &p)
        }
        Err(e) => error_page(&e),
    }
}

/// Local time (dd/mm/yyyy) for the templates.
fn at_local(t: impl std::borrow::Borrow<chrono::DateTime<chrono::Utc>>) -> String {
    local(*t.borrow())
}

impl ArticlePage {
    fn at(&self, t: impl std::borrow::Borrow<chrono::DateTime<chrono::Utc>>) -> String {
        at_local(t)
    }
}

impl EditPage {
    fn paragraphs(&self, answer: &str) -> Vec<String> {
        KbContent::paragraphs(answer)
    }

    fn at(&self, t: impl std::borrow::Borrow<chrono::DateTime<chrono::Utc>>) -> String {
        at_local(t)
    }
}
