//! The bridge against the fake Telegram, a real command-api (in-process), the real
//! Kafka and PostgreSQL.

mod auth;
#[cfg(feature = "telegram-double")]
mod difference;
mod flood;
mod helpers;
mod kicked;
mod media;
mod metric;
#[cfg(feature = "telegram-double")]
mod migration;
mod mirror;
#[cfg(feature = "telegram-double")]
mod privacy;
mod refused;
mod restart;
mod split;
mod stack;
mod unlink;
