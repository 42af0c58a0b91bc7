//! A user's chat list, a page at a time, against the real PostgreSQL (and the memory
//! adapter, which must list the same pages): every chat exactly once, most recently
//! active first, whatever the filters.

use chat_domain::testing::fixtures as f;
use chat_domain::{ChatId, ChatType, MessageSource, Role};
use chat_read_model::chat_list::{ChatListCursor, ChatListQuery, active_at};
use chat_read_model::memory::MemoryReadModels;
use chat_read_model::model::ChatRecord;
use chat_read_model::pg::PgReadModels;
use chat_read_model::plan::{NewChat, NewMessage, RowWrite};
use chat_read_model::{ChatQueries, Projector, RowStore};
use chat_test_kit::pg::fresh_database;
use sqlx::postgres::PgPoolOptions;
use time::Duration;
use uuid::Uuid;

const CHATS: u64 = 2_500;
const ACME: Uuid = Uuid::from_u128(0xAC3E);
const GLOBEX: Uuid = Uuid::from_u128(0x61_0BE8);

/// Chat `i`: a company chat (of ACME or GLOBEX) every third, archived every seventh;
/// created three to a second (so activity times tie), every fifth with a message later
/// on, in an order unrelated to its id.
fn chat_writes(i: u64) -> (ChatId, Vec<RowWrite>) {
    let chat = ChatId::from_uuid(Uuid::from_u128(
        u128::from(i.wrapping_mul(7_919) % 10_007) + 1,
    ));
    let company = i.is_multiple_of(3);
    let created_at = f::T0 + Duration::seconds(i64::try_from(i / 3).expect("small"));
    let mut rows = vec![
        RowWrite::CreateChat(NewChat {
            chat_type: if company {
                ChatType::Company
            } else {
                ChatType::Group
            },
            name: Some(format!("chat {i}")),
            company_id: company.then_some(if i.is_multiple_of(2) { ACME } else { GLOBEX }),
            created_by: f::ALICE,
            created_at,
        }),
        RowWrite::SetParticipant {
            user_id: f::ALICE,
            role: Role::Admin,
            active: true,
            joined: Some((created_at, f::ALICE)),
        },
        RowWrite::SetArchived {
            archived: i.is_multiple_of(7),
        },
    ];
    if i.is_multiple_of(5) {
        rows.push(RowWrite::SetLastMessage(NewMessage {
            message_id: f::msg(i),
            bucket: 0,
            sender_id: Some(f::ALICE),
            sender_name: None,
            content: format!("message {i}"),
            message_type: "text".to_owned(),
            attachment: None,
            reply_to: None,
            source: MessageSource::Chat,
            telegram_message_id: None,
            telegram_user_id: None,
            created_at: f::T0
                + Duration::hours(1)
                + Duration::seconds(i64::try_from((i * 37) % 500).expect("small")),
        }));
    }
    (chat, rows)
}

/// Every page of `query` until the list ends.
async fn all_pages(q: &impl ChatQueries, mut query: ChatListQuery) -> Vec<Vec<ChatId>> {
    let mut pages = Vec::new();
    loop {
        let page = q.chat_list(f::ALICE, &query).await.expect("page");
        pages.push(page.iter().map(|e| e.chat.id).collect());
        if page.len() < query.limit {
            return pages;
        }
        // Each page continues right after the one before, newest activity first.
        for pair in page.windows(2) {
            let (a, b) = (active_at(&pair[0]), active_at(&pair[1]));
            assert!(
                a > b || (a == b && pair[0].chat.id < pair[1].chat.id),
                "order"
            );
        }
        let last = page.last().expect("a full page");
        query.after = Some(
            ChatListCursor::decode(&ChatListCursor::of(last).expect("active").encode())
                .expect("cursor"),
        );
    }
}

/// A filter's name, its query, and which chats it keeps.
type Filter = (&'static str, ChatListQuery, fn(&ChatRecord) -> bool);

fn query(limit: usize) -> ChatListQuery {
    ChatListQuery {
        archived: None,
        chat_type: None,
        company_id: None,
        after: None,
        limit,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_2500_chats_100_a_page_lists_each_once_by_activity_whatever_the_filter() {
    let db = fresh_database().await;
    let pg = PgReadModels::new(db.pool);
    let memory = MemoryReadModels::default();
    for i in 0..CHATS {
        let (chat, rows) = chat_writes(i);
        assert!(pg.apply(Projector::Sync, chat, 1, &rows).await.expect("pg"));
        assert!(
            memory
                .apply(Projector::Sync, chat, 1, &rows)
                .await
                .expect("memory")
        );
    }

    let pages = all_pages(&pg, query(100)).await;
    assert_eq!(pages.len(), 26, "25 full pages and an empty one");
    let listed: Vec<ChatId> = pages.iter().flatten().copied().collect();
    let unique: std::collections::HashSet<ChatId> = listed.iter().copied().collect();
    assert_eq!(
        (listed.len(), unique.len()),
        (2_500, 2_500),
        "each chat once"
    );
    assert_eq!(
        all_pages(&memory, query(100)).await,
        pages,
        "the memory adapter agrees"
    );

    // Pages across filters: the same chats as the whole list filtered, in the same order.
    let whole = pg
        .chat_list(f::ALICE, &query(usize::MAX))
        .await
        .expect("all");
    let filters: [Filter; 4] = [
        (
            "archived",
            ChatListQuery {
                archived: Some(true),
                ..query(100)
            },
            |c| c.is_archived,
        ),
        (
            "unarchived",
            ChatListQuery {
                archived: Some(false),
                ..query(100)
            },
            |c| !c.is_archived,
        ),
        (
            "company chats",
            ChatListQuery {
                chat_type: Some(ChatType::Company),
                ..query(100)
            },
            |c| c.chat_type == ChatType::Company,
        ),
        (
            "ACME's unarchived",
            ChatListQuery {
                company_id: Some(ACME),
                archived: Some(false),
                ..query(100)
            },
            |c| c.company_id == Some(ACME) && !c.is_archived,
        ),
    ];
    for (name, filtered, keep) in filters {
        let expected: Vec<ChatId> = whole
            .iter()
            .filter(|e| keep(&e.chat))
            .map(|e| e.chat.id)
            .collect();
        assert!(
            !expected.is_empty() && expected.len() < 2_500,
            "{name}: a real filter"
        );
        let paged: Vec<ChatId> = all_pages(&pg, filtered.clone()).await.concat();
        assert_eq!(paged, expected, "{name}");
        assert_eq!(
            all_pages(&memory, filtered).await.concat(),
            expected,
            "{name} (memory)"
        );
    }
}

/// The page is planned for its values on every call. Once a statement has run five
/// times, PostgreSQL may switch it to a generic plan, and this query's optional filters
/// and unknown LIMIT make that plan misjudge how many of the user's chats match: it
/// walked every chat of the system probing the user's membership of each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_never_served_from_a_cached_generic_plan() {
    let db = fresh_database().await;
    // One connection, so the statements cached are the ones these pages ran on.
    let connection = PgPoolOptions::new()
        .max_connections(1)
        .connect(&db.config.url)
        .await
        .expect("connect");
    let pg = PgReadModels::new(connection.clone());
    for i in 0..20 {
        let (chat, rows) = chat_writes(i);
        assert!(pg.apply(Projector::Sync, chat, 1, &rows).await.expect("pg"));
    }
    for _ in 0..10 {
        assert_eq!(all_pages(&pg, query(5)).await.concat().len(), 20);
    }
    // Unnamed, so this question is not among the statements it lists.
    let generic: Vec<(String, i64)> = sqlx::query_as(
        "SELECT statement, generic_plans FROM pg_prepared_statements \
         WHERE generic_plans > 0 AND statement LIKE '%FROM chat_activity a%'",
    )
    .persistent(false)
    .fetch_all(&connection)
    .await
    .expect("the connection's statements");
    assert_eq!(generic, vec![], "the page never ran a generic plan");
}

/// How much room `chat_activity`, the table a page sorts and filters on, takes in its
/// rows and its index. Only their main forks: the free-space and visibility maps
/// autovacuum adds when it comes by are no row's growth.
async fn activity_bytes(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT (pg_relation_size('chat_activity') \
             + pg_relation_size('chat_activity_pkey'))::bigint",
    )
    .fetch_one(pool)
    .await
    .expect("sizes")
}

/// Keeps autovacuum off every table of the test's database, so that only the writes'
/// own pruning keeps the table small: an autoanalyze holds a snapshot that keeps the old
/// row versions visible, and a vacuum pins the page the next write would prune. (Other
/// sessions on the cluster can hold pruning back too: `make test` runs this binary alone.)
async fn without_autovacuum(pool: &sqlx::PgPool) {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(pool)
            .await
            .expect("tables");
    for table in tables {
        let statement = format!("ALTER TABLE {table} SET (autovacuum_enabled = false)");
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(pool)
            .await
            .expect("autovacuum off");
    }
}

/// A chat's place in the list does not grow with its history. Every message moves the
/// chat's activity; when the list sorted on `chats` and an index held its activity time,
/// each message was a non-HOT update of the wide row that added an index entry and left
/// a row version only VACUUM clears, so after a million messages the first page of a
/// user in 2,000 chats read 3,188 pages. In `chat_activity` no index holds what a
/// message changes, so its write replaces the narrow row on the row's own page, which
/// later writes prune: the table stays the size of its chats.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chats_place_in_the_list_does_not_grow_with_its_messages() {
    const MESSAGES: u64 = 2_000;
    let db = fresh_database().await;
    without_autovacuum(&db.pool).await;
    let pg = PgReadModels::new(db.pool.clone());
    let (chat, rows) = chat_writes(1);
    assert!(
        pg.apply(Projector::Sync, chat, 1, &rows)
            .await
            .expect("create")
    );
    let created = activity_bytes(&db.pool).await;
    let (_, rows) = chat_writes(5);
    let Some(RowWrite::SetLastMessage(message)) = rows.into_iter().last() else {
        unreachable!("chat 5 has a message")
    };
    for n in 2..MESSAGES + 2 {
        let message = NewMessage {
            message_id: f::msg(n),
            created_at: f::T0 + Duration::seconds(i64::try_from(n).expect("small")),
            ..message.clone()
        };
        let write = [RowWrite::SetLastMessage(message)];
        assert!(
            pg.apply(Projector::Sync, chat, n, &write)
                .await
                .expect("message")
        );
    }
    let page = pg.chat_list(f::ALICE, &query(50)).await.expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].chat.last_message_id, Some(f::msg(MESSAGES + 1)));
    // One page of slack, for where the row's next version lands.
    let grown = activity_bytes(&db.pool).await - created;
    assert!(
        grown <= 8_192,
        "{MESSAGES} messages grew the chat's ordering row by {grown} bytes (from {created})"
    );
}
