//! Messages shown with their authors' names as the user directory knows them now: a chat
//! user under the name of the newest token they acted with, a Telegram author under the
//! name of their newest mirrored message. A message whose author the directory does not
//! know keeps the name it was sent under.

use std::collections::HashSet;

use chat_read_model::model::MessageRecord;
use chat_read_model::person::Person;

use crate::http::error::ApiError;
use crate::http::read::ReadSide;

/// Names the authors of `messages` by their newest names, in one directory lookup.
pub(super) async fn name_authors<'a>(
    read: &ReadSide,
    messages: impl IntoIterator<Item = &'a mut MessageRecord>,
) -> Result<(), ApiError> {
    let messages: Vec<&mut MessageRecord> = messages.into_iter().collect();
    let people: Vec<Person> = messages
        .iter()
        .filter_map(|m| m.author())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if people.is_empty() {
        return Ok(());
    }
    let names = read.chats.names(&people).await?;
    for message in messages {
        if let Some(name) = message.author().and_then(|a| names.get(&a)) {
            message.sender_name = Some(name.clone());
        }
    }
    Ok(())
}
