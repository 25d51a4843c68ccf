//! Dates of birth.

use std::ops::Range;

use super::Hints;

/// Whether a string with these counts can hold a date of birth.
pub(crate) fn may_match(hints: &Hints) -> bool {
    hints.digits + hints.odd >= 2 && hints.letters + hints.odd >= 3
}

/// Finds dates of birth.
pub fn find(_text: &str, _out: &mut Vec<Range<usize>>) {}
