//! Cases grouped by business: possible duplicates, mass-complaint clusters.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{scoped, Scope};
use crate::db::schema::cases;
use crate::db::AnyConnection;

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
