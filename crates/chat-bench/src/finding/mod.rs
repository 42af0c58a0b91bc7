//! Finding things in a busy account: message search over a large index and the chat list
//! of a user in many chats, each through the REST API beside the raw PostgreSQL query it
//! stands on, measured in the same run; and how soon a new message is searchable.
//!
//! The seed (see [`seed`]): `BENCH_FIND_CHATS` chats (default 10,000) of
//! `BENCH_FIND_MESSAGES` messages each (default 100, so 1,000,000 messages), the first
//! `BENCH_FIND_LIST_CHATS` (default 2,000) with a second user, the list reader. Searches
//! are the owner's, over every chat; the chat list is the reader's.

mod corpus;
mod seed;

use std::time::{Duration, Instant};

use crate::bench::report::Figure;
use crate::bench::stats::Latencies;
use anyhow::Context;
use chat_domain::ChatId;
use chat_domain::UserId;
use chat_read_model::SearchQueries;
use chat_read_model::pg::PgReadModels;
use chat_read_model::search::{MessageSearchQuery, SearchScope, WINDOW};
use chat_test_kit::client::{Api, User};
use chat_test_kit::system::System;
use command_api::adapters::pg::PgEventStore;
use reqwest::Method;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use self::corpus::Corpus;

/// Searches and chat-list pages timed, each (`BENCH_FIND_SAMPLES`, default 300).
fn samples() -> usize {
    env("BENCH_FIND_SAMPLES", 300)
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Seeds, waits for the projections, then measures.
///
/// # Errors
/// When seeding fails, the projectors do not catch up, or a request fails.
pub async fn measure(system: &System) -> anyhow::Result<Vec<Figure>> {
    let shape = (
        env("BENCH_FIND_CHATS", 10_000),
        env("BENCH_FIND_LIST_CHATS", 2_000),
        env("BENCH_FIND_MESSAGES", 100),
    );
    let api = Api::new(system.api());
    let (owner, reader) = (User::new("Archivist"), User::new("Reader"));
    let store = PgEventStore::new(system.db.pool.clone());
    let mut corpus = Corpus::new(16);
    eprintln!("finding: seeding {} chats of {} messages", shape.0, shape.2);
    let began = Instant::now();
    let seeded = seed::seed(&store, &owner, &reader, shape, &mut corpus).await?;
    eprintln!(
        "finding: seeded in {:?}; waiting for the projectors",
        began.elapsed()
    );
    projected(&system.db.pool, &seeded).await?;
    eprintln!("finding: projected after {:?}", began.elapsed());
    settled(&system.db.pool).await?;

    let chats: Vec<Uuid> = seeded.iter().map(|(c, _)| c.as_uuid()).collect();
    let mut figures = search_figures(&api, &system.db.pool, &owner, &chats, &mut corpus).await?;
    figures.extend(list_figures(&api, &system.db.pool, &reader, shape.1).await?);
    figures.extend(searchable_after_send(&api, &owner, seeded[0].0).await?);
    Ok(figures)
}

/// Waits until both projectors applied every seeded chat's last version.
async fn projected(pool: &PgPool, seeded: &[(ChatId, u64)]) -> anyhow::Result<()> {
    let chats: Vec<Uuid> = seeded.iter().map(|(c, _)| c.as_uuid()).collect();
    let versions: Vec<i64> = seeded
        .iter()
        .map(|(_, v)| i64::try_from(*v))
        .collect::<Result<_, _>>()
        .context("version")?;
    let deadline = Instant::now() + Duration::from_secs(7_200);
    loop {
        let applied: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM projection_checkpoints p \
             JOIN UNNEST($1::uuid[], $2::int8[]) AS s(chat, version) \
             ON p.chat_id = s.chat AND p.version >= s.version",
        )
        .bind(&chats)
        .bind(&versions)
        .fetch_one(pool)
        .await?;
        if usize::try_from(applied)? == 2 * seeded.len() {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "the projectors did not catch up");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Vacuums and analyses the seeded database, as autovacuum would have long done on a
/// database that grew this big over months: the figures are of that steady state, not of
/// the minutes after a bulk load (stale statistics, pages not yet marked all-visible).
async fn settled(pool: &PgPool) -> anyhow::Result<()> {
    let began = Instant::now();
    sqlx::raw_sql("VACUUM (ANALYZE)").execute(pool).await?;
    eprintln!("finding: vacuumed and analysed in {:?}", began.elapsed());
    Ok(())
}

/// Times `samples()` searches through the API (`query` each time) and the raw query.
async fn search_figures(
    api: &Api,
    pool: &PgPool,
    owner: &User,
    chats: &[Uuid],
    corpus: &mut Corpus,
) -> anyhow::Result<Vec<Figure>> {
    let mut figures = Vec::new();
    // Words that tell messages apart, then frequent ones (in about one message in 25).
    let store = PgReadModels::new(pool.clone());
    for (kind, from, to) in [("distinctive word", 100, 20_000), ("frequent word", 10, 30)] {
        let (mut through_api, mut raw) = (Latencies::default(), Latencies::default());
        let mut in_store = Latencies::default();
        let mut hits = 0;
        for n in 0..samples() {
            let q = corpus.query(from, to);
            // Whichever way runs a word first meets its pages cold (several times slower
            // for a rare word): each way goes first a third of the time.
            for step in 0..3 {
                let began = Instant::now();
                match (n + step) % 3 {
                    0 => {
                        let found = get(api, owner, &format!("/api/search/messages?q={q}")).await?;
                        through_api.record(began.elapsed());
                        hits += found["messages"].as_array().map_or(0, Vec::len);
                    }
                    1 => {
                        store_search(&store, &q, owner.id).await?;
                        in_store.record(began.elapsed());
                    }
                    _ => {
                        raw_search(pool, &q, owner.id).await?;
                        raw.record(began.elapsed());
                    }
                }
            }
        }
        let how = format!(
            "GET /api/search/messages?q=<one {kind}> (the 20 best hits with snippets; {hits} \
             hits returned over the samples) by a user in {} chats, one at a time",
            chats.len()
        );
        let store_how = "the read model's own search for the same page (its SQL with \
                         snippets, through sqlx; no HTTP, no token, no access check)";
        let raw_how = "the same window, rank and order in SQL for the same user (sqlx, no \
                       snippets, no access check, no HTTP)";
        let (name, store_name, raw_name) = (
            format!("search ({kind})"),
            format!("search ({kind}) in the store"),
            format!("raw search ({kind})"),
        );
        figures.extend(percentiles(&raw_name, &raw, raw_how, None));
        figures.extend(percentiles(
            &store_name,
            &in_store,
            store_how,
            Some(&raw_name),
        ));
        figures.extend(percentiles(&name, &through_api, &how, Some(&store_name)));
    }
    Ok(figures)
}

/// The read model's search for a first page of 20: the engine's query for the answer
/// the API gives, snippets included.
async fn store_search(store: &PgReadModels, q: &str, user: Uuid) -> anyhow::Result<()> {
    let page = store
        .search_messages(&MessageSearchQuery {
            text: q.to_owned(),
            scope: SearchScope::Member(UserId::from_uuid(user)),
            after: None,
            limit: 20,
        })
        .await?;
    std::hint::black_box(page);
    Ok(())
}

/// The engine's own query for a first page: the newest window of matches of `q` in the
/// chats `user` is in, ranked, the best 20 of them.
async fn raw_search(pool: &PgPool, q: &str, user: Uuid) -> anyhow::Result<()> {
    let _: Vec<Uuid> = sqlx::query_scalar(
        "SELECT message_id FROM ( \
             SELECT message_id, created_at, document FROM message_search \
             WHERE document @@ websearch_to_tsquery('russian', $1) \
               AND chat_id IN (SELECT chat_id FROM chat_participants \
                               WHERE user_id = $2 AND is_active) \
             ORDER BY created_at DESC, message_id DESC LIMIT $3 \
         ) AS recent \
         ORDER BY ts_rank(document, websearch_to_tsquery('russian', $1)) DESC, \
                  created_at DESC, message_id DESC LIMIT 20",
    )
    // As the adapter runs it: planned for these values each time.
    .persistent(false)
    .bind(q)
    .bind(user)
    .bind(i64::try_from(WINDOW)?)
    .fetch_all(pool)
    .await?;
    Ok(())
}

/// Times the reader's chat list: first pages and pages from cursors, through the API
/// and as the raw query.
async fn list_figures(
    api: &Api,
    pool: &PgPool,
    reader: &User,
    in_chats: usize,
) -> anyhow::Result<Vec<Figure>> {
    let (mut through_api, mut raw) = (Latencies::default(), Latencies::default());
    let mut cursor: Option<String> = None;
    let mut listed = 0;
    for n in 0..samples() {
        let path = match &cursor {
            Some(c) => format!("/api/chats?limit=50&cursor={c}"),
            None => "/api/chats?limit=50".to_owned(),
        };
        // Each way goes first half the time (the first meets colder pages).
        for step in 0..2 {
            let began = Instant::now();
            if (n + step) % 2 == 0 {
                let page = get(api, reader, &path).await?;
                through_api.record(began.elapsed());
                listed = listed.max(page["chats"].as_array().map_or(0, Vec::len));
                cursor = page["next_cursor"].as_str().map(str::to_owned);
            } else {
                raw_list(pool, reader.id).await?;
                raw.record(began.elapsed());
            }
        }
    }
    anyhow::ensure!(listed == 50, "the reader's pages are full");
    let how = format!(
        "GET /api/chats?limit=50 (with last messages) by a user in {in_chats} chats, walking \
         the pages by cursor and starting over, one at a time"
    );
    let raw_how = "the first page's chats in SQL (participants join chat_activity, ordered by \
                   activity, no last messages, no access check, no HTTP)";
    let mut figures = percentiles("raw chat list page", &raw, raw_how, None);
    figures.extend(percentiles(
        "chat list page",
        &through_api,
        &how,
        Some("raw chat list page"),
    ));
    Ok(figures)
}

/// p50 and p99 of `name`, each beside the same percentile of `baseline` when named.
fn percentiles(
    name: &str,
    latencies: &Latencies,
    how: &str,
    baseline: Option<&str>,
) -> Vec<Figure> {
    [50.0, 99.0]
        .into_iter()
        .map(|p| {
            let base = baseline.map(|b| format!("{b} p{p}"));
            Figure::new(
                &format!("{name} p{p}"),
                latencies.percentile_ms(p),
                "ms",
                base.as_deref(),
                how,
            )
        })
        .collect()
}

/// The engine's own query for a first page of `user`'s chats.
async fn raw_list(pool: &PgPool, user: Uuid) -> anyhow::Result<()> {
    let _: Vec<Uuid> = sqlx::query_scalar(
        "SELECT a.chat_id FROM chat_participants p JOIN chat_activity a ON a.chat_id = p.chat_id \
         WHERE p.user_id = $1 AND p.is_active AND NOT a.is_archived AND NOT a.is_deleted \
         ORDER BY a.active_at DESC, a.chat_id LIMIT 50",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(())
}

/// How long a sent message takes to be found (sends one at a time, each searched for
/// every 10 ms until found).
async fn searchable_after_send(
    api: &Api,
    owner: &User,
    chat: ChatId,
) -> anyhow::Result<Vec<Figure>> {
    let mut latencies = Latencies::default();
    for n in 0..20 {
        let word = format!("fresh{n}x{}", Uuid::now_v7().simple());
        let began = Instant::now();
        let path = format!("/api/chats/{chat}/messages");
        let (status, answer) = api
            .try_call(
                owner,
                Method::POST,
                &path,
                Some(json!({ "content": word })),
                None,
            )
            .await?;
        anyhow::ensure!(status == 201, "send: {status} {answer}");
        loop {
            let found = get(api, owner, &format!("/api/search/messages?q={word}")).await?;
            if found["messages"].as_array().is_some_and(|m| !m.is_empty()) {
                break;
            }
            anyhow::ensure!(
                began.elapsed() < Duration::from_secs(60),
                "never searchable"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        latencies.record(began.elapsed());
    }
    let how = "POST a message with a new word, then search for it every 10 ms until found";
    Ok(percentiles("send to searchable", &latencies, how, None))
}

/// `GET path` as `user`, expecting 200; the answer.
async fn get(api: &Api, user: &User, path: &str) -> anyhow::Result<Value> {
    let (status, answer) = api.try_call(user, Method::GET, path, None, None).await?;
    anyhow::ensure!(status == 200, "GET {path}: {status} {answer}");
    Ok(answer)
}
