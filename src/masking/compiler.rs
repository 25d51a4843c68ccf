//! Compiling rule files into a [`Ruleset`](super::Ruleset): parsing, validation and the version
//! hash.
//!
//! Every problem in every file is collected (not just the first), each with its file, line and rule
//! id, so one `rules check` run shows the editor everything to fix. A ruleset either compiles
//! completely or not at all: there is no half-loaded state for the worker to mask with. The
//! version hash covers exactly what can change behaviour (not comments, descriptions, examples or
//! layout).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::RegexBuilder;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::action::{Action, MaskSpec};
use super::detectors::{Builtin, FieldContext, Lexicon, Lists, WordKind};
use super::path::PathPattern;
use super::problems::{LoadError, Location, RuleProblem, did_you_mean};
use super::rulefile::{ActionName, GroupRef, RuleFile, RuleSpec, WordsTable};
use super::ruleset::{KeySource, Matcher, REGEX_SIZE_LIMIT, Rule, Ruleset};

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    line_of_offset_bytes(text.as_bytes(), offset)
}

pub(crate) fn line_of_offset_bytes(bytes: &[u8], offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count()
}

/// Accumulates rules and problems across files.
#[derive(Default)]
pub(super) struct Compiler {
    rules: Vec<Rule>,
    allow: Vec<PathPattern>,
    hashing: Option<(Location, String, String)>,
    problems: Vec<RuleProblem>,
    first_use_of_hash: Option<(Location, String)>,
    normalized: Vec<serde_json::Value>,
    ids: HashMap<String, Location>,
    first_file: Option<PathBuf>,
    /// The lists of every kind of context words a `[words]` table changed, and the words added.
    words: BTreeMap<WordKind, (Lists, Vec<String>)>,
}

impl Compiler {
    fn problem(
        &mut self,
        file: &Path,
        text: &str,
        span: Range<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) {
        self.problems.push(RuleProblem {
            at: Location {
                file: file.to_path_buf(),
                line: line_of(text, span.start),
            },
            rule: rule.map(str::to_string),
            message: message.into(),
        });
    }

    pub(super) fn file(&mut self, file: &Path, text: &str) {
        if self.first_file.is_none() {
            self.first_file = Some(file.to_path_buf());
        }
        let parsed: RuleFile = match toml::from_str(text) {
            Ok(p) => p,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_string();
                self.problem(file, text, span, None, message);
                return;
            }
        };
        if let Some(allow) = parsed.allow {
            for p in allow.paths {
                match PathPattern::parse(p.get_ref()) {
                    Ok(pat) => {
                        self.normalized
                            .push(serde_json::json!({"allow": pat.as_str()}));
                        self.allow.push(pat);
                    }
                    Err(e) => self.problem(file, text, p.span(), None, format!("[allow] {e}")),
                }
            }
        }
        if let Some(h) = parsed.hashing {
            let at = Location {
                file: file.to_path_buf(),
                line: line_of(text, h.span().start),
            };
            let h = h.into_inner();
            if let Some((first, _, _)) = &self.hashing {
                let msg = format!("a second [hashing] section (the first is at {first}); keep one");
                self.problem(file, text, h.key_id.span(), None, msg);
            } else {
                let id = h.key_id.get_ref();
                if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                    self.problem(file, text, h.key_id.span(), None,
                        "[hashing] key_id must be letters, digits and dashes (it is written into every token)");
                }
                let env = h.key_env.get_ref();
                if env.is_empty() || !env.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                    self.problem(file, text, h.key_env.span(), None,
                        "[hashing] key_env must name an environment variable (letters, digits, `_`), not hold a key");
                }
                self.normalized.push(serde_json::json!({"hashing": id}));
                self.hashing = Some((at, id.clone(), env.clone()));
            }
        }
        for rule in parsed.rules {
            self.rule(file, text, rule);
        }
        for (kind, table) in parsed.words {
            self.words_table(file, text, kind, table);
        }
    }

    /// Applies one `[words.<kind>]` table: its lists are added to the kind's, its `remove` words
    /// taken out of them. Every word, list name and kind is checked, with a suggestion for typos.
    fn words_table(&mut self, file: &Path, text: &str, kind: Spanned<String>, table: WordsTable) {
        let Some(k) = WordKind::parse(kind.get_ref()) else {
            let names = WordKind::ALL.map(WordKind::name);
            let msg = format!(
                "[words.{}]: no such kind of context words{}; the kinds are: {}",
                kind.get_ref(),
                did_you_mean(kind.get_ref(), names),
                names.join(", ")
            );
            return self.problem(file, text, kind.span(), None, msg);
        };
        let suffixes = k.suffixes();
        let mut problems = Vec::new();
        let (lists, added) = self
            .words
            .entry(k)
            .or_insert_with(|| (k.builtin_lists(), Vec::new()));
        for (list, entries) in table {
            let name = list.get_ref().as_str();
            if name == "remove" {
                let mut removed = Vec::new();
                for w in entries {
                    let core = w.get_ref().trim_matches('*').to_lowercase();
                    let before: usize = lists.values().map(Vec::len).sum();
                    for l in lists.values_mut() {
                        l.retain(|x| x.trim_matches('*').to_lowercase() != core);
                    }
                    if lists.values().map(Vec::len).sum::<usize>() == before {
                        let known = lists.values().flatten().map(String::as_str);
                        let msg = format!(
                            "[words.{}] remove: {:?} is not one of its words{}",
                            k.name(),
                            w.get_ref(),
                            did_you_mean(&core, known)
                        );
                        problems.push((w.span(), msg));
                    }
                    removed.push(core);
                }
                self.normalized
                    .push(serde_json::json!({"words": k.name(), "remove": removed}));
                continue;
            }
            if let Err(msg) = check_list_name(k, name, &suffixes) {
                problems.push((list.span(), msg));
                continue;
            }
            let mut kept = Vec::new();
            for w in entries {
                if let Err(msg) = check_word(w.get_ref()) {
                    let msg = format!("[words.{}] {name}: {:?} {msg}", k.name(), w.get_ref());
                    problems.push((w.span(), msg));
                    continue;
                }
                let into = lists.entry(name.to_string()).or_default();
                if !into.contains(w.get_ref()) {
                    into.push(w.get_ref().clone());
                    added.push(w.get_ref().clone());
                }
                kept.push(w.into_inner());
            }
            self.normalized
                .push(serde_json::json!({"words": k.name(), "list": name, "add": kept}));
        }
        for (span, msg) in problems {
            self.problem(file, text, span, None, msg);
        }
    }

    fn rule(&mut self, file: &Path, text: &str, spanned: Spanned<RuleSpec>) {
        let start = spanned.span();
        let spec = spanned.into_inner();
        let id = spec.id.get_ref().clone();
        let at = Location {
            file: file.to_path_buf(),
            line: line_of(text, start.start),
        };
        let before = self.problems.len();
        let bad = |c: &mut Compiler, span: Range<usize>, msg: String| {
            c.problem(file, text, span, Some(&id), msg)
        };

        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            bad(
                self,
                spec.id.span(),
                "the id must be letters, digits, `-`, `_` or `.`".into(),
            );
        }
        if let Some(first) = self.ids.get(&id) {
            let msg = format!("duplicate id (first defined at {first})");
            bad(self, spec.id.span(), msg);
        } else {
            self.ids.insert(id.clone(), at.clone());
        }

        let kinds = [
            spec.detector.is_some(),
            spec.pattern.is_some(),
            spec.fields.is_some(),
        ];
        let matcher = match kinds {
            [true, false, false] => spec
                .detector
                .as_ref()
                .map(|d| Matcher::Builtin(*d.get_ref())),
            [false, true, false] => spec
                .pattern
                .as_ref()
                .and_then(|p| self.pattern(file, text, &id, p, spec.group.as_ref())),
            [false, false, true] => {
                let mut pats = Vec::new();
                for f in spec.fields.iter().flatten() {
                    match PathPattern::parse(f.get_ref()) {
                        Ok(p) => pats.push(p),
                        Err(e) => bad(self, f.span(), e.to_string()),
                    }
                }
                if pats.is_empty() && self.problems.len() == before {
                    bad(self, spec.id.span(), "`fields` is empty".into());
                }
                Some(Matcher::Fields(pats))
            }
            [false, false, false] => {
                bad(
                    self,
                    spec.id.span(),
                    "missing key: say what the rule finds with `detector`, `pattern` or `fields`"
                        .into(),
                );
                None
            }
            _ => {
                bad(
                    self,
                    spec.id.span(),
                    "give exactly one of `detector`, `pattern` or `fields`".into(),
                );
                None
            }
        };
        if spec.group.is_some()
            && spec.pattern.is_none()
            && let Some(g) = &spec.group
        {
            bad(
                self,
                g.span(),
                "`group` only applies to `pattern` rules".into(),
            );
        }

        let action = self.action(file, text, &id, &spec, matcher.as_ref());
        if let (Some(ex), Some(Matcher::Fields(_))) = (Some(&spec.examples), matcher.as_ref()) {
            for p in ex.matches.iter().chain(&ex.ignores) {
                if let Err(e) = PathPattern::parse(p) {
                    bad(self, spec.id.span(), format!("example: {e}"));
                }
            }
        }
        if spec.enabled
            && spec.action.get_ref() == &ActionName::Hash
            && self.first_use_of_hash.is_none()
        {
            self.first_use_of_hash = Some((at.clone(), id.clone()));
        }
        if self.problems.len() != before {
            return;
        }
        let (Some(matcher), Some(action)) = (matcher, action) else {
            return;
        };
        self.normalized
            .push(normalize(&id, spec.enabled, &matcher, &action));
        self.rules.push(Rule {
            id: id.into(),
            at,
            enabled: spec.enabled,
            matcher,
            action,
            examples: spec.examples,
        });
    }

    fn pattern(
        &mut self,
        file: &Path,
        text: &str,
        id: &str,
        p: &Spanned<String>,
        group: Option<&Spanned<GroupRef>>,
    ) -> Option<Matcher> {
        let regex = match RegexBuilder::new(p.get_ref())
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
        {
            Ok(r) => r,
            Err(regex::Error::CompiledTooBig(limit)) => {
                let msg = format!(
                    "pattern is too large once compiled (limit {limit} bytes); split it or simplify repetitions such as {{1000}}"
                );
                self.problem(file, text, p.span(), Some(id), msg);
                return None;
            }
            Err(e) => {
                let msg = format!(
                    "invalid regex: {}",
                    e.to_string()
                        .lines()
                        .last()
                        .unwrap_or("syntax error")
                        .trim()
                );
                self.problem(
                    file,
                    text,
                    p.span(),
                    Some(id),
                    format!("{msg}\n    {}", e.to_string().replace('\n', "\n    ")),
                );
                return None;
            }
        };
        if regex.is_match("") {
            self.problem(
                file,
                text,
                p.span(),
                Some(id),
                "pattern matches the empty string, so it would match everywhere",
            );
            return None;
        }
        let group = match group.map(|g| (g.get_ref(), g.span())) {
            None => 0,
            Some((GroupRef::Index(i), span)) => {
                if *i == 0 || *i >= regex.captures_len() {
                    let msg = format!(
                        "group {i} does not exist; the pattern has {} capture group(s)",
                        regex.captures_len() - 1
                    );
                    self.problem(file, text, span, Some(id), msg);
                    return None;
                }
                *i
            }
            Some((GroupRef::Name(n), span)) => {
                match regex.capture_names().position(|c| c == Some(n.as_str())) {
                    Some(i) => i,
                    None => {
                        self.problem(
                            file,
                            text,
                            span,
                            Some(id),
                            format!("the pattern has no group named `{n}`"),
                        );
                        return None;
                    }
                }
            }
        };
        Some(Matcher::Pattern { regex, group })
    }

    fn action(
        &mut self,
        file: &Path,
        text: &str,
        id: &str,
        spec: &RuleSpec,
        matcher: Option<&Matcher>,
    ) -> Option<Action> {
        let name = *spec.action.get_ref();
        let builtin = match matcher {
            Some(Matcher::Builtin(b)) => Some(*b),
            _ => None,
        };
        let field_keys: Vec<&str> = match matcher {
            Some(Matcher::Fields(pats)) => pats.iter().filter_map(PathPattern::last_key).collect(),
            _ => Vec::new(),
        };
        // A card-named field (`**.pan`, `**.cardNumber`) holds a PAN: the same display limits.
        let is_card = builtin == Some(Builtin::PaymentCard)
            || field_keys
                .iter()
                .any(|k| FieldContext::of_key(k).card && !is_sad_key(k));
        let sad = builtin.is_some_and(Builtin::is_sensitive_auth_data)
            || field_keys.iter().any(|k| is_sad_key(k));
        let mut ok = true;
        let mut refuse = |c: &mut Compiler, span: Range<usize>, msg: String| {
            ok = false;
            c.problem(file, text, span, Some(id), msg);
        };
        if sad && matches!(name, ActionName::Mask | ActionName::Hash) {
            refuse(
                self,
                spec.action.span(),
                format!(
                    "action = \"{}\" on a CVV, PIN or track-data field would keep part of it visible or \
                     recoverable; PCI DSS 3.3.1 forbids storing or showing any part of sensitive \
                     authentication data after authorisation: use action = \"drop\" or \"redact\"",
                    name.name()
                ),
            );
        }
        if name != ActionName::Mask {
            for (key, span) in [
                ("keep_last", spec.keep_last.as_ref().map(Spanned::span)),
                ("keep_first", spec.keep_first.as_ref().map(Spanned::span)),
                ("mask_char", spec.mask_char.as_ref().map(Spanned::span)),
                (
                    "preserve_length",
                    spec.preserve_length.as_ref().map(Spanned::span),
                ),
            ] {
                if let Some(span) = span {
                    refuse(
                        self,
                        span,
                        format!(
                            "`{key}` only applies to action = \"mask\" (this rule uses \"{}\")",
                            name.name()
                        ),
                    );
                }
            }
        }
        if name != ActionName::Redact
            && let Some(p) = &spec.placeholder
        {
            refuse(
                self,
                p.span(),
                format!(
                    "`placeholder` only applies to action = \"redact\" (this rule uses \"{}\")",
                    name.name()
                ),
            );
        }
        let action = match name {
            ActionName::Mask => {
                let keep_last = spec.keep_last.as_ref().map_or(4, |k| *k.get_ref());
                let keep_first = spec.keep_first.as_ref().map_or(0, |k| *k.get_ref());
                if let Some(k) = &spec.keep_first
                    && ![0, 6, 8].contains(k.get_ref())
                {
                    refuse(self, k.span(), "keep_first may be 0, 6 or 8: PCI DSS allows at most the BIN (first 6 or 8 digits) to be shown".into());
                }
                if is_card
                    && let Some(k) = &spec.keep_last
                    && *k.get_ref() > 4
                {
                    refuse(
                        self,
                        k.span(),
                        "a card may show at most its last 4 digits (PCI DSS 3.4.1)".into(),
                    );
                }
                if keep_last > 64
                    && let Some(k) = &spec.keep_last
                {
                    refuse(
                        self,
                        k.span(),
                        "keep_last above 64 would show the whole value".into(),
                    );
                }
                let mask_char = spec.mask_char.as_ref().map_or('*', |c| *c.get_ref());
                if mask_char.is_alphanumeric()
                    && let Some(c) = &spec.mask_char
                {
                    refuse(
                        self,
                        c.span(),
                        "mask_char must not be a letter or digit".into(),
                    );
                }
                let preserve_length = spec.preserve_length.as_ref().is_some_and(|p| *p.get_ref());
                Action::Mask(MaskSpec {
                    keep_first,
                    keep_last,
                    mask_char,
                    preserve_length,
                    card: is_card,
                })
            }
            ActionName::Redact => {
                let placeholder = match (&spec.placeholder, builtin) {
                    (Some(p), _) => p.get_ref().clone(),
                    (None, Some(b)) => b.default_placeholder().to_string(),
                    (None, None) => "[REDACTED]".to_string(),
                };
                if let Some(p) = &spec.placeholder
                    && super::detectors::contains_card(p.get_ref())
                {
                    refuse(
                        self,
                        p.span(),
                        "the placeholder itself looks like a card number".into(),
                    );
                }
                Action::Redact(placeholder)
            }
            ActionName::Hash => Action::Hash {
                domain: builtin.map_or_else(|| format!("rule:{id}"), |b| b.name().to_string()),
            },
            ActionName::Drop => Action::Drop,
        };
        ok.then_some(action)
    }

    pub(super) fn finish(mut self, keys: KeySource<'_>) -> Result<Ruleset, LoadError> {
        let mut hash_key = None;
        if let Some((at, rule)) = self.first_use_of_hash.clone() {
            match &self.hashing {
                None => self.problems.push(RuleProblem {
                    at,
                    rule: Some(rule),
                    message: "action = \"hash\" needs a secret key: add a [hashing] section with key_id and key_env. \
                              An unkeyed hash of a card number can be reversed by trying every number, so PCI DSS \
                              3.5.1.1 requires keyed hashes"
                        .to_string(),
                }),
                Some((hat, key_id, env)) => match keys(key_id, env) {
                    Ok(k) => hash_key = Some(Arc::new(k)),
                    Err(message) => self.problems.push(RuleProblem { at: hat.clone(), rule: None, message }),
                },
            }
        }
        if self.problems.is_empty() && !self.rules.iter().any(|r| r.enabled) {
            self.problems.push(RuleProblem {
                at: Location {
                    file: self.first_file.clone().unwrap_or_default(),
                    line: 1,
                },
                rule: None,
                message:
                    "the files define no enabled rule: refusing a ruleset that would mask nothing"
                        .to_string(),
            });
        }
        if !self.problems.is_empty() {
            return Err(LoadError::Invalid(self.problems));
        }
        let canonical = serde_json::to_vec(&self.normalized).unwrap_or_default();
        let version: Arc<str> =
            format!("sha256:{}", hex::encode(Sha256::digest(&canonical))).into();
        let mut lexicon = Lexicon::builtin().clone();
        for (kind, (lists, added)) in self.words {
            lexicon = lexicon.with(kind, lists, added);
        }
        Ok(Ruleset::assemble(
            self.rules,
            self.allow,
            hash_key,
            Arc::new(lexicon),
            version,
        ))
    }
}

/// Checks the name of a list in a `[words.<kind>]` table: a language code, with one of the
/// suffixes the kind's built-in file gives a meaning to.
fn check_list_name(kind: WordKind, name: &str, suffixes: &[String]) -> Result<(), String> {
    let (lang, suffix) = match name.split_once('_') {
        Some((l, s)) => (l, Some(s)),
        None => (name, None),
    };
    let lang_ok = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    let suffix_ok = suffix.is_none_or(|s| suffixes.iter().any(|x| x == s));
    if lang_ok && suffix_ok {
        return Ok(());
    }
    let known: Vec<String> = kind
        .builtin_lists()
        .into_keys()
        .chain(std::iter::once("remove".to_string()))
        .collect();
    let meaning = if suffixes.is_empty() {
        String::new()
    } else {
        let s: Vec<String> = suffixes.iter().map(|s| format!("`_{s}`")).collect();
        format!(", with or without one of the suffixes {}", s.join(", "))
    };
    Err(format!(
        "[words.{}]: a list is named by its language's code (`en`, `es`, `de`…){meaning}, or is `remove`; not `{name}`{}",
        kind.name(),
        did_you_mean(name, known.iter().map(String::as_str))
    ))
}

/// Checks one context word a rule file adds; the error says what is wrong with it.
fn check_word(w: &str) -> Result<(), &'static str> {
    let core = w.trim_matches('*');
    if w.trim() != w {
        return Err("has blanks around it (they would never match)");
    }
    if core.chars().count() < 2 {
        return Err("is too short: a context word needs two characters or more");
    }
    if core.contains('*') {
        return Err("has a `*` inside; a `*` may only start or end a word");
    }
    if core.chars().any(char::is_control) {
        return Err("holds a control character");
    }
    if core.trim() != core {
        return Err("has blanks between its `*` and its letters");
    }
    Ok(())
}

/// Field names that hold sensitive authentication data (PCI DSS 3.3.1): card security codes,
/// PINs, PIN blocks, track data — compared without case, `_` or `-`.
const SAD_KEYS: &[&str] = &[
    "cvv",
    "cvv2",
    "cvc",
    "cvc2",
    "csc",
    "cid",
    "cav2",
    "cvn",
    "cvd",
    "securitycode",
    "cardsecuritycode",
    "cardverificationcode",
    "cardverificationvalue",
    "verificationcode",
    "pin",
    "pinblock",
    "pincode",
    "pinnumber",
    "dtmfpin",
    "enteredpin",
    "cardpin",
    "track1",
    "track2",
    "trackdata",
    "magstripe",
    "magneticstripe",
    "kartenpruefnummer",
    "pruefnummer",
    "codigoseguridad",
    "codigodeseguridad",
    "cryptogramme",
];

/// True when a field named `key` holds sensitive authentication data.
fn is_sad_key(key: &str) -> bool {
    let norm: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    SAD_KEYS.contains(&norm.as_str())
}

/// The behaviour-relevant content of one rule, as canonical JSON for the version hash.
fn normalize(id: &str, enabled: bool, matcher: &Matcher, action: &Action) -> serde_json::Value {
    let what = match matcher {
        Matcher::Builtin(b) => serde_json::json!({"detector": b.name()}),
        Matcher::Pattern { regex, group } => {
            serde_json::json!({"pattern": regex.as_str(), "group": group})
        }
        Matcher::Fields(p) => {
            serde_json::json!({"fields": p.iter().map(PathPattern::as_str).collect::<Vec<_>>()})
        }
    };
    serde_json::json!({"id": id, "enabled": enabled, "match": what, "action": action.describe()})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(files: &[(&str, &str)]) -> Result<Ruleset, LoadError> {
        let sources: Vec<(PathBuf, String)> = files
            .iter()
            .map(|(n, t)| (PathBuf::from(n), t.to_string()))
            .collect();
        Ruleset::from_sources(&sources, &crate::masking::action::test_keys)
    }

    const BASE: &str = "[[rule]]\nid = \"card\"\ndetector = \"payment_card\"\naction = \"mask\"\n";

    #[test]
    fn version_ignores_comments_descriptions_examples_and_layout() {
        let a = load(&[("a.toml", BASE)]).unwrap();
        let b = load(&[(
            "other-name.toml",
            "# a comment\n\n[[rule]]\n  id    = \"card\"\n description = \"x\"\ndetector = \"payment_card\"\naction = \"mask\"\n[rule.examples]\nmatches = [\"4111111111111111\"]\n",
        )])
        .unwrap();
        assert_eq!(a.version(), b.version());
        assert!(a.version().starts_with("sha256:") && a.version().len() == 7 + 64);
    }

    /// Every built-in detector that weighs context words, masking with `[REDACTED]`.
    const WORD_RULES: &str = "[[rule]]\nid = \"phone\"\ndetector = \"phone\"\naction = \"redact\"\nplaceholder = \"[REDACTED]\"\n\
        [[rule]]\nid = \"pw\"\ndetector = \"secret_assignment\"\naction = \"redact\"\nplaceholder = \"[REDACTED]\"\n\
        [[rule]]\nid = \"name\"\ndetector = \"person_name\"\naction = \"redact\"\nplaceholder = \"[REDACTED]\"\n\
        [[rule]]\nid = \"dob\"\ndetector = \"date_of_birth\"\naction = \"redact\"\nplaceholder = \"[REDACTED]\"\n";

    fn masked(rs: &Ruleset, text: &str) -> String {
        rs.mask_text(text).0
    }

    #[test]
    fn rule_files_extend_and_shrink_the_context_words() {
        let base = load(&[("a.toml", WORD_RULES)]).unwrap();
        let words = "[words.phone]\nes = [\"wasap*\"]\nremove = [\"Rückruf*\"]\n\
            [words.password]\nda = [\"kodeord\"]\n\
            [words.person_name]\nen_label = [\"kundnamn\"]\n\
            [words.date_of_birth]\nda = [\"fødselsdato\"]\n";
        let rs = load(&[("a.toml", WORD_RULES), ("b.toml", words)]).unwrap();
        for (text, before, after) in [
            (
                "mi wasap es 612399327",
                "mi wasap es 612399327",
                "mi wasap es [REDACTED]",
            ),
            (
                "Rückruf 612399327",
                "Rückruf [REDACTED]",
                "Rückruf 612399327",
            ),
            (
                "kodeord: Blå-hest-42",
                "kodeord: Blå-hest-42",
                "kodeord: [REDACTED]",
            ),
            (
                "kundnamn: Priya Patel",
                "kundnamn: Priya Patel",
                "kundnamn: [REDACTED]",
            ),
            (
                "fødselsdato 12-03-1986",
                "fødselsdato 12-03-1986",
                "fødselsdato [REDACTED]",
            ),
        ] {
            assert_eq!(masked(&base, text), before, "built-in: {text}");
            assert_eq!(masked(&rs, text), after, "extended: {text}");
        }
        assert_ne!(rs.version(), base.version());
        assert!(rs.lexicon().added(WordKind::Phone) == ["wasap*"]);
        // The kinds no table touched are the built-in ones.
        assert_eq!(
            rs.lexicon().lists(WordKind::UsSsn),
            Lexicon::builtin().lists(WordKind::UsSsn)
        );
        // The same words in another layout are the same ruleset.
        let again = load(&[
            ("a.toml", WORD_RULES),
            ("b.toml", &format!("# our words\n{words}")),
        ])
        .unwrap();
        assert_eq!(again.version(), rs.version());
    }

    #[test]
    fn bad_words_tables_are_refused_with_file_line_and_a_suggestion() {
        let bad = "[words.phon]\nes = [\"wasap\"]\n\
            [words.person_name]\nen_lable = [\"cust name\"]\nen = [\" padded\", \"x\", \"te*l\"]\n\
            [words.not_phone]\nremove = [\"ordr\"]\n";
        let Err(LoadError::Invalid(problems)) = load(&[("a.toml", WORD_RULES), ("w.toml", bad)])
        else {
            panic!("bad words tables compiled")
        };
        let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let expect = [
            (
                "w.toml:1:",
                "no such kind of context words; did you mean `phone`?",
            ),
            ("w.toml:4:", "did you mean `en_label`?"),
            ("w.toml:5:", "\" padded\" has blanks around it"),
            ("w.toml:5:", "\"x\" is too short"),
            ("w.toml:5:", "\"te*l\" has a `*` inside"),
            (
                "w.toml:7:",
                "\"ordr\" is not one of its words; did you mean `ord`?",
            ),
        ];
        for (at, what) in expect {
            assert!(
                said.iter().any(|p| p.starts_with(at) && p.contains(what)),
                "{at} {what} not in {said:#?}"
            );
        }
        assert_eq!(said.len(), expect.len(), "{said:#?}");
    }

    #[test]
    fn version_changes_with_behaviour() {
        let base = load(&[("a.toml", BASE)]).unwrap();
        for changed in [
            BASE.replace("action = \"mask\"", "action = \"mask\"\nkeep_last = 2"),
            BASE.replace("\"card\"", "\"card-2\""),
            BASE.replace("action = \"mask\"", "action = \"redact\""),
            format!(
                "{}[[rule]]\nid = \"mail\"\ndetector = \"email\"\naction = \"redact\"\nenabled = false\n",
                BASE
            ),
            format!("[allow]\npaths = [\"$.eventId\"]\n{BASE}"),
        ] {
            assert_ne!(
                load(&[("a.toml", &changed)]).unwrap().version(),
                base.version(),
                "{changed}"
            );
        }
    }

    #[test]
    fn rule_order_follows_file_names() {
        let rs = load(&[
            (
                "10-a.toml",
                "[[rule]]\nid = \"first\"\ndetector = \"email\"\naction = \"redact\"\n",
            ),
            (
                "20-b.toml",
                "[[rule]]\nid = \"second\"\ndetector = \"email\"\naction = \"drop\"\n",
            ),
        ])
        .unwrap();
        let (masked, report) = rs.mask_text("mail a@example.com");
        assert_eq!(masked, "mail [EMAIL]");
        assert_eq!(&*report.findings[0].rule, "first");
    }

    #[test]
    fn option_misuse_is_refused_with_a_reason() {
        let cases = [
            (
                "placeholder = \"x\"",
                "`placeholder` only applies to action = \"redact\"",
            ),
            ("keep_last = 9", "at most its last 4 digits"),
            (
                "mask_char = \"x\"",
                "mask_char must not be a letter or digit",
            ),
            ("group = 1", "`group` only applies to `pattern` rules"),
        ];
        let sad_cases = [
            ("[\"**.cvv\"]", "mask\"\nkeep_last = 4", "PCI DSS 3.3.1"),
            ("[\"**.pinBlock\"]", "hash\"", "PCI DSS 3.3.1"),
            (
                "[\"**.cardNumber\"]",
                "mask\"\nkeep_last = 6",
                "at most its last 4 digits",
            ),
        ];
        for (fields, action, message) in sad_cases {
            let text = format!(
                "[hashing]\nkey_id = \"k\"\nkey_env = \"EM_RULESET_TEST_UNSET\"\n[[rule]]\nid = \"f\"\nfields = {fields}\naction = \"{action}\n"
            );
            match load(&[("a.toml", &text)]) {
                Err(LoadError::Invalid(p)) => assert!(
                    p.iter().any(|p| p.message.contains(message)),
                    "{fields}: {p:?}"
                ),
                other => panic!("{fields}: expected a problem, got {other:?}"),
            }
        }
        for ok in ["drop\"", "redact\""] {
            let text = format!("[[rule]]\nid = \"f\"\nfields = [\"**.cvv\"]\naction = \"{ok}\n");
            assert!(load(&[("a.toml", &text)]).is_ok(), "{ok}");
        }
        for (extra, message) in cases {
            let text = format!("{BASE}{extra}\n");
            match load(&[("a.toml", &text)]) {
                Err(LoadError::Invalid(p)) => {
                    assert!(p[0].message.contains(message), "{extra}: {}", p[0])
                }
                other => panic!("{extra}: expected a problem, got {other:?}"),
            }
        }
    }

    #[test]
    fn patterns_that_match_empty_or_name_missing_groups_are_refused() {
        for (pattern, message) in [
            ("'x*'", "matches the empty string"),
            ("'(a)b'\ngroup = 2", "group 2 does not exist"),
            ("'(?P<v>a)b'\ngroup = \"w\"", "no group named `w`"),
        ] {
            let text = format!("[[rule]]\nid = \"p\"\npattern = {pattern}\naction = \"redact\"\n");
            match load(&[("a.toml", &text)]) {
                Err(LoadError::Invalid(p)) => {
                    assert!(p[0].message.contains(message), "{pattern}: {}", p[0])
                }
                other => panic!("{pattern}: expected a problem, got {other:?}"),
            }
        }
    }
}
