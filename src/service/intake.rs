//! Opening cases: the citizen web form (idempotent), operator intake, and calls that open cases.

use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};

use super::events::{self, NewEvent};
use super::limits::{self, Key, Limit};
use super::views::{self, Submitted};
use crate::calendar;
use crate::db::cases::{self as case_db, CaseRow, DuplicateLookup, OpeningReads};
use crate::db::AnyConnection;
use crate::domain::case::{Status, VulnerableGroup};
use crate::domain::clock::ClockKind;
use crate::domain::complaint::NewComplaint;
use crate::domain::ids::{CallId, CaseId, UserId};
use crate::domain::open::{BusinessFacts, Opening, Reporter};
use crate::domain::user::Actor;
use crate::domain::values::new_tracking_code;
use crate::domain::Case;
use crate::error::{AppError, ErrorCode};
use crate::routing::Router;
use crate::state::AppState;

/// Everything needed to write a case, cloned out of the state so it can move to the blocking pool.
#[derive(Clone)]
pub struct IntakeContext {
    pub router: std::sync::Arc<Router>,
    pub tracking_prefix: String,
    pub duplicate_window_days: i64,
    pub cluster_min_consumers: i64,
    pub cluster_window_days: i64,
    pub business_stopwords: std::sync::Arc<Vec<String>>,
    pub clocks: crate::config::ClockSettings,
    pub notify: super::notify::NotifyCtx,
    pub clock: crate::state::Clock,
    pub chain_key: super::events::ChainKey,
    pub calendar: super::clocks::CalendarCache,
}

impl IntakeContext {
    pub fn from_state(state: &AppState) -> IntakeContext {
        let mut ctx = IntakeContext::from_settings(&state.settings, state.router.clone(), state.clock.clone());
        ctx.business_stopwords = state.business_stopwords.clone();
        ctx.chain_key = state.chain_key.clone();
        ctx.calendar = state.calendar.clone();
        ctx
    }

    /// The same outside a request (the worker's sweep records a missed settlement as a
    /// transition, ADR 0029).
    pub fn from_settings(
        settings: &crate::config::Settings,
        router: std::sync::Arc<Router>,
        clock: crate::state::Clock,
    ) -> IntakeContext {
        let i = &settings.intake;
        IntakeContext {
            tracking_prefix: i.tracking_prefix.clone(),
            duplicate_window_days: i.duplicate_window_days,
            cluster_min_consumers: i.cluster_min_consumers,
            cluster_window_days: i.cluster_window_days,
            clocks: settings.clocks.clone(),
            notify: super::notify::NotifyCtx::from_settings(settings, router.clone()),
            business_stopwords: std::sync::Arc::new(
                i.business_name_stopwords
                    .iter()
                    .map(|w| crate::text::normalize(w))
                    .collect(),
            ),
            router,
            clock,
            chain_key: super::events::ChainKey::from_settings(settings),
            calendar: super::clocks::CalendarCache::default(),
        }
    }
}

/// The key that groups complaints about one business: its tax code if known, else its name
/// normalised without the configured stop words ("Công ty TNHH Ánh Dương" = "anh duong").
pub fn business_key(name: Option<&str>, tax_code: Option<&str>, stopwords: &[String]) -> Option<String> {
    if let Some(t) = tax_code {
        return Some(format!("mst:{t}"));
    }
    let mut n = format!(" {} ", crate::text::normalize(name?));
    for w in stopwords {
        n = n.replace(&format!(" {w} "), " ");
    }
    let n = n.split_whitespace().collect::<Vec<_>>().join(" ");
    (!n.is_empty()).then(|| format!("name:{n}"))
}

/// What the `opened` event records: how the case came and what the router suggested.
fn opened_event_data(
    case: &Case,
    c: &NewComplaint,
    suggestion: &crate::routing::Classification,
    agency: &str,
) -> serde_json::Value {
    let mut data = serde_json::json!({
        "channel": case.opening.channel,
        "kind": case.state.kind,
        "category": case.state.category,
        "agency": agency,
        "priority": case.priority,
        "possible_duplicate_of": case.opening.possible_duplicate_of,
        "suggested": { "kind": suggestion.kind, "category": suggestion.category, "agency": suggestion.agency },
        "reporter": c.reporter.kind.as_str(),
    });
    if let Some(u) = &case.opening.unit {
        data["unit"] = serde_json::json!(u);
    }
    if let Some(r) = &suggestion.referral {
        data["suggested"]["referral"] = serde_json::json!(r.agency_name);
    }
    data
}

/// What intake decides about a complaint without the database: the router's classification and
/// placement, the business's key, the suggestion as stored. Computed before the write is queued
/// (ADR 0040): none of it needs the write transaction.
pub struct Classified {
    suggestion: crate::routing::Classification,
    suggestion_json: String,
    business_key: Option<String>,
}

/// Classifies and checks a complaint (no database access).
pub fn classify(ctx: &IntakeContext, c: &NewComplaint) -> Result<Classified, AppError> {
    let text = match &c.consumer_request {
        Some(r) => format!("{}\n{}", c.description, r),
        None => c.description.clone(),
    };
    let mut suggestion = ctx.router.classify(&text, Some(c.channel.as_str()));
    ctx.router.place(
        &mut suggestion,
        c.consumer.commune.as_deref(),
        c.consumer.province.as_deref(),
    );
    if c.category
        .as_deref()
        .is_some_and(|cat| ctx.router.taxonomy().category(cat).is_none())
    {
        return Err(AppError::invalid(
            "category",
            "unknown category code",
            "mã lĩnh vực không tồn tại",
        ));
    }
    let tax_code = c.business.tax_code.as_ref().map(|x| x.as_ref());
    Ok(Classified {
        suggestion_json: serde_json::to_string(&suggestion).map_err(|e| AppError::Internal(e.into()))?,
        business_key: business_key(c.business.name.as_deref(), tax_code, &ctx.business_stopwords),
        suggestion,
    })
}

/// Writes a new case in state `new` at `agency`, with its first event. Runs inside the caller's transaction.
pub fn create_case_tx(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    c: &NewComplaint,
    agency: &str,
    call_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<CaseRow, AppError> {
    let classified = classify(ctx, c)?;
    create_classified_case_tx(conn, ctx, actor, c, &classified, agency, call_id, at)
}

/// [`create_case_tx`] for a complaint already classified by [`classify`] outside the transaction.
#[allow(clippy::too_many_arguments)]
pub fn create_classified_case_tx(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    c: &NewComplaint,
    classified: &Classified,
    agency: &str,
    call_id: Option<&str>,
    at: DateTime<Utc>,
) -> Result<CaseRow, AppError> {
    let drafted = draft(ctx, actor, c, classified, agency, call_id, at);
    create_drafted_case_tx(conn, ctx, actor, c, classified, drafted, at)
}

/// A case built before its write transaction (ADR 0044): everything of [`Case::open`] that
/// needs no database (its words for search, the unit, the priority), with a tracking code
/// drawn for the year it was drafted in. [`create_drafted_case_tx`] checks the code, finds a
/// possible duplicate and writes it.
pub struct Drafted {
    case: Case,
    year: i32,
}

impl Drafted {
    /// The case as drafted (its tracking code may still change when it is written).
    pub fn case(&self) -> &Case {
        &self.case
    }
}

/// Drafts the case a complaint opens, without the database.
pub fn draft(
    ctx: &IntakeContext,
    actor: &Actor,
    c: &NewComplaint,
    classified: &Classified,
    agency: &str,
    call_id: Option<&str>,
    at: DateTime<Utc>,
) -> Drafted {
    let year = calendar::local_date(at).year();
    let opening = Opening {
        call_id: call_id.map(CallId::from),
        ..opening(
            ctx,
            actor,
            c,
            classified,
            agency,
            new_tracking_code(&ctx.tracking_prefix, year),
            at,
        )
    };
    Drafted {
        case: Case::open(opening),
        year,
    }
}

/// Writes a [`Drafted`] case at `at`, inside the caller's transaction: a new tracking code if
/// the drafted one is taken or of another year (then the case is opened again with it), the
/// possible duplicate, the row, its first event and clock, the reporter's kind.
pub fn create_drafted_case_tx(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    c: &NewComplaint,
    classified: &Classified,
    drafted: Drafted,
    at: DateTime<Utc>,
) -> Result<CaseRow, AppError> {
    let reads = case_db::opening_reads(conn, None, duplicate_lookup(ctx, drafted.case(), at))?;
    create_drafted_case_after(conn, ctx, actor, c, classified, drafted, at, &reads)
}

/// The possible-duplicate lookup of a case opened at `at`: the same consumer's phone and the
/// same business's key within the window (none without both).
fn duplicate_lookup<'a>(ctx: &IntakeContext, case: &'a Case, at: DateTime<Utc>) -> Option<DuplicateLookup<'a>> {
    match (&case.opening.business.key, &case.opening.reporter.phone) {
        (Some(key), Some(phone)) => Some(DuplicateLookup {
            phone,
            business_key: key,
            since: at.naive_utc() - chrono::TimeDelta::days(ctx.duplicate_window_days),
        }),
        _ => None,
    }
}

/// [`create_drafted_case_tx`] once the intake's reads are done ([`case_db::opening_reads`], in
/// the same transaction, with the case's [`duplicate_lookup`]).
#[allow(clippy::too_many_arguments)]
fn create_drafted_case_after(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    c: &NewComplaint,
    classified: &Classified,
    drafted: Drafted,
    at: DateTime<Utc>,
    reads: &OpeningReads,
) -> Result<CaseRow, AppError> {
    let Drafted { mut case, year } = drafted;
    case.opening.at = at.naive_utc();
    if case.opening.reporter.consent_at.is_some() {
        case.opening.reporter.consent_at = Some(case.opening.at);
    }
    // A code drawn for another year (a draft made before midnight of 31 December) is drawn
    // again; one already taken is drawn again by `insert_new_case`, which writes nothing then.
    if year != calendar::local_date(at).year() {
        case = with_new_code(case.opening, &ctx.tracking_prefix, at);
    }
    case.opening.possible_duplicate_of = reads.possible_duplicate_of.clone().map(CaseId::from);
    let data = opened_event_data(&case, c, &classified.suggestion, case.opening.agency.as_str());
    let cal = ctx.calendar.at_revision(conn, reads.calendar_revision)?;
    let row = insert_new_case_with(conn, ctx, actor, &case, at, data, &cal)?;
    if c.reporter != crate::domain::complaint::Reporter::default() {
        crate::db::reporters::insert(conn, &row.id, c.reporter.kind.as_str(), c.reporter.identity_protected)?;
    }
    Ok(row)
}

/// What opening a case from a complaint needs: the complaint as said, plus what intake decides
/// (kind and category, the router's unless staff set them; vulnerable groups the router heard;
/// the tracking code; the business's key). No call, no duplicate yet.
fn opening(
    ctx: &IntakeContext,
    actor: &Actor,
    c: &NewComplaint,
    classified: &Classified,
    agency: &str,
    tracking_code: String,
    at: DateTime<Utc>,
) -> Opening {
    let t = at.naive_utc();
    let suggestion = &classified.suggestion;
    let mut vulnerable = c.consumer.vulnerable.clone();
    vulnerable.extend(suggestion.vulnerable.iter().filter_map(|v| VulnerableGroup::parse(v)));
    Opening {
        id: CaseId::new(),
        tracking_code: tracking_code.into(),
        kind: c.kind.unwrap_or(suggestion.kind),
        category: c.category.clone().unwrap_or_else(|| suggestion.category.clone()).into(),
        channel: c.channel,
        agency: agency.into(),
        description: c.description.clone(),
        consumer_request: c.consumer_request.clone(),
        amount_vnd: c.amount_vnd,
        transaction_date: c.transaction_date,
        reporter: Reporter {
            name: c.consumer.name.clone(),
            // An anonymous violation report has no phone: no lookup by phone digits either.
            phone: c.consumer.phone.as_ref().map(|p| p.as_ref().to_owned()),
            email: c.consumer.email.as_ref().map(|e| e.as_ref().to_owned()),
            address: c.consumer.address.clone(),
            commune: c.consumer.commune.clone(),
            province: c.consumer.province.clone(),
            vulnerable,
            consent_at: c.consumer.consent.then_some(t),
        },
        business: BusinessFacts {
            name: c.business.name.clone(),
            tax_code: c.business.tax_code.as_ref().map(|x| x.as_ref().to_owned()),
            address: c.business.address.clone(),
            website: c.business.website.clone(),
            shop_link: c.business.shop_link.clone(),
            key: classified.business_key.clone(),
        },
        product: c.product.clone(),
        call_id: None,
        suggestion: classified.suggestion_json.clone(),
        unit: opening_unit(ctx, actor, suggestion, agency),
        possible_duplicate_of: None,
        opened_by: actor.id().map(UserId::from),
        at: t,
    }
}

/// The unit a new case opens in: the receiving agency's unit serving the consumer's commune,
/// else the unit of the staff member who opens it at their agency (a walk-in at a commune).
fn opening_unit(
    ctx: &IntakeContext,
    actor: &Actor,
    suggestion: &crate::routing::Classification,
    agency: &str,
) -> Option<String> {
    let suggested = suggestion
        .units
        .iter()
        .find(|u| u.agency == agency)
        .map(|u| u.code.clone());
    let own = match actor {
        Actor::Staff(s) => s
            .unit
            .as_deref()
            .filter(|u| ctx.router.units().get(u).is_some_and(|x| x.agency == agency))
            .map(str::to_owned),
        _ => None,
    };
    suggested.or(own)
}

/// A new random tracking code of the year `at` falls in (Vietnam time). Not checked against
/// the cases: [`insert_new_case`] draws another if it is taken.
pub fn this_years_tracking_code(prefix: &str, at: DateTime<Utc>) -> String {
    new_tracking_code(prefix, calendar::local_date(at).year())
}

/// The case opened again as `opening` says, with a new tracking code of the year `at` falls in.
fn with_new_code(opening: Opening, prefix: &str, at: DateTime<Utc>) -> Case {
    Case::open(Opening {
        tracking_code: this_years_tracking_code(prefix, at).into(),
        ..opening
    })
}

/// Writes a new case row (state `new` at its `current_agency`): inserts it, gives that agency
/// read access, starts the internal-target clock, queues the acknowledgement e-mail (if the
/// consumer gave an address) and appends the `created` event with `data`. Every way of opening
/// a case ends here. Runs inside the caller's transaction.
///
/// The row is complete before it is written (ADR 0041): its due time is the clock's (its only
/// running clock), and it carries the head of its history, whose first event records the row as
/// built; so intake reads nothing back and updates nothing it has just inserted. If the case's
/// tracking code is taken (the insert skips a row whose code exists: no check before, ADR
/// 0046), the case is opened again with a new code of the same year; the row returned has the
/// code it was written with.
pub fn insert_new_case(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    case: &Case,
    at: DateTime<Utc>,
    data: serde_json::Value,
) -> Result<CaseRow, AppError> {
    let cal = ctx.calendar.current(conn)?;
    insert_new_case_with(conn, ctx, actor, case, at, data, &cal)
}

/// [`insert_new_case`] with the calendar already read in the transaction.
fn insert_new_case_with(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    case: &Case,
    at: DateTime<Utc>,
    data: serde_json::Value,
    cal: &crate::calendar::Calendar,
) -> Result<CaseRow, AppError> {
    let mut redrawn: Option<Case> = None;
    // One code in ~10^12 is taken; eight in a row would mean the insert skips rows for another
    // reason, and that must fail loudly rather than loop.
    for _ in 0..8 {
        let case = redrawn.as_ref().unwrap_or(case);
        if let Some(row) = try_insert_new_case(conn, ctx, actor, case, at, data.clone(), cal)? {
            return Ok(row);
        }
        redrawn = Some(with_new_code(case.opening.clone(), &ctx.tracking_prefix, at));
    }
    Err(AppError::Internal(anyhow::anyhow!(
        "eight tracking codes in a row were taken: the case insert skipped every row"
    )))
}

/// [`insert_new_case`] once: `None`, with nothing written, if the case's tracking code is taken.
fn try_insert_new_case(
    conn: &mut AnyConnection,
    ctx: &IntakeContext,
    actor: &Actor,
    case: &Case,
    at: DateTime<Utc>,
    data: serde_json::Value,
    cal: &crate::calendar::Calendar,
) -> Result<Option<CaseRow>, AppError> {
    let mut row = CaseRow::from(case);
    let t = at.naive_utc();
    let target = super::clocks::internal_target_wd(&ctx.clocks, case.state.kind, row.priority);
    let clock = super::clocks::started(
        cal,
        (&row.id, row.current_agency.as_deref()),
        ClockKind::InternalTarget,
        at,
        Some(target),
        None,
    )?;
    row.due_at = Some(clock.due_at);
    let created = events::first(
        &ctx.chain_key,
        &row,
        actor,
        t,
        NewEvent {
            action: "created".into(),
            from_status: None,
            to_status: Status::New,
            data,
            public_message: Some("Đã tiếp nhận phản ánh, yêu cầu của quý vị.".into()),
        },
    );
    if !case_db::insert_case_with_head(conn, &row, &created.hash)? {
        return Ok(None);
    }
    case_db::insert_opening_rows(conn, &row, &created, &clock)?;
    super::notify::complaint_received(conn, &ctx.notify, &row, at)?;
    Ok(Some(row))
}

fn key_reused() -> AppError {
    AppError::Validation {
        code: ErrorCode::IdempotencyKeyReused,
        field: "Idempotency-Key".into(),
        en: "this Idempotency-Key was used for a different request".into(),
        vi: "Idempotency-Key này đã được dùng cho một yêu cầu khác".into(),
    }
}

/// The answer to a submission, with a new private link for the submitter (a replay gets a
/// new one too: only the hash of the first was kept).
fn submitted(conn: &mut AnyConnection, row: &CaseRow, at: DateTime<Utc>) -> Result<Submitted, AppError> {
    let token = super::links::issue(conn, &row.id, super::links::Audience::Consumer, at)?;
    Ok(answer(row, &token))
}

/// The answer to a submission whose private link has the token `token`.
fn answer(row: &CaseRow, token: &str) -> Submitted {
    Submitted {
        tracking_code: row.tracking_code.to_string(),
        status: row.status.to_string(),
        created_at: views::utc(row.created_at),
        status_url: format!("/api/v1/public/complaints/{}", row.tracking_code),
        private_url: format!("/api/v1/public/links/{token}"),
    }
}

/// A citizen's web-form complaint. With an idempotency key, a repeat of the same request
/// returns the first answer (`replayed = true`) and creates nothing.
pub async fn submit_public(
    state: &AppState,
    complaint: NewComplaint,
    idempotency_key: Option<String>,
    raw_body: &[u8],
    addr: std::net::IpAddr,
) -> Result<(Submitted, bool), AppError> {
    submit_public_with_files(state, complaint, idempotency_key, raw_body, addr, Vec::new()).await
}

/// [`submit_public`] with the citizen's evidence files, already stored and fsynced
/// (`http::citizen_upload`): their rows and `evidence_added` event are written in the case's
/// own transaction. A replay records no files (the first submission's are the case's). The
/// caller removes the files if this fails.
pub async fn submit_public_with_files(
    state: &AppState,
    complaint: NewComplaint,
    idempotency_key: Option<String>,
    raw_body: &[u8],
    addr: std::net::IpAddr,
    files: Vec<super::evidence::StoredFile>,
) -> Result<(Submitted, bool), AppError> {
    let quota = state.settings.server.max_evidence_bytes_per_case;
    let ctx = IntakeContext::from_state(state);
    let agency = state.settings.intake.web_agency.clone();
    // Everything that needs no transaction is done here, before the write is queued.
    let classified = classify(&ctx, &complaint)?;
    let drafted = draft(
        &ctx,
        &Actor::Citizen,
        &complaint,
        &classified,
        &agency,
        None,
        state.clock.now(),
    );
    let request_hash = hex::encode(Sha256::digest(raw_body));
    let limits = state.settings.limits.clone();
    let (key, rh, clock) = (idempotency_key.clone(), request_hash.clone(), state.clock.clone());
    // The address is counted in the intake's own transaction (one commit per complaint); over
    // the limit, the transaction commits the count only and the answer is 429.
    let result = state
        .db
        .write(move |conn| {
            let at = clock.now();
            // Every submission counts, a repeat too (each repeat writes a new private link):
            // over the limit a repeat waits `Retry-After` like any other, then gets its answer.
            let address = [Key::new(Limit::FormAddress, &addr.to_string())];
            if let Some(retry_after_secs) = limits::count(conn, &limits, &address, at.timestamp())?.retry_after {
                return Ok(Err(AppError::RateLimited { retry_after_secs }));
            }
            // The key's earlier use, the possible duplicate and the calendar's revision: one
            // statement (ADR 0056).
            let reads = case_db::opening_reads(conn, key.as_deref(), duplicate_lookup(&ctx, drafted.case(), at))?;
            if let Some((hash, case_id)) = &reads.idempotency {
                if *hash != rh {
                    return Err(key_reused());
                }
                let row = case_db::find_by_id(conn, case_id)?.ok_or(AppError::NotFound("case"))?;
                return Ok(Ok((submitted(conn, &row, at)?, true)));
            }
            let row = create_drafted_case_after(
                conn,
                &ctx,
                &Actor::Citizen,
                &complaint,
                &classified,
                drafted,
                at,
                &reads,
            )?;
            if !files.is_empty() {
                super::evidence::record_tx(
                    conn,
                    &ctx.chain_key,
                    &row,
                    &Actor::Citizen,
                    files,
                    at.naive_utc(),
                    quota,
                )?;
            }
            // The key and the private link are written together (one statement on
            // PostgreSQL, ADR 0054).
            let Some(k) = &key else {
                return Ok(Ok((submitted(conn, &row, at)?, false)));
            };
            let (token, link) = super::links::new_link(&row.id, super::links::Audience::Consumer, at);
            case_db::insert_idempotency_with_link(conn, k, &rh, at.naive_utc(), &link)?;
            Ok(Ok((answer(&row, &token), false)))
        })
        .await
        .and_then(|r| r);
    match (result, idempotency_key) {
        // Two identical submissions raced: the loser's insert hit the key's unique index and
        // rolled back; answer with the winner's case.
        (Err(AppError::Conflict { .. }), Some(k)) => {
            let clock = state.clock.clone();
            state
                .db
                .write(move |conn| match case_db::find_idempotency(conn, &k)? {
                    Some((hash, case_id)) if hash == request_hash => {
                        let row = case_db::find_by_id(conn, &case_id)?.ok_or(AppError::NotFound("case"))?;
                        Ok((submitted(conn, &row, clock.now())?, true))
                    }
                    Some(_) => Err(key_reused()),
                    None => Err(AppError::Unavailable(crate::error::Unavailable::Busy)),
                })
                .await
        }
        (other, _) => other,
    }
}
