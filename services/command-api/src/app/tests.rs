//! The command service on the in-memory store: idempotent sends, rejections, numbering.

use chat_domain::chat::commands::{CreateChat, SendMessage};
use chat_domain::{Actor, ChatType, UserId};
use uuid::Uuid;

use super::*;
use crate::adapters::memory::MemoryEventStore;
use crate::adapters::observed::ObservedStore;

fn service() -> CommandService<MemoryEventStore> {
    CommandService::new(MemoryEventStore::default(), CommandSettings::default())
}

/// A group chat of one user, created and then sent `sends` messages.
async fn chat_with_sends<S: EventStore>(service: &CommandService<S>, sends: u64) -> ChatId {
    let actor = Actor::user(UserId::from_uuid(Uuid::from_u128(1)));
    let chat = ChatId::from_uuid(Uuid::from_u128(7));
    service
        .execute(create(chat, &actor))
        .await
        .expect("created");
    for n in 1..=sends {
        service
            .execute(send(chat, &actor, n, "hi"))
            .await
            .expect("sent");
    }
    chat
}

fn meta(actor: &Actor) -> EnvelopeMeta {
    EnvelopeMeta {
        actor: actor.clone(),
        correlation_id: Uuid::from_u128(9),
        causation_id: None,
    }
}

fn request(chat_id: ChatId, actor: &Actor, command: ChatCommand) -> CommandRequest {
    CommandRequest {
        chat_id,
        command,
        meta: meta(actor),
        trace_context: vec![],
    }
}

fn create(chat_id: ChatId, actor: &Actor) -> CommandRequest {
    let command = CreateChat {
        actor: actor.clone(),
        at: time::OffsetDateTime::UNIX_EPOCH,
        chat_id,
        chat_type: ChatType::Group,
        name: Some("team".into()),
        company_id: None,
        participants: vec![],
    };
    request(chat_id, actor, command.into())
}

/// The `n`th time-based message id.
fn message_id(n: u64) -> MessageId {
    let at = uuid::Timestamp::from_gregorian_time(n, 0);
    MessageId::from_uuid(Uuid::new_v1(at, &[1, 2, 3, 4, 5, 6]))
}

fn send(chat_id: ChatId, actor: &Actor, n: u64, content: &str) -> CommandRequest {
    let command = SendMessage {
        actor: actor.clone(),
        at: time::OffsetDateTime::UNIX_EPOCH,
        message_id: message_id(n),
        content: content.into(),
        reply_to: None,
        media: None,
    };
    request(chat_id, actor, command.into())
}

fn claim(user: UserId, chat_id: ChatId, message: MessageId) -> IdempotencyClaim {
    IdempotencyClaim {
        user_id: user,
        key: "k1".into(),
        chat_id,
        message_id: message,
    }
}

#[tokio::test]
async fn a_repeated_key_replays_the_original_message_and_stores_nothing_new() {
    let service = service();
    let alice = UserId::from_uuid(Uuid::from_u128(1));
    let actor = Actor::user(alice);
    let chat = ChatId::from_uuid(Uuid::from_u128(7));
    service
        .execute(create(chat, &actor))
        .await
        .expect("created");

    let first = send(chat, &actor, 1, "hi");
    let first_id = message_id(1);
    let sent = service
        .send(first, Some(claim(alice, chat, first_id)))
        .await
        .expect("sent");
    assert!(matches!(sent, SendOutcome::Sent(_)));
    let stored = service.store.events(chat).len();

    let retry = send(chat, &actor, 2, "hi");
    let retry_id = message_id(2);
    let replayed = service
        .send(retry, Some(claim(alice, chat, retry_id)))
        .await
        .expect("replayed");
    assert!(
        matches!(replayed, SendOutcome::Replayed { message_id, .. } if message_id == first_id),
        "{replayed:?}"
    );
    assert_eq!(service.store.events(chat).len(), stored);
}

#[tokio::test]
async fn a_rejected_command_stores_nothing() {
    let service = service();
    let actor = Actor::user(UserId::from_uuid(Uuid::from_u128(1)));
    let outsider = Actor::user(UserId::from_uuid(Uuid::from_u128(2)));
    let chat = ChatId::from_uuid(Uuid::from_u128(7));
    service
        .execute(create(chat, &actor))
        .await
        .expect("created");
    let before = service.store.events(chat);

    let refused = service
        .execute(send(chat, &outsider, 1, "let me in"))
        .await
        .expect_err("not a participant");
    assert!(matches!(
        refused,
        CommandError::Rejected(ChatError::NotAParticipant)
    ));
    assert_eq!(service.store.events(chat), before);
}

#[tokio::test]
async fn events_are_numbered_on_from_the_loaded_version() {
    let service = service();
    let chat = chat_with_sends(&service, 3).await;
    let versions: Vec<u64> = service
        .store
        .events(chat)
        .iter()
        .map(|e| e.version)
        .collect();
    assert_eq!(versions, vec![1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn a_chat_is_loaded_once_and_then_decided_from_memory() {
    let service = CommandService::new(ObservedStore::default(), CommandSettings::default());
    chat_with_sends(&service, 20).await;
    // Only the creation looked the chat up; every later command found the state its
    // predecessor stored.
    assert_eq!(service.store().loads(), 1);
}
