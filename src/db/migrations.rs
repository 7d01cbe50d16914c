//! Both migration folders, embedded in the binary. They must list the same versions (the `db`
//! test binary checks it); which one runs depends on the connection's backend
//! (see `portability::run_migrations`).

use diesel_migrations::{embed_migrations, EmbeddedMigrations};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
