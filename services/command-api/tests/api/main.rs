//! command-api's REST API against the real PostgreSQL and Kafka.

mod errors;
mod helpers;
mod openapi;
mod reads;
mod sends;
