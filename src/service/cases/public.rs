//! What a citizen sees of their complaint: through their private link, or with the tracking
//! code and the phone's last four digits (limited: see `service::limits`).

use std::net::IpAddr;

use super::super::audit::{self, Audit, AuditAction};
use super::super::clocks;
use super::super::limits::{self, Key, Limit};
use super::super::links::{self, Audience};
use super::super::views::{self, PublicAgency, PublicMessage, PublicStage, PublicStatus};
use crate::db::cases::{self as case_db, CaseRow};
use crate::db::AnyConnection;
use crate::domain::case::{ActionName, Outcome, Status};
use crate::domain::clock::{ClockKind, ClockState};
use crate::domain::user::Actor;
use crate::domain::values::normalize_tracking_code;
use crate::error::AppError;
use crate::routing::Router;
use crate::state::AppState;

/// The citizen's status page by tracking code and the phone's last four digits; a wrong pair
/// is a plain 404, the same as an unknown code. Wrong digits count against the code and the
/// client's address; while either is locked the answer is 429 without looking (a code's lock
/// is audited and e-mailed to the supervisors of the case's agency).
pub async fn public_status(
    state: &AppState,
    code: String,
    phone_last4: String,
    addr: IpAddr,
) -> Result<PublicStatus, AppError> {
    if phone_last4.len() != 4 || !phone_last4.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "phone_last4",
            "the last 4 digits of the phone number are required",
            "cần 4 chữ số cuối của số điện thoại",
        ));
    }
    let code_in = code;
    let code = normalize_tracking_code(&code_in);
    let keys = [
        Key::new(Limit::StatusCode, &code),
        Key::new(Limit::StatusAddress, &addr.to_string()),
    ];
    let (router, limits, now) = (state.router.clone(), state.settings.limits.clone(), state.clock.now());
    let found = {
        let (keys, limits) = (keys.clone(), limits.clone());
        state
            .db
            .run(move |conn| {
                limits::ensure_open(conn, &limits, &keys, now.timestamp())?;
                match case_db::find_by_tracking_code(conn, &code)?.filter(|r| r.consumer_phone_last4 == phone_last4) {
                    Some(row) => Ok(Some(status_of(conn, &router, &row)?)),
                    None => Ok(None),
                }
            })
            .await?
    };
    if let Some(status) = found {
        return Ok(status);
    }
    let ctx = super::super::notify::NotifyCtx::from_state(state);
    let code_for_alert = normalize_tracking_code(&code_in);
    let counted = state
        .db
        .write(move |conn| {
            let counted = limits::count(conn, &limits, &keys, now.timestamp())?;
            if counted.newly_locked.contains(&Limit::StatusCode) {
                code_locked(conn, &ctx, &code_for_alert, addr, now, counted.retry_after.unwrap_or(0))?;
            }
            Ok(counted)
        })
        .await?;
    counted.into_result()?;
    Err(AppError::NotFound("complaint"))
}

/// A tracking code was locked: an audit record and, if the code is a case's, a warning to the
/// supervisors of its agency.
fn code_locked(
    conn: &mut AnyConnection,
    ctx: &super::super::notify::NotifyCtx,
    code: &str,
    addr: IpAddr,
    now: chrono::DateTime<chrono::Utc>,
    secs: i64,
) -> Result<(), AppError> {
    let case = case_db::find_by_tracking_code(conn, code)?;
    audit::record(
        conn,
        Audit {
            action: AuditAction::StatusCodeLocked,
            actor_id: None,
            subject: case.as_ref().map(|c| c.id.as_str()),
            addr: Some(addr),
            detail: Some(format!("locked for {secs} s")),
        },
        now,
    )?;
    let Some(case) = case else { return Ok(()) };
    let Some(agency) = case.current_agency.as_deref() else {
        return Ok(());
    };
    let until = (now + chrono::TimeDelta::seconds(secs)).with_timezone(&crate::calendar::tz());
    for (_, to) in crate::db::users::agency_emails(conn, agency, &["supervisor"])? {
        let alert = crate::email::SecurityAlert {
            tracking_code: case.tracking_code.to_string(),
            locked_until: until.format("%H:%M ngày %d/%m/%Y").to_string(),
            agency_name: router_agency_name(ctx, agency),
        };
        super::super::jobs::enqueue_email(conn, &to, &alert, now, ctx.max_attempts)?;
    }
    Ok(())
}

fn router_agency_name(ctx: &super::super::notify::NotifyCtx, code: &str) -> String {
    ctx.router
        .taxonomy()
        .agency(code)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| code.to_owned())
}

/// Reads the case a link opens for `audience` and makes `read` of it. An unknown, expired or
/// revoked link is a 404 and counts against the client's address (`limits.link_address`);
/// while the address is locked, 429 without looking.
pub(super) async fn read_through_link<T: Send + 'static>(
    state: &AppState,
    token: String,
    audience: Audience,
    addr: IpAddr,
    read: impl FnOnce(&mut AnyConnection, CaseRow) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let (limits, now) = (state.settings.limits.clone(), state.clock.now());
    let lapse_days = state.settings.links.expire_days_after_closure;
    let keys = [Key::new(Limit::LinkAddress, &addr.to_string())];
    let found = {
        let (keys, limits) = (keys.clone(), limits.clone());
        state
            .db
            .run(move |conn| {
                limits::ensure_open(conn, &limits, &keys, now.timestamp())?;
                let Some(case_id) = links::resolve(conn, &token, audience, now)? else {
                    return Ok(None);
                };
                let row = case_db::find_by_id(conn, &case_id)?.ok_or(AppError::NotFound("case"))?;
                if audience == Audience::Consumer && link_lapsed(conn, &row, now, lapse_days)? {
                    return Ok(None);
                }
                read(conn, row).map(Some)
            })
            .await?
    };
    if let Some(found) = found {
        return Ok(found);
    }
    state
        .db
        .write(move |conn| limits::count(conn, &limits, &keys, now.timestamp()))
        .await?
        .into_result()?;
    Err(AppError::NotFound("case"))
}

/// Whether the consumer's links to this case have lapsed: `links.expire_days_after_closure`
/// days after closure, or after the agreed date of a settlement still to be carried out (the
/// consumer must be able to say whether it was).
fn link_lapsed(
    conn: &mut AnyConnection,
    row: &CaseRow,
    now: chrono::DateTime<chrono::Utc>,
    days: i64,
) -> Result<bool, AppError> {
    if !links::lapsed_after_closure(row.closed_at, now, days) {
        return Ok(false);
    }
    let performing = crate::db::clocks::for_case(conn, &row.id)?
        .into_iter()
        .find(|c| c.clock == ClockKind::SettlementPerformance && c.state == ClockState::Running);
    Ok(performing.is_none_or(|c| links::lapsed_after_closure(Some(c.due_at), now, days)))
}

/// The citizen's status page through their private link, with what they may do now.
pub async fn status_by_link(state: &AppState, token: String, addr: IpAddr) -> Result<PublicStatus, AppError> {
    let router = state.router.clone();
    let now = state.clock.now();
    read_through_link(state, token, Audience::Consumer, addr, move |conn, row| {
        let mut status = status_of(conn, &router, &row)?;
        status.actions = citizen_actions(conn, &row, now)?;
        status.files = citizen_files(conn, &row.id)?;
        Ok(status)
    })
    .await
}

/// What the public sees of a case: stages, public messages (redacted), running public clocks.
pub(super) fn status_of(conn: &mut AnyConnection, router: &Router, row: &CaseRow) -> Result<PublicStatus, AppError> {
    let st = views::state_of(row)?;
    let evs = case_db::list_events(conn, &row.id)?;
    let clock_rows = crate::db::clocks::for_case(conn, &row.id)?;
    let agency = row.current_agency.as_ref().map(|code| PublicAgency::of(router, code));
    let mut history: Vec<PublicStage> = Vec::new();
    for e in &evs {
        if history.last().is_none_or(|h| h.status != e.to_status.as_str()) {
            history.push(PublicStage {
                at: views::utc(e.at),
                status: e.to_status.to_string(),
                stage: e.to_status.label_vi().to_owned(),
            });
        }
    }
    let messages = evs
        .iter()
        .filter_map(|e| {
            e.public_message.as_ref().map(|m| PublicMessage {
                at: views::utc(e.at),
                message: crate::text::redact(m),
            })
        })
        .collect();
    Ok(PublicStatus {
        tracking_code: row.tracking_code.to_string(),
        status: row.status.to_string(),
        stage: st.status.label_vi().to_owned(),
        outcome: row.outcome.map(|o| o.to_string()),
        outcome_label: st.outcome.map(|o| o.label_vi().to_owned()),
        kind: row.kind.to_string(),
        category: row.category.to_string(),
        agency,
        created_at: views::utc(row.created_at),
        updated_at: views::utc(row.updated_at),
        due_dates: views::running(&clock_rows)
            .into_iter()
            .filter(|c| c.clock.is_public())
            .map(views::DueView::from)
            .collect(),
        messages,
        history,
        actions: vec![],
        files: vec![],
        information_requested: information_requested(row, &evs),
    })
}

/// What the agency asked the consumer for, while the case waits for it: the `requested` of
/// the last `request_info` event.
fn information_requested(row: &CaseRow, evs: &[case_db::EventRow]) -> Option<String> {
    if row.status != Status::AwaitingInfo {
        return None;
    }
    let e = evs.iter().rev().find(|e| e.action == "request_info")?;
    let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
    data["requested"].as_str().map(crate::text::redact)
}

/// The files the consumer sent (staff's own evidence is not listed).
fn citizen_files(conn: &mut AnyConnection, case_id: &str) -> Result<Vec<views::PublicFile>, AppError> {
    Ok(case_db::list_evidence(conn, case_id)?
        .into_iter()
        .filter(|e| e.source == "citizen")
        .map(|e| views::PublicFile {
            file_name: e.file_name,
            size_bytes: e.size_bytes,
            received_at: views::utc(e.created_at),
        })
        .collect())
}

/// Days after closure during which the consumer may rate the outcome (product.md §3).
const RATING_DAYS: i64 = 30;

/// The actions the consumer may take now through their private link: the transitions the
/// domain allows a citizen (`withdraw`, `provide_info`), and `rate` once within 30 days of
/// closure (reopening is what a "not resolved" rating does, not an action of its own).
fn citizen_actions(
    conn: &mut AnyConnection,
    row: &CaseRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<String>, AppError> {
    let st = views::state_of(row)?;
    let mut actions: Vec<String> = crate::domain::case::allowed_actions(&Actor::Citizen, &st)
        .into_iter()
        .filter(|a| !matches!(a, ActionName::Reopen | ActionName::RecordPerformance))
        .map(|a| match a {
            // The consumer's own note is information they add (`POST …/information`).
            ActionName::AddNote => "add_info".to_owned(),
            a => a.as_str().to_owned(),
        })
        .collect();
    if may_rate(conn, row, now)? {
        actions.push("rate".into());
    }
    if settlement_open(conn, row, now)?.is_some() {
        actions.push("confirm_settlement".into());
    }
    Ok(actions)
}

/// Whether the consumer may say now whether a settlement was carried out: the case closed as
/// settled (negotiation, Art 60; mediation, Art 65), its `settlement_performance` clock still
/// running or its closure within the 30 days of the rating, and no answer since it closed.
/// `Some(due)` when open, with the agreed date of performance if there is one.
pub(super) fn settlement_open(
    conn: &mut AnyConnection,
    row: &CaseRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Option<chrono::NaiveDate>>, AppError> {
    let settled = matches!(
        row.outcome,
        Some(Outcome::SettledNegotiation) | Some(Outcome::SettledMediation)
    );
    let Some(closed_at) = row.closed_at.filter(|_| settled && row.status == Status::Closed) else {
        return Ok(None);
    };
    let running = crate::db::clocks::for_case(conn, &row.id)?
        .into_iter()
        .find(|c| c.clock == ClockKind::SettlementPerformance && c.state == ClockState::Running);
    let recent = now.naive_utc() - closed_at <= chrono::TimeDelta::days(RATING_DAYS);
    if running.is_none() && !recent {
        return Ok(None);
    }
    let answered = case_db::list_events(conn, &row.id)?.iter().any(|e| {
        e.at >= closed_at
            && matches!(
                e.action.as_str(),
                SETTLEMENT_PERFORMED | SETTLEMENT_NOT_PERFORMED | RECORD_PERFORMANCE
            )
    });
    Ok((!answered).then(|| running.map(|c| c.due_date)))
}

const SETTLEMENT_PERFORMED: &str = "settlement_performed";
const SETTLEMENT_NOT_PERFORMED: &str = "settlement_not_performed";
const RECORD_PERFORMANCE: &str = "record_performance";

/// The consumer says whether the settlement was carried out. Carried out: an event, and the
/// performance clock stops. Not carried out (only once its agreed date has passed, if there is
/// one: until then the business is within time, Art 66): the case returns to the handler in
/// `accepted` (`record_performance`, ADR 0029), with an event; the message says what the law
/// offers next.
#[allow(clippy::too_many_arguments)]
fn confirm_settlement(
    conn: &mut AnyConnection,
    ctx: &super::super::intake::IntakeContext,
    clock_settings: &crate::config::ClockSettings,
    row: CaseRow,
    performed: bool,
    comment: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CaseRow, AppError> {
    let refused = |row: &CaseRow| AppError::InvalidTransition {
        action: "confirm_settlement".into(),
        status: row.status.to_string(),
        allowed: vec![],
    };
    let Some(due) = settlement_open(conn, &row, now)? else {
        return Err(refused(&row));
    };
    let mediated = row.outcome == Some(Outcome::SettledMediation);
    let (row, action, message) = if performed {
        clocks::settlement_performed(conn, &row.id, now)?;
        (
            row,
            SETTLEMENT_PERFORMED,
            "Quý vị xác nhận thỏa thuận đã được thực hiện.".to_owned(),
        )
    } else {
        if due.is_some_and(|d| crate::calendar::local_date(now) <= d) {
            return Err(AppError::InvalidTransition {
                action: "confirm_settlement".into(),
                status: row.status.to_string(),
                allowed: vec!["confirm_settlement".into()],
            });
        }
        let next = if mediated {
            "Quý vị cũng có thể yêu cầu Tòa án công nhận kết quả hòa giải thành trong 6 tháng kể từ ngày hòa giải thành (Điều 66 Luật 19/2023, Điều 418 Bộ luật Tố tụng dân sự) để được thi hành."
        } else {
            "Quý vị cũng có thể đề nghị hòa giải, hoặc khởi kiện tại Tòa án (thủ tục rút gọn với giao dịch dưới 100 triệu đồng, không phải tạm ứng án phí)."
        };
        let message =
            format!("Quý vị cho biết thỏa thuận chưa được thực hiện: hồ sơ được mở lại để cơ quan xem xét. {next}");
        // Back to the handler in `accepted`, as when staff or the sweep record it (ADR 0029).
        let env = super::transition::ActionEnvelope {
            version: row.version,
            note: Some("Người tiêu dùng cho biết thỏa thuận chưa được thực hiện.".into()),
            public_message: Some(message.clone()),
        };
        let missed = crate::domain::case::Action::RecordPerformance {
            performed: false,
            recovered_vnd: None,
        };
        let row = super::transition::act_on(conn, ctx, clock_settings, &Actor::Citizen, row, missed, &env, now)?;
        (row, SETTLEMENT_NOT_PERFORMED, message)
    };
    super::super::events::append(
        conn,
        &ctx.chain_key,
        &row.id,
        &Actor::Citizen,
        now.naive_utc(),
        super::super::events::NewEvent {
            action: action.into(),
            from_status: Some(row.status),
            to_status: row.status,
            data: serde_json::json!({ "performed": performed, "comment": comment.as_deref().map(crate::text::redact) }),
            public_message: performed.then_some(message),
        },
    )?;
    Ok(row)
}

fn may_rate(conn: &mut AnyConnection, row: &CaseRow, now: chrono::DateTime<chrono::Utc>) -> Result<bool, AppError> {
    let recent = row
        .closed_at
        .is_some_and(|c| now.naive_utc() - c <= chrono::TimeDelta::days(RATING_DAYS));
    Ok(row.status == Status::Closed && recent && !case_db::is_rated(conn, &row.id)?)
}

/// What a consumer does through their private link.
pub enum CitizenAction {
    /// Withdraws the request (any open stage); the reason is optional.
    Withdraw { reason: Option<String> },
    /// Sends the information the agency asked for (resumes the paused clocks).
    ProvideInfo { info: String },
    /// Rates a closed case once, within 30 days: 1–5, and whether it was resolved; "not
    /// resolved" reopens it to the state it closed from, for the agency's supervisors.
    Rate {
        score: i32,
        resolved: bool,
        comment: Option<String>,
    },
    /// Says whether a settlement (negotiation or mediation) was carried out; "not carried
    /// out" reopens the case to the agency.
    ConfirmSettlement { performed: bool, comment: Option<String> },
}

/// Performs a consumer's action through their private link, exactly as staff actions run
/// (state checks, clocks, e-mails, an event), and answers with the page's data. An unknown
/// link counts against the client's address (`limits.link_address`).
pub async fn act_by_link(
    state: &AppState,
    token: String,
    action: CitizenAction,
    addr: IpAddr,
) -> Result<PublicStatus, AppError> {
    act_by_link_with_files(state, token, action, addr, Vec::new()).await
}

/// [`act_by_link`] with files the consumer sends with their information (already stored and
/// fsynced, `http::citizen_upload`): recorded as evidence by the citizen in the action's own
/// transaction. Only information carries files. The caller removes the files if this fails.
pub async fn act_by_link_with_files(
    state: &AppState,
    token: String,
    action: CitizenAction,
    addr: IpAddr,
    files: Vec<super::super::evidence::StoredFile>,
) -> Result<PublicStatus, AppError> {
    let action = checked(action)?;
    if !files.is_empty() && !matches!(action, CitizenAction::ProvideInfo { .. }) {
        return Err(AppError::invalid(
            "evidence",
            "files come only with information",
            "chỉ gửi kèm tệp khi bổ sung thông tin",
        ));
    }
    let quota = state.settings.server.max_evidence_bytes_per_case;
    let lapse_days = state.settings.links.expire_days_after_closure;
    let (router, limits, clock) = (state.router.clone(), state.settings.limits.clone(), state.clock.clone());
    let (ctx, clock_settings) = (
        super::super::intake::IntakeContext::from_state(state),
        state.settings.clocks.clone(),
    );
    let keys = [Key::new(Limit::LinkAddress, &addr.to_string())];
    let done = state
        .db
        .write(move |conn| {
            let now = clock.now();
            limits::ensure_open(conn, &limits, &keys, now.timestamp())?;
            let Some(case_id) = links::resolve(conn, &token, Audience::Consumer, now)? else {
                limits::count(conn, &limits, &keys, now.timestamp())?;
                return Ok(None);
            };
            let row = case_db::find_by_id(conn, &case_id)?.ok_or(AppError::NotFound("complaint"))?;
            if link_lapsed(conn, &row, now, lapse_days)? {
                limits::count(conn, &limits, &keys, now.timestamp())?;
                return Ok(None);
            }
            let sent_information = matches!(action, CitizenAction::ProvideInfo { .. });
            let before_status = row.status;
            let row = match action {
                CitizenAction::Rate {
                    score,
                    resolved,
                    comment,
                } => rate(conn, &ctx, &clock_settings, row, score, resolved, comment, now)?,
                CitizenAction::ConfirmSettlement { performed, comment } => {
                    confirm_settlement(conn, &ctx, &clock_settings, row, performed, comment, now)?
                }
                other => {
                    let (action, message) = transition_of(other, &row)?;
                    if let crate::domain::case::Action::AddNote { .. } = action {
                        check_additions_today(conn, &row, now)?;
                    }
                    let env = super::transition::ActionEnvelope {
                        version: row.version,
                        note: None,
                        public_message: Some(message.into()),
                    };
                    super::transition::act_on(conn, &ctx, &clock_settings, &Actor::Citizen, row, action, &env, now)?
                }
            };
            if sent_information {
                let requested = before_status == Status::AwaitingInfo;
                crate::service::notify::consumer_sent_information(
                    conn,
                    &ctx.notify,
                    &row,
                    requested,
                    files.len(),
                    now,
                )?;
            }
            if !files.is_empty() {
                super::super::evidence::record_tx(
                    conn,
                    &ctx.chain_key,
                    &row,
                    &Actor::Citizen,
                    files,
                    now.naive_utc(),
                    quota,
                )?;
            }
            let mut status = status_of(conn, &router, &row)?;
            status.actions = citizen_actions(conn, &row, now)?;
            status.files = citizen_files(conn, &row.id)?;
            Ok(Some(status))
        })
        .await?;
    done.ok_or(AppError::NotFound("complaint"))
}

/// Validates what the consumer sent (before any database work).
fn checked(action: CitizenAction) -> Result<CitizenAction, AppError> {
    use crate::domain::values::{opt_text, text};
    Ok(match action {
        CitizenAction::Withdraw { reason } => CitizenAction::Withdraw {
            reason: opt_text("reason", reason.as_deref(), 2_000)?,
        },
        CitizenAction::ProvideInfo { info } => CitizenAction::ProvideInfo {
            info: text("info", &info, 20_000)?,
        },
        CitizenAction::ConfirmSettlement { performed, comment } => CitizenAction::ConfirmSettlement {
            performed,
            comment: opt_text("comment", comment.as_deref(), 2_000)?,
        },
        CitizenAction::Rate {
            score,
            resolved,
            comment,
        } => {
            if !(1..=5).contains(&score) {
                return Err(AppError::invalid("score", "a score from 1 to 5", "điểm từ 1 đến 5"));
            }
            CitizenAction::Rate {
                score,
                resolved,
                comment: opt_text("comment", comment.as_deref(), 2_000)?,
            }
        }
    })
}

/// Information a consumer may add in a day to a case that asked for none (each is e-mailed to
/// the handler): enough for every document found later, not a channel to flood.
pub const ADDITIONS_PER_DAY: usize = 10;

/// Refuses (429) an addition past [`ADDITIONS_PER_DAY`] in the last 24 hours, until the
/// oldest of them is a day old.
fn check_additions_today(
    conn: &mut AnyConnection,
    row: &CaseRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    let since = now.naive_utc() - chrono::TimeDelta::days(1);
    let today: Vec<chrono::NaiveDateTime> = case_db::list_events(conn, &row.id)?
        .into_iter()
        .filter(|e| e.action == "add_note" && e.actor_role == "citizen" && e.at > since)
        .map(|e| e.at)
        .collect();
    match today.iter().min() {
        // Rounded up: a retry at the second given is past the day.
        Some(oldest) if today.len() >= ADDITIONS_PER_DAY => Err(AppError::RateLimited {
            retry_after_secs: ((*oldest - since).num_milliseconds() + 999).div_euclid(1000).max(1),
        }),
        _ => Ok(()),
    }
}

/// The transition a consumer's withdrawal or information is, and the message they see:
/// information is the answer to a request while the case waits for one, else an addition to
/// the case (the consumer's note).
fn transition_of(
    action: CitizenAction,
    row: &CaseRow,
) -> Result<(crate::domain::case::Action, &'static str), AppError> {
    use crate::domain::case::Action;
    match action {
        CitizenAction::ProvideInfo { info } if row.status.is_open() && row.status != Status::AwaitingInfo => Ok((
            Action::AddNote { text: info },
            "Đã nhận thông tin quý vị gửi thêm; cơ quan sẽ xem xét cùng hồ sơ.",
        )),
        CitizenAction::Withdraw { reason } => Ok((
            Action::Withdraw {
                reason: reason.unwrap_or_else(|| "Người tiêu dùng rút yêu cầu.".into()),
            },
            "Quý vị đã rút yêu cầu; hồ sơ kết thúc.",
        )),
        CitizenAction::ProvideInfo { info } => Ok((
            Action::ProvideInfo { info },
            "Đã nhận thông tin bổ sung của quý vị; hồ sơ tiếp tục được giải quyết.",
        )),
        CitizenAction::Rate { .. } | CitizenAction::ConfirmSettlement { .. } => Err(AppError::Internal(
            anyhow::anyhow!("a rating or a settlement's confirmation is not a transition"),
        )),
    }
}

/// Records the rating; "not resolved" reopens the case (as the supervisor's `reopen` would) so
/// that it returns to the agency's queue. Once per case, within 30 days of closure.
#[allow(clippy::too_many_arguments)]
fn rate(
    conn: &mut AnyConnection,
    ctx: &super::super::intake::IntakeContext,
    clock_settings: &crate::config::ClockSettings,
    row: CaseRow,
    score: i32,
    resolved: bool,
    comment: Option<String>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CaseRow, AppError> {
    if !may_rate(conn, &row, now)? {
        return Err(AppError::InvalidTransition {
            action: "rate".into(),
            status: row.status.to_string(),
            allowed: vec![],
        });
    }
    case_db::insert_rating(conn, &row.id, score, resolved, comment.as_deref(), now.naive_utc())?;
    // A duplicate is not reopened: its original is the case that is handled.
    let reopens = !resolved
        && row.outcome != Some(crate::domain::case::Outcome::Duplicate)
        && views::state_of(&row)?.return_status.is_some();
    let row = if reopens {
        let env = super::transition::ActionEnvelope {
            version: row.version,
            note: None,
            public_message: Some("Quý vị cho biết phản ánh chưa được giải quyết: hồ sơ được mở lại.".into()),
        };
        let reopen = crate::domain::case::Action::Reopen {
            reason: "Người tiêu dùng đánh giá: chưa được giải quyết.".into(),
        };
        super::transition::act_on(conn, ctx, clock_settings, &Actor::Citizen, row, reopen, &env, now)?
    } else {
        row
    };
    super::super::events::append(
        conn,
        &ctx.chain_key,
        &row.id,
        &Actor::Citizen,
        now.naive_utc(),
        super::super::events::NewEvent {
            action: "rated".into(),
            from_status: Some(row.status),
            to_status: row.status,
            data: serde_json::json!({ "score": score, "resolved": resolved, "comment": comment.as_deref().map(crate::text::redact) }),
            public_message: None,
        },
    )?;
    Ok(row)
}
