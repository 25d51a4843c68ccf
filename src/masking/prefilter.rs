//! Deciding cheaply which text rules can match a string, so each string is scanned once for all
//! rules rather than once per rule.
//!
//! Two passes over the string serve every rule: [`Hints`] counts digits, letters, `@`, dots and
//! colons (enough to rule out cards, phones, SSNs, IBANs, IPs and emails), and one Aho-Corasick
//! automaton finds the literals a match must begin with — `eyJ` for a JWT, `bearer`, API key
//! prefixes, `password`/`secret`/`token`, and the prefix literals extracted from every custom
//! pattern. A rule runs only when its gate is open. Custom patterns without a usable literal prefix
//! go into one `RegexSet` that answers for all of them in a single pass.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::RegexSet;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::detectors::{Builtin, Hints};

/// How a text rule is gated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Built-in detectors decide from [`Hints`] themselves.
    Hints,
    /// Runs when literal group `n` occurs in the string.
    Literal(u32),
    /// A custom pattern with no literal prefix: position `n` in the fallback `RegexSet`.
    Set(u32),
}

/// The literals a built-in detector's matches must start with, if it has such literals.
fn builtin_literals(b: Builtin) -> Option<&'static [&'static str]> {
    match b {
        Builtin::Jwt => Some(&["eyJ"]),
        Builtin::BearerToken => Some(&["bearer"]),
        Builtin::ApiKey => Some(&[
            "AKIA",
            "ASIA",
            "ghp_",
            "gho_",
            "ghu_",
            "ghs_",
            "ghr_",
            "github_pat_",
            "_live_",
            "_test_",
            "xox",
            "AIza",
            "sk-",
            "glpat-",
            "SG.",
        ]),
        Builtin::SecretAssignment => Some(&["key", "token", "secret", "passw", "pwd", "passcode"]),
        _ => None,
    }
}

/// The prefix literals every match of `pattern` starts with (ASCII lower-cased), or `None` when some match
/// can start with anything.
fn pattern_literals(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_total(4096)
        .limit_class(4)
        .limit_repeat(4)
        .limit_literal_len(16);
    let seq = ex.extract(&hir);
    let mut out: Vec<String> = Vec::new();
    for lit in seq.literals()? {
        let s = String::from_utf8_lossy(lit.as_bytes()).to_ascii_lowercase();
        if s.is_empty() {
            return None;
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The compiled gates of a ruleset's text rules.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefilter {
    ac: Option<AhoCorasick>,
    /// Literal group of each Aho-Corasick pattern.
    owner: Vec<u32>,
    groups: u32,
    /// Every literal holds an ASCII letter, so a string without letters needs no automaton pass.
    literals_need_letters: bool,
    set: Option<RegexSet>,
}

/// Which gates are open for one string.
#[derive(Debug, Default)]
pub(crate) struct Open {
    pub hints: Hints,
    literals: Vec<bool>,
    set: Vec<bool>,
}

impl Open {
    pub(crate) fn allows(&self, gate: Gate) -> bool {
        match gate {
            Gate::Hints => true,
            Gate::Literal(n) => self.literals.get(n as usize).copied().unwrap_or(true),
            Gate::Set(n) => self.set.get(n as usize).copied().unwrap_or(true),
        }
    }
}

/// What a text rule is, for building gates.
pub(crate) enum GateSource<'a> {
    Builtin(Builtin),
    Pattern(&'a str),
}

impl Prefilter {
    /// Builds gates for text rules, returning one gate per source in order.
    pub(crate) fn build(sources: &[GateSource<'_>], size_limit: usize) -> (Prefilter, Vec<Gate>) {
        let mut lits: Vec<String> = Vec::new();
        let mut owner = Vec::new();
        let mut set_patterns: Vec<&str> = Vec::new();
        let mut gates = Vec::with_capacity(sources.len());
        let mut groups = 0u32;
        for s in sources {
            let literals = match s {
                GateSource::Builtin(b) => {
                    builtin_literals(*b).map(|l| l.iter().map(|s| s.to_ascii_lowercase()).collect())
                }
                GateSource::Pattern(p) => pattern_literals(p),
            };
            let gate = match (s, literals) {
                (_, Some(l)) => {
                    for lit in l {
                        lits.push(lit);
                        owner.push(groups);
                    }
                    groups += 1;
                    Gate::Literal(groups - 1)
                }
                (GateSource::Builtin(_), None) => Gate::Hints,
                (GateSource::Pattern(p), None) => {
                    set_patterns.push(p);
                    Gate::Set(set_patterns.len() as u32 - 1)
                }
            };
            gates.push(gate);
        }
        let ac = (!lits.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&lits)
                    .ok()
            })
            .flatten();
        // Without the automaton every literal gate stays open (`Open::allows` defaults to true).
        let groups = if ac.is_some() { groups } else { 0 };
        let set = (!set_patterns.is_empty())
            .then(|| {
                regex::RegexSetBuilder::new(&set_patterns)
                    .size_limit(size_limit.saturating_mul(set_patterns.len()))
                    .build()
                    .ok()
            })
            .flatten();
        let literals_need_letters = lits
            .iter()
            .all(|l| l.bytes().any(|b| b.is_ascii_alphabetic()));
        (
            Prefilter {
                ac,
                owner,
                groups,
                literals_need_letters,
                set,
            },
            gates,
        )
    }

    /// Computes which gates are open for `text`, reusing `open`'s buffers.
    pub(crate) fn open(&self, text: &str, open: &mut Open) {
        open.hints = Hints::of(text);
        open.literals.clear();
        open.literals.resize(self.groups as usize, false);
        if let Some(ac) = &self.ac
            && (open.hints.letters > 0 || !self.literals_need_letters)
            // Most strings hold no literal at all: one fast (prefiltered) search says so, and
            // otherwise tells where the overlapping scan may start.
            && let Some(first) = ac.find(text)
        {
            let rest = aho_corasick::Input::new(text).span(first.start()..text.len());
            for m in ac.find_overlapping_iter(rest) {
                open.literals[self.owner[m.pattern().as_usize()] as usize] = true;
            }
        }
        open.set.clear();
        if let Some(set) = &self.set {
            let m = set.matches(text);
            open.set.extend((0..set.len()).map(|i| m.matched(i)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_extraction() {
        assert_eq!(
            pattern_literals(r"\bLOY-\d{8}\b"),
            Some(vec!["loy-".to_string()])
        );
        let dob = pattern_literals(r"(?i)\b(?:date of birth|dob)\b").unwrap();
        assert!(dob.contains(&"dob".to_string()) && dob.contains(&"date of birth".to_string()));
        assert_eq!(pattern_literals(r"\d+x"), None);
        assert_eq!(pattern_literals(r"a|b*"), None);
    }

    #[test]
    fn gates_open_only_on_their_literals() {
        let sources = [
            GateSource::Pattern(r"LOY-\d+"),
            GateSource::Pattern(r"\d{3}x"),
            GateSource::Builtin(Builtin::Jwt),
        ];
        let (pf, gates) = Prefilter::build(&sources, 1 << 20);
        assert_eq!(
            gates,
            vec![Gate::Literal(0), Gate::Set(0), Gate::Literal(1)]
        );
        let mut open = Open::default();
        pf.open("member loy-12 and 123x", &mut open);
        assert!(open.allows(gates[0]) && open.allows(gates[1]) && !open.allows(gates[2]));
        pf.open("nothing here", &mut open);
        assert!(!open.allows(gates[0]) && !open.allows(gates[1]));
    }
}
