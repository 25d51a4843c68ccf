//! The `mask` command end to end, through the real binary: JSON Lines in order, bad lines reported
//! by number and never echoed, reports without values, text mode, pretty-printed documents.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_escalation-masker"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "warn");
    c
}

fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    run_cmd_with_stdin(bin().args(args), stdin)
}

fn run_cmd_with_stdin(cmd: &mut Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    child.wait_with_output().expect("binary finishes")
}

#[test]
fn masks_jsonl_in_order_and_reports_bad_lines_without_echoing_them() {
    let input = concat!(
        r#"{"eventId":"e1","context":{"note":"card 4111 1111 1111 1111"}}"#,
        "\n",
        r#"{"eventId":"e2","context":{"note":"broken 5555555555554444"#,
        "\n",
        "\n",
        r#"{"eventId":"e3","context":{"email":"x@example.com","pan":5555555555554444}}"#,
        "\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("report.jsonl");
    let out = run_with_stdin(
        &[
            "mask",
            "--rules",
            "masking-rules",
            "--report",
            report.to_str().expect("utf8"),
        ],
        input.as_bytes(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line makes the exit status non-zero"
    );
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    let stderr = String::from_utf8(out.stderr).expect("utf8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "one output line per good input line: {stdout}"
    );
    assert!(lines[0].contains(r#""eventId":"e1""#) && lines[0].contains("****1111"));
    assert!(lines[1].contains(r#""eventId":"e3""#) && lines[1].contains(r#""pan":"****4444""#));
    assert!(
        stderr.contains("line 2"),
        "stderr names the bad line: {stderr}"
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("5555555555554444") && !text.contains("4111 1111"),
            "raw card leaked (output not echoed)"
        );
    }
    let report = std::fs::read_to_string(&report).expect("report written");
    let entries: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).expect("report is JSONL"))
        .collect();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["line"], 1);
    assert_eq!(entries[0]["findings"][0]["rule"], "payment-card");
    assert_eq!(entries[0]["findings"][0]["path"], "$.context.note");
    assert_eq!(entries[1]["line"], 2);
    assert!(
        entries[1]["error"]
            .as_str()
            .expect("error text")
            .starts_with("invalid JSON")
    );
    assert_eq!(entries[2]["line"], 4);
    assert!(
        entries[2]["ruleset_version"]
            .as_str()
            .expect("version")
            .starts_with("sha256:")
    );
    assert!(!report.contains("5555555555554444") && !report.contains("x@example.com"));
}

#[test]
fn json_errors_never_quote_the_input() {
    let input = concat!(
        r#"{"$serde_json::private::Number": 4111111111111111}"#,
        "\n",
        r#"{"a": tru 4111111111111111}"#,
        "\n"
    );
    let out = run_with_stdin(&["mask"], input.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 1: invalid JSON") && stderr.contains("line 2: invalid JSON"),
        "{stderr}"
    );
    assert!(!stderr.contains("4111"), "{stderr}");
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let mut input = b"{\"a\":\"ok\"}\n".to_vec();
    input.extend_from_slice(b"{\"a\":\"\xff\xfe 4111111111111111\"}\n");
    input.extend_from_slice(b"{\"b\":1}\n");
    let out = run_with_stdin(&["mask"], &input);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 2: invalid UTF-8"), "{stderr}");
    assert!(!stderr.contains("4111111111111111"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
}

#[test]
fn text_mode_masks_plain_lines() {
    let out = run_with_stdin(
        &["mask", "--text"],
        b"call +44 20 7946 0958 about 4111-1111-1111-1111\nnothing here\n",
    );
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(stdout, "call ****58 about ****1111\nnothing here\n");
}

#[test]
fn pretty_printed_document_is_one_document() {
    let input = "{\n  \"eventId\": \"e1\",\n  \"context\": {\n    \"note\": \"IBAN DE89 3704 0044 0532 0130 00\"\n  }\n}\n";
    let out = run_with_stdin(&["mask"], input.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).expect("utf8"),
        "{\"eventId\":\"e1\",\"context\":{\"note\":\"IBAN ****3000\"}}\n"
    );
}

#[test]
fn masks_the_bundled_example_file() {
    let out = bin()
        .args(["mask", "examples/events.jsonl"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert_eq!(stdout.lines().count(), 24);
    assert!(!stdout.contains("4111 1111 1111 1111"));
}

#[test]
fn missing_rules_directory_is_one_clear_error() {
    let out = bin()
        .args(["mask", "--rules", "no-such-dir", "examples/events.jsonl"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).expect("utf8");
    assert!(
        stderr.starts_with("error: loading masking rules from no-such-dir"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn hash_rules_need_their_key_in_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("r.toml"),
        "[hashing]\nkey_id = \"k1\"\nkey_env = \"EM_TEST_HASH_KEY\"\n\n[[rule]]\nid = \"card-token\"\ndetector = \"payment_card\"\naction = \"hash\"\n",
    )
    .expect("write rules");
    let rules = dir.path().to_str().expect("utf8");
    let out = bin()
        .args(["mask", "--text", "--rules", rules])
        .env_remove("EM_TEST_HASH_KEY")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("$EM_TEST_HASH_KEY is not set"));

    let key = "0123456789abcdef0123456789abcdef";
    let run = |text: &str| {
        let mut cmd = bin();
        cmd.args(["mask", "--text", "--rules", rules])
            .env("EM_TEST_HASH_KEY", key);
        String::from_utf8(run_cmd_with_stdin(&mut cmd, text.as_bytes()).stdout).expect("utf8")
    };
    let a = run("pay 4111 1111 1111 1111\n");
    let b = run("pay 4111-1111-1111-1111\n");
    assert!(
        a.starts_with("pay tok_k1_") && a.trim().len() == "pay tok_k1_".len() + 32,
        "{a}"
    );
    assert_eq!(
        a, b,
        "the same card gives the same token whatever its grouping, across runs"
    );
}

#[test]
fn an_allow_list_that_lets_a_card_through_does_not_print_it() {
    // A compliance edit gone wrong: free text allow-listed. The egress check masks the card with
    // the card rule's action, names the path on stderr and in the report, and the exit status is 1.
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    for entry in std::fs::read_dir("masking-rules").expect("shipped rules") {
        let p = entry.expect("entry").path();
        std::fs::copy(&p, rules.join(p.file_name().expect("name"))).expect("copy");
    }
    std::fs::write(
        rules.join("00-allow.toml"),
        "[allow]\npaths = [\"**.message\", \"$.eventId\"]\n",
    )
    .expect("write");
    let report = dir.path().join("report.jsonl");
    let input = concat!(
        r#"{"eventId":"e1","context":{"message":"card ４１１１ １１１１ １１１１ １１１１ thanks","note":"ok"}}"#,
        "\n",
        r#"{"eventId":"e2","context":{"note":"nothing here"}}"#,
        "\n",
    );
    let out = run_with_stdin(
        &[
            "mask",
            "--rules",
            rules.to_str().expect("utf8"),
            "--report",
            report.to_str().expect("utf8"),
        ],
        input.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1), "an egress finding is an error");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "both documents are still written");
    let first: serde_json::Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(first["context"]["message"], "card ****1111 thanks");
    assert!(
        escalation_masker::egress::find_card(&first).is_none(),
        "a card survived the egress check"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 1") && stderr.contains("$.context.message"),
        "stderr names the line and path: {stderr}"
    );
    assert!(
        !stderr.contains('４') && !stderr.contains("1111"),
        "stderr holds no digits of the card"
    );
    let report = std::fs::read_to_string(&report).expect("report");
    let entries: Vec<serde_json::Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(
        entries[0]["egress"],
        serde_json::json!(["$.context.message"])
    );
    assert!(entries[1].get("egress").is_none());
}
