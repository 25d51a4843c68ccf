//! US social security numbers.
//!
//! `123-45-6789` is always a candidate; `123 45 6789`, `123.45.6789` and a bare `123456789` only
//! after words such as "SSN", "my social" or "seguro social" (`words/us_ssn.toml`) within
//! [`WINDOW`] bytes, with no word naming another identifier ("order", "ticket") nearer, because a
//! bare nine-digit number is far more often an id. `SSN529473793` (the word glued on) counts. Numbers the
//! SSA never issues (area 000, 666 or 900–999, group 00, serial 0000) and the two famous published
//! numbers are not SSNs. A small hand-written scanner over digit runs: no regex on the hot path.

use super::bounded;
use super::words::{ContextWords, Lexicon, WordKind};
use std::ops::Range;
use std::sync::LazyLock;

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

/// Bytes before a number searched for SSN words.
const WINDOW: usize = 64;

/// Finds US SSNs.
pub fn find(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
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
        let glued = start > 0 && b[start - 1].is_ascii_alphanumeric();
        if glued && !glued_word(b, start) || (start > 0 && b[start - 1] == b'-') {
            continue;
        }
        let (end, parts, sep) = if n == 9 {
            (
                start + 9,
                (start..start + 3, start + 3..start + 5, start + 5..start + 9),
                None,
            )
        } else if n == 3
            && let Some((sep, len)) = separator_at(b, i)
        {
            let g = i + len;
            if g >= b.len() || digits_at(b, g) != 2 || separator_at(b, g + 2) != Some((sep, len)) {
                continue;
            }
            let s = g + 2 + len;
            if s >= b.len() || digits_at(b, s) != 4 {
                continue;
            }
            (s + 4, (start..start + 3, g..g + 2, s..s + 4), Some(sep))
        } else if n == 1 && !glued && spoken(b, start) {
            // Read out digit by digit ("3 7 5 1 4 3 3 8 1"): only after an SSN word.
            let end = start + 17;
            let digits: String = text[start..end].split(' ').collect();
            if named(b, lex, start) && valid_parts(&digits[..3], &digits[3..5], &digits[5..]) {
                out.push(start..end);
            }
            i = end;
            continue;
        } else {
            continue;
        };
        if !glued && !bounded(text, start, end, b"-")
            || glued && b.get(end).is_some_and(u8::is_ascii_alphanumeric)
        {
            continue;
        }
        // `123.45.6789.` is a version or an amount's tail; `.5` after it a decimal.
        if matches!(b.get(end), Some(b'.' | b',')) && b.get(end + 1).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        if !valid_parts(&text[parts.0], &text[parts.1], &text[parts.2]) {
            continue;
        }
        if sep != Some(b'-') && !glued && !named(b, lex, start) {
            continue;
        }
        if sep == Some(b'-') && !glued && named_otherwise(b, lex, start, end) {
            continue;
        }
        out.push(start..end);
        i = end;
    }
}

/// The separator between an SSN's groups at `i`, as a kind and a length: `-`, a blank, `.`, `/`,
/// or a dash or slash between blanks (`339 - 37 - 3667`). Both separators must be alike.
fn separator_at(b: &[u8], i: usize) -> Option<(u8, usize)> {
    match (b.get(i)?, b.get(i + 1), b.get(i + 2)) {
        // Spaced separators are their own kinds: only `-` alone makes a candidate without a word.
        (b' ', Some(b'-'), Some(b' ')) => Some((b'_', 3)),
        (b' ', Some(b'/'), Some(b' ')) => Some((b'|', 3)),
        (&c @ (b'-' | b' ' | b'.' | b'/'), _, _) => Some((c, 1)),
        _ => None,
    }
}

/// Whether nine single digits separated by single blanks start at `start` and no digit follows.
fn spoken(b: &[u8], start: usize) -> bool {
    let Some(run) = b.get(start..start + 17) else {
        return false;
    };
    run.iter().enumerate().all(|(k, c)| {
        if k % 2 == 0 {
            c.is_ascii_digit()
        } else {
            *c == b' '
        }
    }) && !b.get(start + 17).is_some_and(u8::is_ascii_alphanumeric)
        && !(b.get(start + 17) == Some(&b' ') && b.get(start + 18).is_some_and(u8::is_ascii_digit))
}

/// Bytes before a dashed number searched for the name of a product's identifier.
const OTHER_WINDOW: usize = 24;

/// Names of goods' and documents' identifiers that print in the SSN's `3-2-4` shape: "SKU
/// 221-81-2737", "part no. 411-06-2011", "Artikelnummer", "modelo", "numéro de série", "invoice",
/// "pedido". An SSN word anywhere in the window still wins: "the SSN for the policy is
/// 123-45-6789" is an SSN.
static PRODUCT_ID_WORDS: LazyLock<ContextWords> = LazyLock::new(|| {
    ContextWords::from_lists([
        "sku",
        "part",
        "parts",
        "part no",
        "part number",
        "spare part",
        "replacement part",
        "model",
        "model no",
        "model number",
        "item",
        "item no",
        "catalog no",
        "catalogue no",
        "product code",
        "article",
        "art.-nr.",
        "art-nr",
        "serial",
        "serial no",
        "s/n",
        "po",
        "modelo",
        "pieza",
        "repuesto",
        "recambio",
        "referencia",
        "artículo",
        "articulo",
        "número de serie",
        "numero de serie",
        "nº de serie",
        "artikel*",
        "artikelnummer*",
        "modell*",
        "teil",
        "teilenummer*",
        "ersatzteil*",
        "seriennummer*",
        "typ",
        "modèle",
        "modele",
        "pièce",
        "piece",
        "réf",
        "référence",
        "numéro de série",
        "numero de serie",
        "n° de série",
        "modello",
        "pezzo",
        "ricambio",
        "codice articolo",
        "articolo",
        "numero di serie",
        "peça",
        "peca",
        "artigo",
        "número de série",
        // Documents and cases numbered in the same shape.
        "order*",
        "invoice*",
        "ticket*",
        "booking*",
        "ref",
        "ref.",
        "reference*",
        "tracking*",
        "rma",
        "policy",
        "lot",
        "batch",
        "case",
        "receipt*",
        "pedido*",
        "factura*",
        "lote",
        "bestell*",
        "*bestellung",
        "rechnung*",
        "auftrag*",
        "commande*",
        "facture*",
        "dossier*",
        "ordine*",
        "fattura*",
        "lotto",
        "encomenda*",
        "fatura*",
    ])
});

/// Whether the name of a product's identifier ([`PRODUCT_ID_WORDS`]) stands right before
/// `start` and no SSN word stands within [`WINDOW`] bytes before it or right after the number
/// ("… is my SSN"): a dashed `123-45-6789` needs no SSN word, but it does not stand against the
/// name of a part or a model.
fn named_otherwise(b: &[u8], lex: &Lexicon, start: usize, end: usize) -> bool {
    let near = start.saturating_sub(OTHER_WINDOW);
    if PRODUCT_ID_WORDS.last_in(&b[near..start]).is_none() {
        return false;
    }
    let ssn = lex.words(WordKind::UsSsn);
    ssn.last_in(&b[start.saturating_sub(WINDOW)..start])
        .is_none()
        && ssn
            .nearest(&b[end..(end + OTHER_WINDOW).min(b.len())])
            .is_none()
}

/// Whether an SSN word stands within [`WINDOW`] bytes before `start`, with no word naming another
/// identifier nearer.
fn named(b: &[u8], lex: &Lexicon, start: usize) -> bool {
    let window = &b[start.saturating_sub(WINDOW)..start];
    let Some(ssn) = lex.words(WordKind::UsSsn).last_in(window) else {
        return false;
    };
    lex.words(WordKind::NotPhone)
        .last_in(window)
        .is_none_or(|other| other <= ssn)
}

/// Whether the letters glued before the digits at `start` end with an SSN word (`SSN529473793`).
fn glued_word(b: &[u8], start: usize) -> bool {
    let from = b[..start]
        .iter()
        .rposition(|c| !c.is_ascii_alphanumeric() && *c != b'#')
        .map_or(0, |k| k + 1);
    let token = b[from..start].to_ascii_lowercase();
    token.ends_with(b"ssn") || token.ends_with(b"ssn#") || token.ends_with(b"ss#")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_with(find, text)
    }

    #[test]
    fn ssn_cases() {
        assert_eq!(found("SSN 123-45-6789."), vec!["123-45-6789"]);
        assert_eq!(
            found("my social security number is 123456789"),
            vec!["123456789"]
        );
        assert_eq!(found("ssn: 123 45 6789"), vec!["123 45 6789"]);
        assert_eq!(found("SSN 358.94.2161"), vec!["358.94.2161"]);
        // A word for another id further back does not hide a dashed SSN named nearer.
        assert_eq!(found("order 5512, SSN 123-45-6789"), vec!["123-45-6789"]);
        assert_eq!(
            found("re: my order. 123-45-6789 is my SSN"),
            vec!["123-45-6789"]
        );
        assert_eq!(found("SSN529473793"), vec!["529473793"]);
        assert_eq!(found("my social is 529473793"), vec!["529473793"]);
        assert_eq!(found("seguro social 529 47 3793"), vec!["529 47 3793"]);
        assert_eq!(
            found("SSN (the one on file, please check) 529473793"),
            vec!["529473793"]
        );
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
            "SSN on file; order 529473793",
            "version 358.94.2161.2",
            "lessn529473793x",
            "SKU 221-81-2737 out of stock",
            "part no. 411-06-2011 arrived broken",
            "Artikelnummer 435-84-5399",
            "l'article 377-38-9766 est en rupture",
            "modelo 210-19-2497",
            "modèle 210-19-2497",
            "codice articolo 210-19-2497",
            "replacement part 210-19-2497",
            "numéro de série 210-19-2497",
            "invoice 221-81-2737 paid twice",
            "pedido 221-81-2737 no llegó",
            "Bestellung 221-81-2737 fehlt",
        ] {
            assert!(found(neg).is_empty(), "{neg}");
        }
    }
}
