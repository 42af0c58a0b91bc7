//! The bridge against the fake Telegram (and the MTProto double), a real command-api
//! (in-process), the real Kafka and PostgreSQL. It lives here, not in telegram-bridge,
//! because it runs two services in one process: no service depends on another, even for
//! its tests.

mod auth;
mod difference;
mod flood;
mod helpers;
mod kicked;
mod media;
mod metric;
mod migration;
mod mirror;
mod privacy;
mod refused;
mod restart;
mod split;
mod stack;
mod unlink;
