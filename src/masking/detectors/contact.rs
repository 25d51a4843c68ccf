//! Email addresses, internationalised ones included.

use std::ops::Range;

/// Whether `text` may hold an `@` written as an escape (`%40`, `&#64;`, `&commat;`) or a
/// full-width `＠`, which the canonical view reads as `@`.
pub(crate) fn may_hide_at(text: &str, hints: &super::Hints) -> bool {
    if !hints.may_need_view(text) {
        return false;
    }
    let b = text.as_bytes();
    memchr::memmem::find(b, b"%40").is_some()
        || memchr::memmem::find(b, b"&#").is_some()
        || memchr::memmem::find(b, b"&commat;").is_some()
        || memchr::memmem::find(b, "＠".as_bytes()).is_some()
}

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
        // The local part: the run of allowed characters just before the `@`, without leading dots.
        let mut start = at;
        for (i, c) in text[last_end..at].char_indices().rev() {
            if !is_local_char(c) {
                break;
            }
            start = last_end + i;
        }
        while text[start..at].starts_with('.') {
            start += 1;
        }
        if start == at || text[start..at].ends_with('.') {
            continue;
        }
        // The domain: letters, digits, `-` and `.` after the `@`, without a trailing dot or dash.
        let rest = &text[at + 1..];
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
                        && tld[..4].eq_ignore_ascii_case("xn--")
                        && tld[4..].bytes().all(|c| c.is_ascii_alphanumeric())
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
            let end = at + 1 + domain.len();
            out.push(start..end);
            last_end = end;
        }
    }
}

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
    }
}
