//! The command line. Each subcommand parses its flags here and calls into the library; errors are
//! reported once, with context, and mapped to exit codes:
//! 0 success, 1 the input or rules had problems (reported above), 2 the command could not run.

mod audit;
mod demo;
mod genesys;
mod mask;
mod rules;
mod worker;

pub use worker::event_key;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::logging::{self, LogFormat};

pub use mask::{MaskOptions, MaskStats, mask_stream};

/// Masks card numbers and other personal data in escalation events by compliance-edited rules.
#[derive(Debug, Parser)]
#[command(name = "escalation-masker", version, about, long_about = None)]
pub struct Cli {
    /// Format of log lines on stderr; the level comes from RUST_LOG (default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline on this machine with no set-up: in-process Kafka, mock Genesys,
    /// SQLite audit, the shipped rules and example events.
    Demo(DemoArgs),
    /// Run the worker: consume escalation events, mask, deliver to Genesys, audit, dead-letter bad input.
    Run(RunArgs),
    /// Publish JSON Lines events to the input topic, keyed by conversationId (for producers' tests).
    Produce(ProduceArgs),
    /// Work with the dead-letter topic.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Admin server helpers.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Exit 0 when the admin server answers /healthz (the container healthcheck; no curl needed).
    Healthcheck {
        /// The health URL.
        #[arg(long, default_value = "http://127.0.0.1:9090/healthz")]
        url: String,
    },
    /// Mask JSON / JSON Lines (or plain text with --text) from FILE or stdin, one masked line per input line.
    Mask(MaskArgs),
    /// Check, test, explain and compare masking rule files.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Mask one context (JSON object from CONTEXT_FILE or stdin) and deliver it to a Genesys conversation.
    Patch(PatchArgs),
    /// Run the mock Genesys Cloud server (OAuth, conversations, both PATCH targets, fault injection).
    MockGenesys(MockGenesysArgs),
    /// Query, verify, export and count the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `run` flags.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file (see examples/config.toml); ESCALATION_MASKER_* variables override it.
    #[arg(long, value_name = "FILE", env = "ESCALATION_MASKER_CONFIG")]
    pub config: PathBuf,
    /// Address of the admin HTTP server (health, metrics, audit API and page); overrides
    /// [admin] listen (default 127.0.0.1:9090).
    #[arg(long, value_name = "ADDR")]
    pub admin_listen: Option<String>,
}

/// `produce` flags.
#[derive(Debug, Args)]
pub struct ProduceArgs {
    /// The configuration file (brokers, topic, Kafka properties).
    #[arg(long, value_name = "FILE", env = "ESCALATION_MASKER_CONFIG")]
    pub config: PathBuf,
    /// Publish to this topic instead of [kafka] input_topic.
    #[arg(long)]
    pub topic: Option<String>,
    /// JSON Lines files of events; none or `-` reads stdin.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// `admin` subcommands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Read a token from stdin and print the SHA-256 to put in [admin] auditor_token_sha256 /
    /// operator_token_sha256 (the token itself never goes into the config).
    HashToken,
}

/// `dlq` subcommands.
#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Re-publish dead-lettered events to the input topic (after a fix), optionally filtered.
    Replay(DlqReplayArgs),
}

/// `dlq replay` flags.
#[derive(Debug, Args)]
pub struct DlqReplayArgs {
    /// The configuration file (brokers, topics).
    #[arg(long, value_name = "FILE", env = "ESCALATION_MASKER_CONFIG")]
    pub config: PathBuf,
    /// Only letters dead-lettered at or after this time (2026-11-25 or RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only letters with this error class (e.g. delivery_timeout, genesys_not_found).
    #[arg(long, value_name = "CLASS")]
    pub reason: Option<String>,
    /// Count what would be replayed, publish nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `demo` flags.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Use this Kafka broker (HOST:PORT) instead of the in-process mock cluster; the demo creates
    /// its own uniquely named topics there.
    #[arg(long, value_name = "HOST:PORT")]
    pub broker: Option<String>,
    /// The masking rules.
    #[arg(long, value_name = "DIR", default_value = "masking-rules")]
    pub rules: PathBuf,
    /// The example events (JSON Lines).
    #[arg(long, value_name = "FILE", default_value = "examples/events.jsonl")]
    pub events: PathBuf,
    /// Print only the summary, not each event.
    #[arg(long)]
    pub quiet: bool,
}

/// Output formats of `audit query` and `audit stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// Aligned columns for people.
    Table,
    /// JSON (one record per line for `query`).
    Json,
    /// CSV with a header row.
    Csv,
}

/// `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Records by conversation, event, time range or outcome, in log order.
    Query(AuditQueryArgs),
    /// Recompute the hash chain; report the first broken or missing link. Exit 1 when tampered.
    Verify {
        /// The audit database: sqlite://PATH or postgres://USER@HOST:PORT/DB.
        #[arg(
            long,
            env = "ESCALATION_MASKER_AUDIT_DB",
            default_value = "sqlite://audit.db"
        )]
        db: String,
        /// Verify an export bundle offline instead of a database.
        #[arg(long, value_name = "FILE", conflicts_with = "db")]
        file: Option<PathBuf>,
        /// A head published earlier, as SEQ:HASH (printed by `verify` and `export`): the log must still
        /// contain that record unchanged — this catches removal of the newest records and rewrites.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
    },
    /// Write the records of a time range, with the chain link before it and its head, to a bundle.
    Export {
        /// The audit database.
        #[arg(
            long,
            env = "ESCALATION_MASKER_AUDIT_DB",
            default_value = "sqlite://audit.db"
        )]
        db: String,
        /// From this time (2026-11-25 or RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// Before this time.
        #[arg(long)]
        until: Option<String>,
        /// The bundle file (JSON Lines: header, records, signed-off head).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Counts by outcome, by rule and by day.
    Stats {
        /// The audit database.
        #[arg(
            long,
            env = "ESCALATION_MASKER_AUDIT_DB",
            default_value = "sqlite://audit.db"
        )]
        db: String,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
        format: AuditFormat,
    },
}

/// Flags of `audit query`.
#[derive(Debug, Args)]
pub struct AuditQueryArgs {
    /// The audit database: sqlite://PATH or postgres://USER@HOST:PORT/DB.
    #[arg(
        long,
        env = "ESCALATION_MASKER_AUDIT_DB",
        default_value = "sqlite://audit.db"
    )]
    pub db: String,
    /// Only this conversation.
    #[arg(long, value_name = "ID")]
    pub conversation: Option<String>,
    /// Only this event.
    #[arg(long, value_name = "ID")]
    pub event: Option<String>,
    /// From this time (2026-11-25 or RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Before this time.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only this outcome: delivered, duplicate, dead_lettered or blocked.
    #[arg(long)]
    pub outcome: Option<String>,
    /// At most this many records (0: all).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,
}

/// Flags of `patch`.
#[derive(Debug, Args)]
pub struct PatchArgs {
    /// Configuration file (TOML): rules directory and the [genesys] section. Credentials come from the
    /// environment variables it names (default GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// The Genesys conversation id.
    #[arg(long, value_name = "ID")]
    pub conversation: String,
    /// The participant to write to (default: the conversation's customer participant).
    #[arg(long, value_name = "ID")]
    pub participant: Option<String>,
    /// The context as a JSON object; stdin when absent or `-`.
    #[arg(value_name = "CONTEXT_FILE")]
    pub context_file: Option<PathBuf>,
}

/// Flags of `mock-genesys`.
#[derive(Debug, Args)]
pub struct MockGenesysArgs {
    /// Address to listen on (loopback only is wise).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8089")]
    pub listen: String,
    /// The OAuth client id the mock accepts.
    #[arg(long, env = "MOCK_GENESYS_CLIENT_ID", default_value = "mock-client")]
    pub client_id: String,
    /// The OAuth client secret the mock accepts.
    #[arg(
        long,
        env = "MOCK_GENESYS_CLIENT_SECRET",
        default_value = "mock-secret",
        hide_env_values = true
    )]
    pub client_secret: String,
    /// Lifetime of issued tokens (e.g. 86399s, 5m).
    #[arg(long, value_name = "DURATION", default_value = "86399s")]
    pub token_ttl: humantime::Duration,
    /// Only conversations seeded with --conversation (or POST /mock/conversations) exist; others are 404.
    #[arg(long)]
    pub strict: bool,
    /// Seed a conversation (repeatable); its customer participant is `<ID>-customer`.
    #[arg(long, value_name = "ID")]
    pub conversation: Vec<String>,
    /// Inject a fault from the start (repeatable), as the JSON `POST /mock/faults` takes, e.g.
    /// '{"kind":"rate_limit","retryAfter":2,"count":3}' or '{"kind":"server_error","rate":0.1}'.
    #[arg(long, value_name = "JSON")]
    pub fault: Vec<String>,
    /// Largest request body accepted; larger ones get 413 (Genesys: 512000).
    #[arg(long, value_name = "BYTES", default_value_t = 512_000)]
    pub max_body_bytes: usize,
}

/// Flags of `mask`.
#[derive(Debug, Args)]
pub struct MaskArgs {
    /// Directory of rule files (*.toml, loaded in name order).
    #[arg(
        long,
        value_name = "DIR",
        env = "ESCALATION_MASKER_RULES",
        default_value = "masking-rules"
    )]
    pub rules: PathBuf,
    /// Also write per-line findings (rule ids, counts, JSON paths; never values) as JSON Lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Treat each input line as plain text instead of JSON.
    #[arg(long)]
    pub text: bool,
    /// Input file; stdin when absent or `-`.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rule files; every problem is reported with file, line and rule id. Exit 1 on any problem.
    Check {
        /// Directory of rule files.
        #[arg(value_name = "DIR", default_value = "masking-rules")]
        dir: PathBuf,
    },
    /// Run every enabled rule's examples (examples.matches / examples.ignores). Exit 1 on any failure.
    Test {
        /// Directory of rule files.
        #[arg(value_name = "DIR", default_value = "masking-rules")]
        dir: PathBuf,
    },
    /// Show which rules match where in a text or JSON document, including matches that lost to an overlap.
    Explain(ExplainArgs),
    /// Print the context words the built-in detectors weigh (phone words, birth words, id words…),
    /// by kind and language, exactly as the detectors read them. Rule files extend them with
    /// `[words.<kind>]` tables; `--rules DIR` prints the lists in force with those changes.
    Words {
        /// Only this kind (e.g. `phone`, `not_phone`, `date_of_birth`); every kind when absent.
        #[arg(value_name = "KIND")]
        kind: Option<String>,
        /// Show the words in force under the rule files of this directory (built-in words, plus
        /// what its `[words.<kind>]` tables add, minus what they remove).
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// Show what changing the rules from OLD_DIR to NEW_DIR would newly mask or stop masking on sample events.
    Diff {
        /// The rules as they are now.
        #[arg(value_name = "OLD_DIR")]
        old: PathBuf,
        /// The edited rules.
        #[arg(value_name = "NEW_DIR")]
        new: PathBuf,
        /// Sample events as JSON Lines; the bundled example events when absent.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
        /// Exit 1 when anything changes (for CI gates on rule edits).
        #[arg(long)]
        exit_code: bool,
    },
}

/// Flags of `rules explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Directory of rule files.
    #[arg(value_name = "DIR", default_value = "masking-rules")]
    pub dir: PathBuf,
    /// Plain text to explain.
    #[arg(long, conflicts_with = "json", required_unless_present = "json")]
    pub text: Option<String>,
    /// A JSON document to explain.
    #[arg(long)]
    pub json: Option<String>,
}

/// Describes a JSON parse error by kind and position only. serde_json's own message can quote the
/// input (with `arbitrary_precision` it echoes numbers), and input may hold exactly what we hide.
/// The async runtime every networked command runs on.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub(crate) fn json_error(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Eof => "unexpected end of input",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Io => "read error",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

/// Runs the parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let level = if matches!(cli.command, Command::Demo(_)) {
        "warn"
    } else {
        "info"
    };
    logging::init(cli.log_format, level);
    let result = match cli.command {
        Command::Mask(args) => mask::run(&args),
        Command::Rules(cmd) => rules::run(cmd),
        Command::Patch(args) => genesys::patch(&args),
        Command::MockGenesys(args) => genesys::mock(&args),
        Command::Audit(cmd) => audit::run(cmd),
        Command::Run(args) => worker::run(&args),
        Command::Produce(args) => worker::produce(&args),
        Command::Dlq(DlqCommand::Replay(args)) => worker::dlq_replay(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Healthcheck { url } => runtime().and_then(|rt| {
            rt.block_on(async {
                let client = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(3))
                    .build()?;
                let ok = client
                    .get(&url)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if !ok {
                    eprintln!("unhealthy: {url}");
                }
                Ok(if ok {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::from(1)
                })
            })
        }),
        Command::Admin(AdminCommand::HashToken) => {
            let mut token = String::new();
            match std::io::Read::read_to_string(&mut std::io::stdin(), &mut token) {
                Ok(_) if !token.trim().is_empty() => {
                    println!("{}", crate::admin::auth::hash_token(token.trim()));
                    Ok(ExitCode::SUCCESS)
                }
                Ok(_) => Err(anyhow::anyhow!(
                    "no token on stdin (e.g. `openssl rand -hex 32 | tee token | escalation-masker admin hash-token`)"
                )),
                Err(e) => Err(anyhow::anyhow!("reading the token from stdin: {e}")),
            }
        }
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
