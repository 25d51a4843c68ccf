//! Masking throughput against the floor every JSON worker pays anyway: serde_json parse + serialize.
//!
//! Target: the full default ruleset (parse + mask + serialize) runs at ≥ 50 % of the bare
//! parse + serialize throughput on one core. After criterion's own output, a summary prints
//! events/s, MB/s and the ratio for each case.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use escalation_masker::masking::{KeyPolicy, Ruleset};
use serde_json::Value;

fn events() -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/events.jsonl"),
    )
    .expect("examples/events.jsonl is readable");
    text.lines().map(str::to_string).collect()
}

fn ruleset() -> Ruleset {
    Ruleset::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules"),
        KeyPolicy::EphemeralIfMissing,
    )
    .expect("default rules load")
}

fn bare(lines: &[String]) -> usize {
    let mut n = 0;
    for l in lines {
        let v: Value = serde_json::from_str(l).expect("example events are JSON");
        n += serde_json::to_string(&v).expect("serializes").len();
    }
    n
}

fn masked(rs: &Ruleset, lines: &[String]) -> usize {
    let mut n = 0;
    for l in lines {
        let mut v: Value = serde_json::from_str(l).expect("example events are JSON");
        let report = rs.mask_value(&mut v);
        n += serde_json::to_string(&v).expect("serializes").len() + report.findings.len();
    }
    n
}

fn bench(c: &mut Criterion) {
    let lines = events();
    let bytes: usize = lines.iter().map(String::len).sum();
    let rs = ruleset();
    let mut g = c.benchmark_group("escalation_events");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("serde_parse_serialize", |b| {
        b.iter(|| bare(black_box(&lines)))
    });
    g.bench_function("parse_mask_serialize", |b| {
        b.iter(|| masked(&rs, black_box(&lines)))
    });
    g.finish();

    // A stable summary for the closing note: same work, timed over ~2 s each. Skipped when the
    // bench runs as a test (`cargo test --all-targets`), which passes no `--bench` flag.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let time = |f: &dyn Fn() -> usize| {
        let start = Instant::now();
        let mut iters = 0u64;
        while start.elapsed() < Duration::from_secs(2) {
            black_box(f());
            iters += 1;
        }
        start.elapsed().as_secs_f64() / iters as f64
    };
    let t_bare = time(&|| bare(&lines));
    let t_mask = time(&|| masked(&rs, &lines));
    let per_s = |t: f64| lines.len() as f64 / t;
    let mb_s = |t: f64| bytes as f64 / t / 1e6;
    println!(
        "\nsummary ({} events, {} bytes, {} rules):",
        lines.len(),
        bytes,
        rs.rules().len()
    );
    println!(
        "  serde parse+serialize : {:>10.0} events/s {:>8.1} MB/s",
        per_s(t_bare),
        mb_s(t_bare)
    );
    println!(
        "  parse+mask+serialize  : {:>10.0} events/s {:>8.1} MB/s",
        per_s(t_mask),
        mb_s(t_mask)
    );
    println!(
        "  ratio (mask / bare)   : {:>10.1} %  (target >= 50 %)",
        100.0 * t_bare / t_mask
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
