//! Security codes and PINs, passwords, and machine secrets (private keys, API keys, tokens, webhook
//! URLs) built to gitleaks' shapes: the right prefix, length and alphabet.

use serde_json::json;

use super::super::rng::Rng;
use super::judge::{Case, Doc, Kind, Secret};
use super::text::{self, DE, EN, ES, FR, IT, LANGS, PT};

/// (language, context, glued to the code, digits, label)
const CODES: &[(usize, &str, bool, usize, &str)] = &[
    (EN, "the CVV was", false, 3, "en-cvv-was"),
    (EN, "cvv", true, 3, "en-cvv-glued"),
    (EN, "CSC", false, 4, "en-csc"),
    (EN, "PIN", false, 4, "en-pin"),
    (DE, "CVC-Code", false, 3, "de-cvc-code"),
    (DE, "Kartenprüfnummer", false, 3, "de-kartenpruefnummer"),
    (DE, "Geheimzahl", false, 4, "de-geheimzahl"),
    (ES, "código de seguridad", false, 3, "es-codigo"),
    (ES, "PIN", false, 4, "es-pin"),
    (FR, "cryptogramme", false, 3, "fr-cryptogramme"),
    (FR, "code PIN", false, 4, "fr-code-pin"),
    (IT, "codice di sicurezza", false, 3, "it-codice"),
    (PT, "código de segurança", false, 3, "pt-codigo"),
    (IT, "PIN", false, 4, "it-pin"),
];

pub fn cvv_pin(rng: &mut Rng, i: usize) -> Case {
    if i % 8 == 7 {
        let (key, n, label) = *rng.pick(&[
            ("enteredPin", 4, "json-enteredPin"),
            ("cvvCode", 3, "json-cvvCode"),
            ("pinCode", 4, "json-pinCode"),
        ]);
        let code = rng.digits(n);
        return Case {
            doc: text::field(key, json!(code)),
            secrets: vec![Secret::new(Kind::Code, &code)],
            label,
        };
    }
    let &(lang, context, glued, n, label) = &CODES[i % CODES.len()];
    let code = rng.digits(n);
    let phrase = if glued {
        format!("{}{code}", text::casing(rng, context))
    } else if context.ends_with("was") {
        format!("{} {code}", text::casing(rng, context))
    } else {
        text::labelled(rng, context, &code)
    };
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Code, &code)],
        label,
    )
}

/// A password: letters, digits and symbols, starting with a letter and ending with a letter or
/// digit; `url` leaves out the characters a query string would escape.
fn password(rng: &mut Rng, url: bool) -> String {
    const LETTERS: &str = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let symbols = if url { "!*-_.~" } else { "!#$%*+-_@?^~&" };
    let n = rng.range(6, 13) as usize;
    let mut middle: Vec<u8> = format!(
        "{}{}{}",
        rng.chars(LETTERS, n),
        rng.digits(1),
        rng.chars(symbols, 1)
    )
    .into_bytes();
    for i in (1..middle.len()).rev() {
        middle.swap(i, rng.below(i + 1));
    }
    let middle = String::from_utf8(middle).expect("ASCII");
    format!("{}{middle}{}", rng.chars(LETTERS, 1), rng.digits(1))
}

const PASS_WORDS: &[&str] = &[
    "correct", "horse", "battery", "staple", "purple", "monkey", "garden", "river", "falcon",
    "orange", "violin", "sunny",
];

/// (language, context as a label or a sentence with `{}`, label)
const PASSWORDS: &[(usize, &str, &str)] = &[
    (DE, "Passwort", "de-label"),
    (ES, "contraseña", "es-label"),
    (FR, "mot de passe", "fr-label"),
    (PT, "senha", "pt-label"),
    (EN, "password", "en-label"),
    (EN, "pw", "en-pw"),
    (EN, "pass", "en-pass"),
    (EN, "pwd", "en-pwd"),
    (EN, "my password was {}", "en-sentence"),
    (ES, "la contraseña es {}", "es-sentence"),
    (DE, "mein Passwort ist {}", "de-sentence"),
    (FR, "mon mot de passe est {}", "fr-sentence"),
    (PT, "a minha senha é {}", "pt-sentence"),
    (IT, "la mia password è {}", "it-sentence"),
    (EN, "password: {}", "passphrase"),
    (EN, "password \"{}\"", "passphrase-quoted"),
    (EN, "?user=bob&password={}&next=/", "url-query"),
];

pub fn password_case(rng: &mut Rng, i: usize) -> Case {
    let &(lang, context, label) = &PASSWORDS[i % PASSWORDS.len()];
    let value = match label {
        "passphrase" | "passphrase-quoted" => {
            let number = rng.range(2, 99).to_string();
            let n = rng.range(2, 4) as usize;
            let mut words: Vec<&str> = (0..n).map(|_| *rng.pick(PASS_WORDS)).collect();
            if rng.below(2) == 0 {
                words.push(&number);
            }
            words.join(" ")
        }
        _ => password(rng, label == "url-query"),
    };
    let phrase = match context.split_once("{}") {
        Some((before, after)) if label == "url-query" => {
            format!("https://portal.example.com/login{before}{value}{after}")
        }
        Some((before, after)) => format!("{}{value}{after}", text::casing(rng, before)),
        None => text::labelled(rng, context, &value),
    };
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Text, &value)],
        label,
    )
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn base64url(bytes: &[u8]) -> String {
    let a = URLSAFE.replace("_-", "-_").into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(char::from(a[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

fn pem(rng: &mut Rng) -> (String, Vec<String>, &'static str) {
    let (kind, label) = *rng.pick(&[
        ("RSA ", "pem-rsa"),
        ("EC ", "pem-ec"),
        ("OPENSSH ", "pem-openssh"),
        ("", "pem-pkcs8"),
    ]);
    let nl = if rng.below(2) == 0 { "\n" } else { "\\n" };
    let mut lines: Vec<String> = (0..rng.range(3, 7)).map(|_| rng.chars(B64, 64)).collect();
    let n = rng.range(8, 40) as usize;
    lines.push(format!("{}==", rng.chars(B64, n)));
    let block = format!(
        "-----BEGIN {kind}PRIVATE KEY-----{nl}{}{nl}-----END {kind}PRIVATE KEY-----",
        lines.join(nl)
    );
    (block, lines, label)
}

/// A secret as written, the words of it that must go too, and its label.
fn machine_secret(rng: &mut Rng, k: usize) -> (String, Vec<String>, &'static str) {
    let one = |v: String, label| (v, Vec::new(), label);
    match k {
        0 => pem(rng),
        1 => one(rng.chars(B64, 40), "aws-secret-key"),
        2 => one(
            format!("AKIA{}", rng.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
            "aws-akia",
        ),
        3 => one(
            format!("sk_live_{}", rng.chars(ALNUM, 24)),
            "stripe-sk_live",
        ),
        4 => one(
            format!("rk_live_{}", rng.chars(ALNUM, 24)),
            "stripe-rk_live",
        ),
        5 => one(format!("whsec_{}", rng.chars(ALNUM, 32)), "stripe-whsec"),
        6 => {
            let v = format!(
                "xoxb-{}-{}-{}",
                rng.digits(12),
                rng.digits(13),
                rng.chars(ALNUM, 24)
            );
            one(v, "slack-xoxb")
        }
        7 => {
            let parts = vec![
                format!("T{}", rng.chars(UPPER, 8)),
                format!("B{}", rng.chars(UPPER, 10)),
                rng.chars(ALNUM, 24),
            ];
            let v = format!("https://hooks.slack.com/services/{}", parts.join("/"));
            (v, parts, "slack-webhook")
        }
        8 => one(format!("ghp_{}", rng.chars(ALNUM, 36)), "github-ghp"),
        9 => {
            let v = format!(
                "github_pat_11{}_{}",
                rng.chars(UPPER, 20),
                rng.chars(ALNUM, 59)
            );
            one(v, "github-pat")
        }
        10 => one(format!("glpat-{}", rng.chars(URLSAFE, 20)), "gitlab-glpat"),
        11 => one(format!("AIza{}", rng.chars(URLSAFE, 35)), "gcp-AIza"),
        12 => {
            let v = format!(
                "sk-proj-{}T3BlbkFJ{}",
                rng.chars(URLSAFE, 74),
                rng.chars(URLSAFE, 74)
            );
            one(v, "openai-sk-proj")
        }
        13 => {
            let v = format!("SG.{}.{}", rng.chars(URLSAFE, 22), rng.chars(URLSAFE, 43));
            one(v, "sendgrid")
        }
        14 => one(format!("SK{}", rng.hex(32)), "twilio-SK"),
        15 => one(format!("npm_{}", rng.chars(ALNUM, 36)), "npm"),
        16 => {
            let n = rng.range(60, 120) as usize;
            let v = format!("pypi-AgEIcHlwaS5vcmc{}", rng.chars(URLSAFE, n));
            one(v, "pypi")
        }
        17 => {
            let parts = vec![
                format!("{}{}", rng.range(1, 9), rng.digits(17)),
                rng.chars(URLSAFE, 68),
            ];
            let v = format!("https://discord.com/api/webhooks/{}", parts.join("/"));
            (v, parts, "discord-webhook")
        }
        _ => {
            let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
            let claims = format!(
                r#"{{"sub":"{}","name":"{}","iat":{}}}"#,
                rng.digits(8),
                rng.chars(ALNUM, 8),
                rng.range(1_600_000_000, 1_800_000_000)
            );
            let parts = vec![base64url(claims.as_bytes()), rng.chars(URLSAFE, 43)];
            (format!("{header}.{}.{}", parts[0], parts[1]), parts, "jwt")
        }
    }
}

const SECRET_INTROS: [&[&str]; LANGS] = [
    &[
        "here is the key: ",
        "token ",
        "the config has ",
        "",
        "I pasted ",
    ],
    &["la clave es ", "aquí está el token ", "", "pegué "],
    &["mein API-Schlüssel: ", "Token ", "", "eingefügt: "],
    &["voici la clé ", "le jeton ", "", "j'ai collé "],
    &["a chave é ", "o token ", "", "colei "],
    &["la chiave è ", "il token ", "", "ho incollato "],
];

pub fn secrets(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let (value, words, label) = machine_secret(rng, (i / LANGS) % 19);
    let phrase = if label == "aws-secret-key" {
        let key = *rng.pick(&[
            "aws_secret_access_key = ",
            "AWS_SECRET_ACCESS_KEY=",
            "aws_secret_access_key: ",
        ]);
        format!("{key}{value}")
    } else {
        format!("{}{value}", rng.pick(SECRET_INTROS[lang]))
    };
    let secret = Secret::text(&value, words);
    if label.starts_with("pem") && rng.below(3) == 0 {
        // Pasted as the whole value of a field.
        return Case {
            doc: Doc::Json(json!({"context": {"attachment": phrase}})),
            secrets: vec![secret],
            label,
        };
    }
    text::wrap(rng, lang, &phrase, vec![secret], label)
}
