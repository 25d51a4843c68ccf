//! Built-in detectors: the kinds of personal data the product knows how to find without a
//! compliance-written regex.
//!
//! Each detector turns one string into byte spans. Detectors are cheap to call on text that cannot
//! contain what they look for: [`Hints`] is computed once per string and lets each detector skip the
//! string after a glance at a few counters, so a string is effectively scanned once for all of them.
//! The card and sensitive-authentication-data detectors read the canonical view of a string
//! (`masking::canon`) when it may differ from the bytes, and report spans in the original.

mod birth;
mod card;
mod contact;
mod iban;
mod national_id;
mod network;
mod person;
mod phone;
mod sad;
mod secrets;
mod ssn;
pub(crate) mod words;

use std::ops::Range;

use serde::{Deserialize, Serialize};

pub use card::{FieldContext, find_in_parts, integer_digits, is_card, network as card_network};

pub(crate) use card::key_tokens as card_key_tokens;

use super::canon;
pub(crate) use contact::markers as email_markers;
pub(crate) use person::POST_BOX_WORDS;
pub(crate) use secrets::name_forms as secret_name_forms;
pub(crate) use words::ContextWords;
pub use words::{Lexicon, Lists, WordKind};

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
    /// Dates of birth: a date (numeric or with a month name, six languages) after a birth word.
    DateOfBirth,
    /// US social security numbers, with the invalid-area rules.
    UsSsn,
    /// International bank account numbers, mod-97 checked, grouped or not.
    Iban,
    /// National identity and tax numbers with a check digit: UK NI and NHS, ES DNI/NIE, IT codice
    /// fiscale, FR NIR, NL BSN, DE Steuer-ID, PT NIF.
    NationalId,
    /// A person's name where they give it ("my name is …", "me llamo …", "ich heiße …").
    PersonName,
    /// A street address where a person gives it ("I live at 12 High Street …"), and postcodes in it.
    StreetAddress,
    /// IPv4 addresses.
    Ipv4,
    /// IPv6 addresses.
    Ipv6,
    /// PEM private-key blocks (`-----BEGIN … PRIVATE KEY-----` to its END line).
    PrivateKey,
    /// JSON Web Tokens.
    Jwt,
    /// The token after `Bearer` in an authorization header or text, and HTTP Basic credentials
    /// (base64 of `user:password` after `Basic`).
    BearerToken,
    /// Well-known secret shapes of a maintained secret-scanning rule set (AWS, GitHub, Stripe, Slack,
    /// Google, OpenAI, GitLab, SendGrid and more), kept as data in `detectors/secret_shapes.toml`.
    ApiKey,
    /// The value in `password=…`, `api_key: …`, `secret=…` style assignments.
    SecretAssignment,
}

impl Builtin {
    /// Every detector, for documentation and `rules explain`.
    pub const ALL: [Builtin; 18] = [
        Builtin::PaymentCard,
        Builtin::CardTrackData,
        Builtin::CardSecurityCode,
        Builtin::Email,
        Builtin::Phone,
        Builtin::DateOfBirth,
        Builtin::UsSsn,
        Builtin::Iban,
        Builtin::NationalId,
        Builtin::PersonName,
        Builtin::StreetAddress,
        Builtin::Ipv4,
        Builtin::Ipv6,
        Builtin::PrivateKey,
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
            Builtin::DateOfBirth => "date_of_birth",
            Builtin::UsSsn => "us_ssn",
            Builtin::Iban => "iban",
            Builtin::NationalId => "national_id",
            Builtin::PersonName => "person_name",
            Builtin::StreetAddress => "street_address",
            Builtin::PrivateKey => "private_key",
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
            Builtin::DateOfBirth => "[DOB]",
            Builtin::UsSsn => "[SSN]",
            Builtin::Iban => "[IBAN]",
            Builtin::NationalId => "[ID]",
            Builtin::PersonName => "[NAME]",
            Builtin::StreetAddress => "[ADDRESS]",
            Builtin::PrivateKey => "[PRIVATE_KEY]",
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
            // Named codes need their name's letters; one after a card needs the card's digits.
            Builtin::CardSecurityCode => {
                view_digits >= 3 && (hints.letters + hints.odd >= 3 || view_digits >= 15)
            }
            // `%40`, `&#64;` and a full-width `＠` read as `@` in the canonical view.
            // An `@` spelled out ("jane at example dot com") needs letters only.
            Builtin::Email => {
                hints.at_signs > 0 || (hints.dots > 0 && hints.letters >= 4) || hints.letters >= 8
            }
            Builtin::Phone => view_digits >= 7,
            Builtin::DateOfBirth => birth::may_match(hints),
            Builtin::UsSsn => view_digits >= 9,
            Builtin::Iban => {
                hints.digits >= 2 && hints.letters >= 2 && hints.digits + hints.letters >= 15
            }
            Builtin::NationalId => national_id::may_match(hints),
            Builtin::PersonName => person::may_match_name(hints),
            Builtin::StreetAddress => person::may_match_address(hints),
            Builtin::PrivateKey => secrets::may_match_private_key(hints),
            Builtin::Ipv4 => hints.dots >= 3 && hints.digits >= 4,
            Builtin::Ipv6 => hints.colons >= 2,
            Builtin::Jwt => hints.dots >= 2 && hints.letters >= 10,
            Builtin::BearerToken => hints.letters >= 10,
            Builtin::ApiKey => hints.letters >= 4 && hints.digits + hints.letters >= 16,
            Builtin::SecretAssignment => hints.letters >= 3,
        }
    }

    /// For a detector gated by literals, whether these hints open its gate without one (`None`:
    /// only its literals do). A security code after a card number needs no word: a string with
    /// the digits of a card and a code may hold one.
    pub fn opens_by_hints(self, hints: &Hints) -> Option<bool> {
        match self {
            Builtin::CardSecurityCode => Some(hints.digits + hints.odd >= 15),
            _ => None,
        }
    }

    /// The context word that decided a finding starting at `start` of `text`, for detectors that
    /// weigh context words: what `rules explain` shows, so a compliance team sees why.
    pub fn context_word(self, lex: &Lexicon, text: &str, start: usize) -> Option<String> {
        let kind = match self {
            Builtin::Phone => return phone::deciding_word(text, lex, start),
            Builtin::DateOfBirth => WordKind::DateOfBirth,
            Builtin::UsSsn => WordKind::UsSsn,
            Builtin::NationalId => WordKind::NationalId,
            Builtin::PersonName => WordKind::PersonName,
            Builtin::StreetAddress => WordKind::StreetAddress,
            Builtin::SecretAssignment => WordKind::Password,
            _ => return None,
        };
        let b = text.as_bytes();
        let window = b.get(start.saturating_sub(64)..start)?;
        lex.words(kind).nearest(window).map(|f| f.word.to_string())
    }

    /// A cheap first look at a field name: whether any detector may be opened by it
    /// ([`Builtin::opened_by_key`]).
    pub fn key_may_open(key: &str) -> bool {
        // One pass: every word starts with `p`, `c` or `s`; field names are short.
        let b = key.as_bytes();
        (0..b.len()).any(|i| {
            let rest = &b[i..];
            let starts = |w: &[u8]| {
                rest.get(..w.len())
                    .is_some_and(|x| x.eq_ignore_ascii_case(w))
            };
            match b[i] | 0x20 {
                b'p' => starts(b"pin"),
                b'c' => starts(b"cv") || starts(b"csc") || starts(b"cod"),
                b's' => starts(b"secur"),
                _ => false,
            }
        })
    }

    /// Whether the field named `key` holds this detector's kind by its name whatever the prefilter
    /// saw in `text` (a security code in `enteredPin`, `cvvCode`).
    pub fn opened_by_key(self, key: &str, text: &str) -> bool {
        self == Builtin::CardSecurityCode && sad::field_holds_code(key, text)
    }

    /// Finds this detector's spans in the string, skipping the work when its hints rule the kind
    /// out. Detectors that read the canonical view share the subject's one view.
    pub fn find(self, subject: &Subject<'_>, hints_only: bool, out: &mut Vec<Range<usize>>) {
        let (text, hints, key, lex) = (subject.text, &subject.hints, subject.key, subject.lexicon);
        if let Some(k) = key
            && self.opened_by_key(k, text)
        {
            let trimmed = text.trim_start();
            let start = text.len() - trimmed.len();
            out.push(start..start + trimmed.trim_end().len());
            return;
        }
        if !self.may_match(hints) {
            return;
        }
        match self {
            Builtin::PaymentCard => subject.on_view(12, |t, out| card::scan_text(t, key, out), out),
            Builtin::CardTrackData => {
                // Track data needs its field separator (`^`, `=` or `D`), or an escape that may
                // stand for one.
                if memchr::memchr3(b'^', b'=', b'D', text.as_bytes()).is_some()
                    || memchr::memchr2(b'%', b'&', text.as_bytes()).is_some()
                {
                    subject.on_view(12, sad::find_tracks, out)
                }
            }
            // Opened by a card's digits alone: no word names a code, so only a code standing
            // after a card can be one.
            Builtin::CardSecurityCode if hints_only => {
                subject.on_view(15, sad::find_codes_after_cards, out)
            }
            Builtin::CardSecurityCode => subject.on_view(3, sad::find_security_codes, out),
            // The prefilter runs this only where one of [`email_markers`] stands.
            Builtin::Email => subject.on_view(0, contact::find_emails, out),
            Builtin::Phone => subject.on_view(7, |t, out| phone::find(t, lex, out), out),
            Builtin::DateOfBirth => subject.on_view(2, |t, out| birth::find(t, lex, out), out),
            Builtin::UsSsn => subject.on_view(9, |t, out| ssn::find(t, lex, out), out),
            Builtin::Iban => subject.on_view(2, iban::find, out),
            Builtin::NationalId => subject.on_view(0, |t, out| national_id::find(t, lex, out), out),
            Builtin::PersonName => {
                subject.on_view(0, |t, out| person::find_names(t, lex, out), out)
            }
            Builtin::StreetAddress => {
                subject.on_view(0, |t, out| person::find_addresses(t, lex, out), out)
            }
            Builtin::PrivateKey => secrets::find_private_keys(text, out),
            Builtin::Ipv4 => subject.on_view(4, network::find_ipv4, out),
            Builtin::Ipv6 => subject.on_view(0, network::find_ipv6, out),
            Builtin::Jwt => secrets::find_jwts(text, out),
            Builtin::BearerToken => secrets::find_bearer(text, out),
            Builtin::ApiKey => secrets::find_api_keys(text, out),
            Builtin::SecretAssignment => {
                subject.on_view(0, |t, out| secrets::find_assignments(t, lex, out), out)
            }
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
    /// Non-ASCII and control bytes (tabs and line breaks included). With none but tabs and line
    /// breaks, and no escape ([`Hints::may_need_view`]), the text is its own canonical view.
    pub odd: usize,
    /// Line breaks and tabs (counted in `odd` too).
    pub breaks: usize,
}

impl Hints {
    /// Whether `text` (whose hints these are) may read differently in the canonical view: it
    /// holds a non-ASCII or control byte, or an escape or tag the view decodes.
    pub fn may_need_view(&self, text: &str) -> bool {
        // `odd` counts line breaks and tabs too, which read as themselves.
        self.odd > self.breaks || canon::has_escape(text)
    }

    /// Counts the bytes detectors care about.
    pub fn of(text: &str) -> Hints {
        // Branch-free sums the compiler vectorises: this runs on every string of every event.
        let (mut digits, mut letters, mut at_signs, mut dots, mut colons, mut odd, mut breaks) =
            (0u32, 0u32, 0u32, 0u32, 0u32, 0u32, 0u32);
        for &b in text.as_bytes() {
            digits += u32::from(b.wrapping_sub(b'0') < 10);
            letters += u32::from((b | 0x20).wrapping_sub(b'a') < 26);
            at_signs += u32::from(b == b'@');
            dots += u32::from(b == b'.');
            colons += u32::from(b == b':');
            // Non-ASCII and control bytes (tabs and line breaks too): one compare, so the loop
            // stays vectorised. Escapes (`%`, `&`, `<`) are looked for only when needed.
            odd += u32::from(b.wrapping_sub(0x20) >= 0x5f);
            breaks += u32::from(matches!(b, b'\t' | b'\n' | b'\r'));
        }
        Hints {
            digits: digits as usize,
            letters: letters as usize,
            at_signs: at_signs as usize,
            dots: dots as usize,
            colons: colons as usize,
            odd: odd as usize,
            breaks: breaks as usize,
        }
    }
}

/// Whether `r` overlaps any span of `found`: a detector's second finder (read-out phones,
/// spelled-out emails) adds only what its first one missed.
pub(crate) fn overlaps_any(found: &[Range<usize>], r: &Range<usize>) -> bool {
    found.iter().any(|o| o.start < r.end && r.start < o.end)
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

/// One string as every detector sees it: its bytes, its hints, the field it is in, the context
/// words of the ruleset masking it, and its canonical view, built at most once however many
/// detectors read it.
pub struct Subject<'a> {
    text: &'a str,
    hints: Hints,
    key: Option<&'a str>,
    lexicon: &'a Lexicon,
    needs_view: bool,
    view: std::cell::OnceCell<canon::View>,
    potential_digits: std::cell::OnceCell<usize>,
}

impl<'a> Subject<'a> {
    /// The string `text`, with its `hints`, held in the field named `key` (if any), read with the
    /// context words of `lexicon`.
    pub fn new(
        text: &'a str,
        hints: Hints,
        key: Option<&'a str>,
        lexicon: &'a Lexicon,
    ) -> Subject<'a> {
        Subject {
            text,
            hints,
            key,
            lexicon,
            needs_view: hints.may_need_view(text),
            view: std::cell::OnceCell::new(),
            potential_digits: std::cell::OnceCell::new(),
        }
    }

    /// The string itself.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Runs `find` on the text, or on its canonical view when that may differ (and can hold
    /// `min_digits` digits), mapping the spans back to the original bytes.
    fn on_view(
        &self,
        min_digits: usize,
        find: impl FnOnce(&str, &mut Vec<Range<usize>>),
        out: &mut Vec<Range<usize>>,
    ) {
        if !self.needs_view {
            return find(self.text, out);
        }
        if min_digits > 0
            && *self
                .potential_digits
                .get_or_init(|| canon::potential_digits(self.text))
                < min_digits
        {
            return;
        }
        let view = self.view.get_or_init(|| canon::View::of(self.text));
        let from = out.len();
        find(view.text(), out);
        for r in &mut out[from..] {
            *r = view.original(r.clone());
        }
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

/// Runs one finder that weighs context words with the built-in lexicon, and returns the texts it
/// found.
#[cfg(test)]
pub(crate) fn found_with(
    find: fn(&str, &Lexicon, &mut Vec<Range<usize>>),
    text: &str,
) -> Vec<&str> {
    let mut out = Vec::new();
    find(text, Lexicon::builtin(), &mut out);
    out.into_iter().map(|r| &text[r]).collect()
}

/// Runs one finder and returns the texts it found: the shape every detector's table test needs.
#[cfg(test)]
pub(crate) fn found_by(find: fn(&str, &mut Vec<Range<usize>>), text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    find(text, &mut out);
    out.into_iter().map(|r| &text[r]).collect()
}
