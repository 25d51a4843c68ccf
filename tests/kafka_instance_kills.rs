//! Two worker processes share the partitions of one topic and one PostgreSQL audit log while
//! 20,000 events flow in and one of them is `kill -9`ed every few seconds and started again:
//! nothing is lost, the log records exactly one `delivered` per event, and the chain verifies.

mod common;

use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use escalation_masker::audit::{AuditStore, Outcome, PgStore, Query};

const TOTAL: usize = 20_000;
const KILLS: usize = 6;

async fn delivered(store: &PgStore) -> usize {
    store
        .query(&Query {
            outcome: Some(Outcome::Delivered),
            ..Query::default()
        })
        .await
        .map(|v| v.len())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_two_instances_killed_every_few_seconds_loses_nothing_and_delivers_once() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("kills", 4);
    let mock = common::default_mock().await;
    let db = common::pg_url().await;
    let store = PgStore::connect(&db).await.expect("audit store");
    let dirs = [
        tempfile::tempdir().expect("tempdir"),
        tempfile::tempdir().expect("tempdir"),
    ];
    let names = ["kills-a", "kills-b"];
    let configs: Vec<_> = dirs
        .iter()
        .zip(names)
        .map(|(d, name)| {
            // Static membership: a restarted instance takes its own partitions back at once.
            let path = kh::write_config_for(
                d.path(),
                &kcfg,
                &mock.base,
                &db,
                &format!("id = \"{name}\"\nstall_after = \"10s\"\n"),
            );
            let text = std::fs::read_to_string(&path).expect("config");
            let text = text.replacen(
                "[kafka]\n",
                &format!("[kafka]\ninstance_id = \"{name}\"\n"),
                1,
            );
            std::fs::write(&path, text).expect("config");
            path
        })
        .collect();
    let logs: Vec<_> = dirs.iter().map(|d| d.path().join("worker.log")).collect();
    let mut workers: Vec<kh::ChildGuard> = (0..2)
        .map(|i| kh::spawn_worker(&configs[i], &logs[i]))
        .collect();

    // Events arrive while the instances die: 20 bursts of 1,000, half a second apart.
    let producer_cfg = kcfg.clone();
    let producing = tokio::spawn(async move {
        for burst in 0..20 {
            let records = kh::keyed_events("ev", burst * 1000..(burst + 1) * 1000, 200);
            kh::produce(&producer_cfg, &producer_cfg.input_topic, &records).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });

    let started = Instant::now();
    for kill in 0..KILLS {
        tokio::time::sleep(Duration::from_secs(4)).await;
        let victim = kill % 2;
        assert!(
            workers[victim].try_wait().expect("wait").is_none(),
            "worker {} exited on its own",
            names[victim]
        );
        workers[victim].kill().expect("kill -9");
        workers[victim].wait().expect("reaped");
        workers[victim] = kh::spawn_worker(&configs[victim], &logs[victim]);
    }
    producing.await.expect("producer");

    let deadline = Instant::now() + Duration::from_secs(240);
    let mut done = delivered(&store).await;
    while done < TOTAL {
        if Instant::now() >= deadline {
            for (i, log) in logs.iter().enumerate() {
                let _ = std::fs::copy(log, std::env::temp_dir().join(format!("{}.log", names[i])));
            }
            let tail = |log: &std::path::Path| {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                let lines: Vec<String> = text
                    .lines()
                    .filter(|l| {
                        l.contains("\"WARN\"")
                            || l.contains("\"ERROR\"")
                            || l.contains("partitions")
                    })
                    .map(str::to_string)
                    .collect();
                lines[lines.len().saturating_sub(15)..].join("\n")
            };
            panic!(
                "only {done} of {TOTAL} delivered after {:?}; a:\n{}\nb:\n{}",
                started.elapsed(),
                tail(&logs[0]),
                tail(&logs[1])
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        done = delivered(&store).await;
    }
    let recovered = started.elapsed();
    for w in &mut workers {
        assert!(w.terminate().success(), "graceful stop exits 0");
    }

    let all = store.scan(0, 10_000_000).await.expect("scan");
    let duplicates = kh::assert_each_delivered_once(&all, TOTAL);
    let patches = mock.state.received().len();
    eprintln!(
        "{KILLS} kills: {TOTAL} events delivered in {recovered:?}; {} records, {duplicates} duplicates, {} PATCHes ({} re-sent)",
        all.len(),
        patches,
        patches - TOTAL
    );
}
