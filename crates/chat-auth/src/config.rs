//! The clap block that configures token verification, and building an
//! [`Authenticator`] from it.

use std::path::PathBuf;
use std::time::Duration;

use crate::authenticator::{Authenticator, KeyError};
use crate::claims::ClaimRules;

/// How callers are authenticated.
#[derive(Debug, Clone, clap::Args)]
pub struct AuthConfig {
    /// HS256 shared secret that signs the JWTs (set this or the RS256 key).
    #[arg(long, env = "JWT_HS256_SECRET", hide_env_values = true)]
    pub jwt_hs256_secret: Option<String>,
    /// File holding the PEM RSA public key that verifies RS256 JWTs.
    #[arg(long, env = "JWT_RS256_PUBLIC_KEY_FILE")]
    pub jwt_rs256_public_key_file: Option<PathBuf>,
    /// Service identities (the JWT `service` claim) that are trusted, comma-separated.
    #[arg(
        long,
        env = "TRUSTED_SERVICES",
        value_delimiter = ',',
        default_value = "telegram-bridge"
    )]
    pub trusted_services: Vec<String>,
    /// Clock skew allowed on a token's `exp` and `nbf`, in seconds.
    #[arg(long, env = "JWT_LEEWAY_S", default_value_t = 30)]
    pub jwt_leeway_s: u64,
    /// The issuer (`iss`) every token must name; unset or empty: any issuer, or none.
    #[arg(long, env = "JWT_ISSUER")]
    pub jwt_issuer: Option<String>,
    /// The audience every token's `aud` must include; unset or empty: any audience, or
    /// none.
    #[arg(long, env = "JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,
}

impl AuthConfig {
    /// The claim rules this config sets.
    pub fn claim_rules(&self) -> ClaimRules {
        // An empty value (`JWT_ISSUER=`) means unset, as in a template with the line kept.
        let named = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
        ClaimRules {
            leeway: Duration::from_secs(self.jwt_leeway_s),
            issuer: named(&self.jwt_issuer),
            audience: named(&self.jwt_audience),
        }
    }
}

/// An [`AuthConfig`] that does not give a usable key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Neither or both of the secret and the key file are set (or the secret is empty).
    #[error("set exactly one of JWT_HS256_SECRET (non-empty) or JWT_RS256_PUBLIC_KEY_FILE")]
    NoSingleKey,
    /// The RS256 key file cannot be read.
    #[error("cannot read the RS256 public key {path}")]
    Unreadable {
        /// The file named by the config.
        path: PathBuf,
        /// Why it cannot be read.
        #[source]
        source: std::io::Error,
    },
    /// The RS256 key file is not a PEM RSA public key.
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl Authenticator {
    /// The authenticator `cfg` describes.
    ///
    /// # Errors
    /// [`ConfigError`] when the config names no key, two keys, or an unusable key file.
    pub fn from_config(cfg: &AuthConfig) -> Result<Self, ConfigError> {
        let trusted = cfg.trusted_services.clone();
        let auth = match (&cfg.jwt_hs256_secret, &cfg.jwt_rs256_public_key_file) {
            (Some(secret), None) if !secret.is_empty() => Self::hs256(secret.as_bytes(), trusted),
            (None, Some(path)) => {
                let pem = std::fs::read(path).map_err(|source| ConfigError::Unreadable {
                    path: path.clone(),
                    source,
                })?;
                Self::rs256(&pem, trusted)?
            }
            _ => return Err(ConfigError::NoSingleKey),
        };
        Ok(auth.with_rules(&cfg.claim_rules()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{AuthConfig, Authenticator, ClaimRules, ConfigError};

    fn cfg(secret: Option<&str>, key: Option<&str>) -> AuthConfig {
        AuthConfig {
            jwt_hs256_secret: secret.map(str::to_owned),
            jwt_rs256_public_key_file: key.map(Into::into),
            trusted_services: vec![],
            jwt_leeway_s: 30,
            jwt_issuer: None,
            jwt_audience: None,
        }
    }

    #[test]
    fn the_claim_rules_come_from_the_flags_and_an_empty_value_is_unset() {
        use clap::Parser;

        #[derive(Debug, Parser)]
        struct Cli {
            #[command(flatten)]
            auth: AuthConfig,
        }
        let parse = |args: &[&str]| {
            Cli::parse_from(std::iter::once("test").chain(args.iter().copied()))
                .auth
                .claim_rules()
        };
        assert_eq!(parse(&[]), ClaimRules::default());
        assert_eq!(
            parse(&[
                "--jwt-leeway-s=5",
                "--jwt-issuer=https://id.example",
                "--jwt-audience=",
            ]),
            ClaimRules {
                leeway: Duration::from_secs(5),
                issuer: Some("https://id.example".into()),
                audience: None,
            }
        );
    }

    #[test]
    fn exactly_one_usable_key_is_required() {
        assert!(Authenticator::from_config(&cfg(Some("s"), None)).is_ok());
        for bad in [
            cfg(None, None),
            cfg(Some(""), None),
            cfg(Some("s"), Some("/k.pem")),
        ] {
            assert!(matches!(
                Authenticator::from_config(&bad),
                Err(ConfigError::NoSingleKey)
            ));
        }
        assert!(matches!(
            Authenticator::from_config(&cfg(None, Some("/no/such/key.pem"))),
            Err(ConfigError::Unreadable { .. })
        ));
    }

    #[test]
    fn a_file_that_is_not_a_pem_key_is_refused() {
        let path = std::env::temp_dir().join(format!("not-a-key-{}.pem", uuid::Uuid::new_v4()));
        std::fs::write(&path, "hello").expect("write");
        let result = Authenticator::from_config(&cfg(None, path.to_str()));
        std::fs::remove_file(&path).ok();
        assert!(matches!(result, Err(ConfigError::Key(_))));
    }
}
