//! The benchmark report: a markdown table for people and JSON for machines, each
//! end-to-end figure beside the baseline it is compared with, measured in the same run.

use serde::Serialize;

/// One measured figure.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// What was measured.
    pub name: String,
    /// The value.
    pub value: f64,
    /// Its unit (`ops/s`, `ms`, `KiB`).
    pub unit: String,
    /// The baseline figure's name it is compared with, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// value / baseline value (for latencies the baseline's per-operation time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// How it was measured.
    pub how: String,
}

impl Figure {
    /// A figure named `name` of `value` in `unit`, compared with the figure named
    /// `baseline` (if any), measured as `how` says.
    pub fn new(name: &str, value: f64, unit: &str, baseline: Option<&str>, how: &str) -> Self {
        Self {
            name: name.into(),
            value,
            unit: unit.into(),
            baseline: baseline.map(Into::into),
            ratio: None,
            how: how.into(),
        }
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Where it ran (kernel, cores, memory).
    pub machine: String,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// The figures, baselines first.
    pub figures: Vec<Figure>,
}

impl Report {
    /// A report of `figures` measured now on this machine, with their ratios.
    ///
    /// # Errors
    /// When the current time cannot be formatted.
    pub fn now(figures: Vec<Figure>) -> Result<Self, time::error::Format> {
        let mut report = Self {
            machine: machine(),
            at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)?,
            figures,
        };
        report.compute_ratios();
        Ok(report)
    }

    /// Writes the report to `bench-report.md` and `bench-report.json` and prints the
    /// markdown.
    ///
    /// # Errors
    /// When a file cannot be written.
    pub fn write(&self) -> anyhow::Result<()> {
        let markdown = self.markdown();
        std::fs::write("bench-report.md", &markdown)?;
        std::fs::write("bench-report.json", serde_json::to_string_pretty(self)?)?;
        println!("{markdown}");
        println!("(also written to bench-report.md and bench-report.json)");
        Ok(())
    }

    /// Fills in each figure's ratio to its baseline.
    pub fn compute_ratios(&mut self) {
        let values: Vec<(String, f64)> = self
            .figures
            .iter()
            .map(|f| (f.name.clone(), f.value))
            .collect();
        for figure in &mut self.figures {
            figure.ratio = figure.baseline.as_ref().and_then(|b| {
                let (_, base) = values.iter().find(|(name, _)| name == b)?;
                (*base != 0.0).then(|| figure.value / base)
            });
        }
    }

    /// The markdown table.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "# Benchmark report\n\nMachine: {}  \nRun at: {}\n\n| figure | value | unit | baseline | ratio | how |\n|---|---:|---|---|---:|---|\n",
            self.machine, self.at
        );
        for f in &self.figures {
            let ratio = f.ratio.map_or_else(String::new, significant);
            out.push_str(&format!(
                "| {} | {:.2} | {} | {} | {} | {} |\n",
                f.name,
                f.value,
                f.unit,
                f.baseline.as_deref().unwrap_or(""),
                ratio,
                f.how
            ));
        }
        out
    }
}

/// A ratio with at least three decimals and three significant digits, so a small one
/// (0.000395) does not print as 0.000.
fn significant(ratio: f64) -> String {
    let magnitude = if ratio.is_normal() {
        ratio.abs().log10().floor() as i64
    } else {
        0
    };
    let decimals = usize::try_from(2 - magnitude).unwrap_or(0).max(3);
    format!("{ratio:.decimals$}")
}

/// This machine: kernel, cores and memory.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or_else(String::new, |kib| format!("{} GiB", kib / 1024 / 1024));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("Linux {} · {cores} cores · {memory}", kernel.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(name: &str, value: f64, baseline: Option<&str>) -> Figure {
        Figure::new(name, value, "ops/s", baseline, "test")
    }

    #[test]
    fn ratios_divide_by_the_named_baseline() {
        let mut report = Report {
            machine: "m".into(),
            at: "t".into(),
            figures: vec![figure("raw", 200.0, None), figure("e2e", 50.0, Some("raw"))],
        };
        report.compute_ratios();
        assert_eq!(report.figures[1].ratio, Some(0.25));
        assert!(
            report
                .markdown()
                .contains("| e2e | 50.00 | ops/s | raw | 0.250 | test |")
        );
    }

    #[test]
    fn small_ratios_keep_three_significant_digits() {
        assert_eq!(significant(0.25), "0.250");
        assert_eq!(significant(47.1654), "47.165");
        assert_eq!(significant(50.0 / 126_431.9), "0.000395");
        assert_eq!(significant(0.0), "0.000");
    }
}
