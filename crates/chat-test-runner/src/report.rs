//! What the runner prints: a line per finished job as it finishes, then a summary with the
//! full log of every job that failed.

use std::time::Duration;

use crate::pool::{Finished, Outcome};

/// Announces a phase.
pub fn phase(count: usize, width: usize, how: &str) {
    println!("chat-test-runner: {count} test binaries, {width} at a time, {how}");
}

/// One line for a job that just ended.
pub fn finished(run: &Finished) {
    let tests = std::fs::read_to_string(&run.log)
        .map(|log| format!("{} tests passed", passed_tests(&log)))
        .unwrap_or_else(|error| format!("log unreadable: {error}"));
    println!(
        "{:<6} {:>7}  {} ({tests})",
        if run.passed { "ok" } else { "FAILED" },
        seconds(run.elapsed),
        run.label
    );
}

/// The totals, the slowest jobs, and the log of each failure.
pub fn summary(outcome: &Outcome) {
    let failed: Vec<&Finished> = outcome.finished.iter().filter(|r| !r.passed).collect();
    let sum: Duration = outcome.finished.iter().map(|run| run.elapsed).sum();
    let mut slowest: Vec<&Finished> = outcome.finished.iter().collect();
    slowest.sort_by_key(|run| std::cmp::Reverse(run.elapsed));
    println!(
        "\nchat-test-runner: {} binaries, {} failed; {} wall, {} if run one after another",
        outcome.finished.len(),
        failed.len(),
        seconds(outcome.wall),
        seconds(sum)
    );
    let names: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|run| format!("{} {}", run.label, seconds(run.elapsed)))
        .collect();
    println!("slowest: {}", names.join(", "));
    for run in &failed {
        let log =
            std::fs::read_to_string(&run.log).unwrap_or_else(|e| format!("(unreadable: {e})"));
        println!(
            "\n---- {} FAILED; its output ({}):\n{log}",
            run.label,
            run.log.display()
        );
    }
    if !failed.is_empty() {
        let labels: Vec<&str> = failed.iter().map(|run| run.label.as_str()).collect();
        println!("\nfailed: {}", labels.join(", "));
    }
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.1} s", elapsed.as_secs_f64())
}

/// The sum of the "N passed" counts of libtest's result lines in a log.
fn passed_tests(log: &str) -> usize {
    log.lines()
        .filter_map(|line| line.strip_prefix("test result: "))
        .filter_map(|result| {
            let (_, after) = result.split_once(". ")?;
            after.split_once(" passed")?.0.parse::<usize>().ok()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_passed_counts_of_every_result_line_add_up() {
        let log = "running 3 tests\n\
            test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
            noise\n\
            test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.00s\n";
        assert_eq!(passed_tests(log), 5);
        assert_eq!(passed_tests("no results"), 0);
    }
}
