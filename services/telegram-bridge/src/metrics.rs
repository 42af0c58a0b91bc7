//! The bridge's Prometheus series (consumed events and lag come from chat-kafka).

use std::sync::LazyLock;

use chat_runtime::metrics::{counter, counter_vec, gauge};
use prometheus::{IntCounter, IntCounterVec, IntGauge};

/// Calls to Telegram that ended, by operation (`send`, `edit`, `delete`) and outcome.
pub static TELEGRAM_CALLS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_calls_total",
        "Calls to Telegram by operation (send, edit, delete) and outcome (ok, error).",
        &["operation", "outcome"],
    )
});

/// Whether Telegram accepts the bridge's account (1) or signed it out (0).
pub static AUTHORIZED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "telegram_authorized",
        "1 while Telegram accepts the bridge's account, 0 once a call was refused as \
         unauthorized (AUTH_KEY_UNREGISTERED, SESSION_REVOKED, ...) until one succeeds.",
    )
});

/// Calls Telegram refused because the account is signed out.
pub static AUTH_FAILURES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "telegram_auth_failures_total",
        "Calls to Telegram refused because the bridge's account is signed out or banned \
         (each retried once authorized again).",
    )
});

/// Links whose supergroup the bot has no access to (kicked, banned, restricted).
pub static LINKS_BROKEN: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "telegram_links_broken",
        "Linked chats whose supergroup the bot cannot reach (kicked, banned, not allowed \
         to write) since its last failed call there.",
    )
});

/// Times a linked group's link broke (the bot lost the group), by Telegram's error.
pub static LINK_BREAKS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_link_breaks_total",
        "Times the bot lost a linked supergroup (its links marked broken), by Telegram's \
         error (CHANNEL_PRIVATE, USER_NOT_PARTICIPANT, ...).",
        &["error"],
    )
});

/// Linked supergroups where the bot sees only commands (privacy mode on, not an admin).
pub static GROUPS_COMMANDS_ONLY: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "telegram_groups_commands_only",
        "Linked supergroups where the bot is a plain member with privacy mode on, so it \
         sees only commands and replies to it (found at the last access check).",
    )
});

/// Chat events not mirrored because the bot has no access to the group, by Telegram's
/// error; each is on the dead-letter topic.
pub static UNMIRRORED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_unmirrored_events_total",
        "Chat events not mirrored because the bot has no access to the linked supergroup \
         (each kept on the dead-letter topic), by Telegram's error.",
        &["error"],
    )
});

/// Files that crossed between Telegram and the chat, by direction and outcome.
pub static MEDIA: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_media_total",
        "Files mirrored between Telegram and the chat, by direction (inbound: Telegram to \
         chat, outbound) and outcome (copied; placeholder: only a text saying what it was \
         crossed, e.g. over the chat's limits or without an object store).",
        &["direction", "outcome"],
    )
});

/// Counts a file mirrored in `direction` (`inbound`, `outbound`): `copied`, or only its
/// placeholder.
pub fn count_media(direction: &str, copied: bool) {
    let outcome = if copied { "copied" } else { "placeholder" };
    MEDIA.with_label_values(&[direction, outcome]).inc();
}

/// Flood waits Telegram imposed, by operation.
pub static FLOOD_WAITS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_flood_waits_total",
        "Flood waits Telegram imposed (each waited out, then retried), by operation \
         (send, edit, delete, updates).",
        &["operation"],
    )
});

/// Chat messages too long for one Telegram message, posted in parts, by operation
/// (`send`; `edit` when an edit's text needs more than one part).
pub static SPLIT_MESSAGES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_split_messages_total",
        "Chat messages too long for one Telegram message, mirrored in parts, by operation \
         (send, edit).",
        &["operation"],
    )
});

/// The parts such messages took, by operation.
pub static SPLIT_PARTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_split_parts_total",
        "Telegram messages that carry the parts of split chat messages, by operation \
         (send, edit).",
        &["operation"],
    )
});

/// Telegram updates command-api refused for good (4xx), by update and HTTP status.
pub static INBOUND_REFUSED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "telegram_inbound_refused_total",
        "Telegram updates command-api refused for good (logged and skipped), by update \
         (message, edit, delete) and HTTP status.",
        &["update", "status"],
    )
});
