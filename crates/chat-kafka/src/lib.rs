//! The `chat.events` topic as its consumers see it.
//!
//! - [`codec`]: a Kafka record into an [`Envelope`](chat_domain::Envelope), with the
//!   headers it carries (event type, W3C trace context).
//! - [`consumer`]: the at-least-once loop every consumer runs: decode, handle, and only
//!   then store the offset; transient failures are retried in place (order is kept),
//!   permanent ones go to the dead-letter topic and the loop carries on.
//! - [`dead_letter`]: the dead-letter topic (`<events topic>.dlq`).
//! - [`metrics`]: consumed events, handling latency, dead letters and lag, and the
//!   `consume` hop of the SYNC path, for Prometheus.

pub mod codec;
pub mod consumer;
pub mod dead_letter;
pub mod metrics;

pub use codec::{DecodeError, ReceivedEvent};
pub use consumer::{
    ConsumerSettings, EventConsumer, EventHandler, HandlerError, Outcome, StartFrom,
};
pub use dead_letter::DeadLetters;
