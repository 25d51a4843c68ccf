//! `escalation-masker run`, `produce` and `dlq replay`: the worker and the two Kafka tools beside it.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use rdkafka::Message;
use tokio::sync::watch;

use super::{DlqReplayArgs, ProduceArgs, RunArgs, runtime};
use crate::admin::{self, AdminState, auth::Tokens};
use crate::config::Config;
use crate::pipeline::kafka::{self, KafkaProblem};
use crate::pipeline::reload::Reloader;
use crate::pipeline::setup;
use crate::pipeline::worker::{self, WorkerStats};

pub(super) fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let mut cfg = Config::load(&args.config)?;
    if let Some(addr) = &args.admin_listen {
        cfg.admin.listen = addr.clone();
    }
    runtime()?.block_on(async move {
        let metrics = crate::metrics::install();
        let prepared = setup::prepare(&cfg)
            .await
            .context("start-up check failed")?;
        tracing::info!(
            worker = %prepared.handler.worker,
            partitions = prepared.input_partitions,
            "all start-up checks passed"
        );
        let stats = Arc::new(WorkerStats::default());
        let reloader = Reloader::new(cfg.rules.dir.clone(), prepared.handler.clone());
        let _watch = reloader
            .watch(cfg.admin.watch_rules)
            .map_err(anyhow::Error::msg)?;
        let state = AdminState {
            audit: prepared.handler.audit.clone(),
            tokens: Tokens::new(
                &cfg.admin.auditor_token_sha256,
                &cfg.admin.operator_token_sha256,
            )
            .map_err(anyhow::Error::msg)?,
            metrics,
            readiness: Arc::new(setup::WorkerReadiness {
                kafka: cfg.kafka.clone(),
                handler: prepared.handler.clone(),
                reloader: Some(reloader.clone()),
                worker: Some((stats.clone(), cfg.worker.clone())),
            }),
            reload: Some(reloader.clone()),
            ready_cache: Default::default(),
        };
        let addr = admin::spawn(&cfg.admin.listen, state, &cfg.admin.cors_origins)
            .await
            .map_err(anyhow::Error::msg)
            .context("starting the admin server")?;
        tracing::info!(%addr, "admin server listening (/healthz /readyz /metrics /api/audit /)");
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            wait_for_signal().await;
            tracing::info!("stop requested");
            let _ = tx.send(true);
        });
        worker::run(&cfg.kafka, &cfg.worker, prepared.handler, stats, rx).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Reads JSON Lines from the files (or stdin) and returns `(line number, line)` pairs.
fn read_lines(files: &[std::path::PathBuf]) -> anyhow::Result<Vec<(String, usize, String)>> {
    let mut out = Vec::new();
    let mut read = |name: String, r: &mut dyn BufRead| -> anyhow::Result<()> {
        for (i, line) in r.lines().enumerate() {
            let line = line.with_context(|| format!("reading {name}"))?;
            if !line.trim().is_empty() {
                out.push((name.clone(), i + 1, line));
            }
        }
        Ok(())
    };
    if files.is_empty() || files.iter().any(|f| f.as_os_str() == "-") {
        read("stdin".into(), &mut std::io::stdin().lock())?;
    }
    for f in files.iter().filter(|f| f.as_os_str() != "-") {
        let file = std::fs::File::open(f).with_context(|| format!("opening {}", f.display()))?;
        read(f.display().to_string(), &mut std::io::BufReader::new(file))?;
    }
    Ok(out)
}

/// The key producers must use: the event's `conversationId`, so one conversation stays in one
/// partition and in order.
pub fn event_key(line: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Keyed {
        #[serde(rename = "conversationId")]
        conversation_id: Option<String>,
    }
    serde_json::from_str::<Keyed>(line)
        .ok()
        .and_then(|k| k.conversation_id)
        .filter(|c| !c.is_empty())
}

pub(super) fn produce(args: &ProduceArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(&args.config)?;
    let topic = args
        .topic
        .clone()
        .unwrap_or_else(|| cfg.kafka.input_topic.clone());
    let lines = read_lines(&args.files)?;
    runtime()?.block_on(async move {
        let producer = kafka::producer(&cfg.kafka)?;
        let mut unkeyed = 0usize;
        let mut failed = 0usize;
        let mut pending = FuturesUnordered::new();
        let total = lines.len();
        for (name, no, line) in &lines {
            let key = event_key(line);
            if key.is_none() {
                unkeyed += 1;
                tracing::warn!(file = %name, line = no, "no conversationId: sent without a key (no ordering guarantee)");
            }
            let producer = &producer;
            let topic = &topic;
            pending.push(async move {
                let r = kafka::send_acked(
                    producer,
                    topic,
                    key.as_deref().map(str::as_bytes),
                    line.as_bytes(),
                    &[],
                )
                .await;
                (name, *no, r)
            });
            while pending.len() >= 1000 {
                if let Some((name, no, Err(e))) = pending.next().await {
                    failed += 1;
                    tracing::error!(file = %name, line = no, error = %e, "not published");
                }
            }
        }
        while let Some((name, no, r)) = pending.next().await {
            if let Err(e) = r {
                failed += 1;
                tracing::error!(file = %name, line = no, error = %e, "not published");
            }
        }
        println!(
            "published {} of {total} event(s) to {topic} ({unkeyed} without a conversationId key)",
            total - failed
        );
        Ok(if failed == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

pub(super) fn dlq_replay(args: &DlqReplayArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(&args.config)?;
    let dlq = cfg.kafka.dlq_topic();
    let target = cfg.kafka.input_topic.clone();
    let since = args
        .since
        .as_deref()
        .map(super::audit::normalise_time)
        .transpose()?;
    // Every letter up to the DLQ's end as of now, without a group commit.
    let k = cfg.kafka.clone();
    let letters = {
        let dlq = dlq.clone();
        move || kafka::read_topic(&k, &dlq, "dlq_topic", Duration::from_secs(3))
    };
    runtime()?.block_on(async move {
        let letters = tokio::task::spawn_blocking(letters)
            .await?
            .context("reading the dead letters; nothing was replayed")?;
        let producer = kafka::producer(&cfg.kafka)?;
        let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
        let mut skipped = 0usize;
        for m in &letters {
            let reason = kafka::header(m, "escalation.error.class").unwrap_or_default();
            let at = kafka::header(m, "escalation.time").unwrap_or_default();
            let wanted = args.reason.as_ref().is_none_or(|r| *r == reason)
                && since.as_ref().is_none_or(|s| at >= *s);
            if !wanted {
                skipped += 1;
                continue;
            }
            *by_reason.entry(reason.clone()).or_default() += 1;
            if args.dry_run {
                continue;
            }
            let origin = format!("{dlq}/{}/{}", m.partition(), m.offset());
            kafka::send_acked(
                &producer,
                &target,
                m.key(),
                m.payload().unwrap_or_default(),
                &[
                    ("escalation.replayed.from".into(), origin),
                    ("escalation.replayed.reason".into(), reason),
                ],
            )
            .await
            .map_err(|e| KafkaProblem::other("re-publishing a dead letter", &e))?;
        }
        let total: usize = by_reason.values().sum();
        let verb = if args.dry_run {
            "would replay"
        } else {
            "replayed"
        };
        println!(
            "{verb} {total} dead letter(s) from {dlq} to {target}; {skipped} skipped by the filters"
        );
        for (reason, n) in &by_reason {
            println!("  {n:>6}  {reason}");
        }
        Ok(ExitCode::SUCCESS)
    })
}
