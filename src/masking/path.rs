//! JSON paths: the patterns field rules and the allow-list are written in, and the concrete paths
//! that reports name.
//!
//! Patterns are anchored at the document root: `$.customer.email` (the `$.` is optional) names one
//! place, `**.password` every `password` key at any depth, `items[*].pan` the `pan` of every element
//! of `items`, and `*` any single key or index. Keys compare ASCII case-insensitively, because
//! producers spell `CVV`, `cvv` and `Cvv` alike. Keys with dots or brackets are written quoted:
//! `$['odd.key']`.
//!
//! While the engine walks a document it keeps the current path as a chain of [`PathNode`]s on the
//! call stack, so matching a pattern allocates nothing; only a finding renders its path to a string.

use std::fmt::Write;

/// One step of a concrete path while the engine walks a document.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    /// An object key.
    Key(&'a str),
    /// An array index.
    Index(usize),
}

/// A concrete path as a linked list from the current node up to the root.
#[derive(Debug)]
pub struct PathNode<'a> {
    /// The enclosing node; `None` for a child of the root.
    pub parent: Option<&'a PathNode<'a>>,
    /// The last step of the path.
    pub seg: Seg<'a>,
}

/// `masked` as a key of `map`, made unique with a `~2`, `~3` … suffix: two keys masked alike
/// (`[EMAIL]`) must not overwrite each other's members.
pub fn unique_key(map: &serde_json::Map<String, serde_json::Value>, masked: String) -> String {
    let mut unique = masked.clone();
    let mut n = 2;
    while map.contains_key(&unique) {
        unique = format!("{masked}~{n}");
        n += 1;
    }
    unique
}

/// Renders a concrete path as `$.a.b[2]['odd key']`.
pub fn render(node: Option<&PathNode<'_>>) -> String {
    let mut segs: smallvec::SmallVec<[Seg<'_>; 16]> = smallvec::SmallVec::new();
    let mut cur = node;
    while let Some(n) = cur {
        segs.push(n.seg);
        cur = n.parent;
    }
    let mut out = String::with_capacity(32);
    out.push('$');
    for seg in segs.iter().rev() {
        match seg {
            Seg::Key(k) if is_plain_key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Key(k) => {
                out.push_str("['");
                out.push_str(&k.replace('\\', "\\\\").replace('\'', "\\'"));
                out.push_str("']");
            }
            Seg::Index(i) => {
                let _ = write!(out, "[{i}]");
            }
        }
    }
    out
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k != "*"
        && k != "**"
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b >= 0x80)
}

/// One step of a path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PatSeg {
    /// A key, stored lower-case.
    Key(String),
    /// A specific array index.
    Index(usize),
    /// `*`: any one key or index.
    Any,
    /// `[*]`: any one array index.
    AnyIndex,
    /// `**`: zero or more steps.
    Deep,
}

/// A compiled path pattern from a rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    segs: Vec<PatSeg>,
    text: String,
}

/// Why a path pattern could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad path `{path}`: {reason}")]
pub struct PathError {
    path: String,
    reason: &'static str,
}

impl PathPattern {
    /// Parses a pattern such as `$.payment.cvv`, `**.password` or `items[*].pan`.
    pub fn parse(text: &str) -> Result<PathPattern, PathError> {
        let err = |reason| PathError {
            path: text.to_string(),
            reason,
        };
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(err("the path is empty"));
        }
        if let Some(r) = rest.strip_prefix('$') {
            rest = r.strip_prefix('.').unwrap_or(r);
            if rest.is_empty() {
                return Err(err("`$` alone is the whole document; name a field"));
            }
        }
        let mut segs = Vec::new();
        let mut expect_name = true;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('[') {
                let close = r
                    .find(']')
                    .ok_or_else(|| err("`[` without a closing `]`"))?;
                let inner = &r[..close];
                segs.push(parse_bracket(inner).ok_or_else(|| {
                    err("inside brackets write `*`, an index such as `0`, or a quoted key such as `'a.b'`")
                })?);
                rest = &r[close + 1..];
                expect_name = false;
            } else if let Some(r) = rest.strip_prefix('.') {
                if expect_name {
                    return Err(err("empty step (two dots in a row, or a leading dot)"));
                }
                rest = r;
                expect_name = true;
                if rest.is_empty() {
                    return Err(err("the path ends with a dot"));
                }
            } else {
                if !expect_name {
                    return Err(err("a step after `]` must start with `.` or `[`"));
                }
                let end = rest.find(['.', '[']).unwrap_or(rest.len());
                let name = &rest[..end];
                if name.contains(']') || name.contains(char::is_whitespace) {
                    return Err(err(
                        "keys with spaces or brackets must be quoted: `['my key']`",
                    ));
                }
                segs.push(match name {
                    "**" => PatSeg::Deep,
                    "*" => PatSeg::Any,
                    n if n.contains('*') => {
                        return Err(err(
                            "`*` stands alone as a step; partial wildcards are not supported",
                        ));
                    }
                    n => PatSeg::Key(n.to_ascii_lowercase()),
                });
                rest = &rest[end..];
                expect_name = false;
            }
        }
        if segs.iter().all(|s| *s == PatSeg::Deep) {
            return Err(err("`**` alone would match every field"));
        }
        Ok(PathPattern {
            segs,
            text: text.to_string(),
        })
    }

    /// The literal key the pattern ends with (lower-case), if it ends with one: the bucket the
    /// field index files it under.
    pub fn last_key(&self) -> Option<&str> {
        match self.segs.last() {
            Some(PatSeg::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// True for `**.key`: matching its last key is matching the whole pattern.
    pub fn is_any_depth_key(&self) -> bool {
        matches!(self.segs.as_slice(), [PatSeg::Deep, PatSeg::Key(_)])
    }

    /// The pattern as written in the rule file.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Like [`PathPattern::matches`] for a node whose key is already known to equal this pattern's
    /// last key (the field index found it in that key's bucket): only the rest is compared.
    pub fn matches_given_last_key(&self, node: &PathNode<'_>) -> bool {
        match self.segs.split_last() {
            Some((PatSeg::Key(_), rest)) => match_from_end(rest, node.parent),
            _ => self.matches(Some(node)),
        }
    }

    /// True when the concrete path ending at `node` matches this pattern.
    pub fn matches(&self, node: Option<&PathNode<'_>>) -> bool {
        match_from_end(&self.segs, node)
    }

    /// Matches a concrete path written as a string (`$.a.b[0]`), for rule examples and tests.
    pub fn matches_str(&self, concrete: &str) -> Result<bool, PathError> {
        let concrete = PathPattern::parse(concrete)?;
        let mut segs = Vec::new();
        for s in &concrete.segs {
            segs.push(match s {
                PatSeg::Key(k) => OwnedSeg::Key(k.clone()),
                PatSeg::Index(i) => OwnedSeg::Index(*i),
                _ => {
                    return Err(PathError {
                        path: concrete.text.clone(),
                        reason: "an example path must be concrete (no `*` or `**`)",
                    });
                }
            });
        }
        Ok(with_chain(&segs, None, &|node| self.matches(node)))
    }
}

enum OwnedSeg {
    Key(String),
    Index(usize),
}

fn with_chain(
    segs: &[OwnedSeg],
    parent: Option<&PathNode<'_>>,
    f: &dyn Fn(Option<&PathNode<'_>>) -> bool,
) -> bool {
    match segs.split_first() {
        None => f(parent),
        Some((first, rest)) => {
            let seg = match first {
                OwnedSeg::Key(k) => Seg::Key(k),
                OwnedSeg::Index(i) => Seg::Index(*i),
            };
            let node = PathNode { parent, seg };
            with_chain(rest, Some(&node), f)
        }
    }
}

fn parse_bracket(inner: &str) -> Option<PatSeg> {
    let inner = inner.trim();
    if inner == "*" {
        return Some(PatSeg::AnyIndex);
    }
    if let Ok(i) = inner.parse::<usize>() {
        return Some(PatSeg::Index(i));
    }
    let quoted = inner
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))?;
    Some(PatSeg::Key(quoted.to_ascii_lowercase()))
}

fn seg_matches(p: &PatSeg, s: &Seg<'_>) -> bool {
    match (p, s) {
        (PatSeg::Key(k), Seg::Key(actual)) => k.eq_ignore_ascii_case(actual),
        (PatSeg::Index(i), Seg::Index(actual)) => i == actual,
        (PatSeg::Any, _) | (PatSeg::AnyIndex, Seg::Index(_)) => true,
        _ => false,
    }
}

fn match_from_end(pat: &[PatSeg], node: Option<&PathNode<'_>>) -> bool {
    match pat.split_last() {
        None => node.is_none(),
        Some((PatSeg::Deep, rest)) => {
            let mut cur = node;
            loop {
                if match_from_end(rest, cur) {
                    return true;
                }
                match cur {
                    Some(n) => cur = n.parent,
                    None => return false,
                }
            }
        }
        Some((p, rest)) => match node {
            Some(n) if seg_matches(p, &n.seg) => match_from_end(rest, n.parent),
            _ => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        PathPattern::parse(pattern)
            .unwrap()
            .matches_str(path)
            .unwrap()
    }

    #[test]
    fn matching() {
        assert!(m("**.password", "$.password"));
        assert!(m("**.password", "$.a.b[3].PassWord"));
        assert!(!m("**.password", "$.password.x"));
        assert!(m("$.eventId", "eventId"));
        assert!(!m("eventId", "$.context.eventId"));
        assert!(m("items[*].pan", "$.items[7].pan"));
        assert!(!m("items[*].pan", "$.items.x.pan"));
        assert!(m("items.*.pan", "$.items.x.pan"));
        assert!(m("a.**.z", "$.a.z"));
        assert!(m("a.**.z", "$.a.b.c.z"));
        assert!(m("$['odd.key']", "$['odd.key']"));
        assert!(m("items[0]", "$.items[0]"));
        assert!(!m("items[0]", "$.items[1]"));
    }

    #[test]
    fn errors() {
        for bad in [
            "", "$", "a..b", ".a", "a.", "a[", "a[x]", "**", "pass*", "a]b", "a[0]b", "my key",
        ] {
            assert!(
                PathPattern::parse(bad).is_err(),
                "{bad:?} should be refused"
            );
        }
    }

    #[test]
    fn rendering() {
        let a = PathNode {
            parent: None,
            seg: Seg::Key("context"),
        };
        let b = PathNode {
            parent: Some(&a),
            seg: Seg::Key("odd key"),
        };
        let c = PathNode {
            parent: Some(&b),
            seg: Seg::Index(2),
        };
        assert_eq!(render(Some(&c)), "$.context['odd key'][2]");
        assert_eq!(render(None), "$");
    }
}
