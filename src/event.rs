//! The escalation event contract, enforced on every Kafka record before anything else happens.
//!
//! Bytes come in; either an [`EscalationEvent`] (the whole JSON document, to be masked as a whole,
//! plus the routing fields the worker needs) or an [`EventError`] whose class becomes the
//! dead-letter reason. Checks run cheapest first: size, UTF-8, nesting depth (a byte scan, before the
//! parser recurses), JSON, then the fields, one rule each from [`FIELDS`]. The same table generates
//! the JSON Schema producers validate against (`schemas/escalation-event.schema.json`, kept equal
//! to [`json_schema`] by a test), so the two statements of the contract agree by construction.
//! Error messages name fields and types, never values.

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

/// The most characters an id (`conversationId`, `participantId`) may have.
pub const MAX_ID_CHARS: usize = 128;
/// The most characters an `eventId` may have.
pub const MAX_EVENT_ID_CHARS: usize = 256;
/// The most characters a label (`source`, `customer.tier`) may have.
pub const MAX_LABEL_CHARS: usize = 64;

/// What a field of the event must hold. Each shape is checked by [`decode`] and written into the
/// JSON Schema by [`json_schema`], so the two statements of the contract cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// 1 to `max` letters, digits, `-`, `_`, `.` (ASCII), and not `.` or `..` (ids end up in
    /// Genesys URL paths).
    Id {
        /// Most characters.
        max: usize,
    },
    /// A string of `min` to `max` characters (Unicode scalar values, as JSON Schema counts).
    Text {
        /// Fewest characters.
        min: usize,
        /// Most characters.
        max: usize,
    },
    /// An RFC 3339 date-time with a `T` between date and time (`2026-11-25T09:01:07Z`).
    Time,
    /// A JSON object.
    Object,
    /// A string or a number.
    StringOrNumber,
}

impl Shape {
    /// The JSON type(s) the shape allows, for messages.
    fn expected(self) -> &'static str {
        match self {
            Shape::Object => "an object",
            Shape::StringOrNumber => "a string or a number",
            _ => "a string",
        }
    }

    /// What a value of the right type must also satisfy, for messages (never quotes the value).
    fn rule(self) -> &'static str {
        match self {
            Shape::Id { .. } => {
                "must be 1 to 128 letters, digits, '-', '_' or '.', and not '.' or '..'"
            }
            Shape::Text { min: 1, max: 256 } => "must be 1 to 256 characters",
            Shape::Text { .. } => "must be at most 64 characters",
            Shape::Time => "must be an RFC 3339 date-time such as 2026-11-25T09:01:07Z",
            Shape::Object | Shape::StringOrNumber => "has the wrong shape",
        }
    }

    /// The shape in a producer's words (the README's field table is made from this).
    pub fn describe(self) -> String {
        match self {
            Shape::Id { max } => format!(
                "string of 1–{max} letters, digits, `-`, `_`, `.` (ASCII); not `.` or `..`"
            ),
            Shape::Text { min: 0, max } => format!("string of at most {max} characters"),
            Shape::Text { min, max } => format!("string of {min}–{max} characters"),
            Shape::Time => "RFC 3339 date-time with a `T`: `2026-11-25T09:01:07Z`, `2026-11-25T10:01:07.250+01:00`".into(),
            Shape::Object => "object".into(),
            Shape::StringOrNumber => "string or number".into(),
        }
    }

    /// Whether a value of the right JSON type satisfies the shape.
    fn admits(self, v: &Value) -> Result<bool, ()> {
        match (self, v) {
            (Shape::Object, Value::Object(_)) => Ok(true),
            (Shape::StringOrNumber, Value::String(_) | Value::Number(_)) => Ok(true),
            (Shape::Id { max }, Value::String(s)) => Ok(id_within(s, max)),
            (Shape::Text { min, max }, Value::String(s)) => {
                let n = s.chars().count();
                Ok(n >= min && n <= max)
            }
            (Shape::Time, Value::String(s)) => Ok(rfc3339_date_time(s)),
            _ => Err(()),
        }
    }

    /// The shape as JSON Schema keywords.
    fn schema(self, nullable: bool) -> Map<String, Value> {
        let ty = |t: &str| {
            if nullable {
                serde_json::json!([t, "null"])
            } else {
                Value::from(t)
            }
        };
        let mut m = Map::new();
        match self {
            Shape::Id { max } => {
                m.insert("type".into(), ty("string"));
                m.insert("minLength".into(), 1.into());
                m.insert("maxLength".into(), max.into());
                m.insert("pattern".into(), "^[A-Za-z0-9._-]+$".into());
                m.insert("not".into(), serde_json::json!({"enum": [".", ".."]}));
            }
            Shape::Text { min, max } => {
                m.insert("type".into(), ty("string"));
                if min > 0 {
                    m.insert("minLength".into(), min.into());
                }
                m.insert("maxLength".into(), max.into());
            }
            Shape::Time => {
                m.insert("type".into(), ty("string"));
                m.insert("format".into(), "date-time".into());
                // Date, `T`, time: the separator JSON Schema's date-time demands.
                m.insert("pattern".into(), "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt]".into());
            }
            Shape::Object => {
                m.insert("type".into(), ty("object"));
            }
            Shape::StringOrNumber => {
                let mut t = vec![Value::from("string"), Value::from("number")];
                if nullable {
                    t.push("null".into());
                }
                m.insert("type".into(), Value::Array(t));
            }
        }
        m
    }
}

/// One field of the contract.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Where: a top-level name, or `customer.<name>` inside the `customer` object.
    pub path: &'static str,
    /// Required fields must be present and not null; optional ones may be absent or null.
    pub required: bool,
    /// What it must hold.
    pub shape: Shape,
    /// What it is for (the schema's description).
    pub description: &'static str,
}

/// The event contract, field by field: the single source of [`decode`]'s checks, of
/// `schemas/escalation-event.schema.json` (generated by [`json_schema`]) and of the README's field
/// table. Fields not listed are allowed and masked like the rest.
pub const FIELDS: &[Field] = &[
    Field {
        path: "eventId",
        required: true,
        shape: Shape::Text {
            min: 1,
            max: MAX_EVENT_ID_CHARS,
        },
        description: "Unique per event; redeliveries keep it, so an event already delivered is recorded as a duplicate and not sent twice (the same id with other content is dead-lettered event_id_reused).",
    },
    Field {
        path: "conversationId",
        required: true,
        shape: Shape::Id { max: MAX_ID_CHARS },
        description: "The Genesys conversation the context is for; also the Kafka message key.",
    },
    Field {
        path: "participantId",
        required: false,
        shape: Shape::Id { max: MAX_ID_CHARS },
        description: "The participant to write to; the conversation's customer participant when absent.",
    },
    Field {
        path: "occurredAt",
        required: false,
        shape: Shape::Time,
        description: "When the customer escalated (RFC 3339 date-time with a T, e.g. 2026-11-25T09:01:07Z).",
    },
    Field {
        path: "source",
        required: false,
        shape: Shape::Text {
            min: 0,
            max: MAX_LABEL_CHARS,
        },
        description: "The channel: web-portal, mobile-app, ivr, …",
    },
    Field {
        path: "customer",
        required: false,
        shape: Shape::Object,
        description: "Who escalated.",
    },
    Field {
        path: "customer.externalId",
        required: false,
        shape: Shape::StringOrNumber,
        description: "The customer's id in the producer's systems; only a keyed hash of it is ever stored.",
    },
    Field {
        path: "customer.tier",
        required: false,
        shape: Shape::Text {
            min: 0,
            max: MAX_LABEL_CHARS,
        },
        description: "Service tier, shown to the agent.",
    },
    Field {
        path: "context",
        required: true,
        shape: Shape::Object,
        description: "What the agent should see. Masked by the rules before it leaves the worker.",
    },
];

/// Letters, digits, `-`, `_`, `.`; 1 to `max` characters; not `.` or `..`.
fn id_within(id: &str, max: usize) -> bool {
    !id.is_empty()
        && id.len() <= max
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && id != "."
        && id != ".."
}

/// An id Genesys could have (see [`Shape::Id`]). Also what an id read from a record that broke
/// the contract must look like to be kept (free text never is).
pub(crate) fn valid_id(id: &str) -> bool {
    id_within(id, MAX_ID_CHARS)
}

/// RFC 3339 `date-time` as JSON Schema reads it: `T` (or `t`) between date and time, which the
/// `time` crate's parser does not insist on.
fn rfc3339_date_time(s: &str) -> bool {
    matches!(s.as_bytes().get(10), Some(b'T' | b't'))
        && time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).is_ok()
}

/// The JSON Schema `properties` (and the names `required`) of the fields directly inside
/// `parent` (`None`: the event itself); a field with fields of its own gets them nested.
fn properties(parent: Option<&str>) -> (Map<String, Value>, Vec<Value>) {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in FIELDS {
        let name = match (parent, f.path.rsplit_once('.')) {
            (None, None) => f.path,
            (Some(p), Some((outer, name))) if p == outer => name,
            _ => continue,
        };
        let mut m = Map::new();
        m.insert("description".into(), f.description.into());
        m.extend(f.shape.schema(!f.required));
        let (inner, _) = properties(Some(f.path));
        if !inner.is_empty() {
            m.insert("properties".into(), Value::Object(inner));
        }
        if f.required {
            required.push(Value::from(name));
        }
        props.insert(name.into(), Value::Object(m));
    }
    (props, required)
}

/// The contract as a JSON Schema (draft 2020-12), made from [`FIELDS`]; the shipped
/// `schemas/escalation-event.schema.json` is this, pretty-printed (a test keeps it so).
pub fn json_schema() -> Value {
    let (props, required) = properties(None);
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://escalation-masker.invalid/schemas/escalation-event.schema.json",
        "title": "Escalation event",
        "description": "What producers publish to the escalation topic (keyed by conversationId). Generated from src/event.rs (FIELDS), which the worker enforces; anything else is dead-lettered with a reason. Unknown fields are allowed and are masked like the rest. Lengths count characters (Unicode scalar values).",
        "type": "object",
        "required": required,
        "properties": props,
    })
}

/// Checks one field's value against its rule.
fn check(f: &Field, v: Option<&Value>) -> Result<(), EventError> {
    match v {
        None | Some(Value::Null) if f.required => Err(EventError::MissingField(f.path)),
        None | Some(Value::Null) => Ok(()),
        Some(v) => match f.shape.admits(v) {
            Ok(true) => Ok(()),
            Ok(false) => Err(EventError::InvalidValue {
                field: f.path,
                reason: f.shape.rule(),
            }),
            Err(()) => Err(EventError::WrongType {
                field: f.path,
                expected: f.shape.expected(),
            }),
        },
    }
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
    // In table order; a nested field is looked at only once its parent passed as an object.
    for f in FIELDS {
        let value = match f.path.split_once('.') {
            None => obj.get(f.path),
            Some((parent, child)) => match obj.get(parent) {
                Some(Value::Object(p)) => p.get(child),
                _ => None,
            },
        };
        check(f, value)?;
    }
    let text_of = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let customer_external_id = match obj.get("customer").and_then(|c| c.get("externalId")) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.as_str().to_string()),
        _ => None,
    };
    Ok(EscalationEvent {
        event_id: text_of(obj.get("eventId")).unwrap_or_default(),
        conversation_id: text_of(obj.get("conversationId")).unwrap_or_default(),
        participant_id: text_of(obj.get("participantId")),
        customer_external_id,
        doc,
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
