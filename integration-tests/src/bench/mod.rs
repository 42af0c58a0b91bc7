//! The benchmark behind `make bench` (binary `chat-bench`): baselines of the raw servers
//! and end-to-end figures of the running system, measured in the same run, reported
//! with their ratios. It is a benchmark, not a test: it asserts nothing about speed.

pub mod baselines;
pub mod end_to_end;
pub mod load;
pub mod report;
pub mod stats;
