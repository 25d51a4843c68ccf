//! Property: a Luhn-valid card of any network, in any supported grouping, embedded anywhere in random
//! text or JSON (as a string or a JSON number), never survives masking with the default rules.

use std::path::Path;
use std::sync::LazyLock;

use escalation_masker::masking::Ruleset;
use escalation_masker::rule_dir::{self, KeyPolicy};
use proptest::prelude::*;
use serde_json::{Value, json};

static RULES: LazyLock<Ruleset> = LazyLock::new(|| {
    rule_dir::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules"),
        KeyPolicy::EphemeralIfMissing,
    )
    .expect("default rules load")
});

/// (prefix, length) pairs covering every network of the detector's table.
const NETWORKS: &[(&str, usize)] = &[
    ("4", 13),
    ("4", 16),
    ("4", 19),
    ("51", 16),
    ("55", 16),
    ("2221", 16),
    ("2720", 16),
    ("34", 15),
    ("37", 15),
    ("6011", 16),
    ("6011", 19),
    ("644", 16),
    ("65", 16),
    ("622126", 16),
    ("300", 14),
    ("36", 14),
    ("38", 16),
    ("3528", 16),
    ("3589", 19),
    ("62", 16),
    ("62", 19),
    ("5018", 12),
    ("6759", 19),
    ("1", 15),
    ("2200", 16),
    ("9792", 16),
    ("8100", 16),
];

fn luhn_complete(body: &str) -> String {
    // Choose the check digit that makes body+digit Luhn-valid.
    (0..10)
        .map(|d| format!("{body}{d}"))
        .find(|c| luhn::valid(c))
        .expect("one of ten check digits is valid")
}

fn card() -> impl Strategy<Value = String> {
    (0..NETWORKS.len(), proptest::collection::vec(0u8..10, 19)).prop_map(|(n, digits)| {
        let (prefix, len) = NETWORKS[n];
        let mut body = prefix.to_string();
        for d in digits.iter().take(len - 1 - prefix.len()) {
            body.push(char::from(b'0' + d));
        }
        luhn_complete(&body)
    })
}

fn grouped(pan: &str, style: u8) -> String {
    let sep = match style % 4 {
        0 => return pan.to_string(),
        1 => " ",
        2 => "-",
        _ => ".",
    };
    let groups: Vec<String> = pan
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    groups.join(sep)
}

/// Random surrounding text that cannot itself extend the digit run (no digit or separator at the edges).
fn filler() -> impl Strategy<Value = String> {
    "[a-zA-Z ,:;=?&/()\\[\\]{}'\"éü€@#_]{0,40}".prop_map(|s| s)
}

fn survives(pan: &str, masked: &str) -> bool {
    let digits: String = masked.chars().filter(char::is_ascii_digit).collect();
    digits.contains(pan)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn card_never_survives_in_text(pan in card(), style in 0u8..4, pre in filler(), post in filler()) {
        let text = format!("{pre} {} {post}", grouped(&pan, style));
        let (masked, report) = RULES.mask_text(&text);
        prop_assert!(!survives(&pan, &masked), "card survived: {masked}");
        prop_assert!(report.total() >= 1);
    }

    #[test]
    fn card_never_survives_in_json(pan in card(), style in 0u8..4, pre in filler(), key in "[a-z]{1,12}", depth in 0usize..4) {
        let mut inner = json!({ key.clone(): format!("{pre}{}", grouped(&pan, style)) });
        for i in 0..depth {
            inner = if i % 2 == 0 { json!([1, inner, "x"]) } else { json!({"nested": inner}) };
        }
        let mut doc = json!({"eventId": "e1", "conversationId": "c1", "context": inner});
        RULES.mask_value(&mut doc);
        let out = serde_json::to_string(&doc).expect("serializes");
        prop_assert!(!survives(&pan, &out), "card survived: {out}");
    }

    #[test]
    fn card_sent_as_json_number_becomes_masked_string(pan in card()) {
        let mut doc: Value = serde_json::from_str(&format!(r#"{{"context":{{"amountRef":{pan}}}}}"#)).expect("valid JSON");
        RULES.mask_value(&mut doc);
        let v = &doc["context"]["amountRef"];
        prop_assert!(v.is_string(), "expected a masked string, got {v}");
        prop_assert!(!survives(&pan, &v.to_string()));
    }
}
