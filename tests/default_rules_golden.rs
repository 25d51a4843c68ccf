//! Golden test: the shipped rules on the shipped example events. The expected output lives in
//! `tests/golden/`; regenerate it deliberately with `UPDATE_GOLDEN=1 cargo test --test default_rules_golden`
//! and review the diff like any rule change.

use std::path::PathBuf;

use escalation_masker::masking::detectors;
use escalation_masker::rule_dir::{self, KeyPolicy};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn masked_events() -> (Vec<String>, Vec<String>) {
    let rs = rule_dir::load(&root().join("masking-rules"), KeyPolicy::Required)
        .expect("default rules load");
    let events =
        std::fs::read_to_string(root().join("examples/events.jsonl")).expect("example events");
    let mut out = Vec::new();
    let mut reports = Vec::new();
    for line in events.lines() {
        let mut doc: Value = serde_json::from_str(line).expect("example events are JSON");
        let report = rs.mask_value(&mut doc);
        out.push(serde_json::to_string(&doc).expect("serializes"));
        reports.push(serde_json::to_string(&report.findings).expect("serializes"));
    }
    (out, reports)
}

fn check(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
    if expected != actual {
        for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
            if e != a {
                panic!(
                    "{name}: line {} differs\nexpected: {e}\nactual:   {a}",
                    i + 1
                );
            }
        }
        panic!("{name}: line count differs");
    }
}

#[test]
fn default_rules_on_example_events_match_golden() {
    let (out, reports) = masked_events();
    assert!(out.len() >= 20, "ship at least 20 example events");
    check("events.masked.jsonl", &(out.join("\n") + "\n"));
    check("events.findings.jsonl", &(reports.join("\n") + "\n"));
}

#[test]
fn no_card_email_or_iban_from_the_examples_survives() {
    let (out, reports) = masked_events();
    let raw =
        std::fs::read_to_string(root().join("examples/events.jsonl")).expect("example events");
    let secrets = [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5555555555554444",
        "378282246310005",
        "6011-1111-1111-1117",
        "5105 1051 0510 5100",
        "3530 1113 3330 0000",
        "4000056655665556",
        "6200000000000005",
        "4242424242424242",
        "jane.doe@example.com",
        "j.smith@example.org",
        "maria.garcia@example.net",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "123-45-6789",
        "Summer2026!",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "737",
        "+44 20 7946 0958",
        "(415) 555-0199",
        "X1234567",
        "203.0.113.42",
        "2001:db8::8a2e:370:7334",
    ];
    for s in secrets {
        assert!(
            raw.contains(s),
            "the example events should contain {s:?} (test data drifted)"
        );
        for (i, line) in out.iter().enumerate() {
            assert!(
                !line.contains(s),
                "event line {} still contains a secret after masking",
                i + 1
            );
        }
    }
    for (i, line) in out.iter().enumerate() {
        assert!(
            !detectors::contains_card(line),
            "event line {} still holds a card number",
            i + 1
        );
    }
    // Reports carry rule ids and paths, never values.
    for r in &reports {
        for s in secrets {
            assert!(!r.contains(s));
        }
    }
}

#[test]
fn hard_negatives_in_the_examples_survive() {
    let (out, _) = masked_events();
    let all = out.join("\n");
    for keep in [
        "9400111899223197428490123", // 25-digit tracking number
        "1732540800000",             // epoch ms
        "4111111111111112",          // Luhn-invalid order number
        "1234567890123456",          // order id
        "2026-11-25T08:01:00Z",
        "SKU-2231-BLK",
        "5.12.3",
        "1,249.00",
        "CB-2026-001187",
        "ORD-88412",
    ] {
        assert!(all.contains(keep), "{keep:?} should have survived masking");
    }
}
