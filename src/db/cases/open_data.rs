//! The rows of the open dataset (issue 14 item 7): closed cases, no personal column selected.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::cases;
use crate::db::AnyConnection;

/// What the open dataset may read of a closed case: no name, phone, e-mail, address, business,
/// text or tracking code.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cases)]
pub struct OpenRow {
    pub id: String,
    pub created_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub current_agency: Option<String>,
    pub outcome: Option<String>,
    pub consumer_province: Option<String>,
}

/// A page of the cases closed before `before`, by id after `after`: the open dataset is read in
/// pages, never whole.
pub fn closed_page(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<OpenRow>> {
    let mut q = cases::table
        .filter(cases::status.eq("closed"))
        .filter(cases::closed_at.lt(before))
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(cases::id.gt(a.to_owned()));
    }
    q.order(cases::id).limit(limit).select(OpenRow::as_select()).load(conn)
}
