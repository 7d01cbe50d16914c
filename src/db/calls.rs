//! Hotline call log.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::calls;
use super::AnyConnection;
use crate::domain::ids::{AgencyCode, CallId, CaseId, UserId};
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
