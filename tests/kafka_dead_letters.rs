//! Every kind of bad input lands in the dead-letter topic with the reason headers and a masked
//! payload, while good events around it are delivered.

mod common;

use std::time::Duration;

use common::kafka::{self as kh, Broker};
use escalation_masker::audit::{Outcome, Query};
use escalation_masker::mock_genesys::MockConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_input_class_is_dead_lettered_with_headers_and_masked() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("dlq", 3);
    // Strict mock: only seeded conversations exist, so an unknown one is a permanent 404.
    let mock = common::mock(MockConfig {
        strict: true,
        ..MockConfig::default()
    })
    .await;
    for c in 0..5 {
        mock.state.seed_conversation(&format!("good-{c}"));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;

    let card = "4111 1111 1111 1111";
    let deep = format!(
        r#"{{"eventId":"d","conversationId":"c","context":{}{}}}"#,
        "{\"a\":".repeat(70) + "1",
        "}".repeat(70)
    );
    let mut oversize =
        format!(r#"{{"eventId":"o","conversationId":"c","context":{{"note":"card {card} "#);
    oversize.push_str(&"x".repeat(70 * 1024));
    oversize.push_str("\"}}");
    let mut bad_utf8 = format!("{{\"eventId\":\"u\",\"note\":\"{card}\"").into_bytes();
    bad_utf8.extend_from_slice(&[0xff, 0xfe, b'}']);
    let bad: Vec<(&str, Vec<u8>)> = vec![
        ("invalid_json", format!("not json, card {card}").into_bytes()),
        ("invalid_utf8", bad_utf8),
        ("missing_field", format!(r#"{{"eventId":"m","context":{{"pan":"{card}"}}}}"#).into_bytes()),
        ("wrong_type", format!(r#"{{"eventId":"w","conversationId":7,"context":{{"n":"{card}"}}}}"#).into_bytes()),
        ("oversize", oversize.into_bytes()),
        ("too_deep", deep.into_bytes()),
        ("not_found", format!(r#"{{"eventId":"nf","conversationId":"unknown-conv","context":{{"note":"card {card}"}}}}"#).into_bytes()),
    ];
    let mut records = Vec::new();
    for (i, (_, payload)) in bad.iter().enumerate() {
        records.push((None, payload.clone()));
        let conv = format!("good-{}", i % 5);
        records.push((Some(conv.clone()), kh::event(&format!("g{i}"), &conv, i)));
    }
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;

    let w = kh::start(handler, &kcfg, &kh::worker_config());
    let total = records.len() as u64;
    assert!(kh::wait_until(Duration::from_secs(60), || w.handled() >= total).await);
    w.stop().await;

    // Good events went through.
    assert_eq!(mock.state.received().len(), bad.len());

    let letters = kh::read_topic(&kcfg, &kcfg.dlq_topic());
    assert_eq!(letters.len(), bad.len(), "one letter per bad record");
    let mut classes: Vec<String> = letters
        .iter()
        .map(|m| kh::header(m, "escalation.error.class").expect("class header"))
        .collect();
    classes.sort();
    let mut expected: Vec<String> = bad.iter().map(|(c, _)| c.to_string()).collect();
    expected.sort();
    assert_eq!(classes, expected);
    for m in &letters {
        use rdkafka::Message;
        for h in [
            "escalation.error.message",
            "escalation.error.stage",
            "escalation.source.partition",
            "escalation.source.offset",
            "escalation.ruleset.version",
            "escalation.time",
        ] {
            assert!(
                kh::header(m, h).is_some_and(|v| !v.is_empty()),
                "{h} missing"
            );
        }
        assert_eq!(
            kh::header(m, "escalation.source.topic").as_deref(),
            Some("dlq")
        );
        let payload = String::from_utf8_lossy(m.payload().unwrap_or_default());
        assert!(
            !payload.contains("4111 1111"),
            "unmasked card in a dead letter"
        );
        assert!(!payload.contains("4111111111111111"));
    }

    let all = audit.query(&Query::default()).await.expect("query");
    assert_eq!(all.len() as u64, total);
    let dead = all
        .iter()
        .filter(|r| r.record.outcome == Outcome::DeadLettered)
        .count();
    assert_eq!(dead, bad.len());
}
