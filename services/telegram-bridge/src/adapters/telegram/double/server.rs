//! The double's answers to the API calls, checked the way Telegram checks them.

use grammers_mtsender::InvocationError;
use grammers_tl_types as tl;
use tl::functions::{channels, messages, updates, users};

use super::tl_build::{self, BotFacts, rpc_error};
use super::{BOT_ID, BOT_NAME, BotRole, Change, DoubleClient, Group, World, fits, lock};
use crate::adapters::telegram::api::{Answer, TelegramApi};
use crate::limits::{TextLimit, utf16_len};

impl World {
    fn authorized(&self) -> Answer<()> {
        if self.authorized {
            Ok(())
        } else {
            Err(rpc_error(401, "AUTH_KEY_UNREGISTERED"))
        }
    }

    /// The group the bot may act in, by bare channel id.
    fn member_of(&self, channel: i64) -> Answer<&Group> {
        self.authorized()?;
        match self.groups.get(&channel) {
            None => Err(rpc_error(400, "CHANNEL_INVALID")),
            Some(group) if group.role == BotRole::Removed => Err(rpc_error(400, "CHANNEL_PRIVATE")),
            Some(group) => Ok(group),
        }
    }

    fn send(&mut self, request: &messages::SendMessage) -> Answer<tl::enums::Updates> {
        let channel = peer_channel(&request.peer)?;
        self.member_of(channel)?;
        if request.message.trim().is_empty() {
            return Err(rpc_error(400, "MESSAGE_EMPTY"));
        }
        if !fits(&request.message) {
            return Err(rpc_error(400, "MESSAGE_TOO_LONG"));
        }
        let own = Own {
            channel,
            text: &request.message,
            reply_to: request.reply_to.as_ref(),
            random_id: request.random_id,
        };
        self.post_own(&own, None)
    }

    fn send_media(&mut self, request: &messages::SendMedia) -> Answer<tl::enums::Updates> {
        let channel = peer_channel(&request.peer)?;
        self.member_of(channel)?;
        if utf16_len(&request.message) > TextLimit::Caption.max() {
            return Err(rpc_error(400, "MEDIA_CAPTION_TOO_LONG"));
        }
        let own = Own {
            channel,
            text: &request.message,
            reply_to: request.reply_to.as_ref(),
            random_id: request.random_id,
        };
        self.check_own(&own)?;
        let media = self.keep_upload(&request.media)?;
        self.post_own(&own, Some(media))
    }

    /// Refuses a post of the bot's that Telegram refuses whatever it carries: its
    /// `random_id` used already, or a reply to a message that is not there.
    fn check_own(&self, own: &Own<'_>) -> Answer<()> {
        let group = self.member_of(own.channel)?;
        if group.random_ids.contains_key(&own.random_id) {
            return Err(rpc_error(400, "RANDOM_ID_DUPLICATE"));
        }
        if let Some(parent) = own.reply().0
            && !group.messages.contains_key(&parent)
        {
            return Err(rpc_error(400, "REPLY_MESSAGE_ID_INVALID"));
        }
        Ok(())
    }

    /// Posts the bot's message (with `media`) and answers as Telegram does: the new
    /// message's id for its `random_id`, and the message.
    fn post_own(
        &mut self,
        own: &Own<'_>,
        media: Option<tl::enums::MessageMedia>,
    ) -> Answer<tl::enums::Updates> {
        self.check_own(own)?;
        let (reply_to, topic) = own.reply();
        let (id, pts) = self.post(own.channel, BOT_ID, own.text, (reply_to, topic), media);
        let group = self.groups.get_mut(&own.channel).expect("posted there");
        group.random_ids.insert(own.random_id, id);
        let pts = pts.expect("the bot sees its own messages");
        if self.lost_send_answers > 0 {
            self.lost_send_answers -= 1;
            return Err(InvocationError::Dropped(
                "the connection dropped before the answer",
            ));
        }
        Ok(self.answer(vec![
            tl::types::UpdateMessageId {
                id,
                random_id: own.random_id,
            }
            .into(),
            tl::types::UpdateNewChannelMessage {
                message: self.raw(own.channel, id),
                pts,
                pts_count: 1,
            }
            .into(),
        ]))
    }

    /// The media an uploaded file becomes (its bytes kept for downloads): a photo, or a
    /// document with the MIME type and attributes sent.
    fn keep_upload(&mut self, media: &tl::enums::InputMedia) -> Answer<tl::enums::MessageMedia> {
        let file = match media {
            tl::enums::InputMedia::UploadedPhoto(photo) => &photo.file,
            tl::enums::InputMedia::UploadedDocument(doc) => &doc.file,
            _ => return Err(rpc_error(400, "MEDIA_INVALID")),
        };
        let upload = match file {
            tl::enums::InputFile::File(f) => f.id,
            tl::enums::InputFile::Big(f) => f.id,
            tl::enums::InputFile::StoryDocument(_) => return Err(rpc_error(400, "MEDIA_INVALID")),
        };
        // Uploaded parts stay usable for a while: a retry may name them again.
        let bytes = self
            .uploads
            .get(&upload)
            .cloned()
            .ok_or_else(|| rpc_error(400, "FILE_PARTS_INVALID"))?;
        let size = bytes.len();
        let id = self.keep_file(bytes);
        Ok(match media {
            tl::enums::InputMedia::UploadedDocument(doc) => {
                tl_build::document(id, &doc.mime_type, size, doc.attributes.clone())
            }
            _ => tl_build::photo(id, size),
        })
    }

    /// The bytes of the file `location` names.
    fn file_at(&self, location: &tl::enums::InputFileLocation) -> Answer<Vec<u8>> {
        self.authorized()?;
        let id = match location {
            tl::enums::InputFileLocation::InputDocumentFileLocation(l) => l.id,
            tl::enums::InputFileLocation::InputPhotoFileLocation(l) => l.id,
            _ => return Err(rpc_error(400, "LOCATION_INVALID")),
        };
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| rpc_error(400, "FILE_ID_INVALID"))
    }

    fn edit_own(&mut self, request: &messages::EditMessage) -> Answer<tl::enums::Updates> {
        let channel = peer_channel(&request.peer)?;
        let group = self.member_of(channel)?;
        let text = request.message.clone().unwrap_or_default();
        let Some(posted) = group.messages.get(&request.id) else {
            return Err(rpc_error(400, "MESSAGE_ID_INVALID"));
        };
        if posted.from != BOT_ID {
            return Err(rpc_error(403, "MESSAGE_AUTHOR_REQUIRED"));
        }
        if posted.text == text {
            return Err(rpc_error(400, "MESSAGE_NOT_MODIFIED"));
        }
        if !fits(&text) {
            return Err(rpc_error(400, "MESSAGE_TOO_LONG"));
        }
        let pts = self.edit(channel, request.id, &text).expect("edited");
        Ok(self.answer(vec![
            tl::types::UpdateEditChannelMessage {
                message: self.raw(channel, request.id),
                pts,
                pts_count: 1,
            }
            .into(),
        ]))
    }

    /// The `updates` a call answers with.
    fn answer(&self, updates: Vec<tl::enums::Update>) -> tl::enums::Updates {
        tl::types::Updates {
            updates,
            users: Vec::new(),
            chats: Vec::new(),
            date: self.clock,
            seq: 0,
        }
        .into()
    }

    fn delete_own(
        &mut self,
        request: &channels::DeleteMessages,
    ) -> Answer<tl::enums::messages::AffectedMessages> {
        let tl::enums::InputChannel::Channel(channel) = &request.channel else {
            return Err(rpc_error(400, "CHANNEL_INVALID"));
        };
        let group = self.member_of(channel.channel_id)?;
        let others = request.id.iter().any(|id| {
            group
                .messages
                .get(id)
                .is_some_and(|posted| posted.from != BOT_ID)
        });
        if others && group.role != BotRole::Admin {
            return Err(rpc_error(403, "MESSAGE_DELETE_FORBIDDEN"));
        }
        let pts = self.delete(channel.channel_id, &request.id);
        let now = self.groups[&channel.channel_id].pts;
        Ok(tl::types::messages::AffectedMessages {
            pts: pts.unwrap_or(now),
            pts_count: i32::from(pts.is_some()),
        }
        .into())
    }

    fn channel_difference(
        &mut self,
        request: &updates::GetChannelDifference,
    ) -> Answer<tl::enums::updates::ChannelDifference> {
        self.difference_calls += 1;
        self.authorized()?;
        if let Some(seconds) = self.difference_flood_waits.pop_front() {
            return Err(rpc_error(420, &format!("FLOOD_WAIT_{seconds}")));
        }
        let tl::enums::InputChannel::Channel(channel) = &request.channel else {
            return Err(rpc_error(400, "CHANNEL_INVALID"));
        };
        let channel = channel.channel_id;
        let group = self.member_of(channel)?;
        if request.pts >= group.pts {
            return Ok(tl::types::updates::ChannelDifferenceEmpty {
                r#final: true,
                pts: group.pts,
                timeout: None,
            }
            .into());
        }
        if std::mem::take(&mut self.too_long_next) {
            return Ok(self.too_long(channel, request.limit));
        }
        Ok(self.changes_since(channel, request.pts))
    }

    /// The latest messages, for a gap too long to tell change by change.
    fn too_long(&self, channel: i64, limit: i32) -> tl::enums::updates::ChannelDifference {
        let group = &self.groups[&channel];
        let latest: Vec<i32> = group
            .messages
            .values()
            .rev()
            .filter(|posted| posted.visible)
            .take(usize::try_from(limit.max(1)).unwrap_or(usize::MAX))
            .map(|posted| posted.id)
            .collect();
        tl::types::updates::ChannelDifferenceTooLong {
            r#final: true,
            timeout: None,
            dialog: tl_build::dialog(channel, group.last_id, group.pts),
            messages: latest
                .iter()
                .rev()
                .map(|id| self.raw(channel, *id))
                .collect(),
            chats: Vec::new(),
            users: self.users(latest.iter().map(|id| group.messages[id].from)),
        }
        .into()
    }

    /// What changed after `pts`, up to one batch: messages created in it as they are
    /// now, edits and deletes of older ones as updates.
    fn changes_since(&self, channel: i64, pts: i32) -> tl::enums::updates::ChannelDifference {
        let group = &self.groups[&channel];
        let window: Vec<&(i32, Change)> = group
            .log
            .iter()
            .filter(|(at, _)| *at > pts)
            .take(self.difference_batch)
            .collect();
        let end = window.last().map_or(group.pts, |(at, _)| *at);
        let created: Vec<i32> = window
            .iter()
            .filter_map(|(_, change)| match change {
                Change::New(id) => Some(*id),
                _ => None,
            })
            .collect();
        let mut other_updates: Vec<tl::enums::Update> = Vec::new();
        for (at, change) in &window {
            match change {
                Change::Edited(id)
                    if !created.contains(id)
                        && group.messages.contains_key(id)
                        && last_edit_in(&window, *id) == Some(*at) =>
                {
                    other_updates.push(
                        tl::types::UpdateEditChannelMessage {
                            message: self.raw(channel, *id),
                            pts: *at,
                            pts_count: 1,
                        }
                        .into(),
                    );
                }
                Change::Deleted(ids) => {
                    let older: Vec<i32> = ids
                        .iter()
                        .copied()
                        .filter(|id| !created.contains(id))
                        .collect();
                    if !older.is_empty() {
                        other_updates.push(
                            tl::types::UpdateDeleteChannelMessages {
                                channel_id: channel,
                                messages: older,
                                pts: *at,
                                pts_count: 1,
                            }
                            .into(),
                        );
                    }
                }
                _ => {}
            }
        }
        let new_ids: Vec<i32> = created
            .into_iter()
            .filter(|id| group.messages.contains_key(id))
            .collect();
        let authors = new_ids.iter().map(|id| group.messages[id].from);
        tl::types::updates::ChannelDifference {
            r#final: end == group.pts,
            pts: end,
            timeout: None,
            new_messages: new_ids.iter().map(|id| self.raw(channel, *id)).collect(),
            users: self.users(
                authors.chain(
                    other_updates
                        .iter()
                        .filter_map(super::super::mapping::author_id),
                ),
            ),
            other_updates,
            chats: Vec::new(),
        }
        .into()
    }

    fn messages_by_id(
        &self,
        request: &channels::GetMessages,
    ) -> Answer<tl::enums::messages::Messages> {
        let tl::enums::InputChannel::Channel(channel) = &request.channel else {
            return Err(rpc_error(400, "CHANNEL_INVALID"));
        };
        let group = self.member_of(channel.channel_id)?;
        let ids: Vec<i32> = request
            .id
            .iter()
            .filter_map(|id| match id {
                tl::enums::InputMessage::Id(m) => Some(m.id),
                _ => None,
            })
            .filter(|id| group.messages.contains_key(id))
            .collect();
        Ok(tl::types::messages::ChannelMessages {
            inexact: false,
            pts: group.pts,
            count: i32::try_from(ids.len()).unwrap_or(i32::MAX),
            offset_id_offset: None,
            messages: ids
                .iter()
                .map(|id| self.raw(channel.channel_id, *id))
                .collect(),
            topics: Vec::new(),
            chats: Vec::new(),
            users: Vec::new(),
        }
        .into())
    }

    fn participant(
        &self,
        request: &channels::GetParticipant,
    ) -> Answer<tl::enums::channels::ChannelParticipant> {
        self.authorized()?;
        let tl::enums::InputChannel::Channel(channel) = &request.channel else {
            return Err(rpc_error(400, "CHANNEL_INVALID"));
        };
        let participant: tl::enums::ChannelParticipant = match self.groups.get(&channel.channel_id)
        {
            None => return Err(rpc_error(400, "CHANNEL_INVALID")),
            Some(group) => match group.role {
                BotRole::Removed => return Err(rpc_error(400, "USER_NOT_PARTICIPANT")),
                BotRole::Admin => tl::types::ChannelParticipantAdmin {
                    can_edit: false,
                    is_self: true,
                    user_id: BOT_ID,
                    inviter_id: None,
                    promoted_by: 1,
                    date: self.clock,
                    admin_rights: tl_build::admin_rights(),
                    rank: None,
                }
                .into(),
                BotRole::Member => tl::types::ChannelParticipantSelf {
                    via_request: false,
                    user_id: BOT_ID,
                    inviter_id: 1,
                    date: self.clock,
                    subscription_until_date: None,
                    rank: None,
                }
                .into(),
            },
        };
        Ok(tl::types::channels::ChannelParticipant {
            participant,
            chats: Vec::new(),
            users: Vec::new(),
        }
        .into())
    }

    fn me(&self) -> Answer<Vec<tl::enums::User>> {
        self.authorized()?;
        Ok(vec![tl_build::user(
            BOT_ID,
            BOT_NAME,
            Some(BotFacts {
                is_self: true,
                reads_all: self.bot_reads_all,
            }),
        )])
    }
}

/// The pts of the last edit of `id` within `window`.
fn last_edit_in(window: &[&(i32, Change)], id: i32) -> Option<i32> {
    window
        .iter()
        .rev()
        .find(|(_, change)| matches!(change, Change::Edited(edited) if *edited == id))
        .map(|(at, _)| *at)
}

/// The bare channel id an input peer names.
fn peer_channel(peer: &tl::enums::InputPeer) -> Answer<i64> {
    match peer {
        tl::enums::InputPeer::Channel(c) => Ok(c.channel_id),
        _ => Err(rpc_error(400, "PEER_ID_INVALID")),
    }
}

/// A post of the bot's, whatever it carries.
struct Own<'a> {
    channel: i64,
    text: &'a str,
    reply_to: Option<&'a tl::enums::InputReplyTo>,
    random_id: i64,
}

impl Own<'_> {
    /// `(message replied to, forum topic)`.
    fn reply(&self) -> (Option<i32>, Option<i32>) {
        match self.reply_to {
            Some(tl::enums::InputReplyTo::Message(r)) => (Some(r.reply_to_msg_id), r.top_msg_id),
            _ => (None, None),
        }
    }
}

impl TelegramApi for DoubleClient {
    async fn send_message(&self, request: messages::SendMessage) -> Answer<tl::enums::Updates> {
        lock(&self.world).send(&request)
    }

    async fn send_media(&self, request: messages::SendMedia) -> Answer<tl::enums::Updates> {
        lock(&self.world).send_media(&request)
    }

    async fn upload_file(&self, name: String, bytes: Vec<u8>) -> Answer<tl::enums::InputFile> {
        let mut world = lock(&self.world);
        world.authorized()?;
        let id = world.keep_upload_parts(bytes);
        Ok(tl::types::InputFile {
            id,
            parts: 1,
            name,
            md5_checksum: String::new(),
        }
        .into())
    }

    async fn download_file(
        &self,
        location: tl::enums::InputFileLocation,
        _dc_id: i32,
        _size: usize,
    ) -> Answer<Vec<u8>> {
        lock(&self.world).file_at(&location)
    }

    async fn edit_message(&self, request: messages::EditMessage) -> Answer<tl::enums::Updates> {
        lock(&self.world).edit_own(&request)
    }

    async fn delete_channel_messages(
        &self,
        request: channels::DeleteMessages,
    ) -> Answer<tl::enums::messages::AffectedMessages> {
        lock(&self.world).delete_own(&request)
    }

    async fn get_difference(
        &self,
        _request: updates::GetDifference,
    ) -> Answer<tl::enums::updates::Difference> {
        // The double keeps no common sequence: supergroups have their own.
        let world = lock(&self.world);
        world.authorized()?;
        Ok(tl::types::updates::DifferenceEmpty {
            date: world.clock,
            seq: 0,
        }
        .into())
    }

    async fn get_channel_difference(
        &self,
        request: updates::GetChannelDifference,
    ) -> Answer<tl::enums::updates::ChannelDifference> {
        lock(&self.world).channel_difference(&request)
    }

    async fn get_participant(
        &self,
        request: channels::GetParticipant,
    ) -> Answer<tl::enums::channels::ChannelParticipant> {
        lock(&self.world).participant(&request)
    }

    async fn get_channel_messages(
        &self,
        request: channels::GetMessages,
    ) -> Answer<tl::enums::messages::Messages> {
        lock(&self.world).messages_by_id(&request)
    }

    async fn get_full_channel(
        &self,
        request: channels::GetFullChannel,
    ) -> Answer<tl::enums::messages::ChatFull> {
        let world = lock(&self.world);
        let tl::enums::InputChannel::Channel(channel) = &request.channel else {
            return Err(rpc_error(400, "CHANNEL_INVALID"));
        };
        let group = world.member_of(channel.channel_id)?;
        Ok(tl_build::channel_full(channel.channel_id, group.pts))
    }

    async fn get_users(&self, _request: users::GetUsers) -> Answer<Vec<tl::enums::User>> {
        lock(&self.world).me()
    }
}
