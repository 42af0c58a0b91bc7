//! Adapters: Telegram (real and fake), command-api over HTTP, the bridge's PostgreSQL
//! tables, and [`Gateway`], the Telegram the application was configured with.

pub mod command_api;
pub mod fake;
pub mod fake_control;
pub mod pg;
pub mod telegram;

use crate::media::OutgoingFile;
use crate::ports::{ChatAccess, Delivery, GatewayError, TelegramGateway, TelegramTarget};

/// The Telegram the bridge runs against (chosen by `--telegram-mode`, or by a test).
#[derive(Debug)]
pub enum Gateway {
    /// Telegram over MTProto.
    Real(Box<telegram::GrammersGateway>),
    /// The in-memory fake.
    Fake(fake::FakeGateway),
    /// The real adapter against the MTProto-level Telegram double (tests).
    #[cfg(feature = "telegram-double")]
    Double(Box<telegram::MtprotoGateway<telegram::double::DoubleClient>>),
}

impl TelegramGateway for Gateway {
    async fn send_message(
        &self,
        target: TelegramTarget,
        text: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        match self {
            Self::Real(g) => g.send_message(target, text, reply_to, key).await,
            Self::Fake(g) => g.send_message(target, text, reply_to, key).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.send_message(target, text, reply_to, key).await,
        }
    }

    async fn send_file(
        &self,
        target: TelegramTarget,
        file: OutgoingFile<'_>,
        caption: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        match self {
            Self::Real(g) => g.send_file(target, file, caption, reply_to, key).await,
            Self::Fake(g) => g.send_file(target, file, caption, reply_to, key).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.send_file(target, file, caption, reply_to, key).await,
        }
    }

    async fn download_file(&self, chat_id: i64, message_id: i64) -> Result<Vec<u8>, GatewayError> {
        match self {
            Self::Real(g) => g.download_file(chat_id, message_id).await,
            Self::Fake(g) => g.download_file(chat_id, message_id).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.download_file(chat_id, message_id).await,
        }
    }

    async fn next_update(&self) -> Result<Delivery, GatewayError> {
        match self {
            Self::Real(g) => g.next_update().await,
            Self::Fake(g) => g.next_update().await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.next_update().await,
        }
    }

    async fn edit_message(
        &self,
        chat_id: i64,
        message_id: i64,
        text: &str,
    ) -> Result<(), GatewayError> {
        match self {
            Self::Real(g) => g.edit_message(chat_id, message_id, text).await,
            Self::Fake(g) => g.edit_message(chat_id, message_id, text).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.edit_message(chat_id, message_id, text).await,
        }
    }

    async fn delete_message(&self, chat_id: i64, message_id: i64) -> Result<(), GatewayError> {
        match self {
            Self::Real(g) => g.delete_message(chat_id, message_id).await,
            Self::Fake(g) => g.delete_message(chat_id, message_id).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.delete_message(chat_id, message_id).await,
        }
    }

    async fn find_own_messages(
        &self,
        target: TelegramTarget,
        text: &str,
        around: i64,
    ) -> Result<Vec<i64>, GatewayError> {
        match self {
            Self::Real(g) => g.find_own_messages(target, text, around).await,
            Self::Fake(g) => g.find_own_messages(target, text, around).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.find_own_messages(target, text, around).await,
        }
    }

    async fn follow(&self, chat_id: i64) -> Result<(), GatewayError> {
        match self {
            Self::Real(g) => g.follow(chat_id).await,
            Self::Fake(g) => g.follow(chat_id).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.follow(chat_id).await,
        }
    }

    async fn access(&self, chat_id: i64) -> Result<ChatAccess, GatewayError> {
        match self {
            Self::Real(g) => g.access(chat_id).await,
            Self::Fake(g) => g.access(chat_id).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.access(chat_id).await,
        }
    }

    async fn confirm(&self, delivery_id: u64) -> Result<(), GatewayError> {
        match self {
            Self::Real(g) => g.confirm(delivery_id).await,
            Self::Fake(g) => g.confirm(delivery_id).await,
            #[cfg(feature = "telegram-double")]
            Self::Double(g) => g.confirm(delivery_id).await,
        }
    }
}
