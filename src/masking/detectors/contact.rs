//! Email addresses, internationalised ones included, and addresses written so that a machine
//! would not read them (`jane @ example.com`, `jane(at)example(dot)com`, `jane at example dot
//! com`, `jane arroba example punto es`) — a person reads them, so they are personal data too.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Characters allowed in the local part: RFC 5322 atext and dots, letters and digits of any script —
/// except `/`, `=`, `?`, `&` and `%`, which RFC 5322 allows but nobody uses, and which end the
/// address in a URL (`…/api?email=jane%40example.com`).
fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || "!#$'*+^_`{|}~-.".contains(c)
}

/// Finds email addresses, internationalised ones (jörg.müller@bücher.de) included. Hand-scanned from
/// each `@`: a Unicode regex costs far more than the few comparisons this takes.
pub fn find_emails(text: &str, out: &mut Vec<Range<usize>>) {
    let mut last_end = 0;
    for at in memchr::memchr_iter(b'@', text.as_bytes()) {
        if at < last_end {
            continue;
        }
        // The local part: the run of allowed characters just before the `@` (and a blank typed
        // around it: `jane @ example.com`), without leading dots.
        let before = text[last_end..at].trim_end_matches(' ');
        let spaced_before = at - last_end - before.len();
        let local_end = at - spaced_before;
        if spaced_before > 1 {
            continue;
        }
        let mut start = local_end;
        for (i, c) in text[last_end..local_end].char_indices().rev() {
            if !is_local_char(c) {
                break;
            }
            start = last_end + i;
        }
        while text[start..local_end].starts_with('.') {
            start += 1;
        }
        if start == local_end || text[start..local_end].ends_with('.') {
            continue;
        }
        // The domain: letters, digits, `-` and `.` after the `@`, without a trailing dot or dash.
        let spaced_after = usize::from(text[at + 1..].starts_with(' '));
        let spaced = spaced_before + spaced_after > 0;
        // `jane @ home` is a sentence; a spaced `@` needs a local part of two characters.
        if spaced && local_end - start < 2 {
            continue;
        }
        let rest = &text[at + 1 + spaced_after..];
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
                // Letters of any script, or the punycode of one (`xn--p1ai`).
                tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic)
                    || tld.len() > 4
                        && tld.as_bytes()[..4].eq_ignore_ascii_case(b"xn--")
                        && tld.as_bytes()[4..].iter().all(u8::is_ascii_alphanumeric)
            });
        // `icon@2x.png`, `logo@3x.webp`: a retina asset's file name, not an address.
        let asset = labels.last().is_some_and(|tld| {
            [
                "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "avif",
            ]
            .iter()
            .any(|e| tld.eq_ignore_ascii_case(e))
        });
        if valid && !asset {
            let end = at + 1 + spaced_after + domain.len();
            out.push(start..end);
            last_end = end;
        }
    }
    find_spelled_out(text, out);
}

/// How an `@` is spelled out: `(at)`, `[at]`, ` at `, and the word for it in our languages.
macro_rules! at_word {
    () => {
        r"(?:\s*[(\[{<]\s*(?:at|arroba|arobase|chiocciola)\s*[)\]}>]\s*|\s+(?:at|AT|arroba|arobase|chiocciola|apenstaartje|klammeraffe)\s+)"
    };
}

/// How a dot is spelled out: `(dot)`, `[dot]`, ` dot `, ` punto `, or a dot with no blank around.
macro_rules! dot_word {
    () => {
        r"(?:\s*[(\[{<]\s*(?:dot|punto|point|ponto|punkt|punt)\s*[)\]}>]\s*|\s+(?:dot|DOT|punto|point|ponto|punkt|punt)\s+|\.)"
    };
}

/// An address with its `@` (and maybe its dots) spelled out; the top-level domain must be one
/// that people write, so "arrived at Berlin. De facto" is no address.
static SPELLED_OUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u:\b)(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63})(?P<at>",
        at_word!(),
        ")",
        r"[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:",
        dot_word!(),
        r"[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,3}",
        dot_word!(),
        r"(?i:com|net|org|info|biz|io|eu|es|de|fr|pt|it|nl|be|ch|at|uk|co\.uk|ie|br|mx|ar|us|ca|",
        r"lu|pl|se|dk|no|fi|cat|gal|eus|edu|gov)(?-u:\b)",
    ))
    .expect("spelled-out email regex is valid")
});

/// Cheap markers one of which any spelled-out address holds (ASCII case aside).
const SPELLED_MARKERS: &[&[u8]] = &[
    b" at ",
    b"(at",
    b"( at",
    b"[at",
    b"[ at",
    b"{at",
    b"{ at",
    b"<at",
    b"< at",
    b"arroba",
    b"arobase",
    b"chiocciola",
    b"apenstaartje",
    b"klammeraffe",
];

/// An `@` and the escapes and full-width form of it that the canonical view reads as `@`.
const AT_FORMS: &[&[u8]] = &[b"@", b"%40", b"&#", b"&commat;", "\u{ff20}".as_bytes()];

/// One of these stands (ASCII case aside) in every address the email finder reports: an `@` in
/// one of its forms, or a spelled-out `@`. The prefilter opens the email gate on them.
pub(crate) fn markers() -> impl Iterator<Item = &'static [u8]> {
    AT_FORMS.iter().chain(SPELLED_MARKERS).copied()
}

/// The markers as one automaton: one pass over a string answers for all of them.
static SPELLED_MARKER_AC: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(SPELLED_MARKERS)
        .expect("markers are plain literals")
});

/// Whether `text` may hold an address with its `@` spelled out (see [`SPELLED_OUT`]).
pub(crate) fn may_spell_out(text: &str) -> bool {
    SPELLED_MARKER_AC.is_match(text)
}

/// Finds addresses with their `@` spelled out, outside addresses already found.
fn find_spelled_out(text: &str, out: &mut Vec<Range<usize>>) {
    if !may_spell_out(text) {
        return;
    }
    let found = out.len();
    for c in SPELLED_OUT.captures_iter(text) {
        let (Some(m), Some(local), Some(at)) = (c.get(0), c.name("local"), c.name("at")) else {
            continue;
        };
        let r = m.range();
        if super::overlaps_any(&out[..found], &r) {
            continue;
        }
        // A bare " at " is the commonest word of all: "I work at example.com" is a sentence. It
        // makes an address only with a dot spelled out too, or a local part shaped like one
        // (`jane.doe`, `sophie1999`, `ana_b`).
        let bare_at = at.as_str().trim().eq_ignore_ascii_case("at");
        let dot_spelled = m.as_str()[local.len() + at.len()..]
            .split_whitespace()
            .any(|w| SPELLED_DOTS.iter().any(|d| w.eq_ignore_ascii_case(d)));
        let local_shaped = local
            .as_str()
            .bytes()
            .any(|b| b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'+' | b'-'));
        if bare_at && !dot_spelled && !local_shaped {
            continue;
        }
        out.push(r);
    }
    out.sort_by_key(|r| r.start);
}

/// The words for a dot, as [`dot_word`] spells them.
const SPELLED_DOTS: &[&str] = &["dot", "punto", "point", "ponto", "punkt", "punt"];

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            crate::masking::detectors::found_by(find_emails, "user@example.xn--p1ai ok"),
            vec!["user@example.xn--p1ai"]
        );
        assert!(
            crate::masking::detectors::found_by(find_emails, "<img src=\"logo@2x.png\">")
                .is_empty()
        );
        assert_eq!(
            crate::masking::detectors::found_by(find_emails, "a@xn--bcher-kva.de"),
            vec!["a@xn--bcher-kva.de"]
        );
        let mut none = Vec::new();
        find_emails("user@localhost and @handle and a@b", &mut none);
        assert!(none.is_empty());
        // A top-level domain of letters of another script and digits is no punycode, and its
        // fourth byte may fall inside a character (found by the property test).
        find_emails("a@b.Oµ\u{11931}\u{d7eb}83", &mut none);
        assert!(none.is_empty());
    }

    #[test]
    fn addresses_spelled_out_or_spaced() {
        let f = |t| crate::masking::detectors::found_by(find_emails, t);
        assert_eq!(
            f("write to jane.doe @ example.com now"),
            vec!["jane.doe @ example.com"]
        );
        assert_eq!(
            f("mail: u.gross @t-online.de"),
            vec!["u.gross @t-online.de"]
        );
        assert_eq!(f("a.weis@ gmx.de,"), vec!["a.weis@ gmx.de"]);
        assert_eq!(
            f("g.simoes at gmail dot com!"),
            vec!["g.simoes at gmail dot com"]
        );
        assert_eq!(
            f("b.rousseau[at]laposte[dot]net"),
            vec!["b.rousseau[at]laposte[dot]net"]
        );
        assert_eq!(
            f("ana arroba correo punto es"),
            vec!["ana arroba correo punto es"]
        );
        assert_eq!(
            f("x (at) example (dot) org"),
            vec!["x (at) example (dot) org"]
        );
        // Sentences are not addresses.
        for t in [
            "we arrived at Berlin. De facto it was late",
            "see you at 5 dot",
            "meet me @ home",
            "I work at example.com on Mondays",
            "look at the.com",
        ] {
            assert!(f(t).is_empty(), "{t}: {:?}", f(t));
        }
    }
}
