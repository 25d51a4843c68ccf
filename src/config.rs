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
    /// Where events come from and dead letters go.
    #[serde(default)]
    pub kafka: KafkaConfig,
    /// The audit log.
    #[serde(default)]
    pub audit: AuditConfig,
    /// Concurrency, give-up and shutdown behaviour of `run`.
    #[serde(default)]
    pub worker: WorkerConfig,
    /// Linking a customer's repeated escalations.
    #[serde(default)]
    pub continuity: ContinuityConfig,
    /// The admin HTTP server (health, metrics, audit API and page).
    #[serde(default)]
    pub admin: AdminConfig,
}

/// `[admin]`: the worker's HTTP side.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Address to listen on (`run --admin-listen` overrides; env `ESCALATION_MASKER_ADMIN_LISTEN`).
    #[serde(default = "default_admin_listen")]
    pub listen: String,
    /// SHA-256 (hex) of each auditor token (`escalation-masker admin hash-token`); tokens themselves
    /// are never stored.
    #[serde(default)]
    pub auditor_token_sha256: Vec<String>,
    /// SHA-256 (hex) of each operator token (may also reload rules).
    #[serde(default)]
    pub operator_token_sha256: Vec<String>,
    /// Origins of browser audit consoles allowed to call the API (`https://host[:port]`, exact).
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Watch the rules directory and reload on change (SIGHUP and the API reload work regardless).
    #[serde(default = "default_true")]
    pub watch_rules: bool,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            listen: default_admin_listen(),
            auditor_token_sha256: Vec::new(),
            operator_token_sha256: Vec::new(),
            cors_origins: Vec::new(),
            watch_rules: true,
        }
    }
}

fn default_admin_listen() -> String {
    "127.0.0.1:9090".into()
}

/// Environment variables that override the file (`ESCALATION_MASKER_` + name), besides
/// `ESCALATION_MASKER_KAFKA_PROPERTY_<NAME>` for librdkafka properties. The README and the compose
/// file are checked against this list.
pub const ENV_OVERRIDES: &[&str] = &[
    "ESCALATION_MASKER_KAFKA_BROKERS",
    "ESCALATION_MASKER_KAFKA_GROUP_ID",
    "ESCALATION_MASKER_KAFKA_INSTANCE_ID",
    "ESCALATION_MASKER_KAFKA_INPUT_TOPIC",
    "ESCALATION_MASKER_KAFKA_DLQ_TOPIC",
    "ESCALATION_MASKER_AUDIT_DB",
    "ESCALATION_MASKER_ADMIN_LISTEN",
    "ESCALATION_MASKER_GENESYS_REGION",
    "ESCALATION_MASKER_GENESYS_API_BASE_URL",
    "ESCALATION_MASKER_GENESYS_LOGIN_BASE_URL",
];

/// Settings the worker sets itself; `[kafka.properties]` may not override them, or at-least-once
/// would silently break.
pub const RESERVED_KAFKA_PROPERTIES: &[&str] = &[
    "bootstrap.servers",
    "metadata.broker.list",
    "group.id",
    "group.instance.id",
    "enable.auto.offset.store",
    "enable.auto.commit",
    "auto.offset.reset",
];

/// `[kafka]`: brokers, topics and anything else librdkafka understands (SASL, TLS…).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    /// Bootstrap brokers, `host:port[,host:port…]` (env `ESCALATION_MASKER_KAFKA_BROKERS`).
    #[serde(default = "default_brokers")]
    pub brokers: String,
    /// Consumer group: every instance with the same id shares the input partitions
    /// (env `ESCALATION_MASKER_KAFKA_GROUP_ID`).
    #[serde(default = "default_group_id")]
    pub group_id: String,
    /// Static group membership (`group.instance.id`): a name unique to this instance and stable
    /// across its restarts (a StatefulSet pod name, a compose service name). A restarted instance
    /// then takes its partitions back at once instead of waiting for the group to notice the old
    /// process is gone (env `ESCALATION_MASKER_KAFKA_INSTANCE_ID`). Unset: dynamic membership.
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Topic of escalation events (env `ESCALATION_MASKER_KAFKA_INPUT_TOPIC`).
    #[serde(default = "default_input_topic")]
    pub input_topic: String,
    /// Dead-letter topic; default `<input_topic>.dlq` (env `ESCALATION_MASKER_KAFKA_DLQ_TOPIC`).
    #[serde(default)]
    pub dlq_topic: Option<String>,
    /// Client id shown in broker logs and quotas.
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// Largest accepted event; larger records are dead-lettered as `oversize`.
    #[serde(default = "default_max_message_bytes")]
    pub max_message_bytes: usize,
    /// How long start-up waits for the brokers before saying they are unreachable.
    #[serde(default = "default_startup_timeout", with = "humantime_serde")]
    pub startup_timeout: Duration,
    /// Passed to librdkafka as is (`security.protocol`, `sasl.mechanism`, `ssl.ca.location`…).
    /// Secrets belong in `ESCALATION_MASKER_KAFKA_PROPERTY_<NAME>` variables (`SASL_PASSWORD` →
    /// `sasl.password`), never here.
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
}

impl KafkaConfig {
    /// The dead-letter topic in effect.
    pub fn dlq_topic(&self) -> String {
        self.dlq_topic
            .clone()
            .unwrap_or_else(|| format!("{}.dlq", self.input_topic))
    }
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: default_brokers(),
            group_id: default_group_id(),
            instance_id: None,
            input_topic: default_input_topic(),
            dlq_topic: None,
            client_id: default_client_id(),
            max_message_bytes: default_max_message_bytes(),
            startup_timeout: default_startup_timeout(),
            properties: BTreeMap::new(),
        }
    }
}

fn default_brokers() -> String {
    "127.0.0.1:9092".into()
}
fn default_group_id() -> String {
    "escalation-masker".into()
}
fn default_input_topic() -> String {
    "escalations".into()
}
fn default_client_id() -> String {
    "escalation-masker".into()
}
fn default_max_message_bytes() -> usize {
    crate::event::DEFAULT_MAX_BYTES
}
fn default_startup_timeout() -> Duration {
    Duration::from_secs(10)
}

/// `[audit]`: the tamper-evident log every outcome is written to before its offset is stored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// `sqlite://PATH` (a relative PATH is relative to the config file's folder) or
    /// `postgres://USER@HOST:PORT/DB` (env `ESCALATION_MASKER_AUDIT_DB`; put a password there, not
    /// here). Several instances need PostgreSQL.
    #[serde(default = "default_audit_db")]
    pub db: String,
    /// Records written per transaction at most (appends from concurrent events are grouped).
    #[serde(default = "default_audit_batch")]
    pub max_batch: usize,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            db: default_audit_db(),
            max_batch: default_audit_batch(),
        }
    }
}

fn default_audit_db() -> String {
    "sqlite://audit.db".into()
}
fn default_audit_batch() -> usize {
    256
}

/// `[worker]`: how much is in flight, how long a transient failure is retried, how shutdown ends.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Instance name written into audit records (default `<hostname>-<pid>`).
    #[serde(default)]
    pub id: Option<String>,
    /// Events handled at once across all partitions; fetching pauses at the limit.
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: usize,
    /// Bytes of events held at once; fetching pauses at the limit.
    #[serde(default = "default_max_in_flight_bytes")]
    pub max_in_flight_bytes: usize,
    /// An event Genesys keeps refusing transiently (down, 429s, timeouts) is dead-lettered as
    /// `delivery_timeout` after this long; until then its partition is paused, not drained.
    #[serde(default = "default_delivery_timeout", with = "humantime_serde")]
    pub delivery_timeout: Duration,
    /// First wait before retrying an event after a transient failure; doubles up to `max_retry_pause`.
    #[serde(default = "default_retry_pause", with = "humantime_serde")]
    pub retry_pause: Duration,
    /// Longest wait between retries of one event.
    #[serde(default = "default_max_retry_pause", with = "humantime_serde")]
    pub max_retry_pause: Duration,
    /// On SIGTERM/SIGINT, in-flight events get this long to finish before offsets are committed.
    #[serde(default = "default_shutdown_timeout", with = "humantime_serde")]
    pub shutdown_timeout: Duration,
    /// An assigned partition with records waiting that receives none for this long, while the
    /// worker has room for more, is reported and fetched again from its safe position.
    #[serde(default = "default_stall_after", with = "humantime_serde")]
    pub stall_after: Duration,
    /// Once events have been held at the Genesys-down gate this long, `/readyz` reports the
    /// worker not ready (an orchestrator or an on-call page notices the outage; nothing is lost).
    #[serde(default = "default_unready_when_held", with = "humantime_serde")]
    pub unready_when_held: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            id: None,
            max_in_flight: default_max_in_flight(),
            max_in_flight_bytes: default_max_in_flight_bytes(),
            delivery_timeout: default_delivery_timeout(),
            retry_pause: default_retry_pause(),
            max_retry_pause: default_max_retry_pause(),
            shutdown_timeout: default_shutdown_timeout(),
            stall_after: default_stall_after(),
            unready_when_held: default_unready_when_held(),
        }
    }
}

fn default_max_in_flight() -> usize {
    256
}
fn default_max_in_flight_bytes() -> usize {
    32 << 20
}
fn default_delivery_timeout() -> Duration {
    Duration::from_secs(15 * 60)
}
fn default_retry_pause() -> Duration {
    Duration::from_secs(1)
}
fn default_max_retry_pause() -> Duration {
    Duration::from_secs(30)
}
fn default_shutdown_timeout() -> Duration {
    Duration::from_secs(30)
}
fn default_stall_after() -> Duration {
    Duration::from_secs(30)
}
fn default_unready_when_held() -> Duration {
    Duration::from_secs(60)
}

/// `[continuity]`: when a customer escalates again soon after, the agent sees the earlier
/// conversation — the guard against the duplicate-session trap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContinuityConfig {
    /// Whether to link repeated escalations at all.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// How far back a previous escalation of the same customer counts.
    #[serde(default = "default_continuity_window", with = "humantime_serde")]
    pub window: Duration,
    /// Context key that receives the previous conversation id.
    #[serde(default = "default_continuity_field")]
    pub field: String,
    /// Environment variable holding the key (≥ 32 bytes) of the hash under which customer ids are
    /// looked up; without it a random per-process key is used (links then stay within one process).
    #[serde(default = "default_continuity_key_env")]
    pub key_env: String,
}

impl Default for ContinuityConfig {
    fn default() -> Self {
        ContinuityConfig {
            enabled: true,
            window: default_continuity_window(),
            field: default_continuity_field(),
            key_env: default_continuity_key_env(),
        }
    }
}

fn default_true() -> bool {
    true
}
fn default_continuity_window() -> Duration {
    Duration::from_secs(300)
}
fn default_continuity_field() -> String {
    "previousConversationId".into()
}
fn default_continuity_key_env() -> String {
    "ESCALATION_MASKER_CONTINUITY_KEY".into()
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
        if let Some(parent) = path.parent() {
            cfg.resolve_paths(parent);
        }
        cfg.apply_env(std::env::vars());
        cfg.validate().map_err(|message| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(cfg)
    }

    /// Resolves the file's relative paths — the rules folder and a `sqlite://` audit log —
    /// against the config file's folder, so the worker finds the same rules and appends to the
    /// same chain whatever directory it is started from. (Paths from the environment stay
    /// relative to the working directory, as any path given on a command line.)
    pub fn resolve_paths(&mut self, base: &Path) {
        if self.rules.dir.is_relative() {
            self.rules.dir = base.join(&self.rules.dir);
        }
        if let Some(Some(db)) = crate::audit::sqlite_path(&self.audit.db)
            && db.is_relative()
        {
            self.audit.db = format!("sqlite://{}", base.join(db).display());
        }
    }

    /// Applies the deployment overrides from the environment (see README, "Configuration"): brokers,
    /// group, topics, librdkafka properties, the audit database and the Genesys endpoints.
    pub fn apply_env(&mut self, vars: impl IntoIterator<Item = (String, String)>) {
        const P: &str = "ESCALATION_MASKER_";
        for (name, value) in vars {
            let Some(name) = name.strip_prefix(P) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            match name {
                "KAFKA_BROKERS" => self.kafka.brokers = value,
                "KAFKA_GROUP_ID" => self.kafka.group_id = value,
                "KAFKA_INSTANCE_ID" => self.kafka.instance_id = Some(value),
                "KAFKA_INPUT_TOPIC" => self.kafka.input_topic = value,
                "KAFKA_DLQ_TOPIC" => self.kafka.dlq_topic = Some(value),
                "AUDIT_DB" => self.audit.db = value,
                "ADMIN_LISTEN" => self.admin.listen = value,
                "GENESYS_REGION" => self.genesys.region = Some(value),
                "GENESYS_API_BASE_URL" => self.genesys.api_base_url = Some(value),
                "GENESYS_LOGIN_BASE_URL" => self.genesys.login_base_url = Some(value),
                _ => {
                    if let Some(prop) = name.strip_prefix("KAFKA_PROPERTY_") {
                        let prop = prop.to_ascii_lowercase().replace('_', ".");
                        self.kafka.properties.insert(prop, value);
                    }
                }
            }
        }
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
        let k = &self.kafka;
        for (name, value) in [
            ("brokers", &k.brokers),
            ("group_id", &k.group_id),
            ("input_topic", &k.input_topic),
        ] {
            if value.trim().is_empty() {
                return Err(format!("[kafka] {name} must not be empty"));
            }
        }
        if k.instance_id
            .as_deref()
            .is_some_and(|i| i.trim().is_empty())
        {
            return Err("[kafka] instance_id must not be empty when set".into());
        }
        if k.dlq_topic() == k.input_topic {
            return Err("[kafka] dlq_topic must differ from input_topic".into());
        }
        if k.max_message_bytes < 1024 {
            return Err("[kafka] max_message_bytes below 1024 cannot carry an event".into());
        }
        if let Some(p) = k
            .properties
            .keys()
            .find(|p| RESERVED_KAFKA_PROPERTIES.contains(&p.as_str()))
        {
            return Err(format!(
                "[kafka.properties] {p} is set by the worker itself (use [kafka] brokers/group_id/instance_id; offsets are stored only after an event is handled)"
            ));
        }
        let w = &self.worker;
        if w.max_in_flight == 0 {
            return Err("[worker] max_in_flight must be at least 1".into());
        }
        if w.max_in_flight_bytes < k.max_message_bytes {
            return Err(format!(
                "[worker] max_in_flight_bytes ({}) must be at least [kafka] max_message_bytes ({}), or a largest event could never be taken",
                w.max_in_flight_bytes, k.max_message_bytes
            ));
        }
        if w.retry_pause.is_zero() || w.max_retry_pause < w.retry_pause {
            return Err(
                "[worker] retry_pause must be above zero and max_retry_pause at least as long"
                    .into(),
            );
        }
        if self.audit.max_batch == 0 {
            return Err("[audit] max_batch must be at least 1".into());
        }
        let a = &self.admin;
        for h in a
            .auditor_token_sha256
            .iter()
            .chain(&a.operator_token_sha256)
        {
            crate::admin::auth::parse_hash(h).map_err(|e| format!("[admin] {e}"))?;
        }
        for o in &a.cors_origins {
            crate::admin::cors::validate_origin(o).map_err(|e| format!("[admin] {e}"))?;
        }
        let c = &self.continuity;
        if c.enabled && c.field.trim().is_empty() {
            return Err("[continuity] field must not be empty".into());
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
mod env_and_worker {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_deployment_settings_and_passes_properties_through() {
        let mut c = Config::parse("[genesys]\nregion = \"eu-west-1\"\n").unwrap();
        assert_eq!(c.kafka.dlq_topic(), "escalations.dlq");
        c.apply_env(vars(&[
            ("ESCALATION_MASKER_KAFKA_BROKERS", "k1:9093,k2:9093"),
            ("ESCALATION_MASKER_KAFKA_INPUT_TOPIC", "esc.in"),
            ("ESCALATION_MASKER_KAFKA_PROPERTY_SASL_PASSWORD", "pw"),
            (
                "ESCALATION_MASKER_KAFKA_PROPERTY_SECURITY_PROTOCOL",
                "SASL_SSL",
            ),
            ("ESCALATION_MASKER_AUDIT_DB", "postgres://audit@db/audit"),
            (
                "ESCALATION_MASKER_GENESYS_API_BASE_URL",
                "http://127.0.0.1:1",
            ),
            ("ESCALATION_MASKER_KAFKA_GROUP_ID", ""),
            ("UNRELATED", "x"),
        ]));
        assert_eq!(c.kafka.brokers, "k1:9093,k2:9093");
        assert_eq!(c.kafka.dlq_topic(), "esc.in.dlq");
        assert_eq!(
            c.kafka.group_id, "escalation-masker",
            "empty values are ignored"
        );
        assert_eq!(c.kafka.properties["sasl.password"], "pw");
        assert_eq!(c.kafka.properties["security.protocol"], "SASL_SSL");
        assert_eq!(c.audit.db, "postgres://audit@db/audit");
        assert_eq!(
            c.genesys.api_base_url.as_deref(),
            Some("http://127.0.0.1:1")
        );
        c.validate().unwrap();
    }

    #[test]
    fn unsafe_worker_settings_are_refused_with_the_reason() {
        let base = "[genesys]\nregion = \"eu-west-1\"\n";
        let check = |extra: &str| {
            Config::parse(&format!("{base}{extra}"))
                .unwrap()
                .validate()
                .unwrap_err()
        };
        assert!(
            check("[kafka.properties]\n\"enable.auto.offset.store\" = \"true\"\n")
                .contains("set by the worker")
        );
        assert!(check("[kafka]\ndlq_topic = \"escalations\"\n").contains("differ"));
        assert!(check("[worker]\nmax_in_flight = 0\n").contains("max_in_flight"));
        assert!(check("[admin]\ncors_origins = [\"*\"]\n").contains("wildcard"));
        assert!(
            check("[admin]\ncors_origins = [\"https://a.example/\"]\n").contains("trailing slash")
        );
        assert!(check("[admin]\nauditor_token_sha256 = [\"secret\"]\n").contains("64 hex digits"));
        assert!(check("[worker]\nmax_in_flight_bytes = 2048\n").contains("max_message_bytes"));
    }
}

#[cfg(test)]
mod example_file {
    use super::*;

    #[test]
    fn relative_paths_are_resolved_against_the_config_folder() {
        let base = Path::new("/etc/masker");
        let fresh =
            || Config::parse("[genesys]\nregion = \"eu-west-1\"\n").expect("minimal config");
        let mut cfg = fresh();
        cfg.resolve_paths(base);
        assert_eq!(cfg.rules.dir, base.join("masking-rules"));
        assert_eq!(cfg.audit.db, "sqlite:///etc/masker/audit.db");
        for kept in [
            "sqlite:///var/lib/audit.db",
            "postgres://a@db/audit",
            "sqlite://",
        ] {
            let mut cfg = fresh();
            cfg.audit.db = kept.into();
            cfg.resolve_paths(base);
            assert_eq!(cfg.audit.db, kept);
        }
        let mut cfg = fresh();
        cfg.audit.db = "sqlite://data/a.db".into();
        cfg.resolve_paths(base);
        assert_eq!(cfg.audit.db, "sqlite:///etc/masker/data/a.db");
    }

    #[test]
    fn the_documented_example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config.toml");
        let cfg = Config::load(&path).expect("examples/config.toml loads");
        assert!(cfg.rules.dir.ends_with("masking-rules"));
        assert_eq!(cfg.genesys.retry.max_attempts, 6);
        assert_eq!(cfg.genesys.enrich.len(), 4);
        assert_eq!(cfg.kafka.dlq_topic(), "escalations.dlq");
        assert_eq!(cfg.worker.delivery_timeout, Duration::from_secs(900));
        assert_eq!(cfg.continuity.window, Duration::from_secs(300));
        assert_eq!(cfg.audit.max_batch, 256);
        assert_eq!(cfg.admin.listen, "127.0.0.1:9090");
        assert!(cfg.admin.watch_rules);
    }
}
