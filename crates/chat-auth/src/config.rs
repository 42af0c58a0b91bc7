//! The clap block that configures token verification, and building an
//! [`Authenticator`] from it.

use std::path::PathBuf;

use crate::authenticator::{Authenticator, KeyError};

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
        match (&cfg.jwt_hs256_secret, &cfg.jwt_rs256_public_key_file) {
            (Some(secret), None) if !secret.is_empty() => {
                Ok(Self::hs256(secret.as_bytes(), trusted))
            }
            (None, Some(path)) => {
                let pem = std::fs::read(path).map_err(|source| ConfigError::Unreadable {
                    path: path.clone(),
                    source,
                })?;
                Ok(Self::rs256(&pem, trusted)?)
            }
            _ => Err(ConfigError::NoSingleKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{AuthConfig, Authenticator, ConfigError};

    fn cfg(secret: Option<&str>, key: Option<&str>) -> AuthConfig {
        AuthConfig {
            jwt_hs256_secret: secret.map(str::to_owned),
            jwt_rs256_public_key_file: key.map(Into::into),
            trusted_services: vec![],
        }
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
