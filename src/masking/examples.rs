//! Running each rule's own examples: `rules test`, and the gate a new ruleset must pass before a hot
//! reload makes it live.
//!
//! Text rules run alone on each example (so a rule's examples say what *that* rule does, whatever
//! its neighbours do); field rules are checked against the example paths.

use std::fmt;

use super::problems::Location;
use super::ruleset::{Matcher, Ruleset};

/// One example that did not behave as its rule says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule id.
    pub rule: String,
    /// Where the rule is defined.
    pub at: Location,
    /// The example as written in the rule file (test data, not live data).
    pub example: String,
    /// True for `matches` examples (expected a finding), false for `ignores`.
    pub expected_match: bool,
    /// For a `matches` example that did match: what the rule produced (`None` otherwise).
    pub detail: Option<String>,
}

impl fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.expected_match {
            "should match but did not"
        } else {
            "should be ignored but matched"
        };
        write!(
            f,
            "{}: rule `{}`: example {what}: {:?}",
            self.at, self.rule, self.example
        )?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        Ok(())
    }
}

/// The outcome of running every example of every enabled rule.
#[derive(Debug, Default)]
pub struct ExampleRun {
    /// Examples checked.
    pub checked: usize,
    /// Examples that failed.
    pub failures: Vec<ExampleFailure>,
    /// Enabled rules without any example (worth a warning: nobody can tell what they are meant to do).
    pub rules_without_examples: Vec<String>,
}

/// Runs every enabled rule's examples.
pub fn run(rs: &Ruleset) -> ExampleRun {
    let mut out = ExampleRun::default();
    for (i, rule) in rs.rules().iter().enumerate().filter(|(_, r)| r.enabled) {
        let ex = &rule.examples;
        if ex.matches.is_empty() && ex.ignores.is_empty() {
            out.rules_without_examples.push(rule.id.to_string());
            continue;
        }
        let fail = |example: &str, expected_match: bool, detail: Option<String>| ExampleFailure {
            rule: rule.id.to_string(),
            at: rule.at.clone(),
            example: example.to_string(),
            expected_match,
            detail,
        };
        match &rule.matcher {
            Matcher::Fields(pats) => {
                for (example, expected) in ex
                    .matches
                    .iter()
                    .map(|e| (e, true))
                    .chain(ex.ignores.iter().map(|e| (e, false)))
                {
                    out.checked += 1;
                    let hit = pats.iter().any(|p| p.matches_str(example).unwrap_or(false));
                    if hit != expected {
                        out.failures.push(fail(example, expected, None));
                    }
                }
            }
            _ => {
                let alone = rs.only(i);
                for example in &ex.matches {
                    out.checked += 1;
                    let (masked, report) = alone.mask_text(example);
                    if report.findings.is_empty() {
                        out.failures.push(fail(example, true, None));
                    } else if masked == *example {
                        out.failures.push(fail(
                            example,
                            true,
                            Some("matched, but the output is unchanged".into()),
                        ));
                    }
                }
                for example in &ex.ignores {
                    out.checked += 1;
                    let (masked, report) = alone.mask_text(example);
                    if !report.findings.is_empty() {
                        out.failures
                            .push(fail(example, false, Some(format!("became {masked:?}"))));
                    }
                }
            }
        }
    }
    out
}
