//! Cards split over the structure of a document: the elements of one array
//! (`["4111","1111","1111","1111"]`, four numbers, sixteen one-digit strings) or sibling fields
//! named like the parts of a number (`card1`…`card4`, `pan_part1`…, `first6`/`middle`/`last4`).
//!
//! The engine masks what these find with the card rule's action; the egress check looks for the
//! same shapes, independently of the rules.

use std::ops::Range;

use serde_json::Value;

use super::canon::{self, View};
use super::detectors::{FieldContext, card_key_tokens, find_in_parts, integer_digits};

/// The digits of a value that can be one part of a split card: a string that reads (in the
/// canonical view) as digits only, or an integer, of at most `max` digits.
pub fn part_digits(v: &Value, max: usize) -> Option<String> {
    let only_digits =
        |s: &str| !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    match v {
        // Most values are not digit strings: rule them out before building anything.
        Value::String(s) if s.len() > 8 * max + 8 => None,
        Value::String(s) if canon::needs_view(s) => {
            if s.chars().any(char::is_alphabetic) {
                return None;
            }
            let view = View::of(s);
            let t = view.text().trim();
            only_digits(t).then(|| t.to_string())
        }
        Value::String(s) => {
            let t = s.trim();
            only_digits(t).then(|| t.to_string())
        }
        Value::Number(n) => {
            let d = integer_digits(n.as_str()).unwrap_or_else(|| n.as_str().to_string());
            only_digits(&d).then_some(d)
        }
        _ => None,
    }
}

/// A cheap test, without allocating, that `v` may be a part of a split card of at most `max` digits
/// (a superset of [`part_digits`]).
pub fn may_be_part(v: &Value, max: usize) -> bool {
    match v {
        // Most strings start with a letter: no part of a number.
        Value::String(s) if s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) => false,
        Value::String(s) => {
            let t = s.trim();
            !t.is_empty()
                && t.len() <= 8 * max
                && (if t.is_ascii() {
                    t.len() <= max && t.bytes().all(|b| b.is_ascii_digit())
                } else {
                    !t.chars().any(char::is_alphabetic)
                })
        }
        Value::Number(n) => {
            let t = n.as_str();
            t.bytes().all(|b| b.is_ascii_digit()) && t.len() <= max
                || t.bytes().any(|b| matches!(b, b'e' | b'E'))
        }
        _ => false,
    }
}

/// Words that name a part of a card number in a field name, with their order in the number.
const PART_WORDS: &[(&str, u32)] = &[
    ("first", 0),
    ("bin", 0),
    ("iin", 0),
    ("start", 0),
    ("middle", 1),
    ("mid", 1),
    ("last", 2),
    ("end", 2),
    ("part", 1),
    ("group", 1),
    ("block", 1),
    ("segment", 1),
    ("chunk", 1),
    ("digits", 1),
];

/// A card found split over parts: where the parts are (an index range, or keys in the number's
/// order) and each part's digits.
pub type SplitCard<At> = (At, Vec<String>);

/// One member of a sibling group: its order in the number, its position in the object, its key
/// and its digits.
type Member = ((u32, u64), usize, String, String);

/// Sibling keys sharing a base name: the base, its members, and a card-named key among them.
type SiblingGroup = (String, Vec<Member>, Option<String>);

/// Groups of sibling keys whose short digit values may be the parts of one card, each as (keys,
/// digits) in the order of the number (part words, then trailing numbers, then object order), with
/// a card-named key of the group if there is one. `eligible` says whether a key may take part (not
/// allow-listed or claimed by a field rule).
fn split_card_groups(
    map: &serde_json::Map<String, Value>,
    eligible: impl Fn(&str) -> bool,
) -> Vec<(Vec<String>, Vec<String>, Option<String>)> {
    let mut groups: Vec<SiblingGroup> = Vec::new();
    // Most objects have at most one short digit value: nothing to group, nothing to tokenise.
    if map.values().filter(|v| may_be_part(v, 8)).nth(1).is_none() {
        return Vec::new();
    }
    for (pos, (key, value)) in map.iter().enumerate() {
        if !may_be_part(value, 8) || !eligible(key) {
            continue;
        }
        let Some(digits) = part_digits(value, 8) else {
            continue;
        };
        let tokens: Vec<String> = card_key_tokens(key).collect();
        let mut base = String::new();
        let mut rank = None;
        let mut number = None;
        for t in &tokens {
            if let Ok(n) = t.parse::<u64>() {
                number = Some(n);
            } else if let Some((_, r)) = PART_WORDS.iter().find(|(w, _)| w == t) {
                rank = Some(*r);
            } else {
                base.push_str(t);
            }
        }
        // Parts need an order: a part word or a number in the name.
        if rank.is_none() && number.is_none() {
            continue;
        }
        let card = FieldContext::of_key_cached(key).card;
        let order = (rank.unwrap_or(1), number.unwrap_or(0));
        match groups.iter_mut().find(|(b, _, _)| *b == base) {
            Some((_, members, card_key)) => {
                members.push((order, pos, key.clone(), digits));
                if card && card_key.is_none() {
                    *card_key = Some(key.clone());
                }
            }
            None => groups.push((
                base,
                vec![(order, pos, key.clone(), digits)],
                card.then(|| key.clone()),
            )),
        }
    }
    groups
        .into_iter()
        .filter(|(_, members, _)| members.len() >= 2)
        .map(|(_, mut members, card_key)| {
            members.sort_by_key(|(order, pos, _, _)| (*order, *pos));
            let (keys, digits) = members.into_iter().map(|(_, _, k, d)| (k, d)).unzip();
            (keys, digits, card_key)
        })
        .collect()
}

/// Cards split over consecutive elements of `items` (each range two or more elements), with the
/// parts' digits; `eligible` says whether element `i` may take part, `key` names the array.
pub fn split_cards_in_array(
    items: &[Value],
    key: Option<&str>,
    eligible: impl Fn(usize) -> bool,
) -> Vec<SplitCard<Range<usize>>> {
    let digits: Vec<Option<String>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if may_be_part(v, 19) {
                part_digits(v, 19).filter(|_| eligible(i))
            } else {
                None
            }
        })
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if digits[i].is_none() {
            i += 1;
            continue;
        }
        let start = i;
        while i < items.len() && digits[i].is_some() {
            i += 1;
        }
        if i - start < 2 {
            continue;
        }
        let parts: Vec<&str> = digits[start..i]
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        found.extend(find_in_parts(&parts, key).into_iter().map(|r| {
            let digits = parts[r.clone()].iter().map(|p| p.to_string()).collect();
            (start + r.start..start + r.end, digits)
        }));
    }
    found
}

/// Cards split over sibling fields of `map`: their keys in the number's order, with the parts'
/// digits.
pub fn split_cards_in_object(
    map: &serde_json::Map<String, Value>,
    key: Option<&str>,
    eligible: impl Fn(&str) -> bool,
) -> Vec<SplitCard<Vec<String>>> {
    let mut found = Vec::new();
    for (keys, digits, card_key) in split_card_groups(map, eligible) {
        let refs: Vec<&str> = digits.iter().map(String::as_str).collect();
        for r in find_in_parts(&refs, card_key.as_deref().or(key)) {
            found.push((keys[r.clone()].to_vec(), digits[r].to_vec()));
        }
    }
    found
}
