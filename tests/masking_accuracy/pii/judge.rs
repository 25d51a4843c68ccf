//! What a case is, how it is masked, and how a leak is judged (see the module docs of `pii`).

use escalation_masker::masking::Ruleset;
use serde_json::Value;

use super::super::quiet;

/// A test document: one plain-text line (masked with `mask_text`) or a JSON event (`mask_value`).
#[derive(Clone, PartialEq)]
pub enum Doc {
    Text(String),
    Json(Value),
}

/// One generated case: the document, the values in it that must not survive (none for a
/// negative), and what to break failures down by (a shape name, never a value).
pub struct Case {
    pub doc: Doc,
    pub secrets: Vec<Secret>,
    pub label: &'static str,
}

/// How a value is judged.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Kind {
    /// Digits; the last two may stay.
    Phone,
    /// Digits of the IBAN; its last four characters may stay.
    Iban,
    /// Digits (SSN, national ids), nothing kept.
    Number,
    /// A CVV or PIN: the exact digits as a whole token.
    Code,
    /// A date of birth: its year token, or its digits run for numeric dates.
    Date,
    /// Passwords, secrets, IP addresses: the whole value, or a word of it of ≥ 4 chars.
    Text,
    /// An email address: the whole value, or its local part (≥ 4 chars).
    Email,
    /// A person's name: any word of ≥ 3 letters (particles aside), as a whole word.
    Name,
    /// A street line: its name words of ≥ 4 letters (street types aside) and its house number.
    Street,
}

/// One thing that may not be found more often in the masked document than outside the value.
#[derive(Clone, Debug)]
pub enum Probe {
    /// A substring of the digit-only view of one string.
    Digits(String),
    /// A maximal run of ASCII digits equal to this.
    Token(String),
    /// A plain substring.
    Sub(String),
    /// A whole word (no letter or digit either side).
    Word(String),
}

pub struct Secret {
    /// The value exactly as written into the document.
    pub value: String,
    pub probes: Vec<Probe>,
}

const PARTICLES: &[&str] = &[
    "van", "der", "den", "de", "la", "del", "da", "das", "do", "dos", "di", "von", "zu", "le",
    "du", "des", "y", "e", "el",
];
const STREET_TYPES: &[&str] = &[
    "Street",
    "Road",
    "Lane",
    "Avenue",
    "Calle",
    "Avenida",
    "Paseo",
    "Plaza",
    "Rua",
    "Travessa",
    "Via",
    "Viale",
    "Piazza",
    "Corso",
    "rue",
    "avenue",
    "boulevard",
    "place",
    "Straße",
    "Strasse",
    "Allee",
    "Platz",
    "Weg",
    "Gasse",
];

fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Every 5-digit window of `d` (all of `d` when shorter).
fn windows(d: &str) -> Vec<Probe> {
    if d.len() <= 5 {
        return vec![Probe::Digits(d.to_string())];
    }
    (0..=d.len() - 5)
        .map(|i| Probe::Digits(d[i..i + 5].to_string()))
        .collect()
}

impl Secret {
    pub fn new(kind: Kind, value: &str) -> Secret {
        let all = digits_of(value);
        let probes = match kind {
            Kind::Phone => windows(&all[..all.len().saturating_sub(2)]),
            Kind::Iban => {
                let alnum: Vec<char> = value.chars().filter(char::is_ascii_alphanumeric).collect();
                let head: String = alnum[..alnum.len() - 4].iter().collect();
                windows(&digits_of(&head))
            }
            Kind::Number => windows(&all),
            Kind::Code => vec![Probe::Token(all)],
            Kind::Date => {
                let year = runs(value)
                    .into_iter()
                    .find(|r| r.len() == 4)
                    .expect("a date has a four-digit year");
                let mut p = vec![Probe::Token(year)];
                if !value.chars().any(char::is_alphabetic) {
                    p.push(Probe::Digits(all));
                }
                p
            }
            Kind::Text => {
                let words = value.split_whitespace().map(str::to_string).collect();
                return Secret::text(value, words);
            }
            Kind::Email => {
                let at = value.find('@').or_else(|| value.find("%40")).expect("an @");
                return Secret::text(value, vec![value[..at].to_string()]);
            }
            Kind::Name => {
                let mut p: Vec<Probe> = value
                    .split(|c: char| c.is_whitespace() || c == '-')
                    .filter(|w| w.chars().count() >= 3 && !PARTICLES.contains(w))
                    .map(|w| Probe::Word(w.to_string()))
                    .collect();
                p.push(Probe::Sub(value.to_string()));
                p
            }
            Kind::Street => value
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter_map(|w| {
                    if w.starts_with(|c: char| c.is_ascii_digit()) {
                        Some(Probe::Token(digits_of(w)))
                    } else if w.chars().count() >= 4 && !STREET_TYPES.contains(&w) {
                        Some(Probe::Word(w.to_string()))
                    } else {
                        None
                    }
                })
                .collect(),
        };
        Secret {
            value: value.to_string(),
            probes,
        }
    }

    /// A text value judged by itself and by `words` (those of ≥ 4 characters).
    pub fn text(value: &str, words: Vec<String>) -> Secret {
        let mut probes = vec![Probe::Sub(value.to_string())];
        probes.extend(
            words
                .into_iter()
                .filter(|w| w.chars().count() >= 4 && w != value)
                .map(Probe::Sub),
        );
        Secret {
            value: value.to_string(),
            probes,
        }
    }

    /// Strings whose letters are hidden when a case is printed.
    fn hide(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.value.as_str()).chain(self.probes.iter().filter_map(|p| match p {
            Probe::Sub(s) | Probe::Word(s) => Some(s.as_str()),
            _ => None,
        }))
    }
}

/// Maximal runs of ASCII digits.
fn runs(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .collect()
}

/// Start positions of `needle` in `hay`, overlapping ones too.
fn starts<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    hay.char_indices()
        .map(|(i, _)| i)
        .filter(move |&i| !needle.is_empty() && hay[i..].starts_with(needle))
}

fn count_in(s: &str, p: &Probe) -> usize {
    match p {
        Probe::Digits(d) => starts(&digits_of(s), d).count(),
        Probe::Token(t) => runs(s).iter().filter(|r| *r == t).count(),
        Probe::Sub(x) => starts(s, x).count(),
        Probe::Word(w) => starts(s, w)
            .filter(|&i| {
                let before = s[..i].chars().next_back();
                let after = s[i + w.len()..].chars().next();
                !before.is_some_and(char::is_alphanumeric)
                    && !after.is_some_and(char::is_alphanumeric)
            })
            .count(),
    }
}

/// Every key, string value and number text of `doc`, in document order.
pub fn strings(doc: &Doc) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            Value::Object(map) => map.iter().for_each(|(k, i)| {
                out.push(k.clone());
                walk(i, out);
            }),
            Value::Bool(_) | Value::Null => {}
        }
    }
    match doc {
        Doc::Text(t) => vec![t.clone()],
        Doc::Json(v) => {
            let mut out = Vec::new();
            walk(v, &mut out);
            out
        }
    }
}

fn count(strings: &[String], p: &Probe) -> usize {
    strings.iter().map(|s| count_in(s, p)).sum()
}

/// Whether `secret` survives: a probe occurs in the masked document more often than in the
/// original outside the value itself.
pub fn leaks(secret: &Secret, original: &[String], masked: &[String]) -> bool {
    secret
        .probes
        .iter()
        .any(|p| count(masked, p) + count_in(&secret.value, p) > count(original, p))
}

/// Whether the generator put every value into the document (a case without it judges nothing).
pub fn holds_values(case: &Case) -> bool {
    let all = strings(&case.doc);
    case.secrets
        .iter()
        .all(|s| !s.probes.is_empty() && all.iter().any(|t| t.contains(&s.value)))
}

/// Masks `doc`; `None` when masking panicked (the message is withheld: see [`quiet::catch`]).
/// Also returns the ids of the rules that fired.
pub fn mask(rules: &Ruleset, doc: &Doc) -> Option<(Doc, Vec<String>)> {
    quiet::catch(|| match doc {
        Doc::Text(t) => {
            let (masked, report) = rules.mask_text(t);
            (Doc::Text(masked), fired(&report))
        }
        Doc::Json(v) => {
            let mut masked = v.clone();
            let report = rules.mask_value(&mut masked);
            (Doc::Json(masked), fired(&report))
        }
    })
}

fn fired(report: &escalation_masker::masking::Report) -> Vec<String> {
    report
        .by_rule()
        .into_iter()
        .map(|(r, _)| r.to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Printing without values

/// `text` with every digit as `#`, the letters of any value (or of a word that is part of one) as
/// `x`, and control and invisible characters escaped.
fn shape(text: &str, secrets: &[Secret]) -> String {
    let mut hidden = vec![false; text.len()];
    for h in secrets.iter().flat_map(Secret::hide) {
        for i in starts(text, h).collect::<Vec<_>>() {
            hidden[i..i + h.len()].iter_mut().for_each(|x| *x = true);
        }
    }
    // Words of the text that are fragments of a value (a value cut in half by a rule).
    let mut at = 0;
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().count() >= 3 && secrets.iter().any(|s| s.value.contains(word)) {
            hidden[at..at + word.len()]
                .iter_mut()
                .for_each(|x| *x = true);
        }
        at += word.len()
            + text[at + word.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
    }
    text.char_indices()
        .map(|(i, c)| match c {
            _ if c.is_ascii_digit() || c.is_numeric() => "#".to_string(),
            _ if c.is_alphabetic() && hidden[i] => "x".to_string(),
            '\n' => "\\n".to_string(),
            _ if c.is_control() || (!c.is_ascii() && !c.is_alphabetic()) => {
                format!("\\u{{{:x}}}", c as u32)
            }
            _ => c.to_string(),
        })
        .collect()
}

fn render_value(v: &Value, secrets: &[Secret], out: &mut String) {
    match v {
        Value::Null | Value::Bool(_) => out.push_str(&v.to_string()),
        Value::Number(n) => out.push_str(&shape(&n.to_string(), secrets)),
        Value::String(s) => out.push_str(&format!("\"{}\"", shape(s, secrets))),
        Value::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                render_value(item, secrets, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (k, (key, item)) in map.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push_str(&format!("\"{}\":", shape(key, secrets)));
                render_value(item, secrets, out);
            }
            out.push('}');
        }
    }
}

/// A document with its values hidden, cut to a readable length.
pub fn render(doc: &Doc, secrets: &[Secret]) -> String {
    let mut out = String::new();
    match doc {
        Doc::Text(t) => out.push_str(&format!("text \"{}\"", shape(t, secrets))),
        Doc::Json(v) => render_value(v, secrets, &mut out),
    }
    if out.chars().count() > 240 {
        out = out.chars().take(240).collect::<String>() + "…";
    }
    out
}
