//! The text policy (PRODUCT.md section 4): one rule for every text the system stores,
//! applied where the text enters (the aggregate's limits, the REST layer for ids, keys
//! and query values, the token's `name` claim, the Telegram bridge's inbound mapping).
//!
//! Refused, because no store holds them faithfully or no reader can show them:
//! - U+0000 (PostgreSQL refuses it in `text` and `jsonb`);
//! - every other control character (general category Cc: U+0001..U+001F, U+007F DEL,
//!   U+0080..U+009F), except tab, line feed and carriage return in multi-line text;
//! - Unicode noncharacters (U+FDD0..U+FDEF and the last two code points of every
//!   plane, U+FFFE, U+FFFF, ..., U+10FFFF), which are reserved for a process's own use
//!   and never meant for interchange.
//!
//! Stored faithfully, byte for byte: everything else, with no normalisation (NFC and NFD
//! spellings stay distinct), so emoji sequences with joiners, combining marks,
//! right-to-left text and its direction marks, zero-width characters, private-use
//! characters and the byte order mark round-trip unchanged. Lone surrogates cannot
//! reach this code: JSON decoding refuses them before (a 400).
//!
//! Refusal, not silent repair, is the rule for what a client sends: it can fix its input
//! and nothing it stored differs from what it sent. [`sanitize`] exists for the one
//! source that cannot be asked again, Telegram, whose users' messages must not be lost.

use std::borrow::Cow;

/// Which characters a text may hold besides the ones every text may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextKind {
    /// Message content and captions: tab, line feed and carriage return are allowed.
    Multiline,
    /// Names, ids, keys, claims and query values: one line, no control character.
    SingleLine,
}

/// A text the policy refuses: which field, and the first character at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error(
    "{field} must not contain {} (U+{:04X}, character {position})",
    describe(*character),
    u32::from(*character)
)]
pub struct TextFault {
    /// The field the text came in (`content`, `name`, ...).
    pub field: &'static str,
    /// The refused character.
    pub character: char,
    /// Its position, counting characters from 1.
    pub position: usize,
}

/// Checks `text` against the policy for its `kind`.
///
/// # Errors
/// [`TextFault`] naming `field` and the first refused character.
pub fn check(field: &'static str, kind: TextKind, text: &str) -> Result<(), TextFault> {
    match text.chars().enumerate().find(|(_, c)| refused(kind, *c)) {
        Some((index, character)) => Err(TextFault {
            field,
            character,
            position: index + 1,
        }),
        None => Ok(()),
    }
}

/// `text` with every character the policy refuses replaced by U+FFFD (the replacement
/// character), borrowed when nothing needed replacing.
#[must_use]
pub fn sanitize(kind: TextKind, text: &str) -> Cow<'_, str> {
    if text.chars().any(|c| refused(kind, c)) {
        Cow::Owned(
            text.chars()
                .map(|c| {
                    if refused(kind, c) {
                        char::REPLACEMENT_CHARACTER
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether the policy refuses `c` in a text of `kind`.
fn refused(kind: TextKind, c: char) -> bool {
    let allowed_control = kind == TextKind::Multiline && matches!(c, '\t' | '\n' | '\r');
    (c.is_control() && !allowed_control) || is_noncharacter(c)
}

/// Unicode noncharacters: U+FDD0..=U+FDEF and U+xxFFFE / U+xxFFFF of every plane.
fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// A short name for a refused character, for the error message.
fn describe(c: char) -> &'static str {
    match c {
        '\0' => "the NUL character",
        '\t' | '\n' | '\r' => "a line break or tab",
        c if c.is_control() => "a control character",
        _ => "a Unicode noncharacter",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_nul_and_other_control_characters_everywhere() {
        for text in [
            "a\0b",
            "a\u{1}b",
            "a\u{1b}[31mred",
            "a\u{7f}",
            "a\u{85}b",
            "a\u{9f}",
        ] {
            for kind in [TextKind::Multiline, TextKind::SingleLine] {
                assert!(check("content", kind, text).is_err(), "{text:?} {kind:?}");
            }
        }
    }

    #[test]
    fn line_breaks_and_tabs_only_in_multiline_text() {
        for text in ["two\nlines", "tab\there", "windows\r\n"] {
            assert_eq!(check("content", TextKind::Multiline, text), Ok(()));
            assert!(check("name", TextKind::SingleLine, text).is_err());
        }
    }

    #[test]
    fn refuses_noncharacters() {
        for c in [
            '\u{FDD0}',
            '\u{FDEF}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{1FFFF}',
            '\u{10FFFF}',
        ] {
            let text = format!("x{c}");
            assert!(
                check("content", TextKind::Multiline, &text).is_err(),
                "{c:?}"
            );
        }
    }

    #[test]
    fn stores_the_rest_faithfully() {
        let texts = [
            "привет, мир",
            "👩‍👩‍👧 family with joiners",
            "e\u{301} combining, \u{e9} precomposed",
            "\u{5e9}\u{5dc}\u{5d5}\u{5dd} \u{200f}rtl mark",
            "zero\u{200b}width, bom \u{feff}, private \u{e000}",
            "\u{2028}separators\u{2029}",
        ];
        for text in texts {
            assert_eq!(
                check("content", TextKind::SingleLine, text),
                Ok(()),
                "{text:?}"
            );
            assert!(matches!(
                sanitize(TextKind::SingleLine, text),
                Cow::Borrowed(_)
            ));
        }
    }

    #[test]
    fn the_fault_names_field_character_and_position() {
        let fault = check("name", TextKind::SingleLine, "ab\0").unwrap_err();
        assert_eq!(
            fault,
            TextFault {
                field: "name",
                character: '\0',
                position: 3
            }
        );
        assert_eq!(
            fault.to_string(),
            "name must not contain the NUL character (U+0000, character 3)"
        );
    }

    #[test]
    fn sanitize_replaces_only_what_is_refused() {
        assert_eq!(
            sanitize(TextKind::Multiline, "a\0b\nc\u{FFFF}"),
            "a\u{FFFD}b\nc\u{FFFD}"
        );
        assert_eq!(sanitize(TextKind::SingleLine, "Ann\nLee"), "Ann\u{FFFD}Lee");
        for kind in [TextKind::Multiline, TextKind::SingleLine] {
            let clean = sanitize(kind, "x\u{1}\u{7f}\u{9f}y\t");
            assert_eq!(check("content", kind, &clean), Ok(()));
        }
    }
}
