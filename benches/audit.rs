//! Audit store figures: appends/s for SQLite and PostgreSQL at batch sizes 1, 64 and 512, and the
//! latency of one conversation's query in a store of AUDIT_BENCH_RECORDS records (default 1,000,000).
//! PostgreSQL is the machine's server (ESCALATION_MASKER_TEST_PG, default postgres://postgres@127.0.0.1:5432/test),
//! in a schema of its own that is dropped afterwards.

use std::time::Instant;

use escalation_masker::audit::{
    AuditFinding, AuditStore, NewRecord, Outcome, PgStore, Query, SqliteStore,
};

fn record(i: u64) -> NewRecord {
    NewRecord {
        at: format!(
            "2026-11-{:02}T{:02}:{:02}:{:02}.000Z",
            1 + (i / 86_400) % 28,
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60
        ),
        event_id: format!("evt-{i}"),
        conversation_id: format!("conv-{}", i % 100_000),
        participant_id: Some(format!("conv-{}-customer", i % 100_000)),
        source: Some("web-portal".into()),
        outcome: Outcome::Delivered,
        reason: None,
        target: Some("participant-attributes".into()),
        http_status: Some(202),
        attempts: 1,
        ruleset_version: "sha256:3ca32ad46f02dc9513936605eb5b83d8db21091aab0edde97ffe6374ffba026f"
            .into(),
        findings: vec![
            AuditFinding {
                rule: "payment-card".into(),
                path: "$.context.message".into(),
                count: 1,
            },
            AuditFinding {
                rule: "email".into(),
                path: "$.customer.email".into(),
                count: 1,
            },
        ],
        kafka: None,
        worker: "bench".into(),
        content_digest: None,
    }
}

async fn appends(name: &str, store: &dyn AuditStore, start: &mut u64) {
    for batch in [1usize, 64, 512] {
        let total = match batch {
            1 => 300,
            64 => 6_400,
            _ => 25_600,
        };
        let t = Instant::now();
        let mut n = 0;
        while n < total {
            let recs: Vec<NewRecord> = (0..batch as u64).map(|k| record(*start + k)).collect();
            store.append(&recs).await.expect("append");
            *start += batch as u64;
            n += batch;
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  {name:<10} batch {batch:>3}: {:>9.0} appends/s  ({:.2} ms per durable batch)",
            n as f64 / secs,
            secs * 1e3 / (n / batch) as f64
        );
    }
}

async fn fill_to(store: &dyn AuditStore, start: &mut u64, target: u64) {
    while *start < target {
        let n = 2048.min(target - *start);
        let recs: Vec<NewRecord> = (0..n).map(|k| record(*start + k)).collect();
        store.append(&recs).await.expect("append");
        *start += n;
    }
}

async fn query_latency(name: &str, store: &dyn AuditStore) {
    let mut lat = Vec::new();
    for i in 0..200u64 {
        let q = Query {
            conversation_id: Some(format!("conv-{}", (i * 7919) % 100_000)),
            ..Query::default()
        };
        let t = Instant::now();
        let rows = store.query(&q).await.expect("query");
        lat.push(t.elapsed());
        assert!(!rows.is_empty());
    }
    lat.sort();
    let p = |x: f64| lat[((lat.len() as f64 * x) as usize).min(lat.len() - 1)];
    println!(
        "  {name:<10} one conversation: p50 {:.2} ms, p99 {:.2} ms",
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let records: u64 = std::env::var("AUDIT_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let sqlite = SqliteStore::open(&dir.path().join("bench.db"))
            .await
            .expect("sqlite");
        let base = std::env::var("ESCALATION_MASKER_TEST_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("bench_{}", std::process::id());
        let (admin, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls)
            .await
            .expect("postgres");
        tokio::spawn(conn);
        admin
            .batch_execute(&format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
            ))
            .await
            .expect("schema");
        let pg = PgStore::connect(&format!("{base}?options=-c%20search_path%3D{schema}"))
            .await
            .expect("pg store");

        println!("durable appends (each batch committed before the next):");
        let (mut s_next, mut p_next) = (0u64, 0u64);
        appends("sqlite", &sqlite, &mut s_next).await;
        appends("postgres", &pg, &mut p_next).await;

        println!(
            "query latency with {records} records (100,000 conversations, ~{} records each):",
            records / 100_000
        );
        let t = Instant::now();
        fill_to(&sqlite, &mut s_next, records).await;
        let fill_s = t.elapsed();
        query_latency("sqlite", &sqlite).await;
        let t = Instant::now();
        fill_to(&pg, &mut p_next, records).await;
        let fill_p = t.elapsed();
        admin
            .batch_execute(&format!("ANALYZE {schema}.audit_log"))
            .await
            .expect("analyze");
        query_latency("postgres", &pg).await;
        println!(
            "  (filling took {:.0} s for sqlite, {:.0} s for postgres)",
            fill_s.as_secs_f64(),
            fill_p.as_secs_f64()
        );
        admin
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .expect("drop");
    });
}
