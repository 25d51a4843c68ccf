//! Live counters of one worker, readable while it runs (demo, benchmarks, tests, metrics), and the
//! Genesys-down gate, which readiness reads from here.

use std::sync::atomic::{AtomicU64, Ordering};

use super::gate::{Gate, GateStatus};
use super::group::{GroupStatus, GroupWatch};

/// Live counters, readable while the worker runs (demo, benchmarks, metrics, readiness).
#[derive(Debug, Default)]
pub struct WorkerStats {
    /// Records received from Kafka.
    pub consumed: AtomicU64,
    /// Delivered to Genesys and audited.
    pub delivered: AtomicU64,
    /// Redeliveries of events already delivered (not re-sent).
    pub duplicates: AtomicU64,
    /// Dead-lettered (acknowledged by the DLQ) and audited.
    pub dead_lettered: AtomicU64,
    /// Stopped by the egress guard (also dead-lettered).
    pub blocked: AtomicU64,
    /// Transient failures that led to a retry of an event.
    pub retries: AtomicU64,
    /// Events being handled now.
    pub in_flight: AtomicU64,
    /// Input partitions currently assigned to this instance.
    pub assigned_partitions: AtomicU64,
    /// Partitions found with records waiting and no progress, and sought again.
    pub stalls_recovered: AtomicU64,
    /// The gate every event task passes; kept here so readiness sees the gate of the running
    /// worker.
    pub(crate) gate: Gate,
    /// The consumer group membership, from librdkafka's statistics.
    pub(crate) group: GroupWatch,
}

impl WorkerStats {
    /// The consumer group membership now: join state, how long a rebalance has been going on.
    pub fn group(&self) -> GroupStatus {
        self.group.status(std::time::Instant::now())
    }

    /// The Genesys-down gate now: closed how long, events held, the oldest wait.
    pub fn gate(&self) -> GateStatus {
        self.gate.status(std::time::Instant::now())
    }

    /// Events that reached an outcome (delivered, duplicate, dead-lettered, blocked).
    pub fn handled(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
            + self.duplicates.load(Ordering::Relaxed)
            + self.dead_lettered.load(Ordering::Relaxed)
            + self.blocked.load(Ordering::Relaxed)
    }
}
