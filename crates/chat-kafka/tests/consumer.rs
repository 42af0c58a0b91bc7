//! The consumer loop against the real broker: order, retries in place, dead letters,
//! and resuming after a restart from what was handled.

use std::sync::Mutex;
use std::time::Duration;

use chat_domain::chat::commands::{CreateChat, SendMessage};
use chat_domain::{
    Actor, ChatCommand, ChatId, ChatType, Envelope, EnvelopeMeta, MessageId, UserId,
};
use chat_kafka::dead_letter::topic_for;
use chat_kafka::{
    ConsumerSettings, DeadLetters, EventConsumer, EventHandler, HandlerError, Outcome,
    ReceivedEvent, StartFrom,
};
use chat_migrate::topics::{self, TopicSpec};
use chat_runtime::config::KafkaConfig;
use chat_runtime::connect::kafka_client_config;
use chat_test_kit::kafka::{fresh_topic, read_records};
use chat_test_kit::unique_name;
use rdkafka::producer::{FutureProducer, FutureRecord};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// Records the versions it saw; fails transiently the first `flaky` times.
struct Recorder {
    seen: Mutex<Vec<u64>>,
    flaky: Mutex<u32>,
}

impl EventHandler for Recorder {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        {
            let mut flaky = self.flaky.lock().expect("lock");
            if *flaky > 0 {
                *flaky -= 1;
                return Err(HandlerError::Transient(anyhow::anyhow!("store is down")));
            }
        }
        self.seen.lock().expect("lock").push(event.envelope.version);
        Ok(())
    }
}

/// A chat's creation and `messages` sends, as envelopes.
fn history(messages: usize) -> Vec<Envelope> {
    let alice = UserId::from_uuid(Uuid::now_v7());
    let chat = ChatId::from_uuid(Uuid::now_v7());
    let at = time::OffsetDateTime::now_utc();
    let actor = Actor::user(alice);
    let mut commands = vec![ChatCommand::from(CreateChat {
        actor: actor.clone(),
        at,
        chat_id: chat,
        chat_type: ChatType::Group,
        name: Some("t".into()),
        company_id: None,
        participants: vec![],
    })];
    for _ in 0..messages {
        commands.push(
            SendMessage {
                actor: actor.clone(),
                at,
                message_id: MessageId::from_uuid(Uuid::now_v1(&[1, 2, 3, 4, 5, 6])),
                content: "hi".into(),
                reply_to: None,
                media: None,
            }
            .into(),
        );
    }
    let events = chat_domain::testing::decide_all(commands);
    let meta = EnvelopeMeta {
        actor,
        correlation_id: Uuid::new_v4(),
        causation_id: None,
    };
    Envelope::wrap_all(events, &meta)
}

async fn produce(cfg: &KafkaConfig, key: &str, payloads: &[String]) {
    let producer: FutureProducer = kafka_client_config(cfg).create().expect("producer");
    for payload in payloads {
        producer
            .send(
                FutureRecord::to(&cfg.events_topic)
                    .key(key)
                    .payload(payload),
                Duration::from_secs(10),
            )
            .await
            .expect("produce");
    }
}

fn settings(cfg: &KafkaConfig, group: &str) -> ConsumerSettings {
    ConsumerSettings {
        group_id: group.to_owned(),
        topic: cfg.events_topic.clone(),
        start: StartFrom::Earliest,
        commit: true,
        retry_backoff: Duration::from_millis(20),
        lanes: 1,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_in_order_retries_in_place_dead_letters_and_resumes() {
    let cfg = fresh_topic("consumer", 1).await;
    let dlq = KafkaConfig {
        events_topic: topic_for(&cfg.events_topic),
        ..cfg.clone()
    };
    topics::ensure(
        &kafka_client_config(&cfg),
        &[TopicSpec {
            name: dlq.events_topic.clone(),
            partitions: 1,
            replication: 1,
            retention_ms: None,
        }],
    )
    .await
    .expect("dlq topic");
    let envelopes = history(5); // versions 1..=7
    let mut payloads: Vec<String> = envelopes
        .iter()
        .map(|e| serde_json::to_string(e).expect("json"))
        .collect();
    payloads.insert(3, "{not an envelope".to_owned());
    let key = envelopes[0].chat_id.to_string();
    produce(&cfg, &key, &payloads).await;

    let group = unique_name("group");
    let recorder = Recorder {
        seen: Mutex::new(Vec::new()),
        flaky: Mutex::new(2),
    };
    let dead_letters = DeadLetters::new(&kafka_client_config(&cfg), dlq.events_topic.clone())
        .expect("dlq producer");
    let shutdown = CancellationToken::new();

    // First run: the first five records (four events, one poison), then a restart.
    let consumer = EventConsumer::new(
        &kafka_client_config(&cfg),
        settings(&cfg, &group),
        Some(dead_letters.clone()),
    )
    .expect("consumer");
    let mut outcomes = Vec::new();
    while outcomes.len() < 5 {
        match consumer.process_next(&recorder, &shutdown).await {
            Outcome::Interrupted => {}
            other => outcomes.push(other),
        }
    }
    assert!(
        matches!(outcomes[3], Outcome::DeadLettered(_)),
        "{outcomes:?}"
    );
    let stopper = CancellationToken::new();
    stopper.cancel();
    consumer.run(&recorder, stopper).await; // commits and closes

    let consumer = EventConsumer::new(
        &kafka_client_config(&cfg),
        settings(&cfg, &group),
        Some(dead_letters),
    )
    .expect("consumer");
    while recorder.seen.lock().expect("lock").len() < 7 {
        consumer.process_next(&recorder, &shutdown).await;
    }
    let stopper = CancellationToken::new();
    stopper.cancel();
    consumer.run(&recorder, stopper).await;

    // In order, each once, though the first event failed twice before it succeeded.
    assert_eq!(
        *recorder.seen.lock().expect("lock"),
        (1..=7).collect::<Vec<u64>>()
    );
    // The outcomes are counted for Prometheus, under this group.
    let metrics = chat_runtime::metrics::render();
    for series in [
        format!("chat_events_consumed_total{{group=\"{group}\",outcome=\"handled\"}} 7"),
        format!("chat_events_consumed_total{{group=\"{group}\",outcome=\"dead_lettered\"}} 1"),
        format!("chat_events_consumed_total{{group=\"{group}\",outcome=\"retried\"}} 2"),
    ] {
        assert!(
            metrics.contains(&series),
            "{series} missing from:\n{metrics}"
        );
    }

    let dead = read_records(&dlq, 1, Duration::from_secs(20)).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].payload, "{not an envelope");
    assert!(
        dead[0]
            .headers
            .iter()
            .any(|(k, v)| k == "dlq_reason" && v.contains("not an event envelope"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_latest_reader_gets_everything_produced_after_it_was_created_and_nothing_before() {
    let cfg = fresh_topic("consumer_latest", 3).await;
    let before = history(2);
    let after = history(3);
    let json = |events: &[Envelope]| -> Vec<String> {
        events
            .iter()
            .map(|e| serde_json::to_string(e).expect("json"))
            .collect()
    };
    produce(&cfg, &before[0].chat_id.to_string(), &json(&before)).await;

    let consumer = EventConsumer::new(
        &kafka_client_config(&cfg),
        ConsumerSettings {
            start: StartFrom::Latest,
            commit: false,
            ..settings(&cfg, &unique_name("broadcast"))
        },
        None,
    )
    .expect("consumer");
    // Produced at once, before any group could have formed: none of it is skipped.
    produce(&cfg, &after[0].chat_id.to_string(), &json(&after)).await;

    let recorder = Recorder {
        seen: Mutex::new(Vec::new()),
        flaky: Mutex::new(0),
    };
    let shutdown = CancellationToken::new();
    while recorder.seen.lock().expect("lock").len() < after.len() {
        tokio::time::timeout(
            Duration::from_secs(30),
            consumer.process_next(&recorder, &shutdown),
        )
        .await
        .expect("the records produced after creation arrive");
    }
    assert_eq!(
        *recorder.seen.lock().expect("lock"),
        (1..=5).collect::<Vec<u64>>(),
        "exactly the chat produced afterwards, in order"
    );
}

/// Records what it handled per chat and how many records were in hand at once.
#[derive(Default)]
struct Overlap {
    seen: Mutex<Vec<(ChatId, u64)>>,
    in_hand: std::sync::atomic::AtomicUsize,
    most_in_hand: std::sync::atomic::AtomicUsize,
}

impl EventHandler for Overlap {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        use std::sync::atomic::Ordering::SeqCst;
        let now = self.in_hand.fetch_add(1, SeqCst) + 1;
        self.most_in_hand.fetch_max(now, SeqCst);
        // A store round trip: the lanes overlap while they wait.
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.in_hand.fetch_sub(1, SeqCst);
        let envelope = &event.envelope;
        self.seen
            .lock()
            .expect("lock")
            .push((envelope.chat_id, envelope.version));
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_handles_partitions_concurrently_each_in_order_and_commits_them() {
    let cfg = fresh_topic("consumer_lanes", 3).await;
    let producer: FutureProducer = kafka_client_config(&cfg).create().expect("producer");
    let chats: Vec<Vec<Envelope>> = (0..3).map(|_| history(8)).collect();
    for (partition, events) in (0_i32..).zip(&chats) {
        let key = events[0].chat_id.to_string();
        for event in events {
            let payload = serde_json::to_string(event).expect("json");
            producer
                .send(
                    FutureRecord::to(&cfg.events_topic)
                        .partition(partition)
                        .key(&key)
                        .payload(&payload),
                    Duration::from_secs(10),
                )
                .await
                .expect("produce");
        }
    }
    let group = unique_name("lanes");
    let lanes = || ConsumerSettings {
        lanes: 3,
        ..settings(&cfg, &group)
    };
    let handler = Overlap::default();
    let total: usize = chats.iter().map(Vec::len).sum();
    let shutdown = CancellationToken::new();
    let consumer = EventConsumer::new(&kafka_client_config(&cfg), lanes(), None).expect("consumer");
    let stopper = shutdown.clone();
    let run = consumer.run(&handler, shutdown.clone());
    let watch = async {
        while handler.seen.lock().expect("lock").len() < total {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stopper.cancel();
    };
    tokio::time::timeout(Duration::from_secs(60), async { tokio::join!(run, watch) })
        .await
        .expect("every record is handled");

    let seen = handler.seen.lock().expect("lock").clone();
    for events in &chats {
        let chat = events[0].chat_id;
        let versions: Vec<u64> = seen
            .iter()
            .filter(|(c, _)| *c == chat)
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(
            versions,
            (1..=10).collect::<Vec<u64>>(),
            "chat {chat}: once, in order"
        );
    }
    assert!(
        handler
            .most_in_hand
            .load(std::sync::atomic::Ordering::SeqCst)
            > 1,
        "the partitions were handled concurrently"
    );

    // Everything handled was committed at shutdown: a restart in the group reads nothing
    // old, only what comes next.
    let restarted =
        EventConsumer::new(&kafka_client_config(&cfg), lanes(), None).expect("consumer");
    let next = history(0);
    produce(
        &cfg,
        &next[0].chat_id.to_string(),
        &[serde_json::to_string(&next[0]).expect("json")],
    )
    .await;
    let after = Overlap::default();
    tokio::time::timeout(Duration::from_secs(30), async {
        while after.seen.lock().expect("lock").is_empty() {
            restarted
                .process_next(&after, &CancellationToken::new())
                .await;
        }
    })
    .await
    .expect("the new record arrives");
    assert_eq!(
        *after.seen.lock().expect("lock"),
        vec![(next[0].chat_id, 1)],
        "only the new chat's creation"
    );
}
