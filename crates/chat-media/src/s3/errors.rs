//! How the S3 client's errors become [`MediaError`]s: the store away (unreachable, timing
//! out, failing after the client's retries) is [`MediaError::Unavailable`]; a refusal a
//! retry will not change (credentials, permissions, a bad key) is [`MediaError::Refused`].

use crate::store::MediaError;

/// The [`MediaError`] for `error`, met while working on `key`.
pub(super) fn media_error(key: &str, error: object_store::Error) -> MediaError {
    match error {
        object_store::Error::NotFound { .. } => MediaError::NotFound {
            key: key.to_owned(),
        },
        // What the store answered with a reason of its own (403, 401, 409, 412, ...),
        // or what the client refused to send: a retry gets the same answer.
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. }
        | object_store::Error::InvalidPath { .. }
        | object_store::Error::AlreadyExists { .. }
        | object_store::Error::Precondition { .. }
        | object_store::Error::NotModified { .. }
        | object_store::Error::NotSupported { .. }
        | object_store::Error::NotImplemented { .. }
        | object_store::Error::UnknownConfigurationKey { .. } => MediaError::Refused(error.into()),
        // The rest names no reason: the connection failed or timed out, or the store
        // kept answering 5xx/429 through the client's retries (the client keeps no status
        // for those): the store is away, and the cause chain says how.
        _ => MediaError::Unavailable(error.into()),
    }
}
