//! The streaming pipeline: Kafka records → decode → mask → deliver → audit → store the offset.
//!
//! Built up piece by piece; so far the fate of one record ([`handler`]: decode, duplicate check,
//! mask, deliver, audit, dead letter) and the offset bookkeeping that makes at-least-once safe with
//! events in flight ([`offsets`]).

pub mod continuity;
pub mod dlq;
pub mod handler;
pub mod kafka;
pub mod offsets;
pub mod reload;
pub mod setup;
pub mod worker;

pub use handler::{DeadLetter, Handled, Handler, Incoming};
pub use offsets::PartitionOffsets;
