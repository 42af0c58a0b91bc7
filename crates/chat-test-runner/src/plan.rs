//! What to run and in which order: the binaries that can share the servers, slowest first,
//! then the ones that must run alone.

use std::cmp::Ordering;
use std::path::PathBuf;

use crate::binaries::{self, TestBinary};
use crate::durations::History;

/// The runner's command line.
#[derive(Debug, clap::Parser)]
#[command(name = "chat-test-runner", about)]
pub struct Options {
    /// How many test binaries run at once.
    #[arg(long, default_value_t = 4)]
    pub jobs: usize,
    /// A binary (`<package directory>/<target name>`, e.g. `command-api/kafka_outage`) that
    /// stops or disturbs a shared server: it runs after the others, with nothing beside it.
    #[arg(long = "alone", value_name = "PACKAGE/TARGET")]
    pub alone: Vec<String>,
    /// Also run the doc tests (`cargo test --doc` with the same arguments).
    #[arg(long)]
    pub doc: bool,
    /// Where each binary's output is kept (`<dir>/logs/`).
    #[arg(long, default_value = "target/chat-test-runner")]
    pub state_dir: PathBuf,
    /// The file of each binary's duration in the runs before, which orders the next run
    /// (a file outside the clone lets a fresh clone start with the slowest too).
    #[arg(long, default_value = "target/chat-test-runner/durations.tsv")]
    pub durations: PathBuf,
    /// Run every side-by-side job but the slowest of the last run at this niceness (0:
    /// all alike). That one is the run's critical path, the others fit in beside it: with
    /// the CPU going to it first, it ends sooner and the others fill the rest.
    #[arg(long, default_value_t = 0)]
    pub others_nice: u8,
    /// The arguments of `cargo test` that choose the binaries (after `--`).
    #[arg(last = true)]
    pub cargo_args: Vec<String>,
}

/// One process to run: a test binary, or cargo running the doc tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// What the report calls it.
    pub label: String,
    /// The name its duration is remembered by.
    pub key: String,
    /// The program and its arguments.
    pub program: PathBuf,
    /// Arguments of the program.
    pub args: Vec<String>,
    /// The directory it runs in.
    pub dir: PathBuf,
    /// Its niceness (0: the runner's own priority).
    pub nice: u8,
}

impl Job {
    fn of(binary: TestBinary) -> Self {
        Self {
            label: binary.label,
            key: binary.key,
            program: binary.executable,
            args: Vec::new(),
            dir: binary.package_dir,
            nice: 0,
        }
    }

    fn doc_tests(cargo_args: &[String]) -> Self {
        Self {
            label: "doc tests".into(),
            key: "doc-tests".into(),
            program: binaries::cargo().into(),
            args: ["test", "--doc"]
                .into_iter()
                .map(str::to_owned)
                .chain(cargo_args.iter().cloned())
                .collect(),
            dir: PathBuf::from("."),
            nice: 0,
        }
    }
}

/// The two phases of a run.
#[derive(Debug)]
pub struct Plan {
    /// Run side by side, in this order.
    pub together: Vec<Job>,
    /// Run one after another once `together` is done.
    pub alone: Vec<Job>,
}

impl Plan {
    /// Splits the binaries by `--alone` and puts the slowest of the rest first: the run
    /// cannot end before its longest binary does, so that one should not start last.
    /// A binary with no recorded time goes before every timed one (it may be slow, and a
    /// fast one started early costs little); ties keep cargo's order.
    pub fn new(found: Vec<TestBinary>, options: &Options, history: &History) -> Self {
        let (alone, mut together): (Vec<Job>, Vec<Job>) = found
            .into_iter()
            .map(Job::of)
            .partition(|job| options.alone.contains(&job.key));
        if options.doc {
            together.push(Job::doc_tests(&options.cargo_args));
        }
        together.sort_by(|a, b| slowest_first(history.get(&a.key), history.get(&b.key)));
        // Only a timed binary is known to be the critical path.
        if together
            .first()
            .is_some_and(|job| history.contains_key(&job.key))
        {
            for job in together.iter_mut().skip(1) {
                job.nice = options.others_nice;
            }
        }
        Self { together, alone }
    }

    /// Every `--alone` name that matched no binary: a misspelt one would otherwise run
    /// beside the others and disturb them.
    pub fn unmatched<'a>(&self, options: &'a Options) -> Vec<&'a str> {
        options
            .alone
            .iter()
            .filter(|key| !self.alone.iter().any(|job| &job.key == *key))
            .map(String::as_str)
            .collect()
    }
}

fn slowest_first(a: Option<&f64>, b: Option<&f64>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => b.total_cmp(a),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn binary(key: &str) -> TestBinary {
        TestBinary {
            label: key.into(),
            key: key.into(),
            executable: key.into(),
            package_dir: ".".into(),
        }
    }

    fn keys(jobs: &[Job]) -> Vec<&str> {
        jobs.iter().map(|job| job.key.as_str()).collect()
    }

    #[test]
    fn the_slowest_run_first_after_the_untimed_and_the_alone_ones_last() {
        let options = Options::parse_from([
            "chat-test-runner",
            "--alone",
            "api/outage",
            "--",
            "--workspace",
        ]);
        let history = History::from([
            ("a/quick".to_owned(), 1.0),
            ("b/slow".to_owned(), 90.0),
            ("api/outage".to_owned(), 30.0),
        ]);
        let found = ["a/quick", "api/outage", "b/slow", "c/new"].map(binary);
        let plan = Plan::new(found.to_vec(), &options, &history);
        assert_eq!(keys(&plan.together), ["c/new", "b/slow", "a/quick"]);
        assert!(plan.together.iter().all(|job| job.nice == 0));
        assert_eq!(keys(&plan.alone), ["api/outage"]);
        assert!(plan.unmatched(&options).is_empty());
        assert_eq!(options.cargo_args, ["--workspace"]);
    }

    #[test]
    fn with_others_nice_only_the_slowest_keeps_its_priority_when_it_is_timed() {
        let options = Options::parse_from(["chat-test-runner", "--others-nice", "5"]);
        let history = History::from([("a/quick".to_owned(), 1.0), ("b/slow".to_owned(), 90.0)]);
        let plan = Plan::new(
            ["a/quick", "b/slow"].map(binary).to_vec(),
            &options,
            &history,
        );
        let nice: Vec<(&str, u8)> = plan
            .together
            .iter()
            .map(|job| (job.key.as_str(), job.nice))
            .collect();
        assert_eq!(nice, [("b/slow", 0), ("a/quick", 5)]);
        let untimed = ["a/quick", "c/new"].map(binary).to_vec();
        let plan = Plan::new(untimed, &options, &history);
        assert!(plan.together.iter().all(|job| job.nice == 0));
    }

    #[test]
    fn a_misspelt_alone_name_is_reported() {
        let options = Options::parse_from(["chat-test-runner", "--alone", "api/outgae"]);
        let plan = Plan::new(vec![binary("api/outage")], &options, &History::new());
        assert_eq!(plan.unmatched(&options), ["api/outgae"]);
        assert_eq!(keys(&plan.together), ["api/outage"]);
    }

    #[test]
    fn the_doc_tests_run_through_cargo_with_the_same_arguments() {
        let options = Options::parse_from(["chat-test-runner", "--doc", "--", "--workspace"]);
        let plan = Plan::new(Vec::new(), &options, &History::new());
        assert_eq!(plan.together.len(), 1);
        assert_eq!(plan.together[0].args, ["test", "--doc", "--workspace"]);
    }
}
