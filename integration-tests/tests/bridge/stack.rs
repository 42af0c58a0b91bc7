//! The write and read side the bridge talks to: command-api and both projectors,
//! in-process, on the test's database and topic and this binary's CQL keyspace.

use std::net::SocketAddr;
use std::sync::Arc;

use chat_media::MediaStore;
use chat_read_model::testing::Stores;
use chat_runtime::config::KafkaConfig;
use chat_test_kit::cql::process_keyspace;
use chat_test_kit::cql_config;
use chat_test_kit::pg::TestDatabase;
use chat_test_kit::tokens::TEST_SECRET;
use command_api::testing::spawn_with_media;
use tokio_util::sync::CancellationToken;

/// Starts the projectors and command-api until `shutdown`, asking the bridge on
/// `bridge_port` before a link and keeping media in `media` (the bridge's store too);
/// with `uncached`, command-api keeps no chat state between commands (a test may write
/// to the event store directly, and command-api must read it). Returns command-api's
/// address.
pub async fn spawn(
    db: &TestDatabase,
    kafka: &KafkaConfig,
    (bridge_port, media): (u16, Arc<dyn MediaStore>),
    uncached: bool,
    shutdown: &CancellationToken,
) -> SocketAddr {
    let keyspace = process_keyspace(&cql_config("").nodes).await;
    let stores = Stores {
        pg: db.config.clone(),
        kafka: kafka.clone(),
        cql: cql_config(&keyspace),
    };
    let bridge = format!("--telegram-bridge-url=http://127.0.0.1:{bridge_port}");
    let mut extra = vec![bridge.as_str()];
    if uncached {
        extra.push("--state-cache-mb=0");
    }
    spawn_with_media(&stores, TEST_SECRET, true, &extra, Some(media), shutdown)
        .await
        .expect("command-api and the projectors start")
}
