//! Telegram's ids as the link rules need them. Chats are named by their Bot API dialog
//! id, the form admins see in tools: a supergroup (or channel) is `-100…` (minus 10^12
//! minus its channel id); a basic group is a small negative number, a user positive.
//! Basic groups have no topics, no stable id (an upgrade to a supergroup gives a new
//! one) and other update rules, so only supergroups can be linked.

/// The forum topic every forum has ("General"). Telegram files a message without a topic
/// header into it, and a message sent there carries no topic header either.
pub const GENERAL_TOPIC: i64 = 1;

/// The smallest (most negative) supergroup dialog id: channel ids stay below
/// 10^12 - 2^31 (the Bot API's documented bound).
const MIN_SUPERGROUP_DIALOG_ID: i64 = -1_997_852_516_352;

/// The largest supergroup dialog id: channel id 1.
const MAX_SUPERGROUP_DIALOG_ID: i64 = -1_000_000_000_001;

/// Whether `id` is the Bot API dialog id of a supergroup (or channel).
#[must_use]
pub const fn is_supergroup_dialog_id(id: i64) -> bool {
    MIN_SUPERGROUP_DIALOG_ID <= id && id <= MAX_SUPERGROUP_DIALOG_ID
}

/// Whether `id` can name a forum topic: the id of the message that opened it, a positive
/// 32-bit message id.
#[must_use]
pub const fn is_topic_id(id: i64) -> bool {
    0 < id && id <= i32::MAX as i64
}

/// Whether a message posted in `topic` (as its header says; `None` for no header) is in
/// the `linked` topic: a message without a header is in General.
#[must_use]
pub const fn in_topic(linked: i64, topic: Option<i64>) -> bool {
    match topic {
        Some(topic) => topic == linked,
        None => linked == GENERAL_TOPIC,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_supergroup_ids_are_supergroups() {
        assert!(is_supergroup_dialog_id(-1_001_234_567_890));
        assert!(is_supergroup_dialog_id(-1_000_000_000_001));
        assert!(is_supergroup_dialog_id(MIN_SUPERGROUP_DIALOG_ID));
        for not_one in [
            -123_456_789,
            -999_999_999_999,
            -1_000_000_000_000,
            0,
            42,
            -1_997_852_516_353,
            i64::MIN,
        ] {
            assert!(!is_supergroup_dialog_id(not_one), "{not_one}");
        }
    }

    #[test]
    fn topics_are_positive_message_ids_and_general_has_no_header() {
        assert!(is_topic_id(1) && is_topic_id(i64::from(i32::MAX)));
        assert!(!is_topic_id(0) && !is_topic_id(-7) && !is_topic_id(i64::from(i32::MAX) + 1));
        assert!(in_topic(GENERAL_TOPIC, None));
        assert!(in_topic(7, Some(7)));
        assert!(!in_topic(7, None));
        assert!(!in_topic(7, Some(8)));
    }
}
