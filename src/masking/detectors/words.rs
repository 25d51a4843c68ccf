//! Context words: the words that, shortly before a value, say what it is ("phone", "llámame",
//! "Geburtsdatum", "DNI"), in every language our customers write.
//!
//! They are data, not code: one TOML file per kind under `detectors/words/`, one list per
//! language, so a compliance team can read them and propose additions without reading a detector.
//! Each file is compiled once into a case-insensitive automaton ([`ContextWords`]).
//!
//! A word matches as a whole word. A `*` at its end lets the word continue (`telefon*` also finds
//! "Telefonnummer"), at its start lets it end a longer word (`*nummer`). Non-ASCII letters match in
//! lower case, upper case and capitalised (`né le`, `NÉ LE`, `Né le`).

use std::ops::Range;
use std::sync::LazyLock;

use serde::Deserialize;

/// One words file: language code → words.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct WordsFile(std::collections::BTreeMap<String, Vec<String>>);

/// How a word may touch the letters around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Open {
    /// The word may be the end of a longer word (`*nummer`).
    left: bool,
    /// The word may continue (`telefon*`).
    right: bool,
}

/// A list of context words compiled once into one case-insensitive automaton.
pub(crate) struct ContextWords {
    ac: aho_corasick::AhoCorasick,
    /// Per pattern: how it may touch neighbouring letters.
    open: Vec<Open>,
    /// Per pattern: the word as written in the list (for `rules explain`).
    word: Vec<String>,
    /// Every pattern, ASCII lower-cased: one of them occurs in any text the words match.
    patterns: Vec<Vec<u8>>,
}

/// A context word found in a window: where it is and which word of the list it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    /// Its bytes in the window.
    pub span: Range<usize>,
    /// The word as the list spells it.
    pub word: &'a str,
}

impl ContextWords {
    /// Compiles `words` that match inside longer words, and `whole` that match only as whole words.
    pub(crate) fn with_whole_words(words: &[&str], whole: &[&str]) -> ContextWords {
        let open = Open {
            left: true,
            right: true,
        };
        let closed = Open {
            left: false,
            right: false,
        };
        ContextWords::build(
            words
                .iter()
                .map(|w| (w.to_string(), open))
                .chain(whole.iter().map(|w| (w.to_string(), closed))),
        )
    }

    /// Compiles a words file (see the module docs for its format). Panics on a malformed file: the
    /// files are part of the program, and a unit test loads every one of them.
    pub(crate) fn from_toml(source: &str) -> ContextWords {
        let file: WordsFile = toml::from_str(source).expect("a words file is a table of lists");
        ContextWords::from_lists(file.0.values().flatten().map(String::as_str))
    }

    /// Compiles words written with the `*` convention of the words files.
    pub(crate) fn from_lists<'a>(words: impl IntoIterator<Item = &'a str>) -> ContextWords {
        ContextWords::build(words.into_iter().filter_map(|w| {
            let left = w.starts_with('*');
            let right = w.ends_with('*');
            let core = w.trim_matches('*');
            (!core.is_empty()).then(|| (core.to_string(), Open { left, right }))
        }))
    }

    fn build(words: impl Iterator<Item = (String, Open)>) -> ContextWords {
        let mut patterns = Vec::new();
        let mut open = Vec::new();
        let mut word = Vec::new();
        for (w, o) in words {
            // ASCII case is the automaton's business; other letters get their cased forms.
            let mut forms = vec![w.clone()];
            if !w.is_ascii() {
                let lower = w.to_lowercase();
                let upper = w.to_uppercase();
                let mut chars = lower.chars();
                let capital: String = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                for f in [lower, upper, capital] {
                    if !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
            for f in forms {
                patterns.push(f);
                open.push(o);
                word.push(w.clone());
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // A DFA: detectors scan whole strings for these words.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("context words are plain literals");
        let patterns = patterns
            .iter()
            .map(|p| p.as_bytes().to_ascii_lowercase())
            .collect();
        ContextWords {
            ac,
            open,
            word,
            patterns,
        }
    }

    /// Literals one of which occurs (ASCII case aside) in any text where a word is found: the
    /// prefilter's gate for detectors that start from these words. Each comes with whether it
    /// must stand on a word boundary on its left and on its right, as [`ContextWords::all`] requires.
    pub(crate) fn gate_literals(&self) -> Vec<(Vec<u8>, [bool; 2])> {
        self.patterns
            .iter()
            .zip(&self.open)
            .map(|(p, o)| (p.clone(), [!o.left, !o.right]))
            .collect()
    }

    /// The end of the last of the words in `window`, if any: where the nearest one stands.
    pub(crate) fn last_in(&self, window: &[u8]) -> Option<usize> {
        self.nearest(window).map(|f| f.span.end)
    }

    /// The last of the words in `window` (the one nearest its end), if any.
    pub(crate) fn nearest<'s>(&'s self, window: &'s [u8]) -> Option<Found<'s>> {
        self.all(window).max_by_key(|f| (f.span.end, f.span.len()))
    }

    /// Every word in `window`, overlapping ones included, that stands on its boundaries.
    pub(crate) fn all<'s>(&'s self, window: &'s [u8]) -> impl Iterator<Item = Found<'s>> + 's {
        self.ac.find_overlapping_iter(window).filter_map(move |m| {
            let k = m.pattern().as_usize();
            let o = self.open[k];
            let ok = (o.left || !letter_before(window, m.start()))
                && (o.right || !letter_at(window, m.end()));
            ok.then(|| Found {
                span: m.range(),
                word: &self.word[k],
            })
        })
    }
}

/// Every words file, by kind: loaded by the detectors below, listed by `rules words`, and all
/// checked by a unit test.
pub(crate) const FILES: &[(&str, &str)] = &[
    ("phone", include_str!("words/phone.toml")),
    ("not_phone", include_str!("words/not_phone.toml")),
    ("device_id", include_str!("words/device_id.toml")),
    ("date_of_birth", include_str!("words/date_of_birth.toml")),
    ("us_ssn", include_str!("words/us_ssn.toml")),
    ("national_id", include_str!("words/national_id.toml")),
    ("person_name", include_str!("words/person_name.toml")),
    ("street_address", include_str!("words/street_address.toml")),
    ("street_type", include_str!("words/street_type.toml")),
    ("password", include_str!("words/password.toml")),
];

/// The compiled words of one kind of [`FILES`].
pub(crate) fn of(kind: &str) -> ContextWords {
    let source = FILES
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, s)| *s)
        .unwrap_or_else(|| panic!("no words file for {kind}"));
    ContextWords::from_toml(source)
}

/// Declares a lazily compiled words kind.
macro_rules! words {
    ($(#[$doc:meta])* $name:ident = $kind:literal) => {
        $(#[$doc])*
        pub(crate) static $name: LazyLock<ContextWords> = LazyLock::new(|| of($kind));
    };
}

words!(
    /// Words that, shortly before a number, say it is a phone number.
    PHONE = "phone"
);
words!(
    /// Words that say a number is something else (an order, an invoice, a time) even after a phone word.
    NOT_PHONE = "not_phone"
);
words!(
    /// Names of a device identifier (IMEI, ICCID, serial): a long number after one is no phone.
    DEVICE_ID = "device_id"
);
words!(
    /// Words that say a date is a date of birth.
    DATE_OF_BIRTH = "date_of_birth"
);
words!(
    /// Words that say a nine-digit number is a US social security number.
    US_SSN = "us_ssn"
);
words!(
    /// Words that name a national identity or tax number.
    NATIONAL_ID = "national_id"
);
words!(
    /// Phrases after which a person gives their name ("my name is", "me llamo").
    PERSON_NAME = "person_name"
);
words!(
    /// Phrases after which a person gives their address ("I live at", "wohne in der").
    STREET_ADDRESS = "street_address"
);
words!(
    /// Words that make a street name ("Street", "Calle", "rue", "-straße"), wherever they stand.
    STREET_TYPE = "street_type"
);
words!(
    /// Names of a password or passphrase ("password", "Passwort", "contraseña").
    PASSWORD = "password"
);

/// True when the character ending at byte `i` of `b` is a letter or digit (of any script).
pub(crate) fn letter_before(b: &[u8], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let c = b[i - 1];
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Walk back to the start of the UTF-8 sequence (at most four bytes).
    let from = (i.saturating_sub(4)..i)
        .find(|&s| std::str::from_utf8(&b[s..i]).is_ok())
        .unwrap_or(i - 1);
    std::str::from_utf8(&b[from..i])
        .ok()
        .and_then(|s| s.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

/// True when the character starting at byte `i` of `b` is a letter or digit (of any script).
pub(crate) fn letter_at(b: &[u8], i: usize) -> bool {
    let Some(&c) = b.get(i) else {
        return false;
    };
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let to = (i + 1..=b.len().min(i + 4))
        .find(|&e| std::str::from_utf8(&b[i..e]).is_ok())
        .unwrap_or(i + 1);
    std::str::from_utf8(&b[i..to])
        .ok()
        .and_then(|s| s.chars().next())
        .is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_and_stars() {
        let w = ContextWords::from_lists(["tel", "telefon*", "*nummer", "né le", "call"]);
        let hit = |t: &str| w.last_in(t.as_bytes()).is_some();
        assert!(hit("tel: 030"));
        assert!(hit("Telefonnummer"));
        assert!(hit("Kundennummer"));
        assert!(hit("NÉ LE 3"));
        assert!(hit("Né le 3"));
        assert!(!hit("hotel 12"));
        assert!(!hit("Bestellung"));
        assert!(!hit("recall"));
        assert!(!hit("calling"));
        assert_eq!(
            w.nearest(b"call the tel").map(|f| f.word.to_string()),
            Some("tel".into())
        );
    }

    #[test]
    fn every_words_file_loads() {
        for (kind, source) in FILES {
            let file: WordsFile = toml::from_str(source).unwrap_or_else(|e| panic!("{kind}: {e}"));
            for (lang, words) in &file.0 {
                for w in words {
                    assert!(!w.trim_matches('*').is_empty(), "{kind}.{lang}: empty word");
                    assert_eq!(w.trim(), w, "{kind}.{lang}: {w:?} has outer blanks");
                }
            }
            let _ = of(kind);
        }
    }

    #[test]
    fn boundaries_see_non_ascii_letters() {
        let w = ContextWords::from_lists(["tel"]);
        assert!(w.last_in("ütel".as_bytes()).is_none());
        assert!(w.last_in("telé".as_bytes()).is_none());
        assert!(w.last_in("«tel»".as_bytes()).is_some());
    }
}
