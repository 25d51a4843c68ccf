//! National identity and tax numbers of the countries we serve, each validated by its own check.
//!
//! Checksums are how a pattern beats a language model on precision: a shape, a check digit and,
//! for shapes that random numbers fill easily, a context word (`words/national_id.toml`).
//!
//! | Kind | Shape | Check | Context word |
//! |------|-------|-------|--------------|
//! | UK National Insurance number | `AB123456C`, `AB 12 34 56 C` | prefix letters (HMRC) | upper case: no; lower/mixed case: yes |
//! | UK NHS number | `9434765919`, `943 476 5919` | mod 11 | yes |
//! | ES DNI | `12345678Z`, `12345678-Z`, `12.345.678-Z` | letter = n mod 23 | no |
//! | ES NIE | `X1234567L`, `X-1234567-L` | letter = n mod 23 | no |
//! | IT codice fiscale | `RSSMRA85T10A562S` (omocodia too) | odd/even tables, mod 26 | no |
//! | FR NIR | `1 84 12 76 451 089 46` | fields, key = 97 − n mod 97 | no in that grouping; yes glued |
//! | NL BSN | `111222333`, `1112.22.333` | 11-proef | yes |
//! | DE Steuer-ID | `86095742719`, `86 095 742 719` | digit rule, ISO 7064 MOD 11,10 | yes |
//! | PT NIF/NIPC | `123456789` | prefix, mod 11 | yes |
//!
//! Why the context policy differs by kind: a random string passes a check digit by chance (1 in 10
//! or 11 for the mod-11 digits, 1 in 23 for the DNI letter, 1 in 26 for the codice fiscale, 1 in 97
//! for the NIR key), so what decides is how often a random token of that *shape* turns up. Bare
//! nine-, ten- and eleven-digit numbers are everywhere (orders, invoices, phones, tickets): one in
//! eleven of them would pass, so those kinds need a word naming them. Eight digits glued to a
//! letter, a letter-digit-letter code of sixteen characters or two letters, six digits and `A`–`D`
//! are rare shapes outside identity documents, and their check (or HMRC's prefix rules) leaves few
//! survivors, so they stand alone. Fifteen glued digits are not rare (IMEIs are fifteen digits, and
//! one in about two hundred random ones passes the NIR's fields and key), so a glued NIR needs a
//! word; the printed grouping `1 84 12 76 451 089 46` is used by no other number and does not.
//!
//! A context word counts within [`WINDOW`] bytes before the number, unless a word naming something
//! else (an order, an invoice, a phone: `not_phone.toml`, `phone.toml`) stands nearer. The kinds that
//! need no word still give way to such a word directly before them (`order AB123456C`,
//! `pedido: 12345678Z`). A candidate must be a whole token: letters or digits glued to it (or
//! joined by `-` or `.`, digits by `/` or `,`) make it part of something longer, except for a
//! context word and a connector such as `nº`, `Nr.`, `-` or `#` (`NIF nº123456789`,
//! `DNI-12345678Z`); a path segment (`/clientes/12345678Z/`) stands alone.
//!
//! The scanner reads the canonical view (digits of any script are ASCII, spaces plain, dashes `-`),
//! by hand, in one pass: no regex on the hot path.

use std::ops::Range;

use super::Hints;
use super::words::{ContextWords, Lexicon, WordKind, letter_at, letter_before};

/// How far before a number its context word may stand, in bytes (a little less than the 64 that
/// `rules explain` looks at, so the window's extension to a whole word stays inside it).
const WINDOW: usize = 56;

/// Whether a string with these counts can hold a national id at all.
///
/// Every kind but the codice fiscale holds at least six digits (the NI number exactly six), and
/// every digit of the canonical view comes from an ASCII digit, from non-ASCII bytes or from an
/// escape that holds an ASCII digit. An omocodic codice fiscale may have lost all seven of its
/// digits to letters, so it is bounded by its sixteen letters and digits instead: each of those
/// comes from an ASCII letter or digit, non-ASCII bytes, or an escape holding a digit (`%4C`,
/// `&#76;`).
pub(crate) fn may_match(hints: &Hints) -> bool {
    hints.digits + hints.odd >= 6 || hints.letters + hints.digits + hints.odd >= 16
}

/// Finds national identity and tax numbers.
pub fn find(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // A token of ASCII letters and digits starts at `i` (a letter of another script glued
        // before it is seen by the boundary checks). Its length says which kinds it can start,
        // so most tokens cost one walk and a compare.
        let token_end = b[i..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .map_or(b.len(), |n| i + n);
        let found = if b[i].is_ascii_digit() {
            digit_candidate(text, lex, i, token_end - i).map(|end| (i, end))
        } else {
            letter_candidate(text, lex, i, token_end - i)
        };
        match found {
            Some((start, end)) => {
                out.push(start..end);
                i = end;
            }
            None => i = token_end,
        }
    }
}

/// What a candidate needs from the words before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// A national-id word within the window, with no other-identifier word nearer.
    Named,
    /// Nothing, unless a word naming another identifier stands directly before it.
    NotNamedOther,
}

/// A digit-first shape: groups of letters and digits, the separators allowed between them (one
/// kind per shape), the check and whether a context word is needed.
struct Shape {
    groups: &'static [usize],
    seps: &'static [u8],
    check: fn(&[u8]) -> bool,
    need: Need,
}

/// Digit-first shapes, longest first. The DNI (digits and a letter) is read by [`dni`].
static DIGIT_SHAPES: &[Shape] = &[
    // FR NIR in its printed grouping: no other number is written 1-2-2-2-3-3-2.
    Shape {
        groups: &[1, 2, 2, 2, 3, 3, 2],
        seps: b" .",
        check: nir_valid,
        need: Need::NotNamedOther,
    },
    Shape {
        groups: &[15],
        seps: b"",
        check: nir_valid,
        need: Need::Named,
    },
    Shape {
        groups: &[13, 2],
        seps: b" ",
        check: nir_valid,
        need: Need::Named,
    },
    // DE Steuer-ID, glued or as printed by the BZSt (`86 095 742 719`).
    Shape {
        groups: &[11],
        seps: b"",
        check: steuer_id_valid,
        need: Need::Named,
    },
    Shape {
        groups: &[2, 3, 3, 3],
        seps: b" /",
        check: steuer_id_valid,
        need: Need::Named,
    },
    Shape {
        groups: &[3, 3, 3, 2],
        seps: b" ",
        check: steuer_id_valid,
        need: Need::Named,
    },
    // UK NHS number, glued or 3-3-4.
    Shape {
        groups: &[10],
        seps: b"",
        check: nhs_valid,
        need: Need::Named,
    },
    Shape {
        groups: &[3, 3, 4],
        seps: b" -",
        check: nhs_valid,
        need: Need::Named,
    },
    // NL BSN or PT NIF: nine digits, glued or 3-3-3; the BSN also 4.2.3.
    Shape {
        groups: &[9],
        seps: b"",
        check: nine_valid,
        need: Need::Named,
    },
    Shape {
        groups: &[3, 3, 3],
        seps: b" .-",
        check: nine_valid,
        need: Need::Named,
    },
    Shape {
        groups: &[4, 2, 3],
        seps: b".",
        check: bsn_valid,
        need: Need::Named,
    },
];

/// Up to 16 letters and digits of a candidate, separators left out.
struct Chars {
    buf: [u8; 16],
    len: usize,
}

impl Chars {
    fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Whether `b[i..i + n]` are all ASCII digits.
fn digits_at(b: &[u8], i: usize, n: usize) -> bool {
    b.get(i..i + n)
        .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
}

/// The value of ASCII digits.
fn number(d: &[u8]) -> u64 {
    d.iter()
        .fold(0, |n, &c| n * 10 + u64::from(c.wrapping_sub(b'0')))
}

/// Reads `groups` of ASCII letters and digits from `start`, one `sep` between groups; returns the
/// end and the characters.
fn read(b: &[u8], start: usize, groups: &[usize], sep: u8) -> Option<(usize, Chars)> {
    let mut chars = Chars {
        buf: [0; 16],
        len: 0,
    };
    let mut i = start;
    for (k, &n) in groups.iter().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&sep) {
                return None;
            }
            i += 1;
        }
        let group = b.get(i..i + n)?;
        if !group.iter().all(u8::is_ascii_alphanumeric) || chars.len + n > chars.buf.len() {
            return None;
        }
        chars.buf[chars.len..chars.len + n].copy_from_slice(group);
        chars.len += n;
        i += n;
    }
    Some((i, chars))
}

/// The id starting with the digit at `start` (a token of `run` letters and digits), if any: its
/// end.
fn digit_candidate(text: &str, lex: &Lexicon, start: usize, run: usize) -> Option<usize> {
    let b = text.as_bytes();
    if matches!(run, 1..=4 | 9..=11 | 13 | 15) {
        let next = b.get(start + run).copied();
        for shape in DIGIT_SHAPES {
            if run != shape.groups[0] {
                continue;
            }
            // A grouped shape goes on with the separator that ends the first group.
            let sep = match next {
                _ if shape.groups.len() == 1 => 0,
                Some(c) if shape.seps.contains(&c) => c,
                _ => continue,
            };
            let Some((end, chars)) = read(b, start, shape.groups, sep) else {
                continue;
            };
            if (shape.check)(chars.as_slice())
                && accept(text, lex, start, end, (sep != 0).then_some(sep), shape.need)
            {
                return Some(end);
            }
        }
    }
    // `12.345.678-Z`, `12345678-Z` or `12345678 Z`, `12345678Z`.
    if matches!(run, 2 | 8 | 9) {
        return dni(text, lex, start, run);
    }
    None
}

/// The id in the token starting with the letter at `start` (`run` letters and digits), if any:
/// its span.
fn letter_candidate(text: &str, lex: &Lexicon, start: usize, run: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    // NIE: `X-…` (1), `X1234567-L` (8), `X1234567L` (9); NI number: `AB 12 …` (2), `AB123456 C`
    // (8), `AB123456C` (9); codice fiscale: 16.
    let own = match run {
        1 => nie(text, lex, start),
        2 | 8 | 9 => nie(text, lex, start).or_else(|| nino(text, lex, start)),
        16 => {
            let end = start + 16;
            (codice_fiscale_valid(&b[start..end])
                && accept(text, lex, start, end, None, Need::NotNamedOther))
            .then_some(end)
        }
        // A codice fiscale written in groups of four (`RSSM RA85 T10A 562S`).
        4 => read(b, start, &[4, 4, 4, 4], b' ').and_then(|(end, chars)| {
            (codice_fiscale_valid(chars.as_slice())
                && accept(text, lex, start, end, Some(b' '), Need::NotNamedOther))
            .then_some(end)
        }),
        _ => None,
    };
    own.map(|end| (start, end)).or_else(|| {
        // A number glued to a short connector (`no123456789`, the view of `nº123456789`): the
        // connector check decides whether it stands alone. Longer letter runs (`ES12345678Z`,
        // base64, hex) are not looked into.
        let letters = b[start..start + run.min(4)]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let inner = start + letters;
        (letters <= 3 && letters < run && b[inner].is_ascii_digit())
            .then(|| digit_candidate(text, lex, inner, run - letters).map(|end| (inner, end)))
            .flatten()
    })
}

// ---------------------------------------------------------------------------------------------
// Where a candidate stands: token boundaries and context words.

/// Whether the candidate `start..end` is an id where it stands: a whole token (or touching only a
/// context word through a connector), not part of a longer digit chain, with the context `need`s.
fn accept(
    text: &str,
    lex: &Lexicon,
    start: usize,
    end: usize,
    sep: Option<u8>,
    need: Need,
) -> bool {
    let b = text.as_bytes();
    if !ends_token(b, end, sep) {
        return false;
    }
    // A digit group after a sign or after other digit groups is part of a longer number: a phone
    // (`+351 912345678`), a date, an amount.
    if b[start].is_ascii_digit() && start > 0 {
        match b[start - 1] {
            b'+' => return false,
            b' ' if start >= 2 && b[start - 2].is_ascii_digit() => return false,
            _ => {}
        }
    }
    let from = window_start(b, start);
    let window = &b[from..start];
    let id = lex.words(WordKind::NationalId).nearest(window);
    if glued_before(b, start) {
        if glued_label(b, start) {
            return true;
        }
        // Only a word naming the id, with at most a connector (`nº`, `Nr.`, `-`, `#`) between,
        // may touch it. A word the window cuts off right at the digits (`DNI12345678Z`, the
        // boundary check cannot see them) touches them only when it ends in punctuation
        // (`IdNr.86095742719`).
        return id.is_some_and(|f| {
            text.get(from + f.span.end..start).is_some_and(|gap| {
                connectors_only(gap) && (!gap.is_empty() || !letter_before(b, start))
            })
        });
    }
    let id_end = id.map(|f| f.span.end);
    match need {
        Need::Named => id_end.is_some_and(|e| !other_word_after(lex, window, e)),
        Need::NotNamedOther => !other_word_right_before(text, lex, from, start, id_end),
    }
}

/// Whether the letters glued to the candidate at `start` are the id's own label (`DNI12345678Z`,
/// `BSN123456782`, `PT123456789`, the VAT form of a NIF): the whole letter run, nothing before it.
fn glued_label(b: &[u8], start: usize) -> bool {
    const LABELS: &[&[u8]] = &[
        b"dni", b"nie", b"nif", b"bsn", b"nir", b"nino", b"nhs", b"pt", b"idnr", b"sofi",
    ];
    let from = b[..start]
        .iter()
        .rposition(|c| !c.is_ascii_alphabetic())
        .map_or(0, |k| k + 1);
    let run = &b[from..start];
    (from == 0 || !b[from - 1].is_ascii_alphanumeric())
        && LABELS.iter().any(|l| l.eq_ignore_ascii_case(run))
}

/// Where the context window before `start` begins: [`WINDOW`] bytes back, moved further back (by
/// at most eight bytes) so that it does not cut a word or a character in two.
fn window_start(b: &[u8], start: usize) -> usize {
    let mut from = start.saturating_sub(WINDOW);
    let limit = start.saturating_sub(WINDOW + 8);
    while from > limit && (b[from - 1].is_ascii_alphanumeric() || b[from - 1] >= 0x80) {
        from -= 1;
    }
    from
}

/// Whether the token before `start` runs into the candidate: a letter or digit (of any script)
/// right before it, one joined to it by `-` or `.` (`REF-12345678Z`, `v.12345678Z`), or digits
/// joined by `/` (`12/345678901`). A `/` after a letter is a path (`/users/12345678Z`): the id
/// stands alone there.
fn glued_before(b: &[u8], start: usize) -> bool {
    if letter_before(b, start) {
        return true;
    }
    match start.checked_sub(1).map(|k| b[k]) {
        Some(b'-' | b'.') => letter_before(b, start - 1),
        Some(b'/') => start >= 2 && b[start - 2].is_ascii_digit(),
        _ => false,
    }
}

/// Whether the candidate ending at `end` ends its token: no letter or digit (of any script) after
/// it, none joined by `-`, no digits joined by `/`, no decimals (`.5`, `,00`), and for a
/// space-grouped candidate no further digit group.
fn ends_token(b: &[u8], end: usize, sep: Option<u8>) -> bool {
    if letter_at(b, end) {
        return false;
    }
    let last_digit = b[end - 1].is_ascii_digit();
    let next_digit = b.get(end + 1).is_some_and(u8::is_ascii_digit);
    match b.get(end) {
        Some(b'-') => !letter_at(b, end + 1),
        Some(b'/' | b'.' | b',') => !(last_digit && next_digit),
        Some(b' ') => !(sep == Some(b' ') && last_digit && next_digit),
        _ => true,
    }
}

/// Words that may stand between a context word and the number it names: `nº` (read `no` in the
/// view), `n°`, `Nr.`, `número`, and the fillers of "order number is".
const CONNECTORS: &[&str] = &[
    "no", "nº", "º", "nr", "n", "o", "nro", "num", "núm", "numero", "número", "nummer", "number",
    "id", "is", "es", "ist", "est", "é", "è",
];

/// Whether `gap` holds only blanks, a little punctuation and [`CONNECTORS`].
fn connectors_only(gap: &str) -> bool {
    gap.chars()
        .all(|c| c.is_alphanumeric() || " \t:#-./()=°'\"".contains(c))
        && gap
            .split(|c: char| !c.is_alphanumeric())
            .all(|w| w.is_empty() || CONNECTORS.contains(&w.to_lowercase().as_str()))
}

/// Whether a word naming another identifier (an order, an invoice) or a phone stands in `window`
/// after byte `after`: nearer the number than the national-id word that ends there.
fn other_word_after(lex: &Lexicon, window: &[u8], after: usize) -> bool {
    let later = |list: &ContextWords| list.all(window).any(|f| f.span.start >= after);
    later(lex.words(WordKind::NotPhone)) || later(lex.words(WordKind::Phone))
}

/// Whether a word naming another identifier stands directly before `start` (only blanks,
/// punctuation and connectors between: `order AB123456C`, `pedido nº 12345678Z`), with no
/// national-id word as near.
fn other_word_right_before(
    text: &str,
    lex: &Lexicon,
    from: usize,
    start: usize,
    id_end: Option<usize>,
) -> bool {
    let window = &text.as_bytes()[from..start];
    let Some(other) = lex.words(WordKind::NotPhone).nearest(window) else {
        return false;
    };
    if id_end.is_some_and(|e| e >= other.span.end) {
        return false;
    }
    text.get(from + other.span.end..start)
        .is_some_and(connectors_only)
}

// ---------------------------------------------------------------------------------------------
// The kinds read by hand: DNI, NIE, NI number.

/// The DNI's check letters: the letter of a number `n` is `DNI_LETTERS[n mod 23]`.
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// Reads the check letter of a DNI or NIE whose digits (value `n`) end at `p`: glued, after `-`, or
/// after a space (then only in upper case: `… 12345678 a …` is Spanish for "to"). Returns the end.
fn check_letter(b: &[u8], p: usize, n: u64) -> Option<usize> {
    let (p, spaced) = match b.get(p) {
        Some(b'-') => (p + 1, false),
        Some(b' ') => (p + 1, true),
        _ => (p, false),
    };
    let letter = *b.get(p)?;
    let ok = letter.is_ascii_alphabetic()
        && (!spaced || letter.is_ascii_uppercase())
        && letter.to_ascii_uppercase() == DNI_LETTERS[(n % 23) as usize];
    ok.then_some(p + 1)
}

/// A Spanish DNI at `start` (a digit; `run` letters and digits from there): `12345678Z`,
/// `12345678-Z`, `12345678 Z`, `12.345.678-Z`. The letter is `TRWAGMYFPDXBNJZSQVHLCKE[n mod 23]`
/// (Real Decreto 1553/2005 on the DNI; Ministerio del Interior, "Cálculo del dígito de control del
/// NIF/NIE").
fn dni(text: &str, lex: &Lexicon, start: usize, run: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (digits_end, n) = if run >= 8 && digits_at(b, start, 8) {
        (start + 8, number(&b[start..start + 8]))
    } else if run == 2
        && b.get(start + 2) == Some(&b'.')
        && digits_at(b, start + 3, 3)
        && b.get(start + 6) == Some(&b'.')
        && digits_at(b, start + 7, 3)
    {
        let n = number(&b[start..start + 2]) * 1_000_000
            + number(&b[start + 3..start + 6]) * 1000
            + number(&b[start + 7..start + 10]);
        (start + 10, n)
    } else {
        return None;
    };
    if b.get(digits_end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let end = check_letter(b, digits_end, n)?;
    accept(text, lex, start, end, None, Need::NotNamedOther).then_some(end)
}

/// A Spanish NIE at `start`: `X`, `Y` or `Z` (worth 0, 1, 2 in front of the digits), seven
/// digits and the DNI's check letter: `X1234567L`, `X-1234567-L` (Orden INT/2058/2008; the same
/// letter table as the DNI).
fn nie(text: &str, lex: &Lexicon, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let lead: u64 = match b[start].to_ascii_uppercase() {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        _ => return None,
    };
    let mut p = start + 1;
    // `X-1234567-L`, and as a form prints it, `X 1234567 L`.
    if matches!(b.get(p), Some(b'-' | b' ')) {
        p += 1;
    }
    if !digits_at(b, p, 7) || b.get(p + 7).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let n = lead * 10_000_000 + number(&b[p..p + 7]);
    let end = check_letter(b, p + 7, n)?;
    accept(text, lex, start, end, None, Need::NotNamedOther).then_some(end)
}

/// Whether two letters can prefix a National Insurance number (HMRC National Insurance Manual
/// NIM39110): D, F, I, Q, U and V are never the first letter, those and O never the second, and
/// BG, GB, KN, NK, NT, TN and ZZ are not allocated. `QQ` is HMRC's own example prefix
/// (`QQ123456C`), pasted into forms so often that it is masked too.
fn nino_prefix_valid(a: u8, b: u8) -> bool {
    let (a, b) = (a.to_ascii_uppercase(), b.to_ascii_uppercase());
    if (a, b) == (b'Q', b'Q') {
        return true;
    }
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(&a)
        && !b"DFIOQUV".contains(&b)
        && ![b"BG", b"GB", b"KN", b"NK", b"NT", b"TN", b"ZZ"].contains(&&[a, b])
}

/// A UK National Insurance number at `start`: two prefix letters, six digits (glued or in spaced
/// pairs), a suffix `A`–`D`: `AB123456C`, `AB 12 34 56 C`, `AB 123456 C`. It has no check digit,
/// so the prefix rules are all there is: in upper case it stands alone; in lower or mixed case
/// (`ab123456c` could be anything) it needs a context word.
fn nino(text: &str, lex: &Lexicon, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (a, c) = (b[start], *b.get(start + 1)?);
    if !c.is_ascii_alphabetic() || !nino_prefix_valid(a, c) {
        return None;
    }
    // Pairs spaced or dashed (`AB 12 34 56 C`, `EK-72-89-06-A`), one kind throughout.
    let sep = match b.get(start + 2) {
        Some(&c @ (b' ' | b'-')) => Some(c),
        _ => None,
    };
    let mut p = start + 2 + usize::from(sep.is_some());
    let pairs_split = sep.is_some_and(|c| b.get(p + 2) == Some(&c));
    for k in 0..3 {
        if k > 0 && pairs_split {
            if b.get(p).copied() != sep {
                return None;
            }
            p += 1;
        }
        if !digits_at(b, p, 2) {
            return None;
        }
        p += 2;
    }
    if sep.is_some_and(|c| b.get(p) == Some(&c)) || b.get(p) == Some(&b' ') {
        p += 1;
    }
    let suffix = *b.get(p)?;
    if !matches!(suffix.to_ascii_uppercase(), b'A'..=b'D') {
        return None;
    }
    let upper = [a, c, suffix].iter().all(u8::is_ascii_uppercase);
    let need = if upper {
        Need::NotNamedOther
    } else {
        Need::Named
    };
    accept(text, lex, start, p + 1, None, need).then_some(p + 1)
}

// ---------------------------------------------------------------------------------------------
// Check algorithms, from the issuers' specifications. Each takes the candidate's letters and
// digits without separators.

/// Whether `d` is all ASCII digits and not all zero.
fn digits_not_zero(d: &[u8]) -> bool {
    d.iter().all(u8::is_ascii_digit) && d.iter().any(|&c| c != b'0')
}

/// The value of ASCII digit `d[k]`.
fn dv(d: &[u8], k: usize) -> u32 {
    u32::from(d[k] - b'0')
}

/// UK NHS number (NHS Data Dictionary, "NHS Number"; NHS Digital's Modulus 11 check): the first
/// nine digits weighted 10 down to 2; the check digit is 11 − (sum mod 11), 11 becoming 0, and a
/// result of 10 means the number is never issued.
fn nhs_valid(d: &[u8]) -> bool {
    if d.len() != 10 || !digits_not_zero(d) {
        return false;
    }
    let sum: u32 = (0..9).map(|k| dv(d, k) * (10 - k as u32)).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        c => c,
    };
    check != 10 && check == dv(d, 9)
}

/// NL burgerservicenummer (Wet algemene bepalingen burgerservicenummer; the "11-proef" of the
/// Logius BSN specification): 9·d1 + 8·d2 + … + 2·d8 − 1·d9 ≡ 0 (mod 11), not all zero.
fn bsn_valid(d: &[u8]) -> bool {
    if d.len() != 9 || !digits_not_zero(d) {
        return false;
    }
    let sum: i64 = (0..8)
        .map(|k| i64::from(dv(d, k)) * (9 - k as i64))
        .sum::<i64>()
        - i64::from(dv(d, 8));
    sum % 11 == 0
}

/// PT número de identificação fiscal / NIPC (Decreto-Lei n.º 14/2013; Autoridade Tributária):
/// the first digit says who holds it (1–3 people, 5 companies, 6 public bodies, 8 sole traders)
/// or, with the second, 45 non-resident people, 70/74/75 estates, 71 non-resident companies,
/// 72 investment funds, 77 assigned ex officio, 79 exceptional regime, 90/91 condominiums and
/// irregular companies, 98 non-residents without a permanent establishment, 99 civil companies.
/// Check digit: the first eight weighted 9 down to 2, r = sum mod 11, digit 0 when r < 2 and
/// 11 − r otherwise.
fn nif_pt_valid(d: &[u8]) -> bool {
    if d.len() != 9 || !digits_not_zero(d) {
        return false;
    }
    let prefix_ok = match d[0] {
        b'1' | b'2' | b'3' | b'5' | b'6' | b'8' => true,
        b'4' => d[1] == b'5',
        b'7' => matches!(d[1], b'0' | b'1' | b'2' | b'4' | b'5' | b'7' | b'9'),
        b'9' => matches!(d[1], b'0' | b'1' | b'8' | b'9'),
        _ => false,
    };
    let sum: u32 = (0..8).map(|k| dv(d, k) * (9 - k as u32)).sum();
    let check = match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    };
    prefix_ok && check == dv(d, 8)
}

/// A nine-digit number after a national-id word: a BSN or a PT NIF.
fn nine_valid(d: &[u8]) -> bool {
    bsn_valid(d) || nif_pt_valid(d)
}

/// DE steuerliche Identifikationsnummer (§ 139b AO, § 1 StIdV; check as in the Bayerisches
/// Landesamt für Steuern's "Prüfung der Steuer- und Steueridentifikationsnummer" for ELSTER):
/// eleven digits, the first not 0; in the first ten exactly one digit occurs twice or three times
/// and every other at most once, and a digit occurring three times never does so at three
/// consecutive positions; the eleventh is the ISO/IEC 7064 MOD 11,10 check digit of the first ten.
fn steuer_id_valid(d: &[u8]) -> bool {
    if d.len() != 11 || !d.iter().all(u8::is_ascii_digit) || d[0] == b'0' {
        return false;
    }
    let mut counts = [0u8; 10];
    for &c in &d[..10] {
        counts[usize::from(c - b'0')] += 1;
    }
    let mut repeated = counts.iter().enumerate().filter(|&(_, &n)| n > 1);
    let Some((digit, &times)) = repeated.next() else {
        return false;
    };
    if repeated.next().is_some() || times > 3 {
        return false;
    }
    let digit = b'0' + digit as u8;
    if times == 3 && d[..10].windows(3).any(|w| w.iter().all(|&c| c == digit)) {
        return false;
    }
    // ISO/IEC 7064 MOD 11,10.
    let mut product = 10;
    for k in 0..10 {
        let mut sum = (dv(d, k) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    (11 - product) % 10 == dv(d, 10)
}

/// FR numéro d'inscription au répertoire (NIR, INSEE; décret n° 82-103 and the key of the
/// Sécurité sociale): sex (1, 2; 3, 4 and 7, 8 for special and provisional numbers), year, month
/// (01–12, or 20–42 and 50–99 when unknown or special), département (01–99, or 2A/2B for
/// Corsica), commune (001–999), order (001–999), then a key of two digits:
/// 97 − (n mod 97) of the first thirteen, with 2A read as 19 and 2B as 18.
fn nir_valid(c: &[u8]) -> bool {
    if c.len() != 15 || !b"123478".contains(&c[0]) {
        return false;
    }
    let mut digits = [0u8; 15];
    digits.copy_from_slice(c);
    match (c[5], c[6].to_ascii_uppercase()) {
        (b'2', b'A') => digits[5..7].copy_from_slice(b"19"),
        (b'2', b'B') => digits[5..7].copy_from_slice(b"18"),
        _ if &c[5..7] == b"00" => return false,
        _ => {}
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let month = number(&digits[3..5]);
    let month_ok = matches!(month, 1..=12 | 20..=42 | 50..=99);
    let fields_ok = &digits[7..10] != b"000" && &digits[10..13] != b"000";
    let key = number(&digits[13..15]);
    month_ok && fields_ok && key == 97 - number(&digits[..13]) % 97
}

/// Letters that stand for the digits 0–9 in an omocodic codice fiscale.
const OMOCODIA: &[u8; 10] = b"LMNPQRSTUV";

/// Month letters of the codice fiscale, January to December.
const CF_MONTHS: &[u8; 12] = b"ABCDEHLMPRST";

/// Positions of the codice fiscale's seven digits, which omocodia replaces from the right.
const CF_DIGITS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// Values of the characters in odd positions (1st, 3rd, …) for the check character: digits take
/// the value of the letter in the same place of the alphabet (0 as A, 1 as B …).
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// IT codice fiscale (D.M. 23 dicembre 1976 and D.P.R. 605/1973): `LLLLLL DD L DD L DDD L` —
/// surname and name letters, year, month letter (`ABCDEHLMPRST`), day (01–31, 41–71 for women),
/// the cadastral code of the birthplace (a letter and three digits), and the check character:
/// odd positions through [`CF_ODD`], even positions by their value (digits 0–9, letters 0–25),
/// the sum mod 26 as a letter. In a case of omocodia the digits are replaced, from the rightmost
/// one, by `LMNPQRSTUV`; the check character is computed on the replaced code. Letters must be
/// all upper or all lower case (a mixed-case token is a word or a key, not a typed code).
fn codice_fiscale_valid(raw: &[u8]) -> bool {
    if raw.len() != 16 || !raw.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    if raw.iter().any(u8::is_ascii_uppercase) && raw.iter().any(u8::is_ascii_lowercase) {
        return false;
    }
    let mut c = [0u8; 16];
    c.copy_from_slice(raw);
    c.make_ascii_uppercase();
    let letters_ok = [0, 1, 2, 3, 4, 5, 8, 11, 15]
        .iter()
        .all(|&k| c[k].is_ascii_uppercase());
    if !letters_ok || !CF_MONTHS.contains(&c[8]) {
        return false;
    }
    // Digit positions: digits, or omocodia letters replacing them from the right.
    let mut value = [0u8; 16];
    let mut replacing = true;
    for &k in CF_DIGITS.iter().rev() {
        if c[k].is_ascii_digit() {
            replacing = false;
            value[k] = c[k] - b'0';
        } else if let Some(v) = OMOCODIA.iter().position(|&o| o == c[k])
            && replacing
        {
            value[k] = v as u8;
        } else {
            return false;
        }
    }
    let day = value[9] * 10 + value[10];
    if !matches!(day, 1..=31 | 41..=71) {
        return false;
    }
    let sum: u32 = c[..15]
        .iter()
        .enumerate()
        .map(|(k, &ch)| {
            let v = if ch.is_ascii_digit() {
                ch - b'0'
            } else {
                ch - b'A'
            };
            if k % 2 == 0 {
                CF_ODD[usize::from(v)]
            } else {
                u32::from(v)
            }
        })
        .sum();
    c[15] == b'A' + (sum % 26) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        super::super::found_with(find, text)
    }

    /// Asserts that `text` yields exactly `expected`.
    fn finds(text: &str, expected: &[&str]) {
        assert_eq!(found(text), expected, "{text:?}");
    }

    fn none(text: &str) {
        assert!(found(text).is_empty(), "{text:?} gave {:?}", found(text));
    }

    // Check-digit makers, written from the same specifications as the validators, so that tests
    // can build valid numbers and their wrong-digit twins.

    fn with_nhs_check(nine: &str) -> Option<String> {
        (0..10)
            .map(|c| format!("{nine}{c}"))
            .find(|n| nhs_valid(n.as_bytes()))
    }

    fn with_last_digit(body: &str, valid: fn(&[u8]) -> bool) -> Option<String> {
        (0..10)
            .map(|c| format!("{body}{c}"))
            .find(|n| valid(n.as_bytes()))
    }

    /// The same number with its last digit changed (so that its check fails).
    fn wrong_last(n: &str) -> String {
        let mut v = n.as_bytes().to_vec();
        let last = v.len() - 1;
        v[last] = if v[last] == b'9' { b'0' } else { v[last] + 1 };
        String::from_utf8(v).unwrap()
    }

    fn nir_key(thirteen: &str) -> String {
        let n: u64 = thirteen
            .replace("2A", "19")
            .replace("2B", "18")
            .parse()
            .unwrap();
        format!("{:02}", 97 - n % 97)
    }

    /// A small deterministic generator (no dependency needed for a handful of numbers).
    struct Lcg(u64);

    impl Lcg {
        fn digits(&mut self, n: usize) -> String {
            (0..n)
                .map(|k| {
                    self.0 = self
                        .0
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let d = (self.0 >> 33) % 10;
                    char::from(b'0' + if k == 0 { 1 + d as u8 % 9 } else { d as u8 })
                })
                .collect()
        }
    }

    #[test]
    fn published_examples_pass_their_checks() {
        // NHS Digital's example, the Logius test BSNs, the ELSTER document's Steuer-IDs, the
        // classic Mario Rossi codice fiscale, the ubiquitous PT example NIF.
        assert!(nhs_valid(b"9434765919"));
        assert!(!nhs_valid(b"9434765918"));
        assert!(bsn_valid(b"111222333") && bsn_valid(b"123456782"));
        assert!(!bsn_valid(b"111222334") && !bsn_valid(b"000000000"));
        for id in [
            "86095742719",
            "47036892816",
            "65929970489",
            "57549285017",
            "25768131411",
        ] {
            assert!(steuer_id_valid(id.as_bytes()), "{id}");
        }
        // Two repeated digits; four times the same; three in a row; a leading zero (a test id).
        for bad in ["11223456785", "11012134569", "11123456786", "02476291358"] {
            assert!(!steuer_id_valid(bad.as_bytes()), "{bad}");
        }
        assert!(steuer_id_valid(b"11012345675"), "a triple not all in a row");
        assert!(nif_pt_valid(b"123456789") && !nif_pt_valid(b"123456788"));
        assert!(!nif_pt_valid(b"423456789"), "4 only as 45");
        assert!(codice_fiscale_valid(b"RSSMRA85T10A562S"));
        assert!(codice_fiscale_valid(b"rssmra85t10a562s"));
        assert!(!codice_fiscale_valid(b"RSSMRA85T10A562T"));
        assert!(!codice_fiscale_valid(b"RssMra85T10A562S"), "mixed case");
        assert_eq!(DNI_LETTERS[(12345678 % 23) as usize], b'Z');
        assert_eq!(DNI_LETTERS[(1234567 % 23) as usize], b'L');
    }

    #[test]
    fn codice_fiscale_omocodia_from_the_right() {
        // Replace the rightmost digits of RSSMRA85T10A562 by their letters and recompute the
        // check character with the validator's own tables: every level from the right passes.
        let base = *b"RSSMRA85T10A562S";
        let mut c = base;
        for (level, &k) in CF_DIGITS.iter().rev().enumerate() {
            c[k] = OMOCODIA[usize::from(c[k] - b'0')];
            let check = (b'A'..=b'Z')
                .find(|&l| {
                    c[15] = l;
                    codice_fiscale_valid(&c)
                })
                .unwrap_or_else(|| panic!("level {level}"));
            c[15] = check;
            let s = std::str::from_utf8(&c).unwrap();
            finds(&format!("Il mio codice fiscale è {s}."), &[s]);
        }
        // A letter replacing a digit left of a digit is not how omocodia works.
        let mut skip = base;
        skip[6] = b'U'; // 8 → U, while 5 (position 8) stays a digit
        assert!((b'A'..=b'Z').all(|l| {
            skip[15] = l;
            !codice_fiscale_valid(&skip)
        }));
    }

    #[test]
    fn uk_national_insurance() {
        finds("My NI number is AB123456C.", &["AB123456C"]);
        finds("NINO: QQ 12 34 56 C", &["QQ 12 34 56 C"]);
        finds("QQ123456C", &["QQ123456C"]);
        finds("ni no. ce 12 34 56 a", &["ce 12 34 56 a"]);
        finds("national insurance number jm123456d", &["jm123456d"]);
        finds("(AB 123456 C)", &["AB 123456 C"]);
        for neg in [
            "DA123456C",  // D never first
            "AO123456C",  // O never second
            "GB123456A",  // not allocated
            "AB123456E",  // suffix A–D only
            "AB1234567C", // seven digits
            "XAB123456C", // glued
            "AB123456CX",
            "ab123456c",       // lower case without a word
            "order AB123456C", // named as something else
            "Bestellnummer AB123456C",
        ] {
            none(neg);
        }
    }

    #[test]
    fn uk_nhs_number() {
        finds("NHS number 943 476 5919", &["943 476 5919"]);
        finds("my nhs no. is 9434765919.", &["9434765919"]);
        finds("Patient number: 943-476-5919", &["943-476-5919"]);
        let mut rng = Lcg(7);
        for _ in 0..20 {
            let n = loop {
                if let Some(n) = with_nhs_check(&rng.digits(9)) {
                    break n;
                }
            };
            finds(&format!("NHS No {n}"), &[n.as_str()]);
            none(&format!("NHS No {}", wrong_last(&n)));
            none(&format!("I called about order {n}"));
            none(&n);
        }
        finds("NHS no.9434765919", &["9434765919"]);
        finds("{\"nhs\":\"9434765919\"}", &["9434765919"]);
        none("NHSX 9434765919"); // a context word is a whole word
        none("NHS number 943 476 5918");
        none("NHS 943 476 59190");
        none("NHS +44 943 476 5919");
        none("NHS number 12 943 476 5919");
    }

    #[test]
    fn spanish_dni_and_nie() {
        finds("Mi DNI es 12345678Z.", &["12345678Z"]);
        finds("DNI:12345678Z", &["12345678Z"]);
        finds("(12345678Z)", &["12345678Z"]);
        finds("\"12345678Z\"", &["12345678Z"]);
        finds("dni 12345678-Z y ya", &["12345678-Z"]);
        finds("con DNI 12.345.678-Z", &["12.345.678-Z"]);
        finds("DNI-12345678Z", &["12345678Z"]);
        finds("D.N.I. nº 12345678z", &["12345678z"]);
        finds("12345678 Z", &["12345678 Z"]);
        finds("Tengo NIE X1234567L", &["X1234567L"]);
        finds("NIE: X-1234567-L", &["X-1234567-L"]);
        finds("Y1234567X y Z1234567R", &["Y1234567X", "Z1234567R"]);
        finds("GET /clientes/12345678Z/datos", &["12345678Z"]);
        // The id's own label glued on: a form's or a log's way of writing it.
        finds("DNI12345678Z", &["12345678Z"]);
        finds("NIE X 1234567 L", &["X 1234567 L"]);
        for neg in [
            "Mi DNI es 12345678A",
            "DNI 123456789Z",
            "ES12345678Z",
            "12345678ZA",
            "A-12345678Z",
            "12345678Z-2",
            "pagué 12345678 z",
            "pedido 12345678Z",
            "X1234567A",
            "X12345678L",
            "AX1234567L",
        ] {
            none(neg);
        }
        // The DNI letter and the NIE letter agree with the table for computed numbers.
        let mut rng = Lcg(11);
        for _ in 0..20 {
            let d = rng.digits(8);
            let n: u64 = d.parse().unwrap();
            let l = char::from(DNI_LETTERS[(n % 23) as usize]);
            let wrong = char::from(DNI_LETTERS[((n + 1) % 23) as usize]);
            finds(&format!("Mi DNI: {d}{l}"), &[format!("{d}{l}").as_str()]);
            none(&format!("Mi DNI: {d}{wrong}"));
        }
    }

    #[test]
    fn italian_codice_fiscale() {
        finds(
            "Codice fiscale: RSSMRA85T10A562S, grazie",
            &["RSSMRA85T10A562S"],
        );
        finds("cf rssmra85t10a562s", &["rssmra85t10a562s"]);
        finds("RSSMRA85T10A562S", &["RSSMRA85T10A562S"]);
        for neg in [
            "RSSMRA85T10A562T",  // wrong check character
            "RSSMRA85T10A562SX", // glued
            "XRSSMRA85T10A562S",
            "RSSMRA85Z10A562S", // Z is no month
            "RSSMRA85T99A562S", // no such day
            "ordine RSSMRA85T10A562S",
        ] {
            none(neg);
        }
    }

    #[test]
    fn french_nir() {
        let body = "1841276451089";
        let key = nir_key(body);
        assert_eq!(key, "46");
        let glued = format!("{body}{key}");
        let spaced = format!("1 84 12 76 451 089 {key}");
        finds(
            &format!("Mon numéro de sécurité sociale est le {spaced}."),
            &[spaced.as_str()],
        );
        finds(&spaced, &[spaced.as_str()]);
        finds(&format!("n° de sécu : {glued}"), &[glued.as_str()]);
        finds(
            &format!("NIR {body} {key}"),
            &[format!("{body} {key}").as_str()],
        );
        // Corsica: 2A and 2B count as 19 and 18.
        let corse = "285052A004123";
        let k = nir_key(corse);
        let c = format!("2 85 05 2A 004 123 {k}");
        finds(&format!("sécurité sociale {c}"), &[c.as_str()]);
        let wrong = format!(
            "1 84 12 76 451 089 {:02}",
            (key.parse::<u32>().unwrap() % 97) + 1
        );
        none(&wrong);
        none(&format!("commande {glued}"));
        none(&glued);
        none(&format!("{spaced} 12"));
        none("sécurité sociale 5 84 12 76 451 089 46"); // sex 5 is not issued
        none(&format!("commande {spaced}"));
    }

    #[test]
    fn dutch_bsn() {
        finds("Mijn BSN is 111222333", &["111222333"]);
        finds("burgerservicenummer: 1234.56.782", &["1234.56.782"]);
        finds("sofinummer 123 456 782", &["123 456 782"]);
        finds("BSN#123456782", &["123456782"]);
        none("BSN 111222334");
        none("111222333");
        none("ordernummer 111222333");
        none("BSN bekend, bestelling 111222333");
    }

    #[test]
    fn german_steuer_id() {
        finds("Meine Steuer-ID ist 86095742719.", &["86095742719"]);
        finds("Steuer-IdNr. 86 095 742 719", &["86 095 742 719"]);
        finds("Steuer-IdNr.86095742719", &["86095742719"]);
        finds("Steueridentifikationsnummer: 47036892816", &["47036892816"]);
        finds("IdNr 65929970489", &["65929970489"]);
        finds("tax id 57549285017", &["57549285017"]);
        none("Steuer-ID 86095742718");
        none("Steuer-ID12345678901");
        none("86095742719");
        none("Bestellung 86095742719");
        none("Steuer-ID folgt, Rechnung 86095742719");
        none("Steuer-ID 12345678903"); // passes MOD 11,10 but no digit repeats
    }

    #[test]
    fn portuguese_nif() {
        finds("O meu NIF é 123456789", &["123456789"]);
        finds("número de contribuinte: 123 456 789", &["123 456 789"]);
        finds("NIF nº123456789", &["123456789"]);
        finds("NIPC 501964843", &["501964843"]);
        none("NIF 123456788");
        none("123456789");
        finds("NIF123456789", &["123456789"]);
        finds("VAT PT123456789", &["123456789"]);
        none("XPT123456789");
        none("NIF 12/123456789");
        none("encomenda 123456789");
        none("NIF 423456784"); // its mod-11 digit is right, but no NIF starts with 42
        none("NIF +351 912345678");
    }

    #[test]
    fn check_passing_numbers_near_unrelated_words_are_not_ids() {
        let mut rng = Lcg(2024);
        let mut made = 0;
        while made < 60 {
            let (n, len) = match made % 3 {
                0 => (with_last_digit(&rng.digits(8), nine_valid), 9),
                1 => (with_nhs_check(&rng.digits(9)), 10),
                _ => (with_last_digit(&rng.digits(10), steuer_id_valid), 11),
            };
            let Some(n) = n else { continue };
            assert_eq!(n.len(), len);
            made += 1;
            for word in [
                "order",
                "pedido",
                "Bestellung",
                "commande",
                "ordine",
                "encomenda",
                "ref",
                "ticket",
                "phone",
                "Kundennummer",
            ] {
                none(&format!("{word} {n}"));
                none(&format!("{word}: {n} please"));
            }
            // With a word the same number is found; after an order word nearer than it, not.
            finds(&format!("tax id {n}"), &[n.as_str()]);
            none(&format!("tax id known, order {n}"));
        }
    }

    #[test]
    fn spans_map_back_through_the_canonical_view() {
        // Full-width digits, NBSP grouping and `nº`: the view makes them plain; spans are in the
        // original bytes.
        let text = "NIF nº１２３４５６７８９";
        let mut out = Vec::new();
        crate::masking::canon::find_on_view(text, 0, &mut out, |t, o| {
            find(t, Lexicon::builtin(), o)
        });
        assert_eq!(out.len(), 1);
        assert_eq!(&text[out[0].clone()], "１２３４５６７８９");
        let text = "NHS 943\u{a0}476\u{a0}5919";
        let mut out = Vec::new();
        crate::masking::canon::find_on_view(text, 0, &mut out, |t, o| {
            find(t, Lexicon::builtin(), o)
        });
        assert_eq!(out.len(), 1);
        assert_eq!(&text[out[0].clone()], "943\u{a0}476\u{a0}5919");
    }

    #[test]
    fn may_match_admits_every_kind() {
        for text in [
            "QQ123456C",
            "RSSMRA85T10A562S",
            "RSSMRALRTMLAMVPS",
            "x",
            "Y1234567X",
        ] {
            let hints = Hints::of(text);
            let mut out = Vec::new();
            find(text, Lexicon::builtin(), &mut out);
            assert!(out.is_empty() || may_match(&hints), "{text}");
        }
        assert!(!may_match(&Hints::of("hello 12345")));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// No input panics; spans are non-empty, in order, on character boundaries, and every
        /// string the finder matches passes `may_match`.
        #[test]
        fn any_text_is_safe(text in "(?s)[0-9A-Za-z \\-.:#/+,º°ñé\u{a0}１\u{200b}]{0,48}|\\PC{0,40}") {
            let mut out = Vec::new();
            find(&text, Lexicon::builtin(), &mut out);
            let mut last = 0;
            for r in &out {
                proptest::prop_assert!(r.start < r.end && r.start >= last);
                proptest::prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                last = r.end;
            }
            if !out.is_empty() {
                proptest::prop_assert!(may_match(&Hints::of(&text)));
            }
            let mut view_out = Vec::new();
            crate::masking::canon::find_on_view(&text, 0, &mut view_out, |t, o| {
            find(t, Lexicon::builtin(), o)
        });
            for r in &view_out {
                proptest::prop_assert!(text.get(r.clone()).is_some());
            }
        }

        /// Ids built from random digits in random surroundings never panic and are found whole
        /// when they stand alone after their word.
        #[test]
        fn built_ids_are_found(body in "[1-9][0-9]{7}", before in "[ :#(\"]{1,2}") {
            let n: u64 = body.parse().unwrap();
            let id = format!("{body}{}", char::from(DNI_LETTERS[(n % 23) as usize]));
            let text = format!("DNI{before}{id}) fin");
            let found = found(&text);
            proptest::prop_assert_eq!(found, vec![id.as_str()]);
        }
    }
}
