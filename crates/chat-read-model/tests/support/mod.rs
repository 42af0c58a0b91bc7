//! What the read-model tests share: applying plans to any store, and reading every view
//! back through the query ports.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::BTreeSet;

use chat_domain::{ChatEvent, ChatId, Envelope, UserId};
use chat_read_model::apply::{ApplyError, apply_event};
use chat_read_model::chat_list::ChatListQuery;
use chat_read_model::history::{self, HistoryQuery};
use chat_read_model::{ChatQueries, MessageQueries, MessageStore, Projector, RowStore};

/// Applies one event as `projector` would; `false` when it must come again later (a hard
/// delete before projector-sync projected the chat's creation: the projector retries it).
pub async fn deliver(
    rows: &impl RowStore,
    messages: &impl MessageStore,
    projector: Projector,
    e: &Envelope,
) -> bool {
    match apply_event(rows, messages, projector, e).await {
        Ok(_) => true,
        Err(ApplyError::CreationNotProjected(_)) => false,
        Err(other) => panic!("event {} not applied: {other}", e.event_id),
    }
}

/// projector-async far ahead of projector-sync: every event to projector-async twice,
/// then to projector-sync `sync_times` times each; what projector-async had to retry
/// comes last, as its retries would once projector-sync got there.
pub async fn async_far_ahead(
    rows: &impl RowStore,
    messages: &impl MessageStore,
    envelopes: &[Envelope],
    sync_times: usize,
) {
    let mut retried = Vec::new();
    for e in envelopes {
        for _ in 0..2 {
            if !deliver(rows, messages, Projector::Async, e).await {
                retried.push(e);
            }
        }
    }
    for e in envelopes {
        for _ in 0..sync_times {
            deliver(rows, messages, Projector::Sync, e).await;
        }
    }
    for e in retried {
        assert!(deliver(rows, messages, Projector::Async, e).await);
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

/// A chat list query for every chat of a user, archived or not, in one page.
pub fn everything() -> ChatListQuery {
    ChatListQuery {
        archived: None,
        chat_type: None,
        company_id: None,
        after: None,
        limit: usize::MAX,
    }
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
            q.chat_list(*user, &everything()).await.expect("list")
        ));
    }
    out
}
