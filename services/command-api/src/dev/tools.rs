//! The helpers themselves (feature `dev-tools`): their switches, and mounting what they
//! turn on.

use std::path::PathBuf;

use actix_web::http::header::LOCATION;
use actix_web::{HttpResponse, web};
use chat_auth::AuthConfig;

use crate::dev::routes;

use crate::dev::routes::DemoSignIn;
use crate::dev::users::TokenIssuer;

/// The development-only switches. Never set in production.
#[derive(Debug, Clone, clap::Args)]
pub struct DevConfig {
    /// Development only: serve the web client in this directory under `/app/`.
    #[arg(long, env = "DEV_WEB_DIR")]
    pub dev_web_dir: Option<PathBuf>,
    /// Development only: mint tokens for the demo users (`GET /dev/users`,
    /// `POST /dev/token`); needs the HS256 secret. The variable takes 1/0, true/false,
    /// yes/no, on/off.
    #[arg(
        long,
        env = "DEV_TOKEN_ISSUER",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub dev_token_issuer: bool,
    /// Development only: the gateway's WebSocket URL, handed to the web client with its
    /// token.
    #[arg(long, env = "DEV_WSE_URL", default_value = "ws://127.0.0.1:8081/wse")]
    pub dev_wse_url: String,
}

/// A development switch that cannot work as configured.
#[derive(Debug, thiserror::Error)]
pub enum DevError {
    /// The issuer signs with the HS256 secret; an RS256 public key cannot sign.
    #[error("DEV_TOKEN_ISSUER needs JWT_HS256_SECRET: demo tokens are signed with it")]
    NoHs256Secret,
    /// `DEV_WEB_DIR` names no directory.
    #[error("DEV_WEB_DIR {0} is not a directory")]
    NoWebDir(PathBuf),
}

/// The enabled development helpers (none by default).
#[derive(Debug, Clone, Default)]
pub struct DevTools {
    web_dir: Option<PathBuf>,
    sign_in: Option<web::Data<DemoSignIn>>,
}

impl DevTools {
    /// The helpers `dev` turns on, signing with the secret of `auth`.
    ///
    /// # Errors
    /// [`DevError`] when a switch is on but cannot work.
    pub fn from_config(dev: &DevConfig, auth: &AuthConfig) -> Result<Self, DevError> {
        let web_dir = match &dev.dev_web_dir {
            Some(dir) if !dir.is_dir() => return Err(DevError::NoWebDir(dir.clone())),
            other => other.clone(),
        };
        let sign_in = if dev.dev_token_issuer {
            let secret = auth
                .jwt_hs256_secret
                .as_deref()
                .filter(|s| !s.is_empty())
                .ok_or(DevError::NoHs256Secret)?;
            Some(web::Data::new(DemoSignIn {
                issuer: TokenIssuer::hs256(secret.as_bytes(), &auth.claim_rules()),
                wse_url: dev.dev_wse_url.clone(),
            }))
        } else {
            None
        };
        Ok(Self { web_dir, sign_in })
    }

    /// What is on, for the start-up log; empty when nothing is.
    pub fn enabled(&self) -> Vec<&'static str> {
        let mut on = Vec::new();
        if self.web_dir.is_some() {
            on.push("web client at /app/");
        }
        if self.sign_in.is_some() {
            on.push("demo token issuer at /dev/token");
        }
        on
    }

    /// Mounts what is enabled (nothing when nothing is).
    pub fn configure(&self, cfg: &mut web::ServiceConfig) {
        if let Some(sign_in) = &self.sign_in {
            cfg.app_data(sign_in.clone())
                .route("/dev/users", web::get().to(routes::list))
                .route("/dev/token", web::post().to(routes::token));
        }
        if let Some(dir) = &self.web_dir {
            cfg.route("/", web::get().to(to_app)).service(
                actix_files::Files::new("/app", dir)
                    .index_file("index.html")
                    .redirect_to_slash_directory()
                    // ETag only: without Last-Modified the browser revalidates every
                    // load, so an edited file shows on the next reload.
                    .use_last_modified(false),
            );
        }
    }
}

/// `GET /` with the web client on: go to it.
async fn to_app() -> HttpResponse {
    HttpResponse::Found()
        .insert_header((LOCATION, "/app/"))
        .finish()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        auth: AuthConfig,
        #[command(flatten)]
        dev: DevConfig,
    }

    fn tools(args: &[&str]) -> Result<DevTools, DevError> {
        let cli = Cli::parse_from(std::iter::once("test").chain(args.iter().copied()));
        DevTools::from_config(&cli.dev, &cli.auth)
    }

    #[test]
    fn nothing_is_on_by_default() {
        assert!(tools(&[]).expect("default").enabled().is_empty());
    }

    #[test]
    fn the_issuer_needs_the_hs256_secret() {
        assert!(matches!(
            tools(&["--dev-token-issuer"]),
            Err(DevError::NoHs256Secret)
        ));
        let on = tools(&["--dev-token-issuer", "--jwt-hs256-secret=s"]).expect("on");
        assert_eq!(on.enabled(), ["demo token issuer at /dev/token"]);
    }

    #[test]
    fn the_web_dir_must_exist() {
        assert!(matches!(
            tools(&["--dev-web-dir=/nonexistent/web"]),
            Err(DevError::NoWebDir(_))
        ));
        let dir = std::env::temp_dir();
        let on = tools(&[&format!("--dev-web-dir={}", dir.display())]).expect("on");
        assert_eq!(on.enabled(), ["web client at /app/"]);
    }
}
