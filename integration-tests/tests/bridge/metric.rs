//! Reading the bridge's series as `/metrics` serves them (the process-wide registry,
//! shared by every test of this binary: compare before and after, never absolute values).

/// The sum of every series of metric `name` (all label values).
pub fn total(name: &str) -> f64 {
    chat_runtime::metrics::render()
        .lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(['{', ' ']))
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}
