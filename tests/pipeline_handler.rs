//! One record's fate, end to end without Kafka: real masking rules, the mock Genesys over HTTP and
//! a real SQLite audit log. Delivered, duplicate, dead-lettered (bad input, permanent rejection),
//! blocked by the egress guard, and retried when Genesys is down — with nothing unmasked leaving.

mod common;

use std::path::Path;
use std::sync::Arc;

use escalation_masker::audit::{AuditStore, KafkaPosition, Outcome, Query, SqliteStore};
use escalation_masker::config::ContinuityConfig;
use escalation_masker::mock_genesys::{Fault, FaultKind, MockConfig};
use escalation_masker::pipeline::continuity::Continuity;
use escalation_masker::pipeline::{DeadLetter, Handled, Handler, Incoming};
use escalation_masker::rule_dir::{self, KeyPolicy};

async fn handler(
    m: &common::Mock,
    rules: &Path,
    dir: &tempfile::TempDir,
) -> (Handler, Arc<SqliteStore>) {
    let audit = Arc::new(
        SqliteStore::open(&dir.path().join("audit.db"))
            .await
            .expect("audit"),
    );
    let h = Handler {
        rules: arc_swap::ArcSwap::from_pointee(
            rule_dir::load(rules, KeyPolicy::Required).expect("rules"),
        ),
        deliverer: Arc::new(common::deliverer(&common::genesys_config(&m.base))),
        audit: audit.clone(),
        worker: "w-test".into(),
        max_bytes: 1 << 20,
        continuity: Some(Arc::new(Continuity::new(
            &[9u8; 32],
            &ContinuityConfig::default(),
            audit.clone(),
        ))),
    };
    (h, audit)
}

fn at(offset: i64) -> KafkaPosition {
    KafkaPosition {
        topic: "escalations".into(),
        partition: 0,
        offset,
    }
}

/// Handles `payload` at `offset` and expects a dead letter.
async fn dead_letter(
    h: &Handler,
    payload: &[u8],
    offset: i64,
) -> (escalation_masker::audit::AuditRecord, DeadLetter) {
    let out = h
        .handle(&Incoming {
            payload,
            position: at(offset),
        })
        .await
        .expect("audited");
    let Handled::DeadLetter(rec, letter) = out else {
        panic!("expected a dead letter, got {out:?}")
    };
    (rec, letter)
}

fn default_rules() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules")
}

const EVENT: &str = r#"{"eventId":"evt-1","conversationId":"conv-9","source":"ivr","customer":{"tier":"gold"},"context":{"note":"card 4111 1111 1111 1111, cvv 123","orderStatus":"PAYMENT_FAILED"}}"#;

#[tokio::test]
async fn delivered_then_duplicate() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, audit) = handler(&m, &default_rules(), &dir).await;
    let first = h
        .handle(&Incoming {
            payload: EVENT.as_bytes(),
            position: at(1),
        })
        .await
        .expect("audited");
    let Handled::Done(rec) = first else {
        panic!("expected delivered, got {first:?}")
    };
    assert_eq!(rec.record.outcome, Outcome::Delivered);
    assert_eq!(
        rec.record.participant_id.as_deref(),
        Some("conv-9-customer")
    );
    assert_eq!(rec.record.http_status, Some(202));
    assert!(
        rec.record
            .findings
            .iter()
            .any(|f| f.rule == "payment-card" && f.path == "$.context.note")
    );
    let sent = m.state.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].body["attributes"]["note"],
        "card ****1111, cvv [CVV]"
    );
    assert_eq!(sent[0].body["attributes"]["customerTier"], "gold");

    let again = h
        .handle(&Incoming {
            payload: EVENT.as_bytes(),
            position: at(2),
        })
        .await
        .expect("audited");
    let Handled::Done(dup) = again else {
        panic!("expected duplicate, got {again:?}")
    };
    assert_eq!(dup.record.outcome, Outcome::Duplicate);
    assert_eq!(m.state.received().len(), 1, "not PATCHed twice");
    assert_eq!(
        audit.query(&Query::default()).await.expect("query").len(),
        2
    );
}

/// A redelivered event id is told apart by the digest of its masked content: the same event (even
/// with its keys in another order) is a duplicate; other content under a delivered id is the
/// producer's bug and is dead-lettered `event_id_reused`, masked, without a second PATCH.
#[tokio::test]
async fn a_reused_event_id_with_other_content_is_dead_lettered() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, audit) = handler(&m, &default_rules(), &dir).await;
    let handle = |payload: String, offset| {
        let h = &h;
        async move {
            h.handle(&Incoming {
                payload: payload.as_bytes(),
                position: at(offset),
            })
            .await
            .expect("audited")
        }
    };
    let Handled::Done(first) = handle(EVENT.to_string(), 1).await else {
        panic!("delivered")
    };
    let digest = first
        .record
        .content_digest
        .clone()
        .expect("a digest with the delivery");
    assert_eq!(digest.len(), 64);
    assert_eq!(
        audit
            .delivery("evt-1")
            .await
            .expect("lookup")
            .and_then(|d| d.content_digest),
        Some(digest)
    );

    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(EVENT).expect("json");
    let reordered: serde_json::Map<String, serde_json::Value> = fields.into_iter().rev().collect();
    let reordered = serde_json::to_string(&reordered).expect("json");
    assert_ne!(reordered, EVENT);
    let Handled::Done(dup) = handle(reordered, 2).await else {
        panic!("the same event in another key order is a duplicate")
    };
    assert_eq!(
        (dup.record.outcome, dup.record.reason),
        (Outcome::Duplicate, None)
    );

    let other = EVENT.replace("PAYMENT_FAILED", "REFUND_REQUESTED");
    let Handled::DeadLetter(rec, letter) = handle(other, 3).await else {
        panic!("other content under a delivered id is dead-lettered")
    };
    assert_eq!(rec.record.outcome, Outcome::DeadLettered);
    assert_eq!(rec.record.reason.as_deref(), Some("event_id_reused"));
    assert_eq!(rec.record.conversation_id, "conv-9");
    let header = |name: &str| {
        letter
            .headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    assert!(
        letter.headers.iter().any(|(_, v)| v == "event_id_reused"),
        "{:?}",
        letter.headers
    );
    assert!(header("__connect.errors.exception.message").is_none_or(|m| !m.contains("4111")));
    let body = String::from_utf8_lossy(&letter.payload);
    assert!(
        body.contains("REFUND_REQUESTED") && !body.contains("4111 1111"),
        "{body}"
    );
    // Differences only inside masked values are invisible to the digest: that is a duplicate.
    let Handled::Done(same_masked) = handle(
        EVENT.replace("4111 1111 1111 1111", "4000 0000 0006 1111"),
        4,
    )
    .await
    else {
        panic!("duplicate")
    };
    assert_eq!(same_masked.record.outcome, Outcome::Duplicate);
    assert_eq!(m.state.received().len(), 1, "PATCHed once in all");
    assert_eq!(
        audit.query(&Query::default()).await.expect("query").len(),
        4
    );
}

#[tokio::test]
async fn bad_input_is_dead_lettered_masked_with_a_reason() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, audit) = handler(&m, &default_rules(), &dir).await;
    let broken = br#"{"eventId":"e2","conversationId":"c","context":{"note":"card 4111111111111111 mail a@example.com"}"#;
    let (rec, letter) = dead_letter(&h, broken, 7).await;
    assert_eq!(rec.record.outcome, Outcome::DeadLettered);
    assert_eq!(rec.record.reason.as_deref(), Some("invalid_json"));
    let payload = String::from_utf8(letter.payload.clone()).expect("utf8");
    assert!(
        !payload.contains("4111111111111111") && !payload.contains("a@example.com"),
        "the dead letter holds a planted value (not echoed)"
    );
    assert!(payload.contains("****1111"), "the masked card is missing");
    let header = |k: &str| {
        letter
            .headers
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        header("escalation.error.class").as_deref(),
        Some("invalid_json")
    );
    assert_eq!(header("escalation.error.stage").as_deref(), Some("decode"));
    assert_eq!(header("escalation.source.offset").as_deref(), Some("7"));
    assert!(header("escalation.ruleset.version").is_some_and(|v| v.starts_with("sha256:")));
    assert!(m.state.received().is_empty());
    assert_eq!(
        audit.query(&Query::default()).await.expect("query").len(),
        1
    );
}

#[tokio::test]
async fn permanent_rejections_are_dead_lettered_and_outages_retried() {
    let m = common::mock(MockConfig {
        strict: true,
        ..MockConfig::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, audit) = handler(&m, &default_rules(), &dir).await;
    let (rec, letter) = dead_letter(&h, EVENT.as_bytes(), 3).await;
    assert_eq!(rec.record.reason.as_deref(), Some("not_found"));
    assert!(
        !String::from_utf8_lossy(&letter.payload).contains("4111 1111"),
        "the dead letter is masked"
    );

    m.state.seed_conversation("conv-9");
    m.state.add_fault(Fault {
        kind: FaultKind::ServerError { status: 503 },
        conversation_id: None,
        count: 1,
        rate: Some(1.0),
    });
    let before = audit.query(&Query::default()).await.expect("query").len();
    let out = h
        .handle(&Incoming {
            payload: EVENT.as_bytes(),
            position: at(4),
        })
        .await
        .expect("no audit error");
    assert!(
        matches!(out, Handled::Retry(ref e) if e.is_transient()),
        "{out:?}"
    );
    assert_eq!(
        audit.query(&Query::default()).await.expect("query").len(),
        before,
        "nothing audited: the event is retried"
    );
}

#[tokio::test]
async fn the_egress_check_blocks_what_a_faulty_ruleset_lets_through() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    // A ruleset edited wrongly: the card rule is gone.
    std::fs::write(
        rules.join("r.toml"),
        "[[rule]]\nid = \"mail\"\ndetector = \"email\"\naction = \"redact\"\n",
    )
    .expect("write");
    let (h, _) = handler(&m, &rules, &dir).await;
    let out = h
        .handle(&Incoming {
            payload: EVENT.as_bytes(),
            position: at(5),
        })
        .await
        .expect("audited");
    let Handled::DeadLetter(rec, letter) = out else {
        panic!("expected blocked, got {out:?}")
    };
    assert_eq!(rec.record.outcome, Outcome::Blocked);
    assert_eq!(rec.record.reason.as_deref(), Some("unmasked_data_blocked"));
    let payload = String::from_utf8_lossy(&letter.payload);
    assert!(
        !payload.contains("4111"),
        "the dead letter holds the card (not echoed)"
    );
    assert!(
        payload.contains("****1111"),
        "the egress check's card mask is missing"
    );
    assert!(
        !escalation_masker::egress::bytes_have_card(&letter.payload),
        "the dead letter still holds a card"
    );
    assert_eq!(m.state.api_requests(), 0, "nothing reached Genesys");
}

#[tokio::test]
async fn a_repeat_escalation_names_the_previous_conversation() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, _audit) = handler(&m, &default_rules(), &dir).await;
    let ev = |id: &str, conv: &str, customer: &str| {
        format!(
            r#"{{"eventId":"{id}","conversationId":"{conv}","customer":{{"externalId":"{customer}"}},"context":{{"note":"hi"}}}}"#
        )
    };
    for (i, (id, conv, customer)) in [
        ("e1", "conv-1", "cust-7"),
        ("e2", "conv-2", "cust-7"),
        ("e3", "conv-3", "cust-8"),
    ]
    .into_iter()
    .enumerate()
    {
        let payload = ev(id, conv, customer);
        let out = h
            .handle(&Incoming {
                payload: payload.as_bytes(),
                position: at(i as i64),
            })
            .await
            .expect("audited");
        assert!(matches!(out, Handled::Done(_)), "{out:?}");
    }
    let sent = m.state.received();
    let attrs = |conv: &str| {
        sent.iter()
            .find(|r| r.conversation_id == conv)
            .map(|r| r.body["attributes"].clone())
            .expect("received")
    };
    assert!(attrs("conv-1").get("previousConversationId").is_none());
    assert_eq!(attrs("conv-2")["previousConversationId"], "conv-1");
    assert!(attrs("conv-3").get("previousConversationId").is_none());
}

#[tokio::test]
async fn giving_up_dead_letters_a_masked_event_as_delivery_timeout() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, audit) = handler(&m, &default_rules(), &dir).await;
    let inc = Incoming {
        payload: EVENT.as_bytes(),
        position: at(5),
    };
    let ev = h.decode(inc.payload).expect("valid");
    let last = escalation_masker::genesys::GenesysError::Exhausted {
        attempts: 6,
        elapsed: std::time::Duration::from_secs(60),
        last: "server_error".into(),
    };
    let out = h.give_up(&inc, &ev, &last).await.expect("audited");
    let Handled::DeadLetter(rec, letter) = out else {
        panic!("expected a dead letter, got {out:?}")
    };
    assert_eq!(rec.record.outcome, Outcome::DeadLettered);
    assert_eq!(rec.record.reason.as_deref(), Some("delivery_timeout"));
    let text = String::from_utf8_lossy(&letter.payload);
    assert!(
        !text.contains("4111 1111") && text.contains("****1111"),
        "the dead letter is not masked as expected (not echoed)"
    );
    assert!(
        letter
            .headers
            .iter()
            .any(|(k, v)| k == "escalation.error.class" && v == "delivery_timeout")
    );
    assert_eq!(audit.query(&Query::default()).await.expect("q").len(), 1);
    assert!(m.state.received().is_empty());
}

#[tokio::test]
async fn a_json_record_that_breaks_the_contract_still_gets_the_field_rules() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, _audit) = handler(&m, &default_rules(), &dir).await;
    // No conversationId: rejected, but cvv, PIN, cardholder name and birth date are field-rule PII.
    let payload = br#"{"eventId":"e1","context":{"cvv":"737","pin":"4821","cardholderName":"Jane Doe","dob":"1984-03-02"}}"#;
    let (rec, letter) = dead_letter(&h, payload, 9).await;
    assert_eq!(rec.record.reason.as_deref(), Some("missing_field"));
    let text = String::from_utf8_lossy(&letter.payload);
    for raw in ["737", "4821", "Jane Doe", "1984-03-02"] {
        assert!(
            !text.contains(raw),
            "a planted field value reached the dead letter"
        );
    }
    assert!(!rec.record.findings.is_empty());
}

#[tokio::test]
async fn a_contract_failure_keeps_the_ids_that_can_be_read_and_none_that_hold_pii() {
    let m = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (h, audit) = handler(&m, &default_rules(), &dir).await;
    // Valid ids, but a context that is not an object.
    let payload =
        br#"{"eventId":"e-77","conversationId":"conv-77","context":"card 4111 1111 1111 1111"}"#;
    let (rec, letter) = dead_letter(&h, payload, 3).await;
    assert_eq!(rec.record.reason.as_deref(), Some("wrong_type"));
    assert_eq!(rec.record.event_id, "e-77");
    assert_eq!(rec.record.conversation_id, "conv-77");
    assert!(!String::from_utf8_lossy(&letter.payload).contains("4111 1111"));
    let found = audit
        .query(&Query {
            conversation_id: Some("conv-77".into()),
            ..Query::default()
        })
        .await
        .expect("query");
    assert_eq!(found.len(), 1, "an auditor finds it by conversation");

    // Ids that are free text or hold a card number are not kept.
    let payload =
        br#"{"eventId":"4111111111111111","conversationId":"Jane Doe's chat","context":[]}"#;
    let (rec, _) = dead_letter(&h, payload, 4).await;
    assert_eq!(rec.record.event_id, "", "a card number is no id to keep");
    assert_eq!(rec.record.conversation_id, "", "free text is no id");
}
