//! The registry of live connections and what each chat's events may reach.
//!
//! One [`Hub`] per gateway. The Kafka loop calls [`Hub::publish`] for every chat
//! event: under one short lock it records the membership change, appends the frame to
//! the chat's [`ReplayBuffer`], and `try_send`s it to the bounded queue of every
//! connection whose user may see it. It never waits on a socket: a full queue means the
//! client is not reading, so that connection is cut ([`Connection::kicked`]) and the
//! others carry on. Appending and sending under the same lock is what lets a resume
//! ([`Hub::resume`]) hand out a consistent "everything up to here".

mod routing;
mod typing;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use chat_domain::{ChatId, Role, UserId};
use tokio::sync::futures::Notified;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use crate::membership::Timeline;
use crate::metrics;
use crate::protocol::Frame;
use crate::replay::ReplayBuffer;

pub use routing::Resumed;
pub use typing::TypingRefused;

/// How the hub buffers and limits.
#[derive(Debug, Clone, Copy)]
pub struct HubSettings {
    /// Event frames kept per chat for resume.
    pub replay_per_chat: usize,
    /// Bytes of frame text the replay buffers of all chats hold at most; the least
    /// recently active chats' buffers are dropped first (their resumes then answer
    /// `resync`).
    pub replay_bytes: usize,
    /// Frames queued per connection before a client that does not read is cut.
    pub connection_buffer: usize,
    /// Shortest time between two relayed typing signals of one user in one chat.
    pub typing_interval: Duration,
}

/// A participant row of the read model, as a membership transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MembershipRow {
    /// The chat.
    pub chat_id: ChatId,
    /// The user's role from `since` on; `None` when they do not participate.
    pub role: Option<Role>,
    /// The chat version from which the row holds.
    pub since: u64,
}

/// Counters for operators and tests.
#[derive(Debug, Default)]
pub struct Stats {
    connections: AtomicU64,
    events: AtomicU64,
    slow_disconnects: AtomicU64,
}

impl Stats {
    /// Connections open now.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Chat events routed since start.
    pub fn events(&self) -> u64 {
        self.events.load(Ordering::Relaxed)
    }

    /// Connections cut because their client read too slowly.
    pub fn slow_disconnects(&self) -> u64 {
        self.slow_disconnects.load(Ordering::Relaxed)
    }
}

/// The gateway's routing state.
#[derive(Debug)]
pub struct Hub {
    settings: HubSettings,
    registry: Mutex<Registry>,
    stats: Stats,
    /// Woken after every routed event, for resumes waiting to catch up.
    routed: Notify,
}

/// Everything the hub's one lock guards: the chats with their memberships and replay
/// buffers, the connections per user, and the typing rate limit.
#[derive(Debug, Default)]
struct Registry {
    chats: HashMap<ChatId, ChatEntry>,
    connections: HashMap<UserId, Vec<Sink>>,
    last_typing: HashMap<(UserId, ChatId), Instant>,
    /// Chats with buffered frames, by the tick of their last event (oldest first).
    recency: BTreeMap<u64, ChatId>,
    tick: u64,
    /// The bytes all replay buffers hold.
    buffered_bytes: usize,
    next_id: u64,
}

#[derive(Debug)]
struct ChatEntry {
    buffer: ReplayBuffer,
    /// The newest version routed (kept when the buffer is evicted): a resume from a
    /// newer one means this replica lags the client.
    routed: Option<u64>,
    members: HashMap<UserId, Timeline>,
    deleted_at: Option<u64>,
    /// This chat's key in `recency`, while it has buffered frames.
    touched: Option<u64>,
}

impl ChatEntry {
    fn new(replay: usize) -> Self {
        Self {
            buffer: ReplayBuffer::new(replay),
            routed: None,
            members: HashMap::new(),
            deleted_at: None,
            touched: None,
        }
    }
}

/// The hub's end of one connection.
#[derive(Debug)]
struct Sink {
    id: u64,
    tx: mpsc::Sender<Frame>,
    kicked: CancellationToken,
}

/// One registered connection: the frames routed to it, and its removal on drop.
#[derive(Debug)]
pub struct Connection {
    /// The user.
    pub user: UserId,
    /// Frames for this connection, in routing order.
    pub frames: mpsc::Receiver<Frame>,
    /// Cancelled when the hub cut the connection (its client read too slowly) or the
    /// gateway shuts down.
    pub kicked: CancellationToken,
    id: u64,
    hub: Arc<Hub>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.hub.disconnect(self.user, self.id);
    }
}

impl Hub {
    /// An empty hub.
    #[must_use]
    pub fn new(settings: HubSettings) -> Self {
        Self {
            settings,
            registry: Mutex::new(Registry::default()),
            stats: Stats::default(),
            routed: Notify::new(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Completes once the next event has been routed. It counts from this call, so
    /// take it before looking at the state it is meant to see change.
    pub fn next_routed(&self) -> Notified<'_> {
        self.routed.notified()
    }

    /// Registers a connection of `user`, whose participant rows (read at connect) are
    /// `rows`. From now on the user's chat events are routed to it. Its `kicked` token
    /// is a child of `shutdown`.
    pub fn connect(
        self: &Arc<Self>,
        user: UserId,
        rows: &[MembershipRow],
        shutdown: &CancellationToken,
    ) -> Connection {
        let (tx, frames) = mpsc::channel(self.settings.connection_buffer.max(1));
        let kicked = shutdown.child_token();
        let mut registry = self.lock();
        for row in rows {
            registry
                .chats
                .entry(row.chat_id)
                .or_insert_with(|| ChatEntry::new(self.settings.replay_per_chat))
                .members
                .entry(user)
                .or_default()
                .record(row.since, row.role);
        }
        registry.next_id += 1;
        let id = registry.next_id;
        registry.connections.entry(user).or_default().push(Sink {
            id,
            tx,
            kicked: kicked.clone(),
        });
        self.stats.connections.fetch_add(1, Ordering::Relaxed);
        metrics::CONNECTIONS.inc();
        Connection {
            user,
            frames,
            kicked,
            id,
            hub: Arc::clone(self),
        }
    }

    fn disconnect(&self, user: UserId, id: u64) {
        let mut registry = self.lock();
        if let Some(sinks) = registry.connections.get_mut(&user) {
            sinks.retain(|s| s.id != id);
            if sinks.is_empty() {
                registry.connections.remove(&user);
            }
        }
        self.stats.connections.fetch_sub(1, Ordering::Relaxed);
        metrics::CONNECTIONS.dec();
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        // The registry stays consistent between statements; a panic elsewhere must not
        // stop delivery to everyone.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `frame` to every connection of `user` without waiting; a connection whose
    /// queue is full is cut, one whose task is gone is forgotten.
    fn deliver(&self, registry: &mut Registry, user: UserId, frame: &Frame) {
        let Some(sinks) = registry.connections.get_mut(&user) else {
            return;
        };
        sinks.retain(|sink| match sink.tx.try_send(frame.clone()) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::info!(user_id = %user, "client too slow; disconnecting it");
                self.stats.slow_disconnects.fetch_add(1, Ordering::Relaxed);
                metrics::DROPPED_CLIENTS.inc();
                sink.kicked.cancel();
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
    }
}

#[cfg(test)]
mod tests;
