//! International bank account numbers.
//!
//! A candidate starts with a country code and two check digits; the country fixes the length, so the
//! scanner takes exactly that many letters and digits (allowing single spaces between groups) and
//! checks mod-97. A trailing word can therefore never spoil a valid IBAN, and a random code that happens
//! to start with two letters and two digits almost never passes.

use std::ops::Range;

/// IBAN lengths by country (SWIFT IBAN registry).
#[rustfmt::skip]
static LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16),
    ("BG", 22), ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22),
    ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20),
    ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22),
    ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HN", 28), ("HR", 21),
    ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30),
    ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20),
    ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23),
    ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22),
    ("RU", 33), ("SA", 24), ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24),
    ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26),
    ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20), ("YE", 30),
];

/// Countries whose account part (after the check digits) is digits only (SWIFT IBAN registry):
/// a candidate with letters there is a number followed by a word ("nº 9543-4896 viene" reads
/// `NO95 4348 96vi ene`), not an IBAN.
#[rustfmt::skip]
static NUMERIC_BBAN: &[&str] = &[
    "AE", "AT", "BA", "BE", "CZ", "DE", "DK", "EE", "EG", "ES", "FI", "FO", "GL", "HR", "HU",
    "IL", "IS", "LT", "ME", "NO", "PL", "PT", "RS", "SE", "SI", "SK", "TL", "TN", "XK",
];

/// Whether the account part of a candidate suits its country.
fn bban_fits(iban: &[u8]) -> bool {
    let code = [iban[0].to_ascii_uppercase(), iban[1].to_ascii_uppercase()];
    !NUMERIC_BBAN.iter().any(|c| c.as_bytes() == code) || iban[4..].iter().all(u8::is_ascii_digit)
}

fn country_length(a: u8, b: u8) -> Option<usize> {
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    LENGTHS
        .iter()
        .find(|(c, _)| c.as_bytes() == code)
        .map(|&(_, n)| n)
}

/// True when `iban` (letters and digits only, any case) passes the ISO 13616 mod-97 check.
pub fn mod97_valid(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let rearranged = iban[4..].iter().chain(&iban[..4]);
    let mut rem: u32 = 0;
    for &c in rearranged {
        let v = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' => u32::from(c - b'a') + 10,
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Finds IBANs.
pub fn find(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        // Digits are rarer than letters in text: test them first. `PL 22 …` puts a space
        // between the country code and the check digits.
        // Grouped by three, the check digits fall into two groups (`GB9 5NW BK7 …`).
        let gap = usize::from(b[i + 2] == b' ');
        let split = usize::from(b.get(i + 3 + gap) == Some(&b' '));
        let starts = b.get(i + 2 + gap).is_some_and(u8::is_ascii_digit)
            && b.get(i + 3 + gap + split).is_some_and(u8::is_ascii_digit)
            && b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() || after_label(b, i));
        if starts
            && let Some(len) = country_length(b[i], b[i + 1])
            && let Some(end) = take(b, i, len)
        {
            out.push(i..end);
            i = end;
            continue;
        }
        i += 1;
    }
}

/// Whether the word `IBAN` is glued to the candidate at `i` (`IBANCH69…`, `ibanDE89…`).
fn after_label(b: &[u8], i: usize) -> bool {
    i >= 4
        && b[i - 4..i].eq_ignore_ascii_case(b"iban")
        && (i == 4 || !b[i - 5].is_ascii_alphanumeric())
}

/// Takes `len` letters and digits from `start`, allowing a separator between them (one or two
/// spaces, or a dash with or without spaces: people group IBANs by four in every way); returns the
/// end when they form a valid IBAN that is not followed directly by more letters or digits.
fn take(b: &[u8], start: usize, len: usize) -> Option<usize> {
    let mut chars = [0u8; 34];
    let mut n = 0;
    let mut i = start;
    while n < len {
        match b.get(i) {
            Some(c) if c.is_ascii_alphanumeric() => {
                chars[n] = *c;
                n += 1;
                i += 1;
            }
            // Pasted from a spreadsheet (tabs) or printed with dots (`DE81.7753.3329…`) too.
            Some(b' ' | b'-' | b'\t' | b'.') if n > 0 => {
                let sep = b[i..]
                    .iter()
                    .take(4)
                    .take_while(|c| matches!(c, b' ' | b'-' | b'\t' | b'.'))
                    .count();
                let count = |x: u8| b[i..i + sep].iter().filter(|&&c| c == x).count();
                if sep > 3
                    || count(b'-') > 1
                    || count(b'.') > 1
                    || !b.get(i + sep).is_some_and(u8::is_ascii_alphanumeric)
                {
                    return None;
                }
                i += sep;
            }
            _ => return None,
        }
    }
    if b.get(i).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    (bban_fits(&chars[..n]) && mod97_valid(&chars[..n])).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find, text)
    }

    #[test]
    fn dots_and_tabs_between_groups() {
        assert_eq!(
            found("IBAN DE89.3704.0044.0532.0130.00."),
            vec!["DE89.3704.0044.0532.0130.00"]
        );
        assert_eq!(
            found("IBAN:\tDE89\t3704\t0044\t0532\t0130\t00"),
            vec!["DE89\t3704\t0044\t0532\t0130\t00"]
        );
        assert!(found("DE89.3704.0044.0532.0130.01").is_empty());
    }

    #[test]
    fn iban_cases() {
        assert_eq!(
            found("IBAN DE89 3704 0044 0532 0130 00 is mine"),
            vec!["DE89 3704 0044 0532 0130 00"]
        );
        assert_eq!(
            found("iban=GB82WEST12345698765432&x"),
            vec!["GB82WEST12345698765432"]
        );
        assert_eq!(
            found("fr76 3000 6000 0112 3456 7890 189"),
            vec!["fr76 3000 6000 0112 3456 7890 189"]
        );
        assert_eq!(found("NL91ABNA0417164300."), vec!["NL91ABNA0417164300"]);
        assert_eq!(
            found("IBAN: DE89  3704  0044  0532  0130  00"),
            vec!["DE89  3704  0044  0532  0130  00"]
        );
        assert_eq!(
            found("DE89-3704-0044-0532-0130-00"),
            vec!["DE89-3704-0044-0532-0130-00"]
        );
        assert_eq!(
            found("PL 61 1090 1014 0000 0712 1981 2874"),
            vec!["PL 61 1090 1014 0000 0712 1981 2874"]
        );
        assert_eq!(found("NO93 8601 1117 947"), vec!["NO93 8601 1117 947"]);
        for neg in [
            "DE89 3704 0044 0532 0130 01",
            "GB82WEST123456987654321",
            "AB12 3456 7890",
            "SKU DE12-ABCD",
            "XDE89370400440532013000",
            // `nº` reads `no` (Norway) in the canonical view, and this one passes mod-97.
            "mi pedido no 9543-4896 viene incompleto",
        ] {
            assert!(found(neg).is_empty(), "{neg}");
        }
    }
}
