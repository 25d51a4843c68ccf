//! The admin HTTP server over real HTTP: health, readiness, metrics, the audit API with its token
//! roles, exact-origin CORS, and the security headers of the auditor page.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use escalation_masker::admin::auth::{Tokens, hash_token};
use escalation_masker::admin::{self, AdminState, Check, Readiness};
use escalation_masker::audit::{AuditFinding, SqliteStore};
use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_ORIGIN,
    CONTENT_SECURITY_POLICY, ORIGIN, VARY, WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS,
};
use serde_json::Value;

/// Readiness with fixed answers: these tests are about the HTTP surface, not the checks.
struct Fixed(bool);

#[async_trait]
impl Readiness for Fixed {
    async fn checks(&self) -> Vec<Check> {
        vec![
            Check {
                name: "audit".into(),
                ok: true,
                detail: "head 40".into(),
            },
            Check {
                name: "genesys".into(),
                ok: self.0,
                detail: if self.0 {
                    "token available"
                } else {
                    "auth_failed"
                }
                .into(),
            },
        ]
    }
}

const CONSOLE: &str = "https://audit-console.example.com";

async fn server(ready: bool) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(&dir.path().join("a.db"))
        .await
        .expect("store");
    common::fill(&store, 40).await;
    let state = AdminState {
        audit: Arc::new(store),
        tokens: Tokens::new(
            &[hash_token("auditor-secret")],
            &[hash_token("operator-secret")],
        )
        .expect("tokens"),
        metrics: escalation_masker::metrics::install(),
        readiness: Arc::new(Fixed(ready)),
        reload: None,
        ready_cache: Default::default(),
    };
    let addr = admin::spawn("127.0.0.1:0", state, &[CONSOLE.to_string()])
        .await
        .expect("admin starts");
    (format!("http://{addr}"), dir)
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let (base, _dir) = server(true).await;
    let c = reqwest::Client::new();
    let r = c
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    let r = c
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["ready"], true);

    let (base_down, _dir2) = server(false).await;
    let r = c
        .get(format!("{base_down}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["ready"], false);
    assert_eq!(body["checks"][1]["name"], "genesys");
    assert_eq!(body["checks"][1]["ok"], false);
    assert!(
        body["checks"][1].get("detail").is_none(),
        "reasons need a token"
    );
    let r = c
        .get(format!("{base_down}/readyz"))
        .bearer_auth("auditor-secret")
        .send()
        .await
        .expect("readyz");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["checks"][1]["detail"], "auth_failed");

    escalation_masker::metrics::outcome(
        "dead_lettered",
        "invalid_json",
        &[AuditFinding {
            rule: "payment-card".into(),
            path: "$".into(),
            count: 2,
        }],
        0.03,
    );
    escalation_masker::metrics::genesys_request(Some(429));
    let text = c
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for expected in [
        r#"escalation_events_total{outcome="dead_lettered",reason="invalid_json"}"#,
        r#"escalation_masks_total{rule="payment-card"}"#,
        r#"escalation_genesys_requests_total{status="429"}"#,
        "escalation_end_to_end_seconds_bucket",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn the_audit_api_needs_a_token_and_says_nothing_without_one() {
    let (base, _dir) = server(true).await;
    let c = reqwest::Client::new();
    let url = format!("{base}/api/audit?conversationId=conv-1");
    for auth in [None, Some("Bearer wrong"), Some("Basic YTpi")] {
        let mut req = c.get(&url);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.expect("request");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(r.headers()[WWW_AUTHENTICATE], "Bearer");
        assert_eq!(r.text().await.expect("body"), r#"{"error":"unauthorized"}"#);
    }
    // An auditor may read but not reload rules.
    let r = c
        .post(format!("{base}/api/rules/reload"))
        .bearer_auth("auditor-secret")
        .send()
        .await
        .expect("reload");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.text().await.expect("body"), r#"{"error":"forbidden"}"#);

    let r = c
        .get(&url)
        .bearer_auth("auditor-secret")
        .send()
        .await
        .expect("query");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.expect("json");
    let records = body["records"].as_array().expect("records");
    assert!(!records.is_empty());
    assert!(records.iter().all(|r| r["conversationId"] == "conv-1"));

    let r = c
        .get(format!("{base}/api/audit?outcome=dead_lettered&limit=3"))
        .bearer_auth("operator-secret")
        .send()
        .await
        .expect("query");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["count"], 3);
    assert!(
        body["records"]
            .as_array()
            .expect("records")
            .iter()
            .all(|r| r["outcome"] == "dead_lettered")
    );

    for bad in ["outcome=lost", "since=yesterday", "colour=red"] {
        let r = c
            .get(format!("{base}/api/audit?{bad}"))
            .bearer_auth("auditor-secret")
            .send()
            .await
            .expect("query");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }

    let r = c
        .get(format!("{base}/api/audit/verify"))
        .bearer_auth("auditor-secret")
        .send()
        .await
        .expect("verify");
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["intact"], true);
    assert_eq!(body["verification"]["records"], 40);
}

#[tokio::test]
async fn cors_answers_only_the_listed_console() {
    let (base, _dir) = server(true).await;
    let c = reqwest::Client::new();
    let url = format!("{base}/api/audit");

    // Preflight from the console.
    let r = c
        .request(reqwest::Method::OPTIONS, &url)
        .header(ORIGIN, CONSOLE)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .expect("preflight");
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], CONSOLE);
    let allowed = r.headers()[ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .expect("ascii");
    assert!(allowed.contains("authorization"), "{allowed}");
    assert!(r.headers().get(ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());

    // The actual request from the console.
    let r = c
        .get(&url)
        .header(ORIGIN, CONSOLE)
        .bearer_auth("auditor-secret")
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], CONSOLE);
    let vary: Vec<_> = r
        .headers()
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        vary.iter()
            .any(|v| v.to_ascii_lowercase().contains("origin")),
        "{vary:?}"
    );
    assert!(r.headers().get(ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());

    // Anyone else gets no CORS headers at all (the browser then refuses the response).
    for other in [
        "https://evil.example.com",
        "https://audit-console.example.com.evil.io",
        "null",
    ] {
        let r = c
            .request(reqwest::Method::OPTIONS, &url)
            .header(ORIGIN, other)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .expect("preflight");
        assert!(
            r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{other}"
        );
        let r = c
            .get(&url)
            .header(ORIGIN, other)
            .bearer_auth("auditor-secret")
            .send()
            .await
            .expect("get");
        assert!(
            r.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(),
            "{other}"
        );
    }
}

#[tokio::test]
async fn the_auditor_page_is_self_contained_under_a_strict_policy() {
    let (base, _dir) = server(true).await;
    let c = reqwest::Client::new();
    let mut assets = String::new();
    for path in ["/", "/app.js", "/app.css"] {
        let r = c.get(format!("{base}{path}")).send().await.expect("asset");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let csp = r.headers()[CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("csp")
            .to_string();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(r.headers()[X_CONTENT_TYPE_OPTIONS], "nosniff");
        assets.push_str(&r.text().await.expect("text"));
    }
    // No inline script or style, no third-party assets.
    assert!(!assets.contains("<script>") && !assets.contains("style="));
    assert!(!assets.contains("http://") && !assets.contains("https://"));
    assert!(assets.contains(r#"<script src="/app.js" defer></script>"#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_healthcheck_and_hash_token_commands() {
    let (base, _dir) = server(true).await;
    let results = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let bin = env!("CARGO_BIN_EXE_escalation-masker");
        let up = Command::new(bin)
            .args(["healthcheck", "--url", &format!("{base}/healthz")])
            .status()
            .expect("healthcheck");
        let down = Command::new(bin)
            .args(["healthcheck", "--url", "http://127.0.0.1:1/healthz"])
            .stderr(Stdio::null())
            .status()
            .expect("healthcheck");
        let mut child = Command::new(bin)
            .args(["admin", "hash-token"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("hash-token");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"auditor-secret\n")
            .expect("write");
        let out = child.wait_with_output().expect("output");
        (
            up,
            down,
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
        )
    })
    .await
    .expect("commands");
    assert!(results.0.success());
    assert_eq!(results.1.code(), Some(1));
    assert_eq!(results.2, hash_token("auditor-secret"));
}
