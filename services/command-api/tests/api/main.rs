//! command-api's REST API against the real PostgreSQL and Kafka.

mod access;
mod chat_list;
mod client;
mod dev;
mod direct;
mod edit_history;
mod errors;
mod helpers;
mod limits;
mod media;
mod media_lifecycle;
mod names;
mod openapi;
mod reads;
mod schema;
mod search;
mod sends;
mod text_policy;
