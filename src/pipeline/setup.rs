//! Start-up: everything the worker needs, each checked before the first event is taken, so a
//! misconfiguration is one clear message instead of a stream of dead letters. Order: rules (local,
//! cheapest), audit store, Kafka brokers and topics, Genesys credentials.

use std::sync::Arc;

use crate::audit::{self, AuditError, AuditStore, GroupCommit};
use crate::config::Config;
use crate::genesys::{Credentials, Deliverer, GenesysClient, GenesysError};
use crate::masking::LoadError;
use crate::rule_dir::{self, KeyPolicy};

use super::continuity::{Continuity, ContinuityKeyError};
use super::handler::Handler;
use super::kafka::{self, KafkaProblem};

/// What is wrong at start-up, one variant per dependency.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The masking rules do not load.
    #[error("masking rules in {dir}: {problem}")]
    Rules {
        /// The rules directory.
        dir: String,
        /// Why.
        problem: LoadError,
    },
    /// The audit database cannot be used.
    #[error("audit store: {0}")]
    Audit(AuditError),
    /// Kafka is unreachable or a topic is missing.
    #[error(transparent)]
    Kafka(#[from] KafkaProblem),
    /// Genesys credentials are missing or rejected, or Genesys is unreachable.
    #[error("Genesys Cloud: {0}")]
    Genesys(GenesysError),
    /// The continuity key is unusable.
    #[error(transparent)]
    Continuity(#[from] ContinuityKeyError),
}

impl From<AuditError> for StartError {
    fn from(e: AuditError) -> Self {
        StartError::Audit(e)
    }
}

impl From<GenesysError> for StartError {
    fn from(e: GenesysError) -> Self {
        StartError::Genesys(e)
    }
}

/// What [`prepare`] found, for the start-up log line.
#[derive(Clone)]
pub struct Prepared {
    /// Ready to handle records.
    pub handler: Arc<Handler>,
    /// Partitions of the input topic.
    pub input_partitions: usize,
}

/// Default instance name: `<hostname>-<pid>`.
pub fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "worker".into());
    format!("{host}-{}", std::process::id())
}

/// Loads and checks everything `run` needs.
pub async fn prepare(cfg: &Config) -> Result<Prepared, StartError> {
    let dir = cfg.rules.dir.clone();
    let rules = rule_dir::load(&dir, KeyPolicy::Required).map_err(|problem| StartError::Rules {
        dir: dir.display().to_string(),
        problem,
    })?;
    tracing::info!(
        version = rules.version(),
        rules = rules.rules().len(),
        "masking rules loaded"
    );

    let store = audit::open(&cfg.audit.db).await?;
    let head = store.head().await?;
    // The absolute file, so an operator sees at once which chain this instance appends to.
    let db = match audit::sqlite_path(&cfg.audit.db) {
        Some(Some(path)) => format!(
            "sqlite://{}",
            std::path::absolute(path)
                .unwrap_or_else(|_| path.to_path_buf())
                .display()
        ),
        _ => audit::redact_url(&cfg.audit.db),
    };
    tracing::info!(
        db = %db,
        head_seq = head.as_ref().map_or(0, |h| h.0),
        "audit store ready"
    );
    let store: Arc<dyn AuditStore> = Arc::new(GroupCommit::new(store, cfg.audit.max_batch));

    let k = cfg.kafka.clone();
    let counts = tokio::task::spawn_blocking(move || {
        let dlq = k.dlq_topic();
        kafka::check_topics(&k, &[(&k.input_topic, "input_topic"), (&dlq, "dlq_topic")])
    })
    .await
    .map_err(|e| KafkaProblem::Other {
        what: "start-up check",
        message: e.to_string(),
    })??;
    tracing::info!(
        brokers = %cfg.kafka.brokers,
        topic = %cfg.kafka.input_topic,
        partitions = counts[0],
        "Kafka reachable"
    );

    let creds = Credentials::from_env(&cfg.genesys.client_id_env, &cfg.genesys.client_secret_env)?;
    let client = GenesysClient::new(&cfg.genesys, creds)?;
    client.check_credentials().await?;
    tracing::info!("Genesys credentials accepted");
    let deliverer = Arc::new(Deliverer::new(client, &cfg.genesys));

    let continuity = if cfg.continuity.enabled {
        let (c, shared) = Continuity::from_config(&cfg.continuity, store.clone())?;
        if !shared {
            tracing::warn!(
                var = %cfg.continuity.key_env,
                "no continuity key set: repeat escalations are linked only within this process"
            );
        }
        Some(Arc::new(c))
    } else {
        None
    };
    let handler = Handler {
        rules: arc_swap::ArcSwap::from_pointee(rules),
        deliverer,
        audit: store,
        worker: cfg.worker.id.clone().unwrap_or_else(default_worker_id),
        max_bytes: cfg.kafka.max_message_bytes,
        continuity,
    };
    Ok(Prepared {
        handler: Arc::new(handler),
        input_partitions: counts[0],
    })
}

/// `/readyz` for a running worker: the brokers answer and the topics exist, a Genesys token can be
/// had, the audit store answers, events are not held at the Genesys-down gate for longer than
/// `[worker] unready_when_held`; a failed rule reload is reported (the old rules stay live, so it
/// does not make the worker unready).
pub struct WorkerReadiness {
    /// Brokers and topics.
    pub kafka: crate::config::KafkaConfig,
    /// Genesys and the audit store.
    pub handler: Arc<Handler>,
    /// Rule reload state.
    pub reloader: Option<Arc<super::reload::Reloader>>,
    /// The running worker's live state (gate, group membership) and its settings, for the
    /// `gate` and `group` checks.
    pub worker: Option<(Arc<super::worker::WorkerStats>, crate::config::WorkerConfig)>,
}

/// The gate check: ready while nothing has been held for `limit` or longer.
fn gate_check(g: &super::worker::GateStatus, limit: std::time::Duration) -> Result<String, String> {
    let secs = |d: std::time::Duration| d.as_secs();
    let detail = match g.closed_for {
        None if g.held == 0 => return Ok("open".into()),
        None => format!("open; {} event(s) still waiting their turn", g.held),
        Some(c) => format!(
            "closed for {} s (Genesys unavailable); {} event(s) held",
            secs(c),
            g.held
        ),
    };
    let detail = match g.oldest_held {
        Some(o) => format!("{detail}, the oldest for {} s", secs(o)),
        None => detail,
    };
    if g.held_for() >= limit {
        Err(format!("{detail}; not ready after {} s", secs(limit)))
    } else {
        Ok(detail)
    }
}

#[async_trait::async_trait]
impl crate::admin::Readiness for WorkerReadiness {
    async fn checks(&self) -> Vec<crate::admin::Check> {
        use crate::admin::Check;
        use std::time::Duration;
        let check = |name: &str, r: Result<String, String>| match r {
            Ok(detail) => Check {
                name: name.into(),
                ok: true,
                detail,
            },
            Err(detail) => Check {
                name: name.into(),
                ok: false,
                detail,
            },
        };
        let mut k = self.kafka.clone();
        k.startup_timeout = k.startup_timeout.min(Duration::from_secs(2));
        let kafka = tokio::task::spawn_blocking(move || {
            let dlq = k.dlq_topic();
            kafka::check_topics(&k, &[(&k.input_topic, "input_topic"), (&dlq, "dlq_topic")])
        });
        let genesys = tokio::time::timeout(
            Duration::from_secs(3),
            self.handler.deliverer.client().check_credentials(),
        );
        let audit = tokio::time::timeout(Duration::from_secs(2), self.handler.audit.head());
        let (kafka, genesys, audit) = tokio::join!(kafka, genesys, audit);
        let rules = self.handler.rules.load();
        let rules_detail = match self.reloader.as_ref().and_then(|r| r.last_error()) {
            Some(e) => format!(
                "version {} live; the last reload was refused: {e}",
                rules.version()
            ),
            None => format!("version {}", rules.version()),
        };
        vec![
            check(
                "kafka",
                match kafka {
                    Ok(Ok(_)) => Ok("brokers reachable, topics present".into()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(e.to_string()),
                },
            ),
            check(
                "genesys",
                match genesys {
                    Ok(Ok(())) => Ok("token available".into()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err("no token within 3 s".into()),
                },
            ),
            check(
                "audit",
                match audit {
                    Ok(Ok(h)) => Ok(format!("head {}", h.map_or(0, |h| h.0))),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err("no answer within 2 s".into()),
                },
            ),
            check("rules", Ok(rules_detail)),
        ]
        .into_iter()
        .chain(self.worker.iter().flat_map(|(stats, cfg)| {
            [
                check("gate", gate_check(&stats.gate(), cfg.unready_when_held)),
                check(
                    "group",
                    super::worker::group_check(&stats.group(), super::worker::join_limit(cfg)),
                ),
            ]
        }))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::gate_check;
    use crate::pipeline::worker::GateStatus;
    use std::time::Duration;

    #[test]
    fn the_gate_makes_the_worker_unready_only_once_events_were_held_for_the_limit() {
        let limit = Duration::from_secs(60);
        let s = |closed: Option<u64>, held, oldest: Option<u64>| GateStatus {
            closed_for: closed.map(Duration::from_secs),
            held,
            oldest_held: oldest.map(Duration::from_secs),
        };
        assert_eq!(gate_check(&s(None, 0, None), limit), Ok("open".into()));
        let short = gate_check(&s(Some(10), 3, Some(9)), limit).expect("ready");
        assert!(
            short.contains("closed for 10 s") && short.contains("3 event(s) held"),
            "{short}"
        );
        let long = gate_check(&s(Some(61), 40, Some(61)), limit).expect_err("unready");
        assert!(
            long.contains("not ready after 60 s") && long.contains("oldest for 61 s"),
            "{long}"
        );
        // Closed long ago but holding nothing yet (no traffic) is an outage too.
        assert!(gate_check(&s(Some(60), 0, None), limit).is_err());
        // Reopened, but one event held long ago has not gone through yet.
        assert!(gate_check(&s(None, 1, Some(70)), limit).is_err());
    }
}
