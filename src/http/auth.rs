//! Login, logout, me; admin user management.

use actix_web::web::Data;
use actix_web::{HttpResponse, Responder};

use super::dto::{
    CreateUserDto, LoginDto, LoginResponse, MeResponse, PasswordChangeDto, PasswordResetResponse, UpdateUserDto,
};
use super::extractors::{ClientAddr, CurrentUser, JsonBody};
use crate::error::{AppError, Problem};
use crate::service::accounts::{self, AuditView, SessionView, TotpSetup};
use crate::service::api_tokens::{self, ApiScope, ApiTokenView};
use crate::service::auth::{self, NewUser};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginDto,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "the username or the address is locked after failed sign-ins (`Retry-After`)", content_type = "application/problem+json")))]
pub async fn login(
    state: Data<AppState>,
    addr: ClientAddr,
    body: JsonBody<LoginDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let l = auth::login(&state, b.username, b.password, b.totp, addr.0).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token: l.token,
        expires_at: l.expires_at,
        must_change_password: l.must_change_password,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses((status = 204)))]
pub async fn logout(state: Data<AppState>, user: CurrentUser, addr: ClientAddr) -> Result<impl Responder, AppError> {
    auth::logout(&state, &user.staff, user.token, addr.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChangeDto,
    responses((status = 204, description = "changed; every other session of the user has ended"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many wrong current passwords (the sign-in limits; `Retry-After`); the guess that reached the limit ended the session", content_type = "application/problem+json")))]
pub async fn change_password(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<PasswordChangeDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    auth::change_password(
        &state,
        &user.staff,
        &user.token,
        b.current_password,
        b.new_password,
        addr.0,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = MeResponse)))]
pub async fn me(user: CurrentUser) -> impl Responder {
    HttpResponse::Ok().json(MeResponse::from(user.staff))
}

#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), request_body = CreateUserDto,
    responses((status = 201, body = MeResponse), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_user(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<CreateUserDto>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let b = body.value;
    let new = NewUser::parse(
        &b.username,
        b.display_name.as_deref(),
        &b.role,
        b.agency.as_deref(),
        &b.password,
    )?
    .with_email(b.email.as_deref())?
    .with_unit(b.unit.as_deref());
    let staff = auth::create_user(&state, &user.staff, addr.0, new).await?;
    Ok(HttpResponse::Created().json(MeResponse::from(staff)))
}

#[utoipa::path(patch, path = "/api/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = UpdateUserDto,
    responses((status = 200, body = MeResponse),
        (status = 409, body = Problem, description = "last_admin", content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_user(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    id: actix_web::web::Path<String>,
    body: JsonBody<UpdateUserDto>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let b = body.value;
    let change = accounts::UserChange {
        active: b.active,
        role: b.role,
        agency: b.agency,
        email: b.email,
        unit: b.unit,
    };
    let staff = accounts::update_user(&state, &user.staff, addr.0, id.into_inner(), change).await?;
    Ok(HttpResponse::Ok().json(MeResponse::from(staff)))
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Vec<MeResponse>)))]
pub async fn list_users(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let users: Vec<MeResponse> = accounts::list_users(&state)
        .await?
        .into_iter()
        .map(MeResponse::from)
        .collect();
    Ok(HttpResponse::Ok().json(users))
}

#[utoipa::path(post, path = "/api/v1/admin/users/{id}/reset-password", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PasswordResetResponse, description = "a temporary password, to be changed at the first sign-in; every session of the user has ended"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn reset_password(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    id: actix_web::web::Path<String>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let temporary_password = accounts::reset_password(&state, &user.staff, addr.0, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordResetResponse { temporary_password }))
}

#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>)))]
pub async fn sessions(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(accounts::list_sessions(&state, &user.staff, &user.token).await?))
}

#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "a session id from GET /auth/sessions")),
    responses((status = 204, description = "the session has ended"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_session(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    id: actix_web::web::Path<String>,
) -> Result<impl Responder, AppError> {
    accounts::revoke_session(&state, &user.staff, addr.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Only records of this action (`sign_in`, `sign_in_failed`, `locked`, `password_reset`, …).
    pub action: Option<String>,
    /// At most this many, newest first (1–1000, default 200).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, body = Vec<AuditView>)))]
pub async fn audit(
    state: Data<AppState>,
    user: CurrentUser,
    q: actix_web::web::Query<AuditParams>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let q = q.into_inner();
    let limit = q.limit.unwrap_or(200);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::bad_query(
            "limit",
            "limit must be 1–1000",
            "limit phải từ 1 đến 1000",
        ));
    }
    Ok(HttpResponse::Ok().json(accounts::audit_log(&state, q.action, limit).await?))
}

/// A request for an API token.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiTokenDto {
    /// Which system it is for ("Tổng đài 1800 6838", …).
    pub name: String,
    /// The agency it acts for.
    pub agency: String,
    pub scopes: Vec<ApiScope>,
}

#[utoipa::path(post, path = "/api/v1/admin/api-tokens", tag = "admin", security(("bearer" = [])), request_body = NewApiTokenDto,
    responses((status = 201, body = ApiTokenView, description = "the token is in `token`, shown only now"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_api_token(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<NewApiTokenDto>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let b = body.value;
    let new = api_tokens::NewApiToken::parse(&b.name, &b.agency, b.scopes)?;
    let created = api_tokens::create(&state, &user.staff, addr.0, new).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(created))
}

#[utoipa::path(get, path = "/api/v1/admin/api-tokens", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiTokenView>)))]
pub async fn list_api_tokens(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    Ok(HttpResponse::Ok().json(api_tokens::list(&state).await?))
}

#[utoipa::path(delete, path = "/api/v1/admin/api-tokens/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204, description = "revoked: its next request answers 401"), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_api_token(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    id: actix_web::web::Path<String>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    api_tokens::revoke(&state, &user.staff, addr.0, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A code of the authenticator app.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCodeDto {
    pub code: String,
}

/// A code of the pending secret and, when a secret is already in use (replacing it), a current
/// code of that one.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpEnableDto {
    pub code: String,
    pub current_code: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/auth/totp/setup", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TotpSetup, description = "a new secret, pending until confirmed with a code (supervisors, coordinators, admins)")))]
pub async fn totp_setup(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    let setup = accounts::totp_setup(&state, &user.staff).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(setup))
}

#[utoipa::path(post, path = "/api/v1/auth/totp/enable", tag = "auth", security(("bearer" = [])), request_body = TotpEnableDto,
    responses((status = 204, description = "two-step sign-in is on: sign-in now needs `totp`"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many wrong codes (the sign-in limits; `Retry-After`)", content_type = "application/problem+json")))]
pub async fn totp_enable(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<TotpEnableDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    let change = accounts::TotpChange::Enable {
        code: b.code,
        current_code: b.current_code,
    };
    accounts::totp_confirm(&state, &user.staff, &user.token, addr.0, change).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/totp/disable", tag = "auth", security(("bearer" = [])), request_body = TotpCodeDto,
    responses((status = 204, description = "two-step sign-in is off"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, description = "too many wrong codes (the sign-in limits; `Retry-After`)", content_type = "application/problem+json")))]
pub async fn totp_disable(
    state: Data<AppState>,
    user: CurrentUser,
    addr: ClientAddr,
    body: JsonBody<TotpCodeDto>,
) -> Result<impl Responder, AppError> {
    let change = accounts::TotpChange::Disable { code: body.value.code };
    accounts::totp_confirm(&state, &user.staff, &user.token, addr.0, change).await?;
    Ok(HttpResponse::NoContent().finish())
}
