//! Context words: the words that, shortly before a value, say what it is ("phone", "llámame",
//! "Geburtsdatum", "DNI"), in every language our customers write.
//!
//! They are data, not code: one TOML file per kind under `detectors/words/`, one list per
//! language, so a compliance team can read them without reading a detector. A rule file extends
//! them without a new build: a `[words.<kind>]` table adds lists in the same format and may
//! `remove` built-in words (the compiler checks both). Each ruleset compiles its [`Lexicon`] once:
//! a case-insensitive automaton ([`ContextWords`]) per kind, shared with the built-in one where no
//! rule file changed the kind. Detectors read the lexicon of the ruleset they run under.
//!
//! A word matches as a whole word. A `*` at its end lets the word continue (`telefon*` also finds
//! "Telefonnummer"), at its start lets it end a longer word (`*nummer`). Non-ASCII letters match in
//! lower case, upper case and capitalised (`né le`, `NÉ LE`, `Né le`).

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use serde::Deserialize;

/// One words file: language code → words.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
struct WordsFile(Lists);

/// How a word may touch the letters around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Open {
    /// The word may be the end of a longer word (`*nummer`).
    left: bool,
    /// The word may continue (`telefon*`).
    right: bool,
}

/// A list of context words compiled once into one case-insensitive automaton.
pub(crate) struct ContextWords {
    ac: aho_corasick::AhoCorasick,
    /// Per pattern: how it may touch neighbouring letters.
    open: Vec<Open>,
    /// Per pattern: the word as written in the list (for `rules explain`).
    word: Vec<String>,
    /// Every pattern, ASCII lower-cased: one of them occurs in any text the words match.
    patterns: Vec<Vec<u8>>,
}

/// A context word found in a window: where it is and which word of the list it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found<'a> {
    /// Its bytes in the window.
    pub span: Range<usize>,
    /// The word as the list spells it.
    pub word: &'a str,
}

impl ContextWords {
    /// Compiles `words` that match inside longer words, and `whole` that match only as whole words.
    pub(crate) fn with_whole_words(words: &[&str], whole: &[&str]) -> ContextWords {
        let open = Open {
            left: true,
            right: true,
        };
        let closed = Open {
            left: false,
            right: false,
        };
        ContextWords::build(
            words
                .iter()
                .map(|w| (w.to_string(), open))
                .chain(whole.iter().map(|w| (w.to_string(), closed))),
        )
    }

    /// Compiles every list of one kind (see the module docs for the `*` convention).
    pub(crate) fn from_map(lists: &Lists) -> ContextWords {
        ContextWords::from_lists(lists.values().flatten().map(String::as_str))
    }

    /// Compiles words written with the `*` convention of the words files.
    pub(crate) fn from_lists<'a>(words: impl IntoIterator<Item = &'a str>) -> ContextWords {
        ContextWords::build(words.into_iter().filter_map(|w| {
            let left = w.starts_with('*');
            let right = w.ends_with('*');
            let core = w.trim_matches('*');
            (!core.is_empty()).then(|| (core.to_string(), Open { left, right }))
        }))
    }

    fn build(words: impl Iterator<Item = (String, Open)>) -> ContextWords {
        let mut patterns = Vec::new();
        let mut open = Vec::new();
        let mut word = Vec::new();
        for (w, o) in words {
            // ASCII case is the automaton's business; other letters get their cased forms.
            let mut forms = vec![w.clone()];
            if !w.is_ascii() {
                let lower = w.to_lowercase();
                let upper = w.to_uppercase();
                let mut chars = lower.chars();
                let capital: String = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                for f in [lower, upper, capital] {
                    if !forms.contains(&f) {
                        forms.push(f);
                    }
                }
            }
            for f in forms {
                patterns.push(f);
                open.push(o);
                word.push(w.clone());
            }
        }
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            // A DFA: detectors scan whole strings for these words.
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("context words are plain literals");
        let patterns = patterns
            .iter()
            .map(|p| p.as_bytes().to_ascii_lowercase())
            .collect();
        ContextWords {
            ac,
            open,
            word,
            patterns,
        }
    }

    /// Literals one of which occurs (ASCII case aside) in any text where a word is found: the
    /// prefilter's gate for detectors that start from these words. Each comes with whether it
    /// must stand on a word boundary on its left and on its right, as [`ContextWords::all`] requires.
    pub(crate) fn gate_literals(&self) -> Vec<(Vec<u8>, [bool; 2])> {
        self.patterns
            .iter()
            .zip(&self.open)
            .map(|(p, o)| (p.clone(), [!o.left, !o.right]))
            .collect()
    }

    /// The end of the last of the words in `window`, if any: where the nearest one stands.
    pub(crate) fn last_in(&self, window: &[u8]) -> Option<usize> {
        self.nearest(window).map(|f| f.span.end)
    }

    /// The last of the words in `window` (the one nearest its end), if any.
    pub(crate) fn nearest<'s>(&'s self, window: &'s [u8]) -> Option<Found<'s>> {
        self.all(window).max_by_key(|f| (f.span.end, f.span.len()))
    }

    /// Every word in `window`, overlapping ones included, that stands on its boundaries.
    pub(crate) fn all<'s>(&'s self, window: &'s [u8]) -> impl Iterator<Item = Found<'s>> + 's {
        self.ac.find_overlapping_iter(window).filter_map(move |m| {
            let k = m.pattern().as_usize();
            let o = self.open[k];
            let ok = (o.left || !letter_before(window, m.start()))
                && (o.right || !letter_at(window, m.end()));
            ok.then(|| Found {
                span: m.range(),
                word: &self.word[k],
            })
        })
    }
}

/// The kinds of context words: one built-in words file each, under `detectors/words/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WordKind {
    /// Words that, shortly before a number, say it is a phone number.
    Phone,
    /// Words that say a number is something else (an order, an invoice, a time) even after a
    /// phone word.
    NotPhone,
    /// Names of a device identifier (IMEI, ICCID, serial): a long number after one is no phone.
    DeviceId,
    /// Words that say a date is a date of birth.
    DateOfBirth,
    /// Words that say a nine-digit number is a US social security number.
    UsSsn,
    /// Words that name a national identity or tax number.
    NationalId,
    /// Phrases after which a person gives their name ("my name is", "me llamo").
    PersonName,
    /// Phrases after which a person gives their address ("I live at", "wohne in der").
    StreetAddress,
    /// Words that make a street name ("Street", "Calle", "rue", "-straße"), wherever they stand.
    StreetType,
    /// Names of a password or passphrase ("password", "Passwort", "contraseña").
    Password,
}

impl WordKind {
    /// Every kind, in the order `rules words` lists them.
    pub const ALL: [WordKind; 10] = [
        WordKind::Phone,
        WordKind::NotPhone,
        WordKind::DeviceId,
        WordKind::DateOfBirth,
        WordKind::UsSsn,
        WordKind::NationalId,
        WordKind::PersonName,
        WordKind::StreetAddress,
        WordKind::StreetType,
        WordKind::Password,
    ];

    /// The name in rule files (`[words.phone]`) and of the built-in file (`words/phone.toml`).
    pub fn name(self) -> &'static str {
        match self {
            WordKind::Phone => "phone",
            WordKind::NotPhone => "not_phone",
            WordKind::DeviceId => "device_id",
            WordKind::DateOfBirth => "date_of_birth",
            WordKind::UsSsn => "us_ssn",
            WordKind::NationalId => "national_id",
            WordKind::PersonName => "person_name",
            WordKind::StreetAddress => "street_address",
            WordKind::StreetType => "street_type",
            WordKind::Password => "password",
        }
    }

    /// The kind a rule file names, if any.
    pub fn parse(name: &str) -> Option<WordKind> {
        WordKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The built-in words file of this kind, with its comments (what `rules words` prints).
    pub fn source(self) -> &'static str {
        match self {
            WordKind::Phone => include_str!("words/phone.toml"),
            WordKind::NotPhone => include_str!("words/not_phone.toml"),
            WordKind::DeviceId => include_str!("words/device_id.toml"),
            WordKind::DateOfBirth => include_str!("words/date_of_birth.toml"),
            WordKind::UsSsn => include_str!("words/us_ssn.toml"),
            WordKind::NationalId => include_str!("words/national_id.toml"),
            WordKind::PersonName => include_str!("words/person_name.toml"),
            WordKind::StreetAddress => include_str!("words/street_address.toml"),
            WordKind::StreetType => include_str!("words/street_type.toml"),
            WordKind::Password => include_str!("words/password.toml"),
        }
    }

    /// The built-in lists of this kind. Panics on a malformed file: the files are part of the
    /// program, and a unit test loads every one of them.
    pub fn builtin_lists(self) -> Lists {
        toml::from_str::<WordsFile>(self.source())
            .unwrap_or_else(|e| panic!("words/{}.toml: {e}", self.name()))
            .0
    }

    /// The list-name suffixes this kind gives a meaning to (`weak`, `label`, `compound`…), as
    /// the built-in file uses them: a rule file may add to `<lang>` or `<lang>_<suffix>` lists.
    pub fn suffixes(self) -> Vec<String> {
        let mut out: Vec<String> = self
            .builtin_lists()
            .keys()
            .filter_map(|k| k.split_once('_').map(|(_, s)| s.to_string()))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// The lists of one kind: list name (a language code, with a suffix some kinds give a meaning
/// to) → words, as the words files and the `[words.<kind>]` tables of rule files write them.
pub type Lists = std::collections::BTreeMap<String, Vec<String>>;

/// The context words a ruleset's detectors weigh: the built-in lists with what its rule files add
/// and remove (`[words.<kind>]`), compiled once per ruleset so a hot reload swaps them with the
/// rules. Kinds no rule file touches share the built-in automata.
#[derive(Clone)]
pub struct Lexicon {
    /// The lists in force, by kind.
    lists: [Arc<Lists>; 10],
    /// Each kind's automaton, by kind.
    words: [Arc<ContextWords>; 10],
    /// The kinds of the phrases that introduce a name.
    pub(crate) name_intros: Arc<super::person::Intros>,
    /// The kinds of the phrases that introduce an address.
    pub(crate) address_intros: Arc<super::person::Intros>,
    /// The street words and where each may stand.
    pub(crate) street_types: Arc<super::person::StreetTypes>,
    /// The names of passwords and other secrets, in all their forms.
    pub(crate) secret_names: Arc<super::secrets::Names>,
    /// Words the rule files added, by kind: detectors gated by fixed literals open on them too.
    added: [Vec<String>; 10],
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let changed: Vec<&str> = WordKind::ALL
            .into_iter()
            .filter(|k| !Arc::ptr_eq(&self.lists[*k as usize], &BUILTIN.lists[*k as usize]))
            .map(WordKind::name)
            .collect();
        f.debug_struct("Lexicon")
            .field("changed", &changed)
            .finish()
    }
}

static BUILTIN: LazyLock<Lexicon> = LazyLock::new(|| {
    let lists = WordKind::ALL.map(|k| Arc::new(k.builtin_lists()));
    Lexicon {
        words: WordKind::ALL.map(|k| Arc::new(ContextWords::from_map(&lists[k as usize]))),
        name_intros: Arc::new(super::person::Intros::from_lists(
            &lists[WordKind::PersonName as usize],
        )),
        address_intros: Arc::new(super::person::Intros::from_lists(
            &lists[WordKind::StreetAddress as usize],
        )),
        street_types: Arc::new(super::person::StreetTypes::from_lists(
            &lists[WordKind::StreetType as usize],
        )),
        secret_names: Arc::new(super::secrets::Names::from_lists(
            &lists[WordKind::Password as usize],
        )),
        lists,
        added: Default::default(),
    }
});

impl Lexicon {
    /// The built-in words, as shipped: what a ruleset without `[words]` tables uses.
    pub fn builtin() -> &'static Lexicon {
        &BUILTIN
    }

    /// The built-in words with `kind`'s lists replaced by `lists`, of which `added` are the words
    /// a rule file added.
    pub(crate) fn with(&self, kind: WordKind, lists: Lists, added: Vec<String>) -> Lexicon {
        let mut out = self.clone();
        let k = kind as usize;
        out.words[k] = Arc::new(ContextWords::from_map(&lists));
        match kind {
            WordKind::PersonName => {
                out.name_intros = Arc::new(super::person::Intros::from_lists(&lists));
            }
            WordKind::StreetAddress => {
                out.address_intros = Arc::new(super::person::Intros::from_lists(&lists));
            }
            WordKind::StreetType => {
                out.street_types = Arc::new(super::person::StreetTypes::from_lists(&lists));
            }
            WordKind::Password => {
                out.secret_names = Arc::new(super::secrets::Names::from_lists(&lists));
            }
            _ => {}
        }
        out.lists[k] = Arc::new(lists);
        out.added[k] = added;
        out
    }

    /// The compiled words of `kind`.
    pub(crate) fn words(&self, kind: WordKind) -> &ContextWords {
        &self.words[kind as usize]
    }

    /// The lists of `kind` in force.
    pub fn lists(&self, kind: WordKind) -> &Lists {
        &self.lists[kind as usize]
    }

    /// The words a rule file added to `kind` (as written, `*` included).
    pub fn added(&self, kind: WordKind) -> &[String] {
        &self.added[kind as usize]
    }
}

/// True when the character ending at byte `i` of `b` is a letter or digit (of any script).
pub(crate) fn letter_before(b: &[u8], i: usize) -> bool {
    if i == 0 {
        return false;
    }
    let c = b[i - 1];
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    // Walk back to the start of the UTF-8 sequence (at most four bytes).
    let from = (i.saturating_sub(4)..i)
        .find(|&s| std::str::from_utf8(&b[s..i]).is_ok())
        .unwrap_or(i - 1);
    std::str::from_utf8(&b[from..i])
        .ok()
        .and_then(|s| s.chars().next_back())
        .is_some_and(char::is_alphanumeric)
}

/// True when the character starting at byte `i` of `b` is a letter or digit (of any script).
pub(crate) fn letter_at(b: &[u8], i: usize) -> bool {
    let Some(&c) = b.get(i) else {
        return false;
    };
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    let to = (i + 1..=b.len().min(i + 4))
        .find(|&e| std::str::from_utf8(&b[i..e]).is_ok())
        .unwrap_or(i + 1);
    std::str::from_utf8(&b[i..to])
        .ok()
        .and_then(|s| s.chars().next())
        .is_some_and(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_and_stars() {
        let w = ContextWords::from_lists(["tel", "telefon*", "*nummer", "né le", "call"]);
        let hit = |t: &str| w.last_in(t.as_bytes()).is_some();
        assert!(hit("tel: 030"));
        assert!(hit("Telefonnummer"));
        assert!(hit("Kundennummer"));
        assert!(hit("NÉ LE 3"));
        assert!(hit("Né le 3"));
        assert!(!hit("hotel 12"));
        assert!(!hit("Bestellung"));
        assert!(!hit("recall"));
        assert!(!hit("calling"));
        assert_eq!(
            w.nearest(b"call the tel").map(|f| f.word.to_string()),
            Some("tel".into())
        );
    }

    #[test]
    fn every_words_file_loads() {
        for kind in WordKind::ALL {
            assert_eq!(WordKind::parse(kind.name()), Some(kind));
            for (lang, words) in kind.builtin_lists() {
                let k = kind.name();
                for w in words {
                    assert!(!w.trim_matches('*').is_empty(), "{k}.{lang}: empty word");
                    assert_eq!(w.trim(), w, "{k}.{lang}: {w:?} has outer blanks");
                }
            }
            assert!(Lexicon::builtin().words(kind).last_in(b"").is_none());
        }
        assert_eq!(
            WordKind::PersonName.suffixes(),
            ["after", "closed", "label", "signoff", "title", "weak"]
        );
    }

    #[test]
    fn a_changed_kind_is_recompiled_and_the_others_are_shared() {
        let base = Lexicon::builtin();
        let mut lists = WordKind::Phone.builtin_lists();
        lists.entry("es".into()).or_default().push("wasap*".into());
        let lex = base.with(WordKind::Phone, lists, vec!["wasap*".into()]);
        assert!(
            lex.words(WordKind::Phone)
                .last_in(b"mi wasapp 612")
                .is_some()
        );
        assert!(
            base.words(WordKind::Phone)
                .last_in(b"mi wasapp 612")
                .is_none()
        );
        assert!(Arc::ptr_eq(&lex.words[1], &base.words[1]));
        assert_eq!(lex.added(WordKind::Phone), ["wasap*"]);
        assert_eq!(format!("{lex:?}"), r#"Lexicon { changed: ["phone"] }"#);
    }

    #[test]
    fn boundaries_see_non_ascii_letters() {
        let w = ContextWords::from_lists(["tel"]);
        assert!(w.last_in("ütel".as_bytes()).is_none());
        assert!(w.last_in("telé".as_bytes()).is_none());
        assert!(w.last_in("«tel»".as_bytes()).is_some());
    }
}
