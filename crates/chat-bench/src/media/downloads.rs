//! Downloads: time to first byte through the URL a history item carries, and through
//! the history request plus that URL, beside a GET through a URL pre-signed here.

use std::time::{Duration, Instant};

use crate::bench::report::Figure;
use crate::bench::stats::Latencies;
use anyhow::bail;
use chat_media::MediaStore;
use serde_json::Value;

use super::{Bench, TTL, text};

impl Bench {
    /// Time to first byte of `samples` downloads through history URLs beside raw GETs
    /// (of the newest page's files, in turn).
    pub(super) async fn downloads(&self, samples: usize) -> anyhow::Result<Vec<Figure>> {
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
}
