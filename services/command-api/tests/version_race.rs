//! Version races against the real PostgreSQL event store: a command that loses the race is
//! re-decided against the new state; when it keeps losing, it ends in a 409.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use actix_web::ResponseError;
use chat_domain::{
    Aggregate, Chat, ChatId, ChatState, Envelope, FactsQuery, MessageFacts, MessageId, UserId,
};
use chat_test_kit::pg::fresh_database;
use command_api::adapters::pg::PgEventStore;
use command_api::app::{CommandError, CommandService, CommandSettings};
use command_api::http::error::ApiError;
use command_api::ports::{EventStore, NewEvents, StoreError};
use support::{create_group, new_chat, send, user};

/// The real store, with a rival writer that appends a message of its own just before each
/// of our first `rounds` appends, as another replica would.
struct Rival {
    inner: PgEventStore,
    rounds: Arc<AtomicU32>,
    rival: chat_domain::Actor,
}

impl EventStore for Rival {
    async fn append_batch(&self, batch: &[NewEvents]) -> Vec<Result<(), StoreError>> {
        for new in batch {
            if self.rounds.load(Ordering::SeqCst) > 0 {
                self.rounds.fetch_sub(1, Ordering::SeqCst);
                if let Err(e) = self.rival_sends(new.chat_id).await {
                    return batch
                        .iter()
                        .map(|_| Err(StoreError::Unavailable(anyhow::anyhow!("{e}"))))
                        .collect();
                }
            }
        }
        self.inner.append_batch(batch).await
    }

    async fn version(&self, chat_id: ChatId) -> Result<u64, StoreError> {
        self.inner.version(chat_id).await
    }

    async fn facts(&self, chat_id: ChatId, query: &FactsQuery) -> Result<MessageFacts, StoreError> {
        self.inner.facts(chat_id, query).await
    }

    async fn load(&self, chat_id: ChatId) -> Result<ChatState, StoreError> {
        self.inner.load(chat_id).await
    }

    async fn claimed_message(
        &self,
        user_id: UserId,
        key: &str,
    ) -> Result<Option<(ChatId, MessageId)>, StoreError> {
        self.inner.claimed_message(user_id, key).await
    }
}

impl Rival {
    /// The rival's message, appended straight to the store as another replica would.
    async fn rival_sends(&self, chat_id: ChatId) -> Result<(), StoreError> {
        let state = self.inner.load(chat_id).await?;
        let request = send(chat_id, &self.rival, "I was first");
        let facts = self
            .inner
            .facts(chat_id, &request.command.facts_query(&state))
            .await?;
        let events = Chat::decide(&state, &facts, request.command).expect("rival accepted");
        self.inner
            .append(NewEvents {
                chat_id,
                expected_version: state.version(),
                envelopes: Envelope::wrap_all(events, &request.meta),
                trace_context: vec![],
                idempotency: None,
                snapshot: None,
            })
            .await
    }
}

async fn versions(pool: &sqlx::PgPool, chat: ChatId) -> Vec<i64> {
    sqlx::query_scalar("SELECT version FROM events WHERE chat_id = $1 ORDER BY version")
        .bind(chat.as_uuid())
        .fetch_all(pool)
        .await
        .expect("versions")
}

/// A group chat of an owner and a rival, on a service allowed three attempts.
struct Race {
    db: chat_test_kit::pg::TestDatabase,
    owner: chat_domain::Actor,
    chat: ChatId,
    rounds: Arc<AtomicU32>,
    service: CommandService<Rival>,
}

async fn race() -> Race {
    let db = fresh_database().await;
    let (owner, rival) = (user(), user());
    let chat = new_chat();
    let rounds = Arc::new(AtomicU32::new(0));
    let store = Rival {
        inner: PgEventStore::new(db.pool.clone()),
        rounds: Arc::clone(&rounds),
        rival: rival.clone(),
    };
    let service = CommandService::new(
        store,
        CommandSettings {
            max_attempts: 3,
            snapshot_every: 100,
            ..CommandSettings::default()
        },
    );
    service
        .execute(create_group(chat, &owner, &[&rival]))
        .await
        .expect("created");
    Race {
        db,
        owner,
        chat,
        rounds,
        service,
    }
}

#[tokio::test]
async fn a_lost_race_is_decided_again_against_the_new_state() {
    let Race {
        db,
        owner,
        chat,
        rounds,
        service,
    } = race().await;

    rounds.store(2, Ordering::SeqCst);
    let accepted = service
        .execute(send(chat, &owner, "mine"))
        .await
        .expect("third attempt wins");
    // Creation (1..=3), two rival messages (4, 5), then ours (6): no gap, nothing lost.
    assert_eq!(accepted.state.version(), 6);
    assert_eq!(versions(&db.pool, chat).await, (1..=6).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_race_lost_on_every_attempt_answers_409() {
    let Race {
        db,
        owner,
        chat,
        rounds,
        service,
    } = race().await;

    rounds.store(u32::MAX, Ordering::SeqCst);
    let lost = service
        .execute(send(chat, &owner, "never"))
        .await
        .expect_err("race exhausted");
    assert!(
        matches!(lost, CommandError::VersionRace { attempts: 3 }),
        "{lost:?}"
    );
    let api: ApiError = lost.into();
    assert_eq!(api.status_code(), 409);
    assert_eq!(api.code(), "version_conflict");
    // Only the rival's three messages were stored after creation.
    assert_eq!(versions(&db.pool, chat).await, (1..=6).collect::<Vec<_>>());
}
