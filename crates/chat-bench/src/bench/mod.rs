//! The benchmark behind `make bench` (binary `chat-bench`): baselines of the raw servers
//! and end-to-end figures of the running system, measured in the same run, reported
//! with their ratios. It is a benchmark, not a test: it asserts nothing about speed.
//!
//! Phases, each returning its figures: [`raw`] (Kafka, CQL, PostgreSQL 1-row and batched
//! transactions), [`e2e`] (sends, POST to WebSocket, history, fan-out, idle sockets),
//! [`capacity`] (open-loop stepping rates) and [`hops`] (the SYNC path's hops at half
//! the capacity). Their tools: [`baselines`] and [`postgres`] (raw drivers),
//! [`end_to_end`] (system drivers), [`load`] (closed loop), [`open_loop`] and
//! [`offered`] (fixed-rate sends), [`prom`] (reading `/metrics` histograms), [`cpu`]
//! (CPU per part of the system), [`statements`] (PostgreSQL statements per send), [`stats`]
//! and [`report`].

pub mod baselines;
pub mod capacity;
pub mod cpu;
pub mod e2e;
pub mod end_to_end;
pub mod hops;
pub mod load;
pub mod offered;
pub mod open_loop;
pub mod postgres;
pub mod prom;
pub mod raw;
pub mod report;
pub mod statements;
pub mod stats;

use std::time::Duration;

/// Clients of the closed-loop phases.
pub const CONCURRENCY: usize = 16;

/// Seconds each throughput phase runs (`BENCH_SECONDS`, default 15).
pub fn phase_duration() -> Duration {
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    Duration::from_secs(seconds)
}

/// Each capacity step: a third of a phase, at least 2 s.
pub fn step_duration(phase: Duration) -> Duration {
    (phase / 3).max(Duration::from_secs(2))
}
