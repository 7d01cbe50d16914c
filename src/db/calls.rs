//! Hotline call log.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::calls;
use super::AnyConnection;
use crate::domain::ids::{AgencyCode, CallId, CaseId, KbArticleId, UserId};
use crate::domain::search::CallFilter;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calls)]
pub struct CallRow {
    pub id: CallId,
    pub agency_code: AgencyCode,
    pub operator_id: UserId,
    pub caller_phone: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub category: Option<String>,
    pub outcome: String,
    pub note: Option<String>,
    pub case_id: Option<CaseId>,
    pub created_at: NaiveDateTime,
    /// A callback owed: by when, by whom, and when it was made.
    pub callback_due_at: Option<NaiveDateTime>,
    pub callback_owner_id: Option<UserId>,
    pub callback_done_at: Option<NaiveDateTime>,
    /// The owner was reminded that it fell due (once).
    pub callback_reminded: bool,
    /// The knowledge-base article the caller was advised with (outcome `advised`).
    pub kb_article_id: Option<KbArticleId>,
}

/// Open callbacks of an agency (all agencies: `None`), optionally one owner's, soonest due first.
pub fn open_callbacks(
    conn: &mut AnyConnection,
    agency: Option<&str>,
    owner: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<CallRow>> {
    let mut q = calls::table
        .filter(calls::callback_due_at.is_not_null())
        .filter(calls::callback_done_at.is_null())
        .into_boxed();
    if let Some(a) = agency {
        q = q.filter(calls::agency_code.eq(a.to_owned()));
    }
    if let Some(o) = owner {
        q = q.filter(calls::callback_owner_id.eq(o.to_owned()));
    }
    q.order((calls::callback_due_at.asc(), calls::id.asc()))
        .limit(limit)
        .select(CallRow::as_select())
        .load(conn)
}

/// How many open callbacks of `agency` (every agency: `None`) are due at or before `at` and
/// are `owner`'s or nobody's: the console's reminder in the header of every page.
pub fn count_due_callbacks(
    conn: &mut AnyConnection,
    agency: Option<&str>,
    owner: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    let mut q = calls::table
        .filter(calls::callback_due_at.le(at))
        .filter(calls::callback_done_at.is_null())
        .filter(
            calls::callback_owner_id
                .eq(owner.to_owned())
                .or(calls::callback_owner_id.is_null()),
        )
        .into_boxed();
    if let Some(a) = agency {
        q = q.filter(calls::agency_code.eq(a.to_owned()));
    }
    q.count().get_result(conn)
}

/// Open callbacks due at or before `at` whose owner has not been reminded.
pub fn callbacks_to_remind(conn: &mut AnyConnection, at: NaiveDateTime) -> QueryResult<Vec<CallRow>> {
    calls::table
        .filter(calls::callback_due_at.le(at))
        .filter(calls::callback_done_at.is_null())
        .filter(calls::callback_reminded.eq(false))
        .order(calls::callback_due_at.asc())
        .select(CallRow::as_select())
        .load(conn)
}

pub fn mark_reminded(conn: &mut AnyConnection, id: &str) -> QueryResult<usize> {
    diesel::update(calls::table.find(id))
        .set(calls::callback_reminded.eq(true))
        .execute(conn)
}

/// What completing a call afterwards changes.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = calls)]
pub struct CallChangeset {
    pub ended_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
    pub note: Option<Option<String>>,
    pub callback_done_at: Option<NaiveDateTime>,
    pub case_id: Option<Option<String>>,
    pub kb_article_id: Option<Option<String>>,
}

pub fn update(conn: &mut AnyConnection, id: &str, ch: &CallChangeset) -> QueryResult<usize> {
    diesel::update(calls::table.find(id)).set(ch).execute(conn)
}

/// The calls from this phone (national form) logged by `agency` (every agency: `None`).
pub fn of_phone(conn: &mut AnyConnection, phone: &str, agency: Option<&str>) -> QueryResult<Vec<CallRow>> {
    let mut q = calls::table
        .filter(calls::caller_phone.eq(phone.to_owned()))
        .into_boxed();
    if let Some(a) = agency {
        q = q.filter(calls::agency_code.eq(a.to_owned()));
    }
    q.order(calls::started_at.asc()).select(CallRow::as_select()).load(conn)
}

/// Removes the caller's phone and redacts the note of one call.
pub fn anonymise(conn: &mut AnyConnection, id: &str, note: Option<String>) -> QueryResult<usize> {
    diesel::update(calls::table.find(id))
        .set((calls::caller_phone.eq(""), calls::note.eq(note)))
        .execute(conn)
}

pub fn insert(conn: &mut AnyConnection, row: &CallRow) -> QueryResult<()> {
    diesel::insert_into(calls::table).values(row).execute(conn).map(|_| ())
}

pub fn find(conn: &mut AnyConnection, id: &str, agency: Option<&str>) -> QueryResult<Option<CallRow>> {
    let mut q = calls::table.filter(calls::id.eq(id)).into_boxed();
    if let Some(a) = agency {
        q = q.filter(calls::agency_code.eq(a.to_owned()));
    }
    q.select(CallRow::as_select()).first(conn).optional()
}

pub fn link_case(conn: &mut AnyConnection, id: &str, case_id: &str) -> QueryResult<()> {
    diesel::update(calls::table.find(id))
        .set((calls::case_id.eq(case_id), calls::outcome.eq("case_opened")))
        .execute(conn)
        .map(|_| ())
}

/// A page of calls, newest first; `agency` None = every agency (coordinators).
pub fn list(
    conn: &mut AnyConnection,
    agency: Option<&str>,
    f: &CallFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> QueryResult<Vec<CallRow>> {
    let mut q = filtered(agency, f);
    if let Some((at, id)) = after {
        q = q.filter(
            calls::started_at
                .lt(at)
                .or(calls::started_at.eq(at).and(calls::id.lt(id))),
        );
    }
    q.order((calls::started_at.desc(), calls::id.desc()))
        .limit(limit)
        .select(CallRow::as_select())
        .load(conn)
}

/// The calls of `agency` (None: every agency) that pass `f`, counted by outcome (reports).
pub fn count_by_outcome(
    conn: &mut AnyConnection,
    agency: Option<&str>,
    f: &CallFilter,
) -> QueryResult<Vec<(String, i64)>> {
    use diesel::sql_types::{BigInt, Text};
    crate::db::grouped::wrap::<_, (Text, BigInt)>(
        "SELECT t.outcome, COUNT(*) FROM (",
        filtered(agency, f).select(calls::outcome),
        ") t GROUP BY t.outcome ORDER BY 2 DESC, 1",
    )
    .load(conn)
}

fn filtered<'a>(agency: Option<&str>, f: &CallFilter) -> calls::BoxedQuery<'a, crate::db::connection::MultiBackend> {
    let mut q = calls::table.into_boxed();
    if let Some(a) = agency {
        q = q.filter(calls::agency_code.eq(a.to_owned()));
    }
    if let Some(o) = &f.outcome {
        q = q.filter(calls::outcome.eq(o.clone()));
    }
    if let Some(p) = &f.phone {
        q = q.filter(calls::caller_phone.eq(p.clone()));
    }
    if let Some(o) = &f.operator {
        q = q.filter(calls::operator_id.eq(o.clone()));
    }
    if let Some(t) = f.from {
        q = q.filter(calls::started_at.ge(t));
    }
    if let Some(t) = f.to {
        q = q.filter(calls::started_at.lt(t));
    }
    q
}
