//! One audit record and the hash chain that makes the log tamper-evident.
//!
//! `hash = SHA-256(previous hash ‖ canonical record)`, where the canonical record is the record's
//! JSON without its two hash fields, in the fixed field order of [`Canonical`]. The first record
//! links to [`GENESIS`]. Editing, deleting or reordering any row breaks a link that `verify` finds.
//! No field ever holds a raw value from an event: ids, outcomes, rule ids, paths and counts only.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The masked context reached Genesys.
    Delivered,
    /// Redelivered after an earlier delivery: recorded, not sent again.
    Duplicate,
    /// Sent to the dead-letter topic with a reason.
    DeadLettered,
    /// The egress guard stopped it.
    Blocked,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Delivered => "delivered",
            Outcome::Duplicate => "duplicate",
            Outcome::DeadLettered => "dead_lettered",
            Outcome::Blocked => "blocked",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Outcome> {
        [
            Outcome::Delivered,
            Outcome::Duplicate,
            Outcome::DeadLettered,
            Outcome::Blocked,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// Where the event came from in Kafka.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KafkaPosition {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
}

/// A masking finding as audited: rule id, JSON path, count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFinding {
    /// Rule id.
    pub rule: String,
    /// JSON path.
    pub path: String,
    /// How often.
    pub count: u32,
}

impl AuditFinding {
    /// The findings of a masking report as the audit log keeps them.
    pub fn from_report(report: &crate::masking::Report) -> Vec<AuditFinding> {
        report
            .findings
            .iter()
            .map(|f| AuditFinding {
                rule: f.rule.to_string(),
                path: f.path.clone(),
                count: f.count,
            })
            .collect()
    }
}

/// A record before the store gives it a sequence number and a place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRecord {
    /// When the outcome happened (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// The event id.
    pub event_id: String,
    /// The Genesys conversation.
    pub conversation_id: String,
    /// The participant written to, when known.
    pub participant_id: Option<String>,
    /// Source channel (web portal, app, IVR).
    pub source: Option<String>,
    /// The outcome.
    pub outcome: Outcome,
    /// Reason or error class (`not_found`, `invalid_json`, …).
    pub reason: Option<String>,
    /// Delivery target.
    pub target: Option<String>,
    /// HTTP status of the delivery.
    pub http_status: Option<u16>,
    /// Delivery attempts.
    pub attempts: u32,
    /// The ruleset version that masked the event.
    pub ruleset_version: String,
    /// What the masking found (rule ids, paths, counts — never values).
    pub findings: Vec<AuditFinding>,
    /// Kafka position.
    pub kafka: Option<KafkaPosition>,
    /// The worker instance that handled it.
    pub worker: String,
    /// For a delivery: SHA-256 of the masked event (keys sorted), so a later event reusing the id
    /// with other content is told apart from a redelivery. Absent from the hash input when unset,
    /// so records written before it existed still verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_digest: Option<String>,
}

impl NewRecord {
    /// The record as it is stored and hashed: `at` normalised to UTC with milliseconds (so time
    /// filters compare correctly) and NUL characters replaced (PostgreSQL cannot store them, and
    /// both stores must hash the same bytes).
    pub fn normalised(mut self) -> Result<NewRecord, String> {
        use time::format_description::well_known::Rfc3339;
        let at = time::OffsetDateTime::parse(&self.at, &Rfc3339).map_err(|_| {
            format!(
                "record for event {:?}: `at` is not an RFC 3339 time",
                self.event_id.chars().take(64).collect::<String>()
            )
        })?;
        let fmt = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        self.at = at
            .to_offset(time::UtcOffset::UTC)
            .format(&fmt)
            .map_err(|e| e.to_string())?;
        let clean = |s: &mut String| {
            if s.contains('\0') {
                *s = s.replace('\0', "\u{fffd}");
            }
        };
        for s in [
            &mut self.event_id,
            &mut self.conversation_id,
            &mut self.ruleset_version,
            &mut self.worker,
        ] {
            clean(s);
        }
        for s in [
            &mut self.participant_id,
            &mut self.source,
            &mut self.reason,
            &mut self.target,
        ]
        .into_iter()
        .flatten()
        {
            clean(s);
        }
        for f in &mut self.findings {
            clean(&mut f.rule);
            clean(&mut f.path);
        }
        if let Some(k) = &mut self.kafka {
            clean(&mut k.topic);
        }
        Ok(self)
    }
}

/// A stored record: the new record plus its sequence number and chain links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRecord {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// The record's content.
    #[serde(flatten)]
    pub record: NewRecord,
    /// The hash of the record before it ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// SHA-256(prev_hash ‖ canonical record), hex.
    pub hash: String,
}

/// The hashed form: sequence number and content, in a fixed order.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    record: &'a NewRecord,
}

/// The digest kept with a delivered record: SHA-256 (hex) of the masked event as canonical JSON
/// (object keys sorted, no whitespace), so the same event re-sent with its keys in another order
/// digests the same, and nothing unmasked goes into it.
pub fn content_digest(masked: &serde_json::Value) -> String {
    fn feed(h: &mut Sha256, v: &serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                h.update(b"{");
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        h.update(b",");
                    }
                    h.update(serde_json::Value::from(k.as_str()).to_string().as_bytes());
                    h.update(b":");
                    feed(h, &m[k]);
                }
                h.update(b"}");
            }
            serde_json::Value::Array(a) => {
                h.update(b"[");
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        h.update(b",");
                    }
                    feed(h, x);
                }
                h.update(b"]");
            }
            scalar => h.update(scalar.to_string().as_bytes()),
        }
    }
    let mut h = Sha256::new();
    feed(&mut h, masked);
    hex::encode(h.finalize())
}

/// The chain hash of `record` at position `seq` after `prev_hash`.
pub fn chain_hash(prev_hash: &str, seq: i64, record: &NewRecord) -> String {
    let canonical = serde_json::to_vec(&Canonical { seq, record }).unwrap_or_default();
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(&canonical);
    hex::encode(h.finalize())
}

impl AuditRecord {
    /// Links `record` after (`prev_seq`, `prev_hash`).
    pub fn link(prev_seq: i64, prev_hash: &str, record: NewRecord) -> AuditRecord {
        let seq = prev_seq + 1;
        let hash = chain_hash(prev_hash, seq, &record);
        AuditRecord {
            seq,
            record,
            prev_hash: prev_hash.to_string(),
            hash,
        }
    }
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The sequence number of the first bad record (or where one is missing).
    pub seq: i64,
    /// What is wrong.
    pub reason: String,
}

/// The result of checking a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Records checked.
    pub records: u64,
    /// The hash of the last record: the head an export is signed off with.
    pub head: String,
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
}

/// Checks records given in stored order (ascending `seq`).
pub fn verify<'a>(records: impl IntoIterator<Item = &'a AuditRecord>) -> Verification {
    verify_from(0, GENESIS, records)
}

/// Checks records that continue a chain after (`prev_seq`, `prev_hash`) — for exports of a range.
pub fn verify_from<'a>(
    prev_seq: i64,
    prev_hash: &str,
    records: impl IntoIterator<Item = &'a AuditRecord>,
) -> Verification {
    let mut prev = prev_hash.to_string();
    let mut n = 0u64;
    for (expected_seq, r) in (prev_seq + 1..).zip(records) {
        let reason = if r.seq > expected_seq {
            Some((
                expected_seq,
                format!("record {expected_seq} is missing (found {} next)", r.seq),
            ))
        } else if r.seq < expected_seq {
            Some((
                r.seq,
                format!(
                    "records are out of order ({} after {})",
                    r.seq,
                    expected_seq - 1
                ),
            ))
        } else if r.prev_hash != prev {
            Some((r.seq, "its link to the previous record does not match (a record before it was changed, removed or moved)".to_string()))
        } else if chain_hash(&prev, r.seq, &r.record) != r.hash {
            Some((
                r.seq,
                "its content does not match its hash (the record was edited)".to_string(),
            ))
        } else {
            None
        };
        if let Some((seq, reason)) = reason {
            return Verification {
                records: n,
                head: prev,
                broken: Some(ChainBreak { seq, reason }),
            };
        }
        prev = r.hash.clone();
        n += 1;
    }
    Verification {
        records: n,
        head: prev,
        broken: None,
    }
}

/// Normalises a user-given time (`2026-11-25`, RFC 3339 with any offset) to the stored form, so
/// that string comparison orders times (the CLI's and the audit API's `since`/`until`).
pub fn normalise_time(t: &str) -> Result<String, String> {
    use time::format_description::well_known::Rfc3339;
    let parsed = time::OffsetDateTime::parse(t, &Rfc3339).or_else(|_| {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(t, &fmt).map(|d| d.midnight().assume_utc())
    });
    let dt = parsed.map_err(|_| {
        format!("{t:?} is not a date (2026-11-25) or an RFC 3339 time (2026-11-25T10:00:00Z)")
    })?;
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    dt.to_offset(time::UtcOffset::UTC)
        .format(&fmt)
        .map_err(|e| e.to_string())
}

/// Now, as stored in records: RFC 3339 UTC with milliseconds.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    now.format(&fmt).unwrap_or_default()
}

#[cfg(test)]
pub(crate) fn sample(i: u32, conversation: &str, outcome: Outcome) -> NewRecord {
    NewRecord {
        at: format!("2026-11-25T10:{:02}:{:02}.000Z", i / 60 % 60, i % 60),
        event_id: format!("evt-{i}"),
        conversation_id: conversation.to_string(),
        participant_id: Some(format!("{conversation}-customer")),
        source: Some("web-portal".into()),
        outcome,
        reason: None,
        target: Some("participant-attributes".into()),
        http_status: Some(202),
        attempts: 1,
        ruleset_version: "sha256:abc".into(),
        findings: vec![AuditFinding {
            rule: "payment-card".into(),
            path: "$.context.note".into(),
            count: 1,
        }],
        kafka: Some(KafkaPosition {
            topic: "escalations".into(),
            partition: 0,
            offset: i64::from(i),
        }),
        worker: "worker-1".into(),
        content_digest: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u32) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..n {
            let (seq, prev) = out
                .last()
                .map_or((0, GENESIS.to_string()), |r| (r.seq, r.hash.clone()));
            out.push(AuditRecord::link(
                seq,
                &prev,
                sample(i, "c1", Outcome::Delivered),
            ));
        }
        out
    }

    #[test]
    fn records_are_normalised_before_hashing() {
        let mut r = sample(1, "c\0x", Outcome::Delivered);
        r.at = "2026-11-25T11:00:05+01:00".into();
        let n = r.normalised().unwrap();
        assert_eq!(n.at, "2026-11-25T10:00:05.000Z");
        assert_eq!(n.conversation_id, "c\u{fffd}x");
        let mut bad = sample(1, "c", Outcome::Delivered);
        bad.at = "yesterday".into();
        assert!(bad.normalised().is_err());
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let v = verify(&c);
        assert_eq!(v.records, 5);
        assert_eq!(v.head, c[4].hash);
        assert_eq!(v.broken, None);
    }

    #[test]
    fn edits_deletions_and_reordering_are_found() {
        let mut edited = chain(5);
        edited[2].record.outcome = Outcome::Blocked;
        assert_eq!(verify(&edited).broken.unwrap().seq, 3);

        let mut deleted = chain(5);
        deleted.remove(2);
        let b = verify(&deleted).broken.unwrap();
        assert_eq!(b.seq, 3);
        assert!(b.reason.contains("missing"), "{}", b.reason);

        let mut swapped = chain(5);
        swapped.swap(1, 3);
        assert_eq!(verify(&swapped).broken.unwrap().seq, 2);

        // Re-hashing an edited record is caught by the next record's link.
        let mut rehashed = chain(5);
        rehashed[1].record.reason = Some("edited".into());
        rehashed[1].hash = chain_hash(&rehashed[1].prev_hash, 2, &rehashed[1].record);
        assert_eq!(verify(&rehashed).broken.unwrap().seq, 3);
    }
}
