//! Routing corrections: what the router suggested and what staff decided.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::routing_corrections;
use crate::db::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = routing_corrections)]
pub struct CorrectionRow {
    pub id: String,
    pub case_id: String,
    pub at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub source: String,
    pub text: String,
    pub suggested_kind: String,
    pub suggested_category: String,
    pub suggested_agency: Option<String>,
    pub final_kind: String,
    pub final_category: String,
    pub final_agency: Option<String>,
}

pub fn insert_correction(conn: &mut AnyConnection, row: &CorrectionRow) -> QueryResult<()> {
    diesel::insert_into(routing_corrections::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn list_corrections(conn: &mut AnyConnection) -> QueryResult<Vec<CorrectionRow>> {
    routing_corrections::table
        .order((routing_corrections::at.asc(), routing_corrections::id.asc()))
        .select(CorrectionRow::as_select())
        .load(conn)
}

/// Replaces the text of every routing correction of a case (its consumer's data erased).
pub fn set_correction_text(conn: &mut AnyConnection, case_id: &str, text: &str) -> QueryResult<usize> {
    diesel::update(routing_corrections::table.filter(routing_corrections::case_id.eq(case_id)))
        .set(routing_corrections::text.eq(text))
        .execute(conn)
}
