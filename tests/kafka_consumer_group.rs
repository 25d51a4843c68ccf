//! Scale-out: two worker instances in one consumer group share the partitions; when one stops,
//! the other takes its partitions over and nothing is lost or delivered twice.

mod common;

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::kafka::{self as kh, Broker};
use escalation_masker::audit::{Outcome, Query};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_partitions_and_survive_one_stopping() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("group", 4);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // Both instances share one audit log, as two replicas would share PostgreSQL.
    let (ha, audit) = kh::handler(&mock.base, dir.path()).await;
    let (hb, _) = kh::handler(&mock.base, dir.path()).await;

    let a = kh::start(ha, &kcfg, &kh::worker_config());
    let b = kh::start(hb, &kcfg, &kh::worker_config());
    // Let both join before events arrive, so the first assignment is shared.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let first: Vec<_> = (0..2000)
        .map(|i| {
            let conv = format!("conv-{}", i % 80);
            (
                Some(conv.clone()),
                kh::event(&format!("ev-{i}"), &conv, i / 80),
            )
        })
        .collect();
    kh::produce(&kcfg, &kcfg.input_topic, &first).await;
    assert!(
        kh::wait_until(Duration::from_secs(60), || a.handled() + b.handled()
            >= 2000)
        .await
    );
    let (by_a, by_b) = (a.handled(), b.handled());
    assert!(
        by_a > 0 && by_b > 0,
        "both instances took partitions: {by_a} / {by_b}"
    );

    // Stop A gracefully (it commits and leaves the group); B takes over everything.
    a.stop().await;
    let second: Vec<_> = (2000..3000)
        .map(|i| {
            let conv = format!("conv-{}", i % 80);
            (
                Some(conv.clone()),
                kh::event(&format!("ev-{i}"), &conv, i / 80),
            )
        })
        .collect();
    kh::produce(&kcfg, &kcfg.input_topic, &second).await;
    assert!(
        kh::wait_until(Duration::from_secs(90), || b.handled() >= by_b + 1000).await,
        "B handled {} of the rest (holding {} partitions, {} stalls recovered)",
        b.handled() - by_b,
        b.stats.assigned_partitions.load(Ordering::Relaxed),
        b.stats.stalls_recovered.load(Ordering::Relaxed),
    );
    let consumed_by_b = b.stats.consumed.load(Ordering::Relaxed);
    b.stop().await;

    let all = audit.query(&Query::default()).await.expect("query");
    let mut delivered: HashMap<&str, usize> = HashMap::new();
    for r in &all {
        if r.record.outcome == Outcome::Delivered {
            *delivered.entry(&r.record.event_id).or_default() += 1;
        }
    }
    assert_eq!(delivered.len(), 3000, "nothing lost");
    assert!(
        delivered.values().all(|n| *n == 1),
        "nothing delivered twice"
    );
    assert!(consumed_by_b >= by_b + 1000);
}
