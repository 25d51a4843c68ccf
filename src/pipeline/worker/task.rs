//! One record's journey, from its lane turn to its stored offset: handle it (retrying behind the
//! gate while Genesys is down), publish its dead letter if it has one, count and log the outcome,
//! store the partition's done watermark.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use rdkafka::consumer::Consumer;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::OwnedSemaphorePermit;

use crate::audit::{AuditRecord, KafkaPosition};
use crate::event::{EscalationEvent, EventError};

use super::super::handler::{Handled, Incoming};
use super::gate::Turn;
use super::lanes::Ticket;
use super::partitions::Stage;
use super::{Shared, lock};

/// A received record and what it holds while in flight.
pub(super) struct EventTask {
    pub(super) shared: Arc<Shared>,
    pub(super) msg: OwnedMessage,
    pub(super) decoded: Result<EscalationEvent, EventError>,
    pub(super) generation: u64,
    pub(super) received: Instant,
    /// Room in the in-flight limits (events, KiB), returned when the task ends.
    pub(super) _permits: (OwnedSemaphorePermit, OwnedSemaphorePermit),
}

impl EventTask {
    /// Waits for the conversation's previous event, then handles this one. The ticket is released
    /// when the task ends, however it ends.
    pub(super) async fn run(self, mut ticket: Option<Ticket>) {
        if let Some(t) = ticket.as_mut() {
            t.turn().await;
        }
        let sh = self.shared.clone();
        self.stage(Stage::Handling);
        crate::metrics::in_flight(sh.stats.in_flight.fetch_add(1, Ordering::Relaxed) + 1);
        let finished = self.handle_and_finish().await;
        crate::metrics::in_flight(
            sh.stats
                .in_flight
                .fetch_sub(1, Ordering::Relaxed)
                .saturating_sub(1),
        );
        if !finished {
            lock(&sh.parts).abandoned(self.msg.partition(), self.generation, self.msg.offset());
        }
        drop(ticket);
    }

    fn stage(&self, stage: Stage) {
        lock(&self.shared.parts).stage(
            self.msg.partition(),
            self.generation,
            self.msg.offset(),
            stage,
        );
    }

    /// `false` when the event was left unfinished (abandoned at shutdown or left to the
    /// partition's new owner): its offset stays unstored and Kafka redelivers it.
    async fn handle_and_finish(&self) -> bool {
        let sh = &self.shared;
        let inc = Incoming {
            payload: self.msg.payload().unwrap_or_default(),
            position: KafkaPosition {
                topic: sh.topic.clone(),
                partition: self.msg.partition(),
                offset: self.msg.offset(),
            },
        };
        let Some(handled) = self.handle_with_retries(&inc).await else {
            return false;
        };
        let (record, letter) = match handled {
            Handled::Done(r) => (r, None),
            Handled::DeadLetter(r, l) => (r, Some(l)),
            Handled::Retry(_) => return false,
        };
        if let Some(letter) = letter {
            self.stage(Stage::DeadLetter);
            let key = (!record.record.conversation_id.is_empty())
                .then_some(record.record.conversation_id.as_bytes());
            let position = (inc.position.partition, inc.position.offset);
            if !sh.dlq.publish(key, letter, position, &sh.abandon).await {
                return false;
            }
        }
        self.count_and_log(&inc, &record);
        self.store_offset();
        true
    }

    /// Handles the record, retrying transient failures (Genesys unavailable, audit store errors)
    /// with growing pauses behind the shared gate. `None` when abandoned at shutdown.
    async fn handle_with_retries(&self, inc: &Incoming<'_>) -> Option<Handled> {
        let sh = &self.shared;
        let mut pause = sh.cfg.retry_pause;
        let mut first_failure: Option<Instant> = None;
        // From the first wait at the gate until this event is through (readiness and metrics).
        let mut held = None;
        loop {
            if *sh.abandon.borrow() {
                break None;
            }
            // Revoked meanwhile: the partition's new owner redelivers this event in order; going
            // on here could deliver it after its successors.
            if !self.still_owned() {
                tracing::info!(
                    partition = inc.position.partition,
                    offset = inc.position.offset,
                    generation = self.generation,
                    "partition revoked; leaving the event to its new owner"
                );
                break None;
            }
            let gate = &sh.stats.gate;
            let _probe = match gate.turn(Instant::now()) {
                Turn::Go(probe) => probe,
                Turn::WaitUntil(until) => {
                    held.get_or_insert_with(|| gate.hold(Instant::now()));
                    self.stage(Stage::Gate);
                    let mut abandon = sh.abandon.clone();
                    tokio::select! {
                        _ = tokio::time::sleep_until(until.into()) => {}
                        _ = abandon.changed() => {}
                    }
                    continue;
                }
            };
            self.stage(Stage::Handling);
            let attempt = sh.handler.handle_decoded(inc, &self.decoded).await;
            if matches!(attempt, Ok(Handled::Done(_) | Handled::DeadLetter(..))) {
                // Genesys answered: open the gate for everyone.
                gate.open();
            }
            let failed_since = *first_failure.get_or_insert_with(Instant::now);
            let reason = match attempt {
                Ok(Handled::Retry(e)) => {
                    if let Ok(ev) = &self.decoded
                        && failed_since.elapsed() >= sh.cfg.delivery_timeout
                    {
                        match sh.handler.give_up(inc, ev, &e).await {
                            Ok(h) => break Some(h),
                            Err(audit) => audit.to_string(),
                        }
                    } else {
                        format!("Genesys unavailable ({})", e.class())
                    }
                }
                Ok(h) => break Some(h),
                Err(audit) => audit.to_string(),
            };
            sh.stats.retries.fetch_add(1, Ordering::Relaxed);
            crate::metrics::event_retry();
            // Close the gate: other events wait too instead of hammering a Genesys that is down.
            gate.close_for(Instant::now(), pause);
            held.get_or_insert_with(|| gate.hold(Instant::now()));
            self.stage(Stage::Gate);
            let (event_id, conversation_id) = ids(&self.decoded);
            tracing::warn!(
                event_id,
                conversation_id,
                partition = inc.position.partition,
                offset = inc.position.offset,
                reason = %reason,
                retry_in = ?pause,
                "event not handled yet; held behind the gate, will retry"
            );
            let mut abandon = sh.abandon.clone();
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = abandon.changed() => {}
            }
            pause = (pause * 2).min(sh.cfg.max_retry_pause);
        }
    }

    /// Whether this instance still owns the partition generation the event came from.
    fn still_owned(&self) -> bool {
        lock(&self.shared.parts).owns(self.msg.partition(), self.generation)
    }

    fn count_and_log(&self, inc: &Incoming<'_>, record: &AuditRecord) {
        use crate::audit::Outcome;
        let sh = &self.shared;
        let r = &record.record;
        let counter = match r.outcome {
            Outcome::Delivered => &sh.stats.delivered,
            Outcome::Duplicate => &sh.stats.duplicates,
            Outcome::DeadLettered => &sh.stats.dead_lettered,
            Outcome::Blocked => &sh.stats.blocked,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let age = self.msg.timestamp().to_millis().map_or(f64::NAN, |ms| {
            (crate::pipeline::continuity::now_ms() - ms) as f64 / 1000.0
        });
        crate::metrics::outcome(
            r.outcome.as_str(),
            r.reason.as_deref().unwrap_or(""),
            &r.findings,
            age,
        );
        let mut rules: Vec<&str> = r.findings.iter().map(|f| f.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        tracing::info!(
            event_id = %r.event_id,
            conversation_id = %r.conversation_id,
            outcome = r.outcome.as_str(),
            reason = r.reason.as_deref().unwrap_or(""),
            rules = %rules.join(","),
            partition = inc.position.partition,
            offset = inc.position.offset,
            audit_seq = record.seq,
            // Whole milliseconds: a long float's digits could read as a card number to a log scanner.
            latency_ms = self.received.elapsed().as_millis() as u64,
            "event handled"
        );
    }

    fn store_offset(&self) {
        let sh = &self.shared;
        let partition = self.msg.partition();
        // Revoked since: `finished` stores nothing; the new owner redelivers from the committed
        // position.
        let position = lock(&sh.parts).finished(
            partition,
            self.generation,
            self.msg.offset(),
            Instant::now(),
        );
        if let Some(pos) = position {
            let mut tpl = TopicPartitionList::new();
            if tpl
                .add_partition_offset(&sh.topic, partition, Offset::Offset(pos))
                .is_ok()
                && let Err(e) = sh.consumer.store_offsets(&tpl)
            {
                // After a rebalance the partition may belong to another instance: benign.
                tracing::debug!(partition, position = pos, error = %e, "offset not stored");
            }
        }
    }
}

fn ids(decoded: &Result<EscalationEvent, EventError>) -> (&str, &str) {
    match decoded {
        Ok(ev) => (&ev.event_id, &ev.conversation_id),
        Err(_) => ("", ""),
    }
}
