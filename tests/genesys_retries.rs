//! The retry policy against the mock's injected faults over real HTTP: Retry-After honoured,
//! 5xx backed off, permanent 4xx not retried, timeouts and dropped connections retried, bounds kept.

mod common;

use std::time::{Duration, Instant};

use escalation_masker::genesys::{GenesysError, Rejection};
use escalation_masker::mock_genesys::{Fault, FaultKind, MockConfig};
use reqwest::Method;

fn fault(kind: FaultKind, count: u32) -> Fault {
    Fault {
        kind,
        conversation_id: None,
        count,
        rate: None,
    }
}

const PATH: &str = "/api/v2/conversations/c1";

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    client.check_credentials().await.expect("token");
    m.state
        .add_fault(fault(FaultKind::RateLimit { retry_after: 1 }, 2));
    let start = Instant::now();
    let resp = client
        .call(Method::GET, PATH, None)
        .await
        .expect("succeeds after two 429s");
    let waited = start.elapsed();
    assert_eq!(resp.attempts, 3);
    assert!(
        waited >= Duration::from_secs(2),
        "Retry-After: 1 twice means at least 2 s, waited {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(4),
        "and not much more: {waited:?}"
    );
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_fails_instead_of_stalling() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    m.state
        .add_fault(fault(FaultKind::RateLimit { retry_after: 600 }, 1));
    let start = Instant::now();
    let err = client.call(Method::GET, PATH, None).await.unwrap_err();
    assert!(
        matches!(err, GenesysError::RetryAfterTooLong(d) if d == Duration::from_secs(600)),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn server_errors_back_off_then_succeed_but_501_is_permanent() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    m.state
        .add_fault(fault(FaultKind::ServerError { status: 503 }, 1));
    m.state
        .add_fault(fault(FaultKind::ServerError { status: 502 }, 1));
    let resp = client
        .call(Method::GET, PATH, None)
        .await
        .expect("succeeds on the third attempt");
    assert_eq!(resp.attempts, 3);
    assert_eq!(
        client
            .stats()
            .retries
            .load(std::sync::atomic::Ordering::Relaxed),
        2
    );

    m.state
        .add_fault(fault(FaultKind::ServerError { status: 501 }, 1));
    let err = client.call(Method::GET, PATH, None).await.unwrap_err();
    assert!(
        matches!(
            err,
            GenesysError::Rejected {
                kind: Rejection::NotImplemented,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn persistent_server_errors_exhaust_the_attempts() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    client.check_credentials().await.expect("token");
    m.state.add_fault(Fault {
        kind: FaultKind::ServerError { status: 503 },
        conversation_id: None,
        count: 1,
        rate: Some(1.0),
    });
    let before = m.state.api_requests();
    let err = client.call(Method::GET, PATH, None).await.unwrap_err();
    match &err {
        GenesysError::Exhausted { attempts, .. } => assert_eq!(*attempts, 5),
        other => panic!("expected Exhausted, got {other}"),
    }
    assert_eq!(
        m.state.api_requests() - before,
        5,
        "exactly max_attempts requests"
    );
    assert!(err.is_transient());
    assert!(
        err.to_string()
            .contains("HTTP 503 code=service.unavailable contextId="),
        "{err}"
    );
}

#[tokio::test]
async fn permanent_rejections_are_not_retried_and_say_which() {
    let m = common::mock(MockConfig {
        strict: true,
        ..MockConfig::default()
    })
    .await;
    let client = common::client(&common::genesys_config(&m.base));
    client.check_credentials().await.expect("token");
    let before = m.state.api_requests();
    let err = client
        .call(Method::GET, "/api/v2/conversations/unknown", None)
        .await
        .unwrap_err();
    match &err {
        GenesysError::Rejected { kind, info } => {
            assert_eq!(*kind, Rejection::NotFound);
            assert_eq!(info.status, 404);
            assert_eq!(info.code.as_deref(), Some("not.found"));
            assert!(info.context_id.is_some());
        }
        other => panic!("expected a rejection, got {other}"),
    }
    assert_eq!(m.state.api_requests() - before, 1, "no retry");
    assert_eq!(err.class(), "not_found");
    assert!(!err.is_transient());

    m.state.seed_conversation("c1");
    let err = client
        .call(
            Method::PATCH,
            "/api/v2/conversations/c1/participants/c1-customer/attributes",
            Some(br#"{"attributes":{"n":1}}"#),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            GenesysError::Rejected {
                kind: Rejection::BadRequest,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn timeouts_and_dropped_connections_are_retried() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    client.check_credentials().await.expect("token");
    m.state
        .add_fault(fault(FaultKind::Slow { delay_ms: 3_000 }, 1)); // past the 2 s request timeout
    let start = Instant::now();
    let resp = client
        .call(Method::GET, PATH, None)
        .await
        .expect("recovers after a timeout");
    assert_eq!(resp.attempts, 2);
    assert!(start.elapsed() >= Duration::from_secs(2));

    m.state.add_fault(fault(FaultKind::Drop, 1));
    let resp = client
        .call(Method::GET, PATH, None)
        .await
        .expect("recovers after a dropped connection");
    assert_eq!(resp.attempts, 2);
}

#[tokio::test]
async fn faults_can_be_injected_over_http_per_conversation() {
    let m = common::default_mock().await;
    let http = reqwest::Client::new();
    let post = |body: &'static str| {
        http.post(format!("{}/mock/faults", m.base))
            .body(body)
            .send()
    };
    let resp =
        post(r#"{"kind":"server_error","status":500,"count":1,"conversationId":"only-this"}"#)
            .await
            .expect("post");
    assert_eq!(resp.status(), 204);
    let resp = post(r#"{"kind":"server_error","sttaus":500}"#)
        .await
        .expect("post");
    assert_eq!(resp.status(), 400, "typos are refused");
    let client = common::client(&common::genesys_config(&m.base));
    let other = client
        .call(Method::GET, "/api/v2/conversations/another", None)
        .await
        .expect("unaffected");
    assert_eq!(other.attempts, 1);
    let hit = client
        .call(Method::GET, "/api/v2/conversations/only-this", None)
        .await
        .expect("recovers");
    assert_eq!(hit.attempts, 2);
    let stats: serde_json::Value = http
        .get(format!("{}/mock/stats", m.base))
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("json");
    assert_eq!(stats["apiRequests"], 3);
}
