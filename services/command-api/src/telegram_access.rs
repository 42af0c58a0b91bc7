//! Before a chat is linked, the Telegram bridge is asked whether its bot can serve the
//! group: a bot that is not a member, or a plain member with privacy mode on (it sees
//! only commands), would leave the link silent, so the link is refused with what to fix
//! (422 `telegram_bot_not_in_group` / `telegram_bot_privacy_mode`). The bridge answers
//! from Telegram at once (`GET /telegram/groups/{id}/access` on its operations port);
//! when it cannot, the link answers 503 and nothing is stored. Without
//! `TELEGRAM_BRIDGE_URL` (no bridge deployed) links are not checked.

use std::time::Duration;

use anyhow::anyhow;
use serde::Deserialize;

use crate::config::TelegramCheckConfig;
use crate::http::error::ApiError;

/// The link-time check.
#[derive(Debug, Clone)]
pub struct TelegramAccessCheck {
    bridge: Option<(reqwest::Client, String)>,
}

/// The bridge's answer.
#[derive(Debug, Deserialize)]
struct Access {
    member: bool,
    sees_all_messages: bool,
    reason: Option<String>,
}

impl TelegramAccessCheck {
    /// The check the config asks for (none without a bridge URL).
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn from_config(cfg: &TelegramCheckConfig) -> anyhow::Result<Self> {
        let Some(url) = &cfg.telegram_bridge_url else {
            return Ok(Self { bridge: None });
        };
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(cfg.telegram_bridge_timeout_ms.max(1)))
            .no_proxy()
            .build()?;
        Ok(Self {
            bridge: Some((client, url.trim_end_matches('/').to_owned())),
        })
    }

    /// Whether the bot can serve supergroup `group`.
    ///
    /// # Errors
    /// [`ApiError::TelegramBotNotInGroup`], [`ApiError::TelegramBotPrivacyMode`], or
    /// [`ApiError::Unavailable`] when the bridge cannot tell.
    pub async fn check(&self, group: i64) -> Result<(), ApiError> {
        let Some((client, base)) = &self.bridge else {
            return Ok(());
        };
        let unavailable = |e: String| {
            ApiError::Unavailable(anyhow!(
                "the Telegram bridge cannot check group {group}: {e}"
            ))
        };
        let response = client
            .get(format!("{base}/telegram/groups/{group}/access"))
            .send()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            return Err(unavailable(format!("{status} {body}")));
        }
        let access: Access = response
            .json()
            .await
            .map_err(|e| unavailable(e.to_string()))?;
        if !access.member {
            return Err(ApiError::TelegramBotNotInGroup {
                reason: access.reason.unwrap_or_default(),
            });
        }
        if !access.sees_all_messages {
            return Err(ApiError::TelegramBotPrivacyMode);
        }
        Ok(())
    }
}
