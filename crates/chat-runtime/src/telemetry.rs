//! Structured logs and OpenTelemetry traces for every service.
//!
//! Logs go to stdout (text or JSON). Traces are exported over OTLP only when an endpoint
//! is configured; either way spans carry W3C trace context, so [`crate::trace_context`]
//! can move a trace across Kafka.

use std::sync::OnceLock;

use anyhow::Context as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::{LogFormat, LoggingConfig};

/// The installed tracer provider, flushed by [`shutdown`].
static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

/// Installs logging, and trace export when `cfg.otlp_endpoint` is set. Call once, first
/// thing in `main`.
///
/// # Errors
/// When the filter does not parse, the exporter cannot be built, or a subscriber is
/// already installed.
pub fn init(cfg: &LoggingConfig) -> anyhow::Result<()> {
    match &cfg.otlp_endpoint {
        Some(endpoint) => {
            let exporter = opentelemetry_otlp::SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build()
                .context("cannot build the OTLP span exporter")?;
            let provider = SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(resource(cfg))
                .build();
            install(cfg, Some(provider))
        }
        None => install(cfg, None),
    }
}

/// Installs logging and a tracer that hands every finished span to `exporter` at once
/// (tests use an in-memory exporter to see the spans of a whole flow).
///
/// # Errors
/// As [`init`].
pub fn init_with_exporter<E: SpanExporter + 'static>(
    cfg: &LoggingConfig,
    exporter: E,
) -> anyhow::Result<()> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter)
        .with_resource(resource(cfg))
        .build();
    install(cfg, Some(provider))
}

/// Flushes and stops trace export; call last in `main`.
pub fn shutdown() {
    if let Some(provider) = PROVIDER.get()
        && let Err(e) = provider.shutdown()
    {
        tracing::warn!(error.message = %e, "trace export did not shut down cleanly");
    }
}

fn resource(cfg: &LoggingConfig) -> Resource {
    let name = cfg.service_name.clone().unwrap_or_else(|| {
        std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "chat".to_owned())
    });
    Resource::builder().with_service_name(name).build()
}

fn install(cfg: &LoggingConfig, provider: Option<SdkTracerProvider>) -> anyhow::Result<()> {
    // W3C `traceparent` / `tracestate`, the format carried in HTTP and Kafka headers.
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = EnvFilter::try_new(&cfg.filter)?;
    let otel = provider
        .as_ref()
        .map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("chat")));
    let registry = tracing_subscriber::registry().with(filter).with(otel);
    let installed = match cfg.format {
        LogFormat::Text => registry.with(tracing_subscriber::fmt::layer()).try_init(),
        LogFormat::Json => registry
            .with(tracing_subscriber::fmt::layer().json())
            .try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("failed to install the log subscriber: {e}"))?;
    if let Some(provider) = provider {
        opentelemetry::global::set_tracer_provider(provider.clone());
        let _ = PROVIDER.set(provider);
    }
    Ok(())
}
