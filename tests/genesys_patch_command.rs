//! `escalation-masker mock-genesys` and `escalation-masker patch` as processes: the operator's path
//! from a context file to a masked delivery, checked through the mock's inspection endpoint.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_escalation-masker"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "warn");
    c
}

fn start_mock(port: u16) -> Killed {
    let child = bin()
        .args([
            "mock-genesys",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--client-id",
            "ops",
            "--client-secret",
            "s3cret",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mock starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "mock did not start listening");
        std::thread::sleep(Duration::from_millis(20));
    }
    Killed(child)
}

#[test]
fn patch_masks_and_delivers_and_reports_the_outcome() {
    let port = common::free_port();
    let _mock = start_mock(port);
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    let rules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules");
    std::fs::write(
        &config,
        format!(
            "[rules]\ndir = {rules:?}\n\n[genesys]\napi_base_url = \"http://127.0.0.1:{port}\"\nclient_id_env = \"EM_T_ID\"\nclient_secret_env = \"EM_T_SECRET\"\n"
        ),
    )
    .expect("write config");
    let run_with = |secret: &str, context: &str| {
        let mut child = bin()
            .args([
                "patch",
                "--config",
                config.to_str().expect("utf8"),
                "--conversation",
                "conv-77",
            ])
            .env("EM_T_ID", "ops")
            .env("EM_T_SECRET", secret)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("patch starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(context.as_bytes())
            .expect("write");
        child.wait_with_output().expect("patch finishes")
    };
    let out = run_with(
        "s3cret",
        r#"{"orderStatus":"PAYMENT_FAILED","note":"card 4111 1111 1111 1111","cvv":"123"}"#,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outcome: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(outcome["outcome"], "delivered");
    assert_eq!(outcome["participantId"], "conv-77-customer");
    assert_eq!(outcome["status"], 202);

    let received: serde_json::Value = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            reqwest::get(format!(
                "http://127.0.0.1:{port}/mock/received?conversationId=conv-77"
            ))
            .await?
            .json()
            .await
        })
        .expect("inspection endpoint answers");
    let attrs = &received[0]["body"]["attributes"];
    assert_eq!(attrs["note"], "card ****1111");
    assert_eq!(attrs["orderStatus"], "PAYMENT_FAILED");
    assert!(
        attrs.get("cvv").is_none(),
        "the cvv field was dropped by the rules"
    );
    assert!(
        attrs["rulesetVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("sha256:"))
    );
    assert!(!received.to_string().contains("4111 1111"));

    // Wrong credentials: a clear failure line, non-zero exit, no secret in the output.
    let out = run_with("nope-not-it", r#"{"a":"b"}"#);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"error\":\"auth_failed\""), "{stdout}");
    assert!(!stdout.contains("nope-not-it"));
}
