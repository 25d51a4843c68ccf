//! The consumer loop: Kafka records in, one audited outcome per record, offsets stored behind them.
//!
//! ```text
//! consumer.recv ─▶ decode ─▶ lane (per conversation) ─▶ task: handle ─┬─ Done ────────────────┐
//!   ▲  (waits for room: events and bytes             (gate closed while └─ DeadLetter ─▶ DLQ ack ┤
//!   │   in flight are bounded)                        Genesys is down)                          ▼
//!   └──────────── rebalance: commit stored, forget revoked ◀──── store contiguous watermark ◀──┘
//! ```
//! - `partitions`: which partitions this instance owns, under which generation, where each
//!   event in flight stands and the contiguous done watermark that is safe to store;
//! - `lanes`: events of one conversation run one after another, others concurrently;
//! - `gate`: while Genesys is unavailable every event is held, one probes with growing pauses;
//! - `task`: one record's journey from its lane turn to its stored offset;
//! - `progress`: lag metrics and the watchdog that re-fetches a partition that stopped moving;
//! - `stats`: live counters.
//!
//! Memory stays bounded whatever the backlog: at the in-flight limits the loop stops taking
//! records, so the backlog stays in Kafka (librdkafka's prefetch is bounded too). An event still
//! undelivered after `delivery_timeout` is dead-lettered. Offsets are stored only for handled
//! events, and only up to the contiguous done watermark. (librdkafka's partition pause/resume is
//! deliberately not used: against some brokers a resumed partition never fetched again.)

mod gate;
mod group;
mod lanes;
mod partitions;
mod progress;
mod stats;
mod task;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer, ConsumerContext, RebalanceProtocol, StreamConsumer,
};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::types::{RDKafkaErrorCode, RDKafkaRespErr};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::config::{KafkaConfig, WorkerConfig};

use super::dlq;
use super::handler::Handler;
use super::kafka::{self, KafkaProblem};
use lanes::Lanes;
use partitions::Partitions;
use task::EventTask;

pub use gate::GateStatus;
pub use group::{GroupStatus, check as group_check, unready_after as join_limit};
pub use stats::WorkerStats;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Events that reached an outcome in this run.
    pub handled: u64,
    /// Events still unfinished at the shutdown deadline (they will be redelivered).
    pub abandoned: u64,
}

/// Locks a mutex shared with the rebalance callbacks; a panic elsewhere never wedges the worker.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The consumer context: commits on revoke, keeps [`Partitions`] in step with the assignment and
/// resumes a partition that comes back where this instance left it.
struct Ctx {
    topic: String,
    parts: Arc<Mutex<Partitions>>,
    stats: Arc<WorkerStats>,
    /// How long a revocation waits for the partitions' events being handled.
    drain_timeout: Duration,
    /// How long a group join may stay unsettled before it is reported.
    join_limit: Duration,
}

impl ClientContext for Ctx {
    fn stats_raw(&self, statistics: &[u8]) {
        self.stats
            .group
            .observe(statistics, Instant::now(), self.join_limit);
    }
}

impl Ctx {
    /// Publishes how many partitions this instance holds (stats and metrics).
    fn assigned(&self, n: usize) {
        self.stats
            .assigned_partitions
            .store(n as u64, std::sync::atomic::Ordering::Relaxed);
        crate::metrics::assigned(n as u64);
    }

    fn partitions_of(&self, tpl: &TopicPartitionList) -> Vec<i32> {
        tpl.elements_for_topic(&self.topic)
            .iter()
            .map(|e| e.partition())
            .collect()
    }

    /// Takes the partitions over under a new generation. Where this instance stored a position
    /// beyond the group's committed one (its commit on revoke did not reach the broker), it
    /// resumes from its own: those events are done, there is no need to handle them again.
    fn take_over(&self, consumer: &BaseConsumer<Self>, tpl: &mut TopicPartitionList) {
        let assigned = self.partitions_of(tpl);
        let now = Instant::now();
        let ours: Vec<(i32, i64)> = {
            let mut parts = lock(&self.parts);
            let v = assigned
                .iter()
                .filter_map(|p| parts.assign(*p, now).map(|pos| (*p, pos)))
                .collect();
            self.assigned(parts.count());
            v
        };
        if !ours.is_empty()
            && let Ok(committed) = consumer.committed_offsets(tpl.clone(), Duration::from_secs(2))
        {
            for (p, pos) in ours {
                let behind = committed
                    .find_partition(&self.topic, p)
                    .and_then(|e| e.offset().to_raw())
                    .is_none_or(|c| c < pos);
                if behind
                    && tpl
                        .set_partition_offset(&self.topic, p, Offset::Offset(pos))
                        .is_ok()
                {
                    tracing::info!(
                        partition = p,
                        position = pos,
                        "partition back: resuming from the position this instance stored"
                    );
                }
            }
        }
        tracing::info!(partitions = ?assigned, "partitions assigned");
    }

    /// Gives the partitions up: events waiting for their turn are left to the next owner, events
    /// being handled get up to `drain_timeout` to finish and store their offsets, then what is
    /// stored is committed — so the next owner starts after them instead of handling them again
    /// at the same time. (This blocks the consumer's poll, as librdkafka expects of a revoke.)
    fn give_up(&self, consumer: &BaseConsumer<Self>, tpl: &TopicPartitionList) {
        let revoked = self.partitions_of(tpl);
        let lost = consumer.assignment_lost();
        {
            let mut parts = lock(&self.parts);
            for p in &revoked {
                parts.drain(*p);
            }
        }
        let deadline = Instant::now() + self.drain_timeout;
        let mut busy = lock(&self.parts).busy(&revoked);
        while busy > 0 && !lost && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            busy = lock(&self.parts).busy(&revoked);
        }
        if busy > 0 && !lost {
            tracing::warn!(
                partitions = ?revoked,
                busy,
                timeout = ?self.drain_timeout,
                "revoked partitions still have events being handled; their next owner may handle them again (audited as duplicates)"
            );
        }
        if lost {
            tracing::warn!(partitions = ?revoked, "assignment lost (session timed out): nothing to commit");
        } else {
            commit(consumer, "revoke");
        }
        self.forget(&revoked);
        tracing::info!(partitions = ?revoked, "partitions revoked; stored offsets committed");
    }

    /// The partitions are no longer ours (their events in flight store nothing any more).
    fn forget(&self, partitions: &[i32]) {
        let mut parts = lock(&self.parts);
        for p in partitions {
            parts.revoke(*p);
        }
        self.assigned(parts.count());
    }
}

impl ConsumerContext for Ctx {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        let cooperative = matches!(
            consumer.rebalance_protocol(),
            RebalanceProtocol::Cooperative
        );
        let result = match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                self.take_over(consumer, tpl);
                if cooperative {
                    consumer.incremental_assign(tpl)
                } else {
                    consumer.assign(tpl)
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                self.give_up(consumer, tpl);
                if cooperative {
                    consumer.incremental_unassign(tpl)
                } else {
                    consumer.unassign()
                }
            }
            other => {
                tracing::warn!(error = %RDKafkaErrorCode::from(other), "rebalance error");
                self.forget(&self.partitions_of(tpl));
                consumer.unassign()
            }
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "applying the rebalance failed");
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
    handler: Arc<Handler>,
    consumer: Arc<Consumer_>,
    dlq: dlq::Publisher,
    parts: Arc<Mutex<Partitions>>,
    lanes: Arc<Lanes>,
    stats: Arc<WorkerStats>,
    cfg: WorkerConfig,
    abandon: watch::Receiver<bool>,
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
        drain_timeout: wcfg.shutdown_timeout,
        join_limit: group::unready_after(wcfg),
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
        handler,
        consumer: consumer.clone(),
        dlq: dlq::Publisher {
            producer: kafka::producer(kcfg)?,
            topic: kcfg.dlq_topic(),
            max_bytes: kcfg.max_message_bytes,
            pause: wcfg.retry_pause,
            max_pause: wcfg.max_retry_pause,
        },
        parts: parts.clone(),
        lanes: Arc::new(Lanes::default()),
        stats: stats.clone(),
        cfg: wcfg.clone(),
        abandon: abandon_rx,
    });
    let events = Arc::new(Semaphore::new(wcfg.max_in_flight));
    let kib_total = wcfg.max_in_flight_bytes.div_ceil(1024).max(1);
    let kib = Arc::new(Semaphore::new(kib_total));
    let watchdog = tokio::spawn(progress::watch(shared.clone(), events.clone()));
    let mut tasks = JoinSet::new();
    tracing::info!(topic = %topic, group = %kcfg.group_id, dlq = %shared.dlq.topic, "worker started");

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
        stats
            .consumed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        crate::metrics::consumed();
        let generation = lock(&parts).received(msg.partition(), msg.offset(), Instant::now());
        let decoded = shared.handler.decode(msg.payload().unwrap_or_default());
        // Events of one conversation wait for their predecessor; others go at once.
        let ticket = decoded
            .as_ref()
            .ok()
            .map(|ev| shared.lanes.enter(&ev.conversation_id));
        let task = EventTask {
            shared: shared.clone(),
            msg,
            decoded,
            generation,
            received: Instant::now(),
            _permits: permits,
        };
        tasks.spawn(task.run(ticket));
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
        while tasks.join_next().await.is_some() {}
        lock(&parts).abandon_all();
        tracing::warn!(
            abandoned,
            "shutdown deadline passed; unfinished events will be redelivered"
        );
    }
    watchdog.abort();
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
