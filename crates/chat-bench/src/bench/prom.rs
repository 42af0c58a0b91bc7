//! Reading latency histograms out of Prometheus text expositions (`/metrics`): the
//! cumulative buckets of each series of one family, the difference between two scrapes,
//! and quantiles estimated from buckets the way PromQL's `histogram_quantile` does
//! (linear within the bucket that holds the rank).

use std::collections::BTreeMap;

/// Cumulative counts of one histogram series by bucket upper bound, ascending; the last
/// bound is `+Inf` (the series' count).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buckets(Vec<(f64, f64)>);

impl Buckets {
    /// Observations counted.
    pub fn count(&self) -> f64 {
        self.0.last().map_or(0.0, |(_, n)| *n)
    }

    /// What was observed between `earlier` (a scrape of the same series before) and this.
    pub fn since(&self, earlier: &Buckets) -> Buckets {
        Buckets(
            self.0
                .iter()
                .map(|(le, n)| {
                    let before = earlier
                        .0
                        .iter()
                        .find(|(l, _)| l == le)
                        .map_or(0.0, |(_, b)| *b);
                    (*le, (n - before).max(0.0))
                })
                .collect(),
        )
    }

    /// Adds `other`'s counts (the same family scraped from another process).
    pub fn add(&mut self, other: &Buckets) {
        for (le, n) in &other.0 {
            match self.0.iter_mut().find(|(l, _)| l == le) {
                Some((_, mine)) => *mine += n,
                None => self.0.push((*le, *n)),
            }
        }
        self.0.sort_by(|a, b| a.0.total_cmp(&b.0));
    }

    /// The `q`-quantile (0..=1) estimated from the buckets, in the histogram's unit;
    /// `None` without observations. Ranks in the `+Inf` bucket answer the highest finite
    /// bound (the true value is somewhere above it).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total <= 0.0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * total;
        let (mut lower, mut below) = (0.0, 0.0);
        for (le, n) in &self.0 {
            if *n >= rank {
                if le.is_infinite() {
                    return Some(lower);
                }
                let inside = n - below;
                let share = if inside > 0.0 {
                    (rank - below) / inside
                } else {
                    1.0
                };
                return Some(lower + (le - lower) * share);
            }
            (lower, below) = (*le, *n);
        }
        Some(lower)
    }
}

/// Every series of histogram `family` in `text`, keyed by the value of its `label`.
pub fn histograms(text: &str, family: &str, label: &str) -> BTreeMap<String, Buckets> {
    let prefix = format!("{family}_bucket{{");
    let mut found: BTreeMap<String, Buckets> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let Some((labels, value)) = rest.split_once('}') else {
            continue;
        };
        let labels = parse_labels(labels);
        let key = labels.get(label).cloned().unwrap_or_default();
        let le = labels.get("le").and_then(|le| parse_number(le));
        let count = value.split_whitespace().next().and_then(parse_number);
        if let (Some(le), Some(count)) = (le, count) {
            found
                .entry(key)
                .or_default()
                .add(&Buckets(vec![(le, count)]));
        }
    }
    found
}

/// `a="x",b="y"` into its pairs (our label values hold no quotes or commas).
fn parse_labels(labels: &str) -> BTreeMap<String, String> {
    labels
        .split("\",")
        .filter_map(|pair| {
            let (name, value) = pair.split_once("=\"")?;
            Some((
                name.trim().to_owned(),
                value.trim_end_matches('"').to_owned(),
            ))
        })
        .collect()
}

fn parse_number(text: &str) -> Option<f64> {
    match text {
        "+Inf" => Some(f64::INFINITY),
        _ => text.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRAPE: &str = "\
# HELP chat_sync_hop_seconds Latency.
# TYPE chat_sync_hop_seconds histogram
chat_sync_hop_seconds_bucket{hop=\"append\",le=\"0.001\"} 10
chat_sync_hop_seconds_bucket{hop=\"append\",le=\"0.01\"} 90
chat_sync_hop_seconds_bucket{hop=\"append\",le=\"0.1\"} 100
chat_sync_hop_seconds_bucket{hop=\"append\",le=\"+Inf\"} 100
chat_sync_hop_seconds_sum{hop=\"append\"} 0.5
chat_sync_hop_seconds_count{hop=\"append\"} 100
chat_sync_hop_seconds_bucket{hop=\"project\",le=\"0.001\"} 0
chat_sync_hop_seconds_bucket{hop=\"project\",le=\"+Inf\"} 4
http_request_duration_seconds_bucket{method=\"GET\",le=\"0.001\"} 3
";

    #[test]
    fn series_are_read_by_label() {
        let found = histograms(SCRAPE, "chat_sync_hop_seconds", "hop");
        assert_eq!(found.keys().collect::<Vec<_>>(), ["append", "project"]);
        assert_eq!(found["append"].count(), 100.0);
        assert_eq!(found["project"].count(), 4.0);
    }

    #[test]
    fn quantiles_interpolate_within_the_bucket_holding_the_rank() {
        let append = &histograms(SCRAPE, "chat_sync_hop_seconds", "hop")["append"];
        // Rank 50 is the 40th of the 80 observations in (0.001, 0.01].
        assert!((append.quantile(0.5).unwrap() - 0.0055).abs() < 1e-12);
        // Rank 99 is the 9th of the 10 in (0.01, 0.1].
        assert!((append.quantile(0.99).unwrap() - 0.091).abs() < 1e-12);
        // Everything of `project` is above the last finite bound.
        let project = &histograms(SCRAPE, "chat_sync_hop_seconds", "hop")["project"];
        assert_eq!(project.quantile(0.5), Some(0.001));
        assert_eq!(Buckets::default().quantile(0.5), None);
    }

    #[test]
    fn the_difference_of_two_scrapes_holds_what_was_observed_in_between() {
        let before = Buckets(vec![(0.001, 5.0), (0.01, 5.0), (f64::INFINITY, 5.0)]);
        let after = Buckets(vec![(0.001, 5.0), (0.01, 9.0), (f64::INFINITY, 10.0)]);
        let delta = after.since(&before);
        assert_eq!(
            delta,
            Buckets(vec![(0.001, 0.0), (0.01, 4.0), (f64::INFINITY, 5.0)])
        );
        let mut sum = delta.clone();
        sum.add(&delta);
        assert_eq!(sum.count(), 10.0);
    }
}
