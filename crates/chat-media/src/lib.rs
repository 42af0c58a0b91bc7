//! `chat-media`: where the bytes of media messages live.
//!
//! Messages carry only an object key and the file's facts (`chat_domain::Attachment`);
//! the bytes go to an S3-compatible object store. Clients upload and download them directly with short-lived
//! pre-signed URLs, so no service stands in the byte stream; services use the store
//! directly only to check an upload ([`MediaStore::head`]), to copy Telegram media in
//! ([`MediaStore::put`], [`MediaStore::get`]) and to remove objects.
//!
//! Layout:
//! - [`store`]: the [`MediaStore`] port and its [`MediaError`].
//! - [`memory`]: [`MemoryMediaStore`], for fast tests (its URLs are `memory://` tokens).
//! - [`s3`]: [`S3MediaStore`], the S3 adapter over the `object_store` crate (production
//!   and local runs), configured by [`S3Config`] (`S3_*`).

pub mod memory;
pub mod s3;
pub mod store;

pub use memory::MemoryMediaStore;
pub use s3::S3MediaStore;
pub use s3::config::{ConfigError, S3Config};
pub use store::{MediaError, MediaFuture, MediaStore, Result};
