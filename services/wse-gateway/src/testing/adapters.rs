//! Memory adapters of the gateway's ports: a membership authority tests write to, and
//! an event source tests publish into, each publish returning once the hub routed it.

use std::collections::HashMap;
use std::sync::Mutex;

use chat_domain::{ChatId, Envelope, Role, UserId};
use chat_kafka::{EventHandler, ReceivedEvent};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::events::HubFeed;
use crate::hub::MembershipRow;
use crate::ports::{EventSource, MembershipSource, MembershipUnavailable, Pending};

/// The membership authority in memory: the rows tests record, per user.
#[derive(Debug, Default)]
pub struct MemoryMembership {
    rows: Mutex<HashMap<UserId, Vec<MembershipRow>>>,
}

impl MemoryMembership {
    /// Records `user` as an active member of `chat` since version `joined`, as
    /// command-api's row for an added member reads.
    pub fn member(&self, chat: ChatId, user: UserId, joined: u64) {
        let row = MembershipRow {
            chat_id: chat,
            role: Some(Role::Member),
            since: joined,
        };
        // A poisoned lock only means another test thread panicked; the rows stay whole.
        let mut rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        rows.entry(user).or_default().push(row);
    }
}

impl MembershipSource for MemoryMembership {
    fn rows_of(
        &self,
        user: UserId,
    ) -> Pending<'_, Result<Vec<MembershipRow>, MembershipUnavailable>> {
        let rows = self
            .rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let found = rows.get(&user).cloned().unwrap_or_default();
        Box::pin(async move { Ok(found) })
    }
}

/// One published event and who waits for it to be routed.
type Published = (Envelope, oneshot::Sender<()>);

/// The publishing end of a [`MemoryEvents`] source.
#[derive(Debug, Clone)]
pub struct EventPublisher {
    sender: mpsc::UnboundedSender<Published>,
}

impl EventPublisher {
    /// Hands `envelope` to the gateway and waits until the hub routed it (returns at
    /// once when the gateway has stopped).
    pub async fn publish(&self, envelope: Envelope) {
        let (routed, done) = oneshot::channel();
        if self.sender.send((envelope, routed)).is_ok() {
            // Dropped unanswered only when the gateway stops: nothing to wait for.
            let _ = done.await;
        }
    }
}

/// An event source fed by an [`EventPublisher`], in publishing order (as one partition).
#[derive(Debug)]
pub struct MemoryEvents {
    receiver: mpsc::UnboundedReceiver<Published>,
}

impl MemoryEvents {
    /// A source and the publisher feeding it.
    #[must_use]
    pub fn channel() -> (EventPublisher, Self) {
        let (sender, receiver) = mpsc::unbounded_channel();
        (EventPublisher { sender }, Self { receiver })
    }
}

impl EventSource for MemoryEvents {
    fn run(mut self: Box<Self>, feed: HubFeed, stop: CancellationToken) -> Pending<'static, ()> {
        Box::pin(async move {
            let mut offset = 0;
            loop {
                let (envelope, routed) = tokio::select! {
                    () = stop.cancelled() => return,
                    next = self.receiver.recv() => match next {
                        Some(published) => published,
                        None => return,
                    },
                };
                let event = ReceivedEvent {
                    envelope,
                    headers: Vec::new(),
                    partition: 0,
                    offset,
                };
                offset += 1;
                if let Err(e) = feed.handle(&event).await {
                    tracing::warn!(error.message = %e, "the hub refused a published event");
                }
                let _ = routed.send(());
            }
        })
    }
}
