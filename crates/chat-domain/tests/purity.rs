//! The domain stays pure: its normal dependencies are serde, thiserror, time and uuid,
//! nothing that does I/O (no tokio, sqlx, scylla, rdkafka, actix or grammers).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

#[test]
fn the_crate_depends_only_on_serde_thiserror_time_and_uuid() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let mut section = String::new();
    let mut deps = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
        } else if section == "[dependencies]" && !line.is_empty() && !line.starts_with('#') {
            deps.insert(line.split(['.', '=', ' ']).next().unwrap().to_owned());
        }
    }
    let allowed: BTreeSet<String> = ["serde", "thiserror", "time", "uuid"]
        .map(String::from)
        .into();
    assert_eq!(deps, allowed);
    assert!(
        !manifest.contains("[target."),
        "no platform-specific dependencies either"
    );
}
