//! The run-time platform every chat service stands on.
//!
//! - [`config`]: the clap blocks shared by the services (logging, PostgreSQL, Kafka, CQL,
//!   the operations HTTP listener), each readable from flags or environment variables.
//! - [`telemetry`]: structured logging and OpenTelemetry traces, initialised once in `main`.
//! - [`trace_context`]: W3C trace context into and out of HTTP and Kafka headers.
//! - [`http_trace`]: a span per HTTP request that continues the caller's trace.
//! - [`metrics`]: the Prometheus registry, `/metrics`, and HTTP request metrics.
//! - [`hops`]: the latency histogram of each hop of the SYNC path
//!   (`chat_sync_hop_seconds{hop}`), observed by the services that run the hops.
//! - [`shutdown`]: a [`tokio_util::sync::CancellationToken`] cancelled on SIGTERM or Ctrl-C.
//! - [`connect`]: opening PostgreSQL pools, CQL sessions and Kafka clients from the config
//!   (Kafka behind the default feature `kafka`).
//! - [`limits`]: token buckets (per key, per connection) and the `Retry-After` of a refusal.
//! - [`health`]: `/healthz` and `/readyz`, where readiness asks every dependency.
//! - [`ops`]: the small HTTP server carrying them, for services without an API of their own.

pub mod config;
pub mod connect;
pub mod health;
pub mod hops;
pub mod http_trace;
pub mod limits;
pub mod metrics;
pub mod ops;
pub mod shutdown;
pub mod telemetry;
pub mod trace_context;
