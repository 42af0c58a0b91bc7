//! Telegram's limits on the length of what a message carries, counted as Telegram counts.
//!
//! Telegram measures texts after entity parsing in UTF-16 code units (its entity offsets
//! are UTF-16 offsets too). The bridge sends plain text without entities, so the parsed
//! text is the text itself and its length is [`utf16_len`]: a character outside the
//! Basic Multilingual Plane (most emoji) counts two. That is never less than the count
//! of characters, so a text within the limit here is within it however Telegram counts.

use crate::ports::GatewayError;

/// A length limit Telegram imposes, by what the text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextLimit {
    /// A message's text: at most 4,096 (`MESSAGE_TOO_LONG` beyond).
    Message,
    /// A media message's caption: at most 1,024 (`MEDIA_CAPTION_TOO_LONG` beyond).
    Caption,
}

impl TextLimit {
    /// The most UTF-16 code units a text of this kind may have.
    #[must_use]
    pub const fn max(self) -> usize {
        match self {
            Self::Message => 4_096,
            Self::Caption => 1_024,
        }
    }

    /// The RPC error Telegram answers for a text over this limit.
    #[must_use]
    pub const fn rpc_error(self) -> &'static str {
        match self {
            Self::Message => "MESSAGE_TOO_LONG",
            Self::Caption => "MEDIA_CAPTION_TOO_LONG",
        }
    }

    /// The limit Telegram's RPC error `name` reports as broken, if it is one of these.
    #[must_use]
    pub fn from_rpc_error(name: &str) -> Option<Self> {
        [Self::Message, Self::Caption]
            .into_iter()
            .find(|limit| limit.rpc_error() == name)
    }

    /// `Ok` when `text` is within this limit.
    ///
    /// # Errors
    /// [`GatewayError::TooLong`], as Telegram refuses such a text.
    pub fn check(self, text: &str) -> Result<(), GatewayError> {
        if utf16_len(text) > self.max() {
            return Err(GatewayError::TooLong(self));
        }
        Ok(())
    }
}

/// The length of `text` in UTF-16 code units, the unit of Telegram's limits.
#[must_use]
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_utf16_code_units() {
        let at_limit = "a".repeat(4_096);
        assert_eq!(TextLimit::Message.check(&at_limit), Ok(()));
        assert_eq!(
            TextLimit::Message.check(&format!("{at_limit}b")),
            Err(GatewayError::TooLong(TextLimit::Message))
        );
        // 2,048 emoji are 2,048 characters but 4,096 code units: at the limit.
        let emoji = "😀".repeat(2_048);
        assert_eq!(utf16_len(&emoji), 4_096);
        assert_eq!(TextLimit::Message.check(&emoji), Ok(()));
        assert!(TextLimit::Message.check(&format!("{emoji}a")).is_err());
        assert!(TextLimit::Caption.check(&"é".repeat(1_025)).is_err());
    }

    #[test]
    fn rpc_errors_name_their_limit() {
        assert_eq!(
            TextLimit::from_rpc_error("MESSAGE_TOO_LONG"),
            Some(TextLimit::Message)
        );
        assert_eq!(
            TextLimit::from_rpc_error("MEDIA_CAPTION_TOO_LONG"),
            Some(TextLimit::Caption)
        );
        assert_eq!(TextLimit::from_rpc_error("CHAT_WRITE_FORBIDDEN"), None);
    }
}
