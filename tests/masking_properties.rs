//! Properties of the default rules:
//! - a Luhn-valid card of any network, in any grouping, embedded anywhere in random text or JSON (as
//!   a string, a JSON number, a key or an array), never survives masking;
//! - the same holds with any mix of the separators people and systems put between groups, Unicode
//!   digits of any script and invisible characters: the masked output holds no card in the
//!   canonical view;
//! - masking is idempotent, and the egress check never fires on what the masker produced.

use std::path::Path;
use std::sync::LazyLock;

use escalation_masker::masking::Ruleset;
use escalation_masker::masking::detectors::FieldContext;
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
    ("38", 14),
    ("39", 14),
    ("3528", 16),
    ("3589", 19),
    ("62", 16),
    ("62", 19),
    ("5018", 12),
    ("6759", 19),
    // UATP ("1", 15) is a card only in card context (its shape is a log timestamp's); the
    // detector's unit tests cover it.
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
    card_of(NETWORKS.to_vec())
}

/// Random letters before a number can spell a word that rules rare shapes out (`dhl`, `ean`,
/// `order`): the tests with random filler take the shapes that are cards wherever they stand
/// (not 12 or 13 digits, not an 8 or 9 prefix); the neutral-phrase tests take every shape.
fn strong_card() -> impl Strategy<Value = String> {
    card_of(
        NETWORKS
            .iter()
            .copied()
            .filter(|(p, len)| *len >= 14 && !p.starts_with(['8', '9']))
            .collect(),
    )
}

fn card_of(networks: Vec<(&'static str, usize)>) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(networks),
        proptest::collection::vec(0u8..10, 19),
    )
        .prop_map(|((prefix, len), digits)| {
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

/// What people and systems put between the groups of a card number.
const SEPARATORS: &[&str] = &[
    " ", "-", "  ", "   ", "\t", "\u{2009}", "\u{2007}", "\u{3000}", "\u{2003}", "\u{a0} ",
    "\u{202f}", "\u{2010}", "\u{2011}", "\u{2013}", "\u{2212}", "\u{ff0d}", "--", "_", ",", ", ",
    " | ", ":", "·", "*", ".", "/", "\n", "\r\n", "<br>", "<br />", "%20", "+", "%2D", "%C2%A0",
    "&nbsp;", "&#160;", "&#x2d;", "\u{200b}", "\u{200c}", "\u{200d}", "\u{2060}", "\u{feff}",
    "\u{ad}", "\u{0}", "\u{b}", "",
];

/// The zero of some decimal-digit scripts: ASCII, full-width, Arabic-Indic, Persian, Devanagari,
/// Bengali, Thai, mathematical bold.
const ZEROS: &[u32] = &[
    0x30, 0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1D7CE,
];

/// The digits of a masked document as a person reads them: every Unicode decimal digit as ASCII,
/// invisible characters and encodings ignored (everything else dropped).
fn canonical_digits(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(z) = ZEROS.iter().find(|&&z| (z..z + 10).contains(&(c as u32))) {
            out.push(char::from(b'0' + (c as u32 - z) as u8));
        } else if c == '%' {
            // `%3X` is a percent-encoded digit; other escapes are separators.
            let hex: String = chars.clone().take(2).collect();
            if let Ok(b) = u8::from_str_radix(&hex, 16) {
                chars.next();
                chars.next();
                if b.is_ascii_digit() {
                    out.push(char::from(b));
                }
            }
        } else if c == '&' && chars.peek() == Some(&'#') {
            // `&#NN;` / `&#xHH;` is a character reference: keep the digit it stands for, if any.
            let body: String = chars.clone().take_while(|&c| c != ';').take(8).collect();
            let value = match body.strip_prefix("#x").or_else(|| body.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => body.strip_prefix('#').and_then(|d| d.parse().ok()),
            };
            if let Some(v) = value {
                for _ in 0..=body.len() {
                    chars.next();
                }
                if (0x30..0x3a).contains(&v) {
                    out.push(char::from(v as u8));
                }
            }
        }
    }
    out
}

/// A card written the way a person or a system might: groups of any size, any separators between
/// them, each digit in any script. A `:` or `.` between groups shorter than three digits reads as
/// a clock time or an amount (`9:45`, `30.25`), which the detector leaves alone by design; there
/// the generator writes a space instead.
fn evasive(pan: &str, cuts: &[u8], seps: &[usize], scripts: &[usize]) -> String {
    let cut_after: Vec<bool> = (0..pan.len())
        .map(|i| i + 1 < pan.len() && cuts[i % cuts.len()].is_multiple_of(4))
        .collect();
    let mut groups = vec![0usize];
    for &cut in &cut_after {
        *groups.last_mut().expect("one group") += 1;
        if cut {
            groups.push(0);
        }
    }
    let long_groups = groups.iter().all(|&g| g >= 3);
    let mut out = String::new();
    let mut k = 0;
    for (i, d) in pan.chars().enumerate() {
        let zero = ZEROS[scripts[i % scripts.len()] % ZEROS.len()];
        out.push(char::from_u32(zero + (d as u32 - '0' as u32)).expect("a digit"));
        if cut_after[i] {
            let sep = SEPARATORS[seps[k % seps.len()] % SEPARATORS.len()];
            let time_like = matches!(sep, ":" | "." | "·") && !long_groups;
            out.push_str(if time_like { " " } else { sep });
            k += 1;
        }
    }
    out
}

/// Neutral text around the card: no digits, no words that say "card" or "order".
const PHRASES: &[&str] = &[
    "",
    "pls refund ",
    "paid with ",
    "the number is: ",
    "ok so ",
    "(",
    "\"",
    "mi número es ",
    "meine Nummer ",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn card_never_survives_in_text(pan in strong_card(), style in 0u8..4, pre in filler(), post in filler()) {
        let text = format!("{pre} {} {post}", grouped(&pan, style));
        let (masked, report) = RULES.mask_text(&text);
        prop_assert!(!survives(&pan, &masked), "a card survived in text (style {})", style);
        prop_assert!(report.total() >= 1);
    }

    #[test]
    fn card_never_survives_in_json(pan in strong_card(), style in 0u8..4, pre in filler(), key in "[a-z]{1,12}", depth in 0usize..4) {
        // A key named like another identifier (`ts`, `ean`, `orderId`) keeps rare card shapes out
        // by design; every other key must not matter.
        prop_assume!(FieldContext::of_key(&key) == FieldContext::default());
        let mut inner = json!({ key.clone(): format!("{pre}{}", grouped(&pan, style)) });
        for i in 0..depth {
            inner = if i % 2 == 0 { json!([1, inner, "x"]) } else { json!({"nested": inner}) };
        }
        let mut doc = json!({"eventId": "e1", "conversationId": "c1", "context": inner});
        RULES.mask_value(&mut doc);
        let out = serde_json::to_string(&doc).expect("serializes");
        prop_assert!(!survives(&pan, &out), "a card survived in JSON (style {}, depth {})", style, depth);
    }

    #[test]
    fn no_card_survives_any_mix_of_separators_scripts_and_invisibles(
        pan in card(),
        cuts in proptest::collection::vec(0u8..8, 1..20),
        seps in proptest::collection::vec(0usize..64, 1..8),
        scripts in proptest::collection::vec(0usize..64, 1..6),
        pre in 0usize..PHRASES.len(),
        place in 0u8..4,
    ) {
        let written = evasive(&pan, &cuts, &seps, &scripts);
        let text = format!("{}{written} thanks", PHRASES[pre]);
        let mut doc = match place {
            0 => json!({"context": {"note": text}}),
            1 => json!({"context": {"notes": ["x", text]}}),
            2 => json!({"context": {text.clone(): "primary"}}),
            _ => json!({"context": {"deep": {"deeper": [{"t": text}]}}}),
        };
        RULES.mask_value(&mut doc);
        let out = serde_json::to_string(&doc).expect("serializes");
        prop_assert!(!canonical_digits(&out).contains(&pan), "a card survived (separators {:?}, scripts {:?})", seps, scripts);
        prop_assert!(escalation_masker::egress::find_card(&doc).is_none(), "the egress check fires on masked output");
    }

    #[test]
    fn masking_is_idempotent_and_never_trips_the_egress_check(
        pan in card(),
        style in 0u8..4,
        seps in proptest::collection::vec(0usize..64, 1..4),
        pre in filler(),
        mail in "[a-z]{1,8}@example\\.(com|de)",
    ) {
        let mut doc = json!({
            "eventId": "e1",
            "context": {
                "message": format!("{pre} {} and {}", grouped(&pan, style), evasive(&pan, &[0, 1, 2, 3], &seps, &[0])),
                "email": mail.clone(),
                "text": format!("write to {mail}"),
                "payment": {"cardNumber": pan.clone(), "cvv": "123"},
                "parts": pan.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>(),
            }
        });
        RULES.mask_value(&mut doc);
        let once = doc.clone();
        prop_assert!(escalation_masker::egress::find_card(&once).is_none(), "the egress check fires on masked output");
        let report = RULES.mask_value(&mut doc);
        prop_assert_eq!(&doc, &once, "masking masked output changed it");
        prop_assert!(report.findings.iter().all(|f| f.rule.as_ref() != "payment-card"), "the card rule fired on masked output");
    }

    #[test]
    fn masking_any_mix_of_text_is_idempotent_and_egress_clean(
        parts in proptest::collection::vec(prop_oneof![
            "[0-9]{1,6}",
            card(),
            proptest::sample::select(vec![" ", ", ", "-", "/", ":", ".", " and ", "\n", "４", "٣", "%20", "&nbsp;", "\u{200b}"]).prop_map(str::to_string),
            proptest::sample::select(vec!["card", "tarjeta", "order", "IMEI", "call me", "cvv", "PIN", "exp", "+44 20 7946 0958", "a@example.com", "SSN 123-45-6789", "DE89 3704 0044 0532 0130 00"]).prop_map(str::to_string),
        ], 1..24),
    ) {
        let text = parts.join(" ");
        let mut doc = json!({"context": {"message": text}});
        RULES.mask_value(&mut doc);
        let once = doc.clone();
        prop_assert!(escalation_masker::egress::find_card(&once).is_none(), "the egress check fires on masked output");
        RULES.mask_value(&mut doc);
        prop_assert_eq!(&doc, &once, "masking masked output changed it");
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
