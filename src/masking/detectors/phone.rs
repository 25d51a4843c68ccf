//! Phone numbers, in the national and international formats of the countries we serve, without
//! taking order numbers, invoice ids, dates, times or amounts for phones.
//!
//! The text (the canonical view: ASCII digits, plain spaces and dashes) is cut into *chunks*: runs
//! of digit groups joined by one separator each (space, `-`, `.`, `/`) or written as `(030)`, with
//! an optional `+` in front and an extension (`x22`, `ext. 22`) behind. Each chunk is then judged
//! in three steps:
//! 1. **What it cannot be**: a piece of a longer token, a decimal or an amount (a currency sign or
//!    code next to it), a date, a time, an SSN, an epoch timestamp, an IPv4 address or a version.
//! 2. **What its shape alone proves**: E.164 (`+49 …`), an international prefix with a real country
//!    code (`0049 …`), North American `(415) 555-0134`, French pairs `01 12 72 35 42`, a national
//!    number with a trunk `0` (`030 1234567`, `(020) 7946 6121`, `0151 23456789`), Spanish and
//!    Portuguese `612 399 327`, Italian mobiles `347 123 4567`, Indian `98920 44904`.
//! 3. **What context says**: any other run of 7–15 digits is a phone only after a phone word in one
//!    of our languages (`words/phone.toml`) — and no shape is a phone when a word naming another
//!    identifier (`words/not_phone.toml`: order, invoice, Bestellung, commande …) stands nearer to it
//!    than any phone word.

use std::ops::Range;

use smallvec::SmallVec;

use super::words::{Found, Lexicon, WordKind};

/// Bytes before a number searched for phone words and for other identifiers' words.
const WINDOW: usize = 40;
/// How near before a number whose shape proves it a phone an identifier's word must stand, with
/// no phone word nearer, to make it that identifier instead.
const SHAPE_VETO: usize = 20;

/// One group of digits in a chunk.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// Byte offset of its first digit.
    at: usize,
    /// Its digits.
    len: usize,
    /// The separator before it (`0` for the first group or none).
    sep: u8,
    /// Written in parentheses: `(030)`.
    paren: bool,
}

/// A run of digit groups that may be a phone number.
#[derive(Debug)]
struct Chunk {
    start: usize,
    /// End of the last group (without an extension).
    end: usize,
    plus: bool,
    groups: SmallVec<[Group; 8]>,
}

impl Chunk {
    fn digits(&self) -> usize {
        self.groups.iter().map(|g| g.len).sum()
    }

    /// The chunk's digits as one string.
    fn digit_string(&self, b: &[u8]) -> SmallVec<[u8; 24]> {
        self.groups
            .iter()
            .flat_map(|g| b[g.at..g.at + g.len].iter().copied())
            .collect()
    }

    /// The separators between groups, ignoring parentheses.
    fn seps(&self) -> impl Iterator<Item = u8> + '_ {
        self.groups.iter().skip(1).map(|g| g.sep)
    }

    fn lens(&self) -> SmallVec<[usize; 8]> {
        self.groups.iter().map(|g| g.len).collect()
    }

    /// The chunk cut to its first `n` groups.
    fn prefix(&self, n: usize) -> Chunk {
        let groups: SmallVec<[Group; 8]> = self.groups[..n].iter().copied().collect();
        let last = groups[n - 1];
        Chunk {
            start: self.start,
            end: last.at + last.len + usize::from(last.paren),
            plus: self.plus,
            groups,
        }
    }
}

/// The most digits a phone number has: fifteen (E.164) after an international prefix of up to
/// three (`011`).
const MAX_PHONE_DIGITS: usize = 18;

/// Finds phone numbers.
pub fn find(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A phone starts with `+`, `(` or a digit, never inside a longer token.
        if !matches!(b[i], b'+' | b'(' | b'0'..=b'9') || (i > 0 && b[i - 1].is_ascii_alphanumeric())
        {
            i += 1;
            continue;
        }
        let Some(chunk) = chunk_at(b, i) else {
            i += 1;
            continue;
        };
        let next = chunk.end.max(i + 1);
        // The words before the chunk are read once for all its leading parts.
        let context = std::cell::OnceCell::new();
        // The whole chunk, or else its longest leading part, that is a phone.
        let found = (1..=chunk.groups.len()).rev().find_map(|n| {
            let c = if n == chunk.groups.len() {
                None
            } else {
                Some(chunk.prefix(n))
            };
            let c = c.as_ref().unwrap_or(&chunk);
            // A longer run (a card, an id) is no phone however it is grouped.
            (7..=MAX_PHONE_DIGITS)
                .contains(&c.digits())
                .then(|| judge(text, lex, c, n == chunk.groups.len(), &context))
                .flatten()
        });
        match found {
            Some(end) => {
                out.push(chunk.start..end);
                i = end;
            }
            None => i = next,
        }
    }
    find_read_out(text, lex, out);
}

/// Digits said as words, in our languages (a speech-to-text transcript writes them so).
#[rustfmt::skip]
const DIGIT_WORDS: &[&str] = &[
    "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
    "null", "eins", "zwei", "zwo", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun",
    "zéro", "un", "deux", "trois", "quatre", "cinq", "sept", "huit", "neuf",
    "um", "dois", "três", "quatro", "sete", "oito", "nove",
    "due", "tre", "quattro", "cinque", "sei", "sette", "otto",
    "nul", "een", "twee", "drie", "vijf", "zes", "zeven", "negen",
];

/// Bytes between a phone word and the first digit of a number read out after it.
const READ_OUT_GAP: usize = 24;

/// Finds numbers read out digit by digit after a phone word, as an IVR or a speech-to-text
/// transcript writes them: `3 5 1, 9 3 8, 1 0 2`, `0-2-0-8-7-6-5-0-2-1-0`, `zero sette uno due …`.
/// Seven to fifteen digits, each its own token; no other identifier's word nearer.
fn find_read_out(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let found = out.len();
    let mut last_end = 0;
    for word in lex.words(WordKind::Phone).all(b) {
        if word.span.end < last_end {
            continue;
        }
        let limit = b.len().min(word.span.end + READ_OUT_GAP);
        let Some(start) = (word.span.end..limit).find(|&k| digit_token(text, k).is_some()) else {
            continue;
        };
        if b[word.span.end..start].contains(&b'\n') {
            continue;
        }
        let (mut digits, mut end, mut k) = (0, start, start);
        while let Some(len) = digit_token(text, k) {
            digits += 1;
            end = k + len;
            // One or two separators: a blank, a comma, a dash.
            let sep = b[end..]
                .iter()
                .take(3)
                .take_while(|c| matches!(c, b' ' | b',' | b'-'))
                .count();
            if sep == 0 || sep == 3 {
                break;
            }
            k = end + sep;
        }
        let context = Context::before(text, lex, start);
        if (7..=15).contains(&digits)
            && !context.other_nearer()
            && !super::overlaps_any(&out[..found], &(start..end))
        {
            out.push(start..end);
            last_end = end;
        }
    }
    out.sort_by_key(|r| r.start);
}

/// The length of a one-digit token at `k` (a digit alone, or a digit's word), if there is one.
fn digit_token(text: &str, k: usize) -> Option<usize> {
    let b = text.as_bytes();
    if k > 0 && b[k - 1].is_ascii_alphanumeric() || !text.is_char_boundary(k) {
        return None;
    }
    if b.get(k).is_some_and(u8::is_ascii_digit) {
        return (!b.get(k + 1).is_some_and(u8::is_ascii_alphanumeric)).then_some(1);
    }
    let rest = text.get(k..)?;
    let len = rest
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(rest.len(), |(n, _)| n);
    // No digit word is longer than eight bytes ("quattro", "zéro").
    if len == 0 || len > 8 {
        return None;
    }
    let w = &rest[..len];
    let hit = if w.is_ascii() {
        DIGIT_WORDS.iter().any(|d| d.eq_ignore_ascii_case(w))
    } else {
        let lower = w.to_lowercase();
        DIGIT_WORDS.iter().any(|d| *d == lower)
    };
    hit.then_some(len)
}

/// The chunk starting at `i`: `+`, a digit or `(123)`, then digit groups, each after at most one
/// separator.
fn chunk_at(b: &[u8], i: usize) -> Option<Chunk> {
    let mut groups: SmallVec<[Group; 8]> = SmallVec::new();
    let mut plus = b[i] == b'+';
    let mut j = if plus { i + 1 } else { i };
    let mut sep = 0u8;
    // `(+44) 7700 900123`: a country code in parentheses, as signatures write it.
    if b[i] == b'(' && b.get(i + 1) == Some(&b'+') {
        let n = closed_digits(b, i + 2, 3)?;
        plus = true;
        groups.push(Group {
            at: i + 2,
            len: n,
            sep: 0,
            paren: true,
        });
        (j, sep) = separator(b, i + 3 + n, true, true)?;
    }
    loop {
        if groups.len() >= 12 {
            break;
        }
        let (at, len, paren) = if b.get(j) == Some(&b'(') {
            let Some(n) = closed_digits(b, j + 1, 5) else {
                break;
            };
            (j + 1, n, true)
        } else {
            let n = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                break;
            }
            (j, n, false)
        };
        groups.push(Group {
            at,
            len,
            sep,
            paren,
        });
        match separator(b, at + len + usize::from(paren), paren, plus) {
            Some(next) => (j, sep) = next,
            None => break,
        }
    }
    let last = *groups.last()?;
    Some(Chunk {
        start: i,
        end: last.at + last.len + usize::from(last.paren),
        plus,
        groups,
    })
}

/// The length of the 1..=`max` digits at `at` closed by `)`: the inside of `(030)` or `(+44)`.
fn closed_digits(b: &[u8], at: usize, max: usize) -> Option<usize> {
    let n = b
        .get(at..)?
        .iter()
        .take(max + 1)
        .take_while(|c| c.is_ascii_digit())
        .count();
    ((1..=max).contains(&n) && b.get(at + n) == Some(&b')')).then_some(n)
}

/// The step from the group that ended at `j` to the next one: one separator (a parenthesised group
/// may also follow a space or nothing); the next group's start and the separator, or `None`.
fn separator(b: &[u8], j: usize, paren: bool, plus: bool) -> Option<(usize, u8)> {
    match b.get(j) {
        Some(&s @ (b' ' | b'-' | b'.' | b'/'))
            if b.get(j + 1)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'(') =>
        {
            Some((j + 1, s))
        }
        Some(b'(') if paren || plus => Some((j, 0)),
        Some(c) if c.is_ascii_digit() && paren => Some((j, 0)),
        _ => None,
    }
}

/// Decides whether `c` is a phone number; returns the end of its span (with an extension).
/// `whole` says the chunk was not cut (a cut chunk must not be followed by what it was cut from).
fn judge<'t>(
    text: &'t str,
    lex: &'t Lexicon,
    c: &Chunk,
    whole: bool,
    context: &std::cell::OnceCell<Context<'t>>,
) -> Option<usize> {
    let b = text.as_bytes();
    if !whole && c.groups.len() < 2 {
        return None;
    }
    if cannot_be(text, c) {
        return None;
    }
    let context = context.get_or_init(|| Context::before(text, lex, c.start));
    // A device's number after its name is not a phone, whatever phone word stands before it:
    // "IMEI of my phone: 490154203237518", "el IMEI del teléfono es …".
    if (14..=20).contains(&c.digits())
        && lex
            .words(WordKind::DeviceId)
            .last_in(context.window)
            .is_some()
    {
        return None;
    }
    let strong = proven_by_shape(b, c);
    if strong {
        // Only an identifier's word right before the number ("order 0151 23456789") outweighs
        // the shape; E.164 stands whatever precedes it.
        if !c.plus && context.other_within(c.start, SHAPE_VETO) {
            return None;
        }
    } else if context.phone.is_none() || context.other_nearer() || !plausible_with_word(b, c) {
        return None;
    }
    Some(extension_end(b, c.end))
}

/// The end of an extension written after a number (`x22`, ` ext. 22`, ` extension 22`, `#22`),
/// or `end` when there is none.
fn extension_end(b: &[u8], end: usize) -> usize {
    let rest = &b[end..b.len().min(end + 16)];
    let lower: SmallVec<[u8; 16]> = rest.iter().map(u8::to_ascii_lowercase).collect();
    let mut k = usize::from(lower.first() == Some(&b' '));
    let mut matched = false;
    for word in [&b"extension"[..], b"ext.", b"ext", b"x", b"#"] {
        if lower[k..].starts_with(word) {
            k += word.len();
            matched = true;
            break;
        }
    }
    if !matched {
        return end;
    }
    k += usize::from(lower.get(k) == Some(&b' '));
    let n = lower[k..].iter().take_while(|c| c.is_ascii_digit()).count();
    let after = end + k + n;
    if (1..=5).contains(&n) && !b.get(after).is_some_and(u8::is_ascii_alphanumeric) {
        after
    } else {
        end
    }
}

/// The words before a number: the nearest phone word and the nearest other identifier's word.
struct Context<'a> {
    window: &'a [u8],
    phone: Option<Found<'a>>,
    other: Option<Found<'a>>,
}

impl<'a> Context<'a> {
    fn before(text: &'a str, lex: &'a Lexicon, start: usize) -> Context<'a> {
        let window = &text.as_bytes()[start.saturating_sub(WINDOW)..start];
        Context {
            window,
            phone: lex.words(WordKind::Phone).nearest(window),
            other: lex.words(WordKind::NotPhone).nearest(window),
        }
    }

    /// An identifier's word ends within `near` bytes before `start` and no phone word is nearer.
    fn other_within(&self, start: usize, near: usize) -> bool {
        let window_start = start.saturating_sub(WINDOW);
        self.other_nearer()
            && self
                .other
                .as_ref()
                .is_some_and(|o| window_start + o.span.end + near >= start)
    }

    /// An identifier's word ("order", "Rechnung") stands nearer the number than any phone word,
    /// and names it: only labels (`no.`, `#`, `n°`, `number`) stand between them. In "call me
    /// regarding my order on 07700 900123" the number is not the order's.
    fn other_nearer(&self) -> bool {
        let names_it = |o: &Found<'_>| labels_only(&self.window[o.span.end..]);
        match (&self.other, &self.phone) {
            // A word that is both ("telefonía" matches `telefon*`) is the identifier's.
            (Some(o), Some(p)) if o.span.end >= p.span.end => names_it(o),
            // The phone word only says whose identifier it is: "contrato do telemóvel n.º …",
            // "invoice for the phone no. …".
            (Some(o), Some(p)) => {
                o.span.end <= p.span.start
                    && connector_only(&self.window[o.span.end..p.span.start])
                    && labels_only(&self.window[p.span.end..])
            }
            (Some(o), None) => names_it(o),
            _ => false,
        }
    }
}

/// Whether `gap` (between an identifier's word and a phone word) only joins them: "contrato do
/// telemóvel", "invoice for the phone", "fattura del cellulare".
fn connector_only(gap: &[u8]) -> bool {
    const CONNECTORS: &[&str] = &[
        "of", "for", "the", "my", "your", "de", "do", "da", "del", "della", "dello", "di", "du",
        "la", "le", "des", "mi", "su", "meu", "minha", "mio", "mia", "mon", "ma", "für", "vom",
        "zum", "zur", "van", "het",
    ];
    let text = String::from_utf8_lossy(gap).to_lowercase();
    text.chars().count() <= 16
        && text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| CONNECTORS.contains(&w))
}

/// Whether `gap` (between an identifier's word and a number) holds only labels and punctuation:
/// "order 123", "order no. 123", "Bestellung Nr. 123", "commande n° 123", "pedido número: 123".
fn labels_only(gap: &[u8]) -> bool {
    const LABELS: &[&str] = &[
        "no", "nr", "num", "number", "numbers", "id", "ref", "is", "was", "of", "the", "my", "our",
        "your", "n", "nº", "n°", "número", "numero", "numéro", "nummer", "de", "do", "da", "du",
        "di", "del", "des", "der", "vom", "code", "código", "codigo", "codice", "code", "es",
        "ist", "est", "é", "è", "º", "°", "ª",
    ];
    let text = String::from_utf8_lossy(gap).to_lowercase();
    text.split(|c: char| !(c.is_alphanumeric() || c == 'º' || c == '°'))
        .filter(|w| !w.is_empty())
        .all(|w| LABELS.contains(&w))
        && text.chars().count() <= 24
}

/// The phone word that decided for the number at `start` of `text`, if a phone word did: for
/// `rules explain`.
pub(crate) fn deciding_word(text: &str, lex: &Lexicon, start: usize) -> Option<String> {
    let context = Context::before(text, lex, start);
    context.phone.map(|f| f.word.to_string())
}

/// Step 1: shapes and neighbours that make a chunk something other than a phone.
fn cannot_be(text: &str, c: &Chunk) -> bool {
    let b = text.as_bytes();
    let (start, end) = (c.start, c.end);
    let before = start.checked_sub(1).map(|k| b[k]);
    let after = b.get(end).copied();
    // `Tel.+34 …`, `cell.335 …`: an abbreviation's dot, not a decimal point.
    let abbreviation = before == Some(b'.')
        && start >= 2
        && b[start - 2].is_ascii_alphabetic()
        && !b
            .get(start.saturating_sub(3))
            .is_some_and(u8::is_ascii_digit);
    // A piece of a longer token, a path, a decimal, a signed or hashed number.
    if !abbreviation
        && before.is_some_and(|x| x.is_ascii_alphanumeric() || b"_$#.,/-+:".contains(&x))
        // `tel:0151…` is a label, `10:0151…` a time.
        && (before != Some(b':') || start.checked_sub(2).is_some_and(|k| b[k].is_ascii_digit()))
    {
        return true;
    }
    if after.is_some_and(|x| x.is_ascii_alphanumeric() || x == b'_') && extension_end(b, end) == end
    {
        return true;
    }
    // `12.5`, `1,234`, `30%`, `10:42` (a time), `1234-` (a longer id).
    if matches!(after, Some(b'.' | b',' | b':' | b'-' | b'/'))
        && b.get(end + 1).is_some_and(u8::is_ascii_digit)
    {
        return true;
    }
    if after == Some(b'%') || (after == Some(b' ') && b.get(end + 1) == Some(&b'%')) {
        return true;
    }
    if amount_around(text, start, end) {
        return true;
    }
    let lens = c.lens();
    let seps: SmallVec<[u8; 8]> = c.seps().collect();
    let same_sep = |s: u8| seps.iter().all(|&x| x == s);
    // Dates, and a date followed by the hour of a time (`2026-11-25 10:42`).
    if !c.plus && lens.len() >= 3 {
        let g = &c.groups;
        let val = |k: usize| number(b, g[k].at, g[k].len);
        let dated = |sep: u8| {
            g[1].sep == sep
                && g[2].sep == sep
                && ((lens[0] == 4
                    && lens[1] <= 2
                    && lens[2] <= 2
                    && (1..=12).contains(&val(1))
                    && (1..=31).contains(&val(2)))
                    || (lens[0] <= 2
                        && lens[1] <= 2
                        && (lens[2] == 4 || lens[2] == 2)
                        && (1..=31).contains(&val(0))
                        && (1..=31).contains(&val(1))))
        };
        if [b'-', b'.', b'/'].into_iter().any(dated)
            && (lens.len() == 3 || (lens.len() == 4 && lens[3] <= 2))
        {
            return true;
        }
    }
    // US SSN layout (the SSN detector's), and IPv4 addresses and dotted versions.
    if lens.as_slice() == [3, 2, 4] && same_sep(b'-') {
        return true;
    }
    // Spanish and Portuguese numbers written with dots (`667.16.51.47`) start with a group no
    // IPv4 address or version has (above 255).
    let iberian_dots =
        matches!(lens.as_slice(), [3, 2, 2, 2] | [3, 3, 3]) && number(b, c.groups[0].at, 3) > 255;
    if seps.len() >= 2
        && same_sep(b'.')
        && lens.iter().all(|&n| n <= 3)
        && !c.plus
        && lens.as_slice() != [2, 2, 2, 2, 2]
        && !iberian_dots
    {
        return true;
    }
    // Epoch timestamps in seconds and milliseconds.
    if !c.plus && lens.len() == 1 && matches!(lens[0], 10 | 13) && b[start] == b'1' {
        return true;
    }
    false
}

/// A currency sign or code, or a unit, next to the number: an amount or a quantity.
fn amount_around(text: &str, start: usize, end: usize) -> bool {
    const CODES: &[&str] = &[
        "EUR", "USD", "GBP", "CHF", "COP", "ARS", "MXN", "BRL", "CLP", "PEN", "INR", "JPY", "CNY",
        "CAD", "AUD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "TRY", "ZAR", "UYU", "BOB", "PYG",
        "VES", "DOP", "CRC", "GTQ",
    ];
    const NAMES: &[&str] = &[
        "euros", "euro", "dollars", "pesos", "reais", "libras", "pounds",
    ];
    const UNITS: &[&str] = &[
        "items",
        "units",
        "unidades",
        "stück",
        "stk",
        "pcs",
        "pieces",
        "pièces",
        "pezzi",
        "km",
        "kg",
        "mb",
        "gb",
        "kb",
        "ms",
        "bytes",
        "points",
        "puntos",
        "punkte",
        "meilen",
        "miles",
        "customers",
        "clients",
        "clientes",
        "kunden",
        "users",
        "usuarios",
        "utenti",
        "people",
        "personas",
        "personen",
        "pessoas",
        "persone",
        "minutes",
        "minutos",
        "minuten",
        "minuti",
        "seconds",
        "segundos",
        "sekunden",
        "secondi",
        "hours",
        "horas",
        "stunden",
        "ore",
        "times",
        "veces",
        "mal",
        "fois",
        "vezes",
        "volte",
        "calls",
        "llamadas",
        "anrufe",
        "appels",
        "chamadas",
        "chiamate",
        "orders",
        "pedidos",
        "tickets",
        "views",
        "visits",
        "downloads",
        "followers",
        "subscribers",
        "members",
        "rows",
        "records",
        "lines",
    ];
    const SIGNS: &[char] = &['€', '£', '¥', '₹', '$', '₩', '₽', '¢'];
    let before = text[..start].trim_end_matches(' ');
    if before.ends_with(SIGNS) {
        return true;
    }
    let word_before = before
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    // Codes in capitals only: `TRY` is a currency, "try" a word.
    if CODES.contains(&word_before) {
        return true;
    }
    let after = text[end..].trim_start_matches(' ');
    if after.starts_with(SIGNS) {
        return true;
    }
    let word_after = after
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    CODES.contains(&word_after)
        || NAMES
            .iter()
            .chain(UNITS)
            .any(|c| c.eq_ignore_ascii_case(word_after))
}

/// The value of the digits at `at..at + len` (at most nine of them are read).
fn number(b: &[u8], at: usize, len: usize) -> u32 {
    b[at..at + len.min(9)]
        .iter()
        .fold(0, |n, d| n * 10 + u32::from(d - b'0'))
}

/// Step 2: shapes that are phone numbers whatever the words around them.
fn proven_by_shape(b: &[u8], c: &Chunk) -> bool {
    let digits = c.digits();
    let lens = c.lens();
    let seps: SmallVec<[u8; 8]> = c.seps().collect();
    let spaced = |ok: &[u8]| seps.iter().all(|s| ok.contains(s));
    let ds = c.digit_string(b);
    let first = ds[0];
    if c.plus {
        return (8..=15).contains(&digits) && country_code(&ds).is_some();
    }
    // `0049 30 1234567`: an international prefix and a real country code, grouped with spaces.
    if ds.starts_with(b"00") && lens.len() >= 2 && spaced(b" ") {
        return country_code(&ds[2..]).is_some() && (10..=15).contains(&(digits - 2));
    }
    // `0034612399327`, `004915702415150`: the same prefix glued to the number of one of the
    // countries we serve, with that country's national length.
    if ds.starts_with(b"00") && lens.len() == 1 {
        let national = |cc: &[u8], lens: &[usize]| {
            ds[2..].starts_with(cc) && lens.contains(&(digits - 2 - cc.len()))
        };
        return national(b"34", &[9])
            || national(b"351", &[9])
            || national(b"33", &[9])
            || national(b"39", &[9, 10])
            || national(b"44", &[10])
            || national(b"49", &[10, 11])
            || national(b"31", &[9])
            || national(b"32", &[8, 9])
            || national(b"41", &[9])
            || national(b"43", &[10, 11]);
    }
    // French mobiles written without spaces: `0612345678`, `0712345678`.
    if lens.len() == 1 && digits == 10 && ds[0] == b'0' && matches!(ds[1], b'6' | b'7') {
        return true;
    }
    if nanp(b, c) {
        return true;
    }
    // French numbers: five pairs, the first `0X`, one separator throughout.
    if lens.as_slice() == [2, 2, 2, 2, 2]
        && first == b'0'
        && ds[1] != b'0'
        && seps.windows(2).all(|w| w[0] == w[1])
        && matches!(seps[0], b' ' | b'.' | b'-')
    {
        return true;
    }
    // A national number with a trunk 0 (DE, UK, IT, NL, AT, CH …): an area code of 2–5 digits
    // written first (or in parentheses), the subscriber number in one to three groups, spaces or
    // a slash between them; a single dash at most (`030-1234567`), since ids are dashed
    // (`0630-9575-55`, `0037-2026-0444`).
    if first == b'0' && ds[1] != b'0' && lens.len() >= 2 && (9..=12).contains(&digits) {
        let area = lens[0];
        let dashes = seps.iter().filter(|&&s| s == b'-').count();
        let area_ok = (2..=5).contains(&area) || c.groups[0].paren;
        let rest_ok = lens[1..].iter().all(|&n| n >= 2) && lens.len() <= 4;
        if area_ok && rest_ok && dashes <= 1 && spaced(b" /-") && !seps.contains(&b'.') {
            return true;
        }
    }
    let only_spaces = spaced(b" ");
    // Spain (6, 7, 8, 9) and Portugal (2, 9): nine digits as 3-3-3 or 3-2-2-2, with spaces or
    // with dots throughout.
    if (only_spaces || seps.iter().all(|&s| s == b'.'))
        && (lens.as_slice() == [3, 3, 3] || lens.as_slice() == [3, 2, 2, 2])
        && matches!(first, b'2' | b'6' | b'7' | b'8' | b'9')
    {
        return true;
    }
    // Spanish mobiles dashed (`660-714-746`), landlines with a two-digit province code
    // (`94 870 52 57`, `91 123 45 67`), Portuguese landlines (`22 882 7461`).
    if lens.as_slice() == [3, 3, 3] && spaced(b"-") && matches!(first, b'6' | b'7') {
        return true;
    }
    if only_spaces
        && (lens.as_slice() == [2, 3, 2, 2] && matches!(first, b'8' | b'9')
            || lens.as_slice() == [2, 3, 4] && first == b'2')
    {
        return true;
    }
    // Italian mobiles: 3xx xxx xxxx or 3xx xxxxxxx.
    if only_spaces
        && first == b'3'
        && (lens.as_slice() == [3, 3, 4]
            || lens.as_slice() == [3, 7]
            || lens.as_slice() == [3, 3, 3, 1])
    {
        return true;
    }
    // Indian mobiles: 5-5, starting 6–9.
    if only_spaces && lens.as_slice() == [5, 5] && matches!(first, b'6'..=b'9') {
        return true;
    }
    false
}

/// North American numbers: an optional `1`, then area code and exchange (each starting 2–9) and
/// four digits: `(415) 555-0134`, `415-555-0134`, `415.555.0134`, `1 800 555 0199`.
fn nanp(b: &[u8], c: &Chunk) -> bool {
    let mut g: &[Group] = &c.groups;
    if g.len() == 4 && g[0].len == 1 && b[g[0].at] == b'1' {
        g = &g[1..];
    }
    if g.len() != 3 || g[0].len != 3 || g[1].len != 3 || g[2].len != 4 {
        return false;
    }
    let lead = |k: usize| matches!(b[g[k].at], b'2'..=b'9');
    if !lead(0) || !lead(1) {
        return false;
    }
    // `(415) 555-0134` and `415 555-0134`, or one separator throughout.
    let (s1, s2) = (g[1].sep, g[2].sep);
    g[0].paren && matches!(s1, 0 | b' ') && matches!(s2, b'-' | b' ' | b'.')
        || (s1 == s2 && matches!(s1, b' ' | b'-' | b'.'))
        || (s1 == b' ' && s2 == b'-')
}

/// Step 3: a run of 7–15 digits after a phone word, in any grouping a person writes.
fn plausible_with_word(b: &[u8], c: &Chunk) -> bool {
    let digits = c.digits();
    if !(7..=15).contains(&digits) {
        return false;
    }
    // Groups of one digit are read-out lists or amounts, not phone groupings.
    let lens = c.lens();
    if lens.len() > 1 && lens.iter().filter(|&&n| n == 1).count() > 1 {
        return false;
    }
    let seps: SmallVec<[u8; 8]> = c.seps().collect();
    // Ranges (`2019-2024`, `0900-1700`, `1000-2000`), times (`10.30-12.00`), Portuguese
    // postcodes (`1000-001`) and spaced dates (`12 05 2024`).
    if lens.len() == 2 && seps[0] == b'-' && (lens[0] == lens[1] || lens.as_slice() == [4, 3]) {
        return false;
    }
    if seps.contains(&b'.') && lens.iter().all(|&n| n <= 2) {
        return false;
    }
    if lens.len() == 3 && lens[0] <= 2 && lens[1] <= 2 && lens[2] == 4 && seps[0] == b' ' {
        let g = &c.groups;
        let day = number(b, g[0].at, g[0].len);
        let month = number(b, g[1].at, g[1].len);
        let year = number(b, g[2].at, g[2].len);
        if (1..=31).contains(&day) && (1..=12).contains(&month) && (1900..=2099).contains(&year) {
            return false;
        }
    }
    let ds = c.digit_string(b);
    // A compact date and time (`20240501 104217`).
    if lens.len() == 2
        && lens[0] == 8
        && matches!(lens[1], 4 | 6)
        && (ds.starts_with(b"19") || ds.starts_with(b"20"))
    {
        return false;
    }
    // A year-month-day run (`20261125`) is a date.
    if lens.len() == 1 && digits == 8 && (ds.starts_with(b"19") || ds.starts_with(b"20")) {
        let month = u32::from(ds[4] - b'0') * 10 + u32::from(ds[5] - b'0');
        let day = u32::from(ds[6] - b'0') * 10 + u32::from(ds[7] - b'0');
        if (1..=12).contains(&month) && (1..=31).contains(&day) {
            return false;
        }
    }
    true
}

/// The length of the ITU country code `ds` starts with, if it starts with one.
fn country_code(ds: &[u8]) -> Option<usize> {
    let d = |k: usize| ds.get(k).map(|c| c - b'0');
    let (a, b2) = (d(0)?, d(1)?);
    match a {
        1 | 7 => Some(1),
        0 => None,
        _ => {
            let two = a * 10 + b2;
            const TWO: &[u8] = &[
                20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53,
                54, 55, 56, 57, 58, 60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94,
                95, 98,
            ];
            const THREE: &[u8] = &[
                21, 22, 23, 24, 25, 26, 29, 35, 37, 38, 42, 50, 59, 67, 68, 69, 80, 85, 87, 88, 96,
                97, 99,
            ];
            if TWO.contains(&two) {
                Some(2)
            } else if THREE.contains(&two) && d(2).is_some() {
                Some(3)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_with(find, text)
    }

    #[test]
    fn phone_positives() {
        for p in [
            "+14155550134",
            "+1 415 555 0134",
            "+44 20 7946 0958",
            "+49 (0)30 1234567",
            "+34 612 39 93 27",
            "+91 98920 44904",
            "(415) 555-0134",
            "415-555-0134",
            "415.555.0134",
            "1-800-555-0199",
            "020 7946 0958",
            "(020) 7946 6121",
            "(030) 9487512",
            "030/1234567",
            "07700 900123",
            "0151 23456789",
            "01 23 45 67 89",
            "01.12.72.35.42",
            "06-12-34-56-78",
            "612 399 327",
            "612 39 93 27",
            "912 345 678",
            "347 123 4567",
            "02 1234 5678",
            "98920 44904",
            "0049 30 1234567",
            "0044 20 7946 0958",
            "415-555-9461x22",
            "(415) 555-9461 ext. 22",
        ] {
            assert_eq!(
                phones(&format!("the number is {p}, thanks")),
                vec![p],
                "{p}"
            );
        }
        assert_eq!(phones("call me on 4155550134"), vec!["4155550134"]);
        assert_eq!(phones("mobile: 555-0134"), vec!["555-0134"]);
        assert_eq!(phones("llámame al 612399327"), vec!["612399327"]);
        assert_eq!(phones("Rückrufnummer 01712345678"), vec!["01712345678"]);
        assert_eq!(phones("appelez-moi au 0612345678"), vec!["0612345678"]);
        assert_eq!(phones("ligue para 912345678"), vec!["912345678"]);
        assert_eq!(phones("chiamami al 3471234567"), vec!["3471234567"]);
        assert_eq!(phones("tel:+14155550134"), vec!["+14155550134"]);
        assert_eq!(phones("try 0151 23456789"), vec!["0151 23456789"]);
        assert_eq!(
            phones("please call me regarding my order on 07700900123"),
            vec!["07700900123"]
        );
        assert_eq!(
            phones("Rückruf wegen Lieferung unter 01712345678"),
            vec!["01712345678"]
        );
        assert_eq!(phones("GSM 0471234567"), vec!["0471234567"]);
        assert_eq!(phones("Kontakt 01712345678"), vec!["01712345678"]);
        assert_eq!(phones("try 415-555-9461x123."), vec!["415-555-9461x123"]);
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
            "I called about order 4155559461",
            "contact form ref 61239932712",
            "Telefonat wegen Bestellung 0037-2026-0444",
            "Rechnung 0005-61571468",
            "Art.-Nr. 0630-9575-55",
            "hotel booking 48213377",
            "Bestellung 1234567890",
            "erstellt 20261125",
            "recall notice 4821337",
            "during 2026 we shipped 1234567 units",
            "string id 98765432",
            "cancellation 12345678",
            "Callback scheduled for 2026-11-25 10:42:17",
            "call at 14:30 on 25.11.2026",
            "Rückruf am 25.11.2026 um 10:42",
            "2 450 000 COP",
            "callback_ts=1732540800",
            "please call, total 12 345 678 ARS",
            "phone bill 612 399 327 EUR",
            "caller said cancellation 12345678",
            "NHS number 943 476 5918",
            "call 2019-2024",
            "call hours 0900-1700",
            "Rückruf 10.30-12.00 Uhr",
            "loja telefone 1000-001 Lisboa",
            "call 1000000 customers",
            "llamada 1234567 minutos",
            "phone 12 05 2024",
            "phone log 20240501 104217",
            "call about art. 0630-9575-55",
            "Telefonat Kundennr. 12345678",
            "call id 8812345678",
        ] {
            assert!(phones(t).is_empty(), "{t} -> {:?}", phones(t));
        }
    }
}
