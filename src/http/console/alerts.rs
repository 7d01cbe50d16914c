//! Early warning in the console (issue 14 point 6, ADR 0038), for coordinators: the signals of
//! the weekly job (`/console/alerts`, open ones first), each with the cases it counted
//! (`/console/alerts/{id}`), a one-step "draft a public warning" that opens the draft for
//! editing, and "dismiss". Same services as `GET/POST /api/v1/alerts…`.

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::notices::refused;
use super::queue::{rows_of, Row};
use super::session::{see_other, signed_in, Signed};
use super::{error_page, page, Who};
use crate::calendar::vn_date;
use crate::domain::alert::BASELINE_WEEKS;
use crate::domain::search::Sort;
use crate::error::AppError;
use crate::service::alerts::{self, AlertView};
use crate::service::cases::{self, ListQuery};
use crate::state::AppState;

/// A signal as a line of the page.
pub(super) struct Signal {
    pub id: String,
    pub open: bool,
    /// "Lĩnh vực", "Doanh nghiệp" or "Sản phẩm, dịch vụ".
    pub dimension: &'static str,
    pub label: String,
    pub week: String,
    pub count: i64,
    /// "gấp 16,0 lần mức nền 0,5 vụ/tuần".
    pub rise: String,
    /// The one-sided Poisson probability in words ("dưới 0,001", "0,012").
    pub p: String,
    pub status: &'static str,
    pub warning_id: Option<String>,
}

fn decimal(v: f64, places: usize) -> String {
    format!("{v:.places$}").replace('.', ",")
}

pub(super) fn signal(a: &AlertView) -> Signal {
    Signal {
        id: a.id.clone(),
        open: a.status == "open",
        dimension: match a.dimension.as_str() {
            "business" => "Doanh nghiệp",
            "product" => "Sản phẩm, dịch vụ",
            _ => "Lĩnh vực",
        },
        label: a.label.clone(),
        week: format!(
            "Tuần {} ({} – {})",
            a.week.rsplit('W').next().unwrap_or(&a.week),
            vn_date(a.period_start),
            vn_date(a.period_end)
        ),
        count: a.count,
        rise: format!(
            "gấp {} lần mức nền {} vụ/tuần",
            decimal(a.count as f64 / a.baseline.max(f64::MIN_POSITIVE), 1),
            decimal(a.baseline, 1)
        ),
        p: if a.p_value < 0.001 {
            "dưới 0,001".to_owned()
        } else {
            decimal(a.p_value, 3)
        },
        status: match a.status.as_str() {
            "open" => "Chưa xử lý",
            "drafted" => "Đã soạn cảnh báo",
            _ => "Đã bỏ qua",
        },
        warning_id: a.warning_id.clone(),
    }
}

#[derive(Template)]
#[template(path = "console/alerts.html")]
struct AlertsPage {
    who: Option<Who>,
    signals: Vec<Signal>,
    baseline_weeks: i64,
}

#[derive(Template)]
#[template(path = "console/alert.html")]
struct AlertPage {
    who: Option<Who>,
    s: Signal,
    heading: String,
    rows: Vec<Row>,
    more: bool,
    baseline_weeks: i64,
}

/// The open signals first, then the ones handled (newest week first within each).
pub async fn list(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match alerts::list(&state, s.actor(), None).await {
        Ok(all) => {
            let mut signals: Vec<Signal> = all.iter().map(signal).collect();
            signals.sort_by_key(|x| !x.open);
            page(
                StatusCode::OK,
                &AlertsPage {
                    who: Some(Who::of(&s)),
                    signals,
                    baseline_weeks: BASELINE_WEEKS,
                },
            )
        }
        Err(e) => error_page(&e),
    }
}

/// One signal and the cases behind it.
pub async fn show(state: Data<AppState>, req: HttpRequest, id: Path<String>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match render(&state, &s, id.into_inner()).await {
        Ok(p) => page(StatusCode::OK, &p),
        Err(e) => error_page(&e),
    }
}

async fn render(state: &AppState, s: &Signed, id: String) -> Result<AlertPage, AppError> {
    let (view, filter) = alerts::get(state, s.actor(), id).await?;
    let listed = cases::list_cases(
        state,
        s.actor(),
        ListQuery {
            filter,
            sort: Sort::DueAsc,
            cursor: None,
            limit: 100,
        },
    )
    .await?;
    let more = listed.next_cursor.is_some();
    let rows = rows_of(state, listed.items, state.clock.now()).await?;
    Ok(AlertPage {
        who: Some(Who::of(s)),
        heading: format!("Các hồ sơ của tín hiệu «{}»", view.label),
        s: signal(&view),
        rows,
        more,
        baseline_weeks: view.baseline_weeks,
    })
}

/// `draft`: a draft public warning from the signal, opened for editing; `dismiss`: judged not
/// worth a warning.
pub async fn change(
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
    let result = match what.as_str() {
        "draft" => alerts::draft_warning(&state, s.actor(), id).await,
        "dismiss" => alerts::dismiss(&state, s.actor(), id).await,
        _ => return error_page(&AppError::NotFound("resource")),
    };
    match result {
        Ok(AlertView {
            warning_id: Some(w), ..
        }) if what == "draft" => see_other(&format!("/console/notices/warnings/{w}")),
        Ok(_) => see_other("/console/alerts"),
        Err(e) => refused(&e),
    }
}
