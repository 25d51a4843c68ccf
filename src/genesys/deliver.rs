//! Delivery: turning a masked context into the request the configured target expects, and sending it.
//!
//! `participant-attributes` (default) resolves the customer participant (cached per conversation)
//! unless the event names it, flattens the context to string attributes (`payment.last4`,
//! `items.0.sku`, with an optional prefix) and PATCHes them. `conversation-context` PATCHes the
//! context object as it is. Either way the enrichment fields are added, the body is size-checked and
//! passed through the egress check ([`crate::egress`]) before anything is sent.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Map, Value};

use super::client::GenesysClient;
use super::error::GenesysError;
use crate::config::{GenesysConfig, Target};
use crate::egress;

/// One masked context to put onto one conversation.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The Genesys conversation.
    pub conversation_id: &'a str,
    /// The participant to write to; the customer participant is looked up when absent.
    pub participant_id: Option<&'a str>,
    /// The masked context (an object).
    pub context: &'a Map<String, Value>,
    /// The masked event it came from, for enrichment paths (`$.customer.tier`).
    pub event: Option<&'a Value>,
    /// The event id (`@event_id`).
    pub event_id: Option<&'a str>,
    /// The ruleset version that masked it (`@ruleset_version`).
    pub ruleset_version: &'a str,
}

/// What a successful delivery did.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// The target used.
    pub target: Target,
    /// The participant written to (`participant-attributes`).
    pub participant_id: Option<String>,
    /// HTTP status of the PATCH.
    pub status: u16,
    /// Attempts the PATCH took.
    pub attempts: u32,
    /// Correlation id of the successful PATCH.
    pub correlation_id: String,
    /// Body size sent.
    pub bytes: usize,
}

/// Sends masked contexts to Genesys according to the configuration.
pub struct Deliverer {
    client: GenesysClient,
    target: Target,
    prefix: String,
    enrich: Vec<(String, String)>,
    max_bytes: usize,
    participants: Mutex<HashMap<String, (String, Instant)>>,
    participant_ttl: Duration,
}

fn check_id(what: &'static str, id: &str) -> Result<(), GenesysError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok && id != "." && id != ".." {
        Ok(())
    } else {
        Err(GenesysError::InvalidId {
            what,
            id: id.chars().take(64).collect(),
        })
    }
}

/// Flattens `value` into string attributes: nested keys joined with dots, array indexes as keys,
/// scalars as their JSON text (strings without quotes), `null` as "".
pub fn flatten(prefix: &str, value: &Map<String, Value>) -> Map<String, Value> {
    fn walk(key: &str, v: &Value, out: &mut Map<String, Value>) {
        match v {
            Value::Object(m) => {
                for (k, child) in m {
                    walk(&join(key, k), child, out);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(&join(key, &i.to_string()), child, out);
                }
            }
            Value::String(s) => {
                out.insert(key.to_string(), Value::String(s.clone()));
            }
            Value::Null => {
                out.insert(key.to_string(), Value::String(String::new()));
            }
            other => {
                out.insert(key.to_string(), Value::String(other.to_string()));
            }
        }
    }
    fn join(a: &str, b: &str) -> String {
        if a.is_empty() {
            b.to_string()
        } else {
            format!("{a}.{b}")
        }
    }
    let mut out = Map::new();
    for (k, v) in value {
        walk(&format!("{prefix}{k}"), v, &mut out);
    }
    out
}

/// Refuses a body in which the egress check found a card (at `path`: logged, never the value).
fn blocked(found: Option<String>) -> Result<(), GenesysError> {
    match found {
        Some(path) => {
            tracing::error!(
                path,
                "egress check blocked a body holding an unmasked card number"
            );
            Err(GenesysError::UnmaskedDataBlocked { path })
        }
        None => Ok(()),
    }
}

impl Deliverer {
    /// Builds a deliverer around a client.
    pub fn new(client: GenesysClient, cfg: &GenesysConfig) -> Deliverer {
        Deliverer {
            client,
            target: cfg.target,
            prefix: cfg.attribute_prefix.clone(),
            enrich: cfg
                .enrich
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            max_bytes: cfg.max_request_bytes,
            participants: Mutex::new(HashMap::new()),
            participant_ttl: cfg.participant_cache_ttl,
        }
    }

    /// The client, for start-up checks and stats.
    pub fn client(&self) -> &GenesysClient {
        &self.client
    }

    /// The context plus the configured enrichment fields (only those with a value).
    pub fn enriched(&self, d: &Delivery<'_>) -> Map<String, Value> {
        let mut ctx = d.context.clone();
        for (key, source) in &self.enrich {
            let value = match source.as_str() {
                "@event_id" => d.event_id.map(|s| Value::String(s.to_string())),
                "@ruleset_version" => Some(Value::String(d.ruleset_version.to_string())),
                path => d.event.and_then(|e| lookup(e, path)).cloned(),
            };
            if let Some(v) = value
                && !v.is_null()
            {
                ctx.insert(key.clone(), v);
            }
        }
        ctx
    }

    /// Delivers one masked context.
    pub async fn deliver(&self, d: &Delivery<'_>) -> Result<Delivered, GenesysError> {
        check_id("conversation", d.conversation_id)?;
        let context = self.enriched(d);
        // The body is guarded and size-checked once, before any request (the participant lookup
        // included) is spent on it. The context is checked as it is (a card split over an array
        // is plainest there), which is the whole body of the context target.
        blocked(egress::find_card_in_map(&context))?;
        let (path, bytes, participant_id) = match self.target {
            Target::ConversationContext => {
                let bytes =
                    self.check_body(&serde_json::json!({ "context": Value::Object(context) }))?;
                (
                    format!("/api/v2/chat/conversations/{}", d.conversation_id),
                    bytes,
                    None,
                )
            }
            Target::ParticipantAttributes => {
                let attributes = flatten(&self.prefix, &context);
                // Flattening joins keys (`a.b.c`): the joined keys are checked too.
                blocked(egress::find_card_in_map(&attributes))?;
                let bytes = self
                    .check_body(&serde_json::json!({ "attributes": Value::Object(attributes) }))?;
                let pid = match d.participant_id {
                    Some(p) => p.to_string(),
                    None => self.customer_participant(d.conversation_id).await?,
                };
                check_id("participant", &pid)?;
                (
                    format!(
                        "/api/v2/conversations/{}/participants/{}/attributes",
                        d.conversation_id, pid
                    ),
                    bytes,
                    Some(pid),
                )
            }
        };
        let resp = self.client.call(Method::PATCH, &path, Some(&bytes)).await?;
        Ok(Delivered {
            target: self.target,
            participant_id,
            status: resp.status,
            attempts: resp.attempts,
            correlation_id: resp.correlation_id,
            bytes: bytes.len(),
        })
    }

    /// Serializes `body` and applies the size limit.
    fn check_body(&self, body: &Value) -> Result<Vec<u8>, GenesysError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| GenesysError::Config(format!("serializing body: {e}")))?;
        if bytes.len() > self.max_bytes {
            return Err(GenesysError::RequestTooLarge {
                size: bytes.len(),
                limit: self.max_bytes,
            });
        }
        Ok(bytes)
    }

    /// The conversation's customer participant id, cached per conversation.
    pub async fn customer_participant(
        &self,
        conversation_id: &str,
    ) -> Result<String, GenesysError> {
        if let Ok(cache) = self.participants.lock()
            && let Some((pid, at)) = cache.get(conversation_id)
            && at.elapsed() < self.participant_ttl
        {
            return Ok(pid.clone());
        }
        let resp = self
            .client
            .call(
                Method::GET,
                &format!("/api/v2/conversations/{conversation_id}"),
                None,
            )
            .await?;
        let pid = resp
            .body
            .get("participants")
            .and_then(Value::as_array)
            .and_then(|ps| {
                ps.iter()
                    .find(|p| p.get("purpose").and_then(Value::as_str) == Some("customer"))
            })
            .and_then(|p| p.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or(GenesysError::NoCustomerParticipant)?;
        if let Ok(mut cache) = self.participants.lock() {
            if cache.len() > 100_000 {
                cache.retain(|_, (_, at)| at.elapsed() < self.participant_ttl);
            }
            cache.insert(conversation_id.to_string(), (pid.clone(), Instant::now()));
        }
        Ok(pid)
    }
}

/// Looks up a simple `$.a.b` path in a JSON value.
fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let rest = path.strip_prefix("$.")?;
    rest.split('.').try_fold(v, |cur, key| cur.get(key))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flattening_makes_string_attributes() {
        let ctx = json!({"orderStatus": "SHIPPED", "payment": {"last4": "1111", "amount": 12.5},
                         "items": [{"sku": "A"}, {"sku": "B"}], "flag": true, "none": null});
        let flat = flatten("em.", ctx.as_object().unwrap());
        assert_eq!(
            Value::Object(flat),
            json!({"em.orderStatus": "SHIPPED", "em.payment.last4": "1111", "em.payment.amount": "12.5",
                   "em.items.0.sku": "A", "em.items.1.sku": "B", "em.flag": "true", "em.none": ""})
        );
    }

    #[test]
    fn ids_that_would_change_the_url_are_refused() {
        assert!(check_id("conversation", "c0a80001-7d3e-4b6a-9f1e-2b5d8e000001").is_ok());
        for bad in ["", "..", "a/b", "a?b=1", "a b", "%2e%2e"] {
            assert!(check_id("conversation", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lookup_paths() {
        let e = json!({"customer": {"tier": "gold"}, "source": "ivr"});
        assert_eq!(lookup(&e, "$.customer.tier"), Some(&json!("gold")));
        assert_eq!(lookup(&e, "$.missing"), None);
    }
}
