//! The store interface both backends implement, the query shape and `--db` URL handling.

use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

use super::record::{AuditRecord, NewRecord, Outcome};

/// Why an audit operation failed; messages are one clear line, without driver noise.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The `--db` value is not a supported URL.
    #[error(
        "unsupported audit database URL {0:?}: use sqlite://PATH or postgres://USER@HOST:PORT/DB"
    )]
    BadUrl(String),
    /// The database could not be opened or reached.
    #[error("cannot open the audit database ({what}): {message}")]
    Unavailable {
        /// Which database (the URL without a password).
        what: String,
        /// The first line of the driver's message.
        message: String,
    },
    /// A reader found no audit log where it was pointed (a wrong path, a wrong database, or
    /// tables dropped): nothing is created, so a wrong `--db` can never "verify" an empty log.
    #[error("no audit log at {what}: {message}")]
    Missing {
        /// Which database (the URL without a password).
        what: String,
        /// What is missing.
        message: String,
    },
    /// A statement failed.
    #[error("audit database error: {0}")]
    Database(String),
    /// A record to append is malformed (e.g. its time is not RFC 3339).
    #[error("invalid audit record: {0}")]
    Invalid(String),
    /// A stored row could not be read back as a record.
    #[error("audit record {seq} is unreadable: {message}")]
    Corrupt {
        /// The record's sequence number.
        seq: i64,
        /// What is wrong.
        message: String,
    },
}

/// The log's columns, in the order both stores select and insert them.
pub(crate) const COLUMNS: &str = "seq, at, event_id, conversation_id, participant_id, source, outcome, reason, target, \
     http_status, attempts, ruleset_version, findings, kafka_topic, kafka_partition, kafka_offset, worker, prev_hash, hash, \
     content_digest";

/// How many [`COLUMNS`] there are (bind parameters per inserted row).
pub(crate) const COLUMN_COUNT: usize = 20;

/// [`COLUMNS`] as a log of `version` can answer them: a version-1 log, read by an auditor's
/// read-only command before any worker migrated it, has no digest column.
pub(crate) fn select_columns(version: i64) -> String {
    if version >= 2 {
        COLUMNS.to_string()
    } else {
        COLUMNS.replace("content_digest", "NULL AS content_digest")
    }
}

/// Brings a log of `version` up to [`SCHEMA_VERSION`] (run by the worker inside its schema
/// transaction; each step is idempotent, so concurrent workers may both run it).
pub(crate) fn migrate_sql(version: i64, add_column_if_missing: &str) -> Option<String> {
    (version < 2).then(|| {
        format!(
            "ALTER TABLE audit_log ADD COLUMN {add_column_if_missing}content_digest TEXT; UPDATE audit_schema SET version = 2 WHERE version < 2;"
        )
    })
}

/// The schema, shared by both stores so they cannot drift apart; only the key's declaration differs
/// (`INTEGER PRIMARY KEY` makes SQLite use the row id).
pub(crate) fn schema_sql(seq_key: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS audit_log (
    seq {seq_key},
    at TEXT NOT NULL,
    event_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    participant_id TEXT,
    source TEXT,
    outcome TEXT NOT NULL,
    reason TEXT,
    target TEXT,
    http_status INTEGER,
    attempts BIGINT NOT NULL,
    ruleset_version TEXT NOT NULL,
    findings TEXT NOT NULL,
    kafka_topic TEXT,
    kafka_partition INTEGER,
    kafka_offset BIGINT,
    worker TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    content_digest TEXT
);
CREATE INDEX IF NOT EXISTS audit_by_conversation ON audit_log (conversation_id, seq);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log (at);
CREATE INDEX IF NOT EXISTS audit_by_event ON audit_log (event_id, outcome);
CREATE TABLE IF NOT EXISTS audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_schema (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS customer_continuity (customer_key TEXT PRIMARY KEY, conversation_id TEXT NOT NULL, at_ms BIGINT NOT NULL);
INSERT INTO audit_schema (version) SELECT {SCHEMA_VERSION} WHERE NOT EXISTS (SELECT 1 FROM audit_schema);
"
    )
}

/// The tables a log must have for anyone to read it (the continuity table is the worker's own).
const LOG_TABLES: [&str; 3] = ["audit_log", "audit_head", "audit_schema"];

/// Refuses, for a reader, a database that lacks any of the log's tables.
pub(crate) fn check_tables(present: &[String], what: &str) -> Result<(), AuditError> {
    let missing: Vec<&str> = LOG_TABLES
        .into_iter()
        .filter(|t| !present.iter().any(|p| p == t))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let message = if missing.len() == LOG_TABLES.len() {
        "the database has none of the log's tables (only the worker creates them; check the URL)"
            .to_string()
    } else {
        format!(
            "table(s) {} missing: the log is damaged or was tampered with; nothing was changed",
            missing.join(", ")
        )
    };
    Err(AuditError::Missing {
        what: what.to_string(),
        message,
    })
}

/// Who opens the log: the worker creates and migrates it; auditors' commands only read, and
/// refuse a database that holds no log rather than creating one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Create the file/schema if missing and migrate (the worker, the demo).
    Write,
    /// Read an existing log; write nothing (`audit verify/query/export/stats`).
    ReadOnly,
}

/// The schema version this program writes. Opening a log with a newer version is refused (an older
/// program must not write records a newer one would misread); older versions are migrated on open.
/// Version 2 added `content_digest`.
pub const SCHEMA_VERSION: i64 = 2;

/// Refuses a log whose schema is newer than this program's.
pub(crate) fn check_schema_version(found: i64, what: &str) -> Result<(), AuditError> {
    if found > SCHEMA_VERSION {
        return Err(AuditError::Unavailable {
            what: what.to_string(),
            message: format!(
                "the audit schema is version {found}, newer than this program's {SCHEMA_VERSION}; upgrade the program"
            ),
        });
    }
    Ok(())
}

/// A database URL fit for messages: the password (in the user info or a `password=` parameter)
/// removed.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match (base.find("://"), base.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = base[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{}@{}", &base[..s + 3], user, &base[at + 1..])
        }
        _ => base.to_string(),
    };
    match query {
        Some(q) => {
            let kept: Vec<&str> = q
                .split('&')
                .filter(|p| !p.to_ascii_lowercase().starts_with("password="))
                .collect();
            if kept.is_empty() {
                base
            } else {
                format!("{base}?{}", kept.join("&"))
            }
        }
        None => base,
    }
}

/// Normalises a batch before either store links and writes it (see [`NewRecord::normalised`]).
pub(crate) fn normalise_batch(batch: &[NewRecord]) -> Result<Vec<NewRecord>, AuditError> {
    batch
        .iter()
        .cloned()
        .map(NewRecord::normalised)
        .collect::<Result<_, _>>()
        .map_err(AuditError::Invalid)
}

/// Why a delivered record was written as a duplicate.
pub const CONCURRENT_REDELIVERY: &str = "concurrent_redelivery";

/// Keeps the log at one `delivered` record per event id: a delivered record of an event the log
/// (`delivered`: ids already recorded as delivered) or an earlier record of the same batch holds
/// as delivered is written as a `duplicate` with reason `concurrent_redelivery`. Two instances can
/// both send an event while a partition moves between them (the PATCH is idempotent); the log must
/// still say it was delivered once, and the second record keeps its target and HTTP status, so an
/// auditor sees that it was sent again.
pub(crate) fn one_delivery_per_event(
    batch: &mut [NewRecord],
    delivered: &std::collections::HashSet<String>,
) {
    let mut seen = std::collections::HashSet::new();
    for r in batch.iter_mut().filter(|r| r.outcome == Outcome::Delivered) {
        if delivered.contains(&r.event_id) || !seen.insert(r.event_id.clone()) {
            r.outcome = Outcome::Duplicate;
            r.reason = Some(CONCURRENT_REDELIVERY.to_string());
        }
    }
}

/// Event ids of the batch's delivered records (to look up before [`one_delivery_per_event`]).
pub(crate) fn delivered_ids(batch: &[NewRecord]) -> Vec<String> {
    batch
        .iter()
        .filter(|r| r.outcome == Outcome::Delivered)
        .map(|r| r.event_id.clone())
        .collect()
}

/// The first line of a driver error: enough to act on, without a stack of internals.
pub(crate) fn first_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// A filter for auditors: every field narrows the result; results are in sequence order.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Only this conversation.
    pub conversation_id: Option<String>,
    /// Only this event.
    pub event_id: Option<String>,
    /// At or after this time (RFC 3339, normalised by the caller).
    pub since: Option<String>,
    /// Before this time.
    pub until: Option<String>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// At most this many records (0: no limit).
    pub limit: usize,
}

/// Counts for `audit stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Records in all.
    pub records: u64,
    /// Per outcome.
    pub by_outcome: Vec<(String, u64)>,
    /// Per rule id (summed finding counts).
    pub by_rule: Vec<(String, u64)>,
    /// Per day (UTC date of `at`).
    pub by_day: Vec<(String, u64)>,
}

/// What the log remembers of an event's delivery, to judge a later event with the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastDelivery {
    /// The digest of the masked event delivered (`None` for records written before digests).
    pub content_digest: Option<String>,
    /// The ruleset that masked it (a digest is comparable only under the same rules).
    pub ruleset_version: String,
}

/// A continuity entry: (keyed hash of a customer id, conversation id, milliseconds since the epoch).
pub type ContinuityEntry = (String, String, i64);

/// An audit log backend.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends a batch atomically, chained after the current head; returns when it is durable.
    async fn append(&self, batch: &[NewRecord]) -> Result<Vec<AuditRecord>, AuditError>;
    /// Records matching `q`, in sequence order.
    async fn query(&self, q: &Query) -> Result<Vec<AuditRecord>, AuditError>;
    /// Up to `limit` records with `seq > after`, in sequence order (for verification and export).
    async fn scan(&self, after: i64, limit: usize) -> Result<Vec<AuditRecord>, AuditError>;
    /// The chain head the store recorded with its last append (`seq`, `hash`), kept apart from the
    /// records so that removing records from the end of the log is detected.
    async fn head(&self) -> Result<Option<(i64, String)>, AuditError>;
    /// The smallest and largest sequence numbers of records with `since <= at < until`.
    async fn seq_range(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<Option<(i64, i64)>, AuditError>;
    /// The first delivery of `event_id`, if any (so a redelivery is recorded as a duplicate, and
    /// a reused id with other content is told apart).
    async fn delivery(&self, event_id: &str) -> Result<Option<PastDelivery>, AuditError>;
    /// Whether `event_id` was already delivered.
    async fn delivered(&self, event_id: &str) -> Result<bool, AuditError> {
        Ok(self.delivery(event_id).await?.is_some())
    }
    /// The latest conversation remembered for a customer (keyed hash, never the raw id) and when
    /// (milliseconds since the epoch). Kept beside the log, outside the hash chain.
    async fn last_conversation(
        &self,
        customer_key: &str,
    ) -> Result<Option<(String, i64)>, AuditError>;
    /// Remembers customers' latest conversations, `(customer key, conversation id, at_ms)`, in one
    /// transaction (a later `at_ms` wins).
    async fn remember_conversations(&self, batch: &[ContinuityEntry]) -> Result<(), AuditError>;
    /// Counts by outcome, rule and day, reading the log page by page (memory stays bounded).
    async fn stats(&self) -> Result<Stats, AuditError> {
        let mut tally = Tally::default();
        let mut after = 0;
        loop {
            let page = self.scan(after, 10_000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            tally.add(&page);
        }
        Ok(tally.finish())
    }
}

/// The upsert both stores use for [`AuditStore::remember_conversations`] (`?1..?3` / `$1..$3`).
pub(crate) fn remember_sql(p: char) -> String {
    format!(
        "INSERT INTO customer_continuity (customer_key, conversation_id, at_ms) VALUES ({p}1, {p}2, {p}3) \
         ON CONFLICT (customer_key) DO UPDATE SET conversation_id = excluded.conversation_id, at_ms = excluded.at_ms \
         WHERE excluded.at_ms >= customer_continuity.at_ms"
    )
}

/// Opens a store from a URL, `sqlite://PATH` or `postgres://…`, creating and migrating it if
/// needed: the worker's way in.
pub async fn open(url: &str) -> Result<Arc<dyn AuditStore>, AuditError> {
    open_with(url, Access::Write).await
}

/// Opens an existing log for reading only; a database without the log's tables is refused with
/// [`AuditError::Missing`] and nothing is created.
pub async fn open_read_only(url: &str) -> Result<Arc<dyn AuditStore>, AuditError> {
    open_with(url, Access::ReadOnly).await
}

/// Opens a store from a URL with the given access.
pub async fn open_with(url: &str, access: Access) -> Result<Arc<dyn AuditStore>, AuditError> {
    if let Some(path) = sqlite_path(url) {
        let path = path.ok_or_else(|| AuditError::BadUrl(redact_url(url)))?;
        let store = match access {
            Access::Write => super::SqliteStore::open(path).await?,
            Access::ReadOnly => super::SqliteStore::open_read_only(path).await?,
        };
        Ok(Arc::new(store))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(super::PgStore::connect_with(url, access).await?))
    } else {
        Err(AuditError::BadUrl(redact_url(url)))
    }
}

/// The file of a `sqlite://` URL: `None` if the URL is not SQLite, `Some(None)` if it names no
/// file.
pub fn sqlite_path(url: &str) -> Option<Option<&std::path::Path>> {
    let path = url.strip_prefix("sqlite://")?;
    Some((!path.is_empty()).then(|| std::path::Path::new(path)))
}

/// Running counts for [`AuditStore::stats`].
#[derive(Default)]
struct Tally {
    records: u64,
    outcome: std::collections::BTreeMap<String, u64>,
    rule: std::collections::BTreeMap<String, u64>,
    day: std::collections::BTreeMap<String, u64>,
}

impl Tally {
    fn add(&mut self, records: &[AuditRecord]) {
        for r in records {
            self.records += 1;
            *self
                .outcome
                .entry(r.record.outcome.as_str().to_string())
                .or_default() += 1;
            for f in &r.record.findings {
                *self.rule.entry(f.rule.clone()).or_default() += u64::from(f.count);
            }
            *self
                .day
                .entry(r.record.at.chars().take(10).collect())
                .or_default() += 1;
        }
    }

    fn finish(self) -> Stats {
        Stats {
            records: self.records,
            by_outcome: self.outcome.into_iter().collect(),
            by_rule: self.rule.into_iter().collect(),
            by_day: self.day.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{COLUMN_COUNT, COLUMNS, redact_url, select_columns};

    #[test]
    fn the_column_count_matches_the_column_list_for_every_schema_version() {
        assert_eq!(COLUMNS.split(',').count(), COLUMN_COUNT);
        assert_eq!(select_columns(1).split(',').count(), COLUMN_COUNT);
    }

    #[test]
    fn passwords_never_appear_in_messages() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db:5432/audit"),
            "postgres://app@db:5432/audit"
        );
        assert_eq!(
            redact_url("postgres://app@db/a?password=s3cret&sslmode=disable"),
            "postgres://app@db/a?sslmode=disable"
        );
        assert_eq!(
            redact_url("Postgres://app:s3cret@db/a"),
            "Postgres://app@db/a"
        );
        assert_eq!(redact_url("postgres://db/audit"), "postgres://db/audit");
    }
}
