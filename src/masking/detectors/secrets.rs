//! Credentials: JWTs, bearer tokens, well-known API key shapes and `secret=value` assignments.
//!
//! These are not personal data in the GDPR sense, but a leaked token is a breach all the same, and
//! customers paste them into support chats more often than anyone would like.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::bounded;

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*")
        .expect("jwt regex is valid")
});

static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\bbearer[ \t]+([A-Za-z0-9\-._~+/]{8,}=*)").expect("bearer regex is valid")
});

static API_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u)(?:",
        r"(?:AKIA|ASIA)[0-9A-Z]{16}",
        r"|gh[pousr]_[A-Za-z0-9]{36,255}",
        r"|github_pat_[A-Za-z0-9_]{22,255}",
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

static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i-u)\b(?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|"#,
        r#"client[_-]?secret|secret|password|passwd|pwd|passcode)"#,
        r#"["']?(?:[ \t]*[=:][ \t]*|[ \t]+(is)[ \t]+)["']?((?u:[^\s"'&,;]){4,})"#
    ))
    .expect("assignment regex is valid")
});

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
    out.extend(
        BEARER
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| m.range()),
    );
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
    for c in ASSIGNMENT.captures_iter(text) {
        let Some(value) = c.get(2) else { continue };
        let prose = c.get(1).is_some();
        if prose && value.as_str().chars().all(char::is_alphabetic) {
            continue;
        }
        out.push(value.range());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&str, &mut Vec<Range<usize>>), text: &str) -> Vec<String> {
        let mut out = Vec::new();
        f(text, &mut out);
        out.into_iter().map(|r| text[r].to_string()).collect()
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
