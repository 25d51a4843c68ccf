//! Bad input never crashes: random rule files are accepted or refused with problems, random JSON and
//! random text are masked or rejected, never a panic.

use std::path::PathBuf;
use std::sync::LazyLock;

use escalation_masker::masking::{LoadError, Ruleset};
use escalation_masker::rule_dir::{self, KeyPolicy};
use proptest::prelude::*;
use serde_json::Value;

fn rules_from(text: &str) -> Result<Ruleset, LoadError> {
    Ruleset::from_sources(
        &[(PathBuf::from("fuzz.toml"), text.to_string())],
        &|id, env| rule_dir::key_from_env(id, env, KeyPolicy::EphemeralIfMissing),
    )
}

static DEFAULT: LazyLock<Ruleset> = LazyLock::new(|| {
    rule_dir::load(
        &PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/masking-rules")),
        KeyPolicy::EphemeralIfMissing,
    )
    .expect("default rules")
});

/// Rule-file-shaped text: real keys and values in random combinations, plus noise.
fn rule_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("[[rule]]".to_string()),
        Just("[rule.examples]".to_string()),
        Just("[allow]".to_string()),
        Just("[hashing]".to_string()),
        "id = \"[a-z-]{0,6}\"",
        "detector = \"(payment_card|email|phone|nope)\"",
        "pattern = '[\\\\()\\[\\]a-z*+?{}0-9|^$.]{0,12}'",
        "fields = \\[\"[$.a-z*\\[\\]0-9]{0,10}\"\\]",
        "action = \"(mask|redact|hash|drop|x)\"",
        "(keep_last|keep_first|group) = [0-9]{1,3}",
        "placeholder = \"[A-Z\\[\\]]{0,6}\"",
        "paths = \\[\"[$.a-z*]{0,8}\"\\]",
        "key_(id|env) = \"[A-Za-z_]{0,8}\"",
        "matches = \\[\"[a-z0-9 @.]{0,20}\"\\]",
        ".{0,20}",
    ];
    proptest::collection::vec(line, 0..14).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_rule_files_never_panic(text in rule_text()) {
        match rules_from(&text) {
            Ok(rs) => {
                let _ = rs.mask_text("card 4111111111111111 mail a@example.com");
                let _ = escalation_masker::masking::examples::run(&rs);
            }
            Err(LoadError::Invalid(problems)) => prop_assert!(!problems.is_empty()),
            Err(other) => prop_assert!(false, "unexpected error kind: {other}"),
        }
    }

    #[test]
    fn random_json_and_text_never_panic(text in "\\PC{0,200}", digits in "[0-9 .-]{0,60}") {
        let rs = &*DEFAULT;
        let mixed = format!("{text}{digits}{text}");
        let _ = rs.mask_text(&mixed);
        let mut doc = serde_json::json!({"a": mixed, "b": [digits.clone(), {"c": text}]});
        let _ = rs.mask_value(&mut doc);
        if let Ok(mut v) = serde_json::from_str::<Value>(&digits) {
            let _ = rs.mask_value(&mut v);
        }
    }
}

#[test]
fn a_ruleset_that_enables_no_rule_is_refused() {
    for text in [
        "",
        "# only comments\n",
        "[[rule]]\nid = \"off\"\ndetector = \"email\"\naction = \"redact\"\nenabled = false\n",
    ] {
        match rules_from(text) {
            Err(LoadError::Invalid(p)) => {
                assert!(p[0].message.contains("no enabled rule"), "{}", p[0])
            }
            other => panic!("{text:?}: expected refusal, got {other:?}"),
        }
    }
}

#[test]
fn deeply_nested_documents_are_refused_by_the_parser_not_a_stack_overflow() {
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    assert!(serde_json::from_str::<Value>(&deep).is_err());
}
