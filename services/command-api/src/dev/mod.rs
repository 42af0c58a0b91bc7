//! Development-only helpers for `make run`, compiled only with the cargo feature
//! `dev-tools` (which `make run` and the tests turn on, and release builds and container
//! images leave off), and even then off unless a `DEV_*` flag turns them on:
//!
//! - `--dev-web-dir` (`DEV_WEB_DIR`): serves the web chat client (`deploy/local/web/`)
//!   under `/app/`, same-origin with the REST API so the browser needs no CORS; `/`
//!   redirects there. The gateway is another origin, but WebSockets are not subject to
//!   CORS.
//! - `--dev-token-issuer` (`DEV_TOKEN_ISSUER=1`): `GET /dev/users` lists the fixed demo
//!   users ([`users::DEMO_USERS`]) and `POST /dev/token {"user": "alice"}` mints a token
//!   for one with the configured HS256 secret (and the configured `JWT_ISSUER` and
//!   `JWT_AUDIENCE`), plus `--dev-wse-url` for the client.
//!
//! A build without the feature has none of this code; its `DevConfig` knows the switches
//! only to refuse them: setting any `DEV_*` variable or `--dev-*` flag stops it at start
//! ("built without dev tools") instead of running without what was asked for.
//! `deploy/k8s/images/check-release-features.sh` (run by `make k8s-check`) checks that the
//! images build command-api without the feature, and the Kubernetes policy check
//! (`deploy/k8s/validate.py`) refuses every `DEV_*` setting and `--dev-*` argument.
//!
//! These routes are deliberately outside `/api`, outside `crate::http::ROUTES` and so
//! outside the OpenAPI document: that document describes what every deployment serves,
//! and these exist only in a developer's `make run` (with the flags off they answer the
//! API's JSON 404 like any unknown path).

#[cfg(not(feature = "dev-tools"))]
mod absent;
#[cfg(feature = "dev-tools")]
pub mod routes;
#[cfg(feature = "dev-tools")]
mod tools;
#[cfg(feature = "dev-tools")]
pub mod users;

#[cfg(not(feature = "dev-tools"))]
pub use absent::{DevConfig, DevTools};
#[cfg(feature = "dev-tools")]
pub use tools::{DevConfig, DevError, DevTools};
