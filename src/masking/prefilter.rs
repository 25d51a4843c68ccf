//! Deciding cheaply which text rules can match a string, so each string is scanned once for all
//! rules rather than once per rule.
//!
//! Two passes over the string serve every rule: [`Hints`] counts digits, letters, `@`, dots and
//! colons (enough to rule out cards, phones, SSNs, IBANs, IPs and emails), and one Aho-Corasick
//! automaton finds the literals a match must begin with — `eyJ` for a JWT, `bearer`, API key
//! prefixes, `password`/`secret`/`token`, and the prefix literals extracted from every custom
//! pattern. A rule runs only when its gate is open. Custom patterns without a usable literal prefix
//! go into one `RegexSet` that answers for all of them in a single pass.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::RegexSet;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{
    Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition,
};

use super::detectors::{Builtin, Hints, Lexicon, WordKind, secret_name_forms, words};

/// The literals a built-in detector's matches must start with, if it has such literals.
fn builtin_literals(b: Builtin) -> Option<&'static [&'static str]> {
    match b {
        Builtin::Jwt => Some(&["eyJ"]),
        Builtin::BearerToken => Some(&["bearer", "basic"]),
        Builtin::PrivateKey => Some(&["private key"]),
        // The union of the secret shapes' keywords (`detectors/secret_shapes.toml`): the detector
        // runs a shape only where one of its own keywords occurs.
        Builtin::ApiKey => Some(Builtin::api_key_keywords()),
        // A piece of every name the assignment finder knows (`detectors/words/password.toml`, all
        // its forms, in seven languages); a unit test in secrets.rs checks each form opens this.
        Builtin::SecretAssignment => Some(&[
            "pass",
            "pw",
            "psw",
            "ww",
            "key",
            "token",
            "secr",
            "kennwort",
            "contrase",
            "clave",
            "mdp",
            "senha",
            "wacht",
            "parola",
            "jeton",
            "chave",
            "chiave",
            "sleutel",
            "schl",
            "clé",
            "clÉ",
            // What customers say after a change ("changed it to", "la cambié a", "mudei para").
            "chang",
            "reset it",
            "set it",
            "new one",
            "cambi",
            "puse",
            "nueva",
            "habe es",
            "ndert auf",
            "das neue",
            "nouveau",
            "mudei",
            "alterei",
            "troquei",
            "a nova",
            "nuova",
            "veranderd",
            "gewijzigd",
            "nieuwe",
        ]),
        // A piece of every name the security-code finder knows, in seven languages: few and
        // short, so the one automaton stays small and fast ("pin" and "cid" open the gate on
        // "shipping" and "incident" too; the finder's own word boundaries decide).
        Builtin::CardSecurityCode => Some(&[
            "cvv",
            "cvc",
            "csc",
            "cvn",
            "cvd",
            "cav2",
            "cid",
            "verifica",
            "curit",
            "prüf",
            "prÜf",
            "pruef",
            "pruf",
            "sicher",
            "segur",
            "sicurezza",
            "veilig",
            "controle",
            "pin",
            "geheim",
            "secret",
            "confiden",
            "secreto",
            "segreto",
            "sec code",
            // Codes described rather than named ("the code on the back", "3 dígitos de atrás").
            "back",
            "atr",
            "reverso",
            "chiffres",
            "cifre",
            "gitos",
            "digit",
            "verso",
            "crypto",
            "cód",
            "cÓd",
            "cod.",
            "ckseite",
            "cijfers",
            "clave de",
            // A code no word names stands after a card's expiry ("exp 12/27 code 123"); one
            // after the card itself opens the gate by the digit count (`Builtin::opens_by_hints`).
            "exp",
            "valid",
            "venc",
            "cadu",
            "ltig bis",
            "ablauf",
            "scad",
            "good thru",
        ]),
        _ => None,
    }
}

/// The names a rule file added to the `password` words (`[words.password]`), in every form the
/// assignment finder looks for: its fixed literals above know only the built-in names.
fn added_names(b: Builtin, lex: &Lexicon) -> Vec<Vec<u8>> {
    if b != Builtin::SecretAssignment {
        return Vec::new();
    }
    lex.added(WordKind::Password)
        .iter()
        .flat_map(|w| secret_name_forms(w.trim_matches('*')))
        .map(|f| f.into_bytes().to_ascii_lowercase())
        .collect()
}

/// The literals of detectors that start from a context word (a date of birth from its birth word,
/// a name from its phrase, an address from its street word): the words themselves.
fn word_literals(b: Builtin, lex: &Lexicon) -> Option<Vec<(Vec<u8>, [bool; 2])>> {
    match b {
        Builtin::DateOfBirth => Some(lex.words(WordKind::DateOfBirth).gate_literals()),
        Builtin::PersonName => Some(lex.words(WordKind::PersonName).gate_literals()),
        Builtin::StreetAddress => Some(
            lex.words(WordKind::StreetType)
                .gate_literals()
                .into_iter()
                .chain(
                    super::detectors::POST_BOX_WORDS
                        .iter()
                        .map(|w| (w.as_bytes().to_vec(), [false; 2])),
                )
                .collect(),
        ),
        // An `@`, an escape or full-width form of it, or a spelled-out `@` ("jane at example
        // dot com"): one of them stands in every address, so most prose never runs the finder.
        Builtin::Email => Some(
            super::detectors::email_markers()
                .map(|w| (w.to_ascii_lowercase(), [false; 2]))
                .collect(),
        ),
        _ => None,
    }
}

/// The prefix literals every match of `pattern` starts with (ASCII lower-cased bytes), or `None`
/// when some match can start with anything. Literals stay bytes: the extractor may cut one inside a
/// multi-byte character, and such a prefix still matches the text's bytes.
fn pattern_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    // The automaton ignores ASCII case anyway: folding `[cC]` back to `c` keeps case-insensitive
    // patterns from exploding into thousands of variants that the extractor would cut short
    // ("card verification" would otherwise gate on the far commoner "card").
    let hir = fold_ascii_case(&hir);
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix)
        .limit_total(4096)
        .limit_class(4)
        .limit_repeat(4)
        .limit_literal_len(16);
    let seq = ex.extract(&hir);
    let mut out: Vec<Vec<u8>> = Vec::new();
    for lit in seq.literals()? {
        let s = lit.as_bytes().to_ascii_lowercase();
        if s.is_empty() {
            return None;
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Rewrites classes that are one letter in its ASCII cases (`[cC]`, as `(?i)c` compiles) into that
/// lower-case letter. Non-ASCII members (the Kelvin sign for `k`, long s for `s`) stay as a class,
/// so no text the pattern can match is ruled out.
fn fold_ascii_case(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let size: u32 = c
                .ranges()
                .iter()
                .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
                .sum();
            if size > 4 {
                return h.clone();
            }
            let mut folded: Vec<char> = c
                .ranges()
                .iter()
                .flat_map(|r| {
                    (u32::from(r.start())..=u32::from(r.end())).filter_map(char::from_u32)
                })
                .map(|ch| ch.to_ascii_lowercase())
                .collect();
            folded.sort_unstable();
            folded.dedup();
            match folded.as_slice() {
                [one] => Hir::literal(one.to_string().into_bytes()),
                many if (many.len() as u32) < size => Hir::class(Class::Unicode(
                    ClassUnicode::new(many.iter().map(|&ch| ClassUnicodeRange::new(ch, ch))),
                )),
                _ => h.clone(),
            }
        }
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(fold_ascii_case).collect()),
        HirKind::Alternation(parts) => {
            Hir::alternation(parts.iter().map(fold_ascii_case).collect())
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(fold_ascii_case(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(fold_ascii_case(&c.sub)),
            ..c.clone()
        }),
        _ => h.clone(),
    }
}

/// The compiled gates of a ruleset's text rules. Text rule `k` (in priority order) owns bit `k` of
/// a `u64`; a string's open gates are the OR of the bits its hints, literals and set matches open,
/// so the engine visits only rules that can match. Rules past the 64th have no bit and always run
/// (built-in detectors still check their own hints).
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    ac: Option<AhoCorasick>,
    /// Rule bits opened by each Aho-Corasick pattern.
    ac_bits: Vec<u64>,
    /// Per pattern: whether it opens its gate only on a word boundary on its left and on its right
    /// (a context word such as `st` or `am`, which every sentence holds inside other words).
    ac_bounds: Vec<[bool; 2]>,
    /// The first bytes of the literals that hold no ASCII letter (`@`, `%40`, `&#`, `＠`): a string
    /// without letters needs the automaton pass only where one of them occurs.
    letterless_firsts: [bool; 256],
    set: Option<RegexSet>,
    /// Rule bit of each pattern in `set`.
    set_bits: Vec<u64>,
    /// Built-in detectors in use and the rule bits each opens when the string's hints allow it.
    builtin_bits: Vec<(Builtin, u64)>,
    /// Built-in detectors gated by literals that their hints alone may open too
    /// ([`Builtin::opens_by_hints`]), with their rule bits.
    hint_bits: Vec<(Builtin, u64)>,
    /// Rules whose gate could not be built: always open.
    always: u64,
}

/// Which text rules may match one string.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Open {
    /// The string's byte counts.
    pub hints: Hints,
    /// Bit `k` set: text rule `k` may match.
    pub rules: u64,
    /// Bit `k` set: text rule `k` was opened by the string's hints alone, none of its literals
    /// occurring ([`Builtin::opens_by_hints`]): only its finders that need no word may match.
    pub hints_only: u64,
}

/// What a text rule is, for building gates.
pub(crate) enum GateSource<'a> {
    Builtin(Builtin),
    Pattern(&'a str),
}

fn bit(k: usize) -> u64 {
    if k < 64 { 1u64 << k } else { 0 }
}

impl Prefilter {
    /// Builds the gates for text rules given in priority order.
    pub(crate) fn build(sources: &[GateSource<'_>], lex: &Lexicon, size_limit: usize) -> Prefilter {
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut ac_bits = Vec::new();
        let mut set_patterns: Vec<&str> = Vec::new();
        let mut set_bits = Vec::new();
        let mut builtin_bits: Vec<(Builtin, u64)> = Vec::new();
        let mut ac_bounds: Vec<[bool; 2]> = Vec::new();
        let mut hint_bits: Vec<(Builtin, u64)> = Vec::new();
        for (k, s) in sources.iter().enumerate() {
            let literals = match s {
                GateSource::Builtin(b) => builtin_literals(*b)
                    .map(|l| {
                        l.iter()
                            .map(|s| s.as_bytes().to_ascii_lowercase())
                            .chain(added_names(*b, lex))
                            .map(|s| (s, [false; 2]))
                            .collect()
                    })
                    .or_else(|| word_literals(*b, lex)),
                GateSource::Pattern(p) => pattern_literals(p)
                    .map(|l| l.into_iter().map(|lit| (lit, [false; 2])).collect()),
            };
            if let (GateSource::Builtin(b), Some(_)) = (s, &literals)
                && b.opens_by_hints(&Hints::default()).is_some()
            {
                hint_bits.push((*b, bit(k)));
            }
            match (s, literals) {
                (_, Some(l)) => {
                    for (lit, bounds) in l {
                        match lits.iter().position(|x| *x == lit) {
                            Some(at) => {
                                ac_bits[at] |= bit(k);
                                // Shared by two gates: a boundary is needed only if both need it.
                                ac_bounds[at] =
                                    [ac_bounds[at][0] && bounds[0], ac_bounds[at][1] && bounds[1]];
                            }
                            None => {
                                lits.push(lit);
                                ac_bits.push(bit(k));
                                ac_bounds.push(bounds);
                            }
                        }
                    }
                }
                (GateSource::Builtin(b), None) => {
                    match builtin_bits.iter_mut().find(|(x, _)| x == b) {
                        Some((_, bits)) => *bits |= bit(k),
                        None => builtin_bits.push((*b, bit(k))),
                    }
                }
                (GateSource::Pattern(p), None) => {
                    set_patterns.push(p);
                    set_bits.push(bit(k));
                }
            }
        }
        let ac = (!lits.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    // A DFA: this automaton reads every string of every event, and most strings
                    // hold some literal, so the overlapping scan runs over most of them.
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&lits)
                    .ok()
            })
            .flatten();
        let set = (!set_patterns.is_empty())
            .then(|| {
                regex::RegexSetBuilder::new(&set_patterns)
                    .size_limit(size_limit.saturating_mul(set_patterns.len()))
                    .build()
                    .ok()
            })
            .flatten();
        // Gates that could not be built (never expected) fail open: those rules always run.
        let mut always = 0;
        if ac.is_none() {
            always |= ac_bits.iter().fold(0, |a, b| a | b);
        }
        if set.is_none() {
            always |= set_bits.iter().fold(0, |a, b| a | b);
        }
        let mut letterless_firsts = [false; 256];
        for l in lits
            .iter()
            .filter(|l| !l.iter().any(u8::is_ascii_alphabetic))
        {
            if let Some(&first) = l.first() {
                letterless_firsts[usize::from(first)] = true;
            }
        }
        Prefilter {
            ac,
            ac_bits,
            ac_bounds,
            letterless_firsts,
            set,
            set_bits,
            builtin_bits,
            hint_bits,
            always,
        }
    }

    /// Computes which text rules may match `text`.
    pub(crate) fn open(&self, text: &str) -> Open {
        let hints = Hints::of(text);
        let mut rules = self.always;
        for (b, bits) in &self.builtin_bits {
            if b.may_match(&hints) {
                rules |= bits;
            }
        }
        let mut by_hints = 0;
        for (b, bits) in &self.hint_bits {
            if b.opens_by_hints(&hints) == Some(true) {
                by_hints |= bits;
            }
        }

        if let Some(ac) = &self.ac
            && (hints.letters > 0 || self.letterless_may_occur(text))
        {
            // One overlapping pass: most strings hold some literal (a street word such as `st`
            // inside "first"), so a first non-overlapping search to rule them out costs more
            // than it saves.
            let b = text.as_bytes();
            for m in ac.find_overlapping_iter(text) {
                let k = m.pattern().as_usize();
                let [left, right] = self.ac_bounds[k];
                if (left
                    && words::letter_before(b, m.start())
                    && !percent_escape_before(b, m.start()))
                    || (right && words::letter_at(b, m.end()))
                {
                    continue;
                }
                rules |= self.ac_bits[k];
            }
        }
        if let Some(set) = &self.set {
            for k in set.matches(text).iter() {
                rules |= self.set_bits[k];
            }
        }
        // Literals and sets have opened what they open; a hint-opened gate that nothing else
        // opened needs only the detector's wordless finders.
        let hints_only = by_hints & !rules;
        Open {
            hints,
            rules: rules | by_hints,
            hints_only,
        }
    }
}

impl Prefilter {
    /// Whether a literal without letters may occur in `text` (see `letterless_firsts`).
    fn letterless_may_occur(&self, text: &str) -> bool {
        text.bytes().any(|b| self.letterless_firsts[usize::from(b)])
    }
}

/// Whether a `%XX` escape ends at byte `i` of `b`: its hex digits look like a word's letters, but
/// the view reads it as a blank or a sign, so a word after it stands on a boundary (`%20St`).
/// Other escapes end in `;` or `>`, which no boundary check mistakes for a letter.
fn percent_escape_before(b: &[u8], i: usize) -> bool {
    i >= 3 && b[i - 3] == b'%' && b[i - 2].is_ascii_hexdigit() && b[i - 1].is_ascii_hexdigit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_extraction() {
        assert_eq!(
            pattern_literals(r"\bLOY-\d{8}\b"),
            Some(vec![b"loy-".to_vec()])
        );
        let dob = pattern_literals(r"(?i)\b(?:date of birth|dob)\b").unwrap();
        assert!(dob.contains(&b"dob".to_vec()) && dob.contains(&b"date of birth".to_vec()));
        assert_eq!(pattern_literals(r"\d+x"), None);
        assert_eq!(pattern_literals(r"a|b*"), None);
    }

    #[test]
    fn case_insensitive_patterns_keep_their_whole_literal() {
        let lits = pattern_literals(r"(?i)\b(?:cvv|card verification (?:code|value))\b").unwrap();
        assert!(
            lits.contains(&b"card verification ".to_vec())
                || lits.iter().any(|l| l.starts_with(b"card verificatio")),
            "{lits:?}"
        );
        assert!(!lits.contains(&b"card".to_vec()), "{lits:?}");
        // `s` keeps its long-s variant, `k` its Kelvin sign: the gate never rules out a real match.
        let lits = pattern_literals(r"(?i)secret key").unwrap();
        assert!(lits.contains(&b"secret key".to_vec()), "{lits:?}");
        assert!(
            lits.iter()
                .any(|l| String::from_utf8_lossy(l).starts_with('\u{17f}')),
            "{lits:?}"
        );
        let pf = Prefilter::build(
            &[GateSource::Pattern(r"(?i)secret key")],
            Lexicon::builtin(),
            1 << 20,
        );
        assert_eq!(pf.open("the SECRET KEY is").rules, 1);
        assert_eq!(pf.open("the \u{17f}ecret \u{212a}ey is").rules, 1);
        assert_eq!(pf.open("a secret alone").rules, 0);
    }

    #[test]
    fn literals_cut_inside_a_multibyte_character_still_open_their_gate() {
        let pattern = "Номер паспорта:?\\s*\\d{4}";
        let pf = Prefilter::build(&[GateSource::Pattern(pattern)], Lexicon::builtin(), 1 << 20);
        assert_eq!(pf.open("Номер паспорта: 1234 567890").rules, 1);
        assert_eq!(pf.open("nothing").rules, 0);
    }

    #[test]
    fn gates_open_only_on_their_literals() {
        let sources = [
            GateSource::Pattern(r"LOY-\d+"),
            GateSource::Pattern(r"\d{3}x"),
            GateSource::Builtin(Builtin::Jwt),
            GateSource::Builtin(Builtin::PaymentCard),
        ];
        let pf = Prefilter::build(&sources, Lexicon::builtin(), 1 << 20);
        assert_eq!(pf.open("member loy-12 and 123x").rules, 0b0011);
        assert_eq!(pf.open("nothing here").rules, 0);
        assert_eq!(
            pf.open("jwt eyJhbGciOi and 4111 1111 1111 1111").rules,
            0b1100
        );
        // A literal inside a longer one still opens both gates.
        let nested = [
            GateSource::Pattern(r"security code \d+"),
            GateSource::Builtin(Builtin::CardSecurityCode),
        ];
        let pf = Prefilter::build(&nested, Lexicon::builtin(), 1 << 20);
        assert_eq!(pf.open("the security code 123").rules, 0b11);
    }

    #[test]
    fn context_words_open_their_gate_only_as_words() {
        let pf = Prefilter::build(
            &[GateSource::Builtin(Builtin::StreetAddress)],
            Lexicon::builtin(),
            1 << 20,
        );
        assert_eq!(pf.open("12 Baker St, London").rules, 1);
        assert_eq!(pf.open("Hauptstraße 12").rules, 1);
        // "st" inside "first", "strings", "best": no street word stands here.
        assert_eq!(pf.open("first 12 strings are best").rules, 0);
        // An escape may stand for the blank before a word: the gate stays open.
        assert_eq!(pf.open("12%20Baker%20St").rules, 1);
        // Post-office boxes open it too, dotted or not.
        assert_eq!(pf.open("BP 334 69001 Lyon").rules, 1);
        assert_eq!(pf.open("B.P. 334 69001 Lyon").rules, 1);
        assert_eq!(pf.open("Postfach 28202").rules, 1);
    }

    #[test]
    fn strings_without_letters_still_meet_the_literals_without_letters() {
        let pf = Prefilter::build(
            &[GateSource::Builtin(Builtin::Email)],
            Lexicon::builtin(),
            1 << 20,
        );
        assert_eq!(pf.open("4111 1111 1111 1111").rules, 0);
        assert_eq!(pf.open("1%40").rules, 1);
        assert_eq!(pf.open("1@2").rules, 1);
        assert_eq!(pf.open("1\u{ff20}2").rules, 1);
    }

    #[test]
    fn an_escape_in_a_string_does_not_open_every_boundary_gate() {
        let pf = Prefilter::build(
            &[GateSource::Builtin(Builtin::StreetAddress)],
            Lexicon::builtin(),
            1 << 20,
        );
        // A URL's `&` and `%` used to switch every boundary check off: `rd` inside "order".
        assert_eq!(
            pf.open("https://shop.example/track?order=ORD-1&lang=en")
                .rules,
            0
        );
        assert_eq!(pf.open("first%2Cthird").rules, 0);
        // A word after a `%XX` escape stands on the boundary the view gives it.
        assert_eq!(pf.open("12%20Baker%20St").rules, 1);
        assert_eq!(pf.open("12&nbsp;Baker&nbsp;St").rules, 1);
        assert_eq!(pf.open("<b>12 Baker</b><br>St").rules, 1);
    }
}
