//! Applying a ruleset to a document.
//!
//! The walk visits every value once. At each object key it first asks the allow-list (skip the whole
//! subtree) and the field rules (act on the whole value); otherwise strings — and numbers, because a
//! card sent as a JSON number is still a card — are scanned by every text rule: built-in detectors
//! gated by [`Hints`], and all custom patterns at once through one `RegexSet`. Overlapping findings
//! are resolved (earliest start, then longest, then rule order) and the string is rebuilt once.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use super::action::{self, Action};
use super::canon::{self, View};
use super::detectors::Hints;
use super::detectors::{Builtin, Subject, contains_card, integer_digits};
use super::fields::Claim;
use super::path::{self, PathNode, Seg};
use super::report::{Finding, Hit, Report};
use super::ruleset::{Matcher, Ruleset};
use super::split::{may_be_part, split_cards_in_array, split_cards_in_object};

/// Keys without a digit or `@` (ASCII, or any non-ASCII character that may be a digit of another
/// script, or an escape) cannot hold a card, phone, SSN, IBAN, IP or email: skipping them keeps key
/// scanning nearly free.
fn key_may_hold_pii(key: &str) -> bool {
    // Bytes 0x30..=0x40 are the digits, `:;<=>?` and `@`: one subtraction and compare per byte,
    // no early exit, so the compiler vectorises it (a superset only costs a closer look).
    key.bytes().fold(false, |hit, b| {
        hit | (b.wrapping_sub(b'0') <= b'@' - b'0') | (b >= 0x80) | (b == b'%') | (b == b'&')
    })
}

/// A candidate finding inside one string.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cand {
    pub start: usize,
    pub end: usize,
    pub rule: usize,
}

impl Drop for Walker<'_> {
    fn drop(&mut self) {
        std::mem::take(&mut self.s).give();
    }
}

/// What to do with a scanned string.
enum Outcome {
    Keep,
    Replace(String),
    Drop,
}

impl Ruleset {
    /// Masks a JSON document in place and reports what fired where.
    pub fn mask_value(&self, doc: &mut Value) -> Report {
        let mut w = Walker::new(self, false);
        if !w.walk(doc, None) {
            // A drop rule fired on a document that is a bare string or number: nothing is left.
            *doc = Value::Null;
        }
        w.report()
    }

    /// Like [`Ruleset::mask_value`], also returning every finding with its position and replacement.
    pub fn mask_value_detailed(&self, doc: &mut Value) -> (Report, Vec<Hit>) {
        let mut w = Walker::new(self, true);
        if !w.walk(doc, None) {
            *doc = Value::Null;
        }
        let hits = std::mem::take(&mut w.hits);
        (w.report(), hits)
    }

    /// The replacement of a card number under the first card rule's action (`****1111` when the
    /// ruleset has none, or drops it): what the egress check writes over a card the rules let through.
    pub fn mask_card(&self, found: &str) -> String {
        let mut out = String::new();
        match self.card_rule {
            Some(rule) if self.rules[rule].action != Action::Drop => {
                let w = Walker::new(self, false);
                w.replace_into(rule, found, false, &mut out);
            }
            _ => {
                let digits = if canon::needs_view(found) {
                    View::of(found).text().to_string()
                } else {
                    found.to_string()
                };
                let spec = action::MaskSpec {
                    keep_first: 0,
                    keep_last: 4,
                    mask_char: '*',
                    preserve_length: false,
                    card: true,
                };
                action::mask_into(&digits, &spec, true, &mut out);
            }
        }
        out
    }

    /// Masks one line of plain text. Field rules do not apply; `drop` removes the matched text.
    pub fn mask_text(&self, text: &str) -> (String, Report) {
        let (masked, report, _) = self.mask_text_inner(text, false);
        (masked, report)
    }

    /// Like [`Ruleset::mask_text`], also returning every finding with its position and replacement.
    pub fn mask_text_detailed(&self, text: &str) -> (String, Report, Vec<Hit>) {
        self.mask_text_inner(text, true)
    }

    fn mask_text_inner(&self, text: &str, detailed: bool) -> (String, Report, Vec<Hit>) {
        let mut w = Walker::new(self, detailed);
        let masked = match w.scan_string(text, None, true) {
            Outcome::Keep => text.to_string(),
            Outcome::Replace(s) => s,
            Outcome::Drop => String::new(),
        };
        let hits = std::mem::take(&mut w.hits);
        (masked, w.report(), hits)
    }

    /// Every candidate of every enabled text rule in `text`, before overlaps are resolved, sorted by
    /// position — for `rules explain`, which shows what lost as well as what won.
    pub fn candidates(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        let mut w = Walker::new(self, false);
        w.collect(text, None);
        let mut out: Vec<(Range<usize>, usize)> =
            w.s.cands.iter().map(|c| (c.start..c.end, c.rule)).collect();
        out.sort_by_key(|(r, i)| (r.start, Reverse(r.end), *i));
        out
    }
}

/// Buffers a walk needs, kept per thread between documents so masking one event allocates only
/// what it returns.
#[derive(Default)]
struct Scratch {
    cands: Vec<Cand>,
    spans: Vec<Range<usize>>,
    kept: Vec<Cand>,
}

thread_local! {
    static SCRATCH: RefCell<Vec<Scratch>> = const { RefCell::new(Vec::new()) };
}

impl Scratch {
    fn take() -> Scratch {
        SCRATCH
            .with(|pool| pool.borrow_mut().pop())
            .unwrap_or_default()
    }

    fn give(self) {
        SCRATCH.with(|pool| {
            let mut pool = pool.borrow_mut();
            if pool.len() < 4 {
                pool.push(self);
            }
        });
    }
}

struct Walker<'r> {
    rs: &'r Ruleset,
    s: Scratch,
    findings: Vec<Finding>,
    detailed: bool,
    hits: Vec<Hit>,
}

impl<'r> Walker<'r> {
    fn new(rs: &'r Ruleset, detailed: bool) -> Self {
        Walker {
            rs,
            s: Scratch::take(),
            findings: Vec::with_capacity(8),
            detailed,
            hits: Vec::new(),
        }
    }

    fn report(mut self) -> Report {
        Report {
            ruleset_version: self.rs.version_arc(),
            findings: std::mem::take(&mut self.findings),
        }
    }

    /// Counts one finding, merging it with an earlier one of the same rule at the same path.
    fn record(&mut self, rule: usize, path: &str) {
        let id = &self.rs.rules[rule].id;
        match self
            .findings
            .iter_mut()
            .rev()
            .find(|f| Arc::ptr_eq(&f.rule, id) && f.path == path)
        {
            Some(f) => f.count += 1,
            None => self.findings.push(Finding {
                rule: id.clone(),
                path: path.to_string(),
                count: 1,
            }),
        }
    }

    /// Walks `v`, whose path ends at `node`; returns false when `v` must be removed from its parent.
    fn walk(&mut self, v: &mut Value, node: Option<&PathNode<'_>>) -> bool {
        match v {
            Value::String(s) => match self.scan_string(s, node, false) {
                Outcome::Keep => true,
                Outcome::Replace(new) => {
                    *s = new;
                    true
                }
                Outcome::Drop => false,
            },
            Value::Number(n) => {
                // `44174818672573710e-1` is the integer 4417481867257371: scan the value, not only
                // the way it was written.
                if let Some(int) = integer_digits(n.as_str())
                    && int.len() >= 7
                {
                    match self.scan_string(&int, node, false) {
                        Outcome::Keep => {}
                        Outcome::Replace(new) => {
                            *v = Value::String(new);
                            return true;
                        }
                        Outcome::Drop => return false,
                    }
                }
                let Value::Number(n) = &*v else {
                    return true;
                };
                let text = n.as_str();
                // Only integers long enough to be a card (or a custom pattern's target) are worth a scan.
                if text.len() < 7 {
                    return true;
                }
                match self.scan_string(text, node, false) {
                    Outcome::Keep => true,
                    Outcome::Replace(new) => {
                        *v = Value::String(new);
                        true
                    }
                    Outcome::Drop => false,
                }
            }
            Value::Array(items) => {
                let mut gone = Vec::new();
                if items.len() >= 2
                    && self.rs.card_rule.is_some()
                    && items.iter().filter(|v| may_be_part(v, 19)).nth(1).is_some()
                {
                    gone = self.mask_split_cards_in_array(items, node);
                }
                let mut i = 0;
                items.retain_mut(|item| {
                    if gone.contains(&i) {
                        i += 1;
                        return false;
                    }
                    let child = PathNode {
                        parent: node,
                        seg: Seg::Index(i),
                    };
                    i += 1;
                    self.entry(item, &child)
                });
                true
            }
            Value::Object(map) => {
                if map.keys().any(|k| key_may_hold_pii(k)) {
                    self.mask_keys(map, node);
                }
                if map.len() >= 2 && self.rs.card_rule.is_some() {
                    self.mask_split_cards_in_object(map, node);
                }
                map.retain(|key, item| {
                    let child = PathNode {
                        parent: node,
                        seg: Seg::Key(key),
                    };
                    self.entry(item, &child)
                });
                true
            }
            Value::Bool(_) | Value::Null => true,
        }
    }

    /// Masks object keys that hold personal data (`{"jane@example.com": "primary"}`): a key is
    /// replaced by its masked form (made unique within the object), or the member is removed by a
    /// drop rule. Findings are reported at the object's path.
    fn mask_keys(&mut self, map: &mut serde_json::Map<String, Value>, node: Option<&PathNode<'_>>) {
        let old = std::mem::take(map);
        for (key, value) in old {
            if !key_may_hold_pii(&key) {
                map.insert(key, value);
                continue;
            }
            match self.scan_string(&key, node, false) {
                Outcome::Keep => {
                    map.insert(key, value);
                }
                Outcome::Drop => {}
                Outcome::Replace(masked) => {
                    map.insert(path::unique_key(map, masked), value);
                }
            }
        }
    }

    /// Masks a card split over consecutive array elements (`["4111","1111","1111","1111"]`, four
    /// numbers, sixteen one-digit strings) with the card rule's action; returns the indexes a drop
    /// action removes.
    fn mask_split_cards_in_array(
        &mut self,
        items: &mut [Value],
        node: Option<&PathNode<'_>>,
    ) -> Vec<usize> {
        let found = split_cards_in_array(items, key_of(node), |i| {
            let child = PathNode {
                parent: node,
                seg: Seg::Index(i),
            };
            self.rs.fields.claim(&child).is_none()
        });
        let mut gone = Vec::new();
        for (r, parts) in found {
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            match self.split_card_replacement(&refs, node) {
                None => gone.extend(r),
                Some(values) => {
                    for (k, v) in r.zip(values) {
                        items[k] = Value::String(v);
                    }
                }
            }
        }
        gone
    }

    /// Masks a card split over sibling fields named like its parts (`card1`…`card4`,
    /// `pan_part1`…, `first6`/`middle`/`last4`).
    fn mask_split_cards_in_object(
        &mut self,
        map: &mut serde_json::Map<String, Value>,
        node: Option<&PathNode<'_>>,
    ) {
        let found = split_cards_in_object(map, key_of(node), |key| {
            let child = PathNode {
                parent: node,
                seg: Seg::Key(key),
            };
            self.rs.fields.claim(&child).is_none()
        });
        for (keys, parts) in found {
            let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
            let replaced = self.split_card_replacement(&refs, node);
            for (n, k) in keys.iter().enumerate() {
                match &replaced {
                    None => {
                        map.shift_remove(k.as_str());
                    }
                    Some(values) => {
                        if let Some(v) = map.get_mut(k.as_str()) {
                            *v = Value::String(values[n].clone());
                        }
                    }
                }
            }
        }
    }

    /// The replacement of each part of a split card under the card rule's action (`None`: drop
    /// them), and the finding recorded at the container's path.
    fn split_card_replacement(
        &mut self,
        parts: &[&str],
        node: Option<&PathNode<'_>>,
    ) -> Option<Vec<String>> {
        let rule = self.rs.card_rule?;
        let pan: String = parts.concat();
        let out: Option<Vec<String>> = match &self.rs.rules[rule].action {
            Action::Drop => None,
            Action::Mask(spec) => {
                let (first, last) = action::card_display(spec, pan.len());
                let mut k = 0;
                Some(
                    parts
                        .iter()
                        .map(|p| {
                            p.chars()
                                .map(|c| {
                                    let shown = k < first || k >= pan.len() - last;
                                    k += 1;
                                    if shown { c } else { spec.mask_char }
                                })
                                .collect()
                        })
                        .collect(),
                )
            }
            Action::Redact(p) => Some(vec![p.clone(); parts.len()]),
            Action::Hash { .. } => {
                let mut whole = String::new();
                self.replace_into(rule, &pan, false, &mut whole);
                let mut v = vec!["*".to_string(); parts.len()];
                v[0] = whole;
                Some(v)
            }
        };
        let path = path::render(node);
        self.whole_value_hit(rule, &path, out.as_ref().map(|v| v.join(" ")));
        out
    }

    /// Records a finding on a whole value (a field rule, a split card) and, for detailed calls,
    /// its hit; `None` as the replacement means the value was dropped.
    fn whole_value_hit(&mut self, rule: usize, path: &str, replacement: Option<String>) {
        if self.detailed {
            self.hits.push(Hit {
                rule: self.rs.rules[rule].id.to_string(),
                path: path.to_string(),
                span: None,
                replacement: replacement.unwrap_or_else(|| "<dropped>".to_string()),
            });
        }
        self.record(rule, path);
    }

    /// Handles one object member or array element: allow-list, then field rules, then its content.
    fn entry(&mut self, v: &mut Value, node: &PathNode<'_>) -> bool {
        match self.rs.fields.claim(node) {
            Some(Claim::Allow) => true,
            Some(Claim::Rule(i)) => self.apply_field_rule(i, v, node),
            None => self.walk(v, Some(node)),
        }
    }

    fn apply_field_rule(&mut self, rule: usize, v: &mut Value, node: &PathNode<'_>) -> bool {
        let path = path::render(Some(node));
        let action = &self.rs.rules[rule].action;
        let replacement = match action {
            Action::Drop => None,
            _ => {
                let composite = matches!(v, Value::Array(_) | Value::Object(_));
                let text = match &mut *v {
                    Value::String(s) => std::mem::take(s),
                    Value::Number(n) => n.as_str().to_string(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                let mut out = String::new();
                self.replace_into(rule, &text, composite, &mut out);
                Some(out)
            }
        };
        self.whole_value_hit(rule, &path, replacement.clone());
        match replacement {
            None => false,
            Some(r) => {
                *v = Value::String(r);
                true
            }
        }
    }

    /// Appends the replacement for `found` under `rule`'s action to `out` (nothing for drop).
    fn replace_into(&self, rule: usize, found: &str, composite: bool, out: &mut String) {
        let r = &self.rs.rules[rule];
        let builtin = match r.matcher {
            Matcher::Builtin(b) => Some(b),
            _ => None,
        };
        let significant = builtin.is_some_and(Builtin::strips_separators);
        // A card written in full-width digits or with `%20` between its groups is masked and hashed
        // by what it reads as: `****1111`, the same token as the plain form.
        let view;
        let found = if significant && canon::needs_view(found) {
            view = View::of(found);
            view.text()
        } else {
            found
        };
        // A card is its digits: list words (`4, 1, … and 1`) or marks inside the span never show.
        let digits: String;
        let found = if builtin == Some(Builtin::PaymentCard)
            && found.bytes().any(|b| b.is_ascii_alphabetic())
        {
            digits = found.chars().filter(char::is_ascii_digit).collect();
            &digits
        } else {
            found
        };
        let token = match &r.action {
            Action::Mask(_) if composite => "[REDACTED]".to_string(),
            // Whatever rule masks it, a value that is a card gets the PCI display limits.
            Action::Mask(spec)
                if !spec.card
                    && found.bytes().filter(u8::is_ascii_digit).count() >= 12
                    && contains_card(found) =>
            {
                let card = action::MaskSpec {
                    card: true,
                    ..spec.clone()
                };
                return action::mask_into(found, &card, true, out);
            }
            Action::Mask(spec) => return action::mask_into(found, spec, significant, out),
            Action::Redact(p) => return out.push_str(p),
            Action::Hash { domain } => {
                let normalized: String = if significant {
                    found
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .flat_map(char::to_uppercase)
                        .collect()
                } else if builtin == Some(Builtin::Email) {
                    found.to_lowercase()
                } else {
                    found.to_string()
                };
                match &self.rs.hash_key {
                    Some(k) => k.token(domain, &normalized),
                    // Unreachable by construction (loading refuses hash rules without a key); fail closed.
                    None => "[REDACTED]".to_string(),
                }
            }
            Action::Drop => String::new(),
        };
        out.push_str(&token);
    }

    /// Fills `self.s.cands` with every text rule's candidates in `text`, held in the field `key`.
    fn collect(&mut self, text: &str, key: Option<&str>) {
        self.s.cands.clear();
        let open = self.rs.prefilter.open(text);
        let mut bits = open.rules;
        // A field named for what it holds (`enteredPin: "5165"`) opens detectors that read keys,
        // although the text alone holds none of their literals.
        if let Some(k) = key
            && Builtin::key_may_open(k)
        {
            for (bit, &i) in self.rs.text_rules.iter().enumerate().take(64) {
                if let Matcher::Builtin(b) = &self.rs.rules[i].matcher
                    && b.opened_by_key(k, text)
                {
                    bits |= 1 << bit;
                }
            }
        }
        let subject = Subject::new(text, open.hints, key, &self.rs.lexicon);
        while bits != 0 {
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let hints_only = open.hints_only & (1 << k) != 0;
            self.run_rule(self.rs.text_rules[k], &subject, hints_only);
        }
        // Rules past the 64th have no gate bit; they run always (detectors check their hints).
        for k in 64..self.rs.text_rules.len() {
            self.run_rule(self.rs.text_rules[k], &subject, false);
        }
    }

    /// Adds rule `i`'s candidates in the subject's text to `self.s.cands`; `hints_only` when the
    /// prefilter opened its gate by the string's hints alone, none of its words occurring.
    fn run_rule(&mut self, i: usize, subject: &Subject<'_>, hints_only: bool) {
        let text = subject.text();
        match &self.rs.rules[i].matcher {
            Matcher::Builtin(b) => {
                b.find(subject, hints_only, &mut self.s.spans);
                self.s.cands.extend(self.s.spans.drain(..).map(|s| Cand {
                    start: s.start,
                    end: s.end,
                    rule: i,
                }));
            }
            Matcher::Pattern { regex, group: 0 } => {
                self.s
                    .cands
                    .extend(
                        regex
                            .find_iter(text)
                            .filter(|m| !m.is_empty())
                            .map(|m| Cand {
                                start: m.start(),
                                end: m.end(),
                                rule: i,
                            }),
                    );
            }
            Matcher::Pattern { regex, group } => {
                for caps in regex.captures_iter(text) {
                    if let Some(m) = caps.get(*group)
                        && !m.is_empty()
                    {
                        self.s.cands.push(Cand {
                            start: m.start(),
                            end: m.end(),
                            rule: i,
                        });
                    }
                }
            }
            Matcher::Fields(_) => {}
        }
    }

    /// Scans one string with every text rule and builds its replacement.
    fn scan_string(&mut self, text: &str, node: Option<&PathNode<'_>>, text_mode: bool) -> Outcome {
        let mut current = match self.scan_once(text, node, text_mode, false) {
            Outcome::Replace(s) => s,
            other => return other,
        };
        // What one pass reveals (a phone number no longer touching a card's digits) is masked by
        // the next, so masking masked output changes nothing.
        for _ in 1..MAX_PASSES {
            // Only digits left in the masked text can make a new number (a phone needs seven).
            if Hints::of(&current).digits < 7 {
                break;
            }
            // A placeholder its own rule matches again (`password is [SECRET]`) changes nothing:
            // such a pass leaves no finding behind.
            let (findings, hits) = (self.findings.clone(), self.hits.len());
            match self.scan_once(&current, node, text_mode, true) {
                Outcome::Keep => break,
                Outcome::Replace(s) if s == current => {
                    self.findings = findings;
                    self.hits.truncate(hits);
                    break;
                }
                Outcome::Replace(s) => current = s,
                Outcome::Drop => return Outcome::Drop,
            }
        }
        Outcome::Replace(current)
    }

    /// One pass of every text rule over `text`; `again` marks a pass over masked text, whose
    /// detailed hits have no span in the original.
    fn scan_once(
        &mut self,
        text: &str,
        node: Option<&PathNode<'_>>,
        text_mode: bool,
        again: bool,
    ) -> Outcome {
        self.collect(text, key_of(node));
        if self.s.cands.is_empty() {
            return Outcome::Keep;
        }
        self.s
            .cands
            .sort_unstable_by_key(|c| (c.start, Reverse(c.end), c.rule));
        let mut kept = std::mem::take(&mut self.s.kept);
        kept.clear();
        for c in &self.s.cands {
            match kept.last_mut() {
                // An overlapping candidate that runs past the kept one widens it: the union is
                // replaced, so no tail of a longer match stays visible.
                Some(k) if c.start < k.end => k.end = k.end.max(c.end),
                _ => kept.push(*c),
            }
        }
        let path = path::render(node);
        // Any drop rule that matched, even one that lost an overlap, removes the field.
        let drop = !text_mode
            && self
                .s
                .cands
                .iter()
                .any(|c| self.rs.rules[c.rule].action == Action::Drop);
        let mut out = String::with_capacity(text.len() + 16);
        let mut pos = 0;
        for c in &kept {
            out.push_str(&text[pos..c.start]);
            let at = out.len();
            self.replace_into(c.rule, &text[c.start..c.end], false, &mut out);
            pos = c.end;
            if self.detailed {
                let shown = if drop {
                    "<dropped>".to_string()
                } else {
                    out[at..].to_string()
                };
                self.hits.push(Hit {
                    rule: self.rs.rules[c.rule].id.to_string(),
                    path: path.clone(),
                    span: (!again).then_some((c.start, c.end)),
                    replacement: shown,
                });
            }
            self.record(c.rule, &path);
        }
        self.s.kept = kept;
        out.push_str(&text[pos..]);
        if drop {
            Outcome::Drop
        } else {
            Outcome::Replace(out)
        }
    }
}

/// Passes over a string at most: the first, and re-scans of its masked result until nothing
/// changes.
const MAX_PASSES: usize = 6;

/// The name of the field a value at `node` belongs to: its own key, or for an array element the
/// array's key.
fn key_of<'a>(node: Option<&PathNode<'a>>) -> Option<&'a str> {
    let mut cur = node;
    while let Some(n) = cur {
        if let Seg::Key(k) = n.seg {
            return Some(k);
        }
        cur = n.parent;
    }
    None
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::json;

    use super::*;

    fn rules(text: &str) -> Ruleset {
        Ruleset::from_sources(
            &[(PathBuf::from("t.toml"), text.to_string())],
            &crate::masking::action::test_keys,
        )
        .expect("test rules load")
    }

    const RULES: &str = r#"
[allow]
paths = ["$.eventId", "$.meta.*"]

[[rule]]
id = "secrets"
fields = ["**.password", "items[*].pin"]
action = "drop"

[[rule]]
id = "names"
fields = ["**.name"]
action = "redact"

[[rule]]
id = "card"
detector = "payment_card"
action = "mask"

[[rule]]
id = "mail"
detector = "email"
action = "redact"
"#;

    #[test]
    fn walks_objects_arrays_and_numbers_with_field_rules_and_allow_list() {
        let rs = rules(RULES);
        let mut doc = json!({
            "eventId": "4111111111111111",
            "meta": {"raw": "a@example.com"},
            "password": {"nested": "anything"},
            "customer": {"Name": {"first": "Ada"}, "Password": "x"},
            "items": [{"pin": 1234, "note": "mail b@example.com"}, 4111111111111111u64, "5555 5555 5555 4444"],
        });
        let report = rs.mask_value(&mut doc);
        assert_eq!(
            doc,
            json!({
                "eventId": "4111111111111111",
                "meta": {"raw": "a@example.com"},
                "customer": {"Name": "[REDACTED]"},
                "items": [{"note": "mail [EMAIL]"}, "****1111", "****4444"],
            })
        );
        let found: Vec<(&str, &str, u32)> = report
            .findings
            .iter()
            .map(|f| (&*f.rule, f.path.as_str(), f.count))
            .collect();
        assert_eq!(
            found,
            vec![
                ("secrets", "$.password", 1),
                ("names", "$.customer.Name", 1),
                ("secrets", "$.customer.Password", 1),
                ("secrets", "$.items[0].pin", 1),
                ("mail", "$.items[0].note", 1),
                ("card", "$.items[1]", 1),
                ("card", "$.items[2]", 1),
            ]
        );
        assert_eq!(report.total(), 7);
        assert_eq!(
            report.by_rule(),
            vec![("card", 2), ("mail", 1), ("names", 1), ("secrets", 3)]
        );
    }

    #[test]
    fn counts_repeated_findings_in_one_value_and_keeps_text_around_them() {
        let rs = rules(RULES);
        let mut doc = json!({"m": "a@example.com, b@example.com and 4111-1111-1111-1111."});
        let report = rs.mask_value(&mut doc);
        assert_eq!(doc, json!({"m": "[EMAIL], [EMAIL] and ****1111."}));
        assert_eq!(report.findings[0].count, 2);
    }

    #[test]
    fn overlapping_findings_resolve_to_one_replacement() {
        let rs = rules(
            "[[rule]]\nid = \"long\"\npattern = 'ID-\\d+-\\d+'\naction = \"redact\"\n\n[[rule]]\nid = \"short\"\npattern = '\\d+-\\d+'\naction = \"redact\"\nplaceholder = \"[S]\"\n",
        );
        let (masked, report) = rs.mask_text("x ID-12-34 and 56-78");
        assert_eq!(masked, "x [REDACTED] and [S]");
        let rules: Vec<&str> = report.findings.iter().map(|f| &*f.rule).collect();
        assert_eq!(rules, vec!["long", "short"]);
        // `candidates` shows the overlapped one too.
        assert_eq!(rs.candidates("ID-12-34").len(), 2);
    }

    #[test]
    fn drop_by_a_text_rule_removes_the_field_and_in_text_mode_the_match() {
        let rs = rules("[[rule]]\nid = \"mail\"\ndetector = \"email\"\naction = \"drop\"\n");
        let mut doc = json!({"keep": "no pii", "gone": "write a@example.com", "list": ["x", "a@example.com"]});
        rs.mask_value(&mut doc);
        assert_eq!(doc, json!({"keep": "no pii", "list": ["x"]}));
        assert_eq!(rs.mask_text("write a@example.com now").0, "write  now");
    }

    #[test]
    fn hash_tokens_are_stable_per_value_and_differ_between_values() {
        let rs = rules(
            "[hashing]\nkey_id = \"t1\"\nkey_env = \"EM_ENGINE_TEST_UNSET_KEY\"\n\n[[rule]]\nid = \"card\"\ndetector = \"payment_card\"\naction = \"hash\"\n",
        );
        let a = rs.mask_text("4111 1111 1111 1111").0;
        let b = rs.mask_text("4111111111111111").0;
        let c = rs.mask_text("5555555555554444").0;
        assert!(a.starts_with("tok_t1_"));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn keys_holding_personal_data_are_masked_too() {
        let rs = rules(RULES);
        let mut doc = json!({"contacts": {"a@example.com": "primary", "b@example.com": "backup", "4111111111111111": 1, "plain": 2}});
        let report = rs.mask_value(&mut doc);
        assert_eq!(
            doc,
            json!({"contacts": {"[EMAIL]": "primary", "[EMAIL]~2": "backup", "****1111": 1, "plain": 2}})
        );
        assert!(report.findings.iter().all(|f| f.path == "$.contacts"));
        assert_eq!(report.total(), 3);
    }

    #[test]
    fn a_longer_overlapping_match_is_masked_to_its_end() {
        let rs = rules(
            "[[rule]]\nid = \"order\"\npattern = 'ORD-\\d{6}'\naction = \"redact\"\n\n[[rule]]\nid = \"card\"\ndetector = \"payment_card\"\naction = \"mask\"\n",
        );
        let (masked, _) = rs.mask_text("ref ORD-4111111111111111 ok");
        assert_eq!(masked, "ref [REDACTED] ok");
    }

    #[test]
    fn a_drop_at_the_root_leaves_nothing() {
        let rs = rules("[[rule]]\nid = \"mail\"\ndetector = \"email\"\naction = \"drop\"\n");
        let mut doc = json!("write a@example.com");
        rs.mask_value(&mut doc);
        assert_eq!(doc, Value::Null);
    }

    #[test]
    fn any_mask_rule_keeps_card_display_limits() {
        let rs = rules(
            "[[rule]]\nid = \"ref-field\"\nfields = [\"**.reference\"]\naction = \"mask\"\nkeep_first = 8\nkeep_last = 7\n",
        );
        let mut doc =
            json!({"reference": "4111111111111111", "other": {"reference": "AB-1234567890"}});
        rs.mask_value(&mut doc);
        assert_eq!(
            doc["reference"], "41111111****1111",
            "BIN + last 4 at most for a card, whatever the rule says"
        );
        assert_eq!(
            doc["other"]["reference"], "****567890",
            "not a card: never more than half of a short value"
        );
    }

    #[test]
    fn cards_split_over_arrays_and_sibling_fields_are_masked_with_the_card_action() {
        let rs = rules(RULES);
        let ones = format!("[\"4\",{}]", vec!["\"1\""; 15].join(","));
        let text = format!(
            r#"{{"a":["4111","1111","1111","1111"],"n":[4111,1111,1111,1111],"d":{ones},
                "c":{{"card1":"4111","card2":"1111","card3":"1111","card4":"1111","other":"x"}},
                "p":{{"last4":"1111","first6":"411111","middle":"111111"}},
                "keep":["2024","05","01"],"dates":{{"d1":"2024","d2":"11"}}}}"#
        );
        let mut doc: Value = serde_json::from_str(&text).expect("json");
        let report = rs.mask_value(&mut doc);
        assert_eq!(doc["a"], json!(["****", "****", "****", "1111"]));
        assert_eq!(doc["n"], json!(["****", "****", "****", "1111"]));
        let d: Vec<&str> = doc["d"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(d.concat(), "************1111");
        assert_eq!(
            doc["c"],
            json!({"card1": "****", "card2": "****", "card3": "****", "card4": "1111", "other": "x"})
        );
        assert_eq!(
            doc["p"],
            json!({"last4": "1111", "first6": "******", "middle": "******"})
        );
        assert_eq!(doc["keep"], json!(["2024", "05", "01"]));
        assert_eq!(doc["dates"], json!({"d1": "2024", "d2": "11"}));
        assert_eq!(report.by_rule(), vec![("card", 5)]);
    }

    #[test]
    fn numbers_in_any_notation_are_read_by_their_value() {
        let rs = rules(RULES);
        for raw in [
            "44174818672573710e-1",
            "4.417481867257371e15",
            "4417481867257371.000",
            "4417481867257371E0",
        ] {
            let mut doc: Value = serde_json::from_str(&format!(r#"{{"x":{raw}}}"#)).expect("json");
            rs.mask_value(&mut doc);
            assert_eq!(doc["x"], "****7371", "{raw}");
        }
        // Not integers, or Luhn-invalid: left as numbers.
        let mut doc: Value =
            serde_json::from_str(r#"{"x":1.5e3,"y":4417481867257372e0,"z":4.4174818672573715e15}"#)
                .expect("json");
        rs.mask_value(&mut doc);
        assert!(["x", "y", "z"].iter().all(|k| doc[k].is_number()), "{doc}");
    }

    #[test]
    fn detailed_hits_carry_positions_and_masked_values_only() {
        let rs = rules(RULES);
        let mut doc = json!({"note": "card 4111111111111111"});
        let (_, hits) = rs.mask_value_detailed(&mut doc);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].span, Some((5, 21)));
        assert_eq!(hits[0].replacement, "****1111");
        assert_eq!(hits[0].path, "$.note");
    }
}
