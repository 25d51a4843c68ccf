//! Hard negatives, part 2: words that contain context words, numbers that fail the check digits
//! or lack the word their kind needs, and phrases that introduce something other than a name.

use super::super::rng::Rng;
use super::checksums as ck;
use super::judge::Case;
use super::negatives::{fill, from_templates, lang_label};
use super::text::{self, LANGS};

const CONTAINING: [&[&str]; LANGS] = [
    &[
        "the hotel has ### rooms",
        "recall of ### units announced",
        "during the call the line dropped twice",
        "string too long: ### characters",
        "cancellation requested",
        "password reset requested",
        "the password is incorrect",
        "PIN code reset",
        "pinned ####",
        "birthday sale ##%",
        "telephoned twice about it",
        "mobile app crashed on login",
    ],
    &[
        "el hotel tiene ### habitaciones",
        "cancelación solicitada",
        "restablecer contraseña solicitado",
        "la contraseña es incorrecta",
        "oferta de cumpleaños ##%",
        "teléfono averiado desde ayer",
        "PIN olvidado",
    ],
    &[
        "Bestellung erstellt",
        "Passwort vergessen",
        "das Passwort ist falsch",
        "Handyhülle bestellt",
        "Geburtstagsaktion ##%",
        "Telefonat beendet",
        "PIN-Brief angefordert",
        "Hotelbuchung storniert",
    ],
    &[
        "mot de passe oublié",
        "le mot de passe est incorrect",
        "promo anniversaire ##%",
        "portable en panne",
        "réinitialisation du code PIN",
        "hôtel réservé pour ## nuits",
    ],
    &[
        "senha esquecida",
        "a senha está incorreta",
        "promoção de aniversário ##%",
        "telemóvel avariado",
        "contactou-nos ontem",
    ],
    &[
        "password dimenticata",
        "la password è errata",
        "saldi di compleanno ##%",
        "cellulare rotto",
        "telefonata interrotta",
    ],
];

pub fn words_containing_context_words(rng: &mut Rng, i: usize) -> Case {
    from_templates(rng, i, CONTAINING, lang_label)
}

/// "The customer gave", by language: the lead before an id.
const GAVE: [&str; LANGS] = [
    "the customer gave",
    "el cliente dio",
    "Kunde nannte",
    "le client a donné",
    "o cliente deu",
    "il cliente ha dato",
];
const REF: [&str; LANGS] = [
    "ref",
    "referencia",
    "Referenz",
    "référence",
    "referência",
    "riferimento",
];

/// A digit of 0..10 other than `d`.
fn other_digit(rng: &mut Rng, d: u64) -> u64 {
    (d + rng.range(1, 9)) % 10
}

/// Nine digits that are neither a BSN nor a PT NIF (an id word licenses either kind).
fn no_nine_digit_id(n: &str) -> bool {
    !ck::bsn_valid(n) && ck::nif_check(&n[..8]) != u32::from(n.as_bytes()[8] - b'0')
}

/// A number failing its kind's check (with the kind's word), or a valid one without the word.
fn failing(rng: &mut Rng, k: usize, lang: usize) -> (String, &'static str) {
    match k {
        0 => {
            let n = ck::nhs(rng);
            let bad = other_digit(rng, u64::from(n.as_bytes()[9] - b'0'));
            (format!("NHS number {}{bad}", &n[..9]), "nhs-bad-check")
        }
        1 => loop {
            let n = format!("{}{}", rng.range(1, 9), rng.digits(8));
            if no_nine_digit_id(&n) {
                break (format!("BSN {n}"), "bsn-bad-check");
            }
        },
        2 => {
            let n = ck::steuer_id(rng);
            let bad = other_digit(rng, u64::from(n.as_bytes()[10] - b'0'));
            (format!("Steuer-ID {}{bad}", &n[..10]), "steuer-bad-check")
        }
        3 => loop {
            let n = ck::nif(rng);
            let bad = other_digit(rng, u64::from(n.as_bytes()[8] - b'0'));
            let n = format!("{}{bad}", &n[..8]);
            if no_nine_digit_id(&n) {
                break (format!("NIF {n}"), "nif-bad-check");
            }
        },
        4 => {
            let n = rng.digits(8);
            let good = ck::dni_letter(&n);
            let bad = loop {
                let c = char::from(b'A' + rng.below(26) as u8);
                if c != good && !"IOU".contains(c) {
                    break c;
                }
            };
            (format!("DNI {n}{bad}"), "dni-bad-letter")
        }
        5 => {
            let cf = ck::codice_fiscale(rng);
            let good = cf.as_bytes()[15];
            let bad = char::from(b'A' + ((good - b'A' + 1 + rng.below(24) as u8) % 26));
            (format!("codice fiscale {}{bad}", &cf[..15]), "cf-bad-check")
        }
        6 => {
            let n = ck::nir(rng);
            let key: u64 = n[13..].parse().expect("digits");
            let bad = (key + rng.range(1, 95) - 1) % 97 + 1;
            (format!("NIR {}{bad:02}", &n[..13]), "nir-bad-key")
        }
        7 => {
            let area = *rng.pick(&["666", "000"]);
            let v = format!("SSN {area}-{}-{}", two_digits(rng), rng.range(1000, 9999));
            (v, "ssn-invalid-area")
        }
        8 => {
            let v = format!("{}-00-{}", rng.range(100, 665), rng.range(1000, 9999));
            (format!("SSN {v}"), "ssn-group-00")
        }
        9 => {
            let country = *rng.pick(&["DE", "ES", "FR", "NL", "GB"]);
            let raw = ck::iban(rng, country);
            let check: u32 = raw[2..4].parse().expect("digits");
            let bad = (check + 1 + rng.below(90) as u32) % 97 + 2;
            let v = format!("{}{bad:02}{}", &raw[..2], &raw[4..]);
            (format!("IBAN {v}"), "iban-bad-check")
        }
        10 => {
            let n = match rng.below(4) {
                0 => ck::nhs(rng),
                1 => ck::bsn(rng),
                2 => ck::nif(rng),
                _ => ck::steuer_id(rng),
            };
            (format!("{} {n}", REF[lang]), "valid-id-without-word")
        }
        11 => {
            // 9–11 digits: a card number has 12 or more.
            let n = rng.range(7, 9) as usize;
            let body = format!("{}{}", rng.range(1, 9), rng.digits(n));
            (
                format!("{} {}", REF[lang], ck::luhn_complete(&body)),
                "luhn-valid-9-11",
            )
        }
        _ => {
            let prefix = *rng.pick(&["GB", "BG", "NK", "TN", "ZZ", "DA", "FE"]);
            let v = format!(
                "NI number {prefix}{}{}",
                rng.digits(6),
                rng.chars("ABCD", 1)
            );
            (v, "ni-bad-prefix")
        }
    }
}

fn two_digits(rng: &mut Rng) -> String {
    format!("{:02}", rng.range(1, 99))
}

pub fn checksum_failures(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let (id, label) = failing(rng, (i / LANGS) % 13, lang);
    let text = format!("{} {id}", GAVE[lang]);
    let mut case = text::negative(rng, lang, &text, label);
    case.label = label;
    case
}

const NOT_NAMES: [&[&str]; LANGS] = [
    &[
        "my name is on the account",
        "this is urgent",
        "I'm calling about order ###",
        "I bought the Galaxy S24 Ultra",
        "this is the second time I call",
        "I'm not happy with the service",
        "Street Fighter 6 preorder",
        "Road bike 29 inch",
        "London",
        "shipping to Manchester",
    ],
    &[
        "mi nombre está en la cuenta",
        "esto es urgente",
        "soy cliente desde {year}",
        "compré el Galaxy S24 Ultra",
        "Madrid",
        "envío a Sevilla",
    ],
    &[
        "mein Name steht auf dem Konto",
        "das ist dringend",
        "ich bin Kunde seit {year}",
        "ich habe das Galaxy S24 Ultra gekauft",
        "Berlin",
        "Lieferung nach München",
    ],
    &[
        "mon nom est sur le compte",
        "c'est urgent",
        "je suis client depuis {year}",
        "j'ai acheté le Galaxy S24 Ultra",
        "Paris",
        "livraison à Lyon",
    ],
    &[
        "o meu nome está na conta",
        "isto é urgente",
        "sou cliente desde {year}",
        "comprei o Galaxy S24 Ultra",
        "Lisboa",
        "envio para o Porto",
    ],
    &[
        "il mio nome è sul conto",
        "è urgente",
        "sono cliente dal {year}",
        "ho comprato il Galaxy S24 Ultra",
        "Roma",
        "spedizione a Milano",
    ],
];

pub fn not_names(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let template = *rng.pick(NOT_NAMES[lang]);
    let text = fill(rng, template);
    text::negative(rng, lang, &text, lang_label(lang))
}
