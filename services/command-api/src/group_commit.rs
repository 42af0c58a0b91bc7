//! Group commit: appends of different chats that arrive together share one transaction.
//!
//! Commands hand their decision to a queue and wait for its own answer. A few committer
//! tasks take whatever waits in the queue (up to a batch's size) and store it with one
//! [`EventStore::append_batch`]; while one batch commits, the next one fills. Under light
//! load a batch holds one decision and waits for nothing; under heavy load one COMMIT
//! serves many.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::ports::{EventStore, NewEvents, StoreError};
use crate::write_metrics::BATCH_SIZE;

/// How batches are formed.
#[derive(Debug, Clone, Copy)]
pub struct GroupCommitSettings {
    /// Most decisions in one transaction.
    pub max_batch: usize,
    /// Transactions in flight at once.
    pub committers: usize,
}

impl Default for GroupCommitSettings {
    fn default() -> Self {
        Self {
            max_batch: 128,
            committers: 2,
        }
    }
}

type Answer = oneshot::Sender<Result<(), StoreError>>;
type Queue = Arc<Mutex<mpsc::UnboundedReceiver<(NewEvents, Answer)>>>;

/// The queue in front of the store's appends.
#[derive(Debug, Clone)]
pub struct GroupCommit {
    queue: mpsc::UnboundedSender<(NewEvents, Answer)>,
}

impl GroupCommit {
    /// Starts the committers on `store`; they stop once every handle is dropped and the
    /// queue is drained.
    pub fn start<S: EventStore>(store: Arc<S>, settings: GroupCommitSettings) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel();
        let receiver: Queue = Arc::new(Mutex::new(receiver));
        for _ in 0..settings.committers.max(1) {
            tokio::spawn(commit_loop(
                Arc::clone(&store),
                Arc::clone(&receiver),
                settings.max_batch.max(1),
            ));
        }
        Self { queue }
    }

    /// Stores one decision with whatever else is waiting, and answers for it alone.
    ///
    /// # Errors
    /// As [`EventStore::append_batch`]'s answer for it.
    pub async fn append(&self, new: NewEvents) -> Result<(), StoreError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || StoreError::Unavailable(anyhow::anyhow!("the group commit stopped"));
        self.queue.send((new, answer)).map_err(|_| stopped())?;
        answered.await.unwrap_or_else(|_| Err(stopped()))
    }
}

async fn commit_loop<S: EventStore>(store: Arc<S>, queue: Queue, max_batch: usize) {
    loop {
        let mut batch = Vec::new();
        {
            // One committer fills its batch at a time; the others commit meanwhile.
            let mut receiver = queue.lock().await;
            match receiver.recv().await {
                Some(first) => batch.push(first),
                None => return,
            }
            while batch.len() < max_batch {
                match receiver.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
        }
        BATCH_SIZE.observe(batch.len() as f64);
        let (news, answers): (Vec<NewEvents>, Vec<Answer>) = batch.into_iter().unzip();
        let outcomes = store.append_batch(&news).await;
        for (answer, outcome) in answers.into_iter().zip(outcomes) {
            // A command that gave up waiting drops its receiver: nothing to tell.
            let _ = answer.send(outcome);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chat_domain::testing::fixtures::{ALICE, History, by};
    use chat_domain::{ChatId, Envelope, EnvelopeMeta};
    use futures_util::future::join_all;
    use uuid::Uuid;

    use super::*;
    use crate::adapters::observed::ObservedStore;

    /// A chat's creation (its first five events), to be appended at version 0.
    fn creation(chat_id: ChatId) -> NewEvents {
        let meta = EnvelopeMeta {
            actor: by(ALICE),
            correlation_id: Uuid::nil(),
            causation_id: None,
        };
        NewEvents {
            chat_id,
            expected_version: 0,
            envelopes: Envelope::wrap_all(History::group().events(), &meta),
            trace_context: Vec::new(),
            idempotency: None,
            snapshot: None,
        }
    }

    #[tokio::test]
    async fn concurrent_appends_share_batches_and_each_gets_its_own_answer() {
        // A commit takes a while: meanwhile the next batch fills.
        let store = Arc::new(ObservedStore::committing_in(Duration::from_millis(5)));
        let commits = GroupCommit::start(
            Arc::clone(&store),
            GroupCommitSettings {
                max_batch: 8,
                committers: 1,
            },
        );
        let chats: Vec<ChatId> = (0..20).map(|_| ChatId::from_uuid(Uuid::now_v7())).collect();
        // Chat 0 is asked for twice: the second, decided at the same version, loses.
        let mut news: Vec<NewEvents> = chats.iter().map(|c| creation(*c)).collect();
        news.push(creation(chats[0]));
        let answers = join_all(news.into_iter().map(|new| commits.append(new))).await;

        assert!(answers[..20].iter().all(Result::is_ok), "{answers:?}");
        assert!(matches!(answers[20], Err(StoreError::VersionConflict(c)) if c == chats[0]));
        let batches = store.batches();
        assert_eq!(batches.iter().sum::<usize>(), 21);
        assert!(batches.iter().all(|n| *n <= 8), "{batches:?}");
        assert!(
            batches.len() < 21,
            "appends waiting together were batched: {batches:?}"
        );
    }
}
