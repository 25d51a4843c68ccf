//! IPv4 and IPv6 addresses.
//!
//! Candidates come from regexes; the standard library's address parsers decide. Dotted version
//! numbers ("v1.2.3.4", "version 10.0.0.1") and clock times ("10:30:00") are not addresses.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{ContextWords, bounded, context_before};

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

static VERSION_WORDS: LazyLock<ContextWords> =
    LazyLock::new(|| ContextWords::new(&["version", "ver ", "build", "release"]));

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
        if context_before(text, s, 12, &VERSION_WORDS) {
            continue;
        }
        if m.as_str().parse::<Ipv4Addr>().is_ok() {
            out.push(s..e);
        }
    }
}

/// Finds IPv6 addresses.
pub fn find_ipv6(text: &str, out: &mut Vec<Range<usize>>) {
    for m in IPV6.find_iter(text) {
        let (s, e) = (m.start(), m.end());
        let cand = m.as_str();
        if !bounded(text, s, e, b"_:") || cand.len() < 3 {
            continue;
        }
        let groups = cand.split(':').filter(|g| !g.is_empty()).count();
        if groups < 2 && !cand.contains('.') {
            continue;
        }
        if cand.parse::<Ipv6Addr>().is_ok() {
            out.push(s..e);
        }
    }
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
        for neg in [
            "v1.2.3.4",
            "version 10.0.0.1",
            "1.2.3.4.5",
            "300.1.1.1",
            "app 4.12.0",
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
