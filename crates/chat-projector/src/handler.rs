//! The Kafka handler: each event's projection applied to the stores
//! ([`chat_read_model::apply`]), its failure sorted into retry or dead-letter, and the
//! `project` hop of the SYNC path observed (`chat_sync_hop_seconds{hop="project"}`, see
//! [`chat_runtime::hops`]).

use std::sync::LazyLock;
use std::time::Instant;

use chat_kafka::{EventHandler, HandlerError, ReceivedEvent};
use chat_read_model::apply::{ApplyError, RowWrites, apply_event};
use chat_read_model::{MessageStore, Projector, RowStore, StoreError};
use chat_runtime::hops;
use chat_runtime::metrics::counter_vec;
use prometheus::IntCounterVec;

/// Row writes by projector and outcome: `applied`, or `redelivered` (the checkpoint was
/// already there; latency and lag are chat-kafka's `chat_event_handle_seconds` and
/// `chat_consumer_lag`).
static WRITES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "chat_projection_writes_total",
        "Projection transactions by projector and outcome (applied, redelivered).",
        &["projector", "outcome"],
    )
});

/// Applies each event's plan for one projector.
#[derive(Debug)]
pub struct ProjectionHandler<R, M> {
    projector: Projector,
    rows: R,
    messages: M,
}

impl<R: RowStore, M: MessageStore> ProjectionHandler<R, M> {
    /// A handler for `projector` writing to `rows` and `messages`.
    pub const fn new(projector: Projector, rows: R, messages: M) -> Self {
        Self {
            projector,
            rows,
            messages,
        }
    }

    /// The projection this handler applies.
    pub const fn projector(&self) -> Projector {
        self.projector
    }
}

/// Whether waiting helps: the consumer retries a transient failure in place and
/// dead-letters a permanent one.
fn failure(e: ApplyError) -> HandlerError {
    match e {
        ApplyError::Plan(e) => HandlerError::Permanent(e.into()),
        // A value we cannot read back will not improve by retrying.
        ApplyError::Store(e @ StoreError::Corrupt(_)) => HandlerError::Permanent(e.into()),
        ApplyError::Store(e @ (StoreError::Postgres(_) | StoreError::Cql(_))) => {
            HandlerError::Transient(e.into())
        }
        // projector-sync will get there: try again.
        e @ ApplyError::CreationNotProjected(_) => HandlerError::Transient(e.into()),
    }
}

impl<R: RowStore, M: MessageStore> EventHandler for ProjectionHandler<R, M> {
    async fn handle(&self, event: &ReceivedEvent) -> Result<(), HandlerError> {
        let envelope = &event.envelope;
        let started = Instant::now();
        let writes = apply_event(&self.rows, &self.messages, self.projector, envelope)
            .await
            .map_err(failure)?;
        hops::observe_duration(hops::PROJECT, started.elapsed());
        let outcome = match writes {
            RowWrites::None => None,
            RowWrites::Applied => Some("applied"),
            RowWrites::Redelivered => Some("redelivered"),
        };
        if let Some(outcome) = outcome {
            WRITES
                .with_label_values(&[self.projector.as_str(), outcome])
                .inc();
            tracing::debug!(chat_id = %envelope.chat_id, version = envelope.version, outcome, event_type = %envelope.event_type, "projected");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chat_domain::testing::fixtures::{ALICE, BOB, CHAT, History, by, create_group, msg, send};
    use chat_domain::{Envelope, EnvelopeMeta};
    use chat_read_model::ChatQueries;
    use chat_read_model::memory::MemoryReadModels;
    use chat_read_model::plan::NotATimeUuid;

    use super::*;

    fn received(envelope: Envelope, offset: i64) -> ReceivedEvent {
        ReceivedEvent {
            envelope,
            headers: Vec::new(),
            partition: 0,
            offset,
        }
    }

    #[tokio::test]
    async fn each_event_is_applied_and_a_redelivery_is_handled_again_without_effect() {
        let events = History::new()
            .run(create_group(ALICE, CHAT, &[BOB]))
            .run(send(BOB, msg(1), "hi"))
            .events();
        let meta = EnvelopeMeta {
            actor: by(ALICE),
            correlation_id: uuid::Uuid::from_u128(1),
            causation_id: None,
        };
        let store = MemoryReadModels::default();
        let handler = ProjectionHandler::new(Projector::Sync, store.clone(), store.clone());
        for (offset, envelope) in (0..).zip(Envelope::wrap_all(events, &meta)) {
            let event = received(envelope, offset);
            handler.handle(&event).await.expect("applied");
            let before = store.chat(CHAT).await.expect("read");
            handler.handle(&event).await.expect("redelivery handled");
            assert_eq!(store.chat(CHAT).await.expect("read"), before);
        }
        let chat = store.chat(CHAT).await.expect("read").expect("projected");
        assert_eq!(chat.last_message_id, Some(msg(1)));
    }

    #[test]
    fn only_failures_that_waiting_can_fix_are_retried() {
        let transient = |e: ApplyError| matches!(failure(e), HandlerError::Transient(_));
        assert!(!transient(ApplyError::Plan(NotATimeUuid(msg(1)))));
        assert!(!transient(StoreError::Corrupt("?".into()).into()));
        assert!(transient(StoreError::Postgres("down".into()).into()));
        assert!(transient(StoreError::Cql("down".into()).into()));
        assert!(transient(ApplyError::CreationNotProjected(CHAT)));
    }
}
