//! The write and read side the bridge talks to: command-api and both projectors,
//! in-process, on the test's database and topic and this binary's CQL keyspace.

use std::net::SocketAddr;

use chat_read_model::testing::{Stores, process_keyspace, run_projectors_in_process};
use chat_runtime::config::KafkaConfig;
use clap::Parser;
use integration_tests::cql_config;
use integration_tests::pg::TestDatabase;
use integration_tests::tokens::TEST_SECRET;
use tokio_util::sync::CancellationToken;

/// Starts the projectors and command-api until `shutdown`; returns command-api's address.
pub async fn spawn(
    db: &TestDatabase,
    kafka: &KafkaConfig,
    shutdown: &CancellationToken,
) -> SocketAddr {
    let keyspace = process_keyspace(&cql_config("").nodes).await;
    let cql = cql_config(&keyspace);
    let stores = vec![
        format!("--database-url={}", db.config.url),
        format!("--kafka-brokers={}", kafka.brokers),
        format!("--events-topic={}", kafka.events_topic),
        format!("--cql-nodes={}", cql.nodes.join(",")),
        format!("--cql-keyspace={keyspace}"),
    ];
    let read_side = Stores {
        pg: db.config.clone(),
        kafka: kafka.clone(),
        cql: cql.clone(),
    };
    run_projectors_in_process(&read_side, shutdown)
        .await
        .expect("the projectors start");
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
