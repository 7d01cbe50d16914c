//! The call screen (operator): the caller's phone (their earlier calls and cases appear), notes
//! with the routing suggestion (updated as they type when JavaScript runs; with the "Gợi ý"
//! button without it), the knowledge base searched beside them (as they type with JavaScript;
//! with the "Tìm" button without it) to pick the article the caller is advised with, and the
//! outcome buttons: advised (linking the article picked), out of scope, callback, or open a
//! case prefilled from the call. The call goes through the same DTO and service as
//! `POST /api/v1/calls`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::session::{see_other, signed_in, Signed};
use super::text::value_label;
use super::{error_page, field_error, page, Who};
use crate::domain::kb::KbContent;
use crate::domain::search::{query_terms, CallFilter, ListFilter, Sort};
use crate::domain::values::Phone;
use crate::error::AppError;
use crate::http::dto::NewCallDto;
use crate::service::cases::{self, ListQuery};
use crate::service::kb::{self, KbArticleView};
use crate::service::views::ClassifyView;
use crate::service::{calls, reference};
use crate::state::AppState;

/// The outcome buttons: (value, label).
const OUTCOMES: [(&str, &str); 4] = [
    ("advised", "Đã tư vấn xong"),
    ("out_of_scope", "Không thuộc phạm vi (hướng dẫn nơi khác)"),
    ("callback", "Hẹn gọi lại"),
    ("case_opened", "Mở hồ sơ từ cuộc gọi"),
];

struct Earlier {
    href: Option<String>,
    text: String,
    /// A case this call may be about (the follow-up's choice).
    case_id: Option<String>,
}

#[derive(Template)]
#[template(path = "console/call.html")]
struct CallPage {
    who: Option<Who>,
    /// When the call started: the page's time, moved by the script to the operator's first
    /// keystroke on a fresh screen (the screen waits between calls).
    started_at: String,
    fresh: bool,
    f: BTreeMap<String, String>,
    suggestion: Option<ClassifyView>,
    kind_label: String,
    categories: Vec<(String, String)>,
    earlier: Vec<Earlier>,
    has_cases: bool,
    error: Option<(String, String)>,
    logged: Option<String>,
    outcomes: Vec<(&'static str, &'static str)>,
    /// Knowledge-base articles found for `kb_q` (the one picked first, even if not found again).
    kb_results: Vec<KbArticleView>,
    /// Products named in the agency's recent cases, offered as the product field is typed.
    products: Vec<String>,
}

impl CallPage {
    fn v(&self, k: &str) -> &str {
        self.f.get(k).map(String::as_str).unwrap_or_default()
    }
    /// The error of a field of the screen (the API names the case's fields by their path).
    fn err(&self, k: &str) -> Option<&str> {
        let (f, m) = self.error.as_ref()?;
        let f = f.trim_start_matches('.');
        let alias = match f {
            "case.consumer.name" => "consumer_name",
            "case.business.name" => "business_name",
            "case.product" => "product",
            "case.consumer_request" => "consumer_request",
            "case.description" => "note",
            "case.consumer.phone" => "caller_phone",
            // The case's own validation names its fields without the prefix.
            "consumer.name" => "consumer_name",
            "business.name" => "business_name",
            "description" => "note",
            "consumer.phone" => "caller_phone",
            "case_id" => "about_case",
            other => other,
        };
        (alias == k).then_some(m.as_str())
    }

    fn paragraphs(&self, answer: &str) -> Vec<String> {
        KbContent::paragraphs(answer)
    }
}

#[derive(Deserialize)]
pub struct NewQuery {
    logged: Option<String>,
    /// The article the logged call was advised with.
    kb: Option<String>,
}

pub async fn new(state: Data<AppState>, req: HttpRequest, q: Query<NewQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut logged = q
        .logged
        .as_deref()
        .and_then(|o| OUTCOMES.iter().find(|(k, _)| *k == o))
        .map(|(_, l)| format!("Đã ghi cuộc gọi: {}.", l.to_lowercase()));
    if let (Some(l), Some(id)) = (logged.as_mut(), q.kb.clone()) {
        if let Ok(a) = kb::get(&state, s.actor(), id).await {
            l.push_str(&format!(" Bài hỏi đáp đã dùng: «{}».", a.question));
        }
    }
    let started_at = state.clock.now().to_rfc3339();
    match render(&state, &s, started_at, BTreeMap::new(), None).await {
        Ok(mut p) => {
            p.logged = logged;
            page(StatusCode::OK, &p)
        }
        Err(e) => error_page(&e),
    }
}

pub async fn submit(state: Data<AppState>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let started_at = f
        .get("started_at")
        .cloned()
        .unwrap_or_else(|| state.clock.now().to_rfc3339());
    let step = f.get("step").cloned().unwrap_or_default();
    if !OUTCOMES.iter().any(|(k, _)| *k == step) {
        // "Gợi ý" (or Enter in a field): the same page with the suggestion and the caller's history.
        return match render(&state, &s, started_at, f, None).await {
            Ok(p) => page(StatusCode::OK, &p),
            Err(e) => error_page(&e),
        };
    }
    match log(&state, &s, &f, &started_at, &step).await {
        Ok(Some(case_id)) => see_other(&format!("/console/cases/{case_id}?done=opened")),
        Ok(None) => match linked_article(&f, &step) {
            Some(a) => see_other(&format!("/console/calls/new?logged={step}&kb={}", urlencoding(&a))),
            None => see_other(&format!("/console/calls/new?logged={step}")),
        },
        // Any refusal comes back on the screen with everything typed: an operator on a call
        // never loses the notes to an error page (a busy database, a case changed meanwhile).
        Err(e) => {
            let (status, err) = match field_error(&e) {
                Some(err) => (StatusCode::UNPROCESSABLE_ENTITY, err),
                None => (
                    actix_web::ResponseError::status_code(&e),
                    (String::new(), not_logged_text(&e)),
                ),
            };
            match render(&state, &s, started_at, f, Some(err)).await {
                Ok(p) => page(status, &p),
                Err(e) => error_page(&e),
            }
        }
    }
}

/// The call screen's keep-alive: an operator typing a long call keeps the console session
/// (every signed request moves its idle end), so "Mở hồ sơ" does not meet the sign-in page and
/// lose the call. 204; the sign-in redirect when the session has ended; 403 without the form key.
pub async fn alive(state: Data<AppState>, req: HttpRequest, body: Bytes) -> HttpResponse {
    match super::signed_form(&state, &req, &body).await {
        Ok(_) => HttpResponse::NoContent().finish(),
        Err(r) => r,
    }
}

/// Why a call was not logged, when no field is to blame; what was typed stays on the screen.
fn not_logged_text(e: &AppError) -> String {
    let why = match e {
        AppError::Forbidden => "vai trò của bạn không được làm việc này".to_owned(),
        AppError::Conflict { vi, .. } => vi.clone(),
        AppError::InvalidTransition { .. } => "hồ sơ không còn nhận việc này ở trạng thái hiện tại".to_owned(),
        AppError::NotFound(_) => "không tìm thấy hồ sơ đã chọn".to_owned(),
        _ => "hệ thống đang bận hoặc gặp sự cố".to_owned(),
    };
    format!("Chưa ghi được: {why}. Những gì bạn đã nhập vẫn còn dưới đây; hãy bấm ghi lại.")
}

/// The article picked for an advised call (other outcomes link none).
fn linked_article(f: &BTreeMap<String, String>, outcome: &str) -> Option<String> {
    f.get("kb_article_id")
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && outcome == "advised")
}

fn urlencoding(v: &str) -> String {
    serde_urlencoded::to_string([("", v)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// Logs the call (and opens its case); the case's id when one was opened.
async fn log(
    state: &AppState,
    s: &Signed,
    f: &BTreeMap<String, String>,
    started_at: &str,
    outcome: &str,
) -> Result<Option<String>, AppError> {
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let note = get("note");
    let case = (outcome == "case_opened").then(|| {
        json!({
            "description": note.clone().unwrap_or_default(),
            "consumer_request": get("consumer_request"),
            "category": get("category"),
            "consumer": {"name": get("consumer_name").unwrap_or_default(), "phone": get("caller_phone").unwrap_or_default(),
                         "commune": get("consumer_commune"), "province": get("consumer_province")},
            "business": {"name": get("business_name")},
            "product": get("product"),
        })
    });
    let callback_due_at = get("callback_due_at").filter(|_| outcome == "callback").map(|t| {
        if t.len() == 16 {
            format!("{t}:00+07:00")
        } else {
            t
        }
    });
    let about = get("about_case").filter(|_| outcome != "case_opened");
    let body = json!({
        "caller_phone": get("caller_phone").unwrap_or_default(),
        "callback_due_at": callback_due_at,
        "case_id": about,
        "started_at": started_at,
        "ended_at": state.clock.now().to_rfc3339(),
        "category": get("category"),
        "outcome": outcome,
        "note": note,
        "case": case,
        "kb_article_id": linked_article(f, outcome),
    });
    let dto: NewCallDto = serde_path_to_error::deserialize(body).map_err(crate::http::extractors::json_error)?;
    let call = dto.into_domain(state.clock.today())?;
    let view = calls::log_call(state, s.actor(), call).await?;
    Ok(view.case_id.map(|c| c.to_string()))
}

async fn render(
    state: &AppState,
    s: &Signed,
    started_at: String,
    f: BTreeMap<String, String>,
    error: Option<(String, String)>,
) -> Result<CallPage, AppError> {
    let note = f.get("note").map(|n| n.trim()).unwrap_or_default();
    let suggestion = (!note.is_empty()).then(|| {
        let mut raw = state.router.classify(note, Some("hotline"));
        let place = |k: &str| f.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        state
            .router
            .place(&mut raw, place("consumer_commune"), place("consumer_province"));
        let mut c = ClassifyView::from(raw);
        c.vulnerable = c.vulnerable.iter().map(|v| value_label(v).to_owned()).collect();
        c
    });
    let categories = reference::categories(state)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let earlier = match f.get("caller_phone").and_then(|p| Phone::parse("caller_phone", p).ok()) {
        Some(phone) => earlier(state, s, &phone).await?,
        None => vec![],
    };
    let kb_results = kb_results(state, s, &f).await?;
    let products = crate::service::cases::product_suggestions(state, &s.actor()).await?;
    Ok(CallPage {
        who: Some(Who::of(s)),
        started_at,
        fresh: f.is_empty(),
        kind_label: suggestion
            .as_ref()
            .map(|c| value_label(c.kind.as_str()).to_owned())
            .unwrap_or_default(),
        suggestion,
        categories,
        has_cases: earlier.iter().any(|e| e.case_id.is_some()),
        earlier,
        error,
        logged: None,
        outcomes: OUTCOMES.to_vec(),
        kb_results,
        products,
        f,
    })
}

/// The articles found for the screen's knowledge-base search, the one picked first.
async fn kb_results(
    state: &AppState,
    s: &Signed,
    f: &BTreeMap<String, String>,
) -> Result<Vec<KbArticleView>, AppError> {
    let q = f.get("kb_q").map(String::as_str).unwrap_or_default();
    let mut found = super::kb::suggestions(state, s, q).await?;
    let picked = f.get("kb_article_id").map(|v| v.trim()).filter(|v| !v.is_empty());
    if let Some(id) = picked {
        if let Some(i) = found.iter().position(|a| a.id == id) {
            let a = found.remove(i);
            found.insert(0, a);
        } else if let Ok(a) = kb::get(state, s.actor(), id.to_owned()).await {
            found.insert(0, a);
        }
    }
    Ok(found)
}

/// The caller's earlier calls and cases, newest first (a few of each).
async fn earlier(state: &AppState, s: &Signed, phone: &Phone) -> Result<Vec<Earlier>, AppError> {
    let filter = CallFilter {
        phone: Some(phone.as_ref().to_owned()),
        ..CallFilter::default()
    };
    let past_calls = calls::list_calls(state, s.actor(), filter, None, 5).await?;
    let past_cases = cases::list_cases(
        state,
        s.actor(),
        ListQuery {
            filter: ListFilter {
                words: query_terms(phone.as_ref()),
                ..ListFilter::default()
            },
            sort: Sort::CreatedDesc,
            cursor: None,
            limit: 5,
        },
    )
    .await?;
    let mut out: Vec<Earlier> = past_cases
        .items
        .into_iter()
        .map(|c| Earlier {
            case_id: Some(c.id.to_string()),
            href: Some(format!("/console/cases/{}", c.id)),
            text: format!(
                "Hồ sơ {} — {} — {}",
                c.tracking_code,
                c.business_name.unwrap_or_default(),
                c.status.label_vi()
            ),
        })
        .collect();
    for c in past_calls.items {
        // The article the caller was advised with, by its question.
        let article = match &c.kb_article_id {
            Some(id) => kb::get(state, s.actor(), id.to_string()).await.ok(),
            None => None,
        };
        out.push(Earlier {
            case_id: None,
            href: c
                .case_id
                .map(|id| format!("/console/cases/{id}"))
                .or_else(|| article.as_ref().map(|a| format!("/console/kb/{}", a.id))),
            text: format!(
                "Cuộc gọi {} — {}{}{}",
                (c.started_at + chrono::TimeDelta::hours(7)).format("%H:%M %d/%m/%Y"),
                value_label(&c.outcome),
                article.map(|a| format!(" (bài «{}»)", a.question)).unwrap_or_default(),
                c.note
                    .map(|n| format!(": {}", n.chars().take(80).collect::<String>()))
                    .unwrap_or_default()
            ),
        });
    }
    Ok(out)
}
