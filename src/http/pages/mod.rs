//! Pages for citizens: server-rendered HTML (askama, ADR 0020), Vietnamese first, working
//! without JavaScript. The same services as the JSON API sit behind them; nothing here touches
//! the database.

mod business;
mod form;
pub mod i18n;
mod kb;
mod notices;

use actix_web::http::StatusCode;
use actix_web::web::{self, Bytes, Data, Path, Payload, Query, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use self::i18n::{sentence, Lang, Ui};
use super::citizen_upload::{self, Received};
use super::extractors::ClientAddr;
use crate::calendar::vn_date;
use crate::domain::case::{Outcome, Status as CaseStatus};
use crate::domain::clock::ClockKind;
use crate::error::AppError;
use crate::service::citizen_files::FileProblem;
use crate::service::views::PublicStatus;
use crate::service::{cases, reference};
use crate::state::AppState;

/// The page routes (the API's are in `http::configure`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/complaints/new", web::get().to(form::new_complaint))
        .route("/complaints", web::post().to(form::submit))
        .route("/t/{token}", web::get().to(status_by_link))
        .route("/t/{token}/{action}", web::post().to(link_action))
        .route("/b/{token}", web::get().to(business::show))
        .route("/b/{token}/files/{evidence_id}", web::get().to(business::file))
        .route("/b/{token}/{action}", web::post().to(business::act))
        .route("/hoi-dap", web::get().to(kb::list))
        .route("/hoi-dap/{id}", web::get().to(kb::show))
        .route("/track", web::get().to(track_form))
        .route("/track", web::post().to(track))
        .route("/vi-pham", web::get().to(notices::violators))
        .route("/canh-bao", web::get().to(notices::warnings))
        .route("/static/site.css", web::get().to(stylesheet))
        .route("/favicon.svg", web::get().to(favicon))
        .route("/robots.txt", web::get().to(robots));
}

/// Security headers of every page: nothing inline, nothing from elsewhere, no framing.
const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
                   base-uri 'none'; frame-ancestors 'none'";

/// A rendered page with the house headers.
fn page(status: StatusCode, tpl: &impl Template) -> HttpResponse {
    rendered(
        status,
        tpl,
        CSP,
        &format!("{}\n{}", i18n::VI.render_failed, i18n::EN.render_failed),
    )
}

/// A page with the house headers (the citizen pages' and the console's, each with its CSP);
/// `failed` is the plain text shown when the template cannot render.
pub(crate) fn rendered(status: StatusCode, tpl: &impl Template, csp: &'static str, failed: &str) -> HttpResponse {
    match tpl.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Content-Security-Policy", csp))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header(("X-Frame-Options", "DENY"))
            .insert_header(("Cache-Control", "no-store"))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body(failed.to_owned())
        }
    }
}

#[derive(Template)]
#[template(path = "pages/message.html")]
struct Message {
    ui: Ui,
    title: String,
    text: String,
    /// A button to what the citizen can do instead: (href, label).
    next: Option<(String, String)>,
}

/// A plain page for an error, in the user's words and language (never a code).
fn error_page(ui: Ui, e: &AppError) -> HttpResponse {
    let t = ui.t;
    let (title, text) = match e {
        AppError::NotFound(_) => (t.err_case_not_found.0, t.err_case_not_found.1.to_owned()),
        AppError::RateLimited { retry_after_secs } => {
            (t.err_rate_limited, t.rate_limited((retry_after_secs + 59) / 60))
        }
        AppError::Validation { en, vi, .. } => (
            t.err_not_sent,
            format!("{} {}", sentence(ui.pick(vi, en)), t.err_go_back),
        ),
        AppError::InvalidTransition { .. } | AppError::VersionConflict { .. } => {
            (t.err_cannot, t.err_changed.to_owned())
        }
        AppError::Forbidden => (t.err_cannot, t.err_form_expired.to_owned()),
        AppError::PayloadTooLarge => (t.err_too_large.0, t.err_too_large.1.to_owned()),
        AppError::Unavailable(_) => (t.err_busy.0, t.err_busy.1.to_owned()),
        _ => (t.err_other.0, t.err_other.1.to_owned()),
    };
    let mut resp = page(
        e.status(),
        &Message {
            ui,
            title: title.into(),
            text,
            next: None,
        },
    );
    if let AppError::RateLimited { retry_after_secs } = e {
        if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&retry_after_secs.max(&1).to_string()) {
            resp.headers_mut().insert(actix_web::http::header::RETRY_AFTER, v);
        }
    }
    resp
}

/// The page of a private link that does not work (any more): unknown, revoked, or lapsed after
/// closure (`links.expire_days_after_closure`). It says why it may be and what to do instead,
/// without saying which (a guessed token learns nothing).
fn link_error_page(ui: Ui, e: &AppError) -> HttpResponse {
    if !matches!(e, AppError::NotFound(_)) {
        return error_page(ui, e);
    }
    let t = ui.t;
    page(
        StatusCode::NOT_FOUND,
        &Message {
            title: t.link_gone.0.into(),
            text: t.link_gone.1.into(),
            next: Some(("/track".into(), t.link_gone_next.into())),
            ui,
        },
    )
}

/// The page for an unknown path (browsers).
pub fn page_not_found(req: &HttpRequest) -> HttpResponse {
    not_found_page(Ui::new(req))
}

fn not_found_page(ui: Ui) -> HttpResponse {
    let t = ui.t;
    page(
        StatusCode::NOT_FOUND,
        &Message {
            title: t.page_not_found.0.into(),
            text: t.page_not_found.1.into(),
            next: None,
            ui,
        },
    )
}

#[derive(Template)]
#[template(path = "pages/home.html")]
struct Home {
    ui: Ui,
    info: reference::PublicInfo,
}

/// The home page: the same data as `GET /api/v1/public/info`.
async fn home(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    page(
        StatusCode::OK,
        &Home {
            ui: Ui::new(&req),
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
    ui: Ui,
    s: PublicStatus,
    /// The stage and the outcome in the page's language.
    stage: String,
    outcome: Option<String>,
    /// The private link's token and the form key of its actions (empty on the code lookup).
    token: String,
    csrf: String,
    can_withdraw: bool,
    can_add_info: bool,
    /// The information form answers the agency's request (else it adds information unasked).
    info_asked_now: bool,
    can_rate: bool,
    /// The settlement question: open, its agreed date (dd/mm/yyyy), whether "not carried out"
    /// may be said already (the date has passed, or there is none).
    can_confirm_settlement: bool,
    settlement_due: Option<String>,
    settlement_overdue: bool,
    notice: Option<String>,
    received: bool,
    emailed: bool,
    reply_by: String,
    created: String,
    updated: String,
    deadlines: Vec<Row>,
    messages: Vec<Row>,
    history: Vec<Row>,
    /// The files the consumer sent: name, size.
    files: Vec<(String, String)>,
    /// A form sent back with errors: which ("info", "settlement", "rating", "withdraw"), the
    /// values typed (name, value), (field id, message), and (information) the files lost.
    form: &'static str,
    kept: Vec<(String, String)>,
    form_errors: Vec<(String, String)>,
    files_dropped: usize,
    accept: &'static str,
    max_files: usize,
    max_size: String,
}

impl Status {
    fn form_error(&self, id: &str) -> Option<&str> {
        self.form_errors.iter().find(|(f, _)| f == id).map(|(_, m)| m.as_str())
    }

    /// What was typed in `name` of `form` when that form came back with errors (else empty).
    fn kept(&self, form: &str, name: &str) -> &str {
        match self.form == form {
            true => self
                .kept
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, v)| v.as_str()),
            false => "",
        }
    }

    /// Whether a radio button of `form` was chosen when the form came back with errors.
    fn chosen(&self, form: &str, name: &str, value: &str) -> bool {
        self.kept(form, name) == value
    }

    /// The address of one of the private link's forms.
    fn action(&self, what: &str) -> String {
        format!("/t/{}/{what}", self.token)
    }

    /// A published phone number as a `tel:` address (digits and a leading +).
    fn tel(&self, phone: &str) -> String {
        phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()
    }
}

fn local_day(at: chrono::DateTime<chrono::Utc>) -> String {
    vn_date(crate::calendar::local_date(at))
}

impl Status {
    fn new(ui: Ui, s: PublicStatus, received: bool, emailed: bool, reply_by: String) -> Status {
        let lang = ui.lang;
        let deadlines = s
            .due_dates
            .iter()
            .map(|d| Row {
                date: vn_date(d.due_date),
                text: String::new(),
                label: lang.pick(d.clock.label_vi(), d.clock.label_en()).to_owned(),
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
                text: stage_label(lang, &h.status, &h.stage),
                label: String::new(),
            })
            .collect();
        let files = s
            .files
            .iter()
            .map(|f| (f.file_name.clone(), ui.size(f.size_bytes)))
            .collect();
        let stage = stage_label(lang, &s.status, &s.stage);
        let outcome = match (&s.outcome, &s.outcome_label) {
            (Some(o), Some(vi)) => Some(
                Outcome::parse(o)
                    .map(|o| lang.pick(o.label_vi(), o.label_en()).to_owned())
                    .unwrap_or_else(|| vi.clone()),
            ),
            (_, label) => label.clone(),
        };
        Status {
            ui,
            stage,
            outcome,
            files,
            form: "",
            kept: Vec::new(),
            form_errors: Vec::new(),
            files_dropped: 0,
            accept: crate::service::citizen_files::ACCEPT,
            max_files: 0,
            max_size: String::new(),
            token: String::new(),
            csrf: String::new(),
            can_withdraw: false,
            can_add_info: false,
            info_asked_now: false,
            can_rate: false,
            can_confirm_settlement: false,
            settlement_due: None,
            settlement_overdue: false,
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

/// A stage (a case status) in the page's language; the Vietnamese label as it came otherwise.
fn stage_label(lang: Lang, status: &str, vi: &str) -> String {
    match CaseStatus::parse(status) {
        Some(st) => lang.pick(st.label_vi(), st.label_en()).to_owned(),
        None => vi.to_owned(),
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
fn link_page(state: &AppState, ui: Ui, token: &str, s: PublicStatus, q: &StatusQuery, reply_by: String) -> Status {
    let can_withdraw = s.actions.iter().any(|a| a == "withdraw");
    let info_asked_now = s.actions.iter().any(|a| a == "provide_info");
    let can_add_info = info_asked_now || s.actions.iter().any(|a| a == "add_info");
    let can_rate = s.actions.iter().any(|a| a == "rate");
    let can_confirm_settlement = s.actions.iter().any(|a| a == "confirm_settlement");
    let settlement_due = s
        .due_dates
        .iter()
        .find(|d| d.clock == ClockKind::SettlementPerformance)
        .map(|d| d.due_date);
    let settlement_overdue = settlement_due.is_none_or(|d| state.clock.today() > d);
    let t = ui.t;
    let max_size = ui.size(state.settings.evidence.public_max_file_bytes as i64);
    let mut p = Status::new(ui, s, q.received.is_some(), q.mail.is_some(), reply_by);
    p.token = token.to_owned();
    p.csrf = csrf_for(state, token);
    p.max_files = state.settings.evidence.public_max_files;
    p.max_size = max_size;
    p.can_withdraw = can_withdraw;
    p.can_add_info = can_add_info;
    p.info_asked_now = info_asked_now;
    p.can_rate = can_rate;
    p.can_confirm_settlement = can_confirm_settlement;
    p.settlement_due = settlement_due.map(vn_date);
    p.settlement_overdue = settlement_overdue;
    p.notice = match q.done.as_deref() {
        Some("withdrawn") => Some(t.notice_withdrawn.into()),
        Some("info") => Some(t.notice_info.into()),
        Some("rated") => Some(t.notice_rated.into()),
        Some("settlement-performed") => Some(t.notice_settled.into()),
        Some("settlement-not-performed") => Some(t.notice_not_settled.into()),
        _ => None,
    };
    p
}

/// A consumer's form behind their private link: withdraw, rate, or send information (with
/// files: multipart, like the complaint form).
async fn link_action(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    path: Path<(String, String)>,
    payload: Payload,
) -> HttpResponse {
    let (token, what) = path.into_inner();
    let ui = Ui::for_path(&req, &format!("/t/{token}"));
    let mut payload = payload.into_inner();
    let received = citizen_upload::read_form(&state, &req, &mut payload, "evidence").await;
    let mut received = match received {
        Ok(r) => r,
        Err(e) => return error_page(ui, &e),
    };
    let response = link_action_received(&state, ui, addr, &token, &what, &mut received).await;
    // Files of a refused or failed action leave nothing behind.
    received.discard().await;
    response
}

async fn link_action_received(
    state: &AppState,
    ui: Ui,
    addr: ClientAddr,
    token: &str,
    what: &str,
    received: &mut Received,
) -> HttpResponse {
    let pairs = received.pairs.clone();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned());
    let sent = get("csrf").unwrap_or_default();
    if !crate::http::console::session::constant_time_eq(sent.as_bytes(), csrf_for(state, token).as_bytes()) {
        return error_page(ui, &AppError::Forbidden);
    }
    let Some(form) = LINK_FORMS.iter().copied().find(|f| *f == what) else {
        return not_found_page(ui);
    };
    // What the consumer typed comes back with any error (never the form key).
    let kept: Vec<(String, String)> = pairs.iter().filter(|(n, _)| n != "csrf").cloned().collect();
    let info = get("info").unwrap_or_default();
    if form == "info" {
        let errors = info_errors(&ui, &info, &received.problems);
        if !errors.is_empty() {
            let again = Again {
                form,
                kept,
                errors,
                files_dropped: received.files.len(),
            };
            return form_again(state, ui, addr, token, again).await;
        }
    } else if !received.files.is_empty() || !received.problems.is_empty() {
        return error_page(
            ui,
            &AppError::invalid(
                "evidence",
                "files come only with information",
                "chỉ gửi kèm tệp khi bổ sung thông tin",
            ),
        );
    }
    let (action, done) = match citizen_action(form, &get, &info) {
        Ok(a) => a,
        Err(refused) => {
            let errors = refused.iter().map(|e| (field_id(form, e), shown(&ui, e))).collect();
            let again = Again {
                form,
                kept,
                errors,
                files_dropped: 0,
            };
            return form_again(state, ui, addr, token, again).await;
        }
    };
    let stored = match received.store(state).await {
        Ok(s) => s,
        Err(e) => return error_page(ui, &e),
    };
    let result = cases::act_by_link_with_files(state, token.to_owned(), action, addr.0, stored.clone()).await;
    match result {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header(("Location", ui.href(&format!("/t/{token}?done={done}"))))
            .finish(),
        Err(e @ AppError::Validation { .. }) => {
            let errors = vec![(field_id(form, &e), shown(&ui, &e))];
            let again = Again {
                form,
                kept,
                errors,
                files_dropped: stored.len(),
            };
            form_again(state, ui, addr, token, again).await
        }
        Err(e) => link_error_page(ui, &e),
    }
}

/// The forms behind a private link (`/t/{token}/{form}`).
const LINK_FORMS: [&str; 4] = ["withdraw", "info", "settlement", "rating"];

/// The id of the element a form's error points at (the first radio button of a choice).
fn field_id(form: &str, e: &AppError) -> String {
    let field = match e {
        AppError::Validation { field, .. } => field.as_str(),
        _ => "",
    };
    match (form, field) {
        ("info", "info") => "info",
        ("info", _) => "info-evidence",
        ("settlement", "comment") => "settlement-comment",
        ("settlement", _) => "performed-yes",
        ("rating", "resolved") => "resolved-yes",
        ("rating", "comment") => "comment",
        ("rating", _) => "score-5",
        _ => "reason",
    }
    .to_owned()
}

/// The information form's errors: the text missing, files refused.
fn info_errors(ui: &Ui, info: &str, problems: &[FileProblem]) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if info.is_empty() {
        let e = AppError::invalid(
            "info",
            "write the information you are sending",
            "hãy viết thông tin quý vị gửi",
        );
        errors.push(("info".to_owned(), shown(ui, &e)));
    }
    let message = |p: &FileProblem| match ui.lang {
        Lang::Vi => p.message_vi(),
        Lang::En => p.message_en(),
    };
    let mut all: Vec<String> = problems.iter().map(message).collect();
    all.dedup();
    if !all.is_empty() {
        errors.push(("info-evidence".to_owned(), all.join(" ")));
    }
    errors
}

/// The consumer's action a form asks for, and the notice shown after it; or every error of
/// the form (a choice not made: nothing is assumed for the consumer).
fn citizen_action(
    form: &str,
    get: &dyn Fn(&str) -> Option<String>,
    info: &str,
) -> Result<(cases::CitizenAction, &'static str), Vec<AppError>> {
    let comment = get("comment").filter(|c| !c.is_empty());
    Ok(match form {
        "info" => (cases::CitizenAction::ProvideInfo { info: info.to_owned() }, "info"),
        "settlement" => {
            let performed = match get("performed").as_deref() {
                Some("yes") => true,
                Some("no") => false,
                _ => {
                    return Err(vec![AppError::invalid(
                        "performed",
                        "choose an answer",
                        "hãy chọn đã hoặc chưa thực hiện",
                    )])
                }
            };
            let done = if performed {
                "settlement-performed"
            } else {
                "settlement-not-performed"
            };
            (cases::CitizenAction::ConfirmSettlement { performed, comment }, done)
        }
        "rating" => {
            let resolved = match get("resolved").as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            };
            let score = get("score")
                .and_then(|v| v.parse::<i32>().ok())
                .filter(|s| (1..=5).contains(s));
            let mut errors = Vec::new();
            if resolved.is_none() {
                errors.push(AppError::invalid(
                    "resolved",
                    "say whether your complaint was resolved",
                    "hãy chọn vấn đề của bạn đã được giải quyết hay chưa",
                ));
            }
            if score.is_none() {
                errors.push(AppError::invalid(
                    "score",
                    "choose a score from 1 to 5",
                    "hãy chọn điểm từ 1 đến 5",
                ));
            }
            match (resolved, score) {
                (Some(resolved), Some(score)) => (
                    cases::CitizenAction::Rate {
                        score,
                        resolved,
                        comment,
                    },
                    "rated",
                ),
                _ => return Err(errors),
            }
        }
        _ => (
            cases::CitizenAction::Withdraw {
                reason: get("reason").filter(|r| !r.is_empty()),
            },
            "withdrawn",
        ),
    })
}

/// A validation error as the page shows it: its message in the page's language, as a sentence.
fn shown(ui: &Ui, e: &AppError) -> String {
    match e {
        AppError::Validation { en, vi, .. } => sentence(ui.pick(vi, en)),
        other => other.to_string(),
    }
}

/// A private link's form sent back: which, what was typed, its errors, the files lost.
struct Again {
    form: &'static str,
    kept: Vec<(String, String)>,
    errors: Vec<(String, String)>,
    files_dropped: usize,
}

/// The private link's page again, with a form's errors and everything typed in it kept.
async fn form_again(state: &AppState, ui: Ui, addr: ClientAddr, token: &str, again: Again) -> HttpResponse {
    match cases::status_by_link(state, token.to_owned(), addr.0).await {
        Ok(s) => {
            let q = StatusQuery {
                received: None,
                mail: None,
                done: None,
            };
            let mut p = link_page(state, ui, token, s, &q, String::new());
            p.form = again.form;
            p.kept = again.kept;
            p.form_errors = again.errors;
            p.files_dropped = again.files_dropped;
            page(StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => error_page(ui, &e),
    }
}

/// The consumer's private link: the status page (and, right after filing, the receipt).
async fn status_by_link(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    token: Path<String>,
    q: Query<StatusQuery>,
) -> HttpResponse {
    let ui = Ui::new(&req);
    match cases::status_by_link(&state, token.clone(), addr.0).await {
        Ok(s) => {
            let received = q.received.is_some();
            let reply_by = match received {
                true => acknowledgment_due(&state, &s, ui.lang).await,
                false => String::new(),
            };
            let token = token.into_inner();
            page(StatusCode::OK, &link_page(&state, ui, &token, s, &q, reply_by))
        }
        Err(e) => link_error_page(ui, &e),
    }
}

/// The day by which the agency answers (10 working days after receipt, Law 42/2013 Art 28).
async fn acknowledgment_due(state: &AppState, s: &PublicStatus, lang: Lang) -> String {
    let received = crate::calendar::local_date(s.created_at);
    match crate::service::calendar_admin::working_days(state, received, 10).await {
        Ok(d) => vn_date(d.due),
        Err(_) => lang.text().ten_working_days.into(),
    }
}

#[derive(Template)]
#[template(path = "pages/track.html")]
struct Track {
    ui: Ui,
    code: String,
    error: Option<String>,
}

async fn track_form(req: HttpRequest) -> HttpResponse {
    page(
        StatusCode::OK,
        &Track {
            ui: Ui::new(&req),
            code: String::new(),
            error: None,
        },
    )
}

/// Code + last four digits (in the body, never the URL).
async fn track(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, body: Bytes) -> HttpResponse {
    let ui = || Ui::for_path(&req, "/track");
    let t = ui().t;
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
                ui: ui(),
                code: code.clone(),
                error: Some(error.to_owned()),
            },
        )
    };
    if code.is_empty() || digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return retry(t.track_bad_input);
    }
    match cases::public_status(&state, code.clone(), digits, addr.0).await {
        Ok(s) => page(StatusCode::OK, &Status::new(ui(), s, false, false, String::new())),
        Err(AppError::NotFound(_)) => page(
            StatusCode::NOT_FOUND,
            &Track {
                ui: ui(),
                code,
                error: Some(t.track_not_found.into()),
            },
        ),
        Err(e) => error_page(ui(), &e),
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
