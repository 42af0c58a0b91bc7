//! The per-hop breakdown: sends offered at half the measured capacity, and each hop of
//! the SYNC path (`chat_sync_hop_seconds{hop}`) read from the `/metrics` of command-api
//! and projector-sync before and after: p50 and p99 of what was observed in between,
//! estimated from the histogram buckets; and the CPU each part of the system spent per
//! send in the same window, and the PostgreSQL statements it ran.

use std::collections::BTreeMap;
use std::time::Duration;

use chat_runtime::hops;

use super::cpu::CpuTimes;
use super::offered::{CHATS, SendLoad};
use super::prom::{Buckets, histograms};
use super::report::Figure;
use super::statements;
use chat_test_kit::client::http_client;
use chat_test_kit::system::System;

/// The offered rate when no rate met the limit.
const FLOOR_RATE: f64 = 10.0;

/// The services that observe hops, by instance name.
const OBSERVERS: [&str; 2] = ["command-api", "projector-sync"];

/// Offers half of `capacity` (sends/s) for `duration` through `load` and reports each
/// hop's p50 and p99 in that window, beside the POST latencies.
///
/// # Errors
/// When a service's `/metrics` does not answer.
pub async fn measure(
    system: &System,
    load: &SendLoad,
    capacity: Option<f64>,
    duration: Duration,
) -> anyhow::Result<Vec<Figure>> {
    let rate = capacity.map_or(FLOOR_RATE, |c| (c / 2.0).round().max(FLOOR_RATE));
    eprintln!("hops: offering {rate} sends/s");
    let before = scrape(system).await?;
    let counting = statements::reset(&system.db.pool).await;
    let cpu_before = CpuTimes::now();
    let outcome = load.offer(rate, duration).await;
    let mut cpu = CpuTimes::now().per_operation_since(
        &cpu_before,
        outcome.sent,
        &format!("CPU time of its processes over the window at {rate}/s, per send offered"),
    );
    if counting {
        let how = format!("pg_stat_statements calls in the window at {rate}/s, every service");
        cpu.extend(statements::per_send(&system.db.pool, outcome.sent, &how).await?);
    }
    let observed = since(&scrape(system).await?, &before);
    let load_how = format!(
        "open loop at {rate}/s (half the capacity), {CHATS} chats, {} s; {} of {} failed",
        duration.as_secs(),
        outcome.failed,
        outcome.sent
    );
    let mut figures = vec![
        Figure::new(
            "half capacity: POST p50",
            outcome.latencies.percentile_ms(50.0),
            "ms",
            None,
            &load_how,
        ),
        Figure::new(
            "half capacity: POST p99",
            outcome.latencies.percentile_ms(99.0),
            "ms",
            None,
            &load_how,
        ),
    ];
    figures.extend(cpu);
    for hop in hops::ALL {
        let buckets = observed.get(hop).cloned().unwrap_or_default();
        let how = format!(
            "{}{{hop=\"{hop}\"}}: {} observations in the same window; estimated from the buckets",
            hops::METRIC,
            buckets.count()
        );
        for (q, name) in [(0.5, "p50"), (0.99, "p99")] {
            let ms = buckets.quantile(q).map_or(f64::NAN, |s| s * 1000.0);
            figures.push(Figure::new(
                &format!("hop {hop} {name}"),
                ms,
                "ms",
                None,
                &how,
            ));
        }
    }
    Ok(figures)
}

/// The hop histograms of every observer, summed per hop.
async fn scrape(system: &System) -> anyhow::Result<BTreeMap<String, Buckets>> {
    let http = http_client();
    let mut all: BTreeMap<String, Buckets> = BTreeMap::new();
    for instance in OBSERVERS {
        let url = format!("http://{}/metrics", system.addr(instance));
        let text = http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        for (hop, buckets) in histograms(&text, hops::METRIC, "hop") {
            all.entry(hop).or_default().add(&buckets);
        }
    }
    Ok(all)
}

/// What each hop observed between two scrapes.
fn since(
    after: &BTreeMap<String, Buckets>,
    before: &BTreeMap<String, Buckets>,
) -> BTreeMap<String, Buckets> {
    after
        .iter()
        .map(|(hop, buckets)| {
            let earlier = before.get(hop).cloned().unwrap_or_default();
            (hop.clone(), buckets.since(&earlier))
        })
        .collect()
}
