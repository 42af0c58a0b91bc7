//! What the message events write (sent, edited, deleted, read), and the CQL writes of
//! messages ([`MessageWrite`]), which only message events make: a message event is
//! planned here, beside the writes it may need.

use chat_domain::chat::events::{MessageDeleted, MessageEdited, MessageSent, MessagesMarkedAsRead};
use chat_domain::{Actor, MessageId, UserId};
use time::OffsetDateTime;

use super::{
    LastMessageRevision, NewMessage, NotATimeUuid, Plan, Planned, Projector, RowWrite,
    TextRevision, TextWrite, bucket, last_message, message_type,
};

/// A CQL write of one event (written with the event's version as its write time, so a
/// cell written by an older event never overwrites one written by a newer event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageWrite {
    /// `messages`: a new message.
    Insert(NewMessage),
    /// `messages`: new content.
    Edit {
        /// The message.
        message_id: MessageId,
        /// Its bucket.
        bucket: i32,
        /// The new text.
        content: String,
        /// When.
        edited_at: OffsetDateTime,
    },
    /// `messages`: deleted (content cleared).
    Delete {
        /// The message.
        message_id: MessageId,
        /// Its bucket.
        bucket: i32,
    },
    /// `message_read_status`: a user's read position.
    ReadStatus {
        /// The reader.
        user_id: UserId,
        /// The last read message.
        last_read_message_id: MessageId,
        /// When.
        read_at: OffsetDateTime,
    },
}

impl MessageWrite {
    /// The message this write stores into (`None` for a read position, which belongs to
    /// no message).
    #[must_use]
    pub const fn message_id(&self) -> Option<MessageId> {
        match self {
            Self::Insert(m) => Some(m.message_id),
            Self::Edit { message_id, .. } | Self::Delete { message_id, .. } => Some(*message_id),
            Self::ReadStatus { .. } => None,
        }
    }
}

impl Planned for MessageSent {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        let message = sent(self)?;
        match projector {
            Projector::Sync => {
                plan.rows.push(last_message(&message));
                plan.messages.push(MessageWrite::Insert(message));
            }
            // Its effect on the unread ledger, and the search.
            Projector::Async => {
                plan.rows.push(RowWrite::MessageArrived {
                    position: self.version,
                    sender: Some(self.sender_id),
                });
                plan.rows.push(RowWrite::Text(TextWrite::Index(message)));
            }
        }
        Ok(())
    }
}

impl Planned for MessageEdited {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            // The chat's newest message as the chat keeps it.
            Projector::Sync => plan.rows.push(RowWrite::ReviseLastMessage {
                message_id: self.message_id,
                revision: LastMessageRevision::Edited {
                    content: self.content.clone(),
                    edited_at: self.edited_at,
                },
            }),
            Projector::Async => {
                plan.messages.push(MessageWrite::Edit {
                    message_id: self.message_id,
                    bucket: bucket(self.message_id)?,
                    content: self.content.clone(),
                    edited_at: self.edited_at,
                });
                plan.rows
                    .push(RowWrite::Text(TextWrite::Revise(TextRevision {
                        message_id: self.message_id,
                        content: self.content.clone(),
                        previous_content: self.previous_content.clone(),
                        editor_id: self.edited_by.user_id(),
                        editor_name: match &self.edited_by {
                            Actor::User { name, .. } => name.clone(),
                            Actor::Service { name } => Some(name.clone()),
                        },
                        edited_at: self.edited_at,
                    })));
            }
        }
        Ok(())
    }
}

impl Planned for MessageDeleted {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            // The chat's newest message as the chat keeps it.
            Projector::Sync => plan.rows.push(RowWrite::ReviseLastMessage {
                message_id: self.message_id,
                revision: LastMessageRevision::Deleted,
            }),
            Projector::Async => {
                plan.messages.push(MessageWrite::Delete {
                    message_id: self.message_id,
                    bucket: bucket(self.message_id)?,
                });
                plan.rows.push(RowWrite::Text(TextWrite::Forget {
                    message_id: self.message_id,
                }));
                plan.rows.push(RowWrite::MessageWithdrawn {
                    position: self.message_version,
                    sender: self.sender_id,
                });
            }
        }
        Ok(())
    }
}

impl Planned for MessagesMarkedAsRead {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {}
            Projector::Async => {
                plan.messages.push(MessageWrite::ReadStatus {
                    user_id: self.user_id,
                    last_read_message_id: self.last_read_message_id,
                    read_at: self.read_at,
                });
                plan.rows.push(RowWrite::ReadUpTo {
                    user_id: self.user_id,
                    message_id: self.last_read_message_id,
                    message_version: self.last_read_message_version,
                    unread_count: self.unread_count,
                    at: self.read_at,
                });
            }
        }
        Ok(())
    }
}

/// A sent message as first stored.
fn sent(e: &MessageSent) -> Result<NewMessage, NotATimeUuid> {
    Ok(NewMessage {
        message_id: e.message_id,
        bucket: bucket(e.message_id)?,
        sender_id: Some(e.sender_id),
        sender_name: e.sender_name.clone(),
        content: e.content.clone(),
        message_type: message_type(e.message_type),
        attachment: e.attachment.clone().map(Box::new),
        reply_to: e.reply_to,
        source: e.source,
        telegram_message_id: None,
        telegram_user_id: None,
        created_at: e.created_at,
    })
}
