//! The README's first command: `escalation-masker demo` runs the whole pipeline with no set-up
//! and shows outcomes, masked contexts, reasons for dead letters and a verified audit chain.

use std::process::Command;

use escalation_masker::masking::detectors::contains_card;

#[test]
fn the_demo_runs_end_to_end_on_the_in_process_broker() {
    let out = Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
        .arg("demo")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "in-process mock cluster",
        "delivered",
        "duplicate (already delivered: not sent again)",
        "previousConversationId: c0a80001-7d3e-4b6a-9f1e-2b5d8e000001",
        "Dead letters (6 in escalations.dlq",
        "invalid_json",
        "missing_field",
        "wrong_type",
        "invalid_utf8",
        "too_deep",
        "oversize",
        "hash chain verified: 32 records",
        "Card numbers that reached Genesys or the dead-letter topic: none",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in:\n{stdout}"
        );
    }
    assert!(stdout.contains("****1111"), "masked cards are shown");
    assert!(
        !stdout.lines().any(contains_card),
        "the demo's own output shows no card number"
    );
}

#[test]
fn the_demo_explains_a_missing_rules_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
        .arg("demo")
        .current_dir(dir.path())
        .output()
        .expect("demo runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("run the demo from the repository root"),
        "{err}"
    );
}
