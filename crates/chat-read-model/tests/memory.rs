//! The projections on the memory adapter: whatever the interleaving of the two
//! projectors, however often events are redelivered, the views are the same, and they
//! agree with the domain's reference folds (unread counts, participants).

mod support;

use chat_domain::Envelope;
use chat_domain::testing::reference::{ChatReadStatus, ParticipantList};
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::testing::workload;
use chat_read_model::{ChatQueries, Projector};

use support::{async_far_ahead, chats, deliver, users, views};

async fn in_order(envelopes: &[Envelope]) -> MemoryReadModels {
    let store = MemoryReadModels::default();
    for e in envelopes {
        deliver(&store, &store, Projector::Sync, e).await;
        deliver(&store, &store, Projector::Async, e).await;
    }
    store
}

#[test]
fn the_workload_has_every_event_type() {
    let envelopes = workload(12, 3_000, 1);
    let seen: std::collections::BTreeSet<&str> =
        envelopes.iter().map(|e| e.event_type.as_str()).collect();
    let all: std::collections::BTreeSet<&str> = chat_domain::EVENT_TYPES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(seen, all);
    assert!(envelopes.len() >= 3_000);
}

#[tokio::test]
async fn interleavings_and_redeliveries_give_the_same_views() {
    let envelopes = workload(12, 3_000, 1);
    let (chats, users) = (chats(&envelopes), users(&envelopes));
    let reference_store = in_order(&envelopes).await;
    let reference = views(&reference_store, &reference_store, &chats, &users).await;

    // projector-async far ahead of projector-sync, and every event delivered twice.
    let ahead = MemoryReadModels::default();
    async_far_ahead(&ahead, &ahead, &envelopes, 1).await;
    assert_eq!(views(&ahead, &ahead, &chats, &users).await, reference);

    // projector-sync ahead, then a crash replays the last thousand events to both.
    let behind = MemoryReadModels::default();
    for e in &envelopes {
        deliver(&behind, &behind, Projector::Sync, e).await;
    }
    for e in &envelopes {
        deliver(&behind, &behind, Projector::Async, e).await;
    }
    for e in &envelopes[envelopes.len() - 1_000..] {
        deliver(&behind, &behind, Projector::Sync, e).await;
        deliver(&behind, &behind, Projector::Async, e).await;
    }
    assert_eq!(views(&behind, &behind, &chats, &users).await, reference);
}

#[tokio::test]
async fn unread_counts_and_participants_match_the_domain_folds() {
    let envelopes = workload(12, 3_000, 2);
    let store = in_order(&envelopes).await;
    for chat in chats(&envelopes) {
        let events: Vec<_> = envelopes
            .iter()
            .filter(|e| e.chat_id == chat)
            .map(|e| e.payload.clone())
            .collect();
        let (mut reads, mut members) = (ChatReadStatus::new(chat), ParticipantList::new(chat));
        for e in &events {
            reads.apply(e);
            members.apply(e);
        }
        let listed: Vec<_> = store
            .participants(chat)
            .await
            .expect("participants")
            .into_iter()
            .map(|p| (p.user_id, p.role.as_str()))
            .collect();
        let mut folded: Vec<_> = members
            .participants
            .iter()
            .map(|(u, p)| (*u, p.role.as_str()))
            .collect();
        let mut sorted = listed.clone();
        sorted.sort_unstable();
        folded.sort_unstable();
        assert_eq!(sorted, folded, "participants of {chat}");
        for user in members.participants.keys() {
            let list = store
                .chat_list(*user, &support::everything())
                .await
                .expect("list");
            let entry = list.iter().find(|e| e.chat.id == chat);
            let unread = entry.map_or(0, |e| e.unread_count);
            assert_eq!(
                unread,
                reads.unread_count(*user),
                "unread of {user} in {chat}"
            );
        }
    }
}
