//! The business registry (`businesses`), the staff-confirmed links of cases to it
//! (`business_case_links`) and the evidence shared with a business (`business_shared_evidence`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{business_case_links, business_shared_evidence, businesses, case_clocks, cases};
use super::AnyConnection;
use crate::domain::case::Status;
use crate::domain::clock::{ClockKind, ClockResult, ClockState};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = businesses)]
pub struct BusinessRow {
    pub id: String,
    pub tax_code: Option<String>,
    pub name: String,
    pub name_key: String,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub merged_into: Option<String>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A correction: `None` leaves a column, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = businesses)]
pub struct BusinessChangeset {
    pub tax_code: Option<Option<String>>,
    pub name: Option<String>,
    pub name_key: Option<String>,
    pub address: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub merged_into: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, row: &BusinessRow) -> QueryResult<()> {
    diesel::insert_into(businesses::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

pub fn update(conn: &mut AnyConnection, id: &str, ch: &BusinessChangeset) -> QueryResult<usize> {
    diesel::update(businesses::table.find(id)).set(ch).execute(conn)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<BusinessRow>> {
    businesses::table
        .find(id)
        .select(BusinessRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_tax_code(conn: &mut AnyConnection, tax_code: &str) -> QueryResult<Option<BusinessRow>> {
    businesses::table
        .filter(businesses::tax_code.eq(tax_code))
        .select(BusinessRow::as_select())
        .first(conn)
        .optional()
}

/// Live (not merged) entries whose folded name contains `name_part` or whose tax code starts
/// with `tax_prefix`, by name.
pub fn search(
    conn: &mut AnyConnection,
    name_part: Option<&str>,
    tax_prefix: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<BusinessRow>> {
    let mut q = businesses::table
        .filter(businesses::merged_into.is_null())
        .select(BusinessRow::as_select())
        .into_boxed();
    if let Some(n) = name_part {
        q = q.filter(businesses::name_key.like(format!("%{n}%")));
    }
    if let Some(t) = tax_prefix {
        q = q.filter(businesses::tax_code.like(format!("{t}%")));
    }
    q.order((businesses::name_key.asc(), businesses::id.asc()))
        .limit(limit)
        .load(conn)
}

/// Live entries with exactly this folded name (match suggestions).
pub fn with_name_key(conn: &mut AnyConnection, name_key: &str) -> QueryResult<Vec<BusinessRow>> {
    businesses::table
        .filter(businesses::merged_into.is_null())
        .filter(businesses::name_key.eq(name_key))
        .select(BusinessRow::as_select())
        .order(businesses::id.asc())
        .load(conn)
}

/// The entry staff linked the case to, if any.
pub fn link_of_case(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Option<String>> {
    business_case_links::table
        .find(case_id)
        .select(business_case_links::business_id)
        .first(conn)
        .optional()
}

/// Links a case to an entry (replacing an earlier link: select-then-write, no upsert through
/// `MultiConnection`).
pub fn link_case(
    conn: &mut AnyConnection,
    case_id: &str,
    business_id: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    if link_of_case(conn, case_id)?.is_some() {
        diesel::update(business_case_links::table.find(case_id))
            .set((
                business_case_links::business_id.eq(business_id),
                business_case_links::confirmed_by.eq(by),
                business_case_links::confirmed_at.eq(at),
            ))
            .execute(conn)?;
        return Ok(());
    }
    diesel::insert_into(business_case_links::table)
        .values((
            business_case_links::case_id.eq(case_id),
            business_case_links::business_id.eq(business_id),
            business_case_links::confirmed_by.eq(by),
            business_case_links::confirmed_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Moves every confirmed link of `from` to `to` (a merge).
pub fn move_links(conn: &mut AnyConnection, from: &str, to: &str) -> QueryResult<usize> {
    diesel::update(business_case_links::table.filter(business_case_links::business_id.eq(from)))
        .set(business_case_links::business_id.eq(to))
        .execute(conn)
}

/// The cases of an entry: those staff linked to it, and those naming its tax code that staff
/// did not link elsewhere.
pub fn case_ids_of(conn: &mut AnyConnection, business_id: &str, tax_code: Option<&str>) -> QueryResult<Vec<String>> {
    let mut ids: Vec<String> = business_case_links::table
        .filter(business_case_links::business_id.eq(business_id))
        .select(business_case_links::case_id)
        .load(conn)?;
    if let Some(t) = tax_code {
        let linked = business_case_links::table.select(business_case_links::case_id);
        let by_code: Vec<String> = cases::table
            .filter(cases::business_tax_code.eq(t))
            .filter(cases::id.ne_all(linked))
            .select(cases::id)
            .load(conn)?;
        ids.extend(by_code);
    }
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// (id, tracking code, status) of these cases.
pub fn case_statuses(conn: &mut AnyConnection, ids: &[String]) -> QueryResult<Vec<(String, String, Status)>> {
    cases::table
        .filter(cases::id.eq_any(ids))
        .select((cases::id, cases::tracking_code, cases::status))
        .order(cases::created_at.desc())
        .load(conn)
}

/// The business clocks of these cases: (state, result, overdue).
pub fn business_clocks(
    conn: &mut AnyConnection,
    ids: &[String],
    clocks: &[ClockKind],
) -> QueryResult<Vec<(ClockState, Option<ClockResult>, bool)>> {
    case_clocks::table
        .filter(case_clocks::case_id.eq_any(ids))
        .filter(case_clocks::clock.eq_any(clocks))
        .select((case_clocks::state, case_clocks::result, case_clocks::overdue))
        .load(conn)
}

/// Marks an evidence file as shared with the business (once).
pub fn share_evidence(
    conn: &mut AnyConnection,
    evidence_id: &str,
    case_id: &str,
    by: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let exists = business_shared_evidence::table
        .find(evidence_id)
        .select(business_shared_evidence::evidence_id)
        .first::<String>(conn)
        .optional()?
        .is_some();
    if exists {
        return Ok(());
    }
    diesel::insert_into(business_shared_evidence::table)
        .values((
            business_shared_evidence::evidence_id.eq(evidence_id),
            business_shared_evidence::case_id.eq(case_id),
            business_shared_evidence::shared_by.eq(by),
            business_shared_evidence::shared_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

pub fn unshare_evidence(conn: &mut AnyConnection, evidence_id: &str) -> QueryResult<usize> {
    diesel::delete(business_shared_evidence::table.find(evidence_id)).execute(conn)
}

/// Ids of the case's evidence the business may see.
pub fn shared_evidence_ids(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<String>> {
    business_shared_evidence::table
        .filter(business_shared_evidence::case_id.eq(case_id))
        .select(business_shared_evidence::evidence_id)
        .load(conn)
}
