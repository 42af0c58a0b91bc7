//! A client that stops reading is cut off; the others keep receiving everything.

use std::time::Duration;

use chat_domain::testing::fixtures::create_group;

use crate::closing::flood_until_cut;
use crate::helpers::{Incoming, PATIENCE, Script, Stage, event_of, new_user, versions};

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_and_the_others_get_everything() {
    let stage = Stage::new(3).await;
    let gateway = stage
        .gateway(&["--connection-buffer=16", "--idle-timeout-ms=120000"])
        .await;
    let (ann, bob) = (new_user(), new_user());
    let mut chat = Script::new();
    chat.decide(create_group(ann, chat.id, &[bob]));
    stage.member(chat.id, ann, 2).await;
    stage.member(chat.id, bob, 3).await;

    // Bob's client never reads; a small receive buffer makes the socket fill quickly.
    let mut slow = gateway.connect_small_buffer(bob).await;

    // Ann reads everything, concurrently.
    let mut fast = gateway.connect(ann, "").await;
    let (done_tx, done_rx) = tokio::sync::oneshot::channel::<u64>();
    let chat_id = chat.id;
    let reader = tokio::spawn(async move {
        let mut seen = Vec::new();
        let mut last = None;
        let mut done = done_rx;
        loop {
            if let Ok(until) = done.try_recv() {
                last = Some(until);
            }
            if let Some(until) = last
                && seen.last().is_some_and(|(_, v)| *v >= until)
            {
                return seen;
            }
            match fast.next_within(Duration::from_millis(200)).await {
                Some(Incoming::Frame(frame)) => seen.extend(event_of(&frame)),
                Some(Incoming::Closed(close)) => panic!("the fast client was closed: {close:?}"),
                None => {}
            }
        }
    });

    // Large messages until the gateway cuts the slow client.
    let started = tokio::time::Instant::now();
    flood_until_cut(&stage, &gateway, &mut chat, ann, PATIENCE * 4).await;
    println!(
        "slow client cut after {} events, {:?}",
        chat.version(),
        started.elapsed()
    );
    // The others keep receiving.
    for _ in 0..20 {
        stage.produce(&chat.send(ann)).await;
    }
    let total = chat.version();
    done_tx.send(total).expect("the reader waits");
    let seen = reader.await.expect("the reader");
    assert_eq!(versions(&seen, chat_id), (4..=total).collect::<Vec<_>>());

    // The slow client, reading at last, finds a prefix and then the close inviting resume.
    let mut got = Vec::new();
    let close = loop {
        match slow.next().await {
            Incoming::Frame(frame) => got.extend(event_of(&frame)),
            Incoming::Closed(close) => break close,
        }
    };
    let got = versions(&got, chat_id);
    println!(
        "slow client got {} of {} events, then {close:?}",
        got.len(),
        seen.len()
    );
    assert!(got.len() < seen.len(), "it was cut before the end");
    assert_eq!(
        got,
        (4..4 + got.len() as u64).collect::<Vec<_>>(),
        "a gapless prefix"
    );
    // The close frame waits (up to 30 s) for room in the socket, which reading made.
    let (code, reason) = close.expect("a close frame after the frames");
    assert_eq!(code, 1013, "{reason}");
    assert!(reason.contains("resume"), "{reason}");

    // Operators see it: the scraped /metrics counts the dropped client, the routed events
    // and exports the open connections (tests share the process-wide registry: at least).
    let metrics = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .get(format!("http://{}/metrics", gateway.addr))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    assert!(
        sample(&metrics, "wse_dropped_clients_total") >= 1.0,
        "{metrics}"
    );
    assert!(sample(&metrics, "wse_events_routed_total") >= seen.len() as f64);
    assert!(
        sample(&metrics, "wse_connections") >= 0.0,
        "the connections gauge is exported"
    );
    assert!(
        metrics.contains("http_requests_total{method=\"GET\",route=\"/wse\""),
        "{metrics}"
    );
}

/// The value of an unlabelled series in a Prometheus text exposition.
fn sample(exposition: &str, name: &str) -> f64 {
    exposition
        .lines()
        .find_map(|line| {
            line.strip_prefix(name)?
                .strip_prefix(' ')?
                .trim()
                .parse()
                .ok()
        })
        .unwrap_or_else(|| panic!("{name} missing"))
}
