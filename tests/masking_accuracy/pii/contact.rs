//! Phones (national formats without a phone word; bare digit runs after one), emails and IPs.

use super::super::rng::Rng;
use super::judge::{Case, Kind, Secret};
use super::text::{self, DE, EN, ES, FR, IT, LANGS, PT};

/// A NANP area code or exchange: first digit 2–9, never N11 (211, 311, … are service codes).
fn nxx(rng: &mut Rng) -> String {
    loop {
        let n = format!("{}{}", rng.range(2, 9), rng.digits(2));
        if !n.ends_with("11") {
            break n;
        }
    }
}

const DE_AREAS: &[&str] = &[
    "30", "40", "89", "69", "221", "211", "711", "341", "351", "421",
];

fn de_area(rng: &mut Rng) -> &'static str {
    DE_AREAS[rng.below(DE_AREAS.len())]
}

fn pairs(rng: &mut Rng, n: usize, sep: &str) -> String {
    (0..n).map(|_| rng.digits(2)).collect::<Vec<_>>().join(sep)
}

/// One national or international format, by index; with its label.
fn national_shape(rng: &mut Rng, k: usize) -> (String, &'static str) {
    let es = |rng: &mut Rng| format!("{}{}", rng.range(6, 7), rng.digits(2));
    let shape = match k {
        0 => format!("(0{}) {}{}", de_area(rng), rng.range(2, 9), rng.digits(6)),
        1 => format!(
            "(020) {}{} {}",
            rng.pick(&[7, 3, 8]),
            rng.digits(3),
            rng.digits(4)
        ),
        2 => format!("{} {} {}", es(rng), rng.digits(3), rng.digits(3)),
        3 => format!("+34 {} {}", es(rng), pairs(rng, 3, " ")),
        4 => format!("{}{} {}", rng.range(6, 9), rng.digits(4), rng.digits(5)),
        5 => format!("+91 {}{} {}", rng.range(6, 9), rng.digits(4), rng.digits(5)),
        6 => format!("0049 {} {}{}", de_area(rng), rng.range(2, 9), rng.digits(6)),
        7 => format!(
            "0044 20 {}{} {}",
            rng.pick(&[7, 3, 8]),
            rng.digits(3),
            rng.digits(4)
        ),
        8 => format!("0{}.{}", rng.range(1, 5), pairs(rng, 4, ".")),
        9 => format!("0{} {}", rng.range(6, 7), pairs(rng, 4, " ")),
        10 => format!("3{} {} {}", rng.range(20, 99), rng.digits(3), rng.digits(4)),
        11 => format!("0{} {} {}", rng.range(2, 6), rng.digits(4), rng.digits(4)),
        12 => {
            let p = *rng.pick(&["91", "92", "93", "96", "21", "22", "23", "25"]);
            format!("{p}{} {} {}", rng.digits(1), rng.digits(3), rng.digits(3))
        }
        13 => format!("01{}{} {}", rng.range(5, 7), rng.range(0, 9), rng.digits(8)),
        14 => format!("0{}/{}{}", de_area(rng), rng.range(2, 9), rng.digits(6)),
        15 => format!(
            "{}-{}-{}x{}",
            nxx(rng),
            nxx(rng),
            rng.digits(4),
            rng.range(2, 999)
        ),
        16 => format!(
            "({}) {}-{} ext. {}",
            nxx(rng),
            nxx(rng),
            rng.digits(4),
            rng.range(2, 99)
        ),
        _ => format!("+1 ({}) {}-{}", nxx(rng), nxx(rng), rng.digits(4)),
    };
    let label = [
        "de-landline(0..)",
        "uk-london(020)",
        "es-mobile",
        "es-+34",
        "in-mobile",
        "in-+91",
        "de-0049",
        "uk-0044",
        "fr-dotted",
        "fr-mobile",
        "it-mobile",
        "it-landline",
        "pt",
        "de-mobile",
        "de-slash",
        "us-x-ext",
        "us-ext.",
        "us-+1",
    ][k.min(17)];
    (shape, label)
}

/// The value without an extension (`x22`, `ext. 22` may stay).
fn without_ext(shape: &str) -> String {
    shape
        .split(['x', 'e'])
        .next()
        .unwrap_or(shape)
        .trim_end()
        .to_string()
}

/// Sentences without a phone word, by language.
const NEUTRAL: [&[&str]; LANGS] = [
    &["", "it is ", "try ", "best is "],
    &["", "es el ", "prueba el ", "mejor el "],
    &["", "es die ", "versuchen Sie ", "am besten "],
    &["", "c'est le ", "essayez le ", "plutôt le "],
    &["", "é o ", "tente o ", "melhor o "],
    &["", "è il ", "provi il ", "meglio il "],
];

pub fn phone_national(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let (first, label) = national_shape(rng, (i / LANGS) % 18);
    let mut phrase = format!("{}{first}", rng.pick(NEUTRAL[lang]));
    let mut secrets = vec![Secret::new(Kind::Phone, &without_ext(&first))];
    if rng.below(8) == 0 {
        let k = rng.below(18);
        let (second, _) = national_shape(rng, k);
        phrase = format!("{phrase}{}{second}", text::OR[lang]);
        secrets.push(Secret::new(Kind::Phone, &without_ext(&second)));
    }
    let text = text::place(rng, lang, &phrase);
    Case {
        doc: text::embed(rng, text),
        secrets,
        label,
    }
}

const PHONE_WORDS: [&[&str]; LANGS] = [
    &[
        "phone",
        "call me",
        "call me on",
        "mobile",
        "cell",
        "whatsapp",
        "text me",
        "reach me on",
        "landline",
    ],
    &[
        "llámame",
        "llámame al",
        "teléfono",
        "móvil",
        "celular",
        "número de contacto",
    ],
    &[
        "Rückruf",
        "Rückrufnummer",
        "Telefonnummer",
        "Handy",
        "ruf mich an unter",
        "erreichbar unter",
    ],
    &[
        "appelez-moi au",
        "rappelez-moi au",
        "téléphone",
        "portable",
        "joignable au",
    ],
    &["ligue para", "telefone", "celular", "telemóvel", "contacto"],
    &["chiamami al", "telefono", "cellulare", "richiamare al"],
];

/// A bare 7–12-digit run as customers of `lang` type their numbers.
fn bare_run(rng: &mut Rng, lang: usize) -> String {
    let n = rng.range(7, 10) as usize;
    match (lang, rng.below(3)) {
        (_, 0) => match rng.below(3) {
            0 => format!("{}{}", rng.range(2, 9), rng.digits(6)),
            1 => format!("0{}{}", rng.range(1, 9), rng.digits(n)),
            _ => format!(
                "{}{}",
                rng.pick(&["49", "44", "34", "33", "351", "39"]),
                rng.digits(9)
            ),
        },
        (EN, _) => format!("{}{}{}", nxx(rng), nxx(rng), rng.digits(4)),
        (ES, _) => format!("{}{}", rng.range(6, 7), rng.digits(8)),
        (DE, _) => format!("01{}{}", rng.range(5, 7), rng.digits(n.min(9))),
        (FR, _) => format!("0{}{}", rng.range(1, 7), rng.digits(8)),
        (PT, _) => format!("9{}{}", rng.pick(&[1, 2, 3, 6]), rng.digits(7)),
        (IT, _) => format!("3{}{}", rng.range(20, 99), rng.digits(7)),
        _ => unreachable!(),
    }
}

pub fn phone_words(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let word = *rng.pick(PHONE_WORDS[lang]);
    let first = bare_run(rng, lang);
    let second = (rng.below(8) == 0).then(|| bare_run(rng, lang));
    let label = ["en", "es", "de", "fr", "pt", "it"][lang];
    text::message(rng, lang, word, Kind::Phone, (first, second), label)
}

const EMAIL_WORDS: [&[&str]; LANGS] = [
    &["email", "my email is", "write to", "E-mail", ""],
    &["correo", "mi correo es", "escríbeme a", ""],
    &["E-Mail", "meine Mail ist", "schreiben Sie an", ""],
    &["courriel", "mon e-mail est", "écrivez à", ""],
    &["email", "o meu email é", "escreva para", ""],
    &["email", "la mia mail è", "scrivete a", ""],
];
const LOCALS: &[&str] = &[
    "jane.doe",
    "j.smith",
    "maria.garcia",
    "juergen.mueller",
    "marie.lefevre",
    "joao.silva",
    "giuseppe.rossi",
    "info",
    "kunde",
    "cliente",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "example.es",
    "beispiel.de",
    "exemple.fr",
    "exemplo.pt",
    "esempio.it",
    "mail.example.co.uk",
    "example.xn--p1ai",
    "xn--bcher-kva.de",
];

pub fn email(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let local = format!("{}{}", rng.pick(LOCALS), rng.range(1, 999));
    let domain = *rng.pick(DOMAINS);
    let (value, label) = match rng.below(6) {
        0 => (format!("{local}@{domain}"), "plain"),
        1 => (
            format!("{local}+{}@{domain}", rng.pick(&["tag", "cc", "promo"])),
            "+tag",
        ),
        2 => (format!("{local}@{domain}").to_uppercase(), "upper"),
        3 => {
            let idn = *rng.pick(&["jörg", "françois", "inês", "josé", "müller"]);
            let host = *rng.pick(&["bücher.de", "café.fr", "correio.pt", "niño.es"]);
            (format!("{idn}{}@{host}", rng.range(1, 99)), "idn")
        }
        4 => (format!("{local}@{domain}"), "punycode-or-plain"),
        _ => {
            let v = format!("{local}%40{domain}");
            let url = format!("https://crm.example/api?email={v}&x=1");
            let text = text::place(rng, lang, &url);
            return Case {
                doc: text::embed(rng, text),
                secrets: vec![Secret::new(Kind::Email, &v)],
                label: "url-encoded",
            };
        }
    };
    let word = *rng.pick(EMAIL_WORDS[lang]);
    // One case in eight gives a second address in the same text.
    let second = (rng.below(8) == 0).then(|| {
        let local = *rng.pick(LOCALS);
        format!("{local}.{}@{}", rng.range(1, 99), rng.pick(DOMAINS))
    });
    text::message(rng, lang, word, Kind::Email, (value, second), label)
}

fn ipv4(rng: &mut Rng) -> String {
    let first = *rng.pick(&[10, 172, 192, 203, 198, 81, 88, 145]);
    format!(
        "{first}.{}.{}.{}",
        rng.range(0, 255),
        rng.range(0, 255),
        rng.range(1, 254)
    )
}

fn ipv6(rng: &mut Rng) -> String {
    let h = |rng: &mut Rng| format!("{:x}", rng.range(1, 0xffff));
    match rng.below(3) {
        0 => format!("2001:db8::{}", h(rng)),
        1 => format!("2001:db8:{}:{}::{}", h(rng), h(rng), h(rng)),
        _ => {
            // Full form: a global unicast, link-local or unique-local first group.
            let first = *rng.pick(&["2001", "2a02", "2a00", "2600", "2804", "fe80", "fd12"]);
            let rest: Vec<String> = (0..7).map(|_| h(rng)).collect();
            format!("{first}:{}", rest.join(":"))
        }
    }
}

const IP_WORDS: [&[&str]; LANGS] = [
    &[
        "ip:",
        "IP=",
        "from",
        "build server",
        "release host",
        "client",
    ],
    &["ip:", "IP=", "desde", "servidor"],
    &["ip:", "IP=", "von", "Server"],
    &["ip:", "IP=", "depuis", "serveur"],
    &["ip:", "IP=", "de", "servidor"],
    &["ip:", "IP=", "da", "server"],
];

pub fn ip(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let v6 = rng.below(2) == 0;
    let value = if v6 { ipv6(rng) } else { ipv4(rng) };
    let (phrase, label) = match rng.below(5) {
        0 if v6 => (format!("[IPv6:{value}]"), "[IPv6:…]"),
        1 if v6 => (format!("http://[{value}]:8080/"), "http://[v6]:port"),
        _ => {
            let word = *rng.pick(IP_WORDS[lang]);
            let gap = if word.ends_with([':', '=']) { "" } else { " " };
            let label = if v6 { "v6-after-word" } else { "v4-after-word" };
            (format!("{}{gap}{value}", text::casing(rng, word)), label)
        }
    };
    let text = text::place(rng, lang, &phrase);
    Case {
        doc: text::embed(rng, text),
        secrets: vec![Secret::new(Kind::Text, &value)],
        label,
    }
}
