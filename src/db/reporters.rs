//! Who filed a case when it was not a consumer for themself, and whether their identity is
//! protected (`case_reporters`; no row: a consumer, not protected).

use diesel::prelude::*;

use super::schema::case_reporters;
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = case_reporters)]
pub struct ReporterRow {
    pub case_id: String,
    pub reporter_type: String,
    pub identity_protected: bool,
}

pub fn insert(
    conn: &mut AnyConnection,
    case_id: &str,
    reporter_type: &str,
    identity_protected: bool,
) -> QueryResult<()> {
    diesel::insert_into(case_reporters::table)
        .values(&ReporterRow {
            case_id: case_id.to_owned(),
            reporter_type: reporter_type.to_owned(),
            identity_protected,
        })
        .execute(conn)
        .map(drop)
}

pub fn find(conn: &mut AnyConnection, case_id: &str) -> QueryResult<Option<ReporterRow>> {
    case_reporters::table
        .find(case_id)
        .select(ReporterRow::as_select())
        .first(conn)
        .optional()
}
