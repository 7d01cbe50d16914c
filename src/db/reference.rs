//! Agencies and categories: reference data seeded from `config/taxonomy.toml`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{agencies, categories};
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = agencies)]
pub struct AgencyRow {
    pub code: String,
    pub name: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub code: String,
    pub name: String,
    pub dispute_lead: String,
    pub violation_lead: String,
}

pub fn list_agencies(conn: &mut AnyConnection) -> QueryResult<Vec<AgencyRow>> {
    agencies::table
        .order(agencies::code)
        .select(AgencyRow::as_select())
        .load(conn)
}

pub fn agency_exists(conn: &mut AnyConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(agencies::table.filter(agencies::code.eq(code)))).get_result(conn)
}

pub fn list_categories(conn: &mut AnyConnection) -> QueryResult<Vec<CategoryRow>> {
    categories::table
        .order(categories::code)
        .select(CategoryRow::as_select())
        .load(conn)
}

/// Inserts or updates an agency (select-then-write: upserts do not go through MultiConnection,
/// and this runs once at start inside a write transaction).
pub fn save_agency(conn: &mut AnyConnection, row: &AgencyRow) -> QueryResult<()> {
    let n = diesel::update(agencies::table.find(&row.code))
        .set((agencies::name.eq(&row.name), agencies::role.eq(&row.role)))
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(agencies::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn save_category(conn: &mut AnyConnection, row: &CategoryRow) -> QueryResult<()> {
    let n = diesel::update(categories::table.find(&row.code))
        .set(row)
        .execute(conn)?;
    if n == 0 {
        diesel::insert_into(categories::table).values(row).execute(conn)?;
    }
    Ok(())
}
