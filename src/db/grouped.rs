//! A boxed diesel query placed inside a few words of SQL of our own: what diesel's
//! multi-backend connection cannot build itself — a `GROUP BY` over a boxed query (the trait
//! solver overflows), an aggregate over a subquery, an ordered offset. The inner query keeps
//! its filters and bound values; the SQL around it is constant text of the calling module
//! (never input), identical on both backends unless it comes from `db::portability`.

use std::borrow::Cow;
use std::marker::PhantomData;

use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};

use super::connection::MultiBackend;
use super::AnyConnection;

/// `before (inner) after`, typed `ST`: a boxed query placed inside SQL of this module.
pub struct Wrapped<Q, ST> {
    before: Cow<'static, str>,
    inner: Q,
    after: String,
    _st: PhantomData<ST>,
}

pub fn wrap<Q, ST>(before: impl Into<Cow<'static, str>>, inner: Q, after: impl Into<String>) -> Wrapped<Q, ST> {
    Wrapped {
        before: before.into(),
        inner,
        after: after.into(),
        _st: PhantomData,
    }
}

impl<Q, ST> QueryId for Wrapped<Q, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, ST> Query for Wrapped<Q, ST> {
    type SqlType = ST;
}

impl<Q: QueryFragment<MultiBackend>, ST> QueryFragment<MultiBackend> for Wrapped<Q, ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        out.push_sql(&self.before);
        self.inner.walk_ast(out.reborrow())?;
        out.push_sql(&self.after);
        Ok(())
    }
}

impl<Q, ST> RunQueryDsl<AnyConnection> for Wrapped<Q, ST> {}

#[cfg(test)]
mod tests {
    use diesel::sql_types::{BigInt, Nullable, Text};

    use super::*;
    use crate::db::schema::cases;

    #[test]
    fn the_inner_query_keeps_its_binds() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let url = crate::db::connection::DbUrl::parse(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .expect("url");
        let opts = crate::db::connection::SqliteOptions {
            busy_timeout_ms: 1_000,
            synchronous: "NORMAL".into(),
            max_queued_writes: 4,
            max_batch: 64,
            writer_cache_mib: 64,
            checkpoint_every_ms: 20,
            mmap_mib: 0,
        };
        let mut conn = crate::db::connection::establish(&url, &opts).expect("a SQLite file");
        diesel::sql_query("CREATE TABLE cases (id TEXT PRIMARY KEY, channel TEXT)")
            .execute(&mut conn)
            .expect("table");
        diesel::sql_query("INSERT INTO cases VALUES ('a', 'web'), ('b', 'web'), ('c', 'hotline'), ('d', NULL)")
            .execute(&mut conn)
            .expect("rows");
        let inner = cases::table
            .into_boxed::<MultiBackend>()
            .filter(cases::id.ne("b".to_owned()))
            .select(diesel::dsl::sql::<Nullable<Text>>("cases.channel AS g"));
        let rows: Vec<(Option<String>, i64)> = wrap::<_, (Nullable<Text>, BigInt)>(
            "SELECT t.g, COUNT(*) FROM (",
            inner,
            ") t GROUP BY t.g ORDER BY 2 DESC, 1",
        )
        .load(&mut conn)
        .expect("grouped");
        assert_eq!(
            rows,
            vec![(None, 1), (Some("hotline".into()), 1), (Some("web".into()), 1)]
        );
    }
}
