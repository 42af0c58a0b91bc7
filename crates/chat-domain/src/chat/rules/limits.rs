//! Content limits (PRODUCT.md section 4). Lengths count characters (Unicode scalar
//! values), not bytes, so a limit means the same in every script.
//!
//! Texts are stored exactly as given (no trimming), but must contain at least one
//! non-whitespace character: a blank message or name is rejected as empty.

use crate::chat::errors::ChatError;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// The longest chat name, in characters.
pub const MAX_CHAT_NAME_CHARS: usize = 255;

/// Checks a message's content.
///
/// # Errors
/// [`ChatError::MessageEmpty`] for empty or whitespace-only content,
/// [`ChatError::MessageTooLong`] beyond [`MAX_MESSAGE_CHARS`].
pub fn validate_content(content: &str) -> Result<(), ChatError> {
    if content.trim().is_empty() {
        return Err(ChatError::MessageEmpty);
    }
    let actual = content.chars().count();
    if actual > MAX_MESSAGE_CHARS {
        return Err(ChatError::MessageTooLong {
            max: MAX_MESSAGE_CHARS,
            actual,
        });
    }
    Ok(())
}

/// Checks a chat's name.
///
/// # Errors
/// [`ChatError::ChatNameEmpty`] for an empty or whitespace-only name,
/// [`ChatError::ChatNameTooLong`] beyond [`MAX_CHAT_NAME_CHARS`].
pub fn validate_name(name: &str) -> Result<(), ChatError> {
    if name.trim().is_empty() {
        return Err(ChatError::ChatNameEmpty);
    }
    let actual = name.chars().count();
    if actual > MAX_CHAT_NAME_CHARS {
        return Err(ChatError::ChatNameTooLong {
            max: MAX_CHAT_NAME_CHARS,
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_limits_count_characters_not_bytes() {
        assert_eq!(validate_content("hi"), Ok(()));
        assert_eq!(validate_content(&"é".repeat(MAX_MESSAGE_CHARS)), Ok(()));
        assert_eq!(
            validate_content(&"é".repeat(MAX_MESSAGE_CHARS + 1)),
            Err(ChatError::MessageTooLong {
                max: MAX_MESSAGE_CHARS,
                actual: MAX_MESSAGE_CHARS + 1
            })
        );
        assert_eq!(validate_content(""), Err(ChatError::MessageEmpty));
        assert_eq!(validate_content(" \n\t"), Err(ChatError::MessageEmpty));
    }

    #[test]
    fn name_limits_count_characters_not_bytes() {
        assert_eq!(validate_name("général"), Ok(()));
        assert_eq!(validate_name(&"ж".repeat(MAX_CHAT_NAME_CHARS)), Ok(()));
        assert_eq!(
            validate_name(&"ж".repeat(MAX_CHAT_NAME_CHARS + 1)),
            Err(ChatError::ChatNameTooLong {
                max: MAX_CHAT_NAME_CHARS,
                actual: MAX_CHAT_NAME_CHARS + 1
            })
        );
        assert_eq!(validate_name("   "), Err(ChatError::ChatNameEmpty));
    }
}
