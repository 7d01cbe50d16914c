//! The security audit log (`audit_log`): append and read.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::audit_log;
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub at: NaiveDateTime,
    pub action: String,
    pub actor_id: Option<String>,
    pub subject: Option<String>,
    pub client_addr: Option<String>,
    pub detail: Option<String>,
}

pub fn insert(conn: &mut AnyConnection, row: &AuditRow) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
        .map(drop)
}

/// The newest records first, at most `limit`, optionally of one action.
pub fn list(conn: &mut AnyConnection, action: Option<&str>, limit: i64) -> QueryResult<Vec<AuditRow>> {
    let mut q = audit_log::table.into_boxed();
    if let Some(a) = action {
        q = q.filter(audit_log::action.eq(a.to_owned()));
    }
    q.order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}
