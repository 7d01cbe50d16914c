//! The console's session: the same sessions as the API's bearer tokens, carried in an
//! `HttpOnly`, `SameSite=Lax` cookie (`Secure` when the service speaks TLS or its public address
//! is `https://`), ended after `auth.console_idle_minutes` without a request. Every form carries
//! a CSRF token derived from the session token, so a page of another site cannot post as the signed-in user; the sign-in
//! form, before any session, uses a double-submit cookie.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::domain::user::{Actor, Staff};
use crate::error::AppError;
use crate::service::auth;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "hotline_console";
pub const LOGIN_CSRF_COOKIE: &str = "hotline_login_csrf";

/// A signed-in staff member on a console page.
pub struct Signed {
    pub staff: Staff,
    pub token: String,
    /// The value every form of this session must send back as `csrf`.
    pub csrf: String,
    /// Callbacks due now that are this user's or nobody's in their agency (pages only; 0 on a
    /// form's post).
    pub callbacks_due: i64,
}

impl Signed {
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.staff.clone())
    }

    /// Whether a submitted form carries this session's CSRF token.
    pub fn csrf_ok(&self, sent: Option<&str>) -> bool {
        sent.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes()))
    }
}

/// The CSRF token of a session: a digest of its secret token (which the page's scripts cannot
/// read: the cookie is `HttpOnly`).
pub fn csrf_of(token: &str) -> String {
    let d = Sha256::digest(format!("console-csrf\0{token}").as_bytes());
    hex::encode(&d[..16])
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 403 page for a form without its token (an old tab, or a forged post): nothing was done.
pub fn csrf_rejected() -> HttpResponse {
    super::message_page(
        actix_web::http::StatusCode::FORBIDDEN,
        "Biểu mẫu không hợp lệ",
        "Biểu mẫu đã hết hiệu lực hoặc không đến từ bảng điều khiển, nên chưa có gì được thực hiện. \
         Hãy tải lại trang và gửi lại.",
    )
}

/// What an account whose password must be changed may still do in the console.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 2] = ["/console/password", "/console/logout"];

/// The signed-in user of this request, or the way to the sign-in page (keeping where they were
/// going), or to the password change when it is due.
pub async fn signed_in(state: &AppState, req: &HttpRequest) -> Result<Signed, HttpResponse> {
    let token = req
        .cookie(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| !t.is_empty() && t.len() <= 128);
    let Some(token) = token else {
        return Err(to_login(req));
    };
    match auth::console_session(state, token.clone()).await {
        Ok(who) => {
            // The access log names the user of a console request as of an API one.
            req.extensions_mut()
                .insert(crate::http::extractors::UserId(who.staff.id.to_string()));
            // Before the password change, the change itself and signing out still work.
            if who.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&req.path()) {
                return Err(see_other("/console/password"));
            }
            // The reminder in the header of every page (a form's post answers with a redirect).
            let callbacks_due = if req.method() == actix_web::http::Method::GET {
                match crate::service::calls::due_callbacks(state, Actor::Staff(who.staff.clone())).await {
                    Ok(n) => n,
                    Err(e) => return Err(super::error_page(&e)),
                }
            } else {
                0
            };
            Ok(Signed {
                staff: who.staff,
                csrf: csrf_of(&token),
                token,
                callbacks_due,
            })
        }
        // The ended session's cookie stays until the next sign-in replaces it: a form of that
        // session sent later is known by it (`ended_form`) and kept across the sign-in.
        Err(AppError::Unauthenticated) => Err(to_login(req)),
        Err(e) => Err(super::error_page(&e)),
    }
}

fn to_login(req: &HttpRequest) -> HttpResponse {
    let next = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/console/");
    let next = if is_console_path(next) { next } else { "/console/" };
    let q = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    see_other(&format!("/console/login?{q}"))
}

/// Whether a form was made by this browser's console session, now ended: the session cookie is
/// still sent and the form's key is that session's (a post from another site sends no cookie
/// with `SameSite=Lax`, nor the key).
pub fn ended_form(req: &HttpRequest, f: &std::collections::BTreeMap<String, String>) -> bool {
    let (Some(cookie), Some(sent)) = (req.cookie(SESSION_COOKIE), f.get("csrf")) else {
        return false;
    };
    !cookie.value().is_empty() && constant_time_eq(csrf_of(cookie.value()).as_bytes(), sent.as_bytes())
}

/// Whether an answer is the way to the sign-in page (the session ended, or there is none).
pub fn is_sign_in(r: &HttpResponse) -> bool {
    r.status() == actix_web::http::StatusCode::SEE_OTHER
        && r.headers()
            .get(header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| l.starts_with("/console/login"))
}

/// Only a path of the console is a place to go back to after signing in (never another site).
pub fn is_console_path(p: &str) -> bool {
    p.starts_with("/console/") && !p.contains("\\") && !p.contains("//") && !p.chars().any(char::is_control)
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The session cookie: whole-console path, `HttpOnly`, `SameSite=Lax`, `Secure` under TLS
/// (see `serves_tls`).
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/console")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(serves_tls(state))
        .finish()
}

/// The sign-in form's double-submit cookie.
pub fn login_csrf_cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(LOGIN_CSRF_COOKIE, value)
        .path("/console/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(serves_tls(state))
        .finish()
}

/// Whether the console is reached over TLS: the service terminates it itself
/// (`server.tls_cert_path`), or its public address (`email.public_base_url`) is `https://`
/// (a TLS proxy in front, docs/operations.md). Then the cookies are `Secure`: a browser never
/// sends them over plain http, not even on a first visit to an `http://` address.
fn serves_tls(state: &AppState) -> bool {
    let s = &state.settings;
    !s.server.tls_cert_path.trim().is_empty() || public_address_is_https(&s.email.public_base_url)
}

fn public_address_is_https(base: &str) -> bool {
    base.trim()
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_console_paths_are_places_to_return_to() {
        assert!(is_console_path("/console/cases/1?done=accept"));
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/console//evil",
            "/console/\\evil",
            "/console/\r\nSet-Cookie: x",
            "/api/v1/me",
        ] {
            assert!(!is_console_path(bad), "{bad:?}");
        }
    }

    #[test]
    fn an_https_public_address_means_tls() {
        assert!(public_address_is_https("https://hotline.example.gov.vn"));
        assert!(public_address_is_https(" HTTPS://x/"));
        assert!(!public_address_is_https("http://127.0.0.1:8080"));
        assert!(!public_address_is_https("https:"));
        assert!(!public_address_is_https(""));
    }

    #[test]
    fn the_csrf_token_is_the_sessions_and_compared_whole() {
        assert_eq!(csrf_of("a"), csrf_of("a"));
        assert_ne!(csrf_of("a"), csrf_of("b"));
        assert!(!constant_time_eq(b"abc", b"abd") && !constant_time_eq(b"ab", b"abc") && constant_time_eq(b"x", b"x"));
    }
}
