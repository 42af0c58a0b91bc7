//! The membership authority (PostgreSQL `chat_members`, written by command-api in the
//! same transaction as the events): a user's memberships when they connect, current
//! however far the projectors lag, so a socket opened after a removal is never seeded
//! with the chat. Later changes come from the events themselves.

use chat_domain::{ChatId, Role, UserId};
use sqlx::PgPool;

use crate::hub::MembershipRow;

/// Reads `chat_members`.
#[derive(Debug, Clone)]
pub struct ParticipantDirectory {
    pool: PgPool,
}

impl ParticipantDirectory {
    /// A directory on `pool`.
    #[must_use]
    pub const fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Every membership row of `user`, as membership transitions: an active row holds
    /// from the version that added the user (`joined_version`, or its last change when
    /// that is not recorded), an inactive one from its last change (`version`).
    ///
    /// # Errors
    /// When PostgreSQL does not answer.
    #[tracing::instrument(skip_all, fields(user_id = %user), err)]
    pub async fn rows_of(&self, user: UserId) -> Result<Vec<MembershipRow>, sqlx::Error> {
        let rows: Vec<(uuid::Uuid, String, bool, i64, i64)> = sqlx::query_as(
            "SELECT chat_id, role, is_active, version, joined_version \
             FROM chat_members WHERE user_id = $1",
        )
        .bind(user.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(chat, role, active, version, joined)| MembershipRow {
                chat_id: ChatId::from_uuid(chat),
                role: active.then(|| role_of(&role)),
                since: u64::try_from(if active && joined > 0 {
                    joined
                } else {
                    version
                })
                .unwrap_or_default(),
            })
            .collect())
    }
}

/// The role a stored name stands for; an unknown name reads as an observer, the role
/// that may do least.
fn role_of(name: &str) -> Role {
    Role::from_name(name).unwrap_or(Role::Observer)
}

#[cfg(test)]
mod tests {
    use chat_domain::Role;

    #[test]
    fn stored_role_names_read_back() {
        assert_eq!(super::role_of("admin"), Role::Admin);
        assert_eq!(super::role_of("member"), Role::Member);
        assert_eq!(super::role_of("observer"), Role::Observer);
        assert_eq!(super::role_of("overlord"), Role::Observer);
    }
}
