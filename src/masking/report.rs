//! What a masking call tells its caller besides the masked document: which rules fired, how often,
//! and where — never what they found. The audit log stores this as it is.

use std::sync::Arc;

use serde::Serialize;

/// One rule firing at one JSON path, `count` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule id (shared with the ruleset: no copy per finding).
    pub rule: Arc<str>,
    /// The JSON path of the value (`$` for plain text).
    pub path: String,
    /// How many times the rule fired in that value.
    pub count: u32,
}

/// The findings of one masking call and the ruleset version that produced them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The ruleset version hash.
    pub ruleset_version: Arc<str>,
    /// Findings in document order.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Total number of findings.
    pub fn total(&self) -> u32 {
        self.findings.iter().map(|f| f.count).sum()
    }

    /// Counts per rule id, sorted by id: the shape logs and metrics want.
    pub fn by_rule(&self) -> Vec<(&str, u32)> {
        let mut out: Vec<(&str, u32)> = Vec::new();
        for f in &self.findings {
            match out.iter_mut().find(|(r, _)| *r == &*f.rule) {
                Some((_, n)) => *n += f.count,
                None => out.push((&*f.rule, f.count)),
            }
        }
        out.sort_unstable();
        out
    }
}

/// One finding with its position and masked output, for `rules explain` and `rules diff`. The
/// replacement is what the action wrote, so it is safe to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// The rule id.
    pub rule: String,
    /// The JSON path of the value.
    pub path: String,
    /// Byte range inside the string at `path`; `None` when a field rule took the whole value.
    pub span: Option<(usize, usize)>,
    /// What the action wrote in its place (`<dropped>` for drop).
    pub replacement: String,
}
