//! Cases and their agencies: rows and queries; the other tables of a case each have a module
//! here (re-exported, so callers name them `db::cases::…`).

mod business;
mod corrections;
mod events;
mod evidence_files;
mod idempotency;
mod list;
mod open_data;
mod opening;
mod ratings;
mod reports;
mod trends;

pub use business::*;
pub use corrections::*;
pub use events::*;
pub use evidence_files::*;
pub use idempotency::*;
pub use list::*;
pub use open_data::*;
pub use opening::*;
pub use ratings::*;
pub use reports::*;
pub use trends::*;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{case_agencies, case_clocks, case_events, cases};
use super::AnyConnection;
use crate::domain::case::{CaseState, Channel, Outcome, Status};
use crate::domain::ids::{AgencyCode, CallId, CaseId, CategoryCode, TrackingCode, UserId};
use crate::domain::{Case, Kind};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cases)]
// `None` is inserted as NULL (every nullable column's default), not as `DEFAULT`, which made
// diesel re-prepare the INSERT every time on PostgreSQL (ADR 0045).
#[diesel(treat_none_as_default_value = false)]
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
    /// The unit of the current agency that works the case (ADR 0033).
    pub unit_code: Option<String>,
    /// The codes of the agencies that may read the case (those of `case_agencies`), space
    /// separated: PostgreSQL indexes them with the words for an agency's search (ADR 0041).
    pub visible_to: String,
    /// What the complaint is about, as named (a product or a service).
    pub product: Option<String>,
    /// Groups complaints naming the same product (`domain::values::Product::key`).
    pub product_key: Option<String>,
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
            unit_code: o.unit.clone(),
            visible_to: o.agency.to_string(),
            product: o.product.as_ref().map(|p| p.name().to_owned()),
            product_key: o.product.as_ref().map(|p| p.key().to_owned()),
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
    pub unit_code: Option<Option<String>>,
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
            unit_code: None,
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
    /// The commune and province by their official names, or nothing (free text as typed).
    pub consumer_commune: Option<Option<String>>,
    pub consumer_province: Option<Option<String>>,
    pub description: String,
    pub consumer_request: Option<Option<String>>,
    pub product: Option<Option<String>>,
    pub product_key: Option<Option<String>>,
    pub search_text: String,
    pub updated_at: NaiveDateTime,
}

/// Intake data corrected by staff (`correct_data`), with the search words and the
/// business's and product's keys that follow from it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = cases)]
pub struct CorrectedData {
    pub consumer_phone: Option<String>,
    pub consumer_phone_last4: Option<String>,
    pub consumer_email: Option<Option<String>>,
    pub business_name: Option<Option<String>>,
    pub business_tax_code: Option<Option<String>>,
    pub business_key: Option<Option<String>>,
    pub product: Option<Option<String>>,
    pub product_key: Option<Option<String>>,
    pub search_text: Option<String>,
}

pub fn correct(conn: &mut AnyConnection, id: &str, ch: &CorrectedData) -> QueryResult<usize> {
    diesel::update(cases::table.find(id)).set(ch).execute(conn)
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

/// Which cases a reader may see (the isolation rule of product.md §1).
#[derive(Debug, Clone)]
pub enum Scope {
    /// Coordinators: every case of the province.
    All,
    /// Agency staff: cases ever routed (or offered by transfer) to this agency.
    Agency(AgencyCode),
    /// Supervisors: the agency's cases, and the cases appointed to a mediator whose entry on
    /// the list of mediators belongs to the agency (a mediation body's supervisor).
    AgencyAndMediators(AgencyCode),
    /// Mediators: cases appointed to them.
    Mediator(UserId),
    /// Admins and anyone else: nothing.
    Nothing,
}

pub(super) type BoxedCases<'a> = cases::BoxedQuery<'a, crate::db::connection::MultiBackend>;

pub(super) fn scoped<'a>(scope: &'a Scope) -> BoxedCases<'a> {
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
        Scope::AgencyAndMediators(a) => q.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(EXISTS (SELECT 1 FROM case_agencies ca WHERE ca.case_id = cases.id AND ca.agency_code = ",
            )
            .bind::<diesel::sql_types::Text, _>(a.clone())
            .sql(") OR EXISTS (SELECT 1 FROM mediators m WHERE m.user_id = cases.mediator_id AND m.body_agency = ")
            .bind::<diesel::sql_types::Text, _>(a.clone())
            .sql("))"),
        ),
        Scope::Mediator(m) => q.filter(cases::mediator_id.eq(m.as_str())),
        Scope::Nothing => q.filter(cases::id.eq("").and(cases::id.ne(""))),
    }
}

/// The cases of `scope`, with the agency tested on the case row itself: `visible_to` holds the
/// codes of `case_agencies` (ADR 0041, kept equal by grant/revoke), so an agency's scope is a
/// `LIKE` on a column of a row already read instead of an index probe per row. For queries that
/// read every case of the scope anyway (reports, the console's counts; ADR 0042); the case list
/// keeps [`scoped`],
/// whose `EXISTS` lets a first page stop early on its own index.
pub(super) fn scoped_rows<'a>(scope: &'a Scope) -> BoxedCases<'a> {
    use diesel::dsl::sql;
    use diesel::sql_types::{Bool, Text};
    const HOLDS: &str = "((' ' || cases.visible_to || ' ') LIKE ";
    let q = cases::table.into_boxed();
    match scope {
        Scope::Agency(a) => q.filter(
            sql::<Bool>(HOLDS)
                .bind::<Text, _>(visible_to_pattern(a))
                .sql(" ESCAPE '!')"),
        ),
        Scope::AgencyAndMediators(a) => q.filter(
            sql::<Bool>("(")
                .sql(HOLDS)
                .bind::<Text, _>(visible_to_pattern(a))
                .sql(" ESCAPE '!') OR cases.mediator_id IN (SELECT m.user_id FROM mediators m WHERE m.body_agency = ")
                .bind::<Text, _>(a.to_string())
                .sql("))"),
        ),
        _ => scoped(scope),
    }
}

/// `% CODE %` with `LIKE`'s wildcards escaped (agency codes may hold `_`).
fn visible_to_pattern(a: &AgencyCode) -> String {
    let mut p = String::from("% ");
    for c in a.as_str().chars() {
        if matches!(c, '%' | '_' | '!') {
            p.push('!');
        }
        p.push(c);
    }
    p.push_str(" %");
    p
}

pub fn insert_case(conn: &mut AnyConnection, row: &CaseRow) -> QueryResult<()> {
    diesel::insert_into(cases::table).values(row).execute(conn).map(|_| ())
}

/// A new case's first event, its opening agency's read access and its first clock, written
/// together after the case row (one statement on PostgreSQL, ADR 0054). The grant is a plain
/// insert: a new case has no grant yet.
pub fn insert_opening_rows(
    conn: &mut AnyConnection,
    row: &CaseRow,
    first: &EventRow,
    clock: &crate::db::clocks::ClockRow,
) -> QueryResult<()> {
    crate::db::portability::insert_together(
        conn,
        (
            diesel::insert_into(case_events::table).values(first),
            diesel::insert_into(case_agencies::table).values((
                case_agencies::case_id.eq(&row.id),
                case_agencies::agency_code.eq(&row.visible_to),
                case_agencies::provisional.eq(false),
            )),
            diesel::insert_into(case_clocks::table).values(clock),
        ),
    )
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
            diesel::update(cases::table.find(case_id))
                .set(
                    cases::visible_to.eq(
                        diesel::dsl::sql::<diesel::sql_types::Text>("TRIM(visible_to || ' ' || ")
                            .bind::<diesel::sql_types::Text, _>(agency.to_owned())
                            .sql(")"),
                    ),
                )
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
    let revoked = diesel::delete(
        case_agencies::table
            .filter(case_agencies::case_id.eq(case_id))
            .filter(case_agencies::agency_code.eq(agency))
            .filter(case_agencies::provisional.eq(true)),
    )
    .execute(conn)?;
    if revoked > 0 {
        // `visible_to` without the code (the codes are separated by single spaces).
        diesel::update(cases::table.find(case_id))
            .set(
                cases::visible_to.eq(diesel::dsl::sql::<diesel::sql_types::Text>(
                    "TRIM(REPLACE(' ' || visible_to || ' ', ",
                )
                .bind::<diesel::sql_types::Text, _>(format!(" {agency} "))
                .sql(", ' '))")),
            )
            .execute(conn)?;
    }
    Ok(revoked)
}

/// A case the scope may see, or `None` (not found and not visible look the same).
pub fn find_visible(conn: &mut AnyConnection, id: &str, scope: &Scope) -> QueryResult<Option<CaseRow>> {
    scoped(scope)
        .filter(cases::id.eq(id))
        .select(CaseRow::as_select())
        .first(conn)
        .optional()
        .map_err(naming_case(id))
}

/// A case row that cannot be read (unknown status text, …) names its case in the error that
/// is logged; never its content.
fn naming_case(id: &str) -> impl FnOnce(diesel::result::Error) -> diesel::result::Error + '_ {
    move |e| match e {
        diesel::result::Error::DeserializationError(inner) => {
            diesel::result::Error::DeserializationError(format!("case {id}: {inner}").into())
        }
        e => e,
    }
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
        .map_err(naming_case(id))
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

/// Updates `updated_at` without a new version: serialises writers of the case's event chain.
pub fn touch(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::updated_at.eq(at))
        .execute(conn)
        .map(|_| ())
}

pub fn set_due(conn: &mut AnyConnection, id: &str, due: Option<NaiveDateTime>) -> QueryResult<()> {
    diesel::update(cases::table.find(id))
        .set(cases::due_at.eq(due))
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agency_is_a_whole_word_of_visible_to_with_like_wildcards_escaped() {
        assert_eq!(visible_to_pattern(&AgencyCode::from("SCT")), "% SCT %");
        // `_` would match any character: UBND_XA must not match UBNDXXA.
        assert_eq!(visible_to_pattern(&AgencyCode::from("UBND_XA")), "% UBND!_XA %");
        assert_eq!(visible_to_pattern(&AgencyCode::from("A%!")), "% A!%!! %");
    }
}
