//! The audit log: one tamper-evident record per handled event, queryable by auditors.
//!
//! Records flow in as batches of [`NewRecord`]s; a store ([`AuditStore`]: SQLite embedded, or
//! PostgreSQL for several workers sharing one log) gives each its sequence number and chain link
//! inside one serialized transaction, makes it durable, and only then returns — the worker stores
//! its Kafka offset after that. Auditors read it back with queries, recompute the chain with
//! [`verify`], and export signed-off ranges.

mod group;
mod pg;
mod record;
mod sqlite;
mod store;
pub(crate) mod verify;

pub use group::GroupCommit;
pub use pg::PgStore;
pub use record::{
    AuditFinding, AuditRecord, ChainBreak, GENESIS, KafkaPosition, NewRecord, Outcome,
    Verification, chain_hash, content_digest, normalise_time, now_rfc3339, verify, verify_from,
};
pub use sqlite::SqliteStore;
pub use store::{
    Access, AuditError, AuditStore, ContinuityEntry, PastDelivery, Query, SCHEMA_VERSION, Stats,
    open, open_read_only, open_with, redact_url, sqlite_path,
};
pub use verify::{StoreVerification, verify_store};
