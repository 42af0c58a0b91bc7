//! `/healthz` (the process is alive) and `/readyz` (every dependency answers).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actix_web::{HttpResponse, web};
use serde_json::json;

use std::time::Duration;

use scylla::client::session::Session;
use sqlx::PgPool;

use crate::config::KafkaConfig;
use crate::connect::{self, ConnectError};

/// One dependency's readiness probe.
pub type Probe =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<(), ConnectError>> + Send>> + Send + Sync>;

/// The named probes `/readyz` runs, one per dependency.
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

    /// Adds the Kafka probe (a metadata request for the events topic).
    pub fn kafka(self, cfg: KafkaConfig, timeout: Duration) -> Self {
        self.with("kafka", move || {
            let cfg = cfg.clone();
            async move { connect::probe_kafka(&cfg, timeout).await }
        })
    }

    /// Runs every probe; the failures, by dependency name.
    pub async fn failures(&self) -> Vec<(&'static str, String)> {
        let mut failed = Vec::new();
        for (name, probe) in &self.probes {
            if let Err(e) = probe().await {
                failed.push((*name, e.to_string()));
            }
        }
        failed
    }
}

/// Mounts `/healthz`, `/readyz` and `/metrics` on an actix app.
pub fn configure(readiness: Readiness) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(readiness))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(crate::metrics::endpoint));
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "alive" }))
}

async fn readyz(readiness: web::Data<Readiness>) -> HttpResponse {
    let failed = readiness.failures().await;
    if failed.is_empty() {
        HttpResponse::Ok().json(json!({ "status": "ready" }))
    } else {
        let failed: serde_json::Map<_, _> = failed
            .into_iter()
            .map(|(name, reason)| (name.to_owned(), reason.into()))
            .collect();
        HttpResponse::ServiceUnavailable().json(json!({ "status": "not ready", "failed": failed }))
    }
}
