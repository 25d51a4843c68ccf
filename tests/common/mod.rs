//! Shared set-up for the Genesys integration tests: a mock server on a free loopback port and a
//! client configuration pointed at it with fast retry timings.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use escalation_masker::config::{Config, GenesysConfig, Target};
use escalation_masker::genesys::{Credentials, Deliverer, GenesysClient};
use escalation_masker::mock_genesys::{self, MockConfig, MockState};

/// A running mock and its base URL.
pub struct Mock {
    pub base: String,
    pub state: Arc<MockState>,
}

pub async fn mock(cfg: MockConfig) -> Mock {
    let (addr, state) = mock_genesys::spawn("127.0.0.1:0", cfg)
        .await
        .expect("mock starts");
    Mock {
        base: format!("http://{addr}"),
        state,
    }
}

pub async fn default_mock() -> Mock {
    mock(MockConfig::default()).await
}

/// A client configuration for `base` with quick retries and a generous rate limit.
pub fn genesys_config(base: &str) -> GenesysConfig {
    let text = format!(
        "[genesys]\napi_base_url = \"{base}\"\nrequest_timeout = \"2s\"\nconnect_timeout = \"1s\"\n\
         [genesys.retry]\nmax_attempts = 5\nmax_elapsed = \"20s\"\ninitial_backoff = \"20ms\"\nmax_backoff = \"200ms\"\nmax_retry_after = \"5s\"\n\
         [genesys.rate_limit]\nrequests_per_minute = 60000\nburst = 1000\n"
    );
    let cfg = Config::parse(&text).expect("test config parses");
    cfg.validate().expect("test config is valid");
    cfg.genesys
}

pub fn creds() -> Credentials {
    Credentials::new("mock-client", "mock-secret")
}

pub fn client(cfg: &GenesysConfig) -> GenesysClient {
    GenesysClient::new(cfg, creds()).expect("client builds")
}

pub fn deliverer(cfg: &GenesysConfig) -> Deliverer {
    Deliverer::new(client(cfg), cfg)
}

pub fn with_target(mut cfg: GenesysConfig, target: Target) -> GenesysConfig {
    cfg.target = target;
    cfg
}

/// A free loopback port (for a server a test starts in another process).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub const SHORT: Duration = Duration::from_millis(50);

// ---- audit helpers ----

use escalation_masker::audit::{AuditFinding, AuditStore, KafkaPosition, NewRecord, Outcome};

/// A fresh, empty PostgreSQL schema on the machine's server; returns a URL that uses it.
pub async fn pg_url() -> String {
    let base = std::env::var("ESCALATION_MASKER_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
        .await
        .expect("PostgreSQL must run at 127.0.0.1:5432 (scripts/test.sh starts it)");
    tokio::spawn(conn);
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create test schema");
    format!("{base}?options=-c%20search_path%3D{schema}")
}

/// A plain client on the same schema, for tampering with rows behind the store's back.
pub async fn pg_client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    client
}

pub fn record(i: u32, conversation: &str, outcome: Outcome) -> NewRecord {
    NewRecord {
        at: format!(
            "2026-11-{:02}T10:{:02}:{:02}.000Z",
            20 + i / 3600 % 5,
            i / 60 % 60,
            i % 60
        ),
        event_id: format!("evt-{i}"),
        conversation_id: conversation.to_string(),
        participant_id: Some(format!("{conversation}-customer")),
        source: Some("web-portal".into()),
        outcome,
        reason: (outcome == Outcome::DeadLettered).then(|| "invalid_json".to_string()),
        target: Some("participant-attributes".into()),
        http_status: (outcome == Outcome::Delivered).then_some(202),
        attempts: 1,
        ruleset_version: "sha256:abc".into(),
        findings: vec![AuditFinding {
            rule: "payment-card".into(),
            path: "$.context.note".into(),
            count: 1,
        }],
        kafka: Some(KafkaPosition {
            topic: "escalations".into(),
            partition: 0,
            offset: i64::from(i),
        }),
        worker: "worker-1".into(),
        content_digest: None,
    }
}

/// Appends `n` records over three conversations in batches of 7.
pub async fn fill(store: &dyn AuditStore, n: u32) {
    let outcomes = [
        Outcome::Delivered,
        Outcome::Delivered,
        Outcome::DeadLettered,
        Outcome::Duplicate,
    ];
    let all: Vec<NewRecord> = (0..n)
        .map(|i| record(i, &format!("conv-{}", i % 3), outcomes[(i % 4) as usize]))
        .collect();
    for chunk in all.chunks(7) {
        store.append(chunk).await.expect("append");
    }
}

/// Runs `escalation-masker audit verify --db URL`; returns (exit code, stdout).
pub fn cli_verify(db: &str) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
        .args(["audit", "verify", "--db", db])
        .env("RUST_LOG", "error")
        .output()
        .expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Every auditor's read command (`verify`, `query`, `export`, `stats`) refuses `db` with exit 2
/// and a message containing `expected`, and `export` leaves no bundle behind.
pub fn assert_readers_refuse(db: &str, expected: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bundle = dir.path().join("bundle.jsonl");
    let bundle = bundle.to_str().expect("utf-8 temp path");
    for args in [
        vec!["audit", "verify", "--db", db],
        vec!["audit", "query", "--db", db],
        vec!["audit", "export", "--db", db, "--out", bundle],
        vec!["audit", "stats", "--db", db],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
            .args(&args)
            .env("RUST_LOG", "error")
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed a result");
    }
    assert!(
        !std::path::Path::new(bundle).exists(),
        "export wrote a bundle"
    );
}

pub mod kafka;
pub mod net;
pub mod pg;

/// Whatever two instances do, the log holds one `delivered` record per event: a later delivered
/// record of the same event — in another append or in the same batch — is written as a duplicate
/// that keeps its target and HTTP status.
pub async fn assert_one_delivery_per_event(store: &dyn AuditStore) {
    let first = store
        .append(&[record(900, "conv-x", Outcome::Delivered)])
        .await
        .expect("append");
    assert_eq!(first[0].record.outcome, Outcome::Delivered);
    let again = store
        .append(&[
            record(900, "conv-x", Outcome::Delivered),
            record(901, "conv-x", Outcome::Delivered),
            record(901, "conv-x", Outcome::Delivered),
        ])
        .await
        .expect("append");
    let got: Vec<(Outcome, Option<&str>)> = again
        .iter()
        .map(|r| (r.record.outcome, r.record.reason.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Outcome::Duplicate, Some("concurrent_redelivery")),
            (Outcome::Delivered, None),
            (Outcome::Duplicate, Some("concurrent_redelivery")),
        ]
    );
    assert_eq!(again[0].record.http_status, Some(202), "it was sent again");
    let all = store.scan(0, 100_000).await.expect("scan");
    let v = escalation_masker::audit::verify(&all);
    assert!(
        v.broken.is_none(),
        "the chain covers the rewritten records: {:?}",
        v.broken
    );
}
