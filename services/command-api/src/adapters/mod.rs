//! Adapters of the ports: PostgreSQL for real, memory for fast service tests.

pub mod memory;
#[cfg(test)]
pub mod observed;
pub mod pg;
