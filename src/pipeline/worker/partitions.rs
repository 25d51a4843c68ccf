//! Partition ownership: which input partitions this instance holds, since which rebalance
//! (the generation), where each event of them stands, and how far each is safely done.
//!
//! The rebalance callbacks assign and revoke; the loop records each received event; the event
//! tasks move it through its stages and finish it. An event finishing under an older generation
//! than the partition's current one stores nothing: the partition was revoked meanwhile and its
//! owner (perhaps this instance again) redelivers from the committed position. The last stored
//! position of every partition outlives a revocation, so a partition that comes back resumes
//! from where this instance left it even if the commit on revoke did not reach the broker.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use super::super::offsets::PartitionOffsets;

/// Where an event in flight stands (for the progress report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Waiting for its conversation's previous event.
    Lane,
    /// Being masked, delivered and audited (or held at the gate).
    Handling,
    /// Held at the Genesys-down gate.
    Gate,
    /// Waiting for the dead-letter topic's acknowledgement.
    DeadLetter,
}

impl Stage {
    /// The stage's name in logs.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Stage::Lane => "lane",
            Stage::Handling => "handling",
            Stage::Gate => "gate",
            Stage::DeadLetter => "dead_letter",
        }
    }
}

/// One assigned partition.
#[derive(Debug)]
pub(crate) struct Owned {
    /// The rebalance that gave it to us; events carry it and finish only under it.
    pub(crate) generation: u64,
    offsets: PartitionOffsets,
    stages: BTreeMap<i64, Stage>,
    /// The last time an event of it was received or finished (or it was assigned).
    pub(crate) last_progress: Instant,
    /// Being revoked: events being handled may still finish and store their offsets, no event
    /// starts any more.
    draining: bool,
}

/// The partitions of the input topic this instance holds.
#[derive(Debug, Default)]
pub(crate) struct Partitions {
    owned: HashMap<i32, Owned>,
    /// The last position stored per partition, kept across revocations.
    stored: HashMap<i32, i64>,
    next_generation: u64,
}

/// A partition's state for the progress report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub(crate) partition: i32,
    pub(crate) generation: u64,
    /// The next offset a restart would read (`None`: nothing received yet).
    pub(crate) safe_position: Option<i64>,
    pub(crate) in_flight: usize,
    /// The oldest event in flight and its stage.
    pub(crate) oldest: Option<(i64, Stage)>,
    pub(crate) idle_for: Duration,
}

impl Partitions {
    /// The partition is ours from now on, under a new generation. Returns the position this
    /// instance last stored for it, if any, for the consumer to resume from.
    pub(crate) fn assign(&mut self, partition: i32, now: Instant) -> Option<i64> {
        self.next_generation += 1;
        self.owned.insert(
            partition,
            Owned {
                generation: self.next_generation,
                offsets: PartitionOffsets::new(),
                stages: BTreeMap::new(),
                last_progress: now,
                draining: false,
            },
        );
        self.stored.get(&partition).copied()
    }

    /// The partition is being revoked: no event of it starts any more (events waiting in a lane
    /// or at the gate leave it to the next owner), events being handled may still finish.
    pub(crate) fn drain(&mut self, partition: i32) {
        if let Some(o) = self.owned.get_mut(&partition) {
            o.draining = true;
        }
    }

    /// Events of these partitions being handled now (masked, delivered, audited, or waiting for
    /// their dead letter's acknowledgement): what a revocation waits for.
    pub(crate) fn busy(&self, partitions: &[i32]) -> usize {
        partitions
            .iter()
            .filter_map(|p| self.owned.get(p))
            .map(|o| {
                o.stages
                    .values()
                    .filter(|s| matches!(s, Stage::Handling | Stage::DeadLetter))
                    .count()
            })
            .sum()
    }

    /// The partition is no longer ours; its events still in flight will store nothing.
    pub(crate) fn revoke(&mut self, partition: i32) {
        self.owned.remove(&partition);
    }

    /// Partitions held now.
    pub(crate) fn count(&self) -> usize {
        self.owned.len()
    }

    /// An event of `partition` was received; returns the generation it belongs to. A record of
    /// a partition the callbacks have not assigned (yet) starts a generation of its own.
    pub(crate) fn received(&mut self, partition: i32, offset: i64, now: Instant) -> u64 {
        if !self.owned.contains_key(&partition) {
            self.assign(partition, now);
        }
        match self.owned.get_mut(&partition) {
            Some(o) => {
                o.offsets.started(offset);
                o.stages.insert(offset, Stage::Lane);
                o.last_progress = now;
                o.generation
            }
            None => 0,
        }
    }

    /// Whether an event of `generation` may (go on to) be handled: the partition is still ours
    /// under that generation and not being revoked.
    pub(crate) fn owns(&self, partition: i32, generation: u64) -> bool {
        self.current(partition, generation)
            .is_some_and(|o| !o.draining)
    }

    fn current(&self, partition: i32, generation: u64) -> Option<&Owned> {
        self.owned
            .get(&partition)
            .filter(|o| o.generation == generation)
    }

    fn current_mut(&mut self, partition: i32, generation: u64) -> Option<&mut Owned> {
        self.owned
            .get_mut(&partition)
            .filter(|o| o.generation == generation)
    }

    /// An event moved on to `stage`.
    pub(crate) fn stage(&mut self, partition: i32, generation: u64, offset: i64, stage: Stage) {
        if let Some(o) = self.current_mut(partition, generation)
            && let Some(s) = o.stages.get_mut(&offset)
        {
            *s = stage;
        }
    }

    /// An event is fully handled. Returns the position to store when it moved forward (only under
    /// the partition's current generation).
    pub(crate) fn finished(
        &mut self,
        partition: i32,
        generation: u64,
        offset: i64,
        now: Instant,
    ) -> Option<i64> {
        let o = self.current_mut(partition, generation)?;
        o.stages.remove(&offset);
        o.last_progress = now;
        let pos = o.offsets.finished(offset)?;
        self.stored.insert(partition, pos);
        Some(pos)
    }

    /// An event of the current generation will not finish here (abandoned at shutdown): it stays
    /// in flight so no position passes it, but it no longer waits anywhere.
    pub(crate) fn abandoned(&mut self, partition: i32, generation: u64, offset: i64) {
        if let Some(o) = self.current_mut(partition, generation) {
            o.stages.remove(&offset);
        }
    }

    /// Something was done about the partition (it was sought again): its stall clock restarts.
    pub(crate) fn touch(&mut self, partition: i32, generation: u64, now: Instant) {
        if let Some(o) = self.current_mut(partition, generation) {
            o.last_progress = now;
        }
    }

    /// Shutdown aborted the remaining tasks: none of their events is being handled any more.
    pub(crate) fn abandon_all(&mut self) {
        for o in self.owned.values_mut() {
            o.stages.clear();
        }
    }

    /// Every held partition's state, for the progress report.
    pub(crate) fn snapshots(&self, now: Instant) -> Vec<Snapshot> {
        let mut v: Vec<Snapshot> = self
            .owned
            .iter()
            .map(|(p, o)| Snapshot {
                partition: *p,
                generation: o.generation,
                safe_position: o.offsets.safe_position(),
                in_flight: o.offsets.in_flight(),
                oldest: o.stages.iter().next().map(|(off, s)| (*off, *s)),
                idle_for: now.saturating_duration_since(o.last_progress),
            })
            .collect();
        v.sort_by_key(|s| s.partition);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_of_a_revoked_generation_stores_nothing_even_when_the_partition_came_back() {
        let mut p = Partitions::default();
        let t = Instant::now();
        assert_eq!(p.assign(0, t), None, "never stored before");
        let g1 = p.received(0, 10, t);
        let g1b = p.received(0, 11, t);
        assert_eq!(g1, g1b);
        assert_eq!(p.finished(0, g1, 10, t), Some(11));
        p.revoke(0);
        assert!(!p.owns(0, g1));
        assert_eq!(
            p.finished(0, g1, 11, t),
            None,
            "revoked: the new owner redelivers"
        );
        // Reassigned to us: the position stored before the revocation is where we resume.
        assert_eq!(p.assign(0, t), Some(11));
        let g2 = p.received(0, 11, t);
        assert_ne!(g1, g2);
        assert_eq!(p.finished(0, g1, 11, t), None, "the old generation's event");
        assert_eq!(p.finished(0, g2, 11, t), Some(12));
        assert_eq!(
            p.assign(0, t),
            Some(12),
            "the latest stored position is kept"
        );
    }

    #[test]
    fn a_draining_partition_starts_nothing_but_lets_events_being_handled_finish() {
        let mut p = Partitions::default();
        let t = Instant::now();
        p.assign(1, t);
        let g = p.received(1, 5, t);
        p.received(1, 6, t);
        p.received(1, 7, t);
        p.stage(1, g, 5, Stage::Handling);
        p.stage(1, g, 6, Stage::DeadLetter);
        assert_eq!(p.busy(&[1]), 2, "the one in its lane is not waited for");
        p.drain(1);
        assert!(!p.owns(1, g), "nothing starts while draining");
        assert_eq!(
            p.finished(1, g, 5, t),
            Some(6),
            "a handled event still stores"
        );
        p.abandoned(1, g, 7);
        assert_eq!(p.finished(1, g, 6, t), Some(7));
        assert_eq!(p.busy(&[1]), 0);
        p.revoke(1);
        assert_eq!(p.assign(1, t), Some(7), "resumes after the drained events");
    }

    #[test]
    fn a_record_before_its_assignment_gets_a_generation_and_snapshots_show_where_events_wait() {
        let mut p = Partitions::default();
        let t = Instant::now();
        let g = p.received(3, 40, t);
        p.received(3, 41, t);
        p.stage(3, g, 40, Stage::Gate);
        let later = t + Duration::from_secs(5);
        let s = p.snapshots(later);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].partition, 3);
        assert_eq!(s[0].in_flight, 2);
        assert_eq!(s[0].oldest, Some((40, Stage::Gate)));
        assert_eq!(s[0].safe_position, Some(40));
        assert_eq!(s[0].idle_for, Duration::from_secs(5));
        p.finished(3, g, 40, later);
        let s = p.snapshots(later);
        assert_eq!(s[0].oldest, Some((41, Stage::Lane)));
        assert_eq!(s[0].idle_for, Duration::ZERO);
        p.abandoned(3, g, 41);
        let s = p.snapshots(later);
        assert_eq!(s[0].oldest, None);
        assert_eq!(
            s[0].in_flight, 1,
            "an abandoned event still holds the position back"
        );
        assert_eq!(s[0].safe_position, Some(41));
    }
}
