//! The event contract has two statements — `schemas/escalation-event.schema.json` for producers and
//! `src/event.rs` for the worker — and they must agree: the schema file is generated from the
//! worker's field table, every example event passes both, each broken variant fails both, and
//! documents generated at every edge of every field (lengths in bytes and characters, ids, times,
//! nulls, types) get the same verdict from both.

use std::path::PathBuf;

use escalation_masker::event::{DEFAULT_MAX_BYTES, FIELDS, Shape, decode, json_schema};
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

#[test]
fn the_schema_file_is_generated_from_the_field_table() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schemas/escalation-event.schema.json");
    let generated = serde_json::to_string_pretty(&json_schema()).expect("json") + "\n";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
        return;
    }
    let shipped = std::fs::read_to_string(&path).expect("schema file");
    assert_eq!(
        shipped, generated,
        "schemas/escalation-event.schema.json is not what src/event.rs FIELDS generates; run the test with UPDATE_GOLDEN=1"
    );
}

/// Values at and around the edges of a shape, of every JSON type.
fn edges(shape: Shape) -> Vec<Value> {
    let mut v: Vec<Value> = vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1.5),
        json!(41111111111111111u64),
        json!([]),
        json!(["x"]),
        json!({}),
        json!({"a": 1}),
        json!(""),
        json!(" "),
    ];
    let strings = |n: usize| {
        [
            "a".repeat(n),
            "é".repeat(n),
            "😀".repeat(n),
            format!("{}{}", "a".repeat(n.saturating_sub(1)), "é"),
        ]
    };
    let limits: &[usize] = match shape {
        Shape::Id { max } => &[1, 2, 3, max - 1, max, max + 1],
        Shape::Text { min, max } => &[min, min + 1, max - 1, max, max + 1, 2 * max],
        _ => &[1, 64],
    };
    for &n in limits {
        v.extend(strings(n).into_iter().map(Value::from));
    }
    for id in [
        ".",
        "..",
        "...",
        ".a",
        "a.",
        "a..b",
        "-",
        "_",
        "a/b",
        "a b",
        "a\\b",
        "a%2F",
        "A-z_0.9",
        "ä",
        "a\u{0}",
        "a\n",
        "c0a80001-7d3e-4b6a-9f1e-2b5d8e000001",
    ] {
        v.push(id.into());
    }
    for t in [
        "2026-11-25T09:01:07Z",
        "2026-11-25t09:01:07z",
        "2026-11-25T09:01:07.123456789Z",
        "2026-11-25T09:01:07+05:30",
        "2026-11-25T09:01:07-00:00",
        "2026-11-25 09:01:07Z",
        "2026-11-25T09:01:07",
        "2026-11-25",
        "09:01:07Z",
        "2026-11-25T24:00:00Z",
        "2026-02-30T09:01:07Z",
        "2026-11-25T09:01:60Z",
        "2026-11-25T09:01:07+24:00",
        "2026-11-25T09:01:07.Z",
        "+2026-11-25T09:01:07Z",
        "2026-11-25T09:01:07Z ",
        "20261125T090107Z",
    ] {
        v.push(t.into());
    }
    v
}

/// Every field set to every edge value (and removed), in an otherwise valid event: the schema and
/// the worker agree on each document.
#[test]
fn schema_and_worker_agree_at_every_edge_of_every_field() {
    let v = schema();
    let base = json!({"eventId": "e1", "conversationId": "c-1", "participantId": "p-1",
        "occurredAt": "2026-11-25T10:00:00Z", "source": "ivr",
        "customer": {"externalId": 42, "tier": "gold"}, "context": {"a": 1}});
    let mut checked = 0;
    let mut disagreements = Vec::new();
    for f in FIELDS {
        let mut values: Vec<Option<Value>> = edges(f.shape).into_iter().map(Some).collect();
        values.push(None);
        for value in values {
            let mut doc = base.clone();
            let slot = match f.path.split_once('.') {
                None => doc.as_object_mut().expect("object"),
                Some((parent, _)) => doc[parent].as_object_mut().expect("object"),
            };
            let name = f.path.rsplit('.').next().expect("name").to_string();
            match &value {
                Some(x) => slot.insert(name, x.clone()),
                None => slot.remove(&name),
            };
            let by_schema = v.is_valid(&doc);
            let by_worker = decode(doc.to_string().as_bytes(), DEFAULT_MAX_BYTES).is_ok();
            checked += 1;
            if by_schema != by_worker {
                disagreements.push(format!(
                    "{} = {}: schema {}, worker {}",
                    f.path,
                    value.map_or("(absent)".to_string(), |x| x
                        .to_string()
                        .chars()
                        .take(40)
                        .collect()),
                    if by_schema { "accepts" } else { "refuses" },
                    if by_worker { "accepts" } else { "refuses" },
                ));
            }
        }
    }
    assert!(checked > 300, "only {checked} documents");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

proptest::proptest! {
    /// Random strings from an alphabet dense in edge characters, in every string field.
    #[test]
    fn schema_and_worker_agree_on_random_strings(
        field in 0..FIELDS.len(),
        s in "[a-zA-Z0-9._/ :+é😀TZ-]{0,300}",
    ) {
        let v = schema();
        let f = &FIELDS[field];
        let mut doc = json!({"eventId": "e1", "conversationId": "c-1", "customer": {}, "context": {}});
        match f.path.split_once('.') {
            None => doc[f.path] = s.clone().into(),
            Some((parent, child)) => doc[parent][child] = s.clone().into(),
        }
        let by_schema = v.is_valid(&doc);
        let by_worker = decode(doc.to_string().as_bytes(), DEFAULT_MAX_BYTES).is_ok();
        proptest::prop_assert_eq!(by_schema, by_worker, "{} = {:?}", f.path, s);
    }
}

/// The README's field table for producers, as the field table makes it.
fn readme_table() -> String {
    let mut t = String::from("| field | required | what it must hold |\n|---|---|---|\n");
    for f in FIELDS {
        t.push_str(&format!(
            "| `{}` | {} | {} |\n",
            f.path,
            if f.required {
                "yes"
            } else {
                "no (absent or `null`)"
            },
            f.shape.describe()
        ));
    }
    t
}

#[test]
fn the_readme_documents_every_field_and_limit() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let table = readme_table();
    assert!(
        readme.contains(&table),
        "the README's field table differs from src/event.rs FIELDS; it should read:\n{table}"
    );
}
