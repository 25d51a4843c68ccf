//! The embedded store: one SQLite file (bundled library), WAL, `synchronous=FULL` so an append is
//! on disk before it returns. Appends run in `BEGIN IMMEDIATE` transactions, which serialize writers
//! — also writers in other processes sharing the file.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};

use super::record::{AuditRecord, GENESIS, KafkaPosition, NewRecord, Outcome};
use super::store::{
    Access, AuditError, AuditStore, COLUMNS, ContinuityEntry, PastDelivery, Query, SCHEMA_VERSION,
    check_schema_version, check_tables, delivered_ids, first_line, migrate_sql, normalise_batch,
    one_delivery_per_event, remember_sql, schema_sql, select_columns,
};

/// The SQLite audit store: one connection writes; a second one reads, so the worker's duplicate
/// and continuity lookups do not queue behind a batch's fsync (WAL lets readers run alongside).
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    reader: Arc<Mutex<Connection>>,
    /// Only for the point lookups that run on async threads, so a long scan on `reader` never
    /// blocks them.
    looker: Arc<Mutex<Connection>>,
    /// What the record queries select (depends on the log's schema version).
    columns: Arc<str>,
}

fn db_err(e: rusqlite::Error) -> AuditError {
    AuditError::Database(first_line(&e))
}

impl SqliteStore {
    /// Opens (creating if needed) the log at `path`: the worker's way in.
    pub async fn open(path: &Path) -> Result<SqliteStore, AuditError> {
        Self::open_with(path, Access::Write).await
    }

    /// Opens an existing log read-only (auditors' commands): a wrong path or a damaged file is
    /// refused instead of "verifying" a new, empty log.
    pub async fn open_read_only(path: &Path) -> Result<SqliteStore, AuditError> {
        Self::open_with(path, Access::ReadOnly).await
    }

    async fn open_with(path: &Path, access: Access) -> Result<SqliteStore, AuditError> {
        let p = path.to_path_buf();
        let what = format!("sqlite://{}", p.display());
        tokio::task::spawn_blocking(move || {
            let unavailable = |e: rusqlite::Error| AuditError::Unavailable {
                what: what.clone(),
                message: first_line(&e),
            };
            let flags = match access {
                Access::Write => OpenFlags::default(),
                Access::ReadOnly => {
                    if !p.is_file() {
                        return Err(AuditError::Missing {
                            what: what.clone(),
                            message: "no such file (only the worker creates a log; check the path)"
                                .into(),
                        });
                    }
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
                }
            };
            let connect = || -> Result<Connection, AuditError> {
                let c = Connection::open_with_flags(&p, flags).map_err(unavailable)?;
                c.busy_timeout(std::time::Duration::from_secs(30))
                    .map_err(unavailable)?;
                Ok(c)
            };
            let mut conn = connect()?;
            if access == Access::Write {
                conn.pragma_update(None, "journal_mode", "WAL")
                    .map_err(unavailable)?;
                conn.pragma_update(None, "synchronous", "FULL")
                    .map_err(unavailable)?;
                conn.execute_batch(&schema_sql("INTEGER PRIMARY KEY"))
                    .map_err(unavailable)?;
                // Under the write lock, so two workers opening one file migrate it once.
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(unavailable)?;
                let version: i64 = tx
                    .query_row("SELECT max(version) FROM audit_schema", [], |r| r.get(0))
                    .map_err(unavailable)?;
                if let Some(sql) = migrate_sql(version, "") {
                    tx.execute_batch(&sql).map_err(unavailable)?;
                    tracing::info!(db = %what, from = version, to = SCHEMA_VERSION, "audit schema migrated");
                }
                tx.commit().map_err(unavailable)?;
            } else {
                let mut stmt = conn
                    .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                    .map_err(unavailable)?;
                let tables = stmt
                    .query_map([], |r| r.get::<_, String>(0))
                    .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
                    .map_err(unavailable)?;
                check_tables(&tables, &what)?;
            }
            let version: i64 = conn
                .query_row("SELECT max(version) FROM audit_schema", [], |r| r.get(0))
                .map_err(unavailable)?;
            check_schema_version(version, &what)?;
            Ok(SqliteStore {
                conn: Arc::new(Mutex::new(conn)),
                reader: Arc::new(Mutex::new(connect()?)),
                looker: Arc::new(Mutex::new(connect()?)),
                columns: select_columns(version).into(),
            })
        })
        .await
        .map_err(|e| AuditError::Database(first_line(&e)))?
    }

    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, AuditError> + Send + 'static,
    ) -> Result<T, AuditError> {
        Self::on(self.conn.clone(), f).await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, AuditError> + Send + 'static,
    ) -> Result<T, AuditError> {
        Self::on(self.reader.clone(), f).await
    }

    /// A point lookup on the calling thread (the worker's per-event duplicate and continuity
    /// checks): a WAL read of one row takes microseconds and never waits for the writer's fsync,
    /// so handing it to a blocking thread would cost more than the read itself.
    fn lookup<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, AuditError>,
    ) -> Result<T, AuditError> {
        let mut guard = self.looker.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    async fn on<T: Send + 'static>(
        conn: Arc<Mutex<Connection>>,
        f: impl FnOnce(&mut Connection) -> Result<T, AuditError> + Send + 'static,
    ) -> Result<T, AuditError> {
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| AuditError::Database(first_line(&e)))?
    }
}

/// Reads one row (selected with [`COLUMNS`]) back into a record.
fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<AuditRecord, AuditError>> {
    let seq: i64 = row.get(0)?;
    let outcome: String = row.get(6)?;
    let findings: String = row.get(12)?;
    let topic: Option<String> = row.get(13)?;
    let corrupt = |message: String| Ok(Err(AuditError::Corrupt { seq, message }));
    let Some(outcome) = Outcome::parse(&outcome) else {
        return corrupt(format!("unknown outcome {outcome:?}"));
    };
    let findings = match serde_json::from_str(&findings) {
        Ok(f) => f,
        Err(_) => return corrupt("findings are not valid JSON".to_string()),
    };
    let kafka = match topic {
        Some(topic) => Some(KafkaPosition {
            topic,
            partition: row.get(14)?,
            offset: row.get(15)?,
        }),
        None => None,
    };
    Ok(Ok(AuditRecord {
        seq,
        record: NewRecord {
            at: row.get(1)?,
            event_id: row.get(2)?,
            conversation_id: row.get(3)?,
            participant_id: row.get(4)?,
            source: row.get(5)?,
            outcome,
            reason: row.get(7)?,
            target: row.get(8)?,
            http_status: row.get(9)?,
            attempts: row.get(10)?,
            ruleset_version: row.get(11)?,
            findings,
            kafka,
            worker: row.get(16)?,
            content_digest: row.get(19)?,
        },
        prev_hash: row.get(17)?,
        hash: row.get(18)?,
    }))
}

fn collect(
    stmt: &mut rusqlite::Statement<'_>,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<AuditRecord>, AuditError> {
    let rows = stmt.query_map(args, from_row).map_err(db_err)?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r.map_err(db_err)??);
    }
    Ok(out)
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append(&self, batch: &[NewRecord]) -> Result<Vec<AuditRecord>, AuditError> {
        let mut batch = normalise_batch(batch)?;
        self.with(move |conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_err)?;
            // Under the write lock: no other writer can record a delivery in between.
            let mut delivered = std::collections::HashSet::new();
            {
                let mut known = tx
                    .prepare_cached("SELECT EXISTS(SELECT 1 FROM audit_log WHERE event_id = ?1 AND outcome = 'delivered')")
                    .map_err(db_err)?;
                for id in delivered_ids(&batch) {
                    if known.query_row([&id], |r| r.get::<_, bool>(0)).map_err(db_err)? {
                        delivered.insert(id);
                    }
                }
            }
            one_delivery_per_event(&mut batch, &delivered);
            let head: Option<(i64, String)> = tx
                .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db_err)?;
            let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
            let mut out = Vec::with_capacity(batch.len());
            {
                let mut insert = tx
                    .prepare_cached(&format!("INSERT INTO audit_log ({COLUMNS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20)"))
                    .map_err(db_err)?;
                for rec in batch {
                    let linked = AuditRecord::link(seq, &prev, rec);
                    let r = &linked.record;
                    let findings = serde_json::to_string(&r.findings).unwrap_or_else(|_| "[]".into());
                    insert
                        .execute(params![
                            linked.seq,
                            r.at,
                            r.event_id,
                            r.conversation_id,
                            r.participant_id,
                            r.source,
                            r.outcome.as_str(),
                            r.reason,
                            r.target,
                            r.http_status,
                            r.attempts,
                            r.ruleset_version,
                            findings,
                            r.kafka.as_ref().map(|k| k.topic.clone()),
                            r.kafka.as_ref().map(|k| k.partition),
                            r.kafka.as_ref().map(|k| k.offset),
                            r.worker,
                            linked.prev_hash,
                            linked.hash,
                            r.content_digest,
                        ])
                        .map_err(db_err)?;
                    seq = linked.seq;
                    prev = linked.hash.clone();
                    out.push(linked);
                }
            }
            tx.execute(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET seq = ?1, hash = ?2",
                params![seq, prev],
            )
            .map_err(db_err)?;
            tx.commit().map_err(db_err)?;
            Ok(out)
        })
        .await
    }

    async fn query(&self, q: &Query) -> Result<Vec<AuditRecord>, AuditError> {
        let q = q.clone();
        let columns = self.columns.clone();
        self.read(move |conn| {
            let mut sql = format!("SELECT {columns} FROM audit_log WHERE 1=1");
            let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
            let mut add = |clause: &str, v: Box<dyn rusqlite::ToSql>| {
                args.push(v);
                sql.push_str(&format!(" AND {clause} ?{}", args.len()));
            };
            if let Some(c) = q.conversation_id {
                add("conversation_id =", Box::new(c));
            }
            if let Some(e) = q.event_id {
                add("event_id =", Box::new(e));
            }
            if let Some(s) = q.since {
                add("at >=", Box::new(s));
            }
            if let Some(u) = q.until {
                add("at <", Box::new(u));
            }
            if let Some(o) = q.outcome {
                add("outcome =", Box::new(o.as_str()));
            }
            sql.push_str(" ORDER BY seq");
            if q.limit > 0 {
                sql.push_str(&format!(" LIMIT {}", q.limit));
            }
            let mut stmt = conn.prepare(&sql).map_err(db_err)?;
            let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|b| b.as_ref()).collect();
            collect(&mut stmt, &refs)
        })
        .await
    }

    async fn scan(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>, AuditError> {
        let columns = self.columns.clone();
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {columns} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                ))
                .map_err(db_err)?;
            collect(&mut stmt, &[&after, &(limit as i64)])
        })
        .await
    }

    async fn head(&self) -> Result<Option<(i64, String)>, AuditError> {
        self.read(|conn| {
            conn.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(db_err)
        })
        .await
    }

    async fn last_conversation(
        &self,
        customer_key: &str,
    ) -> Result<Option<(String, i64)>, AuditError> {
        let key = customer_key.to_string();
        self.lookup(move |conn| {
            conn.query_row(
                "SELECT conversation_id, at_ms FROM customer_continuity WHERE customer_key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_err)
        })
    }

    async fn remember_conversations(&self, batch: &[ContinuityEntry]) -> Result<(), AuditError> {
        let batch = batch.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(db_err)?;
            {
                let mut st = tx.prepare_cached(&remember_sql('?')).map_err(db_err)?;
                for (key, conv, at_ms) in &batch {
                    st.execute(params![key, conv, at_ms]).map_err(db_err)?;
                }
            }
            tx.commit().map_err(db_err)
        })
        .await
    }

    async fn seq_range(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Option<(i64, i64)>, AuditError> {
        let (since, until) = (since.map(str::to_string), until.map(str::to_string));
        self.read(move |conn| {
            conn.query_row(
                "SELECT min(seq), max(seq) FROM audit_log WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2)",
                params![since, until],
                |r| Ok(r.get::<_, Option<i64>>(0)?.zip(r.get::<_, Option<i64>>(1)?)),
            )
            .map_err(db_err)
        })
        .await
    }

    async fn delivery(&self, event_id: &str) -> Result<Option<PastDelivery>, AuditError> {
        let id = event_id.to_string();
        self.lookup(move |conn| {
            conn.query_row(
                "SELECT content_digest, ruleset_version FROM audit_log WHERE event_id = ?1 AND outcome = 'delivered' ORDER BY seq LIMIT 1",
                [id],
                |r| {
                    Ok(PastDelivery {
                        content_digest: r.get(0)?,
                        ruleset_version: r.get(1)?,
                    })
                },
            )
            .optional()
            .map_err(db_err)
        })
    }
}
