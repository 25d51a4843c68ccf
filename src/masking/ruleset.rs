//! The compiled ruleset the engine masks with, and what it is made of.
//!
//! Rule sources come in as values (`(file name, text)` pairs and a key source): reading the rule
//! directory and the environment happens at the edge (`rule_dir`), compiling in
//! [`compiler`](super::compiler), path claims in [`fields`](super::fields). A `Ruleset` is
//! immutable; hot reload swaps a whole one.

use std::path::PathBuf;
use std::sync::Arc;

use regex::Regex;

use super::action::{Action, HashKey};
use super::compiler::Compiler;
use super::detectors::{Builtin, Lexicon};
use super::fields::FieldIndex;
use super::path::PathPattern;
use super::prefilter::{GateSource, Prefilter};
use super::problems::{LoadError, Location};
use super::rulefile::Examples;

/// Compiled size limit for one compliance-written regex: large enough for any sane rule, small enough
/// that a runaway pattern cannot eat the worker's memory.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Supplies the keyed-hash key a `[hashing]` section names, given its `key_id` and `key_env`; an
/// error is reported as a problem at the section.
pub type KeySource<'a> = &'a dyn Fn(&str, &str) -> Result<HashKey, String>;

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
    /// The context words its detectors weigh: the built-in ones with the rule files' changes.
    pub(crate) lexicon: Arc<Lexicon>,
    /// The first enabled card-detector rule: its action also masks cards split over array
    /// elements or sibling fields.
    pub(crate) card_rule: Option<usize>,
    version: Arc<str>,
}

impl Ruleset {
    /// Compiles rule files given as `(name, content)` pairs, in that order.
    /// `keys` supplies the key a `[hashing]` section names; the caller decides where keys come
    /// from (the environment, a secret store, a test constant), so compiling does no I/O.
    pub fn from_sources(
        sources: &[(PathBuf, String)],
        keys: KeySource<'_>,
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

    /// The context words the detectors weigh under this ruleset (`[words.<kind>]` tables of the
    /// rule files applied to the built-in lists).
    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
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
            self.lexicon.clone(),
            self.version.clone(),
        )
    }

    /// Builds the per-string prefilter and the field index around compiled rules.
    pub(super) fn assemble(
        rules: Vec<Rule>,
        allow: Vec<PathPattern>,
        hash_key: Option<Arc<HashKey>>,
        lexicon: Arc<Lexicon>,
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
        let prefilter = Prefilter::build(&sources, &lexicon, REGEX_SIZE_LIMIT);
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
            lexicon,
            version,
        }
    }
}
