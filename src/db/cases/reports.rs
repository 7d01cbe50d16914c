//! Aggregates for reports (issue 14): counted on the database over the same filtered set of
//! cases the case list uses (`list::filtered`), so that every figure drills down to exactly the
//! cases counted.
//!
//! Diesel cannot `GROUP BY` a boxed query on the multi-backend connection (the trait solver
//! overflows), so a grouped figure wraps the boxed case query — its filters and their bound
//! values, untouched — in a few words of our own SQL (`db::grouped::wrap`):
//! `SELECT t.g, COUNT(*) FROM (SELECT <expr> AS g FROM cases WHERE <the list's filters>) t
//! GROUP BY t.g`. One query per breakdown, nothing loaded but the groups. The SQL around the
//! subquery is constant text of this module (never input); the expressions that differ between
//! the backends come from `db::portability`.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Nullable, Text};

use super::list::filtered_rows as filtered;
use super::Scope;
use crate::db::grouped::wrap;
use crate::db::portability;
use crate::db::schema::cases;
use crate::db::AnyConnection;
use crate::domain::search::ListFilter;

/// A dimension a report counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    Channel,
    Kind,
    Category,
    Agency,
    /// The unit of the current agency working the case (ADR 0033).
    Unit,
    Status,
    Outcome,
    Vulnerable,
    ConsumerProvince,
    ConsumerCommune,
    /// The month of creation, `YYYY-MM`, Vietnam time.
    Month,
}

impl Dimension {
    /// The expression grouped on.
    fn column(self, conn: &AnyConnection) -> &'static str {
        match self {
            Dimension::Channel => "cases.channel",
            Dimension::Kind => "cases.kind",
            Dimension::Category => "cases.category",
            Dimension::Agency => "cases.current_agency",
            Dimension::Unit => "cases.unit_code",
            Dimension::Status => "cases.status",
            Dimension::Outcome => "cases.outcome",
            Dimension::Vulnerable => "cases.vulnerable",
            Dimension::ConsumerProvince => "cases.consumer_province",
            Dimension::ConsumerCommune => "cases.consumer_commune",
            Dimension::Month => portability::created_month_vn(portability::backend_of(conn)),
        }
    }

    /// The expression grouped on, named `g`.
    fn expression(self, conn: &AnyConnection) -> String {
        format!("{} AS g", self.column(conn))
    }
}

/// The values of a dimension (`None`: not recorded) and their numbers of cases.
pub type Counted = Vec<(Option<String>, i64)>;

/// The cases of `scope` that pass `f`, counted by `dim` (`None`: not recorded), largest first.
pub fn count_by(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter, dim: Dimension) -> QueryResult<Counted> {
    let inner = filtered(scope, f).select(sql::<Nullable<Text>>(&dim.expression(conn)));
    wrap::<_, (Nullable<Text>, BigInt)>(
        "SELECT t.g, COUNT(*) FROM (",
        inner,
        ") t GROUP BY t.g ORDER BY 2 DESC, 1",
    )
    .load(conn)
}

/// The cases of `scope` that pass `f`: how many, and counted by each of `dims` (in order, each
/// as [`count_by`] gives it) — in one statement that reads the cases once (ADR 0042): the
/// grouped columns of the counted cases are materialised once (`WITH t AS MATERIALIZED`, SQLite
/// ≥ 3.35 and PostgreSQL ≥ 12 alike) and each dimension is a `GROUP BY` over that, joined with
/// `UNION ALL`.
pub fn count_by_each(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    dims: &[Dimension],
) -> QueryResult<(i64, Vec<Counted>)> {
    let columns: Vec<String> = std::iter::once("1 AS g_".to_owned())
        .chain(
            dims.iter()
                .enumerate()
                .map(|(i, d)| format!("{} AS g{i}", d.column(conn))),
        )
        .collect();
    let inner = filtered(scope, f).select(sql::<Text>(&columns.join(", ")));
    let mut after = String::from(") SELECT -1 AS d, CAST(NULL AS TEXT) AS g, COUNT(*) AS n FROM t");
    for i in 0..dims.len() {
        after.push_str(&format!(
            " UNION ALL SELECT {i}, t.g{i}, COUNT(*) FROM t GROUP BY t.g{i}"
        ));
    }
    let rows: Vec<(i32, Option<String>, i64)> = wrap::<_, (diesel::sql_types::Integer, Nullable<Text>, BigInt)>(
        "WITH t AS MATERIALIZED (",
        inner,
        format!("{after} ORDER BY 1, 3 DESC, 2"),
    )
    .load(conn)?;
    let mut total = 0;
    let mut out = vec![Vec::new(); dims.len()];
    for (d, g, n) in rows {
        match usize::try_from(d).ok().and_then(|d| out.get_mut(d)) {
            Some(rows) => rows.push((g, n)),
            None => total = n,
        }
    }
    Ok((total, out))
}

/// The mediated cases of `scope` that pass `f`, counted by mediator and outcome (`None`: not
/// closed): (mediator's user id, outcome, cases). Cases without a mediator are left out.
pub fn mediation_counts(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    let inner = filtered(scope, f)
        .filter(cases::mediator_id.is_not_null())
        .select(sql::<(Nullable<Text>, Nullable<Text>)>(
            "cases.mediator_id AS m, cases.outcome AS o",
        ));
    wrap::<_, (Text, Nullable<Text>, BigInt)>(
        "SELECT t.m, t.o, COUNT(*) FROM (",
        inner,
        ") t GROUP BY t.m, t.o ORDER BY 1",
    )
    .load(conn)
}

/// Clocks of the counted cases, grouped: kind, state, result, overdue, how many.
pub type ClockGroup = (String, String, Option<String>, bool, i64);

/// The legal clocks of the cases of `scope` that pass `f`, counted by kind, state, result and
/// whether a running one is overdue. Paused clocks are counted too (state `paused`).
pub fn clock_groups(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<Vec<ClockGroup>> {
    let ids = filtered(scope, f).select(cases::id);
    wrap::<_, (Text, Text, Nullable<Text>, Bool, BigInt)>(
        "SELECT cc.clock, cc.state, cc.result, cc.overdue, COUNT(*) FROM case_clocks cc WHERE cc.case_id IN (",
        ids,
        ") GROUP BY cc.clock, cc.state, cc.result, cc.overdue",
    )
    .load(conn)
}

/// Two `p`-quantiles (nearest rank, `0 < p ≤ 1`) of the days from creation to closure of the
/// closed cases of `scope` that pass `f`, and how many closed cases there are: one query that
/// numbers the durations (`ROW_NUMBER`/`COUNT` over the whole set, as
/// [`days_to_close_quantile_by`] does per group) and keeps, per quantile, the duration of rank
/// ⌈p·n⌉ computed in integers; nothing but three numbers is loaded.
pub fn days_to_close_quantiles(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    ps: [f64; 2],
) -> QueryResult<(i64, [Option<f64>; 2])> {
    let backend = portability::backend_of(conn);
    let inner = filtered(scope, &f.clone().closed_only())
        .select(sql::<Double>(&format!("{} AS d", portability::days_to_close(backend))));
    let [a, b] = ps.map(|p| format!("MAX(CASE WHEN {} THEN t.d END)", nearest_rank(p)));
    let (n, qa, qb) = wrap::<_, (BigInt, Nullable<Double>, Nullable<Double>)>(
        format!(
            "SELECT COUNT(*), {a}, {b} FROM (SELECT s.d, ROW_NUMBER() OVER (ORDER BY s.d) AS rn, \
             COUNT(*) OVER () AS n FROM ("
        ),
        inner,
        ") s) t",
    )
    .get_result(conn)?;
    Ok((n, [qa, qb]))
}

/// The row of nearest rank ⌈p·n⌉ among durations numbered `t.rn` of `t.n` (1 ≤ rank ≤ n),
/// computed in integers (per mille) so that SQLite and PostgreSQL agree.
fn nearest_rank(p: f64) -> String {
    let per_mille = ((p * 1000.0).round() as i64).clamp(1, 1000);
    format!("t.rn = ({per_mille} * t.n + 999) / 1000")
}

/// [`clock_groups`], for every value of `dim` at once (performance by agency or unit), with
/// the agency each clock is charged to (`case_clocks.agency`, ADR 0063; `None`: the business's,
/// the consumer's or the parties' clocks): value of `dim`, charged agency, group.
pub fn clock_groups_by(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    dim: Dimension,
) -> QueryResult<Vec<ChargedClockGroup>> {
    let inner = filtered(scope, f).select(sql::<(Text, Nullable<Text>)>(&format!(
        "cases.id AS id, {}",
        dim.expression(conn)
    )));
    type Row = (
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
        bool,
        i64,
    );
    let rows: Vec<Row> = wrap::<_, (Nullable<Text>, Nullable<Text>, Text, Text, Nullable<Text>, Bool, BigInt)>(
        "SELECT t.g, cc.agency, cc.clock, cc.state, cc.result, cc.overdue, COUNT(*) FROM case_clocks cc JOIN (",
        inner,
        ") t ON cc.case_id = t.id GROUP BY t.g, cc.agency, cc.clock, cc.state, cc.result, cc.overdue",
    )
    .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(g, agency, clock, state, result, overdue, n)| (g, agency, (clock, state, result, overdue, n)))
        .collect())
}

/// A value of a dimension, the agency the clocks are charged to, and their group.
pub type ChargedClockGroup = (Option<String>, Option<String>, ClockGroup);

/// For every agency, how many of the cases of `scope` that pass `f` have a clock charged to it
/// running past its due date (the list's `clock_agency=…&overdue=true`).
pub fn overdue_by_charge(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<Vec<(String, i64)>> {
    let ids = filtered(scope, f).select(cases::id);
    wrap::<_, (Text, BigInt)>(
        "SELECT cc.agency, COUNT(DISTINCT cc.case_id) FROM case_clocks cc WHERE cc.agency IS NOT NULL \
         AND cc.state = 'running' AND cc.overdue AND cc.case_id IN (",
        ids,
        ") GROUP BY cc.agency",
    )
    .load(conn)
}

/// A value of a dimension, the average rating of its cases and how many ratings.
pub type RatingGroup = (Option<String>, Option<f64>, i64);

/// The consumers' ratings (1–5) of the cases of `scope` that pass `f`, for every value of
/// `dim`: value, average score, how many.
pub fn ratings_by(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    dim: Dimension,
) -> QueryResult<Vec<RatingGroup>> {
    let inner = filtered(scope, f).select(sql::<(Text, Nullable<Text>)>(&format!(
        "cases.id AS id, {}",
        dim.expression(conn)
    )));
    wrap::<_, (Nullable<Text>, Nullable<Double>, BigInt)>(
        "SELECT t.g, AVG(CAST(r.score AS DOUBLE PRECISION)), COUNT(*) FROM case_ratings r JOIN (",
        inner,
        ") t ON r.case_id = t.id GROUP BY t.g",
    )
    .load(conn)
}

/// The `p`-quantile (nearest rank, `0 < p ≤ 1`) of the days from creation to closure of the
/// closed cases of `scope` that pass `f`, for every value of `dim` that has closed cases: one
/// query numbering each group's durations (`ROW_NUMBER`/`COUNT` over the group, in SQLite and
/// PostgreSQL alike) and keeping the row of rank ⌈p·n⌉, computed in integers.
pub fn days_to_close_quantile_by(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    dim: Dimension,
    p: f64,
) -> QueryResult<Vec<(Option<String>, f64)>> {
    let backend = portability::backend_of(conn);
    let inner = filtered(scope, &f.clone().closed_only()).select(sql::<(Nullable<Text>, Double)>(&format!(
        "{}, {} AS d",
        dim.expression(conn),
        portability::days_to_close(backend)
    )));
    wrap::<_, (Nullable<Text>, Double)>(
        "SELECT t.g, t.d FROM (SELECT s.g, s.d, ROW_NUMBER() OVER (PARTITION BY s.g ORDER BY s.d) AS rn, \
         COUNT(*) OVER (PARTITION BY s.g) AS n FROM (",
        inner,
        format!(") s) t WHERE {}", nearest_rank(p)),
    )
    .load(conn)
}

/// The businesses with most of the counted cases: key, a name as recorded, cases. The name is
/// the one of its latest case that has one, and ties are broken by key compared as bytes, so
/// both backends give the same answer whatever their collation (`latest_name_and_count`).
pub fn top_businesses(
    conn: &mut AnyConnection,
    scope: &Scope,
    f: &ListFilter,
    limit: u32,
) -> QueryResult<Vec<(String, Option<String>, i64)>> {
    let inner = filtered(scope, f).select(sql::<(Nullable<Text>, Nullable<Text>, Text)>(
        "cases.business_key AS k, cases.business_name AS n, cases.id AS p, cases.created_at AS c, cases.id AS i",
    ));
    let (before, after) = latest_name_and_count(conn, "COUNT(*)");
    wrap::<_, (Text, Nullable<Text>, BigInt)>(before, inner, format!("{after} LIMIT {limit}")).load(conn)
}

/// The SQL around a subquery of `k` (a key), `n` (a name), `p` (what is counted), `c` and `i`
/// (the case's creation and id) that gives each key with the name of its latest row that has
/// one and `counted` (over `s.p`), most first then by key as bytes — the same on SQLite and
/// PostgreSQL (no `MAX` of text, whose order is the database's collation).
pub(super) fn latest_name_and_count(conn: &AnyConnection, counted: &str) -> (String, String) {
    let key = portability::bytewise(portability::backend_of(conn), "s.k");
    (
        format!(
            "SELECT s.k, MAX(CASE WHEN s.rn = 1 THEN s.n END), {counted} FROM (SELECT t.k, t.n, t.p, \
             ROW_NUMBER() OVER (PARTITION BY t.k ORDER BY CASE WHEN t.n IS NULL THEN 1 ELSE 0 END, \
             t.c DESC, t.i DESC) AS rn FROM ("
        ),
        format!(") t WHERE t.k IS NOT NULL) s GROUP BY s.k ORDER BY 3 DESC, {key}"),
    )
}

/// Money recovered for consumers on the counted cases: the sum of the amounts confirmed as
/// received, and on how many cases.
pub fn recovered(conn: &mut AnyConnection, scope: &Scope, f: &ListFilter) -> QueryResult<(i64, i64)> {
    let ids = filtered(scope, f).select(cases::id);
    wrap::<_, (BigInt, BigInt)>(
        "SELECT CAST(COALESCE(SUM(r.amount_vnd), 0) AS BIGINT), COUNT(DISTINCT r.case_id) FROM case_recoveries r WHERE r.case_id IN (",
        ids,
        ")",
    )
    .get_result(conn)
}

/// Records money recovered for the consumer of `case_id` (a confirmed performance).
pub fn insert_recovery(
    conn: &mut AnyConnection,
    case_id: &str,
    amount_vnd: i64,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::schema::case_recoveries as r;
    diesel::insert_into(r::table)
        .values((
            r::id.eq(uuid::Uuid::now_v7().to_string()),
            r::case_id.eq(case_id),
            r::amount_vnd.eq(amount_vnd),
            r::recorded_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}
