//! Built-in detectors: the kinds of personal data the product knows how to find without a
//! compliance-written regex.
//!
//! Each detector turns one string into byte spans. Detectors are cheap to call on text that cannot
//! contain what they look for: [`Hints`] is computed once per string and lets each detector skip the
//! string after a glance at a few counters, so a string is effectively scanned once for all of them.
//! The card and sensitive-authentication-data detectors read the canonical view of a string
//! (`masking::canon`) when it may differ from the bytes, and report spans in the original.

mod card;
mod contact;
mod iban;
mod network;
mod sad;
mod secrets;
mod ssn;

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use card::{FieldContext, find_in_parts, integer_digits, is_card, network as card_network};

pub(crate) use card::key_tokens as card_key_tokens;

use super::canon;

/// The built-in detectors a rule can enable by name (`detector = "payment_card"` in a rule file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// Payment card numbers (PAN) of every network, Luhn-checked, plain or grouped.
    PaymentCard,
    /// Magnetic-stripe track 1 and 2 data and PIN blocks (sensitive authentication data).
    CardTrackData,
    /// Card security codes (CVV/CVC/CSC/CID) and PINs named in text, in seven languages.
    CardSecurityCode,
    /// Email addresses.
    Email,
    /// Phone numbers: E.164 and common national formats, with context so amounts and dates are not phones.
    Phone,
    /// US social security numbers, with the invalid-area rules.
    UsSsn,
    /// International bank account numbers, mod-97 checked, grouped or not.
    Iban,
    /// IPv4 addresses.
    Ipv4,
    /// IPv6 addresses.
    Ipv6,
    /// JSON Web Tokens.
    Jwt,
    /// The token after `Bearer` in an authorization header or text.
    BearerToken,
    /// Well-known API key shapes (AWS, GitHub, Stripe, Slack, Google, OpenAI, GitLab, SendGrid).
    ApiKey,
    /// The value in `password=…`, `api_key: …`, `secret=…` style assignments.
    SecretAssignment,
}

impl Builtin {
    /// Every detector, for documentation and `rules explain`.
    pub const ALL: [Builtin; 13] = [
        Builtin::PaymentCard,
        Builtin::CardTrackData,
        Builtin::CardSecurityCode,
        Builtin::Email,
        Builtin::Phone,
        Builtin::UsSsn,
        Builtin::Iban,
        Builtin::Ipv4,
        Builtin::Ipv6,
        Builtin::Jwt,
        Builtin::BearerToken,
        Builtin::ApiKey,
        Builtin::SecretAssignment,
    ];

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Builtin::PaymentCard => "payment_card",
            Builtin::CardTrackData => "card_track_data",
            Builtin::CardSecurityCode => "card_security_code",
            Builtin::Email => "email",
            Builtin::Phone => "phone",
            Builtin::UsSsn => "us_ssn",
            Builtin::Iban => "iban",
            Builtin::Ipv4 => "ipv4",
            Builtin::Ipv6 => "ipv6",
            Builtin::Jwt => "jwt",
            Builtin::BearerToken => "bearer_token",
            Builtin::ApiKey => "api_key",
            Builtin::SecretAssignment => "secret_assignment",
        }
    }

    /// The placeholder `redact` writes when a rule does not choose one.
    pub fn default_placeholder(self) -> &'static str {
        match self {
            Builtin::PaymentCard => "[CARD]",
            Builtin::CardTrackData => "[TRACK]",
            Builtin::CardSecurityCode => "[CVV]",
            Builtin::Email => "[EMAIL]",
            Builtin::Phone => "[PHONE]",
            Builtin::UsSsn => "[SSN]",
            Builtin::Iban => "[IBAN]",
            Builtin::Ipv4 | Builtin::Ipv6 => "[IP]",
            Builtin::Jwt => "[JWT]",
            Builtin::BearerToken => "[TOKEN]",
            Builtin::ApiKey => "[API_KEY]",
            Builtin::SecretAssignment => "[SECRET]",
        }
    }

    /// Whether the value is a digit string whose separators carry no meaning: `mask` and `hash` then
    /// work on the letters and digits alone, so "4111 1111 1111 1111" and "4111111111111111" give the
    /// same `****1111` and the same token.
    pub fn strips_separators(self) -> bool {
        matches!(
            self,
            Builtin::PaymentCard | Builtin::Phone | Builtin::UsSsn | Builtin::Iban
        )
    }

    /// Sensitive authentication data: PCI DSS forbids showing any part of it, so only `redact` and
    /// `drop` may act on it.
    pub fn is_sensitive_auth_data(self) -> bool {
        matches!(self, Builtin::CardTrackData | Builtin::CardSecurityCode)
    }

    /// Whether a string with these byte counts can hold this kind at all.
    pub fn may_match(self, hints: &Hints) -> bool {
        // Every digit of the canonical view comes from an ASCII digit (escapes such as `%34` and
        // `&#52;` hold ASCII digits too) or from non-ASCII bytes, so this bound is safe.
        let view_digits = hints.digits + hints.odd;
        match self {
            Builtin::PaymentCard => view_digits >= 12,
            Builtin::CardTrackData => view_digits >= 12,
            Builtin::CardSecurityCode => view_digits >= 3 && hints.letters + hints.odd >= 3,
            Builtin::Email => hints.at_signs > 0,
            Builtin::Phone => hints.digits >= 7,
            Builtin::UsSsn => hints.digits >= 9,
            Builtin::Iban => {
                hints.digits >= 2 && hints.letters >= 2 && hints.digits + hints.letters >= 15
            }
            Builtin::Ipv4 => hints.dots >= 3 && hints.digits >= 4,
            Builtin::Ipv6 => hints.colons >= 2,
            Builtin::Jwt => hints.dots >= 2 && hints.letters >= 10,
            Builtin::BearerToken => hints.letters >= 10,
            Builtin::ApiKey => hints.letters >= 4 && hints.digits + hints.letters >= 16,
            Builtin::SecretAssignment => hints.letters >= 3,
        }
    }

    /// Finds this detector's spans in `text`, skipping the work when `hints` rule the kind out.
    /// `key` names the field holding the text (context for the card detector).
    pub fn find(self, text: &str, hints: &Hints, key: Option<&str>, out: &mut Vec<Range<usize>>) {
        if !self.may_match(hints) {
            return;
        }
        match self {
            Builtin::PaymentCard => card::find_with(text, key, hints.may_need_view(text), out),
            Builtin::CardTrackData => {
                // Track data needs its field separator (`^`, `=` or `D`), or an escape that may
                // stand for one.
                if memchr::memchr3(b'^', b'=', b'D', text.as_bytes()).is_some()
                    || memchr::memchr2(b'%', b'&', text.as_bytes()).is_some()
                {
                    on_view(text, hints, sad::find_tracks, out)
                }
            }
            Builtin::CardSecurityCode => on_view(text, hints, sad::find_security_codes, out),
            Builtin::Email => contact::find_emails(text, out),
            Builtin::Phone => contact::find_phones(text, out),
            Builtin::UsSsn => ssn::find(text, out),
            Builtin::Iban => iban::find(text, out),
            Builtin::Ipv4 => network::find_ipv4(text, out),
            Builtin::Ipv6 => network::find_ipv6(text, out),
            Builtin::Jwt => secrets::find_jwts(text, out),
            Builtin::BearerToken => secrets::find_bearer(text, out),
            Builtin::ApiKey => secrets::find_api_keys(text, out),
            Builtin::SecretAssignment => secrets::find_assignments(text, out),
        }
    }
}

/// Counters gathered in one pass over a string so detectors can rule themselves out cheaply.
#[derive(Debug, Default, Clone, Copy)]
pub struct Hints {
    /// ASCII digits.
    pub digits: usize,
    /// ASCII letters.
    pub letters: usize,
    /// `@` characters.
    pub at_signs: usize,
    /// `.` characters.
    pub dots: usize,
    /// `:` characters.
    pub colons: usize,
    /// Non-ASCII and control bytes (tabs and line breaks included). With no `%`, `&` or `<`
    /// either ([`Hints::may_need_view`]), the text is its own canonical view.
    pub odd: usize,
}

impl Hints {
    /// Whether `text` (whose hints these are) may read differently in the canonical view.
    pub fn may_need_view(&self, text: &str) -> bool {
        self.odd > 0 || memchr::memchr3(b'%', b'&', b'<', text.as_bytes()).is_some()
    }

    /// Counts the bytes detectors care about.
    pub fn of(text: &str) -> Hints {
        // Branch-free sums the compiler vectorises: this runs on every string of every event.
        let (mut digits, mut letters, mut at_signs, mut dots, mut colons, mut odd) =
            (0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
        for &b in text.as_bytes() {
            digits += u32::from(b.wrapping_sub(b'0') < 10);
            letters += u32::from((b | 0x20).wrapping_sub(b'a') < 26);
            at_signs += u32::from(b == b'@');
            dots += u32::from(b == b'.');
            colons += u32::from(b == b':');
            // Non-ASCII and control bytes (tabs and line breaks too): one compare, so the loop
            // stays vectorised. Escapes (`%`, `&`, `<`) are looked for only when needed.
            odd += u32::from(b.wrapping_sub(0x20) >= 0x5f);
        }
        Hints {
            digits: digits as usize,
            letters: letters as usize,
            at_signs: at_signs as usize,
            dots: dots as usize,
            colons: colons as usize,
            odd: odd as usize,
        }
    }
}

/// True when the byte before `start` and the byte at `end` are not ASCII letters, digits or any of
/// `extra`: the match is a whole token, not a piece of a longer one.
pub(crate) fn bounded(text: &str, start: usize, end: usize, extra: &[u8]) -> bool {
    let b = text.as_bytes();
    let clash = |c: u8| c.is_ascii_alphanumeric() || extra.contains(&c);
    let before = start > 0 && clash(b[start - 1]);
    let after = end < b.len() && clash(b[end]);
    !before && !after
}

/// True when one of `words` appears in the `window` bytes before `start`:
/// the context that turns an ambiguous digit string into a phone number or an SSN.
pub(crate) fn context_before(
    text: &str,
    start: usize,
    window: usize,
    words: &ContextWords,
) -> bool {
    let from = start.saturating_sub(window);
    words.in_window(&text.as_bytes()[from..start])
}

/// A list of context words compiled once into a case-insensitive automaton; some may be required
/// to stand as whole words (`pan`, `ean`), the others match inside longer words too.
pub(crate) struct ContextWords {
    ac: aho_corasick::AhoCorasick,
    /// Patterns from this index on match only as whole words.
    whole_from: usize,
}

impl ContextWords {
    /// Compiles the words (ASCII case is ignored), each matching inside longer words too.
    pub(crate) fn new(words: &[&str]) -> ContextWords {
        ContextWords::with_whole_words(words, &[])
    }

    /// Compiles `words`, and `whole` that match only as whole words.
    pub(crate) fn with_whole_words(words: &[&str], whole: &[&str]) -> ContextWords {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words.iter().chain(whole))
            .expect("context words are plain literals");
        ContextWords {
            ac,
            whole_from: words.len(),
        }
    }

    /// True when one of the words is in `window`.
    pub(crate) fn in_window(&self, window: &[u8]) -> bool {
        if self.whole_from == self.ac.patterns_len() {
            self.ac.is_match(window)
        } else {
            self.last_in(window).is_some()
        }
    }

    /// The end of the last of the words in `window`, if any: where the nearest one stands.
    pub(crate) fn last_in(&self, window: &[u8]) -> Option<usize> {
        let alnum = |at: Option<&u8>| at.is_some_and(u8::is_ascii_alphanumeric);
        self.ac
            .find_overlapping_iter(window)
            .filter(|m| {
                m.pattern().as_usize() < self.whole_from
                    || (!alnum(m.start().checked_sub(1).and_then(|i| window.get(i)))
                        && !alnum(window.get(m.end())))
            })
            .map(|m| m.end())
            .max()
    }
}

/// Runs `find` on the canonical view of `text` when it may differ from the bytes, mapping the spans
/// back to the original.
fn on_view(
    text: &str,
    hints: &Hints,
    find: fn(&str, &mut Vec<Range<usize>>),
    out: &mut Vec<Range<usize>>,
) {
    if hints.may_need_view(text) {
        canon::find_on_view(text, 3, out, find);
    } else {
        find(text, out);
    }
}

/// The spans of card numbers in `text` (held in a field named `key`, if any), in the canonical
/// view's reading.
pub fn card_spans(text: &str, key: Option<&str>) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    card::find(text, key, &mut spans);
    spans
}

/// True when `text` holds anything the card detector would mask: the last line of defence before
/// data leaves the process, and a sanity check on placeholders.
pub fn contains_card(text: &str) -> bool {
    !card_spans(text, None).is_empty()
}

/// Runs one finder and returns the texts it found: the shape every detector's table test needs.
#[cfg(test)]
pub(crate) fn found_by(find: fn(&str, &mut Vec<Range<usize>>), text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    find(text, &mut out);
    out.into_iter().map(|r| &text[r]).collect()
}
