//! The streaming pipeline: Kafka records → decode → mask → deliver → audit → store the offset.
//!
//! Built up piece by piece; so far the offset bookkeeping that makes at-least-once safe with events
//! in flight ([`offsets`]).

pub mod offsets;

pub use offsets::PartitionOffsets;
