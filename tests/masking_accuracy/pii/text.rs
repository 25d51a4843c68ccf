//! Sentences around the values: six languages, chat messages, agent notes and IVR transcripts, the
//! context word in varied casing and punctuation, the value at the end or mid-sentence, and the
//! JSON event shapes the text travels in.

use serde_json::{Value, json};

use super::super::rng::Rng;
use super::judge::{Case, Doc, Kind, Secret};

pub const EN: usize = 0;
pub const ES: usize = 1;
pub const DE: usize = 2;
pub const FR: usize = 3;
pub const PT: usize = 4;
pub const IT: usize = 5;
pub const LANGS: usize = 6;

/// Openings of a message, by language: chat, agent note, IVR transcript.
const LEADS: [&[&str]; LANGS] = [
    &[
        "",
        "",
        "Customer: ",
        "Agent note - ",
        "IVR transcript: caller said ",
        "hi, ",
        "ok so ",
    ],
    &[
        "",
        "",
        "Cliente: ",
        "Nota del agente - ",
        "IVR: el cliente dijo ",
        "hola, ",
        "vale, ",
    ],
    &[
        "",
        "",
        "Kunde: ",
        "Notiz Agent - ",
        "IVR: Anrufer sagte ",
        "hallo, ",
        "also ",
    ],
    &[
        "",
        "",
        "Client : ",
        "Note agent - ",
        "SVI : l'appelant a dit ",
        "bonjour, ",
        "alors ",
    ],
    &[
        "",
        "",
        "Cliente: ",
        "Nota do agente - ",
        "URA: o cliente disse ",
        "olá, ",
        "então ",
    ],
    &[
        "",
        "",
        "Cliente: ",
        "Nota operatore - ",
        "IVR: il chiamante ha detto ",
        "ciao, ",
        "allora ",
    ],
];
/// What may follow the value mid-sentence.
const MIDS: [&[&str]; LANGS] = [
    &["thanks", "please check", "as discussed"],
    &["gracias", "por favor revisar", "como hablamos"],
    &["danke", "bitte prüfen", "wie besprochen"],
    &["merci", "à vérifier svp", "comme convenu"],
    &["obrigado", "por favor verificar", "como combinado"],
    &["grazie", "da verificare", "come concordato"],
];
/// A next line of a transcript.
const NEXT: [&str; LANGS] = [
    "agent: noted",
    "agente: anotado",
    "Agent: notiert",
    "agent : noté",
    "agente: anotado",
    "operatore: annotato",
];
/// "or", joining two values.
pub const OR: [&str; LANGS] = [" or ", " o ", " oder ", " ou ", " ou ", " oppure "];

/// `word` as typed: as written, lower case, upper case or capitalised.
pub fn casing(rng: &mut Rng, word: &str) -> String {
    match rng.below(6) {
        0 => word.to_lowercase(),
        1 => word.to_uppercase(),
        2 => {
            let mut c = word.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => word.to_string(),
    }
}

/// The punctuation between a context word and its value.
pub fn sep(rng: &mut Rng) -> &'static str {
    const SEPS: &[&str] = &[": ", " - ", "=", " ", " ", ":", " : "];
    SEPS[rng.below(SEPS.len())]
}

/// `{context}{sep}{value}` with the context word's casing and punctuation varied.
pub fn labelled(rng: &mut Rng, context: &str, value: &str) -> String {
    let word = casing(rng, context);
    let sep = sep(rng);
    format!("{word}{sep}{value}")
}

/// `phrase` in a message of language `lang`: a lead, then the phrase at the end, before `.`, `,`,
/// `)` or a newline, or followed by more words.
pub fn place(rng: &mut Rng, lang: usize, phrase: &str) -> String {
    let lead = *rng.pick(LEADS[lang]);
    let mid = *rng.pick(MIDS[lang]);
    match rng.below(7) {
        0 | 1 => format!("{lead}{phrase}"),
        2 => format!("{lead}{phrase}."),
        3 => format!("{lead}{phrase}, {mid}"),
        4 => format!("{lead}({phrase}) {mid}"),
        5 => format!("{lead}{phrase}\n{}", NEXT[lang]),
        _ => format!("{lead}{phrase} {mid}"),
    }
}

/// Puts a message into a document: plain text, an agent note or a transcript turn.
pub fn embed(rng: &mut Rng, text: String) -> Doc {
    match rng.below(3) {
        0 => Doc::Text(text),
        1 => Doc::Json(json!({"type": "escalation", "context": {"note": text}})),
        _ => Doc::Json(json!({"transcript": [
            {"speaker": "agent", "text": "ok"},
            {"speaker": "customer", "text": text}
        ]})),
    }
}

/// One message holding `values.0` after `context` (and `values.1` after it, joined by "or").
pub fn message(
    rng: &mut Rng,
    lang: usize,
    context: &str,
    kind: Kind,
    values: (String, Option<String>),
    label: &'static str,
) -> Case {
    let (first, second) = values;
    let mut phrase = if context.is_empty() {
        first.clone()
    } else {
        labelled(rng, context, &first)
    };
    let mut secrets = vec![Secret::new(kind, &first)];
    if let Some(second) = second {
        phrase = format!("{phrase}{}{second}", OR[lang]);
        secrets.push(Secret::new(kind, &second));
    }
    let text = place(rng, lang, &phrase);
    Case {
        doc: embed(rng, text),
        secrets,
        label,
    }
}

/// A document with no value in it (a negative), in any of the three shapes.
pub fn negative(rng: &mut Rng, lang: usize, text: &str, label: &'static str) -> Case {
    let text = place_neutral(rng, lang, text);
    Case {
        doc: embed(rng, text),
        secrets: Vec::new(),
        label,
    }
}

/// Like [`place`], for negatives: the text at the end, before `.` or a newline, or followed by words.
fn place_neutral(rng: &mut Rng, lang: usize, text: &str) -> String {
    let lead = *rng.pick(LEADS[lang]);
    match rng.below(4) {
        0 => format!("{lead}{text}"),
        1 => format!("{lead}{text}."),
        2 => format!("{lead}{text}, {}", rng.pick(MIDS[lang])),
        _ => format!("{lead}{text}\n{}", NEXT[lang]),
    }
}

/// A value as a JSON string field of an event.
pub fn field(key: &str, value: Value) -> Doc {
    Doc::Json(json!({"type": "escalation", "context": {key: value}}))
}

/// A case of `phrase` (already holding its values) placed in a message and embedded.
pub fn wrap(
    rng: &mut Rng,
    lang: usize,
    phrase: &str,
    secrets: Vec<Secret>,
    label: &'static str,
) -> Case {
    let text = place(rng, lang, phrase);
    Case {
        doc: embed(rng, text),
        secrets,
        label,
    }
}
