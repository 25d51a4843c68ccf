//! Masking throughput against the floor every JSON worker pays anyway: serde_json parse + serialize.
//!
//! Three corpora: the 24 shipped example events, and two generated ones (deterministic, 2,000
//! events each) that look like production traffic — `ascii`, plain printable ASCII (most traffic;
//! the canonical view must cost nothing here), and `unicode`, accented names, seven languages,
//! full-width and Arabic-Indic digits, encoded URLs and HTML (every string needs a view). About one
//! event in five carries a card, one in four an email or phone.
//!
//! Target: the full default ruleset (parse + mask + serialize) runs at ≥ 50 % of the bare
//! parse + serialize throughput on one core. After criterion's own output, a summary prints
//! events/s, MB/s and the ratio for each corpus.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use escalation_masker::masking::Ruleset;
use escalation_masker::rule_dir::{self, KeyPolicy};
use serde_json::{Value, json};

fn examples() -> Vec<String> {
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

/// A small deterministic generator (splitmix64), so both corpora are the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// A Luhn-valid Visa or Mastercard number.
    fn card(&mut self) -> String {
        let prefix = self.pick(&["4", "51", "55", "2223", "4000"]);
        let body = format!("{prefix}{}", self.digits(15 - prefix.len()));
        (0..10)
            .map(|d| format!("{body}{d}"))
            .find(|c| luhn::valid(c))
            .expect("one check digit fits")
    }
}

const ASCII_NOTES: &[&str] = &[
    "Customer asks why the parcel has not arrived yet, order placed last week",
    "Payment failed twice at checkout, the customer wants to try another method",
    "Refund requested for a damaged item, photos attached in the app",
    "Caller could not log in after the password reset, app version 10.4.2",
    "Wants to change the delivery address before dispatch at 14:30",
    "Asked about the loyalty points balance and the gold tier benefits",
    "Complains about a double charge of 49.99 EUR on 2026-11-24",
];

const UNICODE_NOTES: &[&str] = &[
    "Der Kunde fragt, warum das Paket noch nicht angekommen ist – Bestellung vom Montag",
    "La cliente dice que el pago falló dos veces, quiere pagar con otra tarjeta",
    "Le client demande un remboursement, l’article est arrivé abîmé",
    "O cliente não consegue entrar na conta depois de trocar a senha",
    "Il cliente chiede di cambiare l’indirizzo di consegna prima della spedizione",
    "De klant vraagt waarom het pakket nog niet is bezorgd",
    "お客様はカード決済が二回失敗したと言っています",
    "العميل يسأل عن حالة الطلب",
];

const NAMES: &[&str] = &[
    "José Núñez",
    "Zoë Brontë",
    "Jürgen Weiß",
    "Ana Lúcia",
    "Søren Ørsted",
];

/// One generated event; `unicode` picks the multilingual, encoded variant.
fn event(g: &mut Gen, i: usize, unicode: bool) -> String {
    let order = format!("ORD-{}", g.digits(6));
    let mut note = if unicode {
        g.pick(UNICODE_NOTES).to_string()
    } else {
        g.pick(ASCII_NOTES).to_string()
    };
    match g.below(20) {
        0..=3 => {
            let card = g.card();
            let shown = if unicode {
                match g.below(4) {
                    // Full-width digits, as a Japanese input method types them.
                    0 => card
                        .chars()
                        .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
                        .collect(),
                    1 => card
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>()
                        .join("&nbsp;"),
                    2 => card
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>()
                        .join("%20"),
                    _ => card
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect::<Vec<_>>()
                        .join("\u{a0}"),
                }
            } else {
                card.as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            note.push_str(&format!(" - card {shown}"));
        }
        4..=6 => note.push_str(&format!(" mail me at user{}@example.com", g.digits(3))),
        7..=8 => note.push_str(&format!(" call me on +44 20 7946 {}", g.digits(4))),
        _ => {}
    }
    let name = if unicode {
        g.pick(NAMES).to_string()
    } else {
        "Jane Doe".to_string()
    };
    let url = if unicode {
        format!("https://shop.example.com/track?order={order}&q=caf%C3%A9%20cr%C3%A8me&lang=de")
    } else {
        format!("https://shop.example.com/track?order={order}&lang=en")
    };
    json!({
        "eventId": format!("evt-{i:06}"),
        "conversationId": format!("c0a8{:04}-7d3e-4b6a-9f1e-2b5d8e{:06}", i % 10_000, i),
        "participantId": format!("p-{i:04}-cust"),
        "occurredAt": "2026-11-25T09:01:07Z",
        "source": g.pick(&["web-portal", "mobile-app", "ivr"]),
        "customer": {"externalId": format!("CUST-{}", g.digits(6)), "tier": g.pick(&["gold", "silver", "standard"]), "name": name},
        "context": {
            "orderId": order,
            "orderStatus": g.pick(&["payment_failed", "shipped", "refund_requested", "delayed"]),
            "riskLevel": g.pick(&["low", "medium", "high"]),
            "amount": (g.below(100_000) as f64) / 100.0,
            "items": [{"sku": format!("SKU-{}-BLK", g.digits(4)), "qty": g.below(5) + 1}],
            "lastPage": url,
            "message": note,
        }
    })
    .to_string()
}

fn generated(unicode: bool) -> Vec<String> {
    let mut g = Gen(if unicode { 0x5EED_0002 } else { 0x5EED_0001 });
    (0..2_000).map(|i| event(&mut g, i, unicode)).collect()
}

fn bare(lines: &[String]) -> usize {
    let mut n = 0;
    for l in lines {
        let v: Value = serde_json::from_str(l).expect("events are JSON");
        n += serde_json::to_string(&v).expect("serializes").len();
    }
    n
}

fn masked(rs: &Ruleset, lines: &[String]) -> usize {
    let mut n = 0;
    for l in lines {
        let mut v: Value = serde_json::from_str(l).expect("events are JSON");
        let report = rs.mask_value(&mut v);
        n += serde_json::to_string(&v).expect("serializes").len() + report.findings.len();
    }
    n
}

fn bench(c: &mut Criterion) {
    let rs = ruleset();
    let corpora = [
        ("examples", examples()),
        ("ascii", generated(false)),
        ("unicode", generated(true)),
    ];
    for (name, lines) in &corpora {
        let bytes: usize = lines.iter().map(String::len).sum();
        let mut g = c.benchmark_group(format!("escalation_events_{name}"));
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function("serde_parse_serialize", |b| {
            b.iter(|| bare(black_box(lines)))
        });
        g.bench_function("parse_mask_serialize", |b| {
            b.iter(|| masked(&rs, black_box(lines)))
        });
        g.finish();
    }

    // A stable summary for the closing note: the two workloads timed in alternating rounds (so
    // machine noise hits both alike), median of the per-round ratios. Skipped when the bench runs
    // as a test (`cargo test --all-targets`), which passes no `--bench` flag.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if let Some(dir) = std::env::var_os("MASK_BENCH_DUMP") {
        // The corpora as JSON Lines, for timing the `mask` command on them or profiling.
        for (name, lines) in &corpora {
            let file = Path::new(&dir).join(format!("{name}.jsonl"));
            std::fs::write(&file, lines.join("\n") + "\n").expect("corpus file is writable");
        }
    }
    if std::env::var_os("MASK_BENCH_PER_RULE").is_some() {
        per_rule(&rs, &corpora);
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
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "\nsummary ({} rules; medians of 12 alternating rounds):",
        rs.rules().len()
    );
    for (name, lines) in &corpora {
        let bytes: usize = lines.iter().map(String::len).sum();
        let mut bare_t = Vec::new();
        let mut mask_t = Vec::new();
        for _ in 0..12 {
            bare_t.push(round(&|| bare(lines)));
            mask_t.push(round(&|| masked(&rs, lines)));
        }
        let mut ratios: Vec<f64> = bare_t.iter().zip(&mask_t).map(|(b, m)| b / m).collect();
        let (t_bare, t_mask, ratio) = (
            median(&mut bare_t),
            median(&mut mask_t),
            median(&mut ratios),
        );
        let per_s = |t: f64| lines.len() as f64 / t;
        let mb_s = |t: f64| bytes as f64 / t / 1e6;
        println!(
            "  {name:<8} ({} events, {} bytes)\n    serde parse+serialize : {:>10.0} events/s {:>8.1} MB/s\n    parse+mask+serialize  : {:>10.0} events/s {:>8.1} MB/s\n    ratio (mask / bare)   : {:>10.1} %  (target >= 50 %)",
            lines.len(),
            bytes,
            per_s(t_bare),
            mb_s(t_bare),
            per_s(t_mask),
            mb_s(t_mask),
            100.0 * ratio
        );
    }
}

/// With `MASK_BENCH_PER_RULE=1`: what each enabled rule adds to the full ruleset on each corpus —
/// the time with every rule minus the time with that rule disabled, its prefilter literals
/// included — so the next optimisation starts where the time goes.
fn per_rule(rs: &Ruleset, corpora: &[(&str, Vec<String>)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("masking-rules");
    let sources = rule_dir::read_sources(&dir).expect("default rules are readable");
    let keys = |id: &str, env: &str| rule_dir::key_from_env(id, env, KeyPolicy::EphemeralIfMissing);
    let without = |id: &str| {
        let marker = format!("id = \"{id}\"\n");
        let edited: Vec<_> = sources
            .iter()
            .map(|(p, t)| {
                (
                    p.clone(),
                    t.replace(&marker, &format!("{marker}enabled = false\n")),
                )
            })
            .collect();
        Ruleset::from_sources(&edited, &keys).expect("rules load with one disabled")
    };
    // One round: at least 30 ms of runs, so short corpora are repeated until timers are exact.
    let round = |f: &dyn Fn() -> usize| {
        let (start, mut n) = (Instant::now(), 0u32);
        while start.elapsed() < Duration::from_millis(30) {
            black_box(f());
            n += 1;
        }
        start.elapsed().as_secs_f64() / f64::from(n)
    };
    println!(
        "\nper-rule cost (µs per event: full ruleset minus the ruleset without the rule, median of 7 alternating rounds):"
    );
    let ids: Vec<String> = rs
        .rules()
        .iter()
        .filter(|r| r.enabled)
        .map(|r| r.id.to_string())
        .collect();
    let reduced: Vec<Ruleset> = ids.iter().map(|id| without(id)).collect();
    for (name, lines) in corpora {
        let per_event = |t: f64| t / lines.len() as f64 * 1e6;
        let base = per_event(round(&|| bare(lines)));
        let all = per_event(round(&|| masked(rs, lines)));
        let mut costs: Vec<(f64, &str)> = ids
            .iter()
            .zip(&reduced)
            .map(|(id, r)| {
                let mut d: Vec<f64> = (0..7)
                    .map(|_| round(&|| masked(rs, lines)) - round(&|| masked(r, lines)))
                    .collect();
                d.sort_by(f64::total_cmp);
                (per_event(d[3]), id.as_str())
            })
            .collect();
        costs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let shown: Vec<String> = costs
            .iter()
            .take(14)
            .map(|(c, id)| format!("{id} {c:.2}"))
            .collect();
        println!(
            "  {name:<8} bare {base:.2}, masked {all:.2}: {}",
            shown.join(", ")
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
