//! Working cases: staff intake, reading, listing, transitions, history, public status.

use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::clocks;
use super::events::{self, NewEvent, Verification};
use super::intake::{create_case_tx, IntakeContext};
use super::scope_of;
use super::views::{
    self, CaseDetail, CasePage, CaseSummary, EventView, PublicAgency, PublicMessage, PublicStage, PublicStatus,
};
use crate::db::cases::{self as case_db, CaseChangeset, CaseRow};
pub use crate::db::cases::{Cursor, ListFilter, Sort};
use crate::db::{cluster_reports, reference, users, AnyConnection};
use crate::domain::case::{self, Action, ActionName, CaseState, Outcome, Status};
use crate::domain::complaint::NewComplaint;
use crate::domain::user::{Actor, Role};
use crate::domain::values::normalize_tracking_code;
use crate::error::{AppError, ErrorCode};
use crate::routing;
use crate::state::AppState;

fn staff_of(actor: &Actor) -> Result<&crate::domain::user::Staff, AppError> {
    match actor {
        Actor::Staff(s) => Ok(s),
        _ => Err(AppError::Unauthenticated),
    }
}

fn load_visible(conn: &mut AnyConnection, actor: &Actor, id: &str) -> Result<CaseRow, AppError> {
    case_db::find_visible(conn, id, &scope_of(actor))?.ok_or(AppError::NotFound("case"))
}

/// The full case as the caller sees it, with its links to cluster violation reports.
pub(crate) fn detail(conn: &mut AnyConnection, actor: &Actor, row: CaseRow) -> Result<CaseDetail, AppError> {
    let st = views::state_of(&row)?;
    let allowed = case::allowed_actions(actor, &st);
    let ev = case_db::list_evidence(conn, &row.id)?;
    let clocks = crate::db::clocks::for_case(conn, &row.id)?;
    let id = row.id.clone();
    let mut d = views::case_detail(row, allowed, ev, &clocks)?;
    if let Some(r) = cluster_reports::find(conn, &id)? {
        d.cluster_report = Some(views::ClusterReportView {
            business_key: r.business_key,
            consumers: r.consumers,
            first_at: views::utc(r.first_at),
            last_at: views::utc(r.last_at),
            opened_by: r.opened_by,
            opened_at: views::utc(r.opened_at),
            member_case_ids: cluster_reports::members(conn, &id)?,
        });
    }
    d.included_in_reports = cluster_reports::reports_including(conn, &id)?
        .into_iter()
        .map(|r| views::ReportLinkView {
            case_id: r.id,
            tracking_code: r.tracking_code,
            status: r.status,
        })
        .collect();
    Ok(d)
}

/// Operator (or handler/supervisor) intake: the case opens in state `new` at the caller's agency.
pub async fn open_case(
    state: &AppState,
    actor: Actor,
    complaint: NewComplaint,
    call_id: Option<String>,
) -> Result<CaseDetail, AppError> {
    let clock = state.clock.clone();
    let staff = staff_of(&actor)?;
    if !staff.role.is_agency_staff() {
        return Err(AppError::Forbidden);
    }
    let agency = staff.agency.clone().ok_or(AppError::Forbidden)?;
    let ctx = IntakeContext::from_state(state);
    state
        .db
        .write(move |conn| {
            if let Some(cid) = &call_id {
                let call = crate::db::calls::find(conn, cid, Some(&agency))?.ok_or_else(|| {
                    AppError::invalid(
                        "call_id",
                        "no such call at your agency",
                        "không có cuộc gọi này tại cơ quan của bạn",
                    )
                })?;
                if call.case_id.is_some() {
                    return Err(AppError::Conflict {
                        code: ErrorCode::CallAlreadyLinked,
                        en: "this call already opened a case".into(),
                        vi: "cuộc gọi này đã mở một hồ sơ".into(),
                    });
                }
            }
            let row = create_case_tx(conn, &ctx, &actor, &complaint, &agency, call_id.as_deref(), clock.now())?;
            if let Some(cid) = &call_id {
                crate::db::calls::link_case(conn, cid, &row.id)?;
            }
            detail(conn, &actor, row)
        })
        .await
}

pub async fn get_case(state: &AppState, actor: Actor, id: String) -> Result<CaseDetail, AppError> {
    state
        .db
        .run(move |conn| {
            let row = load_visible(conn, &actor, &id)?;
            detail(conn, &actor, row)
        })
        .await
}

/// Query of `GET /cases`, parsed.
pub struct ListQuery {
    pub filter: ListFilter,
    pub sort: Sort,
    pub cursor: Option<Cursor>,
    pub limit: i64,
}

fn micros(t: NaiveDateTime) -> String {
    t.and_utc().timestamp_micros().to_string()
}

/// An opaque page cursor: base64 of `tag|priority|time|id`.
pub fn encode_cursor(c: &Cursor) -> String {
    let raw = match c {
        Cursor::Created { priority, at, id } => format!("c|{}|{}|{id}", u8::from(*priority), micros(*at)),
        Cursor::Due { priority, due, id } => {
            format!("d|{}|{}|{id}", u8::from(*priority), due.map(micros).unwrap_or_default())
        }
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

fn bad_cursor() -> AppError {
    AppError::BadRequest {
        code: ErrorCode::InvalidCursor,
        field: Some("cursor".into()),
        en: "the cursor is not valid for this list and sort order".into(),
        vi: "con trỏ phân trang không hợp lệ".into(),
    }
}

fn cursor_parts(s: &str) -> Result<Vec<String>, AppError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    Ok(text.splitn(4, '|').map(str::to_owned).collect())
}

fn parse_micros(t: &str) -> Result<NaiveDateTime, AppError> {
    let m: i64 = t.parse().map_err(|_| bad_cursor())?;
    chrono::DateTime::from_timestamp_micros(m)
        .map(|d| d.naive_utc())
        .ok_or_else(bad_cursor)
}

pub fn decode_cursor(s: &str, sort: Sort) -> Result<Cursor, AppError> {
    let p = cursor_parts(s)?;
    let [tag, prio, t, id] = p.as_slice() else {
        return Err(bad_cursor());
    };
    let priority = match prio.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(bad_cursor()),
    };
    match (sort, tag.as_str()) {
        (Sort::CreatedDesc, "c") => Ok(Cursor::Created {
            priority,
            at: parse_micros(t)?,
            id: id.clone(),
        }),
        (Sort::DueAsc, "d") => Ok(Cursor::Due {
            priority,
            due: if t.is_empty() { None } else { Some(parse_micros(t)?) },
            id: id.clone(),
        }),
        _ => Err(bad_cursor()),
    }
}

/// Cursor of a list ordered by time then id only (the call log).
pub fn encode_time_cursor(at: NaiveDateTime, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("t|{}|{id}", micros(at)))
}

pub fn decode_time_cursor(s: &str) -> Result<(NaiveDateTime, String), AppError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| bad_cursor())?;
    match text.splitn(3, '|').collect::<Vec<_>>().as_slice() {
        ["t", t, id] => Ok((parse_micros(t)?, (*id).to_owned())),
        _ => Err(bad_cursor()),
    }
}

pub async fn list_cases(state: &AppState, actor: Actor, q: ListQuery) -> Result<CasePage, AppError> {
    state
        .db
        .run(move |conn| {
            let mut rows = case_db::list(
                conn,
                &scope_of(&actor),
                &q.filter,
                q.sort,
                q.cursor.as_ref(),
                q.limit + 1,
            )?;
            let more = rows.len() as i64 > q.limit;
            rows.truncate(q.limit as usize);
            let next_cursor = match (more, rows.last()) {
                (true, Some(last)) => Some(encode_cursor(&match q.sort {
                    Sort::CreatedDesc => Cursor::Created {
                        priority: last.priority,
                        at: last.created_at,
                        id: last.id.clone(),
                    },
                    Sort::DueAsc => Cursor::Due {
                        priority: last.priority,
                        due: last.due_at,
                        id: last.id.clone(),
                    },
                })),
                _ => None,
            };
            Ok(CasePage {
                items: rows.into_iter().map(CaseSummary::from).collect(),
                next_cursor,
            })
        })
        .await
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
        Action::Route { agency } if !reference::agency_exists(conn, agency)? => Err(unknown_agency("agency")),
        Action::Transfer { to_agency, .. } if !reference::agency_exists(conn, to_agency)? => {
            Err(unknown_agency("to_agency"))
        }
        Action::Accept { assignee_id: Some(uid) } => {
            let ok = users::find_by_id(conn, uid)?.is_some_and(|u| {
                u.active && u.agency_code == row.current_agency && matches!(u.role.as_str(), "handler" | "supervisor")
            });
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
        Action::AppointMediator { mediator_id, .. } => {
            let ok =
                users::find_by_id(conn, mediator_id)?.is_some_and(|u| u.active && u.role == Role::Mediator.as_str());
            if ok {
                Ok(())
            } else {
                Err(AppError::invalid(
                    "mediator_id",
                    "no active mediator with this id",
                    "không có hòa giải viên đang hoạt động với mã này",
                ))
            }
        }
        Action::MarkDuplicate { of_case_id } => {
            if of_case_id == &row.id {
                return Err(AppError::invalid(
                    "of_case_id",
                    "a case cannot duplicate itself",
                    "hồ sơ không thể trùng với chính nó",
                ));
            }
            case_db::find_visible(conn, of_case_id, &scope_of(actor))?
                .map(|_| ())
                .ok_or_else(|| AppError::invalid("of_case_id", "no such case", "không có hồ sơ này"))
        }
        // Law 19/2023 Art 54(2): a dispute that harms many consumers is not negotiated; it goes
        // to the enforcement agency as a violation report.
        Action::ForwardToBusiness { .. } => match &row.business_key {
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
            let st = views::state_of(&row)?;
            let name = action.name();
            may_act(&actor, &st, name, env.version, row.version)?;
            // Accept defaults the assignee to the handler who accepts.
            let action = match (action, &actor) {
                (Action::Accept { assignee_id: None }, Actor::Staff(s)) if s.role != Role::Operator => Action::Accept {
                    assignee_id: Some(s.id.clone()),
                },
                (a, _) => a,
            };
            check_references(conn, &actor, &row, &action, &ctx)?;
            let next = case::apply(&st, &action)?;
            let at = clock.now();
            let t = at.naive_utc();

            let ch = changeset(&st, &next, &action, &row, &ctx, at)?;
            if !case_db::update_if_version(conn, &row.id, row.version, &ch)? {
                return Err(AppError::VersionConflict {
                    current: case_db::current_version(conn, &row.id)?,
                });
            }
            for agency in [&next.current_agency, &next.pending_transfer_to].into_iter().flatten() {
                case_db::grant_agency(conn, &row.id, agency)?;
            }
            let cal = clocks::load_calendar(conn)?;
            clocks::on_transition(conn, &cal, &clock_settings, &row.id, &st, &next, &action, at)?;
            crate::service::notify::on_transition(conn, &ctx.notify, &row, &next, &action, at)?;
            let mut data = serde_json::to_value(&action).map_err(|e| AppError::Internal(e.into()))?;
            if let Some(note) = &env.note {
                data["note"] = serde_json::Value::String(note.clone());
            }
            events::append(
                conn,
                &row.id,
                &actor,
                t,
                NewEvent {
                    action: name.as_str().into(),
                    from_status: Some(st.status.as_str().into()),
                    to_status: next.status.as_str().into(),
                    data,
                    public_message: env.public_message.clone(),
                },
            )?;
            record_correction(conn, &ctx, &actor, &row, &next, name, t)?;
            if let Action::MarkDuplicate { of_case_id } = &action {
                link_duplicate(conn, &actor, &row, of_case_id, t)?;
            }
            let row = case_db::find_by_id(conn, &row.id)?.ok_or(AppError::NotFound("case"))?;
            detail(conn, &actor, row)
        })
        .await
}

/// Whether `actor` may perform `name` on a case in state `st` seen at `version`: a stale
/// version is 409 `version_conflict`, a state that does not allow it 409 `invalid_transition`
/// (with what is allowed now), a role or agency that may not 403.
fn may_act(actor: &Actor, st: &CaseState, name: ActionName, version: i32, current: i32) -> Result<(), AppError> {
    if version != current {
        return Err(AppError::VersionConflict { current });
    }
    if !case::state_allows(st, name) {
        return Err(AppError::InvalidTransition {
            action: name.as_str().into(),
            status: st.status.as_str().into(),
            allowed: case::allowed_actions(actor, st)
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
        });
    }
    if !case::actor_allows(actor, st, name) {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

/// The columns that change from state `st` to `next` (and the stamps an action sets).
fn changeset(
    st: &CaseState,
    next: &CaseState,
    action: &Action,
    row: &CaseRow,
    ctx: &IntakeContext,
    at: DateTime<Utc>,
) -> Result<CaseChangeset, AppError> {
    let t = at.naive_utc();
    let mut ch = CaseChangeset {
        updated_at: Some(t),
        ..Default::default()
    };
    let opt = |s: Option<Status>| s.map(|s| s.as_str().to_owned());
    if next.status != st.status {
        ch.status = Some(next.status.as_str().into());
    }
    if next.outcome != st.outcome {
        ch.outcome = Some(next.outcome.map(|o: Outcome| o.as_str().to_owned()));
    }
    if next.return_status != st.return_status {
        ch.return_status = Some(opt(next.return_status));
    }
    if next.kind != st.kind {
        ch.kind = Some(next.kind.as_str().into());
    }
    if next.category != st.category {
        ch.category = Some(next.category.clone());
    }
    if next.current_agency != st.current_agency {
        ch.current_agency = Some(next.current_agency.clone());
    }
    if next.pending_transfer_to != st.pending_transfer_to {
        ch.pending_transfer_to = Some(next.pending_transfer_to.clone());
    }
    if next.assignee_id != st.assignee_id {
        ch.assignee_id = Some(next.assignee_id.clone());
    }
    if next.mediator_id != st.mediator_id {
        ch.mediator_id = Some(next.mediator_id.clone());
    }
    if next.status == Status::Closed && st.status != Status::Closed {
        ch.closed_at = Some(Some(t));
    }
    if action.name() == ActionName::Reopen {
        ch.closed_at = Some(None);
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
    actor: &Actor,
    row: &CaseRow,
    of_case_id: &str,
    t: NaiveDateTime,
) -> Result<(), AppError> {
    case_db::touch(conn, of_case_id, t)?;
    let original = case_db::find_by_id(conn, of_case_id)?.ok_or(AppError::NotFound("case"))?;
    events::append(
        conn,
        of_case_id,
        actor,
        t,
        NewEvent {
            action: "duplicate_linked".into(),
            from_status: Some(original.status.clone()),
            to_status: original.status.clone(),
            data: serde_json::json!({ "duplicate_case_id": row.id, "duplicate_tracking_code": row.tracking_code }),
            public_message: None,
        },
    )?;
    Ok(())
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
        ActionName::Route | ActionName::AcceptTransfer => next.current_agency.clone(),
        ActionName::Reclassify => ctx
            .router
            .taxonomy()
            .lead_agency(next.kind, &next.category)
            .map(str::to_owned),
        _ => return Ok(()),
    };
    let sug = views::stored_json(&row.suggestion, "suggestion", &row.id)?;
    let text = match &row.consumer_request {
        Some(r) => format!("{}\n{}", row.description, r),
        None => row.description.clone(),
    };
    case_db::insert_correction(
        conn,
        &case_db::CorrectionRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: row.id.clone(),
            at,
            actor_id: actor.id().map(str::to_owned),
            source: name.as_str().into(),
            text,
            suggested_kind: sug["kind"].as_str().unwrap_or_default().to_owned(),
            suggested_category: sug["category"].as_str().unwrap_or_default().to_owned(),
            suggested_agency: sug["agency"].as_str().map(str::to_owned),
            final_kind: next.kind.as_str().into(),
            final_category: next.category.clone(),
            final_agency,
        },
    )?;
    Ok(())
}

pub async fn case_events(state: &AppState, actor: Actor, id: String) -> Result<Vec<EventView>, AppError> {
    state
        .db
        .run(move |conn| {
            load_visible(conn, &actor, &id)?;
            case_db::list_events(conn, &id)?
                .into_iter()
                .map(EventView::try_from)
                .collect()
        })
        .await
}

pub async fn verify_events(state: &AppState, actor: Actor, id: String) -> Result<Verification, AppError> {
    state
        .db
        .run(move |conn| {
            load_visible(conn, &actor, &id)?;
            Ok(events::verify(&case_db::list_events(conn, &id)?))
        })
        .await
}

/// The citizen's status page: needs the tracking code and the phone's last four digits; a
/// wrong pair is a plain 404, the same as an unknown code.
pub async fn public_status(state: &AppState, code: String, phone_last4: String) -> Result<PublicStatus, AppError> {
    if phone_last4.len() != 4 || !phone_last4.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::invalid(
            "phone_last4",
            "the last 4 digits of the phone number are required",
            "cần 4 chữ số cuối của số điện thoại",
        ));
    }
    let code = normalize_tracking_code(&code);
    let router = state.router.clone();
    state
        .db
        .run(move |conn| {
            let row = case_db::find_by_tracking_code(conn, &code)?
                .filter(|r| r.consumer_phone_last4 == phone_last4)
                .ok_or(AppError::NotFound("complaint"))?;
            let st = views::state_of(&row)?;
            let evs = case_db::list_events(conn, &row.id)?;
            let clock_rows = crate::db::clocks::for_case(conn, &row.id)?;
            let agency = row.current_agency.as_ref().map(|code| PublicAgency {
                code: code.clone(),
                name: router
                    .taxonomy()
                    .agency(code)
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
            });
            let mut history: Vec<PublicStage> = Vec::new();
            for e in &evs {
                if history.last().is_none_or(|h| h.status != e.to_status) {
                    history.push(PublicStage {
                        at: views::utc(e.at),
                        status: e.to_status.clone(),
                        stage: Status::parse(&e.to_status)
                            .ok_or_else(|| views::corrupt(&format!("status of event {}", e.seq), &e.case_id))?
                            .label_vi()
                            .to_owned(),
                    });
                }
            }
            let messages = evs
                .iter()
                .filter_map(|e| {
                    e.public_message.as_ref().map(|m| PublicMessage {
                        at: views::utc(e.at),
                        message: routing::redact(m),
                    })
                })
                .collect();
            Ok(PublicStatus {
                tracking_code: row.tracking_code.clone(),
                status: row.status.clone(),
                stage: st.status.label_vi().to_owned(),
                outcome: row.outcome.clone(),
                outcome_label: st.outcome.map(|o| o.label_vi().to_owned()),
                kind: row.kind.clone(),
                category: row.category.clone(),
                agency,
                created_at: views::utc(row.created_at),
                updated_at: views::utc(row.updated_at),
                due_dates: views::running(&clock_rows)
                    .into_iter()
                    .filter(|c| clocks::is_public(&c.clock))
                    .map(views::DueView::from)
                    .collect(),
                messages,
                history,
            })
        })
        .await
}

/// Every clock of a case, explained day by day.
pub async fn deadlines(state: &AppState, actor: Actor, id: String) -> Result<Vec<clocks::Deadline>, AppError> {
    let clock = state.clock.clone();
    state
        .db
        .run(move |conn| {
            load_visible(conn, &actor, &id)?;
            let cal = clocks::load_calendar(conn)?;
            let rows = crate::db::clocks::for_case(conn, &id)?;
            clocks::explain(&cal, rows, crate::calendar::local_date(clock.now()))
        })
        .await
}
