//! Runs jobs a few at a time, each with its output in a log file of its own, so the
//! reports of binaries running side by side never interleave.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::plan::{Job, Options, Plan};
use crate::report;

/// One job that ran.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The job's report name.
    pub label: String,
    /// The job's key.
    pub key: String,
    /// Its wall time.
    pub elapsed: Duration,
    /// Whether it exited with success.
    pub passed: bool,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

/// Everything that ran, and how long the whole run took.
#[derive(Debug)]
pub struct Outcome {
    /// Every job, in the order they finished.
    pub finished: Vec<Finished>,
    /// The run's wall time.
    pub wall: Duration,
}

impl Outcome {
    /// Whether every job passed.
    pub fn all_passed(&self) -> bool {
        self.finished.iter().all(|run| run.passed)
    }
}

/// Runs the plan's shared phase `options.jobs` at a time, then its lone jobs one by one
/// with the jobs that need no server beside them on the other slots.
///
/// # Errors
/// When the log directory cannot be made.
pub fn run(plan: &Plan, options: &Options) -> std::io::Result<Outcome> {
    let logs = options.state_dir.join("logs");
    std::fs::create_dir_all(&logs)?;
    let started = Instant::now();
    report::phase(plan.together.len(), options.jobs, "side by side");
    let mut finished = run_phase(&plan.together, options.jobs, &logs);
    if !plan.alone.is_empty() {
        report::phase(
            plan.alone.len(),
            1,
            "alone, as they stop or disturb a shared server",
        );
    }
    if !plan.beside_alone.is_empty() {
        report::phase(
            plan.beside_alone.len(),
            beside_width(options.jobs),
            "beside them, as they need no server",
        );
    }
    let (lone, beside) = std::thread::scope(|scope| {
        let beside =
            scope.spawn(|| run_phase(&plan.beside_alone, beside_width(options.jobs), &logs));
        let lone = run_phase(&plan.alone, 1, &logs);
        let beside = beside
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (lone, beside)
    });
    finished.extend(lone);
    finished.extend(beside);
    Ok(Outcome {
        finished,
        wall: started.elapsed(),
    })
}

/// The slots the lone jobs leave (at least one).
fn beside_width(jobs: usize) -> usize {
    jobs.saturating_sub(1).max(1)
}

fn run_phase(jobs: &[Job], width: usize, logs: &Path) -> Vec<Finished> {
    let queue = Mutex::new(jobs.iter());
    let finished = Mutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|scope| {
        for _ in 0..width.max(1) {
            scope.spawn(|| {
                while let Some(job) = next(&queue) {
                    let run = run_one(job, logs);
                    report::finished(&run);
                    finished
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(run);
                }
            });
        }
    });
    finished
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
}

fn next<'a>(queue: &Mutex<std::slice::Iter<'a, Job>>) -> Option<&'a Job> {
    queue.lock().unwrap_or_else(PoisonError::into_inner).next()
}

/// Runs one job to its end; a job that cannot start fails with the reason in its log.
fn run_one(job: &Job, logs: &Path) -> Finished {
    let log = logs.join(format!("{}.log", job.key.replace('/', "__")));
    let started = Instant::now();
    let passed = match spawn(job, &log) {
        Ok(status) => status,
        Err(error) => {
            // The log may be what failed: the report then says it could not be read.
            let _ = std::fs::write(&log, format!("could not run {}: {error}\n", job.label));
            false
        }
    };
    Finished {
        label: job.label.clone(),
        key: job.key.clone(),
        elapsed: started.elapsed(),
        passed,
        log,
    }
}

fn spawn(job: &Job, log: &Path) -> std::io::Result<bool> {
    let out = File::create(log)?;
    let err = out.try_clone()?;
    // cargo runs a test binary from its package's directory with CARGO_MANIFEST_DIR
    // set; tests that read files beside them rely on both (see `Job::in_manifest_dir`).
    let mut command = Command::new(&job.program);
    command.args(&job.args).current_dir(&job.dir);
    if job.in_manifest_dir {
        command.env("CARGO_MANIFEST_DIR", &job.dir);
    } else {
        command.env_remove("CARGO_MANIFEST_DIR");
    }
    let status = command.stdout(out).stderr(err).status()?;
    Ok(status.success())
}

#[cfg(test)]
impl Finished {
    /// A passing run, for tests to adjust.
    pub fn example() -> Self {
        Self {
            label: "pkg tests/example.rs".into(),
            key: "pkg/example".into(),
            elapsed: Duration::from_secs(1),
            passed: true,
            log: PathBuf::from("example.log"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shell(key: &str, script: &str) -> Job {
        Job {
            label: key.into(),
            key: key.into(),
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            dir: ".".into(),
            in_manifest_dir: false,
        }
    }

    /// A job that waits (at most 10 s) for the other one to have started: both pass only
    /// when they run at the same time.
    fn meets(key: &str, dir: &Path, mine: &str, theirs: &str) -> Job {
        let (mine, theirs) = (dir.join(mine), dir.join(theirs));
        shell(
            key,
            &format!(
                "touch '{}'; for _ in $(seq 100); do [ -e '{}' ] && exit 0; sleep 0.1; done; exit 1",
                mine.display(),
                theirs.display()
            ),
        )
    }

    #[test]
    fn the_jobs_beside_the_lone_ones_run_while_they_do() {
        use clap::Parser;

        let state =
            std::env::temp_dir().join(format!("chat-test-runner-beside-{}", std::process::id()));
        std::fs::create_dir_all(&state).expect("state directory");
        let options = Options::parse_from([
            "chat-test-runner",
            "--jobs",
            "2",
            "--state-dir",
            &state.to_string_lossy(),
        ]);
        let plan = Plan {
            together: vec![shell("p/shared", "true")],
            alone: vec![meets("p/lone", &state, "lone", "beside")],
            beside_alone: vec![meets("p/beside", &state, "beside", "lone")],
        };
        let outcome = run(&plan, &options).expect("runs");
        std::fs::remove_dir_all(&state).expect("cleaned up");
        let mut ran: Vec<(&str, bool)> = outcome
            .finished
            .iter()
            .map(|run| (run.key.as_str(), run.passed))
            .collect();
        ran.sort_unstable();
        assert_eq!(
            ran,
            [("p/beside", true), ("p/lone", true), ("p/shared", true)]
        );
    }

    #[test]
    fn every_job_runs_once_and_its_output_and_exit_status_are_kept() {
        let logs =
            std::env::temp_dir().join(format!("chat-test-runner-pool-{}", std::process::id()));
        std::fs::create_dir_all(&logs).expect("log directory");
        let jobs: Vec<Job> = (0..5)
            .map(|i| {
                shell(
                    &format!("p/ok{i}"),
                    &format!("echo out{i}; echo err{i} >&2"),
                )
            })
            .chain([shell("p/fails", "echo broken; exit 3")])
            .collect();
        let mut finished = run_phase(&jobs, 3, &logs);
        finished.sort_by(|a, b| a.key.cmp(&b.key));
        let summary: Vec<(String, bool, String)> = finished
            .iter()
            .map(|run| {
                let log = std::fs::read_to_string(&run.log).expect("log");
                (run.key.clone(), run.passed, log)
            })
            .collect();
        std::fs::remove_dir_all(&logs).expect("cleaned up");
        let mut expected: Vec<(String, bool, String)> = (0..5)
            .map(|i| (format!("p/ok{i}"), true, format!("out{i}\nerr{i}\n")))
            .collect();
        expected.insert(0, ("p/fails".into(), false, "broken\n".into()));
        assert_eq!(summary, expected);
    }

    #[test]
    fn a_job_sees_its_own_directory_as_manifest_dir_or_none_at_all() {
        let logs =
            std::env::temp_dir().join(format!("chat-test-runner-env-{}", std::process::id()));
        std::fs::create_dir_all(&logs).expect("log directory");
        let script = "echo ${CARGO_MANIFEST_DIR-unset}";
        let dir = std::env::temp_dir();
        let mut test_binary = shell("p/binary", script);
        test_binary.dir.clone_from(&dir);
        test_binary.in_manifest_dir = true;
        // This test runs under cargo, which set the variable for it: cargo as a job
        // must not inherit it.
        let cargo = shell("doc-tests", script);
        let logs_of = |job: &Job| std::fs::read_to_string(run_one(job, &logs).log).expect("log");
        let (seen_by_binary, seen_by_cargo) = (logs_of(&test_binary), logs_of(&cargo));
        std::fs::remove_dir_all(&logs).expect("cleaned up");
        assert_eq!(seen_by_binary, format!("{}\n", dir.display()));
        assert_eq!(seen_by_cargo, "unset\n");
    }

    #[test]
    fn a_program_that_cannot_start_is_a_failure_with_its_reason() {
        let logs =
            std::env::temp_dir().join(format!("chat-test-runner-nostart-{}", std::process::id()));
        std::fs::create_dir_all(&logs).expect("log directory");
        let mut job = shell("p/missing", "");
        job.program = "/nonexistent/test-binary".into();
        let run = run_one(&job, &logs);
        let log = std::fs::read_to_string(&run.log).expect("log");
        std::fs::remove_dir_all(&logs).expect("cleaned up");
        assert!(!run.passed);
        assert!(log.starts_with("could not run p/missing:"), "{log}");
    }
}
