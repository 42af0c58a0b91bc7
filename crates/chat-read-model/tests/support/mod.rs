//! What the read-model tests share: applying plans to any store, and reading every view
//! back through the query ports.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::BTreeSet;

use chat_domain::{ChatEvent, ChatId, Envelope, UserId};
use chat_read_model::history::{self, HistoryQuery};
use chat_read_model::plan::plan;
use chat_read_model::{ChatQueries, MessageQueries, MessageStore, Projector, RowStore};

/// Applies one event as `projector` would (CQL first, then rows).
pub async fn deliver(
    rows: &impl RowStore,
    messages: &impl MessageStore,
    projector: Projector,
    e: &Envelope,
) {
    let plan = plan(projector, &e.payload).expect("plannable");
    messages
        .apply(e.chat_id, e.version, &plan.messages)
        .await
        .expect("messages");
    if !plan.rows.is_empty() {
        rows.apply(projector, e.chat_id, e.version, &plan.rows)
            .await
            .expect("rows");
    }
}

/// Every user who ever took part in `envelopes`.
pub fn users(envelopes: &[Envelope]) -> BTreeSet<UserId> {
    envelopes
        .iter()
        .filter_map(|e| match &e.payload {
            ChatEvent::ParticipantAdded(p) => Some(p.user_id),
            _ => None,
        })
        .collect()
}

/// Every chat of `envelopes`.
pub fn chats(envelopes: &[Envelope]) -> BTreeSet<ChatId> {
    envelopes.iter().map(|e| e.chat_id).collect()
}

/// Every view, as text: chat details, participants, each user's list, whole histories.
pub async fn views(
    q: &impl ChatQueries,
    m: &impl MessageQueries,
    chats: &BTreeSet<ChatId>,
    users: &BTreeSet<UserId>,
) -> Vec<String> {
    let mut out = Vec::new();
    for chat in chats {
        let record = q.chat(*chat).await.expect("chat");
        out.push(format!("chat {record:?}"));
        out.push(format!(
            "participants {:?}",
            q.participants(*chat).await.expect("p")
        ));
        if let Some(record) = record {
            let mut before = None;
            loop {
                let page = history::page(
                    m,
                    &record,
                    HistoryQuery {
                        before,
                        after: None,
                        limit: 100,
                    },
                )
                .await
                .expect("history");
                out.extend(page.iter().map(|m| format!("message {m:?}")));
                match page.last() {
                    Some(last) if page.len() == 100 => before = Some(last.id),
                    _ => break,
                }
            }
        }
    }
    for user in users {
        out.push(format!(
            "list {user} {:?}",
            q.chats_of(*user).await.expect("list")
        ));
    }
    out
}
