//! The Genesys-down gate: while Genesys is unavailable, every event waits instead of hammering it.
//!
//! An event whose delivery fails transiently closes the gate for a pause; events that come to the
//! gate meanwhile wait until the pause ends, and then one event at a time goes through as a probe
//! while the others keep waiting. The first answer from Genesys (delivered or refused) opens the
//! gate for everyone. Each held event registers a [`Hold`] while it waits, so readiness and
//! metrics can say how long the gate has been closed, how many events it holds and how old the
//! oldest wait is ([`GateStatus`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use super::lock;

/// How soon an event that found another one probing looks again.
const PROBE_POLL: Duration = Duration::from_millis(50);

/// Shared by all event tasks of a worker.
#[derive(Debug)]
pub(crate) struct Gate {
    state: Mutex<State>,
    probe: Semaphore,
}

#[derive(Debug, Default)]
struct State {
    /// No event tries before this instant (`None`: open).
    until: Option<Instant>,
    /// When the gate closed (kept while it stays closed, across pauses).
    since: Option<Instant>,
    /// Events waiting now, by hold id: since when each has been waiting.
    held: HashMap<u64, Instant>,
    next_hold: u64,
}

/// The gate as readiness and metrics see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GateStatus {
    /// How long the gate has been closed (`None`: open).
    pub closed_for: Option<Duration>,
    /// Events waiting at the gate now.
    pub held: u64,
    /// How long the event that has waited longest has been waiting.
    pub oldest_held: Option<Duration>,
}

impl GateStatus {
    /// How long Genesys has kept events from going out: the longer of the closed time and the
    /// oldest wait (an event can be held across a short reopening).
    pub fn held_for(&self) -> Duration {
        self.closed_for
            .unwrap_or_default()
            .max(self.oldest_held.unwrap_or_default())
    }
}

/// An event waiting at the gate; dropping it (the event goes ahead, or is given up) ends the wait.
#[derive(Debug)]
pub(crate) struct Hold<'a> {
    gate: &'a Gate,
    id: u64,
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        lock(&self.gate.state).held.remove(&self.id);
        self.gate.publish(Instant::now());
    }
}

/// What an event may do now.
#[derive(Debug)]
pub(crate) enum Turn<'a> {
    /// Go ahead; while the gate is closed the event carries the single probe permit.
    Go(Option<SemaphorePermit<'a>>),
    /// Wait until this instant, then ask again.
    WaitUntil(Instant),
}

impl Default for Gate {
    fn default() -> Self {
        Gate::new()
    }
}

impl Gate {
    /// An open gate.
    pub(crate) fn new() -> Gate {
        Gate {
            state: Mutex::new(State::default()),
            probe: Semaphore::new(1),
        }
    }

    /// Whether an event may try Genesys at `now`.
    pub(crate) fn turn(&self, now: Instant) -> Turn<'_> {
        let until = lock(&self.state).until;
        match until {
            None => Turn::Go(None),
            Some(until) if until > now => Turn::WaitUntil(until),
            Some(_) => match self.probe.try_acquire() {
                Ok(permit) => Turn::Go(Some(permit)),
                Err(_) => Turn::WaitUntil(now + PROBE_POLL),
            },
        }
    }

    /// Genesys answered: every event may go again.
    pub(crate) fn open(&self) {
        let was_closed = {
            let mut st = lock(&self.state);
            st.until = None;
            st.since.take().is_some()
        };
        if was_closed {
            self.publish(Instant::now());
        }
    }

    /// Registers an event that waits at the gate from `now` until the returned hold is dropped.
    pub(crate) fn hold(&self, now: Instant) -> Hold<'_> {
        let id = {
            let mut st = lock(&self.state);
            st.next_hold += 1;
            let id = st.next_hold;
            st.held.insert(id, now);
            id
        };
        self.publish(now);
        Hold { gate: self, id }
    }

    /// The gate at `now`.
    pub(crate) fn status(&self, now: Instant) -> GateStatus {
        let st = lock(&self.state);
        GateStatus {
            closed_for: st.since.map(|s| now.saturating_duration_since(s)),
            held: st.held.len() as u64,
            oldest_held: st
                .held
                .values()
                .min()
                .map(|s| now.saturating_duration_since(*s)),
        }
    }

    /// Sets the gate's gauges (on every change and on the watchdog's ticks, which age the oldest
    /// wait).
    pub(crate) fn publish(&self, now: Instant) {
        crate::metrics::gate(&self.status(now));
    }

    /// Genesys is unavailable: hold events until `now + pause` (a later pause already set stays).
    pub(crate) fn close_for(&self, now: Instant, pause: Duration) {
        let mut st = lock(&self.state);
        let until = now + pause;
        if st.until.is_none_or(|u| u < until) {
            st.until = Some(until);
        }
        let opened = st.since.is_none();
        st.since.get_or_insert(now);
        drop(st);
        if opened {
            self.publish(now);
        }
    }

    /// Since when the gate has been closed (`None`: open).
    pub(crate) fn closed_since(&self) -> Option<Instant> {
        lock(&self.state).since
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_gate_lets_everyone_go_without_a_probe_permit() {
        let g = Gate::new();
        let now = Instant::now();
        for _ in 0..3 {
            assert!(matches!(g.turn(now), Turn::Go(None)));
        }
        assert!(g.closed_since().is_none());
    }

    #[test]
    fn a_closed_gate_holds_events_until_the_pause_ends_then_lets_one_probe_at_a_time() {
        let g = Gate::new();
        let t0 = Instant::now();
        g.close_for(t0, Duration::from_secs(1));
        match g.turn(t0) {
            Turn::WaitUntil(u) => assert_eq!(u, t0 + Duration::from_secs(1)),
            other => panic!("held: {other:?}"),
        }
        let later = t0 + Duration::from_secs(2);
        let probe = match g.turn(later) {
            Turn::Go(Some(p)) => p,
            other => panic!("one probe: {other:?}"),
        };
        assert!(
            matches!(g.turn(later), Turn::WaitUntil(u) if u == later + PROBE_POLL),
            "a second event waits while the first probes"
        );
        drop(probe);
        assert!(matches!(g.turn(later), Turn::Go(Some(_))), "the next probe");
        assert_eq!(g.closed_since(), Some(t0));
    }

    #[test]
    fn a_shorter_pause_never_shortens_a_longer_one_and_opening_resets_everything() {
        let g = Gate::new();
        let t0 = Instant::now();
        g.close_for(t0, Duration::from_secs(10));
        g.close_for(t0 + Duration::from_secs(1), Duration::from_secs(1));
        assert!(
            matches!(g.turn(t0 + Duration::from_secs(5)), Turn::WaitUntil(u) if u == t0 + Duration::from_secs(10))
        );
        assert_eq!(g.closed_since(), Some(t0), "closed since the first failure");
        g.open();
        assert!(matches!(
            g.turn(t0 + Duration::from_secs(5)),
            Turn::Go(None)
        ));
        assert!(g.closed_since().is_none());
    }

    #[test]
    fn status_counts_held_events_and_ages_the_oldest_until_each_hold_ends() {
        let g = Gate::new();
        let t0 = Instant::now();
        assert_eq!(g.status(t0), GateStatus::default());
        g.close_for(t0, Duration::from_secs(1));
        let first = g.hold(t0);
        let second = g.hold(t0 + Duration::from_secs(3));
        let s = g.status(t0 + Duration::from_secs(5));
        assert_eq!(s.closed_for, Some(Duration::from_secs(5)));
        assert_eq!(s.held, 2);
        assert_eq!(s.oldest_held, Some(Duration::from_secs(5)));
        drop(first);
        let s = g.status(t0 + Duration::from_secs(5));
        assert_eq!((s.held, s.oldest_held), (1, Some(Duration::from_secs(2))));
        // Reopened while an event still waits for its turn: the wait still counts.
        g.open();
        let s = g.status(t0 + Duration::from_secs(6));
        assert_eq!(s.closed_for, None);
        assert_eq!(s.held_for(), Duration::from_secs(3));
        drop(second);
        assert_eq!(g.status(t0 + Duration::from_secs(7)), GateStatus::default());
    }
}
