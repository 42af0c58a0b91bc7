//! The schema step, run before services start (locally by `make`, in Kubernetes as Jobs).
//! Services never create schema at start-up.
//!
//! - [`postgres`]: the sqlx migrations of `migrations/`.
//! - [`cql`]: the numbered files of `cql/`, recorded in a `schema_migrations` table.
//! - [`topics`]: the Kafka topics (`chat.events` and its dead-letter topic).
//!
//! Every step is re-runnable: what is already applied is skipped.

pub mod cql;
pub mod postgres;
pub mod topics;
