//! Mediation sessions (Law 19/2023 Art 63–65; ADR 0028): a case's sessions and their
//! reschedule, cancellation and record; a mediator's calendar as JSON and as a subscribable
//! ICS feed.

use actix_web::web::{Data, Path};
use actix_web::{HttpResponse, Responder};
use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use utoipa::ToSchema;

use super::actions::{session_duration, session_venue};
use super::dto::{LONG, SHORT};
use super::extractors::{ClientAddr, CurrentUser, JsonBody};
use crate::domain::values::text;
use crate::error::{AppError, Problem};
use crate::service::sessions::{self, CalendarFeed, MediationSessionView, SessionChange};
use crate::state::AppState;

/// A new time for a session; `place` / `online_link` given replace the venue (one of them
/// non-blank), both absent keep it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleSessionDto {
    pub at: DateTime<FixedOffset>,
    /// 15–480; absent: unchanged.
    pub duration_minutes: Option<u32>,
    pub place: Option<String>,
    /// An `https://` link.
    pub online_link: Option<String>,
    pub reason: String,
    /// The session's `sequence` as read; a different current one is 409 `version_conflict`.
    pub sequence: Option<i32>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelSessionDto {
    pub reason: String,
    pub sequence: Option<i32>,
}

/// How a session went.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum RecordedStatus {
    Held,
    Postponed,
}

/// Recorded after the session's start.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordSessionDto {
    pub status: RecordedStatus,
    /// Who attended: names or roles (at most 30).
    #[serde(default)]
    pub attendance: Vec<String>,
    pub minutes: String,
    pub sequence: Option<i32>,
}

type SessionPath = Path<(String, String)>;

#[utoipa::path(get, path = "/api/v1/cases/{id}/mediation/sessions", operation_id = "list_mediation_sessions", tag = "mediation", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses((status = 200, body = Vec<MediationSessionView>, description = "The case's mediation sessions, by start time"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list(state: Data<AppState>, user: CurrentUser, id: Path<String>) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(sessions::of_case(&state, user.actor(), id.into_inner()).await?))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/mediation/sessions/{sid}/reschedule", operation_id = "reschedule_mediation_session", tag = "mediation", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id"), ("sid" = String, Path, description = "Session id")),
    request_body = RescheduleSessionDto,
    responses((status = 200, body = MediationSessionView, description = "Rescheduled: `sequence` + 1, a new invitation (METHOD:REQUEST, same UID) to every party"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reschedule(
    state: Data<AppState>,
    user: CurrentUser,
    path: SessionPath,
    body: JsonBody<RescheduleSessionDto>,
) -> Result<impl Responder, AppError> {
    let d = body.value;
    let duration = d.duration_minutes.map(|m| session_duration(Some(m))).transpose()?;
    let venue = if d.place.is_some() || d.online_link.is_some() {
        Some(session_venue(d.place.as_deref(), d.online_link.as_deref(), true)?)
    } else {
        None
    };
    let change = SessionChange::Reschedule {
        at: d.at.to_utc().naive_utc(),
        duration_minutes: duration,
        venue,
        reason: text("reason", &d.reason, LONG)?,
    };
    let (case_id, sid) = path.into_inner();
    let v = sessions::change(&state, user.actor(), case_id, sid, d.sequence, change).await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/mediation/sessions/{sid}/cancel", operation_id = "cancel_mediation_session", tag = "mediation", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id"), ("sid" = String, Path, description = "Session id")),
    request_body = CancelSessionDto,
    responses((status = 200, body = MediationSessionView, description = "Cancelled: `sequence` + 1, METHOD:CANCEL to every party"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn cancel(
    state: Data<AppState>,
    user: CurrentUser,
    path: SessionPath,
    body: JsonBody<CancelSessionDto>,
) -> Result<impl Responder, AppError> {
    let d = body.value;
    let change = SessionChange::Cancel {
        reason: text("reason", &d.reason, LONG)?,
    };
    let (case_id, sid) = path.into_inner();
    let v = sessions::change(&state, user.actor(), case_id, sid, d.sequence, change).await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/mediation/sessions/{sid}/record", operation_id = "record_mediation_session", tag = "mediation", security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id"), ("sid" = String, Path, description = "Session id")),
    request_body = RecordSessionDto,
    responses((status = 200, body = MediationSessionView, description = "Attendance and minutes recorded; the session is `held` or `postponed`"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record(
    state: Data<AppState>,
    user: CurrentUser,
    path: SessionPath,
    body: JsonBody<RecordSessionDto>,
) -> Result<impl Responder, AppError> {
    let d = body.value;
    if d.attendance.len() > 30 {
        return Err(AppError::invalid("attendance", "at most 30", "tối đa 30 người"));
    }
    let attendance = d
        .attendance
        .iter()
        .enumerate()
        .map(|(i, a)| Ok(text(&format!("attendance[{i}]"), a, SHORT)?))
        .collect::<Result<Vec<String>, AppError>>()?;
    let change = SessionChange::Record {
        held: matches!(d.status, RecordedStatus::Held),
        attendance,
        minutes: text("minutes", &d.minutes, LONG)?,
    };
    let (case_id, sid) = path.into_inner();
    let v = sessions::change(&state, user.actor(), case_id, sid, d.sequence, change).await?;
    Ok(HttpResponse::Ok().json(v))
}

#[utoipa::path(get, path = "/api/v1/mediators/me/sessions", operation_id = "my_mediation_sessions", tag = "mediation", security(("bearer" = [])),
    responses((status = 200, body = Vec<MediationSessionView>, description = "The calling mediator's sessions from 30 days ago on, by start time"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn mine(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(sessions::of_mediator(&state, user.actor()).await?))
}

#[utoipa::path(get, path = "/api/v1/mediation/sessions", operation_id = "body_mediation_sessions", tag = "mediation", security(("bearer" = [])),
    responses((status = 200, body = Vec<MediationSessionView>, description = "The sessions of every mediator of the supervisor's body, from 30 days ago on"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn of_body(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    Ok(HttpResponse::Ok().json(sessions::of_body(&state, user.actor()).await?))
}

#[utoipa::path(post, path = "/api/v1/mediators/me/calendar-feed", operation_id = "create_calendar_feed", tag = "mediation", security(("bearer" = [])),
    responses((status = 201, body = CalendarFeed, description = "A new feed URL (the earlier ones stop working)"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn create_feed(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    let feed = sessions::create_feed(&state, user.actor()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(feed))
}

#[utoipa::path(delete, path = "/api/v1/mediators/me/calendar-feed", operation_id = "revoke_calendar_feed", tag = "mediation", security(("bearer" = [])),
    responses((status = 204, description = "Every feed of the mediator revoked"),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn revoke_feed(state: Data<AppState>, user: CurrentUser) -> Result<impl Responder, AppError> {
    sessions::revoke_feed(&state, user.actor()).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/calendar/{token}.ics", operation_id = "calendar_feed", tag = "mediation",
    params(("token" = String, Path, description = "The feed token (the credential)")),
    responses((status = 200, content_type = "text/calendar", body = String, description = "The mediator's sessions as an iCalendar feed: tracking codes, times and places only"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn feed(state: Data<AppState>, addr: ClientAddr, token: Path<String>) -> Result<impl Responder, AppError> {
    let ics = sessions::feed(&state, token.into_inner(), addr.0).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(ics))
}
