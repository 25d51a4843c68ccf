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
    now_rfc3339,
};
use crate::event::{self, EscalationEvent};
use crate::genesys::{Deliverer, Delivery, GenesysError};
use crate::masking::{Report, Ruleset};

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
    /// The masking rules (hot reload will swap this).
    pub rules: Arc<Ruleset>,
    /// Genesys delivery.
    pub deliverer: Arc<Deliverer>,
    /// The audit log.
    pub audit: Arc<dyn AuditStore>,
    /// This worker instance's id, written into audit records.
    pub worker: String,
    /// Largest accepted record.
    pub max_bytes: usize,
}

/// Replaces every card number left in `v` by `[CARD]`: the dead-letter topic must not become a
/// store of what the egress guard stopped.
fn scrub_cards(v: &mut Value) {
    match v {
        Value::String(s) if crate::masking::detectors::contains_card(s) => {
            *s = "[CARD]".to_string()
        }
        Value::Number(n) if crate::masking::detectors::contains_card(n.as_str()) => {
            *v = Value::String("[CARD]".into())
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_cards),
        Value::Object(map) => map.values_mut().for_each(scrub_cards),
        _ => {}
    }
}

impl Handler {
    /// Handles one record.
    pub async fn handle(&self, inc: &Incoming<'_>) -> Result<Handled, AuditError> {
        let rs = self.rules.clone();
        let ev = match event::decode(inc.payload, self.max_bytes) {
            Ok(ev) => ev,
            Err(e) => {
                // Not an event: mask whatever text there is and dead-letter it with the reason.
                let text = String::from_utf8_lossy(inc.payload);
                let (masked, report) = rs.mask_text(&text);
                let mut payload = Value::String(masked);
                scrub_cards(&mut payload);
                let payload = payload.as_str().unwrap_or_default().as_bytes().to_vec();
                let record = self.base(
                    &rs,
                    inc,
                    "",
                    "",
                    Outcome::DeadLettered,
                    Some(e.class()),
                    &report,
                );
                let letter = self.letter(payload, &rs, inc, e.class(), &e.to_string(), "decode");
                return Ok(Handled::DeadLetter(self.store(record).await?, letter));
            }
        };
        if self.audit.delivered(&ev.event_id).await? {
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

    async fn deliver(
        &self,
        mut ev: EscalationEvent,
        rs: &Ruleset,
        inc: &Incoming<'_>,
    ) -> Result<Handled, AuditError> {
        let report = rs.mask_value(&mut ev.doc);
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
        match self.deliverer.deliver(&delivery).await {
            Ok(d) => {
                record.participant_id = d.participant_id;
                record.target = Some(d.target.as_str().to_string());
                record.http_status = Some(d.status);
                record.attempts = d.attempts;
                Ok(Handled::Done(self.store(record).await?))
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
                let mut doc = ev.doc;
                scrub_cards(&mut doc);
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
