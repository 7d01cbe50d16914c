//! Consumers' ratings of closed cases.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;

/// Records the consumer's rating of a case (one per case).
pub fn insert_rating(
    conn: &mut AnyConnection,
    case_id: &str,
    score: i32,
    resolved: bool,
    comment: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    use crate::db::schema::case_ratings;
    diesel::insert_into(case_ratings::table)
        .values((
            case_ratings::case_id.eq(case_id),
            case_ratings::score.eq(score),
            case_ratings::resolved.eq(resolved),
            case_ratings::comment.eq(comment),
            case_ratings::rated_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Whether the consumer has rated the case.
pub fn is_rated(conn: &mut AnyConnection, case_id: &str) -> QueryResult<bool> {
    use crate::db::schema::case_ratings;
    diesel::select(diesel::dsl::exists(case_ratings::table.find(case_id))).get_result(conn)
}
