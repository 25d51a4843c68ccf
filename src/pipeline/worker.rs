//! The consumer loop: Kafka records in, one audited outcome per record, offsets stored behind them.
//!
//! ```text
//! consumer.recv ─▶ decode ─▶ lane (per conversation) ─▶ task: handle ─┬─ Done ────────────────┐
//!   ▲  (waits for room: events and bytes             (gate closed while └─ DeadLetter ─▶ DLQ ack ┤
//!   │   in flight are bounded)                        Genesys is down)                          ▼
//!   └──────────── rebalance: commit stored, forget revoked ◀──── store contiguous watermark ◀──┘
//! ```
//! Within a partition, events of one conversation run one after another (each waits for its
//! predecessor's completion); other conversations run concurrently. Memory stays bounded whatever
//! the backlog: at the in-flight limits the loop stops taking records, so the backlog stays in
//! Kafka (librdkafka's prefetch is bounded too). While Genesys is unavailable a shared gate holds
//! every event back — the partitions stop advancing instead of dead-lettering healthy events —
//! and one event at a time probes with growing pauses; an event still undelivered after
//! `delivery_timeout` is dead-lettered. Offsets are stored only for handled events, and only up
//! to the contiguous done watermark. (librdkafka's partition pause/resume is deliberately not
//! used: against some brokers a resumed partition never fetched again.)

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::task::JoinSet;

use crate::audit::{AuditRecord, KafkaPosition};
use crate::config::{KafkaConfig, WorkerConfig};
use crate::event::{EscalationEvent, EventError};

use super::handler::{DeadLetter, Handled, Handler, Incoming};
use super::kafka::{self, KafkaProblem};
use super::offsets::PartitionOffsets;

/// Live counters, readable while the worker runs (demo, benchmarks, metrics).
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
}

impl WorkerStats {
    /// Events that reached an outcome (delivered, duplicate, dead-lettered, blocked).
    pub fn handled(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
            + self.duplicates.load(Ordering::Relaxed)
            + self.dead_lettered.load(Ordering::Relaxed)
            + self.blocked.load(Ordering::Relaxed)
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Events that reached an outcome in this run.
    pub handled: u64,
    /// Events still unfinished at the shutdown deadline (they will be redelivered).
    pub abandoned: u64,
}

/// Per-partition bookkeeping, shared by the loop, the tasks and the rebalance callbacks.
#[derive(Default)]
struct Partitions {
    map: HashMap<i32, PartState>,
    next_generation: u64,
}

struct PartState {
    generation: u64,
    offsets: PartitionOffsets,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Partitions {
    fn assign(&mut self, partition: i32) {
        self.next_generation += 1;
        self.map.insert(
            partition,
            PartState {
                generation: self.next_generation,
                offsets: PartitionOffsets::new(),
            },
        );
    }
}

/// The consumer context: commits on revoke and keeps [`Partitions`] in step with the assignment.
struct Ctx {
    topic: String,
    parts: Arc<Mutex<Partitions>>,
    stats: Arc<WorkerStats>,
}

impl ClientContext for Ctx {}

impl Ctx {
    /// Publishes how many partitions this instance holds (stats and metrics).
    fn assigned(&self, n: usize) {
        self.stats
            .assigned_partitions
            .store(n as u64, Ordering::Relaxed);
        crate::metrics::assigned(n as u64);
    }
}

impl ConsumerContext for Ctx {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            commit(consumer, "revoke");
            let mut parts = lock(&self.parts);
            let revoked: Vec<i32> = tpl
                .elements_for_topic(&self.topic)
                .iter()
                .map(|e| e.partition())
                .collect();
            for p in &revoked {
                parts.map.remove(p);
            }
            self.assigned(parts.map.len());
            tracing::info!(partitions = ?revoked, "partitions revoked; stored offsets committed");
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let mut parts = lock(&self.parts);
                let assigned: Vec<i32> = tpl
                    .elements_for_topic(&self.topic)
                    .iter()
                    .map(|e| e.partition())
                    .collect();
                for p in &assigned {
                    parts.assign(*p);
                }
                self.assigned(parts.map.len());
                tracing::info!(partitions = ?assigned, "partitions assigned");
            }
            Rebalance::Error(e) => tracing::warn!(error = %e, "rebalance error"),
            Rebalance::Revoke(_) => {}
        }
    }
}

fn commit<C: ConsumerContext>(consumer: &impl Consumer<C>, why: &str) {
    match consumer.commit_consumer_state(CommitMode::Sync) {
        Ok(()) => tracing::debug!(why, "offsets committed"),
        Err(KafkaError::ConsumerCommit(RDKafkaErrorCode::NoOffset)) => {}
        Err(e) => tracing::warn!(why, error = %e, "offset commit failed"),
    }
}

type Consumer_ = StreamConsumer<Ctx>;

/// What every event task needs.
struct Shared {
    topic: String,
    dlq_topic: String,
    handler: Arc<Handler>,
    consumer: Arc<Consumer_>,
    producer: FutureProducer,
    parts: Arc<Mutex<Partitions>>,
    lanes: Mutex<HashMap<String, (u64, oneshot::Receiver<()>)>>,
    stats: Arc<WorkerStats>,
    cfg: WorkerConfig,
    abandon: watch::Receiver<bool>,
    /// While Genesys is unavailable: no event tries before this instant (the pause).
    gate: Mutex<Option<Instant>>,
    /// While the gate is closed, one event at a time probes.
    probe: Semaphore,
    /// Largest dead letter the topic takes; a larger one is replaced by a stub with a digest.
    dlq_max_bytes: usize,
}

/// Runs the worker until `shutdown` turns true; then finishes in-flight events within
/// `shutdown_timeout`, commits and returns.
pub async fn run(
    kcfg: &KafkaConfig,
    wcfg: &WorkerConfig,
    handler: Arc<Handler>,
    stats: Arc<WorkerStats>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<Summary, KafkaProblem> {
    let topic = kcfg.input_topic.clone();
    let parts = Arc::new(Mutex::new(Partitions::default()));
    let ctx = Ctx {
        topic: topic.clone(),
        parts: parts.clone(),
        stats: stats.clone(),
    };
    let consumer: Arc<Consumer_> = Arc::new(
        kafka::consumer_config(
            kcfg,
            wcfg.delivery_timeout + wcfg.max_retry_pause + Duration::from_secs(240),
        )
        .create_with_context(ctx)
        .map_err(|e| KafkaProblem::Settings(e.to_string()))?,
    );
    consumer
        .subscribe(&[&topic])
        .map_err(|e| KafkaProblem::other("subscribe", &e))?;
    let (abandon_tx, abandon_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        topic: topic.clone(),
        dlq_topic: kcfg.dlq_topic(),
        handler,
        consumer: consumer.clone(),
        producer: kafka::producer(kcfg)?,
        parts: parts.clone(),
        lanes: Mutex::new(HashMap::new()),
        stats: stats.clone(),
        cfg: wcfg.clone(),
        abandon: abandon_rx,
        gate: Mutex::new(None),
        probe: Semaphore::new(1),
        dlq_max_bytes: kcfg.max_message_bytes,
    });
    let lag_task = tokio::spawn(report_lag(consumer.clone(), parts.clone(), topic.clone()));
    let events = Arc::new(Semaphore::new(wcfg.max_in_flight));
    let kib_total = wcfg.max_in_flight_bytes.div_ceil(1024).max(1);
    let kib = Arc::new(Semaphore::new(kib_total));
    let mut tasks = JoinSet::new();
    let mut lane_seq = 0u64;
    tracing::info!(topic = %topic, group = %kcfg.group_id, dlq = %shared.dlq_topic, "worker started");

    loop {
        while let Some(done) = tasks.try_join_next() {
            if let Err(e) = done {
                tracing::error!(error = %e, "an event task failed");
            }
        }
        if *shutdown.borrow() {
            break;
        }
        // The timer re-polls the queue now and then, so a lost queue wake-up cannot stall us.
        let received = tokio::select! {
            _ = shutdown.changed() => continue,
            m = consumer.recv() => m,
            _ = tokio::time::sleep(Duration::from_millis(100)) => continue,
        };
        let msg = match received {
            Ok(m) => m.detach(),
            Err(e) => {
                tracing::warn!(error = %e, "Kafka consumer error");
                continue;
            }
        };
        let need = u32::try_from(msg.payload().map_or(0, <[u8]>::len).div_ceil(1024))
            .unwrap_or(u32::MAX)
            .clamp(1, u32::try_from(kib_total).unwrap_or(u32::MAX));
        // Backpressure: at the in-flight limits, stop taking records until there is room. The
        // backlog stays in Kafka (librdkafka's prefetch is bounded by queued.max.messages.kbytes).
        let permits = tokio::select! {
            _ = shutdown.changed() => break,
            p = async {
                let a = events.clone().acquire_owned().await;
                let b = kib.clone().acquire_many_owned(need).await;
                (a, b)
            } => match p {
                (Ok(a), Ok(b)) => (a, b),
                _ => break,
            },
        };
        shared.stats.consumed.fetch_add(1, Ordering::Relaxed);
        crate::metrics::consumed();
        let partition = msg.partition();
        let offset = msg.offset();
        let generation = {
            let mut p = lock(&parts);
            if !p.map.contains_key(&partition) {
                p.assign(partition);
            }
            let st = p.map.get_mut(&partition).map(|st| {
                st.offsets.started(offset);
                st.generation
            });
            st.unwrap_or_default()
        };
        let decoded = shared.handler.decode(msg.payload().unwrap_or_default());
        // Events of one conversation wait for their predecessor; others go at once.
        let (wait, done_tx, lane) = match &decoded {
            Ok(ev) => {
                lane_seq += 1;
                let (tx, rx) = oneshot::channel();
                let prev = lock(&shared.lanes).insert(ev.conversation_id.clone(), (lane_seq, rx));
                (
                    prev.map(|(_, rx)| rx),
                    Some(tx),
                    Some((ev.conversation_id.clone(), lane_seq)),
                )
            }
            Err(_) => (None, None, None),
        };
        let task = EventTask {
            shared: shared.clone(),
            msg,
            decoded,
            generation,
            received: Instant::now(),
            _permits: permits,
        };
        tasks.spawn(task.run(wait, done_tx, lane));
    }

    // Shutdown: no new events; give in-flight ones their deadline, then commit what is stored.
    let in_flight = tasks.len();
    tracing::info!(
        in_flight,
        timeout = ?wcfg.shutdown_timeout,
        "shutting down: finishing in-flight events"
    );
    let finished = tokio::time::timeout(wcfg.shutdown_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await
    .is_ok();
    let mut abandoned = 0;
    if !finished {
        abandoned = tasks.len() as u64;
        let _ = abandon_tx.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        tasks.abort_all();
        tracing::warn!(
            abandoned,
            "shutdown deadline passed; unfinished events will be redelivered"
        );
    }
    lag_task.abort();
    let c = consumer.clone();
    tokio::task::spawn_blocking(move || {
        commit(c.as_ref(), "shutdown");
        c.unsubscribe();
    })
    .await
    .map_err(|e| KafkaProblem::Other {
        what: "shutdown",
        message: e.to_string(),
    })?;
    drop(shared);
    // Closing the consumer blocks (leave group); keep it off the async threads.
    tokio::task::spawn_blocking(move || drop(consumer))
        .await
        .map_err(|e| KafkaProblem::Other {
            what: "close",
            message: e.to_string(),
        })?;
    let summary = Summary {
        handled: stats.handled(),
        abandoned,
    };
    tracing::info!(handled = summary.handled, abandoned, "worker stopped");
    Ok(summary)
}

/// One record's journey, from its lane turn to its stored offset.
struct EventTask {
    shared: Arc<Shared>,
    msg: OwnedMessage,
    decoded: Result<EscalationEvent, EventError>,
    generation: u64,
    received: Instant,
    _permits: (OwnedSemaphorePermit, OwnedSemaphorePermit),
}

impl EventTask {
    async fn run(
        self,
        wait: Option<oneshot::Receiver<()>>,
        done: Option<oneshot::Sender<()>>,
        lane: Option<(String, u64)>,
    ) {
        if let Some(w) = wait {
            let _ = w.await;
        }
        let sh = self.shared.clone();
        crate::metrics::in_flight(sh.stats.in_flight.fetch_add(1, Ordering::Relaxed) + 1);
        self.handle_and_finish().await;
        crate::metrics::in_flight(
            sh.stats
                .in_flight
                .fetch_sub(1, Ordering::Relaxed)
                .saturating_sub(1),
        );
        drop(done);
        if let Some((conv, seq)) = lane {
            let mut lanes = lock(&sh.lanes);
            if lanes.get(&conv).is_some_and(|(s, _)| *s == seq) {
                lanes.remove(&conv);
            }
        }
    }

    async fn handle_and_finish(self) {
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
            return; // abandoned at shutdown: the offset stays unstored, Kafka redelivers
        };
        let (record, letter) = match handled {
            Handled::Done(r) => (r, None),
            Handled::DeadLetter(r, l) => (r, Some(l)),
            Handled::Retry(_) => return,
        };
        if let Some(letter) = letter
            && !self.publish_dead_letter(&inc, &record, letter).await
        {
            return;
        }
        self.count_and_log(&inc, &record);
        self.store_offset();
    }

    /// Handles the record, retrying transient failures (Genesys unavailable, audit store errors)
    /// with growing pauses behind the shared gate. `None` when abandoned at shutdown.
    async fn handle_with_retries(&self, inc: &Incoming<'_>) -> Option<Handled> {
        let sh = &self.shared;
        let mut pause = sh.cfg.retry_pause;
        let mut first_failure: Option<Instant> = None;
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
                    "partition revoked; leaving the event to its new owner"
                );
                break None;
            }
            let closed_until = *lock(&sh.gate);
            let mut _probe = None;
            if let Some(until) = closed_until {
                let wait = if until > Instant::now() {
                    Some(until)
                } else {
                    match sh.probe.try_acquire() {
                        Ok(p) => {
                            _probe = Some(p);
                            None
                        }
                        // Another event is probing: look again shortly.
                        Err(_) => Some(Instant::now() + Duration::from_millis(50)),
                    }
                };
                if let Some(until) = wait {
                    let mut abandon = sh.abandon.clone();
                    tokio::select! {
                        _ = tokio::time::sleep_until(until.into()) => {}
                        _ = abandon.changed() => {}
                    }
                    continue;
                }
            }
            let attempt = sh.handler.handle_decoded(inc, &self.decoded).await;
            if matches!(attempt, Ok(Handled::Done(_) | Handled::DeadLetter(..))) {
                // Genesys answered: open the gate for everyone.
                *lock(&sh.gate) = None;
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
            {
                let mut gate = lock(&sh.gate);
                let until = Instant::now() + pause;
                if gate.is_none_or(|g| g < until) {
                    *gate = Some(until);
                }
            }
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

    /// Publishes a dead letter and waits for the broker's acknowledgement, retrying until it is
    /// acknowledged or the worker abandons events at shutdown (`false`: do not store the offset).
    async fn publish_dead_letter(
        &self,
        inc: &Incoming<'_>,
        record: &AuditRecord,
        letter: DeadLetter,
    ) -> bool {
        let sh = &self.shared;
        let key = (!record.record.conversation_id.is_empty())
            .then_some(record.record.conversation_id.as_bytes());
        let mut pause = sh.cfg.retry_pause;
        let mut letter = letter;
        if letter.payload.len() > sh.dlq_max_bytes {
            letter = stub(letter);
        }
        loop {
            match kafka::send_acked(
                &sh.producer,
                &sh.dlq_topic,
                key,
                &letter.payload,
                &letter.headers,
            )
            .await
            {
                Ok(_) => return true,
                // The broker will never take this payload: send the stub instead of retrying forever.
                Err(e) if is_too_large(&e) && !is_stub(&letter) => {
                    tracing::warn!(
                        partition = inc.position.partition,
                        offset = inc.position.offset,
                        error = %e,
                        "dead letter too large for the topic; sending a stub with the payload's digest"
                    );
                    letter = stub(letter);
                }
                Err(e) => {
                    tracing::error!(
                        partition = inc.position.partition,
                        offset = inc.position.offset,
                        dlq = %sh.dlq_topic,
                        error = %e,
                        "dead letter not acknowledged; retrying"
                    );
                    let mut abandon = sh.abandon.clone();
                    if *abandon.borrow() {
                        return false;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = abandon.changed() => return false,
                    }
                    pause = (pause * 2).min(sh.cfg.max_retry_pause);
                }
            }
        }
    }

    /// Whether this instance still owns the partition generation the event came from.
    fn still_owned(&self) -> bool {
        lock(&self.shared.parts)
            .map
            .get(&self.msg.partition())
            .is_some_and(|st| st.generation == self.generation)
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
        let position = {
            let mut parts = lock(&sh.parts);
            match parts.map.get_mut(&partition) {
                Some(st) if st.generation == self.generation => {
                    st.offsets.finished(self.msg.offset())
                }
                // Revoked since: the new owner redelivers from the committed position.
                _ => None,
            }
        };
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

/// Every 10 s: records behind the end of each assigned partition (end offset minus the next
/// offset this worker will read). Watermarks are a broker round trip, so off the async threads.
async fn report_lag(consumer: Arc<Consumer_>, parts: Arc<Mutex<Partitions>>, topic: String) {
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let positions: Vec<(i32, Option<i64>)> = lock(&parts)
            .map
            .iter()
            .map(|(p, st)| (*p, st.offsets.safe_position()))
            .collect();
        let (c, t) = (consumer.clone(), topic.clone());
        let lags = tokio::task::spawn_blocking(move || {
            positions
                .into_iter()
                .filter_map(|(p, next)| {
                    let (low, high) = c.fetch_watermarks(&t, p, Duration::from_secs(2)).ok()?;
                    Some((p, (high - next.unwrap_or(low)).max(0)))
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        for (p, lag) in lags {
            crate::metrics::lag(p, lag);
        }
    }
}

/// A dead letter whose payload the topic cannot take: the payload is replaced by its size and
/// SHA-256 (of the masked bytes), and a header says so.
fn stub(mut letter: DeadLetter) -> DeadLetter {
    use sha2::Digest;
    let digest = hex::encode(sha2::Sha256::digest(&letter.payload));
    letter.payload = serde_json::json!({
        "payloadOmitted": "too large for the dead-letter topic",
        "bytes": letter.payload.len(),
        "sha256": digest,
    })
    .to_string()
    .into_bytes();
    letter
        .headers
        .push(("escalation.payload.omitted".into(), "true".into()));
    letter
}

fn is_stub(letter: &DeadLetter) -> bool {
    letter
        .headers
        .iter()
        .any(|(k, _)| k == "escalation.payload.omitted")
}

fn is_too_large(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::InvalidMessageSize
                | RDKafkaErrorCode::MessageBatchTooLarge
                | RDKafkaErrorCode::InvalidRecord
        )
    )
}

fn ids(decoded: &Result<EscalationEvent, EventError>) -> (&str, &str) {
    match decoded {
        Ok(ev) => (&ev.event_id, &ev.conversation_id),
        Err(_) => ("", ""),
    }
}
