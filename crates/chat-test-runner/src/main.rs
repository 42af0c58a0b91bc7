//! chat-test-runner: builds the test binaries with `cargo test --no-run`, runs them several
//! at a time (each test binary still runs its own tests on threads), then runs alone the
//! binaries that stop or disturb a shared server (with the ones that need no server beside
//! them), and exits non-zero when any failed.
//!
//! Layout: `binaries` asks cargo for the test executables, `plan` orders them, `pool` runs
//! them and keeps each one's output, `report` prints what happened.

mod binaries;
mod durations;
mod plan;
mod pool;
mod report;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let options = plan::Options::parse();
    let found = binaries::build(&options.cargo_args)?;
    let history = durations::load(&options.durations);
    let plan = plan::Plan::new(found, &options, &history);
    let unmatched = plan.unmatched(&options);
    anyhow::ensure!(
        unmatched.is_empty(),
        "--alone or --beside-alone names no test binary: {}",
        unmatched.join(", ")
    );
    let outcome = pool::run(&plan, &options)?;
    durations::save(&options.durations, &history, &outcome.finished)?;
    report::summary(&outcome);
    if !outcome.all_passed() {
        std::process::exit(1);
    }
    Ok(())
}
