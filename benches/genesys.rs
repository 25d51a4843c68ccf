//! PATCH throughput and latency of the Genesys client against the mock on loopback, with 1, 8 and
//! 64 concurrent conversations. Prints requests/s and p50/p99 latency per level. (The client's rate
//! limiter is opened wide here: this measures the client and the HTTP path, not the 300/min quota.)

use std::time::{Duration, Instant};

use escalation_masker::config::Config;
use escalation_masker::genesys::{Credentials, Deliverer, Delivery, GenesysClient};
use escalation_masker::mock_genesys::{self, MockConfig};
use serde_json::json;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --all-targets` runs benches as tests: nothing to prove here.
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let (addr, _state) = mock_genesys::spawn("127.0.0.1:0", MockConfig::default()).await.expect("mock");
        let text = format!(
            "[genesys]\napi_base_url = \"http://{addr}\"\n[genesys.rate_limit]\nrequests_per_minute = 100000000\nburst = 100000\n"
        );
        let cfg = Config::parse(&text).expect("config").genesys;
        let client = GenesysClient::new(&cfg, Credentials::new("mock-client", "mock-secret")).expect("client");
        let deliverer = std::sync::Arc::new(Deliverer::new(client, &cfg));
        let context = json!({"orderStatus": "PAYMENT_FAILED", "maskedAccountNumber": "****1111", "riskLevel": "HIGH",
                             "message": "customer says the card ****1111 was declined twice"})
        .as_object()
        .cloned()
        .expect("object");
        let context = std::sync::Arc::new(context);
        println!("PATCH via participant-attributes against the mock on loopback (2 worker threads):");
        for concurrency in [1usize, 8, 64] {
            let per_task = 3_000 / concurrency;
            let start = Instant::now();
            let tasks: Vec<_> = (0..concurrency)
                .map(|t| {
                    let d = deliverer.clone();
                    let ctx = context.clone();
                    tokio::spawn(async move {
                        let conv = format!("bench-conv-{t}");
                        let mut lat = Vec::with_capacity(per_task);
                        for _ in 0..per_task {
                            let s = Instant::now();
                            let delivery = Delivery {
                                conversation_id: &conv,
                                participant_id: None,
                                context: &ctx,
                                event: None,
                                event_id: Some("evt-bench"),
                                ruleset_version: "sha256:bench",
                            };
                            d.deliver(&delivery).await.expect("delivered");
                            lat.push(s.elapsed());
                        }
                        lat
                    })
                })
                .collect();
            let mut all: Vec<Duration> = Vec::new();
            for t in tasks {
                all.extend(t.await.expect("task"));
            }
            let elapsed = start.elapsed();
            all.sort();
            let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
            println!(
                "  concurrency {concurrency:>2}: {:>8.0} requests/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests)",
                all.len() as f64 / elapsed.as_secs_f64(),
                pct(0.50).as_secs_f64() * 1e3,
                pct(0.99).as_secs_f64() * 1e3,
                all.len()
            );
        }
    });
}
