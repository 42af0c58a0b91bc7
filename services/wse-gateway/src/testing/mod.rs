//! The gateway in process for tests, with no server: [`memory::MemoryGateway`] runs the
//! production WebSocket app over the memory adapters of [`adapters`].

pub mod adapters;
pub mod memory;
