//! One REST send is one trace: the span of the HTTP request in command-api, and the spans
//! of every consumer of its event (projector-sync, projector-async, the gateway) share its
//! trace id, carried through the outbox and the Kafka record headers. Spans are collected
//! in process by an in-memory exporter.

#[allow(dead_code)] // this binary uses part of the API tests' helpers
#[path = "api/helpers.rs"]
mod helpers;
#[allow(dead_code)] // the helpers check every answer against the OpenAPI document
#[path = "api/schema.rs"]
mod schema;

use std::collections::BTreeSet;
use std::time::Duration;

use chat_runtime::config::{LogFormat, LoggingConfig};
use chat_test_kit::tokens::TEST_SECRET;
use clap::Parser;
use helpers::{TestApp, User};
use opentelemetry::Value as OtelValue;
use opentelemetry_sdk::trace::InMemorySpanExporter;
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

    let app = TestApp::spawn().await;
    let shutdown = CancellationToken::new();
    let gateway = wse_gateway::Application::build(wse_gateway::Config::parse_from([
        "wse-gateway".to_owned(),
        "--http-addr=127.0.0.1:0".to_owned(),
        format!("--database-url={}", app.db.config.url),
        format!("--kafka-brokers={}", app.kafka.brokers),
        format!("--events-topic={}", app.kafka.events_topic),
        format!("--jwt-hs256-secret={TEST_SECRET}"),
        "--typing-topic=".to_owned(),
    ]))
    .await
    .expect("gateway starts");
    tokio::spawn(gateway.run_until_stopped(shutdown.clone()));

    let alice = User::new("Alice");
    let chat = app.create_group(&alice, &[]).await;
    let sent = app.send(&alice, chat, "traced").await;
    assert_eq!(sent.status(), 201);

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
