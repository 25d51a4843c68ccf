//! The shared audit store on the machine's PostgreSQL: schema created by the program, concurrent
//! writers chained correctly, queries, and tampering found by `audit verify`.

mod common;

use std::sync::Arc;

use escalation_masker::audit::{self, AuditStore, PgStore, Query};

#[tokio::test]
async fn schema_appends_and_queries() {
    let url = common::pg_url().await;
    let s = PgStore::connect(&url)
        .await
        .expect("connects and creates its schema");
    common::fill(&s, 30).await;
    let all = s.scan(0, 1000).await.expect("scan");
    assert_eq!(all.len(), 30);
    assert_eq!(audit::verify(&all).broken, None);
    let conv = s
        .query(&Query {
            conversation_id: Some("conv-2".into()),
            ..Query::default()
        })
        .await
        .expect("query");
    assert_eq!(conv.len(), 10);
    assert!(s.delivered("evt-1").await.expect("lookup"));
    assert!(!s.delivered("evt-3").await.expect("lookup"));
    // Reconnecting finds the schema in place and continues the chain.
    let again = PgStore::connect(&url).await.expect("reconnects");
    common::fill(&again, 5).await;
    assert_eq!(
        audit::verify(&again.scan(0, 1000).await.expect("scan")).records,
        35
    );
}

#[tokio::test]
async fn one_delivered_record_per_event() {
    let url = common::pg_url().await;
    let s = PgStore::connect(&url).await.expect("connects");
    common::assert_one_delivery_per_event(&s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_separate_connections_keep_one_chain() {
    let url = common::pg_url().await;
    let mut tasks = Vec::new();
    for w in 0..6 {
        let store = Arc::new(PgStore::connect(&url).await.expect("connects"));
        tasks.push(tokio::spawn(async move {
            for b in 0..20u32 {
                let batch: Vec<_> = (0..5)
                    .map(|i| {
                        common::record(
                            w * 1000 + b * 10 + i,
                            &format!("conv-{w}"),
                            audit::Outcome::Delivered,
                        )
                    })
                    .collect();
                store.append(&batch).await.expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
    let reader = PgStore::connect(&url).await.expect("reader");
    let all = reader.scan(0, 10_000).await.expect("scan");
    assert_eq!(all.len(), 600);
    let v = audit::verify(&all);
    assert_eq!(v.broken, None, "{:?}", v.broken);
    assert_eq!(all.last().map(|r| r.seq), Some(600));
}

#[tokio::test]
async fn tampering_is_found_by_audit_verify() {
    for (name, sql, seq) in [
        (
            "edit",
            "UPDATE audit_log SET reason = 'changed' WHERE seq = 2",
            2,
        ),
        ("delete", "DELETE FROM audit_log WHERE seq = 7", 7),
        (
            "reorder",
            "UPDATE audit_log SET seq = -1 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 8; UPDATE audit_log SET seq = 8 WHERE seq = -1",
            3,
        ),
    ] {
        let url = common::pg_url().await;
        let s = PgStore::connect(&url).await.expect("connects");
        common::fill(&s, 10).await;
        let (code, out) = common::cli_verify(&url);
        assert_eq!(code, Some(0), "{out}");
        common::pg_client(&url)
            .await
            .batch_execute(sql)
            .await
            .expect("tamper");
        let (code, out) = common::cli_verify(&url);
        assert_eq!(code, Some(1), "{name}: {out}");
        assert!(
            out.starts_with(&format!("BROKEN at record {seq}:")),
            "{name}: {out}"
        );
    }
}

/// A reader pointed at a database without the log (a wrong URL, or tables dropped) is refused
/// with exit 2 and creates nothing there.
#[tokio::test]
async fn readers_refuse_a_database_without_the_log() {
    let url = common::pg_url().await;
    common::assert_readers_refuse(&url, "none of the log's tables");
    let client = common::pg_client(&url).await;
    assert_eq!(count_tables(&client).await, 0, "a reader created tables");

    let s = PgStore::connect(&url)
        .await
        .expect("the worker creates the log");
    common::fill(&s, 5).await;
    let (code, out) = common::cli_verify(&url);
    assert_eq!(code, Some(0), "{out}");
    client
        .batch_execute("DROP TABLE audit_head")
        .await
        .expect("drops the head marker");
    common::assert_readers_refuse(&url, "audit_head missing");
    assert_eq!(
        count_tables(&client).await,
        3,
        "a reader recreated the head marker"
    );
}

async fn count_tables(client: &tokio_postgres::Client) -> i64 {
    client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .await
        .expect("counts tables")
        .get(0)
}

/// A version-1 log (before content digests) is read as it is and migrated by the next worker;
/// two workers connecting at once migrate it once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_log_is_migrated_once_by_concurrent_workers() {
    let url = common::pg_url().await;
    let s = PgStore::connect(&url).await.expect("connects");
    common::fill(&s, 4).await;
    drop(s);
    let client = common::pg_client(&url).await;
    client
        .batch_execute(
            "ALTER TABLE audit_log DROP COLUMN content_digest; UPDATE audit_schema SET version = 1",
        )
        .await
        .expect("turns the log into a version-1 log");
    let (code, out) = common::cli_verify(&url);
    assert!(
        code == Some(0) && out.starts_with("ok: 4 record(s)"),
        "{out}"
    );
    let (a, b) = tokio::join!(PgStore::connect(&url), PgStore::connect(&url));
    let (a, _b) = (a.expect("migrates"), b.expect("migrates too"));
    let mut rec = common::record(50, "conv-1", audit::Outcome::Delivered);
    rec.content_digest = Some("cd".repeat(32));
    a.append(&[rec]).await.expect("appends");
    assert_eq!(
        a.delivery("evt-50")
            .await
            .expect("lookup")
            .and_then(|d| d.content_digest),
        Some("cd".repeat(32))
    );
    let version: i32 = client
        .query_one("SELECT max(version) FROM audit_schema", &[])
        .await
        .expect("version")
        .get(0);
    assert_eq!(i64::from(version), audit::SCHEMA_VERSION);
    let (code, out) = common::cli_verify(&url);
    assert!(
        code == Some(0) && out.starts_with("ok: 5 record(s)"),
        "{out}"
    );
}
