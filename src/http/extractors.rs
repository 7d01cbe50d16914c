//! Request extractors: the bearer-authenticated staff member, and a JSON body extractor whose
//! errors are our problem+json codes (400 malformed, 415 wrong type, 413 too large, 422 wrong
//! field) with the failing field's path and no echo of submitted values.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::web::{Bytes, Data};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::config::Cidr;
use crate::domain::user::{Actor, Staff};
use crate::error::{scrub_message, AppError, ErrorCode};
use crate::service::auth;
use crate::state::AppState;

fn app_state(req: &HttpRequest) -> Result<Data<AppState>, AppError> {
    req.app_data::<Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState missing")))
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let h = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = h.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty() && token.len() <= 128).then(|| token.to_owned())
}

/// What an account whose password must be changed (bootstrap, reset) may still do.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 4] = [
    "/api/v1/auth/password",
    "/api/v1/me",
    "/api/v1/auth/logout",
    "/api/v1/auth/sessions",
];

/// The authenticated staff member behind `Authorization: Bearer <token>`.
pub struct CurrentUser {
    pub staff: Staff,
    pub token: String,
}

impl CurrentUser {
    pub fn actor(&self) -> Actor {
        Actor::Staff(self.staff.clone())
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<CurrentUser, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = app_state(req);
        let token = bearer(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state?;
            let token = token.ok_or(AppError::Unauthenticated)?;
            let who = auth::authenticate(&state, token.clone()).await?;
            req.extensions_mut().insert(UserId(who.staff.id.to_string()));
            if who.must_change_password && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&req.path()) {
                return Err(AppError::PasswordChangeRequired);
            }
            if let Some(scopes) = &who.api_scopes {
                if !crate::service::api_tokens::allows(scopes, req.method().as_str(), req.path()) {
                    return Err(AppError::Forbidden);
                }
            }
            Ok(CurrentUser {
                staff: who.staff,
                token,
            })
        })
    }
}

/// The client's address, for the abuse limits and the audit log: the peer's address, or, when
/// the peer is a trusted proxy (`limits.trusted_proxies`), the nearest address in
/// `X-Forwarded-For` that is not a trusted proxy. Never an address the client chose itself
/// unless it came through a trusted proxy.
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    pub fn of(req: &HttpRequest, trusted: &[Cidr]) -> ClientAddr {
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
        if !is_trusted(peer) {
            return ClientAddr(peer);
        }
        let mut client = peer;
        let hops = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip;
                    if !is_trusted(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        ClientAddr(client)
    }
}

impl FromRequest for ClientAddr {
    type Error = AppError;
    type Future = std::future::Ready<Result<ClientAddr, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<Data<AppState>>()
            .map(|s| s.settings.limits.trusted_proxies.clone())
            .unwrap_or_default();
        std::future::ready(Ok(ClientAddr::of(req, &trusted)))
    }
}

/// The user id, put in request extensions for the access log.
#[derive(Clone)]
pub struct UserId(pub String);

/// A JSON body, deserialized with the field path of any error; keeps the raw bytes.
pub struct JsonBody<T> {
    pub value: T,
    pub raw: Bytes,
}

/// Maps a deserialization error to 400 (syntax) or 422 (shape), naming the field.
pub fn json_error(e: serde_path_to_error::Error<serde_json::Error>) -> AppError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let field = (path != ".").then_some(path);
    if inner.is_syntax() || inner.is_eof() {
        return AppError::BadRequest {
            code: ErrorCode::MalformedJson,
            field: None,
            en: format!("the body is not valid JSON: {}", scrub_message(&inner.to_string())),
            vi: "dữ liệu gửi lên không phải JSON hợp lệ".into(),
        };
    }
    let msg = scrub_message(&inner.to_string());
    let code = if msg.starts_with("unknown field") {
        ErrorCode::UnknownField
    } else if msg.starts_with("unknown variant") {
        ErrorCode::InvalidEnum
    } else if msg.starts_with("missing field") {
        ErrorCode::Required
    } else {
        ErrorCode::InvalidField
    };
    // A missing field's path is its parent: name the field itself.
    let field = match (code, field) {
        (ErrorCode::Required, Some(parent)) => format!("{parent}.{}", missing_field_name(&msg)),
        (_, Some(f)) => f,
        (_, None) => missing_field_name(&msg),
    };
    AppError::Validation {
        code,
        field,
        en: msg,
        vi: match code {
            ErrorCode::UnknownField => "trường không được hỗ trợ".into(),
            ErrorCode::InvalidEnum => "giá trị không thuộc danh sách cho phép".into(),
            ErrorCode::Required => "thiếu trường bắt buộc".into(),
            _ => "giá trị hoặc kiểu dữ liệu không hợp lệ".into(),
        },
    }
}

fn missing_field_name(msg: &str) -> String {
    msg.split('`').nth(1).unwrap_or("body").to_owned()
}

/// Parses a whole JSON body strictly: nothing but white space may follow the value, and no
/// string may hold a NUL character (`\u0000`: PostgreSQL cannot store it, and no field of this
/// API has a use for it).
pub fn parse_json<T: DeserializeOwned>(raw: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(raw);
    let v = serde_path_to_error::deserialize(&mut de).map_err(json_error)?;
    de.end().map_err(|_| AppError::BadRequest {
        code: ErrorCode::MalformedJson,
        field: None,
        en: "the body is not valid JSON: text follows the JSON value".into(),
        vi: "dữ liệu gửi lên không phải JSON hợp lệ: có nội dung thừa sau giá trị JSON".into(),
    })?;
    if has_escaped_nul(raw) {
        let field = serde_json::from_slice::<serde_json::Value>(raw)
            .ok()
            .and_then(|v| nul_path(&v, String::new()))
            .unwrap_or_else(|| "body".into());
        return Err(AppError::Validation {
            code: ErrorCode::InvalidCharacters,
            field,
            en: "text may not contain the NUL character".into(),
            vi: "văn bản không được chứa ký tự NUL".into(),
        });
    }
    Ok(v)
}

/// Whether a JSON text contains the escape `\u0000` (an escaped backslash followed by
/// "u0000" is not one). Literal control characters are already refused by the parser.
fn has_escaped_nul(raw: &[u8]) -> bool {
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' {
            if raw.get(i + 1) == Some(&b'u') && raw.get(i + 2..i + 6) == Some(b"0000".as_slice()) {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// The path (`consumer.name`, `items[2]`) of the first string holding NUL.
fn nul_path(v: &serde_json::Value, path: String) -> Option<String> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match v {
        serde_json::Value::String(s) => s.contains('\0').then_some(path),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| nul_path(x, format!("{path}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            if k.contains('\0') {
                Some(join("(key)"))
            } else {
                nul_path(x, join(k))
            }
        }),
        _ => None,
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<JsonBody<T>, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = app_state(req)
            .map(|s| s.settings.server.max_json_bytes)
            .unwrap_or(256 * 1024);
        let is_json = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
        let declared = req
            .headers()
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let timeout = body_timeout(req);
        let mut payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(AppError::UnsupportedMediaType);
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(AppError::PayloadTooLarge);
            }
            let deadline = tokio::time::Instant::now() + timeout;
            let mut buf = actix_web::web::BytesMut::new();
            while let Some(chunk) = next_before(&mut payload, deadline).await? {
                let chunk = chunk.map_err(|_| AppError::BadRequest {
                    code: ErrorCode::BadBody,
                    field: None,
                    en: "the request body could not be read".into(),
                    vi: "không đọc được dữ liệu gửi lên".into(),
                })?;
                if buf.len() + chunk.len() > limit {
                    return Err(AppError::PayloadTooLarge);
                }
                buf.extend_from_slice(&chunk);
            }
            let raw = buf.freeze();
            let value = parse_json(&raw)?;
            Ok(JsonBody { value, raw })
        })
    }
}

/// How long a request body may take to arrive (`server.body_read_timeout_secs`).
pub fn body_timeout(req: &HttpRequest) -> std::time::Duration {
    let secs = app_state(req)
        .map(|s| s.settings.server.body_read_timeout_secs)
        .unwrap_or(30);
    std::time::Duration::from_secs(secs)
}

/// The next item of a body stream, or 408 `request_timeout` once `deadline` has passed: a
/// client that sends part of a body and stalls (or trickles) cannot hold a connection open.
pub async fn next_before<S: futures_util::Stream + Unpin>(
    stream: &mut S,
    deadline: tokio::time::Instant,
) -> Result<Option<S::Item>, AppError> {
    tokio::time::timeout_at(deadline, stream.next())
        .await
        .map_err(|_| AppError::BodyTimeout)
}

/// A JSON body that may be absent: no body (no `Content-Length`, or 0, and no
/// `Transfer-Encoding`) is `None`; a body present is read like [`JsonBody`] with its errors.
pub struct OptionalJsonBody<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJsonBody<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<OptionalJsonBody<T>, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let headers = req.headers();
        let length = headers
            .get(actix_web::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<usize>().ok());
        let chunked = headers.contains_key(actix_web::http::header::TRANSFER_ENCODING);
        if !chunked && length.unwrap_or(0) == 0 {
            return Box::pin(async { Ok(OptionalJsonBody(None)) });
        }
        let body = JsonBody::<T>::from_request(req, payload);
        Box::pin(async move { Ok(OptionalJsonBody(Some(body.await?.value))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn addr_of(peer: &str, xff: Option<&str>, trusted: &[&str]) -> String {
        let mut req = TestRequest::default().peer_addr(peer.parse().unwrap());
        if let Some(x) = xff {
            req = req.insert_header(("X-Forwarded-For", x));
        }
        let trusted: Vec<Cidr> = trusted.iter().map(|t| Cidr::parse(t).unwrap()).collect();
        ClientAddr::of(&req.to_http_request(), &trusted).0.to_string()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        // A client that is not a trusted proxy cannot choose its address.
        assert_eq!(addr_of("198.51.100.9:5000", Some("10.1.1.1"), &[]), "198.51.100.9");
        assert_eq!(
            addr_of("198.51.100.9:5000", Some("10.1.1.1"), &["127.0.0.1"]),
            "198.51.100.9"
        );
        // Behind a trusted proxy: the nearest hop that is not trusted.
        assert_eq!(
            addr_of("127.0.0.1:5000", Some("203.0.113.5"), &["127.0.0.1"]),
            "203.0.113.5"
        );
        assert_eq!(
            addr_of("10.0.0.2:5000", Some("6.6.6.6, 203.0.113.5, 10.0.0.3"), &["10.0.0.0/8"]),
            "203.0.113.5"
        );
        // Garbage in the header stops the walk at the last good hop.
        assert_eq!(
            addr_of("127.0.0.1:5000", Some("not-an-ip"), &["127.0.0.1"]),
            "127.0.0.1"
        );
        assert_eq!(addr_of("[::1]:5000", Some("2001:db8::1"), &["::1"]), "2001:db8::1");
    }
}
