//! Loading and compiling rule files into a [`Ruleset`].
//!
//! All `*.toml` files of a directory are read in name order; every problem in every file is collected
//! (not just the first), each with its file, line and rule id, so one `rules check` run shows the
//! editor everything to fix. A ruleset either compiles completely or not at all: there is no
//! half-loaded state for the worker to mask with.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::action::{Action, HashKey, MaskSpec};
use super::detectors::{Builtin, FieldContext};
use super::path::{PathNode, PathPattern, Seg};
use super::prefilter::{GateSource, Prefilter};
use super::rulefile::{ActionName, Examples, GroupRef, RuleFile, RuleSpec};

/// Compiled size limit for one compliance-written regex: large enough for any sane rule, small enough
/// that a runaway pattern cannot eat the worker's memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Where a rule came from, for error messages and `rules test` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The rule file.
    pub file: PathBuf,
    /// 1-based line of the rule's start.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One problem in a rule directory, precise enough for a compliance editor to fix without help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// File and line.
    pub at: Location,
    /// The rule id, when the problem belongs to one rule.
    pub rule: Option<String>,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(id) => write!(f, "{}: rule `{}`: {}", self.at, id, self.message),
            None => write!(f, "{}: {}", self.at, self.message),
        }
    }
}

/// Why a rule directory could not become a ruleset.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory itself could not be listed.
    #[error("cannot read rules directory {path}: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory with no rule files would mask nothing; that is never what anyone wants.
    #[error("no rule files (*.toml) in {0}: refusing to run with an empty ruleset")]
    Empty(PathBuf),
    /// One or more problems in the files.
    #[error("{} problem(s) in the masking rules:\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<RuleProblem>),
}

struct ProblemList<'a>(&'a [RuleProblem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// How to find the keyed-hash key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    /// The environment variable named in `[hashing]` must hold the key (the worker and `mask`).
    Required,
    /// When the variable is unset, use a random key for this process only (`rules check/test/explain/diff`,
    /// which must work on an editor's laptop without production secrets). Tokens then differ per run.
    EphemeralIfMissing,
}

/// What finds the data a rule is about.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// A built-in detector.
    Builtin(Builtin),
    /// A compliance-written regex; `group` selects the capture group to mask (0 = whole match).
    Pattern {
        /// The compiled regex.
        regex: Regex,
        /// The capture group index.
        group: usize,
    },
    /// Whole values at these paths.
    Fields(Vec<PathPattern>),
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Unique id (shared with every finding that names it).
    pub id: Arc<str>,
    /// Where it is defined.
    pub at: Location,
    /// Disabled rules are validated but not applied.
    pub enabled: bool,
    /// What it finds.
    pub matcher: Matcher,
    /// What it does.
    pub action: Action,
    /// Its examples for `rules test`.
    pub examples: Examples,
}

impl Rule {
    /// A short description of what the rule finds, for `rules explain` and `rules test`.
    pub fn kind(&self) -> String {
        match &self.matcher {
            Matcher::Builtin(b) => format!("detector {}", b.name()),
            Matcher::Pattern { .. } => "pattern".to_string(),
            Matcher::Fields(_) => "fields".to_string(),
        }
    }
}

/// A compiled, immutable set of masking rules with a version hash. Cheap to share behind an `Arc`;
/// hot reload swaps the whole `Arc`, so every event is masked by exactly one version.
#[derive(Debug, Clone)]
pub struct Ruleset {
    pub(crate) rules: Vec<Rule>,
    /// Enabled detector and pattern rules (indexes into `rules`), in priority order; position `k`
    /// here is bit `k` of the prefilter's masks.
    pub(crate) text_rules: Vec<usize>,
    /// Decides per string which gates are open.
    pub(crate) prefilter: Prefilter,
    /// Allow-list and field rules, indexed by the key their paths end with.
    pub(crate) fields: FieldIndex,
    allow: Vec<PathPattern>,
    pub(crate) hash_key: Option<Arc<HashKey>>,
    /// The first enabled card-detector rule: its action also masks cards split over array
    /// elements or sibling fields.
    pub(crate) card_rule: Option<usize>,
    version: Arc<str>,
}

impl Ruleset {
    /// Loads every `*.toml` file of `dir` in name order and compiles them into one ruleset.
    pub fn load(dir: &Path, keys: KeyPolicy) -> Result<Ruleset, LoadError> {
        let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Dir {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(LoadError::Empty(dir.to_path_buf()));
        }
        let mut sources = Vec::with_capacity(files.len());
        let mut problems = Vec::new();
        for file in files {
            match std::fs::read(&file) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => sources.push((file, text)),
                    Err(e) => problems.push(RuleProblem {
                        at: Location {
                            file,
                            line: line_of_offset_bytes(e.as_bytes(), e.utf8_error().valid_up_to()),
                        },
                        rule: None,
                        message: "the file is not valid UTF-8".to_string(),
                    }),
                },
                Err(e) => problems.push(RuleProblem {
                    at: Location { file, line: 1 },
                    rule: None,
                    message: format!("cannot read the file: {e}"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(LoadError::Invalid(problems));
        }
        Ruleset::from_sources(&sources, keys)
    }

    /// Compiles rule files given as `(name, content)` pairs, in that order.
    pub fn from_sources(
        sources: &[(PathBuf, String)],
        keys: KeyPolicy,
    ) -> Result<Ruleset, LoadError> {
        let mut c = Compiler::default();
        for (file, text) in sources {
            c.file(file, text);
        }
        c.finish(keys)
    }

    /// The stable version hash of the ruleset's normalized content (`sha256:…`): it changes exactly
    /// when what the ruleset does can change, not when comments, descriptions or layout do.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The version as a cheaply cloned shared string, for reports.
    pub fn version_arc(&self) -> Arc<str> {
        self.version.clone()
    }

    /// All rules, enabled or not, in priority order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The allow-listed path patterns.
    pub fn allow_list(&self) -> &[PathPattern] {
        &self.allow
    }

    /// A ruleset that holds only rule `index` (enabled), for running that rule's examples alone.
    pub fn only(&self, index: usize) -> Ruleset {
        let mut rule = self.rules[index].clone();
        rule.enabled = true;
        Ruleset::assemble(
            vec![rule],
            Vec::new(),
            self.hash_key.clone(),
            self.version.clone(),
        )
    }

    /// Builds the per-string prefilter and the field index around compiled rules.
    fn assemble(
        rules: Vec<Rule>,
        allow: Vec<PathPattern>,
        hash_key: Option<Arc<HashKey>>,
        version: Arc<str>,
    ) -> Ruleset {
        let text: Vec<usize> = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.enabled && !matches!(r.matcher, Matcher::Fields(_)))
            .map(|(i, _)| i)
            .collect();
        let sources: Vec<GateSource<'_>> = text
            .iter()
            .map(|&i| match &rules[i].matcher {
                Matcher::Builtin(b) => GateSource::Builtin(*b),
                Matcher::Pattern { regex, .. } => GateSource::Pattern(regex.as_str()),
                Matcher::Fields(_) => unreachable!("field rules were filtered out above"),
            })
            .collect();
        let prefilter = Prefilter::build(&sources, REGEX_SIZE_LIMIT);
        let card_rule = text
            .iter()
            .copied()
            .find(|&i| matches!(rules[i].matcher, Matcher::Builtin(Builtin::PaymentCard)));
        let text_rules = text;
        let fields = FieldIndex::build(&rules, &allow);
        Ruleset {
            rules,
            text_rules,
            card_rule,
            prefilter,
            fields,
            allow,
            hash_key,
            version,
        }
    }
}

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
    fn build(rules: &[Rule], allow: &[PathPattern]) -> FieldIndex {
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

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    line_of_offset_bytes(text.as_bytes(), offset)
}

fn line_of_offset_bytes(bytes: &[u8], offset: usize) -> usize {
    1 + memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count()
}

/// Accumulates rules and problems across files.
#[derive(Default)]
struct Compiler {
    rules: Vec<Rule>,
    allow: Vec<PathPattern>,
    hashing: Option<(Location, String, String)>,
    problems: Vec<RuleProblem>,
    first_use_of_hash: Option<(Location, String)>,
    normalized: Vec<serde_json::Value>,
    ids: HashMap<String, Location>,
    first_file: Option<PathBuf>,
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

    fn file(&mut self, file: &Path, text: &str) {
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

    fn finish(mut self, keys: KeyPolicy) -> Result<Ruleset, LoadError> {
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
                Some((hat, key_id, env)) => match HashKey::from_env(key_id, env, keys) {
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
        Ok(Ruleset::assemble(self.rules, self.allow, hash_key, version))
    }
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
        Ruleset::from_sources(&sources, KeyPolicy::EphemeralIfMissing)
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
