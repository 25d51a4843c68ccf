//! A real Kafka-compatible broker (tansu, started by the test command's install) per test, and
//! helpers to run the worker in-process against it, publish events and read topics back.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use escalation_masker::audit::{AuditStore, GroupCommit, SqliteStore};
use escalation_masker::config::{ContinuityConfig, KafkaConfig, WorkerConfig};
use escalation_masker::pipeline::Handler;
use escalation_masker::pipeline::continuity::Continuity;
use escalation_masker::pipeline::kafka as k;
use escalation_masker::pipeline::worker::{self, Summary, WorkerStats};
use escalation_masker::rule_dir::{self, KeyPolicy};
use rdkafka::message::OwnedMessage;
use tokio::sync::watch;

/// The broker binary: `TANSU_BIN`, else `tansu` on PATH, else cargo's bin directory.
pub fn tansu_bin() -> PathBuf {
    if let Ok(p) = std::env::var("TANSU_BIN") {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join("tansu").is_file()))
        .unwrap_or(false);
    if on_path {
        return PathBuf::from("tansu");
    }
    let home = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo")
        });
    home.join("bin/tansu")
}

/// A running in-memory broker, stopped on drop.
pub struct Broker {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Broker {
    /// Starts a broker on a free port and waits until it accepts connections.
    pub fn start() -> Broker {
        let port = super::free_port();
        Broker::launch(port, &format!("127.0.0.1:{port}"))
    }

    /// Starts a broker that advertises a cuttable forwarder in front of it, so that every client
    /// connection (bootstrap and per-broker) goes through the forwarder.
    pub async fn start_behind<F, Fut>(forwarder: F) -> (Broker, super::net::Cuttable)
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = super::net::Cuttable>,
    {
        let port = super::free_port();
        let proxy = forwarder(format!("127.0.0.1:{port}")).await;
        (Broker::launch(port, &proxy.addr), proxy)
    }

    /// Starts tansu listening on `port` and advertising `advertised`.
    fn launch(port: u16, advertised: &str) -> Broker {
        let url = format!("tcp://127.0.0.1:{port}");
        let advertised_url = format!("tcp://{advertised}");
        // ESCALATION_MASKER_TEST_TANSU_LOG=DIR keeps the broker's own log (it writes to stdout;
        // RUST_LOG applies) as DIR/tansu-PORT.log, to see the broker's side of a group or fetch
        // problem.
        let log = std::env::var_os("ESCALATION_MASKER_TEST_TANSU_LOG").and_then(|dir| {
            std::fs::File::create(Path::new(&dir).join(format!("tansu-{port}.log"))).ok()
        });
        let (stdout, stderr) = match log.and_then(|f| f.try_clone().ok().map(|g| (f, g))) {
            Some((f, g)) => (Stdio::from(f), Stdio::from(g)),
            None => (Stdio::null(), Stdio::null()),
        };
        let child = Command::new(tansu_bin())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &advertised_url,
                "--storage-engine",
                &std::env::var("ESCALATION_MASKER_TEST_TANSU_STORAGE")
                    .unwrap_or_else(|_| "memory://tansu/".into()),
            ])
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("the tansu broker must be installed (bash scripts/test.sh installs it)");
        let listen = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(&listen).is_err() {
            assert!(Instant::now() < deadline, "tansu did not start on {listen}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Broker {
            child,
            addr: advertised.to_string(),
        }
    }

    /// Creates a topic.
    pub fn create_topic(&self, name: &str, partitions: u32) {
        let out = Command::new(tansu_bin())
            .args([
                "topic",
                "create",
                name,
                "--broker",
                &format!("tcp://{}", self.addr),
                "--partitions",
                &partitions.to_string(),
            ])
            .output()
            .expect("tansu topic create runs");
        assert!(
            out.status.success(),
            "creating {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A `[kafka]` section for this broker with fresh topics `<base>` and `<base>.dlq`.
    pub fn kafka_config(&self, base: &str, partitions: u32) -> KafkaConfig {
        self.create_topic(base, partitions);
        self.create_topic(&format!("{base}.dlq"), partitions);
        let mut cfg = KafkaConfig {
            brokers: self.addr.clone(),
            group_id: format!("{base}-group"),
            input_topic: base.to_string(),
            ..KafkaConfig::default()
        };
        // librdkafka's own debug contexts (e.g. `cgrp,fetch`) when a test run is investigated.
        if let Ok(debug) = std::env::var("ESCALATION_MASKER_TEST_KAFKA_DEBUG") {
            cfg.properties.insert("debug".into(), debug);
        }
        cfg
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Worker settings for tests: quick retries and shutdown.
pub fn worker_config() -> WorkerConfig {
    WorkerConfig {
        retry_pause: Duration::from_millis(100),
        max_retry_pause: Duration::from_millis(500),
        shutdown_timeout: Duration::from_secs(10),
        ..WorkerConfig::default()
    }
}

pub fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules")
}

/// A handler over the shipped rules, `genesys_base`, and a SQLite log in `dir`.
pub async fn handler(genesys_base: &str, dir: &Path) -> (Arc<Handler>, Arc<dyn AuditStore>) {
    let sqlite: Arc<dyn AuditStore> = Arc::new(
        SqliteStore::open(&dir.join("audit.db"))
            .await
            .expect("audit store"),
    );
    (handler_with(genesys_base, sqlite.clone()), sqlite)
}

/// A handler over the shipped rules, `genesys_base`, and the given audit store (group-committed).
pub fn handler_with(genesys_base: &str, store: Arc<dyn AuditStore>) -> Arc<Handler> {
    let audit: Arc<dyn AuditStore> = Arc::new(GroupCommit::new(store, 256));
    let handler = Handler {
        rules: arc_swap::ArcSwap::from_pointee(
            rule_dir::load(&rules_dir(), KeyPolicy::EphemeralIfMissing).expect("rules"),
        ),
        deliverer: Arc::new(super::deliverer(&super::genesys_config(genesys_base))),
        audit: audit.clone(),
        worker: "w-test".into(),
        max_bytes: 64 * 1024,
        continuity: Some(Arc::new(Continuity::new(
            &[3u8; 32],
            &ContinuityConfig::default(),
            audit.clone(),
        ))),
    };
    Arc::new(handler)
}

/// A worker running in this process.
pub struct Running {
    pub stats: Arc<WorkerStats>,
    stop: watch::Sender<bool>,
    join: tokio::task::JoinHandle<Result<Summary, k::KafkaProblem>>,
}

/// Sends the in-process workers' logs to stderr when `ESCALATION_MASKER_TEST_LOG` holds a filter
/// (`debug`, `escalation_masker=debug,librdkafka=debug`), for investigating a failed run.
pub fn init_log() {
    if let Ok(filter) = std::env::var("ESCALATION_MASKER_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .try_init();
    }
}

pub fn start(handler: Arc<Handler>, kcfg: &KafkaConfig, wcfg: &WorkerConfig) -> Running {
    init_log();
    let stats = Arc::new(WorkerStats::default());
    let (stop, rx) = watch::channel(false);
    let (kcfg, wcfg, s) = (kcfg.clone(), wcfg.clone(), stats.clone());
    let join = tokio::spawn(async move { worker::run(&kcfg, &wcfg, handler, s, rx).await });
    Running { stats, stop, join }
}

impl Running {
    /// Asks for a graceful stop and waits for it.
    pub async fn stop(self) -> Summary {
        let _ = self.stop.send(true);
        self.join.await.expect("worker task").expect("worker ran")
    }

    /// Events handled so far.
    pub fn handled(&self) -> u64 {
        self.stats.handled()
    }
}

/// Waits until `f` holds, polling; false on timeout.
pub async fn wait_until(timeout: Duration, f: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}

/// Publishes `(key, payload)` records to `topic` and waits for every acknowledgement.
///
/// Each record is its own batch. The test broker (tansu 0.6, memory storage) serves a fetch only
/// from batch boundaries: a fetch at an offset inside a batch returns the batches that start after
/// it (skipping the rest of that batch) or, inside the last batch, nothing at all — so a consumer
/// resuming from a committed offset mid-batch would lose or stall on records a real Kafka broker
/// serves. Single-record batches make every offset a boundary.
pub async fn produce(kcfg: &KafkaConfig, topic: &str, records: &[(Option<String>, Vec<u8>)]) {
    let mut kcfg = kcfg.clone();
    kcfg.properties
        .insert("batch.num.messages".into(), "1".into());
    k::publish_all(&kcfg, topic, records)
        .await
        .expect("published");
}

/// Every record of `topic` (all partitions, from the start until nothing new arrives for 2 s).
pub fn read_topic(kcfg: &KafkaConfig, topic: &str) -> Vec<OwnedMessage> {
    k::read_topic(kcfg, topic, "test topic", Duration::from_secs(2)).expect("topic read")
}

/// A header of a record as text.
pub fn header(m: &OwnedMessage, name: &str) -> Option<String> {
    k::header(m, name)
}

/// Events `<prefix>-<i>` for `i` in `range`, spread over `conversations` conversations
/// (`<prefix>-conv-<i % conversations>`), keyed by conversation, numbered in order within each.
pub fn keyed_events(
    prefix: &str,
    range: std::ops::Range<usize>,
    conversations: usize,
) -> Vec<(Option<String>, Vec<u8>)> {
    range
        .map(|i| {
            let conv = format!("{prefix}-conv-{}", i % conversations);
            let payload = event(&format!("{prefix}-{i}"), &conv, i / conversations);
            (Some(conv), payload)
        })
        .collect()
}

/// A valid event of conversation `conv`, number `n` within it, with a test card in its note.
pub fn event(id: &str, conv: &str, n: usize) -> Vec<u8> {
    format!(
        r#"{{"eventId":"{id}","conversationId":"{conv}","source":"web","context":{{"seq":{n},"note":"card 4111 1111 1111 1111 exp 12/29","orderStatus":"shipped"}}}}"#
    )
    .into_bytes()
}

/// Writes a config file for the `run` binary against this broker, mock and SQLite file. The admin
/// server gets a free port unless `extra` has its own `[admin]` section, so a leftover worker of
/// another test can never make this one fail.
pub fn write_config(
    dir: &Path,
    kcfg: &KafkaConfig,
    genesys_base: &str,
    audit_db: &Path,
    extra: &str,
) -> PathBuf {
    write_config_for(
        dir,
        kcfg,
        genesys_base,
        &format!("sqlite://{}", audit_db.display()),
        extra,
    )
}

/// [`write_config`] with any audit database URL (`postgres://…` for instances sharing a log).
pub fn write_config_for(
    dir: &Path,
    kcfg: &KafkaConfig,
    genesys_base: &str,
    audit_url: &str,
    extra: &str,
) -> PathBuf {
    let text = format!(
        r#"[rules]
dir = "{rules}"

[genesys]
api_base_url = "{genesys_base}"
request_timeout = "2s"

[genesys.retry]
max_attempts = 5
max_elapsed = "10s"
initial_backoff = "20ms"
max_backoff = "200ms"

[genesys.rate_limit]
requests_per_minute = 600000
burst = 1000

[kafka]
brokers = "{brokers}"
group_id = "{group}"
input_topic = "{topic}"

[audit]
db = "{audit_url}"

[worker]
retry_pause = "100ms"
max_retry_pause = "500ms"
shutdown_timeout = "10s"
{extra}
{admin}
"#,
        admin = if extra.contains("[admin]") {
            String::new()
        } else {
            format!("[admin]\nlisten = \"127.0.0.1:{}\"", super::free_port())
        },
        rules = rules_dir().display(),
        brokers = kcfg.brokers,
        group = kcfg.group_id,
        topic = kcfg.input_topic,
    );
    let path = dir.join("config.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// A child process that dies with the test: killed and reaped on drop, so a failed assertion or a
/// panic never leaves a worker (or anything else) running into the next test.
pub struct ChildGuard(pub Child);

impl ChildGuard {
    /// Asks the process to stop gracefully (SIGTERM) and waits for its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        self.0.wait().expect("child reaped")
    }
}

impl std::ops::Deref for ChildGuard {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for ChildGuard {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// Starts `escalation-masker run` with JSON logs at debug level appended to `log`.
pub fn spawn_worker(config: &Path, log: &Path) -> ChildGuard {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("log file");
    ChildGuard(
        Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
            .args(["--log-format", "json", "run", "--config"])
            .arg(config)
            .env("RUST_LOG", "debug")
            .env("GENESYS_CLIENT_ID", "mock-client")
            .env("GENESYS_CLIENT_SECRET", "mock-secret")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("worker starts"),
    )
}

/// The audit log after a run with faults: the chain verifies, every record is a delivery or a
/// recognised duplicate, and each of the `total` events has exactly one `delivered` record.
/// Returns the number of duplicates.
pub fn assert_each_delivered_once(
    all: &[escalation_masker::audit::AuditRecord],
    total: usize,
) -> usize {
    use escalation_masker::audit::{Outcome, verify};
    let v = verify(all);
    assert!(v.broken.is_none(), "chain intact: {:?}", v.broken);
    let mut delivered: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut duplicates = 0;
    for r in all {
        match r.record.outcome {
            Outcome::Delivered => *delivered.entry(&r.record.event_id).or_default() += 1,
            Outcome::Duplicate => duplicates += 1,
            o => panic!("unexpected outcome {o:?} for {}", r.record.event_id),
        }
    }
    assert_eq!(delivered.len(), total, "every event delivered");
    assert!(
        delivered.values().all(|n| *n == 1),
        "exactly one delivered record per event (an event recorded as delivered was delivered again)"
    );
    duplicates
}

/// Audit records in a SQLite log, read as another process would (0 when not created yet).
pub fn audit_count(db: &Path) -> i64 {
    rusqlite::Connection::open(db)
        .and_then(|c| c.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0)))
        .unwrap_or(0)
}
