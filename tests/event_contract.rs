//! The event contract has two statements — `schemas/escalation-event.schema.json` for producers and
//! `src/event.rs` for the worker — and they must agree: every example event passes both, and each
//! broken variant fails both.

use std::path::PathBuf;

use escalation_masker::event::{DEFAULT_MAX_BYTES, decode};
use serde_json::{Value, json};

fn schema() -> jsonschema::Validator {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/escalation-event.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("schema file"))
        .expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

#[test]
fn example_events_satisfy_both_statements_of_the_contract() {
    let v = schema();
    let events = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/events.jsonl"),
    )
    .expect("events");
    for (i, line) in events.lines().enumerate() {
        let doc: Value = serde_json::from_str(line).expect("json");
        assert!(v.is_valid(&doc), "example {} fails the schema", i + 1);
        let e = decode(line.as_bytes(), DEFAULT_MAX_BYTES)
            .unwrap_or_else(|e| panic!("example {} refused: {e}", i + 1));
        assert_eq!(e.conversation_id, doc["conversationId"]);
    }
}

#[test]
fn broken_events_fail_both_statements_of_the_contract() {
    let v = schema();
    let good = json!({"eventId": "e1", "conversationId": "c-1", "participantId": "p-1", "occurredAt": "2026-11-25T10:00:00Z",
                      "source": "ivr", "customer": {"externalId": 42, "tier": "gold"}, "context": {"a": 1}});
    assert!(v.is_valid(&good));
    assert!(decode(good.to_string().as_bytes(), DEFAULT_MAX_BYTES).is_ok());
    let broken: Vec<(&str, Value)> = vec![
        ("no eventId", json!({"conversationId": "c", "context": {}})),
        (
            "empty eventId",
            json!({"eventId": "", "conversationId": "c", "context": {}}),
        ),
        (
            "numeric eventId",
            json!({"eventId": 7, "conversationId": "c", "context": {}}),
        ),
        ("no conversationId", json!({"eventId": "e", "context": {}})),
        (
            "conversationId with a slash",
            json!({"eventId": "e", "conversationId": "a/b", "context": {}}),
        ),
        (
            "participantId with a space",
            json!({"eventId": "e", "conversationId": "c", "participantId": "a b", "context": {}}),
        ),
        (
            "occurredAt not a time",
            json!({"eventId": "e", "conversationId": "c", "occurredAt": "soon", "context": {}}),
        ),
        ("no context", json!({"eventId": "e", "conversationId": "c"})),
        (
            "context not an object",
            json!({"eventId": "e", "conversationId": "c", "context": [1]}),
        ),
        (
            "customer not an object",
            json!({"eventId": "e", "conversationId": "c", "customer": "x", "context": {}}),
        ),
        (
            "externalId an array",
            json!({"eventId": "e", "conversationId": "c", "customer": {"externalId": [1]}, "context": {}}),
        ),
        (
            "tier a number",
            json!({"eventId": "e", "conversationId": "c", "customer": {"tier": 1}, "context": {}}),
        ),
        (
            "long source",
            json!({"eventId": "e", "conversationId": "c", "source": "x".repeat(65), "context": {}}),
        ),
        ("not an object", json!(["e"])),
    ];
    for (name, doc) in broken {
        assert!(!v.is_valid(&doc), "the schema accepts: {name}");
        assert!(
            decode(doc.to_string().as_bytes(), DEFAULT_MAX_BYTES).is_err(),
            "the worker accepts: {name}"
        );
    }
}
