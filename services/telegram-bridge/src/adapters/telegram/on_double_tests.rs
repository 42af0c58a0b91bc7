//! The gateway against the MTProto double: what Telegram sends while the bridge is away
//! comes back as differences, every edit and delete in them is delivered, and the bot's
//! access to a group is told as Telegram shows it.

use std::sync::Arc;
use std::time::Duration;

use super::MtprotoGateway;
use super::double::session_dir::SessionDir;
use super::double::{BotRole, DoubleClient, TelegramDouble};
use super::session::FileSession;
use crate::ports::{ChatAccess, Delivery, GatewayError, TelegramGateway, TelegramUpdate};

const GROUP: i64 = -1_001_234_567_890;
const OTHER: i64 = -1_009_876_543_210;
const BOB: (i64, &str) = (4242, "Bob");

/// A bridge's Telegram session on a file that outlives restarts.
struct Bridge {
    telegram: TelegramDouble,
    dir: SessionDir,
}

impl Bridge {
    fn new() -> Self {
        let telegram = TelegramDouble::new();
        telegram.add_group(GROUP, BotRole::Admin);
        Self {
            telegram,
            dir: SessionDir::new(),
        }
    }

    /// Starts the gateway as the bridge does (a restart when one ran before).
    async fn start(&self) -> MtprotoGateway<DoubleClient> {
        let session = Arc::new(
            FileSession::open(&self.dir.file(), Duration::from_millis(5)).expect("session opens"),
        );
        let (client, pushed) = self.telegram.connect();
        MtprotoGateway::start(Arc::new(client), session, pushed, 100)
            .await
            .expect("gateway starts")
    }
}

async fn next(gateway: &MtprotoGateway<DoubleClient>) -> Result<Delivery, GatewayError> {
    tokio::time::timeout(Duration::from_secs(5), gateway.next_update())
        .await
        .expect("an update comes")
}

/// Handles (confirms) the next update.
async fn handle(gateway: &MtprotoGateway<DoubleClient>) -> TelegramUpdate {
    let delivery = next(gateway).await.expect("an update");
    gateway.confirm(delivery.id).await.expect("confirmed");
    delivery.update
}

/// Nothing more is delivered for a while.
async fn nothing_more(gateway: &MtprotoGateway<DoubleClient>) {
    let more = tokio::time::timeout(Duration::from_millis(300), gateway.next_update()).await;
    assert!(more.is_err(), "unexpected update: {more:?}");
}

fn new_text(update: &TelegramUpdate) -> Option<(i64, &str)> {
    match update {
        TelegramUpdate::NewMessage(m) => Some((m.message_id, &m.text)),
        _ => None,
    }
}

fn edited_text(update: &TelegramUpdate) -> Option<(i64, &str)> {
    match update {
        TelegramUpdate::MessageEdited(m) => Some((m.message_id, &m.text)),
        _ => None,
    }
}

/// A bridge that saw the group's first two messages and stopped.
async fn seen_two(bridge: &Bridge) -> (i64, i64) {
    let gateway = bridge.start().await;
    let first = bridge.telegram.post_as_user(GROUP, BOB, "one", None);
    let second = bridge.telegram.post_as_user(GROUP, BOB, "two", None);
    assert_eq!(new_text(&handle(&gateway).await), Some((first, "one")));
    assert_eq!(new_text(&handle(&gateway).await), Some((second, "two")));
    (first, second)
}

#[tokio::test]
async fn edits_and_deletes_in_a_final_channel_difference_are_delivered() {
    let bridge = Bridge::new();
    let (first, second) = seen_two(&bridge).await;

    // While the bridge is down: a new message, an edit and a delete of older ones.
    let third = bridge.telegram.post_as_user(GROUP, BOB, "three", None);
    bridge.telegram.edit_as_user(GROUP, first, "one, edited");
    bridge.telegram.delete_as_user(GROUP, second);

    let gateway = bridge.start().await;
    let mut updates = Vec::new();
    for _ in 0..3 {
        updates.push(handle(&gateway).await);
    }
    assert!(
        updates
            .iter()
            .any(|u| edited_text(u) == Some((first, "one, edited"))),
        "the edit came: {updates:?}"
    );
    assert!(
        updates.iter().any(|u| matches!(u,
            TelegramUpdate::MessagesDeleted { chat_id: Some(GROUP), message_ids } if message_ids == &[second])),
        "the delete came: {updates:?}"
    );
    assert!(
        updates
            .iter()
            .any(|u| new_text(u) == Some((third, "three")))
    );
    assert_eq!(bridge.telegram.channel_difference_calls(), 1);
    nothing_more(&gateway).await;
}

#[tokio::test]
async fn a_crash_inside_a_difference_batch_fetches_the_whole_batch_again() {
    let bridge = Bridge::new();
    seen_two(&bridge).await;
    let third = bridge.telegram.post_as_user(GROUP, BOB, "three", None);
    let fourth = bridge.telegram.post_as_user(GROUP, BOB, "four", None);

    // Both new messages carry the batch's final pts: confirming the first must not save
    // it, or a crash here would skip the second.
    let gateway = bridge.start().await;
    assert_eq!(new_text(&handle(&gateway).await), Some((third, "three")));
    drop(gateway);

    let gateway = bridge.start().await;
    assert_eq!(new_text(&handle(&gateway).await), Some((third, "three")));
    assert_eq!(new_text(&handle(&gateway).await), Some((fourth, "four")));
    drop(gateway);

    // Both handled: nothing comes again.
    let gateway = bridge.start().await;
    nothing_more(&gateway).await;
}

#[tokio::test]
async fn a_difference_in_several_batches_saves_each_batch_at_its_end() {
    let bridge = Bridge::new();
    seen_two(&bridge).await;
    bridge.telegram.difference_batches_of(2);
    let ids: Vec<i64> = (0..5)
        .map(|i| {
            bridge
                .telegram
                .post_as_user(GROUP, BOB, &format!("m{i}"), None)
        })
        .collect();
    let gateway = bridge.start().await;
    for id in &ids {
        assert_eq!(
            new_text(&handle(&gateway).await).map(|(id, _)| id),
            Some(*id)
        );
    }
    nothing_more(&gateway).await;
    assert_eq!(bridge.telegram.channel_difference_calls(), 3);
}

#[tokio::test]
async fn a_difference_too_long_delivers_the_latest_messages() {
    let bridge = Bridge::new();
    seen_two(&bridge).await;
    let later: Vec<i64> = (0..3)
        .map(|i| {
            bridge
                .telegram
                .post_as_user(GROUP, BOB, &format!("late {i}"), None)
        })
        .collect();
    bridge.telegram.answer_next_difference_too_long();
    let gateway = bridge.start().await;
    let mut seen = Vec::new();
    while seen.len() < 5 {
        if let Some((id, _)) = new_text(&handle(&gateway).await) {
            seen.push(id);
        }
    }
    for id in later {
        assert!(seen.contains(&id), "{id} delivered: {seen:?}");
    }
}

#[tokio::test]
async fn a_flood_wait_on_a_difference_is_handed_back_and_the_difference_asked_again() {
    let bridge = Bridge::new();
    seen_two(&bridge).await;
    let third = bridge.telegram.post_as_user(GROUP, BOB, "three", None);
    bridge.telegram.flood_wait_differences([90]);
    let gateway = bridge.start().await;
    assert_eq!(
        next(&gateway).await.map(|d| d.update),
        Err(GatewayError::FloodWait { seconds: 90 })
    );
    assert_eq!(new_text(&handle(&gateway).await), Some((third, "three")));
}

#[tokio::test]
async fn a_group_lost_while_away_is_reported_and_the_others_keep_coming() {
    let bridge = Bridge::new();
    bridge.telegram.add_group(OTHER, BotRole::Admin);
    let gateway = bridge.start().await;
    bridge.telegram.post_as_user(GROUP, BOB, "one", None);
    bridge.telegram.post_as_user(OTHER, BOB, "elsewhere", None);
    handle(&gateway).await;
    handle(&gateway).await;
    drop(gateway);

    bridge.telegram.post_as_user(GROUP, BOB, "two", None);
    bridge.telegram.set_role(GROUP, BotRole::Removed);
    let gateway = bridge.start().await;
    assert_eq!(
        handle(&gateway).await,
        TelegramUpdate::AccessLost {
            chat_id: GROUP,
            reason: "CHANNEL_PRIVATE".into()
        }
    );
    let later = bridge.telegram.post_as_user(OTHER, BOB, "still here", None);
    assert_eq!(
        new_text(&handle(&gateway).await),
        Some((later, "still here"))
    );
}

#[tokio::test]
async fn with_privacy_mode_a_plain_member_sees_only_commands_and_replies_to_it() {
    let bridge = Bridge::new();
    bridge.telegram.set_privacy(true);
    bridge.telegram.set_role(GROUP, BotRole::Member);
    let gateway = bridge.start().await;
    bridge.telegram.post_as_user(GROUP, BOB, "plain talk", None);
    let command = bridge.telegram.post_as_user(GROUP, BOB, "/start", None);
    assert_eq!(new_text(&handle(&gateway).await), Some((command, "/start")));
    nothing_more(&gateway).await;
}

#[tokio::test]
async fn the_senders_name_comes_from_the_batch() {
    let bridge = Bridge::new();
    let gateway = bridge.start().await;
    bridge.telegram.post_as_user(GROUP, BOB, "hello", None);
    match handle(&gateway).await {
        TelegramUpdate::NewMessage(m) => assert_eq!(m.sender_name, "Bob"),
        other => panic!("a new message, not {other:?}"),
    }
}

#[tokio::test]
async fn access_tells_an_admin_and_a_bot_without_privacy_from_a_plain_member_with_privacy() {
    let bridge = Bridge::new();
    let gateway = bridge.start().await;
    assert_eq!(gateway.access(GROUP).await, Ok(ChatAccess::SeesAll));
    bridge.telegram.set_role(GROUP, BotRole::Member);
    assert_eq!(
        gateway.access(GROUP).await,
        Ok(ChatAccess::SeesAll),
        "privacy off"
    );
    bridge.telegram.set_privacy(true);
    assert_eq!(gateway.access(GROUP).await, Ok(ChatAccess::CommandsOnly));
    bridge.telegram.set_role(GROUP, BotRole::Admin);
    assert_eq!(
        gateway.access(GROUP).await,
        Ok(ChatAccess::SeesAll),
        "an admin"
    );
    bridge.telegram.set_role(GROUP, BotRole::Removed);
    assert_eq!(
        gateway.access(GROUP).await,
        Err(GatewayError::NoAccess("USER_NOT_PARTICIPANT".into()))
    );
}

#[tokio::test]
async fn a_basic_group_upgraded_to_a_supergroup_is_told_as_a_migration() {
    let bridge = Bridge::new();
    let gateway = bridge.start().await;
    let supergroup = bridge.telegram.upgrade_basic_group(-4242);
    assert_eq!(
        handle(&gateway).await,
        TelegramUpdate::GroupMigrated {
            from_chat_id: -4242,
            to_chat_id: supergroup,
        }
    );
}

#[tokio::test]
async fn a_followed_group_never_heard_from_is_caught_up_after_a_restart() {
    let bridge = Bridge::new();
    let gateway = bridge.start().await;
    gateway.follow(GROUP).await.expect("followed");
    drop(gateway);

    // Nothing of the group was ever handled; it talks while the bridge is down.
    let first = bridge.telegram.post_as_user(GROUP, BOB, "while down", None);
    let gateway = bridge.start().await;
    assert_eq!(
        new_text(&handle(&gateway).await),
        Some((first, "while down"))
    );
}

#[tokio::test]
async fn a_file_is_uploaded_and_sent_with_its_caption_and_a_users_document_downloads() {
    use crate::media::{FileKind, OutgoingFile, TelegramMedia};
    use crate::ports::TelegramTarget;

    let bridge = Bridge::new();
    let gateway = bridge.start().await;
    let target = TelegramTarget {
        chat_id: GROUP,
        topic_id: None,
    };
    let voice = OutgoingFile {
        kind: FileKind::Voice,
        name: "memo.ogg",
        mime_type: "audio/ogg",
        duration_secs: Some(4),
        bytes: b"OggS memo",
    };

    let id = gateway
        .send_file(target, voice, "Alice: listen", None, 7)
        .await
        .expect("sent");
    let TelegramUpdate::NewMessage(own) = handle(&gateway).await else {
        panic!("the bot's own message");
    };
    assert_eq!((own.message_id, own.text.as_str()), (id, "Alice: listen"));
    let Some(TelegramMedia::File(file)) = own.media else {
        panic!("a file: {:?}", own.media);
    };
    assert_eq!((file.kind, file.duration_secs), (FileKind::Voice, Some(4)));
    assert_eq!(file.name.as_deref(), Some("memo.ogg"));
    assert_eq!(
        gateway.download_file(GROUP, id).await,
        Ok(b"OggS memo".to_vec())
    );
    assert_eq!(
        gateway
            .send_file(target, voice, &"x".repeat(1_025), None, 8)
            .await,
        Err(GatewayError::TooLong(crate::limits::TextLimit::Caption))
    );

    let document = ("report.pdf", "application/pdf", &b"%PDF"[..]);
    let posted = bridge
        .telegram
        .post_document_as_user(GROUP, BOB, document, "the report");
    let TelegramUpdate::NewMessage(message) = handle(&gateway).await else {
        panic!("the user's message");
    };
    assert_eq!(message.text, "the report");
    assert_eq!(
        message
            .media
            .as_ref()
            .and_then(TelegramMedia::file)
            .map(|f| f.size),
        Some(4)
    );
    assert_eq!(
        gateway.download_file(GROUP, posted).await,
        Ok(b"%PDF".to_vec())
    );
    // A text message carries nothing to download.
    let text = bridge.telegram.post_as_user(GROUP, BOB, "hi", None);
    assert!(matches!(
        gateway.download_file(GROUP, text).await,
        Err(GatewayError::Rejected(_))
    ));
}
