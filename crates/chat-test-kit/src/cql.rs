//! A fresh, migrated CQL keyspace: one per call, or one shared by the tests of a binary.

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

/// A CQL keyspace for this test process on the contact points `nodes`, created and
/// migrated on first use: chat ids are unique, so the tests of one binary share it.
///
/// # Panics
/// When the keyspace cannot be created.
pub async fn process_keyspace(nodes: &[String]) -> String {
    static KEYSPACE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    KEYSPACE
        .get_or_init(|| async {
            let name = format!("test_{}", uuid::Uuid::new_v4().simple());
            let cfg = CqlConfig {
                nodes: nodes.to_vec(),
                keyspace: name.clone(),
            };
            migrate_keyspace(&cfg, &name)
                .await
                .expect("the test keyspace is created");
            name
        })
        .await
        .clone()
}
