//! The leak test: every example event and every kind of bad event goes through the `run` binary
//! (debug-level JSON logs); then the logs, the audit database files, the dead-letter topic
//! (payloads, keys, headers) and everything the mock Genesys received are scanned for each planted
//! PII value and for any Luhn-valid card number. Zero hits allowed.

mod common;

use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use escalation_masker::masking::detectors::contains_card;
use rdkafka::Message;
use rdkafka::message::Headers;

/// Values planted in the events below; none may appear in any output.
const PLANTED: &[&str] = &[
    "4111 1111 1111 1111",
    "4111111111111111",
    "5500-0000-0000-0004",
    "5500000000000004",
    "378282246310005",
    "6011 0009 9013 9424",
    "jane.doe@example.com",
    "leak.test@example.org",
    "+44 20 7946 0958",
    "123-45-6789",
    "GB82WEST12345698765432",
    "GB82 WEST 1234 5698 7654 32",
    "hunter2-very-secret",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
];

fn bad_events() -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = vec![
        // Not JSON at all, with a card, an email and a phone number in it.
        b"card 4111 1111 1111 1111 for leak.test@example.org call +44 20 7946 0958".to_vec(),
        // JSON, but conversationId missing.
        br#"{"eventId":"bad-1","context":{"pan":"5500-0000-0000-0004","ssn":"123-45-6789"}}"#
            .to_vec(),
        // Wrong type.
        br#"{"eventId":"bad-2","conversationId":42,"context":{"iban":"GB82WEST12345698765432"}}"#
            .to_vec(),
        // Card as a JSON number, truncated document.
        br#"{"eventId":"bad-3","conversationId":"c-bad-3","context":{"card":4111111111111111"#
            .to_vec(),
        // Nested too deep.
        format!(
            r#"{{"eventId":"bad-4","conversationId":"c","context":{}"6011 0009 9013 9424"{}}}"#,
            "{\"a\":".repeat(80),
            "}".repeat(80)
        )
        .into_bytes(),
    ];
    // Invalid UTF-8 around a card.
    let mut b = b"{\"eventId\":\"bad-5\",\"note\":\"378282246310005 ".to_vec();
    b.extend_from_slice(&[0xc3, 0x28, b'"', b'}']);
    out.push(b);
    // Valid events full of PII (delivered masked).
    out.push(
        br#"{"eventId":"pii-1","conversationId":"c-pii-1","customer":{"externalId":"leak.test@example.org"},"context":{"message":"my card is 4111111111111111, cvv 123, iban GB82 WEST 1234 5698 7654 32","password":"hunter2-very-secret","token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U","phone":"+44 20 7946 0958"}}"#
            .to_vec(),
    );
    out
}

/// Planted literals anywhere in raw bytes (database pages included).
fn scan_planted(what: &str, text: &str, hits: &mut Vec<String>) {
    for p in PLANTED {
        if text.contains(p) {
            hits.push(format!(
                "{what}: planted value #{}",
                PLANTED.iter().position(|x| x == p).unwrap_or(0)
            ));
        }
    }
}

/// Planted literals and any Luhn-valid card number in text (not in binary pages, where random
/// digits next to each other make false alarms).
fn scan(what: &str, text: &str, hits: &mut Vec<String>) {
    scan_planted(what, text, hits);
    for line in text.lines() {
        if contains_card(line) {
            let msg: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            hits.push(format!(
                "{what}: a card number (message {:?}, target {:?}, len {})",
                msg["message"],
                msg["target"],
                line.len()
            ));
            break;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_planted_pii_reaches_logs_audit_dlq_or_genesys() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("leak", 3);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("audit.db");
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &db, "");
    let log = dir.path().join("worker.log");

    let examples = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/events.jsonl"),
    )
    .expect("examples");
    let mut records: Vec<(Option<String>, Vec<u8>)> = examples
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| (escalation_masker::cli::event_key(l), l.as_bytes().to_vec()))
        .collect();
    // Keys too: a producer keying by something sensitive must not leak it through the DLQ.
    for b in bad_events() {
        records.push((Some("leak.test@example.org".into()), b));
    }
    let total = records.len() as i64;
    kh::produce(&kcfg, &kcfg.input_topic, &records).await;

    let mut child = kh::spawn_worker(&config, &log);
    let deadline = Instant::now() + Duration::from_secs(90);
    while kh::audit_count(&db) < total {
        assert!(
            Instant::now() < deadline,
            "only {} handled",
            kh::audit_count(&db)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(child.terminate().success());

    let mut hits = Vec::new();
    let log_text = std::fs::read_to_string(&log).expect("log");
    assert!(
        log_text.contains("event handled"),
        "the log has outcome lines"
    );
    scan("worker log", &log_text, &mut hits);
    for f in std::fs::read_dir(dir.path()).expect("dir").flatten() {
        let name = f.file_name().to_string_lossy().to_string();
        if name.starts_with("audit.db") {
            let bytes = std::fs::read(f.path()).expect("db file");
            scan_planted(&name, &String::from_utf8_lossy(&bytes), &mut hits);
        }
    }
    // Every audit record as text, field by field, for card numbers.
    let store = escalation_masker::audit::SqliteStore::open(&db)
        .await
        .expect("audit");
    let all = escalation_masker::audit::AuditStore::scan(&store, 0, 100_000)
        .await
        .expect("records");
    assert_eq!(all.len() as i64, total);
    for r in &all {
        let text = serde_json::to_string(&r.record).expect("json");
        scan("audit record", &text, &mut hits);
    }
    let letters = kh::read_topic(&kcfg, &kcfg.dlq_topic());
    let reasons: Vec<String> = letters
        .iter()
        .filter_map(|m| kh::header(m, "escalation.error.class"))
        .collect();
    let db_reasons = rusqlite::Connection::open(&db)
        .and_then(|c| {
            let mut st = c.prepare("SELECT outcome || ':' || coalesce(reason, '') FROM audit_log WHERE outcome != 'delivered'")?;
            st.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()
        })
        .expect("reasons");
    assert_eq!(
        letters.len(),
        6,
        "the six bad records are dead-lettered: {reasons:?} / audit {db_reasons:?}"
    );
    for m in &letters {
        scan(
            "DLQ payload",
            &String::from_utf8_lossy(m.payload().unwrap_or_default()),
            &mut hits,
        );
        scan(
            "DLQ key",
            &String::from_utf8_lossy(m.key().unwrap_or_default()),
            &mut hits,
        );
        if let Some(h) = m.headers() {
            for h in h.iter() {
                scan(
                    "DLQ header",
                    &String::from_utf8_lossy(h.value.unwrap_or_default()),
                    &mut hits,
                );
            }
        }
    }
    let received = mock.state.received();
    assert!(received.len() >= 20, "examples were delivered");
    for r in &received {
        scan("Genesys request", &r.body.to_string(), &mut hits);
    }
    assert!(hits.is_empty(), "PII leaked: {hits:#?}");
}
