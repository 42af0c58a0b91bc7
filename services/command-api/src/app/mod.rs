//! The command service: decide against the chat's state and the facts its message index
//! holds, append, with optimistic concurrency.
//!
//! Within one replica, commands on the same chat take turns (a striped async lock), so they
//! never race each other. States stay in memory between commands ([`StateCache`]), so a
//! command costs no reload: an append states the version it was decided at, and a
//! rejection or no-op, which appends nothing, first checks that version against the
//! store. Across replicas the event store's version key catches a race, and the losing
//! command is re-decided against a freshly loaded state, a bounded number of times.
//! Appends of different chats share transactions ([`GroupCommit`]).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat_domain::chat::state::{ChatData, MessageRecord};
use chat_domain::{
    Aggregate, Chat, ChatCommand, ChatError, ChatId, ChatState, Envelope, EnvelopeMeta, FactsQuery,
    MessageFacts, MessageId,
};
use chat_runtime::hops;
use tokio::sync::{Mutex, MutexGuard};

use crate::group_commit::{GroupCommit, GroupCommitSettings};
use crate::limits::metrics::PARTICIPANT_CAPS;
use crate::metrics::COMMANDS;
use crate::ports::{EventStore, IdempotencyClaim, NewEvents, StoreError};
use crate::state_cache::StateCache;
use crate::write_metrics::STALE_STATES;

/// How the command service behaves.
#[derive(Debug, Clone, Copy)]
pub struct CommandSettings {
    /// How many times a command is decided before a lost race becomes a 409.
    pub max_attempts: u32,
    /// A snapshot is stored each time a chat's version crosses a multiple of this.
    pub snapshot_every: u64,
    /// Bytes of chat states kept in memory between commands.
    pub cache_bytes: usize,
    /// How appends of different chats are batched.
    pub group_commit: GroupCommitSettings,
    /// Active participants a chat may have: a decision that would take a chat past it
    /// is refused ([`CommandError::ChatFull`]) and nothing is stored.
    pub max_participants: usize,
}

/// The default of [`CommandSettings::max_participants`]: a large team's channel. Every
/// command's cost grows with the participants (fan-out, state size).
pub const DEFAULT_MAX_PARTICIPANTS: usize = 5_000;

impl Default for CommandSettings {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            snapshot_every: 100,
            cache_bytes: 64 << 20,
            group_commit: GroupCommitSettings::default(),
            max_participants: DEFAULT_MAX_PARTICIPANTS,
        }
    }
}

/// A command to run against one chat.
#[derive(Debug, Clone)]
pub struct CommandRequest {
    /// The chat.
    pub chat_id: ChatId,
    /// The command, with actor, time and ids already in it.
    pub command: ChatCommand,
    /// Envelope facts: actor, correlation and causation ids.
    pub meta: EnvelopeMeta,
    /// W3C trace context headers for the Kafka records.
    pub trace_context: Vec<(String, String)>,
}

/// A command the chat accepted and the store kept.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The chat's state after the events.
    pub state: ChatState,
    /// The stored events (empty when the command changed nothing).
    pub envelopes: Vec<Envelope>,
}

/// The outcome of an idempotent send.
#[derive(Debug, Clone)]
pub enum SendOutcome {
    /// A new message was stored.
    Sent(Box<Accepted>),
    /// The key was used before: this is the message it produced then.
    Replayed {
        /// The chat of the original message.
        chat_id: ChatId,
        /// The original message.
        message_id: MessageId,
    },
}

/// Why a command was not stored.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The aggregate refused it.
    #[error(transparent)]
    Rejected(#[from] ChatError),
    /// Other writers kept winning the race.
    #[error("lost the version race {attempts} times")]
    VersionRace {
        /// Decisions made.
        attempts: u32,
    },
    /// The decision would take the chat past its participant cap.
    #[error("the chat would have more than {limit} participants")]
    ChatFull {
        /// The cap.
        limit: usize,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Stripes of the per-chat lock: enough that unrelated chats rarely wait on each other.
const LOCK_STRIPES: usize = 1024;

/// Runs commands against the event store.
#[derive(Debug)]
pub struct CommandService<S> {
    store: Arc<S>,
    commits: GroupCommit,
    cache: StateCache,
    settings: CommandSettings,
    locks: Vec<Mutex<()>>,
}

impl<S: EventStore> CommandService<S> {
    /// A service on `store`; starts its group-commit tasks (call it inside a Tokio
    /// runtime).
    pub fn new(store: S, settings: CommandSettings) -> Self {
        let store = Arc::new(store);
        Self {
            commits: GroupCommit::start(Arc::clone(&store), settings.group_commit),
            store,
            cache: StateCache::new(settings.cache_bytes),
            settings,
            locks: (0..LOCK_STRIPES).map(|_| Mutex::new(())).collect(),
        }
    }

    /// The store the service runs on.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// A chat's current version, as stored (0 for a chat that never existed).
    ///
    /// # Errors
    /// When the store fails.
    pub async fn version(&self, chat_id: ChatId) -> Result<u64, CommandError> {
        Ok(self.store.version(chat_id).await?)
    }

    /// What the message index holds of one message of the chat.
    ///
    /// # Errors
    /// When the store fails.
    pub async fn message(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<Option<MessageRecord>, CommandError> {
        let query = FactsQuery {
            messages: vec![message_id],
            ..FactsQuery::default()
        };
        let mut facts = self.store.facts(chat_id, &query).await?;
        Ok(facts.messages.remove(&message_id))
    }

    /// Decides and stores `request`.
    ///
    /// # Errors
    /// [`CommandError`]: rejected by a rule, an exhausted race, or a store failure.
    pub async fn execute(&self, request: CommandRequest) -> Result<Accepted, CommandError> {
        let _turn = self.turn(request.chat_id).await;
        self.decide_and_append(&request, None).await
    }

    /// Sends a message idempotently: with a key the user used before, answers with the
    /// message it produced then instead of sending again.
    ///
    /// # Errors
    /// As [`Self::execute`].
    pub async fn send(
        &self,
        request: CommandRequest,
        claim: Option<IdempotencyClaim>,
    ) -> Result<SendOutcome, CommandError> {
        let Some(claim) = claim else {
            return Ok(SendOutcome::Sent(Box::new(self.execute(request).await?)));
        };
        let _turn = self.turn(request.chat_id).await;
        if let Some(original) = self.replayed(&claim).await? {
            return Ok(original);
        }
        match self.decide_and_append(&request, Some(&claim)).await {
            // Another replica stored the same key between our check and our append.
            Err(CommandError::Store(StoreError::IdempotencyKeyTaken)) => {
                match self.replayed(&claim).await? {
                    Some(original) => Ok(original),
                    None => Err(StoreError::IdempotencyKeyTaken.into()),
                }
            }
            other => other.map(|accepted| SendOutcome::Sent(Box::new(accepted))),
        }
    }

    async fn replayed(&self, claim: &IdempotencyClaim) -> Result<Option<SendOutcome>, StoreError> {
        let found = self
            .store
            .claimed_message(claim.user_id, &claim.key)
            .await?;
        Ok(found.map(|(chat_id, message_id)| SendOutcome::Replayed {
            chat_id,
            message_id,
        }))
    }

    async fn turn(&self, chat_id: ChatId) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        chat_id.hash(&mut hasher);
        let stripe = (hasher.finish() % LOCK_STRIPES as u64) as usize;
        self.locks[stripe].lock().await
    }

    #[tracing::instrument(
        skip_all,
        fields(chat_id = %request.chat_id, command = request.command.name())
    )]
    async fn decide_and_append(
        &self,
        request: &CommandRequest,
        claim: Option<&IdempotencyClaim>,
    ) -> Result<Accepted, CommandError> {
        let result = self.attempts(request, claim).await;
        let outcome = match &result {
            Ok(_) => "accepted",
            Err(CommandError::Rejected(_) | CommandError::ChatFull { .. }) => "rejected",
            Err(CommandError::VersionRace { .. }) => "race_lost",
            Err(CommandError::Store(StoreError::Unavailable(_))) => "unavailable",
            Err(CommandError::Store(
                StoreError::TelegramChatTaken { .. } | StoreError::AttachmentTaken,
            )) => "rejected",
            Err(CommandError::Store(_)) => "failed",
        };
        COMMANDS
            .with_label_values(&[request.command.name(), outcome])
            .inc();
        result
    }

    async fn attempts(
        &self,
        request: &CommandRequest,
        claim: Option<&IdempotencyClaim>,
    ) -> Result<Accepted, CommandError> {
        let chat_id = request.chat_id;
        for attempt in 1..=self.settings.max_attempts {
            let (state, cached) = self.current(chat_id).await?;
            let facts = self.facts(chat_id, &state, &request.command).await?;
            let events = match Chat::decide(&state, &facts, request.command.clone()) {
                Ok(events) if !events.is_empty() => events,
                unstored => {
                    // Nothing is appended, so no version key would catch a state that
                    // another replica moved on: compare with the store first.
                    if cached && self.store.version(chat_id).await? != state.version() {
                        STALE_STATES.inc();
                        self.cache.evict(chat_id);
                        continue;
                    }
                    // A rejection, or a command that changed nothing.
                    unstored?;
                    return Ok(Accepted {
                        state,
                        envelopes: Vec::new(),
                    });
                }
            };
            let before = state.version();
            let members_before = members(&state);
            let envelopes = Envelope::wrap_all(events, &request.meta);
            let state = envelopes.iter().fold(state, |state, envelope| {
                Chat::evolve(state, &envelope.payload)
            });
            // Only growth past the cap is refused: a chat already over a lowered cap
            // still loses members and takes other commands.
            let limit = self.settings.max_participants;
            if members(&state) > limit.max(members_before) {
                // Decided on a cached state that another replica may have moved on (as
                // for a rejection above): check before refusing.
                if cached && self.store.version(chat_id).await? != before {
                    STALE_STATES.inc();
                    self.cache.evict(chat_id);
                    continue;
                }
                PARTICIPANT_CAPS.with_label_values(&["per_chat"]).inc();
                return Err(CommandError::ChatFull { limit });
            }
            let every = self.settings.snapshot_every.max(1);
            let snapshot_due = state.version() / every > before / every;
            let started = Instant::now();
            let appended = self
                .commits
                .append(NewEvents {
                    chat_id,
                    expected_version: before,
                    envelopes: envelopes.clone(),
                    trace_context: request.trace_context.clone(),
                    idempotency: claim.cloned(),
                    snapshot: snapshot_due.then(|| state.clone()),
                })
                .await;
            hops::observe_duration(hops::APPEND, started.elapsed());
            match appended {
                Ok(()) => {
                    self.cache.put(chat_id, state.clone());
                    return Ok(Accepted { state, envelopes });
                }
                Err(StoreError::VersionConflict(_)) => {
                    self.cache.evict(chat_id);
                    tracing::debug!(%chat_id, attempt, "version race; deciding again");
                    // Back off a little more each time, so racing replicas spread out.
                    tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 3)).await;
                }
                Err(e) => {
                    // Whether it was stored is unknown: the next command reloads.
                    self.cache.evict(chat_id);
                    return Err(e.into());
                }
            }
        }
        Err(CommandError::VersionRace {
            attempts: self.settings.max_attempts,
        })
    }

    /// The chat's state: the cached one (`true`), else loaded from the store.
    async fn current(&self, chat_id: ChatId) -> Result<(ChatState, bool), StoreError> {
        if let Some(state) = self.cache.get(chat_id) {
            return Ok((state, true));
        }
        let state = self.store.load(chat_id).await?;
        if state != ChatState::Absent {
            self.cache.put(chat_id, state.clone());
        }
        Ok((state, false))
    }

    /// What the message index holds that `command` needs (nothing to look up for most).
    async fn facts(
        &self,
        chat_id: ChatId,
        state: &ChatState,
        command: &ChatCommand,
    ) -> Result<MessageFacts, StoreError> {
        let query = command.facts_query(state);
        if query.is_empty() {
            return Ok(MessageFacts::default());
        }
        self.store.facts(chat_id, &query).await
    }
}

/// A chat's active participants (none before it exists or after it is deleted).
fn members(state: &ChatState) -> usize {
    state.data().map_or(0, ChatData::participant_count)
}

#[cfg(test)]
mod tests;
