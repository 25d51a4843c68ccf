//! The auditors' command line on a seeded SQLite store: query filters and output formats (golden),
//! export bundles that verify offline and break when edited, stats — and a scan proving that
//! records made from the masked example events hold none of their PII.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use escalation_masker::audit::{AuditFinding, AuditStore, NewRecord, Outcome, SqliteStore};
use escalation_masker::rule_dir::{self, KeyPolicy};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_escalation-masker"));
    c.env("RUST_LOG", "error");
    c
}

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn seeded(dir: &Path) -> String {
    let path = dir.join("audit.db");
    let s = SqliteStore::open(&path).await.expect("opens");
    common::fill(&s, 12).await;
    format!("sqlite://{}", path.display())
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing {}", path.display()));
    assert_eq!(actual, expected, "{name} differs from the golden file");
}

#[tokio::test]
async fn query_formats_match_golden_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = seeded(dir.path()).await;
    for (format, file) in [
        ("table", "audit_query.table.txt"),
        ("json", "audit_query.jsonl"),
        ("csv", "audit_query.csv"),
    ] {
        let (code, out) = run(&[
            "audit",
            "query",
            "--db",
            &db,
            "--conversation",
            "conv-1",
            "--format",
            format,
        ]);
        assert_eq!(code, Some(0));
        golden(file, &out);
    }
    let (_, out) = run(&[
        "audit",
        "query",
        "--db",
        &db,
        "--outcome",
        "dead_lettered",
        "--format",
        "csv",
    ]);
    assert_eq!(out.lines().count(), 1 + 3, "{out}");
    let (_, out) = run(&[
        "audit",
        "query",
        "--db",
        &db,
        "--since",
        "2026-11-20T10:00:05Z",
        "--until",
        "2026-11-20T10:00:08Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.lines().count(), 3, "{out}");
    let (_, out) = run(&[
        "audit", "query", "--db", &db, "--event", "evt-4", "--format", "json",
    ]);
    assert_eq!(out.lines().count(), 1);
    let (code, _) = run(&["audit", "query", "--db", &db, "--since", "yesterday"]);
    assert_eq!(code, Some(2), "a bad time is a clear error");
    let (code, out) = run(&["audit", "stats", "--db", &db, "--format", "json"]);
    assert_eq!(code, Some(0));
    let stats: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(stats["records"], 12);
}

#[tokio::test]
async fn exports_verify_offline_and_edits_break_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = seeded(dir.path()).await;
    let bundle = dir.path().join("export.jsonl");
    let b = bundle.to_str().expect("utf8");
    let (code, out) = run(&[
        "audit",
        "export",
        "--db",
        &db,
        "--since",
        "2026-11-20T10:00:03Z",
        "--until",
        "2026-11-20T10:00:09Z",
        "--out",
        b,
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("exported 6 record(s)"), "{out}");
    let (code, out) = run(&["audit", "verify", "--file", b]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with("ok: 6 record(s), chain intact from record 4"),
        "{out}"
    );

    let text = std::fs::read_to_string(&bundle).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    // Edit one record.
    let edited = text.replacen(
        "\"outcome\":\"dead_lettered\"",
        "\"outcome\":\"delivered\"",
        1,
    );
    std::fs::write(&bundle, &edited).expect("write");
    let (code, out) = run(&["audit", "verify", "--file", b]);
    assert_eq!(code, Some(1), "{out}");
    // Drop the last record: the signed-off head no longer matches.
    let mut shorter: Vec<&str> = lines.clone();
    shorter.remove(lines.len() - 2);
    std::fs::write(&bundle, shorter.join("\n") + "\n").expect("write");
    let (code, out) = run(&["audit", "verify", "--file", b]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("head or count"), "{out}");

    // A one-line file is refused, not a panic.
    std::fs::write(&bundle, lines[0].to_string() + "\n").expect("write");
    let out = bin()
        .args(["audit", "verify", "--file", b])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an audit export"));
}

#[tokio::test]
async fn records_from_masked_example_events_hold_no_pii() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let rs = rule_dir::load(&root.join("masking-rules"), KeyPolicy::Required).expect("rules");
    let events = std::fs::read_to_string(root.join("examples/events.jsonl")).expect("events");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.db");
    let store = SqliteStore::open(&path).await.expect("opens");
    let mut batch = Vec::new();
    for line in events.lines() {
        let mut doc: serde_json::Value = serde_json::from_str(line).expect("json");
        let report = rs.mask_value(&mut doc);
        let text = |k: &str| doc.get(k).and_then(|v| v.as_str()).map(str::to_string);
        batch.push(NewRecord {
            at: escalation_masker::audit::now_rfc3339(),
            event_id: text("eventId").unwrap_or_default(),
            conversation_id: text("conversationId").unwrap_or_default(),
            participant_id: text("participantId"),
            source: text("source"),
            outcome: Outcome::Delivered,
            reason: None,
            target: Some("participant-attributes".into()),
            http_status: Some(202),
            attempts: 1,
            ruleset_version: report.ruleset_version.to_string(),
            findings: AuditFinding::from_report(&report),
            kafka: None,
            worker: "test".into(),
            content_digest: None,
        });
    }
    store.append(&batch).await.expect("append");
    drop(store);
    let mut bytes = std::fs::read(&path).expect("db file");
    if let Ok(wal) = std::fs::read(dir.path().join("audit.db-wal")) {
        bytes.extend(wal);
    }
    let haystack = String::from_utf8_lossy(&bytes);
    for secret in [
        "4111111111111111",
        "4111 1111 1111 1111",
        "5555555555554444",
        "378282246310005",
        "jane.doe@example.com",
        "j.smith@example.org",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "123-45-6789",
        "Summer2026!",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "+44 20 7946 0958",
        "X1234567",
        "203.0.113.42",
    ] {
        assert!(
            !haystack.contains(secret),
            "the audit store holds a raw value"
        );
    }
    assert!(
        haystack.contains("payment-card") && haystack.contains("$.context.message"),
        "findings are stored"
    );
}
