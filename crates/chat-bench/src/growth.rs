//! Growth: what a send costs as its chat's history grows, and how big the chat's state
//! is, from a fresh chat to one of 100,000 messages.
//!
//! History is seeded through the project's own write path: sends decided by the
//! aggregate (new ids need no facts) and appended by command-api's PostgreSQL event store
//! (events, outbox and message index), a thousand per transaction. The relay and both
//! projectors then carry them like any other events; the measurement waits until both
//! projectors applied them all, then times sends one at a time through the REST API,
//! round-robin over the chats, so each chat meets the same moment of the machine.

use std::time::{Duration, Instant};

use anyhow::Context;
use chat_domain::chat::commands::SendMessage;
use chat_domain::{
    Actor, Aggregate, Chat, ChatCommand, ChatId, ChatState, Envelope, EnvelopeMeta, MessageFacts,
    MessageId, UserId,
};
use command_api::adapters::pg::PgEventStore;
use command_api::ports::{EventStore, NewEvents};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::bench::report::Figure;
use crate::bench::stats::Latencies;
use chat_test_kit::client::{Api, User};
use chat_test_kit::system::System;

/// Messages appended per seeding transaction.
const SEED_CHUNK: usize = 1_000;

/// The histories measured besides a fresh chat (`BENCH_GROWTH_HISTORY`, comma-separated,
/// default 10,000 and 100,000 messages).
fn histories() -> Vec<usize> {
    std::env::var("BENCH_GROWTH_HISTORY")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

/// Measures send latency and state size at each history length, `samples` sends each.
///
/// # Errors
/// When a chat cannot be created or seeded.
pub async fn measure(system: &System, samples: usize) -> anyhow::Result<Vec<Figure>> {
    let api = Api::new(system.api());
    let owner = User::new("Historian");
    let store = PgEventStore::new(system.db.pool.clone());
    // Every chat is created before any history is seeded: a creation waits for
    // projector-sync, which is busy for a while with each seeded history.
    let mut created = Vec::new();
    for history in std::iter::once(0).chain(histories()) {
        created.push((history, api.create_group(&owner, &[]).await));
    }
    let mut chats = Vec::new();
    for (history, chat) in created {
        eprintln!("growth: seeding {history} messages");
        let last = seed(&store, &owner, ChatId::from_uuid(chat), history).await?;
        chats.push((history, chat, last));
    }
    for (history, chat, last) in &chats {
        eprintln!("growth: waiting for the projectors to apply {history} messages");
        projected(&system.db.pool, *chat, *last).await?;
    }
    // One untimed send each first: command-api learns of the seeded history (its cached
    // state was from before it) the way it would after another replica's writes.
    for (_, chat, _) in &chats {
        send(&api, &owner, *chat, "warm-up").await?;
    }
    let mut latencies: Vec<Latencies> = chats.iter().map(|_| Latencies::default()).collect();
    for n in 0..samples {
        for ((_, chat, _), recorded) in chats.iter().zip(&mut latencies) {
            let began = Instant::now();
            send(&api, &owner, *chat, &format!("growth sample {n}")).await?;
            recorded.record(began.elapsed());
        }
    }
    let mut figures = Vec::new();
    for ((history, chat, _), recorded) in chats.iter().zip(&latencies) {
        let state = store.load(ChatId::from_uuid(*chat)).await?;
        figures.extend(growth_figures(*history, recorded, &state)?);
    }
    Ok(figures)
}

/// Sends `text` (padded to 200 characters) and expects a 201.
async fn send(api: &Api, owner: &User, chat: Uuid, text: &str) -> anyhow::Result<()> {
    let body = json!({ "content": format!("{text}: {}", "x".repeat(200)) });
    let path = format!("/api/chats/{chat}/messages");
    let (status, answer) = api
        .try_call(owner, Method::POST, &path, Some(body), None)
        .await?;
    anyhow::ensure!(status == 201, "growth send: {status} {answer}");
    Ok(())
}

/// Appends `count` messages of 1,000 characters by `owner` to `chat`; returns the chat's
/// last version.
async fn seed(
    store: &PgEventStore,
    owner: &User,
    chat: ChatId,
    count: usize,
) -> anyhow::Result<u64> {
    let actor = Actor::named_user(UserId::from_uuid(owner.id), owner.name.clone());
    let meta = EnvelopeMeta {
        actor: actor.clone(),
        correlation_id: Uuid::now_v7(),
        causation_id: None,
    };
    let mut state = store.load(chat).await?;
    let content = "h".repeat(1_000);
    let mut left = count;
    while left > 0 {
        let chunk = left.min(SEED_CHUNK);
        let before = state.version();
        let mut envelopes = Vec::with_capacity(chunk);
        for _ in 0..chunk {
            let send = ChatCommand::SendMessage(SendMessage {
                actor: actor.clone(),
                at: time::OffsetDateTime::now_utc(),
                message_id: MessageId::from_uuid(Uuid::now_v1(&[7, 7, 7, 7, 7, 7])),
                content: content.clone(),
                reply_to: None,
                media: None,
            });
            // A new id names no stored message: there is nothing to look up.
            let events = Chat::decide(&state, &MessageFacts::default(), send)?;
            state = events.iter().fold(state, Chat::evolve);
            envelopes.extend(Envelope::wrap_all(events, &meta));
        }
        store
            .append(NewEvents {
                chat_id: chat,
                expected_version: before,
                envelopes,
                trace_context: Vec::new(),
                idempotency: None,
                snapshot: Some(state.clone()),
            })
            .await?;
        left -= chunk;
    }
    Ok(state.version())
}

/// Waits until both projectors applied `version` of `chat`.
async fn projected(pool: &sqlx::PgPool, chat: Uuid, version: u64) -> anyhow::Result<()> {
    let version = i64::try_from(version).context("version")?;
    let deadline = Instant::now() + Duration::from_secs(1_800);
    loop {
        let applied: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM projection_checkpoints WHERE chat_id = $1 AND version >= $2",
        )
        .bind(chat)
        .bind(version)
        .fetch_one(pool)
        .await?;
        if applied == 2 {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "the projectors did not catch up");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn growth_figures(
    history: usize,
    latencies: &Latencies,
    state: &ChatState,
) -> anyhow::Result<Vec<Figure>> {
    let size = serde_json::to_string(state)?.len();
    let fresh = |what: &str| (history > 0).then(|| format!("{what} at 0 prior messages"));
    let how = "POST /messages answered 201, one at a time, round-robin with the other histories";
    Ok(vec![
        Figure::new(
            &format!("send p50 at {history} prior messages"),
            latencies.percentile_ms(50.0),
            "ms",
            fresh("send p50").as_deref(),
            how,
        ),
        Figure::new(
            &format!("send p99 at {history} prior messages"),
            latencies.percentile_ms(99.0),
            "ms",
            fresh("send p99").as_deref(),
            how,
        ),
        Figure::new(
            &format!("chat state at {history} prior messages"),
            size as f64,
            "bytes",
            fresh("chat state").as_deref(),
            "the aggregate's state as a snapshot stores it (JSON)",
        ),
    ])
}
