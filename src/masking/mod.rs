//! The masking engine: rule files in, masked documents and reports out. Pure: it reads no files and
//! no environment (rule sources and hashing keys come in as values; `rule_dir` does that I/O at the
//! edge) and logs no values.
//!
//! Data flows through it like this:
//! 1. [`Ruleset::from_sources`] takes the rule files' texts ([`rulefile`] is the format); the
//!    `compiler` validates every rule (file:line errors), compiles detectors, patterns and path
//!    patterns, and computes the version hash.
//! 2. [`Ruleset::mask_value`] walks one JSON document (the `engine` module): allow-listed paths are
//!    skipped, field rules act on whole values, and every string or number is scanned once by all
//!    text rules ([`detectors`] and custom patterns); the card detectors read each string's
//!    [`canon`]ical view (Unicode digits, invisible characters, encodings) and [`split`] finds cards
//!    spread over arrays and sibling fields; actions ([`action`]) write the replacements.
//! 3. The caller gets the masked document and a [`Report`] naming rule ids, counts and JSON paths.
//!
//! [`examples`] runs the rules' own examples (`rules test`, and the gate before a hot reload goes
//! live); [`diff`] compares two rulesets on sample events (`rules diff`).

pub mod action;
pub mod canon;
mod compiler;
pub mod detectors;
pub mod diff;
mod engine;
pub mod examples;
mod fields;
pub mod path;
mod prefilter;
pub mod problems;
pub mod report;
pub mod rulefile;
pub mod ruleset;
pub mod split;

pub use problems::{LoadError, Location, RuleProblem};
pub use report::{Finding, Hit, Report};
pub use ruleset::{KeySource, Rule, Ruleset};
