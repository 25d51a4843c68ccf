//! The shared store: PostgreSQL, for several worker instances writing one log. The program creates
//! its own schema. Appends take a transaction-scoped advisory lock, so concurrent writers from any
//! number of processes chain one after another; the commit makes them durable before returning.

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio_postgres::{Client, NoTls, Row};

use super::record::{AuditRecord, GENESIS, KafkaPosition, NewRecord, Outcome};
use super::store::{
    Access, AuditError, AuditStore, COLUMN_COUNT, COLUMNS, ContinuityEntry, PastDelivery, Query,
    check_schema_version, check_tables, delivered_ids, first_line, migrate_sql, normalise_batch,
    one_delivery_per_event, redact_url, remember_sql, schema_sql, select_columns,
};

/// Serializes chain appends across every connection to the database.
const APPEND_LOCK: i64 = 0x6573_6d61_7564_6974; // "esmaudit"

/// The PostgreSQL audit store.
pub struct PgStore {
    client: Mutex<Client>,
    /// To connect again after the server closed the connection.
    url: String,
    access: Access,
    /// What the record queries select (depends on the log's schema version).
    columns: String,
}

fn db_err(e: tokio_postgres::Error) -> AuditError {
    AuditError::Database(
        e.as_db_error()
            .map_or_else(|| first_line(&e), |d| d.message().to_string()),
    )
}

impl PgStore {
    /// Connects and creates the schema if needed (the worker).
    pub async fn connect(url: &str) -> Result<PgStore, AuditError> {
        Self::connect_with(url, Access::Write).await
    }

    /// Connects; with [`Access::ReadOnly`] the session is read-only and a database without the
    /// log's tables is refused, so a reader never creates a schema.
    pub async fn connect_with(url: &str, access: Access) -> Result<PgStore, AuditError> {
        let what = redact_url(url);
        let unavailable = |e: tokio_postgres::Error| unavailable(&what, &e);
        let client = open_client(url, access).await?;
        match access {
            // Workers starting together must not race on CREATE … IF NOT EXISTS.
            Access::Write => client
                .batch_execute(&format!(
                    "BEGIN; SELECT pg_advisory_xact_lock({APPEND_LOCK}); {} {} COMMIT;",
                    schema_sql("BIGINT PRIMARY KEY"),
                    // Idempotent, and under the lock: concurrent workers migrate once.
                    migrate_sql(1, "IF NOT EXISTS ").unwrap_or_default()
                ))
                .await
                .map_err(unavailable)?,
            Access::ReadOnly => {
                let tables: Vec<String> = client
                    .query(
                        "SELECT table_name::text FROM information_schema.tables \
                         WHERE table_schema = current_schema()",
                        &[],
                    )
                    .await
                    .map_err(unavailable)?
                    .iter()
                    .map(|r| r.get(0))
                    .collect();
                check_tables(&tables, &what)?;
            }
        }
        let version: i32 = client
            .query_one("SELECT max(version) FROM audit_schema", &[])
            .await
            .map_err(unavailable)?
            .get(0);
        check_schema_version(i64::from(version), &what)?;
        Ok(PgStore {
            client: Mutex::new(client),
            url: url.to_string(),
            access,
            columns: select_columns(i64::from(version)),
        })
    }

    /// The connection, opened again first if the server closed it (a restart, a failover, an
    /// idle-session timeout). The worker waits out a database outage by retrying; this is what
    /// lets the first retry after the server is back succeed.
    async fn client(&self) -> Result<tokio::sync::MutexGuard<'_, Client>, AuditError> {
        let mut guard = self.client.lock().await;
        if guard.is_closed() {
            *guard = open_client(&self.url, self.access).await?;
            tracing::info!(db = %redact_url(&self.url), "audit database connection opened again");
        }
        Ok(guard)
    }
}

/// A driver error as [`AuditError::Unavailable`], with the cause of a connection failure.
fn unavailable(what: &str, e: &tokio_postgres::Error) -> AuditError {
    AuditError::Unavailable {
        what: what.to_string(),
        message: e.as_db_error().map_or_else(
            || {
                let mut msg = first_line(e);
                if let Some(src) = std::error::Error::source(e) {
                    msg = format!("{msg}: {}", first_line(&src));
                }
                msg
            },
            |d| d.message().to_string(),
        ),
    }
}

/// Connects (within 10 s) and drives the connection on a task; a read-only session for readers.
async fn open_client(url: &str, access: Access) -> Result<Client, AuditError> {
    let what = redact_url(url);
    let connect = tokio_postgres::connect(url, NoTls);
    let (client, connection) = tokio::time::timeout(std::time::Duration::from_secs(10), connect)
        .await
        .map_err(|_| AuditError::Unavailable {
            what: what.clone(),
            message: "connection timed out".into(),
        })?
        .map_err(|e| unavailable(&what, &e))?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %first_line(&e), "audit database connection closed");
        }
    });
    if access == Access::ReadOnly {
        client
            .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .await
            .map_err(|e| unavailable(&what, &e))?;
    }
    Ok(client)
}

/// Records per INSERT statement (20 parameters each; PostgreSQL allows 65,535 per statement).
const ROWS_PER_INSERT: usize = 1000;

/// One record's column values, owned, in [`COLUMNS`] order.
struct RowValues {
    seq: i64,
    at: String,
    event_id: String,
    conversation_id: String,
    participant_id: Option<String>,
    source: Option<String>,
    outcome: &'static str,
    reason: Option<String>,
    target: Option<String>,
    http_status: Option<i32>,
    attempts: i64,
    ruleset_version: String,
    findings: String,
    topic: Option<String>,
    partition: Option<i32>,
    offset: Option<i64>,
    worker: String,
    prev_hash: String,
    hash: String,
    content_digest: Option<String>,
}

impl From<&AuditRecord> for RowValues {
    fn from(l: &AuditRecord) -> RowValues {
        let r = &l.record;
        RowValues {
            seq: l.seq,
            at: r.at.clone(),
            event_id: r.event_id.clone(),
            conversation_id: r.conversation_id.clone(),
            participant_id: r.participant_id.clone(),
            source: r.source.clone(),
            outcome: r.outcome.as_str(),
            reason: r.reason.clone(),
            target: r.target.clone(),
            http_status: r.http_status.map(i32::from),
            attempts: i64::from(r.attempts),
            ruleset_version: r.ruleset_version.clone(),
            findings: serde_json::to_string(&r.findings).unwrap_or_else(|_| "[]".into()),
            topic: r.kafka.as_ref().map(|k| k.topic.clone()),
            partition: r.kafka.as_ref().map(|k| k.partition),
            offset: r.kafka.as_ref().map(|k| k.offset),
            worker: r.worker.clone(),
            prev_hash: l.prev_hash.clone(),
            hash: l.hash.clone(),
            content_digest: r.content_digest.clone(),
        }
    }
}

impl RowValues {
    fn params(&self) -> [&(dyn tokio_postgres::types::ToSql + Sync); COLUMN_COUNT] {
        [
            &self.seq,
            &self.at,
            &self.event_id,
            &self.conversation_id,
            &self.participant_id,
            &self.source,
            &self.outcome,
            &self.reason,
            &self.target,
            &self.http_status,
            &self.attempts,
            &self.ruleset_version,
            &self.findings,
            &self.topic,
            &self.partition,
            &self.offset,
            &self.worker,
            &self.prev_hash,
            &self.hash,
            &self.content_digest,
        ]
    }
}

fn from_row(row: &Row) -> Result<AuditRecord, AuditError> {
    let seq: i64 = row.get(0);
    let outcome: String = row.get(6);
    let outcome = Outcome::parse(&outcome).ok_or_else(|| AuditError::Corrupt {
        seq,
        message: format!("unknown outcome {outcome:?}"),
    })?;
    let findings: String = row.get(12);
    let findings = serde_json::from_str(&findings).map_err(|_| AuditError::Corrupt {
        seq,
        message: "findings are not valid JSON".into(),
    })?;
    let topic: Option<String> = row.get(13);
    let http_status: Option<i32> = row.get(9);
    let attempts: i64 = row.get(10);
    Ok(AuditRecord {
        seq,
        record: NewRecord {
            at: row.get(1),
            event_id: row.get(2),
            conversation_id: row.get(3),
            participant_id: row.get(4),
            source: row.get(5),
            outcome,
            reason: row.get(7),
            target: row.get(8),
            http_status: http_status.and_then(|s| u16::try_from(s).ok()),
            attempts: u32::try_from(attempts).unwrap_or(0),
            ruleset_version: row.get(11),
            findings,
            kafka: topic.map(|topic| KafkaPosition {
                topic,
                partition: row.get(14),
                offset: row.get(15),
            }),
            worker: row.get(16),
            content_digest: row.get(19),
        },
        prev_hash: row.get(17),
        hash: row.get(18),
    })
}

#[async_trait]
impl AuditStore for PgStore {
    async fn append(&self, batch: &[NewRecord]) -> Result<Vec<AuditRecord>, AuditError> {
        let mut batch = normalise_batch(batch)?;
        let mut client = self.client().await?;
        // Read committed, so a writer that waited for the lock sees the head its predecessor wrote;
        // synchronous commit, so "stored" means on disk whatever the server's default.
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::ReadCommitted)
            .start()
            .await
            .map_err(db_err)?;
        tx.batch_execute("SET LOCAL synchronous_commit TO on")
            .await
            .map_err(db_err)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])
            .await
            .map_err(db_err)?;
        // Under the append lock: no other writer can record a delivery in between.
        let ids = delivered_ids(&batch);
        if !ids.is_empty() {
            let rows = tx
                .query(
                    "SELECT DISTINCT event_id FROM audit_log WHERE outcome = 'delivered' AND event_id = ANY($1)",
                    &[&ids],
                )
                .await
                .map_err(db_err)?;
            let delivered = rows.iter().map(|r| r.get::<_, String>(0)).collect();
            one_delivery_per_event(&mut batch, &delivered);
        }
        let head = tx
            .query_opt(
                "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
                &[],
            )
            .await
            .map_err(db_err)?;
        let (mut seq, mut prev) = head.map_or((0, GENESIS.to_string()), |r| {
            (r.get::<_, i64>(0), r.get::<_, String>(1))
        });
        // One multi-row INSERT per chunk: one round trip for up to ROWS_PER_INSERT records.
        let mut out = Vec::with_capacity(batch.len());
        for chunk in batch.chunks(ROWS_PER_INSERT) {
            let mut linked_chunk = Vec::with_capacity(chunk.len());
            for rec in chunk {
                let linked = AuditRecord::link(seq, &prev, rec.clone());
                seq = linked.seq;
                prev = linked.hash.clone();
                linked_chunk.push(linked);
            }
            let rows: Vec<RowValues> = linked_chunk.iter().map(RowValues::from).collect();
            let mut sql = format!("INSERT INTO audit_log ({COLUMNS}) VALUES ");
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
                Vec::with_capacity(rows.len() * COLUMN_COUNT);
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                sql.push('(');
                for c in 0..COLUMN_COUNT {
                    if c > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("${}", i * COLUMN_COUNT + c + 1));
                }
                sql.push(')');
                params.extend(row.params());
            }
            tx.execute(&sql, &params).await.map_err(db_err)?;
            out.extend(linked_chunk);
        }
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = $1, hash = $2",
            &[&seq, &prev],
        )
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(out)
    }

    async fn query(&self, q: &Query) -> Result<Vec<AuditRecord>, AuditError> {
        let mut sql = format!("SELECT {} FROM audit_log WHERE 1=1", self.columns);
        let mut args: Vec<String> = Vec::new();
        let mut add = |clause: &str, v: String| {
            args.push(v);
            sql.push_str(&format!(" AND {clause} ${}", args.len()));
        };
        if let Some(c) = &q.conversation_id {
            add("conversation_id =", c.clone());
        }
        if let Some(e) = &q.event_id {
            add("event_id =", e.clone());
        }
        if let Some(s) = &q.since {
            add("at >=", s.clone());
        }
        if let Some(u) = &q.until {
            add("at <", u.clone());
        }
        if let Some(o) = q.outcome {
            add("outcome =", o.as_str().to_string());
        }
        sql.push_str(" ORDER BY seq");
        if q.limit > 0 {
            sql.push_str(&format!(" LIMIT {}", q.limit));
        }
        let refs: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> =
            args.iter().map(|a| a as _).collect();
        let client = self.client().await?;
        let rows = client.query(&sql, &refs).await.map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn scan(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>, AuditError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                    self.columns
                ),
                &[&after, &limit],
            )
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    async fn head(&self) -> Result<Option<(i64, String)>, AuditError> {
        let client = self.client().await?;
        let row = client
            .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])
            .await
            .map_err(db_err)?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn last_conversation(
        &self,
        customer_key: &str,
    ) -> Result<Option<(String, i64)>, AuditError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT conversation_id, at_ms FROM customer_continuity WHERE customer_key = $1",
                &[&customer_key],
            )
            .await
            .map_err(db_err)?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    async fn remember_conversations(&self, batch: &[ContinuityEntry]) -> Result<(), AuditError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let st = tx.prepare(&remember_sql('$')).await.map_err(db_err)?;
        for (key, conv, at_ms) in batch {
            tx.execute(&st, &[key, conv, at_ms]).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn seq_range(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Option<(i64, i64)>, AuditError> {
        let client = self.client().await?;
        let row = client
            .query_one(
                "SELECT min(seq), max(seq) FROM audit_log WHERE ($1::TEXT IS NULL OR at >= $1) AND ($2::TEXT IS NULL OR at < $2)",
                &[&since, &until],
            )
            .await
            .map_err(db_err)?;
        Ok(row
            .get::<_, Option<i64>>(0)
            .zip(row.get::<_, Option<i64>>(1)))
    }

    async fn delivery(&self, event_id: &str) -> Result<Option<PastDelivery>, AuditError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT content_digest, ruleset_version FROM audit_log WHERE event_id = $1 AND outcome = 'delivered' ORDER BY seq LIMIT 1",
                &[&event_id],
            )
            .await
            .map_err(db_err)?;
        Ok(row.map(|r| PastDelivery {
            content_digest: r.get(0),
            ruleset_version: r.get(1),
        }))
    }
}
