//! command-api as the bridge calls it: Telegram's messages, edits and deletes become
//! commands under the bridge's service identity, so the aggregate's rules and the event
//! log stay the single path for every message.

use chat_domain::chat::events::TelegramLinkChange;
use chat_domain::{ChatId, Media, MessageId};
use serde::Deserialize;
use serde_json::json;

use crate::token::ServiceToken;

/// How command-api answered a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandOutcome {
    /// Accepted.
    Accepted {
        /// For a posted Telegram message, the chat message it became.
        message_id: Option<MessageId>,
        /// The chat's version after the command.
        version: u64,
    },
    /// This Telegram message was posted before (a replay after a restart): nothing to do.
    AlreadyReceived,
}

/// Why a command was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// command-api refused it for good (4xx): the rule it breaks, e.g. `telegram_not_linked`.
    #[error("command-api refused the command ({status}): {code}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The error code of the body.
        code: String,
    },
    /// command-api is unreachable or failing (5xx, 429, network): worth retrying.
    #[error("command-api is unavailable: {0}")]
    Unavailable(String),
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: String,
}

#[derive(Debug, Deserialize)]
struct Accepted {
    #[serde(default)]
    message_id: Option<MessageId>,
    version: u64,
}

/// A message from Telegram for `POST /api/chats/{id}/telegram/messages`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// The supergroup.
    pub telegram_chat_id: i64,
    /// The forum topic, if any.
    pub telegram_topic_id: Option<i64>,
    /// Telegram's message id.
    pub telegram_message_id: i64,
    /// The author.
    pub telegram_user_id: i64,
    /// The author's name.
    pub sender_name: String,
    /// The text; a media message's caption (maybe empty).
    pub content: String,
    /// The file it carries, already in the media store.
    pub media: Option<Media>,
    /// The chat message it replies to, when mapped.
    pub reply_to: Option<MessageId>,
}

/// An HTTP client of command-api.
#[derive(Debug, Clone)]
pub struct CommandApiClient {
    http: reqwest::Client,
    base_url: String,
    token: ServiceToken,
}

impl CommandApiClient {
    /// A client of the command-api at `base_url` (e.g. `http://command-api:8080`).
    ///
    /// # Errors
    /// When the HTTP client cannot be built.
    pub fn new(base_url: &str, token: ServiceToken) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            token,
        })
    }

    /// Posts a Telegram message to `chat_id`.
    ///
    /// # Errors
    /// [`CommandError`].
    pub async fn post_message(
        &self,
        chat_id: ChatId,
        m: &InboundMessage,
    ) -> Result<CommandOutcome, CommandError> {
        // The file as one object: its kind beside the attachment's facts.
        let attachment = m.media.as_ref().map(|media| {
            let mut attachment = json!(media.attachment);
            attachment["kind"] = json!(media.kind);
            attachment
        });
        let body = json!({
            "telegram_chat_id": m.telegram_chat_id,
            "telegram_topic_id": m.telegram_topic_id,
            "telegram_message_id": m.telegram_message_id,
            "telegram_user_id": m.telegram_user_id,
            "sender_name": m.sender_name,
            "content": m.content,
            "reply_to": m.reply_to,
            "attachment": attachment,
        });
        let path = format!("/api/chats/{chat_id}/telegram/messages");
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    /// Tells `chat_id` what the bridge found of its link to `telegram_chat_id` (a notice
    /// in the chat; a move relinks it).
    ///
    /// # Errors
    /// [`CommandError`].
    pub async fn report_link_change(
        &self,
        chat_id: ChatId,
        telegram_chat_id: i64,
        change: &TelegramLinkChange,
    ) -> Result<CommandOutcome, CommandError> {
        let body = json!({ "telegram_chat_id": telegram_chat_id, "change": change });
        let path = format!("/api/chats/{chat_id}/telegram/link/changes");
        self.call(reqwest::Method::POST, &path, Some(body)).await
    }

    /// Edits a Telegram-originated message of `chat_id`.
    ///
    /// # Errors
    /// [`CommandError`].
    pub async fn edit_message(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
        content: &str,
    ) -> Result<CommandOutcome, CommandError> {
        let path = format!("/api/chats/{chat_id}/messages/{message_id}");
        let body = json!({ "content": content });
        self.call(reqwest::Method::PATCH, &path, Some(body)).await
    }

    /// Deletes a Telegram-originated message of `chat_id`.
    ///
    /// # Errors
    /// [`CommandError`].
    pub async fn delete_message(
        &self,
        chat_id: ChatId,
        message_id: MessageId,
    ) -> Result<CommandOutcome, CommandError> {
        let path = format!("/api/chats/{chat_id}/messages/{message_id}");
        self.call(reqwest::Method::DELETE, &path, None).await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<CommandOutcome, CommandError> {
        let token = self
            .token
            .bearer()
            .map_err(|e| CommandError::Unavailable(e.to_string()))?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CommandError::Unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            let accepted: Accepted = response
                .json()
                .await
                .map_err(|e| CommandError::Unavailable(e.to_string()))?;
            return Ok(CommandOutcome::Accepted {
                message_id: accepted.message_id,
                version: accepted.version,
            });
        }
        let code = response
            .json::<ErrorBody>()
            .await
            .map(|b| b.error.code)
            .unwrap_or_default();
        classify(status.as_u16(), code)
    }
}

/// What a non-2xx answer means for the bridge.
fn classify(status: u16, code: String) -> Result<CommandOutcome, CommandError> {
    match status {
        409 if code == "telegram_message_already_received" => Ok(CommandOutcome::AlreadyReceived),
        // A lost version race, an expired token or rate limiting pass; so does an outage.
        401 | 408 | 429 | 500..=599 => Err(CommandError::Unavailable(format!("{status} {code}"))),
        409 if code == "version_conflict" => {
            Err(CommandError::Unavailable(format!("{status} {code}")))
        }
        _ => Err(CommandError::Refused { status, code }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replayed_telegram_message_counts_as_done() {
        let outcome = classify(409, "telegram_message_already_received".into());
        assert_eq!(outcome.expect("done"), CommandOutcome::AlreadyReceived);
    }

    #[test]
    fn outages_and_races_are_retried_and_rule_violations_are_not() {
        for (status, code) in [(503, "unavailable"), (409, "version_conflict"), (429, "")] {
            let err = classify(status, code.into()).expect_err("not accepted");
            assert!(
                matches!(err, CommandError::Unavailable(_)),
                "{status} {code}"
            );
        }
        for (status, code) in [(409, "telegram_not_linked"), (403, "not_message_sender")] {
            let err = classify(status, code.into()).expect_err("not accepted");
            assert!(
                matches!(err, CommandError::Refused { .. }),
                "{status} {code}"
            );
        }
    }
}
