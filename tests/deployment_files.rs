//! No container engine runs where these tests run, so the deployment files are checked statically:
//! the compose file's services, dependencies, healthchecks, volumes and environment against the
//! configuration schema, and the Dockerfile's stages, user and healthcheck.

use std::collections::BTreeSet;
use std::path::Path;

use escalation_masker::config::{Config, ENV_OVERRIDES};
use serde_norway::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn compose() -> Value {
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).expect("compose file");
    serde_norway::from_str(&text).expect("valid YAML")
}

fn service<'a>(c: &'a Value, name: &str) -> &'a Value {
    c.get("services")
        .and_then(|s| s.get(name))
        .unwrap_or_else(|| panic!("service {name} missing"))
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

#[test]
fn the_compose_stack_has_every_service_wired_and_checked() {
    let c = compose();
    let names: BTreeSet<String> = c["services"]
        .as_mapping()
        .expect("services")
        .keys()
        .filter_map(|k| k.as_str().map(str::to_string))
        .collect();
    for s in [
        "kafka",
        "kafka-topics",
        "postgres",
        "mock-genesys",
        "masker",
    ] {
        assert!(names.contains(s), "{s} missing: {names:?}");
    }

    // Kafka in KRaft mode, one node, no ZooKeeper anywhere.
    let kafka = service(&c, "kafka");
    assert_eq!(
        kafka["environment"]["KAFKA_PROCESS_ROLES"],
        "broker,controller"
    );
    assert!(
        !serde_norway::to_string(&c)
            .expect("yaml")
            .to_lowercase()
            .contains("zookeeper")
    );
    assert!(kafka["healthcheck"]["test"].is_sequence());

    // The topics the worker reads and dead-letters to are created before it starts.
    let topics = serde_norway::to_string(&service(&c, "kafka-topics")["command"]).expect("yaml");
    for t in ["--topic escalations ", "--topic escalations.dlq "] {
        assert!(topics.contains(t), "{t} not created");
    }

    let masker = service(&c, "masker");
    assert_eq!(masker["build"], ".");
    let deps = &masker["depends_on"];
    assert_eq!(
        deps["kafka-topics"]["condition"],
        "service_completed_successfully"
    );
    assert_eq!(deps["postgres"]["condition"], "service_healthy");
    let health = strings(&masker["healthcheck"]["test"]).join(" ");
    assert!(health.contains("/healthz"), "{health}");
    assert!(
        strings(&masker["ports"])
            .iter()
            .any(|p| p.ends_with(":9090"))
    );
    assert!(service(&c, "postgres")["healthcheck"]["test"].is_sequence());

    // Environment: every ESCALATION_MASKER_ variable is one the config understands; secrets are
    // references to the host environment, never literals (local defaults aside).
    let env = masker["environment"].as_mapping().expect("environment map");
    let mut overrides = BTreeSet::new();
    for (k, v) in env {
        let k = k.as_str().expect("key");
        if k.starts_with("ESCALATION_MASKER_") && k != "ESCALATION_MASKER_CONTINUITY_KEY" {
            assert!(ENV_OVERRIDES.contains(&k), "{k} is not read by the worker");
            overrides.insert(k.to_string());
        }
        if k.contains("SECRET") || k.contains("KEY") || k.contains("PASSWORD") {
            assert!(
                v.as_str().is_some_and(|v| v.contains("${")),
                "{k} must come from the environment"
            );
        }
    }
    assert!(overrides.contains("ESCALATION_MASKER_KAFKA_BROKERS"));
    assert!(overrides.contains("ESCALATION_MASKER_AUDIT_DB"));
    let db = env
        .get("ESCALATION_MASKER_AUDIT_DB")
        .and_then(Value::as_str)
        .expect("audit db");
    assert!(
        db.starts_with("postgres://") && db.contains("@postgres:5432/"),
        "{db}"
    );

    // Config and rules are mounted where the mounted config expects them, and the config loads.
    let volumes = strings(&masker["volumes"]);
    let target_of = |src: &str| {
        volumes
            .iter()
            .find(|v| v.starts_with(src))
            .and_then(|v| v.split(':').nth(1))
            .unwrap_or_else(|| panic!("{src} not mounted: {volumes:?}"))
            .to_string()
    };
    let config_target = target_of("./deploy/config.toml");
    let rules_target = target_of("./masking-rules");
    let cfg = Config::load(&root().join("deploy/config.toml")).expect("deploy/config.toml loads");
    let expected_rules = Path::new(&config_target)
        .parent()
        .expect("config dir")
        .join(cfg.rules.dir.file_name().expect("rules dir name"));
    assert_eq!(Path::new(&rules_target), expected_rules);
    let command = strings(&masker["command"]).join(" ");
    assert!(
        command.contains(&format!("--config {config_target}")),
        "{command}"
    );
}

#[test]
fn the_dockerfile_builds_in_stages_and_runs_unprivileged() {
    let text = std::fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let from: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(from.len(), 2, "a build stage and a runtime stage");
    assert!(from[0].contains(" AS build"));
    assert!(from[1].contains("slim"), "small runtime image: {}", from[1]);
    assert!(text.contains("COPY --from=build "));
    let user = text
        .lines()
        .find(|l| l.starts_with("USER "))
        .expect("a USER line");
    assert!(!user.contains("root") && !user.contains(" 0"), "{user}");
    assert!(text.contains("HEALTHCHECK") && text.contains("/healthz"));
    assert!(text.contains("cargo build --release --locked"));
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).expect(".dockerignore");
    assert!(ignore.lines().any(|l| l.trim() == "target"));
}
