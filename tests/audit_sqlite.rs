//! The embedded audit store: appends, queries, idempotency, the CLI, and tampering found by
//! `audit verify` after rows are edited, deleted or reordered directly in the SQLite file.

mod common;

use escalation_masker::audit::{self, AuditStore, Outcome, Query, SqliteStore};

fn url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}

async fn store(dir: &tempfile::TempDir) -> (SqliteStore, String) {
    let path = dir.path().join("audit.db");
    (
        SqliteStore::open(&path).await.expect("opens"),
        format!("sqlite://{}", path.display()),
    )
}

#[tokio::test]
async fn appends_chain_and_queries_filter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, _) = store(&dir).await;
    common::fill(&s, 30).await;
    let all = s.scan(0, 1000).await.expect("scan");
    assert_eq!(all.len(), 30);
    assert!(all.iter().enumerate().all(|(i, r)| r.seq == i as i64 + 1));
    assert_eq!(audit::verify(&all).broken, None);

    let conv = s
        .query(&Query {
            conversation_id: Some("conv-1".into()),
            ..Query::default()
        })
        .await
        .expect("query");
    assert_eq!(conv.len(), 10);
    assert!(conv.iter().all(|r| r.record.conversation_id == "conv-1"));
    let dead = s
        .query(&Query {
            outcome: Some(Outcome::DeadLettered),
            limit: 3,
            ..Query::default()
        })
        .await
        .expect("query");
    assert_eq!(
        dead.iter().map(|r| r.seq).collect::<Vec<_>>(),
        vec![3, 7, 11]
    );
    let window = s
        .query(&Query {
            since: Some("2026-11-20T10:00:10.000Z".into()),
            until: Some("2026-11-20T10:00:20.000Z".into()),
            ..Query::default()
        })
        .await
        .expect("query");
    assert_eq!(window.len(), 10);
    assert!(s.delivered("evt-0").await.expect("lookup"));
    assert!(
        !s.delivered("evt-2").await.expect("lookup"),
        "dead-lettered is not delivered"
    );
    assert!(!s.delivered("evt-999").await.expect("lookup"));
    let stats = s.stats().await.expect("stats");
    assert_eq!(stats.records, 30);
    assert!(stats.by_outcome.contains(&("dead_lettered".to_string(), 7)));
    assert_eq!(stats.by_rule, vec![("payment-card".to_string(), 30)]);
}

#[tokio::test]
async fn one_delivered_record_per_event() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, _) = store(&dir).await;
    common::assert_one_delivery_per_event(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_writers_on_one_file_keep_one_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shared.db");
    let a = SqliteStore::open(&path).await.expect("a");
    let b = SqliteStore::open(&path).await.expect("b");
    let ta = tokio::spawn(async move { common::fill(&a, 140).await });
    let tb = tokio::spawn(async move { common::fill(&b, 140).await });
    ta.await.expect("a");
    tb.await.expect("b");
    let s = SqliteStore::open(&path).await.expect("reader");
    let all = s.scan(0, 10_000).await.expect("scan");
    assert_eq!(all.len(), 280);
    assert_eq!(audit::verify(&all).broken, None);
}

#[tokio::test]
async fn tampering_is_found_by_audit_verify() {
    for (name, sql, seq) in [
        (
            "edit",
            "UPDATE audit_log SET outcome = 'delivered' WHERE seq = 3",
            3,
        ),
        ("delete", "DELETE FROM audit_log WHERE seq = 5", 5),
        (
            "reorder",
            "UPDATE audit_log SET seq = -1 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 6; UPDATE audit_log SET seq = 6 WHERE seq = -1",
            4,
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let (s, url) = store(&dir).await;
        common::fill(&s, 10).await;
        let (code, out) = common::cli_verify(&url);
        assert_eq!(code, Some(0), "{out}");
        assert!(out.starts_with("ok: 10 record(s), chain intact"), "{out}");
        drop(s);
        let conn = rusqlite::Connection::open(dir.path().join("audit.db")).expect("open");
        conn.execute_batch(sql).expect("tamper");
        drop(conn);
        let (code, out) = common::cli_verify(&url);
        assert_eq!(code, Some(1), "{name}: {out}");
        assert!(
            out.starts_with(&format!("BROKEN at record {seq}:")),
            "{name}: {out}"
        );
    }
}

#[tokio::test]
async fn bad_urls_and_unreachable_databases_are_one_clear_line() {
    for (db, expected) in [
        ("mysql://x", "unsupported audit database URL"),
        ("sqlite://", "unsupported audit database URL"),
        (
            "sqlite:///nonexistent-dir/x/audit.db",
            "no audit log at sqlite:///nonexistent-dir/x/audit.db",
        ),
        (
            "postgres://nobody:pw@127.0.0.1:1/none",
            "cannot open the audit database (postgres://nobody@127.0.0.1:1/none)",
        ),
    ] {
        let (code, _) = common::cli_verify(db);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
            .args(["audit", "query", "--db", db])
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{db}: {stderr}");
        assert_eq!(code, Some(2));
        assert!(
            stderr.starts_with("error: ") && stderr.contains(expected),
            "{db}: {stderr}"
        );
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("pw@"), "no password: {stderr}");
    }
}

#[tokio::test]
async fn a_newer_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, url) = store(&dir).await;
    drop(s);
    let conn = rusqlite::Connection::open(dir.path().join("audit.db")).expect("open");
    conn.execute_batch("UPDATE audit_schema SET version = 99")
        .expect("bump");
    drop(conn);
    let (code, _) = common::cli_verify(&url);
    assert_eq!(code, Some(2));
    let err = SqliteStore::open(&dir.path().join("audit.db"))
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains(&format!(
            "version 99, newer than this program's {}",
            audit::SCHEMA_VERSION
        )),
        "{err}"
    );
}

#[tokio::test]
async fn removing_the_newest_records_is_found_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (s, url) = store(&dir).await;
    common::fill(&s, 10).await;
    let (_, ok) = common::cli_verify(&url);
    let head = ok.trim().rsplit(' ').next().expect("head").to_string();
    assert!(head.starts_with("10:"), "{ok}");
    drop(s);
    let conn = rusqlite::Connection::open(dir.path().join("audit.db")).expect("open");
    conn.execute_batch("DELETE FROM audit_log WHERE seq > 8")
        .expect("truncate");
    let (code, out) = common::cli_verify(&url);
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains("the log ends at record 8 but its head marker says record 10"),
        "{out}"
    );
    // Someone who also rewinds the marker is caught by the head published before.
    let hash8: String = conn
        .query_row("SELECT hash FROM audit_log WHERE seq = 8", [], |r| r.get(0))
        .expect("hash");
    conn.execute("UPDATE audit_head SET seq = 8, hash = ?1", [hash8])
        .expect("rewind");
    let (code, _) = common::cli_verify(&url);
    assert_eq!(code, Some(0), "the chain alone cannot see it…");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
        .args(["audit", "verify", "--db", &url, "--expect-head", &head])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("before the published head 10"),
        "…the published head can"
    );
}

/// Auditors' commands open the log read-only: a wrong path, a file that is not a log, or a log
/// with a dropped table is refused (exit 2) and left exactly as it was; a real log verifies without
/// a byte of it changing.
#[tokio::test]
async fn readers_never_create_or_repair_a_log() {
    let dir = tempfile::tempdir().expect("tempdir");

    let missing = dir.path().join("wrong/place/audit.db");
    common::assert_readers_refuse(&url(&missing), "no such file");
    assert!(!missing.exists() && !dir.path().join("wrong").exists());

    let not_a_log = dir.path().join("other.db");
    rusqlite::Connection::open(&not_a_log)
        .and_then(|c| c.execute_batch("CREATE TABLE notes (x TEXT)"))
        .expect("creates another database");
    common::assert_readers_refuse(&url(&not_a_log), "none of the log's tables");

    let path = dir.path().join("audit.db");
    {
        let s = SqliteStore::open(&path).await.expect("opens");
        common::fill(&s, 10).await;
    }
    let before = std::fs::read(&path).expect("reads");
    let (code, out) = common::cli_verify(&url(&path));
    assert_eq!(
        (code, out.starts_with("ok: 10 record(s)")),
        (Some(0), true),
        "{out}"
    );
    assert_eq!(
        std::fs::read(&path).expect("reads"),
        before,
        "verify changed the log"
    );

    rusqlite::Connection::open(&path)
        .and_then(|c| c.execute_batch("DROP TABLE audit_head"))
        .expect("drops the head marker");
    common::assert_readers_refuse(&url(&path), "audit_head missing");
    let tables: Vec<String> = rusqlite::Connection::open(&path)
        .and_then(|c| {
            let mut st = c.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
            st.query_map([], |r| r.get(0))?.collect()
        })
        .expect("lists tables");
    assert!(
        !tables.iter().any(|t| t == "audit_head"),
        "a reader recreated it: {tables:?}"
    );
}

/// A log written before content digests existed (schema version 1) is read as it is by auditors'
/// commands, without a byte changing, and migrated by the next worker; its chain still verifies
/// with the new records, which carry digests, after it.
#[tokio::test]
async fn a_version_1_log_is_read_as_is_and_migrated_by_the_worker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("audit.db");
    {
        let s = SqliteStore::open(&path).await.expect("opens");
        common::fill(&s, 6).await;
    }
    rusqlite::Connection::open(&path)
        .and_then(|c| {
            c.execute_batch(
                "ALTER TABLE audit_log DROP COLUMN content_digest; UPDATE audit_schema SET version = 1",
            )
        })
        .expect("turns the log into a version-1 log");
    let before = std::fs::read(&path).expect("reads");
    let (code, out) = common::cli_verify(&url(&path));
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("ok: 6 record(s)"), "{out}");
    assert_eq!(
        std::fs::read(&path).expect("reads"),
        before,
        "a reader migrated the log"
    );

    let s = SqliteStore::open(&path).await.expect("the worker migrates");
    let mut rec = common::record(100, "conv-9", Outcome::Delivered);
    rec.content_digest = Some("ab".repeat(32));
    s.append(&[rec]).await.expect("appends after the migration");
    let past = s
        .delivery("evt-100")
        .await
        .expect("lookup")
        .expect("delivered");
    assert_eq!(past.content_digest, Some("ab".repeat(32)));
    let version: i64 = rusqlite::Connection::open(&path)
        .and_then(|c| c.query_row("SELECT max(version) FROM audit_schema", [], |r| r.get(0)))
        .expect("version");
    assert_eq!(version, audit::SCHEMA_VERSION);
    drop(s);
    let (code, out) = common::cli_verify(&url(&path));
    assert!(
        code == Some(0) && out.starts_with("ok: 7 record(s)"),
        "{out}"
    );
}
