//! Commands for the service-level tests: a group chat and messages in it, decided by the
//! real command service.

#![allow(dead_code)] // each test binary uses its own part of this module

use chat_domain::chat::commands::{CreateChat, SendMessage};
use chat_domain::{Actor, ChatId, ChatType, EnvelopeMeta, MessageId, UserId};
use command_api::adapters::pg::PgEventStore;
use command_api::app::{CommandRequest, CommandService, CommandSettings};
use uuid::Uuid;

/// A user acting under their own id.
pub fn user() -> Actor {
    Actor::user(UserId::from_uuid(Uuid::now_v7()))
}

/// The request creating a group chat of `owner` with `members`.
pub fn create_group(chat_id: ChatId, owner: &Actor, members: &[&Actor]) -> CommandRequest {
    request(
        chat_id,
        owner,
        CreateChat {
            actor: owner.clone(),
            at: time::OffsetDateTime::now_utc(),
            chat_id,
            chat_type: ChatType::Group,
            name: Some("team".into()),
            company_id: None,
            participants: members.iter().filter_map(|m| m.user_id()).collect(),
        }
        .into(),
    )
}

/// The request sending `content` to `chat_id` as `sender`.
pub fn send(chat_id: ChatId, sender: &Actor, content: &str) -> CommandRequest {
    request(
        chat_id,
        sender,
        SendMessage {
            actor: sender.clone(),
            at: time::OffsetDateTime::now_utc(),
            message_id: MessageId::from_uuid(Uuid::now_v1(&[1, 2, 3, 4, 5, 6])),
            content: content.into(),
            reply_to: None,
            media: None,
        }
        .into(),
    )
}

/// `command` as a request of `actor` on `chat_id`.
pub fn request(
    chat_id: ChatId,
    actor: &Actor,
    command: chat_domain::ChatCommand,
) -> CommandRequest {
    CommandRequest {
        chat_id,
        command,
        meta: EnvelopeMeta {
            actor: actor.clone(),
            correlation_id: Uuid::new_v4(),
            causation_id: None,
        },
        trace_context: vec![],
    }
}

/// A fresh chat id.
pub fn new_chat() -> ChatId {
    ChatId::from_uuid(Uuid::now_v7())
}

/// The command service on the PostgreSQL store of `pool`, snapshotting every
/// `snapshot_every` versions.
pub fn pg_service(pool: &sqlx::PgPool, snapshot_every: u64) -> CommandService<PgEventStore> {
    CommandService::new(
        PgEventStore::new(pool.clone()),
        CommandSettings {
            max_attempts: 3,
            snapshot_every,
            ..CommandSettings::default()
        },
    )
}

/// `owner` creates group `chat` and sends `messages` messages to it (`m0`, `m1`, ...):
/// versions 1 to `messages + 2`.
pub async fn chat_with_messages(
    service: &CommandService<PgEventStore>,
    owner: &Actor,
    chat: ChatId,
    messages: usize,
) {
    service
        .execute(create_group(chat, owner, &[]))
        .await
        .expect("created");
    for i in 0..messages {
        service
            .execute(send(chat, owner, &format!("m{i}")))
            .await
            .expect("sent");
    }
}
