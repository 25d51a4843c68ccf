//! The rule file format, exactly as a compliance editor writes it.
//!
//! These types are the single source of truth for `masking-rules/*.toml`: the README and the shipped
//! rule files document them, and [`super::Ruleset::load`] turns them into a compiled ruleset. Every
//! field keeps its position in the file so that a problem can be reported as `file:line`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::detectors::Builtin;

/// One rule file: an optional allow-list, an optional hashing key declaration and any number of rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Paths never touched by any rule (`[allow] paths = [...]`).
    #[serde(default)]
    pub allow: Option<AllowSection>,
    /// The keyed-hash key that `action = "hash"` uses (`[hashing]`).
    #[serde(default)]
    pub hashing: Option<Spanned<HashingSection>>,
    /// The rules, in priority order (`[[rule]]`).
    #[serde(default, rename = "rule")]
    pub rules: Vec<Spanned<RuleSpec>>,
    /// Context words added to or removed from the built-in lists, by kind (`[words.phone]`).
    #[serde(default)]
    pub words: BTreeMap<Spanned<String>, WordsTable>,
}

/// `[words.<kind>]`: lists of context words to add, named like the built-in file's lists (a
/// language code, with the kind's suffix where it gives one: `es = ["wasap*"]`,
/// `en_label = ["cust name"]`), and `remove = [...]`: built-in words this team does not want.
/// `rules words KIND` prints the built-in lists and what their names mean.
pub type WordsTable = BTreeMap<Spanned<String>, Vec<Spanned<String>>>;

/// `[allow]`: JSON paths that no rule may change, such as `eventId` and `conversationId`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowSection {
    /// Path patterns, anchored at the document root.
    pub paths: Vec<Spanned<String>>,
}

/// `[hashing]`: which secret key keyed hashes use, and the id that tokens carry so keys can rotate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashingSection {
    /// A short name for the key, written into every token (`tok_<key_id>_…`).
    pub key_id: Spanned<String>,
    /// The environment variable that holds the key (at least 32 bytes); never the key itself.
    pub key_env: Spanned<String>,
}

/// What a rule does to what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionName {
    /// Keep the last N (and for cards optionally the first 6 or 8) characters, hide the rest.
    Mask,
    /// Replace with a placeholder such as `[EMAIL]`.
    Redact,
    /// Replace with a keyed HMAC-SHA256 token, the same for the same value.
    Hash,
    /// Remove the field that holds it.
    Drop,
}

impl ActionName {
    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            ActionName::Mask => "mask",
            ActionName::Redact => "redact",
            ActionName::Hash => "hash",
            ActionName::Drop => "drop",
        }
    }
}

/// Which capture group of a custom pattern is the sensitive part (`group = 1` or `group = "value"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum GroupRef {
    /// By position, 1 being the first group.
    Index(usize),
    /// By name, for `(?P<name>…)`.
    Name(String),
}

/// `[[rule]]`: what to find (a detector, a pattern or fields) and what to do with it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique id, reported in findings and the audit log.
    pub id: Spanned<String>,
    /// Free text for the people who maintain the rule.
    #[serde(default)]
    pub description: Option<String>,
    /// `false` keeps a rule in the file (checked, but not applied and its examples not run).
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// A built-in detector by name.
    #[serde(default)]
    pub detector: Option<Spanned<Builtin>>,
    /// A custom regular expression (Rust regex syntax, always linear-time).
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    /// With `pattern`: only this capture group is masked.
    #[serde(default)]
    pub group: Option<Spanned<GroupRef>>,
    /// JSON path patterns whose whole value the action applies to, whatever it is.
    #[serde(default)]
    pub fields: Option<Vec<Spanned<String>>>,
    /// `mask`, `redact`, `hash` or `drop`.
    pub action: Spanned<ActionName>,
    /// `mask`: characters kept at the end (default 4).
    #[serde(default)]
    pub keep_last: Option<Spanned<usize>>,
    /// `mask`: characters kept at the start; for cards only 0, 6 or 8 (the BIN), as PCI DSS allows.
    #[serde(default)]
    pub keep_first: Option<Spanned<usize>>,
    /// `mask`: the character that hides the rest (default `*`).
    #[serde(default)]
    pub mask_char: Option<Spanned<char>>,
    /// `mask`: hide each character one for one instead of with a fixed `****`.
    #[serde(default)]
    pub preserve_length: Option<Spanned<bool>>,
    /// `redact`: the replacement text (default from the detector, e.g. `[EMAIL]`, else `[REDACTED]`).
    #[serde(default)]
    pub placeholder: Option<Spanned<String>>,
    /// Examples that `rules test` checks.
    #[serde(default)]
    pub examples: Examples,
}

/// `[rule.examples]`: texts (or, for field rules, JSON paths) the rule must and must not match.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Each must be matched by the rule.
    #[serde(default)]
    pub matches: Vec<String>,
    /// None may be matched by the rule.
    #[serde(default)]
    pub ignores: Vec<String>,
}

fn default_true() -> bool {
    true
}
