//! The README documents what the code defines: every metric and every environment override.

#[test]
fn every_metric_and_environment_override_is_documented() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    for m in escalation_masker::metrics::ALL {
        assert!(
            readme.contains(&format!("`{m}`")),
            "metric {m} is not in the README reference"
        );
    }
    for v in escalation_masker::config::ENV_OVERRIDES {
        let short = v.trim_start_matches("ESCALATION_MASKER");
        assert!(
            readme.contains(v) || readme.contains(&format!("`{short}`")),
            "environment override {v} is not in the README"
        );
    }
}
