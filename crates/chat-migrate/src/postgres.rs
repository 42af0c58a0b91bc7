//! PostgreSQL migrations (embedded from `migrations/`).

use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};

/// The migrations of `migrations/`, embedded at build time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Applies every migration not yet applied (sqlx holds an advisory lock meanwhile, so
/// concurrent runs wait for each other).
///
/// # Errors
/// When a migration fails or an applied one was changed since.
pub async fn apply(pool: &PgPool) -> Result<(), MigrateError> {
    MIGRATOR.run(pool).await
}
