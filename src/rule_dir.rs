//! The rule directory and the hashing key: the I/O the masking engine does not do.
//!
//! [`load`] reads every `*.toml` file of a directory in name order, takes the keyed-hash key from
//! the environment variable the `[hashing]` section names (or, for editors' tools, a random one),
//! and hands both to the pure compiler ([`Ruleset::from_sources`]). The worker, its hot reload, the
//! command line, the benches and the tests all load rules through here.

use std::path::{Path, PathBuf};

use crate::masking::action::{HashKey, MIN_KEY_BYTES};
use crate::masking::{LoadError, Location, RuleProblem, Ruleset};

/// How to find the keyed-hash key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPolicy {
    /// The environment variable named in `[hashing]` must hold the key (the worker and `mask`).
    Required,
    /// When the variable is unset, use a random key for this process only (`rules check/test/explain/diff`,
    /// which must work on an editor's laptop without production secrets). Tokens then differ per run.
    EphemeralIfMissing,
}

/// Loads every `*.toml` file of `dir` in name order and compiles them into one ruleset.
pub fn load(dir: &Path, keys: KeyPolicy) -> Result<Ruleset, LoadError> {
    let sources = read_sources(dir)?;
    Ruleset::from_sources(&sources, &|id, env| key_from_env(id, env, keys))
}

/// The `(path, text)` of every `*.toml` file of `dir`, in name order. Unreadable or non-UTF-8 files
/// are problems with their file and line; an empty directory is refused.
pub fn read_sources(dir: &Path) -> Result<Vec<(PathBuf, String)>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Dir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(LoadError::Empty(dir.to_path_buf()));
    }
    let mut sources = Vec::with_capacity(files.len());
    let mut problems = Vec::new();
    for file in files {
        match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => sources.push((file, text)),
                Err(e) => {
                    let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                    problems.push(RuleProblem {
                        at: Location {
                            file,
                            line: 1 + memchr::memchr_iter(b'\n', valid).count(),
                        },
                        rule: None,
                        message: "the file is not valid UTF-8".to_string(),
                    })
                }
            },
            Err(e) => problems.push(RuleProblem {
                at: Location { file, line: 1 },
                rule: None,
                message: format!("cannot read the file: {e}"),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(LoadError::Invalid(problems));
    }
    Ok(sources)
}

/// Reads the key `id` from the environment variable `env`, or makes a random one when the policy
/// allows (and says so in the log, naming the key id and variable, never a key).
pub fn key_from_env(id: &str, env: &str, policy: KeyPolicy) -> Result<HashKey, String> {
    match std::env::var(env) {
        Ok(v) => HashKey::new(id, v.as_bytes()).map_err(|e| format!("{e} (from ${env})")),
        Err(_) if policy == KeyPolicy::EphemeralIfMissing => {
            tracing::warn!(
                key_id = id,
                env,
                "hashing key variable is unset; using a random key for this run only"
            );
            let mut key = [0u8; MIN_KEY_BYTES];
            getrandom::fill(&mut key).map_err(|e| format!("cannot make a random key: {e}"))?;
            HashKey::new(id, &key)
        }
        Err(std::env::VarError::NotPresent) => Err(format!(
            "the hashing key variable ${env} is not set; set it to a secret of at least {MIN_KEY_BYTES} bytes \
             (e.g. `openssl rand -hex 32`)"
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("${env} is not valid UTF-8")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_toml_files_in_name_order_and_refuses_empty_or_broken_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(read_sources(dir.path()), Err(LoadError::Empty(_))));
        std::fs::write(dir.path().join("20-b.toml"), "# b\n").expect("write");
        std::fs::write(dir.path().join("10-a.toml"), "# a\n").expect("write");
        std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
        let names: Vec<String> = read_sources(dir.path())
            .expect("sources")
            .iter()
            .map(|(p, _)| p.file_name().expect("name").to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["10-a.toml", "20-b.toml"]);
        std::fs::write(dir.path().join("30-c.toml"), b"ok\n\xff").expect("write");
        match read_sources(dir.path()) {
            Err(LoadError::Invalid(p)) => {
                assert_eq!(p[0].at.line, 2);
                assert!(p[0].message.contains("UTF-8"));
            }
            other => panic!("expected a problem, got {other:?}"),
        }
    }

    #[test]
    fn a_required_key_must_be_set() {
        let err = key_from_env("k", "EM_RULE_DIR_TEST_UNSET_KEY", KeyPolicy::Required)
            .expect_err("unset");
        assert!(err.contains("EM_RULE_DIR_TEST_UNSET_KEY"), "{err}");
        let key = key_from_env(
            "k",
            "EM_RULE_DIR_TEST_UNSET_KEY",
            KeyPolicy::EphemeralIfMissing,
        )
        .expect("ephemeral key");
        assert_eq!(key.id(), "k");
    }
}
