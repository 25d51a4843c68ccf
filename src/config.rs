//! The configuration file (TOML): one struct tree, validated once at start-up with clear errors.
//!
//! Secrets never live here: the file names the *environment variables* that hold them. Every field
//! has a default that works against the real Genesys Cloud, so a minimal file is
//! `[genesys]\nregion = "eu-west-1"`. `examples/config.toml` documents every field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Masking rules.
    #[serde(default)]
    pub rules: RulesConfig,
    /// Genesys Cloud delivery.
    pub genesys: GenesysConfig,
}

/// `[rules]`: where the masking rules live.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    /// Directory of rule files, relative to the config file.
    #[serde(default = "default_rules_dir")]
    pub dir: PathBuf,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            dir: default_rules_dir(),
        }
    }
}

fn default_rules_dir() -> PathBuf {
    PathBuf::from("masking-rules")
}

/// Where the sanitized context goes on a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Target {
    /// `PATCH /api/v2/conversations/{id}/participants/{pid}/attributes` — the public API (string values).
    ParticipantAttributes,
    /// `PATCH /api/v2/chat/conversations/{id}` with `{"context": {…}}` — for deployments that front
    /// Genesys with such an endpoint.
    ConversationContext,
}

impl Target {
    /// The name used in configuration files and audit records.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::ParticipantAttributes => "participant-attributes",
            Target::ConversationContext => "conversation-context",
        }
    }
}

/// `[genesys]`: how to reach Genesys Cloud and how to behave towards it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesysConfig {
    /// Region code (`eu-west-1`) or domain (`mypurecloud.ie`).
    #[serde(default)]
    pub region: Option<String>,
    /// Overrides the API base URL (`https://api.<domain>`), e.g. for the mock server or a proxy.
    #[serde(default)]
    pub api_base_url: Option<String>,
    /// Overrides the login base URL (`https://login.<domain>`).
    #[serde(default)]
    pub login_base_url: Option<String>,
    /// Environment variable holding the OAuth client id.
    #[serde(default = "default_client_id_env")]
    pub client_id_env: String,
    /// Environment variable holding the OAuth client secret.
    #[serde(default = "default_client_secret_env")]
    pub client_secret_env: String,
    /// Delivery target.
    #[serde(default = "default_target")]
    pub target: Target,
    /// Prefix for attribute keys, so ours stay apart from other integrations' (`participant-attributes`).
    #[serde(default)]
    pub attribute_prefix: String,
    /// Fields attached beside the masked context: output key → source (`$.path` in the event, or
    /// `@ruleset_version`, `@event_id`).
    #[serde(default = "default_enrich")]
    pub enrich: BTreeMap<String, String>,
    /// Whole-request timeout.
    #[serde(default = "default_request_timeout", with = "humantime_serde")]
    pub request_timeout: Duration,
    /// TCP/TLS connect timeout.
    #[serde(default = "default_connect_timeout", with = "humantime_serde")]
    pub connect_timeout: Duration,
    /// Largest request body sent; larger ones are refused before sending.
    #[serde(default = "default_max_request_bytes")]
    pub max_request_bytes: usize,
    /// Tokens are refreshed this long before they expire.
    #[serde(default = "default_refresh_margin", with = "humantime_serde")]
    pub token_refresh_margin: Duration,
    /// How long a resolved customer participant id is cached per conversation.
    #[serde(default = "default_participant_cache_ttl", with = "humantime_serde")]
    pub participant_cache_ttl: Duration,
    /// Retry policy.
    #[serde(default)]
    pub retry: RetryConfig,
    /// Client-side rate limit.
    #[serde(default)]
    pub rate_limit: RateLimitConfig,
}

/// `[genesys.retry]`: transient failures (429, 5xx except 501, timeouts, connection errors).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Attempts in all, the first included.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Give up once this much time has passed since the first attempt.
    #[serde(default = "default_max_elapsed", with = "humantime_serde")]
    pub max_elapsed: Duration,
    /// First backoff; doubles per attempt, with full jitter.
    #[serde(default = "default_initial_backoff", with = "humantime_serde")]
    pub initial_backoff: Duration,
    /// Largest backoff.
    #[serde(default = "default_max_backoff", with = "humantime_serde")]
    pub max_backoff: Duration,
    /// Largest `Retry-After` honoured; a 429 asking for longer fails the call (the SDKs use 180 s).
    #[serde(default = "default_max_retry_after", with = "humantime_serde")]
    pub max_retry_after: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            max_attempts: default_max_attempts(),
            max_elapsed: default_max_elapsed(),
            initial_backoff: default_initial_backoff(),
            max_backoff: default_max_backoff(),
            max_retry_after: default_max_retry_after(),
        }
    }
}

/// `[genesys.rate_limit]`: a token bucket that keeps us under Genesys' 300 requests/minute per token.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    /// Sustained requests per minute (all requests: lookups and PATCHes).
    #[serde(default = "default_per_minute")]
    pub requests_per_minute: u32,
    /// Requests that may go at once after a quiet period.
    #[serde(default = "default_burst")]
    pub burst: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            requests_per_minute: default_per_minute(),
            burst: default_burst(),
        }
    }
}

fn default_client_id_env() -> String {
    "GENESYS_CLIENT_ID".to_string()
}
fn default_client_secret_env() -> String {
    "GENESYS_CLIENT_SECRET".to_string()
}
fn default_target() -> Target {
    Target::ParticipantAttributes
}
fn default_enrich() -> BTreeMap<String, String> {
    [
        ("eventId", "@event_id"),
        ("sourceChannel", "$.source"),
        ("customerTier", "$.customer.tier"),
        ("rulesetVersion", "@ruleset_version"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
fn default_request_timeout() -> Duration {
    Duration::from_secs(10)
}
fn default_connect_timeout() -> Duration {
    Duration::from_secs(3)
}
fn default_max_request_bytes() -> usize {
    512_000
}
fn default_refresh_margin() -> Duration {
    Duration::from_secs(60)
}
fn default_participant_cache_ttl() -> Duration {
    Duration::from_secs(600)
}
fn default_max_attempts() -> u32 {
    6
}
fn default_max_elapsed() -> Duration {
    Duration::from_secs(60)
}
fn default_initial_backoff() -> Duration {
    Duration::from_millis(200)
}
fn default_max_backoff() -> Duration {
    Duration::from_secs(10)
}
fn default_max_retry_after() -> Duration {
    Duration::from_secs(180)
}
fn default_per_minute() -> u32 {
    240
}
fn default_burst() -> u32 {
    20
}

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this schema.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl Config {
    /// Reads and validates a config file; relative paths in it are resolved against its folder.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut cfg = Config::parse(&text).map_err(|(line, message)| ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        })?;
        if cfg.rules.dir.is_relative()
            && let Some(parent) = path.parent()
        {
            cfg.rules.dir = parent.join(&cfg.rules.dir);
        }
        cfg.validate().map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(cfg)
    }

    /// Parses config text; errors carry the 1-based line.
    pub fn parse(text: &str) -> Result<Config, (usize, String)> {
        toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                1 + text[..s.start.min(text.len())].matches('\n').count()
            });
            (line, e.message().trim().to_string())
        })
    }

    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), String> {
        let g = &self.genesys;
        if g.region.is_none() && g.api_base_url.is_none() {
            return Err("[genesys] needs `region` (e.g. \"eu-west-1\") or `api_base_url`".into());
        }
        if let Some(r) = &g.region
            && g.api_base_url.is_none()
        {
            crate::genesys::region::resolve(r).map_err(|e| format!("[genesys] {e}"))?;
        }
        for (name, url) in [
            ("api_base_url", &g.api_base_url),
            ("login_base_url", &g.login_base_url),
        ] {
            if let Some(u) = url
                && !(u.starts_with("https://") || u.starts_with("http://"))
            {
                return Err(format!(
                    "[genesys] {name} must start with https:// (or http:// for a local mock): {u:?}"
                ));
            }
        }
        if g.retry.max_attempts == 0 {
            return Err("[genesys.retry] max_attempts must be at least 1".into());
        }
        if g.rate_limit.requests_per_minute == 0 || g.rate_limit.burst == 0 {
            return Err(
                "[genesys.rate_limit] requests_per_minute and burst must be at least 1".into(),
            );
        }
        if g.max_request_bytes < 1024 {
            return Err("[genesys] max_request_bytes below 1024 cannot carry any context".into());
        }
        for (key, source) in &g.enrich {
            let ok = matches!(source.as_str(), "@ruleset_version" | "@event_id")
                || source.starts_with("$.");
            if !ok {
                return Err(format!(
                    "[genesys.enrich] {key} = {source:?}: use a JSON path such as \"$.customer.tier\", \"@event_id\" or \"@ruleset_version\""
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_file_gets_safe_defaults() {
        let c = Config::parse("[genesys]\nregion = \"eu-west-1\"\n").unwrap();
        c.validate().unwrap();
        assert_eq!(c.genesys.target, Target::ParticipantAttributes);
        assert_eq!(c.genesys.max_request_bytes, 512_000);
        assert!(c.genesys.rate_limit.requests_per_minute < 300);
        assert_eq!(c.genesys.client_secret_env, "GENESYS_CLIENT_SECRET");
    }

    #[test]
    fn errors_name_the_line() {
        let (line, msg) =
            Config::parse("[genesys]\nregion = \"eu-west-1\"\nclient_secret = \"x\"\n")
                .unwrap_err();
        assert_eq!(line, 3);
        assert!(msg.contains("unknown field `client_secret`"), "{msg}");
        let bad = Config::parse("[genesys]\nregion = \"mars-1\"\n").unwrap();
        assert!(bad.validate().unwrap_err().contains("mars-1"));
        let bad = Config::parse("[genesys]\nregion = \"eu-west-1\"\nrequest_timeout = \"ten\"\n");
        assert!(bad.is_err());
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    #[test]
    fn the_documented_example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config.toml");
        let cfg = Config::load(&path).expect("examples/config.toml loads");
        assert!(cfg.rules.dir.ends_with("masking-rules"));
        assert_eq!(cfg.genesys.retry.max_attempts, 6);
        assert_eq!(cfg.genesys.enrich.len(), 4);
    }
}
