//! Routing chat events: live ([`Hub::publish`]) and missed ([`Hub::resume`]).

use std::sync::atomic::Ordering;

use chat_domain::{ChatId, Envelope, UserId};

use super::{ChatEntry, Hub, Registry};
use crate::membership::{Change, Visibility, change_of};
use crate::protocol::Frame;
use crate::replay::Missed;

/// What a resuming client gets for one chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resumed {
    /// These frames, in order (possibly none): everything it missed.
    Frames(Vec<Frame>),
    /// The gap is older than the buffer (or unknown): refetch the chat over REST.
    Resync,
    /// This gateway has not routed the version the client saw yet (it lags the replica
    /// the client came from): ask again once it has routed more.
    Behind,
    /// The user does not participate in the chat, as far as the gateway knows.
    NotAParticipant,
}

impl Hub {
    /// Routes one chat event: records its membership change, buffers it for resume,
    /// and queues it to the connections of every user who may see it, a media
    /// message's file with `download_url`. A redelivered (not newer) event is ignored.
    ///
    /// # Errors
    /// When the event cannot be serialised.
    pub fn publish(
        &self,
        envelope: &Envelope,
        download_url: Option<&str>,
    ) -> Result<(), serde_json::Error> {
        let frame = Frame::event(envelope, download_url)?;
        if !self.route(&mut self.lock(), envelope, &frame) {
            return Ok(());
        }
        self.routed.notify_waiters();
        self.stats.events.fetch_add(1, Ordering::Relaxed);
        crate::metrics::EVENTS_ROUTED.inc();
        Ok(())
    }

    /// [`Self::publish`] under the lock; `false` for a redelivery.
    fn route(&self, registry: &mut Registry, envelope: &Envelope, frame: &Frame) -> bool {
        let version = envelope.version;
        let entry = registry
            .chats
            .entry(envelope.chat_id)
            .or_insert_with(|| ChatEntry::new(self.settings.replay_per_chat));
        if entry.routed.is_some_and(|routed| version <= routed) {
            return false;
        }
        entry.routed = Some(version);
        let before = entry.buffer.bytes();
        entry.buffer.push(version, frame.clone());
        let after = entry.buffer.bytes();
        match change_of(&envelope.payload) {
            Some(Change::Joined(user, role)) => {
                let timeline = entry.members.entry(user).or_default();
                timeline.record(version, Some(role));
            }
            Some(Change::Gone(user)) => {
                entry.members.entry(user).or_default().record(version, None);
            }
            Some(Change::Deleted) => entry.deleted_at = Some(version),
            None => {}
        }
        let deleted_at = entry.deleted_at;
        let audience: Vec<UserId> = entry
            .members
            .iter()
            .filter(|(_, timeline)| timeline.visibility(version, deleted_at) == Visibility::Visible)
            .map(|(user, _)| *user)
            .collect();
        for user in audience {
            self.deliver(registry, user, frame);
        }
        registry.buffered_bytes = registry.buffered_bytes - before + after;
        self.touch(registry, envelope.chat_id);
        true
    }

    /// Marks `chat` as the most recently active one, and drops the buffers of the
    /// least recently active chats while all buffers hold more than the budget (their
    /// memberships stay; one chat alone is bounded by its frame count).
    fn touch(&self, registry: &mut Registry, chat: ChatId) {
        registry.tick += 1;
        let tick = registry.tick;
        if let Some(entry) = registry.chats.get_mut(&chat)
            && let Some(old) = entry.touched.replace(tick)
        {
            registry.recency.remove(&old);
        }
        registry.recency.insert(tick, chat);
        while registry.buffered_bytes > self.settings.replay_bytes && registry.recency.len() > 1 {
            let Some((_, evicted)) = registry.recency.pop_first() else {
                break;
            };
            if let Some(entry) = registry.chats.get_mut(&evicted) {
                registry.buffered_bytes -= entry.buffer.bytes();
                entry.buffer.clear();
                entry.touched = None;
            }
        }
    }

    /// What `user`, who saw `chat` up to version `seen`, missed: the buffered frames
    /// after it that they may see, [`Resumed::Behind`] when this gateway has not routed
    /// `seen` yet, or [`Resumed::Resync`] when the buffer does not reach back that far
    /// or their membership at one of those versions is unknown.
    pub fn resume(&self, user: UserId, chat: ChatId, seen: u64) -> Resumed {
        let registry = self.lock();
        let Some(entry) = registry.chats.get(&chat) else {
            return Resumed::NotAParticipant;
        };
        let Some(timeline) = entry.members.get(&user) else {
            return Resumed::NotAParticipant;
        };
        if entry.routed.is_none_or(|routed| routed < seen) {
            return Resumed::Behind;
        }
        let missed = match entry.buffer.missed_since(seen) {
            Missed::Frames(frames) => frames,
            Missed::Gap => return Resumed::Resync,
        };
        let mut frames = Vec::with_capacity(missed.len());
        for (version, frame) in missed {
            match timeline.visibility(*version, entry.deleted_at) {
                Visibility::Visible => frames.push(frame.clone()),
                Visibility::Hidden => {}
                Visibility::Unknown => return Resumed::Resync,
            }
        }
        Resumed::Frames(frames)
    }
}
