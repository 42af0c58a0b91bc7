//! The concurrent loop: one reader hands each record to the lane of its partition, and
//! the lanes handle their records one at a time, all in one task (the handler is only
//! borrowed, and the work is waiting on stores, not computing).

use futures_util::future::join_all;
use rdkafka::Message;
use rdkafka::message::OwnedMessage;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{EventConsumer, EventHandler};

/// Records queued per lane before the reader waits for it.
const LANE_DEPTH: usize = 64;

impl EventConsumer {
    /// Handles records until `shutdown` fires, the partitions concurrently in
    /// [`super::ConsumerSettings::lanes`] lanes; then lets each lane finish the record
    /// in hand and commits what was handled. Queued records not handled yet have no
    /// stored offset, so they are read again.
    ///
    /// When the group is found stuck (see [`super::watchdog`]) the lanes stop the same
    /// way, the consumer is replaced, and reading resumes from the last commit.
    pub async fn run<H: EventHandler>(mut self, handler: &H, shutdown: CancellationToken) {
        loop {
            self.run_consumer(handler, &shutdown).await;
            if shutdown.is_cancelled() {
                break;
            }
            if let Err(e) = self.replace() {
                // Creating a client fails on configuration, which worked before: retry,
                // with the old consumer, in case it was a passing shortage.
                tracing::error!(error.message = %e, "could not replace a stuck consumer");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(self.settings.retry_backoff) => {}
                }
            }
        }
        self.close();
    }

    /// Runs the reader and the lanes over the current consumer until `shutdown` fires or
    /// its group is found stuck.
    async fn run_consumer<H: EventHandler>(&self, handler: &H, shutdown: &CancellationToken) {
        let stop = shutdown.child_token();
        let stuck = self.stuck();
        let watch = async {
            if let Some(stuck) = stuck {
                tokio::select! {
                    () = stuck.cancelled() => stop.cancel(),
                    () = stop.cancelled() => {}
                }
            }
        };
        let (queues, lanes): (Vec<_>, Vec<_>) = (0..self.settings.lanes.max(1))
            .map(|_| mpsc::channel::<OwnedMessage>(LANE_DEPTH))
            .unzip();
        let lanes = join_all(
            lanes
                .into_iter()
                .map(|lane| self.lane(lane, handler, &stop)),
        );
        tokio::join!(self.read(queues, &stop), lanes, watch);
    }

    /// Reads records into the lanes of their partitions until shutdown.
    async fn read(&self, queues: Vec<mpsc::Sender<OwnedMessage>>, shutdown: &CancellationToken) {
        while !shutdown.is_cancelled() {
            let Some(message) = self.receive(shutdown).await.map(|m| m.detach()) else {
                continue;
            };
            let lane = usize::try_from(message.partition()).unwrap_or_default() % queues.len();
            tokio::select! {
                () = shutdown.cancelled() => return,
                queued = queues[lane].send(message) => if queued.is_err() { return },
            }
        }
    }

    /// Handles one lane's records in order until shutdown.
    async fn lane<H: EventHandler>(
        &self,
        mut queue: mpsc::Receiver<OwnedMessage>,
        handler: &H,
        shutdown: &CancellationToken,
    ) {
        loop {
            let message = tokio::select! {
                biased;
                () = shutdown.cancelled() => return,
                next = queue.recv() => match next {
                    Some(message) => message,
                    None => return,
                },
            };
            self.finish(&message, handler, shutdown).await;
        }
    }
}
