//! Login, logout, me; admin user management.

use actix_web::web::Data;
use actix_web::{HttpResponse, Responder};

use super::dto::{CreateUserDto, LoginDto, LoginResponse, MeResponse, PasswordChangeDto, UpdateUserDto};
use super::extractors::{CurrentUser, JsonBody};
use crate::error::{AppError, Problem};
use crate::service::auth::{self, NewUser};
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginDto,
    responses((status = 200, body = LoginResponse), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn login(state: Data<AppState>, body: JsonBody<LoginDto>) -> Result<impl Responder, AppError> {
    let b = body.value;
    let l = auth::login(&state, b.username, b.password).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token: l.token,
        expires_at: l.expires_at,
    }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses((status = 204)))]
pub async fn logout(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    auth::logout(&state, user.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChangeDto,
    responses((status = 204, description = "changed; every other session of the user has ended"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn change_password(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<PasswordChangeDto>,
) -> Result<impl Responder, AppError> {
    let b = body.value;
    auth::change_password(&state, &user.staff, &user.token, b.current_password, b.new_password).await?;
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
    .with_email(b.email.as_deref())?;
    let staff = auth::create_user(&state, new).await?;
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
    id: actix_web::web::Path<String>,
    body: JsonBody<UpdateUserDto>,
) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let b = body.value;
    let change = auth::UserChange {
        active: b.active,
        role: b.role,
        agency: b.agency,
        email: b.email,
    };
    let staff = auth::update_user(&state, id.into_inner(), change).await?;
    Ok(HttpResponse::Ok().json(MeResponse::from(staff)))
}

#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Vec<MeResponse>)))]
pub async fn list_users(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    crate::service::require_admin(&user.actor())?;
    let users: Vec<MeResponse> = auth::list_users(&state)
        .await?
        .into_iter()
        .map(MeResponse::from)
        .collect();
    Ok(HttpResponse::Ok().json(users))
}
