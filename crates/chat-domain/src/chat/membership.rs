//! How each event changes who is in the chat, in one place: the write side's membership
//! authority (the table REST reads and the gateway's first look at a user trust) is kept
//! from it in the same transaction as the events.

use crate::chat::events::ChatEvent;
use crate::chat::types::Role;
use crate::ids::UserId;

/// A change of the chat's membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    /// The user joined (was added) with a role.
    Joined {
        /// Who.
        user: UserId,
        /// Their role.
        role: Role,
    },
    /// A participant's role changed.
    RoleChanged {
        /// Who.
        user: UserId,
        /// The new role.
        role: Role,
    },
    /// The user left or was removed (with the role they had).
    Departed {
        /// Who.
        user: UserId,
        /// The role they had.
        role: Role,
    },
    /// The chat was hard-deleted: nobody is in it any more.
    Dissolved,
}

impl ChatEvent {
    /// How this event changes the chat's membership (`None`: it does not). Archive and
    /// restore do not: participants of an archived chat still read it.
    #[must_use]
    pub const fn membership_change(&self) -> Option<MembershipChange> {
        match self {
            Self::ParticipantAdded(e) => Some(MembershipChange::Joined {
                user: e.user_id,
                role: e.role,
            }),
            Self::ParticipantRoleChanged(e) => Some(MembershipChange::RoleChanged {
                user: e.user_id,
                role: e.role,
            }),
            Self::ParticipantRemoved(e) => Some(MembershipChange::Departed {
                user: e.user_id,
                role: e.role,
            }),
            Self::ParticipantLeft(e) => Some(MembershipChange::Departed {
                user: e.user_id,
                role: e.role,
            }),
            Self::ChatHardDeleted(_) => Some(MembershipChange::Dissolved),
            Self::ChatCreated(_)
            | Self::ChatUpdated(_)
            | Self::ChatArchived(_)
            | Self::ChatRestored(_)
            | Self::MessageSent(_)
            | Self::MessageEdited(_)
            | Self::MessageDeleted(_)
            | Self::MessagesMarkedAsRead(_)
            | Self::TelegramChatLinked(_)
            | Self::TelegramChatUnlinked(_)
            | Self::TelegramMessageReceived(_)
            | Self::TelegramLinkChanged(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MembershipChange;
    use crate::Role;
    use crate::testing::fixtures::*;

    #[test]
    fn joins_role_changes_departures_and_deletion_are_membership_changes() {
        let history = History::group()
            .run(set_role(ALICE, BOB, Role::Admin))
            .run(remove(ALICE, CAROL))
            .run(leave(DAVE))
            .run(send(ALICE, msg(1), "not a membership change"))
            .run(hard_delete(by(ALICE)));
        let changes: Vec<_> = history
            .events()
            .iter()
            .filter_map(crate::ChatEvent::membership_change)
            .collect();
        assert_eq!(
            changes,
            [
                MembershipChange::Joined {
                    user: ALICE,
                    role: Role::Admin
                },
                MembershipChange::Joined {
                    user: BOB,
                    role: Role::Member
                },
                MembershipChange::Joined {
                    user: CAROL,
                    role: Role::Member
                },
                MembershipChange::Joined {
                    user: DAVE,
                    role: Role::Observer
                },
                MembershipChange::RoleChanged {
                    user: BOB,
                    role: Role::Admin
                },
                MembershipChange::Departed {
                    user: CAROL,
                    role: Role::Member
                },
                MembershipChange::Departed {
                    user: DAVE,
                    role: Role::Observer
                },
                MembershipChange::Dissolved,
            ]
        );
    }
}
