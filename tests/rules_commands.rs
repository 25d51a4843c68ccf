//! `rules check`, `rules test`, `rules explain` and `rules diff` through the real binary: every problem
//! is reported with file, line and rule id; bad rule input never crashes the binary.

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_escalation-masker"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("RUST_LOG", "error");
    c
}

fn rules_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write rule file");
    }
    dir
}

fn run(args: &[&str], dir: &Path) -> (Option<i32>, String, String) {
    let out: Output = bin().args(args).arg(dir).output().expect("runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn shipped_rules_check_and_test_clean() {
    let (code, stdout, _) = run(&["rules", "check"], Path::new("masking-rules"));
    assert_eq!(code, Some(0));
    assert!(
        stdout.starts_with("ok: ") && stdout.contains("version sha256:"),
        "{stdout}"
    );
    let (code, stdout, _) = run(&["rules", "test"], Path::new("masking-rules"));
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");
}

#[test]
fn check_reports_every_problem_with_file_line_and_rule() {
    let dir = rules_dir(&[
        (
            "10-a.toml",
            concat!(
                "[[rule]]\n",                    // 1
                "id = \"bad-regex\"\n",          // 2
                "pattern = '(unclosed'\n",       // 3
                "action = \"redact\"\n",         // 4
                "\n",                            // 5
                "[[rule]]\n",                    // 6
                "id = \"dup\"\n",                // 7
                "detector = \"email\"\n",        // 8
                "action = \"redact\"\n",         // 9
                "\n",                            // 10
                "[[rule]]\n",                    // 11
                "id = \"bad-path\"\n",           // 12
                "fields = [\"a..b\"]\n",         // 13
                "action = \"drop\"\n",           // 14
                "\n",                            // 15
                "[[rule]]\n",                    // 16
                "id = \"no-what\"\n",            // 17
                "action = \"drop\"\n",           // 18
                "\n",                            // 19
                "[[rule]]\n",                    // 20
                "id = \"too-much-card\"\n",      // 21
                "detector = \"payment_card\"\n", // 22
                "action = \"mask\"\n",           // 23
                "keep_first = 10\n",             // 24
            ),
        ),
        (
            "20-b.toml",
            "[[rule]]\nid = \"dup\"\ndetector = \"phone\"\naction = \"redact\"\n",
        ),
        (
            "30-c.toml",
            "[[rule]]\nid = \"x\"\ndetector = \"credit_card\"\naction = \"redact\"\n",
        ),
        (
            "40-d.toml",
            "[[rule]]\nid = \"y\"\ndetector = \"email\"\naction = \"encrypt\"\n",
        ),
        (
            "50-e.toml",
            "[[rule]]\nid = \"unkeyed\"\ndetector = \"payment_card\"\naction = \"hash\"\n",
        ),
        ("60-f.toml", "[[rule]\nid = \"broken toml\"\n"),
        (
            "70-g.toml",
            "[[rule]]\nid = \"huge\"\npattern = '\\w{1000}\\w{1000}\\w{1000}'\naction = \"redact\"\n",
        ),
    ]);
    let (code, _, stderr) = run(&["rules", "check"], dir.path());
    assert_eq!(code, Some(1), "{stderr}");
    let expect = [
        "10-a.toml:3: rule `bad-regex`: invalid regex",
        "10-a.toml:13: rule `bad-path`: bad path `a..b`",
        "10-a.toml:17: rule `no-what`: missing key",
        "10-a.toml:24: rule `too-much-card`: keep_first may be 0, 6 or 8",
        "20-b.toml:2: rule `dup`: duplicate id (first defined at ",
        "30-c.toml:3: unknown variant `credit_card`",
        "40-d.toml:4: unknown variant `encrypt`",
        "50-e.toml:1: rule `unkeyed`: action = \"hash\" needs a secret key",
        "60-f.toml:1: ",
        "70-g.toml:3: rule `huge`: pattern is too large",
    ];
    for e in expect {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"));
}

#[test]
fn an_empty_directory_is_refused() {
    let dir = rules_dir(&[]);
    let (code, _, stderr) = run(&["rules", "check"], dir.path());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no rule files"), "{stderr}");
}

#[test]
fn test_reports_failing_examples() {
    let dir = rules_dir(&[(
        "r.toml",
        concat!(
            "[[rule]]\nid = \"order\"\npattern = 'ORD-\\d{5}'\naction = \"redact\"\n",
            "[rule.examples]\nmatches = [\"ORD-12345\", \"ord-12345\"]\nignores = [\"ORD-1234\", \"xORD-99999\"]\n",
        ),
    )]);
    let (code, stdout, _) = run(&["rules", "test"], dir.path());
    assert_eq!(code, Some(1));
    assert!(
        stdout.contains("r.toml:1: rule `order`: example should match but did not: \"ord-12345\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("example should be ignored but matched: \"xORD-99999\""),
        "{stdout}"
    );
    assert!(stdout.contains("2 passed, 2 failed"), "{stdout}");
}

#[test]
fn explain_shows_winning_and_overlapped_matches() {
    let out = bin()
        .args([
            "rules",
            "explain",
            "masking-rules",
            "--text",
            "card 4111 1111 1111 1111 mail a@example.com",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert!(
        stdout.contains("[5..24] rule `payment-card` (detector payment_card, action mask"),
        "{stdout}"
    );
    assert!(stdout.contains("-> ****1111"), "{stdout}");
    assert!(
        stdout.contains("masked: card ****1111 mail [EMAIL]"),
        "{stdout}"
    );
}

#[test]
fn rule_files_extend_the_context_words_explain_and_words_show_them() {
    let dir = rules_dir(&[
        (
            "10-phone.toml",
            "[[rule]]\nid = \"phone\"\ndetector = \"phone\"\naction = \"redact\"\n",
        ),
        (
            "20-words.toml",
            "# Our customers write \"wasap\".\n[words.phone]\nes = [\"wasap*\"]\nremove = [\"gsm\"]\n",
        ),
    ]);
    let out = bin()
        .args(["rules", "explain"])
        .arg(dir.path())
        .args(["--text", "mi wasap: 612399327"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("context word \"wasap\""), "{stdout}");
    assert!(stdout.contains("masked: mi wasap: [PHONE]"), "{stdout}");

    let out = bin()
        .args(["rules", "words", "phone", "--rules"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("1 added, 1 removed"), "{stdout}");
    assert!(stdout.contains("\"wasap*\""), "{stdout}");
    assert!(!stdout.contains("\"gsm\""), "{stdout}");

    // A typo is refused with its place and a suggestion; the directory does not load.
    std::fs::write(
        dir.path().join("20-words.toml"),
        "[words.phone]\nremove = [\"whatsap\"]\n",
    )
    .expect("rewrite");
    let (code, stdout, stderr) = run(&["rules", "check"], dir.path());
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("20-words.toml:2: [words.phone] remove: \"whatsap\" is not one of its words; did you mean `whatsapp*`?"),
        "{stderr}"
    );
    let out = bin()
        .args(["rules", "words", "phnoe"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("did you mean `phone`?"),
        "{stderr}"
    );
}

#[test]
fn diff_shows_what_an_edit_changes_without_values() {
    let old = rules_dir(&[(
        "r.toml",
        "[[rule]]\nid = \"card\"\ndetector = \"payment_card\"\naction = \"mask\"\n",
    )]);
    let new = rules_dir(&[(
        "r.toml",
        "[[rule]]\nid = \"card\"\ndetector = \"payment_card\"\naction = \"mask\"\n\n[[rule]]\nid = \"mail\"\ndetector = \"email\"\naction = \"redact\"\n",
    )]);
    let out = bin()
        .args(["rules", "diff", "--exit-code"])
        .arg(old.path())
        .arg(new.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "--exit-code reports a change");
    let stdout = String::from_utf8(out.stdout).expect("utf8");
    assert!(stdout.contains("line 1 (evt-2026-11-25-0001):"), "{stdout}");
    assert!(
        stdout.contains("+ $.context.message [")
            && stdout.contains("newly masked by `mail` -> [EMAIL]"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("jane.doe@example.com"),
        "diff must not show values"
    );
    let back = bin()
        .args(["rules", "diff"])
        .arg(new.path())
        .arg(old.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8(back.stdout).expect("utf8");
    assert!(
        stdout.contains("no longer masked (was `mail` -> [EMAIL])"),
        "{stdout}"
    );
    assert!(!stdout.contains("@example.com"));
}

#[test]
fn help_documents_every_subcommand() {
    let out = bin().args(["--help"]).output().expect("runs");
    let help = String::from_utf8(out.stdout).expect("utf8");
    for cmd in ["mask", "rules", "--log-format"] {
        assert!(help.contains(cmd), "{help}");
    }
    let out = bin().args(["rules", "--help"]).output().expect("runs");
    let help = String::from_utf8(out.stdout).expect("utf8");
    for cmd in ["check", "test", "explain", "diff"] {
        assert!(help.contains(cmd), "{help}");
    }
}
