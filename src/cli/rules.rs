//! `escalation-masker rules …`: the compliance editor's tools.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::Value;

use super::{ExplainArgs, RulesCommand};
use crate::masking::detectors::WordKind;
use crate::masking::problems::did_you_mean;
use crate::masking::ruleset::Matcher;
use crate::masking::{LoadError, Ruleset, diff, examples};
use crate::rule_dir::{self, KeyPolicy};

/// Sample events `rules diff` uses when no file is given.
const SAMPLE_EVENTS: &str = include_str!("../../examples/events.jsonl");

pub(super) fn run(cmd: RulesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        RulesCommand::Check { dir } => check(&dir),
        RulesCommand::Test { dir } => test(&dir),
        RulesCommand::Explain(args) => explain(&args),
        RulesCommand::Words { kind, rules } => words(kind.as_deref(), rules.as_deref()),
        RulesCommand::Diff {
            old,
            new,
            file,
            exit_code,
        } => {
            let old_rs = load(&old)?;
            let new_rs = load(&new)?;
            let sample = match &file {
                Some(p) => std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?,
                None => SAMPLE_EVENTS.to_string(),
            };
            let diffs = diff::diff_jsonl(&old_rs, &new_rs, &sample);
            println!(
                "old rules {} -> new rules {}",
                old_rs.version(),
                new_rs.version()
            );
            print!("{}", diff::render(&diffs));
            Ok(if exit_code && !diffs.is_empty() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn load(dir: &Path) -> anyhow::Result<Ruleset> {
    rule_dir::load(dir, KeyPolicy::EphemeralIfMissing)
        .with_context(|| format!("loading masking rules from {}", dir.display()))
}

/// Loads for check/test: problems in the files are the command's output (exit 1), not a failure to run.
fn load_reporting(dir: &Path) -> anyhow::Result<Result<Ruleset, ExitCode>> {
    match rule_dir::load(dir, KeyPolicy::EphemeralIfMissing) {
        Ok(rs) => Ok(Ok(rs)),
        Err(LoadError::Invalid(problems)) => {
            for p in &problems {
                eprintln!("error: {p}");
            }
            eprintln!("{} problem(s) in {}", problems.len(), dir.display());
            Ok(Err(ExitCode::from(1)))
        }
        Err(e) => Err(e.into()),
    }
}

fn check(dir: &Path) -> anyhow::Result<ExitCode> {
    let rs = match load_reporting(dir)? {
        Ok(rs) => rs,
        Err(code) => return Ok(code),
    };
    let enabled = rs.rules().iter().filter(|r| r.enabled).count();
    println!(
        "ok: {} rule(s), {enabled} enabled, {} allow-listed path(s); version {}",
        rs.rules().len(),
        rs.allow_list().len(),
        rs.version()
    );
    Ok(ExitCode::SUCCESS)
}

fn test(dir: &Path) -> anyhow::Result<ExitCode> {
    let rs = match load_reporting(dir)? {
        Ok(rs) => rs,
        Err(code) => return Ok(code),
    };
    let run = examples::run(&rs);
    for f in &run.failures {
        println!("FAIL {f}");
    }
    for id in &run.rules_without_examples {
        eprintln!("warning: rule `{id}` has no examples");
    }
    println!(
        "{} passed, {} failed",
        run.checked - run.failures.len(),
        run.failures.len()
    );
    Ok(if run.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn words(kind: Option<&str>, rules: Option<&Path>) -> anyhow::Result<ExitCode> {
    let chosen: Vec<WordKind> = match kind {
        None => WordKind::ALL.to_vec(),
        Some(name) => match WordKind::parse(name) {
            Some(k) => vec![k],
            None => {
                let names = WordKind::ALL.map(WordKind::name);
                anyhow::bail!(
                    "no context words of kind {name:?}{}; the kinds are: {}",
                    did_you_mean(name, names),
                    names.join(", ")
                )
            }
        },
    };
    let ruleset = rules.map(load).transpose()?;
    for k in chosen {
        println!("# {}", k.name());
        let Some(rs) = &ruleset else {
            println!("{}", k.source().trim_end());
            println!();
            continue;
        };
        let (now, built_in) = (rs.lexicon().lists(k), k.builtin_lists());
        if *now == built_in {
            println!("{}", k.source().trim_end());
            println!();
            continue;
        }
        // The built-in file's explanation, then the lists in force.
        for line in k.source().lines().take_while(|l| l.starts_with('#')) {
            println!("{line}");
        }
        let count = |l: &crate::masking::detectors::Lists| l.values().map(Vec::len).sum::<usize>();
        let kept = now
            .values()
            .flatten()
            .filter(|w| built_in.values().any(|l| l.contains(w)));
        let kept = kept.count();
        println!(
            "#\n# In force with the rules in {}: {} built-in words, {} added, {} removed.",
            rules
                .map(Path::display)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            count(&built_in),
            rs.lexicon().added(k).len(),
            count(&built_in) - kept,
        );
        println!();
        print!(
            "{}",
            toml::to_string(now).context("listing the context words")?
        );
        println!();
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(args: &ExplainArgs) -> anyhow::Result<ExitCode> {
    let rs = load(&args.dir)?;
    println!("ruleset {}", rs.version());
    if let Some(text) = &args.text {
        let (masked, _, hits) = rs.mask_text_detailed(text);
        let won: Vec<(usize, usize, &str)> = hits
            .iter()
            .filter_map(|h| h.span.map(|(s, e)| (s, e, h.rule.as_str())))
            .collect();
        let cands = rs.candidates(text);
        if cands.is_empty() {
            println!("no rule matches");
        }
        for (span, i) in cands {
            let rule = &rs.rules()[i];
            let applied = won
                .iter()
                .any(|&(s, e, r)| s == span.start && e == span.end && r == &*rule.id);
            let hit = hits
                .iter()
                .find(|h| h.span == Some((span.start, span.end)) && *h.rule == *rule.id);
            let status = match hit {
                Some(h) if applied => format!("-> {}", h.replacement),
                _ => "(overlaps an earlier or longer match; not applied)".to_string(),
            };
            let decided = match &rule.matcher {
                Matcher::Builtin(b) => b
                    .context_word(rs.lexicon(), text, span.start)
                    .map(|w| format!(", context word \"{w}\""))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            println!(
                "  [{}..{}] rule `{}` ({}{decided}, action {}, {}) {status}",
                span.start,
                span.end,
                rule.id,
                rule.kind(),
                rule.action.name(),
                rule.at
            );
        }
        println!("masked: {masked}");
    } else if let Some(json) = &args.json {
        let mut doc: Value = serde_json::from_str(json)
            .map_err(|e| anyhow::anyhow!("--json is not valid JSON: {}", super::json_error(&e)))?;
        let (report, hits) = rs.mask_value_detailed(&mut doc);
        if hits.is_empty() {
            println!("no rule matches");
        }
        for h in &hits {
            let span = h
                .span
                .map(|(s, e)| format!(" [{s}..{e}]"))
                .unwrap_or_else(|| " (whole value)".into());
            println!("  {}{span} rule `{}` -> {}", h.path, h.rule, h.replacement);
        }
        println!("{} finding(s)", report.total());
        println!("masked: {}", serde_json::to_string(&doc)?);
    }
    Ok(ExitCode::SUCCESS)
}
