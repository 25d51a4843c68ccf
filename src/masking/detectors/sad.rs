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
        r"|kartenpr(?:ü|ue)f(?:nummer|ziffer|code)|pr(?:ü|ue)f(?:nummer|ziffer|code)|sicherheitscode",
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

/// PINs written after their name, in the same languages.
static PINS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:pin(?:[\s-]?(?:code|nummer|number|no\.?|nr\.?))?|pincode|geheimzahl|geheimnummer",
        r"|code\s+pin|c(?:ó|o)digo\s+pin|n(?:ú|u)mero\s+pin|codice\s+pin",
        r"|clave\s+de\s+(?:la\s+)?tarjeta|n(?:ú|u)mero\s+secreto|c(?:ó|o)digo\s+secreto\s+de\s+la\s+tarjeta)",
        connectors!(),
        r"\s*",
        opening!(),
        r"(\d{4,6}|\d(?:[ ,.-] ?\d){3,5})(?-u:\b)",
    ))
    .expect("pin regex is valid")
});

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
            if let Some(m) = caps.get(1)
                && !out[from..].contains(&m.range())
            {
                out.push(m.range());
            }
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
        ] {
            assert!(found_by(find_security_codes, text).is_empty(), "{text}");
        }
    }
}
