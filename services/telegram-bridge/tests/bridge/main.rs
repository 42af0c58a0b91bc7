//! The bridge against the fake Telegram, a real command-api (in-process), the real
//! Kafka and PostgreSQL.

mod flood;
mod helpers;
mod mirror;
mod refused;
mod restart;
mod split;
mod stack;
mod unlink;
