//! Two command-api replicas on one event store, each with its chat states cached: they
//! race on one chat, and neither loses, duplicates or misnumbers a version, and every
//! request gets exactly one answer that matches what was stored.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use chat_domain::chat::commands::AddParticipant;
use chat_domain::{ChatError, ChatEvent, MessageId, Role};
use chat_test_kit::pg::fresh_database;
use command_api::adapters::pg::PgEventStore;
use command_api::app::{CommandError, CommandService, CommandSettings};
use futures_util::future::join_all;
use sqlx::types::Json;
use support::{create_group, new_chat, request, send, user};

fn replica(pool: &sqlx::PgPool) -> Arc<CommandService<PgEventStore>> {
    Arc::new(CommandService::new(
        PgEventStore::new(pool.clone()),
        CommandSettings {
            // Two replicas keep colliding on one chat: give each command room to win.
            max_attempts: 50,
            ..CommandSettings::default()
        },
    ))
}

async fn stored_messages(pool: &sqlx::PgPool, chat: chat_domain::ChatId) -> Vec<(i64, MessageId)> {
    let rows: Vec<(i64, Json<ChatEvent>)> = sqlx::query_as(
        "SELECT version, envelope->'payload' FROM events WHERE chat_id = $1 ORDER BY version",
    )
    .bind(chat.as_uuid())
    .fetch_all(pool)
    .await
    .expect("events");
    rows.into_iter()
        .filter_map(|(v, Json(e))| match e {
            ChatEvent::MessageSent(m) => Some((v, m.message_id)),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn two_replicas_with_warm_caches_race_on_one_chat_and_lose_nothing() {
    let db = fresh_database().await;
    let (a, b) = (replica(&db.pool), replica(&db.pool));
    let (alice, bob) = (user(), user());
    let chat = new_chat();
    a.execute(create_group(chat, &alice, &[&bob]))
        .await
        .expect("created");
    // Both caches hold the chat.
    a.execute(send(chat, &alice, "warm a")).await.expect("sent");
    b.execute(send(chat, &bob, "warm b")).await.expect("sent");

    let mut sends = Vec::new();
    for n in 0..40 {
        let (service, sender) = if n % 2 == 0 {
            (Arc::clone(&a), alice.clone())
        } else {
            (Arc::clone(&b), bob.clone())
        };
        let request = send(chat, &sender, &format!("race {n}"));
        let id = message_of(&request.command);
        sends.push(async move { (id, service.execute(request).await) });
    }
    let answers = join_all(sends).await;

    let stored = stored_messages(&db.pool, chat).await;
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM events WHERE chat_id = $1 ORDER BY version")
            .bind(chat.as_uuid())
            .fetch_all(&db.pool)
            .await
            .expect("versions");
    let last = i64::try_from(versions.len()).expect("fits");
    assert_eq!(
        versions,
        (1..=last).collect::<Vec<_>>(),
        "no gap, no duplicate"
    );
    let stored_ids: HashSet<MessageId> = stored.iter().map(|(_, id)| *id).collect();
    assert_eq!(stored_ids.len(), stored.len(), "no message stored twice");
    for (id, answer) in &answers {
        match answer {
            Ok(accepted) => {
                assert!(stored_ids.contains(id), "an accepted send is stored");
                let version = accepted.envelopes[0].version;
                assert!(
                    stored.contains(&(i64::try_from(version).expect("fits"), *id)),
                    "answered with the version it was stored at"
                );
            }
            Err(e) => {
                assert!(
                    !stored_ids.contains(id),
                    "a refused send is not stored: {e}"
                );
            }
        }
    }
    let accepted = answers.iter().filter(|(_, a)| a.is_ok()).count();
    assert_eq!(
        accepted, 40,
        "with room to retry, every send wins in the end"
    );
    assert_eq!(stored.len(), 42);
}

#[tokio::test]
async fn a_replica_whose_cached_state_is_behind_does_not_refuse_what_another_allowed() {
    let db = fresh_database().await;
    let (a, b) = (replica(&db.pool), replica(&db.pool));
    let (alice, dave) = (user(), user());
    let chat = new_chat();
    a.execute(create_group(chat, &alice, &[]))
        .await
        .expect("created");
    // B caches the chat without Dave; then A adds him.
    let refused = b
        .execute(send(chat, &dave, "not yet"))
        .await
        .expect_err("Dave is no participant yet");
    assert!(matches!(
        refused,
        CommandError::Rejected(ChatError::NotAParticipant)
    ));
    let add = AddParticipant {
        actor: alice.clone(),
        at: time::OffsetDateTime::now_utc(),
        user_id: dave.user_id().expect("a user"),
        role: Role::Member,
    };
    a.execute(request(chat, &alice, add.into()))
        .await
        .expect("added");

    b.execute(send(chat, &dave, "now I may"))
        .await
        .expect("B notices its state is behind, reloads, and accepts");
}

/// The id of the message a send names.
fn message_of(command: &chat_domain::ChatCommand) -> MessageId {
    match command {
        chat_domain::ChatCommand::SendMessage(s) => s.message_id,
        other => panic!("not a send: {other:?}"),
    }
}
