//! Seeding the finding benchmark through the project's own write path: chats created and
//! messages sent as commands decided by the aggregate, appended by command-api's
//! PostgreSQL event store (events, outbox, message index, membership authority), many
//! chats per transaction. The relay and both projectors then carry them like any other
//! events (projector-async indexes every message for search).

use chat_domain::chat::commands::{CreateChat, SendMessage};
use chat_domain::{
    Actor, Aggregate, Chat, ChatCommand, ChatId, ChatState, ChatType, Envelope, EnvelopeMeta,
    MessageFacts, MessageId, UserId,
};
use chat_test_kit::client::User;
use command_api::adapters::pg::PgEventStore;
use command_api::ports::{EventStore, NewEvents};
use time::OffsetDateTime;
use uuid::Uuid;

use super::corpus::Corpus;

/// Chats appended per transaction.
const CHATS_PER_APPEND: usize = 20;

/// A seeded chat: its id and the version its last event has.
pub type Seeded = (ChatId, u64);

/// Creates `chats` group chats of `owner`, the first `with_reader` of them with `reader`
/// too, each with `messages` messages from `corpus`, the newest chats seeded last.
///
/// # Errors
/// When the aggregate refuses a command or the store an append.
pub async fn seed(
    store: &PgEventStore,
    owner: &User,
    reader: &User,
    (chats, with_reader, messages): (usize, usize, usize),
    corpus: &mut Corpus,
) -> anyhow::Result<Vec<Seeded>> {
    let actor = Actor::named_user(UserId::from_uuid(owner.id), owner.name.clone());
    let meta = EnvelopeMeta {
        actor: actor.clone(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
    };
    let mut seeded = Vec::with_capacity(chats);
    let mut batch = Vec::with_capacity(CHATS_PER_APPEND);
    for n in 0..chats {
        let chat_id = ChatId::from_uuid(Uuid::now_v7());
        let participants = if n < with_reader {
            vec![UserId::from_uuid(reader.id)]
        } else {
            Vec::new()
        };
        let mut commands = vec![ChatCommand::CreateChat(CreateChat {
            actor: actor.clone(),
            at: OffsetDateTime::now_utc(),
            chat_id,
            chat_type: ChatType::Group,
            name: Some(format!("bench {}", corpus.query(100, 20_000))),
            company_id: None,
            participants,
        })];
        commands.extend((0..messages).map(|_| {
            ChatCommand::SendMessage(SendMessage {
                actor: actor.clone(),
                at: OffsetDateTime::now_utc(),
                message_id: MessageId::from_uuid(Uuid::now_v1(&[5, 5, 5, 5, 5, 5])),
                content: corpus.message(),
                reply_to: None,
                media: None,
            })
        }));
        let mut state = ChatState::default();
        let mut envelopes = Vec::with_capacity(commands.len() + 1);
        for command in commands {
            // New chats and new message ids: there are no facts to look up.
            let events = Chat::decide(&state, &MessageFacts::default(), command)?;
            state = events.iter().fold(state, Chat::evolve);
            envelopes.extend(Envelope::wrap_all(events, &meta));
        }
        seeded.push((chat_id, state.version()));
        batch.push(NewEvents {
            chat_id,
            expected_version: 0,
            envelopes,
            trace_context: Vec::new(),
            idempotency: None,
            snapshot: Some(state),
        });
        if batch.len() == CHATS_PER_APPEND || n + 1 == chats {
            for answer in store.append_batch(&batch).await {
                answer?;
            }
            batch.clear();
        }
    }
    Ok(seeded)
}
