//! Sensitive authentication data (PCI DSS 3.3.1): what may never be stored or shown after
//! authorisation, not even in part — magnetic-stripe track data, PIN blocks, and card security
//! codes and PINs written out in text.
//!
//! Both finders run on the canonical view (Unicode digits, invisible characters and encodings read
//! as a person reads them), like the card detector.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Track 1 (`%B<PAN>^NAME/GIVEN^YYMM<service code><discretionary data>?`) and track 2
/// (`;<PAN>=YYMM<service code><discretionary data>?`, some readers write `D` for `=`), with or
/// without their sentinels.
static TRACKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:%?[Bb])?\d{12,19}\^[^\^\r\n]{1,26}\^[0-9^]{4,}[0-9A-Za-z]*\??",
        r"|;?\d{12,19}[=D]\d{4,}[0-9A-Za-z]*\??",
    ))
    .expect("track regex is valid")
});

/// ISO 9564 PIN blocks (16 hex digits) after their name.
static PIN_BLOCKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)pin[\s_-]*block(?-u:\b)\W{0,4}(?:is\s+|was\s+)?([0-9a-f]{16})(?-u:\b)")
        .expect("pin block regex is valid")
});

/// The words between a code's name and its digits, shared by the code and PIN patterns: `is`, `war`,
/// `:`, `é o`, a parenthesis such as "(3 digits)" …, up to three of them.
macro_rules! connectors {
    () => {
        r"(?:\s*(?:is|was|es|era|ist|war|lautet|est|(?:é|e)tait|é|è|é\s+o|is\s+de|son|sont|são|sono|zijn|el|le|il|the|hinten|:|=|#|-|\([^)]{0,16}\))\s*){0,3}"
    };
}

/// What may open a code's digits: a quote, a bracket, a backtick or markdown bold (`**123**`).
macro_rules! opening {
    () => {
        r"(?:\*\*|[(\x22'«\[`“„])?\s?"
    };
}

/// A security code's digits, captured: three or four, together or read out one by one (`1 2 3`).
macro_rules! code_digits {
    () => {
        r"(\d{3,4}|\d(?:[ ,.-] ?\d){2,3})(?-u:\b)"
    };
}

/// The words for a card security code in English, Spanish, German, French, Portuguese, Italian and
/// Dutch, then connecting words (`is`, `war`, `:` …), then the code.
static SECURITY_CODES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:",
        r"cvv2?|cvc2?|csc|cvn|cvd|cav2|cid|card\s+verification\s+(?:code|value|number)",
        r"|card\s+security\s+code|security\s+code|sec\.?\s*code|verification\s+code",
        r"|kartenpr(?:ü|ue|u)f(?:nummer|ziffer|code)|pr(?:ü|ue|u)f(?:nummer|ziffer|code)|sicherheitscode",
        r"|c(?:ó|o)digo\s+de\s+seguridad|c(?:ó|o)digo\s+de\s+seguran(?:ç|c)a|c(?:ó|o)digo\s+cv[vc]",
        r"|cryptogramme(?:\s+visuel)?|code\s+de\s+s(?:é|e)curit(?:é|e)|code\s+cv[vc]",
        r"|codice\s+di\s+(?:sicurezza|verifica)|codice\s+cv[vc]",
        r"|beveiligingscode|veiligheidscode|kaartverificatiecode|verificatiecode|controlecode",
        r"|code\s+secret|code\s+confidentiel|c(?:ó|o)digo\s+secreto|codice\s+segreto|sec\s+code",
        r")(?:[\s-]*(?:code|nummer|number|no\.?|nr\.?|n(?:ú|u)mero|#))?",
        connectors!(),
        r"(?:\s*)",
        opening!(),
        code_digits!(),
    ))
    .expect("security code regex is valid")
});

/// Security codes described rather than named, as customers and agents say them: "the code on
/// the back is 617", "3 digits on the back: 499", "los 3 dígitos de atrás son …", "les 3 chiffres
/// au dos", "le 3 cifre sul retro", "cód. seg. 123", "crypto 123". A few words may stand between
/// the description and the code ("… on the back of my card is 617").
static DESCRIBED_CODES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:",
        r"(?:(?:3|4|three|four)[\s-]*(?:digits?|numbers?)\s+)?(?:security\s+)?(?:code|numbers?|digits?)\s+(?:on|at|from)\s+the\s+back",
        r"|(?:3|4|three|four)[\s-]*digits?\s+(?:security\s+)?code",
        r"|back\s+of\s+(?:the|my|your)\s+card",
        r"|(?:3|4|tres|cuatro)\s+(?:d(?:í|i)gitos|n(?:ú|u)meros)\s+(?:de\s+)?(?:(?:la\s+)?parte\s+de\s+)?(?:atr(?:á|a)s|detr(?:á|a)s|del\s+reverso|al\s+reverso)",
        r"|c(?:ó|o)digo\s+(?:de\s+)?(?:la\s+)?parte\s+de\s+atr(?:á|a)s|c(?:ó|o)digo\s+del\s+reverso",
        r"|c(?:ó|o)d\.?\s*(?:de\s+)?seg(?:uridad|uran(?:ç|c)a)?\.?|n(?:ú|u)mero\s+de\s+seguridad",
        r"|c(?:ó|o)digo\s+de\s+verifica(?:ç(?:ã|a)o|cao|ci(?:ó|o)n)",
        r"|(?:3|4|trois|quatre)\s+chiffres\s+(?:au\s+dos|derri(?:è|e)re|au\s+verso)|code\s+(?:à|a)\s+(?:3|4|trois|quatre)\s+chiffres|crypto(?-u:\b)",
        r"|(?:3|4|tr(?:ê|e)s|quatro)\s+(?:d(?:í|i)gitos|n(?:ú|u)meros)\s+(?:de\s+|do\s+|no\s+)?(?:tr(?:á|a)s|atr(?:á|a)s|verso)",
        r"|(?:3|4|tre|quattro)\s+cifre\s+(?:sul\s+retro|dietro|sul\s+retro\s+della\s+carta)|cod\.?\s+(?:di\s+)?sicurezza",
        r"|(?:3|4|drei|vier)(?:stellige[nr]?)?\s+(?:ziffern|zahlen|code)\s+(?:auf\s+der\s+)?r(?:ü|ue)ckseite",
        r"|(?:3|4|drie|vier)\s+cijfers\s+(?:op\s+de\s+)?achterkant",
        r")[^\d\n]{0,28}?",
        opening!(),
        code_digits!(),
    ))
    .expect("described security code regex is valid")
});

/// PINs written after their name, in the same languages; the card may be named between ("el pin
/// de la tarjeta es", "il PIN della carta è", "code secret de la carte :"), and the PIN may be
/// what it was set to ("I set the pin to 1617", "my pin's 1804").
static PINS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:pin(?:[\s-]?(?:code|nummer|number|no\.?|nr\.?))?|pincode|geheimzahl|geheimnummer",
        r"|code\s+pin|c(?:ó|o)digo\s+pin|n(?:ú|u)mero\s+pin|codice\s+pin|code\s+secret",
        r"|clave\s+de\s+(?:la\s+)?tarjeta|n(?:ú|u)mero\s+secreto|c(?:ó|o)digo\s+secreto\s+de\s+la\s+tarjeta)",
        r"(?:\s+(?:de\s+(?:la\s+|mi\s+)?(?:tarjeta|carte)|de\s+ma\s+carte|della\s+(?:mia\s+)?carta|do\s+(?:meu\s+)?cart(?:ã|a)o",
        r"|da\s+carta|der\s+karte|(?:for|of|on)\s+(?:my|the)\s+card))?",
        r"(?P<set>['’]s|\s+(?:to|now|set\s+to|changed\s+to))?",
        r"(?:\s+e)?",
        connectors!(),
        r"\s*",
        opening!(),
        r"(\d{4,6}|\d(?:[ ,.-] ?\d){3,5})(?-u:\b)",
    ))
    .expect("pin regex is valid")
});

/// A card's expiry date as customers type it, with or without its name: "exp 12/27",
/// "valid thru 08/2029", "caduca 3-28", "gültig bis 12/27", "expire le 12/27". The name is
/// captured so the finder knows whether the date was named.
static EXPIRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:(?-u:\b)(exp(?:iry|ires|ire|iration|\.)?(?:\s+date)?|valid(?:\s+(?:thru|through|until|till))?",
        r"|good\s+thru|vence|venc\.|vencimiento|caduca|caducidad|(?:fecha\s+de\s+)?caducidad",
        r"|validade|val\.|v(?:á|a)lid[ao]\s+(?:hasta|at(?:é|e))|g(?:ü|ue)ltig\s+bis|ablauf(?:datum)?",
        r"|expire(?:\s+(?:le|fin|en))?|date\s+d'expiration|fin\s+de\s+validit(?:é|e)|scadenza|scad\.|scade)",
        r"[\s.:=-]{0,4}(?:(?:is|es|ist|est|é|el|le|il|am|em|on|the|a|en|fin|il)\s+){0,2})?",
        r"(?-u:\b)(?:0?[1-9]|1[0-2])\s?[/-]\s?(?:20)?\d{2}(?-u:\b)",
    ))
    .expect("expiry regex is valid")
});

/// A digit chain that may be a card number (12–19 digits, blanks, dots, dashes or underscores
/// between groups).
static CARD_CHAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)\d(?:[ ._-]?\d){11,18}(?-u:\b)").expect("card chain regex is valid")
});

/// Words that name a security code on their own: "expiry 12/27, security 123", "cvc 123".
#[rustfmt::skip]
const STRONG_CODE_WORDS: &[&str] = &[
    "cvv", "cvv2", "cvc", "cvc2", "csc", "ccv", "cvn", "cid", "security", "sec", "seg",
    "seguridad", "segurança", "seguranca", "sicurezza", "sicherheitscode", "prüfziffer",
    "prüfnummer", "kartenprüfnummer", "cryptogramme", "crypto",
];

/// Words that name a code only beside a card ("4111 … code 123", "… detrás 123", "… au dos
/// 123"): after "caduca 03/27" a "código 4521" is a yogurt's batch.
#[rustfmt::skip]
const WEAK_CODE_WORDS: &[&str] = &[
    "code", "código", "codigo", "cód", "cod", "codice", "back", "verso", "reverso", "detrás",
    "detras", "atrás", "atras", "hinten", "rückseite", "retro", "dietro", "dos",
];

/// How much naming a code after a card or an expiry needs (see [`code_after`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Named {
    /// After a card and its expiry: bare digits are the code.
    Not,
    /// After a card: any code word ("4111 … code 123", "… au dos 123").
    Weakly,
    /// After an expiry word with no card before it ("exp 03/27" is on medicine boxes, "caduca
    /// 03/27" on yogurt): a word that names a security code.
    Strongly,
}

/// Words that may stand between a card (or its expiry) and its code without naming it: "and",
/// "the code is", "el de detrás es", "au dos", "auf der Rückseite", "sul retro".
const GLUE_WORDS: &[&str] = &[
    "and", "y", "e", "et", "und", "en", "is", "es", "ist", "est", "é", "è", "the", "el", "la",
    "le", "il", "o", "a", "on", "au", "del", "de", "do", "da", "no", "auf", "der", "sul", "number",
    "número", "numero", "nummer", "digits", "dígitos", "digitos", "chiffres", "cifre", "ziffern",
    "ist", "lautet", "son", "são", "sono", "my", "mi", "mon", "meu", "mein", "mio", "card",
    "tarjeta", "karte", "carte", "cartão", "carta",
];

/// Words after three or four digits that make them an amount or a quantity, not a code.
const UNIT_WORDS: &[&str] = &[
    "eur", "euro", "euros", "usd", "gbp", "dollars", "dollar", "pounds", "dólares", "dolares",
    "pesos", "chf", "points", "puntos", "punkte", "min", "mins", "minutes", "km", "kg", "items",
    "ml", "gr", "gramos", "grams", "días", "dias", "days", "tage", "jours", "giorni", "minutos",
    "minuten", "minuti", "pontos", "punti", "brl", "sek", "nok", "dkk", "pln", "hz", "khz", "mhz",
    "mah", "kw", "rpm", "cm", "mm", "px", "dpi", "board", "metres", "meters", "metros", "mètres",
    "metri", "pins", "pages", "páginas", "seiten", "stück", "unidades", "units", "pcs", "charge",
    "charged",
];

/// The three or four digits of a security code after `at` in `text`, past blanks, punctuation and
/// at most five code words ([`STRONG_CODE_WORDS`], [`WEAK_CODE_WORDS`]) and [`GLUE_WORDS`]; `need`
/// says how the code must be named on the way.
fn code_after(text: &str, at: usize, need: Named) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let mut i = at;
    let mut words = 0;
    let mut named = Named::Not;
    loop {
        while i < b.len()
            && matches!(
                b[i],
                b' ' | b'\t'
                    | b'\n'
                    | b'\r'
                    | b','
                    | b';'
                    | b':'
                    | b'('
                    | b')'
                    | b'-'
                    | b'/'
                    | b'='
                    | b'|'
            )
        {
            i += 1;
        }
        match b.get(i) {
            Some(c) if c.is_ascii_digit() => break,
            Some(_) if words < 5 => {
                let rest = &text[i..];
                let len = rest
                    .char_indices()
                    .find(|(_, c)| !c.is_alphanumeric() && *c != '.')
                    .map_or(rest.len(), |(k, _)| k);
                let word = rest[..len].trim_end_matches('.').to_lowercase();
                if word.is_empty() || word.bytes().any(|c| c.is_ascii_digit()) {
                    return None;
                }
                if STRONG_CODE_WORDS.contains(&word.as_str()) {
                    named = Named::Strongly;
                } else if WEAK_CODE_WORDS.contains(&word.as_str()) {
                    named = named.max(Named::Weakly);
                } else if !GLUE_WORDS.contains(&word.as_str()) {
                    return None;
                }
                words += 1;
                i += len;
            }
            _ => return None,
        }
    }
    if named < need {
        return None;
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if !(3..=4).contains(&(i - start)) || b.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    // Not part of a longer figure: a time (`12:30`), an amount (`123,45`), a date or the next
    // group of a number ("4111 1111 …").
    let next_digit = |k: usize| b.get(k).is_some_and(u8::is_ascii_digit);
    if matches!(b.get(i), Some(b':' | b'.' | b',' | b'/')) && next_digit(i + 1) {
        return None;
    }
    if matches!(b.get(i), Some(b' ' | b'-')) && next_digit(i + 1) {
        return None;
    }
    if unit_after(text, i) || named == Named::Not && !clause_ends(text, i) {
        return None;
    }
    Some(start..i)
}

/// Whether the clause ends at `end`: the text ends, or punctuation, a bracket, an emoji or a
/// word of thanks or joining follows ("… 12/27 123 thanks", "… 123 and the name is …") — not a
/// word that makes the digits something else ("the 1500 was taken twice", "room 1204 …").
fn clause_ends(text: &str, end: usize) -> bool {
    const CLOSING: &[&str] = &[
        "thanks",
        "thank",
        "thx",
        "please",
        "pls",
        "ok",
        "and",
        "gracias",
        "y",
        "danke",
        "und",
        "merci",
        "et",
        "grazie",
        "e",
        "obrigado",
        "obrigada",
        "obg",
        "por",
        "bitte",
        "svp",
        "cheers",
        "saludos",
        "salut",
        "ciao",
        "regards",
        "best",
        "yesterday",
        "today",
        "ayer",
        "hoy",
        "gestern",
        "heute",
        "hier",
        "aujourd",
        "ontem",
        "hoje",
        "ieri",
        "oggi",
    ];
    let rest = text[end..].trim_start();
    match rest.chars().next() {
        None => true,
        Some(c) if c.is_alphabetic() => CLOSING.contains(&word_after(text, end).as_str()),
        Some(c) => !c.is_ascii_digit(),
    }
}

/// The word (its letters, in lower case) that follows `end` past blanks; empty when none does.
fn word_after(text: &str, end: usize) -> String {
    text[end..]
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase()
}

/// Whether an amount's or a quantity's unit follows `end` ("pin to 2025 board", "PIN 1000 Hz").
fn unit_after(text: &str, end: usize) -> bool {
    text[end..].trim_start().starts_with(['€', '$', '£', '%'])
        || UNIT_WORDS.contains(&word_after(text, end).as_str())
}

/// Whether a card number ends shortly before `pos` (blanks, punctuation, line breaks and a short
/// word such as "exp" between).
fn card_ends_before(text: &str, pos: usize) -> bool {
    let b = text.as_bytes();
    let from = pos.saturating_sub(40);
    let window = &b[from..pos];
    let Some(last_digit) = window.iter().rposition(u8::is_ascii_digit) else {
        return false;
    };
    let gap = &window[last_digit + 1..];
    if gap.len() > 16 {
        return false;
    }
    let end = from + last_digit + 1;
    let start = text.floor_char_boundary(end.saturating_sub(40));
    CARD_CHAIN
        .find_iter(&text[start..end])
        .last()
        .is_some_and(|m| start + m.end() == end && chain_is_card(m.as_str()))
}

/// Whether the digits of a [`CARD_CHAIN`] match are a card number.
fn chain_is_card(chain: &str) -> bool {
    let digits: Vec<u8> = chain.bytes().filter(u8::is_ascii_digit).collect();
    super::card::is_card(&digits)
}

/// Security codes after a card number, in text where no word names a code: what the prefilter
/// opens by a card's digits alone (UUIDs, timestamps and ids hold as many, so the chain test
/// comes first).
pub(crate) fn find_codes_after_cards(text: &str, out: &mut Vec<Range<usize>>) {
    if longest_chain(text.as_bytes()) >= CARD_CHAIN_MIN {
        find_unnamed_codes(text, true, out);
    }
}

/// The fewest digits of a [`CARD_CHAIN`] match.
const CARD_CHAIN_MIN: usize = 12;

/// The most digits in one run joined by single blanks, dots, underscores or dashes: the longest
/// [`CARD_CHAIN`] `b` may hold, counted without the regex.
fn longest_chain(b: &[u8]) -> usize {
    let (mut best, mut run) = (0, 0);
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() {
            run += 1;
            best = best.max(run);
        } else if !(matches!(c, b' ' | b'.' | b'_' | b'-')
            && i > 0
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            run = 0;
        }
    }
    best
}

/// Security codes that no word names, found by where they stand: after a card number and its
/// expiry ("4111 1111 1111 1111 12/27 123"), after a named expiry and a word that names a
/// security code ("caduca 12/27, código de seguridad 123"), or after a card and a code word
/// ("4111… code 123", "… au dos 123"). `carded`: whether `text` holds a chain of digits as long as
/// a card's ([`longest_chain`]).
fn find_unnamed_codes(text: &str, carded: bool, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    // An expiry is digits on both sides of a `/` or `-` ("12/27", "3 - 28"); the regexes run only
    // where one stands.
    let digit_near =
        |from: usize, to: usize| b[from..to.min(b.len())].iter().any(u8::is_ascii_digit);
    let dated = memchr::memchr2_iter(b'/', b'-', b)
        .any(|k| digit_near(k.saturating_sub(2), k) && digit_near(k + 1, k + 3));
    if !dated && !carded {
        return;
    }
    for caps in dated
        .then(|| EXPIRY.captures_iter(text))
        .into_iter()
        .flatten()
    {
        let Some(m) = caps.get(0) else { continue };
        let named = caps.get(1).is_some();
        let after_card = carded && card_ends_before(text, m.start());
        if !named && !after_card {
            continue;
        }
        let need = if after_card {
            Named::Not
        } else {
            Named::Strongly
        };
        if let Some(code) = code_after(text, m.end(), need) {
            out.push(code);
        }
    }
    for m in carded
        .then(|| CARD_CHAIN.find_iter(text))
        .into_iter()
        .flatten()
    {
        if chain_is_card(m.as_str())
            && let Some(code) = code_after(text, m.end(), Named::Weakly)
        {
            out.push(code);
        }
    }
}

/// Finds track data in canonical text: the number before the field separator must be a card.
pub fn find_tracks(text: &str, out: &mut Vec<Range<usize>>) {
    for m in TRACKS.find_iter(text) {
        let digits: Vec<u8> = m
            .as_str()
            .bytes()
            .skip_while(|b| !b.is_ascii_digit())
            .take_while(u8::is_ascii_digit)
            .collect();
        if super::card::is_card(&digits) {
            out.push(m.range());
        }
    }
}

/// Finds the digits of security codes, PINs and PIN blocks named in canonical text.
pub fn find_security_codes(text: &str, out: &mut Vec<Range<usize>>) {
    let from = out.len();
    for re in [&*SECURITY_CODES, &*DESCRIBED_CODES, &*PINS, &*PIN_BLOCKS] {
        for caps in re.captures_iter(text) {
            // "pin to 1080 or 720", "that pin's 2019 photo": a PIN that was set or owned ends
            // its clause.
            let set_to = caps.name("set").is_some();
            // The digits are each pattern's last group.
            if let Some(m) = caps.get(caps.len() - 1)
                && !out[from..].contains(&m.range())
                && !unit_after(text, m.end())
                && (!set_to || clause_ends(text, m.end()))
            {
                out.push(m.range());
            }
        }
    }
    let unnamed = out.len();
    let carded = longest_chain(text.as_bytes()) >= CARD_CHAIN_MIN;
    find_unnamed_codes(text, carded, out);
    let mut k = unnamed;
    while k < out.len() {
        if out[from..unnamed]
            .iter()
            .any(|r| r.start < out[k].end && out[k].start < r.end)
            || out[unnamed..k].contains(&out[k])
        {
            out.swap_remove(k);
        } else {
            k += 1;
        }
    }
}

/// Whether a field named `key` holds a security code or PIN by its name (`enteredPin`, `cvvCode`,
/// `pin_code`, `securityCode`, `codigoSeguridad`) and `text` is one: 3–4 digits for a code, 4–6
/// for a PIN, blanks around them allowed.
pub(crate) fn field_holds_code(key: &str, text: &str) -> bool {
    let digits = text.trim();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let tokens: Vec<String> = super::card::key_tokens(key).collect();
    let has = |t: &str| tokens.iter().any(|k| k == t);
    let code = ["cvv", "cvv2", "cvc", "cvc2", "csc", "cvn", "cvd", "cav2"]
        .iter()
        .any(|t| has(t))
        || tokens.windows(2).any(|w| {
            matches!(
                (w[0].as_str(), w[1].as_str()),
                ("security" | "verification" | "seguridad" | "sicurezza", _)
                    | (
                        "codigo" | "código" | "codice" | "code",
                        "seguridad" | "sicurezza" | "securite"
                    )
            ) && (w[1] == "code" || w[0].starts_with("cod"))
        });
    let pin = ["pin", "pincode", "geheimzahl", "dtmfpin"]
        .iter()
        .any(|t| has(t));
    (code && (3..=4).contains(&digits.len())) || (pin && (4..=6).contains(&digits.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::masking::detectors::found_by;

    #[test]
    fn codes_after_cards_need_a_card_chain_not_only_digits() {
        // A UUID and a timestamp hold fifteen digits but no chain of twelve.
        assert!(longest_chain(b"c0a80012-7d3e-4b6a-9f1e-2b5d8e000012") < CARD_CHAIN_MIN);
        assert!(longest_chain(b"2026-11-25T09:01:07Z 2026-11-26T10:02:08Z") < CARD_CHAIN_MIN);
        // The expiry's month joins the chain as the regex's would.
        assert_eq!(longest_chain(b"card 4111 1111 1111 1111 12/27 123"), 18);
        assert_eq!(longest_chain(b"4111-1111.1111_1111"), 16);
        assert_eq!(longest_chain(b"4111  1111 1111 1111"), 12);
        assert_eq!(
            found_by(find_codes_after_cards, "card 4111 1111 1111 1111 12/27 123"),
            ["123"]
        );
        assert!(
            found_by(
                find_codes_after_cards,
                "c0a80012-7d3e-4b6a-9f1e-2b5d8e000012 123"
            )
            .is_empty()
        );
    }

    #[test]
    fn fields_named_for_codes() {
        assert!(field_holds_code("enteredPin", "5165"));
        assert!(field_holds_code("cvvCode", "123"));
        assert!(field_holds_code("pin_code", " 123456 "));
        assert!(field_holds_code("securityCode", "737"));
        assert!(field_holds_code("codigoSeguridad", "737"));
        assert!(!field_holds_code("pinned", "1234"));
        assert!(!field_holds_code("spinCount", "1234"));
        assert!(!field_holds_code("enteredPin", "51651234"));
        assert!(!field_holds_code("orderCode", "123"));
    }

    #[test]
    fn tracks_are_found_whole() {
        let t1 = "%B4111111111111111^DOE/JOHN^2512101000000000000000?";
        assert_eq!(found_by(find_tracks, &format!("swipe {t1} ok")), vec![t1]);
        let t2 = ";4111111111111111=25121010000000000000?";
        assert_eq!(found_by(find_tracks, &format!("raw {t2}")), vec![t2]);
        assert_eq!(
            found_by(find_tracks, "4111111111111111=2512101123"),
            vec!["4111111111111111=2512101123"]
        );
        assert!(found_by(find_tracks, "pan=4111111111111111&x=1").is_empty());
    }

    #[test]
    fn security_codes_in_seven_languages() {
        for (text, code) in [
            ("the CVV was 143", "143"),
            ("cvv143", "143"),
            ("CSC: 8812", "8812"),
            ("CVC-Code: 123", "123"),
            ("Kartenprüfnummer 456", "456"),
            ("código de seguridad es 789", "789"),
            ("cryptogramme visuel : 321", "321"),
            ("codice di sicurezza 654", "654"),
            ("beveiligingscode is 987", "987"),
            ("código de segurança: 111", "111"),
            ("PIN 5165", "5165"),
            ("Geheimzahl: 9876", "9876"),
            ("security code (3 digits): 737", "737"),
            ("PIN block: 041234FFFFFFFFFF", "041234FFFFFFFFFF"),
            ("CVV: (739)", "739"),
            ("CVV \"739\"", "739"),
            ("PIN code 482193", "482193"),
            ("code secret 4821", "4821"),
            ("código secreto 4821", "4821"),
            ("cvv 1 2 3", "1 2 3"),
            ("PIN 1 2 3 4", "1 2 3 4"),
            ("the code on the back is 617", "617"),
            ("3 digits on the back: 499", "499"),
            ("the code on the back of my card is 617", "617"),
            ("the three digit code is 123", "123"),
            ("los 3 dígitos de atrás son 000", "000"),
            ("el código de la parte de atrás es 123", "123"),
            ("les 3 chiffres au dos : 738", "738"),
            ("code à 3 chiffres 962", "962"),
            ("os 3 dígitos atrás são 447", "447"),
            ("le 3 cifre sul retro sono 905", "905"),
            ("cód. seguridad 771", "771"),
            ("cód. seg. 123", "123"),
            ("número de seguridad 970", "970"),
            ("código de verificação 760", "760"),
            ("crypto 123", "123"),
            ("die 3 Ziffern auf der Rückseite: 123", "123"),
            ("I set the pin to 1617 Cheers", "1617"),
            ("my pin's 1804", "1804"),
            ("el pin de la tarjeta es 0025", "0025"),
            ("code secret de la carte : 9197 !!", "9197"),
            ("il PIN della carta è 8846", "8846"),
            ("il mio pin e 9291", "9291"),
            ("o pin do cartão é 8449", "8449"),
            ("the PIN for my card is 1234", "1234"),
        ] {
            assert_eq!(found_by(find_security_codes, text), vec![code], "{text}");
        }
        for text in [
            "cvv field was empty",
            "pinned 1234",
            "spin 2024",
            "security code sent",
            "the code on the back was smudged",
            "3 digits on the back of the parcel label",
            "call back at 3 pm",
            "pin to 2 decimals",
            "Can you pin to 1080 or 720 resolution",
            "that pin's 2019 photo is wrong",
            "exp 03/27 code 4521 printed on the medicine box",
            "4111 1111 1111 1111 12/27 the 1500 was taken twice",
            "Pin to 2025 board on Pinterest",
            "set the PWM pin to 1000 Hz",
            "the pin of the map 12345678",
        ] {
            assert!(found_by(find_security_codes, text).is_empty(), "{text}");
        }
    }

    #[test]
    fn codes_no_word_names_are_found_after_the_card_and_its_expiry() {
        for (text, code) in [
            ("4111 1111 1111 1111 12/27 123", "123"),
            ("card 4111111111111111, 08/2029, 4821", "4821"),
            ("4111-1111-1111-1111 exp 12/27 123", "123"),
            ("exp 12/27 cvc 123", "123"),
            ("expiry 12/27, security 123", "123"),
            ("caduca 12/27, código de seguridad 123", "123"),
            ("expire le 12/27 cryptogramme 123", "123"),
            ("gültig bis 12/27, Sicherheitscode 123", "123"),
            ("scadenza 12/27 codice di sicurezza 123", "123"),
            ("carte 4111 1111 1111 1111 au dos 123", "123"),
            ("my card is 4111111111111111 code 123", "123"),
            (
                "4111111111111111 valid thru 3/28 and the code is 123.",
                "123",
            ),
            ("4111 1111 1111 1111\n12/27\n123", "123"),
            ("4111.1111.1111.1111 12/27 123", "123"),
            ("4111_1111_1111_1111 12/27 123", "123"),
            (
                "tarjeta 4111 1111 1111 1111 vence 12/27 y el de detrás es 123",
                "123",
            ),
        ] {
            assert_eq!(found_by(find_security_codes, text), vec![code], "{text}");
        }
        for text in [
            "4111 1111 1111 1111 12/27",
            "exp 12/27 123 EUR",
            "4111 1111 1111 1111 12/27 12:30",
            "4111 1111 1111 1111 12/27 150 €",
            "order 1234567890123 12/27 123",
            "exp 12/27 thanks 123",
            "experience 12/27 code 123 points",
            "exp 12/27 4111 1111 1111 1111",
            "delivered 12/27 123 items",
            "El yogur caduca 03/27, código 4521 en la tapa",
            "warranty valid until 05/28, code 3344 on the receipt",
            "vence 12/26, tras 365 días",
            "validade 12/27 dos 1500 pontos",
            "expires 12/25, back 2026",
            "valid until 12/27, 150 points",
        ] {
            assert!(found_by(find_security_codes, text).is_empty(), "{text}");
        }
    }
}
