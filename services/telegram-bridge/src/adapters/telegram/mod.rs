//! The real Telegram: MTProto through grammers-client, as a bot (token) or a user whose
//! signed-in session is in the session file.
//!
//! - [`api`]: the MTProto calls made, as a port (grammers' client, or a test double).
//! - [`receiver`]: the update sequences followed over grammers' message boxes, without
//!   the losses of grammers' own receiver (edits and deletes of differences).
//! - [`mapping`]: grammers types into the port's (pure, unit-tested).
//! - [`media`]: grammers media into the port's, and chat files into what is sent.
//! - `requests`: the raw requests the gateway sends, and what their answers say.
//! - [`session`]: the session file (auth keys and update position; a secret), written
//!   by [`file_writer`].
//! - [`updates`]: updates read ahead of their handling, so grammers never drops any.
//! - [`retry`]: grammers retries no flood wait itself; the bridge obeys and counts each.
//!
//! Forum topics: grammers' high-level send has no `top_msg_id`, so a message for topic
//! `T` is sent as a reply to `T` (the topic's opening message), which is how Telegram
//! files it into the topic; replies inside the topic name their parent instead. General
//! (topic 1) has no opening message: a message for it is sent without a topic header.

pub mod api;
#[cfg(any(test, feature = "telegram-double"))]
pub mod double;
pub mod file_writer;
pub mod mapping;
pub mod media;
pub mod receiver;
mod requests;
pub mod retry;
pub mod session;
pub mod updates;

use std::sync::Arc;
use std::time::Duration;

use grammers_client::Client;
use grammers_client::tl;
use grammers_mtsender::{ConnectionParams, InvocationError, SenderPool, SenderPoolFatHandle};
use grammers_session::Session as _;
use grammers_session::types::{PeerId, PeerRef};
use grammers_session::updates::UpdatesLike;
use secrecy::ExposeSecret;
use tokio::sync::mpsc;

use crate::config::TelegramConfig;
use crate::media::OutgoingFile;
use crate::ports::{
    ChatAccess, Delivery, GatewayError, OWN_MESSAGE_WINDOW, TelegramGateway, TelegramTarget,
};
use api::TelegramApi;
use mapping::map_error;
use receiver::Receiver;
use requests::{created, messages_of, msg_id, reply_header, send_media_request, send_request};
use session::{FileSession, SessionError};
use updates::ReadAhead;

/// Why the bridge could not start its Telegram client.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A setting real mode needs is missing.
    #[error("{0} is required with --telegram-mode=real")]
    Missing(&'static str),
    /// The session file is unusable.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// Telegram refused or could not be reached.
    #[error("cannot sign in to Telegram: {0}")]
    Telegram(#[from] InvocationError),
    /// The session has no signed-in user and no bot token was given.
    #[error(
        "the session file holds no signed-in account; set TELEGRAM_BOT_TOKEN or sign a user in first"
    )]
    NotAuthorized,
}

/// The bridge's Telegram client over the API `A` (grammers' [`Client`] in production).
pub struct MtprotoGateway<A> {
    api: Arc<A>,
    session: Arc<FileSession>,
    /// The connection's runner, ended on drop (none for a test double).
    pool: Option<SenderPoolFatHandle>,
    updates: ReadAhead,
}

/// The gateway to the real Telegram.
pub type GrammersGateway = MtprotoGateway<Client>;

impl<A> std::fmt::Debug for MtprotoGateway<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MtprotoGateway")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl GrammersGateway {
    /// Opens the session, connects, signs the bot in when the session is new, and starts
    /// following updates (catching up on what happened while the bridge was down).
    ///
    /// # Errors
    /// [`ConnectError`].
    pub async fn connect(cfg: &TelegramConfig) -> Result<Self, ConnectError> {
        let api_id = cfg
            .telegram_api_id
            .ok_or(ConnectError::Missing("TELEGRAM_API_ID"))?;
        let session = Arc::new(FileSession::open(
            &cfg.telegram_session_file,
            Duration::from_millis(cfg.telegram_session_write_delay_ms),
        )?);
        let params = ConnectionParams {
            retry_policy: retry::policy(),
            updates_channel_capacity: cfg.telegram_update_buffer,
            ..ConnectionParams::default()
        };
        let SenderPool {
            runner,
            updates,
            handle,
        } = SenderPool::with_configuration(Arc::clone(&session), api_id, params);
        let client = Client::new(handle.clone());
        tokio::spawn(runner.run());
        if !client.is_authorized().await? {
            let (Some(token), Some(hash)) = (&cfg.telegram_bot_token, &cfg.telegram_api_hash)
            else {
                return Err(ConnectError::NotAuthorized);
            };
            client
                .bot_sign_in(token.expose_secret(), hash.expose_secret())
                .await?;
            tracing::info!("signed in to Telegram as a bot");
        }
        let mut gateway = Self::start(
            Arc::new(client),
            session,
            updates,
            cfg.telegram_update_buffer.get(),
        )
        .await?;
        gateway.pool = Some(handle);
        Ok(gateway)
    }
}

impl<A: TelegramApi> MtprotoGateway<A> {
    /// A gateway calling `api`, following the update sequences saved in `session` and the
    /// updates pushed into `pushed`, read ahead into a queue of `buffer` updates.
    ///
    /// # Errors
    /// [`ConnectError::Session`] when the session cannot be read.
    pub async fn start(
        api: Arc<A>,
        session: Arc<FileSession>,
        pushed: mpsc::Receiver<UpdatesLike>,
        buffer: usize,
    ) -> Result<Self, ConnectError> {
        let receiver = Receiver::start(Arc::clone(&api), Arc::clone(&session), pushed).await?;
        Ok(Self {
            api,
            session,
            pool: None,
            updates: ReadAhead::spawn(receiver, buffer),
        })
    }

    /// The reference Telegram needs to address a supergroup: the cached access hash,
    /// else ambient authority (enough for a bot that is a member).
    async fn peer(&self, chat_id: i64) -> Result<PeerRef, GatewayError> {
        let id = PeerId::from_bot_api_dialog_id(chat_id)
            .ok_or_else(|| GatewayError::Rejected(format!("{chat_id} is not a dialog id")))?;
        let cached = self
            .session
            .peer_ref(id)
            .await
            .map_err(|e| GatewayError::Unavailable(e.to_string()))?;
        Ok(cached.unwrap_or_else(|| id.to_ambient_ref()))
    }
}

impl<A> Drop for MtprotoGateway<A> {
    fn drop(&mut self) {
        // Ends the connection runner spawned in `connect`.
        if let Some(pool) = &self.pool {
            pool.quit();
        }
    }
}

impl<A: TelegramApi> TelegramGateway for MtprotoGateway<A> {
    async fn send_message(
        &self,
        target: TelegramTarget,
        text: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        let peer = self.peer(target.chat_id).await?;
        // The raw call, because the high-level one picks its own `random_id`: ours is the
        // send's key, so Telegram refuses a second post of the same message.
        let request = send_request(peer, text, reply_header(target, reply_to)?, key);
        let updates = self
            .api
            .send_message(request)
            .await
            .map_err(|e| map_error(&e))?;
        created(&updates, key)
    }

    async fn send_file(
        &self,
        target: TelegramTarget,
        file: OutgoingFile<'_>,
        caption: &str,
        reply_to: Option<i64>,
        key: i64,
    ) -> Result<i64, GatewayError> {
        let peer = self.peer(target.chat_id).await?;
        let reply = reply_header(target, reply_to)?;
        // Uploaded again by a retry: parts Telegram keeps only for a while, and the send
        // key keeps a second post out.
        let uploaded = self
            .api
            .upload_file(file.name.to_owned(), file.bytes.to_vec())
            .await
            .map_err(|e| map_error(&e))?;
        let media = media::input_media(file, uploaded);
        let request = send_media_request(peer, media, caption, reply, key);
        let updates = self
            .api
            .send_media(request)
            .await
            .map_err(|e| map_error(&e))?;
        created(&updates, key)
    }

    async fn download_file(&self, chat_id: i64, message_id: i64) -> Result<Vec<u8>, GatewayError> {
        let peer = self.peer(chat_id).await?;
        // Read afresh rather than kept from the update: the file reference a download
        // needs expires.
        let request = tl::functions::channels::GetMessages {
            channel: (&peer).into(),
            id: vec![
                tl::types::InputMessageId {
                    id: msg_id(message_id)?,
                }
                .into(),
            ],
        };
        let answer = self
            .api
            .get_channel_messages(request)
            .await
            .map_err(|e| map_error(&e))?;
        let location = messages_of(answer)
            .into_iter()
            .find_map(|m| match m {
                tl::enums::Message::Message(m) => m.media.as_ref().and_then(media::file_location),
                _ => None,
            })
            .ok_or_else(|| {
                GatewayError::Rejected(format!("message {message_id} carries no file"))
            })?;
        self.api
            .download_file(location.location, location.dc_id, location.size)
            .await
            .map_err(|e| map_error(&e))
    }

    async fn next_update(&self) -> Result<Delivery, GatewayError> {
        self.updates.next().await
    }

    async fn edit_message(
        &self,
        chat_id: i64,
        message_id: i64,
        text: &str,
    ) -> Result<(), GatewayError> {
        let peer = self.peer(chat_id).await?;
        let request = tl::functions::messages::EditMessage {
            no_webpage: true,
            invert_media: false,
            peer: peer.into(),
            id: msg_id(message_id)?,
            message: Some(text.to_owned()),
            media: None,
            reply_markup: None,
            entities: None,
            schedule_date: None,
            schedule_repeat_period: None,
            quick_reply_shortcut_id: None,
            rich_message: None,
        };
        match self.api.edit_message(request).await {
            // The same text again (a redelivered edit): already done.
            Err(InvocationError::Rpc(rpc)) if rpc.name == "MESSAGE_NOT_MODIFIED" => Ok(()),
            other => other.map(|_| ()).map_err(|e| map_error(&e)),
        }
    }

    async fn delete_message(&self, chat_id: i64, message_id: i64) -> Result<(), GatewayError> {
        let peer = self.peer(chat_id).await?;
        let request = tl::functions::channels::DeleteMessages {
            channel: (&peer).into(),
            id: vec![msg_id(message_id)?],
        };
        self.api
            .delete_channel_messages(request)
            .await
            .map(|_| ())
            .map_err(|e| map_error(&e))
    }

    async fn find_own_messages(
        &self,
        target: TelegramTarget,
        text: &str,
        around: i64,
    ) -> Result<Vec<i64>, GatewayError> {
        let peer = self.peer(target.chat_id).await?;
        let first = around.saturating_sub(OWN_MESSAGE_WINDOW).max(1);
        let ids = (first..=around.saturating_add(OWN_MESSAGE_WINDOW))
            .filter_map(|id| i32::try_from(id).ok())
            .map(|id| tl::types::InputMessageId { id }.into())
            .collect();
        let request = tl::functions::channels::GetMessages {
            channel: (&peer).into(),
            id: ids,
        };
        let answer = self
            .api
            .get_channel_messages(request)
            .await
            .map_err(|e| map_error(&e))?;
        let mut own: Vec<i64> = messages_of(answer)
            .iter()
            .filter_map(|m| match m {
                tl::enums::Message::Message(m) if m.out && m.message == text => {
                    Some(i64::from(m.id))
                }
                _ => None,
            })
            .collect();
        own.sort_unstable_by(|a, b| b.cmp(a));
        Ok(own)
    }

    async fn follow(&self, chat_id: i64) -> Result<(), GatewayError> {
        let peer = self.peer(chat_id).await?;
        let channel = peer.id.bare_id_unchecked();
        let unavailable = |e: SessionError| GatewayError::Unavailable(e.to_string());
        if self.session.follows_channel(channel).map_err(unavailable)? {
            return Ok(());
        }
        let request = tl::functions::channels::GetFullChannel {
            channel: (&peer).into(),
        };
        let tl::enums::messages::ChatFull::Full(full) = self
            .api
            .get_full_channel(request)
            .await
            .map_err(|e| map_error(&e))?;
        let tl::enums::ChatFull::ChannelFull(channel_full) = full.full_chat else {
            return Err(GatewayError::Rejected(format!(
                "{chat_id} is not a supergroup"
            )));
        };
        self.session
            .follow_channel(channel, channel_full.pts)
            .await
            .map_err(unavailable)
    }

    async fn access(&self, chat_id: i64) -> Result<ChatAccess, GatewayError> {
        let peer = self.peer(chat_id).await?;
        let request = tl::functions::channels::GetParticipant {
            channel: (&peer).into(),
            participant: tl::enums::InputPeer::PeerSelf,
        };
        let tl::enums::channels::ChannelParticipant::Participant(answer) = self
            .api
            .get_participant(request)
            .await
            .map_err(|e| map_error(&e))?;
        if matches!(
            answer.participant,
            tl::enums::ChannelParticipant::Admin(_) | tl::enums::ChannelParticipant::Creator(_)
        ) {
            return Ok(ChatAccess::SeesAll);
        }
        let me = self
            .api
            .get_users(tl::functions::users::GetUsers {
                id: vec![tl::enums::InputUser::UserSelf],
            })
            .await
            .map_err(|e| map_error(&e))?;
        Ok(match me.first() {
            // `bot_chat_history`: the bot's privacy mode is off. A user account sees all.
            Some(tl::enums::User::User(u)) if !u.bot || u.bot_chat_history => ChatAccess::SeesAll,
            _ => ChatAccess::CommandsOnly,
        })
    }

    async fn confirm(&self, delivery_id: u64) -> Result<(), GatewayError> {
        // The position lives in the session file: saving it per handled update (on disk
        // before this returns) means a restart catches up from the first update not
        // handled.
        match self.updates.confirmed(delivery_id)? {
            Some(position) => self
                .session
                .save_update_state(position)
                .await
                .map_err(|e| GatewayError::Unavailable(e.to_string())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "on_double_tests.rs"]
mod tests;
