//! Person names after the phrases that introduce them, and street addresses.

use super::super::rng::Rng;
use super::judge::{Case, Kind, Secret};
use super::text::{self, ES, LANGS};

const FIRST: [&[&str]; LANGS] = [
    &[
        "John",
        "Jane",
        "Michael",
        "Sarah",
        "Oliver",
        "Emily",
        "Liam",
        "Charlotte",
        "Jan",
        "Sanne",
    ],
    &[
        "María",
        "José Luis",
        "Ana María",
        "Javier",
        "Lucía",
        "Pedro",
        "Carmen",
        "Íñigo",
    ],
    &[
        "Jürgen",
        "Hans-Peter",
        "Anna",
        "Lukas",
        "Sabine",
        "Jörg",
        "Björn",
        "Käthe",
    ],
    &[
        "Jean-Luc",
        "Marie",
        "Élodie",
        "François",
        "Camille",
        "Benoît",
        "Anaïs",
    ],
    &[
        "João",
        "Inês",
        "Maria",
        "Tiago",
        "Beatriz",
        "Gonçalo",
        "Conceição",
    ],
    &[
        "Giuseppe",
        "Francesca",
        "Luca",
        "Giulia",
        "Alessandro",
        "Chiara",
        "Niccolò",
    ],
];
const LAST: [&[&str]; LANGS] = [
    &[
        "Smith",
        "O'Neill",
        "Johnson",
        "Williams",
        "McAllister",
        "Taylor-Wood",
        "van der Berg",
        "de Vries",
    ],
    &[
        "García",
        "Pérez",
        "López",
        "Martínez",
        "Fernández",
        "de la Torre",
        "Sánchez-Vidal",
    ],
    &[
        "Müller",
        "Schmidt",
        "Weiß",
        "von Bülow",
        "Schäfer",
        "Becker",
        "Özdemir",
    ],
    &[
        "Dubois",
        "Lefèvre",
        "Martin",
        "de la Fontaine",
        "Moreau",
        "Girard",
        "Le Gall",
    ],
    &[
        "Silva",
        "Costa",
        "da Silva",
        "Santos",
        "Ferreira",
        "Gonçalves",
        "Magalhães",
    ],
    &[
        "Rossi", "Bianchi", "De Luca", "Esposito", "Russo", "Romano", "D'Angelo",
    ],
];
/// Phrases before a name ("{}" marks it); `true` when it is a field label at the start.
const INTROS: [&[(&str, bool)]; LANGS] = [
    &[
        ("my name is {}", false),
        ("I'm {}", false),
        ("this is {} speaking", false),
        ("my full name is {}", false),
        ("Name: {}", true),
    ],
    &[
        ("me llamo {}", false),
        ("mi nombre es {}", false),
        ("le habla {}", false),
        ("Nombre: {}", true),
    ],
    &[
        ("ich heiße {}", false),
        ("mein Name ist {}", false),
        ("hier spricht {}", false),
        ("Name: {}", true),
    ],
    &[
        ("je m'appelle {}", false),
        ("mon nom est {}", false),
        ("Nom : {}", true),
    ],
    &[
        ("o meu nome é {}", false),
        ("chamo-me {}", false),
        ("Nome: {}", true),
    ],
    &[
        ("mi chiamo {}", false),
        ("il mio nome è {}", false),
        ("Nome: {}", true),
    ],
];
const NEXT_FIELD: [&str; LANGS] = [
    "Issue: refund",
    "Motivo: reembolso",
    "Anliegen: Erstattung",
    "Motif : remboursement",
    "Motivo: reembolso",
    "Motivo: rimborso",
];

pub fn person_name(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let mut name = format!("{} {}", rng.pick(FIRST[lang]), rng.pick(LAST[lang]));
    if lang == ES && rng.below(2) == 0 {
        name = format!("{name} {}", rng.pick(&["Ruiz", "Navarro", "Gómez"]));
    }
    let &(intro, label_field) = rng.pick(INTROS[lang]);
    let (before, after) = intro.split_once("{}").expect("a slot");
    let phrase = format!("{}{name}{after}", text::casing(rng, before));
    let secrets = vec![Secret::new(Kind::Name, &name)];
    let label = ["en", "es", "de", "fr", "pt", "it"][lang];
    if !label_field {
        return text::wrap(rng, lang, &phrase, secrets, label);
    }
    // A field label counts at the start of a note or a line of one.
    let text = match rng.below(3) {
        0 => phrase,
        1 => format!("{phrase}\n{}", NEXT_FIELD[lang]),
        _ => format!("{}\n{phrase}", NEXT_FIELD[lang]),
    };
    Case {
        doc: text::embed(rng, text),
        secrets,
        label: "label-field",
    }
}

/// By language: (introductions, street lines with `{n}` for the number, postcode+city forms).
struct Streets {
    intros: &'static [&'static str],
    lines: &'static [&'static str],
    places: &'static [&'static str],
}

const STREETS: [Streets; LANGS] = [
    Streets {
        intros: &["I live at", "my address is", "Address:", "ship it to"],
        lines: &[
            "{n} High Street",
            "{n}B Baker Street",
            "{n} Station Road",
            "{n} Church Lane",
            "{n} Victoria Avenue",
        ],
        places: &[
            "London SW{1}A {1}AA",
            "Manchester M{1} {1}NE",
            "Leeds LS{1} {1}QT",
        ],
    },
    Streets {
        intros: &["vivo en", "mi dirección es", "Dirección:", "envíelo a"],
        lines: &[
            "Calle Mayor {n}",
            "Calle de Goya {n}",
            "Avenida de Andalucía {n}",
            "Calle Serrano {n}",
            "Paseo de Gracia {n}",
        ],
        places: &["280{2} Madrid", "410{2} Sevilla", "080{2} Barcelona"],
    },
    Streets {
        intros: &[
            "ich wohne in der",
            "meine Adresse ist",
            "Adresse:",
            "Lieferung an",
        ],
        lines: &[
            "Hauptstraße {n}",
            "Lindenweg {n}a",
            "Berliner Straße {n}",
            "Goetheallee {n}",
            "Schillerplatz {n}",
        ],
        places: &["101{2} Berlin", "803{2} München", "501{2} Köln"],
    },
    Streets {
        intros: &["j'habite au", "mon adresse est", "Adresse :", "livrez au"],
        lines: &[
            "{n} rue de la Paix",
            "{n} rue Victor Hugo",
            "{n} boulevard Saint-Germain",
            "{n} avenue Foch",
            "{n} rue Lafayette",
        ],
        places: &["750{2} Paris", "690{2} Lyon", "130{2} Marseille"],
    },
    Streets {
        intros: &["moro na", "a minha morada é", "Morada:", "entreguem na"],
        lines: &[
            "Rua Augusta {n}",
            "Rua Garrett {n}",
            "Avenida da Liberdade {n}",
            "Travessa do Carmo {n}",
            "Rua de Santa Catarina {n}",
        ],
        places: &["1100-0{2} Lisboa", "4000-0{2} Porto"],
    },
    Streets {
        intros: &["abito in", "il mio indirizzo è", "Indirizzo:", "spedite a"],
        lines: &[
            "Via Roma {n}",
            "Via Garibaldi {n}",
            "Viale Mazzini {n}",
            "Corso Vittorio Emanuele {n}",
            "Piazza Navona {n}",
        ],
        places: &["001{2} Roma", "201{2} Milano", "801{2} Napoli"],
    },
];

pub fn street_address(rng: &mut Rng, i: usize) -> Case {
    let lang = i % LANGS;
    let s = &STREETS[lang];
    let line = rng
        .pick(s.lines)
        .replace("{n}", &rng.range(1, 240).to_string());
    let place = rng
        .pick(s.places)
        .replace("{1}", &rng.range(1, 9).to_string())
        .replace("{2}", &rng.digits(2));
    let intro = *rng.pick(s.intros);
    let intro = text::casing(rng, intro);
    let phrase = match rng.below(3) {
        0 => format!("{intro} {line}"),
        _ => format!("{intro} {line}, {place}"),
    };
    let label = ["en", "es", "de", "fr", "pt", "it"][lang];
    text::wrap(
        rng,
        lang,
        &phrase,
        vec![Secret::new(Kind::Street, &line)],
        label,
    )
}
