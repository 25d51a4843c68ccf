//! OAuth 2 client-credentials tokens: fetched once, cached, refreshed ahead of expiry, and
//! single-flight — however many requests wait for a token, one refresh runs at a time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use serde::Deserialize;
use tokio::sync::{Mutex, RwLock};

use super::error::GenesysError;

/// The client id and secret, read from the environment; `Debug` never shows the secret.
#[derive(Clone)]
pub struct Credentials {
    /// OAuth client id.
    pub client_id: String,
    secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Builds credentials from values (tests, the mock server).
    pub fn new(client_id: impl Into<String>, secret: impl Into<String>) -> Credentials {
        Credentials {
            client_id: client_id.into(),
            secret: secret.into(),
        }
    }

    /// Reads credentials from the named environment variables.
    pub fn from_env(id_var: &str, secret_var: &str) -> Result<Credentials, GenesysError> {
        let get = |v: &str| {
            std::env::var(v)
                .ok()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| GenesysError::Config(format!("environment variable {v} is not set")))
        };
        Ok(Credentials {
            client_id: get(id_var)?,
            secret: get(secret_var)?,
        })
    }

    fn basic(&self) -> String {
        let raw = format!("{}:{}", self.client_id, self.secret);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        )
    }
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Clone)]
struct Token {
    value: String,
    refresh_at: Instant,
}

/// A cached access token shared by every request of one client.
pub struct TokenCache {
    http: reqwest::Client,
    url: String,
    creds: Credentials,
    margin: Duration,
    current: RwLock<Option<Token>>,
    /// Held while fetching; also remembers the last failure so that callers queued behind a failed
    /// fetch share its result instead of each trying again at once.
    refresh: Mutex<Option<(Instant, String, bool)>>,
    fetches: AtomicU64,
}

/// How long a failed fetch answers for callers that were waiting on it.
const FAILURE_SHARED_FOR: Duration = Duration::from_millis(500);

/// Token lifetimes outside this range are treated as its nearest end (a server saying 0 or
/// `u64::MAX` must neither thrash the cache nor overflow the clock).
const LIFETIME_RANGE: (u64, u64) = (1, 7 * 24 * 3600);

impl TokenCache {
    /// A cache that fetches from `<login_base>/oauth/token`.
    pub fn new(
        http: reqwest::Client,
        login_base: &str,
        creds: Credentials,
        margin: Duration,
    ) -> TokenCache {
        TokenCache {
            http,
            url: format!("{}/oauth/token", login_base.trim_end_matches('/')),
            creds,
            margin,
            current: RwLock::new(None),
            refresh: Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many tokens were fetched so far (for tests and metrics).
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    async fn valid(&self) -> Option<String> {
        let guard = self.current.read().await;
        guard
            .as_ref()
            .filter(|t| Instant::now() < t.refresh_at)
            .map(|t| t.value.clone())
    }

    /// A valid token, fetching one if needed. Concurrent callers share one fetch.
    pub async fn get(&self) -> Result<String, GenesysError> {
        if let Some(t) = self.valid().await {
            return Ok(t);
        }
        let mut last_failure = self.refresh.lock().await;
        // Another caller may have refreshed while we waited for the lock…
        if let Some(t) = self.valid().await {
            return Ok(t);
        }
        // …or just failed to: share that answer rather than queueing fetch after fetch.
        if let Some((at, message, transient)) = last_failure.as_ref()
            && at.elapsed() < FAILURE_SHARED_FOR
        {
            return Err(if *transient {
                GenesysError::TokenUnavailable(message.clone())
            } else {
                GenesysError::Auth(message.clone())
            });
        }
        match self.fetch().await {
            Ok(token) => {
                *last_failure = None;
                let value = token.value.clone();
                *self.current.write().await = Some(token);
                Ok(value)
            }
            Err(e) => {
                let transient = matches!(e, GenesysError::TokenUnavailable(_));
                let message = match &e {
                    GenesysError::TokenUnavailable(m) | GenesysError::Auth(m) => m.clone(),
                    other => other.to_string(),
                };
                *last_failure = Some((Instant::now(), message, transient));
                Err(e)
            }
        }
    }

    /// Drops `rejected` if it is still the cached token (a 401 said it is no longer valid).
    pub async fn invalidate(&self, rejected: &str) {
        let mut guard = self.current.write().await;
        if guard.as_ref().is_some_and(|t| t.value == rejected) {
            *guard = None;
        }
    }

    async fn fetch(&self) -> Result<Token, GenesysError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let resp = self
            .http
            .post(&self.url)
            .header(reqwest::header::AUTHORIZATION, self.creds.basic())
            .header(
                super::client::CORRELATION_HEADER,
                uuid::Uuid::new_v4().to_string(),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .map_err(|e| {
                GenesysError::TokenUnavailable(format!(
                    "token request failed: {}",
                    super::client::describe(&e)
                ))
            })?;
        let status = resp.status();
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(GenesysError::TokenUnavailable(format!(
                "token request: HTTP {}",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            // The error body names the OAuth error (`invalid_client`, …); it holds no secret.
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let error = body
                .get("error")
                .and_then(|e| e.as_str())
                .unwrap_or("unknown");
            return Err(GenesysError::Auth(format!(
                "token request refused: HTTP {} error={error}",
                status.as_u16()
            )));
        }
        let body: TokenResponse = resp.json().await.map_err(|e| {
            GenesysError::TokenUnavailable(format!(
                "token response unreadable: {}",
                super::client::describe(&e)
            ))
        })?;
        let secs = body
            .expires_in
            .unwrap_or(300)
            .clamp(LIFETIME_RANGE.0, LIFETIME_RANGE.1);
        let lifetime = Duration::from_secs(secs);
        // Refresh ahead of expiry, but never sooner than half the lifetime (short-lived tokens).
        let ahead = self.margin.min(lifetime / 2);
        tracing::debug!(client_id = %self.creds.client_id, expires_in = lifetime.as_secs(), "Genesys token fetched");
        Ok(Token {
            value: body.access_token,
            refresh_at: Instant::now() + (lifetime - ahead),
        })
    }
}
