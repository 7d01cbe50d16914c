//! The sessions of a case's mediation (Law 19/2023 Art 63–65, issue 12 item 7; ADR 0028).
//!
//! A session is a row of `mediation_sessions`, made by the `schedule_mediation_session`
//! action in the same transaction as the action. Its invitation is an iCalendar message whose
//! `UID` is `<session id>@hotline` for the session's whole life and whose `SEQUENCE` is the
//! row's `sequence`: a reschedule raises it and sends `METHOD:REQUEST` again, a cancellation
//! raises it and sends `METHOD:CANCEL`, so calendar clients move or remove the one event
//! instead of adding another. Every party gets each message (the consumer if they gave an
//! address, the attendees, the mediator), through the outbox, in the same transaction as the
//! change and its case event. Attendance and minutes are recorded after the session starts.
//!
//! A mediator's sessions are also a calendar: JSON for the mediator (and for the supervisors of
//! their mediation body), and an ICS feed whose URL carries a random token (stored as its
//! sha256, revocable) that shows tracking codes, times and places, never the consumer.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::events::{self, ChainKey, NewEvent};
use super::limits::{self, Key, Limit};
use super::notify::{greeting_name, NotifyCtx};
use super::views::{self, utc};
use super::{jobs, links, scope_of};
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::mediation::{self as med_db, SessionChangeset, SessionRow};
use crate::db::{users, AnyConnection};
use crate::domain::case::{self, Action, ActionName, CaseState};
use crate::domain::ids::{CaseId, MediationSessionId, UserId};
use crate::domain::user::{Actor, Role};
use crate::email::{self as mail, IcsEvent, IcsMethod};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// Status of a session.
pub const SCHEDULED: &str = "scheduled";
pub const HELD: &str = "held";
pub const POSTPONED: &str = "postponed";
pub const CANCELLED: &str = "cancelled";

/// How far back a mediator's calendar (`GET /mediators/me/sessions`) reaches.
const RECENT_DAYS: i64 = 30;

/// A session as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MediationSessionView {
    pub id: MediationSessionId,
    pub case_id: CaseId,
    /// The case's tracking code (the only reference to the case a calendar shows).
    pub tracking_code: String,
    pub mediator_id: Option<UserId>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub place: Option<String>,
    pub online_link: Option<String>,
    /// E-mail addresses invited besides the consumer and the mediator.
    pub attendees: Vec<String>,
    /// `scheduled`, `held`, `postponed` or `cancelled`.
    pub status: String,
    /// iCalendar `SEQUENCE` of the last invitation sent (`UID` is `<id>@hotline`); give it back
    /// as `sequence` on a change to refuse a stale one (409 `version_conflict`).
    pub sequence: i32,
    /// Who attended (names or roles), recorded after the session.
    pub attendance: Option<Vec<String>>,
    pub minutes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn list(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

fn to_json(v: &[String]) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.into()))
}

fn view(s: SessionRow, tracking_code: String) -> MediationSessionView {
    MediationSessionView {
        ends_at: utc(s.starts_at) + TimeDelta::minutes(i64::from(s.duration_minutes)),
        attendees: list(&s.attendees),
        attendance: s.attendance.as_deref().map(list),
        id: s.id,
        case_id: s.case_id,
        tracking_code,
        mediator_id: s.mediator_id,
        starts_at: utc(s.starts_at),
        duration_minutes: s.duration_minutes,
        place: s.place,
        online_link: s.online_link,
        status: s.status,
        sequence: s.sequence,
        minutes: s.minutes,
        created_at: utc(s.created_at),
        updated_at: utc(s.updated_at),
    }
}

/// Where the session is, in words, for mail and calendars.
fn venue(s: &SessionRow) -> String {
    match (&s.place, &s.online_link) {
        (Some(p), Some(l)) => format!("{p} (hoặc trực tuyến: {l})"),
        (Some(p), None) => p.clone(),
        (None, Some(l)) => format!("Trực tuyến: {l}"),
        (None, None) => String::new(),
    }
}

fn uid(s: &SessionRow) -> String {
    format!("{}@hotline", s.id)
}

/// Makes the session a `schedule_mediation_session` action asks for (inside the action's
/// transaction) and invites every party; returns its id. Other actions: nothing.
pub(crate) fn on_schedule(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    after: &CaseState,
    action: &Action,
    at: DateTime<Utc>,
) -> Result<Option<MediationSessionId>, AppError> {
    let Action::ScheduleMediationSession {
        at: start,
        duration_minutes,
        place,
        online_link,
        attendees,
    } = action
    else {
        return Ok(None);
    };
    let row = SessionRow {
        id: MediationSessionId::new(),
        case_id: case.id.clone(),
        mediator_id: after.mediator_id.clone(),
        starts_at: *start,
        duration_minutes: i32::try_from(*duration_minutes).unwrap_or(60),
        place: place.clone(),
        online_link: online_link.clone(),
        attendees: to_json(attendees)?,
        status: SCHEDULED.into(),
        sequence: 0,
        minutes: None,
        attendance: None,
        created_at: at.naive_utc(),
        updated_at: at.naive_utc(),
    };
    med_db::insert_session(conn, &row)?;
    let agency_name = ctx.agency_name(after.current_agency.as_deref());
    mail_parties(conn, ctx, case, &row, &agency_name, None, at)?;
    Ok(Some(row.id))
}

/// Whether a case is in mediation: mediating, or waiting for the consumer's information to go
/// back to mediating.
fn in_mediation(status: case::Status, return_status: Option<case::Status>) -> bool {
    status.within(return_status, case::Status::Mediation)
}

/// A case left mediation (its result recorded, withdrawn, referred…; `before` is the case as it
/// was, `after` as it is now): its sessions still to come are cancelled as a cancellation does
/// it — `sequence` + 1, `METHOD:CANCEL` to every party, an event each — in the transition's
/// transaction: nobody may change them once the case is out of mediation. Sessions that have
/// started are left to what happened (held, or recorded by nobody); a postponed one waits
/// for a date it will not get, so it is cancelled too.
pub(crate) fn on_leave_mediation(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    key: &ChainKey,
    actor: &Actor,
    before: &CaseRow,
    after: &CaseRow,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    if !in_mediation(before.status, before.return_status) || in_mediation(after.status, after.return_status) {
        return Ok(());
    }
    let t = at.naive_utc();
    let reason = match after.outcome {
        Some(o) => format!("vụ việc không còn hòa giải: {}", o.label_vi().to_lowercase()),
        None => format!("vụ việc không còn hòa giải: {}", after.status.label_vi().to_lowercase()),
    };
    let change = SessionChange::Cancel { reason };
    for s in med_db::sessions_of_case(conn, &after.id)? {
        let to_come = (s.status == SCHEDULED && s.starts_at > t) || s.status == POSTPONED;
        if to_come {
            let s = apply(conn, ctx, after, s, &change, at)?;
            record_event(conn, key, actor, after, &s, &change, t)?;
        }
    }
    Ok(())
}

/// How long ago a session being scheduled may have started.
const SESSION_START_GRACE_MINUTES: i64 = 60;

/// Checks the time of a session being scheduled or moved (`session` itself is left out of the
/// overlap): not in the past, not on a public holiday of the service's calendar, not overlapping
/// another scheduled session of the same mediator (or of the case, while no mediator is
/// appointed). 422 on `at`; 409 `session_overlap`.
pub(crate) fn check_time(
    conn: &mut AnyConnection,
    case_id: &str,
    mediator_id: Option<&UserId>,
    session: Option<&MediationSessionId>,
    start: NaiveDateTime,
    duration_minutes: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    // A session entered as it begins (typed to the minute, or a meeting held on the spot) is
    // not "in the past": an hour's grace.
    if start < now.naive_utc() - TimeDelta::minutes(SESSION_START_GRACE_MINUTES) {
        return Err(AppError::invalid(
            "at",
            "the session may not start in the past",
            "phiên hòa giải không thể bắt đầu trong quá khứ",
        ));
    }
    let day = crate::calendar::local_date(utc(start));
    let cal = super::clocks::load_calendar(conn)?;
    // A public holiday is refused (offices closed; often a slip of the date). A weekend is not:
    // the parties may agree to meet on a Saturday, when a consumer who works can come.
    let holiday = cal
        .day(day)
        .is_some_and(|listed| listed.kind == crate::calendar::DayKind::Off);
    if let Some((reason, _)) = cal.rest_reason(day).filter(|_| holiday) {
        return Err(AppError::invalid(
            "at",
            format!("{day} is a public holiday ({reason})"),
            format!("ngày {} là ngày nghỉ lễ ({reason})", crate::calendar::vn_date(day)),
        ));
    }
    let end = start + TimeDelta::minutes(duration_minutes);
    let others = match mediator_id {
        Some(m) => med_db::sessions_of_mediators(conn, std::slice::from_ref(m), None)?
            .into_iter()
            .map(|(s, _)| s)
            .collect(),
        None => med_db::sessions_of_case(conn, case_id)?,
    };
    let clash = others.iter().find(|o| {
        o.status == SCHEDULED
            && session != Some(&o.id)
            && o.starts_at < end
            && start < o.starts_at + TimeDelta::minutes(i64::from(o.duration_minutes))
    });
    if let Some(o) = clash {
        return Err(AppError::Conflict {
            code: ErrorCode::SessionOverlap,
            en: format!(
                "the mediator already has a session from {} for {} minutes",
                utc(o.starts_at).to_rfc3339(),
                o.duration_minutes
            ),
            vi: format!(
                "hòa giải viên đã có phiên hòa giải lúc {} ({} phút)",
                (utc(o.starts_at) + TimeDelta::hours(7)).format("%H:%M ngày %d/%m/%Y"),
                o.duration_minutes
            ),
        });
    }
    Ok(())
}

/// One recipient of a session's mail: address and greeting.
struct Party {
    to: String,
    name: String,
}

/// The consumer (if they gave an address), each attendee, the mediator (the address on their
/// entry of the list, else their account's).
fn parties(conn: &mut AnyConnection, case: &CaseRow, s: &SessionRow) -> Result<(Vec<Party>, String), AppError> {
    let mut out = Vec::new();
    if let Some(e) = &case.consumer_email {
        let name = greeting_name(case).unwrap_or_else(|| "Quý khách".into());
        out.push(Party { to: e.clone(), name });
    }
    for a in list(&s.attendees) {
        out.push(Party {
            to: a,
            name: "Quý vị".into(),
        });
    }
    let mut mediator_name = String::new();
    if let Some(m) = &s.mediator_id {
        let user = users::find_by_id(conn, m)?;
        let entry = med_db::mediator_of_user(conn, m)?;
        mediator_name = entry
            .as_ref()
            .map(|e| e.name.clone())
            .or_else(|| user.as_ref().map(|u| u.display_name.clone()))
            .unwrap_or_default();
        let address = entry.and_then(|e| e.email).or_else(|| user.and_then(|u| u.email));
        if let Some(to) = address {
            if !out.iter().any(|p| p.to.eq_ignore_ascii_case(&to)) {
                out.push(Party {
                    to,
                    name: mediator_name.clone(),
                });
            }
        }
    }
    Ok((out, mediator_name))
}

/// Queues the session's invitation (`cancel_reason: None`, `METHOD:REQUEST`) or cancellation
/// (`METHOD:CANCEL`) to every party, with the row's UID and SEQUENCE.
fn mail_parties(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    s: &SessionRow,
    agency_name: &str,
    cancel_reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let (recipients, mediator) = parties(conn, case, s)?;
    let mediator = if mediator.is_empty() {
        agency_name.to_owned()
    } else {
        mediator
    };
    let start = utc(s.starts_at);
    let place = venue(s);
    let (uid, summary) = (uid(s), format!("Phiên hòa giải — {agency_name}"));
    let description = format!("Hòa giải viên: {mediator}.");
    let organizer = format!("mailto:{}", ctx.from_address);
    let method = if cancel_reason.is_some() {
        IcsMethod::Cancel
    } else {
        IcsMethod::Request
    };
    let session_time = (start + TimeDelta::hours(7)).format("%H:%M ngày %d/%m/%Y").to_string();
    for p in recipients {
        // Each party's invitation names that party alone as attendee: the business never
        // learns the consumer's address from it (nor the consumer the business's staff).
        let attendee = [p.to.clone()];
        let event = IcsEvent {
            uid: &uid,
            sequence: s.sequence,
            start,
            end: start + TimeDelta::minutes(i64::from(s.duration_minutes)),
            summary: &summary,
            location: &place,
            description: &description,
            organizer: &organizer,
            attendees: &attendee,
            cancelled: cancel_reason.is_some(),
        };
        let ics = mail::ics_calendar(Some(method), &[event]);
        let msg = match cancel_reason {
            None => mail::OutgoingEmail::new(
                &p.to,
                &mail::MediationInvitation {
                    recipient_name: p.name,
                    session_time: session_time.clone(),
                    place: place.clone(),
                    mediator: mediator.clone(),
                    agency_name: agency_name.to_owned(),
                },
            ),
            Some(reason) => mail::OutgoingEmail::new(
                &p.to,
                &mail::MediationCancelled {
                    recipient_name: p.name,
                    session_time: session_time.clone(),
                    reason: reason.to_owned(),
                    agency_name: agency_name.to_owned(),
                },
            ),
        };
        let mut msg = msg.map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        let (file, m) = match method {
            IcsMethod::Request => ("moi-hoa-giai.ics", "REQUEST"),
            IcsMethod::Cancel => ("huy-hoa-giai.ics", "CANCEL"),
        };
        msg.attachments.push(crate::email::Attachment {
            filename: file.into(),
            content_type: format!("text/calendar; charset=utf-8; method={m}"),
            bytes: ics.into_bytes(),
        });
        jobs::enqueue_message(conn, &msg, at, ctx.max_attempts)?;
    }
    Ok(())
}

/// What happens to a session after it was scheduled.
#[derive(Debug, Clone)]
pub enum SessionChange {
    /// A new time (and length, venue when given): `sequence` + 1, a new `METHOD:REQUEST`.
    Reschedule {
        at: NaiveDateTime,
        duration_minutes: Option<u32>,
        /// `Some`: the new venue (place, online link), replacing both; `None`: unchanged.
        venue: Option<(Option<String>, Option<String>)>,
        reason: String,
    },
    /// `sequence` + 1, `METHOD:CANCEL`.
    Cancel { reason: String },
    /// After its start: held or postponed, who attended, the minutes.
    Record {
        held: bool,
        attendance: Vec<String>,
        minutes: String,
    },
}

impl SessionChange {
    fn event_name(&self) -> &'static str {
        match self {
            SessionChange::Reschedule { .. } => "mediation_session_rescheduled",
            SessionChange::Cancel { .. } => "mediation_session_cancelled",
            SessionChange::Record { .. } => "mediation_session_recorded",
        }
    }
}

/// The case of a session, visible to `actor`, who may schedule its sessions now: the
/// handling agency's handlers and supervisors, the appointed mediator; the case in mediation.
fn case_for_change(conn: &mut AnyConnection, actor: &Actor, case_id: &str, what: &str) -> Result<CaseRow, AppError> {
    let row = case_db::find_visible(conn, case_id, &scope_of(actor))?.ok_or(AppError::NotFound("case"))?;
    let st = views::state_of(&row)?;
    if !case::actor_allows(actor, &st, ActionName::ScheduleMediationSession) {
        return Err(AppError::Forbidden);
    }
    if !case::state_allows(&st, ActionName::ScheduleMediationSession) {
        return Err(AppError::InvalidTransition {
            action: what.to_owned(),
            status: st.status.as_str().to_owned(),
            allowed: case::allowed_actions(actor, &st)
                .into_iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
        });
    }
    Ok(row)
}

/// Reschedules, cancels or records a session (see [`SessionChange`]); `sequence`, when given,
/// must be the session's current one.
#[tracing::instrument(name = "Change mediation session", skip_all, fields(case_id = %case_id, session_id = %sid))]
pub async fn change(
    state: &AppState,
    actor: Actor,
    case_id: String,
    sid: String,
    sequence: Option<i32>,
    change: SessionChange,
) -> Result<MediationSessionView, AppError> {
    let (clock, chain_key) = (state.clock.clone(), state.chain_key.clone());
    let ctx = NotifyCtx::from_state(state);
    state
        .db
        .write(move |conn| {
            let now = clock.now();
            let case = case_for_change(conn, &actor, &case_id, change.event_name())?;
            // The case locked before the session is read: two changes sent at once with the
            // same sequence are checked one after the other on PostgreSQL too.
            crate::db::portability::lock_row(conn, crate::db::portability::Locked::Case, &case.id)?;
            let s = med_db::find_session(conn, &case.id, &sid)?.ok_or(AppError::NotFound("session"))?;
            if sequence.is_some_and(|q| q != s.sequence) {
                return Err(AppError::VersionConflict { current: s.sequence });
            }
            if s.status == CANCELLED || s.status == HELD {
                return Err(AppError::Conflict {
                    code: ErrorCode::SessionClosed,
                    en: format!("the session is {}: it cannot change any more", s.status),
                    vi: "phiên hòa giải đã kết thúc hoặc đã bị hủy: không thể thay đổi".into(),
                });
            }
            if let SessionChange::Reschedule {
                at, duration_minutes, ..
            } = &change
            {
                let minutes = duration_minutes.map_or(i64::from(s.duration_minutes), i64::from);
                check_time(conn, &case.id, s.mediator_id.as_ref(), Some(&s.id), *at, minutes, now)?;
            }
            let s = apply(conn, &ctx, &case, s, &change, now)?;
            record_event(conn, &chain_key, &actor, &case, &s, &change, now.naive_utc())?;
            Ok(view(s, case.tracking_code.to_string()))
        })
        .await
}

/// Writes the change and queues its mail; returns the session after.
fn apply(
    conn: &mut AnyConnection,
    ctx: &NotifyCtx,
    case: &CaseRow,
    s: SessionRow,
    change: &SessionChange,
    now: DateTime<Utc>,
) -> Result<SessionRow, AppError> {
    let t = now.naive_utc();
    let mut ch = SessionChangeset {
        updated_at: Some(t),
        ..Default::default()
    };
    match change {
        SessionChange::Reschedule {
            at,
            duration_minutes,
            venue,
            ..
        } => {
            ch.starts_at = Some(*at);
            ch.duration_minutes = duration_minutes.map(|d| i32::try_from(d).unwrap_or(60));
            if let Some((place, link)) = venue {
                ch.place = Some(place.clone());
                ch.online_link = Some(link.clone());
            }
            ch.status = Some(SCHEDULED.into());
            ch.sequence = Some(s.sequence + 1);
        }
        SessionChange::Cancel { .. } => {
            ch.status = Some(CANCELLED.into());
            ch.sequence = Some(s.sequence + 1);
        }
        SessionChange::Record {
            held,
            attendance,
            minutes,
        } => {
            if t < s.starts_at {
                return Err(AppError::Conflict {
                    code: ErrorCode::SessionNotStarted,
                    en: format!(
                        "the session starts at {}: attendance and minutes are recorded after it",
                        utc(s.starts_at).to_rfc3339()
                    ),
                    vi: "phiên hòa giải chưa bắt đầu: chỉ ghi nhận thành phần tham dự và biên bản sau phiên".into(),
                });
            }
            ch.status = Some(if *held { HELD } else { POSTPONED }.into());
            ch.attendance = Some(Some(to_json(attendance)?));
            ch.minutes = Some(Some(minutes.clone()));
        }
    }
    med_db::update_session(conn, &s.id, &ch)?;
    let after = med_db::find_session(conn, &case.id, &s.id)?.ok_or(AppError::NotFound("session"))?;
    let agency_name = ctx.agency_name(case.current_agency.as_deref());
    match change {
        SessionChange::Reschedule { .. } => mail_parties(conn, ctx, case, &after, &agency_name, None, now)?,
        SessionChange::Cancel { reason } => mail_parties(conn, ctx, case, &after, &agency_name, Some(reason), now)?,
        SessionChange::Record { .. } => {}
    }
    Ok(after)
}

/// The change in the case's history (the case is touched, its version unchanged, as for
/// evidence).
fn record_event(
    conn: &mut AnyConnection,
    key: &ChainKey,
    actor: &Actor,
    case: &CaseRow,
    s: &SessionRow,
    change: &SessionChange,
    t: NaiveDateTime,
) -> Result<(), AppError> {
    let mut data = serde_json::json!({
        "session_id": s.id,
        "status": s.status,
        "sequence": s.sequence,
        "starts_at": utc(s.starts_at),
    });
    match change {
        SessionChange::Reschedule { reason, .. } => {
            data["reason"] = reason.clone().into();
            data["duration_minutes"] = s.duration_minutes.into();
            data["place"] = s.place.clone().into();
            data["online_link"] = s.online_link.clone().into();
        }
        SessionChange::Cancel { reason } => data["reason"] = reason.clone().into(),
        SessionChange::Record {
            attendance, minutes, ..
        } => {
            data["attendance"] = serde_json::json!(attendance);
            data["minutes"] = minutes.clone().into();
        }
    }
    case_db::touch(conn, &case.id, t)?;
    events::append(
        conn,
        key,
        &case.id,
        actor,
        t,
        NewEvent {
            action: change.event_name().into(),
            from_status: Some(case.status),
            to_status: case.status,
            data,
            public_message: None,
        },
    )?;
    Ok(())
}

/// The sessions of a case, by start time: staff who see the case.
pub async fn of_case(state: &AppState, actor: Actor, case_id: String) -> Result<Vec<MediationSessionView>, AppError> {
    if !matches!(actor, Actor::Staff(_)) {
        return Err(AppError::Forbidden);
    }
    state
        .db
        .run(move |conn| {
            let case = case_db::find_visible(conn, &case_id, &scope_of(&actor))?.ok_or(AppError::NotFound("case"))?;
            let code = case.tracking_code.to_string();
            Ok(med_db::sessions_of_case(conn, &case.id)?
                .into_iter()
                .map(|s| view(s, code.clone()))
                .collect())
        })
        .await
}

/// A mediator's calendar: their sessions from `RECENT_DAYS` ago on, by start time.
pub async fn of_mediator(state: &AppState, actor: Actor) -> Result<Vec<MediationSessionView>, AppError> {
    let me = match &actor {
        Actor::Staff(s) if s.role == Role::Mediator => s.id.clone(),
        _ => return Err(AppError::Forbidden),
    };
    let since = (state.clock.now() - TimeDelta::days(RECENT_DAYS)).naive_utc();
    state
        .db
        .run(move |conn| {
            Ok(med_db::sessions_of_mediators(conn, &[me], Some(since))?
                .into_iter()
                .map(|(s, code)| view(s, code))
                .collect())
        })
        .await
}

/// The sessions of every mediator on the list of the supervisor's body (issue 12 item 10),
/// from `RECENT_DAYS` ago on, by start time.
pub async fn of_body(state: &AppState, actor: Actor) -> Result<Vec<MediationSessionView>, AppError> {
    let body = match &actor {
        Actor::Staff(s) if s.role == Role::Supervisor => s.agency.clone().ok_or(AppError::Forbidden)?,
        _ => return Err(AppError::Forbidden),
    };
    let since = (state.clock.now() - TimeDelta::days(RECENT_DAYS)).naive_utc();
    state
        .db
        .run(move |conn| {
            let accounts = super::mediators::accounts_of_body(conn, &body)?;
            Ok(med_db::sessions_of_mediators(conn, &accounts, Some(since))?
                .into_iter()
                .map(|(s, code)| view(s, code))
                .collect())
        })
        .await
}

/// A new calendar feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarFeed {
    /// The address to subscribe to (`…/calendar/{token}.ics`); shown once. The token is the
    /// credential: anyone with the URL reads the calendar until it is revoked.
    pub url: String,
}

fn mediator_of(actor: &Actor) -> Result<UserId, AppError> {
    match actor {
        Actor::Staff(s) if s.role == Role::Mediator => Ok(s.id.clone()),
        _ => Err(AppError::Forbidden),
    }
}

/// A new feed URL for the mediator; the earlier ones stop working.
pub async fn create_feed(state: &AppState, actor: Actor) -> Result<CalendarFeed, AppError> {
    let me = mediator_of(&actor)?;
    let base = state.settings.email.public_base_url.trim_end_matches('/').to_owned();
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| {
            med_db::revoke_feeds(conn, &me, now)?;
            let token = super::auth::new_token();
            med_db::insert_feed(conn, &super::auth::token_hash(&token), &me, now)?;
            Ok(CalendarFeed {
                url: format!("{base}/calendar/{token}.ics"),
            })
        })
        .await
}

/// Ends every feed of the mediator.
pub async fn revoke_feed(state: &AppState, actor: Actor) -> Result<(), AppError> {
    let me = mediator_of(&actor)?;
    let now = state.clock.now().naive_utc();
    state
        .db
        .write(move |conn| med_db::revoke_feeds(conn, &me, now).map(|_| ()).map_err(AppError::from))
        .await
}

/// The calendar behind a feed token: every session of its mediator, cancelled ones as
/// `STATUS:CANCELLED`; tracking codes, times and places only. An unknown or revoked token is
/// 404 and counts against the client address like other link tokens (`limits.link_address`).
pub async fn feed(state: &AppState, token: String, addr: std::net::IpAddr) -> Result<String, AppError> {
    let (lim, now) = (state.settings.limits.clone(), state.clock.now());
    let keys = [Key::new(Limit::LinkAddress, &addr.to_string())];
    let ctx = NotifyCtx::from_state(state);
    let found = {
        let (keys, lim) = (keys.clone(), lim.clone());
        state
            .db
            .run(move |conn| {
                limits::ensure_open(conn, &lim, &keys, now.timestamp())?;
                if !links::is_token_shaped(&token) {
                    return Ok(None);
                }
                let Some(user) = med_db::feed_user(conn, &super::auth::token_hash(&token))? else {
                    return Ok(None);
                };
                let sessions = med_db::sessions_of_mediators(conn, &[user], None)?;
                Ok(Some(feed_ics(&ctx, &sessions)))
            })
            .await?
    };
    if let Some(ics) = found {
        return Ok(ics);
    }
    state
        .db
        .write(move |conn| limits::count(conn, &lim, &keys, now.timestamp()))
        .await?
        .into_result()?;
    Err(AppError::NotFound("calendar"))
}

fn feed_ics(ctx: &NotifyCtx, sessions: &[(SessionRow, String)]) -> String {
    let texts: Vec<(String, String, String, String)> = sessions
        .iter()
        .map(|(s, code)| {
            (
                uid(s),
                format!("Phiên hòa giải — hồ sơ {code}"),
                venue(s),
                format!("Hồ sơ {code}. Trạng thái: {}.", s.status),
            )
        })
        .collect();
    let organizer = format!("mailto:{}", ctx.from_address);
    let events: Vec<IcsEvent<'_>> = sessions
        .iter()
        .zip(&texts)
        .map(|((s, _), (uid, summary, location, description))| {
            let start = utc(s.starts_at);
            IcsEvent {
                uid,
                sequence: s.sequence,
                start,
                end: start + TimeDelta::minutes(i64::from(s.duration_minutes)),
                summary,
                location,
                description,
                organizer: &organizer,
                attendees: &[],
                cancelled: s.status == CANCELLED,
            }
        })
        .collect();
    mail::ics_calendar(None, &events)
}
