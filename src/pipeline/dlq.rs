//! Publishing dead letters: the letter the handler built (masked payload, Kafka Connect-style
//! headers) goes to the dead-letter topic, and the event's offset is stored only once the broker
//! acknowledged it. A letter larger than the topic takes is replaced by a stub carrying the
//! masked payload's size and SHA-256, so an oversized event can never wedge its partition.

use std::time::Duration;

use rdkafka::error::KafkaError;
use rdkafka::producer::FutureProducer;
use rdkafka::types::RDKafkaErrorCode;
use tokio::sync::watch;

use super::handler::DeadLetter;
use super::kafka;

/// The header that marks a stub whose payload was omitted.
pub const OMITTED_HEADER: &str = "escalation.payload.omitted";

/// Where and how dead letters are published.
pub struct Publisher {
    /// The producer (acks from all in-sync replicas).
    pub producer: FutureProducer,
    /// The dead-letter topic.
    pub topic: String,
    /// Largest letter the topic takes.
    pub max_bytes: usize,
    /// First pause between attempts; doubles up to `max_pause`.
    pub pause: Duration,
    /// Longest pause between attempts.
    pub max_pause: Duration,
}

impl Publisher {
    /// Publishes `letter` keyed by `key` and waits for the acknowledgement, retrying until it is
    /// acknowledged or `abandon` turns true (`false`: not published, do not store the offset).
    pub async fn publish(
        &self,
        key: Option<&[u8]>,
        letter: DeadLetter,
        position: (i32, i64),
        abandon: &watch::Receiver<bool>,
    ) -> bool {
        let (partition, offset) = position;
        let mut pause = self.pause;
        let mut letter = letter;
        if letter.payload.len() > self.max_bytes {
            letter = stub(letter);
        }
        loop {
            match kafka::send_acked(
                &self.producer,
                &self.topic,
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
                        partition,
                        offset,
                        error = %e,
                        "dead letter too large for the topic; sending a stub with the payload's digest"
                    );
                    letter = stub(letter);
                }
                Err(e) => {
                    tracing::error!(
                        partition,
                        offset,
                        dlq = %self.topic,
                        error = %e,
                        "dead letter not acknowledged; retrying"
                    );
                    let mut abandon = abandon.clone();
                    if *abandon.borrow() {
                        return false;
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = abandon.changed() => return false,
                    }
                    pause = (pause * 2).min(self.max_pause);
                }
            }
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
    letter.headers.push((OMITTED_HEADER.into(), "true".into()));
    letter
}

/// Whether the letter is already a stub (never stub twice).
fn is_stub(letter: &DeadLetter) -> bool {
    letter.headers.iter().any(|(k, _)| k == OMITTED_HEADER)
}

/// Whether the broker refused the letter for its size (retrying the same bytes cannot help).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stub_keeps_the_headers_names_the_digest_and_is_never_stubbed_again() {
        let letter = DeadLetter {
            payload: vec![b'x'; 100],
            headers: vec![("escalation.error.class".into(), "too_large".into())],
        };
        assert!(!is_stub(&letter));
        let s = stub(letter);
        assert!(is_stub(&s));
        assert_eq!(s.headers[0].0, "escalation.error.class");
        let v: serde_json::Value = serde_json::from_slice(&s.payload).expect("json");
        assert_eq!(v["bytes"], 100);
        assert_eq!(v["sha256"].as_str().map(str::len), Some(64));
    }
}
