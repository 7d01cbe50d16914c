//! The complaint form: `GET /complaints/new`, `POST /complaints` (multipart/form-data with the
//! citizen's evidence files, or urlencoded). Every error is shown at once, in a summary linking
//! to its field and beside the field, with every value kept (files cannot be kept by a browser:
//! the page says to choose them again); nothing is stored while any error remains. A success
//! answers 303 to the receipt (the private link's page). A hidden idempotency key makes a double
//! submission (double click, back and resend) one complaint.

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Payload};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use askama::Template;

use super::{error_page, page};
use crate::domain::case::VulnerableGroup;
use crate::domain::complaint::ReporterType;
use crate::domain::values::{text, Email, Phone};
use crate::error::AppError;
use crate::http::citizen_upload::{self, Received};
use crate::http::dto::NewComplaintDto;
use crate::http::extractors::ClientAddr;
use crate::service::citizen_files::{self, size_vi, FileProblem};
use crate::service::evidence;
use crate::service::intake;
use crate::state::AppState;

/// What the form holds, as typed.
#[derive(Default)]
pub struct FormValues {
    pub idempotency_key: String,
    /// "" (a complaint) or "violation_report" (tố giác).
    pub kind: String,
    /// consumer (default), business, organisation.
    pub reporter_type: String,
    pub description: String,
    pub consumer_request: String,
    pub amount_vnd: String,
    pub transaction_date: String,
    pub business_name: String,
    pub business_address: String,
    pub business_shop_link: String,
    pub consumer_name: String,
    pub consumer_phone: String,
    pub consumer_email: String,
    pub consumer_province: String,
    pub consumer_commune: String,
    pub vulnerable: Vec<String>,
    pub consent: bool,
    /// Files that were received with a submission that had errors (the browser forgets them).
    pub files_dropped: usize,
    errors: Vec<FieldError>,
}

/// One error: the field's id (the anchor of the summary) and what to do, in plain words.
#[derive(Clone)]
pub struct FieldError {
    pub id: String,
    pub message: String,
}

impl FormValues {
    pub fn has(&self, id: &str) -> bool {
        self.errors.iter().any(|e| e.id == id)
    }

    pub fn error(&self, id: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.id == id).map(|e| e.message.as_str())
    }

    /// Each refused file, as an error of the file input.
    fn add_file_problems(&mut self, problems: &[FileProblem]) {
        let mut all: Vec<String> = problems.iter().map(FileProblem::message_vi).collect();
        all.dedup();
        if !all.is_empty() {
            self.errors.push(FieldError {
                id: "evidence".into(),
                message: all.join(" "),
            });
        }
    }

    fn add(&mut self, id: &str, message: &str) {
        if !self.has(id) {
            self.errors.push(FieldError {
                id: id.into(),
                message: message.into(),
            });
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> FormValues {
        let mut f = FormValues::default();
        for (k, v) in pairs {
            match k.as_str() {
                "idempotency_key" => f.idempotency_key = v,
                "kind" => f.kind = v,
                "reporter.type" => f.reporter_type = v,
                "description" => f.description = v,
                "consumer_request" => f.consumer_request = v,
                "amount_vnd" => f.amount_vnd = v,
                "transaction_date" => f.transaction_date = v,
                "business.name" => f.business_name = v,
                "business.address" => f.business_address = v,
                "business.shop_link" => f.business_shop_link = v,
                "consumer.name" => f.consumer_name = v,
                "consumer.phone" => f.consumer_phone = v,
                "consumer.email" => f.consumer_email = v,
                "consumer.province" => f.consumer_province = v,
                "consumer.commune" => f.consumer_commune = v,
                "consumer.vulnerable" => f.vulnerable.push(v),
                "consent" => f.consent = v == "true",
                _ => {}
            }
        }
        f
    }

    /// Checks every field (not only the first wrong one); the messages say how to fix it.
    /// A violation report (tố giác): name and phone optional, identity protected.
    pub fn is_violation_report(&self) -> bool {
        self.kind == "violation_report"
    }

    /// The reporter type chosen (anything unknown is a consumer's complaint).
    pub fn reporter(&self) -> ReporterType {
        ReporterType::parse(&self.reporter_type).unwrap_or_default()
    }

    fn check(&mut self) {
        let violation = self.is_violation_report();
        if !violation {
            self.kind.clear();
        }
        if self.description.trim().is_empty() {
            self.add("description", "Hãy viết quý vị gặp vấn đề gì.");
        } else if text("description", &self.description, 20_000).is_err() {
            self.add("description", "Nội dung quá dài: tối đa 20.000 ký tự.");
        }
        if !self.amount_vnd.trim().is_empty() && amount(&self.amount_vnd).is_none() {
            self.add("amount_vnd", "Số tiền chỉ gồm chữ số, ví dụ 1.200.000.");
        }
        if !self.transaction_date.trim().is_empty()
            && chrono::NaiveDate::parse_from_str(self.transaction_date.trim(), "%Y-%m-%d").is_err()
        {
            self.add("transaction_date", "Ngày không đúng, hãy chọn lại ngày.");
        }
        if self.consumer_name.trim().is_empty() && !violation {
            self.add("consumer.name", "Hãy nhập họ và tên.");
        }
        if self.consumer_phone.trim().is_empty() {
            if !violation {
                self.add("consumer.phone", "Hãy nhập số điện thoại.");
            }
        } else if Phone::parse("consumer.phone", &self.consumer_phone).is_err() {
            self.add("consumer.phone", "Số điện thoại không đúng, ví dụ 0912 345 678.");
        }
        if !self.consumer_email.trim().is_empty() && Email::parse("consumer.email", &self.consumer_email).is_err() {
            self.add(
                "consumer.email",
                "Địa chỉ thư điện tử không đúng, ví dụ ten@example.com.",
            );
        }
        let identified = !self.consumer_name.trim().is_empty()
            || !self.consumer_phone.trim().is_empty()
            || !self.consumer_email.trim().is_empty();
        if !self.consent && (!violation || identified) {
            self.add(
                "consent",
                "Cần đồng ý để cơ quan xử lý thông tin khi giải quyết phản ánh.",
            );
        }
    }

    /// The JSON API's DTO for the same complaint (one validation for both).
    fn to_dto(&self) -> Result<NewComplaintDto, AppError> {
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let v = serde_json::json!({
            "kind": self.is_violation_report().then_some("violation_report"),
            "reporter": { "type": self.reporter().as_str() },
            "description": self.description.trim(),
            "consumer_request": opt(&self.consumer_request),
            "amount_vnd": amount(&self.amount_vnd),
            "transaction_date": opt(&self.transaction_date),
            "consumer": {
                "name": self.consumer_name.trim(), "phone": self.consumer_phone.trim(),
                "email": opt(&self.consumer_email), "province": opt(&self.consumer_province),
                "commune": opt(&self.consumer_commune), "vulnerable": self.vulnerable, "consent": self.consent,
            },
            "business": {
                "name": opt(&self.business_name), "address": opt(&self.business_address),
                "shop_link": opt(&self.business_shop_link),
            },
        });
        serde_json::from_value(v).map_err(|_| {
            AppError::invalid(
                "consumer.vulnerable",
                "unknown vulnerable group",
                "nhóm người tiêu dùng không hợp lệ",
            )
        })
    }
}

/// "1.200.000", "1 200 000" or "1200000" đồng.
fn amount(raw: &str) -> Option<i64> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, '.' | ' ' | ',' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 15 {
        return None;
    }
    digits.parse().ok()
}

/// A checkbox of the vulnerable groups.
pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

const GROUPS: [(VulnerableGroup, &str); 7] = [
    (VulnerableGroup::Elderly, "Người cao tuổi"),
    (VulnerableGroup::Disability, "Người khuyết tật"),
    (VulnerableGroup::Child, "Trẻ em"),
    (
        VulnerableGroup::EthnicMinorityRemote,
        "Người dân tộc thiểu số ở vùng khó khăn",
    ),
    (
        VulnerableGroup::PregnantOrInfant,
        "Phụ nữ mang thai, nuôi con dưới 36 tháng",
    ),
    (VulnerableGroup::SeriousIllness, "Người mắc bệnh hiểm nghèo"),
    (VulnerableGroup::PoorHousehold, "Hộ nghèo, cận nghèo"),
];

#[derive(Template)]
#[template(path = "pages/complaint_form.html")]
struct ComplaintForm<'a> {
    form: &'a FormValues,
    errors: Vec<FieldError>,
    vulnerable: Vec<Choice>,
    accept: &'static str,
    max_files: usize,
    max_size: String,
}

fn render(state: &AppState, form: &FormValues, status: StatusCode) -> HttpResponse {
    let vulnerable = GROUPS
        .iter()
        .map(|(g, label)| Choice {
            value: g.as_str(),
            label,
            checked: form.vulnerable.iter().any(|v| v == g.as_str()),
        })
        .collect();
    page(
        status,
        &ComplaintForm {
            form,
            errors: form.errors.clone(),
            vulnerable,
            accept: citizen_files::ACCEPT,
            max_files: state.settings.evidence.public_max_files,
            max_size: size_vi(state.settings.evidence.public_max_file_bytes as i64),
        },
    )
}

pub async fn new_complaint(state: Data<AppState>) -> HttpResponse {
    let form = FormValues {
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        ..FormValues::default()
    };
    render(&state, &form, StatusCode::OK)
}

pub async fn submit(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, payload: Payload) -> HttpResponse {
    let mut payload = payload.into_inner();
    let received = if citizen_upload::is_multipart(&req) {
        Received::read(&state, &req, &mut payload, "evidence").await
    } else {
        match Bytes::from_request(&req, &mut payload).await {
            Ok(body) => Ok(Received {
                pairs: serde_urlencoded::from_bytes(&body).unwrap_or_default(),
                ..Received::default()
            }),
            Err(_) => Err(AppError::PayloadTooLarge),
        }
    };
    let mut received = match received {
        Ok(r) => r,
        Err(e) => return error_page(&e),
    };
    let response = submit_received(&state, addr, &mut received).await;
    // Whatever was not stored (errors, or a failure before storing) leaves no file behind.
    received.discard().await;
    response
}

async fn submit_received(state: &AppState, addr: ClientAddr, received: &mut Received) -> HttpResponse {
    let mut form = FormValues::from_pairs(received.pairs.clone());
    if form.idempotency_key.trim().is_empty() || form.idempotency_key.len() > 200 {
        form.idempotency_key = uuid::Uuid::new_v4().to_string();
    }
    form.check();
    form.add_file_problems(&received.problems);
    let rerender = |form: &mut FormValues, received: &Received, status| {
        form.files_dropped = received.files.len();
        render(state, form, status)
    };
    if !form.errors.is_empty() {
        return rerender(&mut form, received, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let complaint = match form.to_dto().and_then(|d| d.into_public(state.clock.today())) {
        Ok(c) => c,
        Err(e) => {
            let (id, message) = match &e {
                AppError::Validation { field, vi, .. } => (field.clone(), vi.clone()),
                other => ("description".to_owned(), other.to_string()),
            };
            let mut chars = message.chars();
            let sentence = match chars.next() {
                Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
                None => message,
            };
            form.add(&id, &sentence);
            return rerender(&mut form, received, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let emailed = !form.consumer_email.trim().is_empty();
    let key = format!("web-form:{}", form.idempotency_key.trim());
    let request = received.canonical();
    let stored = match received.store(state).await {
        Ok(s) => s,
        Err(e) => return error_page(&e),
    };
    let result = intake::submit_public_with_files(state, complaint, Some(key), &request, addr.0, stored.clone()).await;
    if result.is_err() {
        evidence::discard_unreferenced(state, &stored).await;
    }
    match result {
        Ok((submitted, _replayed)) => {
            let token = submitted.private_url.rsplit('/').next().unwrap_or_default();
            let mail = if emailed { "&mail=1" } else { "" };
            HttpResponse::SeeOther()
                .insert_header(("Location", format!("/t/{token}?received=1{mail}")))
                .finish()
        }
        // The same form sent again after a change: it is a new complaint only if the citizen
        // says so by sending once more (with a new key).
        Err(AppError::Validation {
            code: crate::error::ErrorCode::IdempotencyKeyReused,
            ..
        }) => {
            form.idempotency_key = uuid::Uuid::new_v4().to_string();
            form.add(
                "description",
                "Phản ánh này đã được gửi trước đó. Nếu quý vị muốn gửi thêm một phản ánh mới với nội dung đã sửa, hãy bấm Gửi phản ánh lần nữa.",
            );
            form.files_dropped = stored.len();
            render(state, &form, StatusCode::CONFLICT)
        }
        Err(e) => error_page(&e),
    }
}
