//! The HTTP side of talking to Genesys: authentication, the client-side rate limit, retries with
//! backoff, correlation ids and error classification. Delivery logic lives in `deliver.rs`.
//!
//! One call flows like this: wait for the rate limiter → get a token (cached, single-flight) →
//! send with an `ININ-Correlation-Id` → 2xx done; 401 → drop the token, refresh once, resend;
//! 429 → wait `Retry-After` (capped); 5xx except 501, timeouts and connection errors → exponential
//! backoff with full jitter; other 4xx → a typed, permanent [`GenesysError::Rejected`]. Attempts
//! and total time are bounded. Failures are logged with status, Genesys `code` and `contextId` —
//! never a body.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::error::{ErrorInfo, GenesysError, Rejection};
use super::region;
use super::token::{Credentials, TokenCache};
use crate::config::{GenesysConfig, RetryConfig};

/// The correlation header Genesys echoes in its responses and error bodies.
pub const CORRELATION_HEADER: &str = "ININ-Correlation-Id";

/// A successful call.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status (2xx).
    pub status: u16,
    /// Parsed JSON body (`Null` when empty).
    pub body: Value,
    /// Attempts it took, the successful one included.
    pub attempts: u32,
    /// The correlation id of the successful attempt.
    pub correlation_id: String,
}

/// Counters for metrics and tests.
#[derive(Debug, Default)]
pub struct ClientStats {
    /// Requests sent (every attempt).
    pub requests: AtomicU64,
    /// Attempts that were retried.
    pub retries: AtomicU64,
    /// Times the rate limiter made a request wait.
    pub rate_limited_waits: AtomicU64,
}

/// A Genesys API client: cheap to clone, safe to share across tasks.
#[derive(Clone)]
pub struct GenesysClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    api_base: String,
    tokens: TokenCache,
    limiter: DefaultDirectRateLimiter,
    retry: RetryConfig,
    stats: ClientStats,
}

/// Describes a transport error without its URL's query or any body.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "response body interrupted"
    } else if e.is_request() {
        "request failed"
    } else {
        "transport error"
    };
    match std::error::Error::source(e) {
        Some(src) => format!("{kind}: {src}"),
        None => kind.to_string(),
    }
}

impl GenesysClient {
    /// Builds a client from configuration and credentials.
    pub fn new(cfg: &GenesysConfig, creds: Credentials) -> Result<GenesysClient, GenesysError> {
        let endpoints = match &cfg.region {
            Some(r) => Some(region::resolve(r).map_err(GenesysError::Config)?),
            None => None,
        };
        let api_base = cfg
            .api_base_url
            .clone()
            .or_else(|| endpoints.as_ref().map(|e| e.api.clone()))
            .ok_or_else(|| GenesysError::Config("no region or api_base_url".into()))?;
        let login_base = cfg
            .login_base_url
            .clone()
            .or_else(|| endpoints.as_ref().map(|e| e.login.clone()))
            .or_else(|| cfg.api_base_url.clone())
            .ok_or_else(|| GenesysError::Config("no region or login_base_url".into()))?;
        let http = reqwest::Client::builder()
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.connect_timeout)
            .user_agent(concat!("escalation-masker/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GenesysError::Config(format!("HTTP client: {e}")))?;
        let per_minute = std::num::NonZeroU32::new(cfg.rate_limit.requests_per_minute)
            .ok_or_else(|| GenesysError::Config("requests_per_minute must be at least 1".into()))?;
        let burst = std::num::NonZeroU32::new(cfg.rate_limit.burst)
            .ok_or_else(|| GenesysError::Config("burst must be at least 1".into()))?;
        let limiter = RateLimiter::direct(Quota::per_minute(per_minute).allow_burst(burst));
        let tokens = TokenCache::new(http.clone(), &login_base, creds, cfg.token_refresh_margin);
        Ok(GenesysClient {
            inner: Arc::new(Inner {
                http,
                api_base: api_base.trim_end_matches('/').to_string(),
                tokens,
                limiter,
                retry: cfg.retry.clone(),
                stats: ClientStats::default(),
            }),
        })
    }

    /// Counters since the client was built.
    pub fn stats(&self) -> &ClientStats {
        &self.inner.stats
    }

    /// Tokens fetched so far.
    pub fn token_fetches(&self) -> u64 {
        self.inner.tokens.fetches()
    }

    /// Fetches a token now: start-up uses it to say clearly whether the credentials work.
    pub async fn check_credentials(&self) -> Result<(), GenesysError> {
        self.inner.tokens.get().await.map(|_| ())
    }

    /// Sends one API call with the full retry policy. `path` starts with `/api/v2/`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&[u8]>,
    ) -> Result<Response, GenesysError> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.api_base, path);
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut refreshed = false;
        let mut backoff_step = 0u32;
        loop {
            if inner.limiter.check().is_err() {
                inner
                    .stats
                    .rate_limited_waits
                    .fetch_add(1, Ordering::Relaxed);
                crate::metrics::rate_limiter_wait();
                inner.limiter.until_ready().await;
            }
            attempts += 1;
            let step = match inner.tokens.get().await {
                Ok(token) => {
                    self.attempt(&method, &url, path, body, &token, refreshed)
                        .await
                }
                // The login service is down or slow: retried like any transient failure.
                Err(GenesysError::TokenUnavailable(why)) => {
                    tracing::warn!(path, error = %why, "Genesys login unavailable; will retry");
                    Step::Backoff(why)
                }
                Err(e) => Step::Fail(e),
            };
            let (wait, last) = match step {
                Step::Done(mut resp) => {
                    resp.attempts = attempts;
                    return Ok(resp);
                }
                Step::Fail(e) => return Err(e),
                Step::RefreshToken(token) => {
                    // The token expired or was revoked early: refresh once and resend at once.
                    inner.tokens.invalidate(&token).await;
                    refreshed = true;
                    attempts -= 1;
                    continue;
                }
                Step::RetryAfter(wait, last) => {
                    refreshed = false;
                    (wait, last)
                }
                Step::Backoff(last) => {
                    // A later 401 in this call is a new episode and may refresh again.
                    refreshed = false;
                    backoff_step += 1;
                    (backoff(&inner.retry, backoff_step - 1), last)
                }
            };
            let elapsed = started.elapsed();
            if attempts >= inner.retry.max_attempts || elapsed + wait > inner.retry.max_elapsed {
                return Err(GenesysError::Exhausted {
                    attempts,
                    elapsed,
                    last,
                });
            }
            inner.stats.retries.fetch_add(1, Ordering::Relaxed);
            crate::metrics::genesys_retry();
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends one attempt and classifies its outcome.
    async fn attempt(
        &self,
        method: &Method,
        url: &str,
        path: &str,
        body: Option<&[u8]>,
        token: &str,
        refreshed: bool,
    ) -> Step {
        let inner = &*self.inner;
        let correlation_id = uuid::Uuid::new_v4().to_string();
        let mut req = inner
            .http
            .request(method.clone(), url)
            .bearer_auth(token)
            .header(CORRELATION_HEADER, &correlation_id);
        if let Some(b) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(b.to_vec());
        }
        inner.stats.requests.fetch_add(1, Ordering::Relaxed);
        let (status, retry_after, bytes) = match req.send().await {
            Ok(resp) => {
                let status = resp.status();
                crate::metrics::genesys_request(Some(status.as_u16()));
                let retry_after = resp
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                match resp.bytes().await {
                    Ok(bytes) => (status, retry_after, bytes),
                    Err(e) => return transport_failure(path, &correlation_id, describe(&e)),
                }
            }
            Err(e) => {
                crate::metrics::genesys_request(None);
                return transport_failure(path, &correlation_id, describe(&e));
            }
        };
        if status.is_success() {
            let body = if bytes.is_empty() {
                Value::Null
            } else {
                serde_json::from_slice(&bytes).unwrap_or(Value::Null)
            };
            return Step::Done(Response {
                status: status.as_u16(),
                body,
                attempts: 0,
                correlation_id,
            });
        }
        let info = error_info(status, &bytes);
        match status {
            StatusCode::UNAUTHORIZED if refreshed => {
                log_failure(path, &correlation_id, &info, "fresh token refused");
                Step::Fail(GenesysError::Auth(format!(
                    "a fresh token was refused: {info}"
                )))
            }
            StatusCode::UNAUTHORIZED => {
                tracing::info!(
                    path,
                    correlation_id,
                    "Genesys said 401; refreshing the token once"
                );
                Step::RefreshToken(token.to_string())
            }
            StatusCode::TOO_MANY_REQUESTS => match retry_after {
                Some(wait) if wait > inner.retry.max_retry_after => {
                    log_failure(path, &correlation_id, &info, "Retry-After over the cap");
                    Step::Fail(GenesysError::RetryAfterTooLong(wait))
                }
                Some(wait) => {
                    log_failure(path, &correlation_id, &info, "rate limited; will retry");
                    Step::RetryAfter(wait, info.to_string())
                }
                None => {
                    log_failure(
                        path,
                        &correlation_id,
                        &info,
                        "rate limited without Retry-After; backing off",
                    );
                    Step::Backoff(info.to_string())
                }
            },
            s if s.is_server_error() && s != StatusCode::NOT_IMPLEMENTED => {
                log_failure(path, &correlation_id, &info, "server error; will retry");
                Step::Backoff(info.to_string())
            }
            _ => {
                log_failure(path, &correlation_id, &info, "rejected; not retried");
                Step::Fail(GenesysError::Rejected {
                    kind: Rejection::from_status(status.as_u16()),
                    info,
                })
            }
        }
    }
}

/// What one attempt means for the retry loop.
enum Step {
    Done(Response),
    Fail(GenesysError),
    /// 401 with this token: refresh and resend without counting an attempt.
    RefreshToken(String),
    /// Wait exactly this long (Retry-After), then retry.
    RetryAfter(Duration, String),
    /// Back off exponentially, then retry.
    Backoff(String),
}

fn transport_failure(path: &str, correlation_id: &str, what: String) -> Step {
    tracing::warn!(path, correlation_id, error = %what, "Genesys request failed; will retry");
    Step::Backoff(what)
}

/// Exponential backoff with full jitter: a random wait up to `initial × 2^step`, capped.
fn backoff(cfg: &RetryConfig, step: u32) -> Duration {
    let ceiling = cfg
        .initial_backoff
        .saturating_mul(1u32 << step.min(16))
        .min(cfg.max_backoff);
    ceiling.mul_f64(rand::random::<f64>())
}

fn error_info(status: StatusCode, body: &[u8]) -> ErrorInfo {
    let parsed: Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |k: &str| parsed.get(k).and_then(Value::as_str).map(str::to_string);
    ErrorInfo {
        status: status.as_u16(),
        code: text("code"),
        context_id: text("contextId"),
    }
}

fn log_failure(path: &str, correlation_id: &str, info: &ErrorInfo, what: &str) {
    tracing::warn!(
        path,
        correlation_id,
        status = info.status,
        code = info.code.as_deref().unwrap_or(""),
        context_id = info.context_id.as_deref().unwrap_or(""),
        "Genesys {what}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_jittered_and_capped() {
        let cfg = RetryConfig {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryConfig::default()
        };
        for step in 0..20 {
            let b = backoff(&cfg, step);
            assert!(b <= Duration::from_secs(1));
            assert!(b <= Duration::from_millis(100) * 2u32.pow(step.min(10)));
        }
    }

    #[test]
    fn error_info_reads_genesys_error_bodies() {
        let body = br#"{"message":"x","code":"too.many.requests.retry.after","status":429,"contextId":"abc","details":[],"errors":[]}"#;
        let info = error_info(StatusCode::TOO_MANY_REQUESTS, body);
        assert_eq!(info.code.as_deref(), Some("too.many.requests.retry.after"));
        assert_eq!(info.context_id.as_deref(), Some("abc"));
        assert_eq!(error_info(StatusCode::BAD_GATEWAY, b"<html>").code, None);
    }
}
