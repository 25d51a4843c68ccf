//! Dates of birth: a date written shortly after a birth word in one of our languages
//! (`words/date_of_birth.toml`: "DOB", "born", "fecha de nacimiento", "geb.", "né le", "nato il").
//!
//! A date alone is not personal data (a delivery date, a timestamp); a date named as a birth date
//! is. The date may be numeric in any order people write (`19.12.2004`, `2004/12/19`,
//! `12/19/2004`), or carry a month name in English, Spanish, German, French, Portuguese or Italian
//! (`April 3, 1989`, `3 de abril de 1989`, `3. April 1989`, `le 3 avril 1989`). Only the date is
//! masked; the word stays, so the agent knows what was there.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Hints;
use super::words;

/// Bytes between a birth word and its date (connectors such as "is", ": ", "el", "am").
const GAP: usize = 32;

/// Month names and abbreviations in the six languages.
const MONTHS: &str = concat!(
    "january|february|march|april|may|june|july|august|september|october|november|december",
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec",
    "|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre",
    "|diciembre|ene|abr|ago|dic",
    "|januar|jänner|jaenner|februar|märz|maerz|mai|juni|juli|oktober|dezember|okt|dez",
    "|janvier|février|fevrier|mars|avril|juin|juillet|août|aout|septembre|octobre|novembre",
    "|décembre|decembre|janv|févr|fevr|avr|juil",
    "|janeiro|fevereiro|março|marco|maio|junho|julho|setembro|outubro|novembro|dezembro|fev|out|set",
    "|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|gen|mag|giu|lug|ott",
);

/// A date at the start of the text, in the forms people write a birth date.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let day = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th|er|º|°|ª)?\.?";
    let month = format!(r"(?:{MONTHS})\.?");
    let year = r"(?:1[89][0-9]{2}|20[0-9]{2}|'[0-9]{2})";
    Regex::new(&format!(
        concat!(
            r"(?i)^(?:",
            r"[0-9]{{4}}[./-][0-9]{{1,2}}[./-][0-9]{{1,2}}",
            r"|[0-9]{{1,2}}[./-][0-9]{{1,2}}[./-](?:[0-9]{{4}}|[0-9]{{2}})",
            r"|[0-9]{{1,2}} [0-9]{{1,2}} [0-9]{{4}}",
            r"|{day}\s*(?:of\s+|de\s+)?{month},?\s*(?:de\s+|of\s+)?{year}",
            r"|{month}\s+{day},?\s*{year}",
            r"|{month},?\s+(?:de\s+|of\s+)?{year}",
            r"|(?:19|20)[0-9]{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])",
            r"|(?:0[1-9]|[12][0-9]|3[01])(?:0[1-9]|1[0-2])(?:19|20)[0-9]{{2}}",
            r")(?-u:\b)",
        ),
        day = day,
        month = month,
        year = year,
    ))
    .expect("date regex is valid")
});

/// A bare year, which counts only after a word naming birth itself.
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:19|20)[0-9]{2}(?-u:\b)").expect("year regex is valid"));

/// Whether a string with these counts can hold a date of birth.
pub(crate) fn may_match(hints: &Hints) -> bool {
    hints.digits + hints.odd >= 2 && hints.letters + hints.odd >= 3
}

/// Finds dates of birth.
pub fn find(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut last_end = 0;
    for found in words::DATE_OF_BIRTH.all(b) {
        let from = found.span.end;
        if from < last_end {
            continue;
        }
        let Some(at) = date_start(b, from) else {
            continue;
        };
        let rest = &text[at..];
        let m = DATE.find(rest).map(|m| m.end()).or_else(|| {
            names_birth(found.word)
                .then(|| YEAR.find(rest).map(|m| m.end()))
                .flatten()
        });
        if let Some(len) = m {
            // Not the start of a longer number (`2004/12/19/0001`, `1986-08-06T…` is still a date).
            let end = at + len;
            if b.get(end).is_some_and(u8::is_ascii_digit) {
                continue;
            }
            out.push(at..end);
            last_end = end;
        }
    }
}

/// Where the date after a birth word at `from` starts: the first digit or letter after the
/// connectors ("is", ": ", "el", "am", "le"), within [`GAP`] bytes and before any digit.
fn date_start(b: &[u8], from: usize) -> Option<usize> {
    let window = &b[from..b.len().min(from + GAP)];
    let first_digit = window.iter().position(u8::is_ascii_digit);
    // A month name may come first (`DOB: April 3, 1989`): try every word start up to the digit.
    let limit = first_digit.unwrap_or(window.len());
    if window[..limit].contains(&b'\n') {
        return None;
    }
    for k in 0..=limit.min(window.len().saturating_sub(1)) {
        let at = from + k;
        let starts_word = k == 0 || !window[k - 1].is_ascii_alphanumeric();
        if starts_word && b[at].is_ascii_alphanumeric() && month_or_digit_at(b, at) {
            return Some(at);
        }
    }
    None
}

/// Whether a date can start at `at`: a digit, or a month name followed by a digit soon.
fn month_or_digit_at(b: &[u8], at: usize) -> bool {
    if b[at].is_ascii_digit() {
        return true;
    }
    let word_end = (at..b.len())
        .find(|&k| !(b[k].is_ascii_alphabetic() || b[k] >= 0x80))
        .unwrap_or(b.len());
    std::str::from_utf8(&b[at..word_end]).is_ok_and(|w| {
        let w = w.to_lowercase();
        MONTHS.split('|').any(|m| m == w)
    })
}

/// Whether a birth word names birth itself, so that a bare year after it is a birth year.
fn names_birth(word: &str) -> bool {
    let w = word.to_lowercase();
    [
        "born", "year", "nac", "naci", "geb", "né", "ne le", "née", "nee", "nasc", "nato", "nata",
    ]
    .iter()
    .any(|p| w.starts_with(p))
        || w.contains("jahr")
        || w.contains("año")
        || w.contains("année")
        || w.contains("ano de")
        || w.contains("anno")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find, text)
    }

    #[test]
    fn dates_of_birth() {
        for (text, date) in [
            ("D.O.B. 12/19/2004", "12/19/2004"),
            ("born 6 August 1986", "6 August 1986"),
            ("DOB: April 3, 1989", "April 3, 1989"),
            ("date of birth 2004/12/19", "2004/12/19"),
            ("my birthday is 19.12.2004", "19.12.2004"),
            ("fecha de nacimiento: 19/12/2004", "19/12/2004"),
            ("nací el 3 de abril de 1989", "3 de abril de 1989"),
            ("Geburtsdatum 19.12.2004", "19.12.2004"),
            ("geb. 19.12.2004", "19.12.2004"),
            ("geboren am 3. April 1989", "3. April 1989"),
            ("né le 19/12/2004", "19/12/2004"),
            ("Née le 3 avril 1989", "3 avril 1989"),
            ("date de naissance : 03/04/1989", "03/04/1989"),
            ("data de nascimento 19/12/2004", "19/12/2004"),
            ("nascido em 3 de março de 1989", "3 de março de 1989"),
            ("data di nascita 19/12/2004", "19/12/2004"),
            ("nato il 3 aprile 1989", "3 aprile 1989"),
            ("born in 1986, lives in Leeds", "1986"),
            ("DOB 1986-08-06", "1986-08-06"),
            ("dob=19122004", "19122004"),
            ("born on the 6th of August 1986", "6th of August 1986"),
        ] {
            assert_eq!(found(text), vec![date], "{text}");
        }
    }

    #[test]
    fn other_dates_stay() {
        for text in [
            "delivered on 2026-11-20",
            "fecha de entrega 19/12/2024",
            "Lieferdatum 19.12.2024",
            "birthday sale 20%",
            "birthday sale 2026",
            "expiry 12/27",
            "the newborn kit 2026-01-05",
            "Geburtstagsgeschenk bestellt",
        ] {
            assert!(found(text).is_empty(), "{text} -> {:?}", found(text));
        }
    }
}
