//! Given/when/then tests of every rule of the chat, accepted and rejected.
//!
//! One file per concern; the shared history is `fixtures::History::group()` (see its
//! table: group chat at version 5 with ALICE admin, BOB and CAROL members, DAVE
//! observer, EVE outside).

mod lifecycle;
mod media;
mod messages;
mod participants;
mod read;
mod telegram;

use crate::{
    ChatCommand, Role,
    testing::fixtures::{
        ALICE, BOB, add, by, delete, edit, leave, link, msg, read, remove, rename, send, set_role,
        telegram, typing, unlink,
    },
};

/// One command of every kind except create, restore and hard delete, each of which
/// would be accepted on the group history with message 1 sent by BOB.
fn everyday_commands() -> Vec<ChatCommand> {
    vec![
        rename(ALICE, "renamed").into(),
        crate::testing::fixtures::archive(ALICE).into(),
        send(BOB, msg(2), "hi").into(),
        edit(by(BOB), msg(1), "edited").into(),
        delete(by(BOB), msg(1)).into(),
        read(ALICE, msg(1)).into(),
        add(ALICE, crate::testing::fixtures::EVE, Role::Member).into(),
        remove(ALICE, crate::testing::fixtures::CAROL).into(),
        leave(BOB).into(),
        set_role(ALICE, BOB, Role::Admin).into(),
        link(ALICE, None).into(),
        unlink(ALICE).into(),
        telegram(msg(3), 1, "from telegram").into(),
        typing(BOB).into(),
    ]
}
