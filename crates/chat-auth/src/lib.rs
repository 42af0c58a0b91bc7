//! `chat-auth`: who is calling, from a JWT. Shared by every service that faces users
//! (command-api's REST routes, the wse-gateway's WebSocket upgrade), so both accept
//! exactly the same tokens.
//!
//! - [`authenticator`]: [`Authenticator`] verifies a token (HS256 shared secret or RS256
//!   public key) into an [`Actor`](chat_domain::Actor); [`AuthError`] says why not.
//! - [`claims`]: [`ClaimRules`], what a token must claim besides its signature (time
//!   window with leeway, issuer, audience, a display name the text policy accepts).
//! - [`config`]: the clap block [`AuthConfig`] every such service flattens into its
//!   `Config`, and [`Authenticator::from_config`].

pub mod authenticator;
pub mod claims;
pub mod config;

pub use authenticator::{AuthError, Authenticator, KeyError};
pub use claims::ClaimRules;
pub use config::{AuthConfig, ConfigError};
