//! Who may see which version of a chat: the pure rules the hub routes by.
//!
//! Membership is known as *transitions*: "from version `v` on, the user participates
//! with this role (or does not participate)". They come from the participant read model when a user connects (the
//! row's `joined_version` or `version`) and from the participant events themselves as
//! the gateway reads them, and they merge in any order: the newest known transition at
//! or before a version decides. A version before every known transition is *unknown*:
//! live delivery then sends nothing (never leak), and a resume answers `resync` (never
//! silently skip).
//!
//! A user sees event `v` when they participate after it (they were just added, or were
//! already in) or participated before it (so the removed user sees their own removal,
//! and nothing after).

use std::collections::BTreeMap;

use chat_domain::chat::membership::MembershipChange;
use chat_domain::{ChatEvent, Role, UserId};

/// At most this many transitions are kept per user and chat; dropping the oldest only
/// makes very old versions unknown (a resync), never wrongly visible.
const MAX_TRANSITIONS: usize = 8;

/// One user's known membership transitions in one chat: the role from a version on,
/// `None` when they do not participate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeline {
    transitions: BTreeMap<u64, Option<Role>>,
}

/// Whether a user participates in a chat at one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Participation {
    /// They participate (in any role).
    In,
    /// They do not participate (never added, removed, left, or the chat was deleted).
    Out,
    /// The gateway does not know: the version is before every known transition.
    Unknown,
}

/// Whether a user may see one version of a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// They participate at it (before or after it).
    Visible,
    /// They do not participate at it.
    Hidden,
    /// The gateway does not know.
    Unknown,
}

impl Timeline {
    /// Records "from `version` on, the user participates as `role`" (`None`: does not
    /// participate). A transition already known at that version is kept (events and
    /// rows agree on it).
    pub fn record(&mut self, version: u64, role: Option<Role>) {
        self.transitions.entry(version).or_insert(role);
        while self.transitions.len() > MAX_TRANSITIONS {
            self.transitions.pop_first();
        }
    }

    /// Whether the user participates at `version`.
    #[must_use]
    pub fn participation_at(&self, version: u64, deleted_at: Option<u64>) -> Participation {
        if deleted_at.is_some_and(|d| d <= version) {
            return Participation::Out;
        }
        match self.transitions.range(..=version).next_back() {
            Some((_, Some(_))) => Participation::In,
            Some((_, None)) => Participation::Out,
            None => Participation::Unknown,
        }
    }

    /// The user's role now (after every known version), if they participate.
    #[must_use]
    pub fn role_now(&self, deleted_at: Option<u64>) -> Option<Role> {
        if deleted_at.is_some() {
            return None;
        }
        self.transitions
            .last_key_value()
            .and_then(|(_, role)| *role)
    }

    /// Whether the user participates now (after every known version).
    #[must_use]
    pub fn active_now(&self, deleted_at: Option<u64>) -> bool {
        self.role_now(deleted_at).is_some()
    }

    /// Whether the user may see the event at `version`.
    #[must_use]
    pub fn visibility(&self, version: u64, deleted_at: Option<u64>) -> Visibility {
        let after = self.participation_at(version, deleted_at);
        let before = self.participation_at(version.saturating_sub(1), deleted_at);
        match (before, after) {
            (Participation::In, _) | (_, Participation::In) => Visibility::Visible,
            (Participation::Out, Participation::Out) => Visibility::Hidden,
            (Participation::Unknown, _) | (_, Participation::Unknown) => Visibility::Unknown,
        }
    }
}

/// The membership change an event makes, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// `user` participates as `role` from the event's version on (added, or their role
    /// changed).
    Joined(UserId, Role),
    /// `user` no longer participates from the event's version on.
    Gone(UserId),
    /// Nobody participates from the event's version on.
    Deleted,
}

/// The membership change of `event`: the domain's ([`ChatEvent::membership_change`]),
/// except that the creator joins (as admin) with `ChatCreated` itself, so they see the
/// creation.
#[must_use]
pub fn change_of(event: &ChatEvent) -> Option<Change> {
    if let ChatEvent::ChatCreated(e) = event {
        return Some(Change::Joined(e.created_by, Role::Admin));
    }
    event.membership_change().map(|change| match change {
        MembershipChange::Joined { user, role, .. }
        | MembershipChange::RoleChanged { user, role } => Change::Joined(user, role),
        MembershipChange::Departed { user, .. } => Change::Gone(user),
        MembershipChange::Dissolved => Change::Deleted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timeline(transitions: &[(u64, bool)]) -> Timeline {
        let mut t = Timeline::default();
        for (v, a) in transitions {
            t.record(*v, a.then_some(Role::Member));
        }
        t
    }

    #[test]
    fn an_added_user_sees_their_addition_and_what_follows() {
        let t = timeline(&[(5, true)]);
        assert_eq!(t.visibility(4, None), Visibility::Unknown);
        assert_eq!(t.visibility(5, None), Visibility::Visible);
        assert_eq!(t.visibility(9, None), Visibility::Visible);
    }

    #[test]
    fn a_removed_user_sees_their_removal_and_nothing_after() {
        let t = timeline(&[(2, true), (7, false)]);
        assert_eq!(t.visibility(6, None), Visibility::Visible);
        assert_eq!(t.visibility(7, None), Visibility::Visible);
        assert_eq!(t.visibility(8, None), Visibility::Hidden);
        assert!(!t.active_now(None));
        // A stale row read after the event changes nothing.
        let mut stale = t.clone();
        stale.record(2, Some(Role::Member));
        assert_eq!(stale, t);
    }

    #[test]
    fn participation_is_unknown_before_the_first_known_transition() {
        let t = timeline(&[(3, true), (6, false)]);
        assert_eq!(t.participation_at(2, None), Participation::Unknown);
        assert_eq!(t.participation_at(3, None), Participation::In);
        assert_eq!(t.participation_at(6, None), Participation::Out);
        assert_eq!(t.participation_at(4, Some(4)), Participation::Out);
    }

    #[test]
    fn a_hard_delete_ends_everyone_s_membership() {
        let t = timeline(&[(2, true)]);
        assert_eq!(t.visibility(9, Some(9)), Visibility::Visible);
        assert_eq!(t.visibility(10, Some(9)), Visibility::Hidden);
        assert!(!t.active_now(Some(9)));
    }

    #[test]
    fn a_role_change_keeps_the_membership_and_sets_the_role() {
        let mut t = timeline(&[(2, true)]);
        t.record(5, Some(Role::Observer));
        assert_eq!(t.visibility(6, None), Visibility::Visible);
        assert_eq!(t.role_now(None), Some(Role::Observer));
    }

    #[test]
    fn old_transitions_are_dropped_into_the_unknown() {
        let mut t = Timeline::default();
        for v in 1..=20 {
            t.record(v, (v % 2 == 1).then_some(Role::Member));
        }
        assert_eq!(t.visibility(2, None), Visibility::Unknown);
        assert_eq!(t.visibility(19, None), Visibility::Visible);
    }
}
