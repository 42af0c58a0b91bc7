//! JWT authentication: who is calling.
//!
//! Tokens are HS256 (shared secret) or RS256 (the issuer's public key), chosen by config.
//! `sub` is the user's UUID and `exp` is required; `nbf`, when present, is honoured; `iss`
//! and `aud` are required when the deployment names them ([`ClaimRules`]). A `name`
//! claim, when present, is the display name that travels in events. A token carrying a `service` claim is a service
//! identity (e.g. the Telegram bridge) and is accepted only for the names configured as
//! trusted.

use chat_domain::{Actor, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};

use crate::claims::{self, ClaimRules};
use serde::Deserialize;
use uuid::Uuid;

/// How tokens are verified.
#[derive(Clone)]
pub struct Authenticator {
    key: DecodingKey,
    validation: Validation,
    trusted_services: Vec<String>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("Authenticator")
            .field("algorithms", &self.validation.algorithms)
            .field("trusted_services", &self.trusted_services)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused; every variant answers 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` header (or `?token=`).
    #[error("missing bearer token")]
    Missing,
    /// The token is past its `exp` (beyond the leeway).
    #[error("the token has expired")]
    Expired,
    /// The token's `nbf` is still ahead (beyond the leeway).
    #[error("the token is not valid yet: its nbf claim is in the future")]
    NotYetValid,
    /// A claim this service requires is absent.
    #[error("the token has no {0} claim, which this service requires")]
    MissingClaim(String),
    /// A claim holds a value this service refuses.
    #[error("the token's {claim} claim is refused: {reason}")]
    BadClaim {
        /// The claim at fault (`iss`, `aud`, `name`).
        claim: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Signature, algorithm or shape is wrong.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// A service claim naming a service that is not trusted.
    #[error("service identity {0:?} is not trusted")]
    UntrustedService(String),
}

/// A key that could not be read from the config.
#[derive(Debug, thiserror::Error)]
#[error("the RS256 public key is not a valid PEM RSA key: {0}")]
pub struct KeyError(#[source] jsonwebtoken::errors::Error);

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

impl Authenticator {
    /// Verifies HS256 tokens signed with `secret`.
    pub fn hs256(secret: &[u8], trusted_services: Vec<String>) -> Self {
        Self::new(
            DecodingKey::from_secret(secret),
            Algorithm::HS256,
            trusted_services,
        )
    }

    /// Verifies RS256 tokens against the PEM public key.
    ///
    /// # Errors
    /// When the PEM is not an RSA public key.
    pub fn rs256(public_key_pem: &[u8], trusted_services: Vec<String>) -> Result<Self, KeyError> {
        let key = DecodingKey::from_rsa_pem(public_key_pem).map_err(KeyError)?;
        Ok(Self::new(key, Algorithm::RS256, trusted_services))
    }

    fn new(key: DecodingKey, algorithm: Algorithm, trusted_services: Vec<String>) -> Self {
        Self {
            key,
            validation: ClaimRules::default().validation(algorithm),
            trusted_services,
        }
    }

    /// This authenticator, checking tokens' claims against `rules` (instead of the
    /// default: 30 s leeway, any issuer and audience).
    #[must_use]
    pub fn with_rules(mut self, rules: &ClaimRules) -> Self {
        let algorithm = self.validation.algorithms[0];
        self.validation = rules.validation(algorithm);
        self
    }

    /// The actor a bearer token stands for.
    ///
    /// # Errors
    /// [`AuthError`] when the token is expired or not valid yet, forged, malformed, lacks
    /// or misstates a required claim, has a `name` the text policy refuses, or names an
    /// untrusted service.
    pub fn authenticate(&self, token: &str) -> Result<Actor, AuthError> {
        let claims = decode::<Claims>(token, &self.key, &self.validation)
            .map_err(|e| claims::refusal(&e))?
            .claims;
        match claims.service {
            Some(service) if self.trusted_services.contains(&service) => {
                Ok(Actor::service(service))
            }
            Some(service) => Err(AuthError::UntrustedService(service)),
            None => {
                let id = Uuid::parse_str(&claims.sub)
                    .map_err(|_| AuthError::Invalid("sub must be a user UUID".into()))?;
                Ok(Actor::User {
                    id: UserId::from(id),
                    name: claims::display_name(claims.name)?,
                })
            }
        }
    }

    /// The actor of an `Authorization: Bearer <token>` header value.
    ///
    /// # Errors
    /// [`AuthError::Missing`] when the header is absent or not a bearer token, otherwise as
    /// [`Self::authenticate`].
    pub fn authenticate_header(&self, header: Option<&str>) -> Result<Actor, AuthError> {
        let token = header
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AuthError::Missing)?;
        self.authenticate(token)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chat_domain::{Actor, UserId};
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;
    use uuid::Uuid;

    use super::{AuthError, Authenticator};
    use crate::ClaimRules;

    const SECRET: &[u8] = b"unit-test-secret";

    fn now() -> i64 {
        time::OffsetDateTime::now_utc().unix_timestamp()
    }

    fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
        encode(
            &Header::default(),
            claims,
            &EncodingKey::from_secret(secret),
        )
        .expect("sign")
    }

    fn auth() -> Authenticator {
        Authenticator::hs256(SECRET, vec!["telegram-bridge".to_owned()])
    }

    #[test]
    fn a_user_token_names_the_user() {
        let id = Uuid::new_v4();
        let token = sign(
            &json!({"sub": id, "name": "Ann", "exp": now() + 60}),
            SECRET,
        );
        assert_eq!(
            auth().authenticate(&token),
            Ok(Actor::named_user(UserId::from(id), "Ann"))
        );
        let blank = sign(&json!({"sub": id, "name": " ", "exp": now() + 60}), SECRET);
        assert_eq!(
            auth().authenticate(&blank),
            Ok(Actor::user(UserId::from(id)))
        );
    }

    #[test]
    fn expired_forged_and_malformed_tokens_are_refused() {
        let id = Uuid::new_v4();
        let expired = sign(&json!({"sub": id, "exp": now() - 3600}), SECRET);
        assert_eq!(auth().authenticate(&expired), Err(AuthError::Expired));
        let forged = sign(&json!({"sub": id, "exp": now() + 60}), b"other");
        assert!(matches!(
            auth().authenticate(&forged),
            Err(AuthError::Invalid(_))
        ));
        let no_exp = sign(&json!({"sub": id}), SECRET);
        assert_eq!(
            auth().authenticate(&no_exp),
            Err(AuthError::MissingClaim("exp".into()))
        );
        let not_uuid = sign(&json!({"sub": "ann", "exp": now() + 60}), SECRET);
        assert!(matches!(
            auth().authenticate(&not_uuid),
            Err(AuthError::Invalid(_))
        ));
        assert!(matches!(
            auth().authenticate("garbage"),
            Err(AuthError::Invalid(_))
        ));
    }

    #[test]
    fn only_trusted_services_are_accepted() {
        let ok = sign(
            &json!({"sub": "x", "service": "telegram-bridge", "exp": now() + 60}),
            SECRET,
        );
        assert_eq!(
            auth().authenticate(&ok),
            Ok(Actor::service("telegram-bridge"))
        );
        let other = sign(
            &json!({"sub": "x", "service": "mallory", "exp": now() + 60}),
            SECRET,
        );
        assert_eq!(
            auth().authenticate(&other),
            Err(AuthError::UntrustedService("mallory".to_owned()))
        );
    }

    #[test]
    fn a_token_not_valid_yet_is_refused_beyond_the_leeway() {
        let id = Uuid::new_v4();
        let later = sign(
            &json!({"sub": id, "nbf": now() + 3600, "exp": now() + 7200}),
            SECRET,
        );
        assert_eq!(auth().authenticate(&later), Err(AuthError::NotYetValid));
        let skewed = sign(
            &json!({"sub": id, "nbf": now() + 10, "exp": now() + 60}),
            SECRET,
        );
        assert_eq!(
            auth().authenticate(&skewed),
            Ok(Actor::user(UserId::from(id)))
        );
        let strict = auth().with_rules(&ClaimRules {
            leeway: Duration::ZERO,
            ..ClaimRules::default()
        });
        assert_eq!(strict.authenticate(&skewed), Err(AuthError::NotYetValid));
        let just_expired = sign(&json!({"sub": id, "exp": now() - 10}), SECRET);
        assert!(auth().authenticate(&just_expired).is_ok());
        assert_eq!(strict.authenticate(&just_expired), Err(AuthError::Expired));
    }

    #[test]
    fn the_configured_issuer_and_audience_are_required() {
        let id = Uuid::new_v4();
        let strict = auth().with_rules(&ClaimRules {
            issuer: Some("https://id.example".into()),
            audience: Some("chat".into()),
            ..ClaimRules::default()
        });
        let token = |extra: serde_json::Value| {
            let mut claims = json!({"sub": id, "exp": now() + 60});
            claims
                .as_object_mut()
                .expect("object")
                .extend(extra.as_object().expect("object").clone());
            strict.authenticate(&sign(&claims, SECRET))
        };
        let user = Ok(Actor::user(UserId::from(id)));
        assert_eq!(
            token(json!({"iss": "https://id.example", "aud": "chat"})),
            user
        );
        assert_eq!(
            token(json!({"iss": "https://id.example", "aud": ["billing", "chat"]})),
            user
        );
        assert_eq!(
            token(json!({"aud": "chat"})),
            Err(AuthError::MissingClaim("iss".into()))
        );
        assert!(matches!(
            token(json!({"iss": "https://evil.example", "aud": "chat"})),
            Err(AuthError::BadClaim { claim: "iss", .. })
        ));
        assert_eq!(
            token(json!({"iss": "https://id.example"})),
            Err(AuthError::MissingClaim("aud".into()))
        );
        assert!(matches!(
            token(json!({"iss": "https://id.example", "aud": ["billing"]})),
            Err(AuthError::BadClaim { claim: "aud", .. })
        ));
    }

    #[test]
    fn issuer_and_audience_are_accepted_when_none_is_required() {
        let id = Uuid::new_v4();
        for extra in [
            json!({"aud": "chat"}),
            json!({"aud": ["chat", "billing"]}),
            json!({"iss": "https://id.example"}),
        ] {
            let mut claims = json!({"sub": id, "exp": now() + 60});
            claims
                .as_object_mut()
                .expect("object")
                .extend(extra.as_object().expect("object").clone());
            assert_eq!(
                auth().authenticate(&sign(&claims, SECRET)),
                Ok(Actor::user(UserId::from(id))),
                "{extra}"
            );
        }
    }

    #[test]
    fn a_name_the_text_policy_refuses_makes_the_token_invalid() {
        let id = Uuid::new_v4();
        for name in [
            "a\u{0}b".to_owned(),
            "line\nbreak".to_owned(),
            "x".repeat(256),
        ] {
            let token = sign(&json!({"sub": id, "name": name, "exp": now() + 60}), SECRET);
            let refused = auth().authenticate(&token);
            assert!(
                matches!(&refused, Err(AuthError::BadClaim { claim: "name", .. })),
                "{name:?}: {refused:?}"
            );
        }
        let longest = "é".repeat(255);
        let token = sign(
            &json!({"sub": id, "name": longest, "exp": now() + 60}),
            SECRET,
        );
        assert!(auth().authenticate(&token).is_ok());
    }

    #[test]
    fn the_header_must_be_a_bearer_token() {
        assert_eq!(auth().authenticate_header(None), Err(AuthError::Missing));
        assert_eq!(
            auth().authenticate_header(Some("Basic abc")),
            Err(AuthError::Missing)
        );
        assert_eq!(
            auth().authenticate_header(Some("Bearer  ")),
            Err(AuthError::Missing)
        );
        let id = Uuid::new_v4();
        let token = sign(&json!({"sub": id, "exp": now() + 60}), SECRET);
        assert_eq!(
            auth().authenticate_header(Some(&format!("bearer {token}"))),
            Ok(Actor::user(UserId::from(id)))
        );
    }
}
