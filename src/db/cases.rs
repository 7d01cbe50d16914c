//! Cases, their agencies, events, evidence and idempotency keys: rows and queries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::portability::backend_of;
use super::schema::{case_agencies, case_clocks, case_events, cases, evidence, idempotency_keys, routing_corrections};
use super::AnyConnection;
use crate::domain::case::{CaseState, Channel, Outcome, Status};
use crate::domain::ids::{AgencyCode, CallId, CaseId, CategoryCode, EvidenceId, TrackingCode, UserId};
use crate::domain::{Case, Kind};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cases)]
pub struct CaseRow {
    pub id: CaseId,
    pub tracking_code: TrackingCode,
    pub kind: Kind,
    pub category: CategoryCode,
    pub channel: Channel,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub return_status: Option<Status>,
    pub priority: bool,
    pub description: String,
    pub consumer_request: Option<String>,
    pub amount_vnd: Option<i64>,
    pub transaction_date: Option<NaiveDate>,
    pub consumer_name: String,
    pub consumer_phone: String,
    pub consumer_phone_last4: String,
    pub consumer_email: Option<String>,
    pub consumer_address: Option<String>,
    pub consumer_commune: Option<String>,
    pub consumer_province: Option<String>,
    pub vulnerable: String,
    pub consent_at: Option<NaiveDateTime>,
    pub business_name: Option<String>,
    pub business_tax_code: Option<String>,
    pub business_address: Option<String>,
    pub business_website: Option<String>,
    pub business_shop_link: Option<String>,
    pub current_agency: Option<AgencyCode>,
    pub pending_transfer_to: Option<AgencyCode>,
    pub assignee_id: Option<UserId>,
    pub mediator_id: Option<UserId>,
    pub call_id: Option<CallId>,
    pub suggestion: String,
    /// Normalised words for free-text search (see `portability::text_search`).
    pub search_text: String,
    /// Tax code, or `name:` + the normalised name: groups complaints about one business.
    pub business_key: Option<String>,
    pub possible_duplicate_of: Option<CaseId>,
    pub due_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
}

impl From<&Case> for CaseRow {
    /// The row of a case as it is opened (the one place a new case row is built).
    fn from(c: &Case) -> CaseRow {
        let (o, st) = (&c.opening, &c.state);
        let phone = o.reporter.phone.clone().unwrap_or_default();
        CaseRow {
            id: o.id.clone(),
            tracking_code: o.tracking_code.clone(),
            kind: st.kind,
            category: st.category.clone(),
            channel: o.channel,
            status: st.status,
            outcome: st.outcome,
            return_status: st.return_status,
            priority: c.priority,
            description: o.description.clone(),
            consumer_request: o.consumer_request.clone(),
            amount_vnd: o.amount_vnd,
            transaction_date: o.transaction_date,
            consumer_name: o.reporter.name.clone(),
            consumer_phone_last4: phone
                .get(phone.len().saturating_sub(4)..)
                .unwrap_or_default()
                .to_owned(),
            consumer_phone: phone,
            consumer_email: o.reporter.email.clone(),
            consumer_address: o.reporter.address.clone(),
            consumer_commune: o.reporter.commune.clone(),
            consumer_province: o.reporter.province.clone(),
            vulnerable: o
                .reporter
                .vulnerable
                .iter()
                .map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(","),
            consent_at: o.reporter.consent_at,
            business_name: o.business.name.clone(),
            business_tax_code: o.business.tax_code.clone(),
            business_address: o.business.address.clone(),
            business_website: o.business.website.clone(),
            business_shop_link: o.business.shop_link.clone(),
            current_agency: st.current_agency.clone(),
            pending_transfer_to: st.pending_transfer_to.clone(),
            assignee_id: st.assignee_id.clone(),
            mediator_id: st.mediator_id.clone(),
            call_id: o.call_id.clone(),
            suggestion: o.suggestion.clone(),
            search_text: c.search_words.clone(),
            business_key: o.business.key.clone(),
            possible_duplicate_of: o.possible_duplicate_of.clone(),
            due_at: None,
            version: c.version,
            created_by: o.opened_by.clone(),
            created_at: o.at,
            updated_at: o.at,
            closed_at: None,
        }
    }
}

/// The state columns a transition may change. `None` leaves a column alone; `Some(None)` nulls it.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CaseChangeset {
    pub status: Option<Status>,
    pub outcome: Option<Option<Outcome>>,
    pub return_status: Option<Option<Status>>,
    pub kind: Option<Kind>,
    pub category: Option<CategoryCode>,
    pub current_agency: Option<Option<AgencyCode>>,
    pub pending_transfer_to: Option<Option<AgencyCode>>,
    pub assignee_id: Option<Option<UserId>>,
    pub mediator_id: Option<Option<UserId>>,
    pub suggestion: Option<String>,
    pub due_at: Option<Option<NaiveDateTime>>,
    pub updated_at: Option<NaiveDateTime>,
    pub closed_at: Option<Option<NaiveDateTime>>,
}

impl CaseChangeset {
    /// The state columns that differ from `before` to `after`, stamped at `t`: `closed_at` is
    /// set when the case closes and cleared when it opens again.
    pub fn between(before: &CaseState, after: &CaseState, t: NaiveDateTime) -> CaseChangeset {
        fn changed<T: PartialEq + Clone>(b: &T, a: &T) -> Option<T> {
            (b != a).then(|| a.clone())
        }
        CaseChangeset {
            status: changed(&before.status, &after.status),
            outcome: changed(&before.outcome, &after.outcome),
            return_status: changed(&before.return_status, &after.return_status),
            kind: changed(&before.kind, &after.kind),
            category: changed(&before.category, &after.category),
            current_agency: changed(&before.current_agency, &after.current_agency),
            pending_transfer_to: changed(&before.pending_transfer_to, &after.pending_transfer_to),
            assignee_id: changed(&before.assignee_id, &after.assignee_id),
            mediator_id: changed(&before.mediator_id, &after.mediator_id),
            closed_at: match (before.status, after.status) {
                (Status::Closed, Status::Closed) => None,
                (_, Status::Closed) => Some(Some(t)),
                (Status::Closed, _) => Some(None),
                _ => None,
            },
            updated_at: Some(t),
            suggestion: None,
            due_at: None,
        }
    }
}

/// What anonymising a case changes: the consumer's identity and contact, and free text
/// redacted; everything statistics need (kind, category, agency, dates, amount, province) stays.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = cases)]
pub struct AnonymisedConsumer {
    pub consumer_name: String,
    pub consumer_phone: String,
    pub consumer_phone_last4: String,
    pub consumer_email: Option<Option<String>>,
    pub consumer_address: Option<Option<String>>,
    pub description: String,
    pub consumer_request: Option<Option<String>>,
    pub search_text: String,
    pub updated_at: NaiveDateTime,
}

pub fn anonymise(conn: &mut AnyConnection, id: &str, ch: &AnonymisedConsumer) -> QueryResult<usize> {
    diesel::update(cases::table.find(id)).set(ch).execute(conn)
}

/// The cases in `scope` of the consumer with this phone (national form) or e-mail address.
pub fn of_consumer(
    conn: &mut AnyConnection,
    scope: &Scope,
    phone: Option<&str>,
    email: Option<&str>,
) -> QueryResult<Vec<CaseRow>> {
    let mut q = scoped(scope);
    q = match (phone, email) {
        (Some(p), _) => q.filter(cases::consumer_phone.eq(p.to_owned())),
        (None, Some(e)) => q.filter(cases::consumer_email.eq(e.to_owned())),
        (None, None) => return Ok(vec![]),
    };
    q.order(cases::created_at.asc()).select(CaseRow::as_select()).load(conn)
}

/// Closed cases closed before `before` whose consumer is not anonymised yet, at most `limit`.
pub fn closed_before(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
    anonymous: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    cases::table
        .filter(cases::closed_at.lt(before))
        .filter(cases::consumer_name.ne(anonymous))
        .filter(cases::channel.ne("internal"))
        .order(cases::closed_at.asc())
        .limit(limit)
        .select(cases::id)
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_events)]
pub struct EventRow {
    pub case_id: CaseId,
    pub seq: i32,
    pub at: NaiveDateTime,
    pub actor_id: Option<UserId>,
    pub actor_role: String,
    pub action: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub data: String,
    pub public_message: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// `hmac-sha256` (keyed, with `state_hash`) or `sha256` (written before keyed chains).
    pub alg: String,
    /// Digest of the case row as this event left it (keyed events).
    pub state_hash: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: EvidenceId,
    pub case_id: CaseId,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    pub created_at: NaiveDateTime,
}

/// Which cases a reader may see (the isolation rule of product.md §1).
#[derive(Debug, Clone)]
pub enum Scope {
    /// Coordinators: every case of the province.
    All,
    /// Agency staff: cases ever routed (or offered by transfer) to this agency.
    Agency(AgencyCode),
    /// Mediators: cases appointed to them.
    Mediator(UserId),
    /// Admins and anyone else: nothing.
    Nothing,
}

type BoxedCases<'a> = cases::BoxedQuery<'a, crate::db::connection::MultiBackend>;

fn scoped<'a>(scope: &'a Scope) -> BoxedCases<'a> {
    let q = cases::table.into_boxed();
    match scope {
        Scope::All => q,
        // A correlated EXISTS, not `id IN (SELECT …)`: SQLite would first collect every case
        // id of the agency (a quarter of a million at a million cases) before answering the
        // first page; probing the (case_id, agency_code) key per case stops at the page.
        Scope::Agency(a) => q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "EXISTS (SELECT 1 FROM case_agencies ca WHERE ca.case_id = cases.id AND ca.agency_code = ",
            )
            .bind::<diesel::sql_types::Text, _>(a.clone())
            .sql(")"),
        ),
        Scope::Mediator(m) => q.filter(cases::mediator_id.eq(m.as_str())),
        Scope::Nothing => q.filter(cases::id.eq("").and(cases::id.ne(""))),
    }
}

pub fn insert_case(conn: &mut AnyConnection, row: &CaseRow) -> QueryResult<()> {
    diesel::insert_into(cases::table).values(row).execute(conn).map(|_| ())
}

/// Records that `agency` may read the case from now on (idempotent): it holds or held it.
pub fn grant_agency(conn: &mut AnyConnection, case_id: &str, agency: &str) -> QueryResult<()> {
    grant(conn, case_id, agency, false)
}

/// Read access for the target of a pending transfer: taken back if it declines
/// ([`revoke_provisional`]), kept if it accepts (the grant becomes permanent).
pub fn grant_pending(conn: &mut AnyConnection, case_id: &str, agency: &str) -> QueryResult<()> {
    grant(conn, case_id, agency, true)
}

fn grant(conn: &mut AnyConnection, case_id: &str, agency: &str, provisional: bool) -> QueryResult<()> {
    let existing: Option<bool> = case_agencies::table
        .filter(case_agencies::case_id.eq(case_id))
        .filter(case_agencies::agency_code.eq(agency))
        .select(case_agencies::provisional)
        .first(conn)
        .optional()?;
    match existing {
        None => {
            diesel::insert_into(case_agencies::table)
                .values((
                    case_agencies::case_id.eq(case_id),
                    case_agencies::agency_code.eq(agency),
                    case_agencies::provisional.eq(provisional),
                ))
                .execute(conn)?;
        }
        Some(true) if !provisional => {
            diesel::update(
                case_agencies::table
                    .filter(case_agencies::case_id.eq(case_id))
                    .filter(case_agencies::agency_code.eq(agency)),
            )
            .set(case_agencies::provisional.eq(false))
            .execute(conn)?;
        }
        Some(_) => {}
    }
    Ok(())
}

/// Takes back the read access a pending transfer gave `agency` (none if it held the case).
pub fn revoke_provisional(conn: &mut AnyConnection, case_id: &str, agency: &str) -> QueryResult<usize> {
    diesel::delete(
        case_agencies::table
            .filter(case_agencies::case_id.eq(case_id))
            .filter(case_agencies::agency_code.eq(agency))
            .filter(case_agencies::provisional.eq(true)),
    )
    .execute(conn)
}

/// A case the scope may see, or `None` (not found and not visible look the same).
pub fn find_visible(conn: &mut AnyConnection, id: &str, scope: &Scope) -> QueryResult<Option<CaseRow>> {
    scoped(scope)
        .filter(cases::id.eq(id))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_tracking_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<CaseRow>> {
    cases::table
        .filter(cases::tracking_code.eq(code))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<CaseRow>> {
    cases::table
        .find(id)
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
}

/// Applies a changeset if the version still matches; returns whether it did. Bumps the version.
pub fn update_if_version(
    conn: &mut AnyConnection,
    id: &str,
    version: i32,
    changes: &CaseChangeset,
) -> QueryResult<bool> {
    let n = diesel::update(cases::table.filter(cases::id.eq(id)).filter(cases::version.eq(version)))
        .set((changes, cases::version.eq(version + 1)))
        .execute(conn)?;
    Ok(n == 1)
}

pub fn current_version(conn: &mut AnyConnection, id: &str) -> QueryResult<i32> {
    cases::table.find(id).select(cases::version).first(conn)
}

pub fn set_call_id(conn: &mut AnyConnection, id: &str, call_id: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::call_id.eq(call_id))
        .execute(conn)
        .map(|_| ())
}

/// Sort order of a case list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    CreatedDesc,
    /// Soonest due first; cases without a due date last.
    DueAsc,
}

/// Position after which the next page starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Cursor {
    Created {
        priority: bool,
        at: NaiveDateTime,
        id: String,
    },
    Due {
        priority: bool,
        due: Option<NaiveDateTime>,
        id: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub agency: Option<String>,
    pub assignee: Option<String>,
    pub created_from: Option<NaiveDateTime>,
    pub created_to: Option<NaiveDateTime>,
    /// Search terms; the case must be indexed under every one (see `portability::text_search`).
    pub words: Vec<crate::domain::search::SearchTerm>,
    /// Only cases with this clock running.
    pub clock: Option<String>,
    /// Only cases with a running clock past due.
    pub overdue: bool,
}

/// One page of cases, keyset-paginated. Priority cases (vulnerable consumers) come first in
/// every order.
pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<CaseRow>> {
    use super::portability::{text_search, TextSearch};
    let newest_first_after = match (sort, after) {
        (Sort::CreatedDesc, Some(Cursor::Created { priority, at, .. })) => Some(Some((*priority, *at))),
        (Sort::CreatedDesc, _) => Some(None),
        (Sort::DueAsc, _) => None,
    };
    // One page query, optionally restricted by a search condition, at most `n` rows.
    let page = |conn: &mut AnyConnection, cond: Option<super::portability::CaseFilter>, n: i64| {
        let mut q = page_query(scope, f, sort, after);
        if let Some(c) = cond {
            q = q.filter(c);
        }
        q.limit(n).select(CaseRow::as_select()).load(conn)
    };
    match text_search(backend_of(conn), &f.words, newest_first_after, limit) {
        TextSearch::Nothing => page(conn, None, limit),
        TextSearch::Condition(cond) => page(conn, Some(cond), limit),
        TextSearch::Windows(mut windows) => {
            let mut rows: Vec<CaseRow> = Vec::new();
            while (rows.len() as i64) < limit {
                let Some(cond) = windows.next_window(conn)? else { break };
                let more = page(conn, Some(cond), limit - rows.len() as i64)?;
                rows.extend(more);
            }
            Ok(rows)
        }
    }
}

/// The filters, cursor and order of a list, without its text search.
fn page_query<'a>(scope: &'a Scope, f: &ListFilter, sort: Sort, after: Option<&Cursor>) -> BoxedCases<'a> {
    let mut q = scoped(scope);
    if let Some(s) = &f.status {
        q = q.filter(cases::status.eq(s.clone()));
    }
    if let Some(k) = &f.kind {
        q = q.filter(cases::kind.eq(k.clone()));
    }
    if let Some(c) = &f.category {
        q = q.filter(cases::category.eq(c.clone()));
    }
    if let Some(a) = &f.agency {
        q = q.filter(cases::current_agency.eq(a.clone()));
    }
    if let Some(u) = &f.assignee {
        q = q.filter(cases::assignee_id.eq(u.clone()));
    }
    if let Some(t) = f.created_from {
        q = q.filter(cases::created_at.ge(t));
    }
    if let Some(t) = f.created_to {
        q = q.filter(cases::created_at.lt(t));
    }
    if let Some(c) = &f.clock {
        q = q.filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(case_clocks::clock.eq(c.clone()))
                    .filter(case_clocks::state.eq("running"))
                    .select(case_clocks::case_id),
            ),
        );
    }
    if f.overdue {
        q = q.filter(
            cases::id.eq_any(
                case_clocks::table
                    .filter(case_clocks::overdue.eq(true))
                    .filter(case_clocks::state.eq("running"))
                    .select(case_clocks::case_id),
            ),
        );
    }
    match (sort, after) {
        (Sort::CreatedDesc, Some(Cursor::Created { priority, at, id })) => {
            q = q.filter(
                cases::priority.lt(*priority).or(cases::priority.eq(*priority).and(
                    cases::created_at
                        .lt(*at)
                        .or(cases::created_at.eq(*at).and(cases::id.lt(id.clone()))),
                )),
            );
        }
        (
            Sort::DueAsc,
            Some(Cursor::Due {
                priority,
                due: Some(d),
                id,
            }),
        ) => {
            q = q.filter(
                cases::priority.lt(*priority).or(cases::priority.eq(*priority).and(
                    cases::due_at
                        .gt(*d)
                        .or(cases::due_at.eq(*d).and(cases::id.gt(id.clone())))
                        .or(cases::due_at.is_null()),
                )),
            );
        }
        (
            Sort::DueAsc,
            Some(Cursor::Due {
                priority,
                due: None,
                id,
            }),
        ) => {
            q = q.filter(
                cases::priority.lt(*priority).or(cases::priority
                    .eq(*priority)
                    .and(cases::due_at.is_null().and(cases::id.gt(id.clone())))),
            );
        }
        _ => {}
    }
    match sort {
        Sort::CreatedDesc => q.order((cases::priority.desc(), cases::created_at.desc(), cases::id.desc())),
        Sort::DueAsc => q.order((
            cases::priority.desc(),
            cases::due_at.is_null().asc(),
            cases::due_at.asc(),
            cases::id.asc(),
        )),
    }
}

/// Seq and hash of the newest event of a case.
pub fn last_event(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Option<(i32, String)>> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::seq.desc())
        .select((case_events::seq, case_events::hash))
        .first(conn)
        .optional()
}

pub fn insert_event(conn: &mut AnyConnection, row: &EventRow) -> QueryResult<()> {
    diesel::insert_into(case_events::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn list_events(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<EventRow>> {
    case_events::table
        .filter(case_events::case_id.eq(case_id))
        .order(case_events::seq.asc())
        .select(EventRow::as_select())
        .load(conn)
}

pub fn insert_evidence(conn: &mut AnyConnection, row: &EvidenceRow) -> QueryResult<()> {
    diesel::insert_into(evidence::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Bytes of evidence the case holds.
pub fn evidence_bytes(conn: &mut AnyConnection, case_id: &str) -> QueryResult<i64> {
    // A case holds a few files: summing them here avoids SUM's type differing per backend.
    let sizes: Vec<i64> = evidence::table
        .filter(evidence::case_id.eq(case_id))
        .select(evidence::size_bytes)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

/// Whether any evidence row names the file with this hash.
pub fn evidence_file_referenced(conn: &mut AnyConnection, sha256: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(evidence::table.filter(evidence::sha256.eq(sha256)))).get_result(conn)
}

pub fn list_evidence(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<EvidenceRow>> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .order((evidence::created_at.asc(), evidence::id.asc()))
        .select(EvidenceRow::as_select())
        .load(conn)
}

pub fn find_evidence(conn: &mut AnyConnection, case_id: &str, id: &str) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .filter(evidence::id.eq(id))
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()
}

/// The case and request hash stored for an idempotency key.
pub fn find_idempotency(conn: &mut AnyConnection, key: &str) -> QueryResult<Option<(String, String)>> {
    idempotency_keys::table
        .find(key)
        .select((idempotency_keys::request_hash, idempotency_keys::case_id))
        .first(conn)
        .optional()
}

pub fn insert_idempotency(
    conn: &mut AnyConnection,
    key: &str,
    request_hash: &str,
    case_id: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::case_id.eq(case_id),
            idempotency_keys::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Updates `updated_at` without a new version: serialises writers of the case's event chain.
pub fn touch(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::updated_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

/// The most recent case of the same consumer about the same business since `since`.
pub fn find_possible_duplicate(
    conn: &mut AnyConnection,
    phone: &str,
    business_key: &str,
    since: NaiveDateTime,
) -> QueryResult<Option<String>> {
    cases::table
        .filter(cases::consumer_phone.eq(phone))
        .filter(cases::business_key.eq(business_key))
        .filter(cases::created_at.ge(since))
        .filter(cases::outcome.is_null().or(cases::outcome.ne("duplicate")))
        .order((cases::created_at.desc(), cases::id.desc()))
        .select(cases::id)
        .first(conn)
        .optional()
}

/// A recent case that names a business, as the cluster detection reads it.
#[derive(Debug, Clone, Queryable)]
pub struct BusinessCaseRow {
    pub business_key: Option<String>,
    pub consumer_phone: String,
    pub id: String,
    pub kind: String,
    pub category: String,
    pub business_name: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Visible cases naming a business, created since `since`, oldest first. (Grouped in the
/// service: a province has thousands of cases a month, and a boxed GROUP BY does not compile
/// through diesel's MultiConnection.)
pub fn recent_business_cases(
    conn: &mut AnyConnection,
    scope: &Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<BusinessCaseRow>> {
    scoped(scope)
        .filter(cases::business_key.is_not_null())
        .filter(cases::created_at.ge(since))
        .order((cases::created_at.asc(), cases::id.asc()))
        .select((
            cases::business_key,
            cases::consumer_phone,
            cases::id,
            cases::kind,
            cases::category,
            cases::business_name,
            cases::created_at,
        ))
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = routing_corrections)]
pub struct CorrectionRow {
    pub id: String,
    pub case_id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub source: String,
    pub text: String,
    pub suggested_kind: String,
    pub suggested_category: String,
    pub suggested_agency: Option<String>,
    pub final_kind: String,
    pub final_category: String,
    pub final_agency: Option<String>,
}

pub fn insert_correction(conn: &mut AnyConnection, row: &CorrectionRow) -> QueryResult<()> {
    diesel::insert_into(routing_corrections::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn list_corrections(conn: &mut AnyConnection) -> QueryResult<Vec<CorrectionRow>> {
    routing_corrections::table
        .order((routing_corrections::at.asc(), routing_corrections::id.asc()))
        .select(CorrectionRow::as_select())
        .load(conn)
}

pub fn set_due(conn: &mut AnyConnection, id: &str, due: Option<NaiveDateTime>) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::due_at.eq(due))
        .execute(conn)
        .map(|_| ())
}

/// Distinct consumers (by phone) who complained about a business since `since`, all agencies.
/// Cases the service opened itself (channel `internal`: a violation report from a cluster) have
/// no consumer and do not count.
pub fn consumers_of_business(conn: &mut AnyConnection, business_key: &str, since: NaiveDateTime) -> QueryResult<usize> {
    let phones: Vec<String> = cases::table
        .filter(cases::business_key.eq(business_key))
        .filter(cases::created_at.ge(since))
        .filter(cases::channel.ne("internal"))
        .select(cases::consumer_phone)
        .distinct()
        .load(conn)?;
    Ok(phones.len())
}

/// The length and head of a case's history as the case row records them.
pub fn head_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<(i32, String)>> {
    cases::table
        .find(id)
        .select((cases::event_count, cases::head_hash))
        .first(conn)
        .optional()
}

/// Moves the case's recorded head to its newest event (a trigger refuses any other head).
pub fn set_head(conn: &mut AnyConnection, id: &str, event_count: i32, head_hash: &str) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set((cases::event_count.eq(event_count), cases::head_hash.eq(head_hash)))
        .execute(conn)
        .map(drop)
}

/// Every case id with its recorded head, in id order (for `hotline audit`).
pub fn all_heads(conn: &mut AnyConnection) -> QueryResult<Vec<(String, i32, String)>> {
    cases::table
        .select((cases::id, cases::event_count, cases::head_hash))
        .order(cases::id.asc())
        .load(conn)
}

/// Records the consumer's rating of a case (one per case).
pub fn insert_rating(
    conn: &mut AnyConnection,
    case_id: &str,
    score: i32,
    resolved: bool,
    comment: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    use super::schema::case_ratings;
    diesel::insert_into(case_ratings::table)
        .values((
            case_ratings::case_id.eq(case_id),
            case_ratings::score.eq(score),
            case_ratings::resolved.eq(resolved),
            case_ratings::comment.eq(comment),
            case_ratings::rated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether the consumer has rated the case.
pub fn is_rated(conn: &mut AnyConnection, case_id: &str) -> QueryResult<bool> {
    use super::schema::case_ratings;
    diesel::select(diesel::dsl::exists(case_ratings::table.find(case_id))).get_result(conn)
}
