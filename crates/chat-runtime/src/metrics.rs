//! Prometheus metrics: one process-wide registry, the `/metrics` endpoint that renders it,
//! constructors that register a metric family once, and the HTTP request metrics every
//! actix server records.

use std::sync::LazyLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, TextEncoder,
};

/// Registers `metric` in the default registry. A name registered twice (two instances of
/// a service in one test process) keeps the first registration, so series stay unique.
fn register<M: prometheus::core::Collector + Clone + 'static>(metric: M) -> M {
    if let Err(e) = prometheus::register(Box::new(metric.clone())) {
        tracing::debug!(error.message = %e, "metric already registered");
    }
    metric
}

/// A counter without labels, registered.
///
/// # Panics
/// When `name` is not a valid Prometheus identifier (a programming error).
pub fn counter(name: &str, help: &str) -> IntCounter {
    #[allow(clippy::expect_used)] // names are literals of ours
    register(IntCounter::new(name, help).expect("valid metric name"))
}

/// A gauge without labels, registered.
///
/// # Panics
/// When `name` is not a valid Prometheus identifier (a programming error).
pub fn gauge(name: &str, help: &str) -> IntGauge {
    #[allow(clippy::expect_used)] // names are literals of ours
    register(IntGauge::new(name, help).expect("valid metric name"))
}

/// A histogram without labels and with bucket upper bounds `buckets`, registered.
///
/// # Panics
/// When `name` is not a valid Prometheus identifier, or the buckets do not rise (a
/// programming error).
pub fn histogram_with(name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    #[allow(clippy::expect_used)] // names are literals of ours
    register(
        Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
            .expect("valid metric name"),
    )
}

/// A counter family with `labels`, registered.
///
/// # Panics
/// When `name` or a label is not a valid Prometheus identifier (a programming error).
pub fn counter_vec(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    #[allow(clippy::expect_used)] // names are literals of ours
    register(IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric name"))
}

/// A gauge family with `labels`, registered.
///
/// # Panics
/// When `name` or a label is not a valid Prometheus identifier (a programming error).
pub fn gauge_vec(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    #[allow(clippy::expect_used)] // names are literals of ours
    register(IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric name"))
}

/// A latency histogram family in seconds with `labels`, registered.
///
/// # Panics
/// When `name` or a label is not a valid Prometheus identifier (a programming error).
pub fn histogram_vec(name: &str, help: &str, labels: &[&str]) -> HistogramVec {
    let buckets = vec![
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ];
    histogram_vec_with(name, help, labels, buckets)
}

/// A histogram family with `labels` and bucket upper bounds `buckets`, registered.
///
/// # Panics
/// When `name` or a label is not a valid Prometheus identifier, or the buckets do not
/// rise (a programming error).
pub fn histogram_vec_with(
    name: &str,
    help: &str,
    labels: &[&str],
    buckets: Vec<f64>,
) -> HistogramVec {
    #[allow(clippy::expect_used)] // names are literals of ours
    register(
        HistogramVec::new(HistogramOpts::new(name, help).buckets(buckets), labels)
            .expect("valid metric name"),
    )
}

static HTTP_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "http_requests_total",
        "HTTP requests answered, by method, route pattern and status.",
        &["method", "route", "status"],
    )
});

static HTTP_LATENCY: LazyLock<HistogramVec> = LazyLock::new(|| {
    histogram_vec(
        "http_request_duration_seconds",
        "Time to answer an HTTP request, by method and route pattern.",
        &["method", "route"],
    )
});

/// The text exposition of every registered metric.
pub fn render() -> String {
    let mut buffer = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&prometheus::gather(), &mut buffer) {
        tracing::warn!(error.message = %e, "metrics encoding failed");
    }
    String::from_utf8_lossy(&buffer).into_owned()
}

/// `GET /metrics`.
pub async fn endpoint() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(render())
}

/// Actix middleware (`.wrap(from_fn(metrics::track_http))`) recording each request's
/// count and latency under its route pattern, so ids in paths do not explode the series.
///
/// # Errors
/// Whatever the wrapped service returns.
pub async fn track_http(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let response = next.call(req).await?;
    let status = response.status().as_u16().to_string();
    HTTP_REQUESTS
        .with_label_values(&[method.as_str(), route.as_str(), status.as_str()])
        .inc();
    HTTP_LATENCY
        .with_label_values(&[method.as_str(), route.as_str()])
        .observe(started.elapsed().as_secs_f64());
    Ok(response)
}
