//! projector-sync as a real process, killed with SIGKILL in the middle of 10,000 events
//! and restarted, ends with exactly the read models of an undisturbed run: no row
//! missing, none doubled, every counter exact. Replaying the whole topic a second
//! time, and rebuilding into empty tables, change nothing.

use chat_projector::Projector;
use chat_test_kit::projectors::{assert_all_equal_the_undisturbed_run, kill_9_scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_in_the_middle_of_10000_events_then_restart_replay_and_rebuild_equal_an_undisturbed_run()
 {
    let snapshots = kill_9_scenario(
        Projector::Sync,
        env!("CARGO_BIN_EXE_projector-sync"),
        10_000,
        true,
    )
    .await
    .expect("the scenario runs");
    assert_all_equal_the_undisturbed_run(&snapshots);
}
