//! End-to-end figures of the running system, through its public interfaces only.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use super::load::{Throughput, run};
use super::stats::Latencies;
use chat_test_kit::client::{Api, Socket, User};

/// `owner` creates a group chat named `bench` with `members`; its id.
///
/// # Errors
/// When the API does not answer 201.
pub async fn group(api: &Api, owner: &User, members: &[Uuid]) -> anyhow::Result<Uuid> {
    let (status, created) = api
        .try_call(
            owner,
            Method::POST,
            "/api/chats",
            Some(json!({ "type": "group", "name": "bench", "participants": members })),
            None,
        )
        .await?;
    anyhow::ensure!(status == 201, "create chat: {status} {created}");
    Ok(created["chat_id"].as_str().unwrap_or_default().parse()?)
}

/// Sustained sends: `concurrency` clients, each sending to a chat of its own (as busy
/// independent conversations do), for `duration`. Counts only 201s (read-your-writes
/// met); latencies are the POSTs'.
///
/// # Errors
/// When the chats cannot be created.
pub async fn sends(
    api: &Api,
    duration: Duration,
    concurrency: usize,
) -> anyhow::Result<Throughput> {
    let owner = User::new("Bench");
    let mut chats = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        chats.push(group(api, &owner, &[]).await?);
    }
    let (api, owner, chats) = (api.clone(), Arc::new(owner), Arc::new(chats));
    Ok(run(duration, concurrency, move |n| {
        let (api, owner, chats) = (api.clone(), Arc::clone(&owner), Arc::clone(&chats));
        async move {
            let chat = chats[(n as usize) % chats.len()];
            let body = json!({ "content": format!("benchmark message number {n} with some text") });
            match api
                .try_call(
                    &owner,
                    Method::POST,
                    &format!("/api/chats/{chat}/messages"),
                    Some(body),
                    None,
                )
                .await
            {
                Ok((201, _)) => Ok(()),
                Ok((status, _)) => Err(format!("status {status}")),
                Err(e) => Err(e.to_string()),
            }
        }
    })
    .await)
}

/// POST-to-WebSocket latency: from sending a message until a participant's socket has it,
/// one message at a time, `samples` times.
///
/// # Errors
/// When the chat cannot be created.
pub async fn delivery(api: &Api, ws_url: &str, samples: usize) -> anyhow::Result<Latencies> {
    let (sender, reader) = (User::new("Sender"), User::new("Reader"));
    let chat = group(api, &sender, &[reader.id]).await?;
    let mut socket = Socket::connect(ws_url, &reader, "").await;
    let mut latencies = Latencies::default();
    for i in 0..samples {
        let started = Instant::now();
        let (status, sent) = api
            .try_call(
                &sender,
                Method::POST,
                &format!("/api/chats/{chat}/messages"),
                Some(json!({ "content": format!("ping {i}") })),
                None,
            )
            .await?;
        anyhow::ensure!(status == 201, "send: {status}");
        let version = sent["version"].as_u64().unwrap_or_default();
        let seen = socket
            .events_until(chat, version, Duration::from_secs(10))
            .await;
        if seen.last().map(|(_, v)| *v) == Some(version) {
            latencies.record(started.elapsed());
        }
    }
    socket.close().await;
    Ok(latencies)
}

/// History reads: a page of 50 from a chat of `messages` messages, `samples` times.
///
/// # Errors
/// When the chat cannot be filled.
pub async fn history_reads(
    api: &Api,
    messages: usize,
    samples: usize,
) -> anyhow::Result<Latencies> {
    let owner = User::new("Historian");
    let chat = group(api, &owner, &[]).await?;
    for i in 0..messages {
        api.try_call(
            &owner,
            Method::POST,
            &format!("/api/chats/{chat}/messages"),
            Some(json!({ "content": format!("history {i}") })),
            None,
        )
        .await?;
    }
    let mut latencies = Latencies::default();
    for _ in 0..samples {
        let started = Instant::now();
        let (status, _) = api
            .try_call(
                &owner,
                Method::GET,
                &format!("/api/chats/{chat}/messages?limit=50"),
                None,
                None,
            )
            .await?;
        if status == 200 {
            latencies.record(started.elapsed());
        }
    }
    Ok(latencies)
}

/// Fan-out: one message to a chat of `members` members, each connected; the time until
/// the last member has it, `samples` times.
///
/// # Errors
/// When the chat cannot be created.
pub async fn fan_out(
    api: &Api,
    ws_url: &str,
    members: usize,
    samples: usize,
) -> anyhow::Result<Latencies> {
    let owner = User::new("Announcer");
    let users: Vec<User> = (0..members.saturating_sub(1))
        .map(|i| User::new(&format!("m{i}")))
        .collect();
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let chat = group(api, &owner, &ids).await?;
    let mut sockets = Vec::with_capacity(users.len());
    for chunk in users.chunks(100) {
        sockets.extend(join_all(chunk.iter().map(|u| Socket::connect(ws_url, u, ""))).await);
    }
    let mut latencies = Latencies::default();
    for i in 0..samples {
        let started = Instant::now();
        let (status, sent) = api
            .try_call(
                &owner,
                Method::POST,
                &format!("/api/chats/{chat}/messages"),
                Some(json!({ "content": format!("all hands {i}") })),
                None,
            )
            .await?;
        anyhow::ensure!(status == 201, "send: {status}");
        let version = sent["version"].as_u64().unwrap_or_default();
        let arrivals = futures_util::stream::iter(sockets.iter_mut())
            .map(|s| async move { s.events_until(chat, version, Duration::from_secs(30)).await })
            .buffer_unordered(members)
            .collect::<Vec<_>>()
            .await;
        if arrivals
            .iter()
            .all(|seen| seen.last().map(|(_, v)| *v) == Some(version))
        {
            latencies.record(started.elapsed());
        }
    }
    for socket in sockets {
        socket.close().await;
    }
    Ok(latencies)
}

/// Resident memory of a process, in KiB (Linux `/proc/<pid>/status`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Memory per idle connection: the gateway's RSS growth over `connections` idle sockets,
/// and (the baseline) this process's own growth holding the bare client ends of them.
/// Both in KiB per connection.
pub async fn idle_connection_memory(
    ws_url: &str,
    gateway_pid: u32,
    connections: usize,
) -> (f64, f64) {
    let users: Vec<User> = (0..10).map(|i| User::new(&format!("idle{i}"))).collect();
    let own = std::process::id();
    let (gateway_before, own_before) =
        (rss_kib(gateway_pid).unwrap_or(0), rss_kib(own).unwrap_or(0));
    let mut sockets = Vec::with_capacity(connections);
    for chunk in (0..connections).collect::<Vec<_>>().chunks(200) {
        sockets.extend(
            join_all(
                chunk
                    .iter()
                    .map(|i| Socket::connect(ws_url, &users[i % users.len()], "")),
            )
            .await,
        );
    }
    // Let both sides settle their buffers before measuring.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (gateway_after, own_after) = (rss_kib(gateway_pid).unwrap_or(0), rss_kib(own).unwrap_or(0));
    let per = |before: u64, after: u64| after.saturating_sub(before) as f64 / connections as f64;
    let result = (
        per(gateway_before, gateway_after),
        per(own_before, own_after),
    );
    drop(sockets);
    result
}
