//! How long each binary took in the runs before, so the next run can start the slowest
//! first. A missing or unreadable file only costs the ordering.

use std::collections::HashMap;
use std::path::Path;

use crate::pool::Finished;

/// Seconds each job took in the runs before, by job key.
pub type History = HashMap<String, f64>;

/// The durations of earlier runs in `file`; empty when there were none.
pub fn load(file: &Path) -> History {
    let Ok(text) = std::fs::read_to_string(file) else {
        return History::new();
    };
    text.lines()
        .filter_map(|line| {
            let (key, seconds) = line.split_once('\t')?;
            Some((key.to_owned(), seconds.parse().ok()?))
        })
        .collect()
}

/// Writes the history back with this run's figures; jobs this run did not run keep theirs.
///
/// # Errors
/// When the file cannot be written.
pub fn save(file: &Path, history: &History, finished: &[Finished]) -> std::io::Result<()> {
    let mut merged = history.clone();
    for run in finished {
        merged.insert(run.key.clone(), run.elapsed.as_secs_f64());
    }
    let mut lines: Vec<String> = merged
        .iter()
        .map(|(key, seconds)| format!("{key}\t{seconds:.1}"))
        .collect();
    lines.sort();
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(file, lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_saved_history_loads_back_with_this_runs_figures() {
        let dir = std::env::temp_dir().join(format!("chat-test-runner-{}", std::process::id()));
        let file = dir.join("durations.tsv");
        let earlier = History::from([("a/x".to_owned(), 3.0), ("b/y".to_owned(), 9.0)]);
        let now = Finished {
            key: "a/x".into(),
            elapsed: Duration::from_millis(12_500),
            ..Finished::example()
        };
        save(&file, &earlier, &[now]).expect("saved");
        let loaded = load(&file);
        std::fs::remove_dir_all(&dir).expect("cleaned up");
        assert_eq!(
            loaded,
            History::from([("a/x".to_owned(), 12.5), ("b/y".to_owned(), 9.0)])
        );
    }

    #[test]
    fn no_file_is_an_empty_history() {
        assert!(load(Path::new("/nonexistent/chat-test-runner")).is_empty());
    }
}
