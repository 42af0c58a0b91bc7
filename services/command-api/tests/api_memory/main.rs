//! command-api's REST API over memory: the production routes and middleware on a free
//! port, over the memory adapters of every port, with each command's events projected
//! into the memory read models before it answers. No PostgreSQL, Kafka or Cassandra, so
//! this suite runs in `make test-fast`; `tests/api` runs the API against the servers and
//! proves the adapters.
//!
//! `direct.rs`, `errors.rs`, `names.rs`, `openapi.rs` and `text_policy.rs` are the
//! real-server suite's own files, run here as well: they speak only HTTP and the
//! `TestApp` methods both suites have, so a test that needs a server belongs in another
//! file. `limits.rs` is not among them: its burst test counts what 60 sends at once get
//! through a bucket that refills at 5/s, which a loaded machine turns into a flake.

mod chats;
#[path = "../api/client.rs"]
mod client;
#[path = "../api/direct.rs"]
mod direct;
#[path = "../api/errors.rs"]
mod errors;
mod helpers;
mod lists;
mod media;
mod messages;
#[path = "../api/names.rs"]
mod names;
#[path = "../api/openapi.rs"]
mod openapi;
mod refusals;
#[path = "../api/schema.rs"]
mod schema;
#[path = "../api/text_policy.rs"]
mod text_policy;
