//! The at-least-once consumer loop of the events topic.
//!
//! Records of one partition are handled one at a time, in order; partitions are handled
//! concurrently in [`ConsumerSettings::lanes`] lanes ([`lanes`]). An offset is stored only
//! after its record was handled (or dead-lettered), and stored offsets are committed in
//! the background and once more at shutdown; so a crash re-delivers at most the records
//! after the last commit, and handlers are idempotent (they guard writes by chat version).
//!
//! A subscribed consumer whose group does not rejoin within [`UNJOINED_LIMIT`] (a
//! librdkafka wedge after a broker restart, see [`watchdog`]) is replaced by a fresh one
//! inside [`EventConsumer::run`]; it re-reads from the last commit, which the idempotent
//! handlers make safe.

mod lanes;
mod watchdog;

pub use watchdog::{GroupWatch, UNJOINED_LIMIT};

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::BorrowedMessage;
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::codec::{ReceivedEvent, decode};
use crate::dead_letter::DeadLetters;
use crate::metrics::{EVENTS, HANDLE_SECONDS, LagContext, REPLACED, observe_consumed};

/// Where a consumer group without committed offsets starts reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartFrom {
    /// From the oldest record kept (projectors: nothing is skipped).
    Earliest,
    /// From the end of every partition as it stands when the consumer is created (the
    /// gateway: only live events matter). The partitions are assigned directly rather
    /// than through a group rebalance, so every record produced after
    /// [`EventConsumer::new`] returns is read: a replica that reports ready has not
    /// silently skipped what was produced while its group was still forming.
    Latest,
}

/// How a consumer reads.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// The consumer group (one per projector; one per replica for broadcast readers).
    pub group_id: String,
    /// The events topic.
    pub topic: String,
    /// Where to start without committed offsets.
    pub start: StartFrom,
    /// Whether offsets are stored and committed (false for broadcast readers).
    pub commit: bool,
    /// First wait before retrying a transiently failing record; doubles up to 5 s.
    pub retry_backoff: Duration,
    /// Records handled at once, each lane taking whole partitions (partition modulo
    /// lanes), so the records of one partition, and so of one chat, stay in order. More
    /// lanes than partitions add nothing.
    pub lanes: usize,
}

/// Why a handler did not handle an event.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// Worth retrying (a store is down): the same record is tried again, nothing moves on.
    #[error("transient failure: {0}")]
    Transient(#[source] anyhow::Error),
    /// Will never succeed (the event breaks an assumption): dead-lettered, and the
    /// consumer carries on.
    #[error("permanent failure: {0}")]
    Permanent(#[source] anyhow::Error),
}

/// What a consumer does with each event.
pub trait EventHandler: Send + Sync {
    /// Handles one event. Must be idempotent: the same event may arrive again.
    ///
    /// # Errors
    /// [`HandlerError`]: transient (retried) or permanent (dead-lettered).
    fn handle(
        &self,
        event: &ReceivedEvent,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send;
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled (its offset is stored).
    Handled,
    /// Could not be handled; sent to the dead-letter topic with this reason.
    DeadLettered(String),
    /// Shutdown came first; the record was not finished and will be read again.
    Interrupted,
}

/// A consumer of the events topic.
pub struct EventConsumer {
    consumer: StreamConsumer<LagContext>,
    /// The full librdkafka configuration, kept to build a replacement consumer.
    config: ClientConfig,
    settings: ConsumerSettings,
    dead_letters: Option<DeadLetters>,
}

impl std::fmt::Debug for EventConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventConsumer")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl EventConsumer {
    /// A consumer of `settings.topic`: subscribed in `settings.group_id` from the
    /// earliest offset, or assigned every partition at its current end (see
    /// [`StartFrom`]). Without a dead-letter producer, undecodable records are logged
    /// and skipped.
    ///
    /// # Errors
    /// When the consumer cannot be created or subscribed, or (from the end) the topic's
    /// partitions and their ends cannot be read.
    pub fn new(
        client: &ClientConfig,
        settings: ConsumerSettings,
        dead_letters: Option<DeadLetters>,
    ) -> Result<Self, KafkaError> {
        let mut config = client.clone();
        config
            .set("group.id", &settings.group_id)
            .set("statistics.interval.ms", "5000")
            .set(
                "enable.auto.commit",
                if settings.commit { "true" } else { "false" },
            )
            .set("enable.auto.offset.store", "false")
            .set("auto.commit.interval.ms", "1000")
            .set(
                "auto.offset.reset",
                match settings.start {
                    StartFrom::Earliest => "earliest",
                    StartFrom::Latest => "latest",
                },
            );
        let consumer = match settings.start {
            StartFrom::Earliest => subscribed(&config, &settings)?,
            StartFrom::Latest => {
                // Assigned, not in a group that rebalances: nothing to watch.
                let context = LagContext {
                    group: settings.group_id.clone(),
                    watch: None,
                };
                let consumer: StreamConsumer<LagContext> = config.create_with_context(context)?;
                let ends = blocking(|| current_ends(&consumer, &settings.topic))?;
                consumer.assign(&ends)?;
                consumer
            }
        };
        Ok(Self {
            consumer,
            config,
            settings,
            dead_letters,
        })
    }

    /// What fires when the current consumer's group is found stuck (subscribed consumers
    /// only; see [`watchdog`]).
    fn stuck(&self) -> Option<CancellationToken> {
        let watch = self.consumer.context().watch.as_ref()?;
        Some(watch.stuck().clone())
    }

    /// Whether the current consumer's group was found stuck.
    fn is_stuck(&self) -> bool {
        self.stuck().is_some_and(|t| t.is_cancelled())
    }

    /// Swaps the stuck consumer for a fresh subscription in the same group. The stuck one
    /// is not committed to (its coordinator does not answer; what it handled since the
    /// last commit is read again) and is dropped on a thread of its own, as librdkafka
    /// may block in the close for as long as the coordinator stays unreachable.
    ///
    /// # Errors
    /// When the new consumer cannot be created or subscribed; the old one is kept.
    fn replace(&mut self) -> Result<(), KafkaError> {
        let fresh = subscribed(&self.config, &self.settings)?;
        let stuck = std::mem::replace(&mut self.consumer, fresh);
        REPLACED
            .with_label_values(&[self.settings.group_id.as_str()])
            .inc();
        tracing::warn!(
            group = %self.settings.group_id,
            "replaced a Kafka consumer whose group did not rejoin; re-reading from the last commit"
        );
        discard(stuck);
        Ok(())
    }

    /// Waits for the next record and handles it (one at a time, in arrival order:
    /// [`Self::run`] is the concurrent loop).
    pub async fn process_next<H: EventHandler>(
        &self,
        handler: &H,
        shutdown: &CancellationToken,
    ) -> Outcome {
        match self.receive(shutdown).await {
            Some(message) => self.finish(&message, handler, shutdown).await,
            None => Outcome::Interrupted,
        }
    }

    /// The next record, or `None` at shutdown or after a receive error (logged, and
    /// waited out for the retry backoff).
    async fn receive(&self, shutdown: &CancellationToken) -> Option<BorrowedMessage<'_>> {
        tokio::select! {
            () = shutdown.cancelled() => None,
            received = self.consumer.recv() => match received {
                Ok(message) => Some(message),
                Err(e) => {
                    tracing::warn!(error.message = %e, "Kafka receive failed; retrying");
                    tokio::time::sleep(self.settings.retry_backoff).await;
                    None
                }
            },
        }
    }

    /// Handles one record (or dead-letters it), counts it, and stores its offset.
    async fn finish<H: EventHandler>(
        &self,
        message: &impl Message,
        handler: &H,
        shutdown: &CancellationToken,
    ) -> Outcome {
        observe_consumed(message);
        let started = std::time::Instant::now();
        let outcome = match decode(message) {
            Ok(event) => self.handle(handler, &event, shutdown).await,
            Err(e) => Err(e.to_string()),
        };
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(reason) => self.dead_letter(message, reason, shutdown).await,
        };
        let group = self.settings.group_id.as_str();
        match &outcome {
            Outcome::Handled => {
                EVENTS.with_label_values(&[group, "handled"]).inc();
                HANDLE_SECONDS
                    .with_label_values(&[group])
                    .observe(started.elapsed().as_secs_f64());
            }
            Outcome::DeadLettered(_) => EVENTS.with_label_values(&[group, "dead_lettered"]).inc(),
            Outcome::Interrupted => {}
        }
        if outcome != Outcome::Interrupted
            && self.settings.commit
            && let Err(e) =
                self.consumer
                    .store_offset(message.topic(), message.partition(), message.offset())
        {
            // The partition was revoked meanwhile: its new owner reads it again.
            tracing::warn!(error.message = %e, "could not store the offset");
        }
        outcome
    }

    /// Runs the handler until it succeeds, fails for good (`Err(reason)`), or shutdown.
    async fn handle<H: EventHandler>(
        &self,
        handler: &H,
        event: &ReceivedEvent,
        shutdown: &CancellationToken,
    ) -> Result<Outcome, String> {
        let mut backoff = self.settings.retry_backoff;
        // One span per event, a child of the trace the producer put in the headers, so a
        // REST call and its consumers form one trace.
        let span = tracing::info_span!(
            "consume_event",
            messaging.consumer.group = %self.settings.group_id,
            event_type = %event.envelope.event_type,
            chat_id = %event.envelope.chat_id,
            version = event.envelope.version,
            otel.kind = "consumer",
        );
        chat_runtime::trace_context::continue_trace(&span, &event.headers);
        loop {
            match handler.handle(event).instrument(span.clone()).await {
                Ok(()) => return Ok(Outcome::Handled),
                Err(HandlerError::Permanent(e)) => return Err(format!("{e:#}")),
                Err(HandlerError::Transient(e)) => {
                    EVENTS
                        .with_label_values(&[self.settings.group_id.as_str(), "retried"])
                        .inc();
                    tracing::warn!(
                        event_id = %event.envelope.event_id,
                        error.message = %e,
                        retry_in = ?backoff,
                        "handler failed; retrying the same event"
                    );
                    tokio::select! {
                        () = shutdown.cancelled() => return Ok(Outcome::Interrupted),
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// Sends a record to the dead-letter topic, retrying until Kafka takes it.
    async fn dead_letter(
        &self,
        message: &impl Message,
        reason: String,
        shutdown: &CancellationToken,
    ) -> Outcome {
        tracing::error!(
            partition = message.partition(),
            offset = message.offset(),
            reason = %reason,
            "dead-lettering a record"
        );
        let Some(dead_letters) = &self.dead_letters else {
            return Outcome::DeadLettered(reason);
        };
        loop {
            match dead_letters
                .send(message, &self.settings.group_id, &reason)
                .await
            {
                Ok(()) => return Outcome::DeadLettered(reason),
                Err(e) => {
                    tracing::warn!(error.message = %e, "dead-letter topic unavailable; retrying");
                    tokio::select! {
                        () = shutdown.cancelled() => return Outcome::Interrupted,
                        () = tokio::time::sleep(self.settings.retry_backoff) => {}
                    }
                }
            }
        }
    }

    /// Commits the stored offsets and leaves the group. librdkafka blocks here, so it
    /// runs where blocking is allowed; a stuck consumer is only discarded (see
    /// [`Self::replace`]).
    fn close(self) {
        if self.is_stuck() {
            discard(self.consumer);
            return;
        }
        let commit = self.settings.commit;
        let consumer = self.consumer;
        blocking(move || {
            if commit && let Err(e) = consumer.commit_consumer_state(CommitMode::Sync) {
                // Nothing handled since the last commit, or no assignment: fine.
                tracing::debug!(error.message = %e, "final commit");
            }
            drop(consumer);
        });
    }
}

/// A consumer of `config` subscribed to `settings.topic`, watched for a group that does
/// not rejoin.
fn subscribed(
    config: &ClientConfig,
    settings: &ConsumerSettings,
) -> Result<StreamConsumer<LagContext>, KafkaError> {
    let context = LagContext {
        group: settings.group_id.clone(),
        watch: Some(Arc::new(GroupWatch::new(
            &settings.group_id,
            UNJOINED_LIMIT,
        ))),
    };
    let consumer: StreamConsumer<LagContext> = config.create_with_context(context)?;
    consumer.subscribe(&[&settings.topic])?;
    Ok(consumer)
}

/// Drops a consumer whose coordinator may not answer on a thread of its own, so a close
/// that waits on it holds up nothing.
fn discard(consumer: StreamConsumer<LagContext>) {
    if let Err(e) = std::thread::Builder::new()
        .name("kafka-discard".into())
        .spawn(move || drop(consumer))
    {
        // The consumer went down with the failed spawn's closure, in place.
        tracing::warn!(error.message = %e, "could not drop a stuck consumer on its own thread");
    }
}

/// How long a metadata or offsets request may take when a consumer is created.
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// Every partition of `topic` at its current end (high watermark).
fn current_ends(
    consumer: &StreamConsumer<LagContext>,
    topic: &str,
) -> Result<TopicPartitionList, KafkaError> {
    let metadata = consumer.fetch_metadata(Some(topic), METADATA_TIMEOUT)?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    if partitions.is_empty() {
        return Err(KafkaError::MetadataFetch(
            RDKafkaErrorCode::UnknownTopicOrPartition,
        ));
    }
    let mut ends = TopicPartitionList::new();
    for partition in partitions {
        let (_, high) = consumer.fetch_watermarks(topic, partition, METADATA_TIMEOUT)?;
        ends.add_partition_offset(topic, partition, Offset::Offset(high))?;
    }
    Ok(ends)
}

/// Runs a call that blocks in librdkafka where blocking is allowed: in place on a
/// multi-threaded runtime's worker, directly elsewhere.
fn blocking<T>(call: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(call)
        }
        _ => call(),
    }
}
