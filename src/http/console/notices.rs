//! Public notices in the console (ADR 0032), for supervisors and coordinators: the violators on
//! the public list with a form to withdraw each, the public warnings with publish / end buttons
//! and a form for a new one (`/console/notices`); and, on the case page of a sanctioned case,
//! publishing its business (`/console/cases/{id}/violator-notice`). Same services as the API.

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::session::{see_other, signed_in};
use super::{error_page, page, Message, Who};
use crate::calendar::{local_date, vn_date};
use crate::domain::notice::{WarningContent, WarningKind};
use crate::domain::values::{opt_text, text};
use crate::error::AppError;
use crate::service::violators::{self, ViolatorNoticeView};
use crate::service::warnings::{self, WarningChange};
use crate::state::AppState;

struct ViolatorRow {
    case_href: String,
    case_id: String,
    business: String,
    decision: String,
    until: String,
}

struct WarningRow {
    id: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    period: String,
    current: bool,
    can_publish: bool,
    can_end: bool,
}

#[derive(Template)]
#[template(path = "console/notices.html")]
struct NoticesPage {
    who: Option<Who>,
    form_action: &'static str,
    violators: Vec<ViolatorRow>,
    warnings: Vec<WarningRow>,
    done: Option<&'static str>,
    error: Option<String>,
    /// What was typed in the new-warning form that failed.
    sent: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn status_label(s: &str) -> &'static str {
    match s {
        "draft" => "Bản nháp",
        "published" => "Đã công bố",
        _ => "Đã kết thúc",
    }
}

fn kind_label(k: &str) -> &'static str {
    WarningKind::parse(k).map_or("", WarningKind::label_vi)
}

/// The page: what is published and what can be done.
pub async fn show(state: Data<AppState>, req: HttpRequest, q: Query<DoneQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let done = match q.done.as_deref() {
        Some("created") => Some("Đã tạo cảnh báo."),
        Some("published") => Some("Đã công bố cảnh báo."),
        Some("ended") => Some("Đã kết thúc cảnh báo."),
        Some("edited") => Some("Đã lưu thay đổi của cảnh báo."),
        _ => None,
    };
    match render(&state, &s, done, None, Default::default()).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

async fn render(
    state: &AppState,
    s: &super::session::Signed,
    done: Option<&'static str>,
    error: Option<String>,
    sent: std::collections::BTreeMap<String, String>,
) -> Result<NoticesPage, AppError> {
    let shown = violators::shown_for_staff(state, s.actor()).await?;
    let list = warnings::list(state, s.actor()).await?;
    Ok(NoticesPage {
        who: Some(Who::of(s)),
        form_action: "/console/notices/warnings",
        violators: shown.iter().map(violator_row).collect(),
        warnings: list
            .iter()
            .map(|w| WarningRow {
                id: w.warning.id.clone(),
                title: w.warning.title.clone(),
                kind: kind_label(&w.warning.kind),
                status: status_label(&w.status),
                period: format!("{} – {}", vn_date(w.warning.start_date), vn_date(w.warning.end_date)),
                current: w.current,
                can_publish: w.status == "draft",
                can_end: w.status != "ended",
            })
            .collect(),
        done,
        error,
        sent,
    })
}

fn violator_row(v: &ViolatorNoticeView) -> ViolatorRow {
    ViolatorRow {
        case_href: format!("/console/cases/{}", v.case_id),
        case_id: v.case_id.clone(),
        business: v.notice.business_name.clone(),
        decision: format!(
            "{} ngày {} của {}",
            v.notice.decision_number,
            vn_date(v.notice.decision_date),
            v.notice.issuing_body
        ),
        until: vn_date(local_date(v.notice.expires_at)),
    }
}

/// A refusal in words, with the status of the error (the page of the form that failed).
pub(super) fn refused(e: &AppError) -> HttpResponse {
    let text = match e {
        AppError::Validation { vi, .. } | AppError::BadRequest { vi, .. } | AppError::Conflict { vi, .. } => {
            let mut t = vi.clone();
            if let Some(first) = t.get(..1) {
                t.replace_range(..1, &first.to_uppercase());
            }
            format!("{t}.")
        }
        _ => return error_page(e),
    };
    page(
        e.status(),
        &Message {
            who: None,
            title: "Không thực hiện được".into(),
            text,
        },
    )
}

fn parse_warning(f: &std::collections::BTreeMap<String, String>) -> Result<(WarningContent, bool), AppError> {
    let date = |name: &str| -> Result<NaiveDate, AppError> {
        let raw = f.get(name).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            return Err(AppError::required(name));
        }
        raw.parse()
            .map_err(|_| AppError::invalid(name, "not a date (YYYY-MM-DD)", "ngày không hợp lệ"))
    };
    let kind = f
        .get("kind")
        .and_then(|k| WarningKind::parse(k))
        .ok_or_else(|| AppError::required("kind"))?;
    let get = |name: &str| f.get(name).map(String::as_str).unwrap_or_default();
    let content = WarningContent::parse(
        kind,
        &text("title", get("title"), crate::domain::notice::SHORT)?,
        &text("body", get("body"), crate::domain::notice::LONG)?,
        opt_text(
            "business_name",
            f.get("business_name").map(String::as_str),
            crate::domain::notice::SHORT,
        )?
        .as_deref(),
        opt_text(
            "product",
            f.get("product").map(String::as_str),
            crate::domain::notice::SHORT,
        )?
        .as_deref(),
        date("start_date")?,
        date("end_date")?,
    )?;
    Ok((content, f.get("publish").is_some_and(|v| v == "on" || v == "true")))
}

/// A new warning from the form; a refusal shows the page again with what was typed.
pub async fn create_warning(state: Data<AppState>, req: HttpRequest, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let result = match parse_warning(&f) {
        Ok((content, publish)) => warnings::create(&state, s.actor(), content, publish).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other("/console/notices?done=created#h-warnings"),
        Err(e @ (AppError::Validation { .. } | AppError::BadRequest { .. })) => {
            let why = super::field_error(&e).map(|(_, m)| m).unwrap_or_default();
            match render(&state, &s, None, Some(why), f).await {
                Ok(p) => page(StatusCode::UNPROCESSABLE_ENTITY, &p),
                Err(e) => error_page(&e),
            }
        }
        Err(e) => refused(&e),
    }
}

#[derive(Template)]
#[template(path = "console/warning.html")]
struct WarningPage {
    who: Option<Who>,
    status: &'static str,
    form_action: String,
    error: Option<String>,
    sent: std::collections::BTreeMap<String, String>,
}

/// The edit form of a warning, filled with what it says now.
pub async fn edit_form(state: Data<AppState>, req: HttpRequest, id: Path<String>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let w = match warnings::get(&state, s.actor(), id.into_inner()).await {
        Ok(w) => w,
        Err(e) => return error_page(&e),
    };
    let v = &w.warning;
    let sent = [
        ("kind", v.kind.clone()),
        ("title", v.title.clone()),
        ("body", v.body.clone()),
        ("business_name", v.business_name.clone().unwrap_or_default()),
        ("product", v.product.clone().unwrap_or_default()),
        ("start_date", v.start_date.to_string()),
        ("end_date", v.end_date.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    page(
        StatusCode::OK,
        &WarningPage {
            who: Some(Who::of(&s)),
            status: status_label(&w.status),
            form_action: format!("/console/notices/warnings/{}", v.id),
            error: None,
            sent,
        },
    )
}

/// The edit sent: every field of the form (an empty business or product clears it).
pub async fn edit(state: Data<AppState>, req: HttpRequest, id: Path<String>, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let result = match parse_warning(&f) {
        Ok((c, _)) => {
            let edit = crate::domain::notice::WarningEdit {
                kind: Some(c.kind),
                title: Some(c.title),
                body: Some(c.body),
                business_name: Some(c.business_name),
                product: Some(c.product),
                start_date: Some(c.start_date),
                end_date: Some(c.end_date),
            };
            warnings::change(&state, s.actor(), id.clone(), WarningChange::Edit(edit))
                .await
                .map(drop)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other("/console/notices?done=edited#h-warnings"),
        Err(e @ (AppError::Validation { .. } | AppError::BadRequest { .. })) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &WarningPage {
                who: Some(Who::of(&s)),
                status: "",
                form_action: format!("/console/notices/warnings/{id}"),
                error: super::field_error(&e).map(|(_, m)| m),
                sent: f,
            },
        ),
        Err(e) => refused(&e),
    }
}

/// Publish or end a warning.
pub async fn change_warning(
    state: Data<AppState>,
    req: HttpRequest,
    path: Path<(String, String)>,
    body: Bytes,
) -> HttpResponse {
    let (s, _) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (id, what) = path.into_inner();
    let (change, done) = match what.as_str() {
        "publish" => (WarningChange::Publish, "published"),
        "end" => (WarningChange::End, "ended"),
        _ => return error_page(&AppError::NotFound("resource")),
    };
    match warnings::change(&state, s.actor(), id, change).await {
        Ok(_) => see_other(&format!("/console/notices?done={done}#h-warnings")),
        Err(e) => refused(&e),
    }
}

/// Publish the business of a sanctioned case (from its page).
pub async fn publish_violator(state: Data<AppState>, req: HttpRequest, id: Path<String>, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let result = match opt_text(
        "place",
        f.get("place").map(String::as_str),
        crate::domain::notice::SHORT,
    ) {
        Ok(place) => violators::publish(&state, s.actor(), id.clone(), place).await.map(drop),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => see_other(&format!("/console/cases/{id}?done=violator_published#h-publication")),
        Err(e) => refused(&e),
    }
}

/// Take a case's notice off the public list (from the case page or the notices page).
pub async fn withdraw_violator(state: Data<AppState>, req: HttpRequest, id: Path<String>, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let result = match text("reason", f.get("reason").map(String::as_str).unwrap_or_default(), 500) {
        Ok(reason) => violators::withdraw(&state, s.actor(), id.clone(), reason)
            .await
            .map(drop),
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(()) => see_other(&format!("/console/cases/{id}?done=violator_withdrawn#h-publication")),
        Err(e) => refused(&e),
    }
}

/// The publication box of the case page: for supervisors and coordinators, on a case closed
/// with a sanction; the notice shown now, if any, else the form to publish.
pub struct PublicationBox {
    pub shown: Option<(String, String)>,
    pub earlier: usize,
}

pub async fn publication_box(
    state: &AppState,
    s: &super::session::Signed,
    c: &crate::service::views::CaseDetail,
) -> Result<Option<PublicationBox>, AppError> {
    use crate::domain::case::{Outcome, Status};
    use crate::domain::user::Role;
    let may = matches!(s.staff.role, Role::Supervisor | Role::Coordinator);
    if !may || c.status != Status::Closed || c.outcome != Some(Outcome::Sanctioned) {
        return Ok(None);
    }
    let notices = violators::of_case(state, s.actor(), c.id.to_string()).await?;
    let shown = notices
        .iter()
        .find(|n| n.shown)
        .map(|n| (n.notice.business_name.clone(), vn_date(local_date(n.notice.expires_at))));
    Ok(Some(PublicationBox {
        shown,
        earlier: notices.iter().filter(|n| !n.shown).count(),
    }))
}
