//! What this machine's Kafka and CQL servers do with our drivers alone, without our code
//! in between: figures the end-to-end ones are compared with (PostgreSQL's are in
//! [`super::postgres`]).

use std::sync::Arc;
use std::time::Duration;

use chat_runtime::config::{CqlConfig, KafkaConfig};
use chat_runtime::connect;
use rdkafka::producer::{FutureProducer, FutureRecord};
use uuid::Uuid;

use super::load::{Throughput, run};

/// Records per second produced to a 3-partition topic by an idempotent producer
/// (`acks=all`, as the outbox relay produces), `payload` each.
///
/// # Errors
/// When the producer cannot be created.
pub async fn kafka_produce(
    cfg: &KafkaConfig,
    payload: String,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<Throughput> {
    let producer: FutureProducer = connect::kafka_client_config(cfg)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("linger.ms", "2")
        .create()?;
    let producer = Arc::new(producer);
    let payload = Arc::new(payload);
    let topic = Arc::new(cfg.events_topic.clone());
    Ok(run(duration, concurrency, move |_| {
        let (producer, payload, topic) = (
            Arc::clone(&producer),
            Arc::clone(&payload),
            Arc::clone(&topic),
        );
        async move {
            let key = Uuid::now_v7().to_string();
            producer
                .send(
                    FutureRecord::to(&topic).key(&key).payload(payload.as_str()),
                    Duration::from_secs(30),
                )
                .await
                .map(|_| ())
                .map_err(|(e, _)| e)
        }
    })
    .await)
}

/// Rows per second inserted with a prepared statement into a table shaped like the
/// messages table, in a keyspace of its own (dropped afterwards); then pages of 50 read
/// back from it (the second result).
///
/// # Errors
/// When the schema cannot be created.
pub async fn cql_insert(
    cfg: &CqlConfig,
    content: String,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<(Throughput, Throughput)> {
    let session = Arc::new(connect::cql(cfg).await?);
    let ks = &cfg.keyspace;
    session
        .query_unpaged(
            format!(
                "CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = \
                 {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
            ),
            &[],
        )
        .await?;
    session
        .query_unpaged(
            format!(
                "CREATE TABLE IF NOT EXISTS {ks}.rows (chat_id uuid, bucket int, message_id timeuuid, \
                 sender_id uuid, content text, PRIMARY KEY ((chat_id, bucket), message_id))"
            ),
            &[],
        )
        .await?;
    session.await_schema_agreement().await?;
    let insert = Arc::new(
        session
            .prepare(format!(
                "INSERT INTO {ks}.rows (chat_id, bucket, message_id, sender_id, content) \
                 VALUES (?, ?, ?, ?, ?)"
            ))
            .await?,
    );
    let content = Arc::new(content);
    let chat = Uuid::now_v7();
    let node = [7, 7, 7, 7, 7, 7];
    let worker_session = Arc::clone(&session);
    let result = run(duration, concurrency, move |_| {
        let (session, insert, content) = (
            Arc::clone(&worker_session),
            Arc::clone(&insert),
            Arc::clone(&content),
        );
        async move {
            let id = scylla::value::CqlTimeuuid::from(Uuid::now_v1(&node));
            session
                .execute_unpaged(&insert, (chat, 0_i32, id, chat, content.as_str()))
                .await
                .map(|_| ())
        }
    })
    .await;
    let reads = page_reads(&session, ks, chat, duration / 2, concurrency).await?;
    session
        .query_unpaged(format!("DROP KEYSPACE IF EXISTS {ks}"), &[])
        .await?;
    Ok((result, reads))
}

/// Pages of 50 rows, newest first, read from the partition the inserts filled.
async fn page_reads(
    session: &Arc<scylla::client::session::Session>,
    ks: &str,
    chat: Uuid,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<Throughput> {
    let select = Arc::new(
        session
            .prepare(format!(
                "SELECT message_id, sender_id, content FROM {ks}.rows \
                 WHERE chat_id = ? AND bucket = 0 ORDER BY message_id DESC LIMIT 50"
            ))
            .await?,
    );
    let session = Arc::clone(session);
    Ok(run(duration, concurrency, move |_| {
        let (session, select) = (Arc::clone(&session), Arc::clone(&select));
        async move { session.execute_unpaged(&select, (chat,)).await.map(|_| ()) }
    })
    .await)
}
