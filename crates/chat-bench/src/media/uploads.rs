//! Uploads: throughput of the API's flow beside raw PUTs of the same bytes, and what
//! each step of the flow takes.

use std::future::Future;
use std::ops::Range;
use std::time::{Duration, Instant};

use crate::bench::report::Figure;
use crate::bench::stats::Latencies;
use chat_media::MediaStore;
use futures_util::{StreamExt, TryStreamExt};
use reqwest::Method;
use serde_json::json;

use super::{Bench, MB, MIME, Shape, TTL, payload, text};

/// What each request of one upload through the API took.
#[derive(Debug, Clone, Copy)]
struct Steps {
    grant: Duration,
    put: Duration,
    send: Duration,
}

impl Bench {
    /// Throughput of `shape`'s files raw and through the API, in the order raw, API, API,
    /// raw over the two halves of the files, so a drift of the store's speed during the
    /// run weighs on both alike; then each step's p50.
    pub(super) async fn uploads(&self, shape: Shape) -> anyhow::Result<Vec<Figure>> {
        let bytes = payload(shape.size);
        let raw_one = |i: usize| {
            let bytes = bytes.clone();
            async move {
                let key = format!("{}{}-{}-{i}", self.raw_prefix, shape.size, shape.clients);
                let url = self
                    .store
                    .presign_put(&key, MIME, bytes.len() as u64, TTL)
                    .await?;
                let began = Instant::now();
                self.put(&url, bytes).await?;
                Ok(began.elapsed())
            }
        };
        let api_one = |i: usize| self.upload_and_send(format!("bench-{i}.pdf"), bytes.clone());
        let half = shape.count / 2;
        let (first, second) = (0..half, half..shape.count);
        let raw_a = timed(first.clone(), shape.clients, &raw_one).await?;
        let api_a = timed(first, shape.clients, &api_one).await?;
        let api_b = timed(second.clone(), shape.clients, &api_one).await?;
        let raw_b = timed(second, shape.clients, &raw_one).await?;

        let total = (shape.count * shape.size) as f64 / MB;
        let raw_name = format!("raw PUT {}", shape.name());
        let api_name = format!("upload via API {}", shape.name());
        let raw_how = format!(
            "{}: PUTs to the object store through URLs pre-signed in the bench (no API)",
            shape.describe()
        );
        let api_how = format!(
            "{}: POST /api/chats/{{id}}/attachments, PUT to the URL it grants, \
             POST /api/chats/{{id}}/messages taking the upload (201)",
            shape.describe()
        );
        let raw_secs = (raw_a.0 + raw_b.0).as_secs_f64();
        let api_secs = (api_a.0 + api_b.0).as_secs_f64();
        let mut figures = vec![
            Figure::new(&raw_name, total / raw_secs, "MB/s", None, &raw_how),
            Figure::new(
                &api_name,
                total / api_secs,
                "MB/s",
                Some(&raw_name),
                &api_how,
            ),
        ];
        let raw_puts = latencies(raw_a.1.into_iter().chain(raw_b.1), |d| d);
        let steps: Vec<Steps> = api_a.1.into_iter().chain(api_b.1).collect();
        let raw_put_name = format!("{raw_name}: one PUT p50");
        figures.push(Figure::new(
            &raw_put_name,
            raw_puts.percentile_ms(50.0),
            "ms",
            None,
            "each raw PUT, request sent to answer",
        ));
        for (step, pick, baseline, how) in [
            (
                "POST attachments",
                (|s: &Steps| s.grant) as fn(&Steps) -> Duration,
                None,
                "the grant of a pre-signed PUT",
            ),
            (
                "PUT",
                |s: &Steps| s.put,
                Some(raw_put_name.as_str()),
                "the PUT to the granted URL",
            ),
            (
                "send",
                |s: &Steps| s.send,
                None,
                "the send that takes the upload (201)",
            ),
        ] {
            let step_latencies = latencies(steps.iter(), pick);
            figures.push(Figure::new(
                &format!("{api_name}: {step} p50"),
                step_latencies.percentile_ms(50.0),
                "ms",
                baseline,
                how,
            ));
        }
        Ok(figures)
    }

    /// The API's upload flow for one file, as a client runs it; each request's time.
    async fn upload_and_send(&self, name: String, bytes: bytes::Bytes) -> anyhow::Result<Steps> {
        let began = Instant::now();
        let path = format!("/api/chats/{}/attachments", self.chat);
        let body = json!({ "name": name, "size": bytes.len(), "mime_type": MIME });
        let granted = self.call(201, Method::POST, &path, Some(body)).await?;
        let grant = began.elapsed();
        let began = Instant::now();
        self.put(text(&granted, "upload_url")?, bytes).await?;
        let put = began.elapsed();
        let began = Instant::now();
        let path = format!("/api/chats/{}/messages", self.chat);
        let body = json!({ "content": "", "attachment": { "upload_id": granted["upload_id"] } });
        self.call(201, Method::POST, &path, Some(body)).await?;
        Ok(Steps {
            grant,
            put,
            send: began.elapsed(),
        })
    }
}

/// The wall time of `one(i)` for each file in `files`, `clients` at a time, and what
/// each returned.
async fn timed<T, F, Fut>(
    files: Range<usize>,
    clients: usize,
    one: &F,
) -> anyhow::Result<(Duration, Vec<T>)>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let began = Instant::now();
    let each = futures_util::stream::iter(files)
        .map(one)
        .buffer_unordered(clients)
        .try_collect()
        .await?;
    Ok((began.elapsed(), each))
}

/// The durations `pick` takes from `items`.
fn latencies<I: IntoIterator>(items: I, pick: impl Fn(I::Item) -> Duration) -> Latencies {
    let mut latencies = Latencies::default();
    for item in items {
        latencies.record(pick(item));
    }
    latencies
}
