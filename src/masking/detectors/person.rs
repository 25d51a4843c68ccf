//! A person's name and street address where they give them in free text.
//!
//! Presidio finds names with a language model; we do without one, so the evidence is the way
//! people give them. A name is masked after an introducing phrase ("my name is", "me llamo",
//! "ich heiße", "je m'appelle", `Name:`; data in `words/person_name.toml`) when what follows has
//! the shape of a name: one to four capitalised words, with particles such as "van der" or
//! "de la" between them. An address is masked where a street word ("Street", "Calle", "rue",
//! "-straße"; `words/street_type.toml`) stands beside a house number and capitalised name words,
//! and either a phrase comes shortly before it ("I live at", `Adresse:`;
//! `words/street_address.toml`) or a postcode or city follows it.
//!
//! Precision matters as much as recall: an agent must still read "my name is on the account",
//! "I'm calling about order 123", "I'm Happy", "Street Fighter 6" and "Road bike 29". Phrases that
//! also start ordinary sentences ("I'm", "soy", "sono") need more proof, a small list of
//! capitalised words that follow such phrases but are not names stops a name, and a street needs
//! its house number on the right side of the right kind of street word. Only the name or the
//! address is masked, never the phrase: the agent still sees what was there.
//!
//! Both finders read the canonical view (digits ASCII, dashes `-`, NBSP a space), make one
//! Aho-Corasick pass over it, and look at the shape only around what that pass found, within a
//! bounded number of words: the work stays linear in the text.

use std::ops::Range;
use std::sync::LazyLock;

use foldhash::{HashMap, HashSet};
use regex::Regex;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

use super::Hints;
use super::words::{Lexicon, Lists, WordKind, letter_at, letter_before};

/// Whether a string with these counts can hold an introduced name. The shortest is "I'm Ed"
/// (four letters). Every letter of the canonical view comes from an ASCII letter, a non-ASCII
/// character, or an escape (`%4A`, `&#74;`) holding ASCII letters or digits, so the bound counts
/// all three.
pub(crate) fn may_match_name(hints: &Hints) -> bool {
    hints.letters + hints.digits + hints.odd >= 4
}

/// Whether a string with these counts can hold a street address: a house number (a digit, which
/// in the view comes from an ASCII digit, a non-ASCII character or an escape holding digits) and
/// at least four letters and digits in all (the shortest is "1 X St").
pub(crate) fn may_match_address(hints: &Hints) -> bool {
    hints.digits + hints.odd >= 1 && hints.letters + hints.digits + hints.odd >= 4
}

// ---------------------------------------------------------------------------------------------
// Phrases

/// How much an introducing phrase proves, from the name of its list in the words file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intro {
    /// "my name is": one capitalised word after it is a name.
    Strong,
    /// "I'm", "soy": also starts "I'm Happy", so the name needs more proof.
    Weak,
    /// "it's": a name only with a closing word after it ("it's John here").
    Closed,
    /// `Name:`: a field name, counting only at a field's start and before `:` or `=`.
    Label,
    /// "Regards,": the close of a letter; the name must end the text or its line.
    SignOff,
    /// "Mr", "Frau": a title before a surname, itself left visible.
    Title,
    /// "hier", "à l'appareil", "cliente fidèle": a word after a name that starts its clause.
    After,
}

/// The kind of every phrase of a words file, by the suffix of its list's name (`_weak`,
/// `_closed`, `_label`; anything else is a strong phrase). Keyed by the phrase as the list spells
/// it, which is what the automaton reports.
pub(crate) struct Intros(HashMap<String, Intro>);

impl Intros {
    /// Reads the kinds from a lexicon's lists of one kind.
    pub(crate) fn from_lists(lists: &Lists) -> Intros {
        let mut out = HashMap::default();
        for (name, list) in lists {
            let intro = if name.ends_with("_weak") {
                Intro::Weak
            } else if name.ends_with("_closed") {
                Intro::Closed
            } else if name.ends_with("_label") {
                Intro::Label
            } else if name.ends_with("_signoff") {
                Intro::SignOff
            } else if name.ends_with("_title") {
                Intro::Title
            } else if name.ends_with("_after") {
                Intro::After
            } else {
                Intro::Strong
            };
            for w in list {
                out.insert(w.trim_matches('*').to_string(), intro);
            }
        }
        Intros(out)
    }

    fn get(&self, word: &str) -> Option<&Intro> {
        self.0.get(word)
    }
}

/// Whether a field name at `start` begins a field: at the start of the text or a line, or after
/// punctuation (`{"name": …`, `Notes: Name: …`), and not glued to an identifier (`file_name`,
/// `user.name`). "Product Name:" and "email address:" are not a person's name or address.
fn field_start(t: &str, start: usize) -> bool {
    let Some(before) = t.get(..start) else {
        return false;
    };
    if before.ends_with(['_', '.', '-', '@', '/', '$']) {
        return false;
    }
    before
        .trim_end_matches([' ', '\t'])
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Whether a field name at `start`, followed by its `:` or `=`, begins a field: where
/// [`field_start`] says so, or mid-sentence after a word that does not make it another thing's
/// name — customers type "ma ero a casa nome: Mattia Esposito" and "ok thanks  Name: …", while
/// "Product Name:" and "file name:" name no person.
fn label_start(t: &str, start: usize) -> bool {
    if field_start(t, start) {
        return true;
    }
    let Some(before) = t.get(..start) else {
        return false;
    };
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.len() == before.len() {
        return false;
    }
    // The letters and digits that end `trimmed`: a word glued to digits ("v2 name:") is no word.
    let word = trimmed
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default();
    !word.is_empty() && !word.chars().any(|c| c.is_ascii_digit()) && !is_in(&NAME_QUALIFIERS, word)
}

/// Words before "name" that make it a thing's name, not a person's: "product name", "file name",
/// "company name", "street name" (the German compounds are one word: "Produktname").
static NAME_QUALIFIERS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "product products file company business brand shop store item street pet dog cat host ",
        "domain app application device network wifi project team model event display screen ",
        "field folder document plan package service course book song album movie film game ",
        "trade ship vessel hotel restaurant venue bank branch merchant vendor supplier ",
        "organisation organization org school university city town country region state county ",
        "village place location site website page server database table column variable key tag ",
        "label category group channel campaign offer promo coupon card tariff contract policy ",
        "class room building station airport airline flight route queue skill workflow flow step ",
        "stage code firma produkt datei the a an this that its their by with ",
    ))
});

/// Where the value after a field name ending at `i` starts: past a closing quote of a JSON key,
/// then `:` or `=` (French typography puts a blank before the colon), and an opening quote.
fn label_value(t: &str, i: usize) -> Option<usize> {
    let mut j = skip_quote(t, i);
    j = blanks(t, j);
    let sep = t.get(j..)?;
    // `Name: …`, `name=…`, and the cells of a log line (`Customer Name|Till Kühnel|Gold`).
    if !sep.starts_with([':', '=', '|']) {
        return None;
    }
    j = blanks(t, j + 1);
    Some(blanks(t, skip_quote(t, j)))
}

/// Past one quote (with the backslash of an escaped quote inside a JSON string) at `i`.
fn skip_quote(t: &str, i: usize) -> usize {
    let rest = t.get(i..).unwrap_or("");
    let (rest, skipped) = match rest.strip_prefix('\\') {
        Some(r) => (r, 1),
        None => (rest, 0),
    };
    match rest.chars().next() {
        Some(c @ ('"' | '\'' | '“' | '”' | '«' | '„' | '`' | '‘')) => {
            i + skipped + c.len_utf8()
        }
        _ => i,
    }
}

// ---------------------------------------------------------------------------------------------
// Words

/// The longest word a name, street or city may hold, in bytes: longer runs of letters are not
/// names, and the bound keeps the work per phrase constant.
const MAX_WORD: usize = 48;

/// Past the spaces and tabs at `i` (never a line break: a new line is a new field).
fn blanks(t: &str, i: usize) -> usize {
    let b = t.as_bytes();
    let mut j = i;
    while j < b.len() && matches!(b[j], b' ' | b'\t') {
        j += 1;
    }
    j
}

/// The character at byte `i`, if `i` is inside `t` and on a character boundary.
fn char_at(t: &str, i: usize) -> Option<char> {
    t.get(i..).and_then(|s| s.chars().next())
}

/// A letter of any script, or a combining mark on one (a decomposed "é").
fn is_letter(c: char) -> bool {
    c.is_alphabetic() || c.general_category_group() == GeneralCategoryGroup::Mark
}

/// The end of the word starting at `i`: letters and their marks, with apostrophes and hyphens
/// between letters (`O'Neill`, `D’Angelo`, `Hans-Peter`, `Karl-Marx-Straße`).
fn word_end(t: &str, i: usize) -> Option<usize> {
    // Bytes for an ASCII word (most words); characters as soon as one is not ASCII.
    let b = t.as_bytes();
    let first = *b.get(i)?;
    if !first.is_ascii() {
        return word_end_chars(t, i);
    }
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let mut j = i + 1;
    loop {
        match b.get(j) {
            Some(c) if c.is_ascii_alphabetic() => j += 1,
            Some(b'\'' | b'-') if b.get(j + 1).is_some_and(u8::is_ascii_alphabetic) => j += 1,
            Some(b'\'' | b'-') if b.get(j + 1).is_some_and(|c| !c.is_ascii()) => {
                return word_end_chars(t, i);
            }
            Some(c) if !c.is_ascii() => return word_end_chars(t, i),
            _ => return Some(j),
        }
        if j - i > MAX_WORD {
            return None;
        }
    }
}

/// [`word_end`], character by character.
fn word_end_chars(t: &str, i: usize) -> Option<usize> {
    let rest = t.get(i..)?;
    let mut chars = rest.char_indices().peekable();
    let (_, first) = chars.next()?;
    if !first.is_alphabetic() {
        return None;
    }
    let mut end = first.len_utf8();
    while let Some((k, c)) = chars.next() {
        if is_letter(c) {
            end = k + c.len_utf8();
        } else if !(matches!(c, '\'' | '’' | '-')
            && chars.peek().is_some_and(|&(_, n)| n.is_alphabetic()))
        {
            break;
        }
        if end > MAX_WORD {
            return None;
        }
    }
    Some(i + end)
}

/// The word at `i` and its end, when a word starts there.
fn word_at(t: &str, i: usize) -> Option<(&str, usize)> {
    let e = word_end(t, i)?;
    Some((t.get(i..e)?, e))
}

/// Whether a word begins with a capital (`Élodie`, `Łukasz`, a titlecase digraph), or is a
/// lower-case elision before one (`d'Angelo`, `dell'Orto`).
fn capitalised(w: &str) -> bool {
    let mut chars = w.chars();
    let Some(c) = chars.next() else {
        return false;
    };
    if c.is_uppercase() || !c.is_ascii() && c.general_category() == GeneralCategory::TitlecaseLetter
    {
        return true;
    }
    w.find(['\'', '’']).is_some_and(|k| {
        k <= 4
            && w.get(k..)
                .and_then(|r| r.chars().nth(1))
                .is_some_and(char::is_uppercase)
    })
}

/// Whether a word of two or more letters is written in capitals only ("VERY", "OK").
fn all_caps(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(char::is_lowercase)
}

/// Calls `f` with the lower-case form of `w`, without allocating for the usual short ASCII word.
fn with_lower<R>(w: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; MAX_WORD + 16];
    match buf.get_mut(..w.len()) {
        Some(slot) if w.is_ascii() => {
            slot.copy_from_slice(w.as_bytes());
            slot.make_ascii_lowercase();
            f(std::str::from_utf8(slot).unwrap_or_default())
        }
        _ => f(&w.to_lowercase()),
    }
}

/// A set of lower-case words, written as one string of words separated by blanks.
fn set(words: &'static str) -> HashSet<&'static str> {
    words.split_whitespace().collect()
}

/// Whether the lower-case form of `w` is in `words`.
fn is_in(words: &HashSet<&'static str>, w: &str) -> bool {
    with_lower(w, |l| words.contains(l))
}

// ---------------------------------------------------------------------------------------------
// Names

/// Capitalised words that follow an introducing phrase but never begin a name: pronouns,
/// articles, greetings, the words of "I'm Calling about Order 123", weekdays. A name stops at
/// one of them too ("my name is John Smith And …"), unless it is also a particle ("Marine Le Pen").
/// Short words that are also surnames ("Ma", "Su", "Tu") are left out.
static STOP: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        // English
        "i i'm im a an the this that these those it its it's is are was be been not no ",
        "yes you your my mine our we he she they his her their me and or but if so just ",
        "still also very really here there now today tomorrow yesterday sorry please ",
        "thanks thank hi hello hey dear calling writing order account customer client ",
        "member ref reference ticket case invoice number unknown none null n na anonymous ",
        "pending redacted tbd test about from with on in at for to of by as what who when ",
        "where why how ok okay monday tuesday wednesday thursday friday saturday sunday ",
        // Spanish
        "yo el la los las un una mi mis sus sí si muy aquí hola gracias por cliente ",
        "pedido usted ustedes lunes martes miércoles jueves viernes sábado ",
        // German
        "ich sie ihr ihre ihnen der die das ein eine mein meine nicht kein keine hier ",
        "bitte danke hallo kunde kundin bestellung montag dienstag mittwoch donnerstag ",
        "freitag samstag sonntag ",
        // French
        "je moi vous le les une mon mes votre pas ne ici merci bonjour commande lundi ",
        "mardi mercredi jeudi vendredi samedi dimanche ",
        // Portuguese
        "eu o os as um uma meu minha seu sua você não aqui olá obrigado obrigada ",
        "encomenda segunda terça quarta sexta ",
        // Italian
        "io il lo gli mio mia suo non qui ciao grazie buongiorno ordine lunedì martedì ",
        "mercoledì giovedì venerdì sabato domenica ",
        // Dutch
        "ik u het een mijn uw niet dank klant bestelling ",
    ))
});

/// Capitalised words that are not a name when they are all that follows a weak phrase or a field
/// name: "I'm Happy", "this is Urgent", "soy Cliente", "sono Arrabbiato", "Name: Customer". Two
/// capitalised words still make a name; months stay here rather than in [`STOP`] because April,
/// May and June are names too.
static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        // French, Spanish, Italian, Portuguese moods after "je suis", "soy", "sono", "estou"
        "très tres déçu déçue decu content contente fâché fâchée désolé désolée ravi ravie ",
        "furieux furieuse perdu perdue malade fatigué fatiguée inquiet inquiète énervé énervée ",
        "muy harto harta enfadado enfadada molesto molesta decepcionado decepcionada ",
        "molto deluso delusa arrabbiato arrabbiata stanco stanca ",
        "muito chateado chateada irritado irritada decepcionado cansado cansada sehr enttäuscht ",
        "sauer verärgert zeer teleurgesteld boos ",
        // English: moods, states, emphasis, roles, nationalities, holidays
        "happy glad sad angry upset mad annoyed frustrated disappointed confused worried ",
        "concerned tired fed fine good great sure ready done back home busy free ",
        "available interested unhappy furious livid new old late early trying looking ",
        "waiting asking wondering going having getting contacting emailing following ",
        "urgent important ridiculous unacceptable annoying terrible awful horrible ",
        "amazing correct wrong right true false broken missing unable able afraid aware ",
        "unsure certain positive sick ill disabled pregnant retired single married ",
        "divorced blind deaf british english american canadian irish scottish welsh ",
        "australian spanish german french italian portuguese dutch brazilian mexican ",
        "european indian chinese japanese catholic christian muslim jewish hindu vegan ",
        "vegetarian premium gold silver platinum prime plus pro admin manager agent ",
        "support staff sales billing security legal team everyone nobody someone outraged ",
        "shocked disgusted desperate calling christmas easter halloween january february ",
        "march april may june july august september october november december ",
        // Spanish
        "usuario usuaria socio socia titular enfadado enfadada harto harta contento ",
        "contenta español española mexicano mexicana argentino argentina nuevo nueva ",
        "madre padre urgente importante domingo enero febrero marzo abril mayo junio ",
        "julio agosto septiembre octubre noviembre diciembre ",
        // French
        "abonné abonnée français française désolé désolée content contente furieux ",
        "furieuse pressé pressée ",
        // Portuguese
        "português portuguesa brasileiro brasileira ",
        // Italian
        "arrabbiato arrabbiata italiano italiana titolare stanco stanca deluso delusa ",
        "preoccupato preoccupata disperato disperata ",
    ))
});

/// Lower-case particles allowed between the capitalised words of a name ("Ludwig van Beethoven",
/// "María de la Cruz", "Juan García y López", "Hans von und zu …").
static NAME_PARTICLES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "van der den de la le del della da das do dos di du des von zu y e ter ten bin ",
        "ibn al ",
    ))
});

/// Titles before a name ("Mr Smith", "Frau Müller", "M. Dupont"): skipped, left visible, and proof
/// enough after a weak phrase ("I'm Mr Smith"). Not "Don": it is a first name too.
static TITLES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "mr mrs ms miss mx dr prof sir sr sra srta doña herr frau m mme mlle monsieur ",
        "madame mademoiselle sig signor signora signorina dott dona dhr mevr dña dª dra ",
    ))
});

/// Words that may follow a single name after a weak phrase, besides the end of a sentence:
/// "I'm Sarah and …", "this is John speaking", "soy Ana de …", "sono Marco e …".
static FOLLOW: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "and from here speaking calling again y de desde del e et da di du und von aus ",
        "aquí aqui ici qui hier thanks thank thx cheers as gracias danke merci grazie obrigado ",
        "obrigada como wie comme come ",
    ))
});

/// Words that must follow the name after a closed phrase: "it's John here".
static CLOSING: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| set("here speaking calling again"));

/// Capitalised words a name may hold at most (particles between them do not count).
const MAX_NAME_WORDS: usize = 4;

/// Finds names that people give.
pub fn find_names(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let from = out.len();
    find_introduced_names(text, lex, out);
    find_names_before_words(text, lex, out, from);
}

/// Finds names given before the words that follow them (`<lang>_after` lists: "Torsten
/// Maßmann hier, wegen …", "gonçalo ferreira aqui", "c'est Gaëlle Bonnet à l'appareil", "Élodie
/// Chevalier, cliente fidèle"): two or three words of a name that start their clause.
fn find_names_before_words(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>, from: usize) {
    let before = out.len();
    for found in lex.words(WordKind::PersonName).all(text.as_bytes()) {
        if lex.name_intros.get(found.word) != Some(&Intro::After) {
            continue;
        }
        if after_word_closes(text, found.span.end)
            && let Some(name) = name_before(text, found.span.start)
            && !out[from..]
                .iter()
                .any(|r| r.start < name.end && name.start < r.end)
        {
            out.push(name);
        }
    }
    if out.len() > before {
        out[from..].sort_by_key(|r| r.start);
    }
}

/// Whether the clause goes on as after a name given first: the end, punctuation, or a word
/// such as "wegen", "about", "sobre" — not "hier spricht", "here is".
fn after_word_closes(t: &str, end: usize) -> bool {
    const NEXT: &[&str] = &[
        "wegen",
        "about",
        "regarding",
        "again",
        "sobre",
        "por",
        "pour",
        "au",
        "per",
        "für",
        "re",
        "still",
        "de",
        "da",
        "desde",
        "depuis",
        "seit",
        "merci",
        "thanks",
        "gracias",
        "danke",
        "grazie",
        "obrigado",
        "obrigada",
        "and",
        "y",
        "und",
        "et",
        "e",
        "con",
        "with",
        "mit",
    ];
    let rest = t.get(end..).unwrap_or_default();
    followed_by(
        t,
        end,
        |w| NEXT.contains(&w.to_lowercase().as_str()),
        |_| !rest.trim_start().starts_with(|c: char| c.is_ascii_digit()),
    )
}

/// The name of two or three words ending at `end` that starts its clause, if any.
fn name_before(t: &str, end: usize) -> Option<Range<usize>> {
    let mut start = end;
    let mut words = 0;
    let mut case = None;
    // "Élodie Chevalier, cliente fidèle": the name ends before the comma.
    let comma = t.get(..start)?.trim_end_matches(' ').ends_with(',');
    if comma {
        start = t.get(..start)?.trim_end_matches(' ').len() - 1;
    }
    let end = start;
    loop {
        let before = t.get(..start)?;
        let trimmed = before.trim_end_matches(' ');
        let gap = before.len() - trimmed.len();
        let first_gap = if comma { 0 } else { 1 };
        if words == 0 && gap != first_gap || words > 0 && !(1..=2).contains(&gap) {
            break;
        }
        let Some(ws) = trimmed
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
            .last()
            .map(|(k, _)| k)
        else {
            break;
        };
        let w = &trimmed[ws..];
        let capital = capitalised(w) && !all_caps(w) || all_caps(w) && w.chars().count() > 1;
        let lower = !w.chars().any(char::is_uppercase);
        let shape = if capital {
            1
        } else if lower {
            2
        } else {
            0
        };
        if shape == 0 || case.is_some_and(|c| c != shape) || not_a_name_word(w) || words == 3 {
            break;
        }
        case = Some(shape);
        words += 1;
        start = ws;
    }
    if words < 2 {
        return None;
    }
    // The clause starts right before the name.
    let before = t.get(..start)?.trim_end_matches([' ', '\t']);
    let opens = before.is_empty()
        || before.ends_with(['.', ',', '!', '?', ':', ';', '\n', '—', '-', '>', ']', ')'])
        || [
            "c'est", "c’est", "it's", "it’s", "this is", "es", "soy", "sono", "sou",
        ]
        .iter()
        .any(|p| before.to_lowercase().ends_with(p));
    let name_end = t.get(..end)?.trim_end_matches([' ', ',']).len();
    (opens && t.get(start..name_end).is_some_and(|n| !any_common_word(n)))
        .then_some(start..name_end)
}

/// Finds names after the phrases that introduce them.
fn find_introduced_names(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let mut last_end = 0;
    for found in lex.words(WordKind::PersonName).all(text.as_bytes()) {
        if found.span.end < last_end {
            continue;
        }
        let Some(&intro) = lex.name_intros.get(found.word) else {
            continue;
        };
        if intro == Intro::After {
            continue;
        }
        // `NOM : LE GOFF Prénom : Céline`: a field right after the last name starts a field.
        let chained = last_end > 0
            && text
                .get(last_end..found.span.start)
                .is_some_and(|gap| gap.chars().all(|c| c == ' ' || c == ',' || c == ';'));
        if let Some(name) = name_after(text, found.span, intro, chained)
            .map(|name| given_after_comma(text, name, intro))
            && name.start >= last_end
        {
            last_end = name.end;
            out.push(name);
        }
    }
}

/// A name written surname first ("Nombre: Ibáñez, Ainhoa", "hier ist Müller, Kerstin", "a nombre
/// de ibáñez, íñigo"): the given name after the comma, when it ends the clause, is part of it.
fn given_after_comma(t: &str, name: Range<usize>, intro: Intro) -> Range<usize> {
    if intro == Intro::Title {
        return name;
    }
    let Some(rest) = t.get(name.end..).and_then(|r| r.strip_prefix(',')) else {
        return name;
    };
    let j = name.end + 1 + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let Some((w, we)) = word_at(t, j) else {
        return name;
    };
    let lower = !t
        .get(name.clone())
        .unwrap_or_default()
        .chars()
        .any(char::is_uppercase);
    let shaped = if lower {
        !w.chars().any(char::is_uppercase)
    } else {
        capitalised(w)
    };
    let word = shaped && j > name.end + 1 && !not_a_name_word(w);
    let next = char_at(t, we);
    let ends = ends_line(t, we)
        || next.is_some_and(|c| matches!(c, '.' | ',' | ';' | '!' | '?' | ')'))
        || follow_word(t, we);
    if word && ends { name.start..we } else { name }
}

/// The words of a name as read after a phrase.
struct NameRun {
    /// From the first to the last capitalised word.
    span: Range<usize>,
    /// The first word.
    first: Range<usize>,
    /// Capitalised words.
    words: usize,
    /// Letters in them.
    letters: usize,
    /// Whether more capitalised words followed the fourth (a title in Title Case, not a name).
    more: bool,
    /// Whether the words stopped at one glued to digits ("Galaxy S24"): a product model.
    model: bool,
}

/// The name introduced by the phrase at `phrase`, if what follows has a name's shape.
fn name_after(t: &str, phrase: Range<usize>, intro: Intro, chained: bool) -> Option<Range<usize>> {
    let mut i = phrase.end;
    let mut mid_line = false;
    let mut intro = intro;
    // "THIS IS Sanne O'Neill speaking": a weak phrase in capitals before a name that is not.
    let mut shouted = false;
    match intro {
        // Read before the word, by `find_names_before_words`.
        Intro::After => return None,
        Intro::Label => {
            let value = label_value(t, i);
            let starts = if value.is_some() {
                label_start(t, phrase.start)
            } else {
                field_start(t, phrase.start)
            };
            if !(chained || starts) {
                return None;
            }
            match value {
                Some(v) => i = v,
                // `nombre Nuria, apellidos Zubizarreta`, `prénom Benoît, nom Rousseau`: a field
                // name and a capitalised name that ends its clause, with no colon.
                None => {
                    let j = blanks(t, i);
                    let run = name_run(t, j, false).filter(|_| j > i)?;
                    let worded = t.get(run.span.clone()).is_some_and(any_common_word);
                    let end = char_at(t, run.span.end);
                    let clause = end.is_none_or(|c| matches!(c, ',' | ';' | '.' | '\n'));
                    let ok = !worded && !run.more && !run.model && run.words <= 3 && clause;
                    return ok.then_some(run.span);
                }
            }
        }
        // "account holder: Hannah Carter", "Titulaire : Yannick Girard", "Karteninhaber: …":
        // a weak phrase used as a field name is one.
        Intro::Weak if label_value(t, i).is_some_and(|v| v > i) && label_start(t, phrase.start) => {
            i = label_value(t, i)?;
            intro = Intro::Label;
        }
        Intro::Weak | Intro::Closed => {
            // "I Am Legend", "This Is Us": a title, not an introduction. In capitals ("SOY",
            // "THIS IS") it is shouting, and only a name with more proof counts.
            // A German noun keeps its capital ("mein Mann Jürgen Fuchs"): only a phrase whose
            // every word is capitalised is a title.
            let p = t.get(phrase)?;
            if p.chars().skip(1).any(char::is_uppercase) {
                if !p.chars().any(char::is_lowercase) {
                    shouted = true;
                } else if p.split(' ').all(capitalised) {
                    return None;
                }
            }
            let j = blanks(t, i);
            if j == i {
                return None;
            }
            // "parla «Matteo Mancuso»", "de la part de 'François Besnard'".
            i = skip_quote(t, j);
        }
        Intro::Strong => {
            let mut j = blanks(t, i);
            if t.get(j..)?.starts_with(':') {
                j = blanks(t, j + 1);
            }
            if j == i {
                return None;
            }
            i = blanks(t, skip_quote(t, j));
        }
        Intro::SignOff => {
            // "Regards, John", "Cheers John", "Saludos,\nAna": the close starts its line and
            // the name follows after a comma, blanks or a line break.
            // Mid-line, after a clause ("Como ya dije, Saludos cordiales, Carmen Ortega Ruiz
            // ¡Gracias!"), the close needs its comma and the name more proof (below).
            mid_line = !line_start(t, phrase.start);
            if mid_line && !(clause_start(t, phrase.start) && t.get(i..)?.starts_with(',')) {
                return None;
            }
            let mut j = i;
            if t.get(j..)?.starts_with([',', '!', '.']) {
                j += 1;
            }
            let k = blank_lines(t, j);
            if k == i {
                return None;
            }
            i = k;
        }
        Intro::Title => {
            // A title is written with a capital ("Mr Patel", not "mr"), and not inside an
            // abbreviation ("P.M.").
            let p = t.get(phrase.clone())?;
            let long = p.chars().filter(|c| c.is_alphabetic()).count() >= 4;
            if !(capitalised(p) || long) || t.get(..phrase.start)?.ends_with('.') {
                return None;
            }
            let mut j = i;
            if t.get(j..)?.starts_with('.') && !p.ends_with('.') {
                j += 1;
            }
            let k = blanks(t, j);
            if k == j && !p.ends_with('.') && j == i {
                return None;
            }
            if word_at(t, k).is_some_and(|(w, _)| title_brand(p, w)) || size_before(t, phrase.start)
            {
                return None;
            }
            let Some(run) = name_run(t, skip_particles(t, k), true) else {
                // Chat in lower case after a title: "Ms. james ashworth called", "Signor
                // alessandro greco" — a title with its dot or a long one, and a name ending its
                // clause or followed by a word such as "hat", "called", "a rappelé".
                let dotted = p.ends_with('.') || t.get(i..).is_some_and(|r| r.starts_with('.'));
                let sure = capitalised(p) && (dotted || long);
                return sure.then(|| lower_after_title(t, k)).flatten();
            };
            let worded = t.get(run.span.clone()).is_some_and(any_common_word);
            let first_common = t.get(run.first.clone()).is_some_and(common_word);
            let ok = !worded
                && !first_common
                && !run.more
                && !run.model
                && !digit_follows(t, run.span.end);
            return ok.then_some(run.span);
        }
    }
    let (mut i, titled) = skip_title(t, i);
    // "Apellidos: del Olmo", "Madame de Villeneuve": after a field name or a title a surname may
    // start with its particle.
    if titled || intro == Intro::Label {
        i = skip_particles(t, i);
    }
    let weak = matches!(intro, Intro::Weak | Intro::Closed);
    let run = match name_run(t, i, !weak) {
        Some(run) => run,
        // Chat is often typed in lower case: "my name is priya patel", "Name: özlem yılmaz".
        None if !weak => {
            return lower_case_name(t, i, intro == Intro::SignOff)
                .filter(|r| !mid_line || t.get(r.clone()).is_some_and(|n| n.contains(' ')));
        }
        None => return None,
    };
    if intro == Intro::SignOff {
        let worded = t.get(run.span.clone()).is_some_and(any_common_word);
        // A name that does not end its line is followed by a closing word or punctuation
        // ("Best regards, Emily Patel Thanks.", "Mit freundlichen Grüßen, Jörg Krüger danke");
        // mid-line it has two words or more.
        let closes = ends_line(t, run.span.end)
            || (run.words >= 2 || !mid_line) && closing_after_signoff(t, run.span.end);
        let ok = !worded && !run.more && !run.model && closes && (!mid_line || run.words >= 2);
        return ok.then_some(run.span);
    }
    let first_common = t.get(run.first.clone()).is_some_and(common_word);
    // "this is Premium Support", "Name: Vodafone Red M", "this is New York office": a word of
    // a brand, a service, a plan or a place, not of a person.
    let worded = t.get(run.span.clone()).is_some_and(any_common_word);
    let single_common = run.words == 1 && (first_common || worded);
    let ok = match intro {
        Intro::Strong => !single_common,
        Intro::Label => !worded && !run.model && !run.more && !digit_follows(t, run.span.end),
        Intro::Weak if !titled && worded => false,
        Intro::Weak if shouted => {
            // Two words of a name (or a title) and a word such as "speaking" or "and" after it:
            // "I AM Really Sorry" and "THIS IS Absolutely Ridiculous" stay.
            let product = run.more || run.model || digit_follows(t, run.span.end);
            !product && (titled || run.words >= 2 && !first_common) && follow_word(t, run.span.end)
        }
        Intro::Weak => {
            // A name ends its clause ("I'm Jane O'Neill, …", "I'm Sarah and …"); a longer run
            // of capitalised words is a title or a brand.
            let product = run.more || run.model || digit_follows(t, run.span.end);
            titled
                || (!product
                    && run.words <= 3
                    && !single_common
                    && (follows_name(t, run.span.end) || closing_follows(t, run.span.end)))
        }
        Intro::Closed => !worded && !run.more && !run.model && closing_follows(t, run.span.end),
        Intro::SignOff | Intro::Title | Intro::After => false,
    };
    ok.then_some(run.span)
}

/// Whether any word of a run of capitalised words is a common word, a word of a brand, a
/// service or a place ([`NOT_NAME_PARTS`]), or a short word in capitals ("Red M", "UK").
fn any_common_word(run: &str) -> bool {
    run.split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .any(|w| {
            let lower = w
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase();
            common_word(w)
                || NOT_NAME_PARTS.contains(lower.as_str())
                || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
        })
}

/// Words of brands, services, plans, places and placeholders that follow "this is", "I'm" or
/// "Name:" in contact-centre text but are no part of a person's name.
static NOT_NAME_PARTS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "support service services care customer customers team office plan plans home gas ",
        "electric energy power water bank banking insurance airline airlines air group store ",
        "shop shops help helpdesk desk centre center department dept account card gift order ",
        "booking basic standard business unlimited fibre fiber fibra red mobile online digital ",
        "music tv broadband internet network telecom telecoms phone phones wireless cable ",
        "city town york london paris madrid barcelona berlin munich münchen hamburg rome roma ",
        "milano milan lisbon lisboa porto amsterdam brussels vienna zurich dublin manchester ",
        "street road avenue lane station airport hotel restaurant cafe club school university ",
        "hospital clinic pharmacy ltd limited inc llc gmbh ag sa sl srl spa plc co corp company ",
        "withheld unknown anonymous redacted none same see siehe voir ver vedi tbd pending ",
        "unavailable private hidden n/a na eve day night morning week weekend out of the a an ",
        "and for with from by willkommen bienvenido bienvenue benvenuto bem-vindo welcome ",
        "hello hi hola hallo bonjour ciao olá oi thanks gracias danke merci grazie obrigado ",
        "obrigada sorry perdón entschuldigung pardon scusi desculpe autónomo autonomo freelance ",
        "cliente kunde client stato ",
        // Brands and services that introduce themselves ("this is Royal Mail", "le habla
        // Movistar", "sono Poste Italiane").
        "mail post poste posta correos italiane teams assistance assistenza asistencia ",
        "assistência fraud prevention friday cyber monday black fiber movistar vodafone orange ",
        "telefonica telefónica telekom deutsche sfr bouygues iliad meo nos altice ee bt sky ",
        "virgin verizon comcast xfinity amazon apple google microsoft paypal chase barclays ",
        "santander bbva caixabank caixa ing hsbc lloyds natwest monzo revolut dhl ups fedex ",
        "gls dpd hermes evri royal netflix spotify uber airbnb ikea zalando endesa iberdrola ",
        "enel edf engie martens ",
        // A team signing off ("Saludos, Equipo Iberia", "Cordialement, L'équipe Fnac",
        // "Cordiali saluti, Servizio Clienti").
        "equipo equipa équipe l'équipe l’équipe servizio servicio serviço servico clienti ",
        "clientes kundenservice kundendienst kundenbetreuung squadra staff atención atencion ",
        "atendimento service-client ",
        // Shops, banks and carriers that sign off or follow a thanks ("danke, Media Markt").
        "markt media banca banco intesa sabadell unicredit fnac darty worten iberia renfe sncf ",
        "trenitalia lufthansa ryanair vueling express compte joint société societe générale ",
        "generale personne morale entreprise empresa firma mercado libre ufficio reclami ",
        "guten tag morgen abend buenos buenas días dias tardes noches bom boa dia tarde noite ",
        "bonne journée soirée buongiorno buonasera ",
        "oficina büro buero bureau ",
    ))
});

/// Brands, products and characters named with a title ("Dr. Oetker", "Mr Muscle", "Monsieur
/// Cuisine", "Frau Holle", "Herr der Ringe"), as title and first word in lower case without the
/// dot: customers write about them far more often than to a person of that surname.
const TITLE_BRANDS: &[(&str, &[&str])] = &[
    (
        "dr",
        &[
            "oetker",
            "pepper",
            "scholl",
            "scholl's",
            "martens",
            "beckmann",
            "brown's",
            "who",
            "bronner's",
            "hauschka",
            "seuss",
            "strange",
            "no",
            "jart",
            "theiss",
            "grandel",
            "organic",
            "teal's",
            "best",
            "kawashima",
        ],
    ),
    (
        "mr",
        &[
            "muscle",
            "bean",
            "clean",
            "proper",
            "coffee",
            "potato",
            "robot",
            "men",
            "wonderful",
            "bricolage",
            "freeze",
            "kipling",
            "porter",
            "whippy",
            "sheen",
            "tom",
            "noodles",
            "músculo",
            "musculo",
            "jingles",
            "bubble",
            "magorium",
            "peanut",
            "beast",
            "sparkle",
        ],
    ),
    ("mrs", &["doubtfire", "brown's", "crimble's", "maisel"]),
    (
        "miss",
        &[
            "sixty",
            "selfridge",
            "dior",
            "saigon",
            "piggy",
            "etam",
            "marple",
        ],
    ),
    ("ms", &["pac-man", "marvel"]),
    ("sir", &["kensington's", "perky"]),
    (
        "monsieur",
        &[
            "cuisine",
            "propre",
            "bricolage",
            "meuble",
            "madame",
            "patate",
        ],
    ),
    (
        "madame",
        &["figaro", "tussauds", "bovary", "butterfly", "tussaud"],
    ),
    ("frau", &["holle", "antje"]),
    ("herr", &["der", "lehmann"]),
    ("señor", &["frog's"]),
    (
        "don",
        &[
            "simón", "simon", "limpio", "algodón", "algodon", "pollo", "quijote", "quixote", "pepe",
        ],
    ),
];

/// Whether a clothing size stands before a title at `start` ("Size M. Colour blue", "taille M.").
fn size_before(t: &str, start: usize) -> bool {
    const SIZES: &[&str] = &[
        "size", "taille", "talla", "größe", "grösse", "groesse", "taglia", "tamanho", "maat",
    ];
    let before = t.get(..start).unwrap_or_default().trim_end();
    // The letters that end `before`: what follows its last character that is not a letter.
    let last = before
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or_default();
    SIZES.contains(&last.to_lowercase().as_str())
}

/// Whether a title and the word after it name a brand or a character ([`TITLE_BRANDS`]).
fn title_brand(title: &str, word: &str) -> bool {
    let title = title.trim_end_matches('.').to_lowercase();
    let word = word.to_lowercase();
    TITLE_BRANDS
        .iter()
        .any(|(t, words)| *t == title && words.contains(&word.as_str()))
}

/// Whether a capitalised word is a common word rather than a name: in [`COMMON`], or a long
/// English adjective ("Outrageous", "Unbelievable", "Disgraceful", "Pointless").
fn common_word(w: &str) -> bool {
    let lower = w.to_lowercase();
    COMMON.contains(lower.as_str())
        || lower.chars().count() >= 7
            && ["ous", "ful", "less", "able", "ible"]
                .iter()
                .any(|s| lower.ends_with(s))
}

/// Past a title at `i` ("Mr", "Mrs.", "Frau", "M."), and whether there was one.
fn skip_title(t: &str, i: usize) -> (usize, bool) {
    let Some((w, we)) = word_at(t, i) else {
        return (i, false);
    };
    let lower = w.to_lowercase();
    let dot = t.get(we..).is_some_and(|r| r.starts_with('.'));
    // "a la atención de sra. Begoña Sánchez": in lower case with its dot.
    if !TITLES.contains(lower.as_str()) || !(capitalised(w) || dot) {
        return (i, false);
    }
    if lower == "m" && !dot {
        return (i, false);
    }
    let j = we + usize::from(dot);
    let k = blanks(t, j);
    if k == j {
        return (i, false);
    }
    (k, true)
}

/// The capitalised words (and particles between them) from `start`. `shout_ok` lets words in
/// capitals count ("Name: JOHN SMITH"); after a weak phrase they are shouting ("I'm VERY angry").
fn name_run(t: &str, start: usize, shout_ok: bool) -> Option<NameRun> {
    let mut run = NameRun {
        span: start..start,
        first: start..start,
        words: 0,
        letters: 0,
        more: false,
        model: false,
    };
    let mut i = start;
    let mut particles = 0;
    while let Some((w, we)) = word_at(t, i) {
        // "Galaxy5", "Model3": a product, not a name.
        if t.as_bytes().get(we).is_some_and(u8::is_ascii_digit) {
            if run.words == 0 {
                return None;
            }
            run.model = true;
            break;
        }
        let initial = w.chars().count() == 1 && t.get(we..).is_some_and(|r| r.starts_with('.'));
        let particle = is_in(&NAME_PARTICLES, w);
        // `Surname: Kowalczyk Forename: Rhys`: a word before a colon is the next field's name.
        if run.words > 0 && label_follows(t, we) {
            break;
        }
        if capitalised(w) {
            let stop = !initial && is_in(&STOP, w) && (run.words == 0 || !particle);
            if stop || !shout_ok && all_caps(w) {
                if run.words == 0 {
                    return None;
                }
                break;
            }
            if run.words == MAX_NAME_WORDS {
                run.more = true;
                break;
            }
            if run.words == 0 {
                run.first = i..we;
            }
            run.words += 1;
            run.letters += w.chars().filter(|c| c.is_alphabetic()).count();
            run.span.end = we;
            particles = 0;
        } else if run.words > 0 && particles < 3 && particle {
            particles += 1;
        } else {
            break;
        }
        // The next word: after blanks, or after an initial's dot ("John F. Kennedy").
        let next = we + usize::from(initial);
        let after = blanks(t, next);
        if after == next || after - next > 3 {
            break;
        }
        i = after;
    }
    (run.words > 0 && run.letters >= 2).then_some(run)
}

/// Past the particles of a surname at `i` ("de", "van der", "del") when a capitalised word
/// follows them; otherwise `i`.
fn skip_particles(t: &str, i: usize) -> usize {
    let mut j = i;
    for _ in 0..3 {
        let Some((w, we)) = word_at(t, j) else {
            return i;
        };
        if capitalised(w) && j > i {
            return j;
        }
        if !is_in(&NAME_PARTICLES, w) || w.chars().any(char::is_uppercase) {
            return i;
        }
        let k = blanks(t, we);
        if k == we {
            return i;
        }
        j = k;
    }
    match word_at(t, j) {
        Some((w, _)) if capitalised(w) => j,
        _ => i,
    }
}

/// Whether a field's `:` follows the word ending at `end` (not a URL's `://`).
fn label_follows(t: &str, end: usize) -> bool {
    let j = blanks(t, end);
    t.get(j..)
        .is_some_and(|r| r.starts_with(':') && !r.starts_with("://"))
}

/// Whether a clause begins at `start`: after `,`, `.`, `!`, `?`, `;`, `:` or a dash and blanks.
fn clause_start(t: &str, start: usize) -> bool {
    t.get(..start).is_some_and(|before| {
        let b = before.trim_end_matches([' ', '\t']);
        b.len() < before.len() && b.ends_with([',', '.', '!', '?', ';', ':', '—', '–', '-'])
    })
}

/// What follows `end` past blanks: nothing, a word that `word` accepts (after a blank), or a sign
/// that `sign` accepts. How each finder asks whether a name's clause goes on as it should.
fn followed_by(
    t: &str,
    end: usize,
    word: impl Fn(&str) -> bool,
    sign: impl Fn(char) -> bool,
) -> bool {
    let j = blanks(t, end);
    match char_at(t, j) {
        None => true,
        Some(c) if c.is_alphabetic() => j > end && word_at(t, j).is_some_and(|(w, _)| word(w)),
        Some(c) => sign(c),
    }
}

/// What may follow a name after the close of a letter when it does not end its line: sentence
/// punctuation, a bracket, an emoji, or a word of thanks ("… Emily Patel Thanks.", "… Jörg
/// Krüger danke euch", "… Francesca Bruno Grazie mille!").
fn closing_after_signoff(t: &str, end: usize) -> bool {
    const THANKS: &[&str] = &[
        "thanks", "thank", "thx", "cheers", "please", "pls", "ok", "gracias", "danke", "merci",
        "grazie", "obrigado", "obrigada", "obg", "bedankt", "dank", "sent", "porfa", "es", "ist",
        "est", "è", "é", "muchas", "vielen",
    ];
    followed_by(
        t,
        end,
        |w| THANKS.contains(&w.to_lowercase().as_str()),
        |c| !c.is_ascii_digit() && !matches!(c, '@' | '&' | '+' | '/'),
    )
}

/// Whether `start` begins its line: only blanks (or a quote, `>` of a quoted mail) before it.
fn line_start(t: &str, start: usize) -> bool {
    t.get(..start).is_some_and(|before| {
        let line = before.rsplit(['\n', '\r']).next().unwrap_or(before);
        line.chars()
            .all(|c| c.is_whitespace() || matches!(c, '>' | '"' | '\'' | '-'))
    })
}

/// Past blanks and line breaks (at most two) from `i`.
fn blank_lines(t: &str, i: usize) -> usize {
    let b = t.as_bytes();
    let (mut j, mut breaks) = (i, 0);
    while let Some(&c) = b.get(j) {
        match c {
            b' ' | b'\t' => {}
            b'\n' | b'\r' if breaks < 2 => breaks += 1,
            // A line break written as the two characters `\n` inside a JSON string in text.
            b'\\' if matches!(b.get(j + 1), Some(b'n' | b'r')) && breaks < 2 => {
                breaks += 1;
                j += 1;
            }
            _ => break,
        }
        j += 1;
    }
    j
}

/// Whether the text or its line ends at `end`, past blanks and closing punctuation.
fn ends_line(t: &str, end: usize) -> bool {
    let rest = t.get(end..).unwrap_or("");
    // Closing punctuation, brackets of pasted JSON, an emoji: anything but a word, a number or
    // the start of a tag or an address.
    let rest = rest.trim_start_matches(|c: char| {
        !(c.is_alphanumeric() || matches!(c, '\n' | '\r' | '<' | '|' | '\\' | '@' | '&' | '+'))
    });
    rest.is_empty()
        || rest.starts_with(['\n', '\r', '|', '<'])
        || rest.starts_with("\\n")
        || rest.starts_with("\\r")
}

/// A name typed in lower case after a phrase that proves one ("my name is priya patel",
/// "Name: özlem yılmaz", "Regards, john"): one to three words, none a common word, and then the end
/// of the clause or a word such as "and", "from", "here" — "my name is different on the card"
/// is a sentence, not a name.
fn lower_case_name(t: &str, start: usize, sign_off: bool) -> Option<Range<usize>> {
    let mut i = start;
    let mut span = start..start;
    let mut words = 0;
    while let Some((w, we)) = word_at(t, i) {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        let lower = w.chars().all(|c| !c.is_uppercase());
        // "marco rossi e ho un problema": a conjunction ends a lower-case name.
        let conjunction = CONJUNCTIONS.contains(&w);
        let particle = words > 0 && !conjunction && is_in(&NAME_PARTICLES, w);
        if !lower || t.as_bytes().get(we).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        if !particle {
            let verb_like = letters > 5 && (w.ends_with("ing") || w.ends_with("ed"));
            if not_a_name_word(w) || verb_like {
                break;
            }
            // Four words: two given names and two surnames ("ana belén muñoz peña").
            if words == 4 {
                return None;
            }
            words += 1;
            span.end = we;
        }
        let after = blanks(t, we);
        if after == we || after - we > 2 {
            break;
        }
        i = after;
    }
    if words == 0 {
        return None;
    }
    let end = span.end;
    let ok = if sign_off {
        ends_line(t, end)
    } else {
        followed_by(
            t,
            end,
            |w| is_in(&FOLLOW, w) || CONJUNCTIONS.contains(&w),
            |c| !c.is_ascii_digit() && c != '@',
        )
    };
    ok.then_some(span)
}

/// Roles a title may stand before in lower case: "Sr. gerente", "Herr ober", "Sra. directora".
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "gerente", "director", "directora", "jefe", "jefa", "encargado", "encargada", "responsable",
    "presidente", "presidenta", "profesor", "profesora", "doctor", "doctora", "ingeniero",
    "abogado", "abogada", "agente", "alcalde", "alcaldesa", "ministro", "ministra", "juez",
    "ober", "kellner", "kellnerin", "doktor", "chef", "chefin", "direktor", "direktorin",
    "professor", "professorin", "pfarrer", "lehrer", "lehrerin", "nachbar", "nachbarin",
    "manager", "boss", "officer", "agent", "supervisor", "director", "mayor", "president",
    "directeur", "directrice", "gérant", "gérante", "maire", "juge", "médecin", "voisin", "voisine",
    "diretor", "diretora", "gerente", "doutor", "doutora", "vizinho", "vizinha",
    "direttore", "direttrice", "dottore", "dottoressa", "sindaco", "vicino", "vicina",
    "cliente", "kunde", "kundin", "client", "cliente", "customer",
];

/// A name in lower case after a title: one or two words that are no common or function word,
/// then the end of the clause, punctuation, or a verb of the report ("called", "hat", "ligou").
fn lower_after_title(t: &str, start: usize) -> Option<Range<usize>> {
    const VERBS: &[&str] = &[
        "called", "rang", "phoned", "wrote", "says", "said", "asked", "is", "was", "has", "hat",
        "ist", "war", "rief", "ruft", "schrieb", "llamó", "llamo", "dice", "ha", "a", "est",
        "appelle", "rappelé", "rappelle", "ligou", "disse", "chamou", "è", "chiamato", "chiede",
        "again", "wants", "needs", "will", "would", "que", "qui", "che", "am", "im", "sagt",
        "meint", "ontem", "ayer", "gestern", "hier", "ieri",
    ];
    let mut i = start;
    let mut span = start..start;
    let mut words = 0;
    while let Some((w, we)) = word_at(t, i) {
        let lower = w.chars().all(|c| !c.is_uppercase());
        if !lower || t.as_bytes().get(we).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        if VERBS.contains(&w) {
            if words == 0 {
                return None;
            }
            break;
        }
        if not_a_name_word(w) || w.chars().count() < 3 {
            if words == 0 {
                return None;
            }
            break;
        }
        if words == 2 {
            return None;
        }
        words += 1;
        span.end = we;
        let after = blanks(t, we);
        if after == we || after - we > 2 {
            break;
        }
        i = after;
    }
    // One lower-case word after a title may be a role ("Sr. gerente", "Herr ober"): a surname
    // alone needs a verb of the report after it ("Herr müller hat angerufen").
    if words == 0 || word_at(t, start).is_some_and(|(w, _)| ROLES.contains(&w)) {
        return None;
    }
    let j = blanks(t, span.end);
    if words == 1 {
        let verb = j > span.end && word_at(t, j).is_some_and(|(w, _)| VERBS.contains(&w));
        if !verb {
            return None;
        }
    }
    let ok = followed_by(
        t,
        span.end,
        |w| VERBS.contains(&w) || is_in(&FOLLOW, w),
        |c| !c.is_ascii_digit() && c != '@',
    );
    ok.then_some(span)
}

/// Whether `w` cannot be a word of a name whatever its case: a single letter, a function word, a
/// common word, a conjunction, a word that follows names, or a word of a brand or a place.
fn not_a_name_word(w: &str) -> bool {
    w.chars().filter(|c| c.is_alphabetic()).count() < 2
        || is_in(&STOP, w)
        || is_in(&LOWER_STOP, w)
        || common_word(w)
        || CONJUNCTIONS.contains(&w)
        || is_in(&FOLLOW, w)
        || is_in(&NOT_NAME_PARTS, w)
}

/// Conjunctions that end a lower-case name ("marco rossi e ho un problema") or may follow one.
const CONJUNCTIONS: [&str; 7] = ["e", "y", "i", "et", "und", "and", "en"];

/// Function words of our languages that a lower-case name never starts with or holds: "il mio
/// nome è sul conto", "mon nom est sur la facture", "mi nombre está en la cuenta".
static LOWER_STOP: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "sul sulla sullo sui nel nella nello nei al alla allo ai dal dalla del della dello con ",
        "per tra fra senza sur dans avec sans pour par chez au aux en sobre con sin para está ",
        "esta están estaba es era son fue no na nos nas em com sem pelo pela auf im am an ",
        "mit ohne für bei beim vom zum zur ist war op bij met zonder voor staat is niet al ",
        "also as was were are has have had not still wrong right spelled written listed ",
        "correct incorrect missing different same there here on in at of off up down out ",
        "écrit mal bien faux juste escrito errado mal scritto sbagliato falsch richtig ",
        "geschrieben ",
    ))
});

/// Whether a number follows the name ("this is Street Fighter 6", "I'm Galaxy 24"): a product.
fn digit_follows(t: &str, end: usize) -> bool {
    let j = blanks(t, end);
    j > end && t.as_bytes().get(j).is_some_and(u8::is_ascii_digit)
}

/// Whether what follows a single name after a weak phrase ends it: the end of the text or a
/// line, punctuation, or a word of [`FOLLOW`] ("I'm Sarah, …", "I'm Sarah and …"), not the rest
/// of a sentence ("I'm Pleased with …").
fn follows_name(t: &str, end: usize) -> bool {
    let j = blanks(t, end);
    match char_at(t, j) {
        None => true,
        // A capitalised word the name stopped at starts the next sentence ("I'm Sarah I need …").
        Some(c) if c.is_alphabetic() => {
            word_at(t, j).is_some_and(|(w, _)| capitalised(w) || is_in(&FOLLOW, w))
        }
        Some(c) => !c.is_ascii_digit(),
    }
}

/// Whether a word of [`FOLLOW`] follows the name ("THIS IS Sanne O'Neill speaking").
fn follow_word(t: &str, end: usize) -> bool {
    let j = blanks(t, end);
    j > end && word_at(t, j).is_some_and(|(w, _)| is_in(&FOLLOW, w))
}

/// Whether a closing word follows the name ("it's John here").
fn closing_follows(t: &str, end: usize) -> bool {
    let j = blanks(t, end);
    j > end && word_at(t, j).is_some_and(|(w, _)| is_in(&CLOSING, w))
}

// ---------------------------------------------------------------------------------------------
// Street addresses

/// Where a street word may stand, from the name of its list in `words/street_type.toml`.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    /// Before the name: "Calle Mayor", "rue de la Paix".
    before: bool,
    /// After the name: "High Street", "Berliner Straße".
    after: bool,
}

/// The street words, read from the words file the automaton is built from.
pub(crate) struct StreetTypes {
    /// Whole words, in lower case ("street", "c/", "an der").
    words: HashMap<String, Place>,
    /// Endings of one-word street names, in lower case ("straße", "weg", "straat").
    suffixes: Vec<String>,
    /// The last bytes of the endings: a word ending in another byte is not looked at further.
    suffix_last: [bool; 256],
    /// The first parts of the words that have two ("an" of "an der"): only after one of them is
    /// the next word looked at.
    two_word_heads: HashSet<String>,
}

impl StreetTypes {
    /// Reads the street words, and where each may stand, from a lexicon's `street_type` lists.
    pub(crate) fn from_lists(lists: &Lists) -> StreetTypes {
        let mut types = StreetTypes {
            words: HashMap::default(),
            suffixes: Vec::new(),
            suffix_last: [false; 256],
            two_word_heads: HashSet::default(),
        };
        for (name, list) in lists {
            for w in list {
                let core = w.trim_matches('*').to_lowercase();
                if name.ends_with("_compound") {
                    if let Some(&last) = core.as_bytes().last() {
                        types.suffix_last[usize::from(last)] = true;
                    }
                    types.suffixes.push(core);
                    continue;
                }
                if let Some((head, _)) = core.split_once(' ') {
                    types.two_word_heads.insert(head.to_string());
                }
                let place = types.words.entry(core).or_default();
                place.before |= name.ends_with("_before");
                place.after |= name.ends_with("_after");
            }
        }
        types
    }
}

/// Lower-case words allowed in a street name besides capitalised ones ("rue de la Paix", "Via dei
/// Fori Imperiali", "Avenue of the Americas", "An der Alster").
static STREET_PARTICLES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "de la del des du do da dos das di dei della delle degli dello dal of the am an ",
        "der den dem von van y e le les aux au sur à en ter het ",
    ))
});

/// Words that introduce a flat, floor or unit ("Flat 3", "Apt. 4B", "Wohnung 2", "Interno 4").
static FLAT_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "flat apt apartment unit suite ste floor piso puerta pta esc escalera planta dpto ",
        "depto departamento wohnung whg apto apartamento andar interno int scala piano ",
        "bâtiment bât bat appartement appt app étage etage escalier bus ",
    ))
});

/// Words after a floor number: the side of the landing or the word for floor ("2º izq.",
/// "3º Dto.", "3e étage", "2. OG", "3rd floor").
static FLOOR_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    set(concat!(
        "izq izqda izda dcha dcho dch der dta dto esq dir drt ctro centro étage etage ",
        "piso planta andar piano og stock obergeschoss floor ",
    ))
});

/// Words a city may hold between capitalised words ("Frankfurt am Main", "Alcalá de Henares").
static CITY_PARTICLES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| set("am an im upon on sur de del la le les en di da do dos bei ob "));

/// Words a street name may hold, besides particles.
const MAX_STREET_WORDS: usize = 5;

/// Bytes before a street word searched for the start of its street (the house number of
/// "12 Church Lane", a flat before it).
const STREET_BACK: usize = 80;

/// Words before a street word (itself included) that may start its street: a flat and its
/// number, a house number and its parts, and the name words.
const START_WORDS: usize = MAX_STREET_WORDS + 6;

/// Bytes between an introducing phrase and the street it introduces ("ship to John Smith, …").
const INTRO_GAP: usize = 64;

/// Finds street addresses that people give.
pub fn find_addresses(text: &str, lex: &Lexicon, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    // Every address has a house number.
    if !b.iter().any(u8::is_ascii_digit) {
        return;
    }
    find_post_boxes(text, out);
    // Where the next street may start: past the last address, and past every start already
    // tried (a street read from a start is the same whichever street word led to it, so each
    // start is read once and the work stays linear however dense the street words are).
    let mut floor = 0;
    for found in lex.words(WordKind::StreetType).all(b) {
        if found.span.start < floor {
            continue;
        }
        // A compound's ending found inside its word: the street word is the whole word.
        let ts = token_start(text, found.span.start);
        if ts < floor || !digit_near(b, ts, found.span.end) {
            continue;
        }
        match address_around(text, lex, ts, found.span.end, floor) {
            Some(r) => {
                floor = r.end;
                out.push(r);
            }
            None => floor = ts + 1,
        }
    }
}

/// A post-office box in our languages: `PO Box 1802`, `P.O. Box 2981`, `Postfach 28202`,
/// `Postbus 4649`, `Apartado de Correos 194`, `Caixa Postal 12`, `Casella Postale 5`, and the French
/// `BP 334` when a postcode follows it (`BP 334 69001 Lyon`; "BP 120/80" is a blood pressure).
static POST_BOX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:p\.?\s?o\.?\s?box|post\s+office\s+box|postfach|postbus|postboks",
        r"|apartado(?:\s+de\s+correos)?|apdo\.|caixa\s+postal|casella\s+postale",
        r"|bo[iî]te\s+postale)\s*(?:n[º°o.]\s*)?\d{1,6}(?-u:\b)",
        r"|(?-u:\b)B\.?P\.?\s*\d{1,5}\s+\d{5}(?-u:\b)",
    ))
    .expect("post box regex is valid")
});

/// The literals one of which any post-office box holds, for the prefilter's address gate.
pub(crate) const POST_BOX_WORDS: &[&str] = &[
    "box",
    "postfach",
    "postbus",
    "postboks",
    "apartado",
    "apdo.",
    "caixa postal",
    "casella postale",
    "postale",
    "bp",
    "b.p",
];

/// Finds post-office boxes (see [`POST_BOX`]).
fn find_post_boxes(text: &str, out: &mut Vec<Range<usize>>) {
    // The regex only where one of its words stands: most streets come without a box.
    static WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(POST_BOX_WORDS)
            .expect("post box words are plain literals")
    });
    if !WORDS.is_match(text) {
        return;
    }
    for m in POST_BOX.find_iter(text) {
        out.push(m.range());
    }
}

/// The start of the word holding byte `i`: back over letters, apostrophes and hyphens
/// ("Karl-Marx-Straße"), at most [`MAX_WORD`] bytes.
fn token_start(t: &str, i: usize) -> usize {
    let Some(before) = t.get(..i) else {
        return i;
    };
    let mut start = i;
    for (k, c) in before.char_indices().rev() {
        if i - k > MAX_WORD || !(is_letter(c) || matches!(c, '\'' | '’' | '-')) {
            break;
        }
        start = k;
    }
    // Not from a hyphen or apostrophe.
    while let Some(c) = char_at(t, start) {
        if is_letter(c) || start >= i {
            break;
        }
        start += c.len_utf8();
    }
    start
}

/// Whether an ASCII digit stands near a street word: the house number must be somewhere.
fn digit_near(b: &[u8], start: usize, end: usize) -> bool {
    let from = start.saturating_sub(STREET_BACK);
    let to = b.len().min(end + STREET_BACK);
    b[from..to].iter().any(u8::is_ascii_digit)
}

/// The first character boundary at or after `i`.
fn boundary(t: &str, mut i: usize) -> usize {
    while i < t.len() && !t.is_char_boundary(i) {
        i += 1;
    }
    i.min(t.len())
}

/// The address holding the street word at `ts..te`, if the text around it has an address's
/// shape. It starts at or after `floor`.
fn address_around(
    t: &str,
    lex: &Lexicon,
    ts: usize,
    te: usize,
    floor: usize,
) -> Option<Range<usize>> {
    let b = t.as_bytes();
    let mut ws = boundary(t, ts.saturating_sub(STREET_BACK).max(floor));
    if let Some(nl) = b.get(ws..ts)?.iter().rposition(|&c| c == b'\n') {
        ws += nl + 1;
    }
    // A street starts at most a few words before its street word (a flat, a house number and
    // the name words): only the last [`START_WORDS`] word starts are tried.
    let mut starts = [usize::MAX; START_WORDS];
    let mut n = 0;
    for (k, c) in t.get(ws..)?.char_indices() {
        let p = ws + k;
        if p > ts {
            break;
        }
        if c.is_alphanumeric() && !letter_before(b, p) {
            starts[n % START_WORDS] = p;
            n += 1;
        }
    }
    let mut intros = None;
    for j in n.saturating_sub(START_WORDS)..n {
        let p = starts[j % START_WORDS];
        let Some(c) = char_at(t, p) else {
            continue;
        };
        // A glance before the full read: a house number or a floor where a digit starts; a word
        // only if a number comes after it (a street not starting with its house number ends with
        // it) or the word names a flat ("Flat 3, 12 High Street"). What is decided about a start
        // depends on the start alone, never on the street word that led here.
        let plausible = if c.is_ascii_digit() {
            // "£12 High Street", "v1.12 Main", "#12": the number is something else.
            let glued = p > 0
                && matches!(
                    b[p - 1],
                    b'.' | b',' | b'#' | b'$' | b'-' | b'/' | b'+' | b'_'
                );
            !glued && (house_number(t, p).is_some() || flat_at(t, p).is_some())
        } else {
            let number_after = b
                .get(p..b.len().min(p + 2 * STREET_BACK))
                .is_some_and(|r| r.iter().any(u8::is_ascii_digit));
            number_after || word_at(t, p).is_some_and(|(w, _)| is_in(&FLAT_WORDS, w))
        };
        if !plausible {
            continue;
        }
        let intros = intros.get_or_insert_with(|| intros_before(t, lex, ws, ts));
        let lenient = intros.iter().any(|intro| intro.introduces(t, p));
        let Some(street) = street_at(t, lex, p, lenient) else {
            continue;
        };
        if street.end < te {
            continue;
        }
        let flats = flats_after(t, street.end);
        let tail = tail_at(t, flats);
        // After a phrase the street is enough. Without one it needs a postcode; or a city, unless
        // a lower-case street word comes before a name in capitals ("shipped via DHL 2, London");
        // or, for "2 Main St." alone, the house number first and a capitalised street word last,
        // ending the clause ("I bought 2 Hard Drive bays" does not).
        let ok = lenient
            || tail.postcode
            || tail.city
                && (street.number_first || street.type_capitalised || !street.name_shouted)
            || street.number_first
                && street.type_last
                && street.type_capitalised
                && clause_end(t, flats);
        if ok {
            return Some(p..tail.end.max(flats));
        }
    }
    None
}

/// Where an address phrase says an address follows.
struct AddressIntro {
    /// Where its value starts: past the phrase, or past a field name's `:`.
    value: usize,
    /// The line breaks allowed between it and the street (one after a field name:
    /// "Address:\n12 High Street").
    newlines: usize,
    /// The street must start right at the value: a field name inside a sentence ("caller said
    /// Address: 12 High Street", "el cliente dijo dirección: Calle Mayor 5").
    exact: bool,
}

impl AddressIntro {
    /// Whether it introduces a street starting at `p`.
    fn introduces(&self, t: &str, p: usize) -> bool {
        if self.exact {
            return p == self.value;
        }
        self.value <= p
            && p - self.value <= INTRO_GAP
            && t.get(self.value..p)
                .is_some_and(|gap| gap.matches('\n').count() <= self.newlines)
    }
}

/// The address phrases before `ts` (from `ws` back [`INTRO_GAP`] bytes).
fn intros_before(t: &str, lex: &Lexicon, ws: usize, ts: usize) -> Vec<AddressIntro> {
    let b = t.as_bytes();
    let from = boundary(t, ws.saturating_sub(INTRO_GAP));
    let mut out = Vec::new();
    let phrases = lex.words(WordKind::StreetAddress);
    for found in phrases.all(b.get(from..ts).unwrap_or_default()) {
        let (s, e) = (from + found.span.start, from + found.span.end);
        // The window may have cut a word: check the boundaries in the whole text.
        if letter_before(b, s) || letter_at(b, e) {
            continue;
        }
        match lex.address_intros.get(found.word) {
            Some(Intro::Label) => {
                // Inside a sentence the field name still says what follows its `:`, but not
                // glued to an identifier ("user.address:", "ip_address=").
                let glued = t
                    .get(..s)
                    .is_some_and(|r| r.ends_with(['_', '.', '-', '@', '/', '$']));
                if !glued && let Some(v) = label_value(t, e) {
                    out.push(AddressIntro {
                        value: v,
                        newlines: 1,
                        exact: !field_start(t, s),
                    });
                }
            }
            Some(_) => out.push(AddressIntro {
                value: e,
                newlines: 0,
                exact: false,
            }),
            None => {}
        }
    }
    out
}

/// A street read from its first word.
struct Street {
    /// The end of the street (its house number, name or street word).
    end: usize,
    /// The house number comes first ("12 High Street", "15 rue de la Paix").
    number_first: bool,
    /// The street word ends the street ("12 High Street").
    type_last: bool,
    /// The street word is capitalised ("Calle", not "calle"; one-word names always).
    type_capitalised: bool,
    /// A word of the name is in capitals ("via DHL 2"): a courier or a brand more often than a
    /// street, when the street word is in lower case.
    name_shouted: bool,
}

/// A street word at a position.
struct StreetWord {
    /// Its end.
    end: usize,
    /// Where it stands.
    place: Place,
    /// A one-word street name ("Hauptstraße").
    compound: bool,
    /// Written with a capital.
    capitalised: bool,
}

/// The street word at `i`, if one starts there. In `lenient` text (after a phrase) one-word street
/// names may be written in lower case.
fn street_type_at(t: &str, lex: &Lexicon, i: usize, lenient: bool) -> Option<StreetWord> {
    let (w, we) = word_at(t, i)?;
    let types = &*lex.street_types;
    let capitalised = capitalised(w);
    let word = |end, place: Place, compound| StreetWord {
        end,
        place,
        compound,
        capitalised,
    };
    with_lower(w, |lower| {
        if types.two_word_heads.contains(lower) {
            let j = blanks(t, we);
            if j > we
                && let Some((w2, e2)) = word_at(t, j)
                && let Some(place) = types.words.get(&format!("{lower} {}", w2.to_lowercase()))
            {
                return Some(word(e2, *place, false));
            }
        }
        if t.get(we..).is_some_and(|r| r.starts_with('/'))
            && let Some(place) = types.words.get(&format!("{lower}/"))
        {
            return Some(word(we + 1, *place, false));
        }
        if let Some(place) = types.words.get(lower) {
            return Some(word(we, *place, false));
        }
        let last = lower.as_bytes().last().copied().unwrap_or(0);
        if !(capitalised || lenient) || !types.suffix_last[usize::from(last)] {
            return None;
        }
        let compound = types.suffixes.iter().any(|s| {
            lower.strip_suffix(s.as_str()).is_some_and(|prefix| {
                // "Bring", "String", "Offering": English words, not a "-ring" street.
                prefix.chars().filter(|c| c.is_alphabetic()).count() >= 3
                    && !(s == "ring" && prefix.ends_with(['a', 'e', 'i', 'o', 'u']))
            })
        });
        compound.then(|| word(we, Place::default(), true))
    })
}

/// A word of a street name at `i` and whether it counts as a name word (particles do not):
/// capitalised words, ordinals ("5th Avenue"), particles, and in `lenient` text any word. Not a
/// word of [`STOP`] ("Am Sonntag 5"), but "The" ("12 The Avenue").
fn street_word(t: &str, i: usize, lenient: bool) -> Option<(usize, bool)> {
    if let Some(e) = ordinal_at(t, i) {
        return Some((e, true));
    }
    let (w, we) = word_at(t, i)?;
    if t.as_bytes().get(we).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if is_in(&STREET_PARTICLES, w) {
        return Some((we, false));
    }
    if lenient {
        return Some((we, true));
    }
    let stop = is_in(&STOP, w) && !w.eq_ignore_ascii_case("the");
    (capitalised(w) && !stop).then_some((we, true))
}

/// An English ordinal at `i` ("5th", "42nd").
fn ordinal_at(t: &str, i: usize) -> Option<usize> {
    let b = t.as_bytes();
    let n = digits_at(b, i);
    if n == 0 || n > 3 {
        return None;
    }
    let e = i + n + 2;
    let suffix = b.get(i + n..e)?.to_ascii_lowercase();
    (matches!(suffix.as_slice(), b"st" | b"nd" | b"rd" | b"th") && !letter_at(b, e)).then_some(e)
}

/// The number of ASCII digits from `i`.
fn digits_at(b: &[u8], i: usize) -> usize {
    b.get(i..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
}

/// The start of the next word of a street after a word ending at `end`: past an abbreviation's
/// dot and blanks (none needed after `C/`), on the same line.
fn next_word(t: &str, end: usize) -> Option<usize> {
    let mut j = end;
    if t.get(j..)?.starts_with('.') {
        j += 1;
    }
    let k = blanks(t, j);
    let slash = end > 0 && t.as_bytes().get(end - 1) == Some(&b'/');
    (k > end || slash).then_some(k)
}

/// The end of the house number at `i` ("12", "221B", "12-14", "5º").
fn house_number(t: &str, i: usize) -> Option<usize> {
    let b = t.as_bytes();
    if !b.get(i).is_some_and(|c| (b'1'..=b'9').contains(c)) {
        return None;
    }
    let n = digits_at(b, i);
    if n > 5 {
        return None;
    }
    let mut e = i + n;
    let range = digits_at(b, e + 1);
    if matches!(b.get(e), Some(b'-' | b'/')) && (1..=4).contains(&range) {
        e += 1 + range;
    } else if b.get(e).is_some_and(u8::is_ascii_alphabetic) && !letter_at(b, e + 1) {
        e += 1;
    } else if let Some(c @ ('º' | 'ª' | '°')) = char_at(t, e) {
        e += c.len_utf8();
    }
    // Not an amount, a time, a percentage or the start of a word.
    let next = b.get(e).copied();
    if letter_at(b, e)
        || next == Some(b'%')
        || matches!(next, Some(b'.' | b',' | b':')) && b.get(e + 1).is_some_and(u8::is_ascii_digit)
    {
        return None;
    }
    Some(e)
}

/// The house number after a street name ending at `end` ("Mayor 5", "Augusta, 100",
/// "Hauptstraße Nr. 12", "Calle Mayor nº 5").
fn number_after(t: &str, end: usize) -> Option<usize> {
    let mut j = end;
    if t.get(j..)?.starts_with('.') {
        j += 1;
    }
    j = blanks(t, j);
    if t.get(j..)?.starts_with(',') {
        j = blanks(t, j + 1);
    }
    if j == end {
        return None;
    }
    house_number(t, number_marker(t, j))
}

/// Past a word for "number" before a house number ("nº", "n.º", "Nr.", "no.", "n.").
fn number_marker(t: &str, i: usize) -> usize {
    let Some(rest) = t.get(i..) else {
        return i;
    };
    for m in [
        "número", "numero", "n.º", "n.°", "núm.", "num.", "nº", "n°", "nr.", "no.", "n.", "nr",
    ] {
        let Some(head) = rest.get(..m.len()) else {
            continue;
        };
        if head.eq_ignore_ascii_case(m) {
            let j = blanks(t, i + m.len());
            if t.as_bytes().get(j).is_some_and(u8::is_ascii_digit) {
                return j;
            }
        }
    }
    i
}

/// Past the blanks and one optional comma after `end`.
fn comma_gap(t: &str, end: usize) -> usize {
    let j = blanks(t, end);
    if t.as_bytes().get(j) == Some(&b',') {
        blanks(t, j + 1)
    } else {
        j
    }
}

/// The street starting at `s`, in any of the orders streets are written.
fn street_at(t: &str, lex: &Lexicon, s: usize, lenient: bool) -> Option<Street> {
    let mut i = s;
    // "Flat 3, 12 High Street"
    if let Some(e) = flat_at(t, i) {
        i = comma_gap(t, e);
        if i == e {
            return None;
        }
    }
    match house_number(t, i) {
        Some(n) => number_first(t, lex, n, lenient),
        None => number_last(t, lex, i, lenient),
    }
}

/// A street whose house number ends at `n`: "12 High Street", "15 rue de la Paix",
/// "15, avenue des Champs-Élysées", "1600 Pennsylvania Avenue NW".
fn number_first(t: &str, lex: &Lexicon, n: usize, lenient: bool) -> Option<Street> {
    let mut j = comma_gap(t, n);
    if j == n {
        return None;
    }
    // "15 bis rue …"
    if let Some((w, e)) = word_at(t, j)
        && matches!(w, "bis" | "ter")
    {
        j = blanks(t, e);
    }
    if let Some(ty) = street_type_at(t, lex, j, lenient)
        && ty.place.before
        && let Some(mut k) = next_word(t, ty.end)
    {
        // The name runs to its last capitalised word: nothing closes it, so no lower-case words.
        let mut end = None;
        for _ in 0..MAX_STREET_WORDS + 3 {
            let Some((e, name)) = street_word(t, k, false) else {
                break;
            };
            if name && t.get(k..e).is_some_and(|w| is_in(&STOP, w)) {
                break;
            }
            if name {
                end = Some(e);
            }
            match next_word(t, e) {
                Some(next) => k = next,
                None => break,
            }
        }
        if let Some(end) = end {
            return Some(Street {
                end,
                number_first: true,
                type_last: false,
                type_capitalised: ty.capitalised,
                name_shouted: false,
            });
        }
    }
    let mut k = j;
    let mut names = 0;
    for _ in 0..=MAX_STREET_WORDS {
        if names > 0
            && let Some(ty) = street_type_at(t, lex, k, lenient)
            && ty.place.after
        {
            return Some(Street {
                end: direction_after(t, ty.end),
                number_first: true,
                type_last: true,
                type_capitalised: ty.capitalised,
                name_shouted: false,
            });
        }
        let (e, name) = street_word(t, k, lenient)?;
        names += usize::from(name);
        k = next_word(t, e)?;
    }
    None
}

/// A street whose house number comes last: "Calle Mayor 5", "Via Roma 10", "Hauptstraße 12",
/// "Berliner Straße 5", "Am Markt 3".
fn number_last(t: &str, lex: &Lexicon, s: usize, lenient: bool) -> Option<Street> {
    let street = |end, ty: &StreetWord, name_shouted| Street {
        end,
        number_first: false,
        type_last: false,
        type_capitalised: ty.capitalised,
        name_shouted,
    };
    if let Some(ty) = street_type_at(t, lex, s, lenient) {
        if ty.compound {
            return number_after(t, ty.end).map(|end| street(end, &ty, false));
        }
        if ty.place.before {
            let mut k = next_word(t, ty.end)?;
            let mut names = 0;
            let mut shouted = false;
            for _ in 0..MAX_STREET_WORDS + 3 {
                let (e, name) = street_word(t, k, lenient)?;
                names += usize::from(name);
                shouted |= t.get(k..e).is_some_and(all_caps);
                if names > 0
                    && let Some(end) = number_after(t, e)
                {
                    return Some(street(end, &ty, shouted));
                }
                k = next_word(t, e)?;
            }
            return None;
        }
    }
    let mut k = s;
    let mut names = 0;
    let mut shouted = false;
    for _ in 0..=MAX_STREET_WORDS {
        if names > 0
            && let Some(ty) = street_type_at(t, lex, k, lenient)
            && (ty.place.after || ty.compound)
        {
            return number_after(t, ty.end).map(|end| street(end, &ty, shouted));
        }
        let (e, name) = street_word(t, k, lenient)?;
        names += usize::from(name);
        shouted |= t.get(k..e).is_some_and(all_caps);
        k = next_word(t, e)?;
    }
    None
}

/// Past a compass suffix after a street word ("Pennsylvania Avenue NW").
fn direction_after(t: &str, end: usize) -> usize {
    let j = blanks(t, end);
    match word_at(t, j) {
        Some((w, e))
            if j > end && matches!(w, "N" | "S" | "E" | "W" | "NE" | "NW" | "SE" | "SW") =>
        {
            e
        }
        _ => end,
    }
}

/// The end of a flat, floor or unit at `i`: "Flat 3", "Apt. 4B", "Wohnung 2", "2º izq.",
/// "3º B", "3e étage", "1er étage", "2. OG", "3rd floor".
fn flat_at(t: &str, i: usize) -> Option<usize> {
    let b = t.as_bytes();
    if let Some((w, we)) = word_at(t, i) {
        if !is_in(&FLAT_WORDS, w) {
            return None;
        }
        let mut j = we;
        if b.get(j) == Some(&b'.') {
            j += 1;
        }
        j = blanks(t, j);
        if b.get(j) == Some(&b'#') {
            j = blanks(t, j + 1);
        }
        let n = b
            .get(j..)?
            .iter()
            .take(6)
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        let unit = b.get(j..j + n)?;
        let ok = (1..=5).contains(&n)
            && (unit.iter().any(u8::is_ascii_digit) || n == 1 && unit[0].is_ascii_uppercase())
            && !letter_at(b, j + n);
        return ok.then_some(j + n);
    }
    let d = digits_at(b, i);
    if d == 0 || d > 2 {
        return None;
    }
    let mut j = i + d;
    let rest = t.get(j..)?;
    // The mark after the floor number, and whether it is a floor on its own ("2º").
    let (mark, alone) = if let Some(c @ ('º' | 'ª' | '°')) = rest.chars().next() {
        (c.len_utf8(), true)
    } else if let Some(m) = ["ème", "eme", "ère", "er", "e", "st", "nd", "rd", "th", "."]
        .iter()
        .find(|m| rest.starts_with(**m) && !letter_at(b, j + m.len()))
    {
        (m.len(), false)
    } else {
        return None;
    };
    j += mark;
    let k = blanks(t, j);
    if let Some((w, we)) = word_at(t, k)
        && is_in(&FLOOR_WORDS, w)
    {
        return Some(we + usize::from(b.get(we) == Some(&b'.')));
    }
    // A door letter: "3º B", "1ºA".
    if alone && b.get(k).is_some_and(u8::is_ascii_uppercase) && !letter_at(b, k + 1) {
        return Some(k + 1);
    }
    alone.then_some(j)
}

/// Past up to two flats or floors after a street ("…, Flat 3", "5, 2º izq.").
fn flats_after(t: &str, end: usize) -> usize {
    let mut end = end;
    for _ in 0..2 {
        let j = comma_gap(t, end);
        match flat_at(t, j) {
            Some(e) if j > end => end = e,
            _ => break,
        }
    }
    end
}

/// What follows a street: a postcode and a city, in either order.
struct Tail {
    /// The end of the last part read (the street's end when there is none).
    end: usize,
    /// A postcode was read.
    postcode: bool,
    /// A city was read.
    city: bool,
}

/// The postcode and city after a street ending at `end`: ", London SW1A 1AA", ", 28013 Madrid",
/// " 10115 Berlin", "\nLondon\nSW1A 1AA", ", Springfield, IL 62704". A city needs a comma or line
/// break before it, or a postcode after it.
fn tail_at(t: &str, end: usize) -> Tail {
    let none = Tail {
        end,
        postcode: false,
        city: false,
    };
    let (j, sep) = tail_sep(t, end);
    if let Some((pe, needs_city)) = postcode(t, j) {
        let k = blanks(t, pe);
        let city = if k > pe { city_at(t, k) } else { None };
        return match city {
            Some(ce) => Tail {
                end: ce,
                postcode: true,
                city: true,
            },
            None if !needs_city => Tail {
                end: pe,
                postcode: true,
                city: false,
            },
            None => none,
        };
    }
    let Some(ce) = city_at(t, j) else {
        return none;
    };
    let (k, _) = tail_sep(t, ce);
    if let Some((pe, false)) = postcode(t, k) {
        return Tail {
            end: pe,
            postcode: true,
            city: true,
        };
    }
    if let Some(pe) = state_zip(t, k) {
        return Tail {
            end: pe,
            postcode: true,
            city: true,
        };
    }
    if sep {
        Tail {
            end: ce,
            postcode: false,
            city: true,
        }
    } else {
        none
    }
}

/// Past blanks and one comma or line break after `end`, and whether there was one.
fn tail_sep(t: &str, end: usize) -> (usize, bool) {
    let b = t.as_bytes();
    let mut j = blanks(t, end);
    let sep = match b.get(j) {
        Some(b',') => {
            j += 1;
            true
        }
        Some(b'\r') if b.get(j + 1) == Some(&b'\n') => {
            j += 2;
            true
        }
        Some(b'\n') => {
            j += 1;
            true
        }
        _ => false,
    };
    (blanks(t, j), sep)
}

/// The end of a postcode at `i`, and whether it counts only beside a city (four digits alone are
/// too often something else): UK `SW1A 1AA`, five digits (DE ES FR IT, US with `-1234`), PT
/// `1100-053`, NL `1012 AB`, four digits (AT BE CH DK).
fn postcode(t: &str, i: usize) -> Option<(usize, bool)> {
    let b = t.as_bytes();
    if letter_before(b, i) {
        return None;
    }
    let free = |e: usize| !letter_at(b, e);
    match digits_at(b, i) {
        5 => {
            let e = i + 5;
            if b.get(e) == Some(&b'-') && digits_at(b, e + 1) == 4 && free(e + 5) {
                return Some((e + 5, false));
            }
            let glued = matches!(b.get(e), Some(b'.' | b',' | b'-' | b'/' | b':'))
                && b.get(e + 1).is_some_and(u8::is_ascii_digit);
            (free(e) && !glued).then_some((e, false))
        }
        4 => {
            let e = i + 4;
            if b.get(e) == Some(&b'-') && digits_at(b, e + 1) == 3 && free(e + 4) {
                return Some((e + 4, false));
            }
            let k = if b.get(e) == Some(&b' ') { e + 1 } else { e };
            if b.get(k..k + 2)
                .is_some_and(|l| l.iter().all(u8::is_ascii_uppercase))
                && free(k + 2)
            {
                return Some((k + 2, false));
            }
            let glued = matches!(b.get(e), Some(b'.' | b',' | b'-' | b'/' | b':'))
                && b.get(e + 1).is_some_and(u8::is_ascii_digit);
            (free(e) && !glued).then_some((e, true))
        }
        0 => uk_postcode(b, i).map(|e| (e, false)),
        _ => None,
    }
}

/// The end of a UK postcode at `i` ("SW1A 1AA", "M1 1AE", "DN55 1PT"), in capitals.
fn uk_postcode(b: &[u8], i: usize) -> Option<usize> {
    let up = |k: usize| b.get(k).is_some_and(u8::is_ascii_uppercase);
    let digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    let mut k = i;
    if !up(k) {
        return None;
    }
    k += 1;
    if up(k) {
        k += 1;
    }
    if !digit(k) {
        return None;
    }
    k += 1;
    if (up(k) || digit(k)) && !(digit(k) && up(k + 1) && up(k + 2)) {
        k += 1;
    }
    if b.get(k) == Some(&b' ') {
        k += 1;
    }
    (digit(k) && up(k + 1) && up(k + 2) && !letter_at(b, k + 3)).then_some(k + 3)
}

/// The end of a US state and ZIP code at `i` ("IL 62704", "DC 20500-0003").
fn state_zip(t: &str, i: usize) -> Option<usize> {
    let b = t.as_bytes();
    let state = b.get(i..i + 2)?;
    if !state.iter().all(u8::is_ascii_uppercase) || b.get(i + 2) != Some(&b' ') {
        return None;
    }
    // Five digits, or ZIP+4: not the PT or NL shapes `postcode` also reads.
    match postcode(t, i + 3) {
        Some((e, false)) if digits_at(b, i + 3) == 5 => Some(e),
        _ => None,
    }
}

/// The end of a city name at `i`: up to three capitalised words, with particles between them
/// ("Frankfurt am Main"), not a word of [`STOP`] ("…, Thanks").
fn city_at(t: &str, i: usize) -> Option<usize> {
    let (w, mut end) = word_at(t, i)?;
    if !capitalised(w) || is_in(&STOP, w) {
        return None;
    }
    let mut k = end;
    let mut words = 1;
    while words < 3 {
        let j = blanks(t, k);
        if j == k {
            break;
        }
        let Some((w, e)) = word_at(t, j) else {
            break;
        };
        // "London SW1A 1AA": the postcode is not part of the city.
        if t.as_bytes().get(e).is_some_and(u8::is_ascii_digit) {
            break;
        }
        if capitalised(w) && !is_in(&STOP, w) && !is_in(&FLAT_WORDS, w) {
            end = e;
            words += 1;
        } else if !is_in(&CITY_PARTICLES, w) {
            break;
        }
        k = e;
    }
    if t.as_bytes().get(end).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(end)
}

/// Whether a clause ends after `end`: the end of the text or line, or punctuation.
fn clause_end(t: &str, end: usize) -> bool {
    let j = blanks(t, end);
    matches!(
        t.as_bytes().get(j),
        None | Some(b'\n' | b'\r' | b'.' | b',' | b';' | b'!' | b'?' | b')')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn names(text: &str) -> Vec<&str> {
        super::super::found_with(find_names, text)
    }

    fn addresses(text: &str) -> Vec<&str> {
        super::super::found_with(find_addresses, text)
    }

    #[test]
    fn names_per_language() {
        for (text, name) in [
            // English
            ("my name is John Smith", "John Smith"),
            ("My name's Sarah O'Neill.", "Sarah O'Neill"),
            ("Hi, I'm Sarah, I ordered a kettle", "Sarah"),
            (
                "I am Hans-Peter Müller and I need help",
                "Hans-Peter Müller",
            ),
            ("Hello this is Tom Baker speaking", "Tom Baker"),
            ("this is Priya speaking", "Priya"),
            ("it's Maria here, again", "Maria"),
            ("I’m Łukasz Nowak", "Łukasz Nowak"),
            ("I'm Mr Smith", "Smith"),
            ("my name is John F. Kennedy", "John F. Kennedy"),
            ("my name is JOHN SMITH", "JOHN SMITH"),
            ("my name is: Ada Lovelace", "Ada Lovelace"),
            ("the customer's name is Ravi Shankar", "Ravi Shankar"),
            ("Hi I'm Sarah I need help", "Sarah"),
            // Spanish
            ("me llamo María de la Cruz", "María de la Cruz"),
            ("Hola, soy Ana García.", "Ana García"),
            ("mi nombre es Juan García y López", "Juan García y López"),
            ("le habla Sra. Fernández", "Fernández"),
            // German
            ("ich heiße Jürgen Groß", "Jürgen Groß"),
            ("Ich heisse Øyvind", "Øyvind"),
            ("mein Name ist Hans von Berg", "Hans von Berg"),
            ("Guten Tag, hier spricht Frau Müller", "Müller"),
            // French
            ("je m'appelle Élodie", "Élodie"),
            ("je m’appelle Jean-Luc Picard", "Jean-Luc Picard"),
            ("mon nom est D’Angelo", "D’Angelo"),
            ("allô, ici Marie Curie", "Marie Curie"),
            ("mon prénom est Anaïs", "Anaïs"),
            // Portuguese
            ("o meu nome é João Silva", "João Silva"),
            ("chamo-me Inês", "Inês"),
            ("me chamo Ana dos Santos", "Ana dos Santos"),
            ("olá, sou o Pedro", "Pedro"),
            // Italian
            ("mi chiamo Giuseppe Verdi", "Giuseppe Verdi"),
            ("il mio nome è Chiara", "Chiara"),
            ("buongiorno, sono Marco Rossi", "Marco Rossi"),
            ("sono Chiara e ho un problema", "Chiara"),
            // Dutch
            ("mijn naam is Jan van der Berg", "Jan van der Berg"),
            ("ik heet Sanne", "Sanne"),
            ("my name is Yo-Yo Ma", "Yo-Yo Ma"),
            // A weak phrase in capitals, with a name and "speaking" after it.
            (
                "THIS IS Sanne O'Neill speaking please check",
                "Sanne O'Neill",
            ),
            // The close of a letter in the middle of a line, and a word of thanks after it.
            (
                "Como ya dije, Saludos cordiales, Carmen Ortega Ruiz ¡Gracias!",
                "Carmen Ortega Ruiz",
            ),
            ("Good morning, Thanks, James Fitzgerald", "James Fitzgerald"),
            ("Best regards, Emily Patel Thanks.", "Emily Patel"),
            (
                "Mit freundlichen Grüßen, Jörg Krüger danke euch",
                "Jörg Krüger",
            ),
            (
                "[chat] Comme je disais, Bonne journée, Solène Chevalier",
                "Solène Chevalier",
            ),
            ("Note. Grazie, giuseppe marino", "giuseppe marino"),
            // A name in lower case after a title.
            ("Ms. james ashworth called again", "james ashworth"),
            ("Frau maria schneider hat angerufen", "maria schneider"),
            ("Entschuldigung, Herr becker hat erneut angerufen", "becker"),
            ("Sra. garcía llamó", "garcía"),
            // A name given first.
            (
                "[11:43:53] Torsten Maßmann hier, wegen meiner Rücksendung",
                "Torsten Maßmann",
            ),
            (
                "Quick question: Michael Patel here, still waiting",
                "Michael Patel",
            ),
            (
                "gonçalo ferreira aqui, sobre a devolucao",
                "gonçalo ferreira",
            ),
            (
                "bonjour, c'est Mathieu Pélissier à l'appareil merci.",
                "Mathieu Pélissier",
            ),
            (
                "Bonjour, Françoise Pélissier, cliente fidèle",
                "Françoise Pélissier",
            ),
            (
                "a la atención de sra. Begoña Sánchez, gracias",
                "Begoña Sánchez",
            ),
            ("cliente: Sig. niccolò marino", "niccolò marino"),
            // A weak phrase used as a field name.
            (
                "good morning, account holder: Hannah Carter this is urgent",
                "Hannah Carter",
            ),
            ("Titulaire : Yannick Girard !!", "Yannick Girard"),
            (
                "Karteninhaber: Ursula von Hohenberg",
                "Ursula von Hohenberg",
            ),
        ] {
            assert_eq!(names(text), vec![name], "{text}");
        }
    }

    #[test]
    fn names_in_fields_and_labels() {
        for (text, name) in [
            ("Name: John Smith", "John Smith"),
            ("Customer name: Élodie Durand", "Élodie Durand"),
            (
                "Notes: customerName: John Smith, called twice",
                "John Smith",
            ),
            (
                r#"{"customerName":"John Smith","tier":"gold"}"#,
                "John Smith",
            ),
            (
                r#"payload {\"name\": \"Øyvind Sørensen\"}"#,
                "Øyvind Sørensen",
            ),
            ("Nombre: José Pérez", "José Pérez"),
            ("Name: Klaus Schmidt\nTelefon: 030 1234567", "Klaus Schmidt"),
            ("Nom : Dupont", "Dupont"),
            ("Nome: Luís Figo", "Luís Figo"),
            ("Cognome: Bianchi", "Bianchi"),
            ("naam=Pieter de Vries", "Pieter de Vries"),
            ("Surname: Smith, first name: John", "Smith"),
        ] {
            assert_eq!(names(text).first(), Some(&name), "{text}");
        }
        assert_eq!(
            names("Surname: Smith, first name: John"),
            vec!["Smith", "John"]
        );
    }

    #[test]
    fn not_names() {
        for text in [
            "my name is on the account",
            "my name is spelled wrong on the invoice",
            "I'm calling about order 123",
            "I am Calling about my order",
            "I'm Happy with the service",
            "I'm VERY angry",
            "I'm Spanish.",
            "I'm Done.",
            "this is Urgent",
            "this is Urgent!",
            "this is Outrageous.",
            "this is Street Fighter 6",
            "I'm Galaxy S24 owner",
            "This Is Us",
            "I Am Legend",
            "I'm not sure",
            "it's Monday here",
            "it's Black Friday",
            "it's Broken",
            "soy Cliente desde 2010",
            "soy de Madrid",
            "sono Arrabbiato",
            "sono le 10",
            "ich heiße Sie herzlich willkommen",
            "je m'appelle pas comme ça",
            "Name: Not provided",
            "Name: N/A",
            "Name: Customer",
            "Product Name: Street Fighter",
            "file_name: Report.pdf",
            "email address: a@example.com",
            "the name on the card",
            "my name is 12/05/2024",
            "this is May 5th",
            "I'm the account holder",
            "this is The Order 66",
            "I am Order 123",
            "I'm Sarah’s mum",
            // Speaker labels of a transcript, not name fields.
            "Customer: London",
            "Customer: Street Fighter 6 preorder",
            "Customer: Callback scheduled for 2026-11-25 10:42:17",
            "Caller: Hello there",
            "THIS IS Absolutely Ridiculous",
            "THIS IS Street Fighter 6 speaking",
            "I AM Legend",
            // A close mid-line needs its comma, two words and an end.
            "I wanted to say thanks, John Smith will call you",
            "ok, thanks, Customer Service",
            "Hi, thanks John",
            "ok, gracias, Banco Santander",
            "Dr. appointment tomorrow",
            "Mr. and then nothing",
            "Frau ist nett",
            "Herr der Ringe",
            "el bote de Don Limpio llegó abierto",
            "meine frau hat angerufen",
            "la señora que llamó",
            "la Dona ligou ontem",
            "Super, danke, Media Markt",
            "account holder: Joint Account",
            "Titulaire : Compte Joint",
            "mi edición de Don Quijote",
            "Sr. gerente dice que no",
            "Sra. directora dijo que sí",
            "please wait here, thanks",
            "I'm still here",
            "the Berlin Office here",
            "New York here, the weather",
            "ich bin schon hier,",
            "Customer Service here, how can we help",
            "yo estoy aqui, esperando",
            "Black Friday here, prices",
            "Herr ober ist unfreundlich",
            "Size M. Colour blue.",
            "T-shirt taille M. Couleur noire.",
            "Claro, gracias, Mercado Libre",
            "Hemos tramitado su solicitud. Saludos, Equipo Iberia Gracias.",
            "Nous avons traité votre demande. Cordialement, L'équipe Fnac",
            "Abbiamo elaborato la sua richiesta. Cordiali saluti, Servizio Clienti",
            // Brands and characters named with a title.
            "die Dr. Oetker Backmischung war abgelaufen",
            "the Mr Muscle spray leaked in the box",
            "mi Monsieur Cuisine hace un ruido raro",
            "das Hörbuch Frau Holle bricht ab",
            "mon abonnement Madame Figaro n'arrive plus",
            "il cofanetto di Mr. Bean è rovinato",
            "the Mrs. Doubtfire Blu-ray won't play",
            "Der Herr der Ringe Box ist beschädigt",
        ] {
            assert!(names(text).is_empty(), "{text} -> {:?}", names(text));
        }
    }

    #[test]
    fn addresses_per_language() {
        for (text, address) in [
            // English
            (
                "12 High Street, London SW1A 1AA",
                "12 High Street, London SW1A 1AA",
            ),
            ("I live at 221B Baker Street", "221B Baker Street"),
            ("send to 2 Main St.", "2 Main St"),
            (
                "Flat 3, 12 High Street, London",
                "Flat 3, 12 High Street, London",
            ),
            (
                "12 High Street, Flat 3, Leeds LS1 1AA please",
                "12 High Street, Flat 3, Leeds LS1 1AA",
            ),
            (
                "1600 Pennsylvania Avenue NW, Washington, DC 20500",
                "1600 Pennsylvania Avenue NW, Washington, DC 20500",
            ),
            (
                "350 5th Avenue, New York, NY 10118",
                "350 5th Avenue, New York, NY 10118",
            ),
            ("my address is 7 church lane", "7 church lane"),
            (
                "12 High Street\nLondon\nSW1A 1AA",
                "12 High Street\nLondon\nSW1A 1AA",
            ),
            // Spanish
            ("Calle Mayor 5, 28013 Madrid", "Calle Mayor 5, 28013 Madrid"),
            ("vivo en la calle mayor 5", "calle mayor 5"),
            (
                "C/ Mayor, 5, 2º izq., 28013 Madrid",
                "C/ Mayor, 5, 2º izq., 28013 Madrid",
            ),
            (
                "Avda. de la Constitución 3, 41001 Sevilla",
                "Avda. de la Constitución 3, 41001 Sevilla",
            ),
            ("mi dirección es Paseo de Gracia 43", "Paseo de Gracia 43"),
            // German
            (
                "Hauptstraße 12, 10115 Berlin",
                "Hauptstraße 12, 10115 Berlin",
            ),
            ("ich wohne im Lindenweg 5", "Lindenweg 5"),
            (
                "Berliner Str. 5, 10115 Berlin",
                "Berliner Str. 5, 10115 Berlin",
            ),
            (
                "Adresse: Am Markt 3, 04109 Leipzig",
                "Am Markt 3, 04109 Leipzig",
            ),
            (
                "Karl-Marx-Allee 10, 10243 Berlin",
                "Karl-Marx-Allee 10, 10243 Berlin",
            ),
            (
                "Goetheplatz 3, 80336 München",
                "Goetheplatz 3, 80336 München",
            ),
            // French
            (
                "15 rue de la Paix, 75002 Paris",
                "15 rue de la Paix, 75002 Paris",
            ),
            ("j'habite au 3 bd Haussmann", "3 bd Haussmann"),
            (
                "mon adresse est 12, avenue des Champs-Élysées, 75008 Paris",
                "12, avenue des Champs-Élysées, 75008 Paris",
            ),
            (
                "15 rue de la Paix, 3e étage, 75002 Paris",
                "15 rue de la Paix, 3e étage, 75002 Paris",
            ),
            // Portuguese
            (
                "Rua Augusta 100, 1100-053 Lisboa",
                "Rua Augusta 100, 1100-053 Lisboa",
            ),
            (
                "moro na Rua Augusta, 100, 2º Esq.",
                "Rua Augusta, 100, 2º Esq.",
            ),
            ("morada: Av. da Liberdade 110", "Av. da Liberdade 110"),
            // Italian
            ("Via Roma 10, 00184 Roma", "Via Roma 10, 00184 Roma"),
            ("abito in via roma 10", "via roma 10"),
            (
                "indirizzo: Piazza Navona 45, Roma",
                "Piazza Navona 45, Roma",
            ),
            // Dutch
            (
                "Kalverstraat 12, 1012 AB Amsterdam",
                "Kalverstraat 12, 1012 AB Amsterdam",
            ),
            ("ik woon aan de Prinsengracht 263", "Prinsengracht 263"),
            // Lower-case street words are common in Spanish and Italian.
            ("c/ Mayor 5, Madrid", "c/ Mayor 5, Madrid"),
            ("via Roma 10, Roma", "via Roma 10, Roma"),
            (
                "Unit 4, 22 Station Road, Reading RG1 1AA",
                "Unit 4, 22 Station Road, Reading RG1 1AA",
            ),
            (
                "Kurfürstendamm 12, 10719 Berlin",
                "Kurfürstendamm 12, 10719 Berlin",
            ),
            // After a delivery phrase, in any casing.
            ("alors livrez au 12 avenue Foch", "12 avenue Foch"),
            ("hola, ENVÍELO A Calle de Alcalá 12", "Calle de Alcalá 12"),
            (
                "Cliente: envíelo a Calle Mayor 5, por favor",
                "Calle Mayor 5",
            ),
            (
                "Nota operatore - spedite a via Garibaldi 12",
                "via Garibaldi 12",
            ),
            (
                "Lieferung an Goethestraße 12 wie besprochen",
                "Goethestraße 12",
            ),
            // Delivery phrases without a colon.
            ("neue Adresse Hauptstraße 34b in Berlin", "Hauptstraße 34b"),
            ("consegna in Via Roma 33 a Roma", "Via Roma 33"),
            (
                "dirección de entrega Calle de Alcalá 249 (Valencia)",
                "Calle de Alcalá 249",
            ),
            (
                "entrega em Avenida da Liberdade, 230 (Porto)",
                "Avenida da Liberdade, 230",
            ),
            (
                "então Entreguem na Rua de Santa Catarina 121.",
                "Rua de Santa Catarina 121",
            ),
            ("please deliver to rue de la paix 3", "rue de la paix 3"),
            // A field name inside a sentence, the street right after it.
            (
                "el cliente dijo dirección: Calle de Alcalá 123.",
                "Calle de Alcalá 123",
            ),
            (
                "Anrufer sagte Adresse: Lindenweg 178a wie besprochen",
                "Lindenweg 178a",
            ),
            ("ok so Address: 194 Church Lane thanks", "194 Church Lane"),
            // In a field of pasted JSON
            (
                r#""shippingAddress": "12 High Street, Leeds""#,
                "12 High Street, Leeds",
            ),
        ] {
            assert_eq!(addresses(text), vec![address], "{text}");
        }
    }

    #[test]
    fn not_addresses() {
        for text in [
            "SW1A 1AA",
            "postcode 28013",
            "London",
            "I live in London",
            "ich wohne in Berlin",
            "my address is SW1A 1AA",
            "Road bike 29",
            "Street Fighter 6",
            "Street Fighter 6, Capcom",
            "I'm calling about order 123",
            "order 12 shipped via DHL 2, London",
            "I bought 2 Hard Drive bays",
            "Playing 2 Abbey Road tracks",
            "Via Email 5 times",
            "Lieferung am 12.05.2024",
            "paid 12.50 at Main St",
            "Ordering 5 items, Paris office",
            "During 2024, London was busy",
            "Plaza 5 stars",
            "the meeting is on 12 May, Room 5",
            "email address: 12 john@example.com",
            "Street 5",
            "rue 5",
            "total 3 Way, 12345",
            "Am Sonntag 5, Berlin ist schön",
            "String 5, London",
            "Spring 2024, London",
            "Chapter 3 Way Forward",
            // A field name inside a sentence introduces only what stands right after it.
            "caller said address: unknown, Plaza 5 stars",
        ] {
            assert!(
                addresses(text).is_empty(),
                "{text} -> {:?}",
                addresses(text)
            );
        }
    }

    #[test]
    fn several_in_one_text() {
        let text = "Name: Ana García. I'm Ana. Ship to 12 High Street, Leeds LS1 1AA \
                    or Calle Mayor 5, 28013 Madrid.";
        assert_eq!(names(text), vec!["Ana García", "Ana"]);
        assert_eq!(
            addresses(text),
            vec![
                "12 High Street, Leeds LS1 1AA",
                "Calle Mayor 5, 28013 Madrid"
            ]
        );
    }

    #[test]
    fn dense_or_failed_street_words_do_not_hide_an_address() {
        // Every "St" is read and rejected, each start once; the address at the end is still found.
        let text = format!("{}12 High Street, London SW1A 1AA", "St 1 ".repeat(200));
        assert_eq!(addresses(&text), vec!["12 High Street, London SW1A 1AA"]);
        // A rejected street word ending in a two-byte letter: the next search starts on a
        // character boundary.
        assert_eq!(
            addresses("Äweg x, Hauptstraße 12, 10115 Berlin"),
            vec!["Hauptstraße 12, 10115 Berlin"]
        );
    }

    #[test]
    fn every_phrase_has_a_kind() {
        let lex = Lexicon::builtin();
        for (kind, map) in [
            (WordKind::PersonName, &*lex.name_intros),
            (WordKind::StreetAddress, &*lex.address_intros),
        ] {
            let lists = kind.builtin_lists();
            assert!(!lists.is_empty(), "{kind:?}");
            for w in lists.values().flatten() {
                assert!(map.get(w.trim_matches('*')).is_some(), "{kind:?}: {w}");
            }
            // Address phrases are strong or labels.
            if kind == WordKind::StreetAddress {
                assert!(
                    map.0
                        .values()
                        .all(|k| matches!(k, Intro::Strong | Intro::Label))
                );
            }
        }
        assert!(lex.street_types.words.contains_key("street"));
        assert!(lex.street_types.words.contains_key("c/"));
        assert!(lex.street_types.words.contains_key("an der"));
        assert!(lex.street_types.suffixes.iter().any(|s| s == "straße"));
    }

    #[test]
    fn hints_bounds() {
        assert!(may_match_name(&Hints::of("I'm Ed")));
        assert!(may_match_address(&Hints::of("1 X St")));
        assert_eq!(addresses("1 X St"), vec!["1 X St"]);
        assert!(!may_match_address(&Hints::of("no digits at all here")));
        assert_eq!(names("I'm Ed"), vec!["Ed"]);
    }

    /// Text made of the pieces the finders look at, so random strings reach deep into them.
    fn pieces() -> impl Strategy<Value = String> {
        // Separated by `|`: the pieces hold blanks.
        let piece = prop::sample::select(
            concat!(
                "my name is |I'm |soy |Name:|\"name\":\"|ich heiße |je m’appelle |it's | here|",
                "Mr. |John|O'Neill|Élodie|de la |van der |J.|I live at |Address: |12|221B|5º|",
                "2º izq.| |, |\n|.|-|High|Street|St|Calle|C/|rue|Hauptstraße|Lindenweg|Am|",
                "An der|Flat 3|SW1A 1AA|28013|1100-053|1012 AB|London|DC 20500|nº|’|'|é|ß|",
                "\u{301}|😀|İ|ǅ|ª|/|#|:|=",
            )
            .split('|')
            .collect::<Vec<_>>(),
        );
        prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
    }

    fn well_formed(text: &str, spans: &[Range<usize>]) -> bool {
        spans.iter().all(|r| {
            r.start < r.end && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
        }) && spans.windows(2).all(|w| w[0].end <= w[1].start)
    }

    proptest! {
        #[test]
        fn never_panics_on_any_string(text in "\\PC{0,200}") {
            let mut out = Vec::new();
            find_names(&text, Lexicon::builtin(), &mut out);
            prop_assert!(well_formed(&text, &out));
            prop_assert!(out.is_empty() || may_match_name(&Hints::of(&text)));
            out.clear();
            find_addresses(&text, Lexicon::builtin(), &mut out);
            prop_assert!(well_formed(&text, &out));
            prop_assert!(out.is_empty() || may_match_address(&Hints::of(&text)));
        }

        #[test]
        fn ascii_words_read_as_characters_do(text in pieces()) {
            for i in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                prop_assert_eq!(word_end(&text, i), word_end_chars(&text, i), "{:?} at {}", text, i);
            }
        }

        #[test]
        fn spans_are_sound_on_near_misses(text in pieces()) {
            let mut out = Vec::new();
            find_names(&text, Lexicon::builtin(), &mut out);
            prop_assert!(well_formed(&text, &out), "{:?} {:?}", text, out);
            prop_assert!(out.is_empty() || may_match_name(&Hints::of(&text)));
            out.clear();
            find_addresses(&text, Lexicon::builtin(), &mut out);
            prop_assert!(well_formed(&text, &out), "{:?} {:?}", text, out);
            prop_assert!(out.is_empty() || may_match_address(&Hints::of(&text)));
        }
    }
}
