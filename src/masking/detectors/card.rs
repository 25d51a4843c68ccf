//! Payment card numbers (PANs).
//!
//! A hand-written scanner rather than a regex: it splits the text into runs of ASCII digits, joins runs
//! separated the way people group card numbers (spaces, tabs, one dash, dot or slash, a no-break
//! space, an en dash) into chains, and then looks for a span of whole
//! runs that holds 12–19 digits, starts with a known issuer prefix of a length that issuer uses, and
//! passes the Luhn check. Mixed separators ("4111 1111-1111 1111") still count: a typo in grouping must
//! not let a card through. A run is never split, so a 22-digit tracking number
//! is never mistaken for a card, while "4111 1111 1111 1111 exp 12 27" still is one.

use std::ops::Range;
use std::sync::LazyLock;

use smallvec::SmallVec;

/// One issuer range: a card belongs to `network` when its first `prefix_len` digits, read as a number,
/// lie in `low..=high` and its length in `min_len..=max_len` (or in `only`).
struct IssuerRange {
    network: &'static str,
    prefix_len: usize,
    low: u32,
    high: u32,
    min_len: usize,
    max_len: usize,
    /// Exact lengths when the network does not use the whole `min_len..=max_len` interval.
    only: Option<&'static [usize]>,
}

const fn r(
    network: &'static str,
    prefix_len: usize,
    low: u32,
    high: u32,
    min_len: usize,
    max_len: usize,
) -> IssuerRange {
    IssuerRange {
        network,
        prefix_len,
        low,
        high,
        min_len,
        max_len,
        only: None,
    }
}

/// Issuer identification table (ISO/IEC 7812 prefixes of the networks in current use).
/// Order does not matter: a number is a card when any entry accepts it.
static ISSUERS: &[IssuerRange] = &[
    IssuerRange {
        only: Some(&[13, 16, 19]),
        ..r("visa", 1, 4, 4, 13, 19)
    },
    r("mastercard", 2, 51, 55, 16, 16),
    r("mastercard", 4, 2221, 2720, 16, 16),
    r("amex", 2, 34, 34, 15, 15),
    r("amex", 2, 37, 37, 15, 15),
    r("discover", 4, 6011, 6011, 16, 19),
    r("discover", 3, 644, 649, 16, 19),
    r("discover", 2, 65, 65, 16, 19),
    r("discover", 6, 622126, 622925, 16, 19),
    r("diners", 3, 300, 305, 14, 19),
    r("diners", 2, 36, 36, 14, 19),
    r("diners", 2, 38, 39, 16, 19),
    r("diners", 4, 3095, 3095, 16, 19),
    r("jcb", 4, 3528, 3589, 16, 19),
    r("unionpay", 2, 62, 62, 16, 19),
    r("unionpay", 4, 8100, 8171, 16, 19),
    r("maestro", 4, 5018, 5018, 12, 19),
    r("maestro", 4, 5020, 5020, 12, 19),
    r("maestro", 4, 5038, 5038, 12, 19),
    r("maestro", 4, 5893, 5893, 12, 19),
    r("maestro", 4, 6304, 6304, 12, 19),
    r("maestro", 4, 6759, 6759, 12, 19),
    r("maestro", 4, 6761, 6763, 12, 19),
    r("maestro", 2, 50, 50, 12, 19),
    r("maestro", 2, 56, 58, 12, 19),
    r("maestro", 1, 6, 6, 12, 19),
    r("uatp", 1, 1, 1, 15, 15),
    r("mir", 4, 2200, 2204, 16, 19),
    r("rupay", 2, 60, 60, 16, 16),
    r("rupay", 2, 81, 82, 16, 16),
    r("rupay", 3, 508, 508, 16, 16),
    r("rupay", 3, 353, 353, 16, 16),
    r("rupay", 3, 356, 356, 16, 16),
    r("verve", 6, 506099, 506198, 16, 19),
    r("verve", 6, 507865, 507964, 16, 19),
    r("verve", 6, 650002, 650027, 16, 19),
    r("troy", 4, 9792, 9792, 16, 16),
    r("dankort", 4, 5019, 5019, 16, 16),
    r("elo", 6, 509000, 509999, 16, 16),
    r("elo", 6, 506699, 506778, 16, 16),
    r("interpayment", 3, 636, 636, 16, 19),
    r("instapayment", 3, 637, 639, 16, 16),
    r("lankapay", 6, 357111, 357111, 16, 16),
    r("bccard", 6, 940000, 949999, 16, 16),
];

/// Names the card network of a digit string, or `None` when no issuer uses that prefix and length —
/// the check that keeps Luhn-valid order ids and epoch timestamps unmasked.
pub fn network(digits: &[u8]) -> Option<&'static str> {
    let len = digits.len();
    if len < 2 || !digits[..2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = usize::from(digits[0] - b'0') * 10 + usize::from(digits[1] - b'0');
    BY_TWO_DIGITS[two]
        .iter()
        .map(|&k| &ISSUERS[k])
        .find_map(|i| {
            if len < i.min_len || len > i.max_len || len < i.prefix_len {
                return None;
            }
            if let Some(only) = i.only
                && !only.contains(&len)
            {
                return None;
            }
            let prefix = digits[..i.prefix_len]
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            (i.low..=i.high).contains(&prefix).then_some(i.network)
        })
}

/// For each two-digit start (00–99), the issuer ranges that can begin with it: most candidates are
/// ruled out by one table lookup before any Luhn arithmetic.
static BY_TWO_DIGITS: LazyLock<Vec<Vec<usize>>> = LazyLock::new(|| {
    (0u32..100)
        .map(|two| {
            ISSUERS
                .iter()
                .enumerate()
                .filter(|(_, i)| {
                    // The range's prefixes, cut to two digits, must include `two`.
                    let (low, high) = if i.prefix_len >= 2 {
                        let div = 10u32.pow(i.prefix_len as u32 - 2);
                        (i.low / div, i.high / div)
                    } else {
                        (i.low * 10, i.high * 10 + 9)
                    };
                    (low..=high).contains(&two)
                })
                .map(|(k, _)| k)
                .collect()
        })
        .collect()
});

/// True when `digits` (ASCII digits only) is a plausible PAN: a known issuer prefix and length plus Luhn.
pub fn is_card(digits: &[u8]) -> bool {
    // Issuer table first (usually one lookup), Luhn last. The digits are ASCII, so `from_utf8`
    // never fails; the `luhn` crate wants a `&str`.
    (12..=19).contains(&digits.len())
        && network(digits).is_some()
        && std::str::from_utf8(digits).is_ok_and(luhn::valid)
}

/// True when `gap` (the bytes between two digit runs) is how people group a card number: up to two
/// spaces or tabs, optionally around one `-`, `.` or `/`, or a no-break space or an en/em dash.
fn is_separator(gap: &[u8]) -> bool {
    match gap {
        [] => false,
        // U+00A0 no-break space, U+2013 en dash, U+2014 em dash, U+202F narrow no-break space.
        [0xC2, 0xA0] | [0xE2, 0x80, 0x93] | [0xE2, 0x80, 0x94] | [0xE2, 0x80, 0xAF] => true,
        _ if gap.len() <= 3 => {
            let blanks = gap.iter().filter(|b| matches!(b, b' ' | b'\t')).count();
            let marks = gap
                .iter()
                .filter(|b| matches!(b, b'-' | b'.' | b'/'))
                .count();
            blanks + marks == gap.len() && marks <= 1 && blanks <= 2
        }
        _ => false,
    }
}

/// Finds every card number in `text` and pushes its byte span (separators included) to `out`.
pub fn find(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    // Digit runs of the current chain: (start, end). Chains are short; no allocation in practice.
    let mut runs: SmallVec<[(usize, usize); 24]> = SmallVec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let joined = match runs.last() {
            Some(&(_, prev_end)) => is_separator(&bytes[prev_end..start]),
            None => false,
        };
        if !joined && !runs.is_empty() {
            scan_chain(bytes, &runs, out);
            runs.clear();
        }
        runs.push((start, i));
    }
    if !runs.is_empty() {
        scan_chain(bytes, &runs, out);
    }
}

/// Looks for cards made of whole runs inside one chain of digit runs; the longest valid span wins.
fn scan_chain(bytes: &[u8], runs: &[(usize, usize)], out: &mut Vec<Range<usize>>) {
    let mut digits = [0u8; 19];
    let mut first = 0;
    while first < runs.len() {
        let mut best: Option<usize> = None;
        let mut n = 0;
        let mut last = first;
        while last < runs.len() {
            let (s, e) = runs[last];
            if n + (e - s) > 19 {
                break;
            }
            digits[n..n + (e - s)].copy_from_slice(&bytes[s..e]);
            n += e - s;
            if n >= 12 && is_card(&digits[..n]) {
                best = Some(last);
            }
            last += 1;
        }
        match best {
            Some(end_run) => {
                out.push(runs[first].0..runs[end_run].1);
                first = end_run + 1;
            }
            None => first += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find, text)
    }

    #[test]
    fn finds_cards_of_every_network_and_grouping() {
        let cases = [
            ("visa 16", "4111111111111111"),
            ("visa 13", "4222222222222"),
            ("visa 19", "4111111111111111110"),
            ("mastercard 5x", "5555555555554444"),
            ("mastercard 2x", "2223003122003222"),
            ("amex", "378282246310005"),
            ("discover", "6011111111111117"),
            ("diners 14", "36227206271667"),
            ("jcb", "3530111333300000"),
            ("unionpay", "6200000000000005"),
            ("maestro 12", "675964982648"),
            ("uatp", "135410014004955"),
            ("mir", "2200000000000004"),
        ];
        for (name, pan) in cases {
            assert!(is_card(pan.as_bytes()), "{name} should be a card");
            assert_eq!(
                found(&format!("pay with {pan} please")),
                vec![pan],
                "{name}"
            );
        }
        for text in [
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "4111 1111-1111 1111",
            "4111  1111  1111  1111",
            "4111\t1111\t1111\t1111",
            "4111\u{a0}1111\u{a0}1111\u{a0}1111",
            "4111/1111/1111/1111",
            "4111 - 1111 - 1111 - 1111",
            "4111\u{2013}1111\u{2013}1111\u{2013}1111",
            "4111.1111.1111.1111",
            "3782 822463 10005",
            "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
        ] {
            assert_eq!(found(&format!("card:{text}, exp 12/27")), vec![text]);
        }
    }

    #[test]
    fn network_table_agrees_with_a_full_scan() {
        // Every issuer range is reachable through the two-digit index.
        for (k, i) in ISSUERS.iter().enumerate() {
            for p in [i.low, i.high] {
                let mut d = p.to_string().into_bytes();
                d.resize(i.min_len, b'0');
                assert!(
                    network(&d).is_some(),
                    "issuer {k} ({}) unreachable for {p}",
                    i.network
                );
            }
        }
        assert_eq!(network(b"3200000000000000"), None);
        assert_eq!(network(b"0411111111111111"), None);
    }

    #[test]
    fn leaves_hard_negatives_alone() {
        for text in [
            "order 4111111111111112",               // Luhn-invalid
            "ts 1700000000000",                     // epoch ms
            "tracking 4111111111111111000000",      // 22+ digit run
            "id 9111111111111111",                  // no issuer (Luhn-valid? irrelevant)
            "550e8400-e29b-41d4-a716-446655440000", // UUID
            "2024-05-01T10:20:30.123Z",
            "total 1,234,567.89 EUR",
            "version 10.0.19045.2965",
            "4111   1111   1111   1111", // three spaces: separate numbers, no run alone is a card
        ] {
            assert!(found(text).is_empty(), "{text} -> {:?}", found(text));
        }
    }

    #[test]
    fn picks_the_card_out_of_a_longer_chain() {
        assert_eq!(
            found("4111 1111 1111 1111 2027"),
            vec!["4111 1111 1111 1111"]
        );
        assert_eq!(found("12 4111111111111111"), vec!["4111111111111111"]);
    }
}
