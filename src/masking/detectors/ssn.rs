//! US social security numbers.
//!
//! `123-45-6789` is always a candidate; `123 45 6789` and a bare `123456789` only after words such as
//! "SSN" or "social security", because a bare nine-digit number is far more often an id. Numbers the
//! SSA never issues (area 000, 666 or 900–999, group 00, serial 0000) and the two famous published
//! numbers are not SSNs. A small hand-written scanner over digit runs: no regex on the hot path.

use std::ops::Range;
use std::sync::LazyLock;

use super::{ContextWords, bounded, context_before};

static SSN_WORDS: LazyLock<ContextWords> = LazyLock::new(|| {
    ContextWords::new(&[
        "ssn",
        "social security",
        "soc sec",
        "ss#",
        "ss no",
        "taxpayer",
    ])
});

/// True when the three parts can belong to an issued SSN.
pub fn valid_parts(area: &str, group: &str, serial: &str) -> bool {
    let area_n: u32 = area.parse().unwrap_or(0);
    area_n != 0
        && area_n != 666
        && area_n < 900
        && group != "00"
        && serial != "0000"
        && !matches!(
            (area, group, serial),
            ("078", "05", "1120") | ("219", "09", "9999")
        )
}

/// Length of the run of ASCII digits starting at `i`.
fn digits_at(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Finds US SSNs.
pub fn find(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let n = digits_at(b, i);
        let start = i;
        i += n;
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'-') {
            continue;
        }
        let (end, parts, sep) = if n == 9 {
            (
                start + 9,
                (start..start + 3, start + 3..start + 5, start + 5..start + 9),
                None,
            )
        } else if n == 3 && i < b.len() && matches!(b[i], b'-' | b' ') {
            let sep = b[i];
            let g = i + 1;
            if g >= b.len() || digits_at(b, g) != 2 || b.get(g + 2) != Some(&sep) {
                continue;
            }
            let s = g + 3;
            if s >= b.len() || digits_at(b, s) != 4 {
                continue;
            }
            (s + 4, (start..start + 3, g..g + 2, s..s + 4), Some(sep))
        } else {
            continue;
        };
        if !bounded(text, start, end, b"-") {
            continue;
        }
        if !valid_parts(&text[parts.0], &text[parts.1], &text[parts.2]) {
            continue;
        }
        if sep != Some(b'-') && !context_before(text, start, 40, &SSN_WORDS) {
            continue;
        }
        out.push(start..end);
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find, text)
    }

    #[test]
    fn ssn_cases() {
        assert_eq!(found("SSN 123-45-6789."), vec!["123-45-6789"]);
        assert_eq!(
            found("my social security number is 123456789"),
            vec!["123456789"]
        );
        assert_eq!(found("ssn: 123 45 6789"), vec!["123 45 6789"]);
        for neg in [
            "id 123456789",
            "000-12-3456",
            "666-12-3456",
            "912-34-5678",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120",
            "phone 415-555-0134",
            "123-45-67890",
            "2024-05-0134",
            "ssn 123-456789",
            "ssn 123-45 6789",
        ] {
            assert!(found(neg).is_empty(), "{neg}");
        }
    }
}
