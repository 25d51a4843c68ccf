//! IPv4 and IPv6 addresses.
//!
//! Candidates come from regexes; the standard library's address parsers decide. Dotted version
//! numbers ("v1.2.3.4", "version 10.0.0.1") and clock times ("10:30:00") are not addresses.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{ContextWords, bounded};

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}").expect("ipv4 regex is valid")
});

static IPV6: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i-u)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){1,6}:\d{1,3}(?:\.\d{1,3}){3}",
        r"|[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}"
    ))
    .expect("ipv6 regex is valid")
});

/// Words that make the dotted number right after them a version, not an address.
static VERSION_WORDS: LazyLock<ContextWords> = LazyLock::new(|| {
    ContextWords::from_lists([
        "version",
        "ver",
        "ver.",
        "v.",
        "build",
        "release",
        "firmware",
        "fw",
        "versión",
        "versao",
        "versão",
        "versione",
        "update",
        "updated to",
        "upgraded to",
        "patch",
        "sdk",
        "os",
        "ios",
        "android",
        "section",
        "sección",
        "seccion",
        "abschnitt",
        "art.",
        "art",
        "artikel",
        "article",
        "articolo",
        "artigo",
        "§",
        "clause",
        "cláusula",
        "klausel",
        "chapter",
        "capítulo",
        "kapitel",
        "chapitre",
        "capitolo",
        "ziffer",
        "punkt",
        "point",
        "no.",
        // Software that reports its version: "Chrome 72.82.94.70", "running 7.4.6.7",
        // "versión de la app 4.1.2.85".
        "running",
        "app",
        "application",
        "aplicación",
        "aplicacion",
        "applicazione",
        "aplicativo",
        "appli",
        "software",
        "browser",
        "navegador",
        "navigateur",
        "firefox",
        "chrome",
        "safari",
        "edge",
        "opera",
    ])
});

/// Finds IPv4 addresses.
pub fn find_ipv4(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    for m in IPV4.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        if !bounded(text, s, e, b"_") || (s > 0 && b[s - 1] == b'.') {
            continue;
        }
        // "1.2.3.4.5" is a version; "v1.2.3.4" too.
        if e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_digit() {
            continue;
        }
        if s > 0 && matches!(b[s - 1], b'v' | b'V') {
            continue;
        }
        if version_word_right_before(b, s) {
            continue;
        }
        if m.as_str().parse::<Ipv4Addr>().is_ok() || zero_padded(m.as_str()) {
            out.push(s..e);
        }
    }
}

/// An address printed with every octet padded to three digits (`095.009.247.016`), as some logs
/// and forms show them: each at most 255.
fn zero_padded(candidate: &str) -> bool {
    let octets: Vec<&str> = candidate.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            o.len() == 3
                && o.bytes().all(|c| c.is_ascii_digit())
                && o.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

/// Whether a version word stands right before `s`, with only blanks, `:`, `=`, `v` or one
/// connector between: "version 10.0.0.1", "build: 1.2.3.4", "firmware version is 4.1.2.85" —
/// but not "build server 10.2.3.4".
fn version_word_right_before(b: &[u8], s: usize) -> bool {
    let skip_blanks = |mut k: usize| {
        while k > 0 && matches!(b[k - 1], b' ' | b':' | b'=' | b'\t') {
            k -= 1;
        }
        k
    };
    let mut k = skip_blanks(s);
    if k == s && k > 0 && b[k - 1].is_ascii_alphabetic() {
        return false;
    }
    // One connector: "version is", "versión es", "Version ist", "version est", "now".
    let word_start = b[..k]
        .iter()
        .rposition(|c| !c.is_ascii_alphabetic())
        .map_or(0, |p| p + 1);
    if k > word_start
        && [
            &b"is"[..],
            b"es",
            b"ist",
            b"est",
            b"was",
            b"now",
            b"era",
            b"war",
        ]
        .iter()
        .any(|w| b[word_start..k].eq_ignore_ascii_case(w))
        && skip_blanks(word_start) < word_start
    {
        k = skip_blanks(word_start);
    }
    let from = k.saturating_sub(12);
    VERSION_WORDS
        .last_in(&b[from..k])
        .is_some_and(|end| from + end == k)
}

/// Finds IPv6 addresses. A candidate that does not parse is retried from each of its colons, so
/// `ip:2001:db8::1` and `[IPv6:2001:db8::1]` are found although the scan first sees `:2001…` or
/// `6:2001…`.
pub fn find_ipv6(text: &str, out: &mut Vec<Range<usize>>) {
    let mut from = 0;
    while let Some(m) = IPV6.find_at(text, from) {
        let (s, e) = (m.start(), m.end());
        if let Some(found) = ipv6_within(text, s, e) {
            out.push(found.clone());
            from = found.end.max(from + 1);
            continue;
        }
        from = e.max(s + 1);
    }
}

/// The address inside the candidate `s..e`, starting at `s` or after one of its colons.
fn ipv6_within(text: &str, s: usize, e: usize) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let starts = std::iter::once(s).chain(
        (s..e)
            .filter(|&k| b[k] == b':' && b.get(k + 1) != Some(&b':'))
            .map(|k| k + 1),
    );
    for start in starts {
        // Only the first start may follow a letter; a later one follows its colon. From a later
        // start the candidate may reach further (`6:` took a group of an eight-group address).
        let e = if start == s {
            e
        } else {
            match IPV6.find_at(text, start) {
                Some(m) if m.start() == start => m.end(),
                _ => continue,
            }
        };
        let cand = &text[start..e];
        if cand.len() < 3 {
            continue;
        }
        let before_ok = start == s
            && (start == 0
                || !b[start - 1].is_ascii_alphanumeric()
                    && b[start - 1] != b'_'
                    && b[start - 1] != b':')
            || start > s;
        let after_ok = !b
            .get(e)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b':');
        if !before_ok || !after_ok {
            continue;
        }
        let groups = cand.split(':').filter(|g| !g.is_empty()).count();
        if groups < 2 && !cand.contains('.') {
            continue;
        }
        if cand.parse::<Ipv6Addr>().is_ok() {
            return Some(start..e);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find_ipv4, text)
    }

    fn v6(text: &str) -> Vec<&str> {
        crate::masking::detectors::found_by(find_ipv6, text)
    }

    #[test]
    fn ipv4_cases() {
        assert_eq!(
            v4("client 203.0.113.42 via 10.0.0.1."),
            vec!["203.0.113.42", "10.0.0.1"]
        );
        assert_eq!(v4("build server 10.2.3.4 down"), vec!["10.2.3.4"]);
        assert_eq!(v4("release host 192.0.2.10"), vec!["192.0.2.10"]);
        for neg in [
            "v1.2.3.4",
            "version 10.0.0.1",
            "build 10.0.0.1",
            "Version: 4.12.0.1",
            "section 1.2.3.4 of the T&Cs",
            "Art. 6.1.1.2 DSGVO",
            "§ 3.1.2.4",
            "updated to 4.12.0.3 yesterday",
            "1.2.3.4.5",
            "300.1.1.1",
            "app 4.12.0",
            "running 7.4.6.7",
            "Firefox 115.4.0.1",
            "Chrome 72.82.94.70",
            "versión de la app 4.1.2.85",
            "version de l'application 4.1.2.85",
            "firmware version is 4.1.2.85",
        ] {
            assert!(v4(neg).is_empty(), "{neg}");
        }
    }

    #[test]
    fn ipv6_cases() {
        assert_eq!(
            v6("from 2001:db8::8a2e:370:7334 ok"),
            vec!["2001:db8::8a2e:370:7334"]
        );
        // A lone "::1" (loopback) says nothing about a person and looks like too many other things.
        assert_eq!(v6("lo ::1 and fe80::1"), vec!["fe80::1"]);
        assert_eq!(v6("mapped ::ffff:192.0.2.1"), vec!["::ffff:192.0.2.1"]);
        assert_eq!(v6("ip:2001:db8::1 seen"), vec!["2001:db8::1"]);
        assert_eq!(
            v6("[IPv6:2001:0db8:85a3:0000:0000:8a2e:0370:7334]"),
            vec!["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]
        );
        assert_eq!(
            v6("IP:2001:0db8:85a3:0000:0000:8a2e:0370:7334 x"),
            vec!["2001:0db8:85a3:0000:0000:8a2e:0370:7334"]
        );
        assert_eq!(
            v6("[IPv6:2001:db8::8a2e:370:7334]"),
            vec!["2001:db8::8a2e:370:7334"]
        );
        assert_eq!(v6("http://[2001:db8::1]:8080/"), vec!["2001:db8::1"]);
        for neg in [
            "at 10:30:00",
            "mac 00:1a:2b:3c:4d:5e",
            "ratio 1:2",
            "note: a:b",
        ] {
            assert!(v6(neg).is_empty(), "{neg}");
        }
    }
}
