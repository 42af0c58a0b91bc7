//! What to run and in which order: the binaries that can share the servers, slowest first,
//! then the ones that must run alone, with the ones that need no server beside them.

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
    /// A binary (`<package directory>/<target name>`, e.g. `chat-read-model/chat_list`) that
    /// stops or disturbs a shared server: it runs after the others, with nothing beside it.
    #[arg(long = "alone", value_name = "PACKAGE/TARGET")]
    pub alone: Vec<String>,
    /// A binary that uses no shared server (pure computation): it runs while the
    /// `--alone` ones do, on the slots they leave idle, instead of taking CPU from the
    /// binaries that share the servers.
    #[arg(long = "beside-alone", value_name = "PACKAGE/TARGET")]
    pub beside_alone: Vec<String>,
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
    /// Whether it runs with `CARGO_MANIFEST_DIR` set to [`Self::dir`], as cargo runs a
    /// test binary (tests that read files beside them rely on it), or without one: cargo
    /// itself sets it per crate, and one inherited from outside changes the fingerprints
    /// of the crates whose build reads it (ring, and so rustls, sqlx and the rest), so
    /// the doc tests rebuilt some 30 crates in the middle of the run (170 s beside the
    /// other binaries) and the next build rebuilt them back (5 min).
    pub in_manifest_dir: bool,
}

impl Job {
    fn of(binary: TestBinary) -> Self {
        Self {
            label: binary.label,
            key: binary.key,
            program: binary.executable,
            args: Vec::new(),
            dir: binary.package_dir,
            in_manifest_dir: true,
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
            in_manifest_dir: false,
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
    /// Run side by side with `alone`, on the other slots.
    pub beside_alone: Vec<Job>,
}

impl Plan {
    /// Splits the binaries by `--alone` and `--beside-alone` and puts the slowest of the
    /// rest first: the run cannot end before its longest binary does, so that one should
    /// not start last.
    /// A binary with no recorded time goes before every timed one (it may be slow, and a
    /// fast one started early costs little); ties keep cargo's order.
    pub fn new(found: Vec<TestBinary>, options: &Options, history: &History) -> Self {
        let (alone, rest): (Vec<Job>, Vec<Job>) = found
            .into_iter()
            .map(Job::of)
            .partition(|job| options.alone.contains(&job.key));
        let (mut beside_alone, mut together): (Vec<Job>, Vec<Job>) = rest
            .into_iter()
            .partition(|job| options.beside_alone.contains(&job.key));
        if options.doc {
            together.push(Job::doc_tests(&options.cargo_args));
        }
        for jobs in [&mut together, &mut beside_alone] {
            jobs.sort_by(|a, b| slowest_first(history.get(&a.key), history.get(&b.key)));
        }
        Self {
            together,
            alone,
            beside_alone,
        }
    }

    /// Every `--alone` or `--beside-alone` name that matched no binary: a misspelt one
    /// would otherwise run beside the others and disturb them (or take their CPU).
    pub fn unmatched<'a>(&self, options: &'a Options) -> Vec<&'a str> {
        let placed = |key: &String| {
            self.alone
                .iter()
                .chain(&self.beside_alone)
                .any(|job| &job.key == key)
        };
        options
            .alone
            .iter()
            .chain(&options.beside_alone)
            .filter(|key| !placed(key))
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
            "--beside-alone",
            "domain/pure",
            "--beside-alone",
            "domain/golden",
            "--",
            "--workspace",
        ]);
        let history = History::from([
            ("a/quick".to_owned(), 1.0),
            ("b/slow".to_owned(), 90.0),
            ("api/outage".to_owned(), 30.0),
            ("domain/golden".to_owned(), 2.0),
            ("domain/pure".to_owned(), 60.0),
        ]);
        let found = [
            "a/quick",
            "api/outage",
            "domain/golden",
            "b/slow",
            "domain/pure",
            "c/new",
        ]
        .map(binary);
        let plan = Plan::new(found.to_vec(), &options, &history);
        assert_eq!(keys(&plan.together), ["c/new", "b/slow", "a/quick"]);
        assert_eq!(keys(&plan.alone), ["api/outage"]);
        assert_eq!(keys(&plan.beside_alone), ["domain/pure", "domain/golden"]);
        assert!(plan.unmatched(&options).is_empty());
        assert_eq!(options.cargo_args, ["--workspace"]);
    }

    #[test]
    fn a_misspelt_name_is_reported() {
        let options = Options::parse_from([
            "chat-test-runner",
            "--alone",
            "api/outgae",
            "--beside-alone",
            "domain/puer",
        ]);
        let plan = Plan::new(vec![binary("api/outage")], &options, &History::new());
        assert_eq!(plan.unmatched(&options), ["api/outgae", "domain/puer"]);
        assert_eq!(keys(&plan.together), ["api/outage"]);
    }

    #[test]
    fn the_doc_tests_run_through_cargo_with_the_same_arguments() {
        let options = Options::parse_from(["chat-test-runner", "--doc", "--", "--workspace"]);
        let plan = Plan::new(Vec::new(), &options, &History::new());
        assert_eq!(plan.together.len(), 1);
        assert_eq!(plan.together[0].args, ["test", "--doc", "--workspace"]);
        assert!(!plan.together[0].in_manifest_dir, "cargo sets its own");
    }
}
