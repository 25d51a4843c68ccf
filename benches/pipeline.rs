//! End to end on a real broker: events/s and latency (produced → PATCH received by the mock
//! Genesys) of the `run` binary, at 1 and 3 partitions, with the Genesys rate limiter opened; the
//! worker's CPU per event against the masking cost per event; and the worker's resident memory
//! while it works through a 1,000,000-event backlog.
//!
//! Needs the tansu broker (`bash scripts/test.sh` installs it). Everything shares the machine's
//! cores: the broker, the mock Genesys (in this process), the producer and the worker.
//! Run: `cargo bench --bench pipeline` (`PIPELINE_BENCH_BACKLOG=200000` for a shorter memory run).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use escalation_masker::config::KafkaConfig;
use escalation_masker::mock_genesys::{self, MockConfig, MockState};
use escalation_masker::pipeline::kafka as k;
use escalation_masker::rule_dir::{self, KeyPolicy};

fn tansu() -> PathBuf {
    std::env::var("TANSU_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("tansu"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn create_topic(addr: &str, name: &str, partitions: u32) {
    let ok = Command::new(tansu())
        .args([
            "topic",
            "create",
            name,
            "--broker",
            &format!("tcp://{addr}"),
        ])
        .args(["--partitions", &partitions.to_string()])
        .status()
        .expect("tansu topic create")
        .success();
    assert!(ok, "creating {name}");
}

/// A typical event: a few fields, one card in free text, an email, sent-at time for latency.
fn event(i: usize, conversations: usize, sent_ms: u128) -> (String, Vec<u8>) {
    let conv = format!("bench-conv-{}", i % conversations);
    let body = format!(
        r#"{{"eventId":"bench-{i}","conversationId":"{conv}","source":"web-portal","customer":{{"externalId":"CUST-{c}","tier":"gold"}},"context":{{"sentAtMs":"{sent_ms}","orderId":"ORD-{i}","orderStatus":"payment_failed","riskLevel":"medium","message":"my card 4111 1111 1111 1111 was declined, email me at jane{c}@example.com"}}}}"#,
        c = i % conversations
    );
    (conv, body.into_bytes())
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

fn write_config(dir: &Path, brokers: &str, topic: &str, genesys: &str) -> PathBuf {
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules");
    let text = format!(
        "[rules]\ndir = \"{}\"\n[genesys]\napi_base_url = \"{genesys}\"\n[genesys.rate_limit]\nrequests_per_minute = 100000000\nburst = 100000\n\
         [kafka]\nbrokers = \"{brokers}\"\ngroup_id = \"{topic}-group\"\ninput_topic = \"{topic}\"\n[audit]\ndb = \"sqlite://{}\"\n{}",
        rules.display(),
        dir.join(format!("{topic}.db")).display(),
        std::env::var("PIPELINE_BENCH_EXTRA")
            .unwrap_or_default()
            .replace("\\n", "\n")
    );
    let path = dir.join(format!("{topic}.toml"));
    std::fs::write(&path, text).expect("config");
    path
}

fn spawn_worker(config: &Path) -> Proc {
    Proc(
        Command::new(env!("CARGO_BIN_EXE_escalation-masker"))
            .args(["run", "--config"])
            .arg(config)
            .env("RUST_LOG", "warn")
            .env("GENESYS_CLIENT_ID", "mock-client")
            .env("GENESYS_CLIENT_SECRET", "mock-secret")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("worker"),
    )
}

/// (user+system CPU seconds, resident MiB) of a process.
fn proc_usage(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kib = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0);
    (cpu, rss_kib / 1024.0)
}

async fn produce(kcfg: &KafkaConfig, from: usize, n: usize, per_sec: Option<u64>, convs: usize) {
    let producer = k::producer(kcfg).expect("producer");
    let start = Instant::now();
    let mut pending = Vec::with_capacity(1000);
    for i in from..from + n {
        if let Some(rate) = per_sec {
            let due = start + Duration::from_secs_f64((i - from) as f64 / rate as f64);
            if due > Instant::now() {
                tokio::time::sleep_until(due.into()).await;
            }
        }
        let (key, payload) = event(i, convs, now_ms());
        let p = producer.clone();
        let topic = kcfg.input_topic.clone();
        pending.push(tokio::spawn(async move {
            k::send_acked(&p, &topic, Some(key.as_bytes()), &payload, &[]).await
        }));
        if pending.len() >= 1000 {
            for h in pending.drain(..) {
                h.await.expect("join").expect("produced");
            }
        }
    }
    for h in pending {
        h.await.expect("join").expect("produced");
    }
}

fn latencies(state: &MockState, skip: usize) -> Vec<u64> {
    let mut l: Vec<u64> = state
        .received()
        .iter()
        .skip(skip)
        .filter_map(|r| {
            let sent: u64 = r.body["attributes"]["sentAtMs"].as_str()?.parse().ok()?;
            Some(r.at_ms.saturating_sub(sent))
        })
        .collect();
    l.sort_unstable();
    l
}

fn pct(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn wait_received(state: &MockState, n: usize, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while state.received().len() < n {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --all-targets` runs benches as tests: nothing to prove here.
    }
    let port = free_port();
    let url = format!("tcp://127.0.0.1:{port}");
    let _broker = Proc(
        Command::new(tansu())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("tansu must be installed (bash scripts/test.sh installs it)"),
    );
    let addr = format!("127.0.0.1:{port}");
    while TcpStream::connect(&addr).is_err() {
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        println!("End to end on tansu (in-memory) with the mock Genesys, SQLite audit, 22 shipped rules, limiter off;");
        println!("broker, mock, producer and worker share the 2 cores.\n");
        for partitions in [1u32, 3] {
            let topic = format!("bench-p{partitions}");
            create_topic(&addr, &topic, partitions);
            create_topic(&addr, &format!("{topic}.dlq"), partitions);
            let (gaddr, state) = mock_genesys::spawn("127.0.0.1:0", MockConfig::default()).await.expect("mock");
            let state: Arc<MockState> = state;
            let config = write_config(dir.path(), &addr, &topic, &format!("http://{gaddr}"));
            let kcfg = KafkaConfig { brokers: addr.clone(), input_topic: topic.clone(), ..KafkaConfig::default() };
            let worker = spawn_worker(&config);
            // Warm up: the group join and the first token.
            produce(&kcfg, 0, 200, None, 200).await;
            assert!(wait_received(&state, 200, Duration::from_secs(60)).await, "warm-up");

            // Saturation: 20,000 events as fast as the producer can publish them.
            let n = 20_000;
            let (cpu0, _) = proc_usage(worker.0.id());
            let start = Instant::now();
            produce(&kcfg, 200, n, None, 500).await;
            assert!(wait_received(&state, 200 + n, Duration::from_secs(300)).await, "saturation run");
            let secs = start.elapsed().as_secs_f64();
            let (cpu1, rss) = proc_usage(worker.0.id());
            let sat = latencies(&state, 200);
            println!(
                "{partitions} partition(s), saturation: {n} events in {secs:.2} s = {:.0} events/s; latency p50 {} ms, p99 {} ms (backlog included); worker CPU {:.1} µs/event, RSS {rss:.0} MiB",
                n as f64 / secs, pct(&sat, 0.5), pct(&sat, 0.99), (cpu1 - cpu0) / n as f64 * 1e6
            );
            if partitions == 3 {
                // Masking's share of the worker's CPU: the same event masked in this process.
                let rules = rule_dir::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules"), KeyPolicy::EphemeralIfMissing).expect("rules");
                let (_, payload) = event(1, 1, 0);
                let doc: serde_json::Value = serde_json::from_slice(&payload).expect("json");
                let rounds = 20_000;
                let t = Instant::now();
                for _ in 0..rounds {
                    let mut d = doc.clone();
                    std::hint::black_box(rules.mask_value(&mut d));
                }
                let mask_us = t.elapsed().as_secs_f64() / rounds as f64 * 1e6;
                let worker_us = (cpu1 - cpu0) / n as f64 * 1e6;
                println!(
                    "  masking: {mask_us:.1} µs/event = {:.1} % of the worker's CPU per event",
                    mask_us / worker_us * 100.0
                );
            }

            // Paced: a steady offered load for 4 s each.
            let mut next = 200 + n;
            for rate in [2_500u64, 5_000] {
                let paced = rate as usize * 4;
                let before = state.received().len();
                produce(&kcfg, next, paced, Some(rate), 500).await;
                next += paced;
                assert!(wait_received(&state, before + paced, Duration::from_secs(120)).await, "paced run");
                let lat = latencies(&state, before);
                println!(
                    "{partitions} partition(s), {rate} events/s offered: p50 {} ms, p99 {} ms, max {} ms over {} events",
                    pct(&lat, 0.5), pct(&lat, 0.99), lat.last().copied().unwrap_or(0), lat.len()
                );
            }
            drop(worker);
        }

        // Memory with a backlog.
        let backlog: usize = std::env::var("PIPELINE_BENCH_BACKLOG").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
        let topic = "bench-backlog".to_string();
        create_topic(&addr, &topic, 3);
        create_topic(&addr, &format!("{topic}.dlq"), 3);
        let (gaddr, state) = mock_genesys::spawn("127.0.0.1:0", MockConfig::default()).await.expect("mock");
        let kcfg = KafkaConfig { brokers: addr.clone(), input_topic: topic.clone(), ..KafkaConfig::default() };
        let t = Instant::now();
        produce(&kcfg, 0, backlog, None, 5_000).await;
        println!("\nbacklog: {backlog} events published in {:.1} s", t.elapsed().as_secs_f64());
        let config = write_config(dir.path(), &addr, &topic, &format!("http://{gaddr}"));
        let worker = spawn_worker(&config);
        let mut peak = 0f64;
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(45) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            peak = peak.max(proc_usage(worker.0.id()).1);
        }
        let done = state.received().len();
        println!(
            "worker with a {backlog}-event backlog: peak RSS {peak:.0} MiB over 45 s while delivering {done} events ({:.0} events/s)",
            done as f64 / 45.0
        );
        drop(worker);
    });
}
