//! A stage for gateway tests over memory: the same methods as the servers' stage
//! (`tests/api/helpers.rs`), so the real suite's scenarios run here unchanged, with
//! memberships recorded in a [`MemoryMembership`] and events published straight to
//! every gateway's hub. A publish returns once each gateway routed the event.

use std::sync::{Arc, Mutex};

use chat_domain::{ChatId, Envelope, UserId};
use chat_test_kit::tokens::TEST_SECRET;
use wse_gateway::testing::adapters::MemoryMembership;
use wse_gateway::testing::memory::MemoryGateway;

pub use crate::client::{
    Client, Incoming, PATIENCE, Script, TestGateway, event_of, new_user, versions,
};

/// What gateways stand on: one membership authority, and the gateways that read the
/// events published.
#[derive(Default)]
pub struct Stage {
    membership: Arc<MemoryMembership>,
    gateways: Mutex<Vec<MemoryGateway>>,
}

impl Stage {
    /// A fresh stage. The partition count is the servers' stage's: events here reach
    /// every gateway in publishing order, as on one partition, which keeps each chat's
    /// order as any partitioning by chat does.
    pub async fn new(_partitions: i32) -> Self {
        Self::default()
    }

    /// A gateway on a free port with extra flags. It routes every event published from
    /// now on.
    pub async fn gateway(&self, extra: &[&str]) -> TestGateway {
        let gateway = MemoryGateway::spawn(TEST_SECRET, extra, Arc::clone(&self.membership))
            .expect("the gateway starts");
        let test = TestGateway {
            addr: gateway.addr(),
            hub: gateway.hub(),
            shutdown: gateway.shutdown(),
        };
        self.gateways.lock().expect("gateways").push(gateway);
        test
    }

    /// Records `user` as an active participant of `chat` since `joined` in the membership
    /// authority.
    pub async fn member(&self, chat: ChatId, user: UserId, joined: u64) {
        self.membership.member(chat, user, joined);
    }

    /// Publishes envelopes to every gateway, in order; returns once they are routed.
    pub async fn produce(&self, envelopes: &[Envelope]) {
        let publishers: Vec<_> = self
            .gateways
            .lock()
            .expect("gateways")
            .iter()
            .map(MemoryGateway::events)
            .collect();
        for envelope in envelopes {
            for publisher in &publishers {
                publisher.publish(envelope.clone()).await;
            }
        }
    }
}
