//! A fresh PostgreSQL database per test, with the project's migrations applied.

use chat_runtime::config::PgConfig;
use chat_runtime::connect;
use sqlx::PgPool;

use crate::{pg_config, unique_name};

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// Settings pointing at it.
    pub config: PgConfig,
    /// A pool on it.
    pub pool: PgPool,
}

/// Creates `test_<uuid>` and applies the migrations.
///
/// # Panics
/// When PostgreSQL does not answer or a migration fails.
pub async fn fresh_database() -> TestDatabase {
    let admin = connect::postgres(&pg_config())
        .await
        .expect("PostgreSQL answers");
    let name = unique_name("test");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create the test database");
    admin.close().await;
    let mut config = pg_config();
    config.url = with_database(&config.url, &name);
    let pool = connect::postgres(&config)
        .await
        .expect("connect to the test database");
    chat_migrate::postgres::apply(&pool)
        .await
        .expect("migrations apply");
    TestDatabase { config, pool }
}

/// The same URL with another database name (its path), keeping any query string.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{db}?{q}"),
        None => format!("{prefix}/{db}"),
    }
}
