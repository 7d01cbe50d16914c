//! The list of mediators (Law 19/2023 Art 63–64): the published list, its management by the
//! mediation body's supervisors, and their view of their mediators' workload.

use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, Responder};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::dto::SHORT;
use super::extractors::{CurrentUser, JsonBody};
use crate::domain::ids::UserId;
use crate::domain::values::{opt_text, text, Email, Phone};
use crate::error::{AppError, Problem};
use crate::service::mediators::{self, MediatorPatch, MediatorView, MediatorWorkload, NewMediator, PublicMediatorView};
use crate::state::AppState;

/// A new entry of the list. `languages`: languages spoken fluently, ethnic-minority ones
/// included (`Tiếng H'Mông`); `ethnic_groups`: groups the mediator belongs to (`Tày`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMediatorDto {
    pub organisation: String,
    pub name: String,
    pub qualifications: String,
    #[serde(default)]
    pub languages: Vec<String>,
    #[serde(default)]
    pub ethnic_groups: Vec<String>,
    /// Private: never published.
    pub email: Option<String>,
    /// Private: never published.
    pub phone: Option<String>,
    /// The mediator's staff account (role `mediator`, same agency), if they have one.
    pub user_id: Option<String>,
    pub active: Option<bool>,
}

/// A correction; `null` clears `email`, `phone` or `user_id`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MediatorPatchDto {
    pub organisation: Option<String>,
    pub name: Option<String>,
    pub qualifications: Option<String>,
    pub languages: Option<Vec<String>>,
    pub ethnic_groups: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub user_id: Option<Option<String>>,
    pub active: Option<bool>,
}

/// A field that is present (possibly `null`) is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

fn name_list(field: &str, v: &[String]) -> Result<Vec<String>, AppError> {
    if v.len() > 20 {
        return Err(AppError::invalid(field, "at most 20", "tối đa 20 mục"));
    }
    v.iter()
        .enumerate()
        .map(|(i, s)| Ok(text(&format!("{field}[{i}]"), s, 100)?))
        .collect()
}

fn email(v: Option<&str>) -> Result<Option<String>, AppError> {
    Ok(v.map(|e| Email::parse("email", e))
        .transpose()?
        .map(|e| e.as_ref().to_owned()))
}

fn phone(v: Option<&str>) -> Result<Option<String>, AppError> {
    Ok(v.map(|p| Phone::parse("phone", p))
        .transpose()?
        .map(|p| p.as_ref().to_owned()))
}

impl NewMediatorDto {
    fn into_domain(self) -> Result<NewMediator, AppError> {
        Ok(NewMediator {
            organisation: text("organisation", &self.organisation, SHORT)?,
            name: text("name", &self.name, SHORT)?,
            qualifications: text("qualifications", &self.qualifications, SHORT)?,
            languages: name_list("languages", &self.languages)?,
            ethnic_groups: name_list("ethnic_groups", &self.ethnic_groups)?,
            email: email(self.email.as_deref())?,
            phone: phone(self.phone.as_deref())?,
            user_id: self.user_id.map(UserId::from),
            active: self.active.unwrap_or(true),
        })
    }
}

impl MediatorPatchDto {
    fn into_domain(self) -> Result<MediatorPatch, AppError> {
        Ok(MediatorPatch {
            organisation: opt_text("organisation", self.organisation.as_deref(), SHORT)?,
            name: opt_text("name", self.name.as_deref(), SHORT)?,
            qualifications: opt_text("qualifications", self.qualifications.as_deref(), SHORT)?,
            languages: self
                .languages
                .as_deref()
                .map(|v| name_list("languages", v))
                .transpose()?,
            ethnic_groups: self
                .ethnic_groups
                .as_deref()
                .map(|v| name_list("ethnic_groups", v))
                .transpose()?,
            email: self.email.map(|e| email(e.as_deref())).transpose()?,
            phone: self.phone.map(|p| phone(p.as_deref())).transpose()?,
            user_id: self.user_id.map(|u| u.map(UserId::from)),
            active: self.active,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/public/mediators", tag = "public",
    responses((status = 200, body = Vec<PublicMediatorView>, description = "The published list of mediators (Law 19/2023 Art 63(2)): active entries, no contact data")))]
pub async fn public_list(state: Data<AppState>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(mediators::public_list(&state).await?))
}

#[utoipa::path(get, path = "/api/v1/mediators", tag = "mediation", security(("bearer" = [])),
    responses((status = 200, body = Vec<MediatorView>, description = "Every entry; contact data only for the supervisors of the entry's body")))]
pub async fn list(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(mediators::list_for_staff(&state, user.actor()).await?))
}

#[utoipa::path(post, path = "/api/v1/mediators", tag = "mediation", security(("bearer" = [])), request_body = NewMediatorDto,
    responses((status = 201, body = MediatorView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    state: Data<AppState>,
    user: CurrentUser,
    body: JsonBody<NewMediatorDto>,
) -> Result<impl Responder, AppError> {
    let m = body.value.into_domain()?;
    Ok(HttpResponse::Created().json(mediators::create(&state, user.actor(), m).await?))
}

#[utoipa::path(patch, path = "/api/v1/mediators/{id}", tag = "mediation", security(("bearer" = [])), request_body = MediatorPatchDto,
    responses((status = 200, body = MediatorView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    state: Data<AppState>,
    user: CurrentUser,
    id: Path<String>,
    body: JsonBody<MediatorPatchDto>,
) -> Result<impl Responder, AppError> {
    let p = body.value.into_domain()?;
    Ok(HttpResponse::Ok().json(mediators::update(&state, user.actor(), id.into_inner(), p).await?))
}

#[utoipa::path(get, path = "/api/v1/mediation/workload", tag = "mediation", security(("bearer" = [])),
    responses((status = 200, body = Vec<MediatorWorkload>, description = "The supervisor's body's mediators with their open and closed cases and upcoming sessions")))]
pub async fn workload(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(mediators::workload(&state, user.actor()).await?))
}
