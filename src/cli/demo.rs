//! `escalation-masker demo`: the whole pipeline on one machine with no set-up — librdkafka's
//! in-process mock cluster (or a real broker with `--broker`), the mock Genesys on a loopback port,
//! a SQLite audit log in a temporary directory, the shipped rules and example events — then a
//! report of what happened to each event, what the agent sees, the dead letters and the audit.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::Message;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::message::OwnedMessage;
use rdkafka::mocking::MockCluster;
use serde_json::Value;
use tokio::sync::watch;

use super::{DemoArgs, runtime};
use crate::audit::{AuditRecord, AuditStore, GroupCommit, Outcome, SqliteStore, verify};
use crate::config::{Config, ContinuityConfig, KafkaConfig, WorkerConfig};
use crate::genesys::{Credentials, Deliverer, GenesysClient};
use crate::mock_genesys::{self, MockConfig};
use crate::pipeline::Handler;
use crate::pipeline::continuity::Continuity;
use crate::pipeline::kafka;
use crate::pipeline::worker::{self, WorkerStats};
use crate::rule_dir::{self, KeyPolicy};

/// Records a producer might really send by mistake; each must end in the dead-letter topic with a
/// reason, masked. (`[label, payload]`; test card numbers only.)
fn bad_examples(max_bytes: usize) -> Vec<(&'static str, Vec<u8>)> {
    let mut invalid_utf8 =
        b"{\"eventId\":\"bad-utf8\",\"conversationId\":\"c-x\",\"context\":{\"note\":\"".to_vec();
    invalid_utf8.extend_from_slice(&[0xc3, 0x28]);
    invalid_utf8.extend_from_slice(b"\"}}");
    let deep = format!(
        r#"{{"eventId":"bad-deep","conversationId":"c-x","context":{}1{}}}"#,
        "[".repeat(70),
        "]".repeat(70)
    );
    let mut oversize =
        br#"{"eventId":"bad-big","conversationId":"c-x","context":{"blob":""#.to_vec();
    oversize.resize(max_bytes + 100, b'x');
    oversize.extend_from_slice(b"\"}}");
    vec![
        (
            "not JSON (a card pasted into a log line)",
            b"ERROR payment declined for card 4111 1111 1111 1111 exp 12/29".to_vec(),
        ),
        (
            "no conversationId",
            br#"{"eventId":"bad-missing","context":{"cardNumber":"5555 5555 5555 4444"}}"#.to_vec(),
        ),
        (
            "conversationId is a number",
            br#"{"eventId":"bad-type","conversationId":12345,"context":{}}"#.to_vec(),
        ),
        ("invalid UTF-8", invalid_utf8),
        ("nested 70 levels deep", deep.into_bytes()),
        ("over the size limit", oversize),
    ]
}

/// Where the demo's Kafka lives (the mock cluster runs as long as this value lives).
enum Broker {
    Mock(#[allow(dead_code)] MockCluster<'static, rdkafka::producer::DefaultProducerContext>),
    Real,
}

async fn topics(args: &DemoArgs) -> anyhow::Result<(Broker, KafkaConfig)> {
    match &args.broker {
        None => {
            let cluster = MockCluster::new(1).context("starting the in-process Kafka mock")?;
            let kcfg = KafkaConfig {
                brokers: cluster.bootstrap_servers(),
                group_id: "demo".into(),
                input_topic: "escalations".into(),
                max_message_bytes: 64 * 1024,
                ..KafkaConfig::default()
            };
            cluster.create_topic(&kcfg.input_topic, 3, 1)?;
            cluster.create_topic(&kcfg.dlq_topic(), 3, 1)?;
            Ok((Broker::Mock(cluster), kcfg))
        }
        Some(addr) => {
            let run = &uuid::Uuid::new_v4().simple().to_string()[..8];
            let kcfg = KafkaConfig {
                brokers: addr.clone(),
                group_id: format!("demo-{run}"),
                input_topic: format!("demo-{run}"),
                max_message_bytes: 64 * 1024,
                ..KafkaConfig::default()
            };
            let admin: AdminClient<DefaultClientContext> = kafka::base_config(&kcfg)
                .create()
                .context("creating a Kafka admin client")?;
            let dlq = kcfg.dlq_topic();
            let new = [
                NewTopic::new(&kcfg.input_topic, 3, TopicReplication::Fixed(1)),
                NewTopic::new(&dlq, 3, TopicReplication::Fixed(1)),
            ];
            let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
            for r in admin
                .create_topics(&new, &opts)
                .await
                .with_context(|| format!("creating demo topics on {addr}"))?
            {
                r.map_err(|(t, e)| anyhow::anyhow!("creating topic {t} on {addr}: {e}"))?;
            }
            Ok((Broker::Real, kcfg))
        }
    }
}

fn read_lines(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "reading {} (run the demo from the repository root, or pass --events FILE)",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

async fn wait_for(stats: &WorkerStats, n: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while stats.handled() < n {
        anyhow::ensure!(
            Instant::now() < deadline,
            "only {} of {n} events were handled within 60 s",
            stats.handled()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

fn header(m: &OwnedMessage, name: &str) -> String {
    kafka::header(m, name).unwrap_or_default()
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

pub(super) fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(demo(args))
}

async fn demo(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let rules = rule_dir::load(&args.rules, KeyPolicy::EphemeralIfMissing).with_context(|| {
        format!(
            "loading masking rules from {} (run the demo from the repository root, or pass --rules DIR)",
            args.rules.display()
        )
    })?;
    let examples = read_lines(&args.events)?;
    let (broker, kcfg) = topics(args).await?;
    let (addr, mock) = mock_genesys::spawn("127.0.0.1:0", MockConfig::default())
        .await
        .context("starting the mock Genesys")?;
    let base = format!("http://{addr}");
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let db = dir.path().join("audit.db");
    let sqlite: Arc<dyn AuditStore> = Arc::new(SqliteStore::open(&db).await?);
    let audit: Arc<dyn AuditStore> = Arc::new(GroupCommit::new(sqlite.clone(), 256));

    let gcfg = Config::parse(&format!(
        "[genesys]\napi_base_url = \"{base}\"\n[genesys.rate_limit]\nrequests_per_minute = 600000\nburst = 1000\n"
    ))
    .map_err(|(_, m)| anyhow::anyhow!(m))?
    .genesys;
    let client = GenesysClient::new(&gcfg, Credentials::new("mock-client", "mock-secret"))?;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("random key: {e}"))?;
    let version = rules.version().to_string();
    let rule_count = rules.rules().len();
    let handler = Arc::new(Handler {
        rules: arc_swap::ArcSwap::from_pointee(rules),
        deliverer: Arc::new(Deliverer::new(client, &gcfg)),
        audit: audit.clone(),
        worker: "demo".into(),
        max_bytes: kcfg.max_message_bytes,
        continuity: Some(Arc::new(Continuity::new(
            &key,
            &ContinuityConfig::default(),
            audit.clone(),
        ))),
    });

    println!("escalation-masker demo: the whole pipeline on this machine\n");
    match &broker {
        Broker::Mock(_) => println!(
            "  Kafka    in-process mock cluster, topics {} / {} (3 partitions)",
            kcfg.input_topic,
            kcfg.dlq_topic()
        ),
        Broker::Real => println!(
            "  Kafka    {} topics {} / {} (3 partitions)",
            kcfg.brokers,
            kcfg.input_topic,
            kcfg.dlq_topic()
        ),
    }
    println!("  Genesys  mock server at {base}");
    println!("  audit    SQLite {}", db.display());
    println!(
        "  rules    {rule_count} rules from {}, version {}\n",
        args.rules.display(),
        clip(&version, 19)
    );

    let stats = Arc::new(WorkerStats::default());
    let (stop, rx) = watch::channel(false);
    let running = {
        let (k, h, s) = (kcfg.clone(), handler.clone(), stats.clone());
        let w = WorkerConfig {
            shutdown_timeout: Duration::from_secs(5),
            ..WorkerConfig::default()
        };
        tokio::spawn(async move { worker::run(&k, &w, h, s, rx).await })
    };

    // Wait for the consumer group to hand the worker its partitions.
    let deadline = Instant::now() + Duration::from_secs(30);
    while stats
        .assigned_partitions
        .load(std::sync::atomic::Ordering::Relaxed)
        == 0
    {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the worker got no partitions within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Phase 1: the examples and the bad records.
    let bad = bad_examples(kcfg.max_message_bytes);
    let mut records: Vec<(Option<String>, Vec<u8>)> = examples
        .iter()
        .map(|l| (super::event_key(l), l.as_bytes().to_vec()))
        .collect();
    records.extend(bad.iter().map(|(_, p)| (None, p.clone())));
    let started = Instant::now();
    kafka::publish_all(&kcfg, &kcfg.input_topic, &records).await?;
    wait_for(&stats, records.len() as u64).await?;
    let phase1 = started.elapsed();

    // Phase 2: a redelivery of the first example, and the same customer escalating again.
    let mut again = Vec::new();
    let first: Option<Value> = examples.first().and_then(|l| serde_json::from_str(l).ok());
    if let Some(first) = &first {
        again.push((
            super::event_key(&examples[0]),
            examples[0].as_bytes().to_vec(),
        ));
        if let Some(customer) = first.get("customer") {
            let repeat = serde_json::json!({
                "eventId": "demo-repeat-1",
                "conversationId": "c0a8ffff-7d3e-4b6a-9f1e-2b5d8e00ffff",
                "source": "ivr",
                "customer": customer,
                "context": {"orderStatus": "payment_failed", "note": "customer called back about the same order"}
            });
            again.push((
                Some("c0a8ffff-7d3e-4b6a-9f1e-2b5d8e00ffff".into()),
                repeat.to_string().into_bytes(),
            ));
        }
    }
    kafka::publish_all(&kcfg, &kcfg.input_topic, &again).await?;
    let total = (records.len() + again.len()) as u64;
    wait_for(&stats, total).await?;
    let _ = stop.send(true);
    running.await.context("worker task")??;

    // The report.
    let all: Vec<AuditRecord> = sqlite.scan(0, 1_000_000).await?;
    let received = mock.received();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    if !args.quiet {
        println!("Events, in the order they were handled (the context is what the agent sees):\n");
        for r in all.iter().filter(|r| !r.record.event_id.is_empty()) {
            let rec = &r.record;
            let mut rules: Vec<&str> = rec.findings.iter().map(|f| f.rule.as_str()).collect();
            rules.sort_unstable();
            rules.dedup();
            let mark = match rec.outcome {
                Outcome::Delivered => "delivered",
                Outcome::Duplicate => "duplicate (already delivered: not sent again)",
                Outcome::DeadLettered => "dead-lettered",
                Outcome::Blocked => "blocked by the egress guard",
            };
            println!(
                "  {}  conversation {}  {mark}{}",
                rec.event_id,
                clip(&rec.conversation_id, 13),
                rec.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            );
            if !rules.is_empty() {
                println!("      masked by: {}", rules.join(", "));
            }
            if rec.outcome == Outcome::Delivered {
                let n = seen.entry(&rec.conversation_id).or_default();
                let body = received
                    .iter()
                    .filter(|x| x.conversation_id == rec.conversation_id)
                    .nth(*n);
                *n += 1;
                if let Some(Value::Object(attrs)) = body.map(|b| &b.body["attributes"]) {
                    for (k, v) in attrs {
                        if matches!(k.as_str(), "eventId" | "rulesetVersion") {
                            continue;
                        }
                        println!("      {k}: {}", clip(v.as_str().unwrap_or_default(), 90));
                    }
                }
            }
        }
        println!();
    }

    let letters = {
        let k = kcfg.clone();
        let dlq = kcfg.dlq_topic();
        tokio::task::spawn_blocking(move || {
            kafka::read_topic(&k, &dlq, "dlq_topic", Duration::from_millis(1500))
        })
        .await??
    };
    println!(
        "Dead letters ({} in {}; payloads masked, reasons in headers):\n",
        letters.len(),
        kcfg.dlq_topic()
    );
    for m in &letters {
        let payload = String::from_utf8_lossy(m.payload().unwrap_or_default());
        println!(
            "  {:<14} at {}: {}",
            header(m, "escalation.error.class"),
            header(m, "escalation.error.stage"),
            clip(&header(m, "escalation.error.message"), 70)
        );
        println!("      payload: {}", clip(&payload, 90));
    }
    for (label, _) in &bad {
        tracing::debug!(label, "bad example sent");
    }

    let v = verify(&all);
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &all {
        *outcomes.entry(r.record.outcome.as_str()).or_default() += 1;
    }
    println!("\nAudit log: {} records {:?}", all.len(), outcomes);
    match &v.broken {
        None => println!(
            "  hash chain verified: {} records, head {}",
            v.records,
            clip(&v.head, 16)
        ),
        Some(b) => println!("  hash chain BROKEN: {b:?}"),
    }
    let secs = phase1.as_secs_f64().max(1e-6);
    println!(
        "\nThroughput: {} events (publish → outcome audited) in {:.0} ms = {:.0} events/s on this machine \
         (a small sample; `cargo bench --bench pipeline` measures sustained rates).",
        records.len(),
        secs * 1000.0,
        records.len() as f64 / secs
    );
    let leaked = received
        .iter()
        .any(|r| crate::egress::find_card(&r.body).is_some())
        || letters
            .iter()
            .any(|m| crate::egress::bytes_have_card(m.payload().unwrap_or_default()));
    println!(
        "Card numbers that reached Genesys or the dead-letter topic: {}",
        if leaked { "SOME (a bug!)" } else { "none" }
    );
    drop(broker);
    Ok(if v.broken.is_none() && !leaked {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
