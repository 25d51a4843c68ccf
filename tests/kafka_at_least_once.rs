//! End to end over a real broker: thousands of events over 3 partitions are delivered once each,
//! in order per conversation, audited with a verifiable chain, and their offsets committed.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::kafka::{self as kh, Broker};
use escalation_masker::audit::{Outcome, Query, verify};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_events_are_delivered_once_in_order_per_conversation() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("alo", 3);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;

    const CONVERSATIONS: usize = 60;
    const PER: usize = 50;
    let mut records = Vec::new();
    for n in 0..PER {
        for c in 0..CONVERSATIONS {
            let conv = format!("conv-{c}");
            records.push((
                Some(conv.clone()),
                kh::event(&format!("ev-{c}-{n}"), &conv, n),
            ));
        }
    }
    let total = records.len() as u64;
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;

    let w = kh::start(handler.clone(), &kcfg, &kh::worker_config());
    assert!(
        kh::wait_until(Duration::from_secs(120), || w.handled() >= total).await,
        "handled {} of {total}",
        w.handled()
    );
    // The group watch reads librdkafka's statistics: the membership is settled, with partitions.
    assert!(
        kh::wait_until(Duration::from_secs(15), || {
            let g = w.stats.group();
            g.join_state == "steady" && g.joining_for.is_none() && g.assigned > 0
        })
        .await,
        "{:?}",
        w.stats.group()
    );
    let summary = w.stop().await;
    assert_eq!(summary.handled, total);
    assert_eq!(summary.abandoned, 0);

    // Each event PATCHed exactly once, masked, and in order within its conversation.
    let received = mock.state.received();
    assert_eq!(received.len() as u64, total);
    let mut last: HashMap<String, i64> = HashMap::new();
    for r in &received {
        let attrs = &r.body["attributes"];
        assert_eq!(attrs["note"], "card ****1111 exp 12/29");
        let seq: i64 = attrs["seq"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("seq");
        let prev = last.insert(r.conversation_id.clone(), seq);
        assert!(
            prev.is_none_or(|p| p + 1 == seq),
            "{}: {seq} after {prev:?}",
            r.conversation_id
        );
    }
    assert_eq!(last.len(), CONVERSATIONS);

    let all = audit.query(&Query::default()).await.expect("query");
    assert_eq!(all.len() as u64, total);
    assert!(all.iter().all(|r| r.record.outcome == Outcome::Delivered));
    let v = verify(&all);
    assert!(v.broken.is_none(), "{:?}", v.broken);

    // Offsets were committed on shutdown: a new run of the same group has nothing to redo.
    let w = kh::start(handler, &kcfg, &kh::worker_config());
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert_eq!(
        w.stats.consumed.load(std::sync::atomic::Ordering::Relaxed),
        0
    );
    w.stop().await;
    assert_eq!(mock.state.received().len() as u64, total);
}
