//! Adapters of the ports: PostgreSQL for real, memory for fast service tests.

pub mod memory;
pub mod pg;
