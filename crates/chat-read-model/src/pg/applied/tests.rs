//! The waiter's logic against an in-memory checkpoint store that counts its reads, on a
//! paused clock (so the rechecks and deadlines pass without waiting).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

/// Checkpoints in memory; counts how often a waiter read one.
#[derive(Debug, Default)]
struct Store {
    applied: Mutex<HashMap<ChatId, u64>>,
    reads: AtomicUsize,
}

impl Store {
    fn set(&self, chat_id: ChatId, version: u64) {
        self.applied.lock().unwrap().insert(chat_id, version);
    }

    fn reads(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

impl Checkpoints for Store {
    async fn applied(&self, chat_id: ChatId) -> Result<u64> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        Ok(self
            .applied
            .lock()
            .unwrap()
            .get(&chat_id)
            .copied()
            .unwrap_or(0))
    }
}

fn chat(n: u128) -> ChatId {
    ChatId::from_uuid(uuid::Uuid::from_u128(n))
}

const TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test(start_paused = true)]
async fn an_announcement_wakes_the_waiter_without_a_query() {
    let (store, announced) = (Store::default(), Announced::new(16));
    let waiting = wait_for(&store, &announced, chat(1), 3, TIMEOUT);
    let announce = async {
        announced.announce(chat(1), 2);
        announced.announce(chat(2), 3);
        announced.announce(chat(1), 3);
    };
    let (woke, ()) = tokio::join!(waiting, announce);
    assert!(woke.unwrap());
    assert_eq!(store.reads(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_version_announced_before_the_wait_answers_at_once_without_a_query() {
    let (store, announced) = (Store::default(), Announced::new(16));
    announced.announce(chat(1), 4);
    assert!(
        wait_for(&store, &announced, chat(1), 3, TIMEOUT)
            .await
            .unwrap()
    );
    assert!(
        wait_for(&store, &announced, chat(1), 4, TIMEOUT)
            .await
            .unwrap()
    );
    assert_eq!(store.reads(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_lost_announcement_only_delays_the_waiter_until_it_reads_the_checkpoint() {
    let (store, announced) = (Store::default(), Announced::new(16));
    store.set(chat(1), 3);
    assert!(
        wait_for(&store, &announced, chat(1), 3, TIMEOUT)
            .await
            .unwrap()
    );
    assert_eq!(store.reads(), 1);
    // What it read is remembered: the next wait for that version needs no query.
    assert!(
        wait_for(&store, &announced, chat(1), 2, TIMEOUT)
            .await
            .unwrap()
    );
    assert_eq!(store.reads(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_version_never_applied_times_out_after_a_last_read_at_the_deadline() {
    let (store, announced) = (Store::default(), Announced::new(16));
    store.set(chat(1), 2);
    announced.announce(chat(1), 2);
    let woke = wait_for(&store, &announced, chat(1), 3, Duration::from_millis(1_200)).await;
    assert!(!woke.unwrap());
    // Rechecks at 0.5 s and 1.0 s, and the deadline at 1.2 s.
    assert_eq!(store.reads(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_waiter_that_lagged_behind_the_announcements_finds_its_version_in_the_map() {
    let (store, announced) = (Store::default(), Announced::new(4_096));
    let waiting = wait_for(&store, &announced, chat(1), 3, TIMEOUT);
    let flood = async {
        announced.announce(chat(1), 3);
        // More than the channel holds, before the waiter runs again: it lags.
        for n in 2..2_100 {
            announced.announce(chat(n), 1);
        }
    };
    let (woke, ()) = tokio::join!(waiting, flood);
    assert!(woke.unwrap());
    assert_eq!(store.reads(), 0);
}

#[test]
fn payloads_parse_into_chat_and_version() {
    let chat = chat(7);
    assert_eq!(parse(&format!("{chat}:12")), Some((chat, 12)));
    assert_eq!(parse("nonsense"), None);
    assert_eq!(parse(&format!("{chat}:x")), None);
}
