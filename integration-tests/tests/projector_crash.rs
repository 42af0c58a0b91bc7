//! Both projectors as real processes, each killed with SIGKILL in the middle of 10,000
//! events and restarted, end with exactly the read models of an undisturbed run: no row
//! missing, none doubled, every counter exact. Replaying the whole topic a second time,
//! and rebuilding into empty tables, change nothing.

use chat_test_kit::projectors::{
    ProjectorBinaries, assert_all_equal_the_undisturbed_run, kill_9_scenario,
};
use chat_test_kit::system::bin_dir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_projectors_killed_9_in_the_middle_of_10000_events_then_restarted_replayed_and_rebuilt_equal_an_undisturbed_run()
 {
    let binary = |name: &str| bin_dir().join(name).to_string_lossy().into_owned();
    let binaries = ProjectorBinaries {
        sync: binary("projector-sync"),
        asynchronous: binary("projector-async"),
    };
    let snapshots = kill_9_scenario(&binaries, 10_000)
        .await
        .expect("the scenario runs");
    assert_all_equal_the_undisturbed_run(&snapshots);
}
