//! The escalation event contract, enforced on every Kafka record before anything else happens.
//!
//! Bytes come in; either an [`EscalationEvent`] (the whole JSON document, to be masked as a whole,
//! plus the routing fields the worker needs) or an [`EventError`] whose class becomes the
//! dead-letter reason. Checks run cheapest first: size, UTF-8, nesting depth (a byte scan, before the
//! parser recurses), JSON, then the required fields. `schemas/escalation-event.schema.json` states
//! the same contract for producers; a test keeps the two in step. Error messages name fields and
//! types, never values.

use serde_json::{Map, Value};

/// Default largest accepted record (1 MiB).
pub const DEFAULT_MAX_BYTES: usize = 1 << 20;
/// Deepest accepted nesting of objects and arrays.
pub const MAX_DEPTH: usize = 64;

/// A valid escalation event.
#[derive(Debug, Clone)]
pub struct EscalationEvent {
    /// The whole document (unknown fields included; they are masked like the rest).
    pub doc: Value,
    /// `eventId`.
    pub event_id: String,
    /// `conversationId`.
    pub conversation_id: String,
    /// `participantId`, when the producer names one.
    pub participant_id: Option<String>,
    /// `customer.externalId` as text, for continuity lookups (only ever stored as a keyed hash).
    pub customer_external_id: Option<String>,
}

impl EscalationEvent {
    /// The `context` object (present by construction).
    pub fn context(&self) -> &Map<String, Value> {
        static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);
        self.doc
            .get("context")
            .and_then(Value::as_object)
            .unwrap_or(&EMPTY)
    }
}

/// Why a record is not a valid event: the dead-letter reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Larger than the configured limit.
    #[error("the record is {size} bytes, over the limit of {limit}")]
    Oversize {
        /// Record size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8.
    #[error("the record is not valid UTF-8 (byte {at})")]
    InvalidUtf8 {
        /// Offset of the first bad byte.
        at: usize,
    },
    /// Nested deeper than [`MAX_DEPTH`].
    #[error("objects and arrays are nested deeper than {MAX_DEPTH}")]
    TooDeep,
    /// Not JSON.
    #[error("the record is not valid JSON ({kind} at line {line} column {column})")]
    InvalidJson {
        /// The kind of error.
        kind: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The document is not an object.
    #[error("the event must be a JSON object")]
    NotAnObject,
    /// A required field is absent.
    #[error("the required field `{0}` is missing")]
    MissingField(&'static str),
    /// A field has the wrong JSON type.
    #[error("the field `{field}` must be {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// A field has the right type but an unusable value.
    #[error("the field `{field}` is invalid: {reason}")]
    InvalidValue {
        /// The field.
        field: &'static str,
        /// Why (no value quoted).
        reason: &'static str,
    },
}

impl EventError {
    /// A short, stable class for dead-letter headers, metrics and the audit log.
    pub fn class(&self) -> &'static str {
        match self {
            EventError::Oversize { .. } => "oversize",
            EventError::InvalidUtf8 { .. } => "invalid_utf8",
            EventError::TooDeep => "too_deep",
            EventError::InvalidJson { .. } => "invalid_json",
            EventError::NotAnObject => "not_an_object",
            EventError::MissingField(_) => "missing_field",
            EventError::WrongType { .. } => "wrong_type",
            EventError::InvalidValue { .. } => "invalid_value",
        }
    }
}

/// The deepest nesting of objects and arrays in JSON text, ignoring brackets inside strings.
/// Stops counting past `limit` (the answer is then only "too deep").
fn depth_exceeds(bytes: &[u8], limit: usize) -> bool {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// An id Genesys could have: letters, digits, `-`, `_`, `.`; at most 128 characters. Also what an
/// id read from a record that broke the contract must look like to be kept (free text never is).
pub(crate) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && id != "."
        && id != ".."
}

/// Decodes and validates one record.
pub fn decode(bytes: &[u8], max_bytes: usize) -> Result<EscalationEvent, EventError> {
    if bytes.len() > max_bytes {
        return Err(EventError::Oversize {
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| EventError::InvalidUtf8 {
        at: e.valid_up_to(),
    })?;
    if depth_exceeds(bytes, MAX_DEPTH) {
        return Err(EventError::TooDeep);
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| EventError::InvalidJson {
        kind: match e.classify() {
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Eof => "unexpected end of input",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Io => "read error",
        },
        line: e.line(),
        column: e.column(),
    })?;
    let obj = doc.as_object().ok_or(EventError::NotAnObject)?;
    let string = |field: &'static str, required: bool| -> Result<Option<String>, EventError> {
        match obj.get(field) {
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => Err(EventError::MissingField(field)),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(EventError::WrongType {
                field,
                expected: "a string",
            }),
        }
    };
    let event_id = string("eventId", true)?.unwrap_or_default();
    if event_id.is_empty() || event_id.len() > 256 {
        return Err(EventError::InvalidValue {
            field: "eventId",
            reason: "must be 1 to 256 characters",
        });
    }
    let conversation_id = string("conversationId", true)?.unwrap_or_default();
    if !valid_id(&conversation_id) {
        return Err(EventError::InvalidValue {
            field: "conversationId",
            reason: "must be 1 to 128 letters, digits, '-', '_' or '.'",
        });
    }
    let participant_id = string("participantId", false)?;
    if participant_id.as_deref().is_some_and(|p| !valid_id(p)) {
        return Err(EventError::InvalidValue {
            field: "participantId",
            reason: "must be 1 to 128 letters, digits, '-', '_' or '.'",
        });
    }
    if let Some(at) = string("occurredAt", false)?
        && time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).is_err()
    {
        return Err(EventError::InvalidValue {
            field: "occurredAt",
            reason: "must be an RFC 3339 time",
        });
    }
    if string("source", false)?.is_some_and(|s| s.len() > 64) {
        return Err(EventError::InvalidValue {
            field: "source",
            reason: "must be at most 64 characters",
        });
    }
    match obj.get("context") {
        None | Some(Value::Null) => return Err(EventError::MissingField("context")),
        Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(EventError::WrongType {
                field: "context",
                expected: "an object",
            });
        }
    }
    let customer_external_id = match obj.get("customer") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => {
            if c.get("tier")
                .is_some_and(|t| !(t.is_string() || t.is_null()))
            {
                return Err(EventError::WrongType {
                    field: "customer.tier",
                    expected: "a string",
                });
            }
            match c.get("externalId") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.as_str().to_string()),
                Some(_) => {
                    return Err(EventError::WrongType {
                        field: "customer.externalId",
                        expected: "a string or a number",
                    });
                }
            }
        }
        Some(_) => {
            return Err(EventError::WrongType {
                field: "customer",
                expected: "an object",
            });
        }
    };
    Ok(EscalationEvent {
        doc,
        event_id,
        conversation_id,
        participant_id,
        customer_external_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(input: &[u8]) -> &'static str {
        match decode(input, 4096) {
            Ok(_) => "ok",
            Err(e) => e.class(),
        }
    }

    #[test]
    fn every_bad_input_has_its_class() {
        let ok = br#"{"eventId":"e1","conversationId":"c-1","context":{"a":1},"extra":[1,2]}"#;
        assert_eq!(class(ok), "ok");
        assert_eq!(class(&[b' '; 5000]), "oversize");
        assert_eq!(class(b"{\"eventId\":\"\xff\"}"), "invalid_utf8");
        assert_eq!(
            class((("[".repeat(65)) + &"]".repeat(65)).as_bytes()),
            "too_deep"
        );
        assert_eq!(
            class(format!("{{\"eventId\":\"{}\"}}", "[".repeat(100)).as_bytes()),
            "missing_field",
            "brackets in strings are not nesting"
        );
        assert_eq!(class(b"{\"eventId\": 4111111111111111"), "invalid_json");
        assert_eq!(class(b"[1]"), "not_an_object");
        assert_eq!(
            class(br#"{"conversationId":"c","context":{}}"#),
            "missing_field"
        );
        assert_eq!(
            class(br#"{"eventId":"e","conversationId":"c"}"#),
            "missing_field"
        );
        assert_eq!(
            class(br#"{"eventId":7,"conversationId":"c","context":{}}"#),
            "wrong_type"
        );
        assert_eq!(
            class(br#"{"eventId":"e","conversationId":"c","context":"x"}"#),
            "wrong_type"
        );
        assert_eq!(
            class(br#"{"eventId":"e","conversationId":"../x","context":{}}"#),
            "invalid_value"
        );
        assert_eq!(
            class(br#"{"eventId":"e","conversationId":"c","occurredAt":"yesterday","context":{}}"#),
            "invalid_value"
        );
        assert_eq!(class(br#"{"eventId":"e","conversationId":"c","customer":{"externalId":[1]},"context":{}}"#), "wrong_type");
    }

    #[test]
    fn errors_never_quote_the_input() {
        for input in [
            br#"{"eventId": 4111111111111111, "conversationId":"c","context":{}}"#.as_slice(),
            br#"{"eventId":"e","conversationId":"jane@example.com","context":{}}"#,
            br#"{"eventId":"e","conversationId":"c","occurredAt":"4111111111111111","context":{}}"#,
            b"{\"a\": \"4111111111111111",
        ] {
            let msg = decode(input, 4096).unwrap_err().to_string();
            assert!(!msg.contains("4111") && !msg.contains("jane"), "{msg}");
        }
    }
}
