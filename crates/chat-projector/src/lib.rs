//! `chat-projector`: the runtime projector-sync and projector-async share. Each service
//! names itself and its projection ([`Service`]) and flattens [`ProjectorConfig`] into
//! its `Config`; everything else is here.
//!
//! - [`config`]: the settings both binaries read ([`ProjectorConfig`], with the
//!   consumer group, rebuild and retries in [`ProjectionConfig`]).
//! - [`service`]: what makes one projector service itself ([`Service`]).
//! - [`handler`]: the Kafka handler applying each event to the read models
//!   ([`chat_read_model::apply`]) and sorting failures into retry or dead-letter.
//! - [`app`]: the application around it ([`ProjectorApp`]): connections, rebuild,
//!   consumer, health, and the run until shutdown.
//! - `testing` (feature `testing`): projectors in this process, for other crates' tests
//!   (the crash scenario built on them is `chat_test_kit::projectors`).

pub mod app;
pub mod config;
pub mod handler;
pub mod service;
#[cfg(feature = "testing")]
pub mod testing;

pub use app::ProjectorApp;
pub use chat_read_model::Projector;
pub use config::{ProjectionConfig, ProjectorConfig};
pub use handler::ProjectionHandler;
pub use service::Service;
