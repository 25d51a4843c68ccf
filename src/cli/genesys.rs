//! `escalation-masker patch` and `escalation-masker mock-genesys`.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::{Value, json};

use super::{MockGenesysArgs, PatchArgs};
use crate::config::Config;
use crate::genesys::{Credentials, Deliverer, Delivery, GenesysClient};
use crate::mock_genesys::{self, MockConfig};
use crate::rule_dir::{self, KeyPolicy};

use super::runtime;

pub(super) fn patch(args: &PatchArgs) -> anyhow::Result<ExitCode> {
    let cfg = Config::load(&args.config)?;
    let rs = rule_dir::load(&cfg.rules.dir, KeyPolicy::Required)
        .with_context(|| format!("loading masking rules from {}", cfg.rules.dir.display()))?;
    let mut raw = Vec::new();
    match &args.context_file {
        Some(p) if p.as_os_str() != "-" => {
            raw = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut raw)
                .context("reading the context from stdin")?;
        }
    }
    // serde_json's error names the position, never the content.
    let mut context: Value =
        serde_json::from_slice(&raw).context("the context is not valid JSON")?;
    if !context.is_object() {
        anyhow::bail!("the context must be a JSON object");
    }
    let report = rs.mask_value(&mut context);
    let creds = Credentials::from_env(&cfg.genesys.client_id_env, &cfg.genesys.client_secret_env)?;
    let client = GenesysClient::new(&cfg.genesys, creds)?;
    let deliverer = Deliverer::new(client, &cfg.genesys);
    let map = context.as_object().cloned().unwrap_or_default();
    let delivery = Delivery {
        conversation_id: &args.conversation,
        participant_id: args.participant.as_deref(),
        context: &map,
        event: None,
        event_id: None,
        ruleset_version: rs.version(),
    };
    let result = runtime()?.block_on(deliverer.deliver(&delivery));
    let rules: Vec<Value> = report
        .by_rule()
        .into_iter()
        .map(|(r, n)| json!({"rule": r, "count": n}))
        .collect();
    match result {
        Ok(d) => {
            let out = json!({
                "outcome": "delivered", "conversationId": args.conversation, "participantId": d.participant_id,
                "target": d.target.as_str(), "status": d.status, "attempts": d.attempts,
                "correlationId": d.correlation_id, "bytes": d.bytes, "rulesFired": rules,
                "rulesetVersion": rs.version(),
            });
            println!("{out}");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            let outcome = if e.class() == "unmasked_data_blocked" {
                "blocked"
            } else {
                "failed"
            };
            let out = json!({
                "outcome": outcome, "conversationId": args.conversation, "error": e.class(),
                "message": e.to_string(), "transient": e.is_transient(), "rulesFired": rules,
                "rulesetVersion": rs.version(),
            });
            println!("{out}");
            Ok(ExitCode::from(1))
        }
    }
}

pub(super) fn mock(args: &MockGenesysArgs) -> anyhow::Result<ExitCode> {
    let cfg = MockConfig {
        client_id: args.client_id.clone(),
        client_secret: args.client_secret.clone(),
        token_ttl: args.token_ttl.into(),
        strict: args.strict,
        max_body_bytes: args.max_body_bytes,
    };
    let faults = args
        .fault
        .iter()
        .map(|f| {
            mock_genesys::Fault::from_json(f.as_bytes())
                .map_err(|e| anyhow::anyhow!("--fault {f}: {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let state = mock_genesys::MockState::new(cfg);
        for c in &args.conversation {
            state.seed_conversation(c);
        }
        for f in faults {
            state.add_fault(f);
        }
        tracing::info!(listen = %listener.local_addr()?, client_id = %args.client_id, strict = args.strict, "mock Genesys listening");
        tokio::select! {
            r = mock_genesys::serve(listener, state) => r.context("serving")?,
            _ = tokio::signal::ctrl_c() => tracing::info!("mock Genesys stopping"),
        }
        Ok(ExitCode::SUCCESS)
    })
}
