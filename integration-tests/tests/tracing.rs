//! One REST send is one trace: the span of the HTTP request in command-api, and the spans
//! of every consumer of its event (projector-sync, projector-async, the gateway) share its
//! trace id, carried through the outbox and the Kafka record headers. Spans are collected
//! in process by an in-memory exporter, so command-api (with both projectors) and the
//! gateway run in this process: that is why this test lives here and not in a service.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chat_media::{MediaStore, MemoryMediaStore};
use chat_read_model::testing::Stores;
use chat_runtime::config::{LogFormat, LoggingConfig};
use chat_test_kit::client::{Api, User};
use chat_test_kit::cql::process_keyspace;
use chat_test_kit::cql_config;
use chat_test_kit::kafka::fresh_topic;
use chat_test_kit::pg::fresh_database;
use chat_test_kit::tokens::TEST_SECRET;
use clap::Parser;
use opentelemetry::Value as OtelValue;
use opentelemetry_sdk::trace::InMemorySpanExporter;
use reqwest::Method;
use tokio_util::sync::CancellationToken;

/// The consumer group of a `consume_event` span, if it is one.
fn consumer_group(span: &opentelemetry_sdk::trace::SpanData) -> Option<String> {
    (span.name == "consume_event").then_some(())?;
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == "messaging.consumer.group")
        .map(|kv| match &kv.value {
            OtelValue::String(s) => s.to_string(),
            other => other.to_string(),
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_send_is_one_trace_across_the_services() {
    let exporter = InMemorySpanExporter::default();
    chat_runtime::telemetry::init_with_exporter(
        &LoggingConfig {
            filter: "info,scylla=warn".into(),
            format: LogFormat::Text,
            otlp_endpoint: None,
            service_name: Some("chat-test".into()),
        },
        exporter.clone(),
    )
    .expect("telemetry installs");

    let db = fresh_database().await;
    let kafka = fresh_topic("events", 3).await;
    let keyspace = process_keyspace(&cql_config("").nodes).await;
    let stores = Stores {
        pg: db.config.clone(),
        kafka: kafka.clone(),
        cql: cql_config(&keyspace),
    };
    let shutdown = CancellationToken::new();
    let media: Arc<dyn MediaStore> = Arc::new(MemoryMediaStore::new());
    let api_addr = command_api::testing::spawn_with_media(
        &stores,
        TEST_SECRET,
        true,
        &[],
        Some(media),
        &shutdown,
    )
    .await
    .expect("command-api and the projectors start");
    let app = Api::new(format!("http://{api_addr}"));
    let gateway = wse_gateway::Application::build(wse_gateway::Config::parse_from([
        "wse-gateway".to_owned(),
        "--http-addr=127.0.0.1:0".to_owned(),
        format!("--database-url={}", db.config.url),
        format!("--kafka-brokers={}", kafka.brokers),
        format!("--events-topic={}", kafka.events_topic),
        format!("--jwt-hs256-secret={TEST_SECRET}"),
        "--typing-topic=".to_owned(),
    ]))
    .await
    .expect("gateway starts");
    tokio::spawn(gateway.run_until_stopped(shutdown.clone()));

    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let body = serde_json::json!({ "content": "traced" });
    let (sent, _) = app
        .call(
            &alice,
            Method::POST,
            &format!("/api/chats/{chat}/messages"),
            Some(body),
        )
        .await;
    assert_eq!(sent, 201);

    // The send's HTTP span names the trace; wait until every consumer has a span in it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let spans = exporter.get_finished_spans().expect("spans");
        let send_trace = spans
            .iter()
            .filter(|s| s.name == "http_request")
            .filter(|s| {
                s.attributes.iter().any(|kv| {
                    kv.key.as_str() == "http.route"
                        && kv.value.as_str() == "/api/chats/{id}/messages"
                })
            })
            .map(|s| s.span_context.trace_id())
            .next();
        if let Some(trace) = send_trace {
            let groups: BTreeSet<String> = spans
                .iter()
                .filter(|s| s.span_context.trace_id() == trace)
                .filter_map(consumer_group)
                .collect();
            let has = |prefix: &str| groups.iter().any(|g| g.starts_with(prefix));
            if has("projector-sync") && has("projector-async") && has("wse-gateway") {
                // And the aggregate's own span is in it too.
                assert!(
                    spans.iter().any(
                        |s| s.span_context.trace_id() == trace && s.name == "decide_and_append"
                    )
                );
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "consumers in the send's trace: {groups:?}"
            );
        } else {
            assert!(
                tokio::time::Instant::now() < deadline,
                "no span of the send"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    shutdown.cancel();
}
