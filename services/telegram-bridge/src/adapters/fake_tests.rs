//! The fake holds the bridge to Telegram's real limits.

use super::*;
use crate::limits::TextLimit;

const GROUP: TelegramTarget = TelegramTarget {
    chat_id: -100,
    topic_id: None,
};

#[tokio::test]
async fn a_text_over_4096_utf16_code_units_is_refused_and_not_posted() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();

    let refused = bridge
        .send_message(GROUP, &"a".repeat(4_097), None, 1)
        .await;
    assert_eq!(refused, Err(GatewayError::TooLong(TextLimit::Message)));
    // 2,049 emoji: 2,049 characters, 4,098 code units.
    let emoji = bridge
        .send_message(GROUP, &"😀".repeat(2_049), None, 2)
        .await;
    assert_eq!(emoji, Err(GatewayError::TooLong(TextLimit::Message)));
    assert!(telegram.messages(GROUP.chat_id).is_empty());

    // A refused send used no key: the same key posts once the text fits.
    let posted = bridge
        .send_message(GROUP, &"a".repeat(4_096), None, 1)
        .await;
    assert!(posted.is_ok(), "{posted:?}");
}

#[tokio::test]
async fn an_edit_to_a_text_over_the_limit_is_refused_and_changes_nothing() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    let id = bridge
        .send_message(GROUP, "short", None, 1)
        .await
        .expect("posted");

    let refused = bridge
        .edit_message(GROUP.chat_id, id, &"b".repeat(4_097))
        .await;
    assert_eq!(refused, Err(GatewayError::TooLong(TextLimit::Message)));
    assert_eq!(telegram.messages(GROUP.chat_id)[0].text, "short");
    assert!(!telegram.messages(GROUP.chat_id)[0].edited);
}

#[test]
fn users_are_held_to_the_same_limits() {
    let telegram = FakeTelegram::new();
    let long = "c".repeat(4_097);
    assert_eq!(
        telegram.post_as_user(GROUP, (1, "Tom"), &long, None),
        Err(GatewayError::TooLong(TextLimit::Message))
    );
    let id = telegram
        .post_as_user(GROUP, (1, "Tom"), "hi", None)
        .expect("posted");
    assert_eq!(
        telegram.edit_as_user(GROUP.chat_id, id, &long),
        Err(GatewayError::TooLong(TextLimit::Message))
    );
    assert_eq!(telegram.messages(GROUP.chat_id).len(), 1);
}

#[tokio::test]
async fn a_revoked_authorization_fails_every_call_until_restored() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    telegram.revoke_authorization();

    let unauthorized = GatewayError::Unauthorized("AUTH_KEY_UNREGISTERED".into());
    assert_eq!(
        bridge.send_message(GROUP, "hi", None, 1).await,
        Err(unauthorized.clone())
    );
    assert_eq!(bridge.next_update().await, Err(unauthorized.clone()));
    assert_eq!(
        bridge.delete_message(GROUP.chat_id, 1).await,
        Err(unauthorized)
    );
    assert!(telegram.messages(GROUP.chat_id).is_empty());

    telegram.restore_authorization();
    assert!(bridge.send_message(GROUP, "hi", None, 1).await.is_ok());
}

#[tokio::test]
async fn a_kicked_bot_has_no_access_to_that_group_only_and_hears_nothing_from_it() {
    let telegram = FakeTelegram::new();
    let bridge = telegram.connect();
    let other = TelegramTarget {
        chat_id: -200,
        topic_id: None,
    };
    let kept = bridge
        .send_message(GROUP, "kept", None, 1)
        .await
        .expect("posted");
    telegram.kick(GROUP.chat_id);

    let no_access = GatewayError::NoAccess("CHANNEL_PRIVATE".into());
    assert_eq!(
        bridge.send_message(GROUP, "hi", None, 2).await,
        Err(no_access.clone())
    );
    assert_eq!(
        bridge.edit_message(GROUP.chat_id, kept, "x").await,
        Err(no_access.clone())
    );
    assert_eq!(
        bridge.delete_message(GROUP.chat_id, kept).await,
        Err(no_access)
    );
    assert!(
        bridge
            .send_message(other, "elsewhere", None, 3)
            .await
            .is_ok()
    );
    telegram
        .post_as_user(GROUP, (1, "Tom"), "unheard", None)
        .expect("posted");

    // The stream holds the bridge's own two posts, not the kicked group's new one.
    assert_eq!(telegram.pending_updates(), 2);
    telegram.readmit(GROUP.chat_id);
    assert!(bridge.send_message(GROUP, "back", None, 4).await.is_ok());
}
