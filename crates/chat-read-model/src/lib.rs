//! `chat-read-model`: the read side of the chat backend, shared by the projector runtime
//! (`chat-projector`, the writes) and command-api (the queries). It consumes no Kafka:
//! reading the events and calling [`apply`] for each is `chat-projector`'s job.
//!
//! - [`plan`]: what each event writes, as data (pure): which projector applies what.
//! - [`ports`]: the stores' traits ([`RowStore`], [`MessageStore`], [`ChatQueries`],
//!   [`MessageQueries`]) and [`StoreError`].
//! - [`pg`], [`cql`], [`memory`]: the adapters (PostgreSQL, ScyllaDB/Cassandra, in-memory).
//! - [`bucket`]: the time buckets of the message partitions.
//! - [`history`]: cursor pagination over buckets.
//! - [`chat_list`]: a user's chat list, a page at a time; [`cursor`]: opaque page cursors.
//! - [`model`]: what queries return; [`person`]: who the user directory names.
//! - [`search`]: message and chat search queries and results.
//! - [`apply`]: one event applied to the stores (purge, CQL cells, rows with checkpoint),
//!   as the projectors and this crate's tests run it.
//! - `testing` (feature `testing`): a fresh migrated keyspace for tests.

pub mod apply;
pub mod bucket;
pub mod chat_list;
pub mod cql;
pub mod cursor;
pub mod history;
pub mod memory;
pub mod model;
pub mod person;
pub mod pg;
pub mod plan;
pub mod ports;
pub mod search;
#[cfg(feature = "testing")]
pub mod testing;

pub use plan::Projector;
pub use ports::{
    ChatQueries, EditQueries, MessageQueries, MessageStore, RowStore, SearchQueries, StoreError,
};
