//! The masking engine: rule files in, masked documents and reports out. Pure: no I/O besides reading
//! the rule directory once, no logging of values.
//!
//! Data flows through it like this:
//! 1. [`Ruleset::load`] reads `masking-rules/*.toml` ([`rulefile`] is the format), validates every
//!    rule (file:line errors), compiles detectors, patterns and path patterns, and computes the
//!    version hash.
//! 2. [`Ruleset::mask_value`] walks one JSON document (the `engine` module): allow-listed paths are
//!    skipped, field rules act on whole values, and every string or number is scanned once by all
//!    text rules ([`detectors`] and custom patterns); actions ([`action`]) write the replacements.
//! 3. The caller gets the masked document and a [`Report`] naming rule ids, counts and JSON paths.
//!
//! [`examples`] runs the rules' own examples (`rules test`, and the gate before a hot reload goes
//! live); [`diff`] compares two rulesets on sample events (`rules diff`).

pub mod action;
pub mod canon;
pub mod detectors;
pub mod diff;
mod engine;
pub mod examples;
pub mod path;
mod prefilter;
pub mod report;
pub mod rulefile;
pub mod ruleset;
pub mod split;

pub use report::{Finding, Hit, Report};
pub use ruleset::{KeyPolicy, LoadError, Location, Rule, RuleProblem, Ruleset};
