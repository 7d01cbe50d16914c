//! Evidence files attached to cases (content-addressed by sha256).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::evidence;
use crate::db::AnyConnection;
use crate::domain::ids::{CaseId, EvidenceId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = evidence)]
pub struct EvidenceRow {
    pub id: EvidenceId,
    pub case_id: CaseId,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    /// Who sent it: `staff` (then `uploaded_by` names them), `citizen` (the consumer's link) or
    /// `business` (the business's link).
    pub source: String,
}

/// The `source` of evidence added by `actor`.
pub fn source_of(actor: &crate::domain::user::Actor) -> &'static str {
    use crate::domain::user::Actor;
    match actor {
        Actor::Citizen => "citizen",
        Actor::Business => "business",
        Actor::Staff(_) | Actor::System => "staff",
    }
}

pub fn insert_evidence(conn: &mut AnyConnection, row: &EvidenceRow) -> QueryResult<()> {
    diesel::insert_into(evidence::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Bytes of evidence the case holds.
pub fn evidence_bytes(conn: &mut AnyConnection, case_id: &str) -> QueryResult<i64> {
    // A case holds a few files: summing them here avoids SUM's type differing per backend.
    let sizes: Vec<i64> = evidence::table
        .filter(evidence::case_id.eq(case_id))
        .select(evidence::size_bytes)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

pub fn list_evidence(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Vec<EvidenceRow>> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .order((evidence::created_at.asc(), evidence::id.asc()))
        .select(EvidenceRow::as_select())
        .load(conn)
}

pub fn find_evidence(conn: &mut AnyConnection, case_id: &str, id: &str) -> QueryResult<Option<EvidenceRow>> {
    evidence::table
        .filter(evidence::case_id.eq(case_id))
        .filter(evidence::id.eq(id))
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()
}

/// Every file hash an evidence row names (one pass over the table, for the worker's hourly
/// removal of files no row names).
pub fn evidence_hashes(conn: &mut AnyConnection) -> QueryResult<std::collections::HashSet<String>> {
    let named: Vec<String> = evidence::table.select(evidence::sha256).distinct().load(conn)?;
    Ok(named.into_iter().collect())
}
