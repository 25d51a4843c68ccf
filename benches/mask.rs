//! Masking throughput against the floor every JSON worker pays anyway: serde_json parse + serialize.
//!
//! Target: the full default ruleset (parse + mask + serialize) runs at ≥ 50 % of the bare
//! parse + serialize throughput on one core. After criterion's own output, a summary prints
//! events/s, MB/s and the ratio for each case.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use escalation_masker::masking::Ruleset;
use escalation_masker::rule_dir::{self, KeyPolicy};
use serde_json::Value;

fn events() -> Vec<String> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/events.jsonl"),
    )
    .expect("examples/events.jsonl is readable");
    text.lines().map(str::to_string).collect()
}

fn ruleset() -> Ruleset {
    rule_dir::load(
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

    // A stable summary for the closing note: the two workloads timed in alternating rounds (so
    // machine noise hits both alike), median of the per-round ratios. Skipped when the bench runs
    // as a test (`cargo test --all-targets`), which passes no `--bench` flag.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let round = |f: &dyn Fn() -> usize| {
        let start = Instant::now();
        let mut iters = 0u64;
        while start.elapsed() < Duration::from_millis(250) {
            black_box(f());
            iters += 1;
        }
        start.elapsed().as_secs_f64() / iters as f64
    };
    let mut bare_t = Vec::new();
    let mut mask_t = Vec::new();
    for _ in 0..12 {
        bare_t.push(round(&|| bare(&lines)));
        mask_t.push(round(&|| masked(&rs, &lines)));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut ratios: Vec<f64> = bare_t.iter().zip(&mask_t).map(|(b, m)| b / m).collect();
    let (t_bare, t_mask, ratio) = (
        median(&mut bare_t),
        median(&mut mask_t),
        median(&mut ratios),
    );
    let per_s = |t: f64| lines.len() as f64 / t;
    let mb_s = |t: f64| bytes as f64 / t / 1e6;
    println!(
        "\nsummary ({} events, {} bytes, {} rules; medians of 12 alternating rounds):",
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
        100.0 * ratio
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
