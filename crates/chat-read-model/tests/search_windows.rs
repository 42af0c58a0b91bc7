//! Message search a window at a time, against the real PostgreSQL: paging reaches every
//! match of the caller's chats exactly once, window after window (newest window first,
//! best match first within one), and nothing of a chat the caller is not in.

use std::collections::HashSet;

use chat_domain::{ChatId, UserId};
use chat_read_model::SearchQueries;
use chat_read_model::pg::PgReadModels;
use chat_read_model::search::{MessageHit, MessageSearchQuery, SearchScope};
use chat_test_kit::pg::fresh_database;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A window this small makes 23 matches span four windows.
const WINDOW: usize = 7;

/// Indexes message `n` of `chat` with `content`, sent `n` seconds after a fixed time.
async fn index(pool: &PgPool, chat: Uuid, n: i64, content: &str) -> Uuid {
    let message = Uuid::now_v7();
    let sent = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000) + Duration::seconds(n);
    sqlx::query(
        "INSERT INTO message_search (chat_id, message_id, created_at, content, version) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(chat)
    .bind(message)
    .bind(sent)
    .bind(content)
    .bind(n)
    .execute(pool)
    .await
    .expect("index a message");
    message
}

/// Makes `user` an active participant of `chat` in the read model.
async fn join(pool: &PgPool, chat: Uuid, user: Uuid) {
    sqlx::query(
        "INSERT INTO chat_participants (chat_id, user_id, role, is_active, version) \
         VALUES ($1, $2, 'member', true, 1)",
    )
    .bind(chat)
    .bind(user)
    .execute(pool)
    .await
    .expect("join");
}

/// Every page of `query` (4 hits a page), in order.
async fn pages(pg: &PgReadModels, mut query: MessageSearchQuery) -> Vec<Vec<MessageHit>> {
    let mut pages = Vec::new();
    loop {
        let page = pg.search_messages(&query).await.expect("search");
        assert!(page.hits.len() <= query.limit);
        pages.push(page.hits);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return pages,
        }
        assert!(pages.len() < 50, "paging ends");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_reaches_every_match_once_window_after_window() {
    let db = fresh_database().await;
    let pool = db.pool.clone();
    let (user, mine, theirs) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    join(&pool, mine, user).await;
    let mut matching = Vec::new();
    // 23 matches in the user's chat (every third says "walrus" twice: it ranks higher),
    // unrelated messages between them, and matches in a chat the user is not in.
    for n in 0..46 {
        if n % 2 == 0 {
            let content = if n % 3 == 0 {
                "the walrus met another walrus"
            } else {
                "a walrus on the ice"
            };
            matching.push((n, index(&pool, mine, n, content).await));
        } else {
            index(&pool, mine, n, "nothing to see here").await;
            index(&pool, theirs, n, "a walrus elsewhere").await;
        }
    }
    let pg = PgReadModels::new(pool).with_search_window(WINDOW);
    let query = MessageSearchQuery {
        text: "walrus".to_owned(),
        scope: SearchScope::Member(UserId::from_uuid(user)),
        after: None,
        limit: 4,
    };

    let found: Vec<MessageHit> = pages(&pg, query.clone()).await.concat();
    let ids: Vec<Uuid> = found.iter().map(|h| h.message_id.as_uuid()).collect();
    assert_eq!(ids.len(), matching.len(), "each match once: {ids:?}");
    let distinct: HashSet<Uuid> = ids.iter().copied().collect();
    let expected: HashSet<Uuid> = matching.iter().map(|(_, id)| *id).collect();
    assert_eq!(distinct, expected, "exactly the user's matches");
    assert!(found.iter().all(|h| h.chat_id.as_uuid() == mine));

    // Window by window, newest first; best first within a window, then newest.
    let newest_first: Vec<Uuid> = matching.iter().rev().map(|(_, id)| *id).collect();
    for (k, window) in found.chunks(WINDOW).enumerate() {
        let members: HashSet<Uuid> = window.iter().map(|h| h.message_id.as_uuid()).collect();
        let expected: HashSet<Uuid> = newest_first
            .iter()
            .skip(k * WINDOW)
            .take(WINDOW)
            .copied()
            .collect();
        assert_eq!(
            members, expected,
            "window {k} holds the next newest matches"
        );
        assert!(
            window.windows(2).all(
                |pair| (pair[0].rank, pair[0].created_at) >= (pair[1].rank, pair[1].created_at)
            ),
            "window {k} is ranked"
        );
    }
    assert!(
        found[0].rank > found[WINDOW - 1].rank,
        "repeated words rank higher"
    );

    // One chat's scope pages the same way; a chat's other matches stay out.
    let one_chat = pages(
        &pg,
        MessageSearchQuery {
            scope: SearchScope::Chat(ChatId::from_uuid(theirs)),
            ..query
        },
    )
    .await
    .concat();
    assert_eq!(one_chat.len(), 23);
    assert!(one_chat.iter().all(|h| h.chat_id.as_uuid() == theirs));
}
