//! Media: moving a file's bytes through the API's flow beside moving them to the object
//! store directly, in the same run, against the same store (the local SeaweedFS).
//!
//! - Upload throughput (MB/s): the API flow (`POST /api/chats/{id}/attachments`, PUT of
//!   the bytes to the pre-signed URL it grants, then the send that takes the upload)
//!   beside raw PUTs of the same bytes through URLs pre-signed here.
//!   `BENCH_MEDIA_LARGE` files of 8 MiB (default 20) one at a time, and
//!   `BENCH_MEDIA_SMALL` of 256 KiB (default 200) one and eight at a time.
//! - Download time to first byte: a GET of the URL a history item carries beside a GET
//!   of a URL pre-signed here for the same object, and the history request plus that GET
//!   (what a client waits for when it opens a chat and a file).

use std::time::{Duration, Instant};

mod downloads;
mod uploads;

use crate::bench::report::Figure;
use anyhow::{Context, bail};
use chat_media::{MediaStore, S3MediaStore};
use chat_test_kit::client::{Api, User, http_client};
use chat_test_kit::system::System;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

/// The MIME type of every benchmark file (a document: files may be up to 50 MiB).
const MIME: &str = "application/pdf";
/// How long a URL pre-signed here works (the API's own TTLs are its configuration's).
const TTL: Duration = Duration::from_secs(900);
/// One MB, as throughput is reported (MB/s, 10^6 bytes).
const MB: f64 = 1_000_000.0;

/// Files of one size, uploaded both ways by as many clients at once.
#[derive(Debug, Clone, Copy)]
struct Shape {
    label: &'static str,
    count: usize,
    size: usize,
    clients: usize,
}

impl Shape {
    /// "8 MiB files" or "256 KiB files, 8 clients" (for the figures' names).
    fn name(self) -> String {
        match self.clients {
            1 => format!("{} files", self.label),
            n => format!("{} files, {n} clients", self.label),
        }
    }

    /// "20 files of 8 MiB, one at a time" (for the figures' how).
    fn describe(self) -> String {
        let pace = match self.clients {
            1 => "one at a time".to_owned(),
            n => format!("{n} at a time"),
        };
        format!("{} files of {}, {pace}", self.count, self.label)
    }
}

fn count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Uploads every shape both ways, then times downloads of the small files.
///
/// # Errors
/// When the store is not configured (`S3_*`) or a request fails.
pub async fn measure(system: &System) -> anyhow::Result<Vec<Figure>> {
    let bench = Bench::new(system).await?;
    let (large, small) = (
        count("BENCH_MEDIA_LARGE", 20),
        count("BENCH_MEDIA_SMALL", 200),
    );
    let shape = |label, count, size, clients| Shape {
        label,
        count,
        size,
        clients,
    };
    let shapes = [
        shape("8 MiB", large, 8 << 20, 1),
        shape("256 KiB", small, 256 << 10, 1),
        // Small files pay the API's two requests per file: with a few in flight, is the
        // API still keeping up with the byte stream?
        shape("256 KiB", small, 256 << 10, 8),
    ];
    let mut figures = Vec::new();
    for shape in shapes {
        eprintln!("media: {}, through the API and raw", shape.describe());
        figures.extend(bench.uploads(shape).await?);
    }
    eprintln!("media: downloads, time to first byte");
    figures.extend(bench.downloads(small).await?);
    bench.store.delete_prefix(&bench.raw_prefix).await?;
    Ok(figures)
}

/// A chat of two, the store, and HTTP clients for both.
struct Bench {
    api: Api,
    store: S3MediaStore,
    http: reqwest::Client,
    alice: User,
    bob: User,
    chat: Uuid,
    /// Where this run's raw objects go (removed at the end).
    raw_prefix: String,
}

impl Bench {
    async fn new(system: &System) -> anyhow::Result<Self> {
        let store = S3MediaStore::from_env().context("the object store (S3_*)")?;
        let api = Api::new(system.api());
        let (alice, bob) = (User::new("Alice"), User::new("Bob"));
        let chat = api.create_group(&alice, &[&bob]).await;
        Ok(Self {
            api,
            store,
            http: http_client(),
            alice,
            bob,
            chat,
            raw_prefix: format!("bench/{}/", Uuid::new_v4()),
        })
    }

    /// The newest page of the chat's history as Bob.
    async fn history(&self) -> anyhow::Result<Vec<Value>> {
        let path = format!("/api/chats/{}/messages?limit=100", self.chat);
        let page = self
            .call_as(&self.bob, 200, Method::GET, &path, None)
            .await?;
        page["messages"]
            .as_array()
            .cloned()
            .context("history without messages")
    }

    /// PUTs `bytes` typed [`MIME`] to a pre-signed `url`.
    async fn put(&self, url: &str, bytes: bytes::Bytes) -> anyhow::Result<()> {
        let response = self
            .http
            .put(url)
            .header("content-type", MIME)
            .body(bytes)
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "PUT answered {}: {}",
                response.status(),
                response.text().await?
            );
        }
        Ok(())
    }

    /// From sending a GET of `url` to its first body byte; the rest is read (and not
    /// timed) so the connection is reused.
    async fn first_byte(&self, url: &str) -> anyhow::Result<Duration> {
        let began = Instant::now();
        let mut response = self.http.get(url).send().await?.error_for_status()?;
        let first = response.chunk().await?;
        let elapsed = began.elapsed();
        if first.is_none() {
            bail!("GET {url} answered no body");
        }
        while response.chunk().await?.is_some() {}
        Ok(elapsed)
    }

    /// Alice calls the API, expecting `status`.
    async fn call(
        &self,
        status: u16,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        self.call_as(&self.alice, status, method, path, body).await
    }

    async fn call_as(
        &self,
        user: &User,
        status: u16,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let (got, json) = self
            .api
            .try_call(user, method.clone(), path, body, None)
            .await?;
        if got != status {
            bail!("{method} {path} answered {got} (wanted {status}): {json}");
        }
        Ok(json)
    }
}

/// `json[field]` as text.
fn text<'a>(json: &'a Value, field: &str) -> anyhow::Result<&'a str> {
    json[field]
        .as_str()
        .with_context(|| format!("no {field} in {json}"))
}

/// `len` bytes that are not all alike (no store or link compresses them away).
fn payload(len: usize) -> bytes::Bytes {
    let mut state = 0x2545_f491_u32;
    (0..len)
        .map(|_| {
            // xorshift: cheap, and incompressible enough for a byte stream.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}
