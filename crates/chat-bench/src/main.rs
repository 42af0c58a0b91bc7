//! chat-bench: the benchmark behind `make bench`. Measures, in one run on this machine, the
//! raw servers (baselines) and the whole system started as real processes (end to end,
//! capacity, per-hop breakdown), and writes the report as markdown and JSON. It asserts
//! nothing: it measures. Each phase lives in [`bench`] (or, when it needs command-api's own
//! code, in [`finding`], [`growth`] and [`media`]) and returns its figures; main only runs
//! them in order. The system under measure is started by `chat_test_kit::system`.

mod bench;
mod finding;
mod growth;
mod media;

use bench::offered::SendLoad;
use bench::report::Report;
use bench::{capacity, e2e, hops, raw};
use chat_test_kit::client::Api;
use chat_test_kit::system::System;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `BENCH_ONLY=finding` or `media`: that phase alone (a quick look at one change).
    match std::env::var("BENCH_ONLY").as_deref() {
        Ok("finding") => {
            let system = System::start().await;
            return Report::now(finding::measure(&system).await?)?.write();
        }
        Ok("media") => {
            let system = System::start().await;
            return Report::now(media::measure(&system).await?)?.write();
        }
        _ => {}
    }
    let duration = bench::phase_duration();
    let mut figures = raw::measure(duration).await?;

    eprintln!("end to end: starting the system");
    let system = System::start().await;
    figures.extend(e2e::measure(&system, duration).await?);

    eprintln!("capacity: open-loop sends at stepping rates");
    let load = SendLoad::prepare(&Api::new(system.api())).await?;
    let step = bench::step_duration(duration);
    let search = capacity::search(&load, step).await;
    figures.extend(capacity::figures(&search, step));
    figures.extend(hops::measure(&system, &load, search.capacity(), duration).await?);

    eprintln!("finding: search and chat list in a busy account");
    figures.extend(finding::measure(&system).await?);

    eprintln!("media: uploads and downloads beside the object store's own");
    figures.extend(media::measure(&system).await?);

    // Last: it leaves long chats behind.
    eprintln!("growth: send cost and state size as a chat's history grows");
    figures.extend(growth::measure(&system, 200).await?);

    Report::now(figures)?.write()
}
