//! The knowledge base on the citizen site: `/hoi-dap` lists and searches the published
//! questions and answers (without diacritics, by field), `/hoi-dap/{id}` shows one. The same
//! service as `GET /api/v1/public/kb`; no JavaScript.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::i18n::Ui;
use super::{error_page, not_found_page, page};
use crate::calendar::vn_date;
use crate::domain::kb::{KbContent, KbQuery};
use crate::error::AppError;
use crate::service::kb::{self, KbFilter, KbPublicArticle};
use crate::service::reference;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    category: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/kb_list.html")]
struct ListPage {
    ui: Ui,
    q: String,
    category: String,
    categories: Vec<(String, String)>,
    items: Vec<KbPublicArticle>,
}

pub async fn list(state: Data<AppState>, req: HttpRequest, q: Query<ListQuery>) -> HttpResponse {
    let ui = Ui::new(&req);
    let text: String = q.q.clone().unwrap_or_default().chars().take(200).collect();
    let category = q.category.clone().unwrap_or_default().trim().to_owned();
    let f = KbFilter {
        query: KbQuery::parse(&text),
        statuses: Vec::new(),
        category: Some(category.clone()).filter(|c| !c.is_empty()),
        limit: 100,
    };
    let categories = match reference::categories(&state).await {
        Ok(c) => c.into_iter().map(|c| (c.code, c.name)).collect(),
        Err(e) => return error_page(ui, &e),
    };
    match kb::public_search(&state, f).await {
        Ok(p) => page(
            StatusCode::OK,
            &ListPage {
                ui,
                q: text,
                category,
                categories,
                items: p.items,
            },
        ),
        Err(e) => error_page(ui, &e),
    }
}

#[derive(Template)]
#[template(path = "pages/kb_article.html")]
struct ArticlePage {
    ui: Ui,
    a: KbPublicArticle,
    paragraphs: Vec<String>,
    updated: String,
}

pub async fn show(state: Data<AppState>, req: HttpRequest, id: Path<String>) -> HttpResponse {
    let ui = Ui::new(&req);
    match kb::public_get(&state, id.into_inner()).await {
        Ok(a) => page(
            StatusCode::OK,
            &ArticlePage {
                ui,
                paragraphs: KbContent::paragraphs(&a.answer),
                updated: vn_date(crate::calendar::local_date(a.updated_at)),
                a,
            },
        ),
        Err(AppError::NotFound(_)) => not_found_page(ui),
        Err(e) => error_page(ui, &e),
    }
}
