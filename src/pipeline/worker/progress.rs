//! Progress of the assigned partitions: the lag metric, and the watchdog that notices a partition
//! with records waiting that makes no progress.
//!
//! Every few seconds the watchdog reads each assigned partition's end offset (a broker round
//! trip, so off the async threads) and compares it with the partition's safe position. Records
//! waiting and nothing received or finished for `stall_after` is a stall:
//! - with events of the partition in flight, the report names the oldest one and where it waits
//!   (its conversation's lane, the Genesys-down gate, handling, the dead-letter acknowledgement);
//! - with none in flight while the worker has room for more, the client is not fetching the
//!   partition: the watchdog seeks it to its safe position, which makes librdkafka fetch it again
//!   (and never skips a record: the safe position is the oldest record not yet handled).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rdkafka::consumer::Consumer;
use rdkafka::{Offset, TopicPartitionList};

use super::partitions::Snapshot;
use super::{Shared, lock};

/// What the watchdog found for one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Caught up, or making progress.
    Fine,
    /// Records wait behind an event in flight that has not moved for `stall_after`.
    Waiting,
    /// Records wait, none is in flight and none arrives although there is room: fetch again.
    NotFetched,
}

/// Judges one partition: `end` is its end offset, `committed` the group's committed position
/// (used when nothing was received since the assignment).
pub(crate) fn judge(
    s: &Snapshot,
    end: i64,
    committed: Option<i64>,
    has_room: bool,
    stall_after: Duration,
) -> Verdict {
    let next = next_position(s, committed);
    if end <= next || s.idle_for < stall_after {
        Verdict::Fine
    } else if s.in_flight > 0 {
        Verdict::Waiting
    } else if has_room {
        Verdict::NotFetched
    } else {
        Verdict::Fine
    }
}

/// The next offset the partition will be read from: the safe position, or the group's committed
/// one when nothing was received since the assignment.
fn next_position(s: &Snapshot, committed: Option<i64>) -> i64 {
    s.safe_position.or(committed).unwrap_or(0)
}

/// How often the watchdog looks.
fn interval(stall_after: Duration) -> Duration {
    (stall_after / 3).clamp(Duration::from_secs(1), Duration::from_secs(10))
}

/// Runs until aborted: lag metrics and stall recovery for the worker's assigned partitions.
pub(super) async fn watch(sh: Arc<Shared>, room: Arc<tokio::sync::Semaphore>) {
    let stall_after = sh.cfg.stall_after;
    loop {
        tokio::time::sleep(interval(stall_after)).await;
        sh.stats.gate.publish(Instant::now());
        let snapshots = lock(&sh.parts).snapshots(Instant::now());
        if snapshots.is_empty() {
            continue;
        }
        let has_room = room.available_permits() > 0 && sh.stats.gate.closed_since().is_none();
        let shared = sh.clone();
        let found = tokio::task::spawn_blocking(move || {
            let c = &shared.consumer;
            let t = &shared.topic;
            let mut tpl = TopicPartitionList::new();
            for s in snapshots.iter().filter(|s| s.safe_position.is_none()) {
                tpl.add_partition(t, s.partition);
            }
            let committed = if tpl.count() == 0 {
                None
            } else {
                c.committed_offsets(tpl, Duration::from_secs(2)).ok()
            };
            let fetching = c.position().ok();
            let offset_of = |list: &Option<TopicPartitionList>, p: i32| {
                list.as_ref()
                    .and_then(|l| l.find_partition(t, p))
                    .and_then(|e| e.offset().to_raw())
                    .filter(|o| *o >= 0)
            };
            snapshots
                .into_iter()
                .filter_map(|s| {
                    let end = match c.fetch_watermarks(t, s.partition, Duration::from_secs(2)) {
                        Ok((_, end)) => end,
                        Err(e) => {
                            tracing::debug!(partition = s.partition, error = %e, "end offset unknown");
                            return None;
                        }
                    };
                    let committed = offset_of(&committed, s.partition);
                    let verdict = judge(&s, end, committed, has_room, stall_after);
                    let fetch = offset_of(&fetching, s.partition);
                    Some((s, end, committed, fetch, verdict))
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (s, end, committed, fetch, verdict) in found {
            let next = next_position(&s, committed);
            crate::metrics::lag(s.partition, (end - next).max(0));
            tracing::debug!(
                partition = s.partition,
                generation = s.generation,
                safe_position = next,
                fetch_position = fetch.unwrap_or(-1),
                end_offset = end,
                in_flight = s.in_flight,
                idle_ms = s.idle_for.as_millis() as u64,
                has_room,
                "partition progress"
            );
            match verdict {
                Verdict::Fine => {}
                Verdict::Waiting => {
                    let (offset, stage) = s
                        .oldest
                        .map_or((-1, "abandoned"), |(o, st)| (o, st.as_str()));
                    tracing::warn!(
                        partition = s.partition,
                        generation = s.generation,
                        in_flight = s.in_flight,
                        oldest_offset = offset,
                        waits_in = stage,
                        end_offset = end,
                        idle_s = s.idle_for.as_secs(),
                        "partition makes no progress: its oldest event in flight has not moved"
                    );
                }
                Verdict::NotFetched => {
                    tracing::warn!(
                        partition = s.partition,
                        generation = s.generation,
                        safe_position = next,
                        fetch_position = fetch.unwrap_or(-1),
                        end_offset = end,
                        idle_s = s.idle_for.as_secs(),
                        "partition has records waiting but none arrives; fetching it again from its safe position"
                    );
                    let shared = sh.clone();
                    let sought = tokio::task::spawn_blocking(move || {
                        shared.consumer.seek(
                            &shared.topic,
                            s.partition,
                            Offset::Offset(next),
                            Duration::from_secs(5),
                        )
                    })
                    .await;
                    match sought {
                        Ok(Ok(())) => {
                            sh.stats.stalls_recovered.fetch_add(1, Ordering::Relaxed);
                            crate::metrics::refetch(s.partition);
                            lock(&sh.parts).touch(s.partition, s.generation, Instant::now());
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(partition = s.partition, error = %e, "seek failed")
                        }
                        Err(e) => {
                            tracing::warn!(partition = s.partition, error = %e, "seek task failed")
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::partitions::Stage;
    use super::*;

    fn snap(safe: Option<i64>, in_flight: usize, idle: u64) -> Snapshot {
        Snapshot {
            partition: 1,
            generation: 7,
            safe_position: safe,
            in_flight,
            oldest: (in_flight > 0).then_some((safe.unwrap_or(0), Stage::Lane)),
            idle_for: Duration::from_secs(idle),
        }
    }

    const AFTER: Duration = Duration::from_secs(30);

    #[test]
    fn a_caught_up_or_busy_partition_is_fine() {
        assert_eq!(
            judge(&snap(Some(100), 0, 99), 100, None, true, AFTER),
            Verdict::Fine
        );
        assert_eq!(
            judge(&snap(Some(50), 3, 5), 100, None, true, AFTER),
            Verdict::Fine
        );
        assert_eq!(
            judge(&snap(None, 0, 99), 40, Some(40), true, AFTER),
            Verdict::Fine
        );
    }

    #[test]
    fn records_waiting_and_nothing_arriving_is_a_stall() {
        assert_eq!(
            judge(&snap(Some(50), 0, 31), 100, None, true, AFTER),
            Verdict::NotFetched
        );
        assert_eq!(
            judge(&snap(None, 0, 31), 100, Some(60), true, AFTER),
            Verdict::NotFetched,
            "nothing received since the assignment"
        );
        assert_eq!(
            judge(&snap(Some(50), 2, 31), 100, None, true, AFTER),
            Verdict::Waiting
        );
    }

    #[test]
    fn a_worker_without_room_is_not_stalled_by_the_broker() {
        assert_eq!(
            judge(&snap(Some(50), 0, 31), 100, None, false, AFTER),
            Verdict::Fine
        );
    }

    #[test]
    fn the_watchdog_looks_several_times_per_stall_window() {
        assert_eq!(interval(AFTER), Duration::from_secs(10));
        assert_eq!(interval(Duration::from_secs(3)), Duration::from_secs(1));
    }
}
