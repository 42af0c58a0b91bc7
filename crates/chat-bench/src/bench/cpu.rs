//! CPU spent by each part of the system, read from `/proc`: where a send's cost goes
//! when everything shares the same cores.

use std::collections::BTreeMap;

use super::report::Figure;

/// Kernel clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// Cumulative CPU seconds by part of the system.
#[derive(Debug, Clone, Default)]
pub struct CpuTimes(BTreeMap<&'static str, f64>);

impl CpuTimes {
    /// The CPU seconds every part has used so far (processes that ended are not
    /// counted, so take both samples while the system runs).
    #[must_use]
    pub fn now() -> Self {
        let mut times = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Self(times);
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let (Ok(stat), Ok(cmdline)) = (
                std::fs::read_to_string(path.join("stat")),
                std::fs::read(path.join("cmdline")),
            ) else {
                continue;
            };
            let Some(part) = part_of(&String::from_utf8_lossy(&cmdline)) else {
                continue;
            };
            if let Some(seconds) = cpu_seconds(&stat) {
                *times.entry(part).or_insert(0.0) += seconds;
            }
        }
        Self(times)
    }

    /// Milliseconds of CPU per operation for each part between `before` and now, and
    /// their total, as figures named `CPU per send: <part>`.
    #[must_use]
    pub fn per_operation_since(&self, before: &Self, operations: u64, how: &str) -> Vec<Figure> {
        let per_op = |seconds: f64| seconds * 1000.0 / operations.max(1) as f64;
        let mut total = 0.0;
        let mut figures = Vec::new();
        for (part, after) in &self.0 {
            let used = after - before.0.get(part).copied().unwrap_or(0.0);
            total += used;
            figures.push(Figure::new(
                &format!("CPU per send: {part}"),
                per_op(used),
                "ms",
                None,
                how,
            ));
        }
        figures.push(Figure::new(
            "CPU per send: all parts",
            per_op(total),
            "ms",
            None,
            how,
        ));
        figures
    }
}

/// Which part of the system a command line belongs to.
fn part_of(cmdline: &str) -> Option<&'static str> {
    let program = cmdline.split('\0').next().unwrap_or_default();
    let name = program.rsplit('/').next().unwrap_or_default();
    match name {
        // Backends rename themselves `postgres: <user> <db> ...`.
        _ if name.starts_with("postgres") => Some("PostgreSQL"),
        "java" if cmdline.contains("kafka") => Some("Kafka"),
        "java" if cmdline.contains("cassandra") => Some("Cassandra"),
        "command-api" | "projector-sync" | "projector-async" | "wse-gateway"
        | "telegram-bridge" | "chat-bench" => SERVICES.iter().copied().find(|s| *s == name),
        _ => None,
    }
}

const SERVICES: [&str; 6] = [
    "command-api",
    "projector-sync",
    "projector-async",
    "wse-gateway",
    "telegram-bridge",
    "chat-bench",
];

/// utime + stime of a `/proc/<pid>/stat` line, in seconds.
fn cpu_seconds(stat: &str) -> Option<f64> {
    // The command name (field 2) may hold spaces: count fields after its closing ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of the line are the 12th and 13th after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_give_user_plus_system_time() {
        let stat = "4242 (projector sync) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 1000 0 0";
        assert_eq!(cpu_seconds(stat), Some(3.0));
    }

    #[test]
    fn command_lines_name_their_part() {
        assert_eq!(
            part_of("/usr/lib/postgresql/15/bin/postgres\0-D\0x"),
            Some("PostgreSQL")
        );
        assert_eq!(
            part_of("/usr/bin/java\0-cp\0/x/kafka/libs/*"),
            Some("Kafka")
        );
        assert_eq!(
            part_of("/usr/bin/java\0@/x/cassandra/jvm17.options"),
            Some("Cassandra")
        );
        assert_eq!(part_of("target/release/command-api\0"), Some("command-api"));
        assert_eq!(
            part_of("postgres: chat test_1 127.0.0.1(5) idle"),
            Some("PostgreSQL")
        );
        assert_eq!(part_of("/bin/bash\0-c\0sleep"), None);
    }
}
