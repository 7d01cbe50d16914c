//! First start: migrations, reference data from `config/taxonomy.toml`, and an administrator.

use crate::db::reference::{self, AgencyRow, CategoryRow};
use crate::db::{portability, users, AnyConnection};
use crate::domain::user::Role;
use crate::error::AppError;
use crate::routing::Taxonomy;
use crate::state::Clock;

use super::auth::{create_user_tx, hash_password, random_password, NewUser};

/// Writes the agencies and categories of the taxonomy (inserting new ones, updating names).
pub fn seed_reference(conn: &mut AnyConnection, taxonomy: &Taxonomy) -> Result<(), AppError> {
    portability::write_transaction(conn, |conn| {
        // Start-up work: the system time (no test moves the clock before the service starts).
        let t = Clock::default().now().naive_utc();
        for a in &taxonomy.agencies {
            reference::save_agency(
                conn,
                &AgencyRow {
                    code: a.code.clone(),
                    name: a.name.clone(),
                    role: a.role.clone(),
                    created_at: t,
                },
            )?;
        }
        for c in &taxonomy.categories {
            reference::save_category(
                conn,
                &CategoryRow {
                    code: c.code.clone(),
                    name: c.name.clone(),
                    dispute_lead: c.dispute_lead.clone(),
                    violation_lead: c.violation_lead.clone(),
                },
            )?;
        }
        Ok(())
    })
}

/// Creates `admin` with a random password if no active administrator exists; returns the
/// password (to be shown once) when it did.
pub fn ensure_admin(conn: &mut AnyConnection) -> Result<Option<(String, String)>, AppError> {
    portability::write_transaction(conn, |conn| {
        if users::any_admin(conn)? {
            return Ok(None);
        }
        let mut username = "admin".to_owned();
        let mut n = 1;
        while users::find_by_username(conn, &username)?.is_some() {
            n += 1;
            username = format!("admin{n}");
        }
        let password = random_password();
        let u = NewUser::parse(
            &username,
            Some("Quản trị hệ thống"),
            Role::Admin.as_str(),
            None,
            &password,
        )?;
        let admin = create_user_tx(conn, &u, hash_password(&password)?, Clock::default().now().naive_utc())?;
        // The printed password is one-time: the first sign-in must replace it.
        users::require_password_change(conn, &admin.id)?;
        Ok(Some((username, password)))
    })
}
