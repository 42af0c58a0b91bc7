//! command-api built without the `dev-tools` feature: the development switches are
//! refused by name, and nothing is mounted.

use std::convert::Infallible;

use actix_web::web;
use chat_auth::AuthConfig;

/// What every development switch answers in this build.
const BUILT_WITHOUT: &str =
    "this command-api was built without dev tools (cargo feature `dev-tools`)";

/// A value no switch can take: [`refuse`] never produces one.
#[derive(Debug, Clone, Copy)]
pub enum Refused {}

/// The development switches, known only to be refused: a deployment that sets one
/// expects what it turns on, so it must not start without it.
#[derive(Debug, Clone, clap::Args)]
pub struct DevConfig {
    /// Refused: development only.
    #[arg(long, env = "DEV_WEB_DIR", hide = true, num_args = 0..=1, default_missing_value = "", value_parser = refuse)]
    dev_web_dir: Option<Refused>,
    /// Refused: development only.
    #[arg(long, env = "DEV_TOKEN_ISSUER", hide = true, num_args = 0..=1, default_missing_value = "", value_parser = refuse)]
    dev_token_issuer: Option<Refused>,
    /// Refused: development only.
    #[arg(long, env = "DEV_WSE_URL", hide = true, num_args = 0..=1, default_missing_value = "", value_parser = refuse)]
    dev_wse_url: Option<Refused>,
}

fn refuse(_: &str) -> Result<Refused, &'static str> {
    Err(BUILT_WITHOUT)
}

/// No development helper: there are none in this build.
#[derive(Debug, Clone, Default)]
pub struct DevTools;

impl DevTools {
    /// Nothing to turn on: a switch that was set has already stopped the parse.
    ///
    /// # Errors
    /// Never.
    pub fn from_config(_: &DevConfig, _: &AuthConfig) -> Result<Self, Infallible> {
        Ok(Self)
    }

    /// Empty: nothing is on.
    pub fn enabled(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// Mounts nothing.
    pub fn configure(&self, _: &mut web::ServiceConfig) {}
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::DevConfig;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        dev: DevConfig,
    }

    #[test]
    fn every_dev_switch_stops_the_start() {
        assert!(Cli::try_parse_from(["test"]).is_ok());
        for flag in [
            "--dev-web-dir=/web",
            "--dev-token-issuer",
            "--dev-token-issuer=true",
            "--dev-wse-url=ws://x/wse",
        ] {
            let error = Cli::try_parse_from(["test", flag]).expect_err(flag);
            assert!(
                error.to_string().contains("built without dev tools"),
                "{error}"
            );
        }
    }
}
