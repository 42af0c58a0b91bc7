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

use anyhow::{Context, bail};
use chat_media::{MediaStore, S3MediaStore};
use futures_util::{StreamExt, TryStreamExt};
use integration_tests::bench::report::Figure;
use integration_tests::bench::stats::Latencies;
use integration_tests::client::{Api, User, http_client};
use integration_tests::system::System;
use reqwest::Method;
use serde_json::{Value, json};
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

    /// Throughput of `shape`'s files raw, then through the API.
    async fn uploads(&self, shape: Shape) -> anyhow::Result<Vec<Figure>> {
        let bytes = payload(shape.size);
        let raw = timed(shape, |i| {
            let bytes = bytes.clone();
            async move {
                let key = format!("{}{}-{}-{i}", self.raw_prefix, shape.size, shape.clients);
                let size = bytes.len() as u64;
                let url = self.store.presign_put(&key, MIME, size, TTL).await?;
                self.put(&url, bytes).await
            }
        })
        .await?;
        let api = timed(shape, |i| {
            self.upload_and_send(format!("bench-{i}.pdf"), bytes.clone())
        })
        .await?;
        let total = (shape.count * shape.size) as f64 / MB;
        let pace = if shape.clients == 1 {
            String::new()
        } else {
            format!(", {} clients", shape.clients)
        };
        let raw_name = format!("raw PUT {} files{pace}", shape.label);
        let raw_how = format!(
            "{}: PUTs to the object store through URLs pre-signed in the bench (no API)",
            shape.describe()
        );
        let api_how = format!(
            "{}: POST /api/chats/{{id}}/attachments, PUT to the URL it grants, \
             POST /api/chats/{{id}}/messages taking the upload (201)",
            shape.describe()
        );
        Ok(vec![
            Figure::new(&raw_name, total / raw.as_secs_f64(), "MB/s", None, &raw_how),
            Figure::new(
                &format!("upload via API {} files{pace}", shape.label),
                total / api.as_secs_f64(),
                "MB/s",
                Some(&raw_name),
                &api_how,
            ),
        ])
    }

    /// The API's upload flow for one file, as a client runs it.
    async fn upload_and_send(&self, name: String, bytes: bytes::Bytes) -> anyhow::Result<()> {
        let path = format!("/api/chats/{}/attachments", self.chat);
        let body = json!({ "name": name, "size": bytes.len(), "mime_type": MIME });
        let granted = self.call(201, Method::POST, &path, Some(body)).await?;
        let url = text(&granted, "upload_url")?;
        self.put(url, bytes).await?;
        let path = format!("/api/chats/{}/messages", self.chat);
        let body = json!({ "content": "", "attachment": { "upload_id": granted["upload_id"] } });
        self.call(201, Method::POST, &path, Some(body)).await?;
        Ok(())
    }

    /// Time to first byte of `samples` downloads through history URLs beside raw GETs
    /// (of the newest page's files, in turn).
    async fn downloads(&self, samples: usize) -> anyhow::Result<Vec<Figure>> {
        let items = self.history_files(samples).await?;
        let (mut raw, mut url_only, mut with_history) = (
            Latencies::default(),
            Latencies::default(),
            Latencies::default(),
        );
        for i in (0..items.len()).cycle().take(samples) {
            let item = &items[i];
            let signed = self
                .store
                .presign_get(text(item, "key")?, text(item, "name")?, TTL)
                .await?;
            raw.record(self.first_byte(&signed).await?);

            let began = Instant::now();
            let page = self.history().await?;
            let history = began.elapsed();
            let first = self
                .first_byte(text(&page[i]["attachment"], "url")?)
                .await?;
            url_only.record(first);
            with_history.record(history + first);
        }
        let n = samples;
        let raw_how = format!(
            "{n} GETs of 256 KiB objects through URLs pre-signed in the bench: request sent to first body byte"
        );
        let url_how = format!(
            "{n} GETs of the same objects through the URL their history item carries: request sent to first body byte"
        );
        let history_how = format!(
            "{n} times: GET /api/chats/{{id}}/messages?limit=100 (Bob), then GET of an item's URL to its first body byte"
        );
        let mut figures = Vec::new();
        for p in [50.0, 99.0] {
            let raw_name = format!("raw GET first byte p{p}");
            figures.extend([
                Figure::new(&raw_name, raw.percentile_ms(p), "ms", None, &raw_how),
                Figure::new(
                    &format!("download (history URL) first byte p{p}"),
                    url_only.percentile_ms(p),
                    "ms",
                    Some(&raw_name),
                    &url_how,
                ),
                Figure::new(
                    &format!("history then download first byte p{p}"),
                    with_history.percentile_ms(p),
                    "ms",
                    Some(&raw_name),
                    &history_how,
                ),
            ]);
        }
        self.store.delete_prefix(&self.raw_prefix).await?;
        Ok(figures)
    }

    /// The newest `count` file items of the chat's history (as Bob), once all are there.
    async fn history_files(&self, count: usize) -> anyhow::Result<Vec<Value>> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let page = self.history().await?;
            let files: Vec<Value> = page
                .iter()
                .filter_map(|m| m.get("attachment").cloned())
                .take(count)
                .collect();
            if files.len() >= count.min(100) {
                return Ok(files);
            }
            if Instant::now() > deadline {
                bail!("history shows {} files of {count} within 60 s", files.len());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

/// The wall time of `one(i)` for each of `shape`'s files, `shape.clients` at a time.
async fn timed<F, Fut>(shape: Shape, one: F) -> anyhow::Result<Duration>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let began = Instant::now();
    futures_util::stream::iter(0..shape.count)
        .map(one)
        .buffer_unordered(shape.clients)
        .try_collect::<()>()
        .await?;
    Ok(began.elapsed())
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
