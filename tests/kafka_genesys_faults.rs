//! Genesys misbehaving under a running worker: 429 storms, 5xx, slow and dropped responses, a
//! 30-second outage, and an event Genesys never accepts. Nothing is lost; healthy events are not
//! dead-lettered while Genesys is down; only the give-up time turns an outage into a dead letter.

mod common;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use escalation_masker::admin::Readiness;
use escalation_masker::audit::{Outcome, Query};
use escalation_masker::mock_genesys::{Fault, FaultKind};
use escalation_masker::pipeline::setup;

fn fault(kind: FaultKind, count: u32, rate: f64, conversation: Option<&str>) -> Fault {
    Fault {
        kind,
        conversation_id: conversation.map(str::to_string),
        count,
        rate: Some(rate),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storms_of_429_5xx_timeouts_and_drops_lose_nothing() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("storm", 3);
    let mock = common::default_mock().await;
    mock.state.add_fault(fault(
        FaultKind::RateLimit { retry_after: 1 },
        150,
        0.25,
        None,
    ));
    mock.state.add_fault(fault(
        FaultKind::ServerError { status: 503 },
        100,
        0.2,
        None,
    ));
    mock.state
        .add_fault(fault(FaultKind::ServerError { status: 502 }, 50, 0.1, None));
    mock.state
        .add_fault(fault(FaultKind::Slow { delay_ms: 2500 }, 10, 0.05, None));
    mock.state.add_fault(fault(FaultKind::Drop, 20, 0.05, None));
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;
    let records = kh::keyed_events("s", 0..600, 40);
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;

    let w = kh::start(handler, &kcfg, &kh::worker_config());
    assert!(
        kh::wait_until(Duration::from_secs(180), || w.handled() >= 600).await,
        "handled {}",
        w.handled()
    );
    w.stop().await;

    let delivered: HashSet<String> = mock
        .state
        .received()
        .iter()
        .filter_map(|r| r.body["attributes"]["eventId"].as_str().map(str::to_string))
        .collect();
    assert_eq!(delivered.len(), 600, "every event reached Genesys");
    let all = audit.query(&Query::default()).await.expect("query");
    assert_eq!(all.len(), 600);
    assert!(all.iter().all(|r| r.record.outcome == Outcome::Delivered));
    assert!(kh::read_topic(&kcfg, &kcfg.dlq_topic()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_30_second_outage_pauses_delivery_and_dead_letters_nothing() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("outage", 3);
    let mock = common::default_mock().await;
    mock.state.add_fault(fault(
        FaultKind::ServerError { status: 503 },
        u32::MAX,
        1.0,
        None,
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;
    kh::produce(&kcfg, &kcfg.input_topic, &kh::keyed_events("o", 0..300, 30)).await;

    let w = kh::start(handler.clone(), &kcfg, &kh::worker_config());
    let outage = Instant::now();
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(
        w.handled(),
        0,
        "nothing is dead-lettered or lost while Genesys is down"
    );
    assert!(w.stats.retries.load(Ordering::Relaxed) > 0);
    // Readiness and metrics see the outage: the gate is closed and holds events.
    let gate = w.stats.gate();
    assert!(
        gate.closed_for
            .is_some_and(|c| c >= Duration::from_secs(20))
            && gate.held > 0
            && gate
                .oldest_held
                .is_some_and(|o| o >= Duration::from_secs(20)),
        "{gate:?}"
    );
    let readiness = setup::WorkerReadiness {
        kafka: kcfg.clone(),
        handler,
        reloader: None,
        worker: Some((
            w.stats.clone(),
            escalation_masker::config::WorkerConfig {
                unready_when_held: Duration::from_secs(20),
                ..kh::worker_config()
            },
        )),
    };
    let unready = readiness.checks().await;
    let gate_check = unready
        .iter()
        .find(|c| c.name == "gate")
        .expect("a gate check");
    assert!(
        !gate_check.ok && gate_check.detail.contains("held"),
        "{gate_check:?}"
    );
    // The gate keeps the pressure low: far fewer calls than events × attempts.
    let during = mock.state.api_requests();
    mock.state.clear_faults();
    assert!(
        kh::wait_until(Duration::from_secs(60), || w.handled() >= 300).await,
        "handled {} after the outage",
        w.handled()
    );
    let recovered = outage.elapsed();
    assert_eq!(
        w.stats.gate().held_for(),
        Duration::ZERO,
        "{:?}",
        w.stats.gate()
    );
    assert!(
        readiness
            .checks()
            .await
            .iter()
            .any(|c| c.name == "gate" && c.ok)
    );
    w.stop().await;
    let all = audit.query(&Query::default()).await.expect("query");
    assert_eq!(all.len(), 300);
    assert!(all.iter().all(|r| r.record.outcome == Outcome::Delivered));
    assert!(kh::read_topic(&kcfg, &kcfg.dlq_topic()).is_empty());
    eprintln!(
        "outage: {during} API calls during 30 s; all 300 delivered {recovered:?} after it began"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_genesys_never_takes_is_dead_lettered_after_the_delivery_timeout() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("giveup", 1);
    let mock = common::default_mock().await;
    mock.state.add_fault(fault(
        FaultKind::ServerError { status: 503 },
        u32::MAX,
        1.0,
        Some("doomed"),
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;
    let mut records = kh::keyed_events("g", 0..20, 4);
    records.insert(
        5,
        (Some("doomed".into()), kh::event("doomed-1", "doomed", 0)),
    );
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;

    let mut wcfg = kh::worker_config();
    wcfg.delivery_timeout = Duration::from_secs(3);
    let w = kh::start(handler, &kcfg, &wcfg);
    assert!(kh::wait_until(Duration::from_secs(90), || w.handled() >= 21).await);
    w.stop().await;
    let letters = kh::read_topic(&kcfg, &kcfg.dlq_topic());
    assert_eq!(letters.len(), 1);
    assert_eq!(
        kh::header(&letters[0], "escalation.error.class").as_deref(),
        Some("delivery_timeout")
    );
    let all = audit.query(&Query::default()).await.expect("query");
    let delivered = all
        .iter()
        .filter(|r| r.record.outcome == Outcome::Delivered)
        .count();
    assert_eq!(delivered, 20);
}
