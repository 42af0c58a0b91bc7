//! The MTProto calls the bridge makes, as a port of their own: the real one is grammers'
//! [`Client`] (each method one `invoke`, except a file's transfer: every part of it, by
//! grammers' own upload and download), and a test double answers them in memory the
//! way Telegram does, so the whole adapter — sends, update sequences, differences — runs
//! against it unchanged.

use std::future::Future;

use grammers_client::Client;
use grammers_client::media::Downloadable;
use grammers_mtsender::InvocationError;
use grammers_tl_types as tl;

use tl::functions::{channels, messages, updates, users};

/// What one call answers.
pub type Answer<T> = Result<T, InvocationError>;

/// The Telegram API methods the bridge uses.
pub trait TelegramApi: Send + Sync + 'static {
    /// `messages.sendMessage`.
    fn send_message(
        &self,
        request: messages::SendMessage,
    ) -> impl Future<Output = Answer<tl::enums::Updates>> + Send;

    /// `messages.sendMedia`.
    fn send_media(
        &self,
        request: messages::SendMedia,
    ) -> impl Future<Output = Answer<tl::enums::Updates>> + Send;

    /// `upload.saveFilePart` (or `upload.saveBigFilePart` over 10 MB) for every part of
    /// `bytes`: the uploaded file, for `messages.sendMedia` to name.
    fn upload_file(
        &self,
        name: String,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Answer<tl::enums::InputFile>> + Send;

    /// `upload.getFile` for every part of the file `location` names (`size` bytes, kept
    /// in data center `dc_id`): its bytes.
    fn download_file(
        &self,
        location: tl::enums::InputFileLocation,
        dc_id: i32,
        size: usize,
    ) -> impl Future<Output = Answer<Vec<u8>>> + Send;

    /// `messages.editMessage`.
    fn edit_message(
        &self,
        request: messages::EditMessage,
    ) -> impl Future<Output = Answer<tl::enums::Updates>> + Send;

    /// `channels.deleteMessages`.
    fn delete_channel_messages(
        &self,
        request: channels::DeleteMessages,
    ) -> impl Future<Output = Answer<tl::enums::messages::AffectedMessages>> + Send;

    /// `updates.getDifference` (the account's common sequence).
    fn get_difference(
        &self,
        request: updates::GetDifference,
    ) -> impl Future<Output = Answer<tl::enums::updates::Difference>> + Send;

    /// `updates.getChannelDifference` (one supergroup's sequence).
    fn get_channel_difference(
        &self,
        request: updates::GetChannelDifference,
    ) -> impl Future<Output = Answer<tl::enums::updates::ChannelDifference>> + Send;

    /// `channels.getParticipant`.
    fn get_participant(
        &self,
        request: channels::GetParticipant,
    ) -> impl Future<Output = Answer<tl::enums::channels::ChannelParticipant>> + Send;

    /// `channels.getMessages` (bots may read messages by id, not browse history).
    fn get_channel_messages(
        &self,
        request: channels::GetMessages,
    ) -> impl Future<Output = Answer<tl::enums::messages::Messages>> + Send;

    /// `channels.getFullChannel` (its `pts` is where the supergroup's sequence stands).
    fn get_full_channel(
        &self,
        request: channels::GetFullChannel,
    ) -> impl Future<Output = Answer<tl::enums::messages::ChatFull>> + Send;

    /// `users.getUsers`.
    fn get_users(
        &self,
        request: users::GetUsers,
    ) -> impl Future<Output = Answer<Vec<tl::enums::User>>> + Send;
}

impl TelegramApi for Client {
    async fn send_message(&self, request: messages::SendMessage) -> Answer<tl::enums::Updates> {
        self.invoke(&request).await
    }

    async fn send_media(&self, request: messages::SendMedia) -> Answer<tl::enums::Updates> {
        self.invoke(&request).await
    }

    async fn upload_file(&self, name: String, bytes: Vec<u8>) -> Answer<tl::enums::InputFile> {
        let size = bytes.len();
        let mut stream = std::io::Cursor::new(bytes);
        let uploaded = self
            .upload_stream(&mut stream, size, name)
            .await
            .map_err(InvocationError::Io)?;
        Ok(uploaded.raw)
    }

    async fn download_file(
        &self,
        location: tl::enums::InputFileLocation,
        dc_id: i32,
        size: usize,
    ) -> Answer<Vec<u8>> {
        let stored = Stored {
            location,
            dc_id,
            size,
        };
        // grammers' download asks the data center that keeps the file (signing in there
        // first when needed), which a plain `invoke` cannot.
        let mut parts = self.iter_download(&stored);
        let mut bytes = Vec::with_capacity(size);
        while let Some(part) = parts.next().await? {
            bytes.extend(part);
        }
        Ok(bytes)
    }

    async fn edit_message(&self, request: messages::EditMessage) -> Answer<tl::enums::Updates> {
        self.invoke(&request).await
    }

    async fn delete_channel_messages(
        &self,
        request: channels::DeleteMessages,
    ) -> Answer<tl::enums::messages::AffectedMessages> {
        self.invoke(&request).await
    }

    async fn get_difference(
        &self,
        request: updates::GetDifference,
    ) -> Answer<tl::enums::updates::Difference> {
        self.invoke(&request).await
    }

    async fn get_channel_difference(
        &self,
        request: updates::GetChannelDifference,
    ) -> Answer<tl::enums::updates::ChannelDifference> {
        self.invoke(&request).await
    }

    async fn get_participant(
        &self,
        request: channels::GetParticipant,
    ) -> Answer<tl::enums::channels::ChannelParticipant> {
        self.invoke(&request).await
    }

    async fn get_channel_messages(
        &self,
        request: channels::GetMessages,
    ) -> Answer<tl::enums::messages::Messages> {
        self.invoke(&request).await
    }

    async fn get_full_channel(
        &self,
        request: channels::GetFullChannel,
    ) -> Answer<tl::enums::messages::ChatFull> {
        self.invoke(&request).await
    }

    async fn get_users(&self, request: users::GetUsers) -> Answer<Vec<tl::enums::User>> {
        self.invoke(&request).await
    }
}

/// A file as grammers' download takes it.
struct Stored {
    location: tl::enums::InputFileLocation,
    dc_id: i32,
    size: usize,
}

impl Downloadable for Stored {
    fn to_raw_input_location(&self) -> Option<tl::enums::InputFileLocation> {
        Some(self.location.clone())
    }

    fn size(&self) -> Option<usize> {
        Some(self.size)
    }

    fn dc_id(&self) -> Option<i32> {
        Some(self.dc_id)
    }
}
