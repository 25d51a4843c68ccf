//! `run` checks every dependency before taking an event and says clearly what is wrong: brokers
//! unreachable, a topic missing, Genesys credentials rejected, the audit database unusable.

mod common;

use std::process::Command;

use common::kafka::{self as kh, Broker};

fn run(config: &std::path::Path, secret: &str) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
        .args(["run", "--config"])
        .arg(config)
        .env("GENESYS_CLIENT_ID", "mock-client")
        .env("GENESYS_CLIENT_SECRET", secret)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_missing_dependency_is_named_and_the_worker_exits_2() {
    let broker = Broker::start();
    let mut kcfg = broker.kafka_config("startup", 1);
    let mock = common::default_mock().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("audit.db");
    let extra = "[kafka.properties]\n\"socket.timeout.ms\" = \"2000\"\n";

    // Wrong Genesys secret: refused, and the secret is not printed.
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &db, "");
    let (code, err) = run(&config, "not-the-secret-42");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("Genesys"), "{err}");
    assert!(!err.contains("not-the-secret-42"));

    // A missing topic.
    kcfg.input_topic = "no-such-topic".into();
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &db, extra);
    let (code, err) = run(&config, "mock-secret");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("\"no-such-topic\" (input_topic) does not exist"),
        "{err}"
    );

    // Brokers nobody listens on.
    kcfg.brokers = "127.0.0.1:1".into();
    kcfg.input_topic = "startup".into();
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &db, extra);
    let text = std::fs::read_to_string(&config).expect("config").replace(
        "input_topic = \"startup\"",
        "input_topic = \"startup\"\nstartup_timeout = \"3s\"",
    );
    std::fs::write(&config, text).expect("config");
    let (code, err) = run(&config, "mock-secret");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot reach the Kafka brokers 127.0.0.1:1"),
        "{err}"
    );

    // An audit database that cannot be opened (a directory in the way).
    let kcfg = broker.kafka_config("startup2", 1);
    let blocked = dir.path().join("dir-not-db");
    std::fs::create_dir_all(&blocked).expect("dir");
    let config = kh::write_config(dir.path(), &kcfg, &mock.base, &blocked, "");
    let (code, err) = run(&config, "mock-secret");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("audit store"), "{err}");
}
