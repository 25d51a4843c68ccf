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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dlq_replay_republishes_filtered_letters_after_a_fix() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("replay", 2);
    let mock = common::mock(MockConfig {
        strict: true,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (handler, audit) = kh::handler(&mock.base, dir.path()).await;
    // Two events for a conversation Genesys does not know yet (404), one unparsable record.
    let records = vec![
        (
            Some("late-conv".to_string()),
            kh::event("late-1", "late-conv", 0),
        ),
        (
            Some("late-conv".to_string()),
            kh::event("late-2", "late-conv", 1),
        ),
        (None, b"garbage 4111 1111 1111 1111".to_vec()),
    ];
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;
    let w = kh::start(handler.clone(), &kcfg, &kh::worker_config());
    assert!(kh::wait_until(Duration::from_secs(60), || w.handled() >= 3).await);
    assert_eq!(kh::read_topic(&kcfg, &kcfg.dlq_topic()).len(), 3);

    // The fix: the conversation now exists. Replay only the not_found letters.
    mock.state.seed_conversation("late-conv");
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &dir.path().join("x.db"), "");
    let bin = env!("CARGO_BIN_EXE_escalation-masker");
    let dry = std::process::Command::new(bin)
        .args([
            "dlq",
            "replay",
            "--reason",
            "not_found",
            "--dry-run",
            "--config",
        ])
        .arg(&config)
        .output()
        .expect("dry run");
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry.status.success(),
        "{}",
        String::from_utf8_lossy(&dry.stderr)
    );
    assert!(text.contains("would replay 2 dead letter(s)"), "{text}");
    assert!(text.contains("1 skipped"), "{text}");
    let out = std::process::Command::new(bin)
        .args([
            "dlq",
            "replay",
            "--reason",
            "not_found",
            "--since",
            "2020-01-01",
            "--config",
        ])
        .arg(&config)
        .output()
        .expect("replay");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("replayed 2 dead letter(s)"));

    assert!(kh::wait_until(Duration::from_secs(60), || w.handled() >= 5).await);
    w.stop().await;
    let sent = mock.state.received();
    assert_eq!(sent.len(), 2, "both replayed events delivered");
    // The replayed payload was already masked; it stays masked.
    assert_eq!(
        sent[0].body["attributes"]["note"],
        "card ****1111 exp 12/29"
    );
    let delivered = audit
        .query(&Query {
            outcome: Some(Outcome::Delivered),
            ..Default::default()
        })
        .await
        .expect("query");
    let ids: Vec<&str> = delivered
        .iter()
        .map(|r| r.record.event_id.as_str())
        .collect();
    assert_eq!(ids, ["late-1", "late-2"], "in order");
}
