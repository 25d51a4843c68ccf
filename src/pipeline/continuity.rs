//! Continuity: when a customer escalates again within a short window, the new conversation's
//! context names the previous one, so the agent sees the link instead of starting over (the
//! duplicate-session trap). Customers are looked up by a keyed hash (HMAC-SHA256) of
//! `customer.externalId` in the audit database — the raw id is never stored, logged or compared
//! outside this process.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::audit::{AuditError, AuditStore};
use crate::config::ContinuityConfig;
use crate::event::EscalationEvent;

/// Links repeated escalations of one customer.
pub struct Continuity {
    mac: Hmac<Sha256>,
    window: Duration,
    field: String,
    store: Arc<dyn AuditStore>,
}

/// Why continuity could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("continuity key in {var}: {message}")]
pub struct ContinuityKeyError {
    var: String,
    message: String,
}

impl Continuity {
    /// Builds from config; the key comes from `key_env`. Without it a random key is used and
    /// `Ok((_, false))` tells the caller to warn that links stay within this process.
    pub fn from_config(
        cfg: &ContinuityConfig,
        store: Arc<dyn AuditStore>,
    ) -> Result<(Continuity, bool), ContinuityKeyError> {
        let err = |message: &str| ContinuityKeyError {
            var: cfg.key_env.clone(),
            message: message.to_string(),
        };
        let (key, shared) = match std::env::var(&cfg.key_env) {
            Ok(k) if k.len() >= 32 => (k.into_bytes(), true),
            Ok(_) => return Err(err("must be at least 32 bytes")),
            Err(std::env::VarError::NotUnicode(_)) => return Err(err("is not UTF-8")),
            Err(std::env::VarError::NotPresent) => {
                let mut k = [0u8; 32];
                getrandom::fill(&mut k).map_err(|e| err(&e.to_string()))?;
                (k.to_vec(), false)
            }
        };
        Ok((Continuity::new(&key, cfg, store), shared))
    }

    /// Builds with an explicit key.
    pub fn new(key: &[u8], cfg: &ContinuityConfig, store: Arc<dyn AuditStore>) -> Continuity {
        #[allow(clippy::expect_used)] // HMAC accepts keys of any length
        let mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
        Continuity {
            mac,
            window: cfg.window,
            field: cfg.field.clone(),
            store,
        }
    }

    /// The lookup key for a customer id: hex HMAC-SHA256 under the deployment's key.
    pub fn customer_key(&self, external_id: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(external_id.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Adds the previous conversation to the event's `context` when the same customer escalated
    /// from another conversation within the window. Returns the linked conversation id.
    pub async fn link(
        &self,
        ev: &mut EscalationEvent,
        now_ms: i64,
    ) -> Result<Option<String>, AuditError> {
        let Some(id) = ev.customer_external_id.as_deref() else {
            return Ok(None);
        };
        let Some((previous, at_ms)) = self.store.last_conversation(&self.customer_key(id)).await?
        else {
            return Ok(None);
        };
        let window = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
        if previous == ev.conversation_id || now_ms.saturating_sub(at_ms) > window {
            return Ok(None);
        }
        if let Some(Value::Object(context)) = ev.doc.get_mut("context") {
            context.insert(self.field.clone(), Value::String(previous.clone()));
        }
        Ok(Some(previous))
    }

    /// Remembers this conversation as the customer's latest (after it was delivered).
    pub async fn remember(&self, ev: &EscalationEvent, now_ms: i64) -> Result<(), AuditError> {
        match ev.customer_external_id.as_deref() {
            Some(id) => {
                let entry = (self.customer_key(id), ev.conversation_id.clone(), now_ms);
                self.store.remember_conversations(&[entry]).await
            }
            None => Ok(()),
        }
    }
}

/// Milliseconds since the epoch, for continuity timestamps.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::SqliteStore;

    fn event(conv: &str, customer: &str) -> EscalationEvent {
        let doc = format!(
            r#"{{"eventId":"e-{conv}","conversationId":"{conv}","customer":{{"externalId":"{customer}"}},"context":{{}}}}"#
        );
        crate::event::decode(doc.as_bytes(), 4096).unwrap()
    }

    #[tokio::test]
    async fn links_a_repeat_escalation_within_the_window_only() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn AuditStore> =
            Arc::new(SqliteStore::open(&dir.path().join("a.db")).await.unwrap());
        let c = Continuity::new(&[7u8; 32], &ContinuityConfig::default(), store.clone());
        let t0 = 1_800_000_000_000;
        let mut first = event("conv-a", "cust-42@example.com");
        assert_eq!(c.link(&mut first, t0).await.unwrap(), None);
        c.remember(&first, t0).await.unwrap();

        let mut again = event("conv-b", "cust-42@example.com");
        let linked = c.link(&mut again, t0 + 120_000).await.unwrap();
        assert_eq!(linked.as_deref(), Some("conv-a"));
        assert_eq!(again.doc["context"]["previousConversationId"], "conv-a");

        // Another customer, the same conversation, or past the 5-minute window: no link.
        let mut other = event("conv-c", "cust-43");
        let mut late = event("conv-b", "cust-42@example.com");
        assert_eq!(c.link(&mut other, t0 + 1).await.unwrap(), None);
        assert_eq!(c.link(&mut first, t0 + 1).await.unwrap(), None);
        assert_eq!(c.link(&mut late, t0 + 301_000).await.unwrap(), None);
        for ev in [&other, &first, &late] {
            assert_eq!(ev.doc["context"], serde_json::json!({}), "no link added");
        }

        // The key is the deployment's: another key, another hash.
        let c2 = Continuity::new(&[8u8; 32], &ContinuityConfig::default(), store.clone());
        assert_ne!(c.customer_key("x"), c2.customer_key("x"));
        assert_eq!(c.customer_key("x").len(), 64);

        // The raw customer id is nowhere in the database file.
        drop((c, c2, store));
        let raw = std::fs::read(dir.path().join("a.db")).unwrap();
        let wal = std::fs::read(dir.path().join("a.db-wal")).unwrap_or_default();
        for bytes in [raw, wal] {
            assert!(!bytes.windows(8).any(|w| w == b"cust-42@"));
        }
    }
}
