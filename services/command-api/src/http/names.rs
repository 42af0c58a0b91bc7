//! Messages shown with their authors' names as the user directory knows them now: a chat
//! user under the name of the newest token they acted with, a Telegram author under the
//! name of their newest mirrored message. A message whose author the directory does not
//! know keeps the name it was sent under.

use std::collections::HashSet;

use chat_read_model::model::MessageRecord;
use chat_read_model::person::Person;
use chat_read_model::search::MessageHit;

use crate::http::error::ApiError;
use crate::http::read::ReadSide;

/// Something shown under its author's name: a message, or a search hit of one.
pub(super) trait Authored {
    /// Who wrote it, as the directory knows people (`None`: nobody the directory names).
    fn author(&self) -> Option<Person>;
    /// The name it is shown under.
    fn sender_name_mut(&mut self) -> &mut Option<String>;
}

impl Authored for MessageRecord {
    fn author(&self) -> Option<Person> {
        MessageRecord::author(self)
    }

    fn sender_name_mut(&mut self) -> &mut Option<String> {
        &mut self.sender_name
    }
}

/// A hit knows its sender, not its Telegram author: a Telegram message's hit keeps the
/// name the message was mirrored under.
impl Authored for MessageHit {
    fn author(&self) -> Option<Person> {
        self.sender_id.map(Person::User)
    }

    fn sender_name_mut(&mut self) -> &mut Option<String> {
        &mut self.sender_name
    }
}

/// Names the authors of `messages` by their newest names, in one directory lookup.
pub(super) async fn name_authors<'a, M: Authored + 'a>(
    read: &ReadSide,
    messages: impl IntoIterator<Item = &'a mut M>,
) -> Result<(), ApiError> {
    let messages: Vec<&mut M> = messages.into_iter().collect();
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
            *message.sender_name_mut() = Some(name.clone());
        }
    }
    Ok(())
}
