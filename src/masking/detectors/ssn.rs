//! US social security numbers.
//!
//! `123-45-6789` is always a candidate; `123 45 6789` and a bare `123456789` only after words such as
//! "SSN" or "social security", because a bare nine-digit number is far more often an id. Numbers the
//! SSA never issues (area 000, 666 or 900–999, group 00, serial 0000) and the two famous published
//! numbers are not SSNs.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{bounded, context_before};

static SSN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)(\d{3})([ \-]?)(\d{2})([ \-]?)(\d{4})").expect("ssn regex is valid")
});

const SSN_WORDS: &[&str] = &["ssn", "social security", "soc sec", "ss#", "ss no", "taxpayer"];

/// True when the three parts can belong to an issued SSN.
pub fn valid_parts(area: &str, group: &str, serial: &str) -> bool {
    let area_n: u32 = area.parse().unwrap_or(0);
    area_n != 0
        && area_n != 666
        && area_n < 900
        && group != "00"
        && serial != "0000"
        && !matches!((area, group, serial), ("078", "05", "1120") | ("219", "09", "9999"))
}

/// Finds US SSNs.
pub fn find(text: &str, out: &mut Vec<Range<usize>>) {
    for c in SSN.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let (sep1, sep2) = (&c[2], &c[4]);
        if sep1 != sep2 || !bounded(text, m.start(), m.end(), b"-") {
            continue;
        }
        if !valid_parts(&c[1], &c[3], &c[5]) {
            continue;
        }
        if sep1 != "-" && !context_before(text, m.start(), 40, SSN_WORDS) {
            continue;
        }
        out.push(m.range());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, &mut out);
        out.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn ssn_cases() {
        assert_eq!(found("SSN 123-45-6789."), vec!["123-45-6789"]);
        assert_eq!(found("my social security number is 123456789"), vec!["123456789"]);
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
        ] {
            assert!(found(neg).is_empty(), "{neg}");
        }
    }
}
