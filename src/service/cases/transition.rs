//! A transition of a case: who may, what it changes, its event, and what it records beside.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::super::clocks;
use super::super::events::{self, NewEvent};
use super::super::intake::IntakeContext;
use super::super::scope_of;
use super::super::views::{self, CaseDetail};
use super::{detail, load_visible};
use crate::db::cases::{self as case_db, CaseChangeset, CaseRow};
use crate::db::{reference, users, AnyConnection};
use crate::domain::case::{self, Action, ActionName, CaseState, Status};
use crate::domain::ids::MediationSessionId;
use crate::domain::user::{Actor, Role};
use crate::error::{AppError, ErrorCode};
use crate::state::AppState;

/// The original a case is marked a duplicate of: another case, visible to the caller, that
/// their agency handles, and not closed as a duplicate itself.
fn check_original(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &CaseRow,
    of_case_id: &crate::domain::ids::CaseId,
) -> Result<(), AppError> {
    if of_case_id == &row.id {
        return Err(AppError::invalid(
            "of_case_id",
            "a case cannot duplicate itself",
            "hồ sơ không thể trùng với chính nó",
        ));
    }
    let original = case_db::find_visible(conn, of_case_id, &scope_of(actor))?
        .ok_or_else(|| AppError::invalid("of_case_id", "no such case", "không có hồ sơ này"))?;
    // The original is the case that goes on: never one closed as a duplicate itself (two
    // cases marked each other's duplicate would both be closed and nobody would handle
    // the complaint; a chain hides the case that does).
    if original.outcome == Some(crate::domain::case::Outcome::Duplicate) {
        return Err(AppError::invalid(
            "of_case_id",
            "that case is itself closed as a duplicate: name the case it duplicates",
            "hồ sơ này đã được đóng vì trùng với hồ sơ khác: hãy chọn hồ sơ gốc của nó",
        ));
    }
    // Merging writes an event into the original: only into a case the caller's agency
    // handles, not one it may merely read (e.g. after transferring it away).
    let own = matches!(actor, Actor::Staff(s) if s.agency.is_some() && s.agency == original.current_agency);
    if !own {
        return Err(AppError::invalid(
            "of_case_id",
            "the original must be a case your agency handles",
            "hồ sơ gốc phải là hồ sơ do cơ quan của bạn đang xử lý",
        ));
    }
    Ok(())
}

/// Checks that an action's references exist and fit (agencies, users, other cases).
fn check_references(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &CaseRow,
    action: &Action,
    ctx: &IntakeContext,
) -> Result<(), AppError> {
    let unknown_agency = |field: &str| AppError::invalid(field, "unknown agency code", "mã cơ quan không tồn tại");
    match action {
        Action::Route { agency, .. } if !reference::agency_exists(conn, agency)? => Err(unknown_agency("agency")),
        Action::Transfer { to_agency, .. } if !reference::agency_exists(conn, to_agency)? => {
            Err(unknown_agency("to_agency"))
        }
        Action::Route {
            agency,
            unit: Some(unit),
        }
        | Action::Transfer {
            to_agency: agency,
            unit: Some(unit),
            ..
        } => crate::service::reference::check_unit(ctx.router.units(), Some(unit), Some(agency)),
        Action::Accept { assignee_id: Some(uid) } | Action::Assign { assignee_id: uid } => {
            // Share-locked: an administrator deactivating or moving the person now either waits
            // for this assignment (and then releases the case) or is seen by it (ADR 0062, 0065).
            crate::db::portability::share_row(conn, crate::db::portability::Locked::User, uid)?;
            let ok = users::find_by_id(conn, uid)?.is_some_and(|u| u.works_cases_at(row.current_agency.as_ref()));
            if ok {
                Ok(())
            } else {
                Err(AppError::invalid(
                    "assignee_id",
                    "the assignee must be an active handler or supervisor of the case's agency",
                    "người được giao phải là cán bộ xử lý hoặc lãnh đạo đang hoạt động của cơ quan đang giữ hồ sơ",
                ))
            }
        }
        Action::AppointMediator { .. } => crate::service::mediators::check_appointment(conn, row, action),
        Action::RecordPerformance { .. } => super::performance::check_open(conn, row, ctx.clock.now()),
        Action::MarkDuplicate { of_case_id } => check_original(conn, actor, row, of_case_id),
        // Law 19/2023 Art 54(2): a dispute that harms many consumers is neither negotiated nor
        // mediated; it goes to the enforcement agency as a violation report.
        Action::ForwardToBusiness { .. } | Action::RequestMediation { .. } => match &row.business_key {
            Some(key) => {
                let since = ctx.clock.now().naive_utc() - chrono::TimeDelta::days(ctx.cluster_window_days);
                let n = case_db::consumers_of_business(conn, key, since)?;
                if n as i64 >= ctx.cluster_min_consumers {
                    let lead = ctx
                        .router
                        .taxonomy()
                        .lead_agency(crate::domain::Kind::ViolationReport, &row.category)
                        .unwrap_or("QLTT")
                        .to_owned();
                    return Err(AppError::Conflict {
                        code: ErrorCode::MassHarmNotNegotiable,
                        en: format!(
                            "{n} consumers complained about this business within {} days: harm to many consumers is not negotiated (Law 19/2023 Art 54(2)); reclassify the case as a violation_report and transfer it to {lead}",
                            ctx.cluster_window_days
                        ),
                        vi: format!(
                            "{n} người tiêu dùng đã phản ánh về doanh nghiệp này trong {} ngày: vụ việc gây thiệt hại cho nhiều người tiêu dùng không giải quyết bằng thương lượng (Điều 54 khoản 2 Luật 19/2023); đề nghị phân loại lại là phản ánh vi phạm và chuyển {lead}",
                            ctx.cluster_window_days
                        ),
                    });
                }
                Ok(())
            }
            None => Ok(()),
        },
        Action::Reclassify { category, .. } if ctx.router.taxonomy().category(category).is_none() => Err(
            AppError::invalid("category", "unknown category code", "mã lĩnh vực không tồn tại"),
        ),
        _ => Ok(()),
    }
}

/// Common fields every action body may carry.
pub struct ActionEnvelope {
    pub version: i32,
    pub note: Option<String>,
    pub public_message: Option<String>,
}

/// Performs a transition: checks visibility, version, state and role, writes the change and its event.
pub async fn act(
    state: &AppState,
    actor: Actor,
    id: String,
    action: Action,
    env: ActionEnvelope,
) -> Result<CaseDetail, AppError> {
    let clock = state.clock.clone();
    let ctx = IntakeContext::from_state(state);
    let clock_settings = state.settings.clocks.clone();
    state
        .db
        .write(move |conn| {
            let row = load_visible(conn, &actor, &id)?;
            let now = clock.now();
            let row = act_on(conn, &ctx, &clock_settings, &actor, row, action, &env, now)?;
            detail(conn, &actor, row, now)
        })
        .await
}

/// The transition itself, on a case already loaded for `actor` (inside the caller's write
/// transaction): version, state and role checks, the change, grants, clocks, e-mails, the
/// event. Returns the case as it is after.
#[allow(clippy::too_many_arguments)]
pub(super) fn act_on(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    clock_settings: &crate::config::ClockSettings,
    actor: &Actor,
    row: CaseRow,
    action: Action,
    env: &ActionEnvelope,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<CaseRow, AppError> {
    let st = views::state_of(&row)?;
    let name = action.name();
    if env.version != row.version {
        return Err(AppError::VersionConflict { current: row.version });
    }
    // Accept defaults the assignee to the handler who accepts.
    let action = match (action, actor) {
        (Action::Accept { assignee_id: None }, Actor::Staff(s)) if s.role != Role::Operator => Action::Accept {
            assignee_id: Some(s.id.clone()),
        },
        (a, _) => a,
    };
    let next = case::decide(actor, &st, &action)?;
    check_references(conn, actor, &row, &action, ctx)?;
    check_times(conn, &row, &next, &action, at)?;
    let t = at.naive_utc();
    let ch = changeset(conn, &st, &next, &action, &row, ctx, at)?;
    if !case_db::update_if_version(conn, &row.id, row.version, &ch)? {
        return Err(AppError::VersionConflict {
            current: case_db::current_version(conn, &row.id)?,
        });
    }
    grant_access(conn, &row.id, &st, &next)?;
    let cal = clocks::load_calendar(conn)?;
    clocks::on_transition(conn, &cal, clock_settings, &row.id, &st, &next, &action, at)?;
    crate::service::notify::on_transition(conn, &ctx.notify, &row, &next, &action, at)?;
    crate::service::notify::to_new_assignee(conn, &ctx.notify, actor, &row, &next, at)?;
    let session = crate::service::sessions::on_schedule(conn, &ctx.notify, &row, &next, &action, at)?;
    if let Action::RecordPerformance {
        performed: true,
        recovered_vnd: Some(amount),
    } = &action
    {
        case_db::insert_recovery(conn, &row.id, *amount, t)?;
    }
    // Before the event: its digest covers the corrected row.
    if let Action::CorrectData { correction, .. } = &action {
        apply_correction(conn, ctx, &row, correction)?;
    }
    append_event(conn, ctx, actor, &row.id, &st, &next, &action, env, session, t)?;
    record_correction(conn, ctx, actor, &row, &next, name, t)?;
    if let Action::MarkDuplicate { of_case_id } = &action {
        link_duplicate(conn, &ctx.chain_key, actor, &row, of_case_id, t)?;
    }
    let mut after = case_db::find_by_id(conn, &row.id)?.ok_or(AppError::NotFound("case"))?;
    crate::service::sessions::on_leave_mediation(conn, &ctx.notify, &ctx.chain_key, actor, &row, &after, at)?;
    // The service's own consequence of the reopening, whoever reopened.
    if st.status == Status::Closed && after.status.is_open() {
        super::release_if_gone(conn, &ctx.chain_key, &Actor::System, &after, t)?;
        after = case_db::find_by_id(conn, &row.id)?.ok_or(AppError::NotFound("case"))?;
    }
    Ok(after)
}

/// The times an action carries, against the service's clock: a settlement record's dates
/// ([`case::check_action_dates`]); a new mediation session's start (`sessions::check_time`).
fn check_times(
    conn: &mut AnyConnection,
    row: &CaseRow,
    next: &CaseState,
    action: &Action,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    case::check_action_dates(action, at)?;
    if let Action::ScheduleMediationSession {
        at: start,
        duration_minutes,
        ..
    } = action
    {
        let minutes = i64::from(*duration_minutes);
        crate::service::sessions::check_time(conn, &row.id, next.mediator_id.as_ref(), None, *start, minutes, at)?;
    }
    Ok(())
}

/// Writes corrected intake data, and what follows from it: the last four digits the public
/// lookup asks for, the business key of mass-complaint clusters, the product's key of early
/// warning, the search words.
fn apply_correction(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    row: &CaseRow,
    c: &crate::domain::case::Correction,
) -> Result<(), AppError> {
    let phone = c.consumer_phone.as_ref().map(|p| p.as_ref().to_owned());
    let name = c.business_name.clone().or_else(|| row.business_name.clone());
    let tax = c
        .business_tax_code
        .as_ref()
        .map(|t| t.as_ref().to_owned())
        .or_else(|| row.business_tax_code.clone());
    let product = match &c.product {
        Some(p) => Some(p.name()),
        None => row.product.as_deref(),
    };
    let search = crate::domain::search::index_text(&[
        Some(&row.description),
        row.consumer_request.as_deref(),
        name.as_deref(),
        tax.as_deref(),
        product,
        Some(row.tracking_code.as_str()),
        Some(phone.as_deref().unwrap_or(&row.consumer_phone)),
        Some(&row.consumer_name),
    ]);
    let business_changed = c.business_name.is_some() || c.business_tax_code.is_some();
    let ch = case_db::CorrectedData {
        consumer_phone_last4: c.consumer_phone.as_ref().map(|p| p.last4().to_owned()),
        consumer_phone: phone,
        consumer_email: c.consumer_email.as_ref().map(|e| Some(e.as_ref().to_owned())),
        business_name: c.business_name.clone().map(Some),
        business_tax_code: c.business_tax_code.as_ref().map(|t| Some(t.as_ref().to_owned())),
        business_key: business_changed
            .then(|| super::super::intake::business_key(name.as_deref(), tax.as_deref(), &ctx.business_stopwords)),
        product: c.product.as_ref().map(|p| Some(p.name().to_owned())),
        product_key: c.product.as_ref().map(|p| Some(p.key().to_owned())),
        search_text: Some(search),
    };
    case_db::correct(conn, &row.id, &ch)?;
    Ok(())
}

/// Who may see the case after the transition: the agency that holds it, the agency a
/// transfer waits for. A transfer that ends without the target taking the case (declined, or
/// the case closed, withdrawn or referred while it waited) takes back the read access it gave
/// (unless the agency held the case).
fn grant_access(conn: &mut AnyConnection, case_id: &str, st: &CaseState, next: &CaseState) -> Result<(), AppError> {
    if let Some(agency) = &next.current_agency {
        case_db::grant_agency(conn, case_id, agency)?;
    }
    if let Some(agency) = &next.pending_transfer_to {
        case_db::grant_pending(conn, case_id, agency)?;
    }
    if let Some(target) = &st.pending_transfer_to {
        let still_waits = next.pending_transfer_to.as_ref() == Some(target);
        if !still_waits && next.current_agency.as_ref() != Some(target) {
            case_db::revoke_provisional(conn, case_id, target)?;
        }
    }
    Ok(())
}

/// The action's event in the case's history: the action as data, with the internal note
/// (and the id of the session a `schedule_mediation_session` made).
#[allow(clippy::too_many_arguments)]
fn append_event(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    case_id: &str,
    st: &CaseState,
    next: &CaseState,
    action: &Action,
    env: &ActionEnvelope,
    session: Option<MediationSessionId>,
    t: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let mut data = serde_json::to_value(action).map_err(|e| AppError::Internal(e.into()))?;
    // The session a `schedule_mediation_session` made (ADR 0028).
    if let Some(id) = session {
        data["session_id"] = serde_json::Value::String(id.to_string());
    }
    if let Some(note) = &env.note {
        data["note"] = serde_json::Value::String(note.clone());
    }
    events::append(
        conn,
        &ctx.chain_key,
        case_id,
        actor,
        t,
        NewEvent {
            action: action.name().as_str().into(),
            from_status: Some(st.status),
            to_status: next.status,
            data,
            public_message: env.public_message.clone(),
        },
    )?;
    Ok(())
}

/// The unit that works the case after a route or an accepted transfer (ADR 0033): the one the
/// action named, else the unit of the new agency suggested from the consumer's commune, else
/// none. `None`: the action does not change the unit.
fn unit_after(
    conn: &mut AnyConnection,
    action: &Action,
    row: &CaseRow,
    next: &CaseState,
) -> Result<Option<Option<String>>, AppError> {
    let named = match action {
        Action::Route { unit, .. } => unit.clone(),
        // The unit the pending transfer named, recorded in its event.
        Action::AcceptTransfer => case_db::list_events(conn, &row.id)?
            .iter()
            .rev()
            .find(|e| e.action == "transfer")
            .and_then(|e| {
                let data: serde_json::Value = serde_json::from_str(&e.data).ok()?;
                data["unit"].as_str().map(str::to_owned)
            }),
        _ => return Ok(None),
    };
    if named.is_some() {
        return Ok(Some(named));
    }
    let Some(agency) = &next.current_agency else {
        return Ok(Some(None));
    };
    let sug = views::stored_json(&row.suggestion, "suggestion", &row.id)?;
    let suggested = sug["units"].as_array().and_then(|us| {
        us.iter()
            .find(|u| u["agency"].as_str() == Some(agency.as_str()))
            .and_then(|u| u["code"].as_str().map(str::to_owned))
    });
    Ok(Some(suggested))
}

/// The columns that change from state `st` to `next`, and the suggestion a reclassification
/// annotates.
fn changeset(
    conn: &mut AnyConnection,
    st: &CaseState,
    next: &CaseState,
    action: &Action,
    row: &CaseRow,
    ctx: &IntakeContext,
    at: DateTime<Utc>,
) -> Result<CaseChangeset, AppError> {
    let mut ch = CaseChangeset::between(st, next, at.naive_utc());
    if let Some(unit) = unit_after(conn, action, row, next)? {
        ch.unit_code = (unit != row.unit_code).then_some(unit);
    }
    if let Action::Reclassify { kind, category } = action {
        let lead = ctx.router.taxonomy().lead_agency(*kind, category).map(str::to_owned);
        let mut sug = views::stored_json(&row.suggestion, "suggestion", &row.id)?;
        sug["reclassified"] = serde_json::json!({ "kind": kind, "category": category, "agency": lead, "at": at });
        ch.suggestion = Some(sug.to_string());
    }
    Ok(ch)
}

/// Marks `row` as a duplicate on the original too: both histories stay, the original records
/// that this case was merged into it.
fn link_duplicate(
    conn: &mut AnyConnection,
    key: &events::ChainKey,
    actor: &Actor,
    row: &CaseRow,
    of_case_id: &str,
    t: NaiveDateTime,
) -> Result<(), AppError> {
    case_db::touch(conn, of_case_id, t)?;
    let original = case_db::find_by_id(conn, of_case_id)?.ok_or(AppError::NotFound("case"))?;
    events::append(
        conn,
        key,
        of_case_id,
        actor,
        t,
        NewEvent {
            action: "duplicate_linked".into(),
            from_status: Some(original.status),
            to_status: original.status,
            data: serde_json::json!({ "duplicate_case_id": row.id, "duplicate_tracking_code": row.tracking_code }),
            public_message: None,
        },
    )?;
    Ok(())
}

/// The text a routing correction keeps: the description, then the consumer's request.
pub(crate) fn correction_text(description: &str, request: Option<&str>) -> String {
    match request {
        Some(r) => format!("{description}\n{r}"),
        None => description.to_owned(),
    }
}

/// Records what the router suggested and what a person decided, whenever a person decides the
/// kind, category or agency (route, reclassify, an accepted transfer), so the rules can be judged
/// on real traffic (`hotline routing evaluate --from-corrections`).
fn record_correction(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    row: &CaseRow,
    next: &case::CaseState,
    name: ActionName,
    at: NaiveDateTime,
) -> Result<(), AppError> {
    let final_agency = match name {
        ActionName::Route | ActionName::AcceptTransfer => next.current_agency.as_ref().map(|a| a.to_string()),
        ActionName::Reclassify => ctx
            .router
            .taxonomy()
            .lead_agency(next.kind, &next.category)
            .map(str::to_owned),
        _ => return Ok(()),
    };
    let sug = views::stored_json(&row.suggestion, "suggestion", &row.id)?;
    // What the router learns from, without the contact details the text may carry (phone
    // numbers, addresses, identity numbers); erasure rewrites it with the case (`privacy`).
    let text = crate::text::redact(&correction_text(&row.description, row.consumer_request.as_deref()));
    case_db::insert_correction(
        conn,
        &case_db::CorrectionRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: row.id.to_string(),
            at,
            actor_id: actor.id().map(str::to_owned),
            source: name.as_str().into(),
            text,
            suggested_kind: sug["kind"].as_str().unwrap_or_default().to_owned(),
            suggested_category: sug["category"].as_str().unwrap_or_default().to_owned(),
            suggested_agency: sug["agency"].as_str().map(str::to_owned),
            final_kind: next.kind.as_str().into(),
            final_category: next.category.to_string(),
            final_agency,
        },
    )?;
    Ok(())
}
