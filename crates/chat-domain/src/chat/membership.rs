//! How each event changes who is in the chat, in one place. Each event says its own
//! change ([`ChatEvent::membership_change`], declared in its payload's impl) and
//! [`fold_membership`] is the one rule that applies it to a keeper's members: the
//! aggregate's state and the participant view fold with it; the write side's membership
//! authority (the table REST reads and the gateway's first look at a user trust, kept in
//! the same transaction as the events), the projection plans and the gateway's timelines
//! map the same changes onto their own storage.

use std::collections::BTreeMap;

use time::OffsetDateTime;

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
        /// The admin who added them (the creator for initial participants).
        added_by: UserId,
        /// When.
        joined_at: OffsetDateTime,
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

/// A user joining, as the event that adds them tells it: what a [`Member`] is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Joining {
    /// Their role.
    pub role: Role,
    /// The admin who added them.
    pub added_by: UserId,
    /// When.
    pub joined_at: OffsetDateTime,
    /// The chat's version that added them.
    pub version: u64,
}

/// What one keeper of a membership stores per member. Each keeper (the aggregate's state,
/// the participant view) keeps its own entry; how events change who is in the chat is
/// [`fold_membership`]'s alone.
pub trait Member {
    /// The entry of a user who joins.
    fn joined(joining: Joining) -> Self;
    /// Sets the member's role.
    fn set_role(&mut self, role: Role);
}

/// Folds `event` into `members`: the one membership fold. A join adds (or re-adds) the
/// user, a role change updates a present member, a departure removes them, a hard delete
/// empties the chat; every other event changes nothing.
pub fn fold_membership<M: Member>(members: &mut BTreeMap<UserId, M>, event: &ChatEvent) {
    match event.membership_change() {
        Some(MembershipChange::Joined {
            user,
            role,
            added_by,
            joined_at,
        }) => {
            let joining = Joining {
                role,
                added_by,
                joined_at,
                version: event.version(),
            };
            members.insert(user, M::joined(joining));
        }
        Some(MembershipChange::RoleChanged { user, role }) => {
            if let Some(member) = members.get_mut(&user) {
                member.set_role(role);
            }
        }
        Some(MembershipChange::Departed { user, .. }) => {
            members.remove(&user);
        }
        Some(MembershipChange::Dissolved) => members.clear(),
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{Joining, Member, MembershipChange, fold_membership};
    use crate::testing::fixtures::*;
    use crate::{Role, UserId};

    fn joined(user: UserId, role: Role) -> MembershipChange {
        MembershipChange::Joined {
            user,
            role,
            added_by: ALICE,
            joined_at: T0,
        }
    }

    impl Member for Role {
        fn joined(joining: Joining) -> Self {
            joining.role
        }

        fn set_role(&mut self, role: Role) {
            *self = role;
        }
    }

    #[test]
    fn the_fold_adds_updates_removes_and_empties() {
        let events = History::group()
            .run(set_role(ALICE, BOB, Role::Admin))
            .run(remove(ALICE, CAROL))
            .run(leave(DAVE))
            .run(hard_delete(by(ALICE)))
            .events();
        let (deletion, before) = events.split_last().unwrap();
        let mut members = BTreeMap::<UserId, Role>::new();
        for event in before {
            fold_membership(&mut members, event);
        }
        assert_eq!(
            members,
            BTreeMap::from([(ALICE, Role::Admin), (BOB, Role::Admin)])
        );
        fold_membership(&mut members, deletion);
        assert!(members.is_empty());
    }

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
                joined(ALICE, Role::Admin),
                joined(BOB, Role::Member),
                joined(CAROL, Role::Member),
                joined(DAVE, Role::Observer),
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
