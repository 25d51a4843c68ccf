//! The client-side rate limiter holds the configured rate against the mock.

mod common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use reqwest::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_limiter_holds_the_configured_rate() {
    let m = common::default_mock().await;
    let mut cfg = common::genesys_config(&m.base);
    cfg.rate_limit.requests_per_minute = 600; // 10 per second
    cfg.rate_limit.burst = 2;
    let client = common::client(&cfg);
    let start = Instant::now();
    let calls: Vec<_> = (0..12)
        .map(|i| {
            let c = client.clone();
            tokio::spawn(async move {
                c.call(Method::GET, &format!("/api/v2/conversations/r{i}"), None)
                    .await
            })
        })
        .collect();
    for c in calls {
        c.await.expect("task").expect("call");
    }
    let elapsed = start.elapsed();
    // 2 at once, then one every 100 ms: the 12th goes at about 1.0 s.
    assert!(
        elapsed >= Duration::from_millis(950),
        "12 calls at 10/s with burst 2 took only {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    assert!(client.stats().rate_limited_waits.load(Ordering::Relaxed) >= 9);
    assert_eq!(m.state.api_requests(), 12);
}
