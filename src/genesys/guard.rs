//! The egress guard: the last check before a body leaves the process. Whatever the rules said, a
//! body holding something the card detector recognises (a Luhn-valid PAN with a real issuer prefix,
//! plain or grouped) is not sent. It reports *where* (a JSON path or attribute key), never what.

use serde_json::Value;

use crate::masking::detectors::contains_card;

/// The path of the first value (or key) in `body` that looks like an unmasked card number.
pub fn find_unmasked_card(body: &Value) -> Option<String> {
    fn walk(v: &Value, path: &mut String) -> Option<String> {
        match v {
            Value::String(s) => contains_card(s).then(|| path.clone()),
            Value::Number(n) => contains_card(n.as_str()).then(|| path.clone()),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            Value::Object(map) => map.iter().find_map(|(k, item)| {
                if contains_card(k) {
                    return Some(format!("{path} (a key)"));
                }
                let len = path.len();
                // The path is logged: only plain identifier keys are written out; anything else
                // (which might itself be personal data the rules missed) shows as ['…'].
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
                let found = walk(item, path);
                path.truncate(len);
                found
            }),
            Value::Bool(_) | Value::Null => None,
        }
    }
    walk(body, &mut String::from("$"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn finds_cards_anywhere_and_names_only_the_path() {
        assert_eq!(
            find_unmasked_card(&json!({"a": {"b": ["x", "pan 4111 1111 1111 1111"]}})).as_deref(),
            Some("$.a.b[1]")
        );
        let n: Value = serde_json::from_str(r#"{"n": 5555555555554444}"#).unwrap();
        assert_eq!(find_unmasked_card(&n).as_deref(), Some("$.n"));
        assert_eq!(
            find_unmasked_card(&json!({"4111111111111111": 1})).as_deref(),
            Some("$ (a key)")
        );
        assert_eq!(
            find_unmasked_card(&json!({"masked": "****1111", "order": "4111111111111112"})),
            None
        );
    }
}
