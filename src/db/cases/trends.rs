//! Counts for early warning (ADR 0038): the cases of a period grouped by category or by
//! business, counted on the database with the wrap approach of the reports (ADR 0036) over the
//! case list's own filters, so every count drills down to the cases counted.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::list::filtered;
use super::Scope;
use crate::db::grouped::wrap;
use crate::db::AnyConnection;
use crate::domain::alert::AlertDimension;
use crate::domain::search::ListFilter;

/// The province's cases that pass `f`, counted by `dim`: key, a name as recorded (businesses),
/// count. Cases without the key are left out.
pub fn trend_counts(
    conn: &mut AnyConnection,
    f: &ListFilter,
    dim: AlertDimension,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    let expr = match dim {
        AlertDimension::Category => "cases.category AS k, CAST(NULL AS TEXT) AS n",
        AlertDimension::Business => "cases.business_key AS k, cases.business_name AS n",
    };
    let inner = filtered(&Scope::All, f).select(sql::<(Nullable<Text>, Nullable<Text>)>(expr));
    wrap::<_, (Text, Nullable<Text>, BigInt)>(
        "SELECT t.k, MAX(t.n), COUNT(*) FROM (",
        inner,
        ") t WHERE t.k IS NOT NULL GROUP BY t.k ORDER BY 3 DESC, 1",
    )
    .load(conn)
}
