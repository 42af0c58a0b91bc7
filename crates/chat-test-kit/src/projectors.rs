//! The crash scenario the projectors are tested with: an undisturbed run of both
//! projectors is the reference; beside it, on other stores, both run as real child
//! processes, each killed (SIGKILL) in the middle of the stream and restarted; the read
//! models must equal the reference. Then a second replay of the whole topic over the
//! crashed run's read models, and a rebuild of the reference's into empty tables, must
//! change nothing.
//!
//! Feature `projectors`: it runs the projector runtime (`chat-projector`) in this process,
//! which the crates that only need fresh stores do not build.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chat_domain::Envelope;
use chat_runtime::config::KafkaConfig;
use chat_runtime::connect;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use scylla::client::session::Session;
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;

use chat_projector::testing::run_in_process;
use chat_read_model::Projector;
use chat_read_model::testing::{
    ChildProjector, Stores, final_checkpoints, progress, snapshot, wait_for_progress, workload,
};

use crate::cql::migrate_keyspace;
use crate::kafka::produce;

/// How long one projector may take over the whole stream.
const CATCH_UP: Duration = Duration::from_secs(600);

/// One set of fresh stores (a PostgreSQL database and a CQL keyspace) on the topic.
#[derive(Debug)]
pub struct Run {
    /// Their settings.
    pub stores: Stores,
    /// A pool on the database.
    pub pool: PgPool,
    session: Session,
}

impl Run {
    /// A fresh database and keyspace reading `kafka`'s topic.
    ///
    /// # Errors
    /// When a server does not answer.
    pub async fn fresh(kafka: &KafkaConfig) -> anyhow::Result<Self> {
        let db = crate::pg::fresh_database().await;
        let keyspace = crate::unique_name("test");
        let cql = crate::cql_config(&keyspace);
        migrate_keyspace(&cql, &keyspace).await?;
        let session = connect::cql(&cql).await?;
        Ok(Self {
            stores: Stores {
                pg: db.config,
                kafka: kafka.clone(),
                cql,
            },
            pool: db.pool,
            session,
        })
    }

    /// Every read model as text.
    ///
    /// # Errors
    /// When a store fails.
    pub async fn snapshot(&self) -> anyhow::Result<Vec<String>> {
        snapshot(&self.pool, &self.session, &self.stores.cql.keyspace).await
    }

    /// Waits until `projector` applied everything of `envelopes`.
    ///
    /// # Errors
    /// When it takes longer than ten minutes.
    pub async fn wait_done(
        &self,
        projector: Projector,
        envelopes: &[Envelope],
    ) -> anyhow::Result<()> {
        let target = final_checkpoints(envelopes, projector).values().sum();
        wait_for_progress(&self.pool, projector, target, CATCH_UP).await
    }
}

/// Waits until consumer group `group` committed the end of every partition of the topic.
///
/// # Errors
/// When Kafka fails or ten minutes pass.
pub async fn wait_for_group(kafka: &KafkaConfig, group: &str) -> anyhow::Result<()> {
    let consumer: Arc<BaseConsumer> = Arc::new(
        connect::kafka_client_config(kafka)
            .set("group.id", group)
            .create()?,
    );
    let topic = kafka.events_topic.clone();
    let until = tokio::time::Instant::now() + CATCH_UP;
    loop {
        let probe = Arc::clone(&consumer);
        let topic = topic.clone();
        let done = tokio::task::spawn_blocking(move || -> anyhow::Result<bool> {
            let timeout = Duration::from_secs(10);
            let metadata = probe.fetch_metadata(Some(&topic), timeout)?;
            let mut wanted = TopicPartitionList::new();
            for partition in metadata.topics().iter().flat_map(|t| t.partitions()) {
                wanted.add_partition(&topic, partition.id());
            }
            let committed = probe.committed_offsets(wanted, timeout)?;
            for element in committed.elements() {
                let (_, high) = probe.fetch_watermarks(&topic, element.partition(), timeout)?;
                let at = match element.offset() {
                    Offset::Offset(at) => at,
                    _ => 0,
                };
                if at < high {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .await??;
        if done {
            return Ok(());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < until,
            "group {group} did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The projector binaries the crash scenario runs as child processes.
#[derive(Debug, Clone)]
pub struct ProjectorBinaries {
    /// projector-sync's executable.
    pub sync: String,
    /// projector-async's executable.
    pub asynchronous: String,
}

impl ProjectorBinaries {
    /// The binary of `projector`.
    fn of(&self, projector: Projector) -> &str {
        match projector {
            Projector::Sync => &self.sync,
            Projector::Async => &self.asynchronous,
        }
    }
}

/// The crash scenario over `events` events (see the module docs). Returns the reference
/// snapshot, then the rebuild's, the crashed run's and the second replay's, which the
/// caller compares.
///
/// # Errors
/// When a server fails or a projector does not catch up.
pub async fn kill_9_scenario(
    binaries: &ProjectorBinaries,
    events: usize,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let kafka = crate::kafka::fresh_topic("crash", 3).await;
    let envelopes = workload(40, events, 11);
    produce(&kafka, &envelopes).await?;
    let stop = CancellationToken::new();
    let _stop_on_exit = stop.clone().drop_guard();
    // Two chains of two passes each, on stores of their own, at the same time: the
    // projectors wait on the servers far more than they compute, so the scenario takes
    // about two passes over the topic instead of four.
    let (undisturbed, disturbed) = tokio::try_join!(
        undisturbed_then_rebuilt(&kafka, &envelopes, &stop),
        killed_then_replayed(&kafka, binaries, &envelopes, &stop),
    )?;
    Ok(undisturbed.into_iter().chain(disturbed).collect())
}

/// The reference: both projectors in this process over the whole topic. Then a rebuild:
/// both empty the read models (once) and replay into them.
async fn undisturbed_then_rebuilt(
    kafka: &KafkaConfig,
    envelopes: &[Envelope],
    stop: &CancellationToken,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let run = Run::fresh(kafka).await?;
    start_both_in_process(&run, None, stop).await?;
    let rebuild = crate::unique_name("rebuild");
    let second = SecondPass {
        rebuild: Some(&rebuild),
        names: ["undisturbed", "rebuilt"],
    };
    second.after_the_first(&run, envelopes, stop).await
}

/// Both projectors as processes, each killed once it is 40% through its own work and
/// restarted. Then the whole topic once more, in new groups, over the filled read models.
async fn killed_then_replayed(
    kafka: &KafkaConfig,
    binaries: &ProjectorBinaries,
    envelopes: &[Envelope],
    stop: &CancellationToken,
) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let run = Run::fresh(kafka).await?;
    // Bound until the end: dropping a child projector kills it.
    let (_sync, _async) = tokio::try_join!(
        crash_and_restart(&run, binaries, Projector::Sync, envelopes),
        crash_and_restart(&run, binaries, Projector::Async, envelopes),
    )?;
    let second = SecondPass {
        rebuild: None,
        names: ["killed and restarted", "replayed again"],
    };
    second.after_the_first(&run, envelopes, stop).await
}

/// A second pass of both projectors over the whole topic, in this process and new
/// consumer groups, on the read models a first pass filled.
struct SecondPass<'a> {
    /// A rebuild of that name (the read models emptied once first), or a plain replay.
    rebuild: Option<&'a str>,
    /// What the snapshots after the first and after the second pass are called.
    names: [&'a str; 2],
}

impl SecondPass<'_> {
    /// Waits until the first pass on `run` applied everything of `envelopes`, snapshots
    /// the read models, runs this pass to the end of the topic and snapshots them again.
    async fn after_the_first(
        &self,
        run: &Run,
        envelopes: &[Envelope],
        stop: &CancellationToken,
    ) -> anyhow::Result<Vec<(String, Vec<String>)>> {
        run.wait_done(Projector::Sync, envelopes).await?;
        run.wait_done(Projector::Async, envelopes).await?;
        let first = run.snapshot().await?;
        let groups = start_both_in_process(run, self.rebuild, stop).await?;
        for group in &groups {
            wait_for_group(&run.stores.kafka, group).await?;
        }
        let [first_name, second_name] = self.names;
        Ok(vec![
            (first_name.to_owned(), first),
            (second_name.to_owned(), run.snapshot().await?),
        ])
    }
}

/// Starts both projectors in this process on `run`'s stores, each in a consumer group of
/// its own (a rebuild named `rebuild` if given), until `stop`; returns the groups they
/// commit their offsets in.
async fn start_both_in_process(
    run: &Run,
    rebuild: Option<&str>,
    stop: &CancellationToken,
) -> anyhow::Result<Vec<String>> {
    let mut groups = Vec::new();
    for p in [Projector::Sync, Projector::Async] {
        let name = crate::unique_name(p.as_str());
        run_in_process(p, &run.stores, &name, rebuild, stop).await?;
        groups.push(match rebuild {
            Some(rebuild) => format!("{name}.rebuild.{rebuild}"),
            None => name,
        });
    }
    Ok(groups)
}

/// Starts `projector` as a child process on `run`'s stores, kills it (SIGKILL) once it
/// has applied 40% of its work, checks that the kill came before the end, and starts it
/// again; returns the restarted process.
async fn crash_and_restart(
    run: &Run,
    binaries: &ProjectorBinaries,
    projector: Projector,
    envelopes: &[Envelope],
) -> anyhow::Result<ChildProjector> {
    let binary = binaries.of(projector);
    let mut args = run.stores.args();
    args.push(format!(
        "--consumer-group={}",
        crate::unique_name(projector.as_str())
    ));
    let mut child = ChildProjector::spawn(binary, &args)?;
    let total: u64 = final_checkpoints(envelopes, projector).values().sum();
    wait_for_progress(&run.pool, projector, total * 2 / 5, CATCH_UP).await?;
    child.kill();
    let at_kill = progress(&run.pool, projector).await?;
    anyhow::ensure!(
        at_kill < total,
        "{}: the kill came after the last event: {at_kill} of {total}",
        projector.as_str()
    );
    tracing::info!(
        projector = projector.as_str(),
        at_kill,
        total,
        "killed mid-stream"
    );
    Ok(ChildProjector::spawn(binary, &args)?)
}

/// Asserts that every snapshot of a [`kill_9_scenario`] equals the first (the undisturbed
/// run's), which must be substantial; a difference names the run and shows a few of the
/// missing and extra lines.
///
/// # Panics
/// When a snapshot differs or the reference is too small to prove anything.
pub fn assert_all_equal_the_undisturbed_run(snapshots: &[(String, Vec<String>)]) {
    let (_, reference) = &snapshots[0];
    assert!(reference.len() > 5_000, "the read models are substantial");
    for (name, snapshot) in &snapshots[1..] {
        // The message's arguments are only evaluated on a failure: the lines missing and
        // extra are looked for then, not in every passing run.
        assert!(
            snapshot == reference,
            "{name}: the read models differ from the undisturbed run\nmissing: {:#?}\nextra: {:#?}",
            first_lines_not_in(reference, snapshot),
            first_lines_not_in(snapshot, reference),
        );
    }
}

/// Up to five lines of `lines` that `other` lacks (one pass each, through a set: a
/// quadratic scan of two 10,000-line snapshots takes seconds in a debug build).
fn first_lines_not_in<'a>(lines: &'a [String], other: &[String]) -> Vec<&'a String> {
    let other: HashSet<&String> = other.iter().collect();
    lines
        .iter()
        .filter(|l| !other.contains(l))
        .take(5)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::assert_all_equal_the_undisturbed_run;

    fn reference() -> Vec<String> {
        (0..5_001).map(|n| format!("messages {n:05}")).collect()
    }

    #[test]
    fn snapshots_equal_to_the_undisturbed_run_pass() {
        assert_all_equal_the_undisturbed_run(&[
            ("undisturbed".to_owned(), reference()),
            ("killed and restarted".to_owned(), reference()),
        ]);
    }

    #[test]
    fn a_snapshot_differing_from_the_undisturbed_run_fails_showing_its_missing_and_extra_lines() {
        let mut disturbed = reference();
        disturbed[7] = "messages doubled".to_owned();
        let failure = std::panic::catch_unwind(|| {
            assert_all_equal_the_undisturbed_run(&[
                ("undisturbed".to_owned(), reference()),
                ("rebuilt".to_owned(), disturbed),
            ]);
        })
        .expect_err("a difference fails");
        let message = failure.downcast::<String>().expect("a formatted message");
        assert!(
            message.starts_with("rebuilt: the read models differ"),
            "{message}"
        );
        assert!(message.contains("\"messages 00007\""), "{message}");
        assert!(message.contains("\"messages doubled\""), "{message}");
    }
}
