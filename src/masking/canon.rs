//! The canonical view of a string: what a person reading it sees, in a form a digit scanner can
//! read.
//!
//! People and programs write the same card number in many byte sequences: full-width or
//! Arabic-Indic digits from an input method, zero-width spaces or soft hyphens pasted from a web
//! page, `%20` and `&nbsp;` from a logged URL or an HTML mail, `<br>` from a form. The view undoes
//! all of that once, and keeps a map from every byte of the view back to the original bytes, so a
//! detector can run on the view and the engine still replaces exactly the original span (the
//! invisible characters inside it included).
//!
//! What the view does, character by character (Unicode data from maintained crates, no hand lists
//! of digits):
//! - every decimal digit (`\p{Nd}`) becomes its ASCII digit;
//! - format characters (`Cf`: zero-width space/joiner, word joiner, BOM, soft hyphen) and control
//!   characters (`Cc`) other than tabs and line breaks are removed;
//! - space separators (`Zs`) become a space, line and paragraph separators, vertical tab, form feed
//!   and NEL a line feed, dash punctuation (`Pd`) and minus signs a `-`, dot-like marks (middle dot,
//!   bullet, katakana middle dot) a `.`;
//! - other characters whose compatibility decomposition (NFKC) is plain ASCII become that ASCII
//!   (full-width letters and punctuation, circled and superscript digits);
//! - percent-escapes (`%2D`, `%C2%A0`) and HTML character references (`&nbsp;`, `&#160;`,
//!   `&#x2d;`) are decoded and the result canonicalised the same way; tags that break the text
//!   (`<br>`, `<p>`, `<td>`) read as a line break, inline formatting (`<b>`, `<span …>`) as nothing.
//!
//! The view is built lazily: [`needs_view`] says whether a string can differ from its view at all,
//! and plain printable ASCII without `%`, `&` or `<` (most traffic) is scanned as it is. The
//! detectors ask more precisely ([`has_escape`] through their hints): a `%`, `&` or `<` that starts
//! no escape the view decodes leaves the string reading as itself.

use std::ops::Range;

use unicode_normalization::char::decompose_compatible;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// True when `text` may read differently in the canonical view: it holds a non-ASCII byte, a
/// control character other than tab, LF and CR, or one of `%`, `&`, `<` that may start an encoding.
pub fn needs_view(text: &str) -> bool {
    text.bytes().any(byte_needs_view)
}

/// The per-byte test behind [`needs_view`] (also counted by the detectors' hints).
#[inline]
pub(crate) fn byte_needs_view(b: u8) -> bool {
    b >= 0x7f
        || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        || matches!(b, b'%' | b'&' | b'<')
}

/// Whether `text` holds a `%`, `&` or `<` that starts an escape or tag the view decodes. A URL's
/// `&lang=en` or a `50%` off reads as itself, and a string of plain ASCII without such an escape
/// is its own view.
pub(crate) fn has_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr3_iter(b'%', b'&', b'<', bytes).any(|i| match bytes[i] {
        b'%' => percent_char(bytes, i).is_some(),
        b'&' => html_reference(bytes, i).is_some(),
        _ => tag(bytes, i).is_some(),
    })
}

/// An upper bound on the digits of `text`'s canonical view, without building it: ASCII digits
/// outside escapes, non-ASCII numeric characters, percent-escapes of a digit (`%3X`) or of a
/// multi-byte character's first byte, and numeric character references (`&#…;`). Detectors that
/// need a dozen digits skip the view when this says they cannot have them (an encoded URL full of
/// `%C3%A9` holds many hex digits but no more digits than it shows).
pub fn potential_digits(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'0'..=b'9' => n += 1,
            b'%' => {
                if let Some(v) = percent_byte(bytes, i) {
                    n += usize::from(v.is_ascii_digit() || v >= 0xc2);
                    i += 3;
                    continue;
                }
            }
            b'&' => n += usize::from(bytes.get(i + 1) == Some(&b'#')),
            0x80.. => {
                let c = text[i..].chars().next().unwrap_or(' ');
                n += usize::from(c.is_numeric());
                i += c.len_utf8();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    n
}

/// Runs `find` on the canonical view of `text` when the view can hold `min_digits` digits, and
/// maps the spans it pushes to `out` back to the original bytes. The one way detectors read a
/// view.
pub(crate) fn find_on_view(
    text: &str,
    min_digits: usize,
    out: &mut Vec<Range<usize>>,
    find: impl FnOnce(&str, &mut Vec<Range<usize>>),
) {
    if potential_digits(text) < min_digits {
        return;
    }
    let view = View::of(text);
    let from = out.len();
    find(view.text(), out);
    for r in &mut out[from..] {
        *r = view.original(r.clone());
    }
}

/// A string's canonical view and the map back to the original bytes.
#[derive(Debug, Clone, Default)]
pub struct View {
    text: String,
    /// For each byte of `text`, the original span `(start, end)` it came from.
    origin: Vec<(u32, u32)>,
}

impl View {
    /// Builds the view of `original` (call only when [`needs_view`] says so; it works regardless).
    pub fn of(original: &str) -> View {
        let mut v = View {
            text: String::with_capacity(original.len()),
            origin: Vec::with_capacity(original.len()),
        };
        let bytes = original.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // Plain printable ASCII (most of any text) is copied as it is.
            if !byte_needs_view(b) {
                v.push_ascii(b, i, i + 1);
                i += 1;
                continue;
            }
            let decoded = match b {
                b'%' => percent_char(bytes, i),
                b'&' => html_reference(bytes, i),
                b'<' => match tag(bytes, i) {
                    Some((Tag::Block, end)) => Some(('\n', end)),
                    // Inline formatting (`<b>`, `<span class="d">`) is not read at all: the
                    // text around it runs on ("DOB: <b>14/03/1985</b>", "4111<b>1111</b>").
                    Some((Tag::Inline, end)) => {
                        i = end;
                        continue;
                    }
                    None => None,
                },
                _ => None,
            };
            if let Some((c, end)) = decoded {
                v.push_canonical(c, i, end);
                i = end;
                continue;
            }
            let c = original[i..].chars().next().unwrap_or('\u{fffd}');
            let end = i + c.len_utf8();
            v.push_canonical(c, i, end);
            i = end;
        }
        v
    }

    /// The canonical text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The original byte span of the view span `r` (which must be non-empty and inside the view).
    /// Everything between the first and last original characters is included, so characters the
    /// view removed (zero-width spaces between digits) are replaced with the match.
    pub fn original(&self, r: Range<usize>) -> Range<usize> {
        match (
            self.origin.get(r.start),
            self.origin.get(r.end.saturating_sub(1)),
        ) {
            (Some(&(s, _)), Some(&(_, e))) if r.end > r.start => s as usize..e as usize,
            _ => 0..0,
        }
    }

    fn push_str(&mut self, s: &str, start: usize, end: usize) {
        self.text.push_str(s);
        let span = (start as u32, end as u32);
        self.origin.extend(std::iter::repeat_n(span, s.len()));
    }

    fn push_ascii(&mut self, c: u8, start: usize, end: usize) {
        self.text.push(char::from(c));
        self.origin.push((start as u32, end as u32));
    }

    /// Appends the canonical form of `c`, which stands for the original bytes `start..end`.
    fn push_canonical(&mut self, c: char, start: usize, end: usize) {
        if c.is_ascii() {
            let b = c as u8;
            match b {
                b'\t' | b'\n' | b'\r' | 0x20..=0x7e => self.push_ascii(b, start, end),
                0x0b | 0x0c => self.push_ascii(b'\n', start, end),
                _ => {} // other C0 controls and DEL: removed
            }
            return;
        }
        match canonical_non_ascii(c) {
            Canon::Removed => {}
            Canon::Ascii(b) => self.push_ascii(b, start, end),
            Canon::Keep => {
                let mut tmp = [0u8; 4];
                self.push_str(c.encode_utf8(&mut tmp), start, end);
            }
            Canon::Decomposed => {
                let mut buf = [0u8; 8];
                let mut n = 0;
                let mut ascii = true;
                decompose_compatible(c, |d| {
                    if d.is_ascii() && !d.is_ascii_control() && n < buf.len() {
                        buf[n] = d as u8;
                        n += 1;
                    } else {
                        ascii = false;
                    }
                });
                match std::str::from_utf8(&buf[..n]) {
                    Ok(s) if ascii && n > 0 => self.push_str(s, start, end),
                    _ => {
                        let mut tmp = [0u8; 4];
                        self.push_str(c.encode_utf8(&mut tmp), start, end);
                    }
                }
            }
        }
    }
}

enum Canon {
    Removed,
    Ascii(u8),
    /// Not one of the classes above: use the compatibility decomposition when it is ASCII.
    Decomposed,
    /// A character no decomposition turns into ASCII: kept as it is.
    Keep,
}

fn canonical_non_ascii(c: char) -> Canon {
    match c {
        // Minus signs are math symbols, not dash punctuation, but read as a dash.
        '\u{2212}' | '\u{2796}' | '\u{02d7}' => return Canon::Ascii(b'-'),
        // Dot-like marks between digit groups.
        '\u{00b7}' | '\u{2022}' | '\u{2219}' | '\u{30fb}' | '\u{2027}' | '\u{22c5}'
        | '\u{ff65}' => {
            return Canon::Ascii(b'.');
        }
        '\u{0085}' => return Canon::Ascii(b'\n'),
        // The ordinal marks of Iberian and Italian addresses ("nº 20", "3º Esq.", "4ª") stay
        // marks: their decomposition "o"/"a" would turn a number word into a word ("no 20").
        '\u{00aa}' | '\u{00ba}' => return Canon::Keep,
        // Ideographic and other full stops and commas read as their ASCII marks.
        '\u{3001}' | '\u{ff64}' => return Canon::Ascii(b','),
        _ => {}
    }
    // Dingbat and enclosed digits with no decomposition (`➍`, `❶`, `⑷`, `⓵`): their digit.
    let cp = c as u32;
    for (zero_of_one, first, last) in [
        (0x2776, 0x2776, 0x277E),
        (0x2780, 0x2780, 0x2788),
        (0x278A, 0x278A, 0x2792),
        (0x24F5, 0x24F5, 0x24FD),
        (0x2474, 0x2474, 0x247C),
        (0x2488, 0x2488, 0x2490),
    ] {
        if (first..=last).contains(&cp) {
            return Canon::Ascii(b'1' + (cp - zero_of_one) as u8);
        }
    }
    if matches!(cp, 0x24FF | 0x24EA | 0x1F10B | 0x1F10C) {
        return Canon::Ascii(b'0');
    }
    match c.general_category() {
        GeneralCategory::DecimalNumber => Canon::Ascii(b'0' + decimal_value(c)),
        // Format and control characters, and combining marks (keycaps `4️⃣`, underlines `4̲`,
        // variation selectors) that decorate a digit without changing it.
        GeneralCategory::Format
        | GeneralCategory::Control
        | GeneralCategory::NonspacingMark
        | GeneralCategory::EnclosingMark => Canon::Removed,
        GeneralCategory::SpaceSeparator => Canon::Ascii(b' '),
        GeneralCategory::LineSeparator | GeneralCategory::ParagraphSeparator => Canon::Ascii(b'\n'),
        GeneralCategory::DashPunctuation => Canon::Ascii(b'-'),
        _ if may_decompose_to_ascii(c) => Canon::Decomposed,
        _ => Canon::Keep,
    }
}

/// The blocks holding characters whose compatibility decomposition is ASCII: Latin-1 and Latin
/// Extended (superscripts, ligatures), general punctuation to enclosed alphanumerics (`①`, `ⅰ`),
/// alphabetic presentation forms, half- and full-width forms, mathematical alphanumerics, enclosed
/// alphanumeric supplement. Letters of other scripts (CJK, Arabic, Cyrillic …) skip the lookup.
fn may_decompose_to_ascii(c: char) -> bool {
    matches!(c as u32,
        0x00A0..=0x024F | 0x02B0..=0x02FF | 0x1D00..=0x1DBF | 0x2000..=0x2BFF | 0x3000..=0x303F
        | 0x3200..=0x33FF | 0xFB00..=0xFB4F | 0xFE30..=0xFE6F | 0xFF00..=0xFFEF
        | 0x1D400..=0x1D7FF | 0x1F100..=0x1F1FF)
}

/// The value of a decimal digit. Unicode encodes every `Nd` digit in a contiguous run of ten, from
/// zero to nine, so the value is the distance from the start of the run, modulo ten.
fn decimal_value(c: char) -> u8 {
    let cp = c as u32;
    let mut start = cp;
    while start > 0
        && char::from_u32(start - 1)
            .is_some_and(|p| p.general_category() == GeneralCategory::DecimalNumber)
        && cp - (start - 1) < 64
    {
        start -= 1;
    }
    ((cp - start) % 10) as u8
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn percent_byte(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let hi = hex_value(*bytes.get(i + 1)?)?;
    let lo = hex_value(*bytes.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

/// Decodes the percent-escaped character at `i` (one `%XX`, or the two to four escapes of one
/// UTF-8 character); returns it and the end of its escapes.
fn percent_char(bytes: &[u8], i: usize) -> Option<(char, usize)> {
    let first = percent_byte(bytes, i)?;
    let len = match first {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let mut buf = [first, 0, 0, 0];
    for (k, slot) in buf.iter_mut().enumerate().take(len).skip(1) {
        *slot = percent_byte(bytes, i + 3 * k)?;
    }
    let c = std::str::from_utf8(&buf[..len]).ok()?.chars().next()?;
    Some((c, i + 3 * len))
}

/// Named references that matter between digits (spaces, dashes, invisibles) and the common
/// escapes; any other name is left as written.
const NAMED: &[(&str, char)] = &[
    ("nbsp", '\u{a0}'),
    ("ensp", '\u{2002}'),
    ("emsp", '\u{2003}'),
    ("thinsp", '\u{2009}'),
    ("numsp", '\u{2007}'),
    ("puncsp", '\u{2008}'),
    ("hairsp", '\u{200a}'),
    ("shy", '\u{ad}'),
    ("zwsp", '\u{200b}'),
    ("zwj", '\u{200d}'),
    ("zwnj", '\u{200c}'),
    ("ndash", '\u{2013}'),
    ("mdash", '\u{2014}'),
    ("minus", '\u{2212}'),
    ("hyphen", '\u{2010}'),
    ("dash", '\u{2010}'),
    ("middot", '\u{b7}'),
    ("bull", '\u{2022}'),
    ("period", '.'),
    ("comma", ','),
    ("colon", ':'),
    ("lowbar", '_'),
    ("sol", '/'),
    ("ast", '*'),
    ("vert", '|'),
    ("verbar", '|'),
    ("plus", '+'),
    ("tab", '\t'),
    ("newline", '\n'),
    ("amp", '&'),
    ("lt", '<'),
    ("gt", '>'),
    ("quot", '"'),
    ("apos", '\''),
    ("num", '#'),
];

/// Decodes the HTML character reference at `i` (`&name;`, `&#NNN;`, `&#xHH;`).
fn html_reference(bytes: &[u8], i: usize) -> Option<(char, usize)> {
    let rest = &bytes[i + 1..bytes.len().min(i + 12)];
    let semi = rest.iter().position(|&b| b == b';')?;
    let body = &rest[..semi];
    let end = i + 1 + semi + 1;
    let c = match body {
        [b'#', b'x' | b'X', hex @ ..] if !hex.is_empty() => {
            let mut v: u32 = 0;
            for &h in hex {
                v = v.checked_mul(16)? + u32::from(hex_value(h)?);
            }
            char::from_u32(v)?
        }
        [b'#', dec @ ..] if !dec.is_empty() => {
            let mut v: u32 = 0;
            for &d in dec {
                if !d.is_ascii_digit() {
                    return None;
                }
                v = v.checked_mul(10)? + u32::from(d - b'0');
            }
            char::from_u32(v)?
        }
        name => {
            NAMED
                .iter()
                .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))?
                .1
        }
    };
    Some((c, end))
}

/// How a rendered tag shows: as a break between lines or cells, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// `<br>`, `<p>`, `</div>`, `<td>`, `<li>`: the text breaks here.
    Block,
    /// `<b>`, `<span class="d">`, `<strong>`, `<wbr>`: formatting inside the text.
    Inline,
}

/// The kind and end of a tag at `i` that breaks a line or a cell, or wraps text, when rendered
/// (`<br>`, `<br/>`, `<p>`, `</div>`, `<td>`, `<li>`, `<span class="d">` …); attributes up to 80
/// bytes.
fn tag(bytes: &[u8], i: usize) -> Option<(Tag, usize)> {
    const BLOCK: &[&[u8]] = &[b"br", b"p", b"div", b"td", b"th", b"tr", b"li"];
    const INLINE: &[&[u8]] = &[
        b"wbr", b"span", b"b", b"i", b"u", b"strong", b"em", b"font", b"code", b"mark", b"small",
    ];
    let mut j = i + 1;
    if bytes.get(j) == Some(&b'/') {
        j += 1;
    }
    let name_start = j;
    while j < bytes.len() && bytes[j].is_ascii_alphabetic() && j - name_start < 8 {
        j += 1;
    }
    let name = &bytes[name_start..j];
    let is = |list: &[&[u8]]| list.iter().any(|t| t.eq_ignore_ascii_case(name));
    let kind = if is(BLOCK) {
        Tag::Block
    } else if is(INLINE) {
        Tag::Inline
    } else {
        return None;
    };
    // A name must end here: `<b>` but not `<body>` (unlisted), `<br class=x>` but not `<bra>`.
    match bytes.get(j) {
        Some(b'>') => return Some((kind, j + 1)),
        Some(b' ' | b'/' | b'\t' | b'\n') => {}
        _ => return None,
    }
    let limit = (j + 80).min(bytes.len());
    memchr::memchr2(b'>', b'<', &bytes[j..limit])
        .filter(|&k| bytes[j + k] == b'>')
        .map(|k| (kind, j + k + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(s: &str) -> String {
        View::of(s).text().to_string()
    }

    #[test]
    fn ordinal_marks_of_addresses_stay_marks() {
        assert_eq!(
            view("Rua Augusta, nº 29, 3º Esq., 4ª"),
            "Rua Augusta, nº 29, 3º Esq., 4ª"
        );
    }

    #[test]
    fn unicode_digits_become_ascii() {
        assert_eq!(view("４１１１"), "4111");
        assert_eq!(view("٤١١١"), "4111"); // Arabic-Indic
        assert_eq!(view("۴۱۱۱"), "4111"); // Persian
        assert_eq!(view("४१११"), "4111"); // Devanagari
        assert_eq!(view("𝟒𝟏𝟗𝟎"), "4190"); // mathematical bold digits (adjacent runs of ten)
        assert_eq!(view("4１1١"), "4111");
    }

    #[test]
    fn invisibles_vanish_and_separators_unify() {
        assert_eq!(view("41\u{200b}11\u{ad}1\u{feff}1\u{2060}1"), "4111111");
        assert_eq!(view("4\u{0}1\u{b}1"), "41\n1");
        assert_eq!(
            view("4\u{2009}1\u{3000}1\u{a0}1\u{2011}1\u{2212}1\u{ff0d}1·1"),
            "4 1 1 1-1-1-1.1"
        );
        assert_eq!(view("ｃａｒｄ：４"), "card:4");
    }

    #[test]
    fn encodings_are_decoded() {
        assert_eq!(view("4111%201111%2D1111%C2%A01111"), "4111 1111-1111 1111");
        assert_eq!(
            view("4111&nbsp;1111&#160;1111&#x2d;1111"),
            "4111 1111 1111-1111"
        );
        assert_eq!(
            view("4111<br>1111<BR/>1111<br />1111"),
            "4111\n1111\n1111\n1111"
        );
        assert_eq!(view("%34%31"), "41");
        // Not encodings: left as written.
        assert_eq!(
            view("100% & <body class=x> &foo; %zz"),
            "100% & <body class=x> &foo; %zz"
        );
        // Inline formatting vanishes; blocks and cells break the line.
        assert_eq!(view("<span class=\"d\">4</span>1<b>1</b>1"), "4111");
        assert_eq!(view("DOB: <strong>14/03/1985</strong>"), "DOB: 14/03/1985");
        assert_eq!(view("<td>4111</td><td>1111</td>"), "\n4111\n\n1111\n");
    }

    #[test]
    fn spans_map_back_to_the_original_bytes() {
        let original = "card ４\u{200b}１ and";
        let v = View::of(original);
        let at = v.text().find("41").expect("digits in the view");
        let span = v.original(at..at + 2);
        assert_eq!(&original[span], "４\u{200b}１");
        let original = "x 4111%201111 y";
        let v = View::of(original);
        let at = v.text().find("4111 1111").expect("decoded");
        assert_eq!(&original[v.original(at..at + 9)], "4111%201111");
    }

    #[test]
    fn needs_view_only_for_strings_that_can_differ() {
        assert!(!needs_view("plain ascii 4111 1111-1111+1111"));
        assert!(needs_view("100%"));
        assert!(needs_view("a&b"));
        assert!(needs_view("a<br>b"));
        assert!(needs_view("é"));
        assert!(needs_view("a\u{0}b"));
        assert!(!needs_view("tab\tand\r\nnewline"));
    }

    #[test]
    fn only_a_decodable_escape_makes_a_string_read_differently() {
        for reads_as_itself in [
            "50% off",
            "a&b",
            "?order=1&lang=en",
            "x < y",
            "100%zz",
            "&nope",
        ] {
            assert!(!has_escape(reads_as_itself), "{reads_as_itself}");
            assert_eq!(View::of(reads_as_itself).text(), reads_as_itself);
        }
        for escaped in [
            "jane%40example.com",
            "4111&#32;1111",
            "a&nbsp;b",
            "a<br>b",
            "<b>1</b>",
        ] {
            assert!(has_escape(escaped), "{escaped}");
            assert_ne!(View::of(escaped).text(), escaped);
        }
    }
}
