//! `kill -9` the worker process mid-stream, several times, and restart it: every event is
//! delivered at least once, none is lost, the audit log records exactly one delivery per event
//! (redeliveries it had recorded are duplicates, not new PATCHes), and the chain verifies.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use escalation_masker::audit::{AuditStore, Outcome, SqliteStore};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_loses_nothing_and_never_delivers_twice_in_the_audit() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("crash", 3);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("audit.db");
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &db, "");
    let log = dir.path().join("worker.log");

    const TOTAL: usize = 3000;
    let records: Vec<_> = (0..TOTAL)
        .map(|i| {
            let conv = format!("conv-{}", i % 50);
            (
                Some(conv.clone()),
                kh::event(&format!("ev-{i}"), &conv, i / 50),
            )
        })
        .collect();
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;

    let mut kills = 0;
    for threshold in [300, 1200, 2100] {
        let mut child = kh::spawn_worker(&config, &log);
        let deadline = Instant::now() + Duration::from_secs(90);
        while kh::audit_count(&db) < threshold {
            if Instant::now() >= deadline {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.contains("event handled"))
                    .collect();
                panic!(
                    "no progress towards {threshold} (at {}); log tail:\n{}",
                    kh::audit_count(&db),
                    tail[tail.len().saturating_sub(25)..].join("\n")
                );
            }
            assert!(
                child.try_wait().expect("wait").is_none(),
                "worker exited early"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // SIGKILL: no shutdown, no commit.
        child.kill().expect("kill -9");
        child.wait().expect("reaped");
        kills += 1;
        // Let the group coordinator expire the dead member's session (10 s) before the restart.
        tokio::time::sleep(Duration::from_secs(11)).await;
    }
    // A last run to the end, then a graceful stop.
    let mut child = kh::spawn_worker(&config, &log);
    let store = SqliteStore::open(&db).await.expect("audit");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let delivered = store
            .query(&escalation_masker::audit::Query {
                outcome: Some(Outcome::Delivered),
                ..Default::default()
            })
            .await
            .expect("query")
            .len();
        if delivered >= TOTAL {
            break;
        }
        if Instant::now() >= deadline {
            // The worker's own log says where it stopped (the guard kills the child).
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = text
                .lines()
                .filter(|l| {
                    l.contains("\"INFO\"") || l.contains("\"WARN\"") || l.contains("\"ERROR\"")
                })
                .collect();
            panic!(
                "only {delivered} delivered; log tail:\n{}",
                tail[tail.len().saturating_sub(40)..].join("\n")
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let status = child.terminate();
    assert!(status.success(), "graceful stop exits 0: {status:?}");

    let all = store.scan(0, 1_000_000).await.expect("scan");
    let duplicates = kh::assert_each_delivered_once(&all, TOTAL);
    let received = mock.state.received();
    let mut patches: HashMap<String, usize> = HashMap::new();
    for r in &received {
        let id = r.body["attributes"]["eventId"]
            .as_str()
            .expect("eventId")
            .to_string();
        *patches.entry(id).or_default() += 1;
    }
    assert_eq!(patches.len(), TOTAL);
    // Re-sends only come from the crash window (PATCHed, killed before the audit append).
    let resent: usize = patches.values().map(|n| n - 1).sum();
    assert!(resent <= kills * 256, "{resent} re-sent PATCHes");
    eprintln!(
        "{kills} kills: {} records, {duplicates} duplicates recognised, {resent} PATCHes re-sent from crash windows",
        all.len()
    );
}
