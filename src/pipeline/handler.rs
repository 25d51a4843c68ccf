//! Handling one Kafka record end to end, without Kafka: decode → (duplicate?) → mask → deliver →
//! the audit record, or a dead letter with a reason. The consumer loop (issue 6) feeds records in and
//! produces dead letters out; everything that decides an event's fate lives here, testable against
//! the mock Genesys and a real audit store.
//!
//! Every outcome is audited before the caller may store the offset; transient Genesys failures
//! return [`Handled::Retry`] so the worker can pause the partition instead of dead-lettering a
//! healthy event. Nothing unmasked leaves: dead-letter payloads are the masked document (or, for
//! input that is not an event, the raw text masked as text), scrubbed of card numbers once more.

use std::sync::Arc;

use serde_json::Value;

use crate::audit::{
    AuditError, AuditFinding, AuditRecord, AuditStore, KafkaPosition, NewRecord, Outcome,
    content_digest, now_rfc3339,
};

/// The dead-letter reason for an event id delivered before with other content.
pub const EVENT_ID_REUSED: &str = "event_id_reused";
use crate::egress;
use crate::event::{self, EscalationEvent, EventError};
use crate::genesys::{Deliverer, Delivery, GenesysError};
use crate::masking::{Report, Ruleset};

use super::continuity::{Continuity, now_ms};

/// One consumed record.
#[derive(Debug, Clone)]
pub struct Incoming<'a> {
    /// The message value.
    pub payload: &'a [u8],
    /// Where it came from.
    pub position: KafkaPosition,
}

/// A dead letter to publish: masked payload and Kafka Connect-style headers.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    /// The masked payload.
    pub payload: Vec<u8>,
    /// Headers: error class and message, stage, source position, ruleset version, time.
    pub headers: Vec<(String, String)>,
}

/// What became of a record.
#[derive(Debug)]
pub enum Handled {
    /// Audited (delivered, duplicate or blocked); the offset may be stored.
    Done(AuditRecord),
    /// Audited as dead-lettered; publish the letter, wait for the acknowledgement, then store the offset.
    DeadLetter(AuditRecord, DeadLetter),
    /// Genesys is unavailable: nothing was audited; retry later (pause the partition).
    Retry(GenesysError),
}

/// Handles records with one ruleset, one Genesys deliverer and one audit store.
pub struct Handler {
    /// The masking rules; a reload swaps them atomically between events (each event is masked,
    /// and audited, with the one version it loaded first).
    pub rules: arc_swap::ArcSwap<Ruleset>,
    /// Genesys delivery.
    pub deliverer: Arc<Deliverer>,
    /// The audit log.
    pub audit: Arc<dyn AuditStore>,
    /// This worker instance's id, written into audit records.
    pub worker: String,
    /// Largest accepted record.
    pub max_bytes: usize,
    /// Links repeated escalations of a customer (`None`: off).
    pub continuity: Option<Arc<Continuity>>,
}

/// Masks every card number the rules left in `v` (values, keys, numbers, split structures) with
/// the card action: the dead-letter topic must not become a store of what the egress check stopped.
fn scrub_cards(rs: &Ruleset, v: &mut Value) {
    let hits = egress::scrub(v, &egress::card_replacement(rs));
    if !hits.is_empty() {
        tracing::warn!(
            places = hits.len(),
            "egress check masked card numbers the rules let through in a dead letter"
        );
    }
}

/// A rejected record, masked for the dead-letter topic, with the ids that could be read from it.
struct Rejected {
    payload: Vec<u8>,
    report: Report,
    event_id: String,
    conversation_id: String,
}

/// Masks a rejected record for the dead-letter topic. A JSON document that merely broke the
/// contract (a missing or mistyped field) is masked as a document, so field rules (`**.cvv`,
/// cardholder names, addresses) apply; anything else is masked as text. The `eventId` and
/// `conversationId` of such a document are kept for the audit record, the log line and the dead
/// letter's key, so `audit query --conversation` finds it and `dlq replay` keeps its order — when
/// each is a well-formed id ([`event::valid_id`]) in which the rules find nothing to mask.
fn mask_rejected(rs: &Ruleset, payload: &[u8]) -> Rejected {
    // serde_json's recursion limit (128) bounds the parse of a too-deep document.
    if let Ok(mut doc) = serde_json::from_slice::<Value>(payload) {
        let id = |field: &str| {
            doc.get(field)
                .and_then(Value::as_str)
                .filter(|id| event::valid_id(id))
                .filter(|id| rs.mask_text(id).1.findings.is_empty())
                .unwrap_or_default()
                .to_string()
        };
        let (event_id, conversation_id) = (id("eventId"), id("conversationId"));
        let report = rs.mask_value(&mut doc);
        scrub_cards(rs, &mut doc);
        if let Ok(bytes) = serde_json::to_vec(&doc) {
            return Rejected {
                payload: bytes,
                report,
                event_id,
                conversation_id,
            };
        }
    }
    let text = String::from_utf8_lossy(payload);
    let (masked, report) = rs.mask_text(&text);
    let masked = egress::scrub_text(&masked, &egress::card_replacement(rs)).unwrap_or(masked);
    Rejected {
        payload: masked.into_bytes(),
        report,
        event_id: String::new(),
        conversation_id: String::new(),
    }
}

impl Handler {
    /// Decodes and handles one record.
    pub async fn handle(&self, inc: &Incoming<'_>) -> Result<Handled, AuditError> {
        let decoded = self.decode(inc.payload);
        self.handle_decoded(inc, &decoded).await
    }

    /// Decodes a record with this handler's size limit (the worker decodes first to order events by
    /// conversation, then hands the result to [`Handler::handle_decoded`], possibly several times).
    pub fn decode(&self, payload: &[u8]) -> Result<EscalationEvent, EventError> {
        event::decode(payload, self.max_bytes)
    }

    /// Handles a record already decoded; safe to call again after [`Handled::Retry`].
    pub async fn handle_decoded(
        &self,
        inc: &Incoming<'_>,
        decoded: &Result<EscalationEvent, EventError>,
    ) -> Result<Handled, AuditError> {
        let rs = self.rules.load_full();
        let ev = match decoded {
            Ok(ev) => ev,
            Err(e) => {
                // Not an event: mask what there is and dead-letter it with the reason.
                let rejected = mask_rejected(&rs, inc.payload);
                let record = self.base(
                    &rs,
                    inc,
                    &rejected.event_id,
                    &rejected.conversation_id,
                    Outcome::DeadLettered,
                    Some(e.class()),
                    &rejected.report,
                );
                let letter = self.letter(
                    rejected.payload,
                    &rs,
                    inc,
                    e.class(),
                    &e.to_string(),
                    "decode",
                );
                return Ok(Handled::DeadLetter(self.store(record).await?, letter));
            }
        };
        if let Some(past) = self.audit.delivery(&ev.event_id).await? {
            let mut doc = ev.doc.clone();
            let report = rs.mask_value(&mut doc);
            // Comparable only under the rules that masked the first delivery.
            let reused = past.ruleset_version == rs.version()
                && past
                    .content_digest
                    .as_ref()
                    .is_some_and(|d| *d != content_digest(&doc));
            if reused {
                return self.reused(ev, doc, &report, &rs, inc).await;
            }
            let mut record = self.base(
                &rs,
                inc,
                &ev.event_id,
                &ev.conversation_id,
                Outcome::Duplicate,
                None,
                &Report {
                    ruleset_version: rs.version_arc(),
                    findings: Vec::new(),
                },
            );
            record.participant_id = ev.participant_id.clone();
            return Ok(Handled::Done(self.store(record).await?));
        }
        self.deliver(ev, &rs, inc).await
    }

    /// An event id that was delivered before with other content: the producer reused an id, so
    /// the event is neither sent (it would be taken for a redelivery) nor dropped as a duplicate;
    /// it is dead-lettered `event_id_reused` for the producer to fix.
    async fn reused(
        &self,
        ev: &EscalationEvent,
        mut doc: Value,
        report: &Report,
        rs: &Ruleset,
        inc: &Incoming<'_>,
    ) -> Result<Handled, AuditError> {
        let mut record = self.base(
            rs,
            inc,
            &ev.event_id,
            &ev.conversation_id,
            Outcome::DeadLettered,
            Some(EVENT_ID_REUSED),
            report,
        );
        record.participant_id = ev.participant_id.clone();
        scrub_cards(rs, &mut doc);
        let payload = serde_json::to_vec(&doc).unwrap_or_default();
        let letter = self.letter(
            payload,
            rs,
            inc,
            EVENT_ID_REUSED,
            "an event with this eventId and other content was already delivered; give each event its own id",
            "deduplicate",
        );
        Ok(Handled::DeadLetter(self.store(record).await?, letter))
    }

    /// Gives up on an event Genesys kept refusing transiently for too long: audited and
    /// dead-lettered as `delivery_timeout`, masked, so an operator can replay it later.
    pub async fn give_up(
        &self,
        inc: &Incoming<'_>,
        ev: &EscalationEvent,
        last: &GenesysError,
    ) -> Result<Handled, AuditError> {
        let rs = self.rules.load_full();
        let mut doc = ev.doc.clone();
        let report = rs.mask_value(&mut doc);
        scrub_cards(&rs, &mut doc);
        let mut record = self.base(
            &rs,
            inc,
            &ev.event_id,
            &ev.conversation_id,
            Outcome::DeadLettered,
            Some("delivery_timeout"),
            &report,
        );
        record.participant_id = ev.participant_id.clone();
        let payload = serde_json::to_vec(&doc).unwrap_or_default();
        let message = format!(
            "Genesys stayed unavailable past the delivery timeout; last error: {}",
            last.class()
        );
        let letter = self.letter(payload, &rs, inc, "delivery_timeout", &message, "deliver");
        Ok(Handled::DeadLetter(self.store(record).await?, letter))
    }

    async fn deliver(
        &self,
        ev: &EscalationEvent,
        rs: &Ruleset,
        inc: &Incoming<'_>,
    ) -> Result<Handled, AuditError> {
        let mut ev = ev.clone();
        let report = rs.mask_value(&mut ev.doc);
        let digest = content_digest(&ev.doc);
        let now = now_ms();
        if let Some(c) = &self.continuity {
            c.link(&mut ev, now).await?;
        }
        let context = ev.context().clone();
        let delivery = Delivery {
            conversation_id: &ev.conversation_id,
            participant_id: ev.participant_id.as_deref(),
            context: &context,
            event: Some(&ev.doc),
            event_id: Some(&ev.event_id),
            ruleset_version: rs.version(),
        };
        let mut record = self.base(
            rs,
            inc,
            &ev.event_id,
            &ev.conversation_id,
            Outcome::Delivered,
            None,
            &report,
        );
        record.source = ev
            .doc
            .get("source")
            .and_then(Value::as_str)
            .map(str::to_string);
        record.content_digest = Some(digest);
        match self.deliverer.deliver(&delivery).await {
            Ok(d) => {
                record.participant_id = d.participant_id;
                record.target = Some(d.target.as_str().to_string());
                record.http_status = Some(d.status);
                record.attempts = d.attempts;
                let stored = self.store(record).await?;
                if let Some(c) = &self.continuity
                    && let Err(e) = c.remember(&ev, now).await
                {
                    // The event is delivered and audited; a missed link is not worth a redelivery.
                    tracing::warn!(event_id = %ev.event_id, error = %e, "continuity not recorded");
                }
                Ok(Handled::Done(stored))
            }
            Err(e) if e.is_transient() => Ok(Handled::Retry(e)),
            Err(e) => {
                let blocked = matches!(e, GenesysError::UnmaskedDataBlocked { .. });
                record.outcome = if blocked {
                    Outcome::Blocked
                } else {
                    Outcome::DeadLettered
                };
                record.reason = Some(e.class().to_string());
                if let GenesysError::Rejected { info, .. } = &e {
                    record.http_status = Some(info.status);
                }
                let mut doc = ev.doc.clone();
                scrub_cards(rs, &mut doc);
                let payload = serde_json::to_vec(&doc).unwrap_or_default();
                let letter = self.letter(payload, rs, inc, e.class(), &e.to_string(), "deliver");
                let stored = self.store(record).await?;
                Ok(Handled::DeadLetter(stored, letter))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn base(
        &self,
        rs: &Ruleset,
        inc: &Incoming<'_>,
        event_id: &str,
        conversation_id: &str,
        outcome: Outcome,
        reason: Option<&str>,
        report: &Report,
    ) -> NewRecord {
        NewRecord {
            at: now_rfc3339(),
            event_id: event_id.to_string(),
            conversation_id: conversation_id.to_string(),
            participant_id: None,
            source: None,
            outcome,
            reason: reason.map(str::to_string),
            target: None,
            http_status: None,
            attempts: 0,
            ruleset_version: rs.version().to_string(),
            findings: AuditFinding::from_report(report),
            kafka: Some(inc.position.clone()),
            worker: self.worker.clone(),
            content_digest: None,
        }
    }

    fn letter(
        &self,
        payload: Vec<u8>,
        rs: &Ruleset,
        inc: &Incoming<'_>,
        class: &str,
        message: &str,
        stage: &str,
    ) -> DeadLetter {
        let h = |k: &str, v: String| (k.to_string(), v);
        DeadLetter {
            payload,
            headers: vec![
                h("escalation.error.class", class.to_string()),
                h("escalation.error.message", message.to_string()),
                h("escalation.error.stage", stage.to_string()),
                h("escalation.source.topic", inc.position.topic.clone()),
                h(
                    "escalation.source.partition",
                    inc.position.partition.to_string(),
                ),
                h("escalation.source.offset", inc.position.offset.to_string()),
                h("escalation.ruleset.version", rs.version().to_string()),
                h("escalation.time", now_rfc3339()),
            ],
        }
    }

    async fn store(&self, record: NewRecord) -> Result<AuditRecord, AuditError> {
        let mut stored = self.audit.append(std::slice::from_ref(&record)).await?;
        stored
            .pop()
            .ok_or_else(|| AuditError::Database("the store returned no record".into()))
    }
}
