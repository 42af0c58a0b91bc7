//! The bridge's service identity on command-api: a configured token, or a short-lived
//! HS256 JWT with claim `service` minted per request from the shared secret.

use std::sync::Arc;

use jsonwebtoken::{EncodingKey, Header, encode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// How long a minted token is valid; short, since a fresh one is minted per request.
const MINTED_LIFETIME_SECS: i64 = 300;

/// A token that could not be minted.
#[derive(Debug, thiserror::Error)]
#[error("cannot mint the service token: {0}")]
pub struct TokenError(#[from] jsonwebtoken::errors::Error);

/// Where the bearer token comes from. `Debug` never shows the secret.
#[derive(Debug, Clone)]
pub enum ServiceToken {
    /// A token issued elsewhere, used as is.
    Fixed(Arc<SecretString>),
    /// Minted from the HS256 secret command-api verifies with.
    Minted {
        /// The shared secret.
        secret: Arc<SecretString>,
        /// The `service` claim (command-api must trust this name).
        service: String,
    },
}

impl ServiceToken {
    /// The bearer token for the next request.
    ///
    /// # Errors
    /// [`TokenError`] when signing fails.
    pub fn bearer(&self) -> Result<String, TokenError> {
        match self {
            Self::Fixed(token) => Ok(token.expose_secret().to_owned()),
            Self::Minted { secret, service } => {
                let exp = time::OffsetDateTime::now_utc().unix_timestamp() + MINTED_LIFETIME_SECS;
                let claims = json!({ "sub": service, "service": service, "exp": exp });
                Ok(encode(
                    &Header::default(),
                    &claims,
                    &EncodingKey::from_secret(secret.expose_secret().as_bytes()),
                )?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secret() {
        let token = ServiceToken::Minted {
            secret: Arc::new(SecretString::from("hunter2")),
            service: "telegram-bridge".into(),
        };
        assert!(!format!("{token:?}").contains("hunter2"));
        let fixed = ServiceToken::Fixed(Arc::new(SecretString::from("tok-123")));
        assert!(!format!("{fixed:?}").contains("tok-123"));
    }

    #[test]
    fn a_minted_token_carries_the_service_claim() {
        let token = ServiceToken::Minted {
            secret: Arc::new(SecretString::from("s")),
            service: "telegram-bridge".into(),
        }
        .bearer()
        .expect("minted");
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_required_spec_claims(&["exp"]);
        let claims = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &jsonwebtoken::DecodingKey::from_secret(b"s"),
            &validation,
        )
        .expect("valid")
        .claims;
        assert_eq!(claims["service"], "telegram-bridge");
    }
}
