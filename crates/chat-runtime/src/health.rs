//! `/healthz` (the process is alive) and `/readyz` (every dependency answered the last
//! background round of probes, see [`readiness`]).

mod readiness;

use actix_web::{HttpResponse, web};
use serde_json::json;

pub use readiness::{Probe, REFRESH_EVERY, Readiness, ReadyState, Verdict};

/// Mounts `/healthz`, `/readyz` and `/metrics` on an actix app.
pub fn configure(ready: ReadyState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(ready))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(crate::metrics::endpoint));
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "alive" }))
}

async fn readyz(ready: web::Data<ReadyState>) -> HttpResponse {
    match ready.verdict() {
        Verdict::Ready => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Verdict::Unknown => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "not ready", "reason": "the dependencies are being checked" })),
        Verdict::NotReady(failed) => {
            let failed: serde_json::Map<_, _> = failed
                .into_iter()
                .map(|(name, reason)| (name.to_owned(), reason.into()))
                .collect();
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "not ready", "failed": failed }))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Duration;

    use tokio::sync::Semaphore;
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::connect::ConnectError;

    /// A probe that counts its runs and fails while `failing` is set.
    fn counted(runs: &Arc<AtomicUsize>, failing: &Arc<AtomicBool>) -> Readiness {
        let (runs, failing) = (Arc::clone(runs), Arc::clone(failing));
        Readiness::default().with("counted", move || {
            runs.fetch_add(1, Ordering::SeqCst);
            let failed = failing.load(Ordering::SeqCst);
            async move {
                match failed {
                    true => Err(ConnectError::Timeout("counted", Duration::ZERO)),
                    false => Ok(()),
                }
            }
        })
    }

    /// `/readyz`'s status now.
    async fn status(ready: &ReadyState) -> u16 {
        readyz(web::Data::new(ready.clone()))
            .await
            .status()
            .as_u16()
    }

    /// Asks `/readyz` until it answers `wanted` (for at most 5 s).
    async fn until(ready: &ReadyState, wanted: u16) {
        for _ in 0..500 {
            if status(ready).await == wanted {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("/readyz never answered {wanted}");
    }

    #[tokio::test]
    async fn many_readyz_requests_run_the_probes_from_the_background_only() {
        let (runs, failing) = (Arc::default(), Arc::default());
        let stop = CancellationToken::new();
        // An hour between rounds: only the first one runs during the test.
        let ready = counted(&runs, &failing).watch(Duration::from_secs(3600), stop.clone());
        until(&ready, 200).await;
        for _ in 0..200 {
            assert_eq!(status(&ready).await, 200);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        stop.cancel();
    }

    #[tokio::test]
    async fn not_ready_before_the_first_round_and_after_a_failed_one() {
        let gate = Arc::new(Semaphore::new(0));
        let opened = Arc::clone(&gate);
        let failing = Arc::new(AtomicBool::new(false));
        let failed = Arc::clone(&failing);
        let stop = CancellationToken::new();
        let ready = Readiness::default()
            .with("gated", move || {
                let (gate, failed) = (Arc::clone(&opened), failed.load(Ordering::SeqCst));
                async move {
                    // The first round waits until the test opens the gate.
                    let _ = gate.acquire().await;
                    match failed {
                        true => Err(ConnectError::Timeout("gated", Duration::ZERO)),
                        false => Ok(()),
                    }
                }
            })
            .watch(Duration::from_millis(20), stop.clone());
        assert_eq!(status(&ready).await, 503);
        assert_eq!(ready.verdict(), Verdict::Unknown);
        gate.add_permits(1);
        until(&ready, 200).await;
        failing.store(true, Ordering::SeqCst);
        until(&ready, 503).await;
        assert!(matches!(ready.verdict(), Verdict::NotReady(failed) if failed[0].0 == "gated"));
        stop.cancel();
    }

    #[tokio::test]
    async fn the_refresh_stops_with_the_token() {
        let (runs, failing) = (Arc::new(AtomicUsize::new(0)), Arc::default());
        let stop = CancellationToken::new();
        let _ready = counted(&runs, &failing).watch(Duration::from_millis(5), stop.clone());
        tokio::time::sleep(Duration::from_millis(50)).await;
        stop.cancel();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let after_stop = runs.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(after_stop > 0);
        assert_eq!(runs.load(Ordering::SeqCst), after_stop);
    }
}
