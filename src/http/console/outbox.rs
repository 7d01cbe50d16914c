//! The outbox's dead letters in the console (e-mails that failed for good). The outbox is
//! administrators' (as `GET /admin/outbox` and its retry): supervisors and coordinators see how
//! many there are on their dashboard, administrators the messages — what, to whom (masked),
//! when, the last error with personal data redacted — each with "Gửi lại", on their overview
//! together with the accounts (ADR 0035).

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::session::{see_other, Signed};
use super::{error_page, message_page, page, Who};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::service::{accounts, jobs};
use crate::state::AppState;

pub struct DeadRow {
    pub id: String,
    pub subject: String,
    pub to: String,
    pub failed_at: String,
    pub attempts: i32,
    pub error: String,
}

/// What the dashboard shows of the dead letters.
pub struct DeadLetters {
    pub count: i64,
    /// The messages (administrators only).
    pub items: Vec<DeadRow>,
    pub can_retry: bool,
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::TimeDelta::hours(7)).format("%H:%M %d/%m/%Y").to_string()
}

/// The last error as the page shows it: personal data redacted, at most 300 characters.
fn shown_error(e: Option<&str>) -> String {
    let e = crate::text::redact(e.unwrap_or("(không rõ)"));
    match e.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &e[..i]),
        None => e,
    }
}

pub async fn dead_letters(state: &AppState, s: &Signed) -> Result<DeadLetters, AppError> {
    let count = jobs::dead_letter_count(state, s.actor()).await?;
    let admin = s.staff.role == Role::Admin;
    let items = if admin && count > 0 {
        jobs::outbox(state, s.actor(), Some("dead".into()))
            .await?
            .into_iter()
            .map(|j| DeadRow {
                failed_at: local(j.finished_at.unwrap_or(j.run_at)),
                error: shown_error(j.last_error.as_deref()),
                id: j.id,
                subject: j.subject,
                to: j.to,
                attempts: j.attempts,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DeadLetters {
        count,
        items,
        can_retry: admin,
    })
}

#[derive(Template)]
#[template(path = "console/admin.html")]
struct AdminPage {
    who: Option<Who>,
    dead: DeadLetters,
    users_active: usize,
    users_inactive: usize,
    users_must_change: usize,
    retried: bool,
}

#[derive(Deserialize)]
pub struct AdminQuery {
    retried: Option<bool>,
}

/// The administrator's overview (their "Tổng quan"): the dead letters with "Gửi lại", and the
/// accounts at a glance.
pub async fn admin_overview(state: &AppState, s: &Signed, q: &Query<AdminQuery>) -> HttpResponse {
    let built = async {
        let dead = dead_letters(state, s).await?;
        let accounts = accounts::list_accounts(state, &s.actor()).await?;
        Ok::<_, AppError>(AdminPage {
            who: Some(Who::of(s)),
            dead,
            users_active: accounts.iter().filter(|a| a.active).count(),
            users_inactive: accounts.iter().filter(|a| !a.active).count(),
            users_must_change: accounts.iter().filter(|a| a.active && a.must_change_password).count(),
            retried: q.retried.unwrap_or(false),
        })
    };
    match built.await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

/// "Gửi lại" a dead letter: back in the queue, sent by the worker's next round.
pub async fn retry(state: Data<AppState>, req: HttpRequest, id: Path<String>, body: Bytes) -> HttpResponse {
    let (s, _) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match jobs::retry(&state, s.actor(), id.into_inner()).await {
        Ok(()) => see_other("/console/dashboard?retried=true"),
        Err(AppError::NotFound(_)) => message_page(
            StatusCode::NOT_FOUND,
            "Không tìm thấy",
            "Thư này không còn trong danh sách gửi không được (có thể đã được gửi lại).",
        ),
        Err(e) => error_page(&e),
    }
}
