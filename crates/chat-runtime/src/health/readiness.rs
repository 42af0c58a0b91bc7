//! Readiness: the probes of a service's dependencies, run by a background task whose
//! latest verdict `/readyz` answers from.
//!
//! A request never runs a probe: a flood of `/readyz` (the gateway serves it on its public
//! port) costs a channel read each, and the dependencies see one probe per refresh
//! whatever the traffic.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use scylla::client::session::Session;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

#[cfg(feature = "kafka")]
use crate::config::KafkaConfig;
#[cfg(feature = "kafka")]
use crate::connect::KafkaProbe;
use crate::connect::{self, ConnectError};

/// How often the services refresh their readiness verdict. Kubernetes asks every 5 s, so
/// the answer it gets is at most this old (plus the probes' own time).
pub const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// One dependency's readiness probe.
pub type Probe =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), ConnectError>> + Send>> + Send + Sync>;

/// The named probes of a service, one per dependency; [`Readiness::watch`] runs them.
#[derive(Clone, Default)]
pub struct Readiness {
    probes: Vec<(&'static str, Probe)>,
}

impl std::fmt::Debug for Readiness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.probes.iter().map(|(name, _)| *name).collect();
        f.debug_struct("Readiness").field("probes", &names).finish()
    }
}

impl Readiness {
    /// Adds the probe of the dependency called `name`.
    pub fn with<F, Fut>(mut self, name: &'static str, probe: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), ConnectError>> + Send + 'static,
    {
        self.probes
            .push((name, Arc::new(move || Box::pin(probe()))));
        self
    }

    /// Adds the PostgreSQL probe on `pool`.
    pub fn postgres(self, pool: PgPool, timeout: Duration) -> Self {
        self.with("postgres", move || {
            let pool = pool.clone();
            async move { connect::probe_postgres(&pool, timeout).await }
        })
    }

    /// Adds the CQL store probe on `session`.
    pub fn cql(self, session: Arc<Session>, timeout: Duration) -> Self {
        self.with("cql", move || {
            let session = Arc::clone(&session);
            async move { connect::probe_cql(&session, timeout).await }
        })
    }

    /// Adds the Kafka probe (a metadata request for the events topic, by one client kept
    /// across refreshes).
    #[cfg(feature = "kafka")]
    pub fn kafka(self, cfg: KafkaConfig, timeout: Duration) -> Self {
        let probe = KafkaProbe::default();
        self.with("kafka", move || {
            let (cfg, probe) = (cfg.clone(), probe.clone());
            async move { probe.probe(&cfg, timeout).await }
        })
    }

    /// Runs the probes now and every `every` after, in a task that ends when `stop`
    /// fires; the verdict is [`Verdict::Unknown`] (not ready) until the first round ends.
    pub fn watch(self, every: Duration, stop: CancellationToken) -> ReadyState {
        let (tx, rx) = watch::channel(Verdict::Unknown);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            // A slow round (probes waiting out their timeouts) delays the next one rather
            // than bunching the missed ones up.
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    _ = ticks.tick() => {}
                }
                let verdict = tokio::select! {
                    () = stop.cancelled() => break,
                    verdict = self.verdict() => verdict,
                };
                tx.send_replace(verdict);
            }
        });
        ReadyState { latest: rx }
    }

    /// Runs every probe, one after the other.
    async fn verdict(&self) -> Verdict {
        let mut failed = Vec::new();
        for (name, probe) in &self.probes {
            if let Err(e) = probe().await {
                failed.push((*name, e.to_string()));
            }
        }
        if failed.is_empty() {
            Verdict::Ready
        } else {
            Verdict::NotReady(failed)
        }
    }
}

/// The latest verdict of a service's probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No round of probes has finished yet.
    Unknown,
    /// Every dependency answered in the last round.
    Ready,
    /// The dependencies that failed in the last round, with why.
    NotReady(Vec<(&'static str, String)>),
}

/// Where `/readyz` reads the verdict [`Readiness::watch`] keeps up to date.
#[derive(Debug, Clone)]
pub struct ReadyState {
    latest: watch::Receiver<Verdict>,
}

impl ReadyState {
    /// The verdict of the last finished round.
    pub fn verdict(&self) -> Verdict {
        self.latest.borrow().clone()
    }
}
