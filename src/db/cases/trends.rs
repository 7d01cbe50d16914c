//! Counts for early warning (ADR 0038): the cases of a period grouped by category, by business
//! or by product (ADR 0066), counted on the database with the wrap approach of the reports
//! (ADR 0036) over the case list's own filters, so every count drills down to the cases counted.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::list::filtered;
use super::Scope;
use crate::db::grouped::wrap;
use crate::db::AnyConnection;
use crate::domain::alert::AlertDimension;
use crate::domain::search::ListFilter;

/// The province's cases that pass `f`, counted by `dim`: key, a name as recorded (businesses and
/// products: that of its latest case naming it), count — of cases for a category, of distinct
/// consumers (by normalised phone, as clusters count them) for a business or a product, so that
/// one consumer's many complaints are one; a case without a phone (an anonymous violation report,
/// an anonymised case) is a consumer of its own, not one with every other phoneless case. Cases
/// without the key are left out; most first, then by key as bytes.
pub fn trend_counts(
    conn: &mut AnyConnection,
    f: &ListFilter,
    dim: AlertDimension,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    grouped(conn, &Scope::All, f, dim, None)
}

/// The names of the products most consumers named in the cases of `scope` that pass `f`, each
/// as last recorded (at most `limit`): the console's suggestions, so an operator types a product
/// as it was named before (ADR 0066).
pub fn top_products(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter, limit: u32) -> QueryResult<Vec<String>> {
    Ok(grouped(conn, scope, f, AlertDimension::Product, Some(limit))?
        .into_iter()
        .filter_map(|(_, name, _)| name)
        .collect())
}

/// [`trend_counts`] in `scope`, the first `limit` if given.
fn grouped(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    dim: AlertDimension,
    limit: Option<u32>,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    const CONSUMER: &str = "CASE WHEN cases.consumer_phone <> '' THEN cases.consumer_phone ELSE cases.id END AS p";
    let (expr, counted) = match dim {
        AlertDimension::Category => (
            "cases.category AS k, CAST(NULL AS TEXT) AS n, cases.id AS p".to_owned(),
            "COUNT(*)",
        ),
        AlertDimension::Business => (
            format!("cases.business_key AS k, cases.business_name AS n, {CONSUMER}"),
            "COUNT(DISTINCT s.p)",
        ),
        AlertDimension::Product => (
            format!("cases.product_key AS k, cases.product AS n, {CONSUMER}"),
            "COUNT(DISTINCT s.p)",
        ),
    };
    let inner = filtered(scope, f).select(sql::<(Nullable<Text>, Nullable<Text>, Text)>(&format!(
        "{expr}, cases.created_at AS c, cases.id AS i"
    )));
    let (before, mut after) = super::reports::latest_name_and_count(conn, counted);
    if let Some(n) = limit {
        after.push_str(&format!(" LIMIT {n}"));
    }
    wrap::<_, (Text, Nullable<Text>, BigInt)>(before, inner, after).load(conn)
}

/// When the service's first case was created (`None`: no case yet): the start of the history
/// an early-warning baseline can have.
pub fn first_case_at(conn: &mut AnyConnection) -> QueryResult<Option<chrono::NaiveDateTime>> {
    use crate::db::schema::cases;
    cases::table.select(diesel::dsl::min(cases::created_at)).first(conn)
}
