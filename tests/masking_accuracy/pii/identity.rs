//! Dates of birth, US SSNs, IBANs and national identity numbers (valid check digits).

use super::super::rng::Rng;
use super::checksums as ck;
use super::judge::{Case, Kind, Secret};
use super::text::{self, DE, EN, ES, FR, IT, LANGS, PT};

/// Month names by language, space-separated.
const MONTHS: [&str; LANGS] = [
    "January February March April May June July August September October November December",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
];

fn month_name(lang: usize, m: u64) -> &'static str {
    MONTHS[lang]
        .split(' ')
        .nth(m as usize - 1)
        .expect("twelve months")
}

/// Date layouts: day-month-year with a separator, ISO, US, or with a month name.
#[derive(Clone, Copy)]
enum Layout {
    Dmy(&'static str),
    Ymd(&'static str),
    Mdy,
    /// "April 3, 1989"
    NameFirst,
    /// "6 August 1986", "3. April 1989", "3 de abril de 1989" (the string joins the parts).
    DayName(&'static str, &'static str),
}

/// (language, context, whether a separator may follow it, layout, label)
const DOB: &[(usize, &str, bool, Layout, &str)] = &[
    (EN, "D.O.B.", true, Layout::Dmy("/"), "en-D.O.B."),
    (EN, "DOB", true, Layout::NameFirst, "en-DOB-month-name"),
    (EN, "born", false, Layout::DayName(" ", " "), "en-born"),
    (EN, "born on", false, Layout::Ymd("-"), "en-born-iso"),
    (
        EN,
        "date of birth",
        true,
        Layout::Ymd("/"),
        "en-date-of-birth",
    ),
    (EN, "birthday", true, Layout::Mdy, "en-birthday-us"),
    (
        ES,
        "fecha de nacimiento",
        true,
        Layout::Dmy("/"),
        "es-fecha",
    ),
    (
        ES,
        "nací el",
        false,
        Layout::DayName(" de ", " de "),
        "es-naci",
    ),
    (
        DE,
        "Geburtsdatum",
        true,
        Layout::Dmy("."),
        "de-Geburtsdatum",
    ),
    (DE, "geb.", false, Layout::Dmy("."), "de-geb."),
    (
        DE,
        "geboren am",
        false,
        Layout::DayName(". ", " "),
        "de-geboren-am",
    ),
    (FR, "né le", false, Layout::Dmy("/"), "fr-ne-le"),
    (FR, "née le", false, Layout::DayName(" ", " "), "fr-nee-le"),
    (FR, "date de naissance", true, Layout::Dmy("/"), "fr-date"),
    (PT, "data de nascimento", true, Layout::Dmy("/"), "pt-data"),
    (
        PT,
        "nascido em",
        false,
        Layout::DayName(" de ", " de "),
        "pt-nascido",
    ),
    (IT, "data di nascita", true, Layout::Dmy("/"), "it-data"),
    (IT, "nato il", false, Layout::DayName(" ", " "), "it-nato"),
];

pub fn date_of_birth(rng: &mut Rng, i: usize) -> Case {
    let &(lang, context, punct, layout, label) = &DOB[i % DOB.len()];
    let (y, m, d) = (rng.range(1930, 2008), rng.range(1, 12), rng.range(1, 28));
    let pad = rng.below(4) != 0;
    let dd = if pad {
        format!("{d:02}")
    } else {
        d.to_string()
    };
    let mm = if pad {
        format!("{m:02}")
    } else {
        m.to_string()
    };
    let month = month_name(lang, m);
    let value = match layout {
        Layout::Dmy(s) => format!("{dd}{s}{mm}{s}{y}"),
        Layout::Ymd(s) => format!("{y}{s}{m:02}{s}{d:02}"),
        Layout::Mdy => format!("{mm}/{dd}/{y}"),
        Layout::NameFirst => format!("{} {d}, {y}", month_name(EN, m)),
        Layout::DayName(a, b) => format!("{d}{a}{month}{b}{y}"),
    };
    let word = text::casing(rng, context);
    let gap = if punct { text::sep(rng) } else { " " };
    let phrase = format!("{word}{gap}{value}");
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Date, &value)],
        label,
    )
}

/// (language, context before the number, label).
const SSN: &[(usize, &str, &str)] = &[
    (EN, "SSN", "dashed"),
    (EN, "", "dashed-no-word"),
    (EN, "SSN", "dotted"),
    (EN, "SSN", "glued"),
    (EN, "my social is", "bare9"),
    (ES, "seguro social", "es-dashed"),
    (EN, "social security number:", "spaced"),
    (
        EN,
        "SSN (the one on file, please check)",
        "keyword-40-chars-away",
    ),
    (ES, "mi número de seguro social es", "es-bare9"),
    (DE, "meine SSN lautet", "de-bare9"),
    (FR, "mon SSN est le", "fr-dashed"),
    (PT, "o meu SSN é", "pt-spaced"),
    (IT, "il mio SSN è", "it-bare9"),
];

pub fn ssn(rng: &mut Rng, i: usize) -> Case {
    let &(lang, context, label) = &SSN[i % SSN.len()];
    let n = ck::ssn(rng);
    let (a, g, s) = (&n[..3], &n[3..5], &n[5..]);
    let value = match label {
        "dashed" | "dashed-no-word" | "es-dashed" | "fr-dashed" => format!("{a}-{g}-{s}"),
        "dotted" => format!("{a}.{g}.{s}"),
        "spaced" | "pt-spaced" => format!("{a} {g} {s}"),
        _ => n.clone(),
    };
    let phrase = match label {
        "dashed-no-word" => value.clone(),
        "glued" => format!("{}{value}", text::casing(rng, context)),
        "keyword-40-chars-away" => format!("{context} {value}"),
        _ => format!("{} {value}", text::casing(rng, context)),
    };
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Number, &value)],
        label,
    )
}

const COUNTRIES: &[&str] = &["DE", "ES", "FR", "IT", "PT", "NL", "GB", "PL", "BE", "CH"];
const IBAN_WORDS: [&str; LANGS] = [
    "IBAN",
    "mi IBAN es",
    "meine IBAN lautet",
    "mon IBAN est",
    "o meu IBAN é",
    "il mio IBAN è",
];

fn group4(s: &str, sep: &str) -> String {
    s.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ASCII"))
        .collect::<Vec<_>>()
        .join(sep)
}

pub fn iban(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let raw = ck::iban(rng, COUNTRIES[(i / LANGS) % COUNTRIES.len()]);
    let (value, label) = match rng.below(8) {
        0 => (group4(&raw, " "), "spaces"),
        1 => (group4(&raw, "\u{a0}"), "nbsp"),
        2 => (group4(&raw, "  "), "double-spaces"),
        3 => (group4(&raw, "-"), "dashes"),
        4 => (group4(&raw, " ").to_lowercase(), "lower-case"),
        5 => (
            format!("{} {} {}", &raw[..2], &raw[2..4], group4(&raw[4..], " ")),
            "cc-space",
        ),
        6 => (raw.clone(), "glued-after-IBAN:"),
        _ => (raw.clone(), "compact"),
    };
    let phrase = if label == "glued-after-IBAN:" {
        format!("{}{value}", text::casing(rng, "IBAN:"))
    } else if rng.below(5) == 0 {
        value.clone()
    } else {
        text::labelled(rng, IBAN_WORDS[lang], &value)
    };
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Iban, &value)],
        label,
    )
}

/// (language, contexts, label)
const IDS: &[(usize, &[&str], &str)] = &[
    (
        EN,
        &[
            "NI number",
            "National Insurance number",
            "NINO",
            "my NI number is",
        ],
        "uk-ni",
    ),
    (EN, &["NHS number", "NHS no", "my NHS number is"], "uk-nhs"),
    (ES, &["DNI", "mi DNI es", "D.N.I."], "es-dni"),
    (ES, &["NIE", "mi NIE es", "número NIE"], "es-nie"),
    (
        IT,
        &["codice fiscale", "il mio codice fiscale è", "C.F."],
        "it-cf",
    ),
    (
        FR,
        &[
            "numéro de sécurité sociale",
            "n° de sécu",
            "NIR",
            "numéro INSEE",
        ],
        "fr-nir",
    ),
    (EN, &["BSN", "my BSN is", "burgerservicenummer"], "nl-bsn"),
    (
        DE,
        &[
            "Steuer-ID",
            "Steueridentifikationsnummer",
            "meine Steuer-ID ist",
        ],
        "de-steuer-id",
    ),
    (
        PT,
        &[
            "NIF",
            "contribuinte",
            "número de contribuinte",
            "o meu NIF é",
        ],
        "pt-nif",
    ),
];

pub fn national_id(rng: &mut Rng, i: usize) -> Case {
    let &(lang, words, label) = &IDS[i % IDS.len()];
    let spaced = rng.below(2) == 0;
    let value = match label {
        "uk-ni" => {
            let (p, d, s) = (ck::ni_prefix(rng), rng.digits(6), rng.chars("ABCD", 1));
            if spaced {
                format!("{p} {} {} {} {s}", &d[..2], &d[2..4], &d[4..])
            } else {
                format!("{p}{d}{s}")
            }
        }
        "uk-nhs" => {
            let n = ck::nhs(rng);
            match rng.below(3) {
                0 => format!("{} {} {}", &n[..3], &n[3..6], &n[6..]),
                1 => format!("{}-{}-{}", &n[..3], &n[3..6], &n[6..]),
                _ => n,
            }
        }
        "es-dni" => {
            let n = rng.digits(8);
            let sep = if spaced { "-" } else { "" };
            format!("{n}{sep}{}", ck::dni_letter(&n))
        }
        "es-nie" => {
            let n = format!("{}{}", rng.chars("XYZ", 1), rng.digits(7));
            let l = ck::dni_letter(&n);
            if spaced {
                format!("{}-{}-{l}", &n[..1], &n[1..])
            } else {
                format!("{n}{l}")
            }
        }
        "it-cf" => ck::codice_fiscale(rng),
        "fr-nir" => {
            let n = ck::nir(rng);
            if spaced {
                let cuts = [0, 1, 3, 5, 7, 10, 13, 15];
                let parts: Vec<&str> = cuts.windows(2).map(|w| &n[w[0]..w[1]]).collect();
                parts.join(" ")
            } else {
                n
            }
        }
        "nl-bsn" => {
            let n = ck::bsn(rng);
            if spaced {
                format!("{}.{}.{}", &n[..4], &n[4..6], &n[6..])
            } else {
                n
            }
        }
        "de-steuer-id" => {
            let n = ck::steuer_id(rng);
            if spaced {
                format!("{} {} {} {}", &n[..2], &n[2..5], &n[5..8], &n[8..])
            } else {
                n
            }
        }
        _ => {
            let n = ck::nif(rng);
            if spaced {
                format!("{} {} {}", &n[..3], &n[3..6], &n[6..])
            } else {
                n
            }
        }
    };
    let word = *rng.pick(words);
    let phrase = text::labelled(rng, word, &value);
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Number, &value)],
        label,
    )
}
