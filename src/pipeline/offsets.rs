//! The per-partition "done" watermark that makes at-least-once safe with events in flight.
//!
//! Kafka commits one position per partition and means "everything before it is handled". With
//! several events of a partition in flight at once, a later event may finish first; storing its
//! offset would silently skip the earlier one if the worker then crashed (the loss Vector's Kafka
//! source once had). So the position stored is the smallest offset still in flight, or one past the
//! last offset seen when nothing is. Offsets need not be contiguous (compaction and transaction
//! markers leave gaps): only offsets actually received count.

use std::collections::BTreeSet;

/// Tracks one partition's in-flight offsets and the position that is safe to store.
#[derive(Debug, Clone, Default)]
pub struct PartitionOffsets {
    in_flight: BTreeSet<i64>,
    last_seen: Option<i64>,
    stored: Option<i64>,
}

impl PartitionOffsets {
    /// A fresh tracker (for a newly assigned partition).
    pub fn new() -> PartitionOffsets {
        PartitionOffsets::default()
    }

    /// Records that the event at `offset` was received and is being handled.
    pub fn started(&mut self, offset: i64) {
        self.in_flight.insert(offset);
        self.last_seen = Some(self.last_seen.map_or(offset, |l| l.max(offset)));
    }

    /// Records that the event at `offset` is fully handled (delivered and audited, or dead-lettered
    /// and audited). Returns the position to store when it moved forward.
    pub fn finished(&mut self, offset: i64) -> Option<i64> {
        self.in_flight.remove(&offset);
        let safe = self.safe_position()?;
        if self.stored.is_some_and(|s| s >= safe) {
            return None;
        }
        self.stored = Some(safe);
        Some(safe)
    }

    /// The position everything before which is handled: the next offset a restart should read.
    pub fn safe_position(&self) -> Option<i64> {
        match self.in_flight.first() {
            Some(&first) => Some(first),
            None => self.last_seen.map(|l| l + 1),
        }
    }

    /// Events of this partition still in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_later_event_finishing_first_does_not_move_the_position_past_an_earlier_one() {
        let mut p = PartitionOffsets::new();
        for o in [10, 11, 12] {
            p.started(o);
        }
        assert_eq!(p.finished(12), Some(10), "10 is still in flight");
        assert_eq!(p.finished(11), None, "nothing moved");
        assert_eq!(p.finished(10), Some(13), "all done: one past the last seen");
        assert_eq!(p.in_flight(), 0);
    }

    #[test]
    fn gaps_in_offsets_are_fine() {
        let mut p = PartitionOffsets::new();
        p.started(5);
        p.started(9);
        assert_eq!(p.finished(5), Some(9));
        assert_eq!(p.finished(9), Some(10));
    }

    proptest! {
        /// Whatever order events finish in, the stored position never passes an unfinished event,
        /// never goes backwards, and ends one past the last offset.
        #[test]
        fn never_passes_an_unfinished_event(
            gaps in proptest::collection::vec(1i64..4, 1..60),
            order in proptest::collection::vec(any::<prop::sample::Index>(), 60),
        ) {
            let offsets: Vec<i64> = gaps.iter().scan(100i64, |o, g| { *o += g; Some(*o) }).collect();
            let mut p = PartitionOffsets::new();
            for &o in &offsets { p.started(o); }
            let mut pending: Vec<i64> = offsets.clone();
            let mut last_stored = i64::MIN;
            for idx in order.iter().take(offsets.len()) {
                let o = pending.remove(idx.index(pending.len()));
                if let Some(pos) = p.finished(o) {
                    prop_assert!(pos > last_stored, "the position went backwards");
                    last_stored = pos;
                }
                if let Some(&lowest) = pending.iter().min() {
                    prop_assert!(p.safe_position().expect("seen") <= lowest, "passed an unfinished event");
                }
                if pending.is_empty() { break; }
            }
            for o in pending.clone() { p.finished(o); }
            prop_assert_eq!(p.safe_position(), Some(offsets[offsets.len() - 1] + 1));
        }
    }
}
