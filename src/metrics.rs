//! The worker's metrics: names, labels and the helpers that record them, in one place, so the
//! README's metrics reference and the code cannot drift. Recording goes through the `metrics`
//! facade (a no-op until [`install`] runs); the admin server renders the Prometheus text format.
//! Labels carry ids, rule names, reasons and statuses — never values.

use std::sync::OnceLock;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// Records consumed from Kafka.
pub const CONSUMED: &str = "escalation_events_consumed_total";
/// Outcomes, labelled `outcome` (delivered, duplicate, dead_lettered, blocked) and `reason`.
pub const OUTCOMES: &str = "escalation_events_total";
/// Masking findings, labelled `rule` (summed counts).
pub const MASKS: &str = "escalation_masks_total";
/// Genesys API responses, labelled `status` (HTTP status, or `error` for no response).
pub const GENESYS_REQUESTS: &str = "escalation_genesys_requests_total";
/// Genesys attempts that were retried.
pub const GENESYS_RETRIES: &str = "escalation_genesys_retries_total";
/// Requests that had to wait for the client-side rate limiter.
pub const RATE_LIMITER_WAITS: &str = "escalation_genesys_rate_limiter_waits_total";
/// Events retried by the worker after a transient failure (Genesys or audit store unavailable).
pub const EVENT_RETRIES: &str = "escalation_event_retries_total";
/// Seconds from the Kafka record's timestamp to its audited outcome.
pub const LATENCY: &str = "escalation_end_to_end_seconds";
/// Events being handled now.
pub const IN_FLIGHT: &str = "escalation_events_in_flight";
/// Records behind the partition end, labelled `partition`.
pub const LAG: &str = "escalation_consumer_lag";
/// Input partitions assigned to this instance.
pub const ASSIGNED: &str = "escalation_assigned_partitions";
/// Partitions found with records waiting and no progress, and fetched again.
pub const REFETCHES: &str = "escalation_partition_refetches_total";
/// 1 while the Genesys-down gate is closed (events are held instead of sent), else 0.
pub const GATE_CLOSED: &str = "escalation_genesys_gate_closed";
/// Events waiting at the Genesys-down gate now.
pub const HELD: &str = "escalation_events_held";
/// Seconds the longest-waiting event has been held at the gate (0 when none is).
pub const OLDEST_HELD: &str = "escalation_oldest_held_event_seconds";
/// Seconds the consumer group join has not been settled (0 when steady).
pub const GROUP_JOINING: &str = "escalation_consumer_group_joining_seconds";
/// 1 for the ruleset version in use, labelled `version`.
pub const RULESET: &str = "escalation_ruleset_info";
/// Rule reloads, labelled `result` (success, failure).
pub const RELOADS: &str = "escalation_rule_reloads_total";

/// Every metric, for the README reference test.
pub const ALL: &[&str] = &[
    CONSUMED,
    OUTCOMES,
    MASKS,
    GENESYS_REQUESTS,
    GENESYS_RETRIES,
    RATE_LIMITER_WAITS,
    EVENT_RETRIES,
    LATENCY,
    IN_FLIGHT,
    LAG,
    ASSIGNED,
    REFETCHES,
    GATE_CLOSED,
    HELD,
    OLDEST_HELD,
    GROUP_JOINING,
    RULESET,
    RELOADS,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder once per process (concurrent callers wait for the first) and
/// returns its handle; `None` if another recorder was installed first.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full(LATENCY.to_string()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                        60.0,
                    ],
                )
                .ok()?
                .install_recorder()
                .ok()
        })
        .clone()
}

/// One record consumed.
pub fn consumed() {
    counter!(CONSUMED).increment(1);
}

/// One outcome, with the findings that led to it.
pub fn outcome(outcome: &str, reason: &str, findings: &[crate::audit::AuditFinding], age: f64) {
    counter!(OUTCOMES, "outcome" => outcome.to_string(), "reason" => reason.to_string())
        .increment(1);
    for f in findings {
        counter!(MASKS, "rule" => f.rule.clone()).increment(u64::from(f.count));
    }
    if age.is_finite() && age >= 0.0 {
        histogram!(LATENCY).record(age);
    }
}

/// A Genesys response (or `None` when no response came).
pub fn genesys_request(status: Option<u16>) {
    let status = status.map_or_else(|| "error".to_string(), |s| s.to_string());
    counter!(GENESYS_REQUESTS, "status" => status).increment(1);
}

/// A Genesys attempt about to be retried.
pub fn genesys_retry() {
    counter!(GENESYS_RETRIES).increment(1);
}

/// A request delayed by the rate limiter.
pub fn rate_limiter_wait() {
    counter!(RATE_LIMITER_WAITS).increment(1);
}

/// An event retried by the worker.
pub fn event_retry() {
    counter!(EVENT_RETRIES).increment(1);
}

/// Events in flight now.
pub fn in_flight(n: u64) {
    gauge!(IN_FLIGHT).set(n as f64);
}

/// Assigned partitions now.
pub fn assigned(n: u64) {
    gauge!(ASSIGNED).set(n as f64);
}

/// A stalled partition was fetched again.
pub fn refetch(partition: i32) {
    counter!(REFETCHES, "partition" => partition.to_string()).increment(1);
}

/// Lag of one partition.
pub fn lag(partition: i32, records: i64) {
    gauge!(LAG, "partition" => partition.to_string()).set(records as f64);
}

/// The Genesys-down gate now.
pub fn gate(status: &crate::pipeline::worker::GateStatus) {
    gauge!(GATE_CLOSED).set(if status.closed_for.is_some() {
        1.0
    } else {
        0.0
    });
    gauge!(HELD).set(status.held as f64);
    gauge!(OLDEST_HELD).set(status.oldest_held.map_or(0.0, |d| d.as_secs_f64()));
}

/// How long the group join has been unsettled (`None`: steady).
pub fn group_joining(for_: Option<std::time::Duration>) {
    gauge!(GROUP_JOINING).set(for_.map_or(0.0, |d| d.as_secs_f64()));
}

/// The ruleset now in use (the previous version's series drops to 0).
pub fn ruleset(version: &str, previous: Option<&str>) {
    if let Some(p) = previous.filter(|p| *p != version) {
        gauge!(RULESET, "version" => p.to_string()).set(0.0);
    }
    gauge!(RULESET, "version" => version.to_string()).set(1.0);
}

/// A rule reload attempt.
pub fn reload(ok: bool) {
    let result = if ok { "success" } else { "failure" };
    counter!(RELOADS, "result" => result).increment(1);
}
