//! The allow-list and field rules, indexed for the walk: each document key is checked against the
//! few path patterns that end with it, not against all of them.

use super::path::{PathNode, PathPattern, Seg};
use super::ruleset::{Matcher, Rule};

/// Who claims a path: the allow-list or a field rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Claim {
    /// Allow-listed: leave the subtree untouched.
    Allow,
    /// Field rule with this index.
    Rule(usize),
}

/// A claim, its pattern, and whether the pattern is `**.key` (the bucket key alone decides).
type KeyedClaim = (Claim, PathPattern, bool);

/// One lower-case key and the claims of the patterns that end with it.
type Bucket = (Box<[u8]>, Vec<KeyedClaim>);

/// Allow-list and field-rule paths, bucketed by the (lower-case) key they end with, so a document
/// key is checked against the few patterns that could match it rather than all of them.
#[derive(Debug, Clone, Default)]
pub(crate) struct FieldIndex {
    /// Patterns by their last key; `true` marks `**.key` patterns, which the key alone decides.
    /// Buckets grouped by key length (index = length; the last slot holds 63 and longer), each a
    /// lower-case key and its patterns: a lookup compares a handful of same-length keys, no hashing.
    by_len: Vec<Vec<Bucket>>,
    /// A 1024-bit filter over (length, first byte, last byte) of the bucket keys: most document
    /// keys are rejected by one bit test, before any lower-casing or hashing.
    filter: [u64; 16],
    others: Vec<(Claim, PathPattern)>,
}

/// `lower` (already lower-case) equals `key` ASCII case-insensitively.
fn lower_eq(lower: &[u8], key: &[u8]) -> bool {
    lower.len() == key.len()
        && lower
            .iter()
            .zip(key)
            .all(|(l, k)| *l == k.to_ascii_lowercase())
}

/// The filter bit of a key: mixes its length and its (lower-cased) first and last bytes.
fn filter_bit(key: &[u8]) -> (usize, u64) {
    let first = key.first().map_or(0, u8::to_ascii_lowercase) as usize;
    let last = key.last().map_or(0, u8::to_ascii_lowercase) as usize;
    let h = (key.len().wrapping_mul(0x9E37) ^ first.wrapping_mul(0x2F1) ^ last.wrapping_mul(0x61))
        & 1023;
    (h >> 6, 1u64 << (h & 63))
}

impl FieldIndex {
    pub(crate) fn build(rules: &[Rule], allow: &[PathPattern]) -> FieldIndex {
        let mut idx = FieldIndex::default();
        let claims =
            allow
                .iter()
                .map(|p| (Claim::Allow, p))
                .chain(rules.iter().enumerate().flat_map(|(i, r)| {
                    let pats: &[PathPattern] = match (&r.matcher, r.enabled) {
                        (Matcher::Fields(p), true) => p,
                        _ => &[],
                    };
                    pats.iter().map(move |p| (Claim::Rule(i), p))
                }));
        for (claim, pat) in claims {
            match pat.last_key() {
                Some(k) => {
                    let (word, bit) = filter_bit(k.as_bytes());
                    idx.filter[word] |= bit;
                    let simple = pat.is_any_depth_key();
                    let slot = k.len().min(63);
                    if idx.by_len.len() <= slot {
                        idx.by_len.resize_with(slot + 1, Vec::new);
                    }
                    let bucket = &mut idx.by_len[slot];
                    match bucket.iter_mut().find(|(key, _)| **key == *k.as_bytes()) {
                        Some((_, list)) => list.push((claim, pat.clone(), simple)),
                        None => {
                            bucket.push((k.as_bytes().into(), vec![(claim, pat.clone(), simple)]))
                        }
                    }
                }
                None => idx.others.push((claim, pat.clone())),
            }
        }
        idx
    }

    /// The highest-priority claim on the path ending at `node` (allow-list first, then rule order).
    pub(crate) fn claim(&self, node: &PathNode<'_>) -> Option<Claim> {
        let mut best: Option<Claim> = None;
        if let Seg::Key(k) = node.seg
            && let (word, bit) = filter_bit(k.as_bytes())
            && self.filter[word] & bit != 0
        {
            let bucket = self
                .by_len
                .get(k.len().min(63))
                .map_or(&[][..], Vec::as_slice);
            let first = k.as_bytes().first().map(u8::to_ascii_lowercase);
            if let Some((_, list)) = bucket
                .iter()
                // Most same-length keys differ in their first byte: compare that before the rest.
                .find(|(key, _)| key.first() == first.as_ref() && lower_eq(key, k.as_bytes()))
            {
                for (c, p, simple) in list {
                    if best.is_none_or(|b| *c < b) && (*simple || p.matches_given_last_key(node)) {
                        best = Some(*c);
                    }
                }
            }
        }
        for (c, p) in &self.others {
            if best.is_none_or(|b| *c < b) && p.matches(Some(node)) {
                best = Some(*c);
            }
        }
        best
    }
}
