//! The chat's state is bounded by its participants: sending, editing and deleting
//! messages never grows it (what rules need of messages lives in the message index).

use chat_domain::{
    ChatState, InMemoryChat, UserId,
    chat::commands::{DeleteMessage, EditMessage, SendMessage},
    testing::fixtures::{CHAT, T0, by, create_group, msg, user},
};

/// A message operation: who acts (an index into the participants) and what.
#[derive(Debug, Clone)]
pub(crate) enum MessageOp {
    /// Send a message of this many characters.
    Send { who: usize, length: usize },
    /// Edit the sender's latest message to this many characters.
    Edit { length: usize },
    /// Delete the latest message.
    Delete,
}

/// The chat's size as stored in a snapshot, without the digits of its version (the one
/// number that must grow with every event).
pub(crate) fn size_without_version(state: &ChatState) -> usize {
    let json = serde_json::to_string(state).expect("state serialises");
    json.len() - state.version().to_string().len()
}

/// A group of `members` + its creator, then `ops` decided one after the other (refused
/// ones dropped); returns the state before and after the ops.
pub(crate) fn chat_with(members: usize, ops: &[MessageOp]) -> (ChatState, ChatState) {
    let participants: Vec<UserId> = (0..=members).map(|n| user(0x5000 + n as u128)).collect();
    let mut chat = InMemoryChat::default();
    chat.run(create_group(participants[0], CHAT, &participants[1..]).into())
        .expect("created");
    let before = chat.state().clone();
    let mut last: Option<(UserId, u64)> = None;
    for (n, op) in ops.iter().enumerate() {
        let n = n as u64 + 1;
        let command = match op {
            MessageOp::Send { who, length } => {
                let sender = participants[who % participants.len()];
                last = Some((sender, n));
                SendMessage {
                    actor: by(sender),
                    at: T0,
                    message_id: msg(n),
                    content: "m".repeat(*length),
                    reply_to: None,
                    media: None,
                }
                .into()
            }
            MessageOp::Edit { length } => {
                let Some((sender, id)) = last else { continue };
                EditMessage {
                    actor: by(sender),
                    at: T0,
                    message_id: msg(id),
                    content: "e".repeat(*length),
                }
                .into()
            }
            MessageOp::Delete => {
                let Some((sender, id)) = last else { continue };
                DeleteMessage {
                    actor: by(sender),
                    at: T0,
                    message_id: msg(id),
                }
                .into()
            }
        };
        // An op the rules refuse (an edit of a deleted message) changes nothing.
        let _ = chat.run(command);
    }
    (before, chat.into_state())
}
