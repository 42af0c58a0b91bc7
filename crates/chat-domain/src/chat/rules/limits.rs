//! Content limits (PRODUCT.md section 4). Lengths count characters (Unicode scalar
//! values), not bytes, so a limit means the same in every script.
//!
//! Texts are stored exactly as given (no trimming), but must contain at least one
//! non-whitespace character: a blank message or name is rejected as empty. They also
//! pass the text policy ([`crate::text`]): content may span lines, a name may not.

use crate::chat::errors::ChatError;
use crate::text::{self, TextKind};

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// The longest chat name, in characters.
pub const MAX_CHAT_NAME_CHARS: usize = 255;

/// Checks a message's content.
///
/// # Errors
/// [`ChatError::MessageEmpty`] for empty or whitespace-only content,
/// [`ChatError::InvalidText`] for a character the text policy refuses,
/// [`ChatError::MessageTooLong`] beyond [`MAX_MESSAGE_CHARS`].
pub fn validate_content(content: &str) -> Result<(), ChatError> {
    if content.trim().is_empty() {
        return Err(ChatError::MessageEmpty);
    }
    text::check("content", TextKind::Multiline, content)?;
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
/// [`ChatError::InvalidText`] for a character the text policy refuses (a line break
/// included), [`ChatError::ChatNameTooLong`] beyond [`MAX_CHAT_NAME_CHARS`].
pub fn validate_name(name: &str) -> Result<(), ChatError> {
    if name.trim().is_empty() {
        return Err(ChatError::ChatNameEmpty);
    }
    text::check("name", TextKind::SingleLine, name)?;
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

    #[test]
    fn texts_pass_the_text_policy() {
        assert!(matches!(
            validate_content("a\0b"),
            Err(ChatError::InvalidText(_))
        ));
        assert_eq!(validate_content("two\nlines"), Ok(()));
        assert!(matches!(
            validate_name("two\nlines"),
            Err(ChatError::InvalidText(_))
        ));
    }
}
