//! The staff console (issue 13): server-rendered pages under `/console/` for operators,
//! handlers, mediators and supervisors, on the same services as the JSON API (nothing here
//! touches the database). Vietnamese, keyboard-friendly, working without JavaScript; the one
//! script only improves (the live routing suggestion on the call screen).

mod alerts;
mod callbacks;
mod calls;
mod case;
mod dashboard;
mod explain;
mod forms;
mod kb;
mod notices;
mod outbox;
mod queue;
mod reports;
pub mod session;
mod text;
mod users;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Data, Query, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use self::session::{login_csrf_cookie, see_other, session_cookie, signed_in, Signed, LOGIN_CSRF_COOKIE};
use super::extractors::ClientAddr;
use crate::domain::user::Staff;
use crate::error::AppError;
use crate::service::auth;
use crate::state::AppState;

/// The console's routes (listed in `http::configure` through this one call).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/console", web::get().to(|| async { see_other("/console/") }))
        .route("/console/", web::get().to(queue::show))
        .route("/console/search", web::post().to(queue::search))
        .route("/console/login", web::get().to(login_form))
        .route("/console/login", web::post().to(login))
        .route("/console/logout", web::post().to(logout))
        .route("/console/password", web::get().to(password_form))
        .route("/console/password", web::post().to(change_password))
        .route("/console/cases/{id}", web::get().to(case::show))
        .route("/console/cases/{id}/actions/{action}", web::post().to(case::act))
        .route(
            "/console/cases/{id}/evidence/{evidence_id}",
            web::get().to(case::evidence),
        )
        .route("/console/cases/{id}/evidence", web::post().to(case::upload))
        .route("/console/calls/new", web::get().to(calls::new))
        .route("/console/calls", web::post().to(calls::submit))
        .route("/console/alive", web::post().to(calls::alive))
        .route("/console/callbacks", web::get().to(callbacks::list))
        .route("/console/dashboard", web::get().to(dashboard::show))
        .route("/console/reports", web::get().to(reports::show))
        .route("/console/reports/submit", web::post().to(reports::submit))
        .route("/console/reports/document.pdf", web::get().to(reports::document))
        .route("/console/reports/summary.{ext}", web::get().to(reports::table))
        .route(
            "/console/reports/submissions/{id}",
            web::get().to(reports::submission_pdf),
        )
        .route("/console/clusters/{key}/report", web::post().to(dashboard::open_report))
        .route("/console/calls/{id}/done", web::post().to(callbacks::done))
        .route("/console/kb", web::get().to(kb::list))
        .route("/console/kb", web::post().to(kb::create))
        .route("/console/kb/new", web::get().to(kb::new))
        .route("/console/kb/suggest", web::get().to(kb::suggest))
        .route("/console/kb/{id}", web::get().to(kb::show))
        .route("/console/kb/{id}", web::post().to(kb::save))
        .route("/console/kb/{id}/edit", web::get().to(kb::edit))
        .route("/console/alerts", web::get().to(alerts::list))
        .route("/console/alerts/{id}", web::get().to(alerts::show))
        .route("/console/alerts/{id}/{change}", web::post().to(alerts::change))
        .route("/console/notices", web::get().to(notices::show))
        .route("/console/notices/warnings", web::post().to(notices::create_warning))
        .route("/console/notices/warnings/{id}", web::get().to(notices::edit_form))
        .route("/console/notices/warnings/{id}", web::post().to(notices::edit))
        .route(
            "/console/notices/warnings/{id}/{change}",
            web::post().to(notices::change_warning),
        )
        .route(
            "/console/cases/{id}/violator-notice",
            web::post().to(notices::publish_violator),
        )
        .route(
            "/console/cases/{id}/violator-notice/withdraw",
            web::post().to(notices::withdraw_violator),
        )
        .route("/console/outbox/{id}/retry", web::post().to(outbox::retry))
        .route("/console/users", web::get().to(users::list))
        .route("/console/users", web::post().to(users::create))
        .route("/console/users/new", web::get().to(users::new_form))
        .route("/console/users/{id}/active", web::post().to(users::set_active))
        .route(
            "/console/users/{id}/reset-password",
            web::post().to(users::reset_password),
        )
        .route("/console/static/console.css", web::get().to(stylesheet))
        .route("/console/static/console.js", web::get().to(script));
}

/// Pages of the console load only the console's own stylesheet and script (no inline code);
/// the script may call the service itself (the live routing suggestion).
const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; \
                   img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// A rendered console page with the house headers.
pub(super) fn page(status: StatusCode, tpl: &impl Template) -> HttpResponse {
    super::pages::rendered(status, tpl, CSP, "Không hiển thị được trang. Hãy thử lại.")
}

/// The signed-in user and the fields of a form that carries this session's CSRF token; or the
/// answer instead (sign-in page, password change, 403 without the token).
pub(super) async fn signed_form(
    state: &AppState,
    req: &HttpRequest,
    body: &Bytes,
) -> Result<(Signed, BTreeMap<String, String>), HttpResponse> {
    let f = form_fields(body);
    let s = match signed_in(state, req).await {
        Ok(s) => s,
        // The session ended while the form was being filled in (a long call, a long record):
        // the sign-in page keeps what was sent, to be sent again once signed in — only a form
        // of this browser's ended session (its key matches the session cookie still sent), never
        // a post from another site, which a sign-in would otherwise carry out.
        Err(r) if session::is_sign_in(&r) && !NOT_KEPT.contains(&req.path()) && session::ended_form(req, &f) => {
            return Err(sign_in_keeping(state, req.path(), &f));
        }
        Err(r) => return Err(r),
    };
    if !s.csrf_ok(f.get("csrf").map(String::as_str)) {
        return Err(session::csrf_rejected());
    }
    Ok((s, f))
}

/// Posts whose form is not worth keeping across a new sign-in.
const NOT_KEPT: [&str; 3] = ["/console/logout", "/console/alive", "/console/password"];

/// The prefix of a kept field's name on the sign-in form.
const KEPT: &str = "kept.";

/// The sign-in page for a form sent after the session ended: every field sent (but the old
/// form key) rides along hidden, with the path it was sent to.
fn sign_in_keeping(state: &AppState, path: &str, f: &BTreeMap<String, String>) -> HttpResponse {
    let kept = f
        .iter()
        .filter(|(k, _)| k.as_str() != "csrf")
        .map(|(k, v)| (format!("{KEPT}{k}"), v.clone()))
        .collect();
    LoginPage {
        kept,
        resume: path.to_owned(),
        ..LoginPage::to("/console/".into())
    }
    .answer(state, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "console/resume.html")]
struct ResumePage {
    who: Option<Who>,
    /// Where the kept form goes again.
    action: String,
    csrf: String,
    kept: Vec<(String, String)>,
    /// What the kept form holds, as the person typed it: (label, value), technical fields left out.
    shown: Vec<(String, String)>,
}

/// The fields of a kept form worth showing before it is sent again, with their labels.
fn shown(kept: &[(String, String)]) -> Vec<(String, String)> {
    const TECHNICAL: [&str; 6] = [
        "version",
        "seen_seq",
        "started_at",
        "step",
        "kb_article_id",
        "about_case",
    ];
    kept.iter()
        .filter(|(k, v)| !v.trim().is_empty() && !TECHNICAL.contains(&k.as_str()))
        .map(|(k, v)| {
            let label = match k.as_str() {
                "note" => "Ghi chú",
                "public_message" => "Tin nhắn cho người tiêu dùng",
                "caller_phone" => "Số điện thoại người gọi",
                "consumer_name" => "Họ tên người tiêu dùng",
                "consumer_commune" => "Xã, phường",
                "consumer_province" => "Tỉnh, thành phố",
                "business_name" => "Doanh nghiệp",
                "product" => "Sản phẩm, dịch vụ",
                other => text::field_label(other.rsplit('.').next().unwrap_or(other)),
            };
            let value: String = v.chars().take(300).collect();
            let more = if v.chars().count() > 300 { "…" } else { "" };
            (label.to_owned(), format!("{value}{more}"))
        })
        .collect()
}

/// After signing in again: the kept form, ready to be sent again with the new session's key
/// (one click; it may still meet a version conflict, which keeps it once more).
fn resume(state: &AppState, l: auth::Login, action: String, kept: Vec<(String, String)>) -> HttpResponse {
    let signed = Signed {
        csrf: session::csrf_of(&l.token),
        token: l.token.clone(),
        staff: l.staff,
        callbacks_due: 0,
    };
    let r = page(
        StatusCode::OK,
        &ResumePage {
            who: Some(Who::of(&signed)),
            action,
            csrf: signed.csrf.clone(),
            shown: shown(&kept),
            kept,
        },
    );
    signed_in_now(state, r, l.token)
}

/// An answer to a successful sign-in: the new session's cookie set, the sign-in form's removed.
fn signed_in_now(state: &AppState, mut r: HttpResponse, token: String) -> HttpResponse {
    let _ = r.add_cookie(&session_cookie(state, token));
    let _ = r.add_removal_cookie(&login_csrf_cookie(state, String::new()));
    r
}

/// Who is signed in, for the header of every page.
pub struct Who {
    pub name: String,
    pub role: &'static str,
    pub agency: String,
    pub csrf: String,
    /// Supervisors and coordinators have the dashboard (administrators: their own overview).
    pub dashboard: bool,
    /// Administrators manage the accounts.
    pub admin: bool,
    /// Callbacks due now (mine or nobody's): the reminder in the header.
    pub callbacks_due: i64,
}

impl Who {
    fn of(s: &Signed) -> Who {
        Who {
            callbacks_due: s.callbacks_due,
            ..Who::from_staff(&s.staff, &s.csrf)
        }
    }

    fn from_staff(staff: &Staff, csrf: &str) -> Who {
        Who {
            name: staff.display_name.clone(),
            role: text::role_label(staff.role.as_str()),
            agency: staff.agency.as_deref().unwrap_or_default().to_owned(),
            csrf: csrf.to_owned(),
            dashboard: matches!(
                staff.role,
                crate::domain::user::Role::Supervisor
                    | crate::domain::user::Role::Coordinator
                    | crate::domain::user::Role::Admin
            ),
            admin: staff.role == crate::domain::user::Role::Admin,
            callbacks_due: 0,
        }
    }
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct Message {
    who: Option<Who>,
    title: String,
    text: String,
}

/// A page with a title and a sentence (no header: the user may not be signed in).
pub(super) fn message_page(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    page(
        status,
        &Message {
            who: None,
            title: title.into(),
            text: text.into(),
        },
    )
}

/// An error as a page, in words (never a code); 404 for a case the user may not see.
pub(super) fn error_page(e: &AppError) -> HttpResponse {
    let (status, title, text) = match e {
        AppError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "Không tìm thấy",
            "Không có hồ sơ này, hoặc hồ sơ không thuộc phạm vi của bạn.".to_owned(),
        ),
        AppError::Forbidden => (
            StatusCode::FORBIDDEN,
            "Không có quyền",
            "Vai trò của bạn không được làm việc này.".to_owned(),
        ),
        AppError::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            "Thử lại sau",
            format!("Quá nhiều lần thử. Hãy thử lại sau {} giây.", retry_after_secs),
        ),
        AppError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Hệ thống đang bận",
            "Hệ thống đang bận. Hãy thử lại sau ít phút; những gì bạn đã gửi không bị mất.".to_owned(),
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Có lỗi",
            "Có lỗi khi xử lý yêu cầu. Hãy thử lại; nếu vẫn lỗi, báo quản trị viên.".to_owned(),
        ),
    };
    let mut r = page(
        status,
        &Message {
            who: None,
            title: title.into(),
            text,
        },
    );
    if let AppError::RateLimited { retry_after_secs } = e {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after_secs.to_string()) {
            r.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
        }
    }
    r
}

/// The Vietnamese message of a validation error, and its field.
pub(super) fn field_error(e: &AppError) -> Option<(String, String)> {
    match e {
        AppError::Validation { field, vi, .. } => Some((field.clone(), vi.clone())),
        AppError::BadRequest { field, vi, .. } => Some((field.clone().unwrap_or_default(), vi.clone())),
        _ => None,
    }
}

/// A submitted form's fields (the last value of a repeated name wins).
pub(super) fn form_fields(body: &Bytes) -> BTreeMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .unwrap_or_default()
        .into_iter()
        .collect()
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../../static/console.css"))
}

async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(include_str!("../../../static/console.js"))
}

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    who: Option<Who>,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
    totp: bool,
    /// A form sent after the session ended (names prefixed `kept.`), to send again.
    kept: Vec<(String, String)>,
    /// Where that form was sent.
    resume: String,
}

impl LoginPage {
    /// A blank sign-in form that leads to `next`.
    fn to(next: String) -> LoginPage {
        LoginPage {
            who: None,
            csrf: String::new(),
            next,
            username: String::new(),
            error: None,
            totp: false,
            kept: Vec::new(),
            resume: String::new(),
        }
    }

    /// The page with a new form key, which its cookie holds too.
    fn answer(mut self, state: &AppState, status: StatusCode) -> HttpResponse {
        let csrf = auth::new_token();
        self.csrf = csrf.clone();
        let mut r = page(status, &self);
        let _ = r.add_cookie(&login_csrf_cookie(state, csrf));
        r
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

fn safe_next(n: Option<&str>) -> String {
    match n {
        Some(n) if session::is_console_path(n) => n.to_owned(),
        _ => "/console/".to_owned(),
    }
}

async fn login_form(state: Data<AppState>, q: Query<NextQuery>) -> HttpResponse {
    LoginPage::to(safe_next(q.next.as_deref())).answer(&state, StatusCode::OK)
}

async fn login(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, body: Bytes) -> HttpResponse {
    let f = form_fields(&body);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let cookie = req.cookie(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned());
    let sent = get("csrf");
    if !cookie.is_some_and(|c| !sent.is_empty() && session::constant_time_eq(c.as_bytes(), sent.as_bytes())) {
        return session::csrf_rejected();
    }
    let next = safe_next(f.get("next").map(String::as_str));
    let totp = f.get("totp").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let resume_to = f.get("resume").filter(|p| session::is_console_path(p)).cloned();
    let kept: Vec<(String, String)> = f
        .iter()
        .filter(|_| resume_to.is_some())
        .filter_map(|(k, v)| Some((k.strip_prefix(KEPT)?.to_owned(), v.clone())))
        .filter(|(k, _)| k != "csrf")
        .collect();
    // Whose ended session wrote the kept form: only that account may send it again.
    let writer = match req.cookie(session::SESSION_COOKIE).filter(|_| !kept.is_empty()) {
        Some(c) => auth::session_owner(&state, c.value().to_owned()).await.ok().flatten(),
        None => None,
    };
    let again = |error: &str, totp: bool, status: StatusCode| {
        LoginPage {
            username: get("username"),
            error: Some(error.to_owned()),
            totp,
            kept: kept.iter().map(|(k, v)| (format!("{KEPT}{k}"), v.clone())).collect(),
            resume: resume_to.clone().unwrap_or_default(),
            ..LoginPage::to(next.clone())
        }
        .answer(&state, status)
    };
    match auth::login(&state, get("username"), get("password"), totp, addr.0).await {
        Ok(l) if !l.must_change_password && !kept.is_empty() && writer.as_deref() == Some(l.staff.id.as_str()) => {
            let to = resume_to.clone().unwrap_or_default();
            resume(&state, l, to, kept.clone())
        }
        Ok(l) => {
            let r = see_other(if l.must_change_password {
                "/console/password"
            } else {
                &next
            });
            signed_in_now(&state, r, l.token)
        }
        Err(AppError::TotpRequired) => again(
            "Nhập mã một lần từ ứng dụng xác thực của bạn cùng mật khẩu.",
            true,
            StatusCode::UNAUTHORIZED,
        ),
        Err(AppError::InvalidCredentials) => again(
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            f.contains_key("totp"),
            StatusCode::UNAUTHORIZED,
        ),
        Err(AppError::RateLimited { retry_after_secs }) => again(
            &format!(
                "Quá nhiều lần đăng nhập sai. Hãy thử lại sau {} phút.",
                (retry_after_secs + 59) / 60
            ),
            false,
            StatusCode::TOO_MANY_REQUESTS,
        ),
        Err(e) => error_page(&e),
    }
}

async fn logout(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, body: Bytes) -> HttpResponse {
    let (s, _) = match signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(e) = auth::logout(&state, &s.staff, s.token.clone(), addr.0).await {
        return error_page(&e);
    }
    let mut r = see_other("/console/login");
    let _ = r.add_removal_cookie(&session_cookie(&state, String::new()));
    r
}

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    who: Option<Who>,
    forced: bool,
    error: Option<(String, String)>,
}

async fn password_form(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    page(
        StatusCode::OK,
        &PasswordPage {
            who: Some(Who::of(&s)),
            forced: true,
            error: None,
        },
    )
}

async fn change_password(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, body: Bytes) -> HttpResponse {
    let (s, f) = match signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if get("new_password") != get("confirm_password") {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                who: Some(Who::of(&s)),
                forced: true,
                error: Some((
                    "confirm_password".into(),
                    "Hai lần nhập mật khẩu mới không giống nhau.".into(),
                )),
            },
        );
    }
    match auth::change_password(
        &state,
        &s.staff,
        &s.token,
        get("current_password"),
        get("new_password"),
        addr.0,
    )
    .await
    {
        Ok(()) => see_other("/console/"),
        Err(e) => match field_error(&e) {
            Some(err) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PasswordPage {
                    who: Some(Who::of(&s)),
                    forced: true,
                    error: Some(err),
                },
            ),
            None => error_page(&e),
        },
    }
}
