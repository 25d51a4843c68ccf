//! What a rule does to a value it found: mask, redact, hash or drop.
//!
//! Actions receive the found text and return its replacement. Nothing here keeps or logs the input.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Parameters of `action = "mask"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskSpec {
    /// Characters shown at the start (0, 6 or 8 — the BIN for cards).
    pub keep_first: usize,
    /// Characters shown at the end.
    pub keep_last: usize,
    /// The hiding character.
    pub mask_char: char,
    /// One hiding character per hidden character instead of a fixed four.
    pub preserve_length: bool,
    /// The value is a card: PCI DSS limits apply on top of the rule's own settings.
    pub card: bool,
}

/// A compiled action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Show only the ends.
    Mask(MaskSpec),
    /// Replace with this placeholder.
    Redact(String),
    /// Replace with a keyed token; `domain` separates kinds of value so an email and a card never
    /// share a token space.
    Hash {
        /// `payment_card`, `email`, … or `rule:<id>` for custom rules.
        domain: String,
    },
    /// Remove the field.
    Drop,
}

impl Action {
    /// The action's name as in rule files.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Mask(_) => "mask",
            Action::Redact(_) => "redact",
            Action::Hash { .. } => "hash",
            Action::Drop => "drop",
        }
    }

    /// The behaviour-relevant parameters, for the ruleset version hash.
    pub fn describe(&self) -> serde_json::Value {
        match self {
            Action::Mask(m) => serde_json::json!({
                "mask": {"keep_first": m.keep_first, "keep_last": m.keep_last,
                         "mask_char": m.mask_char.to_string(), "preserve_length": m.preserve_length}
            }),
            Action::Redact(p) => serde_json::json!({"redact": p}),
            Action::Hash { domain } => serde_json::json!({"hash": domain}),
            Action::Drop => serde_json::json!("drop"),
        }
    }
}

/// Masks `value`. `significant` says whether only letters and digits count (cards, phones, IBANs:
/// `4111 1111 1111 1111` → `****1111`); otherwise every character counts.
pub fn mask(value: &str, spec: &MaskSpec, significant: bool) -> String {
    let mut out = String::new();
    mask_into(value, spec, significant, &mut out);
    out
}

/// [`mask`], appending to `out` (the engine's hot path: no intermediate allocation).
pub fn mask_into(value: &str, spec: &MaskSpec, significant: bool, out: &mut String) {
    let keep = |c: &char| !significant || c.is_alphanumeric();
    let len = value.chars().filter(keep).count();
    let (first, last) = if spec.card {
        card_display(spec, len)
    } else {
        shown_ends(spec.keep_first, spec.keep_last, len)
    };
    let hidden = len - first - last;
    let stars = if spec.preserve_length { hidden } else { 4 };
    out.extend(value.chars().filter(keep).take(first));
    out.extend(std::iter::repeat_n(spec.mask_char, stars));
    out.extend(value.chars().filter(keep).skip(len - last));
}

/// How many characters of a `len`-character card number `spec` may show at the start and the end:
/// PCI DSS allows the first eight digits only for PANs of 16 digits or more (else at most six) and
/// never more than the last four.
pub fn card_display(spec: &MaskSpec, len: usize) -> (usize, usize) {
    let first = if spec.keep_first == 8 && len < 16 {
        6
    } else {
        spec.keep_first
    };
    shown_ends(first, spec.keep_last.min(4), len)
}

/// Never shows everything: when the ends would cover the value, keep at most half, from the end.
fn shown_ends(first: usize, last: usize, len: usize) -> (usize, usize) {
    if first + last >= len {
        (0, last.min(len / 2))
    } else {
        (first, last)
    }
}

/// The secret key for keyed hashes. The key bytes never leave this struct; `Debug` shows only the id.
pub struct HashKey {
    id: String,
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// Minimum key length: 256 bits, as strong as the HMAC-SHA256 output.
pub const MIN_KEY_BYTES: usize = 32;

impl HashKey {
    /// Builds a key from raw bytes.
    pub fn new(id: &str, key: &[u8]) -> Result<HashKey, String> {
        if key.len() < MIN_KEY_BYTES {
            return Err(format!(
                "the hashing key `{id}` is {} bytes; at least {MIN_KEY_BYTES} are required (e.g. 64 hex characters)",
                key.len()
            ));
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).map_err(|e| e.to_string())?;
        Ok(HashKey {
            id: id.to_string(),
            mac,
        })
    }

    /// The key id carried in every token.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The token for `value` in `domain`: `tok_<key id>_<32 hex digits>`, deterministic per key.
    pub fn token(&self, domain: &str, value: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(domain.as_bytes());
        mac.update(&[0x1f]);
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("tok_{}_{}", self.id, hex::encode(&digest[..16]))
    }
}

/// A fixed key for unit tests of the pure engine.
#[cfg(test)]
pub(crate) fn test_keys(id: &str, _env: &str) -> Result<HashKey, String> {
    HashKey::new(id, &[7u8; MIN_KEY_BYTES])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(first: usize, last: usize, card: bool) -> MaskSpec {
        MaskSpec {
            keep_first: first,
            keep_last: last,
            mask_char: '*',
            preserve_length: false,
            card,
        }
    }

    #[test]
    fn card_masks() {
        assert_eq!(
            mask("4111 1111 1111 1111", &spec(0, 4, true), true),
            "****1111"
        );
        assert_eq!(
            mask("4111111111111111", &spec(6, 4, true), true),
            "411111****1111"
        );
        assert_eq!(
            mask("4111111111111111", &spec(8, 4, true), true),
            "41111111****1111"
        );
        // Eight-digit BIN only for 16+ digit PANs.
        assert_eq!(
            mask("378282246310005", &spec(8, 4, true), true),
            "378282****0005"
        );
        let long = MaskSpec {
            preserve_length: true,
            ..spec(6, 4, true)
        };
        assert_eq!(mask("4111111111111111", &long, true), "411111******1111");
    }

    #[test]
    fn never_shows_everything() {
        assert_eq!(mask("1234", &spec(0, 4, false), false), "****34");
        assert_eq!(mask("", &spec(0, 4, false), false), "****");
    }

    #[test]
    fn tokens_are_keyed_and_deterministic() {
        let a = HashKey::new("k1", &[7u8; 32]).unwrap();
        let b = HashKey::new("k2", &[8u8; 32]).unwrap();
        let t = a.token("payment_card", "4111111111111111");
        assert_eq!(t, a.token("payment_card", "4111111111111111"));
        assert!(t.starts_with("tok_k1_") && t.len() == "tok_k1_".len() + 32);
        assert_ne!(t, a.token("email", "4111111111111111"));
        assert_ne!(t[7..], b.token("payment_card", "4111111111111111")[7..]);
        assert!(HashKey::new("short", b"too short").is_err());
        assert!(!format!("{a:?}").contains("7, 7"));
    }
}
