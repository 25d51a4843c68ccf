//! Credentials: JWTs, bearer tokens, PEM private keys, well-known secret shapes and named secrets
//! (`password=…`, `Passwort: …`, `la contraseña es …`).
//!
//! These are not personal data in the GDPR sense, but a leaked token is a breach all the same, and
//! customers paste them into support chats more often than anyone would like.
//!
//! The secret shapes are data (`secret_shapes.toml`, adapted from gitleaks' maintained rule set):
//! each shape has keywords, one of which occurs in any string it can match, and one Aho-Corasick
//! pass over a string says which shapes may match it at all; only those run their regex. The names
//! of a password or other secret are data too (`words/password.toml`, seven languages).

use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};
use regex::Regex;
use regex::bytes::{Regex as BytesRegex, RegexBuilder as BytesRegexBuilder};
use serde::Deserialize;
use smallvec::SmallVec;

use super::words::{Lexicon, Lists};
use super::{Builtin, Hints, bounded};

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u)eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*")
        .expect("jwt regex is valid")
});

/// `Bearer` and the whitespace after it; the token that follows is scanned by hand (no capture
/// groups on the hot path).
static BEARER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i-u)\b(?:bearer|(basic))(?:[ \t]|(?u:\x{A0}))+").expect("bearer regex is valid")
});

/// Finds JSON Web Tokens (header and payload both base64url JSON objects, hence `eyJ…`).
pub fn find_jwts(text: &str, out: &mut Vec<Range<usize>>) {
    for m in JWT.find_iter(text) {
        if bounded(text, m.start(), m.end(), b"_-") {
            out.push(m.range());
        }
    }
}

/// Finds the token after `Bearer`; the word itself stays readable.
pub fn find_bearer(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    for c in BEARER.captures_iter(text) {
        let Some(m) = c.get(0) else { continue };
        let token = b[m.end()..]
            .iter()
            .take_while(|c| {
                c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
            })
            .count();
        let pad = b[m.end() + token..]
            .iter()
            .take_while(|&&c| c == b'=')
            .count();
        let span = m.end()..m.end() + token + pad;
        // `Basic` is a common word: only base64 of `user:password` is credentials.
        if token >= 8 && (c.get(1).is_none() || basic_credentials(&text[span.clone()])) {
            out.push(span);
        }
    }
}

/// Whether `token` is HTTP Basic credentials: standard base64 of `user:password` in text.
fn basic_credentials(token: &str) -> bool {
    use base64::Engine as _;
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(token) else {
        return false;
    };
    std::str::from_utf8(&raw).is_ok_and(|s| {
        s.split_once(':')
            .is_some_and(|(u, p)| !u.is_empty() && !p.is_empty())
            && !s.chars().any(char::is_control)
    })
}

// ------------------------------------------------------------------------------------------------
// Secret shapes (`api_key`)

/// The shapes file (see its header for the format and where the shapes come from).
const SHAPES_TOML: &str = include_str!("secret_shapes.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapeFile {
    shape: Vec<ShapeDef>,
}

/// One `[[shape]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapeDef {
    id: String,
    /// What the shape is: documentation for whoever reads the file.
    #[cfg_attr(not(test), allow(dead_code))]
    description: String,
    regex: String,
    keywords: Vec<String>,
    /// Literals that must all occur too (`@` in credentials written into a URL): a cheap test
    /// before the regex, for shapes whose keyword is common (`://`).
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    secret_group: Option<usize>,
    #[serde(default)]
    entropy: Option<f64>,
    /// Synthetic positives, run by the unit tests.
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(default)]
    examples: Vec<String>,
}

/// A shape, its regex compiled the first time a string holds one of its keywords.
struct Shape {
    def: ShapeDef,
    regex: OnceLock<BytesRegex>,
}

/// Compiles a shape's regex as gitleaks (Go RE2) reads it: `\w`, `\d`, `\s`, `\b` and `(?i)` are
/// ASCII-only. That is also what keeps ~200 patterns small and quick to compile: a Unicode `\w`
/// repeated a hundred times is a large automaton.
fn compile_shape(regex: &str) -> Result<BytesRegex, regex::Error> {
    BytesRegexBuilder::new(regex).unicode(false).build()
}

impl Shape {
    fn regex(&self) -> &BytesRegex {
        // The file is part of the program and a unit test compiles every shape.
        self.regex.get_or_init(|| {
            compile_shape(&self.def.regex)
                .unwrap_or_else(|e| panic!("secret shape {}: bad regex: {e}", self.def.id))
        })
    }

    /// Pushes the secret of every match of this shape in `text`.
    fn find(&self, text: &str, out: &mut Vec<Range<usize>>) {
        let hay = text.as_bytes();
        if !self
            .def
            .requires
            .iter()
            .all(|r| memchr::memmem::find(hay, r.as_bytes()).is_some())
        {
            return;
        }
        let re = self.regex();
        if re.captures_len() == 1 {
            for m in re.find_iter(hay) {
                self.keep(text, m.range(), out);
            }
            return;
        }
        for caps in re.captures_iter(hay) {
            // gitleaks' rule: the named group, else the first group that took part, else the match.
            let m = match self.def.secret_group {
                Some(g) => caps.get(g),
                None => caps
                    .iter()
                    .skip(1)
                    .flatten()
                    .find(|m| !m.is_empty())
                    .or_else(|| caps.get(0)),
            };
            if let Some(m) = m {
                self.keep(text, m.range(), out);
            }
        }
    }

    fn keep(&self, text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
        if r.is_empty() {
            return;
        }
        // A byte class may end inside a character (`[^"]` in ASCII mode): take all of it.
        let r = widen_to_chars(text, r);
        if let Some(min) = self.def.entropy
            && shannon_entropy(&text[r.clone()]) <= min
        {
            return;
        }
        out.push(r);
    }
}

/// Every shape, and one automaton over all their keywords.
struct Shapes {
    shapes: Vec<Shape>,
    /// The distinct keywords, ASCII lower-cased, in file order.
    keywords: Vec<String>,
    /// The keywords as `&str`, for the prefilter.
    keyword_strs: OnceLock<Vec<&'static str>>,
    /// Finds every keyword, ASCII case ignored.
    ac: AhoCorasick,
    /// Per keyword: the shapes it opens.
    opens: Vec<SmallVec<[u16; 2]>>,
    /// The longest keyword's length in bytes.
    longest: usize,
}

static SHAPES: LazyLock<Shapes> = LazyLock::new(|| {
    let file: ShapeFile = toml::from_str(SHAPES_TOML).expect("secret_shapes.toml is valid");
    let mut keywords: Vec<String> = Vec::new();
    let mut opens: Vec<SmallVec<[u16; 2]>> = Vec::new();
    for (k, def) in file.shape.iter().enumerate() {
        for kw in &def.keywords {
            let kw = kw.to_ascii_lowercase();
            let at = keywords.iter().position(|x| *x == kw).unwrap_or_else(|| {
                keywords.push(kw);
                opens.push(SmallVec::new());
                keywords.len() - 1
            });
            let k = u16::try_from(k).expect("fewer than 65536 shapes");
            if !opens[at].contains(&k) {
                opens[at].push(k);
            }
        }
    }
    // A DFA: this automaton reads every string of every event.
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .kind(Some(AhoCorasickKind::DFA))
        .build(&keywords)
        .expect("shape keywords are plain literals");
    Shapes {
        longest: keywords.iter().map(String::len).max().unwrap_or(0),
        shapes: file
            .shape
            .into_iter()
            .map(|def| Shape {
                def,
                regex: OnceLock::new(),
            })
            .collect(),
        keywords,
        keyword_strs: OnceLock::new(),
        ac,
        opens,
    }
});

impl Builtin {
    /// The literals one of which occurs in every string the `api_key` detector can match: the
    /// union of the secret shapes' keywords (a shape runs only where one of its own occurs).
    pub(crate) fn api_key_keywords() -> &'static [&'static str] {
        let shapes: &'static Shapes = &SHAPES;
        shapes
            .keyword_strs
            .get_or_init(|| shapes.keywords.iter().map(String::as_str).collect())
    }
}

/// The smallest range of whole characters around `r`.
fn widen_to_chars(text: &str, r: Range<usize>) -> Range<usize> {
    let start = text.floor_char_boundary(r.start);
    let end = text.ceil_char_boundary(r.end);
    start..end
}

/// Shannon entropy of `s` in bits per character, as gitleaks computes it.
fn shannon_entropy(s: &str) -> f64 {
    let mut chars: SmallVec<[char; 96]> = s.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    chars.sort_unstable();
    let n = chars.len() as f64;
    chars
        .chunk_by(|a, b| a == b)
        .map(|run| {
            let p = run.len() as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Finds the secrets of well-known shapes (`secret_shapes.toml`). A string without any shape's
/// keyword costs one automaton pass.
pub fn find_api_keys(text: &str, out: &mut Vec<Range<usize>>) {
    let s = &*SHAPES;
    let Some(first) = s.ac.find(text) else {
        return;
    };
    // The first match is the one that ends first; another may start up to a keyword's length
    // before that end.
    let mut open: SmallVec<[u64; 4]> = SmallVec::from_elem(0, s.shapes.len().div_ceil(64));
    let from = first.end().saturating_sub(s.longest);
    for m in
        s.ac.find_overlapping_iter(Input::new(text).span(from..text.len()))
    {
        for &k in &s.opens[m.pattern().as_usize()] {
            open[usize::from(k) / 64] |= 1 << (k % 64);
        }
    }
    let at = out.len();
    for (w, &bits) in open.iter().enumerate() {
        let mut bits = bits;
        while bits != 0 {
            let k = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            s.shapes[k].find(text, out);
        }
    }
    sort_dedup(out, at);
}

/// Sorts and deduplicates `out[at..]` (several shapes, or several names, may find one secret).
fn sort_dedup(out: &mut Vec<Range<usize>>, at: usize) {
    if out.len() - at < 2 {
        return;
    }
    let mut found = out.split_off(at);
    found.sort_unstable_by_key(|r| (r.start, r.end));
    found.dedup();
    out.extend(found);
}

// ------------------------------------------------------------------------------------------------
// PEM private keys (`private_key`)

static PEM_BEGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
        .expect("pem begin regex is valid")
});

static PEM_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
        .expect("pem end regex is valid")
});

/// Whether a string with these counts can hold a PEM private key.
pub(crate) fn may_match_private_key(hints: &Hints) -> bool {
    hints.letters >= 20
}

/// Finds PEM private-key blocks, both armour lines included: with real line breaks, `\r\n`,
/// escaped `\n` (a key pasted into a JSON string, once or twice escaped), or on one line with
/// blanks. A block whose END line was cut off is masked to the end of its base64 body.
pub fn find_private_keys(text: &str, out: &mut Vec<Range<usize>>) {
    if memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY").is_none() {
        return;
    }
    let mut pos = 0;
    while let Some(begin) = PEM_BEGIN.find_at(text, pos) {
        let next_begin = PEM_BEGIN.find_at(text, begin.end()).map(|m| m.start());
        let end = PEM_END
            .find_at(text, begin.end())
            .filter(|e| next_begin.is_none_or(|b| e.start() < b))
            .map(|e| e.end())
            .unwrap_or_else(|| pem_body_end(text, begin.end()));
        out.push(begin.start()..end);
        pos = end.max(begin.end());
    }
}

/// The end of the base64 body (and any `Proc-Type:`-style header lines) that starts at `from`,
/// for a block without its END line.
fn pem_body_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut end = from;
    let mut i = from;
    let mut in_headers = true;
    loop {
        // Separators: blanks, line breaks, and escaped line breaks (`\n`, `\\n`, `\r\n`).
        let mut j = i;
        loop {
            match b.get(j) {
                Some(b' ' | b'\t' | b'\r' | b'\n') => j += 1,
                Some(b'\\') => {
                    let k = j + b[j..].iter().take_while(|&&c| c == b'\\').count();
                    if matches!(b.get(k), Some(b'n' | b'r')) {
                        j = k + 1;
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        let tok_end = j + b[j..]
            .iter()
            .take_while(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\\'))
            .count();
        if tok_end == j {
            return end;
        }
        let tok = &b[j..tok_end];
        if in_headers && is_pem_header_name(tok) {
            // `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: …`: the header runs to the line end.
            let line = b[tok_end..]
                .iter()
                .position(|&c| c == b'\n' || c == b'\r' || c == b'\\')
                .map_or(b.len(), |n| tok_end + n);
            end = line;
            i = line;
            continue;
        }
        in_headers = false;
        if !is_base64_line(tok) {
            return end;
        }
        end = tok_end;
        i = tok_end;
    }
}

/// `Proc-Type:`, `DEK-Info:`, `Version:`, `Comment:`: a PEM or PGP armour header name.
fn is_pem_header_name(tok: &[u8]) -> bool {
    tok.len() >= 3
        && tok.ends_with(b":")
        && tok[0].is_ascii_alphabetic()
        && tok[..tok.len() - 1]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// A piece of a base64 body: base64 characters, and long or unlike an ordinary word.
fn is_base64_line(tok: &[u8]) -> bool {
    if !tok
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
    {
        return false;
    }
    tok.len() >= 16
        || tok
            .iter()
            .any(|c| c.is_ascii_digit() || matches!(c, b'+' | b'/' | b'='))
        || tok[1..].iter().any(u8::is_ascii_uppercase)
}

// ------------------------------------------------------------------------------------------------
// Named secrets (`secret_assignment`)

/// How a name may be followed by its value.
#[derive(Debug, Clone, Copy)]
struct NameKind {
    /// The name may end a longer word (`*passwort`).
    left_open: bool,
    /// A short or ambiguous name (`pw`, `pass`, `mdp`): after a prose connector only a value that
    /// is plainly a password ("pass is valid" is a sentence), else `:`, `=`, or a blank or dash
    /// before a token with a digit or symbol.
    label_only: bool,
    /// What a customer says after changing a password ("I changed it to …"): the next token, and
    /// only when it is plainly a password.
    change: bool,
}

pub(crate) struct Names {
    ac: AhoCorasick,
    kind: Vec<NameKind>,
    /// Per pattern: the form the automaton looks for (for the tests).
    #[cfg_attr(not(test), allow(dead_code))]
    forms: Vec<String>,
}

impl Names {
    /// Compiles the names of a lexicon's `password` lists (see `words/password.toml` for what
    /// each list's name means).
    pub(crate) fn from_lists(file: &Lists) -> Names {
        let mut forms: Vec<String> = Vec::new();
        let mut kind = Vec::new();
        for (list, words) in file {
            let label_only = list.ends_with("_label");
            let change = list.ends_with("_change");
            for w in words {
                let k = NameKind {
                    left_open: w.starts_with('*'),
                    label_only,
                    change,
                };
                // A phrase ("changed it to") is looked for as written, not as an identifier.
                let wanted: Vec<String> = if change {
                    name_forms(w)
                        .into_iter()
                        .filter(|f| f.contains(' '))
                        .collect()
                } else {
                    name_forms(w.trim_matches('*'))
                };
                for f in wanted {
                    if !forms.contains(&f) {
                        forms.push(f);
                        kind.push(k);
                    }
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&forms)
            .expect("names are plain literals");
        Names { ac, kind, forms }
    }
}

/// The forms a name is looked for in: its parts joined by a blank, `_`, `-` or nothing, each in
/// its lower, upper and capitalised case when it has letters other than ASCII.
pub(crate) fn name_forms(name: &str) -> Vec<String> {
    let parts: Vec<&str> = name
        .split([' ', '_', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    let joined: Vec<String> = if parts.len() < 2 {
        vec![name.to_string()]
    } else {
        [" ", "_", "-", ""].iter().map(|s| parts.join(s)).collect()
    };
    let mut out: Vec<String> = Vec::new();
    for j in joined {
        let mut cased = vec![j.clone()];
        if !j.is_ascii() {
            let lower = j.to_lowercase();
            let mut chars = lower.chars();
            let capital: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            cased.extend([j.to_uppercase(), lower, capital]);
        }
        for c in cased {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// Words that, after a name, introduce its value in prose: "my password is …", "la contraseña
/// es …", "mein Passwort ist/lautet …", "mon mot de passe est …", "a minha senha é …", "la mia
/// password è …", "mijn wachtwoord is/luidt …".
const CONNECTORS: &[&str] = &[
    "is", "was", "es", "era", "ist", "war", "lautet", "est", "était", "é", "è", "luidt", "c'est",
    "c’est", "heißt", "heisst", "sería", "seria", "sarà", "sera", "zijn",
];

/// `è`/`é` typed without the accent ("la mia password e R0m@%16"): as a [`Sep::ChangedTo`] value
/// (letters with a digit or symbol), since "e" is also "and" ("la password e SPID").
const UNACCENTED_IS: &[&str] = &["e"];

/// Prepositions after which a name is followed by what the password was changed to: "changed
/// the password to …", "cambié la clave a …", "changé le mot de passe en …", "Passwort auf …
/// geändert", "mudei a senha para …", "cambiato la password in …", "wachtwoord naar …". They
/// start ordinary phrases too ("reset the password to default"), so the value must look like a
/// password by its characters or be quoted.
const CHANGED_TO: &[&str] = &["to", "a", "en", "auf", "para", "in", "naar"];

/// The start of a verb of change near a password's name, which a [`CHANGED_TO`] preposition
/// needs ("saved the password in 1Password", "the password to Office365" are no changes).
#[rustfmt::skip]
const CHANGE_VERBS: &[&str] = &[
    "chang", "reset", "set", "updat", "modif", "cambi", "puse", "mudei", "mudar", "alter",
    "troq", "redefin", "geänder", "geaender", "gesetzt", "umgestellt", "änder", "aender",
    "réinitialis", "reinitialis", "mis", "verander", "gewijzigd", "ingesteld", "impostat",
];

/// Whether a verb of change ([`CHANGE_VERBS`]) stands within 40 bytes before `start` or 24 after
/// `end` ("habe das Passwort auf … geändert").
fn change_verb_near(text: &str, start: usize, end: usize) -> bool {
    let from = text.ceil_char_boundary(start.saturating_sub(40));
    let to = text.floor_char_boundary(end + 24);
    let near = |s: &str| {
        s.split(|c: char| !c.is_alphabetic()).any(|w| {
            let w = w.to_lowercase();
            CHANGE_VERBS.iter().any(|v| w.starts_with(v))
        })
    };
    near(&text[from..start]) || near(&text[end..to])
}

/// Words that may stand between a name and its separator: adjectives ("temporal", "provisoire",
/// "neu") and the customer's own words ("I set", "que uso", "che uso", "que j'utilise").
#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "i", "set", "use", "used", "chose", "picked", "have", "had", "new", "temporary",
    "temp", "current", "old", "initial", "one-time",
    "que", "uso", "usé", "puse", "elegí", "tengo", "temporal", "provisional", "nueva", "actual",
    "ich", "nutze", "verwende", "habe", "neues", "neue", "aktuelles", "temporäres", "vorläufiges",
    "je", "j'utilise", "j’utilise", "utilise", "provisoire", "temporaire", "nouveau", "actuel",
    "eu", "uso", "usei", "tenho", "provisória", "provisoria", "temporária", "nova", "atual",
    "che", "ho", "scelto", "provvisoria", "temporanea", "nuova", "attuale",
    "ik", "gebruik", "nieuwe", "tijdelijke", "huidige",
];

/// Whether `w` may stand between a name and its separator (see [`FILLERS`]).
fn is_filler(w: &str) -> bool {
    FILLERS
        .iter()
        .any(|f| f.eq_ignore_ascii_case(w) || (!w.is_ascii() && *f == w.to_lowercase()))
}

/// A value that is a password whatever stands before it: eight characters or more, letters with a
/// digit or a symbol, no blank ("pqkxS^+1mWJvR!", "Ch@ngeMe1"), and not a date, time or amount.
fn plainly_password(v: &str) -> bool {
    let v = sentence_core(v);
    let letters = v.chars().filter(|c| c.is_alphabetic()).count();
    v.chars().count() >= 8
        && letters >= 2
        && has_digit_or_symbol(v)
        && !v.chars().any(char::is_whitespace)
        && !is_placeholder(v)
}

/// Words that may follow a connector before the value ("is now", "ist jetzt").
const NOW: &[&str] = &["now", "ahora", "jetzt", "maintenant", "agora", "ora", "nu"];

/// Words that end a passphrase: what joins the next clause, in the seven languages.
#[rustfmt::skip]
const JOINS: &[&str] = &[
    // en
    "and", "but", "or", "then", "so", "because", "please", "thanks", "thank", "for", "with",
    "which", "that", "if", "when", "as",
    // es
    "y", "e", "pero", "o", "u", "porque", "gracias", "por", "para", "que", "si", "cuando", "con",
    "como",
    // de
    "und", "aber", "oder", "weil", "danke", "bitte", "für", "mit", "wenn", "dass", "denn", "wie",
    // fr
    "et", "mais", "ou", "car", "merci", "pour", "avec", "quand", "puis", "comme",
    // pt
    "mas", "obrigado", "obrigada", "com", "se", "quando",
    // it
    "ma", "perché", "grazie", "per", "che", "poi", "come",
    // nl
    "en", "maar", "of", "omdat", "bedankt", "dank", "voor", "met", "als", "wanneer", "dat",
    "zoals",
];

/// Words taken after `:` at most: a passphrase, not the rest of the message.
const MAX_WORDS: usize = 8;

/// How a value follows its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    /// `:` (a passphrase may run over several words).
    Colon,
    /// `=`, `=>`, `:=` (one token: configs and URL queries).
    Equals,
    /// A prose connector ("is", "ist", "es") or a quote: the value must look like a password, or
    /// be quoted.
    Prose,
    /// A preposition of a change ([`CHANGED_TO`]) with a verb of change near: the value needs
    /// letters and a digit or a symbol ("to PayPal", "in 2024", "to v2" are not passwords), or
    /// quotes.
    ChangedTo,
    /// An unaccented "e" for "è"/"é" ([`UNACCENTED_IS`]): the value as after [`Sep::ChangedTo`].
    Unaccented,
    /// Only a blank or a dash (`Passwort Xk9#mQ2v`, `pwd - Pc8*vN4k`): one token that holds a digit
    /// or a symbol.
    Loose,
}

/// Finds the value of `password=…`, `api_key: …`, `Passwort: …`, `my password is …`, `la
/// contraseña es …`, `pwd Pc8*vN4k`; the name stays readable. After `:` a passphrase runs to the
/// end of its clause; after `=` the value is one token (an `&` that starts another `name=` ends
/// it). After a prose connector the value must look like a password (a digit or symbol, mixed
/// case, or quoted), and after a bare blank or dash it must hold a digit or symbol, so "the
/// password is incorrect" and "password reset requested" stay as they are; obvious placeholders
/// (`***`, `[REDACTED]`, `<hidden>`, `null`) are never values.
pub fn find_assignments(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let names = &*lex.secret_names;
    let at = out.len();
    for m in names.ac.find_overlapping_iter(text) {
        let kind = names.kind[m.pattern().as_usize()];
        if !name_bounded(text, m.start(), m.end(), kind.left_open) {
            continue;
        }
        if kind.change {
            let v = skip_hspace(text, m.end());
            let end = token_end(text, v, Sep::Loose);
            let tok = trim_token(text.get(v..end).unwrap_or_default());
            if v > m.end() && plainly_password(tok) {
                out.push(v..v + tok.len());
            }
            continue;
        }
        let Some((sep, v)) = separator(text, m.end()) else {
            continue;
        };
        let Some(r) = value(text, v, sep) else {
            continue;
        };
        if kind.label_only
            && matches!(sep, Sep::Prose | Sep::ChangedTo | Sep::Unaccented)
            && !plainly_password(&text[r.clone()])
        {
            continue;
        }
        if sep == Sep::ChangedTo && !change_verb_near(text, m.start(), r.end) {
            continue;
        }
        out.push(r);
    }
    sort_dedup(out, at);
}

/// Whether the name found at `start..end` stands alone or as a part of a snake_case, kebab-case or
/// camelCase name (`db_password`, `X-Api-Key`, `userPassword`).
fn name_bounded(text: &str, start: usize, end: usize, left_open: bool) -> bool {
    if text[end..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric)
    {
        return false;
    }
    if left_open {
        return true;
    }
    match text[..start].chars().next_back() {
        None => true,
        Some(p) if !p.is_alphanumeric() => true,
        // camelCase: `userPassword`, `dbPwd`.
        Some(p) => {
            (p.is_lowercase() || p.is_ascii_digit())
                && text[start..].chars().next().is_some_and(char::is_uppercase)
        }
    }
}

/// True for a blank inside a line (spaces, tabs, no-break spaces).
fn is_hspace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{a0}' | '\u{202f}')
}

fn skip_hspace(text: &str, i: usize) -> usize {
    i + text[i..]
        .char_indices()
        .find(|&(_, c)| !is_hspace(c))
        .map_or(text.len() - i, |(n, _)| n)
}

/// The separator after a name ending at `i` and where the value starts.
fn separator(text: &str, i: usize) -> Option<(Sep, usize)> {
    let b = text.as_bytes();
    let mut i = i;
    // A closing quote or bracket of the name: `"password": …`, `\"pwd\":`, `user[password]=…`.
    for _ in 0..2 {
        match b.get(i) {
            Some(b'\\') if matches!(b.get(i + 1), Some(b'"' | b'\'')) => i += 2,
            Some(b'"' | b'\'' | b']') => i += 1,
            _ => break,
        }
    }
    let mut j = skip_hspace(text, i);
    // Words between a name and its separator: "contraseña temporal X", "the password I set was X",
    // "la password che uso è X".
    if j > i {
        for _ in 0..3 {
            let w_end = text[j..]
                .char_indices()
                .find(|&(_, c)| !(c.is_alphabetic() || c == '\'' || c == '’'))
                .map_or(text.len(), |(n, _)| j + n);
            let next = skip_hspace(text, w_end);
            let w = &text[j..w_end];
            if w.is_empty() || next == w_end || !is_filler(w) {
                break;
            }
            j = next;
        }
    }
    let rest = &text[j..];
    for (s, sep) in [
        (":=", Sep::Equals),
        ("=>", Sep::Equals),
        ("=", Sep::Equals),
        (":", Sep::Colon),
        ("：", Sep::Colon),
    ] {
        if let Some(r) = rest.strip_prefix(s) {
            // `::` is a path (`Password::new`), `==` a comparison.
            if r.starts_with([':', '=']) {
                return None;
            }
            return Some((sep, skip_hspace(text, j + s.len())));
        }
    }
    // Prose needs a blank between the name and its connector.
    if j == i {
        return None;
    }
    // A quoted value right after the name: `password "blue sky 42"`.
    if quote_pair(rest).is_some() {
        return Some((Sep::Prose, j));
    }
    for dash in ["- ", "– ", "— "] {
        if rest.starts_with(dash) {
            return Some((Sep::Loose, skip_hspace(text, j + dash.len())));
        }
    }
    let word_end = rest
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(rest.len(), |(n, _)| n);
    let mut word = &rest[..word_end];
    // "c'est", "c’est": the connector holds an apostrophe.
    for c in ["c'est", "c’est"] {
        if rest
            .get(..c.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(c))
        {
            word = &rest[..c.len()];
        }
    }
    let word_end = word.len();
    let is = |list: &[&str]| {
        list.iter().any(|c| {
            c.eq_ignore_ascii_case(word) || (!word.is_ascii() && *c == word.to_lowercase())
        })
    };
    let prose = if is(CONNECTORS) {
        Sep::Prose
    } else if is(CHANGED_TO) {
        Sep::ChangedTo
    } else if is(UNACCENTED_IS) {
        Sep::Unaccented
    } else {
        return Some((Sep::Loose, j));
    };
    let mut k = j + word_end;
    // "is now", "ist jetzt".
    let after = skip_hspace(text, k);
    if after > k {
        let rest = &text[after..];
        let w_end = rest
            .char_indices()
            .find(|&(_, c)| !c.is_alphabetic())
            .map_or(rest.len(), |(n, _)| n);
        if NOW.iter().any(|w| w.eq_ignore_ascii_case(&rest[..w_end])) {
            k = after + w_end;
        }
    }
    if text[k..].starts_with(':') {
        k += 1;
    }
    let v = skip_hspace(text, k);
    // The connector is a whole word followed by a blank.
    (v > k).then_some((prose, v))
}

/// The quote that closes one opening at the start of `s`, and the opener's length.
fn quote_pair(s: &str) -> Option<(&'static str, usize)> {
    if s.starts_with("\\\"") {
        return Some(("\\\"", 2));
    }
    if s.starts_with("\\'") {
        return Some(("\\'", 2));
    }
    let c = s.chars().next()?;
    let close = match c {
        '"' => "\"",
        '\'' => "'",
        '`' => "`",
        '“' => "”",
        '”' => "”",
        '‘' => "’",
        '«' => "»",
        '„' => "“",
        '‹' => "›",
        '[' => "]",
        _ => return None,
    };
    Some((close, c.len_utf8()))
}

/// The value starting at `v`, if it is one.
fn value(text: &str, v: usize, sep: Sep) -> Option<Range<usize>> {
    let rest = &text[v..];
    if let Some((close, open_len)) = quote_pair(rest) {
        let inner = v + open_len;
        let line = text[inner..]
            .find(['\n', '\r'])
            .map_or(text.len(), |n| inner + n)
            .min(inner + 256);
        let line = text.floor_char_boundary(line);
        let closed = text[inner..line]
            .find(close)
            .map(|n| inner + n)
            .or_else(|| {
                // German quotes may close with either mark.
                (close == "“")
                    .then(|| text[inner..line].find('”').map(|n| inner + n))
                    .flatten()
            });
        if let Some(end) = closed {
            // `« X »`: blanks inside French quotes are typography.
            let start = skip_hspace(text, inner);
            let end = start.max(inner + text[inner..end].trim_end_matches(is_hspace).len());
            let val = &text[start..end];
            // `[SECRET]`, `[PASSWORD REMOVED]`: a masker's or a template's placeholder.
            let tag = close == "]"
                && val
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c == ' ');
            if val.chars().count() < 3 || is_placeholder(val) || tag {
                return None;
            }
            return Some(start..end);
        }
        return unquoted(text, inner, sep);
    }
    unquoted(text, v, sep)
}

/// An unquoted value: one token after `=` or a prose connector, words up to the end of the clause
/// after `:`.
fn unquoted(text: &str, v: usize, sep: Sep) -> Option<Range<usize>> {
    let first_end = token_end(text, v, sep);
    if first_end == v {
        return None;
    }
    let first = trim_token(&text[v..first_end]);
    // `Password: Username: bob`: the value is another label.
    if first.ends_with(':') || first.is_empty() {
        return None;
    }
    let mut end = v + first.len();
    let mut words = 1;
    let mut pos = first_end;
    if sep == Sep::Colon && !ends_sentence(&text[v..first_end]) {
        // Further words of a passphrase, each after one blank.
        while words < MAX_WORDS && text[pos..].starts_with(' ') {
            let start = pos + 1;
            let tok_end = token_end(text, start, sep);
            if tok_end == start {
                break;
            }
            let tok = &text[start..tok_end];
            let bare = tok.trim_end_matches(['.', '!', '?']);
            if JOINS
                .iter()
                .any(|j| j.eq_ignore_ascii_case(bare) || *j == bare.to_lowercase())
                || tok.ends_with(':')
                || tok.contains('=')
                || tok.starts_with(['(', '['])
            {
                break;
            }
            let t = trim_token(tok);
            if t.is_empty() {
                break;
            }
            end = start + t.len();
            words += 1;
            pos = tok_end;
            if ends_sentence(tok) {
                break;
            }
        }
    }
    let val = &text[v..end];
    let min = match sep {
        Sep::Colon | Sep::Equals => 3,
        Sep::Prose | Sep::ChangedTo | Sep::Unaccented => 4,
        Sep::Loose => 6,
    };
    if val.chars().count() < min || is_placeholder(val) {
        return None;
    }
    let ok = match sep {
        Sep::Colon | Sep::Equals => true,
        Sep::Prose => looks_like_password(first) || word_password(first, &text[v + first.len()..]),
        Sep::ChangedTo | Sep::Unaccented => {
            let core = sentence_core(first);
            has_digit_or_symbol(core)
                && core.chars().filter(|c| c.is_alphabetic()).count() >= 2
                && core.chars().count() >= 6
                || dashed_passphrase(core)
        }
        Sep::Loose => has_digit_or_symbol(first),
    };
    ok.then_some(v..end)
}

/// Whether a token ends a sentence (`… staple.`, `hunter22!`).
fn ends_sentence(tok: &str) -> bool {
    tok.ends_with(['.', '!', '?'])
}

/// The end of the token at `i`: at a blank, a double quote, a tag, an escape sequence (`\n`, `\"`),
/// a `;` after `=` or before a blank, a `,` before a blank, or an `&` that starts another `name=`
/// of a URL query.
fn token_end(text: &str, i: usize, sep: Sep) -> usize {
    let b = text.as_bytes();
    let mut j = i;
    while j < b.len() {
        let next = b.get(j + 1).copied();
        match b[j] {
            b'"' => break,
            // `<` opens a tag or ends a value only before a letter, `/` or `!` ("amor<3luna").
            b'<' if next.is_none_or(|c| c.is_ascii_alphabetic() || c == b'/' || c == b'!') => {
                break;
            }
            // `;` separates settings (`Password=x;User Id=y`); in prose only before a blank.
            b';' if sep == Sep::Equals || next.is_none_or(|c| c.is_ascii_whitespace()) => break,
            b'\\' if matches!(b.get(j + 1), Some(b'n' | b'r' | b't' | b'"' | b'\\')) => break,
            b',' if b.get(j + 1).is_none_or(|c| c.is_ascii_whitespace()) => break,
            b'&' if starts_query_param(&b[j + 1..]) => break,
            c if c.is_ascii_whitespace() => break,
            c if c >= 0x80 => {
                let ch = text[j..].chars().next().expect("char boundary");
                if ch.is_whitespace() {
                    break;
                }
                j += ch.len_utf8();
                continue;
            }
            _ => {}
        }
        j += 1;
    }
    j
}

/// Whether `b` (just after an `&`) starts another `name=` of a query (`&next=`, `&amp;page=`).
fn starts_query_param(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"amp;").unwrap_or(b);
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'[' | b']'))
        .count();
    n > 0 && b.get(n) == Some(&b'=')
}

/// A token without the sentence's full stop and unbalanced closing brackets after it.
fn trim_token(tok: &str) -> &str {
    let mut t = tok;
    loop {
        let before = t.len();
        t = t.strip_suffix('.').unwrap_or(t);
        for (open, close) in [('(', ')'), ('[', ']'), ('{', '}')] {
            if t.ends_with(close) && t.matches(open).count() < t.matches(close).count() {
                t = &t[..t.len() - 1];
            }
        }
        if t.len() == before {
            return t;
        }
    }
}

/// Whether a word after a prose connector reads as a password rather than a word: it holds a
/// digit or a symbol (sentence punctuation at its end aside), or an upper-case letter after its
/// first.
fn looks_like_password(word: &str) -> bool {
    let core = sentence_core(word);
    // A capital inside a word ("iLoveCats"), not one that starts a compound's part
    // ("Zwei-Faktor-Authentifizierung").
    let inner_capital = core
        .chars()
        .zip(core.chars().skip(1))
        .any(|(a, b)| a.is_lowercase() && b.is_uppercase());
    has_digit_or_symbol(word) || inner_capital || dashed_passphrase(core)
}

/// Four or more words joined by dashes, as password managers suggest passphrases
/// ("marseille-loulou-cafe-doudou", "correct-horse-battery-staple").
fn dashed_passphrase(word: &str) -> bool {
    // Compounds hold short function words ("up-to-date", "state-of-the-art", "tout-en-un") or
    // capitals ("Zwei-Faktor-Authentifizierung"); a passphrase's words are three letters or more.
    let parts: Vec<&str> = word.split('-').collect();
    parts.len() >= 4
        && parts.iter().all(|p| {
            p.chars().count() >= 3
                && p.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
                && !matches!(
                    *p,
                    "the" | "and" | "for" | "les" | "des" | "une" | "con" | "per"
                )
        })
}

/// Whether a lower-case word after a prose connector is the password itself: it ends its clause
/// ("mein Passwort lautet roqkfvtkk", "my password is sunflower."), has six letters or more and
/// is not a word that describes a password ("is incorrect", "is different", "ist abgelaufen").
fn word_password(word: &str, after: &str) -> bool {
    // The words that report on a password ("expired", "vergessen") are [`is_placeholder`]'s;
    // these describe one.
    #[rustfmt::skip]
    const DESCRIBE: &[&str] = &[
        "correct", "different", "strong", "secure", "simple", "complex", "longer", "shorter",
        "working", "accepted", "rejected", "lowercase", "uppercase", "sensitive", "temporary",
        "private", "personal", "enough",
        "correcta", "diferente", "distinta", "segura", "sencilla", "inválida", "invalida",
        "temporal",
        "richtig", "anders", "sicher", "ungültig", "korrekt",
        "différent", "sécurisé", "bloqué", "invalide",
        "errada", "correta",
        "sbagliata", "corretta", "diversa", "sicura",
        "verkeerd", "veilig", "verlopen", "geblokkeerd", "vergeten",
    ];
    let core = sentence_core(word);
    let rest = after.trim_start_matches(is_hspace);
    core.chars().count() >= 6
        && core.chars().all(|c| c.is_alphabetic() && c.is_lowercase())
        && rest.chars().next().is_none_or(|c| {
            matches!(
                c,
                '.' | '!' | '?' | ',' | ';' | '\n' | '\r' | ')' | '"' | '\''
            )
        })
        && !DESCRIBE.contains(&core)
        && !is_placeholder(core)
}

/// Whether a word holds a digit or a symbol other than sentence punctuation at its end, an
/// apostrophe or a hyphen ("don't", "case-sensitive" are words).
fn has_digit_or_symbol(word: &str) -> bool {
    sentence_core(word)
        .chars()
        .any(|c| c.is_ascii_digit() || (!c.is_alphanumeric() && !matches!(c, '\'' | '’' | '-')))
}

fn sentence_core(word: &str) -> &str {
    word.trim_end_matches(['.', '!', '?', ',', ':', ';'])
}

/// Obvious placeholders: `***`, `xxxx`, `[REDACTED]`, `<hidden>`, `{{password}}`, `${DB_PASS}`,
/// `%s`, `null`, `none`, `n/a`.
fn is_placeholder(v: &str) -> bool {
    const WORDS: &[&str] = &[
        "null",
        "none",
        "nil",
        "undefined",
        "empty",
        "n/a",
        "redacted",
        "hidden",
        "masked",
        "removed",
        "omitted",
        "true",
        "false",
    ];
    /// Words that report on a password rather than being one ("password: expired", "Passwort:
    /// vergessen", "contraseña: cambiada por el cliente", "password: see ticket").
    const STATUS: &[&str] = &[
        "expired",
        "expires",
        "forgotten",
        "forgot",
        "reset",
        "changed",
        "updated",
        "incorrect",
        "wrong",
        "invalid",
        "required",
        "missing",
        "locked",
        "blocked",
        "see",
        "same",
        "unknown",
        "pending",
        "printed",
        "sent",
        "not",
        "vergessen",
        "abgelaufen",
        "geändert",
        "zurückgesetzt",
        "falsch",
        "gesperrt",
        "siehe",
        "wurde",
        "nicht",
        "olvidada",
        "olvidé",
        "caducada",
        "cambiada",
        "incorrecta",
        "restablecida",
        "bloqueada",
        "ver",
        "no",
        "oublié",
        "oubliée",
        "expiré",
        "changé",
        "réinitialisé",
        "voir",
        "pas",
        "esquecida",
        "expirada",
        "alterada",
        "incorreta",
        "não",
        "dimenticata",
        "scaduta",
        "cambiata",
        "errata",
        "bloccata",
        "vedi",
        "non",
    ];
    let v = v.trim();
    let lower = v.to_lowercase();
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    let first = lower.split_whitespace().next().unwrap_or("");
    if STATUS.contains(&first.trim_end_matches([',', '.', ';']))
        && !lower.chars().any(|c| c.is_ascii_digit())
    {
        return true;
    }
    let mut chars = v.chars();
    if let Some(c) = chars.next()
        && matches!(c, '*' | 'x' | 'X' | '•' | '●' | '.' | '-' | '#' | '_')
        && chars.all(|d| d == c)
    {
        return true;
    }
    let wrapped = |o: char, c: char| v.starts_with(o) && v.ends_with(c);
    if wrapped('[', ']')
        || wrapped('<', '>')
        || wrapped('{', '}')
        || ["${", "{{", "{%"].iter().any(|p| v.starts_with(p))
    {
        return true;
    }
    let env_name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    if let Some(name) = v.strip_prefix('$')
        && env_name(name)
    {
        return true;
    }
    if let Some(name) = v.strip_prefix('%').and_then(|s| s.strip_suffix('%'))
        && env_name(name)
    {
        return true;
    }
    v.len() == 2 && v.starts_with('%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::masking::prefilter::{GateSource, Prefilter};
    use proptest::prelude::*;

    fn run(f: fn(&str, &mut Vec<Range<usize>>), text: &str) -> Vec<String> {
        crate::masking::detectors::found_by(f, text)
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// What one shape alone finds in `text`.
    fn by_shape(shape: &Shape, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        shape.find(text, &mut out);
        out.into_iter().map(|r| text[r].to_string()).collect()
    }

    fn keywords_in(shape: &Shape, text: &str) -> bool {
        let lower = text.to_ascii_lowercase();
        shape
            .def
            .keywords
            .iter()
            .any(|k| lower.contains(&k.to_ascii_lowercase()))
    }

    #[test]
    fn credentials() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert_eq!(run(find_jwts, &format!("token {jwt} end")), vec![jwt]);
        assert_eq!(
            run(find_bearer, "Authorization: Bearer abcDEF123456789xyz"),
            vec!["abcDEF123456789xyz"]
        );
        // A no-break space pasted from a rich-text client.
        assert_eq!(
            run(find_bearer, "header was Bearer\u{a0}HE1ZVVA6Qu7CH44qXHAf"),
            vec!["HE1ZVVA6Qu7CH44qXHAf"]
        );
        assert!(run(find_jwts, "eyJ alone").is_empty());
        assert!(run(find_bearer, "the bearer of bad news").is_empty());
        // HTTP Basic: base64 of `user:password`, never a word after "basic".
        for (text, token) in [
            (
                "Authorization: Basic YWRtaW46b2pxdElKSFdzaA==",
                "YWRtaW46b2pxdElKSFdzaA==",
            ),
            (
                "header was basic YWRtaW46WDhjaWFOTFhTNA== ok",
                "YWRtaW46WDhjaWFOTFhTNA==",
            ),
        ] {
            assert_eq!(run(find_bearer, text), vec![token], "{text}");
        }
        for text in [
            "the Basic subscription",
            "Basic ZGVmYXVsdA==",
            "basic plan upgraded",
        ] {
            assert!(run(find_bearer, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn every_shape_is_well_formed() {
        let s = &*SHAPES;
        assert!(s.shapes.len() >= 100, "{} shapes", s.shapes.len());
        let mut ids = std::collections::HashSet::new();
        for shape in &s.shapes {
            let d = &shape.def;
            assert!(ids.insert(d.id.as_str()), "{}: duplicate id", d.id);
            assert!(!d.description.is_empty(), "{}: no description", d.id);
            assert!(!d.keywords.is_empty(), "{}: no keywords", d.id);
            assert!(!d.examples.is_empty(), "{}: no example", d.id);
            let re = compile_shape(&d.regex).unwrap_or_else(|e| panic!("{}: {e}", d.id));
            if let Some(g) = d.secret_group {
                assert!(g < re.captures_len(), "{}: no group {g}", d.id);
            }
            for k in &d.keywords {
                assert!(k.len() >= 2 && k.trim() == k, "{}: keyword {k:?}", d.id);
            }
        }
    }

    /// Every shape finds each of its examples, and the example holds one of its keywords.
    #[test]
    fn every_shape_finds_its_examples() {
        let mut failures = Vec::new();
        for shape in &SHAPES.shapes {
            for ex in &shape.def.examples {
                if !keywords_in(shape, ex) {
                    failures.push(format!("{}: no keyword in {ex:?}", shape.def.id));
                } else if by_shape(shape, ex).is_empty() {
                    failures.push(format!("{}: does not find {ex:?}", shape.def.id));
                } else if run(find_api_keys, ex).is_empty() {
                    failures.push(format!("{}: find_api_keys misses {ex:?}", shape.def.id));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Shapes whose secret is mostly a fixed prefix with a tail of any length: half of it still
    /// holds the whole prefix.
    /// A password in a URL has any length: half of one is still a password.
    const HALF_STILL_MATCHES: &[&str] =
        &["aws-amazon-bedrock-api-key-short-lived", "url-credentials"];

    /// Cut in half, an example's secret is too short for its shape.
    #[test]
    fn half_a_secret_is_not_found() {
        let mut failures = Vec::new();
        for shape in &SHAPES.shapes {
            if HALF_STILL_MATCHES.contains(&shape.def.id.as_str()) {
                continue;
            }
            for ex in &shape.def.examples {
                let mut out = Vec::new();
                shape.find(ex, &mut out);
                let Some(r) = out.first().cloned() else {
                    continue;
                };
                let secret = &ex[r.clone()];
                let half = secret.floor_char_boundary(secret.len() / 2);
                let cut = format!("{}{}{}", &ex[..r.start], &secret[..half], &ex[r.end..]);
                let found = by_shape(shape, &cut);
                if !found.is_empty() {
                    failures.push(format!("{}: finds {found:?} in {cut:?}", shape.def.id));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn realistic_negatives_are_not_api_keys() {
        let png = format!(
            "data:image/png;base64,iVBORw0KGgo{}",
            "AAAANSUhEUgAAAAEAAAAB".repeat(8)
        );
        for text in [
            "order 123e4567-e89b-12d3-a456-426614174000 shipped",
            "fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
            "git sha 3f786850e387550fdac9d9d4c5e8e4a2f0e1b2c3d",
            png.as_str(),
            "the skeleton_key opens the old door",
            "tokenizer settings were reset",
            "see sketch-proj-1 for the drawing",
            "task-1234567890123456789012",
            "ask the desk about the risk task",
            "API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx in the sample config",
            "the customer asked for skeleton keys and sketches",
            "slack me at #support-tier2 when done",
        ] {
            assert!(
                run(find_api_keys, text).is_empty(),
                "{text:?}: {:?}",
                run(find_api_keys, text)
            );
        }
    }

    #[test]
    fn api_keys_in_context() {
        assert_eq!(
            run(find_api_keys, "key AKIAIOSFODNN7EXAMPLE here"),
            vec!["AKIAIOSFODNN7EXAMPLE"]
        );
        assert_eq!(
            run(
                find_api_keys,
                "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc, thanks"
            ),
            vec!["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]
        );
        // The label stays readable; only the 40-character secret is masked.
        assert_eq!(
            run(
                find_api_keys,
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
            ),
            vec!["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"]
        );
        let hook = "https://hooks.slack.com/services/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";
        assert_eq!(run(find_api_keys, &format!("hook: {hook}.")), vec![hook]);
        // Upper- and lower-case keywords alike.
        assert_eq!(
            run(
                find_api_keys,
                "GITHUB ghp_0123456789abcdefghijABCDEFGHIJ012345"
            ),
            vec!["ghp_0123456789abcdefghijABCDEFGHIJ012345"]
        );
    }

    #[test]
    fn prefilter_opens_on_exactly_the_shape_keywords() {
        let kws = Builtin::api_key_keywords();
        assert_eq!(kws.len(), SHAPES.keywords.len());
        let pf = Prefilter::build(
            &[GateSource::Builtin(Builtin::ApiKey)],
            Lexicon::builtin(),
            1 << 20,
        );
        for k in kws {
            assert_eq!(
                pf.open(&format!("x {} y", k.to_ascii_uppercase())).rules,
                1,
                "{k}"
            );
        }
        for shape in &SHAPES.shapes {
            for ex in &shape.def.examples {
                assert_eq!(pf.open(ex).rules, 1, "{}: {ex:?}", shape.def.id);
            }
        }
        assert_eq!(pf.open("nothing to see here, all fine").rules, 0);
    }

    const RSA_BODY: [&str; 3] = [
        "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
        "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK",
        "LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo",
    ];

    #[test]
    fn pem_private_keys() {
        let body = RSA_BODY.join("\n");
        let block =
            format!("-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----");
        assert_eq!(
            run(find_private_keys, &format!("key:\n{block}\nthanks")),
            vec![block.clone()]
        );
        let crlf = block.replace('\n', "\r\n");
        assert_eq!(
            run(find_private_keys, &format!("{crlf}\r\nbye")),
            vec![crlf]
        );
        let escaped = block.replace('\n', "\\n");
        assert_eq!(
            run(find_private_keys, &format!("{{\"key\":\"{escaped}\\n\"}}")),
            vec![escaped.clone()]
        );
        let twice = block.replace('\n', "\\\\n");
        assert_eq!(run(find_private_keys, &format!("\"{twice}\"")), vec![twice]);
        let one_line = block.replace('\n', " ");
        assert_eq!(
            run(find_private_keys, &format!("here {one_line} ok")),
            vec![one_line]
        );
        for kind in ["", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED "] {
            let b = format!(
                "-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"
            );
            assert_eq!(run(find_private_keys, &b), vec![b.clone()], "{kind}");
        }
        let pgp = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{body}\n=twTO\n-----END PGP PRIVATE KEY BLOCK-----"
        );
        assert_eq!(run(find_private_keys, &format!("{pgp}\n")), vec![pgp]);
    }

    #[test]
    fn cut_off_private_keys_mask_to_the_end_of_their_body() {
        let body = RSA_BODY.join("\n");
        let head = format!("-----BEGIN RSA PRIVATE KEY-----\n{body}");
        assert_eq!(
            run(
                find_private_keys,
                &format!("{head}\nand then the chat was cut")
            ),
            vec![head.clone()]
        );
        let enc = format!(
            "-----BEGIN RSA PRIVATE KEY-----\\nProc-Type: 4,ENCRYPTED\\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\\n\\n{}",
            RSA_BODY.join("\\n")
        );
        assert_eq!(run(find_private_keys, &format!("{enc}\\n\"}}")), vec![enc]);
        let spaced = format!("-----BEGIN PRIVATE KEY----- {}", RSA_BODY.join(" "));
        assert_eq!(
            run(find_private_keys, &format!("{spaced} sorry")),
            vec![spaced]
        );
        // Two blocks: the first, cut off, ends where the second begins.
        let two =
            format!("{head}\n-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----");
        assert_eq!(run(find_private_keys, &two).len(), 2);
    }

    #[test]
    fn private_key_negatives() {
        for text in [
            "please rotate your private key",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAu1SU1LfVLPHCozMxH2Mo\n-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----",
        ] {
            assert!(run(find_private_keys, text).is_empty(), "{text:?}");
        }
    }

    /// The assignment finder with the built-in lexicon, in the shape of the other finders.
    fn assign(text: &str, out: &mut Vec<Range<usize>>) {
        find_assignments(text, Lexicon::builtin(), out);
    }

    fn assigned(text: &str) -> Vec<String> {
        run(assign, text)
    }

    #[test]
    fn passwords_in_every_language() {
        for (text, value) in [
            ("Passwort: Sommer2026", "Sommer2026"),
            ("contraseña: perro123", "perro123"),
            ("CONTRASEÑA: perro123", "perro123"),
            ("mot de passe : Chat!Noir", "Chat!Noir"),
            ("mot de passe\u{a0}: Chat!Noir", "Chat!Noir"),
            ("pw: hunter2x", "hunter2x"),
            ("pass=Tr0ub4dor", "Tr0ub4dor"),
            ("pwd=abc", "abc"),
            ("mdp: azerty12", "azerty12"),
            ("password was Spring#1", "Spring#1"),
            ("mein Passwort ist Hallo123", "Hallo123"),
            ("mein Passwort lautet Hallo123", "Hallo123"),
            ("Kennwort: geheim99", "geheim99"),
            ("Benutzerpasswort: geheim99", "geheim99"),
            ("la contraseña es Perro2024", "Perro2024"),
            ("la clave es Perro2024", "Perro2024"),
            ("mon mot de passe est Soleil2024", "Soleil2024"),
            ("a minha senha é Brasil2024", "Brasil2024"),
            ("senha: brasil2024", "brasil2024"),
            ("palavra-passe: lisboa77", "lisboa77"),
            ("la mia password è Roma2024", "Roma2024"),
            ("parola d'ordine: roma2024", "roma2024"),
            ("mijn wachtwoord is Amsterdam1", "Amsterdam1"),
            ("wachtwoord: amsterdam1", "amsterdam1"),
            ("my password is now Winter2026!", "Winter2026!"),
            ("my password: hunter22!", "hunter22!"),
            ("My password is Summer2026! ok", "Summer2026!"),
            ("the password is iLoveCats", "iLoveCats"),
            ("the password is 'sunshine'", "sunshine"),
            ("passcode: 8812", "8812"),
            ("passphrase = \"open sesame now\"", "open sesame now"),
            ("mot de passe Lq4!zW8n", "Lq4!zW8n"),
            ("CONTRASEÑA Rv7$kP2m, como hablamos", "Rv7$kP2m"),
            ("hi, pwd Pc8*vN4k, as discussed", "Pc8*vN4k"),
            ("PASS Wd2~gB6t as discussed", "Wd2~gB6t"),
            ("pwd - Pc8*vN4k", "Pc8*vN4k"),
            ("(senha Tb6@hJ3s) obrigado", "Tb6@hJ3s"),
            ("password \"blue sky 42\"", "blue sky 42"),
            // What it was changed to, and accents not typed.
            (
                "I changed the password to 9eDq0TuCxU9gw yesterday",
                "9eDq0TuCxU9gw",
            ),
            ("cambié la clave a Gato164@ es urgente", "Gato164@"),
            ("j'ai changé le mot de passe en soleil1184", "soleil1184"),
            ("habe das Passwort auf Sonne637@ geändert", "Sonne637@"),
            ("mudei a senha para saudade1217@", "saudade1217@"),
            ("ho cambiato la password in \"m@r3$71\"", "m@r3$71"),
            ("la mia password e R0m@%16 Grazie.", "R0m@%16"),
            (
                "set the password to correct-horse-battery-staple",
                "correct-horse-battery-staple",
            ),
            ("a minha senha e Verao1365 obg", "Verao1365"),
            (
                "mon mot de passe est marseille-loulou-cafe-doudou",
                "marseille-loulou-cafe-doudou",
            ),
        ] {
            assert_eq!(assigned(text), vec![value], "{text:?}");
        }
    }

    #[test]
    fn prose_about_passwords_is_left_alone() {
        for text in [
            "the password is incorrect",
            "password reset requested",
            "Passwort vergessen",
            "contraseña incorrecta",
            "mot de passe oublié",
            "the password is incorrect!",
            "my password is case-sensitive",
            "la contraseña es incorrecta",
            "das Passwort ist falsch",
            "le mot de passe est expiré",
            "a senha é inválida",
            "la password è scaduta",
            "het wachtwoord is verlopen",
            "I don't know what the password is",
            "password: ***",
            "password: [REDACTED]",
            "password: [SECRET]",
            "password: <hidden>",
            "\"password\": null",
            "\"password\": \"\"",
            "password=${DB_PASSWORD}",
            "password: {{ vault_password }}",
            "passwords: 3 attempts left",
            "password_hash: pbkdf2",
            "passwordResetRequested: true",
            "compass: north",
            "bypass: enabled",
            "boarding pass is ready",
            "passport: valid",
            "Password::new(x)",
            "if password == other",
            "pass is valid",
            "password for my account",
            "Password Reset Required",
            "password iPhone",
            "pass 1500 points",
            "password - see the wiki",
            "send the password to my email",
            "I reset the password to default",
            "password in 5 minutes",
            "la contraseña a la app no funciona",
            "das Passwort auf der Seite geht nicht",
            "la password e username sono sbagliati",
            "password to well-known sites",
            "password to PayPal",
            "Passwort auf GitHub",
            "a senha para WhatsApp",
            "password in 2024",
            "la password e SPID",
            "the password is up-to-date",
            "the password is state-of-the-art",
            "das Passwort ist Zwei-Faktor-Authentifizierung",
            "password to v2",
            "saved the password in 1Password",
            "the password to Office365",
            "password is well-known-fact",
        ] {
            assert!(assigned(text).is_empty(), "{text:?}: {:?}", assigned(text));
        }
    }

    #[test]
    fn passphrases_run_to_the_end_of_their_clause() {
        for (text, value) in [
            (
                "password: correct horse battery staple",
                "correct horse battery staple",
            ),
            (
                "password: correct horse battery staple. Thanks!",
                "correct horse battery staple",
            ),
            (
                "password: correct horse battery staple and my user is bob",
                "correct horse battery staple",
            ),
            ("Passwort: rotes Haus am See und danke", "rotes Haus am See"),
            (
                "contraseña: casa azul grande pero no sé",
                "casa azul grande",
            ),
            ("mot de passe : maison bleue et merci", "maison bleue"),
            ("senha: casa verde mas obrigado", "casa verde"),
            ("password: blue sky; user: bob", "blue sky"),
            ("password: purple monkey as discussed", "purple monkey"),
            ("password: blue sky, user bob", "blue sky"),
            ("password: blue sky\nuser: bob", "blue sky"),
            ("Password: blue sky Username: bob", "blue sky"),
            (
                "password: one two three four five six seven eight nine ten",
                "one two three four five six seven eight",
            ),
            (
                "password: \"correct horse battery staple\" ok",
                "correct horse battery staple",
            ),
            ("password: « cheval correct »", "cheval correct"),
            ("{\"password\": \"my secret words\"}", "my secret words"),
            ("{\\\"pwd\\\":\\\"two words\\\"}", "two words"),
        ] {
            assert_eq!(assigned(text), vec![value], "{text:?}");
        }
    }

    #[test]
    fn ampersands_and_url_queries() {
        assert_eq!(assigned("pass=Tr0ub&dor3"), vec!["Tr0ub&dor3"]);
        assert_eq!(assigned("password: Tr0ub&dor3 thanks"), vec!["Tr0ub&dor3"]);
        assert_eq!(
            assigned("https://x.test/login?user=bob&password=S3cret!&next=/home"),
            vec!["S3cret!"]
        );
        assert_eq!(
            assigned("https://x.test/cb?api_key=s3cr3tValue&page=2"),
            vec!["s3cr3tValue"]
        );
        assert_eq!(assigned("a?token=abc123&amp;page=2"), vec!["abc123"]);
        assert!(assigned("?password=&next=/").is_empty());
    }

    #[test]
    fn secret_names_inside_longer_names() {
        for (text, value) in [
            (
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            (
                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ),
            ("db_password=pg-Secret-1", "pg-Secret-1"),
            ("userPassword: s3cr3t!", "s3cr3t!"),
            ("X-Api-Key: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
            ("\"apiKey\": \"abcd1234efgh\"", "abcd1234efgh"),
            ("client_secret: Zx81-kLm", "Zx81-kLm"),
            ("clé API : abcd-1234-efgh", "abcd-1234-efgh"),
            ("API-Schlüssel: abcd-1234-efgh", "abcd-1234-efgh"),
            ("token de acceso: abcd1234", "abcd1234"),
            ("access_token=ya-abc-123", "ya-abc-123"),
        ] {
            assert_eq!(assigned(text), vec![value], "{text:?}");
        }
        assert!(assigned("secret_key_id: 42").is_empty());
        assert!(assigned("mypasswordmanager: bitwarden").is_empty());
    }

    #[test]
    fn prefilter_covers_every_name() {
        let lex = Lexicon::builtin();
        let pf = Prefilter::build(
            &[GateSource::Builtin(Builtin::SecretAssignment)],
            lex,
            1 << 20,
        );
        for form in &lex.secret_names.forms {
            assert_eq!(pf.open(&format!("{form}: x")).rules, 1, "{form:?}");
        }
        let pf = Prefilter::build(&[GateSource::Builtin(Builtin::PrivateKey)], lex, 1 << 20);
        assert_eq!(pf.open("-----BEGIN PRIVATE KEY-----").rules, 1);
        assert_eq!(pf.open("-----BEGIN OPENSSH PRIVATE KEY-----").rules, 1);
    }

    proptest::proptest! {
        #[test]
        fn finders_never_panic_and_return_char_spans(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("password".to_string()),
                    Just("Passwort ist ".to_string()),
                    Just("contraseña".to_string()),
                    Just("mot de passe".to_string()),
                    Just("api_key".to_string()),
                    Just(": ".to_string()),
                    Just("=".to_string()),
                    Just("\"".to_string()),
                    Just("\\\"".to_string()),
                    Just("«".to_string()),
                    Just("&".to_string()),
                    Just("\\n".to_string()),
                    Just("-----BEGIN RSA PRIVATE KEY-----".to_string()),
                    Just("-----END RSA PRIVATE KEY-----".to_string()),
                    Just("Proc-Type:".to_string()),
                    Just("ghp_".to_string()),
                    Just("xoxb-".to_string()),
                    Just("sk_live_".to_string()),
                    "[A-Za-z0-9+/=_-]{0,48}",
                    "[ \t\r\n.,;!?]{0,3}",
                    any::<char>().prop_map(String::from),
                ],
                0..24,
            )
        ) {
            let text: String = parts.concat();
            for f in [assign, find_private_keys, find_api_keys, find_jwts, find_bearer] {
                let mut out = Vec::new();
                f(&text, &mut out);
                for r in out {
                    proptest::prop_assert!(r.start < r.end && r.end <= text.len());
                    proptest::prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
                }
            }
        }
    }
}
