//! Email addresses and phone numbers.
//!
//! Regexes find candidates; Rust code then applies the context a regex cannot express without
//! look-around: what stands before and after the candidate, how many digits it holds, and which words
//! precede it. That is what keeps amounts, dates, versions and ids from being taken for phones.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{ContextWords, bounded, context_before};

/// North American numbers: 3-3-4 digits with an optional leading 1.
static NANP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)^(?:\+?1[ \-.]?)?(?:\(\d{3}\) ?|\d{3}[ \-.])\d{3}[ \-.]\d{4}$")
        .expect("nanp regex is valid")
});

/// Shapes that are dates, not phones.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)^(?:\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4})$")
        .expect("date regex is valid")
});

/// The US SSN layout, which belongs to the SSN detector.
static SSN_SHAPE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)^\d{3}-\d{2}-\d{4}$").expect("ssn shape regex is valid"));

/// Words that, shortly before a digit string, say it is a phone number.
static PHONE_WORDS: LazyLock<ContextWords> = LazyLock::new(|| {
    ContextWords::new(&[
        "phone", "tel", "call", "mobile", "cell", "fax", "sms", "whatsapp", "text me", "reach me",
        "contact", "ring", "dial", "landline", "handy", "telefon",
    ])
});

/// Characters allowed in the local part (RFC 5322 atext and dots), letters and digits of any script.
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(c)
}

/// Finds email addresses, internationalised ones (jörg.müller@bücher.de) included. Hand-scanned from
/// each `@`: a Unicode regex costs far more than the few comparisons this takes.
pub fn find_emails(text: &str, out: &mut Vec<Range<usize>>) {
    let mut last_end = 0;
    for at in memchr::memchr_iter(b'@', text.as_bytes()) {
        if at < last_end {
            continue;
        }
        // The local part: the run of allowed characters just before the `@`, without leading dots.
        let mut start = at;
        for (i, c) in text[last_end..at].char_indices().rev() {
            if !is_local_char(c) {
                break;
            }
            start = last_end + i;
        }
        while text[start..at].starts_with('.') {
            start += 1;
        }
        if start == at || text[start..at].ends_with('.') {
            continue;
        }
        // The domain: letters, digits, `-` and `.` after the `@`, without a trailing dot or dash.
        let rest = &text[at + 1..];
        let len = rest
            .char_indices()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '-' || c == '.')
            .last()
            .map_or(0, |(i, c)| i + c.len_utf8());
        let domain = rest[..len].trim_end_matches(['.', '-']);
        let labels: Vec<&str> = domain.split('.').collect();
        let valid = labels.len() >= 2
            && labels
                .iter()
                .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
            && labels.last().is_some_and(|tld| {
                tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
            });
        if valid {
            let end = at + 1 + domain.len();
            out.push(start..end);
            last_end = end;
        }
    }
}

/// Finds phone numbers.
pub fn find_phones(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A phone starts with `+`, `(` or a digit, never inside a longer token.
        if !matches!(b[i], b'+' | b'(' | b'0'..=b'9') || (i > 0 && b[i - 1].is_ascii_alphanumeric())
        {
            i += 1;
            continue;
        }
        match candidate(b, i) {
            Some((end, digits)) => {
                if digits >= 7 && is_phone(text, i, end) {
                    out.push(i..end);
                }
                i = end;
            }
            None => i += 1,
        }
    }
}

/// A parenthesised group of 1–4 digits at `i`: its end.
fn paren_group(b: &[u8], i: usize) -> Option<(usize, usize)> {
    if b.get(i) != Some(&b'(') {
        return None;
    }
    let n = b[i + 1..]
        .iter()
        .take(5)
        .take_while(|c| c.is_ascii_digit())
        .count();
    ((1..=4).contains(&n) && b.get(i + 1 + n) == Some(&b')')).then_some((i + 2 + n, n))
}

/// A phone-shaped run starting at `i`: `+`, a digit or `(123)`, then at least five more digits or
/// paren groups, each optionally after one separator. Returns its end and digit count.
fn candidate(b: &[u8], i: usize) -> Option<(usize, usize)> {
    let (mut end, mut digits) = match b[i] {
        b'+' => (i + 1, 0),
        b'0'..=b'9' => (i + 1, 1),
        b'(' => paren_group(b, i)?,
        _ => return None,
    };
    let mut units = 0;
    while units < 24 {
        let mut j = end;
        if matches!(b.get(j), Some(b' ' | b'-' | b'.' | b'/')) {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            end = j + 1;
            digits += 1;
        } else if let Some((e, n)) = paren_group(b, j) {
            end = e;
            digits += n;
        } else {
            break;
        }
        units += 1;
    }
    (units >= 5).then_some((end, digits))
}

fn is_phone(text: &str, start: usize, end: usize) -> bool {
    let cand = &text[start..end];
    let bytes = text.as_bytes();
    // A piece of a longer token: an id, a decimal amount, a version, a path, a currency amount.
    if !bounded(text, start, end, b"_") {
        return false;
    }
    if start > 0
        && matches!(
            bytes[start - 1],
            b'$' | b'#' | b'.' | b',' | b'/' | b'-' | b'+'
        )
    {
        return false;
    }
    if text[..start].ends_with(['€', '£', '¥']) {
        return false;
    }
    if end < bytes.len()
        && matches!(bytes[end], b'.' | b',' | b'%')
        && bytes.get(end + 1).is_some_and(u8::is_ascii_digit)
    {
        return false;
    }
    if matches!(bytes.get(end), Some(b'%')) {
        return false;
    }
    let digits = cand.bytes().filter(u8::is_ascii_digit).count();
    let plain = cand.bytes().all(|b| b.is_ascii_digit());
    let context = || context_before(text, start, 32, &PHONE_WORDS);
    if cand.starts_with('+') {
        return (8..=15).contains(&digits);
    }
    if DATE.is_match(cand) || SSN_SHAPE.is_match(cand) {
        return false;
    }
    if plain {
        return (7..=15).contains(&digits) && context();
    }
    if NANP.is_match(cand) {
        return true;
    }
    let groups_ok = cand
        .split([' ', '-', '.', '/', '(', ')'])
        .filter(|g| !g.is_empty())
        .all(|g| g.len() >= 2);
    if cand.starts_with('0') && groups_ok && (10..=13).contains(&digits) && !cand.contains('.') {
        return true;
    }
    (7..=15).contains(&digits) && context()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find_phones, text)
    }

    #[test]
    fn phone_positives() {
        for p in [
            "+14155550134",
            "+1 415 555 0134",
            "+44 20 7946 0958",
            "+49 (0)30 1234567",
            "(415) 555-0134",
            "415-555-0134",
            "415.555.0134",
            "1-800-555-0199",
            "020 7946 0958",
            "07700 900123",
            "0151 23456789",
            "01 23 45 67 89",
        ] {
            assert_eq!(
                phones(&format!("reach the customer at {p}, thanks")),
                vec![p],
                "{p}"
            );
        }
        assert_eq!(phones("call me on 4155550134"), vec!["4155550134"]);
        assert_eq!(phones("mobile: 555-0134"), vec!["555-0134"]);
    }

    #[test]
    fn phone_negatives() {
        for t in [
            "order 4155550134 shipped",
            "epoch 1700000000",
            "total $1,234,567.89",
            "total 1234567.89 EUR",
            "amount €415 555 0134",
            "date 2024-05-01 and 01/05/2024",
            "ts 2024-05-01T10:20:30Z",
            "version 10.0.19045.2965",
            "v1.2.3.4",
            "sku AB-1234-5678-90",
            "id 550e8400-e29b-41d4-a716-446655440000",
            "1 234 567 890 items",
            "my social security number is 123-45-6789",
            "ratio 12.5% of 1000000",
            "/api/v2/orders/4155550134",
        ] {
            assert!(phones(t).is_empty(), "{t} -> {:?}", phones(t));
        }
    }

    #[test]
    fn email_edges() {
        let f = |t| crate::masking::detectors::found_by(find_emails, t);
        assert_eq!(f("mail:.a.b@example.com."), vec!["a.b@example.com"]);
        assert_eq!(f("x@-bad.com y@ok.example.org"), vec!["y@ok.example.org"]);
        assert_eq!(f("a@b.c1 and a@b.c"), Vec::<&str>::new());
        assert_eq!(f("two: a@x.io,b@y.io"), vec!["a@x.io", "b@y.io"]);
    }

    #[test]
    fn emails() {
        let mut out = Vec::new();
        let t = "write to jane.doe+escalation@example.co.uk or ops@example.com.";
        find_emails(t, &mut out);
        let got: Vec<&str> = out.into_iter().map(|r| &t[r]).collect();
        assert_eq!(
            got,
            vec!["jane.doe+escalation@example.co.uk", "ops@example.com"]
        );
        let t = "an jörg.müller@bücher.de schreiben";
        assert_eq!(
            crate::masking::detectors::found_by(find_emails, t),
            vec!["jörg.müller@bücher.de"]
        );
        let mut none = Vec::new();
        find_emails("user@localhost and @handle and a@b", &mut none);
        assert!(none.is_empty());
    }
}
