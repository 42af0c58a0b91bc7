//! Telegram's update sequences, followed by the bridge itself over grammers'
//! [`MessageBoxes`] (the pts bookkeeping) instead of grammers-mtsender's receiver, for
//! what that receiver gets wrong for a bridge:
//!
//! - **Edits and deletes in a final channel difference.** grammers-session 0.11 ends the
//!   difference and sets the final pts *before* it applies the answer's `other_updates`,
//!   so every edit and delete in the last batch counts as already seen and is dropped
//!   (`apply_channel_difference`). A final answer with such updates is applied here as a
//!   non-final one, then closed by an empty final one.
//! - **Positions inside a difference.** Every new message of a difference carries the
//!   batch's final pts, so saving the first one's position would skip the rest after a
//!   crash; in a difference batch only the last update of each sequence carries a
//!   position (handled updates before it come again after a crash, and are idempotent).
//! - **`channelDifferenceTooLong`** carries the latest messages, which grammers drops;
//!   they are delivered here.
//! - **A supergroup the bot lost** (`CHANNEL_PRIVATE`, `CHANNEL_INVALID`, ...) while
//!   fetching its difference stops that sequence and is reported as
//!   [`TelegramUpdate::AccessLost`], instead of failing every read after it.
//! - Flood waits, a signed-out account and broken connections go back to the caller,
//!   which waits as told; the difference stays pending and is asked for again.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use grammers_mtsender::InvocationError;
use grammers_session::Session as _;
use grammers_session::types::{PeerId, PeerInfo};
use grammers_session::updates::{
    MessageBox, MessageBoxes, PrematureEndReason, State, UpdateAndPeers, UpdatesLike,
};
use grammers_tl_types as tl;
use tokio::sync::mpsc;

use super::api::TelegramApi;
use super::mapping::{author_id, handled_position, map_error, map_update, user_name};
use super::session::{FileSession, SessionError};
use super::updates::{Read, UpdateSource};
use crate::ports::{GatewayError, TelegramUpdate};

/// How many messages a bot may ask for in one channel difference (Telegram's maximum
/// for bots; user accounts get 100).
const BOT_DIFFERENCE_LIMIT: i32 = 100_000;
const USER_DIFFERENCE_LIMIT: i32 = 100;

/// Where a batch of updates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Batch {
    /// Pushed by Telegram: each update has a position of its own.
    Pushed,
    /// Fetched as a difference: positions are only sure at the batch's end.
    Difference,
}

/// The bridge's update sequences.
pub struct Receiver<A> {
    api: Arc<A>,
    session: Arc<FileSession>,
    boxes: MessageBoxes,
    pushed: mpsc::Receiver<UpdatesLike>,
    ready: VecDeque<Read>,
    difference_limit: i32,
}

impl<A> std::fmt::Debug for Receiver<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("ready", &self.ready.len())
            .finish_non_exhaustive()
    }
}

impl<A: TelegramApi> Receiver<A> {
    /// Follows the sequences saved in `session` (fetching what happened since as
    /// differences) and the updates Telegram pushes into `pushed`.
    ///
    /// # Errors
    /// [`SessionError`] when the session cannot be read.
    pub async fn start(
        api: Arc<A>,
        session: Arc<FileSession>,
        pushed: mpsc::Receiver<UpdatesLike>,
    ) -> Result<Self, SessionError> {
        let saved = session.updates_state().await?;
        let bot = matches!(
            session.peer(PeerId::self_user()).await?,
            Some(PeerInfo::User {
                bot: Some(true),
                ..
            })
        );
        Ok(Self {
            api,
            session,
            boxes: MessageBoxes::load(saved),
            pushed,
            ready: VecDeque::new(),
            difference_limit: if bot {
                BOT_DIFFERENCE_LIMIT
            } else {
                USER_DIFFERENCE_LIMIT
            },
        })
    }

    /// Fetches one channel difference, or ends it when Telegram cannot answer it.
    async fn channel_difference(
        &mut self,
        mut request: tl::functions::updates::GetChannelDifference,
    ) -> Result<(), GatewayError> {
        let tl::enums::InputChannel::Channel(channel) = &request.channel else {
            self.boxes
                .end_channel_difference(PrematureEndReason::Banned);
            return Ok(());
        };
        let channel_id = channel.channel_id;
        request.channel = self.input_channel(channel_id).await?;
        request.limit = self.difference_limit;
        match self.api.get_channel_difference(request).await {
            Ok(difference) => {
                if let Some(batch) = self.apply_channel_difference(difference) {
                    self.take(batch, Batch::Difference).await;
                }
                Ok(())
            }
            // Telegram's own trouble (replication lag, a 500): asked again at the next
            // gap or deadline, as Telegram advises.
            Err(e) if e.is("PERSISTENT_TIMESTAMP_OUTDATED") || server_error(&e) => {
                tracing::warn!(channel_id, error.message = %e, "channel difference postponed");
                self.boxes
                    .end_channel_difference(PrematureEndReason::TemporaryServerIssues);
                Ok(())
            }
            Err(e) => match map_error(&e) {
                GatewayError::NoAccess(reason) => {
                    self.boxes
                        .end_channel_difference(PrematureEndReason::Banned);
                    if let Some(chat_id) =
                        PeerId::channel(channel_id).and_then(PeerId::bot_api_dialog_id)
                    {
                        self.ready.push_back(Read {
                            update: TelegramUpdate::AccessLost { chat_id, reason },
                            position: None,
                        });
                    }
                    Ok(())
                }
                other => Err(other),
            },
        }
    }

    /// The channel with its access hash when the session knows it (a bot member may use
    /// none otherwise).
    async fn input_channel(
        &self,
        channel_id: i64,
    ) -> Result<tl::enums::InputChannel, GatewayError> {
        let hash = match PeerId::channel(channel_id) {
            Some(id) => self
                .session
                .peer(id)
                .await
                .map_err(|e| GatewayError::Unavailable(e.to_string()))?
                .and_then(|peer| peer.auth())
                .map(|auth| auth.hash()),
            None => None,
        };
        Ok(tl::types::InputChannel {
            channel_id,
            access_hash: hash.unwrap_or_default(),
        }
        .into())
    }

    /// grammers' `apply_channel_difference`, without its losses (see the module's
    /// docs); `None` when the answer cannot be applied (the difference is then ended and
    /// asked for again later).
    fn apply_channel_difference(
        &mut self,
        difference: tl::enums::updates::ChannelDifference,
    ) -> Option<UpdateAndPeers> {
        use tl::enums::updates::ChannelDifference as Answer;
        let difference = match difference {
            Answer::TooLong(too_long) => match with_latest_messages(too_long) {
                Some(kept) => Answer::Difference(kept),
                None => {
                    tracing::warn!("channelDifferenceTooLong without a pts; postponed");
                    self.boxes
                        .end_channel_difference(PrematureEndReason::TemporaryServerIssues);
                    return None;
                }
            },
            other => other,
        };
        Some(match difference {
            Answer::Difference(d) if d.r#final && !d.other_updates.is_empty() => {
                let (pts, timeout) = (d.pts, d.timeout);
                let batch = self.boxes.apply_channel_difference(Answer::Difference(
                    tl::types::updates::ChannelDifference {
                        r#final: false,
                        ..d
                    },
                ));
                self.boxes.apply_channel_difference(Answer::Empty(
                    tl::types::updates::ChannelDifferenceEmpty {
                        r#final: true,
                        pts,
                        timeout,
                    },
                ));
                batch
            }
            other => self.boxes.apply_channel_difference(other),
        })
    }

    /// Queues a batch's updates for the bridge, caching its supergroups' access hashes.
    async fn take(&mut self, (updates, users, chats): UpdateAndPeers, batch: Batch) {
        for chat in &chats {
            let info = PeerInfo::from(chat);
            if info.auth().is_some()
                && let Err(e) = self.session.cache_peer(info).await
            {
                tracing::warn!(error.message = %e, "cannot cache a supergroup's access hash");
            }
        }
        let names: HashMap<i64, String> = users.iter().filter_map(user_name).collect();
        let mapped: Vec<(TelegramUpdate, State)> = updates
            .into_iter()
            .filter_map(|(update, state)| {
                let name = author_id(&update).and_then(|id| names.get(&id));
                map_update(&update, name.map(String::as_str)).map(|u| (u, state))
            })
            .collect();
        self.ready.extend(reads(mapped, batch));
    }
}

/// The bridge's reads of a batch's mapped updates: in a difference, only the last update
/// of each sequence carries a position.
fn reads(mapped: Vec<(TelegramUpdate, State)>, batch: Batch) -> Vec<Read> {
    let mut placed = HashSet::new();
    let mut reads: Vec<Read> = mapped
        .into_iter()
        .rev()
        .map(|(update, state)| {
            let last_of_its_sequence = placed.insert(sequence(&state));
            let position = (batch == Batch::Pushed || last_of_its_sequence)
                .then(|| handled_position(&state))
                .flatten();
            Read { update, position }
        })
        .collect();
    reads.reverse();
    reads
}

/// Which sequence a state belongs to (`None` for updates outside any).
fn sequence(state: &State) -> Option<(u8, i64)> {
    state.message_box.map(|b| match b {
        MessageBox::Common { .. } => (0, 0),
        MessageBox::Secondary { .. } => (1, 0),
        MessageBox::Channel { channel_id, .. } => (2, channel_id),
    })
}

/// A `channelDifferenceTooLong` as a final difference holding its latest messages.
fn with_latest_messages(
    too_long: tl::types::updates::ChannelDifferenceTooLong,
) -> Option<tl::types::updates::ChannelDifference> {
    let tl::enums::Dialog::Dialog(dialog) = &too_long.dialog else {
        return None;
    };
    Some(tl::types::updates::ChannelDifference {
        r#final: too_long.r#final,
        pts: dialog.pts?,
        timeout: too_long.timeout,
        new_messages: too_long.messages,
        other_updates: Vec::new(),
        chats: too_long.chats,
        users: too_long.users,
    })
}

fn server_error(e: &InvocationError) -> bool {
    matches!(e, InvocationError::Rpc(rpc) if rpc.code >= 500)
}

impl<A: TelegramApi> UpdateSource for Receiver<A> {
    async fn next(&mut self) -> Result<Read, GatewayError> {
        loop {
            if let Some(read) = self.ready.pop_front() {
                return Ok(read);
            }
            let deadline = self.boxes.check_deadlines();
            if let Some(request) = self.boxes.get_difference() {
                let difference = self
                    .api
                    .get_difference(request)
                    .await
                    .map_err(|e| map_error(&e))?;
                let batch = self.boxes.apply_difference(difference);
                self.take(batch, Batch::Difference).await;
                continue;
            }
            if let Some(request) = self.boxes.get_channel_difference() {
                self.channel_difference(request).await?;
                continue;
            }
            match tokio::time::timeout_at(deadline.into(), self.pushed.recv()).await {
                Ok(Some(updates)) => {
                    // A gap is remembered by the message boxes and fetched on the next turn.
                    if let Ok(batch) = self.boxes.process_updates(updates) {
                        self.take(batch, Batch::Pushed).await;
                    }
                }
                Ok(None) => {
                    return Err(GatewayError::Unavailable(
                        "the connection to Telegram is closed".into(),
                    ));
                }
                Err(_deadline) => {}
            }
        }
    }
}
