//! Who the user directory names: a chat user, or a Telegram author (who has no user id
//! here, only Telegram's).

use chat_domain::UserId;

/// Someone with a display name in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Person {
    /// A chat user, named by the `name` claim of the newest token they acted with.
    User(UserId),
    /// A Telegram author (Telegram's user id), named by their newest mirrored message.
    Telegram(i64),
}
