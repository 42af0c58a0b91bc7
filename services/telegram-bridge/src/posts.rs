//! How a chat message reads in Telegram: its text after the author's name
//! (`"Alice: hello"`), in as many posts as Telegram's limit needs, each post with its own
//! send key.

use chat_domain::{MessageId, UserId};

use crate::limits::{TextLimit, utf16_len};
use crate::split::split;

/// The most characters of an author's name a post shows (Telegram's own names are at
/// most 64), so the name never eats into what a post has room for.
const MAX_NAME_CHARS: usize = 64;

/// What a chat message's first post is in Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A text message (within [`TextLimit::Message`]).
    Text,
    /// A media message, whose text is its caption (within [`TextLimit::Caption`]); the
    /// posts after it are text messages.
    Caption,
}

/// The posts that carry `content` written by `sender` (named `sender_name`): each is the
/// name prefix and a consecutive part of the content, and each is within Telegram's
/// limit for what it is ([`Layout`]), the prefix included. One post unless the content
/// does not fit; a caption without content is the name alone (`"Alice:"`), so Telegram
/// shows who sent the file.
#[must_use]
pub fn posts(
    sender_name: Option<&str>,
    sender: UserId,
    content: &str,
    layout: Layout,
) -> Vec<String> {
    let prefix = prefix(sender_name, sender);
    let budget = |limit: TextLimit| limit.max() - utf16_len(&prefix);
    let texts = |text| {
        split(text, budget(TextLimit::Message))
            .into_iter()
            .map(|part| format!("{prefix}{part}"))
    };
    match layout {
        Layout::Text => texts(content).collect(),
        Layout::Caption => {
            let first = split(content, budget(TextLimit::Caption))[0];
            let caption = if first.is_empty() {
                prefix.trim_end().to_owned()
            } else {
                format!("{prefix}{first}")
            };
            let rest = &content[first.len()..];
            let rest = (!rest.is_empty()).then(|| texts(rest));
            std::iter::once(caption)
                .chain(rest.into_iter().flatten())
                .collect()
        }
    }
}

/// `"Alice: "`, or `"user 0193a2b4: "` for an author without a name.
fn prefix(sender_name: Option<&str>, sender: UserId) -> String {
    match sender_name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => {
            let name: String = name.chars().take(MAX_NAME_CHARS).collect();
            format!("{name}: ")
        }
        None => {
            let short: String = sender.to_string().chars().take(8).collect();
            format!("user {short}: ")
        }
    }
}

/// The key (Telegram's `random_id`) of the send of part `part` of chat message
/// `message_id`, posted while mirroring the event at chat `version`: the same for every
/// attempt, so Telegram posts each part once however often the event is retried.
///
/// The first part's key depends on the message only (as the key of an unsplit message
/// always did). Later parts' keys depend on the version as well: an edit may post a
/// part again with the same number after an earlier edit deleted it, and that post
/// must not be taken for the old one.
#[must_use]
pub fn send_key(message_id: MessageId, part: u32, version: u64) -> i64 {
    let (high, low) = message_id.as_uuid().as_u64_pair();
    let key = high ^ low;
    let key = if part == 0 {
        key
    } else {
        // Mixed by multiplying with odd constants, so nearby (part, version) pairs land
        // far apart and never on another message's first part in practice.
        let salt = ((u64::from(part) << 48) ^ version).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (key ^ salt).wrapping_mul(0xBF58_476D_1CE4_E5B9)
    };
    i64::from_ne_bytes(key.to_ne_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nobody() -> UserId {
        UserId::from_uuid(uuid::Uuid::nil())
    }

    #[test]
    fn a_post_shows_the_sender_name() {
        assert_eq!(
            posts(Some("Alice"), nobody(), "hello", Layout::Text),
            ["Alice: hello"]
        );
        assert_eq!(
            posts(Some("  "), nobody(), "hi", Layout::Text),
            ["user 00000000: hi"]
        );
        assert_eq!(
            posts(None, nobody(), "hi", Layout::Text),
            ["user 00000000: hi"]
        );
    }

    #[test]
    fn every_post_of_a_long_text_fits_with_its_prefix_and_they_join_back() {
        let content = "word ".repeat(2_000);
        let posts = posts(Some("Alice"), nobody(), &content, Layout::Text);
        assert_eq!(posts.len(), 3);
        let mut joined = String::new();
        for post in &posts {
            assert!(utf16_len(post) <= TextLimit::Message.max());
            joined.push_str(post.strip_prefix("Alice: ").expect("prefixed"));
        }
        assert_eq!(joined, content);
    }

    #[test]
    fn a_caption_fits_the_caption_limit_and_the_rest_follows_as_texts() {
        let content = "word ".repeat(1_000);
        let posts = posts(Some("Alice"), nobody(), &content, Layout::Caption);
        assert_eq!(posts.len(), 2);
        assert!(utf16_len(&posts[0]) <= TextLimit::Caption.max());
        assert!(utf16_len(&posts[1]) <= TextLimit::Message.max());
        let joined: String = posts
            .iter()
            .map(|post| post.strip_prefix("Alice: ").expect("prefixed"))
            .collect();
        assert_eq!(joined, content);
    }

    #[test]
    fn a_file_without_a_caption_shows_who_sent_it() {
        assert_eq!(
            posts(Some("Alice"), nobody(), "", Layout::Caption),
            ["Alice:"]
        );
        assert_eq!(
            posts(Some("Alice"), nobody(), "look", Layout::Caption),
            ["Alice: look"]
        );
    }

    #[test]
    fn a_long_name_is_shortened_so_the_text_keeps_its_room() {
        let name = "😀".repeat(5_000);
        let posts = posts(Some(&name), nobody(), "hi", Layout::Text);
        assert_eq!(posts, [format!("{}: hi", "😀".repeat(MAX_NAME_CHARS))]);
    }

    #[test]
    fn each_part_has_its_own_key_and_the_first_keeps_the_unsplit_key() {
        let message = MessageId::from_uuid(uuid::Uuid::from_u128(
            0x0123_4567_89ab_cdef_0011_2233_4455_6677,
        ));
        let first = send_key(message, 0, 7);
        assert_eq!(
            first,
            send_key(message, 0, 99),
            "the first part ignores the version"
        );
        assert_eq!(
            first,
            i64::from_ne_bytes((0x0123_4567_89ab_cdef_u64 ^ 0x0011_2233_4455_6677).to_ne_bytes())
        );
        let keys: std::collections::HashSet<i64> = [(0, 7), (1, 7), (2, 7), (1, 8), (2, 8)]
            .into_iter()
            .map(|(part, version)| send_key(message, part, version))
            .collect();
        assert_eq!(keys.len(), 5);
        assert_eq!(send_key(message, 1, 7), send_key(message, 1, 7));
    }
}
