//! The case page: facts, parties, the router's suggestion and why, the clocks with their
//! day-by-day count, the history with the state of its hash chain, the evidence, and only the
//! actions allowed now, each a form with the fields that action takes. A form that fails keeps
//! what was typed and says what to fix beside the field; a version conflict says what changed.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::forms::{self, FieldView};
use super::session::{self, see_other, signed_in, Signed};
use super::text::{action_label, role_label, value_label};
use super::{error_page, field_error, page, Who};
use crate::calendar::vn_date;
use crate::domain::case::{ActionName, Status};
use crate::error::AppError;
use crate::http::actions;
use crate::service::cases;
use crate::service::reference;
use crate::service::views::{CaseDetail, EventView};
use crate::state::AppState;

struct Fact {
    label: &'static str,
    value: String,
}

struct Clock {
    label: String,
    due: String,
    state: &'static str,
    overdue: bool,
    days: Vec<(String, String)>,
}

struct Event {
    at: String,
    who: &'static str,
    what: String,
    to: &'static str,
    message: Option<String>,
    /// What the event recorded, in words: (label, value) — the consumer's information, the
    /// request, a refusal's explanation, the internal note, the business's answer.
    details: Vec<(String, String)>,
}

struct Evidence {
    href: String,
    name: String,
    size: String,
    from: &'static str,
}

struct ActionForm {
    name: &'static str,
    label: &'static str,
    fields: Vec<FieldView>,
    open: bool,
    error: Option<String>,
    note: String,
    public_message: String,
}

#[derive(Template)]
#[template(path = "console/case.html")]
struct CasePage {
    who: Option<Who>,
    id: String,
    code: String,
    status: &'static str,
    priority: bool,
    version: i32,
    last_seq: i32,
    facts: Vec<Fact>,
    consumer: Vec<Fact>,
    business: Vec<Fact>,
    suggestion: Vec<String>,
    /// A dispute of a consumer living in another province: whom to refer it to (ADR 0033).
    referral: Option<String>,
    clocks: Vec<Clock>,
    events: Vec<Event>,
    chain: String,
    chain_ok: bool,
    evidence: Vec<Evidence>,
    actions: Vec<ActionForm>,
    done: Option<&'static str>,
    conflict: Option<String>,
    /// Why the files just sent were refused.
    evidence_error: Option<String>,
    /// Publication on the public violator list (a sanctioned case, for supervisors).
    publication: Option<super::notices::PublicationBox>,
}

#[derive(Deserialize)]
pub struct CaseQuery {
    done: Option<String>,
}

pub async fn show(state: Data<AppState>, req: HttpRequest, id: Path<String>, q: Query<CaseQuery>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let done = match q.done.as_deref() {
        Some("opened") => Some("Mở hồ sơ"),
        Some("evidence") => Some("Thêm tài liệu"),
        Some("violator_published") => Some("Công khai doanh nghiệp vi phạm"),
        Some("violator_withdrawn") => Some("Gỡ khỏi danh sách công khai"),
        other => other.and_then(ActionName::parse).map(action_label),
    };
    match render(&state, &s, id.into_inner(), None).await {
        Ok(mut p) => {
            p.done = done;
            page(StatusCode::OK, &p)
        }
        Err(e) => error_page(&e),
    }
}

/// What failed when an action was sent: the action, what was typed, the error.
struct Failed {
    action: ActionName,
    sent: BTreeMap<String, String>,
    error: AppError,
    seen_seq: i32,
}

pub async fn act(state: Data<AppState>, req: HttpRequest, path: Path<(String, String)>, body: Bytes) -> HttpResponse {
    let (s, form) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (id, action) = path.into_inner();
    let Some(name) = ActionName::parse(&action) else {
        return error_page(&AppError::NotFound("action"));
    };
    let result = match actions::parse(name, forms::body_from_form(name, &form)) {
        Ok((a, env)) => cases::act(&state, s.actor(), id.clone(), a, env).await.map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other(&format!("/console/cases/{id}?done={}", name.as_str())),
        Err(e @ (AppError::NotFound(_) | AppError::Internal(_) | AppError::Unavailable(_))) => error_page(&e),
        Err(error) => {
            let seen_seq = form.get("seen_seq").and_then(|v| v.parse().ok()).unwrap_or(0);
            let failed = Failed {
                action: name,
                sent: form,
                error,
                seen_seq,
            };
            let status = match failed.error {
                AppError::VersionConflict { .. } => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match render(&state, &s, id, Some(failed)).await {
                Ok(p) => page(status, &p),
                Err(e) => error_page(&e),
            }
        }
    }
}

/// Files added from the case page: a multipart form whose first part is the CSRF token.
pub async fn upload(
    state: Data<AppState>,
    req: HttpRequest,
    id: Path<String>,
    payload: Result<actix_multipart::Multipart, actix_web::Error>,
) -> HttpResponse {
    use futures_util::StreamExt;
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let id = id.into_inner();
    let Ok(mut payload) = payload else {
        return session::csrf_rejected();
    };
    let token = match payload.next().await {
        Some(Ok(mut part)) if part.name() == Some("csrf") => {
            let mut t = Vec::new();
            while let Some(Ok(chunk)) = part.next().await {
                t.extend_from_slice(&chunk);
                if t.len() > 256 {
                    break;
                }
            }
            String::from_utf8(t).ok()
        }
        _ => None,
    };
    if !s.csrf_ok(token.as_deref()) {
        return session::csrf_rejected();
    }
    if let Err(e) = crate::service::evidence::check_may_add(&state, &s.actor(), &id).await {
        return error_page(&e);
    }
    match crate::http::evidence::store(&state, s.actor(), id.clone(), &mut payload).await {
        Ok(_) => see_other(&format!("/console/cases/{id}?done=evidence#h-evidence")),
        Err(e @ (AppError::Internal(_) | AppError::Unavailable(_) | AppError::NotFound(_))) => error_page(&e),
        Err(e) => {
            let why = match &e {
                AppError::BadRequest {
                    code: crate::error::ErrorCode::BadMultipart,
                    ..
                } => "Hãy chọn ít nhất một tệp để tải lên.".to_owned(),
                AppError::PayloadTooLarge => "Tệp quá lớn.".to_owned(),
                other => field_error(other)
                    .map(|(_, m)| m)
                    .unwrap_or_else(|| "Không nhận được tệp. Hãy chọn lại tệp và gửi lại.".into()),
            };
            match render(&state, &s, id, None).await {
                Ok(mut p) => {
                    p.evidence_error = Some(why);
                    page(StatusCode::UNPROCESSABLE_ENTITY, &p)
                }
                Err(e) => error_page(&e),
            }
        }
    }
}

pub async fn evidence(state: Data<AppState>, req: HttpRequest, path: Path<(String, String)>) -> HttpResponse {
    let s = match signed_in(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (case_id, evidence_id) = path.into_inner();
    match crate::http::evidence::stream_evidence(&state, s.actor(), case_id, evidence_id).await {
        Ok(r) => r,
        Err(e) => error_page(&e),
    }
}

async fn render(state: &AppState, s: &Signed, id: String, failed: Option<Failed>) -> Result<CasePage, AppError> {
    let c = cases::get_case(state, s.actor(), id.clone()).await?;
    let deadlines = cases::deadlines(state, s.actor(), id.clone()).await?;
    let events = cases::case_events(state, s.actor(), id.clone()).await?;
    let chain = cases::verify_events(state, s.actor(), id.clone()).await?;
    let choices = choices(state, s, &c).await?;
    let last_seq = events.last().map_or(0, |e| e.seq);
    let conflict = match &failed {
        Some(Failed {
            error: AppError::VersionConflict { current },
            seen_seq,
            action,
            ..
        }) => Some(conflict_text(
            *current,
            &events,
            *seen_seq,
            c.allowed_actions.contains(action),
        )),
        _ => None,
    };
    let actions = action_forms(&c, failed.as_ref(), &choices, &state.business_stopwords);
    let publication = super::notices::publication_box(state, s, &c).await?;
    Ok(CasePage {
        who: Some(Who::of(s)),
        id,
        code: c.tracking_code.to_string(),
        status: c.status.label_vi(),
        priority: c.priority,
        version: c.version,
        last_seq,
        facts: with_unit(facts(&c, &choices.categories), state, &c),
        referral: referral_text(&c.suggestion),
        consumer: consumer(&c),
        business: business(&c),
        suggestion: {
            let names = super::explain::Names {
                categories: &choices.categories,
                agencies: &choices.agencies,
            };
            c.suggestion["explanation"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(|l| super::explain::vi(l, &names)))
                        .collect()
                })
                .unwrap_or_default()
        },
        clocks: clock_views(deadlines),
        events: events.iter().map(|e| event(e, &choices)).collect(),
        chain_ok: chain.valid,
        chain: if chain.valid {
            format!("Lịch sử toàn vẹn: {} sự kiện, chuỗi băm khớp.", chain.events)
        } else {
            format!(
                "CẢNH BÁO: chuỗi băm không khớp từ sự kiện số {}. Báo ngay cho quản trị viên.",
                chain.first_invalid_seq.unwrap_or_default()
            )
        },
        evidence: c
            .evidence
            .iter()
            .map(|e| Evidence {
                href: format!("/console/cases/{}/evidence/{}", c.id, e.id),
                name: e.file_name.clone(),
                size: size(e.size_bytes),
                from: if e.uploaded_by.is_some() {
                    "cán bộ"
                } else {
                    "người gửi"
                },
            })
            .collect(),
        actions,
        done: None,
        conflict,
        evidence_error: None,
        publication,
    })
}

/// The options of the action forms' selects: agencies, categories, units; the people of the
/// agency a case may be given to (with the cases each holds) and the listed mediators, when an
/// action allowed now names one.
async fn choices(state: &AppState, s: &Signed, c: &CaseDetail) -> Result<forms::Choices, AppError> {
    use ActionName as A;
    let agencies = reference::agencies(state)
        .await?
        .into_iter()
        .map(|a| (a.code.clone(), format!("{} ({})", a.name, a.code)))
        .collect();
    let categories = reference::categories(state)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect();
    let mut choices = forms::Choices {
        agencies,
        categories,
        units: unit_options(state),
        ..Default::default()
    };
    if c.allowed_actions.iter().any(|a| matches!(a, A::Accept | A::Assign)) {
        choices.caseworkers = cases::caseworkers(state, &s.actor())
            .await?
            .into_iter()
            .filter(|w| c.assignee_id.as_ref() != Some(&w.id))
            .map(|w| {
                let role = if w.role == crate::domain::user::Role::Supervisor {
                    "lãnh đạo"
                } else {
                    "xử lý"
                };
                (
                    w.id.to_string(),
                    format!("{} ({role}, {} hồ sơ đang mở)", w.display_name, w.open_cases),
                )
            })
            .collect();
    }
    if c.allowed_actions.contains(&A::AppointMediator) {
        choices.mediators = crate::service::mediators::appointable(state, s.actor())
            .await?
            .into_iter()
            .filter(|m| c.mediator_id.as_ref() != m.user_id.as_ref())
            .filter_map(|m| {
                let languages = if m.languages.is_empty() {
                    String::new()
                } else {
                    format!("; {}", m.languages.join(", "))
                };
                Some((
                    m.user_id?.to_string(),
                    format!("{} — {}{languages}", m.name, m.organisation),
                ))
            })
            .collect();
    }
    Ok(choices)
}

/// The units of every agency as options ("Phường Bến Thành — UBND_XA"), for the unit fields
/// of the route and transfer forms.
fn unit_options(state: &AppState) -> Vec<(String, String)> {
    reference::units(state, None)
        .into_iter()
        .map(|u| (u.code, format!("{} — {}", u.name, u.agency)))
        .collect()
}

/// The facts with the unit that works the case, after its agency (ADR 0033).
fn with_unit(mut facts: Vec<Fact>, state: &AppState, c: &CaseDetail) -> Vec<Fact> {
    if let Some(code) = &c.unit {
        let name = state.router.units().get(code).map_or(code.clone(), |u| u.name.clone());
        let at = facts.len().min(3);
        facts.insert(
            at,
            Fact {
                label: "Đơn vị xử lý",
                value: name,
            },
        );
    }
    facts
}

/// The referral a suggestion carries, in Vietnamese (the dispute lead by residence).
fn referral_text(suggestion: &serde_json::Value) -> Option<String> {
    let r = &suggestion["referral"];
    Some(format!(
        "Người tiêu dùng cư trú tại {}: tranh chấp thuộc {} chủ trì ({}). Đề nghị hướng dẫn hoặc chuyển hồ sơ.",
        r["province_name"].as_str()?,
        r["agency_name"].as_str()?,
        r["basis"].as_str().unwrap_or_default()
    ))
}

/// A form for each action allowed now; the one that failed keeps what was typed and its error
/// (after a version conflict too: the page is the newest version, and what was typed — a
/// mediation record, say — waits to be sent again). `lists`: the options of the selects.
fn action_forms(
    c: &CaseDetail,
    failed: Option<&Failed>,
    lists: &forms::Choices,
    stopwords: &[String],
) -> Vec<ActionForm> {
    c.allowed_actions
        .iter()
        .map(|a| {
            let mine = failed.filter(|f| f.action == *a);
            let offered = offered_values(c, *a, stopwords);
            let sent = mine.map_or(&offered, |f| &f.sent);
            let err = mine.and_then(|f| field_error(&f.error));
            let fields = forms::views(*a, lists, sent, err.as_ref().map(|(f, m)| (f.as_str(), m.as_str())));
            let unplaced = err.filter(|(f, _)| !fields.iter().any(|v| v.error.is_some()) || f.is_empty());
            ActionForm {
                name: a.as_str(),
                label: action_label(*a),
                open: mine.is_some(),
                error: mine.map(|f| match unplaced {
                    Some((_, m)) => m,
                    None => match &f.error {
                        AppError::Validation { .. } | AppError::BadRequest { .. } => {
                            "Hãy sửa các ô được đánh dấu bên dưới.".into()
                        }
                        AppError::VersionConflict { .. } => "Chưa gửi: hồ sơ vừa thay đổi (xem thông báo ở đầu trang). Những gì bạn nhập vẫn còn dưới đây; hãy gửi lại nếu vẫn cần.".into(),
                        other => other_error_text(other),
                    },
                }),
                note: sent.get("note").cloned().unwrap_or_default(),
                public_message: sent.get("public_message").cloned().unwrap_or_default(),
                fields,
            }
        })
        .collect()
}

/// What a fresh form of `action` starts with: forwarding to the business offers the contact
/// e-mail of the registry entry the case belongs to — when staff confirmed the link, or when
/// the entry of the case's tax code bears the case's business name (a tax code mistyped on the
/// web form must not send the request to another firm). The handler sees the address and may
/// change or clear it (cleared, nothing is sent).
fn offered_values(c: &CaseDetail, action: ActionName, stopwords: &[String]) -> BTreeMap<String, String> {
    use crate::service::business::registry::name_key;
    let mut v = BTreeMap::new();
    let Some(r) = c.business_party.as_ref().and_then(|p| p.registry.as_ref()) else {
        return v;
    };
    let same_name = || {
        c.business
            .name
            .as_deref()
            .is_some_and(|n| name_key(n, stopwords) == name_key(&r.name, stopwords))
    };
    let trusted = r.linked_by == "confirmed" || (r.linked_by == "tax_code" && same_name());
    if let (ActionName::ForwardToBusiness, true, Some(email)) = (action, trusted, r.email.clone()) {
        v.insert("business_email".to_owned(), email);
    }
    v
}

/// The clocks with their day-by-day count, overdue first.
fn clock_views(deadlines: Vec<crate::service::clocks::Deadline>) -> Vec<Clock> {
    let mut v: Vec<Clock> = deadlines
        .into_iter()
        .map(|d| Clock {
            label: d.label,
            due: vn_date(d.due_date),
            state: match (d.state.as_str(), d.result.map(|r| r.as_str())) {
                (_, Some("met")) => "đã xong đúng hạn",
                (_, Some(_)) => "đã xong, trễ hạn",
                ("paused", _) => "tạm dừng",
                _ => "đang tính",
            },
            overdue: d.overdue,
            days: d
                .days
                .into_iter()
                .map(|n| {
                    (
                        vn_date(n.date),
                        match (n.counted, n.reason) {
                            (Some(k), _) => format!("ngày làm việc thứ {k}"),
                            (None, Some(r)) => format!("không tính: {r}"),
                            (None, None) => "không tính".into(),
                        },
                    )
                })
                .collect(),
        })
        .collect();
    // Overdue clocks first (what the handler must see), then those still counting, then done.
    v.sort_by_key(|c| (!c.overdue, c.state.starts_with("đã xong")));
    v
}

/// What changed since the page was shown; `kept`: the action tried is still possible, and
/// what was typed waits in its form.
fn conflict_text(current: i32, events: &[EventView], seen_seq: i32, kept: bool) -> String {
    let changes: Vec<String> = events
        .iter()
        .filter(|e| e.seq > seen_seq)
        .map(|e| {
            format!(
                "{} lúc {} ({})",
                event_what(e),
                local_time(e.at),
                role_label(&e.actor_role)
            )
        })
        .collect();
    let what = if changes.is_empty() {
        String::new()
    } else {
        format!(" Đã thay đổi: {}.", changes.join("; "))
    };
    let next = match kept {
        true => "những gì bạn đã nhập vẫn còn trong ô của việc đó: hãy xem lại rồi gửi lại nếu vẫn cần.",
        false => "việc bạn định làm không còn làm được ở trạng thái hiện tại của hồ sơ.",
    };
    format!(
        "Hồ sơ vừa được người khác cập nhật (nay là phiên bản {current}) trong khi bạn đang xem.{what} \
         Trang dưới đây là bản mới nhất; {next}"
    )
}

fn other_error_text(e: &AppError) -> String {
    match e {
        AppError::InvalidTransition { .. } => "Việc này không còn làm được ở trạng thái hiện tại của hồ sơ.".into(),
        AppError::Forbidden => "Vai trò của bạn không được làm việc này.".into(),
        AppError::Conflict { vi, .. } => vi.clone(),
        _ => "Không thực hiện được. Hãy thử lại.".into(),
    }
}

/// The consumer's own note: information they sent unasked through their link.
fn from_consumer(e: &EventView) -> bool {
    e.actor_role == "citizen" && e.action == "add_note"
}

/// What an event did, in words (the history's line, a version conflict's list of changes).
fn event_what(e: &EventView) -> String {
    match ActionName::parse(&e.action) {
        _ if from_consumer(e) => "Người tiêu dùng gửi thêm thông tin".to_owned(),
        Some(a) => action_label(a).to_owned(),
        None => event_label(&e.action).to_owned(),
    }
}

fn event(e: &EventView, names: &forms::Choices) -> Event {
    let mut details = match e.action.as_str() {
        // The intake's own record (the router's suggestion) is on the page already.
        "created" => vec![],
        _ => event_details(&e.data, names),
    };
    if from_consumer(e) {
        for (label, _) in &mut details {
            *label = "Thông tin người tiêu dùng gửi thêm".to_owned();
        }
    }
    Event {
        at: local_time(e.at),
        who: role_label(&e.actor_role),
        what: event_what(e),
        to: e.to_status.label_vi(),
        message: e.public_message.clone(),
        details,
    }
}

/// The fields of an event's data the console has words for, in a fixed order: text as written,
/// coded values and yes/no in words, a nested record one level down; identifiers (`…_id`) left
/// out (the page names the people and cases they point to elsewhere).
fn event_details(data: &serde_json::Value, names: &forms::Choices) -> Vec<(String, String)> {
    use serde_json::Value;
    let named = |list: &[(String, String)], code: &str| list.iter().find(|(c, _)| c == code).map(|(_, n)| n.clone());
    let word = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(readable(s)),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(if *b { "Có" } else { "Không" }.to_owned()),
            Value::Array(a) if !a.is_empty() => Some(
                a.iter()
                    .filter_map(|x| x.as_str().map(|s| value_label(s).to_owned()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            _ => None,
        }
    };
    let mut out = Vec::new();
    let Some(fields) = data.as_object() else { return out };
    for (k, v) in fields {
        if k == "action" || k.ends_with("_id") {
            continue;
        }
        let Some(label) = super::text::known_field_label(k) else {
            continue;
        };
        match v {
            Value::Object(inner) => {
                for (ik, iv) in inner {
                    if let (Some(l), Some(w)) = (super::text::known_field_label(ik), word(iv)) {
                        out.push((format!("{label} — {l}"), w));
                    }
                }
            }
            Value::String(code) if k == "category" => {
                out.push((
                    label.to_owned(),
                    named(&names.categories, code).unwrap_or_else(|| code.clone()),
                ));
            }
            Value::String(code) if k == "agency" || k == "to_agency" => {
                out.push((
                    label.to_owned(),
                    named(&names.agencies, code).unwrap_or_else(|| code.clone()),
                ));
            }
            other => {
                if let Some(w) = word(other) {
                    out.push((label.to_owned(), w));
                }
            }
        }
    }
    out
}

fn event_label(action: &str) -> &str {
    match action {
        "created" => "Tiếp nhận",
        "business_responded" => "Doanh nghiệp trả lời",
        "business_reported" => "Doanh nghiệp báo cáo kết quả",
        "business_silent" => "Doanh nghiệp không trả lời đúng hạn",
        "evidence_added" => "Thêm tài liệu",
        "document_generated" => "Lập văn bản",
        "evidence_shared_with_business" => "Chia sẻ tài liệu với doanh nghiệp",
        "due_date_moved" => "Thời hạn thay đổi theo lịch",
        "violator_published" => "Công khai doanh nghiệp vi phạm",
        "violator_removed" => "Gỡ khỏi danh sách công khai",
        crate::service::cases::EV_ASSIGNEE_RELEASED => "Người xử lý thôi xử lý: hồ sơ chờ giao lại",
        other => other,
    }
}

/// A recorded value in words: a coded value by its label, a time (stored in UTC) as local
/// time, a date as dd/mm/yyyy, any other text as written.
fn readable(s: &str) -> String {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return local_time(t.with_timezone(&chrono::Utc));
    }
    if let Ok(t) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return local_time(t.and_utc());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return vn_date(d);
    }
    value_label(s).to_owned()
}

fn local_time(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::TimeDelta::hours(7)).format("%H:%M %d/%m/%Y").to_string()
}

fn size(b: i64) -> String {
    match b {
        b if b >= 1_048_576 => format!("{:.1} MB", b as f64 / 1_048_576.0),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} byte"),
    }
}

fn money(v: i64) -> String {
    format!("{} đ", crate::text::thousands(v))
}

fn facts(c: &CaseDetail, categories: &[(String, String)]) -> Vec<Fact> {
    let category = categories
        .iter()
        .find(|(k, _)| k == c.category.as_str())
        .map_or(c.category.to_string(), |(_, v)| v.clone());
    let mut f = vec![
        Fact {
            label: "Loại",
            value: super::text::value_label(c.kind.as_str()).to_owned(),
        },
        Fact {
            label: "Lĩnh vực",
            value: category,
        },
        Fact {
            label: "Cơ quan đang xử lý",
            value: c.current_agency.as_deref().unwrap_or("chưa chuyển").to_owned(),
        },
        Fact {
            label: "Người xử lý",
            value: match (&c.assignee_name, c.status) {
                (Some(name), _) => name.clone(),
                (None, Status::New | Status::Routed) => "chưa thụ lý".into(),
                (None, _) => "chưa phân công".into(),
            },
        },
        Fact {
            label: "Tiếp nhận",
            value: local_time(c.created_at),
        },
        Fact {
            label: "Nội dung",
            value: c.description.clone(),
        },
    ];
    if let Some(p) = &c.product {
        f.push(Fact {
            label: "Sản phẩm, dịch vụ",
            value: p.clone(),
        });
    }
    if let Some(r) = &c.consumer_request {
        f.push(Fact {
            label: "Yêu cầu của người tiêu dùng",
            value: r.clone(),
        });
    }
    if let Some(a) = c.amount_vnd {
        f.push(Fact {
            label: "Giá trị giao dịch",
            value: money(a),
        });
    }
    if let Some(d) = c.transaction_date {
        f.push(Fact {
            label: "Ngày giao dịch",
            value: vn_date(d),
        });
    }
    if let Some(m) = &c.mediator_name {
        f.push(Fact {
            label: "Hòa giải viên",
            value: m.clone(),
        });
    }
    if let Some(p) = &c.pending_transfer_to {
        f.push(Fact {
            label: "Đang chờ cơ quan nhận chuyển",
            value: p.to_string(),
        });
    }
    if let Some(d) = &c.possible_duplicate_of {
        f.push(Fact {
            label: "Có thể trùng hồ sơ",
            value: d.to_string(),
        });
    }
    f
}

fn consumer(c: &CaseDetail) -> Vec<Fact> {
    let p = &c.consumer;
    let mut f = vec![
        Fact {
            label: "Họ tên",
            value: p.name.clone(),
        },
        Fact {
            label: "Điện thoại",
            value: p.phone.clone(),
        },
    ];
    for (label, v) in [
        ("E-mail", &p.email),
        ("Địa chỉ", &p.address),
        ("Xã/phường", &p.commune),
        ("Tỉnh", &p.province),
    ] {
        if let Some(v) = v {
            f.push(Fact {
                label,
                value: v.clone(),
            });
        }
    }
    if !p.vulnerable.is_empty() {
        f.push(Fact {
            label: "Nhóm dễ bị tổn thương",
            value: p
                .vulnerable
                .iter()
                .map(|v| super::text::value_label(v))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    f
}

fn business(c: &CaseDetail) -> Vec<Fact> {
    let b = &c.business;
    [
        ("Tên", &b.name),
        ("Mã số thuế", &b.tax_code),
        ("Địa chỉ", &b.address),
        ("Website", &b.website),
        ("Gian hàng", &b.shop_link),
    ]
    .into_iter()
    .filter_map(|(label, v)| v.clone().map(|value| Fact { label, value }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn recorded_values_read_as_words_local_times_and_dates() {
        assert_eq!(
            readable("2026-11-20T02:30:00"),
            "09:30 20/11/2026",
            "stored UTC, shown local"
        );
        assert_eq!(readable("2026-11-20T09:30:00+07:00"), "09:30 20/11/2026");
        assert_eq!(readable("2026-12-20"), "20/12/2026");
        assert_eq!(readable("outside_remit"), "Không thuộc thẩm quyền");
        assert_eq!(readable("Hóa đơn số 0042"), "Hóa đơn số 0042");
    }
}
