//! The test executables of the workspace, as cargo reports them when it builds them.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};
use serde::Deserialize;

/// One test executable: a crate's unit tests or one file of its `tests/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestBinary {
    /// The package's directory name and the source it was built from, as cargo's
    /// "Running" line shows it: `command-api tests/kafka_outage.rs`.
    pub label: String,
    /// `<package directory>/<target name>`, the name `--alone` matches.
    pub key: String,
    /// The executable cargo built.
    pub executable: PathBuf,
    /// The package's directory: cargo runs a test binary from there, and so do we.
    pub package_dir: PathBuf,
}

/// Builds every test binary `cargo test <cargo_args>` would run (cargo's own progress and
/// errors go to stderr) and returns them in cargo's order.
///
/// # Errors
/// When cargo cannot start, the build fails or cargo's report cannot be read.
pub fn build(cargo_args: &[String]) -> anyhow::Result<Vec<TestBinary>> {
    let output = Command::new(cargo())
        .arg("test")
        .args(cargo_args)
        .args(["--no-run", "--message-format=json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .context("failed to start cargo")?;
    if !output.status.success() {
        bail!("cargo test --no-run failed ({})", output.status);
    }
    let report = String::from_utf8(output.stdout).context("cargo's report is not UTF-8")?;
    parse(&report)
}

/// The cargo that runs this (`CARGO`, as under `cargo run`), else the one on the PATH.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// One line of cargo's JSON report; only the built artifacts matter here.
#[derive(Deserialize)]
struct Message {
    reason: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    src_path: PathBuf,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

/// The test executables named in cargo's JSON report, one message per line.
fn parse(report: &str) -> anyhow::Result<Vec<TestBinary>> {
    let mut found = Vec::new();
    for line in report.lines().filter(|l| l.starts_with('{')) {
        let message: Message =
            serde_json::from_str(line).with_context(|| format!("unreadable line: {line}"))?;
        let is_test = message.profile.as_ref().is_some_and(|p| p.test);
        if message.reason != "compiler-artifact" || !is_test {
            continue;
        }
        let (Some(manifest), Some(target), Some(executable)) =
            (message.manifest_path, message.target, message.executable)
        else {
            continue;
        };
        let package_dir = manifest
            .parent()
            .context("a manifest path has a directory")?
            .to_path_buf();
        found.push(describe(package_dir, &target, executable));
    }
    Ok(found)
}

fn describe(package_dir: PathBuf, target: &Target, executable: PathBuf) -> TestBinary {
    let package = package_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = target
        .src_path
        .strip_prefix(&package_dir)
        .unwrap_or(Path::new(&target.src_path));
    TestBinary {
        label: format!("{package} {}", source.display()),
        key: format!("{package}/{}", target.name),
        executable,
        package_dir,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/services/command-api#0.1.0","manifest_path":"/w/services/command-api/Cargo.toml","target":{"kind":["test"],"crate_types":["bin"],"name":"kafka_outage","src_path":"/w/services/command-api/tests/kafka_outage.rs","edition":"2024","doc":false,"doctest":false,"test":true},"profile":{"opt_level":"0","debuginfo":1,"debug_assertions":true,"overflow_checks":true,"test":true},"features":[],"filenames":["/w/target/debug/deps/kafka_outage-1"],"executable":"/w/target/debug/deps/kafka_outage-1","fresh":true}
{"reason":"compiler-artifact","package_id":"registry+https://github.com/rust-lang/crates.io-index#serde@1.0.0","manifest_path":"/r/serde/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"serde","src_path":"/r/serde/src/lib.rs","edition":"2021","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"0","debuginfo":0,"debug_assertions":true,"overflow_checks":true,"test":false},"features":[],"filenames":["/w/target/debug/deps/libserde-2.rlib"],"executable":null,"fresh":true}
{"reason":"compiler-artifact","package_id":"path+file:///w/crates/chat-domain#0.1.0","manifest_path":"/w/crates/chat-domain/Cargo.toml","target":{"kind":["lib"],"crate_types":["lib"],"name":"chat_domain","src_path":"/w/crates/chat-domain/src/lib.rs","edition":"2024","doc":true,"doctest":true,"test":true},"profile":{"opt_level":"0","debuginfo":1,"debug_assertions":true,"overflow_checks":true,"test":true},"features":[],"filenames":["/w/target/debug/deps/chat_domain-3"],"executable":"/w/target/debug/deps/chat_domain-3","fresh":true}
{"reason":"build-finished","success":true}"#;

    #[test]
    fn only_test_executables_are_kept_and_named_like_cargo_names_them() {
        let found = parse(REPORT).expect("parsed");
        assert_eq!(
            found,
            vec![
                TestBinary {
                    label: "command-api tests/kafka_outage.rs".into(),
                    key: "command-api/kafka_outage".into(),
                    executable: "/w/target/debug/deps/kafka_outage-1".into(),
                    package_dir: "/w/services/command-api".into(),
                },
                TestBinary {
                    label: "chat-domain src/lib.rs".into(),
                    key: "chat-domain/chat_domain".into(),
                    executable: "/w/target/debug/deps/chat_domain-3".into(),
                    package_dir: "/w/crates/chat-domain".into(),
                },
            ]
        );
    }

    #[test]
    fn a_line_that_is_not_cargos_json_is_an_error() {
        assert!(parse("{not json").is_err());
    }
}
