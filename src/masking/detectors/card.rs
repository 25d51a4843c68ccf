//! Payment card numbers (PANs).
//!
//! A hand-written scanner rather than a regex, run on the canonical view of the string (see
//! `masking::canon`: Unicode digits read as ASCII, invisible characters gone, `%20`/`&nbsp;`/`<br>`
//! decoded). It splits the text into runs of digits, joins runs separated the way people and
//! systems group card numbers (one to four blanks and marks: `4111 1111`, `4111--1111`,
//! `4, 1, 1, 1`, `2*3*9*9`, a line break) into chains, and looks for a span of whole runs that
//! holds 12–19 digits and passes the Luhn check with a known issuer prefix and length. Mixed
//! separators still count: a typo in grouping must not let a card through.
//!
//! A run is never split, and an evenly grouped chain of 20–22 digits is one long identifier (a
//! tracking number, grouped or not) unless the card opens it followed only by an expiry, or the
//! context says "card": a card word in one of seven languages shortly before it, or a card-named
//! field. Context also admits what the issuer table cannot know (a Luhn-valid 13–19-digit number
//! whose major industry identifier is 1–6: new ranges, JCB 3500–3527) and a card glued to its
//! expiry or CVV, and other-identifier words (order, IMEI, EAN, phone) keep rare shapes out.
//! UUIDs, IPv4 addresses and the visible ends of masked numbers are skipped whole.

use std::ops::Range;
use std::sync::LazyLock;

use smallvec::SmallVec;

use super::ContextWords;
use crate::masking::canon;

/// One issuer range: a card belongs to `network` when its first `prefix_len` digits, read as a number,
/// lie in `low..=high` and its length in `min_len..=max_len` (or in `only`).
struct IssuerRange {
    network: &'static str,
    prefix_len: usize,
    low: u32,
    high: u32,
    min_len: usize,
    max_len: usize,
    /// Exact lengths when the network does not use the whole `min_len..=max_len` interval.
    only: Option<&'static [usize]>,
}

const fn r(
    network: &'static str,
    prefix_len: usize,
    low: u32,
    high: u32,
    min_len: usize,
    max_len: usize,
) -> IssuerRange {
    IssuerRange {
        network,
        prefix_len,
        low,
        high,
        min_len,
        max_len,
        only: None,
    }
}

/// Issuer identification table (ISO/IEC 7812 prefixes of the networks in current use).
/// Order does not matter: a number is a card when any entry accepts it.
static ISSUERS: &[IssuerRange] = &[
    IssuerRange {
        only: Some(&[13, 16, 19]),
        ..r("visa", 1, 4, 4, 13, 19)
    },
    r("mastercard", 2, 51, 55, 16, 16),
    r("mastercard", 4, 2221, 2720, 16, 16),
    r("amex", 2, 34, 34, 15, 15),
    r("amex", 2, 37, 37, 15, 15),
    r("discover", 4, 6011, 6011, 16, 19),
    r("discover", 3, 644, 649, 16, 19),
    r("discover", 2, 65, 65, 16, 19),
    r("discover", 6, 622126, 622925, 16, 19),
    r("diners", 3, 300, 305, 14, 19),
    r("diners", 2, 36, 36, 14, 19),
    r("diners", 2, 38, 39, 14, 19),
    r("diners", 4, 3095, 3095, 16, 19),
    r("jcb", 4, 3528, 3589, 16, 19),
    r("unionpay", 2, 62, 62, 16, 19),
    r("unionpay", 4, 8100, 8171, 16, 19),
    r("maestro", 4, 5018, 5018, 12, 19),
    r("maestro", 4, 5020, 5020, 12, 19),
    r("maestro", 4, 5038, 5038, 12, 19),
    r("maestro", 4, 5893, 5893, 12, 19),
    r("maestro", 4, 6304, 6304, 12, 19),
    r("maestro", 4, 6759, 6759, 12, 19),
    r("maestro", 4, 6761, 6763, 12, 19),
    r("maestro", 2, 50, 50, 12, 19),
    r("maestro", 2, 56, 58, 12, 19),
    r("maestro", 1, 6, 6, 12, 19),
    r("uatp", 1, 1, 1, 15, 15),
    r("mir", 4, 2200, 2204, 16, 19),
    r("rupay", 2, 60, 60, 16, 16),
    r("rupay", 2, 81, 82, 16, 16),
    r("rupay", 3, 508, 508, 16, 16),
    r("rupay", 3, 353, 353, 16, 16),
    r("rupay", 3, 356, 356, 16, 16),
    r("verve", 6, 506099, 506198, 16, 19),
    r("verve", 6, 507865, 507964, 16, 19),
    r("verve", 6, 650002, 650027, 16, 19),
    r("troy", 4, 9792, 9792, 16, 16),
    r("dankort", 4, 5019, 5019, 16, 16),
    r("elo", 6, 509000, 509999, 16, 16),
    r("elo", 6, 506699, 506778, 16, 16),
    r("interpayment", 3, 636, 636, 16, 19),
    r("instapayment", 3, 637, 639, 16, 16),
    r("lankapay", 6, 357111, 357111, 16, 16),
    r("bccard", 6, 940000, 949999, 16, 16),
];

/// Names the card network of a digit string, or `None` when no issuer uses that prefix and length —
/// the check that keeps Luhn-valid order ids and epoch timestamps unmasked.
pub fn network(digits: &[u8]) -> Option<&'static str> {
    let len = digits.len();
    if len < 2 || !digits[..2].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = usize::from(digits[0] - b'0') * 10 + usize::from(digits[1] - b'0');
    BY_TWO_DIGITS[two]
        .iter()
        .map(|&k| &ISSUERS[k])
        .find_map(|i| {
            if len < i.min_len || len > i.max_len || len < i.prefix_len {
                return None;
            }
            if let Some(only) = i.only
                && !only.contains(&len)
            {
                return None;
            }
            let prefix = digits[..i.prefix_len]
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            (i.low..=i.high).contains(&prefix).then_some(i.network)
        })
}

/// For each two-digit start (00–99), the issuer ranges that can begin with it: most candidates are
/// ruled out by one table lookup before any Luhn arithmetic.
static BY_TWO_DIGITS: LazyLock<Vec<Vec<usize>>> = LazyLock::new(|| {
    (0u32..100)
        .map(|two| {
            ISSUERS
                .iter()
                .enumerate()
                .filter(|(_, i)| {
                    // The range's prefixes, cut to two digits, must include `two`.
                    let (low, high) = if i.prefix_len >= 2 {
                        let div = 10u32.pow(i.prefix_len as u32 - 2);
                        (i.low / div, i.high / div)
                    } else {
                        (i.low * 10, i.high * 10 + 9)
                    };
                    (low..=high).contains(&two)
                })
                .map(|(k, _)| k)
                .collect()
        })
        .collect()
});

/// True when `digits` (ASCII digits only) is a plausible PAN: a known issuer prefix and length plus Luhn.
pub fn is_card(digits: &[u8]) -> bool {
    // Issuer table first (usually one lookup), Luhn last. The digits are ASCII, so `from_utf8`
    // never fails; the `luhn` crate wants a `&str`.
    (12..=19).contains(&digits.len())
        && network(digits).is_some()
        && std::str::from_utf8(digits).is_ok_and(luhn::valid)
}

/// What the name of the field holding a string says about it: a card-named field (`cardNumber`,
/// `pan`, `tarjeta`) turns an ambiguous number into a card; an id-named one (`orderId`, `imei`)
/// keeps weak matches (rare issuers, 13-digit shapes) out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldContext {
    /// The field is named like a card number.
    pub card: bool,
    /// The field is named like an identifier that is not a card (order, invoice, IMEI, EAN …).
    pub not_card: bool,
}

impl FieldContext {
    /// [`FieldContext::of_key`], remembered per thread: an event names the same few fields
    /// again and again, and every digit chain in a field asks. The memo is bounded (field names
    /// come from the input) and starts afresh when full.
    pub fn of_key_cached(key: &str) -> FieldContext {
        const MAX_KEYS: usize = 512;
        thread_local! {
            static MEMO: std::cell::RefCell<std::collections::HashMap<Box<str>, FieldContext>> =
                std::cell::RefCell::new(std::collections::HashMap::new());
        }
        MEMO.with_borrow_mut(|memo| {
            if let Some(c) = memo.get(key) {
                return *c;
            }
            if memo.len() >= MAX_KEYS {
                memo.clear();
            }
            let c = FieldContext::of_key(key);
            memo.insert(key.into(), c);
            c
        })
    }

    /// Reads a JSON key (`cardNumber`, `card_pan`, `numeroTarjeta`, `orderId`) token by token.
    pub fn of_key(key: &str) -> FieldContext {
        let mut ctx = FieldContext::default();
        let mut time = false;
        for token in key_tokens(key) {
            let t = token.as_str();
            if CARD_KEY_PARTS.iter().any(|w| t.contains(w)) || CARD_KEY_TOKENS.contains(&t) {
                ctx.card = true;
            }
            if NOT_CARD_NAMES.iter().any(|w| t.contains(w)) || NOT_CARD_SHORT_NAMES.contains(&t) {
                ctx.not_card = true;
            }
            if TIME_KEY_TOKENS.contains(&t) {
                time = true;
            }
        }
        // `cardAddedAt`, `cardExpiryDate`: a time about a card, not its number.
        if time {
            ctx.card = false;
            ctx.not_card = true;
        }
        ctx
    }
}

/// Key fragments that name a card wherever they stand in a token (`creditcard`, `kartennummer`):
/// fewer than the card words of text, since `credit` or `discover` name other fields
/// (`creditLimit`, `discoveredAt`).
const CARD_KEY_PARTS: &[&str] = &[
    "card", "karte", "tarjeta", "carte", "cartao", "cartão", "kaart",
];
/// Key tokens that make a field a time or date (`cardAddedAt`, `cardExpiryDate`).
const TIME_KEY_TOKENS: &[&str] = &[
    "at",
    "time",
    "timestamp",
    "date",
    "ts",
    "epoch",
    "created",
    "updated",
    "expiry",
    "expires",
    "ms",
    "millis",
];
/// Whole key tokens that name a card.
const CARD_KEY_TOKENS: &[&str] = &[
    "pan",
    "cc",
    "ccn",
    "ccnum",
    "visa",
    "mastercard",
    "amex",
    "maestro",
    "carta",
    "cb",
];

/// Splits a key into lower-case tokens at non-alphanumerics, camelCase humps and letter/digit
/// changes: `cardNumber2` → `card`, `number`, `2`.
pub(crate) fn key_tokens(key: &str) -> impl Iterator<Item = String> + '_ {
    let mut tokens: SmallVec<[String; 4]> = SmallVec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    for c in key.chars() {
        let boundary = match prev {
            _ if !c.is_alphanumeric() => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
                prev = None;
                continue;
            }
            Some(p) => {
                (p.is_lowercase() && c.is_uppercase()) || (p.is_alphabetic() != c.is_alphabetic())
            }
            None => false,
        };
        if boundary && !cur.is_empty() {
            tokens.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
        prev = Some(c);
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    tokens.into_iter()
}

/// Words that, shortly before a number, say it is a card (EN, ES, DE, FR, PT, IT, NL).
static CARD_WORDS: LazyLock<ContextWords> = LazyLock::new(|| {
    ContextWords::with_whole_words(
        &[
            "card",
            "tarjeta",
            "karte",
            "carte",
            "cartão",
            "cartao",
            "carta",
            "kaart",
            "visa",
            "mastercard",
            "master card",
            "amex",
            "american express",
            "maestro",
            "discover",
            "diners",
            "unionpay",
            "rupay",
            "credit",
            "debit",
            "crédito",
            "credito",
            "débito",
            "debito",
            "kredit",
            "crédit",
            "pinpas",
            "betaalpas",
            "bankpas",
            "creditcard",
        ],
        &["pan", "cc", "ccn", "jcb", "cb"],
    )
});

/// Names of identifiers that are not cards (order, invoice, tracking, IMEI, barcode … in seven
/// languages): found anywhere in a word shortly before a number, or in a field name's tokens.
const NOT_CARD_NAMES: &[&str] = &[
    "order",
    "invoice",
    "tracking",
    "shipment",
    "parcel",
    "imei",
    "isbn",
    "gtin",
    "barcode",
    "ticket",
    "booking",
    "reservation",
    "reference",
    "bestell",
    "rechnung",
    "sendung",
    "pedido",
    "factura",
    "seguimiento",
    "commande",
    "facture",
    "suivi",
    "ordine",
    "fattura",
    "spedizione",
    "encomenda",
    "fatura",
    "rastreio",
    "bestelling",
    "factuur",
    "zending",
    "timestamp",
    "epoch",
    "serial",
    "article",
    "artikel",
    "product",
    "produkt",
    "barres",
    "barras",
    "barre",
    "strichcode",
    "streepjescode",
    "phone",
    "telefon",
    "teléfono",
    "téléphone",
    "telefone",
    "telefono",
    "mobile",
    "móvil",
    "portable",
    "handy",
    "whatsapp",
    "call me",
    "ring me",
    "llámame",
    "ruf",
    "appelez",
    "fedex",
    "dhl",
    "usps",
    "hermes",
    "colissimo",
    "correos",
    "art.-nr",
    "artnr",
    "imsi",
    "iccid",
];
/// Short names of other identifiers: whole words only, or whole field-name tokens.
const NOT_CARD_SHORT_NAMES: &[&str] = &[
    "ean", "sku", "upc", "ring", "call", "tel", "fax", "sms", "ups", "gls", "dpd", "tnt",
];

/// [`NOT_CARD_NAMES`] and [`NOT_CARD_SHORT_NAMES`] compiled for text.
static NOT_CARD_WORDS: LazyLock<ContextWords> =
    LazyLock::new(|| ContextWords::with_whole_words(NOT_CARD_NAMES, NOT_CARD_SHORT_NAMES));

/// Bytes before a number searched for card words, and for other-identifier words.
const CARD_WINDOW: usize = 48;
const NOT_CARD_WINDOW: usize = 32;

/// The context of one chain of digit groups, computed only when a decision needs it.
#[derive(Clone, Copy)]
struct Context {
    card: bool,
    not_card: bool,
}

struct LazyContext<'a> {
    bytes: &'a [u8],
    at: usize,
    key: Option<&'a str>,
    done: Option<Context>,
}

impl LazyContext<'_> {
    fn get(&mut self) -> Context {
        if let Some(c) = self.done {
            return c;
        }
        let field = self
            .key
            .map(FieldContext::of_key_cached)
            .unwrap_or_default();
        let card_from = self.at.saturating_sub(CARD_WINDOW);
        let other_from = self.at.saturating_sub(NOT_CARD_WINDOW);
        let card_word = CARD_WORDS
            .last_in(&self.bytes[card_from..self.at])
            .map(|e| card_from + e);
        let other_word = NOT_CARD_WORDS
            .last_in(&self.bytes[other_from..self.at])
            .map(|e| other_from + e);
        // The nearer word speaks for the number: "my SIM card broke, IMEI 3569…" is an IMEI.
        let text_card = match (card_word, other_word) {
            (Some(c), Some(o)) => c > o,
            (c, _) => c.is_some(),
        };
        let c = Context {
            card: field.card || text_card,
            not_card: field.not_card || (other_word.is_some() && !text_card),
        };
        self.done = Some(c);
        c
    }
}

/// How strongly a Luhn-valid digit string reads as a card by its shape alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A major network's prefix and length: a card wherever it stands.
    Strong,
    /// A rare prefix (8x, 9x), a 13-digit shape (also the length of EAN-13 barcodes), an unusual
    /// Maestro length: a card unless the text or field says it is an order number, a barcode, an
    /// IMEI or a phone number.
    Weak,
    /// UATP, or an issuer no table lists yet (major industry identifier 1–6): a card only where the
    /// text or the field says "card".
    NeedsContext,
}

/// The shape of `digits` (ASCII), or `None` when it cannot be a card at all.
fn shape(digits: &[u8]) -> Option<Shape> {
    let len = digits.len();
    if !(12..=19).contains(&len) {
        return None;
    }
    // The issuer table first (one lookup rules most numbers out), Luhn after.
    let net = network(digits);
    let fallback = net.is_none() && len >= 13 && (b'1'..=b'6').contains(&digits[0]);
    if !(net.is_some() || fallback) || !std::str::from_utf8(digits).is_ok_and(luhn::valid) {
        return None;
    }
    match net {
        // UATP (airline cards, 1 + 14 digits) looks like a clock time inside a log timestamp
        // (`25/11/2026 10:30:45.123` holds 15 digits from a 1): only where the text says "card".
        Some("uatp") => Some(Shape::NeedsContext),
        Some(net) => {
            let weak = matches!(digits[0], b'8' | b'9')
                || len == 13
                || (net == "maestro" && len != 16 && len != 19);
            Some(if weak { Shape::Weak } else { Shape::Strong })
        }
        None if len >= 13 && (b'1'..=b'6').contains(&digits[0]) => Some(Shape::NeedsContext),
        None => None,
    }
}

/// Decides one candidate made of whole digit groups starting at byte `start`.
fn accept(digits: &[u8], bytes: &[u8], start: usize, ctx: &mut LazyContext<'_>) -> bool {
    match shape(digits) {
        None => false,
        Some(Shape::Strong) => true,
        Some(Shape::Weak) => {
            let c = ctx.get();
            // `+49 151 2345 6789` is a phone number in E.164.
            let phone = start > 0 && bytes[start - 1] == b'+';
            c.card || !(c.not_card || phone)
        }
        Some(Shape::NeedsContext) => ctx.get().card,
    }
}

/// True when `gap` (the bytes between two digit runs, in the canonical view) is how people and
/// systems group a card number: one to four characters of blanks (space, tab, line break; at most
/// three) and marks (`-` `.` `/` `_` `,` `|` `:` `*` `+`; at most two). Letters or a longer gap end
/// the number, so numbers in prose do not merge, and a masked `****` between digits is never
/// read as a separator.
fn is_separator(gap: &[u8]) -> bool {
    if gap.is_empty() || gap.len() > 10 {
        return false;
    }
    let (mut blanks, mut marks, mut breaks) = (0, 0, 0);
    for &b in gap {
        match b {
            b'\n' => {
                blanks += 1;
                breaks += 1;
            }
            b' ' | b'\t' | b'\r' => blanks += 1,
            b'-' | b'.' | b'/' | b'_' | b',' | b'|' | b':' | b'*' | b'+' | b'\'' | b';' | b'~' => {
                marks += 1
            }
            _ => return false,
        }
    }
    // A line break may carry the next line's indentation (a pretty-printed form or table).
    if breaks > 0 {
        breaks <= 3 && blanks <= 8 && marks <= 2
    } else {
        blanks <= 3 && marks <= 2 && gap.len() <= 4
    }
}

/// Words that join the last digits of a list read out (`4, 1, 1 and 1`), in seven languages.
const LIST_WORDS: &[&[u8]] = &[
    b"and", b"then", b"y", b"luego", b"und", b"dann", b"et", b"puis", b"e", b"depois", b"poi",
    b"en", b"dan",
];

/// True when `gap` joins two digits of a list read out: an optional comma, then one list word
/// between blanks (`, and `, ` y `, ` und `).
fn is_list_word(gap: &[u8]) -> bool {
    if gap.len() > 10 {
        return false;
    }
    let start = gap
        .iter()
        .position(|b| !matches!(b, b' ' | b',' | b'\t'))
        .unwrap_or(gap.len());
    let end = gap
        .iter()
        .rposition(|b| !matches!(b, b' ' | b',' | b'\t'))
        .map_or(start, |e| e + 1);
    let word = &gap[start..end];
    start > 0
        && end < gap.len()
        && gap[start - 1] == b' '
        && gap[end] == b' '
        && LIST_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

/// The end of a dotted-quad IPv4 address starting at `start` (four groups of 1–3 digits up to 255,
/// nothing digit-like around it): its digits are never part of a card.
fn ipv4_end(bytes: &[u8], start: usize) -> Option<usize> {
    if start > 0 && (bytes[start - 1].is_ascii_digit() || bytes[start - 1] == b'.') {
        return None;
    }
    let mut i = start;
    for group in 0..4 {
        let from = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() && i - from < 4 {
            i += 1;
        }
        let len = i - from;
        if len == 0 || len > 3 {
            return None;
        }
        let value: u32 = bytes[from..i]
            .iter()
            .fold(0, |a, d| a * 10 + u32::from(d - b'0'));
        if value > 255 {
            return None;
        }
        if group < 3 {
            if bytes.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    let digit_after = bytes.get(i).is_some_and(u8::is_ascii_digit)
        || (bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
    (!digit_after).then_some(i)
}

/// Finds every card number in `text` and pushes its byte span (separators included) to `out`.
/// `key` is the name of the field holding the text, when there is one.
pub fn find(text: &str, key: Option<&str>, out: &mut Vec<Range<usize>>) {
    find_with(text, key, canon::needs_view(text), out);
}

/// [`find`] when the caller already knows whether `text` needs a canonical view.
fn find_with(text: &str, key: Option<&str>, view: bool, out: &mut Vec<Range<usize>>) {
    if view {
        canon::find_on_view(text, 12, out, |t, out| scan(t.as_bytes(), key, out));
    } else {
        scan(text.as_bytes(), key, out);
    }
}

/// Scans text that is its own canonical view (or is one).
pub(crate) fn scan_text(text: &str, key: Option<&str>, out: &mut Vec<Range<usize>>) {
    scan(text.as_bytes(), key, out);
}

/// The byte ranges of UUIDs (8-4-4-4-12 hex digits) in `bytes`: their digits are never a card.
fn uuid_spans(bytes: &[u8]) -> SmallVec<[Range<usize>; 2]> {
    let mut out = SmallVec::new();
    if bytes.len() < 36 {
        return out;
    }
    let mut next = 0;
    for dash in memchr::memchr_iter(b'-', bytes) {
        let Some(start) = dash.checked_sub(8) else {
            continue;
        };
        if start < next || start + 36 > bytes.len() {
            continue;
        }
        let u = &bytes[start..start + 36];
        let shaped = u.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
        let edge_ok = (start == 0 || !bytes[start - 1].is_ascii_alphanumeric())
            && bytes
                .get(start + 36)
                .is_none_or(|b| !b.is_ascii_alphanumeric());
        if shaped && edge_ok {
            out.push(start..start + 36);
            next = start + 36;
        }
    }
    out
}

/// Scans canonical (or plain ASCII) bytes for cards.
fn scan(bytes: &[u8], key: Option<&str>, out: &mut Vec<Range<usize>>) {
    let uuids = uuid_spans(bytes);
    // Digit runs of the current chain: (start, end). Chains are short; no allocation in practice.
    let mut runs: SmallVec<[(usize, usize); 24]> = SmallVec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let barrier = uuids
            .iter()
            .find(|u| u.contains(&start))
            .map(|u| u.end)
            .or_else(|| {
                (i - start <= 3 && bytes.get(i) == Some(&b'.'))
                    .then(|| ipv4_end(bytes, start))
                    .flatten()
            })
            // The visible ends of a masked number (`****1111`, `411111****`) are not digits of
            // a new one: re-masking masked text changes nothing.
            .or_else(|| masked_end(bytes, start, i).then_some(i));
        if let Some(end) = barrier {
            if !runs.is_empty() {
                scan_chain(bytes, &runs, key, out);
                runs.clear();
            }
            i = i.max(end);
            continue;
        }
        let joined = match runs.last() {
            Some(&(prev_start, prev_end)) => {
                let gap = &bytes[prev_end..start];
                is_separator(gap)
                    && joins_groups(gap, prev_end - prev_start, i - start, runs.len())
                    // A list read out digit by digit ends `…, 1 and 1`.
                    || (prev_end - prev_start <= 2
                        && i - start <= 2
                        && runs.len() >= 3
                        && is_list_word(gap))
            }
            None => false,
        };
        if !joined && !runs.is_empty() {
            scan_chain(bytes, &runs, key, out);
            runs.clear();
        }
        runs.push((start, i));
    }
    if !runs.is_empty() {
        scan_chain(bytes, &runs, key, out);
    }
}

/// True when the digit run `start..end` is the visible end of a masked value: three or more `*`
/// (the mask character) or four or more `#` right before or after it.
fn masked_end(bytes: &[u8], start: usize, end: usize) -> bool {
    let count = |iter: &mut dyn Iterator<Item = &u8>, c: u8| iter.take_while(|&&b| b == c).count();
    let before = |c| count(&mut bytes[..start].iter().rev(), c);
    let after = |c| count(&mut bytes[end..].iter(), c);
    before(b'*') >= 3 || after(b'*') >= 3 || before(b'#') >= 4 || after(b'#') >= 4
}

/// Whether a separator may join two groups of these lengths: a `:` or `.` between short groups is
/// a clock time (`9:45`) or an amount (`30.25`), not a card — unless both groups are single
/// digits, as IVR lists are read out (`4.1.1.1`).
fn joins_groups(gap: &[u8], before: usize, after: usize, groups: usize) -> bool {
    let single = before == 1 && after == 1;
    if gap.contains(&b':') || gap.contains(&b'.') {
        // The last group of a card may be short (`4222.2222.2222.2`).
        single || (before >= 3 && after >= 3) || (before == 4 && groups >= 3)
    } else {
        true
    }
}

/// Extra digits a chain of more than 19 may hold after its cards without card context (an expiry
/// `MMYY`): more, or any before them, and a chain grouped evenly is one long identifier, such as
/// a 22-digit tracking number.
const MAX_EXTRA_DIGITS: usize = 4;

/// The longest evenly grouped identifier a card could hide in: tracking numbers run to 22 digits.
/// A longer chain that starts with a card is a card and more (a card and a phone number).
const MAX_IDENTIFIER_DIGITS: usize = 22;

/// True when a chain has three or more groups and all but the last have the same length
/// (`4-4-4-4-4-2`): how long identifiers are printed. A chain of different groups (`2024-05-01 10:20:30 4111 1111 …`) is
/// several numbers side by side.
fn evenly_grouped(runs: &[(usize, usize)]) -> bool {
    let first = runs[0].1 - runs[0].0;
    runs.len() >= 3 && runs[..runs.len() - 1].iter().all(|(s, e)| e - s == first)
}

/// True when the runs after a card are an expiry (`MMYY`, `MM YY`, `MM/YYYY`) and, optionally, a
/// three- or four-digit security code: what customers write after a card number.
fn expiry_tail(bytes: &[u8], tail: &[(usize, usize)]) -> bool {
    let digits: Vec<&[u8]> = tail.iter().map(|&(s, e)| &bytes[s..e]).collect();
    let month = |d: &[u8]| {
        d.len() == 2 && matches!((d[0], d[1]), (b'0', b'1'..=b'9') | (b'1', b'0'..=b'2'))
    };
    let rest = match digits.as_slice() {
        [d, rest @ ..] if d.len() == 4 && month(&d[..2]) => rest,
        [m, y, rest @ ..] if month(m) && (y.len() == 2 || y.len() == 4) => rest,
        _ => return false,
    };
    match rest {
        [] => true,
        [cvv] => cvv.len() == 3 || cvv.len() == 4,
        _ => false,
    }
}

/// Looks for cards in one chain of digit runs: first made of whole runs (the choice of valid spans
/// that covers the most digits); in card context, also inside glued runs.
fn scan_chain(
    bytes: &[u8],
    runs: &[(usize, usize)],
    key: Option<&str>,
    out: &mut Vec<Range<usize>>,
) {
    let total: usize = runs.iter().map(|(s, e)| e - s).sum();
    if total < 12 {
        return;
    }
    let mut ctx = LazyContext {
        bytes,
        at: runs[0].0,
        key,
        done: None,
    };
    let found_from = out.len();
    // Every valid span of whole runs, as (first run, last run, digits).
    let mut spans: SmallVec<[(usize, usize, usize); 8]> = SmallVec::new();
    let mut mixed_spans: SmallVec<[bool; 8]> = SmallVec::new();
    let mut digits = [0u8; 19];
    for first in 0..runs.len() {
        let mut n = 0;
        let mut mark = None;
        let mut mixed = false;
        for (last, &(s, e)) in runs.iter().enumerate().skip(first) {
            if n + (e - s) > 19 {
                break;
            }
            if last > first {
                let (prev_s, prev_e) = runs[last - 1];
                let gap_mark = bytes[prev_e..s]
                    .iter()
                    .copied()
                    .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                if let Some(m) = gap_mark
                    && !(prev_e - prev_s == 1 && e - s == 1)
                {
                    mixed |= mark.is_some_and(|k| k != m);
                    mark = Some(m);
                }
            }
            digits[n..n + (e - s)].copy_from_slice(&bytes[s..e]);
            n += e - s;
            if n >= 12 && accept(&digits[..n], bytes, runs[first].0, &mut ctx) {
                spans.push((first, last, n));
                mixed_spans.push(mixed);
            }
        }
    }
    // A card is written with one kind of mark between its groups: a span that changes marks
    // ("6459-0919-5922, 01/2028") and overlaps one that does not runs on into the next value.
    // Alone (marks mixed to evade), it stays.
    if mixed_spans.contains(&true) {
        let uniform: SmallVec<[(usize, usize); 8]> = spans
            .iter()
            .zip(&mixed_spans)
            .filter(|(_, m)| !**m)
            .map(|(&(f, l, _), _)| (f, l))
            .collect();
        let mut k = 0;
        spans.retain(|&mut (f, l, _)| {
            let keep = !mixed_spans[k] || !uniform.iter().any(|&(uf, ul)| uf <= l && f <= ul);
            k += 1;
            keep
        });
    }
    // The non-overlapping choice that covers the most digits (a longer first card must not eat
    // the first group of the next one); on a tie the earlier card wins, so a card's own first
    // groups are never the part left in clear. Spans are listed by first run: one pass over them.
    let mut best: SmallVec<[usize; 25]> = SmallVec::from_elem(0, runs.len() + 1);
    let mut choice: SmallVec<[Option<usize>; 25]> = SmallVec::from_elem(None, runs.len() + 1);
    let mut k = spans.len();
    for i in (0..runs.len()).rev() {
        best[i] = best[i + 1];
        while k > 0 && spans[k - 1].0 == i {
            k -= 1;
            let (_, last, n) = spans[k];
            let covered = best[last + 1] + n;
            if covered >= best[i] && (covered > best[i] || choice[i].is_none()) {
                best[i] = covered;
                choice[i] = Some(k);
            }
        }
    }
    let covered = best[0];
    let mut i = 0;
    while i < runs.len() {
        match choice[i] {
            Some(k) => {
                let (first, last, _) = spans[k];
                out.push(runs[first].0..runs[last].1);
                i = last + 1;
            }
            None => i += 1,
        }
    }
    if out.len() > found_from {
        // Beside its cards a long chain may only hold a short tail (an expiry): digits before
        // the first card, or more than a few after, make it one long identifier.
        let starts_chain = out[found_from].start == runs[0].0;
        let last_card_end = out[out.len() - 1].end;
        let tail_from = runs
            .iter()
            .position(|r| r.0 >= last_card_end)
            .unwrap_or(runs.len());
        if total <= 19
            || total > MAX_IDENTIFIER_DIGITS
            || !evenly_grouped(runs)
            || (starts_chain && total - covered <= MAX_EXTRA_DIGITS)
            || (starts_chain && expiry_tail(bytes, &runs[tail_from..]))
            || ctx.get().card
        {
            return;
        }
        out.truncate(found_from);
    }
    if ctx.get().card {
        find_glued(bytes, runs, out);
    }
}

/// Card lengths to try inside a glued run, commonest first.
const GLUED_LENGTHS: [usize; 8] = [16, 15, 14, 19, 13, 18, 17, 12];
/// Digits that may follow a glued card in its run: an expiry and a CVV at most.
const MAX_GLUED_TAIL: usize = 8;

/// In card context: a card glued to what follows it (`4111111111111111` + `1229`) or to a leading
/// `0`, as IVR digit capture produces. The card starts at a run's start (or after its leading zero).
fn find_glued(bytes: &[u8], runs: &[(usize, usize)], out: &mut Vec<Range<usize>>) {
    // Only inside one run longer than a card could be on its own: separators between groups
    // mean grouped numbers (dates, amounts), which whole runs already decided.
    for &(s, e) in runs.iter().filter(|(s, e)| e - s > 12) {
        let run = &bytes[s..e];
        let zeros = run.iter().take(2).take_while(|&&b| b == b'0').count();
        for start in 0..=zeros {
            for len in GLUED_LENGTHS {
                let end = start + len;
                if end > run.len() || run.len() - end > MAX_GLUED_TAIL {
                    continue;
                }
                if shape(&run[start..end]).is_some() {
                    out.push(s + start..s + end);
                    return;
                }
            }
        }
    }
}

/// The runs of a card split over consecutive parts (array elements, sibling fields), each a digit
/// string: the index range of the parts that make it up, if any. `key` names the array or object.
pub fn find_in_parts(parts: &[&str], key: Option<&str>) -> Vec<Range<usize>> {
    let mut joined = String::new();
    let mut bounds = Vec::with_capacity(parts.len());
    for p in parts {
        if !joined.is_empty() {
            joined.push(' ');
        }
        let start = joined.len();
        joined.push_str(p);
        bounds.push(start..joined.len());
    }
    let mut spans = Vec::new();
    scan(joined.as_bytes(), key, &mut spans);
    spans
        .into_iter()
        .filter_map(|r| {
            let first = bounds.iter().position(|b| b.start == r.start)?;
            let last = bounds.iter().position(|b| b.end == r.end)?;
            // A card inside one part is that part's own business (its string is scanned alone).
            (last > first).then_some(first..last + 1)
        })
        .collect()
}

/// The exact integer a JSON number stands for, as digits, when it is one written in a
/// non-canonical form (`44174818672573710e-1`, `4.8298003448697000e15`, `4111111111111111.0`).
pub fn integer_digits(number: &str) -> Option<String> {
    let body = number.strip_prefix('-').unwrap_or(number);
    let exponent = body.bytes().any(|b| matches!(b, b'e' | b'E'));
    // Without an exponent a twelve-digit integer needs twelve digits before any point.
    if !exponent && (body.len() < 12 || !body.contains('.')) {
        return None;
    }
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], body[at + 1..].parse::<i32>().ok()?),
        // Without an exponent, `123.45` is no integer and `4111….0` needs its twelve digits
        // before the point: most decimals (amounts) leave here.
        None if body
            .find('.')
            .is_some_and(|p| p < 7 || !body[p + 1..].bytes().all(|b| b == b'0')) =>
        {
            return None;
        }
        None => (body, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut digits: String = format!("{int}{frac}");
    let shift = exp.checked_sub(i32::try_from(frac.len()).ok()?)?;
    if shift >= 0 {
        if digits.len() + shift as usize > 40 {
            return None;
        }
        digits.extend(std::iter::repeat_n('0', shift as usize));
    } else {
        let cut = usize::try_from(-shift).ok()?;
        if cut > digits.len() || !digits[digits.len() - cut..].bytes().all(|b| b == b'0') {
            return None;
        }
        digits.truncate(digits.len() - cut);
    }
    let digits = digits.trim_start_matches('0');
    (!digits.is_empty() && digits.len() <= 40).then(|| digits.to_string())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        found_in(text, None)
    }

    fn found_in<'a>(text: &'a str, key: Option<&str>) -> Vec<&'a str> {
        let mut out = Vec::new();
        find(text, key, &mut out);
        out.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_cards_of_every_network_and_grouping() {
        let cases = [
            ("visa 16", "4111111111111111"),
            ("visa 13", "4222222222222"),
            ("visa 19", "4111111111111111110"),
            ("mastercard 5x", "5555555555554444"),
            ("mastercard 2x", "2223003122003222"),
            ("amex", "378282246310005"),
            ("discover", "6011111111111117"),
            ("diners 14", "36227206271667"),
            ("jcb", "3530111333300000"),
            ("unionpay", "6200000000000005"),
            ("maestro 12", "675964982648"),
            ("mir", "2200000000000004"),
            ("diners 38 at 14", "38520000023237"),
        ];
        for (name, pan) in cases {
            assert!(is_card(pan.as_bytes()), "{name} should be a card");
            assert_eq!(
                found(&format!("pay with {pan} please")),
                vec![pan],
                "{name}"
            );
        }
        // UATP only where the text or the field says card: its shape is a log timestamp's.
        assert!(is_card(b"135410014004955"));
        assert_eq!(
            found("airline card 135410014004955"),
            vec!["135410014004955"]
        );
        assert_eq!(
            found_in("135410014004955", Some("cardNumber")),
            vec!["135410014004955"]
        );
        assert!(found("pay with 135410014004955 please").is_empty());
        for text in [
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "4111 1111-1111 1111",
            "4111  1111  1111  1111",
            "4111\t1111\t1111\t1111",
            "4111\u{a0}1111\u{a0}1111\u{a0}1111",
            "4111/1111/1111/1111",
            "4111 - 1111 - 1111 - 1111",
            "4111\u{2013}1111\u{2013}1111\u{2013}1111",
            "4111.1111.1111.1111",
            "3782 822463 10005",
            "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
            "4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 and 1",
            "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 y 1",
        ] {
            assert_eq!(found(&format!("card:{text}, exp 12/27")), vec![text]);
        }
    }

    #[test]
    fn network_table_agrees_with_a_full_scan() {
        // Every issuer range is reachable through the two-digit index.
        for (k, i) in ISSUERS.iter().enumerate() {
            for p in [i.low, i.high] {
                let mut d = p.to_string().into_bytes();
                d.resize(i.min_len, b'0');
                assert!(
                    network(&d).is_some(),
                    "issuer {k} ({}) unreachable for {p}",
                    i.network
                );
            }
        }
        assert_eq!(network(b"3200000000000000"), None);
        assert_eq!(network(b"0411111111111111"), None);
    }

    #[test]
    fn leaves_hard_negatives_alone() {
        for text in [
            "order 4111111111111112",               // Luhn-invalid
            "ts 1700000000000",                     // epoch ms
            "tracking 4111111111111111000000",      // 22+ digit run
            "id 9111111111111111",                  // no issuer (Luhn-valid? irrelevant)
            "550e8400-e29b-41d4-a716-446655440000", // UUID
            "2024-05-01T10:20:30.123Z",
            "total 1,234,567.89 EUR",
            "version 10.0.19045.2965",
            "tracking 4111 1111 1111 1111 0000 00", // 22 digits grouped: one identifier
            "tracking 4111-1111-1111-1111-0000-00",
            "IMEI 356938035643809",
            "EAN 4006381333931",
            "order 8112345678901237",
            "+4915123456789 is my number",
            "12345678-1234-4234-8234-675964982648", // UUID with an all-digit tail
            "4111****1111****",
            "hosts 10.212.134.56 192.168.4.101 unreachable",
            "allowlist: 10.212.134.56, 10.212.14.101",
            "code-barres 4006381333931",
            "I have 2 cards and 4 accounts, 1111 and 2222",
            "4111     1111     1111     1111", // five spaces: separate numbers
        ] {
            assert!(found(text).is_empty(), "{text} -> {:?}", found(text));
        }
    }

    #[test]
    fn what_customers_write_around_a_card() {
        let pan = "4111 1111 1111 1111";
        for text in [
            format!("here you go {pan} 12/27 123"),
            format!("ok: {pan}, 08/29, 737"),
            format!("2024-05-01 10:20:30 {pan}"),
            format!("10:32 {pan}"),
            format!("12 34 {pan}"),
            format!("{pan} 0612 3456 78"),
            format!("card {pan} 12/27 123 10008"),
            "4111;1111;1111;1111 and 4111'1111'1111'1111".to_string(),
            "<td>4111</td>\n    <td>1111</td>\n    <td>1111</td>\n    <td>1111</td>".to_string(),
        ] {
            let mut masked = String::new();
            let mut pos = 0;
            let mut spans = Vec::new();
            find(&text, None, &mut spans);
            for r in spans {
                masked.push_str(&text[pos..r.start]);
                masked.push('#');
                pos = r.end;
            }
            masked.push_str(&text[pos..]);
            let digits: String = masked.chars().filter(char::is_ascii_digit).collect();
            assert!(!digits.contains("4111111111111111"), "{masked}");
            assert!(
                !masked.contains("1111 1111 1111"),
                "twelve digits shown: {masked}"
            );
        }
    }

    #[test]
    fn a_card_does_not_run_on_into_its_expiry_across_other_marks() {
        // "6459 0919 5922 01 2028" is a Luhn-valid Discover too, and longer: the card's own
        // dashes decide where it ends.
        let text = "cartão: 5204-6459-0919-5922, 01/2028, 439";
        let mut spans = Vec::new();
        find(text, None, &mut spans);
        let found: Vec<&str> = spans.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, vec!["5204-6459-0919-5922"]);
    }

    #[test]
    fn masked_output_is_not_read_again() {
        for text in [
            "card ****1111, 0600000008",
            "card 411111****1111 12/27",
            "Karte ****1111 / 1234567890",
            "tarjeta ****9202 749118",
        ] {
            assert!(found(text).is_empty(), "{text} -> {:?}", found(text));
        }
    }

    #[test]
    fn context_and_shapes_that_are_not_cards() {
        for text in [
            "my SIM card stopped working, IMEI 356938035643809",
            "card declined 2025-08-21 19:50:11.174",
            "card valid 02/01/2024 - 07/04/2027",
            "I was charged 30.25, 89.79, 47.56, 37.58 on my card",
            "slots 9:45, 16:15, 17:15, 9:00, 11:30",
            "ring 49 167 13058215",
            "FedEx 692710595599942",
            "Art.-Nr. 4075516840640",
        ] {
            assert!(found(text).is_empty(), "{text} -> {:?}", found(text));
        }
        assert!(found_in("1737812463913", Some("cardAddedAt")).is_empty());
    }

    #[test]
    fn a_long_chain_of_single_digits_is_found_card_by_card() {
        // 256 KiB of `4 1 1 1 …` read out: every card found (the span choice is one pass over
        // the runs; the mask bench and the property tests time it, not this test).
        let text = "4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 ".repeat(8 * 1024);
        let mut out = Vec::new();
        find(&text, None, &mut out);
        assert_eq!(out.len(), 8 * 1024);
    }

    #[test]
    fn two_cards_in_one_chain_are_both_found() {
        // The longest span from the first group would take the next card's first digit (a
        // Luhn-valid 15-digit Diners): the choice that covers most digits finds both.
        assert_eq!(
            found("cb= 3630 9096 2993 29 and 3 6309 0962 9932 9"),
            vec!["3630 9096 2993 29", "3 6309 0962 9932 9"]
        );
        assert_eq!(
            found("4111 1111 1111 1111 5555 5555 5555 4444"),
            vec!["4111 1111 1111 1111", "5555 5555 5555 4444"]
        );
    }

    #[test]
    fn picks_the_card_out_of_a_longer_chain() {
        assert_eq!(
            found("4111 1111 1111 1111 2027"),
            vec!["4111 1111 1111 1111"]
        );
        assert_eq!(found("12 4111111111111111"), vec!["4111111111111111"]);
    }
}
