//! escalation-masker: masks card numbers and other personal data in contact-centre escalation
//! events by rules a compliance team edits, so that no raw PII ever leaves the worker.
//!
//! The crate is laid out by concept; each module's docs explain the data flowing through it.
//! - [`masking`]: rule files → compiled [`masking::Ruleset`] → masked documents and reports.
//! - [`rule_dir`]: reading the rule directory and the hashing key (the I/O `masking` does not do).
//! - [`audit`]: the tamper-evident audit log (SQLite or PostgreSQL) auditors query and verify.
//! - [`egress`]: the check every boundary runs on outgoing data, independent of the rules.
//! - [`genesys`]: the client that puts masked context onto Genesys conversations.
//! - [`mock_genesys`]: a faithful Genesys stand-in over real HTTP, for tests, the demo and local runs.
//! - [`config`]: the configuration file.
//! - [`event`]: the escalation event contract producers publish to (and the dead-letter reasons).
//! - [`pipeline`]: the streaming worker: Kafka in, one audited outcome per record, offsets behind.
//! - [`admin`]: the worker's HTTP side: health, readiness, metrics, the audit API and page.
//! - [`metrics`]: the metric names and the helpers that record them.
//! - [`cli`]: the command line; `main.rs` only parses arguments and calls [`cli::run`].
//! - [`logging`]: structured logs (`--log-format text|json`, level from `RUST_LOG`).

pub mod admin;
pub mod audit;
pub mod cli;
pub mod config;
pub mod egress;
pub mod event;
pub mod genesys;
pub mod logging;
pub mod masking;
pub mod metrics;
pub mod mock_genesys;
pub mod pipeline;
pub mod rule_dir;
