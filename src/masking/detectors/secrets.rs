//! Credentials: JWTs, bearer tokens, well-known API key shapes and `secret=value` assignments.
//!
//! These are not personal data in the GDPR sense, but a leaked token is a breach all the same, and
//! customers paste them into support chats more often than anyone would like.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Hints, bounded};

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*")
        .expect("jwt regex is valid")
});

/// `Bearer` and the whitespace after it; the token that follows is scanned by hand (no capture
/// groups on the hot path).
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i-u)\bbearer[ \t]+").expect("bearer regex is valid"));

static API_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u)(?:",
        r"(?:AKIA|ASIA)[0-9A-Z]{16}",
        r"|gh[pousr]_[A-Za-z0-9]{36,}",
        r"|github_pat_[A-Za-z0-9_]{22,}",
        r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}",
        r"|xox[abposr]-[A-Za-z0-9-]{10,}",
        r"|AIza[0-9A-Za-z_-]{35}",
        r"|sk-(?:proj-)?[A-Za-z0-9_-]{20,}",
        r"|glpat-[A-Za-z0-9_-]{20,}",
        r"|SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}",
        r")"
    ))
    .expect("api key regex is valid")
});

/// A secret's name and the separator after it (`password=`, `api_key: "`, `password is `); the
/// value that follows is scanned by hand.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i-u)\b(?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|"#,
        r#"client[_-]?secret|secret|password|passwd|pwd|passcode)"#,
        r#"["']?(?:[ \t]*[=:][ \t]*|[ \t]+is[ \t]+)["']?"#
    ))
    .expect("assignment regex is valid")
});

/// The end of a secret value starting at `start`: up to whitespace, a quote or `&,;`.
fn value_end(text: &str, start: usize) -> usize {
    text[start..]
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '&' | ',' | ';'))
        .map_or(text.len(), |n| start + n)
}

/// Whether a string with these counts can hold a PEM private key.
pub(crate) fn may_match_private_key(hints: &Hints) -> bool {
    hints.letters >= 20
}

/// Finds PEM private-key blocks.
pub fn find_private_keys(_text: &str, _out: &mut Vec<Range<usize>>) {}

/// Finds JSON Web Tokens (header and payload both base64url JSON objects, hence `eyJ…`).
pub fn find_jwts(text: &str, out: &mut Vec<Range<usize>>) {
    for m in JWT.find_iter(text) {
        if bounded(text, m.start(), m.end(), b"_-") {
            out.push(m.range());
        }
    }
}

/// Finds the token after `Bearer`; the word itself stays readable.
pub fn find_bearer(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    for m in BEARER.find_iter(text) {
        let token = b[m.end()..]
            .iter()
            .take_while(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
            })
            .count();
        let pad = b[m.end() + token..]
            .iter()
            .take_while(|&&c| c == b'=')
            .count();
        if token >= 8 {
            out.push(m.end()..m.end() + token + pad);
        }
    }
}

/// Finds well-known API key shapes.
pub fn find_api_keys(text: &str, out: &mut Vec<Range<usize>>) {
    for m in API_KEY.find_iter(text) {
        if bounded(text, m.start(), m.end(), b"_") {
            out.push(m.range());
        }
    }
}

/// Finds the value of `password=…`, `api_key: …` and `my password is …`; the name stays readable.
/// After "is" the value must hold a digit or symbol, so "the password is incorrect" stays as it is.
pub fn find_assignments(text: &str, out: &mut Vec<Range<usize>>) {
    for m in ASSIGNMENT.find_iter(text) {
        let end = value_end(text, m.end());
        let value = &text[m.end()..end];
        if value.chars().count() < 4 {
            continue;
        }
        let prose = !m.as_str().contains(['=', ':']);
        if prose && value.chars().all(char::is_alphabetic) {
            continue;
        }
        out.push(m.end()..end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&str, &mut Vec<Range<usize>>), text: &str) -> Vec<String> {
        crate::masking::detectors::found_by(f, text)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn credentials() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(run(find_jwts, &format!("token {jwt} end")), vec![jwt]);
        assert_eq!(
            run(find_bearer, "Authorization: Bearer abcDEF123456789xyz"),
            vec!["abcDEF123456789xyz"]
        );
        assert_eq!(
            run(find_api_keys, "key AKIAIOSFODNN7EXAMPLE here"),
            vec!["AKIAIOSFODNN7EXAMPLE"]
        );
        assert_eq!(
            run(find_api_keys, "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            vec!["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]
        );
        assert_eq!(
            run(
                find_assignments,
                "https://x.test/cb?api_key=s3cr3tValue&page=2"
            ),
            vec!["s3cr3tValue"]
        );
        assert_eq!(
            run(find_assignments, "my password: hunter22!"),
            vec!["hunter22!"]
        );
        assert!(run(find_jwts, "eyJ alone").is_empty());
        assert!(run(find_bearer, "the bearer of bad news").is_empty());
        assert!(run(find_api_keys, "task-1234567890123456789012").is_empty());
        assert!(run(find_assignments, "password reset requested").is_empty());
        assert_eq!(
            run(find_assignments, "My password is Summer2026! ok"),
            vec!["Summer2026!"]
        );
        assert!(run(find_assignments, "the password is incorrect").is_empty());
    }
}
