//! The membership authority (`chat_members`, migration 0007): written in the same
//! transaction as the events that change a membership, read by the REST routes' access
//! checks (and by the gateway when a socket opens), so a removal, a departure or a hard
//! delete holds the moment it is stored, whatever the projectors' lag.

use std::collections::{HashMap, HashSet};

use chat_domain::chat::membership::MembershipChange;
use chat_domain::{ChatId, Role, UserId};
use futures_util::future::BoxFuture;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::{execute_on_versions, unavailable, version_i64};
use crate::ports::read::Membership;
use crate::ports::{NewEvents, StoreError};

/// One membership row as the stored events leave it.
struct Member {
    role: &'static str,
    active: bool,
    /// The version of the join among these events (0: none, keep the stored one).
    joined: i64,
    version: i64,
}

/// Writes the membership changes of the stored decisions: each changed membership's last
/// state in one upsert, then the hard-deleted chats' memberships ended.
pub(super) async fn write(
    tx: &mut Transaction<'_, Postgres>,
    stored: &[&NewEvents],
) -> Result<(), StoreError> {
    let mut members: HashMap<(Uuid, Uuid), Member> = HashMap::new();
    let mut dissolved = Vec::new();
    for new in stored {
        let chat = new.chat_id.as_uuid();
        for envelope in &new.envelopes {
            let version = version_i64(envelope.version)?;
            let (user, role, active, joined) = match envelope.payload.membership_change() {
                Some(MembershipChange::Joined { user, role, .. }) => (user, role, true, version),
                Some(MembershipChange::RoleChanged { user, role }) => (user, role, true, 0),
                Some(MembershipChange::Departed { user, role }) => (user, role, false, 0),
                Some(MembershipChange::Dissolved) => {
                    dissolved.push((chat, version));
                    continue;
                }
                None => continue,
            };
            members
                .entry((chat, user.as_uuid()))
                .and_modify(|member| {
                    member.role = role.as_str();
                    member.active = active;
                    member.joined = member.joined.max(joined);
                    member.version = version;
                })
                .or_insert(Member {
                    role: role.as_str(),
                    active,
                    joined,
                    version,
                });
        }
    }
    if !members.is_empty() {
        upsert(tx, &members).await?;
    }
    if !dissolved.is_empty() {
        let (chats, versions): (Vec<Uuid>, Vec<i64>) = dissolved.into_iter().unzip();
        execute_on_versions(
            tx,
            "UPDATE chat_members m SET is_active = FALSE, version = d.v \
             FROM UNNEST($1::uuid[], $2::int8[]) AS d(c, v) \
             WHERE m.chat_id = d.c AND m.version < d.v",
            &chats,
            &versions,
        )
        .await?;
    }
    Ok(())
}

async fn upsert(
    tx: &mut Transaction<'_, Postgres>,
    members: &HashMap<(Uuid, Uuid), Member>,
) -> Result<(), StoreError> {
    let mut chats = Vec::with_capacity(members.len());
    let mut users = Vec::with_capacity(members.len());
    let mut roles = Vec::with_capacity(members.len());
    let mut active = Vec::with_capacity(members.len());
    let mut joined = Vec::with_capacity(members.len());
    let mut versions = Vec::with_capacity(members.len());
    for ((chat, user), member) in members {
        chats.push(*chat);
        users.push(*user);
        roles.push(member.role);
        active.push(member.active);
        joined.push(member.joined);
        versions.push(member.version);
    }
    sqlx::query(
        "INSERT INTO chat_members (chat_id, user_id, role, is_active, joined_version, version) \
         SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::bool[], $5::int8[], $6::int8[]) \
         ON CONFLICT (chat_id, user_id) DO UPDATE SET role = EXCLUDED.role, \
             is_active = EXCLUDED.is_active, \
             joined_version = GREATEST(chat_members.joined_version, EXCLUDED.joined_version), \
             version = EXCLUDED.version \
         WHERE chat_members.version < EXCLUDED.version",
    )
    .bind(&chats)
    .bind(&users)
    .bind(&roles)
    .bind(&active)
    .bind(&joined)
    .bind(&versions)
    .execute(&mut **tx)
    .await
    .map_err(unavailable)?;
    Ok(())
}

/// Reads the membership authority.
#[derive(Debug, Clone)]
pub struct PgMembers {
    pool: PgPool,
}

impl PgMembers {
    /// The authority on `pool` (migrations applied).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The user's role in the chat, if they are in it now.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn role_of(&self, chat_id: ChatId, user: UserId) -> Result<Option<Role>, StoreError> {
        let name: Option<String> = sqlx::query_scalar(
            "SELECT role FROM chat_members WHERE chat_id = $1 AND user_id = $2 AND is_active",
        )
        .bind(chat_id.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(&self.pool)
        .await
        .map_err(unavailable)?;
        name.map(|name| {
            Role::from_name(&name).ok_or_else(|| {
                StoreError::Corrupt(anyhow::anyhow!("chat {chat_id}: unknown role {name:?}"))
            })
        })
        .transpose()
    }

    /// The chats the user is in now.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn chats_of(&self, user: UserId) -> Result<HashSet<ChatId>, StoreError> {
        let chats: Vec<Uuid> =
            sqlx::query_scalar("SELECT chat_id FROM chat_members WHERE user_id = $1 AND is_active")
                .bind(user.as_uuid())
                .fetch_all(&self.pool)
                .await
                .map_err(unavailable)?;
        Ok(chats.into_iter().map(ChatId::from_uuid).collect())
    }

    /// Which of `chats` the user is in now.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`].
    pub async fn current_among(
        &self,
        user: UserId,
        chats: &[ChatId],
    ) -> Result<HashSet<ChatId>, StoreError> {
        let chats: Vec<Uuid> = chats.iter().map(|c| c.as_uuid()).collect();
        let current: Vec<Uuid> = sqlx::query_scalar(
            "SELECT chat_id FROM chat_members \
             WHERE user_id = $1 AND chat_id = ANY($2) AND is_active",
        )
        .bind(user.as_uuid())
        .bind(chats)
        .fetch_all(&self.pool)
        .await
        .map_err(unavailable)?;
        Ok(current.into_iter().map(ChatId::from_uuid).collect())
    }
}

impl Membership for PgMembers {
    fn role_of(
        &self,
        chat_id: ChatId,
        user: UserId,
    ) -> BoxFuture<'_, Result<Option<Role>, StoreError>> {
        Box::pin(Self::role_of(self, chat_id, user))
    }

    fn chats_of(&self, user: UserId) -> BoxFuture<'_, Result<HashSet<ChatId>, StoreError>> {
        Box::pin(Self::chats_of(self, user))
    }

    fn current_among<'a>(
        &'a self,
        user: UserId,
        chats: &'a [ChatId],
    ) -> BoxFuture<'a, Result<HashSet<ChatId>, StoreError>> {
        Box::pin(Self::current_among(self, user, chats))
    }
}
