//! What can be wrong with rule files, said precisely enough (file, line, rule id, how to fix it)
//! for a compliance editor to act without help.

use std::fmt;
use std::path::PathBuf;

/// Where a rule came from, for error messages and `rules test` output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The rule file.
    pub file: PathBuf,
    /// 1-based line of the rule's start.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One problem in a rule directory, precise enough for a compliance editor to fix without help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// File and line.
    pub at: Location,
    /// The rule id, when the problem belongs to one rule.
    pub rule: Option<String>,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule {
            Some(id) => write!(f, "{}: rule `{}`: {}", self.at, id, self.message),
            None => write!(f, "{}: {}", self.at, self.message),
        }
    }
}

/// `"; did you mean `x`?"` when one of `known` is close to `given` (a typo), else nothing: the
/// end of a message that names an unknown kind, list or word.
pub(crate) fn did_you_mean<'a>(given: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    let given = given.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(&given, &k.to_lowercase()), k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

/// Why a rule directory could not become a ruleset.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory itself could not be listed.
    #[error("cannot read rules directory {path}: {source}")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory with no rule files would mask nothing; that is never what anyone wants.
    #[error("no rule files (*.toml) in {0}: refusing to run with an empty ruleset")]
    Empty(PathBuf),
    /// One or more problems in the files.
    #[error("{} problem(s) in the masking rules:\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<RuleProblem>),
}

struct ProblemList<'a>(&'a [RuleProblem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_only_what_is_close() {
        assert_eq!(
            did_you_mean("phon", ["phone", "not_phone"]),
            "; did you mean `phone`?"
        );
        assert_eq!(
            did_you_mean("EN_LABLE", ["en_label", "en"]),
            "; did you mean `en_label`?"
        );
        assert_eq!(did_you_mean("xyz", ["phone", "not_phone"]), "");
    }
}
