//! What the chat lifecycle and membership events write: the chat's row, its
//! participants, and the unread ledger's readers.

use chat_domain::UserId;
use chat_domain::chat::events::{
    ChatArchived, ChatCreated, ChatHardDeleted, ChatRestored, ChatUpdated, EventPayload,
    ParticipantAdded, ParticipantLeft, ParticipantRemoved, ParticipantRoleChanged,
};
use chat_domain::chat::membership::MembershipChange;

use super::{NewChat, NotATimeUuid, Plan, Planned, Projector, RowWrite};

impl Planned for ChatCreated {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => plan.rows.push(RowWrite::CreateChat(NewChat {
                chat_type: self.chat_type,
                name: self.name.clone(),
                company_id: self.company_id.map(|c| c.as_uuid()),
                created_by: self.created_by,
                created_at: self.created_at,
            })),
            Projector::Async => {}
        }
        Ok(())
    }
}

impl Planned for ChatUpdated {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match (projector, &self.name) {
            (Projector::Async, Some(name)) => {
                plan.rows.push(RowWrite::RenameChat { name: name.clone() });
            }
            (Projector::Async, None) | (Projector::Sync, _) => {}
        }
        Ok(())
    }
}

impl Planned for ChatArchived {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        archived(projector, plan, true);
        Ok(())
    }
}

impl Planned for ChatRestored {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        archived(projector, plan, false);
        Ok(())
    }
}

/// An archive (`true`) or restore: projector-async's.
fn archived(projector: Projector, plan: &mut Plan, archived: bool) {
    match projector {
        Projector::Sync => {}
        Projector::Async => plan.rows.push(RowWrite::SetArchived { archived }),
    }
}

impl Planned for ChatHardDeleted {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {}
            Projector::Async => {
                plan.rows.push(RowWrite::DeleteChat);
                plan.rows.push(RowWrite::ReadersClosed);
                plan.purge_until = Some(self.deleted_at);
            }
        }
        Ok(())
    }
}

impl Planned for ParticipantAdded {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {
                plan.rows.extend(participant_row(self));
                plan.rows.push(RowWrite::SetParticipantCount {
                    count: self.participant_count,
                });
            }
            // Its effect on the unread ledger.
            Projector::Async => plan.rows.push(RowWrite::ReaderJoined {
                user_id: self.user_id,
            }),
        }
        Ok(())
    }
}

impl Planned for ParticipantRemoved {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        departure(projector, plan, self, self.user_id, self.participant_count);
        Ok(())
    }
}

impl Planned for ParticipantLeft {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        departure(projector, plan, self, self.user_id, self.participant_count);
        Ok(())
    }
}

impl Planned for ParticipantRoleChanged {
    fn plan(&self, projector: Projector, plan: &mut Plan) -> Result<(), NotATimeUuid> {
        match projector {
            Projector::Sync => {}
            Projector::Async => plan.rows.extend(participant_row(self)),
        }
        Ok(())
    }
}

/// The participant row of `event`'s membership change: the domain's one membership rule
/// ([`EventPayload::membership_change`]) as the row the participant table keeps. A hard
/// delete has none: the chat's row goes, and its participants with it.
fn participant_row(event: &impl EventPayload) -> Option<RowWrite> {
    let (user_id, role, active, joined) = match event.membership_change()? {
        MembershipChange::Joined {
            user,
            role,
            added_by,
            joined_at,
        } => (user, role, true, Some((joined_at, added_by))),
        MembershipChange::RoleChanged { user, role } => (user, role, true, None),
        MembershipChange::Departed { user, role } => (user, role, false, None),
        MembershipChange::Dissolved => return None,
    };
    Some(RowWrite::SetParticipant {
        user_id,
        role,
        active,
        joined,
    })
}

/// A removal or a leave (projector-async's): the participant row, the count, and the
/// reader gone from the unread ledger.
fn departure(
    projector: Projector,
    plan: &mut Plan,
    event: &impl EventPayload,
    user_id: UserId,
    count: u32,
) {
    match projector {
        Projector::Sync => {}
        Projector::Async => plan.rows.extend(participant_row(event).into_iter().chain([
            RowWrite::SetParticipantCount { count },
            RowWrite::ReaderLeft { user_id },
        ])),
    }
}
