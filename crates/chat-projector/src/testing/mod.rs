//! Projectors for other crates' tests (feature `testing`): run in this process on given
//! stores. The stores, the workload and the snapshots are `chat_read_model::testing`'s; the
//! crash scenario both projector binaries are tested with is `chat_test_kit::projectors`
//! (it needs fresh servers, which no product crate's feature may pull in).

use chat_read_model::Projector;
use chat_read_model::testing::Stores;
use chat_runtime::config::{LogFormat, LoggingConfig, OpsConfig};
use tokio_util::sync::CancellationToken;

use crate::{ProjectionConfig, ProjectorApp, ProjectorConfig, Service};

/// Runs a projector in this process (until `shutdown`), in consumer group `group`.
///
/// # Errors
/// When it cannot start.
pub async fn run_in_process(
    projector: Projector,
    stores: &Stores,
    group: &str,
    rebuild: Option<&str>,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let cfg = ProjectorConfig {
        // The test process set up its own logging; the projector does not init any.
        logging: LoggingConfig {
            filter: String::new(),
            format: LogFormat::Text,
            otlp_endpoint: None,
            service_name: None,
        },
        ops: OpsConfig {
            addr: ([127, 0, 0, 1], 0).into(),
            ready_timeout_ms: 2000,
        },
        pg: stores.pg.clone(),
        kafka: stores.kafka.clone(),
        cql: stores.cql.clone(),
        projection: ProjectionConfig {
            consumer_group: Some(group.to_owned()),
            rebuild: rebuild.map(str::to_owned),
            retry_backoff_ms: 20,
            lanes: 6,
        },
    };
    let service = Service {
        name: "projector-in-process",
        projector,
    };
    let app = ProjectorApp::build(service, &cfg).await?;
    tokio::spawn(app.run_until_stopped(shutdown.clone()));
    Ok(())
}

/// Runs projector-sync and projector-async in this process on `stores` until `shutdown`,
/// each in a consumer group of its own (`projector-<sync|async>-<run>`).
///
/// # Errors
/// When one cannot start.
pub async fn run_projectors_in_process(
    stores: &Stores,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let run = uuid::Uuid::new_v4().simple();
    for projector in [Projector::Sync, Projector::Async] {
        let group = format!("projector-{}-{run}", projector.as_str());
        run_in_process(projector, stores, &group, None, shutdown).await?;
    }
    Ok(())
}
