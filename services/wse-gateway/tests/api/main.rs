//! The gateway against real Kafka and PostgreSQL, with real WebSocket clients.

mod client;
mod helpers;

mod backpressure;
mod closing;
mod errors;
mod limits;
mod replicas;
mod resume;
mod routing;
mod typing;
