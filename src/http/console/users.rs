//! User administration in the console (administrators only, as the API's `/admin/users`):
//! the accounts filtered by agency, role and state; a new account; deactivating and
//! reactivating; a password reset. A new account and a reset get a temporary password shown
//! once on the answer's page (never stored in clear, never sent by e-mail), to be changed at
//! the first sign-in. The same services as the API write the accounts and their audit records.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web::{Bytes, Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::super::extractors::ClientAddr;
use super::session::{see_other, signed_in, Signed};
use super::text::role_label;
use super::{error_page, field_error, message_page, page, Who};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::service::accounts::{self, Account, UserChange};
use crate::service::auth::{self, NewUser};
use crate::service::{reference, require_admin};
use crate::state::AppState;

struct Row {
    id: String,
    username: String,
    name: String,
    role: &'static str,
    agency: String,
    email: String,
    active: bool,
    must_change: bool,
    two_step: bool,
    /// The service account of an API token: no password reset, no reactivation.
    service_account: bool,
    is_me: bool,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    who: Option<Who>,
    rows: Vec<Row>,
    total: usize,
    agencies: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    agency: String,
    role: String,
    active: String,
    done: Option<&'static str>,
}

impl UsersPage {
    /// Whether `option` is the filter's value.
    fn is(&self, option: &str, value: &str) -> bool {
        option == value
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    agency: Option<String>,
    role: Option<String>,
    /// "true" (active), "false" (deactivated), anything else: both.
    active: Option<String>,
    done: Option<String>,
}

fn roles() -> Vec<(&'static str, &'static str)> {
    Role::ALL.iter().map(|r| (r.as_str(), role_label(r.as_str()))).collect()
}

async fn agencies(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    Ok(reference::agencies(state)
        .await?
        .into_iter()
        .map(|a| {
            let label = format!("{} ({})", a.name, a.code);
            (a.code, label)
        })
        .collect())
}

/// The signed-in administrator, or the page that says why not.
async fn admin(state: &AppState, req: &HttpRequest) -> Result<Signed, HttpResponse> {
    let s = signed_in(state, req).await?;
    require_admin(&s.actor()).map_err(|e| error_page(&e))?;
    Ok(s)
}

fn keep(a: &Account, q: &ListQuery) -> bool {
    let agency = q.agency.as_deref().filter(|v| !v.is_empty());
    let role = q.role.as_deref().filter(|v| !v.is_empty());
    agency.is_none_or(|v| a.staff.agency.as_deref() == Some(v))
        && role.is_none_or(|v| a.staff.role.as_str() == v)
        && match q.active.as_deref() {
            Some("true") => a.active,
            Some("false") => !a.active,
            _ => true,
        }
}

pub async fn list(state: Data<AppState>, req: HttpRequest, q: Query<ListQuery>) -> HttpResponse {
    let s = match admin(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let (accounts, agencies) = match (
        accounts::list_accounts(&state, &s.actor()).await,
        agencies(&state).await,
    ) {
        (Ok(a), Ok(g)) => (a, g),
        (Err(e), _) | (_, Err(e)) => return error_page(&e),
    };
    let total = accounts.len();
    let rows = accounts
        .into_iter()
        .filter(|a| keep(a, &q))
        .map(|a| Row {
            id: a.staff.id.to_string(),
            is_me: a.staff.id == s.staff.id,
            username: a.staff.username,
            name: a.staff.display_name,
            role: role_label(a.staff.role.as_str()),
            agency: a.staff.agency.map(|c| c.to_string()).unwrap_or_default(),
            email: a.email.unwrap_or_default(),
            active: a.active,
            must_change: a.must_change_password,
            two_step: a.two_step,
            service_account: a.service_account,
        })
        .collect();
    let done = match q.done.as_deref() {
        Some("deactivated") => Some("Đã ngừng hoạt động tài khoản; các phiên đăng nhập của người đó đã kết thúc."),
        Some("reactivated") => Some("Đã kích hoạt lại tài khoản."),
        _ => None,
    };
    page(
        StatusCode::OK,
        &UsersPage {
            who: Some(Who::of(&s)),
            rows,
            total,
            agencies,
            roles: roles(),
            agency: q.agency.clone().unwrap_or_default(),
            role: q.role.clone().unwrap_or_default(),
            active: q.active.clone().unwrap_or_default(),
            done,
        },
    )
}

#[derive(Template)]
#[template(path = "console/user_new.html")]
struct NewUserPage {
    who: Option<Who>,
    agencies: Vec<(String, String)>,
    roles: Vec<(&'static str, &'static str)>,
    sent: BTreeMap<String, String>,
    /// (field, message)
    error: Option<(String, String)>,
}

impl NewUserPage {
    /// The label of a field, for the error summary.
    fn label_of(&self, field: &str) -> &'static str {
        match field {
            "username" => "Tên đăng nhập",
            "display_name" => "Họ và tên",
            "email" => "E-mail",
            "role" => "Vai trò",
            "agency" => "Cơ quan",
            _ => "Thông tin",
        }
    }

    /// Whether `option` is the value sent for `name`.
    fn is(&self, option: &str, name: &str) -> bool {
        self.value(name) == option
    }

    fn value(&self, name: &str) -> &str {
        self.sent.get(name).map(String::as_str).unwrap_or_default()
    }

    fn error_of(&self, name: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == name).map(|(_, m)| m.as_str())
    }
}

pub async fn new_form(state: Data<AppState>, req: HttpRequest) -> HttpResponse {
    let s = match admin(&state, &req).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match agencies(&state).await {
        Ok(agencies) => page(
            StatusCode::OK,
            &NewUserPage {
                who: Some(Who::of(&s)),
                agencies,
                roles: roles(),
                sent: BTreeMap::new(),
                error: None,
            },
        ),
        Err(e) => error_page(&e),
    }
}

#[derive(Template)]
#[template(path = "console/user_secret.html")]
struct SecretPage {
    who: Option<Who>,
    title: &'static str,
    /// A reset (the account's sessions have ended), not a new account.
    reset: bool,
    username: String,
    name: String,
    password: String,
}

/// A temporary password that passes the policy for this username.
fn temporary_password(username: &str) -> String {
    loop {
        let p = auth::random_password();
        if !p.to_lowercase().contains(username) {
            return p;
        }
    }
}

/// "Tạo tài khoản": the account, and its temporary password shown once.
pub async fn create(state: Data<AppState>, req: HttpRequest, addr: ClientAddr, body: Bytes) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(e) = require_admin(&s.actor()) {
        return error_page(&e);
    }
    let get = |k: &str| f.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let username = get("username").to_lowercase();
    let password = temporary_password(&username);
    let display_name = get("display_name");
    let new = NewUser::parse(
        &username,
        Some(display_name.as_str()).filter(|n| !n.is_empty()),
        &get("role"),
        Some(get("agency").as_str()),
        &password,
    )
    .and_then(|n| n.with_email(Some(get("email").as_str())))
    .map(NewUser::with_forced_change);
    let created = match new {
        Ok(new) => auth::create_user(&state, &s.staff, addr.0, new).await,
        Err(e) => Err(e),
    };
    match created {
        Ok(staff) => page(
            StatusCode::CREATED,
            &SecretPage {
                who: Some(Who::of(&s)),
                title: "Đã tạo tài khoản",
                reset: false,
                username: staff.username,
                name: staff.display_name,
                password,
            },
        ),
        Err(e) => {
            let error = match &e {
                AppError::Conflict { vi, .. } => Some(("username".to_owned(), capitalised(vi))),
                other => field_error(other).map(|(field, m)| (field, capitalised(&m))),
            };
            let Some(error) = error else {
                return error_page(&e);
            };
            match agencies(&state).await {
                Ok(agencies) => page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &NewUserPage {
                        who: Some(Who::of(&s)),
                        agencies,
                        roles: roles(),
                        sent: f,
                        error: Some(error),
                    },
                ),
                Err(e) => error_page(&e),
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "Ngừng hoạt động" / "Kích hoạt lại".
pub async fn set_active(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    id: Path<String>,
    body: Bytes,
) -> HttpResponse {
    let (s, f) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(e) = require_admin(&s.actor()) {
        return error_page(&e);
    }
    let active = match f.get("active").map(String::as_str) {
        Some("true") => true,
        Some("false") => false,
        _ => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "Yêu cầu không hợp lệ",
                "Không rõ cần kích hoạt hay ngừng hoạt động.",
            )
        }
    };
    let change = UserChange {
        active: Some(active),
        ..UserChange::default()
    };
    match accounts::update_user(&state, &s.staff, addr.0, id.into_inner(), change).await {
        Ok(_) => see_other(if active {
            "/console/users?done=reactivated"
        } else {
            "/console/users?done=deactivated"
        }),
        Err(AppError::Conflict { vi, .. }) => message_page(
            StatusCode::CONFLICT,
            if active {
                "Không kích hoạt lại được"
            } else {
                "Không ngừng hoạt động được"
            },
            &format!("{}.", capitalised(&vi)),
        ),
        Err(e) => error_page(&e),
    }
}

/// "Đặt lại mật khẩu": a temporary password shown once; the user's sessions end.
pub async fn reset_password(
    state: Data<AppState>,
    req: HttpRequest,
    addr: ClientAddr,
    id: Path<String>,
    body: Bytes,
) -> HttpResponse {
    let (s, _) = match super::signed_form(&state, &req, &body).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Err(e) = require_admin(&s.actor()) {
        return error_page(&e);
    }
    let id = id.into_inner();
    let accounts = match accounts::list_accounts(&state, &s.actor()).await {
        Ok(a) => a,
        Err(e) => return error_page(&e),
    };
    let Some(who) = accounts.into_iter().find(|a| a.staff.id.as_ref() == id.as_str()) else {
        return message_page(StatusCode::NOT_FOUND, "Không tìm thấy", "Không có tài khoản này.");
    };
    match accounts::reset_password(&state, &s.staff, addr.0, id).await {
        Ok(password) => page(
            StatusCode::OK,
            &SecretPage {
                who: Some(Who::of(&s)),
                title: "Đã đặt lại mật khẩu",
                reset: true,
                username: who.staff.username,
                name: who.staff.display_name,
                password,
            },
        ),
        Err(AppError::Conflict { vi, .. }) => message_page(
            StatusCode::CONFLICT,
            "Không đặt lại mật khẩu được",
            &format!("{}.", capitalised(&vi)),
        ),
        Err(e) => error_page(&e),
    }
}
