//! escalation-masker: masks card numbers and other personal data in contact-centre escalation
//! events by rules a compliance team edits, so that no raw PII ever leaves the worker.
//!
//! The crate is laid out by concept; each module's docs explain the data flowing through it.
//! - [`masking`]: rule files → compiled [`masking::Ruleset`] → masked documents and reports.
//! - [`cli`]: the command line; `main.rs` only parses arguments and calls [`cli::run`].
//! - [`logging`]: structured logs (`--log-format text|json`, level from `RUST_LOG`).

pub mod cli;
pub mod logging;
pub mod masking;
