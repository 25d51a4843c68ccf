//! Fault injection for the mock: what to do instead of answering normally.

use serde::Deserialize;

/// One kind of misbehaviour.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// 429 with `Retry-After: retry_after` seconds and Genesys' rate-limit body.
    RateLimit {
        /// Seconds to ask the client to wait.
        #[serde(default = "one", rename = "retryAfter")]
        retry_after: u64,
    },
    /// A server error (default 503).
    ServerError {
        /// The status to answer with.
        #[serde(default = "five_oh_three")]
        status: u16,
    },
    /// Answer normally, but only after `delay_ms`.
    Slow {
        /// Delay in milliseconds.
        #[serde(rename = "delayMs")]
        delay_ms: u64,
    },
    /// Start a response and drop the connection before the body is complete.
    Drop,
    /// Answer 401 as if the token had been revoked.
    Unauthorized,
}

fn one() -> u64 {
    1
}
fn five_oh_three() -> u16 {
    503
}

/// An injected fault: for one conversation or all, `count` times or at a `rate` (0–1) of requests.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Fault {
    /// What to do.
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Only requests about this conversation; all API requests when absent.
    #[serde(default, rename = "conversationId")]
    pub conversation_id: Option<String>,
    /// How many requests to affect (ignored with `rate`).
    #[serde(default = "one_u32")]
    pub count: u32,
    /// Affect this fraction of matching requests, indefinitely.
    #[serde(default)]
    pub rate: Option<f64>,
}

fn one_u32() -> u32 {
    1
}

impl Fault {
    /// Parses a fault from the control endpoint's JSON, refusing unknown keys (a typo such as
    /// `retry_after` must not silently become the default).
    pub fn from_json(body: &[u8]) -> Result<Fault, String> {
        const KEYS: &[&str] = &[
            "kind",
            "retryAfter",
            "status",
            "delayMs",
            "conversationId",
            "count",
            "rate",
        ];
        let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        let obj = v.as_object().ok_or("a fault is a JSON object")?;
        if let Some(k) = obj.keys().find(|k| !KEYS.contains(&k.as_str())) {
            return Err(format!(
                "unknown key `{k}`; expected one of {}",
                KEYS.join(", ")
            ));
        }
        let f: Fault = serde_json::from_value(v).map_err(|e| e.to_string())?;
        if f.rate.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
            return Err("rate must be between 0 and 1".into());
        }
        Ok(f)
    }
}

/// The injected faults, consumed as requests arrive.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    list: Vec<Fault>,
}

impl Faults {
    pub(crate) fn add(&mut self, f: Fault) {
        self.list.push(f);
    }

    pub(crate) fn clear(&mut self) {
        self.list.clear();
    }

    /// The fault to apply to a request about `conversation`, if any (counted faults are consumed).
    pub(crate) fn take(&mut self, conversation: Option<&str>) -> Option<FaultKind> {
        let applies =
            |f: &Fault| f.conversation_id.is_none() || f.conversation_id.as_deref() == conversation;
        let idx = self.list.iter().position(|f| {
            applies(f)
                && match f.rate {
                    Some(r) => rand::random::<f64>() < r,
                    None => f.count > 0,
                }
        })?;
        let f = &mut self.list[idx];
        let kind = f.kind.clone();
        if f.rate.is_none() {
            f.count -= 1;
            if f.count == 0 {
                self.list.remove(idx);
            }
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_are_consumed_per_conversation() {
        let mut faults = Faults::default();
        let f: Fault = serde_json::from_str(
            r#"{"kind":"rate_limit","retryAfter":2,"count":2,"conversationId":"c1"}"#,
        )
        .unwrap();
        faults.add(f);
        assert_eq!(faults.take(Some("c2")), None);
        assert_eq!(
            faults.take(Some("c1")),
            Some(FaultKind::RateLimit { retry_after: 2 })
        );
        assert_eq!(
            faults.take(Some("c1")),
            Some(FaultKind::RateLimit { retry_after: 2 })
        );
        assert_eq!(faults.take(Some("c1")), None);
        let f = Fault::from_json(br#"{"kind":"server_error","rate":1.0}"#).unwrap();
        faults.add(f);
        for _ in 0..3 {
            assert_eq!(
                faults.take(None),
                Some(FaultKind::ServerError { status: 503 })
            );
        }
    }
}
