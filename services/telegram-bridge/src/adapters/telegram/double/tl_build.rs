//! The raw Telegram objects the double answers with. grammers' types have no defaults,
//! so each is spelled out once here with only what the double models set.

use grammers_tl_types as tl;

/// A message as Telegram shows it.
#[derive(Debug)]
pub struct MessageFacts<'a> {
    /// Its id in the supergroup.
    pub id: i32,
    /// The bare supergroup id.
    pub channel_id: i64,
    /// The author (a user or the bot).
    pub from: i64,
    /// Whether the viewer (the bot) wrote it.
    pub out: bool,
    /// Unix time of the post.
    pub date: i32,
    /// Unix time of the last edit.
    pub edit_date: Option<i32>,
    /// The text.
    pub text: &'a str,
    /// The message it replies to.
    pub reply_to: Option<i32>,
    /// The forum topic it is in (General has none).
    pub topic: Option<i32>,
}

/// `message` with the facts given.
#[must_use]
pub fn message(facts: &MessageFacts<'_>) -> tl::enums::Message {
    tl::types::Message {
        out: facts.out,
        mentioned: false,
        media_unread: false,
        silent: false,
        post: false,
        from_scheduled: false,
        legacy: false,
        edit_hide: false,
        pinned: false,
        noforwards: false,
        invert_media: false,
        offline: false,
        video_processing_pending: false,
        paid_suggested_post_stars: false,
        paid_suggested_post_ton: false,
        id: facts.id,
        from_id: Some(
            tl::types::PeerUser {
                user_id: facts.from,
            }
            .into(),
        ),
        from_boosts_applied: None,
        from_rank: None,
        peer_id: tl::types::PeerChannel {
            channel_id: facts.channel_id,
        }
        .into(),
        saved_peer_id: None,
        fwd_from: None,
        via_bot_id: None,
        via_business_bot_id: None,
        guestchat_via_from: None,
        reply_to: reply_header(facts.reply_to, facts.topic),
        date: facts.date,
        message: facts.text.to_owned(),
        media: None,
        reply_markup: None,
        entities: None,
        views: None,
        forwards: None,
        replies: None,
        edit_date: facts.edit_date,
        post_author: None,
        grouped_id: None,
        reactions: None,
        restriction_reason: None,
        ttl_period: None,
        quick_reply_shortcut_id: None,
        effect: None,
        factcheck: None,
        report_delivery_until_date: None,
        paid_message_stars: None,
        suggested_post: None,
        schedule_repeat_period: None,
        summary_from_language: None,
        rich_message: None,
    }
    .into()
}

/// A document `id` of `size` bytes, typed `mime_type`, with `attributes` (a voice note's
/// audio attribute makes it one).
#[must_use]
pub fn document(
    id: i64,
    mime_type: &str,
    size: usize,
    attributes: Vec<tl::enums::DocumentAttribute>,
) -> tl::enums::MessageMedia {
    let voice = attributes
        .iter()
        .any(|a| matches!(a, tl::enums::DocumentAttribute::Audio(audio) if audio.voice));
    tl::types::MessageMediaDocument {
        nopremium: false,
        spoiler: false,
        video: false,
        round: false,
        voice,
        document: Some(
            tl::types::Document {
                id,
                access_hash: 0,
                file_reference: Vec::new(),
                date: 0,
                mime_type: mime_type.to_owned(),
                size: i64::try_from(size).unwrap_or(i64::MAX),
                thumbs: None,
                video_thumbs: None,
                dc_id: 1,
                attributes,
            }
            .into(),
        ),
        alt_documents: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    }
    .into()
}

/// A photo `id` of `size` bytes, in one size (`y`).
#[must_use]
pub fn photo(id: i64, size: usize) -> tl::enums::MessageMedia {
    tl::types::MessageMediaPhoto {
        spoiler: false,
        live_photo: false,
        photo: Some(
            tl::types::Photo {
                has_stickers: false,
                id,
                access_hash: 0,
                file_reference: Vec::new(),
                date: 0,
                sizes: vec![
                    tl::types::PhotoSize {
                        r#type: "y".into(),
                        w: 1_280,
                        h: 960,
                        size: i32::try_from(size).unwrap_or(i32::MAX),
                    }
                    .into(),
                ],
                video_sizes: None,
                dc_id: 1,
            }
            .into(),
        ),
        ttl_seconds: None,
        video: None,
    }
    .into()
}

/// The service message a basic group gets when Telegram upgrades it to supergroup
/// `channel_id` (`messageActionChatMigrateTo`).
#[must_use]
pub fn migrated_to(id: i32, basic_chat_id: i64, channel_id: i64, date: i32) -> tl::enums::Message {
    tl::types::MessageService {
        out: false,
        mentioned: false,
        media_unread: false,
        reactions_are_possible: false,
        silent: false,
        post: false,
        legacy: false,
        id,
        from_id: None,
        peer_id: tl::types::PeerChat {
            chat_id: basic_chat_id,
        }
        .into(),
        saved_peer_id: None,
        reply_to: None,
        date,
        action: tl::types::MessageActionChatMigrateTo { channel_id }.into(),
        reactions: None,
        ttl_period: None,
    }
    .into()
}

/// The reply header Telegram gives a message in `topic` replying to `reply_to`: in a
/// topic, `reply_to_msg_id` is the parent (or the topic itself) and `reply_to_top_id` the
/// topic when the parent is another message.
fn reply_header(
    reply_to: Option<i32>,
    topic: Option<i32>,
) -> Option<tl::enums::MessageReplyHeader> {
    match (reply_to, topic) {
        (None, None) => None,
        (Some(parent), None) => Some(header(Some(parent), None, false)),
        (None, Some(topic)) => Some(header(Some(topic), None, true)),
        (Some(parent), Some(topic)) => Some(header(Some(parent), Some(topic), true)),
    }
}

/// A reply header: the message replied to, the topic's id when it is not that message,
/// and whether the message is in a forum topic.
#[must_use]
pub fn header(msg: Option<i32>, top: Option<i32>, forum: bool) -> tl::enums::MessageReplyHeader {
    tl::types::MessageReplyHeader {
        reply_to_scheduled: false,
        forum_topic: forum,
        quote: false,
        reply_to_ephemeral: false,
        reply_to_msg_id: msg,
        reply_to_peer_id: None,
        reply_from: None,
        reply_media: None,
        reply_to_top_id: top,
        quote_text: None,
        quote_entities: None,
        quote_offset: None,
        todo_item_id: None,
        poll_option: None,
    }
    .into()
}

/// A user (or the bot itself, with `bot_reads_all` its privacy mode turned off).
#[must_use]
pub fn user(id: i64, first_name: &str, bot: Option<BotFacts>) -> tl::enums::User {
    let facts = bot.unwrap_or_default();
    tl::types::User {
        is_self: facts.is_self,
        contact: false,
        mutual_contact: false,
        deleted: false,
        bot: bot.is_some(),
        bot_chat_history: facts.reads_all,
        bot_nochats: false,
        verified: false,
        restricted: false,
        min: false,
        bot_inline_geo: false,
        support: false,
        scam: false,
        apply_min_photo: false,
        fake: false,
        bot_attach_menu: false,
        premium: false,
        attach_menu_enabled: false,
        bot_can_edit: false,
        close_friend: false,
        stories_hidden: false,
        stories_unavailable: false,
        contact_require_premium: false,
        bot_business: false,
        bot_has_main_app: false,
        bot_forum_view: false,
        bot_forum_can_manage_topics: false,
        bot_can_manage_bots: false,
        bot_guestchat: false,
        bot_guard: false,
        id,
        access_hash: Some(id ^ 0x5eed),
        first_name: Some(first_name.to_owned()),
        last_name: None,
        username: None,
        phone: None,
        photo: None,
        status: None,
        bot_info_version: None,
        restriction_reason: None,
        bot_inline_placeholder: None,
        lang_code: None,
        emoji_status: None,
        usernames: None,
        stories_max_id: None,
        color: None,
        profile_color: None,
        bot_active_users: None,
        bot_verification_icon: None,
        send_paid_messages_stars: None,
        linked_community_id: None,
    }
    .into()
}

/// What a bot account says of itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct BotFacts {
    /// The viewer is this bot.
    pub is_self: bool,
    /// Privacy mode off: the bot sees every message of its groups.
    pub reads_all: bool,
}

/// An admin's rights as the double grants them (post, edit, delete).
#[must_use]
pub const fn admin_rights() -> tl::enums::ChatAdminRights {
    tl::enums::ChatAdminRights::Rights(tl::types::ChatAdminRights {
        change_info: false,
        post_messages: true,
        edit_messages: true,
        delete_messages: true,
        ban_users: false,
        invite_users: false,
        pin_messages: false,
        add_admins: false,
        anonymous: false,
        manage_call: false,
        other: false,
        manage_topics: false,
        post_stories: false,
        edit_stories: false,
        delete_stories: false,
        manage_direct_messages: false,
        manage_ranks: false,
        manage_linked_peers: false,
        manage_welcome_messages: false,
    })
}

/// The dialog of a supergroup at `pts` (what `channelDifferenceTooLong` carries).
#[must_use]
pub fn dialog(channel_id: i64, top_message: i32, pts: i32) -> tl::enums::Dialog {
    tl::types::Dialog {
        pinned: false,
        unread_mark: false,
        view_forum_as_messages: false,
        peer: tl::types::PeerChannel { channel_id }.into(),
        top_message,
        read_inbox_max_id: 0,
        read_outbox_max_id: 0,
        unread_count: 0,
        unread_mentions_count: 0,
        unread_reactions_count: 0,
        unread_poll_votes_count: 0,
        notify_settings: notify_settings(),
        pts: Some(pts),
        draft: None,
        folder_id: None,
        ttl_period: None,
    }
    .into()
}

/// Notification settings left at Telegram's defaults.
fn notify_settings() -> tl::enums::PeerNotifySettings {
    tl::types::PeerNotifySettings {
        show_previews: None,
        silent: None,
        mute_until: None,
        ios_sound: None,
        android_sound: None,
        other_sound: None,
        stories_muted: None,
        stories_hide_sender: None,
        stories_ios_sound: None,
        stories_android_sound: None,
        stories_other_sound: None,
    }
    .into()
}

/// A supergroup's full info as `channels.getFullChannel` answers it: where its update
/// sequence stands (`pts`), the rest left empty.
#[must_use]
pub fn channel_full(channel_id: i64, pts: i32) -> tl::enums::messages::ChatFull {
    let full = tl::types::ChannelFull {
        can_view_participants: false,
        can_set_username: false,
        can_set_stickers: false,
        hidden_prehistory: false,
        can_set_location: false,
        has_scheduled: false,
        can_view_stats: false,
        blocked: false,
        can_delete_channel: false,
        antispam: false,
        participants_hidden: false,
        translations_disabled: false,
        stories_pinned_available: false,
        view_forum_as_messages: false,
        restricted_sponsored: false,
        can_view_revenue: false,
        paid_media_allowed: false,
        can_view_stars_revenue: false,
        paid_reactions_available: false,
        stargifts_available: false,
        paid_messages_available: false,
        has_welcome_messages: false,
        id: channel_id,
        about: String::new(),
        participants_count: None,
        admins_count: None,
        kicked_count: None,
        banned_count: None,
        online_count: None,
        read_inbox_max_id: 0,
        read_outbox_max_id: 0,
        unread_count: 0,
        chat_photo: tl::types::PhotoEmpty { id: 0 }.into(),
        notify_settings: notify_settings(),
        exported_invite: None,
        bot_info: Vec::new(),
        migrated_from_chat_id: None,
        migrated_from_max_id: None,
        pinned_msg_id: None,
        stickerset: None,
        available_min_id: None,
        folder_id: None,
        linked_chat_id: None,
        location: None,
        slowmode_seconds: None,
        slowmode_next_send_date: None,
        stats_dc: None,
        pts,
        call: None,
        ttl_period: None,
        pending_suggestions: None,
        groupcall_default_join_as: None,
        theme_emoticon: None,
        requests_pending: None,
        recent_requesters: None,
        default_send_as: None,
        available_reactions: None,
        reactions_limit: None,
        stories: None,
        wallpaper: None,
        boosts_applied: None,
        boosts_unrestrict: None,
        emojiset: None,
        bot_verification: None,
        stargifts_count: None,
        send_paid_messages_stars: None,
        main_tab: None,
        guard_bot_id: None,
    };
    tl::types::messages::ChatFull {
        full_chat: full.into(),
        chats: Vec::new(),
        users: Vec::new(),
    }
    .into()
}

/// An RPC error as Telegram answers it (`FLOOD_WAIT_31`: the number is the value).
#[must_use]
pub fn rpc_error(code: i32, message: &str) -> grammers_mtsender::InvocationError {
    grammers_mtsender::InvocationError::Rpc(grammers_mtsender::RpcError::from(
        tl::types::RpcError {
            error_code: code,
            error_message: message.to_owned(),
        },
    ))
}
