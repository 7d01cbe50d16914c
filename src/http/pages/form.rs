//! The complaint form: `GET /complaints/new`, `POST /complaints` (multipart/form-data with the
//! citizen's evidence files, or urlencoded). Every error is shown at once, in a summary linking
//! to its field and beside the field, with every value kept (files cannot be kept by a browser:
//! the page says to choose them again); nothing is stored while any error remains. A success
//! answers 303 to the receipt (the private link's page). A hidden idempotency key makes a double
//! submission (double click, back and resend) one complaint.

use actix_web::http::StatusCode;
use actix_web::web::{Data, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::i18n::{sentence, Ui};
use super::{error_page, page};
use crate::domain::case::VulnerableGroup;
use crate::domain::complaint::ReporterType;
use crate::domain::values::{refused_control, Email, Phone, Product};
use crate::error::AppError;
use crate::http::citizen_upload::{self, Received};
use crate::http::dto::{NewComplaintDto, LINK, LONG, NAME, SHORT};
use crate::http::extractors::ClientAddr;
use crate::service::citizen_files::{self, FileProblem};
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
    pub product: String,
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

/// One error: the field's id (the anchor of the summary) and what to do, in plain words, in
/// English and Vietnamese (the pair of the [`AppError`] it is, as the problem documents say it).
#[derive(Clone)]
pub struct FieldError {
    pub id: String,
    pub en: String,
    pub vi: String,
}

impl FormValues {
    pub fn has(&self, id: &str) -> bool {
        self.errors.iter().any(|e| e.id == id)
    }

    /// Each refused file, as an error of the file input.
    fn add_file_problems(&mut self, problems: &[FileProblem]) {
        let join = |m: fn(&FileProblem) -> String| {
            let mut all: Vec<String> = problems.iter().map(m).collect();
            all.dedup();
            all.join(" ")
        };
        if !problems.is_empty() {
            self.errors.push(FieldError {
                id: "evidence".into(),
                en: join(FileProblem::message_en),
                vi: join(FileProblem::message_vi),
            });
        }
    }

    /// A validation error on its field (the first one of a field wins).
    fn add(&mut self, e: &AppError) {
        let (id, en, vi) = match e {
            AppError::Validation { field, en, vi, .. } => (field.clone(), sentence(en), sentence(vi)),
            other => ("description".to_owned(), other.to_string(), other.to_string()),
        };
        if !self.has(&id) {
            self.errors.push(FieldError { id, en, vi });
        }
    }

    fn invalid(&mut self, id: &str, en: &str, vi: &str) {
        self.add(&AppError::invalid(id, en, vi));
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> FormValues {
        let mut f = FormValues::default();
        for (k, v) in pairs {
            // Text pasted from a word processor can carry invisible control characters (a
            // vertical tab, a form feed): the citizen cannot see them to remove them, so the
            // form turns them into spaces instead of refusing the text. Composed (NFC) as the
            // API stores it, so the form's length checks count what will be stored.
            let v = crate::text::composed(&without_control_characters(v)).into_owned();
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
                "product" => f.product = v,
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
            self.invalid(
                "description",
                "Write what went wrong.",
                "Hãy viết quý vị gặp vấn đề gì.",
            );
        }
        // Every text field's length at once (the API's limits), not the first one only.
        let texts = [
            ("description", self.description.clone(), LONG),
            ("consumer_request", self.consumer_request.clone(), LONG),
            ("business.name", self.business_name.clone(), SHORT),
            ("business.address", self.business_address.clone(), SHORT),
            ("business.shop_link", self.business_shop_link.clone(), LINK),
            ("product", self.product.clone(), Product::MAX_CHARS),
            ("consumer.name", self.consumer_name.clone(), NAME),
            ("consumer.province", self.consumer_province.clone(), SHORT),
            ("consumer.commune", self.consumer_commune.clone(), SHORT),
        ];
        for (id, value, max) in texts {
            if value.trim().chars().count() > max {
                let n = crate::text::thousands(max as i64);
                self.invalid(
                    id,
                    &format!("The text is too long: at most {} characters.", n.replace('.', ",")),
                    &format!("Nội dung quá dài: tối đa {n} ký tự."),
                );
            }
        }
        if !self.amount_vnd.trim().is_empty() && amount(&self.amount_vnd).is_none() {
            self.invalid(
                "amount_vnd",
                "Write the amount in figures only, for example 1.200.000.",
                "Số tiền chỉ gồm chữ số, ví dụ 1.200.000.",
            );
        }
        if !self.transaction_date.trim().is_empty()
            && chrono::NaiveDate::parse_from_str(self.transaction_date.trim(), "%Y-%m-%d").is_err()
        {
            self.invalid(
                "transaction_date",
                "The date is not valid; choose it again.",
                "Ngày không đúng, hãy chọn lại ngày.",
            );
        }
        if self.consumer_name.trim().is_empty() && !violation {
            self.invalid("consumer.name", "Enter your full name.", "Hãy nhập họ và tên.");
        }
        if self.consumer_phone.trim().is_empty() {
            if !violation {
                self.invalid("consumer.phone", "Enter your phone number.", "Hãy nhập số điện thoại.");
            }
        } else if Phone::parse("consumer.phone", &self.consumer_phone).is_err() {
            self.invalid(
                "consumer.phone",
                "The phone number is not valid; for example 0912 345 678.",
                "Số điện thoại không đúng, ví dụ 0912 345 678.",
            );
        }
        if !self.consumer_email.trim().is_empty() && Email::parse("consumer.email", &self.consumer_email).is_err() {
            self.invalid(
                "consumer.email",
                "The e-mail address is not valid; for example name@example.com.",
                "Địa chỉ thư điện tử không đúng, ví dụ ten@example.com.",
            );
        }
        let identified = !self.consumer_name.trim().is_empty()
            || !self.consumer_phone.trim().is_empty()
            || !self.consumer_email.trim().is_empty();
        if !self.consent && (!violation || identified) {
            self.invalid(
                "consent",
                "Tick the box to agree that the agency processes your information to resolve the complaint.",
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
            "product": opt(&self.product),
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

/// `v` with every control character but line breaks and tabs turned into a space.
fn without_control_characters(v: String) -> String {
    match v.chars().any(refused_control) {
        true => v.chars().map(|c| if refused_control(c) { ' ' } else { c }).collect(),
        false => v,
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

/// The groups, in the order of the catalogue's labels (`form_groups`).
const GROUPS: [VulnerableGroup; 7] = [
    VulnerableGroup::Elderly,
    VulnerableGroup::Disability,
    VulnerableGroup::Child,
    VulnerableGroup::EthnicMinorityRemote,
    VulnerableGroup::PregnantOrInfant,
    VulnerableGroup::SeriousIllness,
    VulnerableGroup::PoorHousehold,
];

#[derive(Template)]
#[template(path = "pages/complaint_form.html")]
struct ComplaintForm<'a> {
    ui: Ui,
    form: &'a FormValues,
    /// (field id, message in the page's language).
    errors: Vec<(String, String)>,
    vulnerable: Vec<Choice>,
    accept: &'static str,
    max_files: usize,
    max_size: String,
}

impl ComplaintForm<'_> {
    fn has(&self, id: &str) -> bool {
        self.form.has(id)
    }

    fn error(&self, id: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.0 == id).map(|e| e.1.as_str())
    }
}

fn render(state: &AppState, ui: Ui, form: &FormValues, status: StatusCode) -> HttpResponse {
    let vulnerable = GROUPS
        .iter()
        .zip(ui.t.form_groups)
        .map(|(g, label)| Choice {
            value: g.as_str(),
            label,
            checked: form.vulnerable.iter().any(|v| v == g.as_str()),
        })
        .collect();
    let errors = form
        .errors
        .iter()
        .map(|e| (e.id.clone(), ui.pick(&e.vi, &e.en).to_owned()))
        .collect();
    let max_size = ui.size(state.settings.evidence.public_max_file_bytes as i64);
    page(
        status,
        &ComplaintForm {
            ui,
            form,
            errors,
            vulnerable,
            accept: citizen_files::ACCEPT,
            max_files: state.settings.evidence.public_max_files,
            max_size,
        },
    )
}

pub async fn new_complaint(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let form = FormValues {
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        ..FormValues::default()
    };
    render(&state, Ui::new(&req), &form, StatusCode::OK)
}

pub async fn submit(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, payload: Payload) -> HttpResponse {
    let mut payload = payload.into_inner();
    let received = citizen_upload::read_form(&state, &req, &mut payload, "evidence").await;
    let ui = || Ui::for_path(&req, "/complaints/new");
    let mut received = match received {
        Ok(r) => r,
        Err(e) => return error_page(ui(), &e),
    };
    let response = submit_received(&state, &ui, addr, &mut received).await;
    // Whatever was not stored (errors, or a failure before storing) leaves no file behind.
    received.discard().await;
    response
}

async fn submit_received(
    state: &AppState,
    ui: &dyn Fn() -> Ui,
    addr: ClientAddr,
    received: &mut Received,
) -> HttpResponse {
    let mut form = FormValues::from_pairs(received.pairs.clone());
    // The form's own key, as the API's header is checked (1–200 visible ASCII characters: a
    // NUL byte would be refused by PostgreSQL's text); anything else gets a new one.
    if crate::http::public::parse_idempotency_key(&form.idempotency_key).is_err() {
        form.idempotency_key = uuid::Uuid::new_v4().to_string();
    }
    form.check();
    form.add_file_problems(&received.problems);
    let rerender = |form: &mut FormValues, received: &Received, status| {
        form.files_dropped = received.files.len();
        render(state, ui(), form, status)
    };
    if !form.errors.is_empty() {
        return rerender(&mut form, received, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let complaint = match form.to_dto().and_then(|d| d.into_public(state.clock.today())) {
        Ok(c) => c,
        Err(e) => {
            form.add(&e);
            return rerender(&mut form, received, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let emailed = !form.consumer_email.trim().is_empty();
    let key = format!("web-form:{}", form.idempotency_key.trim());
    let request = received.canonical();
    let stored = match received.store(state).await {
        Ok(s) => s,
        Err(e) => return error_page(ui(), &e),
    };
    let result = intake::submit_public_with_files(state, complaint, Some(key), &request, addr.0, stored.clone()).await;
    match result {
        Ok((submitted, _replayed)) => {
            let token = submitted.private_url.rsplit('/').next().unwrap_or_default();
            let mail = if emailed { "&mail=1" } else { "" };
            let location = ui().href(&format!("/t/{token}?received=1{mail}"));
            HttpResponse::SeeOther().insert_header(("Location", location)).finish()
        }
        // The same form sent again after a change: it is a new complaint only if the citizen
        // says so by sending once more (with a new key).
        Err(AppError::Validation {
            code: crate::error::ErrorCode::IdempotencyKeyReused,
            ..
        }) => {
            form.idempotency_key = uuid::Uuid::new_v4().to_string();
            form.invalid(
                "description",
                "This complaint was sent before. If you want to send a new complaint with the changed text, press Send complaint once more.",
                "Phản ánh này đã được gửi trước đó. Nếu quý vị muốn gửi thêm một phản ánh mới với nội dung đã sửa, hãy bấm Gửi phản ánh lần nữa.",
            );
            form.files_dropped = stored.len();
            render(state, ui(), &form, StatusCode::CONFLICT)
        }
        Err(e) => error_page(ui(), &e),
    }
}
