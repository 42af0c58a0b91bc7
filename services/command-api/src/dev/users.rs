//! The fixed demo users and the tokens minted for them.
//!
//! The ids are fixed so that chats made in one `make run` are still theirs in the next
//! one (the local stores persist), and readable so they stand out in logs and events.

use std::time::Duration;

use chat_auth::ClaimRules;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A demo user anyone may sign in as, in development only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DemoUser {
    /// The user's id (the token's `sub`).
    pub id: Uuid,
    /// The display name (the token's `name` claim).
    pub name: &'static str,
}

/// Alice, Bob and Carol.
pub const DEMO_USERS: [DemoUser; 3] = [
    DemoUser {
        id: Uuid::from_u128(0xa11ce000_0000_4000_8000_00000000000a),
        name: "Alice",
    },
    DemoUser {
        id: Uuid::from_u128(0xb0b00000_0000_4000_8000_00000000000b),
        name: "Bob",
    },
    DemoUser {
        id: Uuid::from_u128(0xca201000_0000_4000_8000_00000000000c),
        name: "Carol",
    },
];

/// The demo user named `key` (case-insensitive) or whose id is `key`.
#[must_use]
pub fn find(key: &str) -> Option<&'static DemoUser> {
    let key = key.trim();
    let id = Uuid::parse_str(key).ok();
    DEMO_USERS
        .iter()
        .find(|user| user.name.eq_ignore_ascii_case(key) || Some(user.id) == id)
}

/// How long a demo token lives: a working day, so a newcomer is not signed out mid-demo.
pub const TOKEN_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// Mints HS256 tokens with the secret the API verifies them with, naming the issuer and
/// audience it requires.
#[derive(Clone)]
pub struct TokenIssuer {
    key: EncodingKey,
    issuer: Option<String>,
    audience: Option<String>,
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("TokenIssuer")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// A minted token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Minted {
    /// The JWT.
    pub token: String,
    /// When it expires.
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Serialize)]
struct Claims<'a> {
    sub: Uuid,
    name: &'a str,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<&'a str>,
}

impl TokenIssuer {
    /// An issuer signing with the HS256 `secret`, its tokens passing `rules` (the
    /// issuer and audience the API requires, if any).
    #[must_use]
    pub fn hs256(secret: &[u8], rules: &ClaimRules) -> Self {
        Self {
            key: EncodingKey::from_secret(secret),
            issuer: rules.issuer.clone(),
            audience: rules.audience.clone(),
        }
    }

    /// A token for `user`, valid from `now` for [`TOKEN_TTL`].
    ///
    /// # Errors
    /// When the claims cannot be signed (never for these claims and an HS256 key).
    pub fn mint(
        &self,
        user: &DemoUser,
        now: OffsetDateTime,
    ) -> Result<Minted, jsonwebtoken::errors::Error> {
        let expires_at = now + TOKEN_TTL;
        let claims = Claims {
            sub: user.id,
            name: user.name,
            iat: now.unix_timestamp(),
            exp: expires_at.unix_timestamp(),
            iss: self.issuer.as_deref(),
            aud: self.audience.as_deref(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.key)?;
        Ok(Minted { token, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use chat_auth::Authenticator;
    use chat_domain::{Actor, UserId};

    use super::*;

    #[test]
    fn users_are_found_by_name_or_id() {
        assert_eq!(find("alice"), Some(&DEMO_USERS[0]));
        assert_eq!(find(" BOB "), Some(&DEMO_USERS[1]));
        assert_eq!(find(&DEMO_USERS[2].id.to_string()), Some(&DEMO_USERS[2]));
        assert_eq!(find("mallory"), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn a_minted_token_authenticates_as_the_demo_user() {
        let issuer = TokenIssuer::hs256(b"dev-secret", &ClaimRules::default());
        let minted = issuer
            .mint(&DEMO_USERS[1], OffsetDateTime::now_utc())
            .expect("minted");
        let auth = Authenticator::hs256(b"dev-secret", vec![]);
        assert_eq!(
            auth.authenticate(&minted.token),
            Ok(Actor::named_user(UserId::from(DEMO_USERS[1].id), "Bob"))
        );
        let other = Authenticator::hs256(b"another-secret", vec![]);
        assert!(other.authenticate(&minted.token).is_err());
    }

    #[test]
    fn a_minted_token_names_the_required_issuer_and_audience() {
        let rules = ClaimRules {
            issuer: Some("https://id.example".into()),
            audience: Some("chat".into()),
            ..ClaimRules::default()
        };
        let minted = TokenIssuer::hs256(b"dev-secret", &rules)
            .mint(&DEMO_USERS[2], OffsetDateTime::now_utc())
            .expect("minted");
        let auth = Authenticator::hs256(b"dev-secret", vec![]).with_rules(&rules);
        assert_eq!(
            auth.authenticate(&minted.token),
            Ok(Actor::named_user(UserId::from(DEMO_USERS[2].id), "Carol"))
        );
    }

    #[test]
    fn a_token_expires_after_its_lifetime() {
        let issuer = TokenIssuer::hs256(b"dev-secret", &ClaimRules::default());
        let long_ago = OffsetDateTime::now_utc() - TOKEN_TTL - Duration::from_secs(3600);
        let minted = issuer.mint(&DEMO_USERS[0], long_ago).expect("minted");
        let auth = Authenticator::hs256(b"dev-secret", vec![]);
        assert_eq!(
            auth.authenticate(&minted.token),
            Err(chat_auth::AuthError::Expired)
        );
    }
}
