//! Test support for crates that run the read side against the real CQL server.

use chat_runtime::config::CqlConfig;
use chat_runtime::connect;

/// Creates keyspace `keyspace` on the servers of `cfg` and applies the `cql/` schema.
///
/// # Errors
/// When the server does not answer or a statement fails.
pub async fn migrate_keyspace(cfg: &CqlConfig, keyspace: &str) -> anyhow::Result<()> {
    let session = connect::cql(cfg).await?;
    chat_migrate::cql::apply(&session, keyspace, chat_migrate::cql::LOCAL_REPLICATION).await?;
    session.await_schema_agreement().await?;
    Ok(())
}
