//! Pages for citizens: server-rendered HTML (askama, ADR 0020), Vietnamese first, working
//! without JavaScript. The same services as the JSON API sit behind them; nothing here touches
//! the database.

mod business;
mod form;

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Data, Path, Query, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::extractors::ClientAddr;
use crate::calendar::vn_date;
use crate::error::AppError;
use crate::service::views::PublicStatus;
use crate::service::{cases, clocks, reference};
use crate::state::AppState;

/// The page routes (the API's are in `http::configure`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/complaints/new", web::get().to(form::new_complaint))
        .route("/complaints", web::post().to(form::submit))
        .route("/t/{token}", web::get().to(status_by_link))
        .route("/t/{token}/{action}", web::post().to(link_action))
        .route("/b/{token}", web::get().to(business::show))
        .route("/b/{token}/{action}", web::post().to(business::act))
        .route("/track", web::get().to(track_form))
        .route("/track", web::post().to(track))
        .route("/static/site.css", web::get().to(stylesheet))
        .route("/favicon.svg", web::get().to(favicon))
        .route("/robots.txt", web::get().to(robots));
}

/// Security headers of every page: nothing inline, nothing from elsewhere, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// A rendered page with the house headers.
fn page(status: StatusCode, tpl: &impl Template) -> HttpResponse {
    match tpl.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Content-Security-Policy", CSP))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header(("X-Frame-Options", "DENY"))
            .insert_header(("Cache-Control", "no-store"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Lỗi hệ thống. Vui lòng thử lại sau.")
        }
    }
}

#[derive(Template)]
#[template(path = "pages/message.html")]
struct Message {
    title: String,
    text: String,
}

/// A plain page for an error, in the user's words (never a code).
fn error_page(e: &AppError) -> HttpResponse {
    let (title, text) = match e {
        AppError::NotFound(_) => (
            "Không tìm thấy hồ sơ",
            "Đường dẫn không đúng, đã hết hạn hoặc đã bị thu hồi. Quý vị có thể tra cứu bằng mã hồ sơ và 4 số cuối của số điện thoại.".to_owned(),
        ),
        AppError::RateLimited { retry_after_secs } => (
            "Quá nhiều lần thử",
            format!(
                "Để bảo vệ thông tin, việc này tạm dừng. Vui lòng thử lại sau khoảng {} phút, hoặc gọi tổng đài 1800 6838.",
                (retry_after_secs + 59) / 60
            ),
        ),
        AppError::Validation { vi, .. } => ("Chưa gửi được", format!("{vi}. Vui lòng quay lại và sửa.")),
        AppError::InvalidTransition { .. } | AppError::VersionConflict { .. } => (
            "Không thực hiện được",
            "Hồ sơ vừa thay đổi hoặc ở bước này không làm được việc đó. Vui lòng mở lại đường dẫn của hồ sơ.".to_owned(),
        ),
        AppError::Forbidden => (
            "Không thực hiện được",
            "Biểu mẫu đã hết hạn. Vui lòng mở lại đường dẫn của hồ sơ và gửi lại.".to_owned(),
        ),
        AppError::Unavailable(_) => (
            "Hệ thống đang bận",
            "Chưa có gì được lưu. Vui lòng thử lại sau ít phút.".to_owned(),
        ),
        _ => (
            "Đã có lỗi",
            "Hệ thống gặp lỗi, chưa có gì được lưu. Vui lòng thử lại sau hoặc gọi tổng đài 1800 6838.".to_owned(),
        ),
    };
    let mut resp = page(
        e.status(),
        &Message {
            title: title.into(),
            text,
        },
    );
    if let AppError::RateLimited { retry_after_secs } = e {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after_secs.max(&1).to_string()) {
            resp.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
        }
    }
    resp
}

/// The page for an unknown path (browsers).
pub fn page_not_found() -> HttpResponse {
    page(
        StatusCode::NOT_FOUND,
        &Message {
            title: "Không tìm thấy trang".into(),
            text: "Địa chỉ này không có trên trang. Hãy kiểm tra lại đường dẫn, hoặc về trang chủ.".into(),
        },
    )
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct Home {
    info: reference::PublicInfo,
}

/// The home page: the same data as `GET /api/v1/public/info`.
async fn home(state: Data<AppState>) -> HttpResponse {
    page(
        StatusCode::OK,
        &Home {
            info: reference::public_info(&state),
        },
    )
}

struct Row {
    date: String,
    text: String,
    label: String,
}

#[derive(Template)]
#[template(path = "pages/status.html")]
struct Status {
    s: PublicStatus,
    /// The private link's token and the form key of its actions (empty on the code lookup).
    token: String,
    csrf: String,
    can_withdraw: bool,
    can_add_info: bool,
    can_rate: bool,
    notice: Option<String>,
    received: bool,
    emailed: bool,
    reply_by: String,
    created: String,
    updated: String,
    deadlines: Vec<Row>,
    messages: Vec<Row>,
    history: Vec<Row>,
}

fn local_day(at: chrono::DateTime<chrono::Utc>) -> String {
    vn_date(crate::calendar::local_date(at))
}

impl Status {
    fn new(s: PublicStatus, received: bool, emailed: bool, reply_by: String) -> Status {
        let deadlines = s
            .due_dates
            .iter()
            .map(|d| Row {
                date: vn_date(d.due_date),
                text: String::new(),
                label: clocks::label_vi(&d.clock).to_owned(),
            })
            .collect();
        let messages = s
            .messages
            .iter()
            .map(|m| Row {
                date: local_day(m.at),
                text: m.message.clone(),
                label: String::new(),
            })
            .collect();
        let history = s
            .history
            .iter()
            .map(|h| Row {
                date: local_day(h.at),
                text: h.stage.clone(),
                label: String::new(),
            })
            .collect();
        Status {
            token: String::new(),
            csrf: String::new(),
            can_withdraw: false,
            can_add_info: false,
            can_rate: false,
            notice: None,
            created: local_day(s.created_at),
            updated: local_day(s.updated_at),
            s,
            received,
            emailed,
            reply_by,
            deadlines,
            messages,
            history,
        }
    }
}

#[derive(Deserialize)]
struct StatusQuery {
    received: Option<String>,
    mail: Option<String>,
    done: Option<String>,
}

/// The key of the forms behind a private link: HMAC of the link under the history key, so a
/// page of another site cannot post them (and nothing is stored).
fn csrf_for(state: &AppState, token: &str) -> String {
    state.chain_key.sign(format!("csrf:{token}").as_bytes())[..32].to_owned()
}

/// The page of a private link, with the consumer's forms.
fn link_page(state: &AppState, token: &str, s: PublicStatus, q: &StatusQuery, reply_by: String) -> Status {
    let can_withdraw = s.actions.iter().any(|a| a == "withdraw");
    let can_add_info = s.actions.iter().any(|a| a == "provide_info");
    let can_rate = s.actions.iter().any(|a| a == "rate");
    let mut p = Status::new(s, q.received.is_some(), q.mail.is_some(), reply_by);
    p.token = token.to_owned();
    p.csrf = csrf_for(state, token);
    p.can_withdraw = can_withdraw;
    p.can_add_info = can_add_info;
    p.can_rate = can_rate;
    p.notice = match q.done.as_deref() {
        Some("withdrawn") => Some("Quý vị đã rút yêu cầu. Hồ sơ đã kết thúc.".into()),
        Some("info") => Some("Đã gửi thông tin bổ sung. Hồ sơ tiếp tục được giải quyết.".into()),
        Some("rated") => Some("Cảm ơn quý vị đã đánh giá.".into()),
        _ => None,
    };
    p
}

/// A consumer's form behind their private link: withdraw, or send information.
async fn link_action(
    state: Data<AppState>,
    addr: ClientAddr,
    path: Path<(String, String)>,
    body: Bytes,
) -> HttpResponse {
    let (token, what) = path.into_inner();
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned());
    if get("csrf").as_deref() != Some(csrf_for(&state, &token).as_str()) {
        return error_page(&AppError::Forbidden);
    }
    let (action, done) = match what.as_str() {
        "withdraw" => (
            cases::CitizenAction::Withdraw {
                reason: get("reason").filter(|r| !r.is_empty()),
            },
            "withdrawn",
        ),
        "info" => (
            cases::CitizenAction::ProvideInfo {
                info: get("info").unwrap_or_default(),
            },
            "info",
        ),
        "rating" => (
            cases::CitizenAction::Rate {
                score: get("score").and_then(|v| v.parse().ok()).unwrap_or(0),
                resolved: get("resolved").as_deref() == Some("yes"),
                comment: get("comment").filter(|c| !c.is_empty()),
            },
            "rated",
        ),
        _ => return page_not_found(),
    };
    match cases::act_by_link(&state, token.clone(), action, addr.0).await {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/t/{token}?done={done}")))
            .finish(),
        Err(e) => error_page(&e),
    }
}

/// The consumer's private link: the status page (and, right after filing, the receipt).
async fn status_by_link(
    state: Data<AppState>,
    addr: ClientAddr,
    token: Path<String>,
    q: Query<StatusQuery>,
) -> HttpResponse {
    match cases::status_by_link(&state, token.clone(), addr.0).await {
        Ok(s) => {
            let received = q.received.is_some();
            let reply_by = match received {
                true => acknowledgment_due(&state, &s).await,
                false => String::new(),
            };
            let token = token.into_inner();
            page(StatusCode::OK, &link_page(&state, &token, s, &q, reply_by))
        }
        Err(e) => error_page(&e),
    }
}

/// The day by which the agency answers (10 working days after receipt, Law 42/2013 Art 28).
async fn acknowledgment_due(state: &AppState, s: &PublicStatus) -> String {
    let received = crate::calendar::local_date(s.created_at);
    match crate::service::calendar_admin::working_days(state, received, 10).await {
        Ok(d) => vn_date(d.due),
        Err(_) => "10 ngày làm việc sau khi tiếp nhận".into(),
    }
}

#[derive(Template)]
#[template(path = "pages/track.html")]
struct Track {
    code: String,
    error: Option<String>,
}

async fn track_form() -> HttpResponse {
    page(
        StatusCode::OK,
        &Track {
            code: String::new(),
            error: None,
        },
    )
}

/// Code + last four digits (in the body, never the URL).
async fn track(state: Data<AppState>, addr: ClientAddr, body: Bytes) -> HttpResponse {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let (code, digits) = (get("code"), get("phone_last4"));
    let retry = |error: &str| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Track {
                code: code.clone(),
                error: Some(error.to_owned()),
            },
        )
    };
    if code.is_empty() || digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return retry("Nhập mã hồ sơ và đúng 4 chữ số cuối của số điện thoại.");
    }
    match cases::public_status(&state, code.clone(), digits, addr.0).await {
        Ok(s) => page(StatusCode::OK, &Status::new(s, false, false, String::new())),
        Err(AppError::NotFound(_)) => page(
            StatusCode::NOT_FOUND,
            &Track {
                code,
                error: Some("Không tìm thấy hồ sơ với mã và 4 số cuối này. Vui lòng kiểm tra lại.".into()),
            },
        ),
        Err(e) => error_page(&e),
    }
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(include_str!("../../../static/site.css"))
}

async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(include_str!("../../../static/favicon.svg"))
}

async fn robots() -> HttpResponse {
    // Private links and lookups are not for search engines.
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("User-agent: *\nDisallow: /t/\nDisallow: /b/\nDisallow: /track\nDisallow: /api/\nAllow: /\n")
}

/// Whether a request prefers HTML (a browser) to JSON.
pub fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"))
}
