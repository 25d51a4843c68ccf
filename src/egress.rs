//! The egress check: the last look at data before it crosses a boundary — a Genesys request body, a
//! dead letter, the `mask` command's output, the demo's leak report.
//!
//! It does not trust the rules that produced its input: an allow-list entry, a disabled rule or a
//! field rule that shows too much must still not let a card number out. So it re-scans everything
//! with the card detector on the canonical view (Unicode digits, invisible characters and
//! encodings read as a person reads them): every string, every number (in any notation), every
//! object key, and cards split over array elements or sibling fields. It never reports a value,
//! only where it was: a JSON path whose odd keys (which might themselves be personal data) show as
//! `['…']`.
//!
//! What the masker emits never trips it (the masker runs the same detector), so a hit always means
//! the rules let something through. At the worker's boundaries a hit blocks; for `mask`, the value
//! is masked here with the card rule's action and reported.

use std::ops::Range;

use serde_json::{Map, Value};

use crate::masking::Ruleset;
use crate::masking::detectors::{card_spans, contains_card, integer_digits};
use crate::masking::path::unique_key;
use crate::masking::split::{split_cards_in_array, split_cards_in_object};

/// The path of the first place in `doc` that holds a card number, if any.
pub fn find_card(doc: &Value) -> Option<String> {
    let mut path = String::from("$");
    find_in(doc, None, &mut path)
}

/// Like [`find_card`] for the members of an object (a context map before it is wrapped in a body).
pub fn find_card_in_map(map: &Map<String, Value>) -> Option<String> {
    let mut path = String::from("$");
    find_in_object(map, None, &mut path)
}

/// True when a payload (JSON or not) holds a card number anywhere, its keys and structure included.
pub fn bytes_have_card(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(doc) => find_card(&doc).is_some(),
        Err(_) => contains_card(&String::from_utf8_lossy(bytes)),
    }
}

/// Replaces every card number left in `doc` — in values, numbers, keys and split structures —
/// with `replace(found)`; returns the paths where it did.
pub fn scrub(doc: &mut Value, replace: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut hits = Vec::new();
    let mut path = String::from("$");
    scrub_in(doc, None, &mut path, replace, &mut hits);
    hits
}

/// Replaces every card number in `text` with `replace(found)`; `None` when there was none.
pub fn scrub_text(text: &str, replace: &dyn Fn(&str) -> String) -> Option<String> {
    replace_spans(text, &card_spans(text, None), replace)
}

/// Replaces cards with the ruleset's card action (`****1111` by default), for [`scrub`].
pub fn card_replacement(rules: &Ruleset) -> impl Fn(&str) -> String + '_ {
    move |found| rules.mask_card(found)
}

fn number_has_card(n: &serde_json::Number, key: Option<&str>) -> Option<String> {
    if !card_spans(n.as_str(), key).is_empty() {
        return Some(n.as_str().to_string());
    }
    integer_digits(n.as_str()).filter(|d| !card_spans(d, key).is_empty())
}

/// Appends a member's key to a path that will be logged: plain identifier keys as written,
/// anything else as `['…']`.
fn push_key(path: &mut String, k: &str) {
    if !k.is_empty()
        && k.len() <= 64
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        path.push('.');
        path.push_str(k);
    } else {
        path.push_str("['…']");
    }
}

fn find_in(v: &Value, key: Option<&str>, path: &mut String) -> Option<String> {
    match v {
        Value::String(s) => (!card_spans(s, key).is_empty()).then(|| path.clone()),
        Value::Number(n) => number_has_card(n, key).map(|_| path.clone()),
        Value::Array(items) => {
            if let Some((r, _)) = split_cards_in_array(items, key, |_| true).first() {
                return Some(format!("{path}[{}..{}] (split)", r.start, r.end));
            }
            items.iter().enumerate().find_map(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = find_in(item, key, path);
                path.truncate(len);
                found
            })
        }
        Value::Object(map) => find_in_object(map, key, path),
        Value::Bool(_) | Value::Null => None,
    }
}

fn find_in_object(
    map: &Map<String, Value>,
    key: Option<&str>,
    path: &mut String,
) -> Option<String> {
    if !split_cards_in_object(map, key, |_| true).is_empty() {
        return Some(format!("{path} (split over fields)"));
    }
    map.iter().find_map(|(k, item)| {
        if !card_spans(k, key).is_empty() {
            return Some(format!("{path} (a key)"));
        }
        let len = path.len();
        push_key(path, k);
        let found = find_in(item, Some(k), path);
        path.truncate(len);
        found
    })
}

fn replace_spans(
    text: &str,
    spans: &[Range<usize>],
    replace: &dyn Fn(&str) -> String,
) -> Option<String> {
    if spans.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for r in spans {
        if r.start < pos {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&replace(&text[r.clone()]));
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    Some(out)
}

/// Every digit of a split part hidden: the parts of one card are never shown.
fn hide(part: &Value) -> Value {
    let len = match part {
        Value::String(s) => s.chars().count(),
        other => other.to_string().len(),
    };
    Value::String("*".repeat(len.max(1)))
}

fn scrub_in(
    v: &mut Value,
    key: Option<&str>,
    path: &mut String,
    replace: &dyn Fn(&str) -> String,
    hits: &mut Vec<String>,
) {
    match v {
        Value::String(s) => {
            if let Some(new) = replace_spans(s, &card_spans(s, key), replace) {
                *s = new;
                hits.push(path.clone());
            }
        }
        Value::Number(n) => {
            if let Some(digits) = number_has_card(n, key) {
                *v = Value::String(replace(&digits));
                hits.push(path.clone());
            }
        }
        Value::Array(items) => {
            for (r, _) in split_cards_in_array(items, key, |_| true) {
                hits.push(format!("{path}[{}..{}] (split)", r.start, r.end));
                for item in &mut items[r] {
                    *item = hide(item);
                }
            }
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                scrub_in(item, key, path, replace, hits);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (keys, _) in split_cards_in_object(map, key, |_| true) {
                hits.push(format!("{path} (split over fields)"));
                for k in keys {
                    if let Some(item) = map.get_mut(&k) {
                        *item = hide(item);
                    }
                }
            }
            if map.keys().any(|k| !card_spans(k, key).is_empty()) {
                let old = std::mem::take(map);
                for (k, item) in old {
                    let new_key = match replace_spans(&k, &card_spans(&k, key), replace) {
                        Some(masked) => {
                            hits.push(format!("{path} (a key)"));
                            unique_key(map, masked)
                        }
                        None => k,
                    };
                    map.insert(new_key, item);
                }
            }
            for (k, item) in map.iter_mut() {
                let len = path.len();
                push_key(path, k);
                scrub_in(item, Some(k), path, replace, hits);
                path.truncate(len);
            }
        }
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn stars(found: &str) -> String {
        let digits: Vec<char> = found.chars().filter(char::is_ascii_digit).collect();
        format!(
            "****{}",
            digits[digits.len().saturating_sub(4)..]
                .iter()
                .collect::<String>()
        )
    }

    #[test]
    fn finds_cards_anywhere_and_names_only_the_path() {
        assert_eq!(
            find_card(&json!({"a": {"b": ["x", "pan 4111 1111 1111 1111"]}})).as_deref(),
            Some("$.a.b[1]")
        );
        let n: Value = serde_json::from_str(r#"{"n": 5555555555554444}"#).unwrap();
        assert_eq!(find_card(&n).as_deref(), Some("$.n"));
        let n: Value = serde_json::from_str(r#"{"n": 44174818672573710e-1}"#).unwrap();
        assert_eq!(find_card(&n).as_deref(), Some("$.n"), "exponent notation");
        assert_eq!(
            find_card(&json!({"4111111111111111": 1})).as_deref(),
            Some("$ (a key)")
        );
        assert_eq!(
            find_card(&json!({"４１１１ １１１１ １１１１ １１１１": 1})).as_deref(),
            Some("$ (a key)")
        );
        assert_eq!(
            find_card(&json!({"p": ["4111", "1111", "1111", "1111"]})).as_deref(),
            Some("$.p[0..4] (split)")
        );
        assert_eq!(
            find_card(
                &json!({"c": {"card1": "4111", "card2": "1111", "card3": "1111", "card4": "1111"}})
            )
            .as_deref(),
            Some("$.c (split over fields)")
        );
        assert_eq!(
            find_card(&json!({"odd key": "4111\u{200b}1111\u{200b}1111\u{200b}1111"})).as_deref(),
            Some("$['…']")
        );
        assert_eq!(
            find_card(
                &json!({"masked": "****1111", "order": "4111111111111112", "split": ["****", "1111"]})
            ),
            None
        );
    }

    #[test]
    fn scrub_replaces_values_keys_numbers_and_splits() {
        let mut doc: Value = serde_json::from_str(
            r#"{"m": "card 4111-1111-1111-1111 ok", "n": 5555555555554444, "k": {"4111111111111111": true},
               "a": ["4111", "1111", "1111", "1111"], "keep": "order 12"}"#,
        )
        .unwrap();
        let hits = scrub(&mut doc, &stars);
        assert_eq!(
            doc,
            json!({"m": "card ****1111 ok", "n": "****4444", "k": {"****1111": true},
                   "a": ["****", "****", "****", "****"], "keep": "order 12"})
        );
        assert_eq!(hits.len(), 4, "{hits:?}");
        assert!(find_card(&doc).is_none());
        assert_eq!(
            scrub_text("pay 4111111111111111 now", &stars).as_deref(),
            Some("pay ****1111 now")
        );
        assert_eq!(scrub_text("nothing 1234", &stars), None);
    }
}
