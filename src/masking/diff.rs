//! `rules diff`: what an edit to the rules would change, shown before it goes live.
//!
//! Both rulesets mask the same sample documents; their findings are compared by JSON path and
//! position. The output shows positions, rule ids and *masked* values only: a finding that the new
//! rules stop making is shown with the old rules' replacement, never with the value it hid.

use std::fmt::Write;

use serde_json::Value;

use super::report::Hit;
use super::ruleset::Ruleset;

/// How one finding changed between the two rulesets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Masked by the new rules only.
    Added(Hit),
    /// Masked by the old rules only.
    Removed(Hit),
    /// Masked by both, but by another rule or into another replacement.
    Changed {
        /// The old finding.
        old: Hit,
        /// The new finding.
        new: Hit,
    },
}

/// The changes for one sample document.
#[derive(Debug, Clone)]
pub struct DocDiff {
    /// 1-based line number in the sample file.
    pub line: usize,
    /// The document's `eventId`, when it has one.
    pub event_id: Option<String>,
    /// What changed.
    pub changes: Vec<Change>,
}

/// Compares the two rulesets on one document.
pub fn diff_doc(old: &Ruleset, new: &Ruleset, doc: &Value) -> Vec<Change> {
    let (_, old_hits) = old.mask_value_detailed(&mut doc.clone());
    let (_, new_hits) = new.mask_value_detailed(&mut doc.clone());
    let key = |h: &Hit| (h.path.clone(), h.span);
    let mut changes = Vec::new();
    for o in &old_hits {
        match new_hits.iter().find(|n| key(n) == key(o)) {
            None => changes.push(Change::Removed(o.clone())),
            Some(n) if n.rule != o.rule || n.replacement != o.replacement => {
                changes.push(Change::Changed {
                    old: o.clone(),
                    new: n.clone(),
                })
            }
            Some(_) => {}
        }
    }
    for n in &new_hits {
        if !old_hits.iter().any(|o| key(o) == key(n)) {
            changes.push(Change::Added(n.clone()));
        }
    }
    changes
}

/// Compares the two rulesets on JSON Lines text; lines that are not JSON objects are skipped.
pub fn diff_jsonl(old: &Ruleset, new: &Ruleset, jsonl: &str) -> Vec<DocDiff> {
    let mut out = Vec::new();
    for (n, line) in jsonl.lines().enumerate() {
        let Ok(doc) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let changes = diff_doc(old, new, &doc);
        if !changes.is_empty() {
            let event_id = doc
                .get("eventId")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.push(DocDiff {
                line: n + 1,
                event_id,
                changes,
            });
        }
    }
    out
}

fn at(h: &Hit) -> String {
    match h.span {
        Some((s, e)) => format!("{} [{s}..{e}]", h.path),
        None => format!("{} (whole value)", h.path),
    }
}

/// Renders diffs for a terminal, with a summary line.
pub fn render(diffs: &[DocDiff]) -> String {
    let mut out = String::new();
    let (mut added, mut removed, mut changed) = (0, 0, 0);
    for d in diffs {
        let id = d
            .event_id
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        let _ = writeln!(out, "line {}{id}:", d.line);
        for c in &d.changes {
            let _ = match c {
                Change::Added(h) => {
                    added += 1;
                    writeln!(
                        out,
                        "  + {}  newly masked by `{}` -> {}",
                        at(h),
                        h.rule,
                        h.replacement
                    )
                }
                Change::Removed(h) => {
                    removed += 1;
                    writeln!(
                        out,
                        "  - {}  no longer masked (was `{}` -> {})",
                        at(h),
                        h.rule,
                        h.replacement
                    )
                }
                Change::Changed { old, new } => {
                    changed += 1;
                    writeln!(
                        out,
                        "  ~ {}  `{}` -> {}  becomes  `{}` -> {}",
                        at(new),
                        old.rule,
                        old.replacement,
                        new.rule,
                        new.replacement
                    )
                }
            };
        }
    }
    let _ = writeln!(
        out,
        "{} document(s) change: {added} newly masked, {removed} no longer masked, {changed} masked differently",
        diffs.len()
    );
    out
}
