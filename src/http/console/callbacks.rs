//! Callbacks as tasks: the open callbacks of my agency (or mine), overdue first, each with the
//! caller, the note, the case it is about, and a form to mark it made with its outcome.

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::session::{see_other, signed_in};
use super::text::value_label;
use super::{error_page, page, Who};
use crate::service::calls::{self, CallOutcome, CallUpdate};
use crate::state::AppState;

struct Row {
    id: String,
    phone: String,
    due: String,
    overdue: bool,
    owner_is_me: bool,
    note: String,
    case_href: Option<String>,
}

#[derive(Template)]
#[template(path = "console/callbacks.html")]
struct CallbacksPage {
    who: Option<Who>,
    mine: bool,
    rows: Vec<Row>,
    done: bool,
}

#[derive(Deserialize)]
pub struct Q {
    mine: Option<bool>,
    done: Option<bool>,
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::TimeDelta::hours(7)).format("%H:%M %d/%m/%Y").to_string()
}

pub async fn list(state: Data<AppState>, req: HttpRequest, q: Query<Q>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mine = q.mine.unwrap_or(false);
    let now = state.clock.now();
    match calls::open_callbacks(&state, s.actor(), mine).await {
        Ok(items) => page(
            StatusCode::OK,
            &CallbacksPage {
                who: Some(Who::of(&s)),
                mine,
                done: q.done.unwrap_or(false),
                rows: items
                    .into_iter()
                    .map(|c| Row {
                        id: c.id.to_string(),
                        phone: c.caller_phone.clone(),
                        due: c.callback_due_at.map(local).unwrap_or_default(),
                        overdue: c.callback_due_at.is_some_and(|d| d <= now),
                        owner_is_me: c.callback_owner_id.as_ref() == Some(&s.staff.id),
                        note: c.note.unwrap_or_default(),
                        case_href: c.case_id.map(|id| format!("/console/cases/{id}")),
                    })
                    .collect(),
            },
        ),
        Err(e) => error_page(&e),
    }
}

/// "Đã gọi lại": the callback made, with what came of it.
pub async fn done(state: Data<AppState>, req: HttpRequest, id: Path<String>, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let outcome = match f.get("outcome").map(String::as_str) {
        Some("advised") => Some(CallOutcome::Advised),
        Some("out_of_scope") => Some(CallOutcome::OutOfScope),
        _ => None,
    };
    let update = CallUpdate {
        ended_at: None,
        outcome,
        note: f
            .get("note")
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty())
            .map(|n| {
                format!(
                    "Gọi lại ({}): {n}",
                    value_label(outcome.map_or("callback", |o| o.as_str()))
                )
            }),
        callback_done: true,
        about_case: None,
        kb_article: None,
    };
    match calls::complete_call(&state, s.actor(), id.into_inner(), update).await {
        Ok(_) => see_other("/console/callbacks?done=true"),
        Err(e) => error_page(&e),
    }
}
