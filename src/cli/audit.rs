//! `escalation-masker audit …`: the auditors' tools — query, verify, export, stats.

use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::{AuditCommand, AuditFormat, AuditQueryArgs};
use crate::audit::{self, AuditRecord, AuditStore, GENESIS, Outcome, Query};

use super::runtime;

/// Normalises a user-given time (see [`audit::normalise_time`]) for the commands.
pub(crate) fn normalise_time(t: &str) -> anyhow::Result<String> {
    audit::normalise_time(t).map_err(anyhow::Error::msg)
}

/// The first line of an export bundle: where the range sits in the chain.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExportHeader {
    kind: String,
    since: Option<String>,
    until: Option<String>,
    prev_seq: i64,
    prev_hash: String,
}

/// The last line of an export bundle: what the range hashes to.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExportTrailer {
    count: u64,
    head: String,
}

const EXPORT_KIND: &str = "escalation-masker-audit-export/1";
const PAGE: usize = 10_000;

pub(super) fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async move {
        match cmd {
            AuditCommand::Query(args) => query(&args).await,
            AuditCommand::Verify {
                db,
                file,
                expect_head,
            } => {
                let expect = expect_head
                    .as_deref()
                    .map(parse_expected_head)
                    .transpose()?;
                match file {
                    Some(f) => verify_file(&f, expect.as_ref()),
                    None => verify_db(&*audit::open_read_only(&db).await?, expect.as_ref()).await,
                }
            }
            AuditCommand::Export {
                db,
                since,
                until,
                out,
            } => export(&db, since.as_deref(), until.as_deref(), &out).await,
            AuditCommand::Stats { db, format } => {
                let stats = audit::open_read_only(&db).await?.stats().await?;
                match format {
                    AuditFormat::Json => println!("{}", serde_json::to_string_pretty(&stats)?),
                    _ => {
                        println!("records: {}", stats.records);
                        for (title, rows) in [
                            ("by outcome", &stats.by_outcome),
                            ("by rule", &stats.by_rule),
                            ("by day", &stats.by_day),
                        ] {
                            println!("{title}:");
                            for (k, n) in rows {
                                println!("  {k:<40} {n:>10}");
                            }
                        }
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

async fn query(args: &AuditQueryArgs) -> anyhow::Result<ExitCode> {
    let outcome = match &args.outcome {
        Some(o) => Some(Outcome::parse(o).ok_or_else(|| {
            anyhow::anyhow!(
                "unknown outcome {o:?}: use delivered, duplicate, dead_lettered or blocked"
            )
        })?),
        None => None,
    };
    let q = Query {
        conversation_id: args.conversation.clone(),
        event_id: args.event.clone(),
        since: args.since.as_deref().map(normalise_time).transpose()?,
        until: args.until.as_deref().map(normalise_time).transpose()?,
        outcome,
        limit: args.limit,
    };
    let store = audit::open_read_only(&args.db).await?;
    let records = store.query(&q).await?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_records(&mut out, &records, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes records as a table, JSON Lines or CSV.
pub(crate) fn write_records(
    out: &mut dyn Write,
    records: &[AuditRecord],
    format: AuditFormat,
) -> anyhow::Result<()> {
    let rules = |r: &AuditRecord| {
        r.record
            .findings
            .iter()
            .map(|f| format!("{}×{}", f.rule, f.count))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match format {
        AuditFormat::Json => {
            for r in records {
                serde_json::to_writer(&mut *out, r)?;
                writeln!(out)?;
            }
        }
        AuditFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "seq",
                "at",
                "event_id",
                "conversation_id",
                "participant_id",
                "source",
                "outcome",
                "reason",
                "target",
                "http_status",
                "attempts",
                "ruleset_version",
                "rules",
                "hash",
            ])?;
            for r in records {
                let x = &r.record;
                w.write_record([
                    r.seq.to_string(),
                    x.at.clone(),
                    x.event_id.clone(),
                    x.conversation_id.clone(),
                    x.participant_id.clone().unwrap_or_default(),
                    x.source.clone().unwrap_or_default(),
                    x.outcome.as_str().to_string(),
                    x.reason.clone().unwrap_or_default(),
                    x.target.clone().unwrap_or_default(),
                    x.http_status.map(|s| s.to_string()).unwrap_or_default(),
                    x.attempts.to_string(),
                    x.ruleset_version.clone(),
                    rules(r),
                    r.hash.clone(),
                ])?;
            }
            w.flush()?;
        }
        AuditFormat::Table => {
            writeln!(
                out,
                "{:>6}  {:<24}  {:<24}  {:<38}  {:<13}  {:<20}  {:>4}  RULES",
                "SEQ", "AT", "EVENT", "CONVERSATION", "OUTCOME", "REASON", "HTTP"
            )?;
            for r in records {
                let x = &r.record;
                writeln!(
                    out,
                    "{:>6}  {:<24}  {:<24}  {:<38}  {:<13}  {:<20}  {:>4}  {}",
                    r.seq,
                    x.at,
                    x.event_id,
                    x.conversation_id,
                    x.outcome.as_str(),
                    x.reason.as_deref().unwrap_or("-"),
                    x.http_status.map_or("-".to_string(), |s| s.to_string()),
                    rules(r)
                )?;
            }
            writeln!(out, "({} record(s))", records.len())?;
        }
    }
    Ok(())
}

/// `SEQ:HASH`, a head published earlier (e.g. by an export) that the log must still contain.
fn parse_expected_head(s: &str) -> anyhow::Result<(i64, String)> {
    let (seq, hash) = s
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("--expect-head takes SEQ:HASH"))?;
    let seq: i64 = seq
        .parse()
        .map_err(|_| anyhow::anyhow!("--expect-head: {seq:?} is not a sequence number"))?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        anyhow::bail!("--expect-head: the hash must be 64 hex digits");
    }
    Ok((seq, hash.to_ascii_lowercase()))
}

async fn verify_db(
    store: &dyn AuditStore,
    expect: Option<&(i64, String)>,
) -> anyhow::Result<ExitCode> {
    let v = audit::verify_store(store, expect).await?;
    match &v.broken {
        Some(reason) => {
            println!("BROKEN{reason}");
            Ok(ExitCode::from(1))
        }
        None => {
            println!(
                "ok: {} record(s), chain intact, head {}:{}",
                v.records, v.head_seq, v.head_hash
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn export(
    db: &str,
    since: Option<&str>,
    until: Option<&str>,
    out: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let store = audit::open_read_only(db).await?;
    let since = since.map(normalise_time).transpose()?;
    let until = until.map(normalise_time).transpose()?;
    // The contiguous sequence range that covers the window, so the bundle verifies on its own.
    let in_window = store
        .query(&Query {
            since: since.clone(),
            until: until.clone(),
            ..Query::default()
        })
        .await?;
    let (first, last) = match (in_window.first(), in_window.last()) {
        (Some(f), Some(l)) => (f.seq, l.seq),
        _ => (1, 0),
    };
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?,
    );
    let prev = if first > 1 {
        store.scan(first - 2, 1).await?.pop().map(|r| r.hash)
    } else {
        None
    };
    let header = ExportHeader {
        kind: EXPORT_KIND.to_string(),
        since,
        until,
        prev_seq: first - 1,
        prev_hash: prev.unwrap_or_else(|| GENESIS.to_string()),
    };
    serde_json::to_writer(&mut file, &header)?;
    writeln!(file)?;
    let (mut after, mut head, mut count) = (first - 1, header.prev_hash.clone(), 0u64);
    while after < last {
        let page = store.scan(after, PAGE.min((last - after) as usize)).await?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            serde_json::to_writer(&mut file, r)?;
            writeln!(file)?;
            head = r.hash.clone();
            count += 1;
        }
        after = page.last().map_or(last, |r| r.seq);
    }
    serde_json::to_writer(
        &mut file,
        &ExportTrailer {
            count,
            head: head.clone(),
        },
    )?;
    writeln!(file)?;
    file.flush()?;
    println!(
        "exported {count} record(s) to {}; chain head {last}:{head}",
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn verify_file(path: &std::path::Path, expect: Option<&(i64, String)>) -> anyhow::Result<ExitCode> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let lines: Vec<String> = BufReader::new(file).lines().collect::<Result<_, _>>()?;
    let bad = |what: &str| anyhow::anyhow!("{} is not an audit export: {what}", path.display());
    if lines.len() < 2 {
        return Err(bad("a bundle has a header line and a trailer line"));
    }
    let header: ExportHeader = lines
        .first()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| bad("no header line"))?;
    if header.kind != EXPORT_KIND {
        return Err(bad("unknown kind"));
    }
    let trailer: ExportTrailer = lines
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| bad("no trailer line"))?;
    let mut records = Vec::new();
    for (i, l) in lines[1..lines.len().saturating_sub(1)].iter().enumerate() {
        let r: AuditRecord = serde_json::from_str(l)
            .map_err(|e| bad(&format!("line {}: {}", i + 2, super::json_error(&e))))?;
        records.push(r);
    }
    let v = audit::verify_from(header.prev_seq, &header.prev_hash, &records);
    if let Some(b) = v.broken {
        println!("BROKEN at record {}: {}", b.seq, b.reason);
        return Ok(ExitCode::from(1));
    }
    if v.head != trailer.head || v.records != trailer.count {
        println!(
            "BROKEN: the bundle's signed-off head or count does not match its records (records added, removed or changed)"
        );
        return Ok(ExitCode::from(1));
    }
    let seen: std::collections::HashMap<i64, String> =
        records.iter().map(|r| (r.seq, r.hash.clone())).collect();
    let last = records.last().map_or(header.prev_seq, |r| r.seq);
    if let Some(reason) = crate::audit::verify::check_expected(expect, &seen, last) {
        println!("BROKEN: {reason}");
        return Ok(ExitCode::from(1));
    }
    println!(
        "ok: {} record(s), chain intact from record {}, head {last}:{}",
        v.records,
        header.prev_seq + 1,
        v.head
    );
    Ok(ExitCode::SUCCESS)
}
