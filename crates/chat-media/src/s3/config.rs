//! Where the S3 store is and how to sign in: [`S3Config`], one clap block that services
//! flatten into their `Config` and that [`S3Config::from_env`] reads on its own (tests,
//! the bench).

use std::convert::Infallible;

use clap::Parser;
use secrecy::SecretString;

/// The S3-compatible object store of media (`S3_*`; deploy/local/env.sh sets the local
/// SeaweedFS, Kubernetes a ConfigMap and the Secret `chat-s3`).
///
/// Every field is optional so that a service can run without media (its uploads then
/// answer 503): [`S3Config::is_set`] tells whether any is given, and building the store
/// names the first one missing.
#[derive(Debug, Clone, clap::Args)]
pub struct S3Config {
    /// The store's URL, e.g. `https://s3.eu-central-1.amazonaws.com` or
    /// `http://127.0.0.1:8333`; `http://` is allowed (local stores), not recommended.
    #[arg(long, env = "S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// The bucket that holds every chat's media (it must exist).
    #[arg(long, env = "S3_BUCKET")]
    pub s3_bucket: Option<String>,
    /// The access key id of the services' identity.
    #[arg(long, env = "S3_ACCESS_KEY_ID")]
    pub s3_access_key_id: Option<String>,
    /// The secret access key of that identity.
    #[arg(long, env = "S3_SECRET_ACCESS_KEY", hide_env_values = true, value_parser = secret)]
    pub s3_secret_access_key: Option<SecretString>,
    /// The region the URLs are signed for (`us-east-1` suits most non-AWS stores).
    #[arg(long, env = "S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
}

#[allow(clippy::unnecessary_wraps)] // clap's value_parser signature
fn secret(value: &str) -> Result<SecretString, Infallible> {
    Ok(SecretString::from(value))
}

/// Why no S3 store could be made from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A setting the store needs is not given.
    #[error(
        "{0} is not set (the S3 object store of media needs S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY; locally: source deploy/local/env.sh)"
    )]
    Missing(&'static str),
    /// The environment holds a value clap cannot read (e.g. not UTF-8).
    #[error("the S3_* environment cannot be read")]
    Environment(#[source] clap::Error),
    /// The settings are there but the client refuses them (e.g. a malformed endpoint).
    #[error("the S3 client refuses its settings")]
    Client(#[source] object_store::Error),
}

/// [`S3Config`] alone, to read it from the environment outside a service's `Config`.
#[derive(Debug, Parser)]
struct EnvOnly {
    #[command(flatten)]
    s3: S3Config,
}

impl S3Config {
    /// The settings from the `S3_*` environment variables alone.
    ///
    /// # Errors
    /// [`ConfigError::Environment`] when a variable cannot be read.
    pub fn from_env() -> Result<Self, ConfigError> {
        EnvOnly::try_parse_from(["chat-media"])
            .map(|only| only.s3)
            .map_err(ConfigError::Environment)
    }

    /// Whether any of the store's own settings is given (the region has a default).
    #[must_use]
    pub const fn is_set(&self) -> bool {
        self.s3_endpoint.is_some()
            || self.s3_bucket.is_some()
            || self.s3_access_key_id.is_some()
            || self.s3_secret_access_key.is_some()
    }
}

/// `value`, or the error that names `variable`.
pub(super) fn required<'a, T>(
    value: Option<&'a T>,
    variable: &'static str,
) -> Result<&'a T, ConfigError>
where
    T: ?Sized,
{
    value.ok_or(ConfigError::Missing(variable))
}
