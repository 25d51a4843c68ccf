//! OAuth against the mock over real HTTP: token fetch, caching, refresh ahead of expiry,
//! single-flight under 50 concurrent calls, 401 → refresh → success, bad credentials.

mod common;

use std::time::Duration;

use escalation_masker::genesys::{Credentials, GenesysClient, GenesysError};
use escalation_masker::mock_genesys::{Fault, FaultKind, MockConfig};
use reqwest::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_token_serves_many_calls_and_50_concurrent_callers_share_one_fetch() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    let calls = (0..50).map(|i| {
        let c = client.clone();
        tokio::spawn(async move {
            c.call(
                Method::GET,
                &format!("/api/v2/conversations/conv-{i}"),
                None,
            )
            .await
        })
    });
    for call in calls {
        let resp = call.await.expect("task").expect("call succeeds");
        assert_eq!(resp.status, 200);
        assert_eq!(resp.attempts, 1);
    }
    assert_eq!(
        client.token_fetches(),
        1,
        "single-flight: one token for 50 concurrent calls"
    );
    assert_eq!(m.state.token_requests(), 1);
    assert_eq!(m.state.api_requests(), 50);
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_ahead_of_expiry() {
    let m = common::mock(MockConfig {
        token_ttl: Duration::from_secs(2),
        ..MockConfig::default()
    })
    .await;
    let client = common::client(&common::genesys_config(&m.base));
    client
        .call(Method::GET, "/api/v2/conversations/c1", None)
        .await
        .expect("first call");
    // Refresh happens at half the lifetime for short tokens: after 1.2 s a new token is fetched
    // before the old one expires, so no call ever sees a 401.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let resp = client
        .call(Method::GET, "/api/v2/conversations/c1", None)
        .await
        .expect("second call");
    assert_eq!(resp.attempts, 1);
    assert_eq!(client.token_fetches(), 2);
    assert_eq!(m.state.api_requests(), 2, "no request was refused");
}

#[tokio::test]
async fn a_401_forces_one_refresh_and_one_retry() {
    let m = common::default_mock().await;
    let client = common::client(&common::genesys_config(&m.base));
    client.check_credentials().await.expect("credentials work");
    m.state.expire_tokens();
    let resp = client
        .call(Method::GET, "/api/v2/conversations/c1", None)
        .await
        .expect("call recovers");
    assert_eq!(resp.status, 200);
    assert_eq!(client.token_fetches(), 2);
    assert_eq!(
        m.state.api_requests(),
        2,
        "one refused call, one retried call"
    );

    // A 401 that persists with a fresh token is an auth failure, not a loop.
    m.state.add_fault(Fault {
        kind: FaultKind::Unauthorized,
        conversation_id: None,
        count: 2,
        rate: None,
    });
    let err = client
        .call(Method::GET, "/api/v2/conversations/c1", None)
        .await
        .unwrap_err();
    assert!(matches!(err, GenesysError::Auth(_)), "{err}");
}

#[tokio::test]
async fn wrong_credentials_are_a_clear_auth_error() {
    let m = common::default_mock().await;
    let client = GenesysClient::new(
        &common::genesys_config(&m.base),
        Credentials::new("mock-client", "wrong"),
    )
    .expect("client builds");
    let err = client.check_credentials().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 401") && text.contains("invalid_client"),
        "{text}"
    );
    assert!(
        !text.contains("wrong"),
        "the secret never appears in errors"
    );
    assert_eq!(err.class(), "auth_failed");
}

#[tokio::test]
async fn the_token_endpoint_checks_what_genesys_checks() {
    let m = common::default_mock().await;
    let http = reqwest::Client::new();
    let url = format!("{}/oauth/token", m.base);
    let json_body = http
        .post(&url)
        .basic_auth("mock-client", Some("mock-secret"))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .expect("post");
    assert_eq!(json_body.status(), 400);
    let wrong_grant = http
        .post(&url)
        .basic_auth("mock-client", Some("mock-secret"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong_grant.status(), 400);
    let body: serde_json::Value = wrong_grant.json().await.expect("json");
    assert_eq!(body["error"], "unsupported_grant_type");
    let ok = http
        .post(&url)
        .basic_auth("mock-client", Some("mock-secret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("post");
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 86399);
    // An API call without the token is refused in Genesys' error shape.
    let anon = http
        .get(format!("{}/api/v2/conversations/c1", m.base))
        .send()
        .await
        .expect("get");
    assert_eq!(anon.status(), 401);
    let err: serde_json::Value = anon.json().await.expect("json");
    assert_eq!(err["status"], 401);
    assert!(err["contextId"].is_string() && err["code"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_login_outage_is_retried_and_waiters_share_one_failed_fetch() {
    let m = common::default_mock().await;
    let mut cfg = common::genesys_config(&m.base);
    // Nothing listens on port 9 of loopback: every token fetch fails to connect.
    cfg.login_base_url = Some("http://127.0.0.1:9".into());
    cfg.retry.max_attempts = 3;
    let client = common::client(&cfg);
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move {
                c.call(Method::GET, &format!("/api/v2/conversations/l{i}"), None)
                    .await
            })
        })
        .collect();
    for c in calls {
        let err = c.await.expect("task").unwrap_err();
        assert_eq!(err.class(), "unavailable", "{err}");
        assert!(err.is_transient());
        assert!(err.to_string().contains("token request failed"), "{err}");
    }
    assert!(
        client.token_fetches() <= 10,
        "20 callers × 3 attempts shared fetches: {}",
        client.token_fetches()
    );
    assert_eq!(m.state.api_requests(), 0);
}
