//! Hard negatives, part 1: ids near phone words, dates and times, amounts, epochs, versions and
//! other ids. Each must leave the document byte-for-byte unchanged.

use serde_json::json;

use super::super::rng::Rng;
use super::judge::{Case, Doc};
use super::text::{self, LANGS};

fn two(n: u64) -> String {
    format!("{n:02}")
}

/// Groups of three from the right, joined by `sep`.
fn grouped(digits: &str, sep: &str) -> String {
    let head = digits.len() % 3;
    let mut parts = Vec::new();
    if head > 0 {
        parts.push(&digits[..head]);
    }
    parts.extend(
        digits.as_bytes()[head..]
            .chunks(3)
            .map(|c| std::str::from_utf8(c).unwrap()),
    );
    parts.join(sep)
}

/// A number of `n` digits, not starting with 0.
fn number(rng: &mut Rng, n: usize) -> String {
    format!("{}{}", rng.range(1, 9), rng.digits(n - 1))
}

/// Fills a template: `#` is a random digit; `{…}` a generated token (see the match below).
pub fn fill(rng: &mut Rng, template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("closing brace");
        let (y, mo, d) = (rng.range(2020, 2030), rng.range(1, 12), rng.range(1, 28));
        let (h, mi, s) = (rng.range(0, 23), rng.range(0, 59), rng.range(0, 59));
        let token = match &rest[open + 1..close] {
            "ymd" => format!("{y}{}{}", two(mo), two(d)),
            "iso" => format!("{y}-{}-{}", two(mo), two(d)),
            "dmy." => format!("{}.{}.{y}", two(d), two(mo)),
            "dmy/" => format!("{}/{}/{y}", two(d), two(mo)),
            "hm" => format!("{}:{}", two(h), two(mi)),
            "hms" => format!("{}:{}:{}", two(h), two(mi), two(s)),
            "mmyy" => format!("{}/{}", two(mo), rng.range(25, 35)),
            "year" => rng.range(1990, 2030).to_string(),
            "sp" => {
                let n = rng.range(6, 9) as usize;
                grouped(&number(rng, n), " ")
            }
            "nb" => format!("{},{}", grouped(&number(rng, 7), "\u{202f}"), rng.digits(2)),
            "eu" => format!("{},{}", grouped(&number(rng, 7), "."), rng.digits(2)),
            "us" => format!("{}.{}", grouped(&number(rng, 7), ","), rng.digits(2)),
            "epoch" => rng.range(1_600_000_000, 1_800_000_000).to_string(),
            "uuid" => format!(
                "{}-{}-4{}-a{}-{}",
                rng.hex(8),
                rng.hex(4),
                rng.hex(3),
                rng.hex(3),
                rng.hex(12)
            ),
            "hex" => rng.hex(40),
            "ups" => format!(
                "1Z{}{}",
                rng.chars("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", 6),
                rng.digits(10)
            ),
            "ver" => format!(
                "{}.{}.{}.{}",
                rng.range(1, 12),
                rng.range(0, 9),
                rng.range(10000, 22999),
                rng.range(1000, 4999)
            ),
            "hash" => "\u{1}".to_string(),
            other => panic!("unknown token {other}"),
        };
        out.push_str(&token);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out.chars()
        .map(|c| match c {
            '#' => char::from(b'0' + rng.below(10) as u8),
            '\u{1}' => '#',
            c => c,
        })
        .collect()
}

/// A negative from a template of language `lang`, placed in a message and embedded.
pub fn from_templates(
    rng: &mut Rng,
    i: usize,
    templates: [&[&str]; LANGS],
    label_of: fn(usize) -> &'static str,
) -> Case {
    let lang = i % LANGS;
    let template = *rng.pick(templates[lang]);
    let text = fill(rng, template);
    text::negative(rng, lang, &text, label_of(lang))
}

pub fn lang_label(lang: usize) -> &'static str {
    ["en", "es", "de", "fr", "pt", "it"][lang]
}

const IDS_NEAR_PHONE_WORDS: [&[&str]; LANGS] = [
    &[
        "I called about order ##########",
        "contact form ref ###########",
        "hotel booking ########",
        "recall notice #######",
        "during 2026 we shipped ####### units",
        "string id ########",
        "cancellation ########",
        "phoned about invoice ##########",
        "I called about order 4155559461",
    ],
    &[
        "pedido #########",
        "llamé por el pedido #########",
        "factura ####-########",
        "reserva de hotel ########",
        "formulario de contacto, referencia ###########",
    ],
    &[
        "Telefonat wegen Bestellung ####-{year}-####",
        "Rechnung ####-########",
        "Art.-Nr. ####-####-##",
        "Bestellung ##########",
        "erstellt {ymd}",
        "Rückruf wegen Auftrag ##########",
    ],
    &[
        "commande n° ##########",
        "j'ai appelé pour la commande ##########",
        "facture ##########",
        "réservation d'hôtel ########",
    ],
    &[
        "encomenda #########",
        "liguei por causa da encomenda #########",
        "fatura ##########",
        "reserva de hotel ########",
    ],
    &[
        "ordine ##########",
        "ho chiamato per l'ordine ##########",
        "fattura ##########",
        "prenotazione hotel ########",
    ],
];

pub fn ids_near_phone_words(rng: &mut Rng, i: usize) -> Case {
    from_templates(rng, i, IDS_NEAR_PHONE_WORDS, lang_label)
}

const DATES_TIMES: [&[&str]; LANGS] = [
    &[
        "Callback scheduled for {iso} {hms}",
        "call at {hm} on {dmy.}",
        "delivered on {iso}",
        "expiry {mmyy}",
        "ticket opened {iso}T{hms}Z",
    ],
    &[
        "fecha de entrega {dmy/}",
        "llamada a las {hm} del {dmy/}",
        "entregado el {iso}",
        "caduca {mmyy}",
    ],
    &[
        "Rückruf am {dmy.} um {hm}",
        "Lieferdatum {dmy.}",
        "Termin {dmy.} {hm} Uhr",
        "gültig bis {mmyy}",
    ],
    &[
        "livré le {dmy/}",
        "rappel prévu le {dmy/} à {hm}",
        "date de livraison {dmy/}",
        "expire {mmyy}",
    ],
    &[
        "entregue em {dmy/}",
        "chamada às {hm} de {dmy/}",
        "validade {mmyy}",
        "data de entrega {dmy/}",
    ],
    &[
        "consegnato il {dmy/}",
        "richiamata alle {hm} del {dmy/}",
        "scadenza {mmyy}",
        "data di consegna {dmy/}",
    ],
];

pub fn dates_times(rng: &mut Rng, i: usize) -> Case {
    from_templates(rng, i, DATES_TIMES, lang_label)
}

const AMOUNTS: [&[&str]; LANGS] = [
    &[
        "the refund is {us} USD",
        "total {sp} ARS",
        "paid {sp} COP",
        "balance $ {us}",
    ],
    &[
        "el total fue de {sp} COP",
        "importe: {eu} €",
        "total {sp} ARS",
    ],
    &[
        "Betrag: € {eu}",
        "Summe {eu} EUR",
        "Gutschrift über {sp} COP",
    ],
    &[
        "montant : {nb} €",
        "total {sp} EUR",
        "remboursement de {nb} €",
    ],
    &["valor: R$ {eu}", "total {eu} €", "pagou {sp} COP"],
    &["importo € {eu}", "totale {eu} EUR", "rimborso di {sp} ARS"],
];

pub fn amounts(rng: &mut Rng, i: usize) -> Case {
    from_templates(rng, i, AMOUNTS, lang_label)
}

const EPOCHS_VERSIONS_IDS: [&[&str]; LANGS] = [
    &[
        "callback_ts={epoch}",
        "app version {ver}",
        "SKU-####-BLK x2",
        "request {uuid} failed",
        "tracking {ups}",
        "ticket {hash}#########",
        "git sha {hex}",
        "certified ISO 27001",
        "see RFC 5322 section 3.4",
        "page ## of ###",
    ],
    &[
        "versión de la app {ver}",
        "incidencia INC#######",
        "solicitud {uuid} fallida",
        "norma ISO 27001",
        "página ## de ###",
    ],
    &[
        "App-Version {ver}",
        "Ticketnummer {hash}#########",
        "Sendungsnummer {ups}",
        "zertifiziert nach ISO 27001",
        "Seite ## von ###",
    ],
    &[
        "version de l'appli {ver}",
        "ticket n° #########",
        "requête {uuid} échouée",
        "conforme RFC 5322",
        "page ## sur ###",
    ],
    &[
        "versão da app {ver}",
        "pedido de suporte {hash}#########",
        "commit {hex}",
        "certificação ISO 27001",
        "página ## de ###",
    ],
    &[
        "versione app {ver}",
        "ticket {hash}#########",
        "spedizione {ups}",
        "anno {year}",
        "pagina ## di ###",
    ],
];

pub fn epochs_versions_ids(rng: &mut Rng, i: usize) -> Case {
    if i % 7 == 6 {
        // An epoch as a JSON number: milliseconds or seconds.
        let ms = rng.range(1_600_000_000_000, 1_800_000_000_000);
        let n = if rng.below(2) == 0 { ms } else { ms / 1000 };
        let key = *rng.pick(&["callbackAt", "createdAt", "lastContact"]);
        return Case {
            doc: Doc::Json(json!({"type": "escalation", key: n})),
            secrets: Vec::new(),
            label: "json-epoch",
        };
    }
    from_templates(rng, i, EPOCHS_VERSIONS_IDS, lang_label)
}
