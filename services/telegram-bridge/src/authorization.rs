//! Whether Telegram still accepts the bridge's account, learned from every call's answer.
//!
//! A revoked or expired authorization is not a refusal of one request: every call fails
//! until an operator signs the bot in again. [`Watched`] sees each answer: an
//! `Unauthorized` one marks the bridge not ready (`/readyz`, through
//! [`Authorization::is_authorized`]) and moves the metrics; the next successful call
//! marks it authorized again. The callers retry meanwhile, so nothing is skipped.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::media::OutgoingFile;
use crate::metrics::{AUTH_FAILURES, AUTHORIZED};
use crate::ports::{ChatAccess, Delivery, GatewayError, TelegramGateway, TelegramTarget};

/// The bridge's latest knowledge of its authorization (cheap to clone; clones share it).
#[derive(Debug, Clone)]
pub struct Authorization {
    revoked: Arc<AtomicBool>,
}

impl Default for Authorization {
    fn default() -> Self {
        Self::new()
    }
}

impl Authorization {
    /// Authorized, as the gateway checked when it connected.
    #[must_use]
    pub fn new() -> Self {
        AUTHORIZED.set(1);
        Self {
            revoked: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether the last answer that said anything about it was not `Unauthorized`.
    #[must_use]
    pub fn is_authorized(&self) -> bool {
        !self.revoked.load(Ordering::Relaxed)
    }

    /// Learns from one call's answer: `Unauthorized` revokes, success restores, other
    /// errors say nothing about the account.
    pub fn observe<T>(&self, answer: &Result<T, GatewayError>) {
        match answer {
            Ok(_) => {
                if self.revoked.swap(false, Ordering::Relaxed) {
                    tracing::info!("Telegram accepts the bridge's account again");
                }
                AUTHORIZED.set(1);
            }
            Err(GatewayError::Unauthorized(reason)) => {
                AUTH_FAILURES.inc();
                if !self.revoked.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        %reason,
                        "Telegram no longer accepts the bridge's account; \
                         nothing is mirrored until it is authorized again"
                    );
                }
                AUTHORIZED.set(0);
            }
            Err(_) => {}
        }
    }
}

/// A gateway whose every answer [`Authorization::observe`] sees.
#[derive(Debug)]
pub struct Watched<G> {
    gateway: G,
    authorization: Authorization,
}

impl<G> Watched<G> {
    /// `gateway`, reporting to `authorization`.
    pub const fn new(gateway: G, authorization: Authorization) -> Self {
        Self {
            gateway,
            authorization,
        }
    }

    fn seen<T>(&self, answer: Result<T, GatewayError>) -> Result<T, GatewayError> {
        self.authorization.observe(&answer);
        answer
    }
}

impl<G: TelegramGateway> TelegramGateway for Watched<G> {
    async fn send_message(
        &self,
        target: TelegramTarget,
        text: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        let answer = self.gateway.send_message(target, text, reply_to, key).await;
        self.seen(answer)
    }

    async fn send_file(
        &self,
        target: TelegramTarget,
        file: OutgoingFile<'_>,
        caption: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        let answer = self
            .gateway
            .send_file(target, file, caption, reply_to, key)
            .await;
        self.seen(answer)
    }

    async fn download_file(&self, chat_id: i64, message_id: i64) -> Result<Vec<u8>, GatewayError> {
        let answer = self.gateway.download_file(chat_id, message_id).await;
        self.seen(answer)
    }

    async fn next_update(&self) -> Result<Delivery, GatewayError> {
        let answer = self.gateway.next_update().await;
        self.seen(answer)
    }

    async fn edit_message(
        &self,
        chat_id: i64,
        message_id: i64,
        text: &str,
    ) -> Result<(), GatewayError> {
        let answer = self.gateway.edit_message(chat_id, message_id, text).await;
        self.seen(answer)
    }

    async fn delete_message(&self, chat_id: i64, message_id: i64) -> Result<(), GatewayError> {
        let answer = self.gateway.delete_message(chat_id, message_id).await;
        self.seen(answer)
    }

    async fn find_own_messages(
        &self,
        target: TelegramTarget,
        text: &str,
        around: i64,
    ) -> Result<Vec<i64>, GatewayError> {
        let answer = self.gateway.find_own_messages(target, text, around).await;
        self.seen(answer)
    }

    async fn follow(&self, chat_id: i64) -> Result<(), GatewayError> {
        let answer = self.gateway.follow(chat_id).await;
        self.seen(answer)
    }

    async fn access(&self, chat_id: i64) -> Result<ChatAccess, GatewayError> {
        let answer = self.gateway.access(chat_id).await;
        self.seen(answer)
    }

    async fn confirm(&self, delivery_id: u64) -> Result<(), GatewayError> {
        let answer = self.gateway.confirm(delivery_id).await;
        self.seen(answer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::fake::FakeTelegram;

    #[tokio::test]
    async fn an_unauthorized_answer_revokes_and_a_successful_one_restores() {
        let telegram = FakeTelegram::new();
        let authorization = Authorization::new();
        let gateway = Watched::new(telegram.connect(), authorization.clone());
        let group = TelegramTarget {
            chat_id: -100,
            topic_id: None,
        };
        let failures = AUTH_FAILURES.get();

        telegram.revoke_authorization();
        let refused = gateway.send_message(group, "hi", None, 1).await;
        assert!(matches!(refused, Err(GatewayError::Unauthorized(_))));
        assert!(!authorization.is_authorized());
        assert!(AUTH_FAILURES.get() > failures);

        telegram.restore_authorization();
        assert!(gateway.send_message(group, "hi", None, 1).await.is_ok());
        assert!(authorization.is_authorized());
    }
}
