//! The write and read side the bridge talks to: command-api and both projectors,
//! in-process, on the test's database and topic and this binary's CQL keyspace.

use std::net::SocketAddr;

use chat_runtime::config::KafkaConfig;
use clap::Parser;
use integration_tests::pg::TestDatabase;
use integration_tests::tokens::TEST_SECRET;
use integration_tests::{cql_config, unique_name};
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The CQL keyspace of this test binary (chat ids are unique, so tests share it).
static KEYSPACE: OnceCell<String> = OnceCell::const_new();

async fn keyspace() -> String {
    KEYSPACE
        .get_or_init(|| async {
            let name = unique_name("test");
            chat_read_model::testing::migrate_keyspace(&cql_config(&name), &name)
                .await
                .expect("the test keyspace is created");
            name
        })
        .await
        .clone()
}

/// Starts projector-sync and projector-async on `stores`, each in its own group.
async fn spawn_projectors(stores: &[String], shutdown: &CancellationToken) {
    let group = Uuid::new_v4().simple();
    let args = |name: &str| {
        let mut all = vec![
            name.to_owned(),
            "--ops-addr=127.0.0.1:0".to_owned(),
            format!("--consumer-group={name}-{group}"),
            "--retry-backoff-ms=20".to_owned(),
        ];
        all.extend(stores.iter().cloned());
        all
    };
    let sync = projector_sync::Application::build(projector_sync::Config::parse_from(args(
        "projector-sync",
    )))
    .await
    .expect("projector-sync starts");
    tokio::spawn(sync.run_until_stopped(shutdown.clone()));
    let asynchronous = projector_async::Application::build(projector_async::Config::parse_from(
        args("projector-async"),
    ))
    .await
    .expect("projector-async starts");
    tokio::spawn(asynchronous.run_until_stopped(shutdown.clone()));
}

/// Starts the projectors and command-api until `shutdown`; returns command-api's address.
pub async fn spawn(
    db: &TestDatabase,
    kafka: &KafkaConfig,
    shutdown: &CancellationToken,
) -> SocketAddr {
    let keyspace = keyspace().await;
    let cql = cql_config(&keyspace);
    let stores = vec![
        format!("--database-url={}", db.config.url),
        format!("--kafka-brokers={}", kafka.brokers),
        format!("--events-topic={}", kafka.events_topic),
        format!("--cql-nodes={}", cql.nodes.join(",")),
        format!("--cql-keyspace={keyspace}"),
    ];
    spawn_projectors(&stores, shutdown).await;
    let mut args = vec![
        "command-api".to_owned(),
        "--http-addr=127.0.0.1:0".to_owned(),
        format!("--jwt-hs256-secret={TEST_SECRET}"),
        "--relay-poll-ms=50".to_owned(),
    ];
    args.extend(stores);
    let api = command_api::Application::build(command_api::Config::parse_from(args))
        .await
        .expect("command-api starts");
    let api_addr = api.addr();
    tokio::spawn(api.run_until_stopped(shutdown.clone()));
    api_addr
}
