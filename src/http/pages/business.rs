//! The business's page behind its private link (`/b/{token}`, issue 12): the consumer's request,
//! the facts, the shared evidence, the three Art 57 deadlines, and its forms (answer, result),
//! on the citizen pages' base and stylesheet, without JavaScript. The forms carry the same
//! link-bound key as the citizen's (`csrf_for`).

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Payload, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::i18n::{sentence, Ui};
use super::{csrf_for, error_page, local_day, page, page_not_found, Row};
use crate::calendar::vn_date;
use crate::domain::business::{Decision, ReportedResult};
use crate::error::AppError;
use crate::http::citizen_upload::{self, Received};
use crate::http::extractors::ClientAddr;
use crate::service::business::answers::{self, BusinessAct};
use crate::service::cases;
use crate::service::citizen_files::{size_vi, ACCEPT};
use crate::service::views::BusinessCaseView;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "pages/business.html")]
struct BusinessPage {
    /// The business's page is in Vietnamese (the switch still offers English chrome).
    ui: Ui,
    v: BusinessCaseView,
    token: String,
    csrf: String,
    notice: Option<String>,
    forwarded: String,
    transaction: String,
    amount: String,
    deadlines: Vec<Row>,
    files: Vec<FileRow>,
    response_date: String,
    response_label: String,
    result_date: String,
    result_label: String,
    /// Why the files were not received (the form is shown again with it).
    file_error: Option<String>,
    /// The evidence form's hint: kinds, count and size.
    file_hint: String,
    accept: &'static str,
    /// What the business typed into the answer or result form (shown again when refused).
    typed: Typed,
    /// Why the answer or result was not received.
    form_error: Option<FormError>,
}

/// A file of the case the business may download.
struct FileRow {
    name: String,
    href: String,
    /// Size, and who sent it.
    text: String,
}

/// What the business typed into its answer and result forms, as typed.
#[derive(Default)]
struct Typed {
    decision: String,
    message: String,
    proposal: String,
    result: String,
    terms: String,
    performance_due: String,
}

/// Why an answer or result was not received: the summary's heading, the message, and the
/// field it is about (its input's id), if one.
struct FormError {
    title: &'static str,
    message: String,
    field: Option<String>,
}

impl BusinessPage {
    /// The error beside `field`, if the form was refused for it.
    fn error(&self, field: &str) -> Option<&str> {
        self.form_error
            .as_ref()
            .filter(|e| e.field.as_deref() == Some(field))
            .map(|e| e.message.as_str())
    }
}

#[derive(Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

/// An amount as Vietnamese readers write it: "1.250.000 đ".
fn money_vi(amount: i64) -> String {
    format!("{} đ", crate::text::thousands(amount))
}

fn state_vi(state: &str, result: Option<&str>) -> String {
    match (state, result) {
        (_, Some("met")) => "Đã thực hiện đúng hạn".into(),
        (_, Some("late")) => "Đã thực hiện, trễ hạn".into(),
        ("running", _) => "Đang tính".into(),
        ("paused", _) => "Tạm dừng".into(),
        _ => "Chưa bắt đầu".into(),
    }
}

fn build(state: &AppState, ui: Ui, token: String, v: BusinessCaseView, done: Option<&str>) -> BusinessPage {
    let deadlines = v
        .legal_deadlines
        .iter()
        .map(|d| Row {
            label: d.label.clone(),
            date: d.due_date.map(vn_date).unwrap_or_else(|| "—".into()),
            text: state_vi(&d.state, d.result.as_deref()),
        })
        .collect();
    let files = v
        .evidence
        .iter()
        .map(|f| FileRow {
            name: f.file_name.clone(),
            href: format!("/b/{token}/files/{}", f.id),
            text: format!(
                "{}{}",
                size_vi(f.size_bytes),
                if f.from_business {
                    ", do Quý doanh nghiệp gửi"
                } else {
                    ""
                }
            ),
        })
        .collect();
    let label_of = |d: &str| match d {
        "accept" => Decision::Accept.label_vi(),
        "refuse" => Decision::Refuse.label_vi(),
        _ => Decision::Propose.label_vi(),
    };
    BusinessPage {
        ui,
        csrf: csrf_for(state, &token),
        token,
        notice: match done {
            Some("response") => Some("Đã gửi trả lời. Cơ quan đã được thông báo.".into()),
            Some("result") => Some("Đã gửi báo cáo kết quả thương lượng. Cơ quan đã được thông báo.".into()),
            Some("evidence") => Some("Đã gửi tài liệu. Cơ quan đã được thông báo.".into()),
            _ => None,
        },
        forwarded: v.forwarded_at.map(local_day).unwrap_or_default(),
        transaction: v.transaction_date.map(vn_date).unwrap_or_default(),
        amount: v.amount_vnd.map(money_vi).unwrap_or_default(),
        deadlines,
        files,
        response_date: v.response.as_ref().map(|r| local_day(r.at)).unwrap_or_default(),
        response_label: v
            .response
            .as_ref()
            .map(|r| label_of(&r.decision).to_owned())
            .unwrap_or_default(),
        result_date: v.result.as_ref().map(|r| local_day(r.at)).unwrap_or_default(),
        result_label: v
            .result
            .as_ref()
            .map(|r| {
                if r.result == "settled" {
                    ReportedResult::Settled
                } else {
                    ReportedResult::Failed
                }
                .label_vi()
                .to_owned()
            })
            .unwrap_or_default(),
        file_error: None,
        file_hint: format!(
            "Ảnh, PDF, Word, Excel hoặc tệp ghi âm; tối đa {} tệp mỗi lần, mỗi tệp không quá {}.",
            state.settings.evidence.public_max_files,
            size_vi(state.settings.evidence.public_max_file_bytes as i64)
        ),
        accept: ACCEPT,
        typed: Typed::default(),
        form_error: None,
        v,
    }
}

/// `GET /b/{token}`.
pub(super) async fn show(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    token: Path<String>,
    q: Query<Done>,
) -> HttpResponse {
    let token = token.into_inner();
    match cases::business_view(&state, token.clone(), addr.0).await {
        Ok(v) => page(
            StatusCode::OK,
            &build(&state, Ui::new(&req), token, v, q.done.as_deref()),
        ),
        Err(e) => error_page(Ui::new(&req), &e),
    }
}

/// `GET /b/{token}/files/{evidence_id}`: a file of the page's list, or the page's error page.
pub(super) async fn file(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    path: Path<(String, String)>,
) -> HttpResponse {
    let (token, evidence_id) = path.into_inner();
    match crate::http::business::shared_file(&state, token, evidence_id, addr).await {
        Ok(r) => r,
        Err(e) => error_page(Ui::new(&req), &e),
    }
}

/// `POST /b/{token}/response`, `/result` (urlencoded) and `/evidence` (multipart, with files),
/// each with the form key.
pub(super) async fn act(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    path: Path<(String, String)>,
    payload: Payload,
) -> HttpResponse {
    let (token, what) = path.into_inner();
    let mut payload = payload.into_inner();
    let mut received = match citizen_upload::read_form(&state, &req, &mut payload, "evidence").await {
        Ok(r) => r,
        Err(e) => return error_page(Ui::new(&req), &e),
    };
    let response = act_received(&state, &req, addr, token, &what, &mut received).await;
    // Files of a refused or failed send leave nothing behind.
    received.discard().await;
    response
}

async fn act_received(
    state: &AppState,
    req: &HttpRequest,
    addr: ClientAddr,
    token: String,
    what: &str,
    received: &mut Received,
) -> HttpResponse {
    let pairs = received.pairs.clone();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    if get("csrf").as_deref() != Some(csrf_for(state, &token).as_str()) {
        return error_page(Ui::new(req), &AppError::Forbidden);
    }
    if what == "evidence" {
        return evidence(state, req, addr, token, received).await;
    }
    let typed = Typed {
        decision: get("decision").unwrap_or_default(),
        message: get("message").unwrap_or_default(),
        proposal: get("proposal").unwrap_or_default(),
        result: get("result").unwrap_or_default(),
        terms: get("terms").unwrap_or_default(),
        performance_due: get("performance_due").unwrap_or_default(),
    };
    let act = match what {
        "response" => BusinessAct::Respond {
            decision: match typed.decision.as_str() {
                "refuse" => Decision::Refuse,
                "propose" => Decision::Propose,
                _ => Decision::Accept,
            },
            message: get("message"),
            proposal: get("proposal"),
        },
        "result" => {
            let due = match get("performance_due").map(|d| parse_day(&d)).transpose() {
                Ok(due) => due,
                Err(e) => return form_again(state, req, addr, token, typed, e).await,
            };
            BusinessAct::Report {
                result: if typed.result == "failed" {
                    ReportedResult::Failed
                } else {
                    ReportedResult::Settled
                },
                terms: get("terms"),
                performance_due: due,
            }
        }
        _ => return page_not_found(req),
    };
    match answers::act(state, token.clone(), act, addr.0).await {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/b/{token}?done={what}")))
            .finish(),
        Err(e) => form_again(state, req, addr, token, typed, e).await,
    }
}

/// A day as the date field sends it (`2026-12-20`), or as typed where the browser has no date
/// picker (`20/12/2026`); else 422 on the field.
fn parse_day(d: &str) -> Result<chrono::NaiveDate, AppError> {
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(d, "%d/%m/%Y"))
        .map_err(|_| {
            AppError::invalid(
                "performance_due",
                "not a date: write it as 2026-12-20 or 20/12/2026",
                "ngày không hợp lệ: ghi theo dạng 20/12/2026",
            )
        })
}

/// The page again after a refused answer or result: a field's error beside the field with what
/// was typed (422); an answer already sent, or one the stage no longer takes, above the page as
/// it is now (409); anything else the error page.
async fn form_again(
    state: &AppState,
    req: &HttpRequest,
    addr: ClientAddr,
    token: String,
    typed: Typed,
    e: AppError,
) -> HttpResponse {
    let (status, form_error) = match &e {
        AppError::Validation { field, vi, .. } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FormError {
                title: "Nội dung chưa được gửi",
                message: sentence(vi),
                field: Some(field.clone()),
            },
        ),
        AppError::Conflict {
            code: crate::error::ErrorCode::AlreadyAnswered,
            vi,
            ..
        } => (
            StatusCode::CONFLICT,
            FormError {
                title: "Đã gửi trước đó",
                message: format!("{} Nội dung đã gửi được hiển thị dưới đây.", sentence(vi)),
                field: None,
            },
        ),
        AppError::InvalidTransition { .. } => (
            StatusCode::CONFLICT,
            FormError {
                title: "Nội dung chưa được gửi",
                message: "Yêu cầu không còn ở giai đoạn nhận nội dung này: tình trạng hiện tại được hiển thị dưới đây."
                    .into(),
                field: None,
            },
        ),
        _ => return error_page(Ui::new(req), &e),
    };
    match cases::business_view(state, token.clone(), addr.0).await {
        Ok(v) => {
            let mut p = build(state, Ui::new(req), token, v, None);
            p.typed = typed;
            p.form_error = Some(form_error);
            page(status, &p)
        }
        Err(e) => error_page(Ui::new(req), &e),
    }
}

/// The evidence form: received, or the page again with what is wrong beside the file field.
async fn evidence(
    state: &AppState,
    req: &HttpRequest,
    addr: ClientAddr,
    token: String,
    received: &mut Received,
) -> HttpResponse {
    received.pairs.retain(|(n, _)| n != "csrf");
    let problem = match crate::http::business::evidence_received(state, token.clone(), addr.0, received).await {
        Ok(_) => {
            return HttpResponse::SeeOther()
                .insert_header(("Location", format!("/b/{token}?done=evidence")))
                .finish()
        }
        Err(AppError::Validation { vi, .. }) => vi,
        Err(e) => return error_page(Ui::new(req), &e),
    };
    match cases::business_view(state, token.clone(), addr.0).await {
        Ok(v) => {
            let mut p = build(state, Ui::new(req), token, v, None);
            p.file_error = Some(problem);
            page(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => error_page(Ui::new(req), &e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_are_grouped_with_dots() {
        assert_eq!(super::money_vi(1_250_000), "1.250.000 đ");
        assert_eq!(super::money_vi(999), "999 đ");
        assert_eq!(super::money_vi(1_000), "1.000 đ");
    }
}
