//! Identifier newtypes.
//!
//! Every id wraps a [`Uuid`], is `Copy`, serialises transparently as the hyphenated
//! UUID string, prints with `Display` and parses with `FromStr`. Distinct types keep a
//! user id from being passed where a chat id is expected.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::{Uuid, Version};

/// An id string that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {source}")]
pub struct ParseIdError {
    /// Which id type was being parsed (`"chat id"`, ...).
    pub kind: &'static str,
    /// Why the UUID did not parse.
    #[source]
    pub source: uuid::Error,
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps a UUID.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The wrapped UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIdError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|source| ParseIdError { kind: $kind, source })
            }
        }
    };
}

uuid_id!(
    /// A chat (the aggregate id; also the Kafka record key).
    ChatId,
    "chat id"
);
uuid_id!(
    /// A user of the platform (the JWT `sub`).
    UserId,
    "user id"
);
uuid_id!(
    /// A message. Created by the caller as a time-ordered TIMEUUID (UUID version 1),
    /// the same id in every route, event and table. Inside the aggregate, messages are
    /// ordered by the chat version that sent them, never by the UUID's bytes
    /// (`Ord` on this type is byte order and carries no meaning).
    MessageId,
    "message id"
);
uuid_id!(
    /// An event (the envelope's `event_id`); see [`EventId::for_event`].
    EventId,
    "event id"
);
uuid_id!(
    /// The company a `company` chat belongs to.
    CompanyId,
    "company id"
);

impl MessageId {
    /// Whether the id is a TIMEUUID (UUID version 1), as ScyllaDB's `timeuuid` requires.
    #[must_use]
    pub const fn is_time_uuid(&self) -> bool {
        matches!(self.0.get_version(), Some(Version::Mac))
    }

    /// The Unix time (seconds, nanoseconds) embedded in a TIMEUUID, for time buckets;
    /// `None` when the id is not a TIMEUUID.
    #[must_use]
    pub const fn unix_time(&self) -> Option<(u64, u32)> {
        match self.0.get_timestamp() {
            Some(ts) => Some(ts.to_unix()),
            None => None,
        }
    }
}

/// Fixed namespace of [`direct_chat_id`] (a wire contract: changing it would split
/// every existing direct chat from its pair).
pub const DIRECT_CHAT_NAMESPACE: Uuid = Uuid::from_u128(0x5d1f_6a0e_3c2b_4e8f_9a71_0c4d_2b6e_8f13);

/// Fixed namespace of [`EventId::for_event`].
pub const EVENT_ID_NAMESPACE: Uuid = Uuid::from_u128(0x8e2c_41b7_95d0_4a36_b1f8_6c3e_0d92_7a54);

/// The id of the first direct chat between two users: a UUID v5 over the sorted pair,
/// so `direct_chat_id(a, b) == direct_chat_id(b, a)` and a second create of the same
/// pair meets the first (`ChatAlreadyExists`). It is [`direct_chat_id_at`] generation 0.
#[must_use]
pub fn direct_chat_id(a: UserId, b: UserId) -> ChatId {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut name = [0_u8; 32];
    name[..16].copy_from_slice(lo.0.as_bytes());
    name[16..].copy_from_slice(hi.0.as_bytes());
    ChatId(Uuid::new_v5(&DIRECT_CHAT_NAMESPACE, &name))
}

/// The id of the pair's direct chat of `generation`. Generation 0 is
/// [`direct_chat_id`]; once a generation is hard-deleted (for ever), the pair's next
/// direct chat takes the next generation, so a pair has at most one live direct chat and
/// its ids still follow from the pair alone. From generation 1 the id is a UUID v5 over
/// the pair and the generation, with the generation in its last four bytes, so the id
/// itself says which generation it claims to be ([`is_direct_chat_id`]).
#[must_use]
pub fn direct_chat_id_at(a: UserId, b: UserId, generation: u32) -> ChatId {
    if generation == 0 {
        return direct_chat_id(a, b);
    }
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut name = [0_u8; 36];
    name[..16].copy_from_slice(lo.0.as_bytes());
    name[16..32].copy_from_slice(hi.0.as_bytes());
    name[32..].copy_from_slice(&generation.to_be_bytes());
    let mut bytes = *Uuid::new_v5(&DIRECT_CHAT_NAMESPACE, &name).as_bytes();
    // The version and variant bits live in bytes 6 and 8: the id stays a valid v5.
    bytes[12..].copy_from_slice(&generation.to_be_bytes());
    ChatId(Uuid::from_bytes(bytes))
}

/// Whether `chat_id` is one of the pair's direct chat ids (of any generation).
#[must_use]
pub fn is_direct_chat_id(chat_id: ChatId, a: UserId, b: UserId) -> bool {
    let bytes = chat_id.0.as_bytes();
    let generation = u32::from_be_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]);
    chat_id == direct_chat_id(a, b)
        || (generation > 0 && chat_id == direct_chat_id_at(a, b, generation))
}

impl EventId {
    /// The deterministic id of a chat's event at `version` (UUID v5 over chat id and
    /// version). The event store accepts one event per (chat, version), so the id is
    /// unique, and a retried publish carries the same id, which lets consumers dedupe.
    #[must_use]
    pub fn for_event(chat_id: ChatId, version: u64) -> Self {
        let mut name = [0_u8; 24];
        name[..16].copy_from_slice(chat_id.0.as_bytes());
        name[16..].copy_from_slice(&version.to_be_bytes());
        Self(Uuid::new_v5(&EVENT_ID_NAMESPACE, &name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn direct_chat_id_is_order_independent_and_pair_specific() {
        assert_eq!(
            direct_chat_id(user(1), user(2)),
            direct_chat_id(user(2), user(1))
        );
        assert_ne!(
            direct_chat_id(user(1), user(2)),
            direct_chat_id(user(1), user(3))
        );
        assert_eq!(
            direct_chat_id(user(1), user(2)).as_uuid().get_version(),
            Some(Version::Sha1)
        );
    }

    #[test]
    fn each_generation_of_a_pair_has_its_own_direct_chat_id() {
        let (a, b) = (user(1), user(2));
        assert_eq!(direct_chat_id_at(a, b, 0), direct_chat_id(a, b));
        assert_eq!(direct_chat_id_at(a, b, 7), direct_chat_id_at(b, a, 7));
        let ids: std::collections::HashSet<_> =
            (0..100).map(|g| direct_chat_id_at(a, b, g)).collect();
        assert_eq!(ids.len(), 100);
        for generation in [0, 1, 2, 99, u32::MAX] {
            let id = direct_chat_id_at(a, b, generation);
            assert!(is_direct_chat_id(id, a, b), "{generation}");
            assert!(is_direct_chat_id(id, b, a), "{generation}");
            assert!(!is_direct_chat_id(id, a, user(3)), "{generation}");
            assert_eq!(id.as_uuid().get_version(), Some(Version::Sha1));
        }
        assert!(!is_direct_chat_id(
            ChatId::from_uuid(Uuid::from_u128(1)),
            a,
            b
        ));
    }

    #[test]
    fn ids_round_trip_through_display_and_from_str() {
        let id = ChatId::from_uuid(Uuid::from_u128(0xabc));
        assert_eq!(id.to_string().parse::<ChatId>(), Ok(id));
        let err = "nope".parse::<UserId>().unwrap_err();
        assert_eq!(err.kind, "user id");
    }

    #[test]
    fn ids_serialise_as_plain_uuid_strings() {
        let id = MessageId::from_uuid(Uuid::from_u128(1));
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"00000000-0000-0000-0000-000000000001\""
        );
    }

    #[test]
    fn event_ids_are_deterministic_per_chat_and_version() {
        let chat = ChatId::from_uuid(Uuid::from_u128(9));
        assert_eq!(EventId::for_event(chat, 3), EventId::for_event(chat, 3));
        assert_ne!(EventId::for_event(chat, 3), EventId::for_event(chat, 4));
    }

    #[test]
    fn message_ids_know_whether_they_are_time_uuids() {
        let v1 = MessageId::from_uuid(Uuid::new_v1(
            uuid::Timestamp::from_unix_time(1_700_000_000, 0, 0, 14),
            &[1, 2, 3, 4, 5, 6],
        ));
        assert!(v1.is_time_uuid());
        assert_eq!(v1.unix_time(), Some((1_700_000_000, 0)));
        let v5 = MessageId::from_uuid(direct_chat_id(user(1), user(2)).as_uuid());
        assert!(!v5.is_time_uuid());
        assert_eq!(v5.unix_time(), None);
    }
}
