//! The PostgreSQL audit store restarts (an immediate stop, 10 s down, started again) while events
//! flow: events wait at the gate instead of being dead-lettered, the store reconnects, and
//! afterwards every event has exactly one `delivered` record and the chain verifies. The server is
//! this test's own (initdb in a temporary directory), never the shared one.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use common::pg::PrivatePg;
use escalation_masker::audit::{AuditStore, PgStore};

const TOTAL: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_database_restart_loses_nothing_and_keeps_the_chain() {
    let pg = PrivatePg::start();
    let broker = Broker::start();
    let kcfg = broker.kafka_config("dbrestart", 4);
    let mock = common::default_mock().await;
    let store: Arc<dyn AuditStore> = Arc::new(
        PgStore::connect(&pg.url())
            .await
            .expect("the private server"),
    );
    let handler = kh::handler_with(&mock.base, store.clone());
    let w = kh::start(handler, &kcfg, &kh::worker_config());

    let producer_cfg = kcfg.clone();
    let producing = tokio::spawn(async move {
        for burst in 0..20 {
            let records = kh::keyed_events("db", burst * 100..(burst + 1) * 100, 50);
            kh::produce(&producer_cfg, &producer_cfg.input_topic, &records).await;
            tokio::time::sleep(Duration::from_millis(750)).await;
        }
    });
    assert!(
        kh::wait_until(Duration::from_secs(60), || w.handled() >= 300).await,
        "handled {} before the restart",
        w.handled()
    );
    pg.stop();
    let stopped = Instant::now();
    let at_stop = w.handled();
    tokio::time::sleep(Duration::from_secs(10)).await;
    let during = w.handled() - at_stop;
    pg.start_again();
    let restarted = Instant::now();
    producing.await.expect("producer");
    assert!(
        kh::wait_until(Duration::from_secs(180), || w.handled() >= TOTAL as u64).await,
        "handled {} of {TOTAL} after the restart",
        w.handled()
    );
    let recovered = restarted.elapsed();
    assert_eq!(during, 0, "nothing is audited while the database is down");
    let summary = w.stop().await;
    assert_eq!(summary.abandoned, 0);

    let all = store.scan(0, 1_000_000).await.expect("scan");
    let duplicates = kh::assert_each_delivered_once(&all, TOTAL);
    let (code, out) = common::cli_verify(&pg.url());
    assert_eq!(code, Some(0), "{out}");
    assert!(
        kh::read_topic(&kcfg, &kcfg.dlq_topic()).is_empty(),
        "nothing dead-lettered"
    );
    let patches = mock.state.received().len();
    eprintln!(
        "audit database down {:?}: {TOTAL} events, 0 lost, {duplicates} duplicates, {} PATCHes ({} re-sent), \
         all delivered {recovered:?} after it came back; {}",
        restarted - stopped,
        patches,
        patches - TOTAL,
        out.trim()
    );
}
