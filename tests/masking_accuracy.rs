//! Accuracy of the shipped rules as a whole on messy real-world text: what must be masked is, what
//! must survive does — byte for byte.

use std::path::Path;
use std::sync::LazyLock;

use escalation_masker::masking::Ruleset;
use escalation_masker::rule_dir::{self, KeyPolicy};

#[path = "masking_accuracy/card_evasions.rs"]
mod card_evasions;
#[path = "masking_accuracy/pii/mod.rs"]
mod pii;
#[path = "masking_accuracy/quiet.rs"]
mod quiet;
#[path = "masking_accuracy/rng.rs"]
mod rng;

static RULES: LazyLock<Ruleset> = LazyLock::new(|| {
    rule_dir::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules"),
        KeyPolicy::EphemeralIfMissing,
    )
    .expect("default rules load")
});

#[test]
fn hard_negatives_survive_untouched() {
    let cases = [
        "Order 4111111111111112 was shipped", // Luhn-invalid 16-digit order number
        "order id 1234567812345678",          // 16 digits, Luhn-invalid
        "created at 1732540800000 ms",        // 13-digit epoch milliseconds
        "epoch 1732540800",                   // epoch seconds
        "request 550e8400-e29b-41d4-a716-446655440000 failed", // UUID
        "tracking 4111111111111111000000",    // 22-digit run holding a valid PAN
        "parcel 9400111899223197428490123 is late", // USPS-style tracking number
        "at 2026-11-25T09:01:07.123Z the app crashed", // ISO timestamp
        "paid $1,234.56 on 25/11/2026",       // amount and date
        "total 1 234 567,89 EUR",             // European amount
        "app version 10.0.19045.2965 build 22631", // versions
        "SKU-2231-BLK x2, SKU 7781-WHT",      // SKUs
        "chargeback CB-2026-001187",          // ids
        "ticket #123456789",                  // bare nine digits without SSN context
        "call centre opens 08:00-20:00",      // times
        "ratio 16:9, 1080p, 3840x2160",       // numbers with colons
        "the password is incorrect",          // prose about secrets
        "a bearer of bad news",
        "user@localhost",
        "git sha 4f2a9c1e7b3d5a8f9e0c1b2a3d4e5f6a7b8c9d0e", // hex hash
    ];
    for text in cases {
        let (masked, report) = RULES.mask_text(text);
        assert_eq!(masked, text, "changed: {:?}", report.findings);
    }
}

#[test]
fn positives_are_masked_in_messy_text() {
    let cases: &[(&str, &str)] = &[
        ("pls refund card4111111111111111thx", "4111111111111111"),
        ("CARD:4111-1111-1111-1111;exp=12/27", "4111-1111-1111-1111"),
        (
            "https://x.example/pay?pan=5555555555554444&cvv=123",
            "5555555555554444",
        ),
        ("amex 3782 822463 10005!", "3782 822463 10005"),
        (
            "digits 3 7 8 2 8 2 2 4 6 3 1 0 0 0 5 read out",
            "3 7 8 2 8 2 2 4 6 3 1 0 0 0 5",
        ),
        ("Visa 4222222222222 (13)", "4222222222222"),
        ("Email: JANE.DOE@EXAMPLE.COM", "JANE.DOE@EXAMPLE.COM"),
        ("whatsapp me +49 151 23456789", "151 23456789"),
        ("tel:+14155550134", "4155550134"),
        ("SSN:123-45-6789", "123-45-6789"),
        ("iban: nl91abna0417164300", "nl91abna0417164300"),
        ("from 203.0.113.42:8443", "203.0.113.42"),
        (
            "token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijk",
            "eyJhbGciOiJIUzI1NiJ9",
        ),
        (
            "Authorization: Bearer abcDEF123456789xyz",
            "abcDEF123456789xyz",
        ),
        ("key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        ("?api_key=s3cr3tValue&page=2", "s3cr3tValue"),
        ("the cvv is 737", "737"),
        ("pwd=8472910", "8472910"),
        ("kontakt: jörg.müller@bücher.de", "müller"),
        ("card 4111  1111\u{a0}1111 1111", "1111 1111"),
    ];
    for (text, secret) in cases {
        let (masked, report) = RULES.mask_text(text);
        assert!(!masked.contains(secret), "{text:?} -> {masked:?}");
        assert!(report.total() >= 1, "{text:?}");
    }
}
