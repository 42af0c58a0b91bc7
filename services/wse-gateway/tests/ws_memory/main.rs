//! The gateway's WebSocket behaviour over memory: the production app on a free port,
//! with memberships and events from memory adapters, and real WebSocket clients. No
//! PostgreSQL or Kafka, so this suite runs in `make test-fast`; `tests/api` runs the
//! same scenarios against the servers and proves the adapters.
//!
//! The scenario files are the servers' suite's own, run here as well: they reach the
//! gateway only through the stage's methods (`helpers.rs`) and WebSocket clients.
//! Not among them: `replicas.rs` and `typing.rs`, which relay typing between gateways
//! over Kafka (`typing.rs` here is typing on one gateway), and `backpressure.rs`, whose
//! fast reader must keep up with a publisher that, in memory, outruns it on a loaded
//! machine (a flake `make test-fast` must not have).

#[path = "../api/client.rs"]
mod client;
#[path = "../api/closing.rs"]
mod closing;
#[path = "../api/errors.rs"]
mod errors;
mod helpers;
#[path = "../api/limits.rs"]
mod limits;
#[path = "../api/resume.rs"]
mod resume;
#[path = "../api/routing.rs"]
mod routing;
mod typing;
