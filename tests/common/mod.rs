//! Shared set-up for the Genesys integration tests: a mock server on a free loopback port and a
//! client configuration pointed at it with fast retry timings.

#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use escalation_masker::config::{Config, GenesysConfig, Target};
use escalation_masker::genesys::{Credentials, Deliverer, GenesysClient};
use escalation_masker::mock_genesys::{self, MockConfig, MockState};

/// A running mock and its base URL.
pub struct Mock {
    pub base: String,
    pub state: Arc<MockState>,
}

pub async fn mock(cfg: MockConfig) -> Mock {
    let (addr, state) = mock_genesys::spawn("127.0.0.1:0", cfg)
        .await
        .expect("mock starts");
    Mock {
        base: format!("http://{addr}"),
        state,
    }
}

pub async fn default_mock() -> Mock {
    mock(MockConfig::default()).await
}

/// A client configuration for `base` with quick retries and a generous rate limit.
pub fn genesys_config(base: &str) -> GenesysConfig {
    let text = format!(
        "[genesys]\napi_base_url = \"{base}\"\nrequest_timeout = \"2s\"\nconnect_timeout = \"1s\"\n\
         [genesys.retry]\nmax_attempts = 5\nmax_elapsed = \"20s\"\ninitial_backoff = \"20ms\"\nmax_backoff = \"200ms\"\nmax_retry_after = \"5s\"\n\
         [genesys.rate_limit]\nrequests_per_minute = 60000\nburst = 1000\n"
    );
    let cfg = Config::parse(&text).expect("test config parses");
    cfg.validate().expect("test config is valid");
    cfg.genesys
}

pub fn creds() -> Credentials {
    Credentials::new("mock-client", "mock-secret")
}

pub fn client(cfg: &GenesysConfig) -> GenesysClient {
    GenesysClient::new(cfg, creds()).expect("client builds")
}

pub fn deliverer(cfg: &GenesysConfig) -> Deliverer {
    Deliverer::new(client(cfg), cfg)
}

pub fn with_target(mut cfg: GenesysConfig, target: Target) -> GenesysConfig {
    cfg.target = target;
    cfg
}

pub const SHORT: Duration = Duration::from_millis(50);
