use std::path::Path;
use std::time::Instant;
use escalation_masker::masking::{KeyPolicy, Ruleset};
use serde_json::Value;
fn main() {
    let text = std::fs::read_to_string("examples/events.jsonl").unwrap();
    let docs: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let rs = Ruleset::load(Path::new("masking-rules"), KeyPolicy::EphemeralIfMissing).unwrap();
    let t = |rs: &Ruleset| { let start = Instant::now(); let n = 2000; for _ in 0..n { for d in &docs { let mut d = d.clone(); std::hint::black_box(rs.mask_value(&mut d)); } } start.elapsed().as_secs_f64() / (n * docs.len()) as f64 * 1e9 };
    let clone_only = { let start = Instant::now(); let n=2000; for _ in 0..n { for d in &docs { std::hint::black_box(d.clone()); } } start.elapsed().as_secs_f64() / (n*docs.len()) as f64 * 1e9 };
    println!("clone only: {clone_only:.0} ns/event");
    println!("full: {:.0} ns/event", t(&rs));
    if std::env::var("FULL_ONLY").is_ok() { for _ in 0..3 { t(&rs); } return; }
    for (i, r) in rs.rules().iter().enumerate() { println!("{:30} {:.0}", r.id, t(&rs.only(i))); }
}
