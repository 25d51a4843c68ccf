//! Whether this instance's membership of the consumer group is healthy: a rebalance that never
//! completes is an outage (no partitions, nothing consumed) that no other signal shows.
//!
//! librdkafka's statistics (every few seconds) carry the consumer group's join state; a join state
//! other than `steady` for longer than [`unready_after`] is reported — a WARN once, a gauge, and
//! `/readyz` — and its end is logged. Some brokers' group coordinators can leave a group
//! rebalancing forever (a leader that is no longer a member); the worker cannot repair a broker,
//! but it must say so instead of looking idle.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::config::WorkerConfig;

use super::lock;

/// How long a group join may take before the instance is reported unready: twice the longer of
/// `stall_after` and `shutdown_timeout` (a revocation may legitimately wait for events to drain
/// for `shutdown_timeout` inside the rebalance).
pub fn unready_after(cfg: &WorkerConfig) -> Duration {
    cfg.stall_after.max(cfg.shutdown_timeout) * 2
}

/// The consumer group membership as readiness and metrics see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupStatus {
    /// librdkafka's join state (`steady` when the assignment is settled; empty before the first
    /// statistics).
    pub join_state: String,
    /// How long the join has not been steady (`None`: steady, or not known yet).
    pub joining_for: Option<Duration>,
    /// Partitions assigned, by librdkafka's count.
    pub assigned: i32,
}

/// Follows the join state from librdkafka's statistics.
#[derive(Debug, Default)]
pub(crate) struct GroupWatch {
    state: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    join_state: String,
    assigned: i32,
    /// Since when the join state has not been `steady`.
    since: Option<Instant>,
    /// Whether this episode was already reported.
    warned: bool,
}

/// The part of librdkafka's statistics JSON read here (the rest is skipped unparsed).
#[derive(Deserialize)]
struct Stats {
    cgrp: Option<Cgrp>,
}

#[derive(Deserialize)]
struct Cgrp {
    join_state: String,
    #[serde(default)]
    assignment_size: i32,
}

impl GroupWatch {
    /// Takes one statistics document; logs when a join has been unsettled for `limit` and when it
    /// settles again after that.
    pub(crate) fn observe(&self, statistics: &[u8], now: Instant, limit: Duration) {
        let Ok(Stats { cgrp: Some(c) }) = serde_json::from_slice::<Stats>(statistics) else {
            return;
        };
        self.record(&c.join_state, c.assignment_size, now, limit);
    }

    fn record(&self, join_state: &str, assigned: i32, now: Instant, limit: Duration) {
        let mut st = lock(&self.state);
        st.assigned = assigned;
        if join_state != st.join_state {
            st.join_state = join_state.to_string();
        }
        if join_state == "steady" {
            if let Some(since) = st.since.take()
                && st.warned
            {
                tracing::info!(
                    after = ?now.saturating_duration_since(since),
                    partitions = assigned,
                    "consumer group join completed"
                );
            }
            st.warned = false;
        } else {
            let since = *st.since.get_or_insert(now);
            let joining = now.saturating_duration_since(since);
            if joining >= limit && !st.warned {
                st.warned = true;
                tracing::warn!(
                    join_state,
                    joining = ?joining,
                    "the consumer group join has not completed; no partitions are consumed until it does (is the broker's group coordinator healthy?)"
                );
            }
        }
        let status = status_of(&st, now);
        drop(st);
        crate::metrics::group_joining(status.joining_for);
    }

    /// The membership at `now`.
    pub(crate) fn status(&self, now: Instant) -> GroupStatus {
        status_of(&lock(&self.state), now)
    }
}

fn status_of(st: &Inner, now: Instant) -> GroupStatus {
    GroupStatus {
        join_state: st.join_state.clone(),
        joining_for: st.since.map(|s| now.saturating_duration_since(s)),
        assigned: st.assigned,
    }
}

/// The readiness check: ready unless a join has been unsettled for `limit` or longer.
pub fn check(g: &GroupStatus, limit: Duration) -> Result<String, String> {
    match g.joining_for {
        None if g.join_state.is_empty() => Ok("joining (no statistics yet)".into()),
        None => Ok(format!("{}, {} partition(s)", g.join_state, g.assigned)),
        Some(j) if j < limit => Ok(format!(
            "rebalancing ({}) for {} s",
            g.join_state,
            j.as_secs()
        )),
        Some(j) => Err(format!(
            "the group join has not completed for {} s (state {}); nothing is consumed",
            j.as_secs(),
            g.join_state
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(join_state: &str, n: i32) -> Vec<u8> {
        format!(
            r#"{{"name":"c","brokers":{{"b":{{"rtt":{{"avg":1}}}}}},"cgrp":{{"state":"up","stateage":1,"join_state":"{join_state}","rebalance_age":1,"rebalance_cnt":2,"rebalance_reason":"","assignment_size":{n}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn a_join_that_stays_unsettled_is_reported_and_its_end_clears_it() {
        let g = GroupWatch::default();
        let t0 = Instant::now();
        let limit = Duration::from_secs(60);
        g.observe(&stats("steady", 4), t0, limit);
        assert_eq!(g.status(t0).joining_for, None);
        assert!(check(&g.status(t0), limit).is_ok());

        g.observe(&stats("wait-sync", 0), t0 + Duration::from_secs(1), limit);
        g.observe(&stats("wait-join", 0), t0 + Duration::from_secs(30), limit);
        let s = g.status(t0 + Duration::from_secs(30));
        assert_eq!(
            s.joining_for,
            Some(Duration::from_secs(29)),
            "since the first unsettled look"
        );
        assert!(check(&s, limit).is_ok(), "a rebalance takes time");

        let late = t0 + Duration::from_secs(61);
        g.observe(&stats("wait-join", 0), late, limit);
        let err = check(&g.status(late), limit).expect_err("unready");
        assert!(err.contains("60 s") && err.contains("wait-join"), "{err}");

        g.observe(&stats("steady", 2), late, limit);
        let s = g.status(late);
        assert_eq!((s.joining_for, s.assigned), (None, 2));
        assert!(check(&s, limit).is_ok());
    }

    #[test]
    fn statistics_without_a_group_or_unreadable_change_nothing() {
        let g = GroupWatch::default();
        let t0 = Instant::now();
        g.observe(br#"{"name":"producer"}"#, t0, Duration::from_secs(1));
        g.observe(b"not json", t0, Duration::from_secs(1));
        assert_eq!(g.status(t0), GroupStatus::default());
        assert!(check(&g.status(t0), Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn the_limit_leaves_room_for_a_draining_revocation() {
        let cfg = WorkerConfig::default();
        assert!(unready_after(&cfg) >= cfg.shutdown_timeout * 2);
        assert!(unready_after(&cfg) >= cfg.stall_after * 2);
    }
}
