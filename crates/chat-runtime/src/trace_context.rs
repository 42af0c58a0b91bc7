//! Carrying a trace across process boundaries as W3C `traceparent` / `tracestate`
//! headers: from an HTTP request into the outbox, and from Kafka records into the spans
//! of their consumers.

use std::collections::HashMap;

use opentelemetry::propagation::{Extractor, Injector};
use tracing_opentelemetry::OpenTelemetrySpanExt;

struct Headers<'a>(&'a [(String, String)]);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
}

struct Collect(HashMap<String, String>);

impl Injector for Collect {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
}

/// The W3C headers of `span`'s trace context (empty when tracing is off).
pub fn headers_of(span: &tracing::Span) -> Vec<(String, String)> {
    let context = span.context();
    let mut collected = Collect(HashMap::new());
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&context, &mut collected));
    let mut headers: Vec<_> = collected.0.into_iter().collect();
    headers.sort();
    headers
}

/// Makes `span` a child of the trace named in `headers`, when they name one.
pub fn continue_trace(span: &tracing::Span, headers: &[(String, String)]) {
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
    // Without a trace in the headers the span simply starts a new trace.
    let _ = span.set_parent(parent);
}
