//! JWTs for tests, signed with a test secret.

use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;
use uuid::Uuid;

/// The HS256 secret the test services verify with.
pub const TEST_SECRET: &str = "test-secret-not-for-production";

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Signs `claims` with `secret`.
///
/// # Panics
/// Never for JSON claims.
pub fn sign(claims: &serde_json::Value, secret: &str) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign token")
}

/// A valid token for `user` named `name`, good for an hour.
pub fn user_token(user: Uuid, name: &str) -> String {
    sign(
        &json!({ "sub": user, "name": name, "exp": now() + 3600 }),
        TEST_SECRET,
    )
}

/// A token for `user` that expired an hour ago.
pub fn expired_token(user: Uuid) -> String {
    sign(&json!({ "sub": user, "exp": now() - 3600 }), TEST_SECRET)
}

/// A token of the service identity `service`.
pub fn service_token(service: &str) -> String {
    sign(
        &json!({ "sub": service, "service": service, "exp": now() + 3600 }),
        TEST_SECRET,
    )
}
