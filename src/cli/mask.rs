//! `escalation-masker mask`: JSON, JSON Lines or text in, masked lines out.
//!
//! Input is read line by line as bytes, so a line that is not UTF-8 or not JSON is reported by its
//! number and skipped — never echoed, since it may hold exactly the data we exist to hide — and the
//! rest is still processed. A pretty-printed JSON document spanning several lines is recognised when
//! its first line alone is not valid JSON but the whole input is.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};

use super::MaskArgs;
use crate::egress;
use crate::masking::{Report, Ruleset};
use crate::rule_dir::{self, KeyPolicy};

/// How `mask_stream` reads its input.
#[derive(Debug, Clone, Copy, Default)]
pub struct MaskOptions {
    /// Each line is plain text, not JSON.
    pub text: bool,
}

/// What `mask_stream` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaskStats {
    /// Documents (or text lines) masked and written.
    pub written: usize,
    /// Lines refused (invalid UTF-8 or JSON).
    pub errors: usize,
    /// Findings over all documents.
    pub findings: u64,
    /// Card numbers the rules let through (an allow-list, a disabled rule) that the egress check
    /// masked before writing: each is an error in the rules.
    pub egress: usize,
}

pub(super) fn run(args: &MaskArgs) -> anyhow::Result<ExitCode> {
    let rs = rule_dir::load(&args.rules, KeyPolicy::Required)
        .with_context(|| format!("loading masking rules from {}", args.rules.display()))?;
    tracing::info!(
        version = rs.version(),
        rules = rs.rules().len(),
        "masking rules loaded"
    );
    let input: Box<dyn Read> = match &args.file {
        Some(p) if p.as_os_str() != "-" => {
            Box::new(File::open(p).with_context(|| format!("opening {}", p.display()))?)
        }
        _ => Box::new(io::stdin().lock()),
    };
    let mut report = match &args.report {
        Some(p) => {
            Some(BufWriter::new(File::create(p).with_context(|| {
                format!("creating report file {}", p.display())
            })?))
        }
        None => None,
    };
    let stdout = io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let opts = MaskOptions { text: args.text };
    let stats = mask_stream(
        &rs,
        BufReader::new(input),
        &mut out,
        report.as_mut().map(|w| w as &mut dyn Write),
        opts,
    )?;
    out.flush().context("writing output")?;
    if let Some(r) = report.as_mut() {
        r.flush().context("writing report")?;
    }
    tracing::info!(
        written = stats.written,
        errors = stats.errors,
        findings = stats.findings,
        egress = stats.egress,
        "mask finished"
    );
    Ok(if stats.errors > 0 || stats.egress > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Masks every line of `input` into `out`, writing per-line findings to `report`. Bad lines are
/// reported on stderr by number (their content never), counted, and skipped.
pub fn mask_stream(
    rs: &Ruleset,
    mut input: impl BufRead,
    out: &mut dyn Write,
    mut report: Option<&mut dyn Write>,
    opts: MaskOptions,
) -> anyhow::Result<MaskStats> {
    let mut stats = MaskStats::default();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut seen_content = false;
    loop {
        buf.clear();
        if input.read_until(b'\n', &mut buf).context("reading input")? == 0 {
            break;
        }
        line_no += 1;
        let line = trim_newline(&buf);
        if line.iter().all(u8::is_ascii_whitespace) && !opts.text {
            continue;
        }
        if !opts.text
            && !seen_content
            && starts_document(line)
            && serde_json::from_slice::<Value>(line).is_err()
        {
            // Possibly a pretty-printed document: read everything and try it as one.
            let mut all = buf.clone();
            input.read_to_end(&mut all).context("reading input")?;
            if let Ok(mut doc) = serde_json::from_slice::<Value>(&all) {
                let (r, leaks) = mask_document(rs, &mut doc);
                emit_json(out, &doc)?;
                written(line_no, &r, &leaks, &mut report, &mut stats)?;
                return Ok(stats);
            }
            return rest_by_lines(rs, &all, line_no, out, report, opts, stats);
        }
        seen_content = true;
        process_line(rs, line, line_no, out, &mut report, opts, &mut stats)?;
    }
    Ok(stats)
}

fn rest_by_lines(
    rs: &Ruleset,
    all: &[u8],
    first_line: usize,
    out: &mut dyn Write,
    mut report: Option<&mut dyn Write>,
    opts: MaskOptions,
    mut stats: MaskStats,
) -> anyhow::Result<MaskStats> {
    for (i, raw) in all.split(|&b| b == b'\n').enumerate() {
        let line = trim_newline(raw);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        process_line(rs, line, first_line + i, out, &mut report, opts, &mut stats)?;
    }
    Ok(stats)
}

fn process_line(
    rs: &Ruleset,
    line: &[u8],
    line_no: usize,
    out: &mut dyn Write,
    report: &mut Option<&mut dyn Write>,
    opts: MaskOptions,
    stats: &mut MaskStats,
) -> anyhow::Result<()> {
    let text = match std::str::from_utf8(line) {
        Ok(t) => t,
        Err(e) => {
            let msg = format!("invalid UTF-8 at byte {}", e.valid_up_to());
            return refuse(line_no, &msg, report, stats);
        }
    };
    if opts.text {
        let (masked, r) = rs.mask_text(text);
        let (masked, leaks) = match egress::scrub_text(&masked, &egress::card_replacement(rs)) {
            Some(scrubbed) => (scrubbed, vec!["$".to_string()]),
            None => (masked, Vec::new()),
        };
        out.write_all(masked.as_bytes()).context("writing output")?;
        out.write_all(b"\n").context("writing output")?;
        return written(line_no, &r, &leaks, report, stats);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut doc) => {
            let (r, leaks) = mask_document(rs, &mut doc);
            emit_json(out, &doc)?;
            written(line_no, &r, &leaks, report, stats)
        }
        Err(e) => refuse(
            line_no,
            &format!("invalid JSON: {}", super::json_error(&e)),
            report,
            stats,
        ),
    }
}

/// Masks one document, then runs the egress check over it: the report, and the paths where the
/// check masked a card the rules let through.
fn mask_document(rs: &Ruleset, doc: &mut Value) -> (Report, Vec<String>) {
    let report = rs.mask_value(doc);
    let leaks = egress::scrub(doc, &egress::card_replacement(rs));
    (report, leaks)
}

/// Books one written line: its report entry, the egress findings (paths where the egress check
/// masked a card the rules let through, also on stderr) and the counters.
fn written(
    line_no: usize,
    r: &Report,
    leaks: &[String],
    report: &mut Option<&mut dyn Write>,
    stats: &mut MaskStats,
) -> anyhow::Result<()> {
    let mut entry =
        json!({"line": line_no, "ruleset_version": &*r.ruleset_version, "findings": r.findings});
    if !leaks.is_empty() {
        eprintln!(
            "error: line {line_no}: the rules let {} card number(s) through at {}; the egress check \
             masked them (check the allow-list and the card rules)",
            leaks.len(),
            leaks.join(", ")
        );
        entry["egress"] = json!(leaks);
        stats.egress += leaks.len();
    }
    write_report(report, entry)?;
    stats.written += 1;
    stats.findings += u64::from(r.total());
    Ok(())
}

fn refuse(
    line_no: usize,
    msg: &str,
    report: &mut Option<&mut dyn Write>,
    stats: &mut MaskStats,
) -> anyhow::Result<()> {
    eprintln!("error: line {line_no}: {msg} (line skipped, not echoed)");
    write_report(report, json!({"line": line_no, "error": msg}))?;
    stats.errors += 1;
    Ok(())
}

fn emit_json(out: &mut dyn Write, doc: &Value) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, doc).context("writing output")?;
    out.write_all(b"\n").context("writing output")
}

fn write_report(report: &mut Option<&mut dyn Write>, entry: Value) -> anyhow::Result<()> {
    if let Some(r) = report.as_mut() {
        serde_json::to_writer(&mut **r, &entry).context("writing report")?;
        r.write_all(b"\n").context("writing report")?;
    }
    Ok(())
}

fn trim_newline(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn starts_document(line: &[u8]) -> bool {
    matches!(
        line.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}
