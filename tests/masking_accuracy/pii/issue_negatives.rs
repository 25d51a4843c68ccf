//! The negatives quoted in the issue, literally: each must come back byte-for-byte unchanged.

use super::issue::doc;
use super::judge::Doc;

/// By class: texts that must come back unchanged.
const NEGATIVES: &[(&str, &[&str])] = &[
    (
        "ids_near_phone_words",
        &[
            "I called about order 4155559461",
            "contact form ref 61239932712",
            "Telefonat wegen Bestellung 0037-2026-0444",
            "Rechnung 0005-61571468",
            "Art.-Nr. 0630-9575-55",
            "hotel booking 48213377",
            "Bestellung 1234567890",
            "erstellt 20261125",
            "recall notice 4821337",
            "during 2026 we shipped 1234567 units",
            "string id 98765432",
            "cancellation 12345678",
            "pedido 612399327",
            "commande n° 0112723542",
            "ordine 3471234567",
            "encomenda 912345678",
        ],
    ),
    (
        "dates_times",
        &[
            "Callback scheduled for 2026-11-25 10:42:17",
            "call at 14:30 on 25.11.2026",
            "Rückruf am 25.11.2026 um 10:42",
            "delivered on 2026-11-20",
            "fecha de entrega 19/12/2024",
            "Lieferdatum 19.12.2024",
            "expiry 12/27",
        ],
    ),
    (
        "amounts",
        &[
            "2 450 000 COP",
            "€ 1.234.567,89",
            "1,234,567.89 USD",
            "total 12 345 678 ARS",
        ],
    ),
    (
        "epochs_versions_ids",
        &[
            "callback_ts=1732540800",
            r#"{"callbackAt": 1732540800123}"#,
            "app version 10.0.19045.2965",
            "upgraded to v2.14.3",
            "SKU-2231-BLK x2",
            "request 550e8400-e29b-41d4-a716-446655440000 failed",
            "tracking 1Z999AA10123456784",
            "ticket #123456789",
            "git sha 4f2a9c1e7b3d5a8f9e0c1b2a3d4e5f6a7b8c9d0e",
            "certified ISO 27001",
            "see RFC 5322",
            "customer since 2019",
            "page 12 of 340",
        ],
    ),
    (
        "words_containing_context_words",
        &[
            "the hotel has 245 rooms",
            "Bestellung erstellt",
            "product recall announced",
            "during the call",
            "string too long",
            "cancellation requested",
            "password reset requested",
            "the password is incorrect",
            "Passwort vergessen",
            "PIN code reset",
            "pinned 1234",
            "birthday sale 20%",
        ],
    ),
    (
        "checksum_failures",
        &[
            "NHS number 943 476 5918",
            "BSN 111222334",
            "Steuer-ID 86095742718",
            "NIF 123456788",
            "Mi DNI es 12345678A",
            "NIE X1234567A",
            "codice fiscale RSSMRA85T10A562T",
            "NIR 184127645108947",
            "9434765919",
            "ref 111222333",
            "SSN 666-12-3456",
            "IBAN DE89 3704 0044 0532 0130 01",
        ],
    ),
    (
        "not_names",
        &[
            "my name is on the account",
            "this is urgent",
            "I'm calling about order 123",
            "I bought the Galaxy S24 Ultra",
            "soy cliente desde 2019",
            "ich bin Kunde seit 2019",
            "London",
            "München",
            "Lisboa",
            "Street Fighter 6",
            "Road bike 29",
            "this is Royal Mail calling about a parcel",
            "this is Microsoft Teams again",
            "ici Orange Assistance",
            "le habla Movistar",
            "sono Poste Italiane",
            "my name is different on the card",
            "my name is spelled wrong on the invoice",
            "il mio nome è sul conto",
            "thanks for the help",
            "Thanks, Great service",
            "Dr Martens boots arrived",
            "meeting at 10 P.M. Monday",
        ],
    ),
    (
        "ids_near_phone_words",
        &[
            "IMEI of my phone: 490154203237518",
            "el IMEI del teléfono es 490154203237518",
            "contrato de telefonía nº 7835947515",
            "fattura telefonia n. 7085697496",
            "SIRET 931 228 852 42044",
            "call back at 3 pm",
            "the code on the back was smudged",
        ],
    ),
    (
        "dates_times",
        &[
            "Geburtsdatum geändert am 20.05.2026",
            "fecha de nacimiento corregida el 20/05/2026",
            "ordered a birthday present on 07/11/2024",
        ],
    ),
];

/// Every negative: (class, document).
pub fn negatives() -> Vec<(&'static str, Doc)> {
    NEGATIVES
        .iter()
        .flat_map(|&(class, texts)| texts.iter().map(move |t| (class, doc(t))))
        .collect()
}
