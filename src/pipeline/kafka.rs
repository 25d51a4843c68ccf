//! Everything the pipeline says to Kafka, through librdkafka: client settings built from
//! `[kafka]`, the start-up checks that name what is wrong, and the producer used for dead letters,
//! `produce` and `dlq replay`. Keeping it here means a real cluster (SASL/TLS, MSK, Redpanda) is a
//! configuration change, never a code change.

use std::time::Duration;

use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Headers, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::KafkaConfig;

/// Why talking to Kafka failed, in words an operator can act on.
#[derive(Debug, thiserror::Error)]
pub enum KafkaProblem {
    /// The client could not be created (usually a bad `[kafka.properties]` entry).
    #[error("invalid Kafka client settings: {0}")]
    Settings(String),
    /// No broker answered.
    #[error(
        "cannot reach the Kafka brokers {brokers} within {timeout:?}: {message} (check [kafka] brokers / ESCALATION_MASKER_KAFKA_BROKERS and any SASL/TLS properties)"
    )]
    Unreachable {
        /// The bootstrap list.
        brokers: String,
        /// How long we waited.
        timeout: Duration,
        /// librdkafka's reason.
        message: String,
    },
    /// A topic the worker needs does not exist.
    #[error(
        "Kafka topic {topic:?} ({role}) does not exist: create it (e.g. with 3 partitions) or fix [kafka] {role}"
    )]
    TopicMissing {
        /// The topic.
        topic: String,
        /// `input_topic` or `dlq_topic`.
        role: &'static str,
    },
    /// Any other Kafka error.
    #[error("Kafka {what}: {message}")]
    Other {
        /// What we were doing.
        what: &'static str,
        /// librdkafka's reason.
        message: String,
    },
}

impl KafkaProblem {
    /// Wraps a librdkafka error with what we were doing.
    pub fn other(what: &'static str, e: &KafkaError) -> KafkaProblem {
        KafkaProblem::Other {
            what,
            message: e.to_string(),
        }
    }
}

/// Settings shared by every client: brokers, client id, pass-through properties.
pub fn base_config(cfg: &KafkaConfig) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &cfg.brokers)
        .set("client.id", &cfg.client_id)
        // Event-sized messages; the broker's own limit still applies.
        .set(
            "message.max.bytes",
            (cfg.max_message_bytes + 64 * 1024).to_string(),
        );
    for (k, v) in &cfg.properties {
        c.set(k, v);
    }
    c
}

/// The worker's consumer settings: offsets are stored by the worker only after an event is
/// handled, and auto-commit then commits what was stored.
/// `max_wait` is the longest the worker may go without taking a record (an event retried until
/// its delivery timeout holds the in-flight room): the group must not evict us meanwhile.
pub fn consumer_config(cfg: &KafkaConfig, max_wait: Duration) -> ClientConfig {
    let mut c = base_config(cfg);
    let poll_interval = max_wait
        .saturating_add(Duration::from_secs(60))
        .max(Duration::from_secs(300))
        .as_millis()
        .min(86_400_000);
    c.set_if_absent("max.poll.interval.ms", &poll_interval.to_string());
    if let Some(id) = &cfg.instance_id {
        c.set("group.instance.id", id);
    }
    c.set("group.id", &cfg.group_id)
        .set("enable.auto.offset.store", "false")
        .set("enable.auto.commit", "true")
        .set("auto.offset.reset", "earliest")
        .set_if_absent("auto.commit.interval.ms", "1000")
        // A static member (instance_id) is meant to come back after a restart and take its own
        // partitions again without a rebalance: Kafka's own default gives it 45 s to do so. (It
        // also keeps some brokers from evicting a restarting member between its incarnations.)
        .set_if_absent(
            "session.timeout.ms",
            if cfg.instance_id.is_some() {
                "45000"
            } else {
                "10000"
            },
        )
        // The group's join state, for the worker's group watch (health of the membership).
        .set_if_absent("statistics.interval.ms", "5000")
        .set_if_absent("heartbeat.interval.ms", "2000")
        // Bounded prefetch: the backlog stays in Kafka, not in our memory.
        .set_if_absent("queued.max.messages.kbytes", "8192")
        // Latency: some brokers hold a fetch for the whole wait even when records arrive.
        .set_if_absent("fetch.wait.max.ms", "25")
        .set_if_absent("fetch.max.bytes", "8388608")
        .set(
            "max.partition.fetch.bytes",
            (cfg.max_message_bytes + 64 * 1024).to_string(),
        );
    c
}

/// Settings for producers (dead letters, `produce`, `dlq replay`): acknowledged by all in-sync
/// replicas before a send counts.
pub fn producer_config(cfg: &KafkaConfig) -> ClientConfig {
    let mut c = base_config(cfg);
    c.set_if_absent("acks", "all")
        .set_if_absent("linger.ms", "5")
        .set_if_absent("message.timeout.ms", "30000");
    c
}

trait SetIfAbsent {
    fn set_if_absent(&mut self, key: &str, value: &str) -> &mut Self;
}

impl SetIfAbsent for ClientConfig {
    fn set_if_absent(&mut self, key: &str, value: &str) -> &mut Self {
        if self.get(key).is_none() {
            self.set(key, value);
        }
        self
    }
}

/// Creates a producer.
pub fn producer(cfg: &KafkaConfig) -> Result<FutureProducer, KafkaProblem> {
    producer_config(cfg)
        .create()
        .map_err(|e| KafkaProblem::Settings(e.to_string()))
}

/// Checks that the brokers answer and each `(topic, role)` exists; returns each topic's partition
/// count. Blocking (librdkafka metadata call): run it on a blocking thread.
pub fn check_topics(
    cfg: &KafkaConfig,
    topics: &[(&str, &'static str)],
) -> Result<Vec<usize>, KafkaProblem> {
    let consumer: BaseConsumer = base_config(cfg)
        .set("group.id", &cfg.group_id)
        .set("allow.auto.create.topics", "false")
        .create()
        .map_err(|e| KafkaProblem::Settings(e.to_string()))?;
    let mut counts = Vec::new();
    for (topic, role) in topics {
        let md = consumer
            .fetch_metadata(Some(topic), cfg.startup_timeout)
            .map_err(|e| match e {
                KafkaError::MetadataFetch(
                    RDKafkaErrorCode::UnknownTopicOrPartition | RDKafkaErrorCode::UnknownTopic,
                ) => KafkaProblem::TopicMissing {
                    topic: topic.to_string(),
                    role,
                },
                e => KafkaProblem::Unreachable {
                    brokers: cfg.brokers.clone(),
                    timeout: cfg.startup_timeout,
                    message: e.to_string(),
                },
            })?;
        let t = md.topics().iter().find(|t| t.name() == *topic);
        match t {
            Some(t) if t.error().is_none() && !t.partitions().is_empty() => {
                counts.push(t.partitions().len())
            }
            _ => {
                return Err(KafkaProblem::TopicMissing {
                    topic: topic.to_string(),
                    role,
                });
            }
        }
    }
    Ok(counts)
}

/// Sends one record and waits for the broker's acknowledgement; returns (partition, offset).
pub async fn send_acked(
    producer: &FutureProducer,
    topic: &str,
    key: Option<&[u8]>,
    payload: &[u8],
    headers: &[(String, String)],
) -> Result<(i32, i64), KafkaError> {
    let mut h = OwnedHeaders::new_with_capacity(headers.len());
    for (k, v) in headers {
        h = h.insert(Header {
            key: k,
            value: Some(v.as_bytes()),
        });
    }
    let mut record = FutureRecord::to(topic).payload(payload).headers(h);
    if let Some(k) = key {
        record = record.key(k);
    }
    producer
        .send(record, Duration::from_secs(30))
        .await
        .map(|d| (d.partition, d.offset))
        .map_err(|(e, _)| e)
}

/// Publishes `(key, payload)` records to `topic` concurrently and waits for every acknowledgement
/// (the demo's and the tests' producer; `produce` reports per line instead).
pub async fn publish_all(
    cfg: &KafkaConfig,
    topic: &str,
    records: &[(Option<String>, Vec<u8>)],
) -> Result<(), KafkaProblem> {
    let producer = producer(cfg)?;
    let sends = records.iter().map(|(key, payload)| {
        send_acked(
            &producer,
            topic,
            key.as_deref().map(str::as_bytes),
            payload,
            &[],
        )
    });
    for r in futures_util::future::join_all(sends).await {
        r.map_err(|e| KafkaProblem::other("publishing", &e))?;
    }
    Ok(())
}

/// A record header as text.
pub fn header(msg: &impl Message, name: &str) -> Option<String> {
    msg.headers()?
        .iter()
        .find(|h| h.key == name)
        .and_then(|h| h.value)
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Every record of `topic` (`role` names it in errors), all partitions, from the start, without a
/// group commit (it must not move anyone's position). Reading ends when nothing new has arrived
/// for `quiet` (some brokers report a high watermark behind a freshly written batch, so it cannot
/// mark the end), but not before each partition's high watermark as of now: a slow connection
/// must not pass for an empty topic. Stalling 30 s short of that is an error. Blocking.
pub fn read_topic(
    cfg: &KafkaConfig,
    topic: &str,
    role: &'static str,
    quiet: Duration,
) -> Result<Vec<OwnedMessage>, KafkaProblem> {
    let partitions = check_topics(cfg, &[(topic, role)])?[0];
    let consumer: BaseConsumer = base_config(cfg)
        .set("group.id", format!("{}-reader", cfg.group_id))
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| KafkaProblem::Settings(e.to_string()))?;
    let mut tpl = TopicPartitionList::new();
    let mut ends = std::collections::BTreeMap::new();
    for p in 0..i32::try_from(partitions).unwrap_or(i32::MAX) {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .map_err(|e| KafkaProblem::other("assigning partitions", &e))?;
        let (low, high) = consumer
            .fetch_watermarks(topic, p, cfg.startup_timeout)
            .map_err(|e| KafkaProblem::other("reading end offsets", &e))?;
        if high > low {
            ends.insert(p, high);
        }
    }
    consumer
        .assign(&tpl)
        .map_err(|e| KafkaProblem::other("assigning partitions", &e))?;
    let mut out = Vec::new();
    let mut reached = std::collections::BTreeMap::<i32, i64>::new();
    let mut last = std::time::Instant::now();
    let behind = |reached: &std::collections::BTreeMap<i32, i64>| {
        ends.iter()
            .any(|(p, end)| reached.get(p).map_or(0, |o| o + 1) < *end)
    };
    loop {
        let idle = last.elapsed();
        if idle >= quiet && !behind(&reached) {
            return Ok(out);
        }
        if idle >= quiet.max(Duration::from_secs(30)) {
            return Err(KafkaProblem::Other {
                what: "reading a topic",
                message: format!(
                    "{topic} stalled before its end (read up to {reached:?}, end offsets {ends:?})"
                ),
            });
        }
        match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                let e = reached.entry(m.partition()).or_insert(m.offset());
                *e = (*e).max(m.offset());
                out.push(m.detach());
                last = std::time::Instant::now();
            }
            Some(Err(e)) => return Err(KafkaProblem::other("reading a topic", &e)),
            None => {}
        }
    }
}
