//! [`S3MediaStore`]: the media store on any S3-compatible object store (AWS S3, the local
//! SeaweedFS), through the `object_store` crate: its client signs every request and its
//! [`Signer`] makes the pre-signed URLs (SigV4), so no signing is written here.
//!
//! Layout: [`config`] (the `S3_*` settings), `errors` (client errors to [`MediaError`]).

pub mod config;
mod errors;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::signer::{HeaderName, HeaderValue, Method, SignedUrlOptions, Signer};
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use secrecy::ExposeSecret;

use self::config::{ConfigError, S3Config, required};
use self::errors::media_error;
use crate::store::{MediaError, MediaFuture, MediaStore, Result};

/// How long the store may take to accept a connection before it counts as away.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The longest one request may take: a 50 MiB put (a Telegram file copied in) included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Retries of a failed request: few and quick, so that an outage reaches the caller (a
/// 503) within seconds instead of the client's default three minutes.
const RETRY: RetryConfig = RetryConfig {
    backoff: BackoffConfig {
        init_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        base: 2.0,
    },
    max_retries: 2,
    retry_timeout: Duration::from_secs(5),
};

/// The media store on an S3 bucket.
#[derive(Debug, Clone)]
pub struct S3MediaStore {
    s3: Arc<AmazonS3>,
}

impl S3MediaStore {
    /// The store `config` names.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] naming the first setting not given, or
    /// [`ConfigError::Client`] when the client refuses them.
    pub fn new(config: &S3Config) -> Result<Self, ConfigError> {
        let endpoint = required(config.s3_endpoint.as_ref(), "S3_ENDPOINT")?;
        let bucket = required(config.s3_bucket.as_ref(), "S3_BUCKET")?;
        let key_id = required(config.s3_access_key_id.as_ref(), "S3_ACCESS_KEY_ID")?;
        let secret = required(config.s3_secret_access_key.as_ref(), "S3_SECRET_ACCESS_KEY")?;
        let client = ClientOptions::new()
            .with_allow_http(endpoint.starts_with("http://"))
            .with_connect_timeout(CONNECT_TIMEOUT)
            .with_timeout(REQUEST_TIMEOUT);
        let s3 = AmazonS3Builder::new()
            .with_endpoint(endpoint)
            .with_bucket_name(bucket)
            .with_region(&config.s3_region)
            .with_access_key_id(key_id)
            .with_secret_access_key(secret.expose_secret())
            // Path-style URLs (`endpoint/bucket/key`): self-hosted stores have no
            // per-bucket host names, and AWS still serves them.
            .with_virtual_hosted_style_request(false)
            .with_client_options(client)
            .with_retry(RETRY)
            .build()
            .map_err(ConfigError::Client)?;
        Ok(Self { s3: Arc::new(s3) })
    }

    /// The store the `S3_*` environment variables name (tests, the bench).
    ///
    /// # Errors
    /// As [`S3MediaStore::new`], and [`ConfigError::Environment`] when a variable cannot
    /// be read.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::new(&S3Config::from_env()?)
    }

    /// A URL for `method` on `key`, valid for `ttl`, binding `options` into the signature.
    async fn sign(
        &self,
        method: Method,
        key: &str,
        ttl: Duration,
        options: SignedUrlOptions,
    ) -> Result<String> {
        let path = path(key)?;
        // Signing is local (static credentials): a failure is never the store being away.
        self.s3
            .signed_url_opts(method, &path, ttl, &options)
            .await
            .map(String::from)
            .map_err(|e| MediaError::Refused(e.into()))
    }
}

/// The object path of `key`, refused when it is not a valid path (empty segments, `..`).
fn path(key: &str) -> Result<Path> {
    Path::parse(key).map_err(|e| MediaError::Refused(e.into()))
}

/// A header value from a string the caller checked (a MIME type).
fn header(value: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(value).map_err(|e| MediaError::Refused(e.into()))
}

/// `Content-Disposition` offering the object for saving as `file_name` (RFC 6266): an
/// ASCII stand-in for old clients, and the exact name UTF-8 percent-encoded.
fn attachment_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let exact = utf8_percent_encode(file_name, NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

impl MediaStore for S3MediaStore {
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        mime_type: &'a str,
        _size: u64,
        ttl: Duration,
    ) -> MediaFuture<'a, String> {
        Box::pin(async move {
            // The type is signed: a PUT of another type is refused by the store (403)
            // before it keeps a byte. The length cannot be (the client's signer owns
            // that header, and S3 checks a length range only on POST-policy uploads):
            // `head` tells the size that arrived, checked before a message takes it.
            let options = SignedUrlOptions::default()
                .with_signed_header(HeaderName::from_static("content-type"), header(mime_type)?);
            self.sign(Method::PUT, key, ttl, options).await
        })
    }

    fn put<'a>(&'a self, key: &'a str, bytes: Bytes, mime_type: &'a str) -> MediaFuture<'a, ()> {
        Box::pin(async move {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, mime_type.to_owned().into());
            let options = PutOptions {
                attributes,
                ..PutOptions::default()
            };
            self.s3
                .put_opts(&path(key)?, PutPayload::from(bytes), options)
                .await
                .map(|_| ())
                .map_err(|e| media_error(key, e))
        })
    }

    fn head<'a>(&'a self, key: &'a str) -> MediaFuture<'a, Option<u64>> {
        Box::pin(async move {
            match self.s3.head(&path(key)?).await {
                Ok(meta) => Ok(Some(meta.size)),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(media_error(key, e)),
            }
        })
    }

    fn get<'a>(&'a self, key: &'a str) -> MediaFuture<'a, Bytes> {
        Box::pin(async move {
            let object = self
                .s3
                .get(&path(key)?)
                .await
                .map_err(|e| media_error(key, e))?;
            object.bytes().await.map_err(|e| media_error(key, e))
        })
    }

    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        file_name: &'a str,
        ttl: Duration,
    ) -> MediaFuture<'a, String> {
        Box::pin(async move {
            let options = SignedUrlOptions::default().with_query([(
                "response-content-disposition",
                attachment_disposition(file_name),
            )]);
            self.sign(Method::GET, key, ttl, options).await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> MediaFuture<'a, ()> {
        Box::pin(async move {
            // S3 answers 204 for an absent key too: idempotent by itself.
            self.s3
                .delete(&path(key)?)
                .await
                .map_err(|e| media_error(key, e))
        })
    }

    fn delete_prefix<'a>(&'a self, prefix: &'a str) -> MediaFuture<'a, u64> {
        Box::pin(async move {
            // The client lists whole path segments (`chats/a` never lists `chats/ab/..`):
            // list from the prefix's last `/` and keep the keys that start with it, so a
            // prefix means what it says whether or not it ends at a segment.
            let folder = prefix.rfind('/').map_or("", |end| &prefix[..end]);
            let folder = path(folder)?;
            let wanted = prefix.to_owned();
            let keys = self
                .s3
                .list(Some(&folder))
                .try_filter(move |meta| {
                    std::future::ready(meta.location.as_ref().starts_with(&wanted))
                })
                .map_ok(|meta| meta.location)
                .boxed();
            let deleted = self
                .s3
                .delete_stream(keys)
                .try_fold(0_u64, |count, _| std::future::ready(Ok(count + 1)))
                .await
                .map_err(|e| media_error(prefix, e))?;
            Ok(deleted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_is_offered_exactly_and_as_ascii() {
        assert_eq!(
            attachment_disposition("Отчёт \"Q3\".pdf"),
            "attachment; filename=\"_____ _Q3_.pdf\"; \
             filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%22Q3%22%2Epdf"
        );
    }

    #[test]
    fn a_missing_setting_is_named() {
        let config = S3Config {
            s3_endpoint: Some("http://127.0.0.1:8333".into()),
            s3_bucket: Some("chat-media".into()),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_region: "us-east-1".into(),
        };
        let error = S3MediaStore::new(&config).unwrap_err();
        assert!(matches!(error, ConfigError::Missing("S3_ACCESS_KEY_ID")));
        assert!(error.to_string().starts_with("S3_ACCESS_KEY_ID is not set"));
    }
}
