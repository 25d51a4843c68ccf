//! Editing rules under a running worker (the `run` binary): a valid edit goes live for later
//! events, whose audit records name the new version; an invalid edit and an emptied directory are
//! refused with the reason in `/readyz` and metrics while the old rules keep masking; the operator
//! API reloads on demand.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::kafka::{self as kh, Broker};
use escalation_masker::admin::auth::hash_token;
use escalation_masker::audit::{AuditStore, Query, SqliteStore};
use serde_json::Value;

const EXTRA_RULE: &str = r#"
[[rule]]
id = "ticket-reference"
description = "Internal ticket references: TKT- and 6 digits."
pattern = '\bTKT-\d{6}\b'
action = "redact"
placeholder = "[TICKET]"

[rule.examples]
matches = ["see TKT-123456"]
ignores = ["TKT-12"]
"#;

async fn readyz(c: &reqwest::Client, base: &str) -> Value {
    match c
        .get(format!("{base}/readyz"))
        .bearer_auth("ops-token")
        .send()
        .await
    {
        Ok(r) => r.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

fn rules_detail(v: &Value) -> String {
    v["checks"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == "rules"))
        .and_then(|c| c["detail"].as_str())
        .unwrap_or_default()
        .to_string()
}

async fn wait_detail(c: &reqwest::Client, base: &str, f: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let d = rules_detail(&readyz(c, base).await);
        if f(&d) || Instant::now() > deadline {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn last_version(store: &SqliteStore, n: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let all = store.query(&Query::default()).await.expect("query");
        if all.len() >= n {
            return all[n - 1].record.ruleset_version.clone();
        }
        assert!(Instant::now() < deadline, "event {n} not handled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn copy_rules(to: &Path) {
    std::fs::create_dir_all(to).expect("rules dir");
    for f in std::fs::read_dir(kh::rules_dir()).expect("rules").flatten() {
        std::fs::copy(f.path(), to.join(f.file_name())).expect("copy");
    }
}

/// Starts the `run` binary on its own copy of the shipped rules, with the admin server on a free
/// port and the operator token `ops-token`; returns (process, admin base URL, rules dir, audit db).
fn start(
    kcfg: &escalation_masker::config::KafkaConfig,
    genesys: &str,
    dir: &Path,
    admin_extra: &str,
) -> (
    kh::ChildGuard,
    String,
    std::path::PathBuf,
    std::path::PathBuf,
) {
    let rules = dir.join("rules");
    copy_rules(&rules);
    let db = dir.join("audit.db");
    let port = common::free_port();
    let extra = format!(
        "[admin]\nlisten = \"127.0.0.1:{port}\"\noperator_token_sha256 = [\"{}\"]\n{admin_extra}",
        hash_token("ops-token")
    );
    let config = kh::write_config(dir, kcfg, genesys, &db, &extra);
    let text = std::fs::read_to_string(&config).expect("config").replace(
        &kh::rules_dir().display().to_string(),
        &rules.display().to_string(),
    );
    std::fs::write(&config, text).expect("config");
    let child = kh::spawn_worker(&config, &dir.join("worker.log"));
    (child, format!("http://127.0.0.1:{port}"), rules, db)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rule_edits_go_live_fail_closed() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("reload", 1);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, rules, db) = start(&kcfg, &mock.base, dir.path(), "");
    let c = reqwest::Client::new();
    let v1 = wait_detail(&c, &base, |d| d.starts_with("version ")).await;
    assert!(v1.starts_with("version sha256:"), "worker not ready: {v1}");

    let store = SqliteStore::open(&db).await.expect("audit");
    let send = |i: usize| {
        let payload = format!(
            r#"{{"eventId":"r-{i}","conversationId":"conv-r","context":{{"note":"see TKT-123456, card 4111 1111 1111 1111"}}}}"#
        );
        let kcfg = kcfg.clone();
        async move {
            kh::produce(
                &kcfg,
                "reload",
                &[(Some("conv-r".into()), payload.into_bytes())],
            )
            .await
        }
    };
    send(1).await;
    let first = last_version(&store, 1).await;
    assert!(v1.contains(&first), "{v1} vs {first}");

    // A valid edit: a new rule file. It goes live without a restart.
    std::fs::write(rules.join("60-tickets.toml"), EXTRA_RULE).expect("write rule");
    let v2 = wait_detail(&c, &base, |d| d != v1 && !d.contains("refused")).await;
    assert_ne!(v2, v1, "the edit was not picked up");
    send(2).await;
    let second = last_version(&store, 2).await;
    assert_ne!(second, first);
    assert!(v2.contains(&second));
    let sent = mock.state.received();
    assert_eq!(sent.len(), 2);
    assert!(
        sent[0].body["attributes"]["note"]
            .as_str()
            .expect("note")
            .contains("TKT-123456")
    );
    assert_eq!(
        sent[1].body["attributes"]["note"],
        "see [TICKET], card ****1111"
    );

    // An invalid edit: refused with file and line, the previous rules stay live.
    std::fs::write(
        rules.join("70-broken.toml"),
        "[[rule]]\nid = \"broken\"\npattern = '(unclosed'\naction = \"mask\"\n",
    )
    .expect("write broken");
    let refused = wait_detail(&c, &base, |d| d.contains("refused")).await;
    assert!(refused.contains("70-broken.toml:"), "{refused}");
    assert!(refused.contains(&second), "{refused}");
    send(3).await;
    assert_eq!(last_version(&store, 3).await, second);
    let metrics = c
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"escalation_rule_reloads_total{result="failure"}"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!(
            r#"escalation_ruleset_info{{version="{second}"}} 1"#
        )),
        "{metrics}"
    );

    // Every file deleted: refused too.
    for f in std::fs::read_dir(&rules).expect("rules").flatten() {
        std::fs::remove_file(f.path()).expect("rm");
    }
    let emptied = wait_detail(&c, &base, |d| d.contains("no rule files")).await;
    assert!(
        emptied.contains("refusing to run with an empty ruleset"),
        "{emptied}"
    );
    send(4).await;
    assert_eq!(last_version(&store, 4).await, second);

    // The operator API: back to the shipped rules on demand.
    copy_rules(&rules);
    let r = c
        .post(format!("{base}/api/rules/reload"))
        .bearer_auth("ops-token")
        .send()
        .await
        .expect("reload");
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["version"].as_str(), Some(first.as_str()));

    assert!(child.terminate().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_when_watching_is_off() {
    let broker = Broker::start();
    let kcfg = broker.kafka_config("hup", 1);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (mut child, base, rules, _db) =
        start(&kcfg, &mock.base, dir.path(), "watch_rules = false\n");
    let c = reqwest::Client::new();
    let v1 = wait_detail(&c, &base, |d| d.starts_with("version ")).await;
    assert!(v1.starts_with("version sha256:"), "{v1}");

    std::fs::write(rules.join("60-tickets.toml"), EXTRA_RULE).expect("write rule");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        rules_detail(&readyz(&c, &base).await),
        v1,
        "not watching: nothing changed yet"
    );
    std::process::Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill -HUP");
    let v2 = wait_detail(&c, &base, |d| d != v1).await;
    assert!(v2.starts_with("version sha256:") && v2 != v1, "{v2}");

    assert!(child.terminate().success());
}
