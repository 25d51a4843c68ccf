//! The broker goes away for 15 seconds while events flow — every connection reset, new ones refused
//! — and comes back on the same address with its data: the worker, and the producer feeding it,
//! wait it out; afterwards every event is delivered, exactly one `delivered` record per event.
//!
//! (The test broker keeps its data in memory, so it is its network that is cut, not its process:
//! a restart would lose the topics and committed offsets, which a broker with persistent storage
//! keeps. To a client both are the same outage.)

mod common;

use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use common::net::Cuttable;
use escalation_masker::audit::Query;

const TOTAL: usize = 3_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_15_second_broker_outage_loses_nothing() {
    let (broker, proxy) = Broker::start_behind(Cuttable::start).await;
    let kcfg = broker.kafka_config("brokerdown", 4);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;
    let w = kh::start(handler, &kcfg, &kh::worker_config());

    // Events keep arriving before, during and after the outage: 30 bursts of 100, 1 s apart.
    let producer_cfg = kcfg.clone();
    let producing = tokio::spawn(async move {
        for burst in 0..30 {
            let records = kh::keyed_events("bd", burst * 100..(burst + 1) * 100, 60);
            kh::produce(&producer_cfg, &producer_cfg.input_topic, &records).await;
            tokio::time::sleep(Duration::from_millis(1000)).await;
        }
    });

    assert!(
        kh::wait_until(Duration::from_secs(60), || w.handled() >= 300).await,
        "handled {} before the outage",
        w.handled()
    );
    let before = w.handled();
    proxy.cut();
    let cut_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(15)).await;
    let during = w.handled() - before;
    proxy.restore();
    let restored = Instant::now();
    producing.await.expect("the producer waited the outage out");

    assert!(
        kh::wait_until(Duration::from_secs(180), || w.handled() >= TOTAL as u64).await,
        "handled {} of {TOTAL} after the outage",
        w.handled()
    );
    let recovered = restored.elapsed();
    let summary = w.stop().await;
    assert_eq!(summary.abandoned, 0);

    let all = audit.query(&Query::default()).await.expect("query");
    let duplicates = kh::assert_each_delivered_once(&all, TOTAL);
    assert!(
        kh::read_topic(&kcfg, &kcfg.dlq_topic()).is_empty(),
        "nothing dead-lettered"
    );
    let patches = mock.state.received().len();
    eprintln!(
        "broker outage of {:?}: {TOTAL} events, 0 lost, {duplicates} duplicates, {} PATCHes ({} re-sent), \
         {during} handled during the outage (already fetched), all delivered {recovered:?} after the broker returned",
        restored - cut_at,
        patches,
        patches - TOTAL
    );
}
