//! The gateway's edges, as the connections and the application reach them: the
//! membership authority read at connect and the stream of chat events. Each is held as
//! `Arc<dyn ..>` / `Box<dyn ..>`, so one build of the WebSocket app serves PostgreSQL and
//! Kafka in production and memory in tests (`testing::memory`, feature `testing`).
//!
//! The futures are boxed because no `dyn` can hold an `async fn`; one box per connect
//! or per consumer run is noise beside what it waits for.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;

use chat_domain::UserId;
use chat_kafka::EventConsumer;
use tokio_util::sync::CancellationToken;

use crate::events::HubFeed;
use crate::hub::MembershipRow;
use crate::participants::ParticipantDirectory;

/// A port's answer, boxed so the port stays dyn-compatible.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The membership authority did not answer; the connection closes as unavailable.
#[derive(Debug, thiserror::Error)]
#[error("the membership authority did not answer")]
pub struct MembershipUnavailable(#[source] pub Box<dyn std::error::Error + Send + Sync>);

/// Who participates in which chat, as the write side stored it: read once per
/// connection, before it is registered.
pub trait MembershipSource: Send + Sync + Debug {
    /// Every membership row of `user`, as transitions (see [`MembershipRow`]).
    ///
    /// # Errors
    /// [`MembershipUnavailable`] when the authority does not answer.
    fn rows_of(
        &self,
        user: UserId,
    ) -> Pending<'_, Result<Vec<MembershipRow>, MembershipUnavailable>>;
}

impl MembershipSource for ParticipantDirectory {
    fn rows_of(
        &self,
        user: UserId,
    ) -> Pending<'_, Result<Vec<MembershipRow>, MembershipUnavailable>> {
        Box::pin(async move {
            Self::rows_of(self, user)
                .await
                .map_err(|e| MembershipUnavailable(Box::new(e)))
        })
    }
}

/// Where the chat events come from: it hands every event to the hub's feed until it is
/// stopped.
pub trait EventSource: Send + Debug {
    /// Feeds each event to `feed`, in order per chat, until `stop` fires.
    fn run(self: Box<Self>, feed: HubFeed, stop: CancellationToken) -> Pending<'static, ()>;
}

/// The `chat.events` consumer as an [`EventSource`].
pub struct KafkaEvents(pub EventConsumer);

impl Debug for KafkaEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaEvents").finish_non_exhaustive()
    }
}

impl EventSource for KafkaEvents {
    fn run(self: Box<Self>, feed: HubFeed, stop: CancellationToken) -> Pending<'static, ()> {
        Box::pin(async move { self.0.run(&feed, stop).await })
    }
}
